"""Wire models of sync protocol v1: the ONE definition shared by the server and the terminal.

Pure pydantic (no FastAPI, no SQLAlchemy) so the terminal's client can import it.
Decimals travel as strings and are parsed strictly (floats, ints, NaN and garbage are
refused). See /work/shared/PROTOCOL.md and README design notes (returns, cash rounding).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self, get_args
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    Strict,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from .codes import OrderStatus
from .money import parse_decimal, round_money
from .permissions import Role
from .pins import PIN_HASH_PATTERN, check_pin_hash
from .tax import TaxMode, compute_totals, line_total

MAX_LINES_PER_ORDER = 500
MAX_ORDERS_PER_BATCH = 500
MAX_TENDERS_PER_ORDER = 50
CASH_ROUNDING_REFERENCE = "cash_rounding"
KEYED_CARD_REFERENCE = "keyed: standalone card terminal"
"""The reference of a card tender the cashier keyed into a card terminal the till does not
drive (no trace number reaches the till): it says so, rather than leaving a card tender
without a reference, which the server refuses (`tender_errors`)."""

# ---------------------------------------------------------------------------- decimals

_MONEY_RE = r"^\d{1,12}(\.\d{1,4})?$"
_SIGNED_MONEY_RE = r"^-?\d{1,12}(\.\d{1,4})?$"
_QTY_RE = r"^\d{1,9}(\.\d{1,3})?$"
MAX_QUANTITY = Decimal("999999999.999")
"""The largest value `_QTY_RE` admits (9 integer digits, 3 decimals); also the stock bound."""
_RATE_RE = r"^0(\.\d{1,6})?$"


def _decimal_parser(pattern: str, what: str):
    """The wire's use of the one parser (`money.parse_decimal`) with a bounded pattern."""
    regex = re.compile(pattern, re.ASCII)  # compiled once: orders carry many decimals
    return lambda value: parse_decimal(value, what, regex)


def _decimal_type(pattern: str, what: str, example: str):
    return Annotated[
        Decimal,
        BeforeValidator(_decimal_parser(pattern, what)),
        PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
        WithJsonSchema({"type": "string", "pattern": pattern, "examples": [example]}),
    ]


Money = _decimal_type(_MONEY_RE, "amount", "12.50")
"""A non-negative amount; the store's currency scale is checked by the server."""
SignedMoney = _decimal_type(_SIGNED_MONEY_RE, "amount", "-0.02")
Quantity = _decimal_type(_QTY_RE, "quantity", "0.256")
"""Pieces (integral for unit `ea`) or a weight with at most 3 decimals."""
TaxRateValue = _decimal_type(_RATE_RE, "tax rate", "0.19")
"""A fraction: "0.19" is 19 %."""


# The instants the protocol carries (README "Times on the wire"). Any till clock fits, even
# one reset to the Unix epoch, and the range sits centuries inside datetime's years 1..9999,
# so the server's own arithmetic on a time (the duplicate window, expiries) never overflows
# and both databases store and read back every accepted value.
TIME_MIN = datetime(1970, 1, 1, tzinfo=UTC)
TIME_MAX = datetime(2999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
_TIME_RANGE = f"{TIME_MIN:%Y-%m-%dT%H:%M:%SZ} to {TIME_MAX:%Y-%m-%dT%H:%M:%S.%fZ}"


def _parse_time(value: object) -> datetime:
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)", value):
            raise ValueError("time must be RFC 3339, e.g. 2026-11-21T09:15:00Z")
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("time must be an RFC 3339 string with a UTC offset")
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise ValueError(f"time must be from {_TIME_RANGE} (UTC)") from None
    if not TIME_MIN <= value <= TIME_MAX:
        raise ValueError(f"time must be from {_TIME_RANGE} (UTC)")
    return value


def format_time(value: datetime) -> str:
    """RFC 3339 UTC with a `Z`, as on the wire."""
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


Time = Annotated[
    datetime,
    BeforeValidator(_parse_time),
    PlainSerializer(format_time, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$",
            "description": f"RFC 3339, from {_TIME_RANGE} once converted to UTC",
        }
    ),
]
MAX_AGE_S = (TIME_MAX - TIME_MIN).total_seconds()
"""No age (the span between two protocol times) is longer."""

Int = Annotated[int, Strict()]
# Every integer that reaches a column is bounded by what the column holds (else a driver
# overflow is a 500, or a stored value cannot be read back).
INT32_MAX = 2**31 - 1  # INTEGER on both databases
INT64_MAX = 2**63 - 1  # BIGINT
Count = Annotated[Int, Field(ge=0, le=INT32_MAX)]
LineNo = Annotated[Int, Field(ge=1, le=100_000)]
Bool = Annotated[bool, Strict()]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Text = Annotated[str, Field(max_length=200)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
_COLOUR_RE = r"^#[0-9A-Fa-f]{6}$"
_COLOUR = re.compile(_COLOUR_RE, re.ASCII)


def _parse_colour(value: object) -> str:
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise ValueError(f"colour must be #RRGGBB (six hex digits, e.g. #FFE0B2), got {value!r}")
    return value.upper()


Colour = Annotated[
    str, BeforeValidator(_parse_colour),
    WithJsonSchema({"type": "string", "pattern": _COLOUR_RE, "examples": ["#FFE0B2"]}),
]
"""A tile colour as `#RRGGBB` (six hex digits, either case; kept and sent in upper case, so
two spellings of one colour compare equal). Nothing shorter (`#FFF`), no names (`red`)."""


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _may_hold_text(annotation: object) -> bool:
    """Whether a field's type can carry a str (itself, or inside a list, dict or union);
    nested models check their own fields."""
    if annotation is str:
        return True
    if isinstance(annotation, type):
        return False
    return any(_may_hold_text(arg) for arg in get_args(annotation))


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _text_fields: ClassVar[tuple[str, ...]] = ()
    """The fields `_no_nul_characters` looks at, found once per model class."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._text_fields = tuple(
            name for name, field in cls.model_fields.items() if _may_hold_text(field.annotation))

    @model_validator(mode="after")
    def _no_nul_characters(self) -> Self:
        # PostgreSQL cannot store NUL in text (it would be a 500); no till sends one. One
        # check per model over its text fields, not a validator call per field: this runs
        # on every sale's commit path (bench/sale_commit.py).
        for name in self._text_fields:
            if _has_nul(getattr(self, name)):
                raise ValueError(f"{name}: text must not contain NUL (\\u0000) characters")
        return self


class _Response(BaseModel):
    # Responses tolerate new fields so an older terminal keeps working with a newer server.
    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------------------- orders


class LineOverride(_Request):
    approved_by: Id
    reason: Text
    original_price: Money


class OrderLine(_Request):
    line_no: LineNo
    sku: Id
    description: Text
    qty: Quantity
    unit: Literal["ea", "kg"]
    unit_price: Money
    tax_code: Annotated[str, Field(min_length=1, max_length=16)]
    tax_rate: TaxRateValue
    discount: Money
    line_total: Money
    override: LineOverride | None = None

    @model_validator(mode="after")
    def _qty_fits_unit(self) -> OrderLine:
        if self.qty <= 0:
            raise ValueError("qty must be positive (returns carry positive quantities too)")
        if self.unit == "ea" and self.qty != self.qty.to_integral_value():
            raise ValueError("qty of a piece item (unit ea) must be a whole number")
        return self


class Tender(_Request):
    type: Literal["cash", "card", "voucher", "other"]
    amount: SignedMoney
    reference: Annotated[str, Field(max_length=100)] | None = None

    @property
    def is_cash_rounding(self) -> bool:
        return self.type == "other" and self.reference == CASH_ROUNDING_REFERENCE

    @model_validator(mode="after")
    def _positive_unless_rounding(self) -> Tender:
        if self.amount <= 0 and not self.is_cash_rounding:
            raise ValueError("tender amount must be positive (only cash_rounding may be negative)")
        return self


class OrderTotals(_Request):
    net: Money
    tax: Money
    gross: Money


class OrderContent(_Request):
    """An order without its ids and times: exactly what `content_hash` covers."""

    kind: Literal["sale", "return"]
    original_order_id: UUID | None = None
    store_id: Id
    terminal_id: Id
    cashier_id: Id
    catalog_version: Annotated[Int, Field(ge=0, le=INT64_MAX)]  # stores.catalog_version
    lines: Annotated[list[OrderLine], Field(min_length=1, max_length=MAX_LINES_PER_ORDER)]
    tenders: Annotated[list[Tender], Field(max_length=MAX_TENDERS_PER_ORDER)]
    change_given: Money
    totals: OrderTotals
    approved_by: Id | None = None
    """Returns only: the user who approved the refund. A blind return (original_order_id
    null) needs one holding `return.blind` on the server, or it is held (README). Left out
    of the JSON while null (`_absent_approver_left_out`)."""

    @model_serializer(mode="wrap")
    def _absent_approver_left_out(self, handler: SerializerFunctionWrapHandler):
        # approved_by came after v1 shipped: without it an order serializes, and so hashes,
        # exactly as before, so bodies frozen in tills' outboxes keep their content_hash and
        # a sale's body is what an older server expects.
        data = handler(self)
        if data.get("approved_by", "") is None:
            del data["approved_by"]
        return data

    @model_validator(mode="after")
    def _consistent(self) -> OrderContent:
        # A return with original_order_id null is a blind return (no receipt); the terminal
        # required a manager's `return.blind` approval, journals it and sends it as approved_by.
        if self.kind == "sale" and self.original_order_id is not None:
            raise ValueError("a sale has no original_order_id")
        if self.kind == "sale" and self.approved_by is not None:
            raise ValueError("a sale has no approved_by (it names a return's refund approver)")
        line_nos = [line.line_no for line in self.lines]
        if len(set(line_nos)) != len(line_nos):
            raise ValueError("line_no values must be unique")
        return self


class Order(OrderContent):
    order_id: UUID
    receipt_no: Annotated[str, Field(min_length=1, max_length=64)]
    created_at: Time
    content_hash: Sha256Hex


_HASH_EXCLUDED = frozenset({"order_id", "receipt_no", "created_at", "content_hash"})


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def canonical_json(obj: object) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes that hashes and fingerprints cover."""
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    return _CANONICAL.encode(obj).encode("utf-8")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)
"""Made once: `json.dumps` with these options would build an encoder per call (sales path)."""


def content_hash(order: Order | OrderContent | dict[str, Any]) -> str:
    """SHA-256 hex of the canonical order without order_id, receipt_no, created_at, content_hash."""
    if isinstance(order, BaseModel):
        content = order.model_dump(mode="json", exclude=set(_HASH_EXCLUDED))
    else:
        raw = {k: v for k, v in order.items() if k not in _HASH_EXCLUDED}
        content = OrderContent.model_validate(raw).model_dump(mode="json")
    return hashlib.sha256(canonical_json(content)).hexdigest()


def sealed_order(fields: dict[str, Any]) -> Order:
    """An Order built from its fields with `content_hash` computed: how a terminal makes one."""
    return Order.model_validate({**fields, "content_hash": content_hash(fields)})


_CARD_NUMBER = re.compile(r"\d{13,19}")  # a full PAN: 13 to 19 digits in a row


def tender_errors(order: OrderContent) -> list[str]:
    """A card tender names the terminal transaction behind it: `reference` holds its
    trace/receipt number and authorisation code, and never a card number beyond the
    masked form (last four digits). Other tenders are as before."""
    errors = []
    for i, tender in enumerate(order.tenders):
        if tender.type != "card":
            continue
        reference = (tender.reference or "").strip()
        if not reference:
            errors.append(f"tenders[{i}]: a card tender needs a reference "
                          "(the terminal's trace or receipt number and authorisation code)")
        elif _CARD_NUMBER.search(reference.replace(" ", "")):
            errors.append(f"tenders[{i}].reference looks like a full card number; send the masked form")
    return errors


def arithmetic_errors(order: OrderContent, mode: TaxMode, scale: int) -> list[str]:
    """What does not add up in `order` for a store with this tax mode and currency scale.

    Uses the shared ticket math (pos_protocol.tax) so terminal and server agree.
    """
    errors: list[str] = []

    def at_scale(value: Decimal, where: str) -> None:
        if value != round_money(value, scale):
            errors.append(f"{where} {value} has more than {scale} decimals")

    for line in order.lines:
        where = f"lines[{line.line_no}]"
        for name in ("unit_price", "discount", "line_total"):
            at_scale(getattr(line, name), f"{where}.{name}")
        expected = line_total(line.qty, line.unit_price, line.discount, scale)
        if expected < 0:
            errors.append(f"{where}.discount exceeds qty * unit_price")
        elif line.line_total != expected:
            errors.append(f"{where}.line_total is {line.line_total}, expected {expected}")
    for i, tender in enumerate(order.tenders):
        at_scale(tender.amount, f"tenders[{i}].amount")
    at_scale(order.change_given, "change_given")
    for name in ("net", "tax", "gross"):
        at_scale(getattr(order.totals, name), f"totals.{name}")
    if errors:
        return errors
    totals = compute_totals(
        ((line.tax_code, line.tax_rate, line.line_total) for line in order.lines), mode, scale
    )
    for name in ("net", "tax", "gross"):
        sent, expected = getattr(order.totals, name), getattr(totals, name)
        if sent != expected:
            errors.append(f"totals.{name} is {sent}, expected {expected} ({mode.value} tax)")
    if order.totals.net + order.totals.tax != order.totals.gross:
        errors.append("totals.net + totals.tax must equal totals.gross")
    paid = sum((t.amount for t in order.tenders), Decimal(0)) - order.change_given
    if paid != order.totals.gross:
        errors.append(f"tenders minus change_given is {paid}, expected gross {order.totals.gross}")
    return errors


class Conflict(_Response):
    line_no: int | None
    sku: str | None
    code: str
    field: str
    terminal_value: str | None
    server_value: str | None
    message: str

    def sort_key(self) -> tuple:
        # Deterministic: line_no (nulls first), then code, then field.
        return (self.line_no is not None, self.line_no or 0, self.code, self.field)


class OrderAccepted(_Response):
    status: Literal[OrderStatus.ACCEPTED] = OrderStatus.ACCEPTED
    order_id: UUID
    server_seq: int


class OrderHeld(_Response):
    status: Literal[OrderStatus.HELD] = OrderStatus.HELD
    order_id: UUID
    conflicts: list[Conflict]


class Problem(_Response):
    """RFC 9457 problem details; `code` is what clients switch on."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    code: str


class BatchRequest(_Request):
    orders: Annotated[list[Order], Field(min_length=1, max_length=MAX_ORDERS_PER_BATCH)]


class BatchItemResult(_Response):
    order_id: UUID | None
    http_status: int
    body: OrderAccepted | OrderHeld | Problem
    replayed: bool = False
    """True when `body` is the stored first response (as `Idempotent-Replayed: true`)."""


class BatchResponse(_Response):
    results: list[BatchItemResult]


class ResolutionAction(StrEnum):
    HONOR_TERMINAL = "honor_terminal"
    ACCEPT_SERVER = "accept_server"
    VOID_LINE = "void_line"


class Resolution(_Request):
    """One decision about one conflict of a held order."""

    line_no: LineNo | None
    code: Annotated[str, Field(max_length=64)]
    action: ResolutionAction
    approved_by: Id
    reason: Text


class ResolutionRequest(_Request):
    resolutions: Annotated[list[Resolution], Field(min_length=1, max_length=1000)]


class OrderResolved(_Response):
    status: Literal[OrderStatus.RESOLVED] = OrderStatus.RESOLVED
    order_id: UUID
    server_seq: int
    resolutions: list[Resolution]


OFFICE_APPROVER_PREFIX = "office:"
"""`approved_by` of a decision taken in the back office: `office:<office user id>`, never
mistaken for a till's staff member of the same id."""


def office_approver(user_id: str) -> str:
    return OFFICE_APPROVER_PREFIX + user_id


class Resolver(_Response):
    """Who resolved a held order, as a person reads it: `name` is the office account's or
    the staff member's name (their id when the server knows no name)."""

    user_id: str
    name: str
    in_office: bool


def resolver_of(approved_by: str, name: str | None = None) -> Resolver:
    """The resolver an `approved_by` names (an office decision is `office:<user id>`)."""
    in_office = approved_by.startswith(OFFICE_APPROVER_PREFIX)
    user_id = approved_by.removeprefix(OFFICE_APPROVER_PREFIX) if in_office else approved_by
    return Resolver(user_id=user_id, name=name or user_id, in_office=in_office)


class OrderStatusOut(_Response):
    order_id: UUID
    status: Literal[OrderStatus.ACCEPTED, OrderStatus.HELD, OrderStatus.RESOLVED]
    server_seq: int | None
    received_at: Time
    order: Order
    conflicts: list[Conflict]
    resolutions: list[Resolution]
    resolved_by: Resolver | None = None
    """Set on a resolved order by servers that know it (an older server leaves it out:
    `resolver()` reads it from the resolutions then)."""

    def resolver(self) -> Resolver | None:
        if self.resolved_by is not None:
            return self.resolved_by
        return resolver_of(self.resolutions[0].approved_by) if self.resolutions else None


class EarlierReturn(_Response):
    """A return the server holds against a sale: quantities per original line number."""

    order_id: UUID
    lines: dict[int, Quantity]


class ReceiptOut(_Response):
    """`GET /v1/receipts/{receipt_no}`: a sale of the caller's store as the server has it,
    with its lines voided at resolution and every return against it (any till's), so a
    till that does not know the receipt returns against it with the same limits."""

    order: Order
    status: Literal[OrderStatus.ACCEPTED, OrderStatus.HELD, OrderStatus.RESOLVED]
    voided_lines: list[int]
    returns: list[EarlierReturn]


# ---------------------------------------------------------------------------- catalog


class CatalogItem(_Response):
    sku: str
    name: str
    barcodes: list[str]
    unit: Literal["ea", "kg"]
    price: Money
    tax_code: str
    category: str
    active: bool
    colour: Annotated[Colour | None, Field(exclude_if=lambda v: v is None)] = None
    """The item's own tile colour; none: its category's. Left out of the JSON while none, so
    a delta without colours is byte for byte what it was before (docs/notes/colours.md)."""


class CatalogCategory(_Response):
    """How the till shows a category: its tile colour and its place among the categories
    (by `position`, then by name). A category is named by its items' `category`; one without
    a row here is shown at position 0 in a colour of the till's own."""

    name: str
    colour: Colour | None = None
    position: int = 0


class TaxRate(_Response):
    tax_code: str
    rate: TaxRateValue


CATALOG_PAGE_DEFAULT = 1000
CATALOG_PAGE_MAX = 5000


class CatalogDelta(_Response):
    """One page of what changed in (since, version]; README "Catalog paging".

    `version` is the pull's target on every page (the store's version when its first page
    was served); `next_cursor` asks for the next page, null on the last. A till records
    `version` as its own only with the last page."""

    version: int
    items: list[CatalogItem]
    tax_rates: list[TaxRate]
    removed: list[str]
    next_cursor: str | None = None
    categories: Annotated[list[CatalogCategory], Field(exclude_if=lambda v: not v)] = []
    """First page only, like `tax_rates`: the categories whose colour or position changed
    after `since`. Left out of the JSON while empty (and absent from an older server's
    delta: then none changed)."""


class ItemUpsert(_Request):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    barcodes: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=20)] = []
    unit: Literal["ea", "kg"]
    price: Money
    tax_code: Annotated[str, Field(min_length=1, max_length=16)]
    tax_rate: TaxRateValue
    category: Annotated[str, Field(max_length=100)] = ""
    active: Bool = True
    colour: Colour | None = None
    """The item's own tile colour; none: its category's."""
    effective_from: Time | None = None
    """When the price took effect; default: now. A past time backdates the price lock;
    a time in the future (beyond 5 s of clock skew) is refused: tills would sell it early."""


CategoryName = Annotated[str, Field(min_length=1, max_length=100)]
"""As an item's `category` (free text: it may hold a `/`, so it travels in bodies, not paths)."""


class CategorySet(_Request):
    """`PUT /v1/admin/stores/{store_id}/categories`: one category's colour and position."""

    name: CategoryName
    colour: Colour | None = None
    position: Annotated[Int, Field(ge=0, le=INT32_MAX)] = 0


class CategoryOut(_Response):
    store_id: str
    name: str
    colour: str | None
    position: int
    catalog_version: int


class StockSet(_Request):
    on_hand: Quantity


# ---------------------------------------------------------------------------- terminals


class EnrollRequest(_Request):
    enrollment_code: Annotated[str, Field(min_length=1, max_length=100)]
    terminal_name: Annotated[str, Field(min_length=1, max_length=100)]


class EnrollResponse(_Response):
    terminal_id: str
    store_id: str
    secret: str


DeviceName = Annotated[str, Field(max_length=64)]


class DeviceCounters(_Request):
    """What one device went through since the till started (a restart starts again at 0,
    like any Prometheus counter): each kind of device fills in its own."""

    print_retries: Count = 0  # a receipt printer: times the print queue tried a job again
    drawer_kicks: Count = 0   # a cash drawer: kicks that opened it
    scale_errors: Count = 0   # a scale: malformed or missing replies, the scale gone


class Heartbeat(_Request):
    queue_depth: Count
    oldest_pending_age_s: Annotated[float, Field(ge=0, le=MAX_AGE_S, allow_inf_nan=False)]
    app_version: Annotated[str, Field(max_length=64)]
    devices: Annotated[dict[DeviceName, Annotated[str, Field(max_length=32)]], Field(max_length=50)] = {}
    # Added after the first release, optional: a till that sends none is still a valid beat.
    device_counters: Annotated[dict[DeviceName, DeviceCounters], Field(max_length=50)] = {}
    last_receipt_seq: Count | None = None
    """The last receipt number the till gave out (its counter), so the server can say when
    it holds later ones: a till restored from a backup must not number receipts again."""


class HeartbeatAnswer(_Response):
    """The answer to a beat, only when the till must act (else 204, no body): the server
    holds this till's receipts up to `receipts_issued_up_to`, beyond the till's own
    counter; the till numbers its next receipts after it."""

    receipts_issued_up_to: int


# ---------------------------------------------------------------------------- Z reports


class ZTaxLine(_Request):
    tax_code: Annotated[str, Field(min_length=1, max_length=16)]
    rate: TaxRateValue
    net: SignedMoney
    tax: SignedMoney
    gross: SignedMoney


class ZTenderLine(_Request):
    type: Literal["cash", "card", "voucher", "other"]
    count: Count
    amount: SignedMoney


class ZCardTerminal(_Request):
    """The payment terminal's End-of-Day beside the Z: its card total against the card
    tenders of the drawer session. `terminal_total` is null when the terminal's End-of-Day
    failed (`error` says why); the Z is closed regardless."""

    terminal_total: Money | None = None
    terminal_count: Count | None = None
    till_total: SignedMoney
    difference: SignedMoney | None = None  # terminal_total - till_total
    error: Annotated[str, Field(max_length=200)] | None = None


MAX_ORDERS_PER_Z = 50_000
"""Orders one Z report may name: a very busy till's day, well inside the request size limit."""


class ZDrawer(_Request):
    """The drawer session a Z report closes: float, paid-in/out, the count and over/short."""

    opening_float: Money
    paid_in: Money
    paid_in_count: Count
    paid_out: Money
    paid_out_count: Count
    cash_sales: Money  # cash in from sales, net of change
    cash_refunds: Money
    expected_cash: SignedMoney
    counted_cash: Money
    over_short: SignedMoney  # counted - expected: positive over, negative short

    @model_validator(mode="after")
    def _adds_up(self) -> ZDrawer:
        expected = (self.opening_float + self.cash_sales - self.cash_refunds + self.paid_in - self.paid_out)
        if self.expected_cash != expected:
            raise ValueError("expected_cash must be opening_float + cash_sales - cash_refunds + paid_in - paid_out")
        if self.over_short != self.counted_cash - self.expected_cash:
            raise ValueError("over_short must be counted_cash - expected_cash")
        return self


class ZReport(_Request):
    """End-of-day report of one terminal's drawer session (returns already netted out)."""

    report_id: UUID
    store_id: Id
    terminal_id: Id
    z_number: Annotated[Int, Field(ge=1, le=INT32_MAX)]  # z_reports.z_number
    opened_at: Time
    closed_at: Time
    sales_count: Count
    returns_count: Count
    voids_count: Count
    gross_sales: Money
    returns_total: Money
    net: SignedMoney
    tax: SignedMoney
    gross: SignedMoney
    by_tax_rate: Annotated[list[ZTaxLine], Field(max_length=50)]
    by_tender: Annotated[list[ZTenderLine], Field(max_length=50)]
    card_terminal: ZCardTerminal | None = None  # a till with a payment terminal
    # The drawer and the reconciliation (README "Z reconciliation"). Optional: a till from
    # before them sends none, its reports are stored as before and not reconciled; each is
    # left out of the JSON while unset, so such a report hashes and replays as it did.
    drawer: ZDrawer | None = None
    order_ids: Annotated[list[UUID], Field(max_length=MAX_ORDERS_PER_Z)] | None = None
    """Every order (sales and returns) the report sums up, in receipt order: what the server
    reconciles it against."""

    @model_serializer(mode="wrap")
    def _unset_left_out(self, handler: SerializerFunctionWrapHandler):
        # Fields that came later (a payment terminal, the drawer, the reconciliation): a
        # till without them sends exactly the bytes it did before.
        data = handler(self)
        for name in ("card_terminal", "drawer", "order_ids"):
            if data.get(name, "") is None:
                del data[name]
        return data

    @model_validator(mode="after")
    def _closed_after_opened(self) -> ZReport:
        if self.closed_at < self.opened_at:
            raise ValueError("closed_at is before opened_at")
        if self.order_ids is not None:
            if len(self.order_ids) != self.sales_count + self.returns_count:
                raise ValueError("order_ids must list exactly the report's sales and returns")
            if len(set(self.order_ids)) != len(self.order_ids):
                raise ValueError("order_ids must be unique")
        return self


class ZReportAccepted(_Response):
    report_id: UUID
    z_number: int
    flags: list[str]
    reconciliation: str | None = None
    """`codes.ReconciliationStatus` at the moment the report was stored (None: an older server)."""


class ZDifference(_Response):
    """One figure where a Z report and the orders the server holds for it disagree."""

    figure: str  # e.g. "sales_count", "by_tender.card.amount", "by_tax_rate.A 0.19.gross"
    z_report: str
    server: str


class ZReportOut(_Response):
    """A stored Z report with its reconciliation (admin read)."""

    report_id: UUID
    store_id: str
    terminal_id: str
    z_number: int
    opened_at: Time
    closed_at: Time
    received_at: Time
    flags: list[str]
    reconciliation: str
    orders_expected: int | None
    orders_missing: list[UUID]
    differences: list[ZDifference]
    reconciled_at: Time | None
    report: ZReport


# ---------------------------------------------------------------------------- audit journal

MAX_AUDIT_ENTRIES_PER_REQUEST = 500
MAX_AUDIT_SHIPMENT_BYTES = 1024 * 1024
"""What a till puts in one shipment (entries beyond it go in the next), well under the
server's request limit; one larger entry goes alone."""
MAX_AUDIT_PAYLOAD = 1024 * 1024


class AuditEntry(_Request):
    """One entry of a till's hash-chained journal, as it stands in the till's database.

    `at` and `payload` are the exact strings the till hashed (`journal.entry_hash`)."""

    seq: Annotated[Int, Field(ge=1, le=INT64_MAX)]
    at: Annotated[str, Field(min_length=1, max_length=40)]
    actor: Annotated[str, Field(min_length=1, max_length=64)]
    action: Annotated[str, Field(min_length=1, max_length=64)]
    subject: Annotated[str, Field(max_length=64)] | None = None
    payload: Annotated[str, Field(max_length=MAX_AUDIT_PAYLOAD)]
    prev_hash: Sha256Hex
    hash: Sha256Hex


class AuditEntries(_Request):
    """`POST /v1/audit-entries`: consecutive journal entries, oldest first."""

    entries: Annotated[list[AuditEntry], Field(min_length=1, max_length=MAX_AUDIT_ENTRIES_PER_REQUEST)]

    @model_validator(mode="after")
    def _consecutive(self) -> AuditEntries:
        seqs = [e.seq for e in self.entries]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise ValueError("entries must be consecutive by seq, oldest first")
        return self


class AuditHead(_Response):
    """What the server holds of one terminal's journal (the answer to a shipment, and the
    admin read): the last entry of the unbroken chain, and the break if there is one."""

    terminal_id: str
    head_seq: int
    head_hash: str
    flags: list[str]
    broken_at_seq: int | None = None
    broken_reason: str | None = None
    broken_at: Time | None = None
    updated_at: Time | None = None


# ---------------------------------------------------------------------------- admin

DEFAULT_MAX_BLIND_RETURN_QTY = Decimal("10")


class StoreUpsert(_Request):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    currency_scale: Annotated[Int, Field(ge=0, le=4)] = 2
    tax_mode: TaxMode = TaxMode.INCLUSIVE
    track_stock: Bool = False
    max_blind_return_qty: Quantity = DEFAULT_MAX_BLIND_RETURN_QTY
    """How much of one item a blind return may take back (pieces or kg) before it is held."""
    locale: Annotated[str, Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")] = "en"
    """How the back office writes the store's amounts and dates (e.g. de_DE, en_US)."""


class StoreOut(_Response):
    store_id: str
    name: str
    currency: str
    currency_scale: int
    tax_mode: TaxMode
    track_stock: bool
    max_blind_return_qty: Quantity
    catalog_version: int
    locale: str = "en"


# ---------------------------------------------------------------------------- staff
# The store's one staff list (README "Staff list"): the server keeps it, tills receive it as
# a delta like the catalog, and approvers of overrides are checked against it. PINs never
# travel: only their scrypt hashes (`pos_protocol.pins`).

PinHash = Annotated[str, Field(max_length=200, pattern=PIN_HASH_PATTERN,
                               description="scrypt$n$r$p$salt_b64$hash_b64 (pos_protocol.pins.hash_pin)"),
                    AfterValidator(check_pin_hash)]
UserId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class StoreUserPut(_Request):
    """Create or update a user. `pin_hash` absent: an existing user keeps their PIN (a new
    one cannot sign in on a till until given one). Putting a removed user back restores them."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    pin_hash: PinHash | None = None


class StaffPinSet(_Request):
    pin_hash: PinHash


class StoreUserOut(_Response):
    store_id: str
    user_id: str
    name: str
    role: Role
    has_pin: bool = False
    locked: bool = False
    removed: bool = False
    staff_version: int = 0


class StaffMember(_Response):
    user_id: str
    name: str
    role: Role
    pin_hash: str | None
    locked: bool


class StaffDelta(_Response):
    """The users changed after `since` (removed ones by id) and the list's version now."""

    version: int
    users: list[StaffMember]
    removed: list[str]


class StaffAction(StrEnum):
    PUT = "put"
    REMOVE = "remove"
    SET_PIN = "set_pin"
    UNLOCK = "unlock"


class StaffChange(_Request):
    """A change to the staff list made on a till by `by`, a user holding `users.manage` in
    the server's list. Applying one twice leaves the same list, so it needs no
    Idempotency-Key (a replay only bumps the version)."""

    by: UserId
    action: StaffAction
    user_id: UserId
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    role: Role | None = None
    pin_hash: PinHash | None = None

    @model_validator(mode="after")
    def _fields_of_action(self) -> StaffChange:
        if self.action is StaffAction.PUT and (self.name is None or self.role is None):
            raise ValueError("put needs name and role")
        if self.action is StaffAction.SET_PIN and self.pin_hash is None:
            raise ValueError("set_pin needs pin_hash")
        return self


class EnrollmentCodeOut(_Response):
    code: str
    store_id: str
    expires_at: Time


class TerminalOut(_Response):
    """A terminal as the admin sees it (never its secret)."""

    terminal_id: str
    store_id: str
    name: str
    enrolled_at: Time
    last_heartbeat_at: Time | None
    revoked_at: Time | None


class StockOut(_Response):
    store_id: str
    sku: str
    on_hand: Quantity

