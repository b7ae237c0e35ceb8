"""The protocol's vocabulary: every code a till and the server exchange, defined once.

Values are the strings on the wire (PROTOCOL.md and the README's additions); members are
`StrEnum`s, so they compare, hash and serialise as those strings. Models that receive
them (`wire.Problem.code`, `wire.Conflict.code`, `wire.ZReportAccepted.flags`) keep plain
`str` fields on purpose: an older till must read a newer server's new codes.

HTTP statuses are not here: the server's `api/errors.py` maps each `ErrorCode` to one.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The `code` of an RFC 9457 problem: what a client switches on."""

    # The request itself
    VALIDATION_FAILED = "validation_failed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    BAD_REQUEST = "bad_request"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    FORBIDDEN = "forbidden"

    # Idempotency-Key
    IDEMPOTENCY_KEY_MISSING = "idempotency_key_missing"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    REQUEST_IN_PROGRESS = "request_in_progress"

    # Who is calling: terminal signatures, enrollment, admin and metrics tokens
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    TERMINAL_REVOKED = "terminal_revoked"
    STORE_MISMATCH = "store_mismatch"
    ENROLLMENT_CODE_INVALID = "enrollment_code_invalid"
    UNAUTHORIZED = "unauthorized"
    ADMIN_DISABLED = "admin_disabled"
    METRICS_DISABLED = "metrics_disabled"
    RATE_LIMITED = "rate_limited"

    # Orders, resolutions, Z reports
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_NOT_HELD = "order_not_held"
    ORDER_ID_TAKEN = "order_id_taken"
    RESOLUTION_INCOMPLETE = "resolution_incomplete"
    NOT_PERMITTED = "not_permitted"
    Z_NUMBER_REUSED = "z_number_reused"
    AUDIT_GAP = "audit_gap"
    """Audit entries that do not follow the server's head yet (earlier ones still to come): retry."""

    # Admin lookups
    STORE_UNKNOWN = "store_unknown"
    ITEM_UNKNOWN = "item_unknown"
    STOCK_UNKNOWN = "stock_unknown"
    TERMINAL_UNKNOWN = "terminal_unknown"
    USER_UNKNOWN = "user_unknown"
    RECEIPT_NOT_FOUND = "receipt_not_found"

    # The server itself
    DATABASE_UNAVAILABLE = "database_unavailable"
    NOT_READY = "not_ready"
    INTERNAL_ERROR = "internal_error"


class ConflictCode(StrEnum):
    """Why the server held an order (`Conflict.code`); a manager resolves each one."""

    PRICE_CHANGED = "PRICE_CHANGED"
    TAX_CHANGED = "TAX_CHANGED"
    ITEM_UNKNOWN = "ITEM_UNKNOWN"
    ITEM_INACTIVE = "ITEM_INACTIVE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    DUPLICATE_CONTENT = "DUPLICATE_CONTENT"
    RECEIPT_NO_REUSED = "RECEIPT_NO_REUSED"
    ORIGINAL_ORDER_UNKNOWN = "ORIGINAL_ORDER_UNKNOWN"
    RETURN_EXCEEDS_SALE = "RETURN_EXCEEDS_SALE"
    CLOCK_IMPLAUSIBLE = "CLOCK_IMPLAUSIBLE"
    """created_at is ahead of the server's clock or before the terminal was enrolled (README)."""
    BLIND_RETURN_NOT_APPROVED = "BLIND_RETURN_NOT_APPROVED"
    BLIND_RETURN_EXCEEDS_LIMIT = "BLIND_RETURN_EXCEEDS_LIMIT"


class OrderStatus(StrEnum):
    """An order as the server stores it (`status` of its answers and of `GET /v1/orders/{id}`)."""

    ACCEPTED = "accepted"
    HELD = "held"
    RESOLVED = "resolved"


class ZReportFlag(StrEnum):
    """What the server noticed about a stored Z report (`ZReportAccepted.flags`)."""

    Z_SEQUENCE_GAP = "Z_SEQUENCE_GAP"
    """The report's `z_number` skips ahead of the terminal's last one."""
    Z_MISMATCH = "Z_MISMATCH"
    """The orders the server holds for the report's drawer session do not add up to it
    (e.g. some are still in the till's outbox); re-checked as later orders arrive."""


class ReconciliationStatus(StrEnum):
    """How a stored Z report compares with the orders the server holds for it."""

    RECONCILED = "reconciled"  # every order it names is here and the figures agree
    MISMATCHED = "mismatched"  # flagged Z_MISMATCH until they do
    UNCHECKED = "unchecked"  # a till from before reconciliation: the report names no orders


class AuditFlag(StrEnum):
    """What the server noticed about a terminal's shipped audit journal."""

    AUDIT_CHAIN_BROKEN = "AUDIT_CHAIN_BROKEN"
    """An entry does not extend the chain the server holds: the till's journal was cut
    (and written on) or rewritten."""
