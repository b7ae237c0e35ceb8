"""The `pos-sync-server` commands against a real database (in-process `main()`)."""

from __future__ import annotations


import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pos_terminal.config import RESOURCES
from sync_server.cli import main
from sync_server.db.models import Base


pytestmark = pytest.mark.anyio
DEMO_CATALOG = RESOURCES / "demo_catalog.csv"


def run(capsys, db_url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db_url, *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


async def test_shop_setup_from_the_command_line(capsys, db_url, shop) -> None:
    assert run(capsys, db_url, "migrate")[0] == 0
    assert run(capsys, db_url, "store", "add", "S1", "--name", "Corner shop", "--track-stock")[:2] == (0, "store S1 created")
    code, out, _ = run(capsys, db_url, "catalog", "import", str(DEMO_CATALOG), "--store", "S1")
    assert code == 0 and out.splitlines()[0] == "imported 334 items into S1 as catalog version 1"
    code, enrollment_code, _ = run(capsys, db_url, "enroll-code", "--store", "S1")
    assert code == 0 and len(enrollment_code) == 14
    response = await shop.admin.post("/v1/terminals/enroll", json={"enrollment_code": enrollment_code, "terminal_name": "t"})
    assert response.status_code == 201
    terminal_id = response.json()["terminal_id"]
    assert run(capsys, db_url, "user", "add", "m1", "--store", "S1", "--name", "Mia", "--role", "manager")[0] == 0
    code, listed, _ = run(capsys, db_url, "terminal", "list", "--store", "S1")
    [row] = [line.split("\t") for line in listed.splitlines()[1:]]
    assert code == 0 and row[:2] == [terminal_id, "t"] and row[3:] == ["-", "-"]  # never heard from
    assert run(capsys, db_url, "terminal", "revoke", terminal_id)[0] == 0
    assert run(capsys, db_url, "terminal", "list", "--store", "S1")[1].splitlines()[1].split("\t")[4] != "-"
    from pos_terminal.sync.auth import TerminalAuth

    till = shop.client(TerminalAuth(terminal_id, response.json()["secret"]))
    refused = await till.get("/v1/catalog")
    assert refused.status_code == 403 and refused.json()["code"] == "terminal_revoked"


async def test_catalog_import_is_all_or_nothing_with_line_numbers(capsys, db_url, tmp_path, shop) -> None:
    run(capsys, db_url, "store", "add", "S1", "--name", "Shop")
    bad = tmp_path / "bad.csv"
    bad.write_text(DEMO_CATALOG.read_text().splitlines()[0] + "\nA1,Apple,,ea,1.20,A,0.07,Fruit,true\nA2,Pear,,ea,1.2x,A,0.07,Fruit,true\n")
    code, _, err = run(capsys, db_url, "catalog", "import", str(bad), "--store", "S1")
    assert code == 1 and "line 3" in err and "price" in err
    till = await shop.terminal("S1")
    assert (await till.http.get("/v1/catalog")).json()["items"] == []


def test_unknown_store_is_a_clear_error(capsys, db_url) -> None:
    code, _, err = run(capsys, db_url, "enroll-code", "--store", "NOPE")
    assert code == 1 and "NOPE" in err


def test_migrations_match_the_models(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []




async def test_staff_from_the_command_line_take_pin_hashes_only(capsys, db_url, shop) -> None:
    from pos_protocol.pins import hash_pin, verify_pin

    run(capsys, db_url, "store", "add", "S1", "--name", "Shop")
    pin_hash = hash_pin("2468", n=2**4)
    code, out, _ = run(capsys, db_url, "user", "add", "c4", "--store", "S1", "--name", "Cleo", "--role", "cashier",
                       "--pin-hash", pin_hash)
    assert code == 0 and out.startswith("user c4 (cashier) in store S1")
    with pytest.raises(SystemExit, match="pin_hash"):
        main(["--db", db_url, "user", "add", "c5", "--store", "S1", "--name", "X", "--role", "cashier",
              "--pin-hash", "2468"])  # a PIN where its hash belongs: refused, not stored
    till = await shop.terminal("S1")
    [member] = (await till.http.get("/v1/staff")).json()["users"]
    assert member["user_id"] == "c4" and verify_pin("2468", member["pin_hash"])
    assert run(capsys, db_url, "user", "remove", "c4", "--store", "S1")[0] == 0
    assert (await till.http.get("/v1/staff")).json()["removed"] == ["c4"]
