"""`pos_protocol.paths` is the one definition of the API's paths: the server serves exactly
those templates, and the till's filled-in paths are what PROTOCOL.md writes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from pos_protocol import paths
from sync_server.api.main import create_app
from sync_server.core.config import Settings

PREFIXES = {"V1", "ADMIN"}  # parts of paths, not routes


def declared() -> set[str]:
    return {value for name, value in vars(paths).items()
            if name.isupper() and not name.startswith("_") and name not in PREFIXES and isinstance(value, str)}


def test_the_server_serves_exactly_the_declared_paths() -> None:
    app = create_app(Settings(db_url="sqlite://"), engine=create_engine("sqlite://"))
    served = set(app.openapi()["paths"])  # every route is in the document
    assert served == declared()


def test_the_public_paths() -> None:
    # Literals on purpose: other clients call these.
    assert {paths.ORDERS, paths.ORDERS_BATCH, paths.ORDER, paths.ORDER_RESOLUTION, paths.Z_REPORTS,
            paths.AUDIT_ENTRIES, paths.CATALOG, paths.TERMINALS_ENROLL, paths.TERMINALS_HEARTBEAT, paths.HEALTHZ,
            paths.READYZ, paths.METRICS, paths.ADMIN_STORE_Z_REPORTS, paths.ADMIN_STORE_AUDIT_HEADS} == {
        "/v1/orders", "/v1/orders:batch", "/v1/orders/{order_id}", "/v1/orders/{order_id}/resolution",
        "/v1/z-reports", "/v1/audit-entries", "/v1/catalog", "/v1/terminals/enroll", "/v1/terminals/heartbeat",
        "/healthz", "/readyz", "/metrics", "/v1/admin/stores/{store_id}/z-reports",
        "/v1/admin/stores/{store_id}/audit-heads"}


def test_filled_paths_encode_each_value_as_one_segment() -> None:
    assert paths.order("8e03-b1") == "/v1/orders/8e03-b1"
    assert paths.order_resolution("a/b c") == "/v1/orders/a%2Fb%20c/resolution"
    assert paths.fill(paths.ADMIN_ITEM, store_id="S1", sku="A?1") == "/v1/admin/stores/S1/items/A%3F1"


@pytest.mark.parametrize("order_id", ["8e03b1", "a/b c", "ü"])
def test_a_resolution_path_gives_back_its_order_id(order_id: str) -> None:
    assert paths.order_id_of_resolution(paths.order_resolution(order_id)) == order_id


@pytest.mark.parametrize("path", ["/v1/orders/x", "/v1/orders/resolution", "/v1/orders//resolution",
                                  "/v1/orders/a/b/resolution", "/v2/orders/a/resolution", ""])
def test_other_paths_are_not_resolutions(path: str) -> None:
    with pytest.raises(ValueError):
        paths.order_id_of_resolution(path)
