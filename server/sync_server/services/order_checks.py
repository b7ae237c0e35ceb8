"""Server-side checks of one order against the store's state; each finding is a Conflict.

Price lock, returns (against a sale, or blind), duplicates and clock plausibility. Run
inside the order's transaction; stock is checked and moved by services/stock.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from decimal import Decimal

from sqlalchemy import Connection, bindparam, select, union_all

from pos_protocol.permissions import Permission, has_permission

from ..db.models import ITEM_PRICES, ORDER_LINES, ORDERS
from . import staff
from pos_protocol.codes import ConflictCode
from pos_protocol.wire import Conflict, Order, OrderLine, format_time
from .catalog import price_in_force
from .context import Caller

SIMILAR_WINDOW = timedelta(minutes=10)  # PROTOCOL.md: similar content is counted, not held


def _conflict(line: OrderLine | None, code: ConflictCode, field: str, terminal, server, message: str) -> Conflict:
    return Conflict(
        line_no=line.line_no if line else None,
        sku=line.sku if line else None,
        code=code.value,
        field=field,
        terminal_value=None if terminal is None else str(terminal),
        server_value=None if server is None else str(server),
        message=message,
    )


def sorted_conflicts(conflicts: list[Conflict]) -> list[Conflict]:
    return sorted(conflicts, key=Conflict.sort_key)


class EarlierOrder(NamedTuple):
    order_id: str
    receipt_no: str
    content_hash: str
    created_at: datetime


@dataclass
class StoreView:
    """What the price and duplicate checks read, loaded once for one order or a whole batch."""

    history: dict[str, list]  # sku -> price rows, oldest first
    roles: dict[str, str]  # user_id -> role, for override and blind-return approvers
    earlier: list[EarlierOrder]  # the terminal's orders sharing a receipt_no or content_hash
    # (original order id, sku) -> qty returned by this batch's earlier orders: they are not
    # in the database yet when the batch's later returns are checked.
    returned: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def remember(self, order: Order) -> None:
        """An order of the same batch counts as earlier for the orders after it."""
        self.earlier.append(EarlierOrder(str(order.order_id), order.receipt_no, order.content_hash, order.created_at))
        if order.kind == "return" and order.original_order_id is not None:
            for line in order.lines:
                self.returned[(str(order.original_order_id), line.sku)] += line.qty


_PRICE_HISTORY = (
    select(ITEM_PRICES.c.sku, ITEM_PRICES.c.price, ITEM_PRICES.c.tax_code, ITEM_PRICES.c.tax_rate,
           ITEM_PRICES.c.active, ITEM_PRICES.c.effective_from)
    .where(ITEM_PRICES.c.store_id == bindparam("store_id"), ITEM_PRICES.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(ITEM_PRICES.c.sku, ITEM_PRICES.c.effective_from, ITEM_PRICES.c.id)
)
_EARLIER_COLUMNS = (ORDERS.c.server_seq, ORDERS.c.order_id, ORDERS.c.receipt_no, ORDERS.c.content_hash, ORDERS.c.created_at)
# Two index lookups (terminal+receipt, terminal+hash); an OR would scan the terminal's orders.
_EARLIER = union_all(
    select(*_EARLIER_COLUMNS).where(
        ORDERS.c.terminal_id == bindparam("terminal_id"), ORDERS.c.receipt_no.in_(bindparam("receipts", expanding=True))
    ),
    select(*_EARLIER_COLUMNS).where(
        ORDERS.c.terminal_id == bindparam("terminal_id"), ORDERS.c.content_hash.in_(bindparam("hashes", expanding=True))
    ),
).order_by("server_seq")


def load_view(conn: Connection, store_id: str, terminal_id: str, orders: list[Order]) -> StoreView:
    if not orders:
        return StoreView({}, {}, [])
    history: dict[str, list] = defaultdict(list)
    skus = sorted({line.sku for order in orders for line in order.lines})
    for row in conn.execute(_PRICE_HISTORY, {"store_id": store_id, "skus": skus}):
        history[row.sku].append(row)
    approvers = sorted({line.override.approved_by for order in orders for line in order.lines if line.override}
                       | {order.approved_by for order in orders if order.approved_by})
    roles = staff.approver_roles(conn, store_id, approvers)  # the store's staff list, removed users absent
    params = {
        "terminal_id": terminal_id,
        "receipts": sorted({o.receipt_no for o in orders}),
        "hashes": sorted({o.content_hash for o in orders}),
    }
    rows = {row.order_id: row for row in conn.execute(_EARLIER, params)}  # a row may match both ways
    earlier = [EarlierOrder(r.order_id, r.receipt_no, r.content_hash, r.created_at) for r in rows.values()]
    return StoreView(history, roles, earlier)


def price_lock_conflicts(view: StoreView, order: Order) -> tuple[list[Conflict], set[int]]:
    """PRICE_CHANGED / TAX_CHANGED / ITEM_UNKNOWN / ITEM_INACTIVE; also the unknown lines."""
    conflicts: list[Conflict] = []
    unknown: set[int] = set()
    for line in order.lines:
        if line.sku not in view.history:
            unknown.add(line.line_no)
            conflicts.append(_conflict(line, ConflictCode.ITEM_UNKNOWN, "sku", line.sku, None, f"item {line.sku} is not in the store's catalog"))
            continue
        server = price_in_force(view.history[line.sku], order.created_at)
        if not server.active:
            conflicts.append(_conflict(line, ConflictCode.ITEM_INACTIVE, "active", "true", "false", f"item {line.sku} was inactive at the time of sale"))
        if line.unit_price != server.price and not _override_approved(line, view.roles):
            conflicts.append(_conflict(line, ConflictCode.PRICE_CHANGED, "unit_price", line.unit_price, server.price, _price_message(line, view.roles)))
        if line.tax_code != server.tax_code:
            conflicts.append(_conflict(line, ConflictCode.TAX_CHANGED, "tax_code", line.tax_code, server.tax_code, f"tax code of {line.sku} is {server.tax_code}"))
        if line.tax_rate != server.tax_rate:
            conflicts.append(_conflict(line, ConflictCode.TAX_CHANGED, "tax_rate", line.tax_rate, server.tax_rate, f"tax rate of {line.sku} is {server.tax_rate}"))
    return conflicts, unknown


def _override_approved(line: OrderLine, roles: dict[str, str]) -> bool:
    if line.override is None:
        return False
    role = roles.get(line.override.approved_by)
    return role is not None and has_permission(role, Permission.PRICE_OVERRIDE)


def _price_message(line: OrderLine, roles: dict[str, str]) -> str:
    if line.override is None:
        return f"price of {line.sku} in force at the time of sale differs"
    if line.override.approved_by not in roles:
        return f"override approver {line.override.approved_by} is not a user of this store"
    return f"override approver {line.override.approved_by} lacks {Permission.PRICE_OVERRIDE.value}"


def duplicate_conflicts(view: StoreView, order: Order) -> list[Conflict]:
    """RECEIPT_NO_REUSED and DUPLICATE_CONTENT against this terminal's earlier orders.

    DUPLICATE_CONTENT is a resend that lost its id: the same content AND the same
    created_at under another order_id. A till stamps each sale when it is committed, so
    two honest sales of the same goods differ in created_at (see `similar_order`).
    """
    conflicts: list[Conflict] = []
    own_id = str(order.order_id)
    reused = [r for r in view.earlier if r.receipt_no == order.receipt_no and r.order_id != own_id]
    if reused:
        conflicts.append(_conflict(None, ConflictCode.RECEIPT_NO_REUSED, "receipt_no", order.receipt_no, reused[0].order_id,
                                   f"receipt {order.receipt_no} was already used by order {reused[0].order_id}"))
    twins = [r for r in _same_content(view, order) if r.created_at == order.created_at]
    if twins:
        conflicts.append(_conflict(None, ConflictCode.DUPLICATE_CONTENT, "content_hash", order.content_hash, twins[0].order_id,
                                   f"same content and created_at as order {twins[0].order_id}: a resend under a new order_id"))
    return conflicts


def similar_order(view: StoreView, order: Order) -> str | None:
    """The id of an earlier order of this terminal with the same content, made at another
    moment within 10 minutes: two honest sales (both accepted), only counted for review."""
    return next(
        (r.order_id for r in _same_content(view, order)
         if r.created_at != order.created_at and abs(r.created_at - order.created_at) <= SIMILAR_WINDOW),
        None,
    )


def _same_content(view: StoreView, order: Order) -> list[EarlierOrder]:
    own_id = str(order.order_id)
    return [r for r in view.earlier if r.content_hash == order.content_hash and r.order_id != own_id]


@dataclass(frozen=True)
class ClockBounds:
    """The created_at a terminal's order can plausibly carry: from the terminal's enrollment
    to the server's now, each widened by the tolerance (clocks drift a little)."""

    earliest: datetime
    latest: datetime

    @classmethod
    def of(cls, caller: Caller) -> ClockBounds:
        return cls(caller.enrolled_at - caller.clock_tolerance, datetime.now(UTC) + caller.clock_tolerance)


def clock_conflicts(bounds: ClockBounds, order: Order) -> list[Conflict]:
    """CLOCK_IMPLAUSIBLE: the sale happened (held, never refused), but its time, which the
    price lock trusts, is wrong; `server_value` is the bound it broke."""
    if order.created_at > bounds.latest:
        bound, why = bounds.latest, "is ahead of the server's clock"
    elif order.created_at < bounds.earliest:
        bound, why = bounds.earliest, "is before this terminal was enrolled"
    else:
        return []
    return [_conflict(None, ConflictCode.CLOCK_IMPLAUSIBLE, "created_at", format_time(order.created_at), format_time(bound),
                      f"created_at {why} (beyond the tolerance): check the till's clock")]


def return_conflicts(conn: Connection, store_id: str, order: Order, view: StoreView) -> list[Conflict]:
    """ORIGINAL_ORDER_UNKNOWN, RETURN_EXCEEDS_SALE, and PRICE_CHANGED against the price paid."""
    original_id = str(order.original_order_id)
    original = conn.execute(
        select(ORDERS.c.server_seq, ORDERS.c.kind)
        .where(ORDERS.c.order_id == original_id, ORDERS.c.store_id == store_id)
        .with_for_update()  # serializes concurrent returns against one sale (PostgreSQL)
    ).first()
    if original is None or original.kind != "sale":
        return [_conflict(None, ConflictCode.ORIGINAL_ORDER_UNKNOWN, "original_order_id", original_id, None,
                          f"no sale {original_id} in this store")]
    sold: dict[str, Decimal] = defaultdict(Decimal)
    # The price paid is per sale line: one item can be on a receipt twice at two prices (an
    # override, a price-embedded label). Return lines keep the sale's line_no (README), so
    # that line's price is the one to match; a return line whose number does not name a
    # line of that item may match any price the item was sold at.
    paid_by_line: dict[tuple[int, str], Decimal] = {}
    paid: dict[str, list[Decimal]] = defaultdict(list)
    for row in conn.execute(
        select(ORDER_LINES.c.line_no, ORDER_LINES.c.sku, ORDER_LINES.c.qty, ORDER_LINES.c.unit_price)
        .where(ORDER_LINES.c.server_seq == original.server_seq, ORDER_LINES.c.voided.is_(False))
        .order_by(ORDER_LINES.c.line_no)
    ):
        sold[row.sku] += row.qty
        paid_by_line[(row.line_no, row.sku)] = row.unit_price
        paid[row.sku].append(row.unit_price)
    for row in conn.execute(
        select(ORDER_LINES.c.sku, ORDER_LINES.c.qty)
        .join(ORDERS, ORDERS.c.server_seq == ORDER_LINES.c.server_seq)
        # Order ids are unique per store only: another store's returns of "the same" id are not ours.
        .where(ORDERS.c.original_order_id == original_id, ORDERS.c.store_id == store_id, ORDER_LINES.c.voided.is_(False))
    ):
        sold[row.sku] -= row.qty
    for (original_of, sku), qty in view.returned.items():
        if original_of == original_id:
            sold[sku] -= qty
    conflicts: list[Conflict] = []
    for line in sorted(order.lines, key=lambda l: l.line_no):
        left = max(sold.get(line.sku, Decimal(0)), Decimal(0))
        if line.qty > left:
            conflicts.append(_conflict(line, ConflictCode.RETURN_EXCEEDS_SALE, "qty", line.qty, left,
                                       f"only {left} of {line.sku} left to return"))
        # An over-return line takes all that is left: its server_value is its own share, so
        # resolutions of two such lines can never put back more than the sale had left.
        sold[line.sku] = max(left - line.qty, Decimal(0))
        own = paid_by_line.get((line.line_no, line.sku))
        prices = [own] if own is not None else paid.get(line.sku, [])
        if prices and line.unit_price not in prices:
            conflicts.append(_conflict(line, ConflictCode.PRICE_CHANGED, "unit_price", line.unit_price, prices[0],
                                       f"{line.sku} was sold at {prices[0]}"))
    return conflicts


def blind_return_conflicts(view: StoreView, order: Order, limit: Decimal) -> list[Conflict]:
    """A return without a receipt needs an approver holding `return.blind` on the server
    (BLIND_RETURN_NOT_APPROVED) and takes back at most `limit` of one item
    (BLIND_RETURN_EXCEEDS_LIMIT). Held, not refused: the till has already paid the refund."""
    conflicts = _blind_approval_conflicts(order, view.roles)
    left: dict[str, Decimal] = defaultdict(lambda: limit)
    for line in sorted(order.lines, key=lambda l: l.line_no):
        allowed = left[line.sku]
        if line.qty > allowed:
            # As with RETURN_EXCEEDS_SALE: the line takes what is left, server_value is its share.
            conflicts.append(_conflict(line, ConflictCode.BLIND_RETURN_EXCEEDS_LIMIT, "qty", line.qty, allowed,
                                       f"a blind return takes back at most {limit} of {line.sku}"))
        left[line.sku] = max(allowed - line.qty, Decimal(0))
    return conflicts


def _blind_approval_conflicts(order: Order, roles: dict[str, str]) -> list[Conflict]:
    approver = order.approved_by
    role = roles.get(approver) if approver else None
    if role is not None and has_permission(role, Permission.BLIND_RETURN):
        return []
    if approver is None:
        message = "a blind return needs approved_by: a user with return.blind"
    elif role is None:
        message = f"blind return approver {approver} is not a user of this store"
    else:
        message = f"blind return approver {approver} lacks {Permission.BLIND_RETURN.value}"
    return [_conflict(None, ConflictCode.BLIND_RETURN_NOT_APPROVED, "approved_by", approver, role, message)]
