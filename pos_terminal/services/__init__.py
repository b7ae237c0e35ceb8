"""Use cases the UI (and `simulate-sales`) call. Widgets never reach past this package."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pos_terminal.config import TerminalConfig
from pos_terminal.core.catalog import Catalog
from pos_terminal.store.db import Database
from pos_terminal.store.models import TerminalIdentity

from .catalog import load_catalog, seed_catalog
from .checkout import CompletedOrder
from .drawer import DrawerService
from .returns import Returns
from .staff import Staff
from .till import ApproverPin, TenderInput, Till, utc_now

__all__ = ["ApproverPin", "CompletedOrder", "Services", "TenderInput", "Till", "open_services"]


@dataclass
class Services:
    config: TerminalConfig
    db: Database
    catalog: Catalog
    staff: Staff
    till: Till
    returns: Returns
    drawer: DrawerService

    def close(self) -> None:
        self.db.close()


def open_services(config: TerminalConfig, clock: Callable[[], datetime] = utc_now) -> Services:
    """Open (and migrate) the till's database, seed an empty till, load the catalog.

    An enrolled till always sells under the store and terminal id the server gave it,
    whatever the config file says (else every order would be refused as another store's).
    """
    db = Database(config.db_path)
    config = _as_enrolled(db, config)
    staff = Staff(db, clock)
    staff.seed(config.seed_users)
    seed_catalog(db, config.catalog_csv)
    catalog = load_catalog(db)
    till = Till(db, config, catalog, staff, clock)
    return Services(config, db, catalog, staff, till, Returns(till), DrawerService(till))


def _as_enrolled(db: Database, config: TerminalConfig) -> TerminalConfig:
    with db.reader() as s:
        row = s.get(TerminalIdentity, 1)
    if row is None or not row.server_url:
        return config
    return dataclasses.replace(config, store_id=row.store_id, terminal_id=row.terminal_id,
                               server_url=row.server_url)
