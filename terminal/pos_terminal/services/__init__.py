"""Use cases the UI (and `simulate-sales`) call. Widgets never reach past this package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pos_terminal.config import TerminalConfig
from pos_terminal.store.db import Database
from pos_terminal.store.identity import as_enrolled, read_identity

from .catalog import CatalogService, open_catalog, seed_catalog
from .checkout import CompletedOrder
from .drawer import DrawerService
from .returns import Returns
from .staff import Staff
from .till import ApproverPin, TenderInput, Till, utc_now

if TYPE_CHECKING:
    from .card_payments import CardPayments

__all__ = ["ApproverPin", "CatalogService", "CompletedOrder", "Services", "TenderInput", "Till", "open_services"]


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

    def close(self) -> None:
        self.catalog.store.close()
        self.db.close()


def open_services(config: TerminalConfig, clock: Callable[[], datetime] = utc_now) -> Services:
    """Open (and migrate) the till's database and seed an empty till. The catalog is not
    loaded: lookups, search and the grid read the database's indexes (`services.catalog`).

    An enrolled till sells under its enrolled identity (`store.identity`), whatever the
    config file says.
    """
    db = Database(config.db_path)
    with db.reader() as s:
        config = as_enrolled(config, read_identity(s))
    staff = Staff(db, clock)
    staff.seed(config.seed_users)
    seed_catalog(db, config.catalog_csv)
    catalog = open_catalog(db)
    till = Till(db, config, catalog, staff, clock)
    return Services(config, db, catalog, staff, till, Returns(till), DrawerService(till))

