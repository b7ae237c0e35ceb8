"""The store's staff list on the server: admin changes, the tills' delta, changes from a
till, and approvers checked against the list (real app, SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from pos_protocol.pins import hash_pin, verify_pin

from .factories import make_order

pytestmark = pytest.mark.anyio

FAST_N = 2**4
USERS = "/v1/admin/stores/S1/users"


def pin_hash(pin: str) -> str:
    return hash_pin(pin, n=FAST_N)


@pytest.fixture
async def till(shop):
    await shop.add_store("S1")
    await shop.add_item("SKU1", "1.10")
    return await shop.terminal("S1")


async def put_user(shop, user_id: str, role: str, pin: str | None = None, store: str = "S1"):
    body = {"name": user_id.title(), "role": role, **({"pin_hash": pin_hash(pin)} if pin else {})}
    return await shop.admin.put(f"/v1/admin/stores/{store}/users/{user_id}", json=body)


async def staff_delta(till, since: int = 0) -> dict:
    response = await till.http.get(f"/v1/staff?since={since}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_user_added_by_the_office_reaches_the_till_with_the_pin_hash_only(shop, till) -> None:
    created = await put_user(shop, "c9", "cashier", "4321")
    assert created.status_code == 201 and created.json()["has_pin"] is True
    assert "pin_hash" not in created.json()  # the office never reads hashes back
    delta = await staff_delta(till)
    [member] = delta["users"]
    assert member["user_id"] == "c9" and member["role"] == "cashier" and not member["locked"]
    assert verify_pin("4321", member["pin_hash"]) and "4321" not in str(delta)
    again = await staff_delta(till, delta["version"])
    assert again == {"version": delta["version"], "users": [], "removed": []}


async def test_the_delta_names_removed_users_and_changes_only(shop, till) -> None:
    await put_user(shop, "c1", "cashier", "1111")
    await put_user(shop, "m1", "manager", "9999")
    first = await staff_delta(till)
    assert (await shop.admin.delete(f"{USERS}/c1")).status_code == 200
    delta = await staff_delta(till, first["version"])
    assert delta["removed"] == ["c1"] and delta["users"] == [] and delta["version"] > first["version"]
    listed = (await shop.admin.get(USERS)).json()
    assert [u["user_id"] for u in listed] == ["m1"]
    gone = await shop.admin.delete(f"{USERS}/c1")
    assert gone.status_code == 404 and gone.json()["code"] == "user_unknown"


async def test_new_pin_lock_and_unlock(shop, till) -> None:
    await put_user(shop, "c1", "cashier", "1111")
    base = (await staff_delta(till))["version"]
    assert (await shop.admin.post(f"{USERS}/c1/lock")).json()["locked"] is True
    assert (await staff_delta(till, base))["users"][0]["locked"] is True
    new_pin = await shop.admin.put(f"{USERS}/c1/pin", json={"pin_hash": pin_hash("5555")})
    assert new_pin.status_code == 200 and new_pin.json()["locked"] is False  # a new PIN lifts the lock
    member = (await staff_delta(till, base))["users"][0]
    assert verify_pin("5555", member["pin_hash"]) and not verify_pin("1111", member["pin_hash"])
    await shop.admin.post(f"{USERS}/c1/lock")
    assert (await shop.admin.post(f"{USERS}/c1/unlock")).json()["locked"] is False


@pytest.mark.parametrize("body", [
    {"name": "X", "role": "cashier", "pin": "1234"},  # a PIN in plain text is not accepted at all
    {"name": "X", "role": "cashier", "pin_hash": "plain-1234"},
    {"name": "X", "role": "cashier", "pin_hash": "scrypt$3$8$1$c2FsdA==$a2V5"},  # n not a power of two
])
async def test_a_plain_or_malformed_pin_is_refused(shop, till, body) -> None:
    response = await shop.admin.put(f"{USERS}/x1", json=body)
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert (await shop.admin.get(USERS)).json() == []


async def test_a_till_user_with_users_manage_changes_the_list(shop, till) -> None:
    await put_user(shop, "a1", "admin", "8888")
    await put_user(shop, "m1", "manager", "9999")
    add = {"by": "a1", "action": "put", "user_id": "c2", "name": "Carl", "role": "cashier", "pin_hash": pin_hash("2468")}
    response = await till.http.post("/v1/staff/changes", json=add)
    assert response.status_code == 200, response.text
    assert [u["user_id"] for u in (await shop.admin.get(USERS)).json()] == ["a1", "c2", "m1"]
    for action in ({"action": "set_pin", "pin_hash": pin_hash("1357")}, {"action": "unlock"}, {"action": "remove"}):
        response = await till.http.post("/v1/staff/changes", json={"by": "a1", "user_id": "c2", **action})
        assert response.status_code == 200, response.text
    assert [u["user_id"] for u in (await shop.admin.get(USERS)).json()] == ["a1", "m1"]


async def test_a_change_by_a_user_without_users_manage_is_refused(shop, till) -> None:
    await put_user(shop, "m1", "manager", "9999")
    for by in ("m1", "ghost"):
        response = await till.http.post("/v1/staff/changes", json={"by": by, "action": "remove", "user_id": "m1"})
        assert response.status_code == 403 and response.json()["code"] == "not_permitted"
    assert [u["user_id"] for u in (await shop.admin.get(USERS)).json()] == ["m1"]


async def test_a_removed_approver_approves_nothing(shop, till) -> None:
    await put_user(shop, "sup", "supervisor", "2222")
    override = {"approved_by": "sup", "reason": "damaged", "original_price": "1.10"}

    def order():
        return make_order(store_id=till.store_id, terminal_id=till.terminal_id,
                          lines=[("SKU1", "1", "0.50", "0.19")], overrides={1: override})

    assert (await till.post_order(order())).status_code == 201
    await shop.admin.delete(f"{USERS}/sup")
    held = await till.post_order(order())
    assert held.status_code == 202
    assert "not a user of this store" in held.json()["conflicts"][0]["message"]
    await put_user(shop, "sup", "supervisor")  # put back (keeps no PIN: removal wiped it)
    assert (await till.post_order(order())).status_code == 201


async def test_the_staff_endpoints_are_documented(shop) -> None:
    paths = (await shop.admin.get("/openapi.json")).json()["paths"]
    assert {"/v1/staff", "/v1/staff/changes", "/v1/receipts/{receipt_no}", "/v1/admin/stores/{store_id}/users",
            "/v1/admin/stores/{store_id}/users/{user_id}/pin"} <= set(paths)
    assert set(paths["/v1/admin/stores/{store_id}/users/{user_id}"]) == {"put", "delete"}
