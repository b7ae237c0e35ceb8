"""Use cases the UI (and `simulate-sales`) call. Widgets never reach past this package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pos_terminal.config import TerminalConfig
from pos_terminal.store.db import Database
from pos_terminal.store.identity import as_enrolled, read_identity
from pos_terminal.sync.client import SyncClient

from . import formatting
from .catalog import CatalogService, open_catalog, seed_catalog
from .checkout import CompletedOrder
from .drawer import DrawerService
from .returns import Returns
from .staff import Staff
from .till import ApproverPin, ParkedTicket, TenderInput, Till, utc_now

if TYPE_CHECKING:
    from .card_payments import CardPayments

__all__ = ["ApproverPin", "CatalogService", "CompletedOrder", "ParkedTicket", "Services", "TenderInput", "Till", "open_services"]


@dataclass
class Services:
    config: TerminalConfig
    db: Database
    catalog: CatalogService
    staff: Staff
    till: Till
    returns: Returns
    drawer: DrawerService
    cards: CardPayments | None = None  # card payments, when a payment terminal is attached (app.py)
    server: SyncClient | None = None  # set by `connect`

    def connect(self, server: SyncClient) -> None:
        """Use the server for what only it knows: the staff list (changes made here go to
        it) and other tills' receipts (returns across tills). Called once sync is set up."""
        self.server = self.staff.office = self.returns.server = server

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
        self.catalog.store.close()
        self.db.close()


def open_services(config: TerminalConfig, clock: Callable[[], datetime] = utc_now) -> Services:
    """Open (and migrate) the till's database and seed an empty till. The catalog is not
    loaded: lookups, search and the grid read the database's indexes (`services.catalog`).

    An enrolled till sells under its enrolled identity (`store.identity`), whatever the
    config file says.
    """
    formatting.use_store_locale(config.locale)  # once, before any screen shows an amount
    db = Database(config.db_path)
    with db.reader() as s:
        config = as_enrolled(config, read_identity(s))
    staff = Staff(db, clock)
    staff.seed(config.seed_users)
    seed_catalog(db, config.catalog_csv, config.categories_csv)
    catalog = open_catalog(db)
    till = Till(db, config, catalog, staff, clock)
    till.recover_parked()
    return Services(config, db, catalog, staff, till, Returns(till), DrawerService(till))

