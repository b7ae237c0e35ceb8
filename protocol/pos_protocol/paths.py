"""The API's paths, defined once: the server's routes are declared with these templates
and the till's client and outbox entries are written with them.

A constant is a route template as FastAPI reads it (`{order_id}` a path parameter); the
functions fill one in for a client, each value percent-encoded as one path segment.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

V1 = "/v1"

# Terminals (signed requests, except enrollment)
ORDERS = f"{V1}/orders"
ORDERS_BATCH = f"{V1}/orders:batch"
ORDER = f"{V1}/orders/{{order_id}}"
ORDER_RESOLUTION = f"{V1}/orders/{{order_id}}/resolution"
Z_REPORTS = f"{V1}/z-reports"
AUDIT_ENTRIES = f"{V1}/audit-entries"
CATALOG = f"{V1}/catalog"
STAFF = f"{V1}/staff"
STAFF_CHANGES = f"{V1}/staff/changes"
RECEIPT = f"{V1}/receipts/{{receipt_no}}"
TERMINALS_ENROLL = f"{V1}/terminals/enroll"
TERMINALS_HEARTBEAT = f"{V1}/terminals/heartbeat"

# Admin (Authorization: Bearer <admin token>)
ADMIN = f"{V1}/admin"
ADMIN_STORE = f"{ADMIN}/stores/{{store_id}}"
ADMIN_ITEM = f"{ADMIN_STORE}/items/{{sku}}"
ADMIN_STOCK = f"{ADMIN_STORE}/stock/{{sku}}"
# GET the categories, PUT one's colour and position: by name in the body (a category name
# is free text and may hold a `/`, which no path segment can carry through every proxy).
ADMIN_CATEGORIES = f"{ADMIN_STORE}/categories"
ADMIN_USERS = f"{ADMIN_STORE}/users"
ADMIN_USER = f"{ADMIN_STORE}/users/{{user_id}}"
ADMIN_USER_PIN = f"{ADMIN_USER}/pin"
ADMIN_USER_UNLOCK = f"{ADMIN_USER}/unlock"
ADMIN_USER_LOCK = f"{ADMIN_USER}/lock"
ADMIN_ENROLLMENT_CODES = f"{ADMIN_STORE}/enrollment-codes"
ADMIN_STORE_TERMINALS = f"{ADMIN_STORE}/terminals"
ADMIN_TERMINAL_REVOKE = f"{ADMIN}/terminals/{{terminal_id}}/revoke"
# What the back office shows, as JSON (GET)
ADMIN_STORES = f"{ADMIN}/stores"
ADMIN_TERMINAL_STATUS = f"{ADMIN_STORE}/terminal-status"
ADMIN_HELD_ORDERS = f"{ADMIN_STORE}/held-orders"
ADMIN_STORE_Z_REPORTS = f"{ADMIN_STORE}/z-reports"
ADMIN_STORE_ORDERS = f"{ADMIN_STORE}/orders"
ADMIN_ITEMS = f"{ADMIN_STORE}/items"
ADMIN_STORE_AUDIT_HEADS = f"{ADMIN_STORE}/audit-heads"
ADMIN_STORE_AUDIT_ENTRIES = f"{ADMIN_STORE}/audit-entries"

# Operations (outside /v1)
HEALTHZ = "/healthz"
READYZ = "/readyz"
METRICS = "/metrics"


def fill(template: str, **params: object) -> str:
    """`template` with each `{name}` replaced by its value as one percent-encoded segment."""
    return template.format(**{name: quote(str(value), safe="") for name, value in params.items()})


def order(order_id: object) -> str:
    """`GET /v1/orders/{order_id}`."""
    return fill(ORDER, order_id=order_id)


def receipt(receipt_no: object) -> str:
    """`GET /v1/receipts/{receipt_no}`: a sale of the caller's store by its receipt number."""
    return fill(RECEIPT, receipt_no=receipt_no)


def order_resolution(order_id: object) -> str:
    """Where a manager's decisions about a held order go (`order_id_of_resolution` reverses it)."""
    return fill(ORDER_RESOLUTION, order_id=order_id)


_RESOLUTION_HEAD, _RESOLUTION_TAIL = ORDER_RESOLUTION.split("{order_id}")


def order_id_of_resolution(path: str) -> str:
    """`/v1/orders/{id}/resolution` -> id."""
    head, tail = _RESOLUTION_HEAD, _RESOLUTION_TAIL
    segment = path[len(head):-len(tail)]
    if not (path.startswith(head) and path.endswith(tail) and segment) or "/" in segment:
        raise ValueError(f"not a resolution path: {path!r}")
    return unquote(segment)
