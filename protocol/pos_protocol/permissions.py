"""Roles and permissions. Shared by the terminal's service layer and the sync server.

The service layer checks these on every use case (never only the UI); the server checks
`price.override` and `conflict.resolve` on the `approved_by` user of an order.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    PRICE_OVERRIDE = "price.override"
    DISCOUNT_ABOVE_LIMIT = "discount.above_limit"
    LINE_VOID = "line.void"
    ORDER_VOID = "order.void"
    REFUND = "refund"
    BLIND_RETURN = "return.blind"
    DRAWER_NO_SALE = "drawer.no_sale"
    CONFLICT_RESOLVE = "conflict.resolve"
    X_REPORT_RUN = "x_report.run"
    Z_REPORT_RUN = "z_report.run"
    USERS_MANAGE = "users.manage"
    CATALOG_EDIT = "catalog.edit"
    """Change an item's price in the back office (a new catalog version for every till)."""
    QUICK_KEYS_ARRANGE = "quick_keys.arrange"  # the till's quick-key layout (till only)


class Role(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


_SUPERVISOR = frozenset(
    {
        Permission.PRICE_OVERRIDE,
        Permission.DISCOUNT_ABOVE_LIMIT,
        Permission.LINE_VOID,
        Permission.ORDER_VOID,
        Permission.REFUND,
        Permission.DRAWER_NO_SALE,
        Permission.X_REPORT_RUN,
    }
)
_MANAGER = _SUPERVISOR | {
    Permission.BLIND_RETURN,
    Permission.CONFLICT_RESOLVE,
    Permission.Z_REPORT_RUN,
    Permission.CATALOG_EDIT,
    Permission.QUICK_KEYS_ARRANGE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # A cashier voids lines on the open ticket before payment; everything else needs approval.
    Role.CASHIER: frozenset({Permission.LINE_VOID}),
    Role.SUPERVISOR: _SUPERVISOR,
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_MANAGER | {Permission.USERS_MANAGE}),
}


class PermissionDenied(Exception):
    """The acting user lacks a permission; the use case did nothing."""

    def __init__(self, user_id: str, permission: Permission) -> None:
        super().__init__(f"user {user_id} lacks permission {permission.value}")
        self.user_id = user_id
        self.permission = permission


def has_permission(role: Role | str, permission: Permission | str) -> bool:
    return Permission(permission) in ROLE_PERMISSIONS[Role(role)]
