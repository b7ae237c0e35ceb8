"""Drawer sessions, cash movements and Z reports on the local database."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import CashMovementRow, DrawerSessionRow, Order, ZReportRow
from .sales import WITH_CHILDREN


def open_session_row(session: Session, terminal_id: str) -> DrawerSessionRow | None:
    return session.scalars(
        select(DrawerSessionRow)
        .where(DrawerSessionRow.terminal_id == terminal_id, DrawerSessionRow.closed_at.is_(None))
        .order_by(DrawerSessionRow.opened_at.desc())
    ).first()


def movements(session: Session, session_id: str) -> list[CashMovementRow]:
    return list(session.scalars(
        select(CashMovementRow).where(CashMovementRow.session_id == session_id)
        .order_by(CashMovementRow.id)))


def session_orders(session: Session, session_id: str) -> list[Order]:
    return list(session.scalars(
        select(Order).where(Order.drawer_session_id == session_id)
        .options(*WITH_CHILDREN).order_by(Order.receipt_seq)))


def session_order_ids(session: Session, session_id: str) -> list[str]:
    """The ids of the session's orders in receipt order: what its Z report names."""
    return list(session.scalars(
        select(Order.order_id).where(Order.drawer_session_id == session_id).order_by(Order.receipt_seq)))


def adopt_unreported_orders(session: Session, terminal_id: str, session_id: str) -> None:
    """Orders rung while no drawer was open go on the next Z: every order lands on one Z."""
    session.execute(
        update(Order)
        .where(Order.terminal_id == terminal_id, Order.drawer_session_id.is_(None))
        .values(drawer_session_id=session_id))


def unreported_orders(session: Session, terminal_id: str) -> list[Order]:
    """Orders rung while no drawer was open: the next Z adopts them."""
    return list(session.scalars(
        select(Order).where(Order.terminal_id == terminal_id, Order.drawer_session_id.is_(None))
        .options(*WITH_CHILDREN).order_by(Order.receipt_seq)))


def last_z_number(session: Session, terminal_id: str) -> int:
    return session.scalar(
        select(func.coalesce(func.max(ZReportRow.z_number), 0))
        .where(ZReportRow.terminal_id == terminal_id)) or 0
