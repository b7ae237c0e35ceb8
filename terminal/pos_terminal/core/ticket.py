"""The open ticket (cart): lines, quantities, discounts, overrides, voids, totals.

Every mutation is validated on a copy of the state and only then committed, so a
refused operation (bad quantity, discount too large, missing permission) leaves the
ticket exactly as it was. Line numbers are stable for the life of the ticket: a voided
line keeps its number and is skipped by `lines()`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from .allocation import allocate
from .catalog import Item, ScanResult, Unit
from pos_protocol.money import WEIGHT_SCALE, Currency, MoneyError, quantum, to_decimal
from pos_protocol.permissions import Permission
from .sale import FinishedSale, PriceOverride, SaleKind, SaleLine, VoidedLine
from pos_protocol.tax import TaxMode, Totals, compute_totals
from .tenders import TenderSet
from .users import User, require
from .voids import VoidLimit

HUNDRED = Decimal(100)


class TicketError(ValueError):
    """An operation the ticket refused; the ticket is unchanged."""


class QuantityError(TicketError):
    pass


class PriceError(TicketError):
    pass


class DiscountError(TicketError):
    pass


class UnknownLine(TicketError):
    pass


class ItemInactive(TicketError):
    pass


class PaymentError(TicketError):
    pass


class NeedsApproval(TicketError):
    """Allowed only with a manager's approval: ask for one and try again."""


class DiscountNeedsApproval(DiscountError, NeedsApproval):
    pass


def checked_quantity(value: object, unit: Unit) -> Decimal:
    """A quantity as the protocol carries it: positive; whole pieces, or kg to 3 decimals."""
    what = "weight" if unit is Unit.KG else "quantity"
    try:
        qty = to_decimal(value, what)
    except MoneyError as exc:
        raise QuantityError(str(exc)) from None
    if qty <= 0:
        raise QuantityError(f"{what} must be positive, got {qty}{' kg' if unit is Unit.KG else ''}")
    if unit is Unit.EA:
        if qty != qty.to_integral_value():
            raise QuantityError(f"pieces are counted whole, got {qty}")
        return qty.quantize(Decimal(1))
    if qty != qty.quantize(Decimal(1).scaleb(-WEIGHT_SCALE)):
        raise QuantityError(f"weight {qty} kg has more than {WEIGHT_SCALE} decimals")
    return qty.quantize(Decimal(1).scaleb(-WEIGHT_SCALE))


@dataclass(frozen=True)
class Discount:
    kind: Literal["percent", "amount"]
    value: Decimal

    def __post_init__(self) -> None:
        if self.kind not in ("percent", "amount"):
            raise DiscountError(f"discount kind must be 'percent' or 'amount', got {self.kind!r}")
        try:
            value = to_decimal(self.value, "discount")
        except MoneyError as exc:
            raise DiscountError(str(exc)) from None
        if value <= 0:
            raise DiscountError(f"discount must be positive, got {value}")
        if self.kind == "percent" and value > HUNDRED:
            raise DiscountError(f"a percent discount cannot exceed 100, got {value}")
        object.__setattr__(self, "value", value)

    def amount_of(self, base: Decimal, currency: Currency) -> Decimal:
        if self.kind == "percent":
            return currency.round(base * self.value / HUNDRED)
        return currency.round(self.value)


@dataclass(frozen=True)
class TicketLine:
    """One line as the ticket holds it (the cashier's view, before ticket discount)."""

    line_no: int
    item: Item
    qty: Decimal
    unit_price: Decimal
    discount: Discount | None = None
    override: PriceOverride | None = None
    fixed_discount: Decimal | None = None  # set by receipt returns: the pro-rata discount
    voided_by: str | None = None

    @property
    def active(self) -> bool:
        return self.voided_by is None


class Ticket:
    def __init__(
        self, tax_mode: TaxMode, currency: Currency = Currency(), *,
        kind: Literal["sale", "return"] = "sale", discount_limit_pct: Decimal = Decimal("10"),
        original_order_id: str | None = None, void_limit: VoidLimit = VoidLimit(),
    ) -> None:
        if kind not in ("sale", "return"):
            raise TicketError(f"ticket kind must be 'sale' or 'return', got {kind!r}")
        self.tax_mode = TaxMode(tax_mode)
        self.currency = currency
        self.kind: SaleKind = kind
        self.discount_limit_pct = discount_limit_pct
        self.void_limit = void_limit
        self.original_order_id = original_order_id
        self._lines: list[TicketLine] = []
        self._ticket_discount: Discount | None = None
        # The lines priced and the totals, as of the last change (`_commit`): paying reads
        # them several times (tender set, finish), and every change goes through _commit.
        self._priced: list[SaleLine] = []
        self._totals_memo: Totals | None = None
        self._next_no = 1
        # Returns: who authorised the refund, and whether lines come only from a receipt.
        self._refund_approved_by: str | None = None
        self._receipt_only = False

    @classmethod
    def resumed(cls, tax_mode: TaxMode, currency: Currency, lines: list[TicketLine],
                ticket_discount: Discount | None, next_no: int, *,
                discount_limit_pct: Decimal = Decimal("10")) -> Ticket:
        """A parked sale ticket brought back (core.parked): its lines (voided ones too, so
        line numbers stay stable) at the prices they were rung up at."""
        ticket = cls(tax_mode, currency, discount_limit_pct=discount_limit_pct)
        ticket._commit(lines, ticket_discount)
        ticket._next_no = max([next_no, *(line.line_no + 1 for line in lines)])
        return ticket

    @property
    def all_lines(self) -> list[TicketLine]:
        """Every line, voided ones included (what parking must keep)."""
        return list(self._lines)

    @property
    def next_line_no(self) -> int:
        return self._next_no

    # -- reading -----------------------------------------------------------------------------

    def ticket_lines(self) -> list[TicketLine]:
        """Active lines as held (for the UI: item, discount given, override)."""
        return [line for line in self._lines if line.active]

    @property
    def ticket_discount(self) -> Discount | None:
        return self._ticket_discount

    def lines(self) -> list[SaleLine]:
        """Active lines with the ticket discount allocated and line totals computed."""
        return list(self._priced)

    def totals(self) -> Totals:
        if self._totals_memo is None:
            self._totals_memo = self._totals(self._priced)
        return self._totals_memo

    def voided_lines(self) -> list[VoidedLine]:
        return [
            VoidedLine(line.line_no, line.item.sku, line.qty,
                       self.currency.round(line.qty * line.unit_price), line.voided_by)
            for line in self._lines if line.voided_by is not None
        ]

    def __len__(self) -> int:
        return len(self.ticket_lines())

    # -- adding lines ------------------------------------------------------------------------

    def add_item(self, item: Item, qty: Decimal = Decimal(1)) -> TicketLine:
        """A line of `qty` pieces (or kg, for weighed items) at the catalog price."""
        if item.unit is Unit.KG:
            return self.add_weighed(item, qty)
        return self._append(item, checked_quantity(qty, Unit.EA), item.price)

    def add_scan(self, scan: ScanResult) -> TicketLine:
        """A scanned item; a scale label's weight or price becomes the line's quantity/price.
        A plain item scanned again adds one to its line (`add_one`)."""
        if scan.weight is not None:
            return self.add_weighed(scan.item, scan.weight)
        if scan.price is not None:
            # Price-embedded label: one piece at the label's price (what the customer saw).
            return self._append(scan.item, Decimal(1), self._price_value(scan.price))
        return self.add_one(scan.item)

    def add_one(self, item: Item) -> TicketLine:
        """One more piece of `item` (a scan, a grid or quick-key tap): onto its line when
        the ticket has one as it came from the catalog (by the piece, same price, no
        discount or override), so three scans of a bread are one line of 3, not three
        lines. Weighed items, scale labels and changed lines get a line of their own."""
        self._check_open_for_items()
        for line in reversed(self._lines):
            if (line.active and item.active and line.item.sku == item.sku and item.unit is Unit.EA and line.discount is None
                    and line.override is None and line.fixed_discount is None and line.unit_price == item.price):
                self._replace(replace(line, qty=line.qty + 1))
                return self._line(line.line_no)
        return self.add_item(item)

    def add_weighed(self, item: Item, weight_kg: Decimal) -> TicketLine:
        if item.unit is not Unit.KG:
            raise QuantityError(f"{item.name} is sold by the piece, not by weight")
        return self._append(item, checked_quantity(weight_kg, Unit.KG), item.price)

    def _append(self, item: Item, qty: Decimal, price: Decimal) -> TicketLine:
        self._check_open_for_items()
        if not item.active:
            raise ItemInactive(f"{item.name} ({item.sku}) is no longer sold")
        line = TicketLine(self._next_no, item, qty, price)
        self._commit([*self._lines, line], self._ticket_discount)
        self._next_no += 1
        return line

    # -- changing lines ----------------------------------------------------------------------

    def set_quantity(self, line_no: int, qty: Decimal) -> None:
        self._check_open_for_items()
        line = self._line(line_no)
        new_qty = checked_quantity(qty, line.item.unit)
        self._replace(replace(line, qty=new_qty))

    def discount_line(self, line_no: int, discount: Discount, approved_by: User | None = None) -> None:
        self._check_open_for_items()
        line = self._line(line_no)
        base = self.currency.round(line.qty * line.unit_price)
        self._check_limit(discount, base, approved_by)
        self._replace(replace(line, discount=discount))

    def discount_ticket(self, discount: Discount, approved_by: User | None = None) -> None:
        self._check_open_for_items()
        subtotal = sum((l.line_total for l in self._price(self._lines, None)), Decimal(0))
        self._check_limit(discount, subtotal, approved_by)
        self._commit(self._lines, discount)

    def remove_ticket_discount(self) -> None:
        self._commit(self._lines, None)

    def override_price(self, line_no: int, new_price: Decimal, approved_by: User, reason: str) -> None:
        self._check_open_for_items()
        line = self._line(line_no)
        price = self._price_value(new_price)
        if not reason or not reason.strip():
            raise PriceError("a price override needs a reason")
        require(approved_by, Permission.PRICE_OVERRIDE)
        original = line.override.original_price if line.override else line.item.price
        override = PriceOverride(approved_by.user_id, reason.strip(), original)
        self._replace(replace(line, unit_price=price, override=override))

    def add_at_price(self, item: Item, price: Decimal, approved_by: User, reason: str) -> TicketLine:
        """An open-price sale: one piece of `item` at a price keyed in, approved like an
        override (and shown as one on the receipt). All checks first: a refusal adds nothing."""
        self._check_open_for_items()
        value = self._price_value(price)
        if not reason or not reason.strip():
            raise PriceError("an open price needs a reason")
        require(approved_by, Permission.PRICE_OVERRIDE)
        if not item.active:
            raise ItemInactive(f"{item.name} ({item.sku}) is no longer sold")
        qty = checked_quantity(Decimal(1), Unit.EA) if item.unit is Unit.EA else None
        if qty is None:
            raise QuantityError(f"{item.name} is sold by weight: weigh it instead")
        line = TicketLine(self._next_no, item, qty, value,
                          override=PriceOverride(approved_by.user_id, reason.strip(), item.price))
        self._commit([*self._lines, line], self._ticket_discount)
        self._next_no += 1
        return line

    def void_line(self, line_no: int, by: User, approved: User | None = None) -> None:
        """`by` voids the line; beyond the ticket's void limit only with `approved`, a
        manager who may cancel the whole ticket (NeedsApproval otherwise)."""
        line = self._line(line_no)
        require(by, Permission.LINE_VOID)
        if approved is None:
            amount = self.currency.round(line.qty * line.unit_price)
            if self.void_limit.needs_approval(self.voided_lines(), amount):
                raise NeedsApproval(self.void_limit.explain())
        else:
            require(approved, Permission.ORDER_VOID)
        self._replace(replace(line, voided_by=(approved or by).user_id))

    # -- returns (see returns.py) -------------------------------------------------------------

    def authorize_refund(self, approver: User) -> None:
        """Record who approved paying money back; a return cannot finish without it."""
        if self.kind != "return":
            raise TicketError("only a return ticket pays out a refund")
        require(approver, Permission.REFUND)
        self._refund_approved_by = approver.user_id

    @property
    def refund_approved_by(self) -> str | None:
        return self._refund_approved_by

    def _put_return_line(self, line: TicketLine) -> None:
        """Add or replace (by line number) a line priced from the original receipt."""
        if any(l.line_no == line.line_no and l.active for l in self._lines):
            self._replace(line)
        else:
            self._commit([*self._lines, line], self._ticket_discount)
        self._receipt_only = True

    # -- finishing ---------------------------------------------------------------------------

    def tender_set(self, cash_rounding: Decimal | None = None) -> TenderSet:
        """A TenderSet for this ticket's total (convenience for the pay screen)."""
        return TenderSet(self.totals().gross, self.currency, cash_rounding)

    def finish(self, tenders: TenderSet, cashier_id: str) -> FinishedSale:
        """Validate everything and return the sale to persist. The ticket is not changed."""
        lines = self.lines()
        if not lines:
            raise PaymentError("the ticket has no lines")
        if not cashier_id:
            raise PaymentError("a sale needs a cashier")
        if self.kind == "return" and self._refund_approved_by is None:
            raise PaymentError("a return needs an approval with the refund permission")
        totals = self.totals()
        if tenders.amount_due != totals.gross:
            raise PaymentError(f"tenders are for {tenders.amount_due}, the ticket total is {totals.gross}")
        if not tenders.is_complete:
            raise PaymentError(f"{tenders.remaining} still due")
        return FinishedSale(
            kind=self.kind, original_order_id=self.original_order_id, cashier_id=cashier_id,
            lines=tuple(lines), tenders=tenders.tenders, change_given=tenders.change_due,
            totals=totals, voids=tuple(self.voided_lines()), refund_approved_by=self._refund_approved_by,
        )

    # -- internals ---------------------------------------------------------------------------

    def _price(self, lines: list[TicketLine], ticket_discount: Discount | None) -> list[SaleLine]:
        active = [l for l in lines if l.active]
        exact = [l.qty * l.unit_price for l in active]
        gross = [self.currency.round(e) for e in exact]
        # The protocol checks round(qty * unit_price - discount): a discount larger than
        # the exact amount (0.005 kg-priced lines round UP to 0.01) would go negative there.
        room = [e.quantize(quantum(self.currency.scale), rounding=ROUND_FLOOR) for e in exact]
        own = [self._own_discount(l, g, r) for l, g, r in zip(active, gross, room)]
        for line, r, d in zip(active, room, own):
            if d > r:
                raise DiscountError(f"line {line.line_no}: discount exceeds the line amount")
        shares = self._ticket_shares(ticket_discount, [g - d for g, d in zip(gross, own)],
                                     [r - d for r, d in zip(room, own)])
        return [
            SaleLine(
                line_no=l.line_no, sku=l.item.sku, description=l.item.name, qty=l.qty,
                unit=l.item.unit, unit_price=l.unit_price, tax_code=l.item.tax_code,
                tax_rate=l.item.tax_rate, discount=d + s, line_total=g - d - s, override=l.override,
            )
            for l, d, g, s in zip(active, own, gross, shares)
        ]

    def _own_discount(self, line: TicketLine, gross: Decimal, room: Decimal) -> Decimal:
        if line.fixed_discount is not None:
            return line.fixed_discount
        if line.discount is None:
            return self.currency.round(Decimal(0))
        amount = line.discount.amount_of(gross, self.currency)
        return min(amount, room) if line.discount.kind == "percent" else amount

    def _ticket_shares(self, discount: Discount | None, bases: list[Decimal],
                       capacities: list[Decimal]) -> list[Decimal]:
        zero = self.currency.round(Decimal(0))
        if discount is None:
            return [zero] * len(bases)
        subtotal, capacity = sum(bases, zero), sum(capacities, zero)
        amount = discount.amount_of(subtotal, self.currency)
        if discount.kind == "percent":
            amount = min(amount, capacity)
        if amount > capacity:
            raise DiscountError(f"ticket discount {amount} exceeds the ticket subtotal {subtotal}")
        return allocate(amount, capacities, self.currency.scale)

    def _totals(self, lines: list[SaleLine]) -> Totals:
        return compute_totals(((l.tax_code, l.tax_rate, l.line_total) for l in lines),
                              self.tax_mode, self.currency.scale)

    def _commit(self, lines: list[TicketLine], ticket_discount: Discount | None) -> None:
        priced = self._price(lines, ticket_discount)  # raises on an inconsistent state
        self._lines = list(lines)
        self._ticket_discount = ticket_discount
        self._priced, self._totals_memo = priced, None

    def _replace(self, new: TicketLine) -> None:
        lines = [new if l.line_no == new.line_no and l.active else l for l in self._lines]
        self._commit(lines, self._ticket_discount)

    def _line(self, line_no: int) -> TicketLine:
        for line in self._lines:
            if line.line_no == line_no and line.active:
                return line
        raise UnknownLine(f"no open line {line_no} on this ticket")

    def _check_limit(self, discount: Discount, base: Decimal, approved_by: User | None) -> None:
        amount = discount.amount_of(base, self.currency)
        if amount > base:
            raise DiscountError(f"discount {amount} exceeds the amount {base}")
        # A percent discount is judged by its nominal rate: rounding 10 % of 0.95 up to
        # 0.10 must not turn an allowed 10 % into a refused 10.5 %.
        if discount.kind == "percent":
            pct = discount.value
        else:
            pct = amount * HUNDRED / base if base else Decimal(0)
        if pct > self.discount_limit_pct:
            if approved_by is None:
                raise DiscountNeedsApproval(
                    f"a {pct:.1f} % discount is above the {self.discount_limit_pct} % limit: "
                    "needs approval"
                )
            require(approved_by, Permission.DISCOUNT_ABOVE_LIMIT)

    def _check_open_for_items(self) -> None:
        if self._receipt_only:
            raise TicketError("a receipt return takes its lines and prices from the original receipt")

    def _price_value(self, price: object) -> Decimal:
        try:
            value = self.currency.parse(price, "price")
        except MoneyError as exc:
            raise PriceError(str(exc)) from None
        if value < 0:
            raise PriceError(f"price must not be negative, got {value}")
        return value
