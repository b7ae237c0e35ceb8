"""Issue 12 item 5: the heartbeat carries each device's real status and its counters, and
the real server exports them on /metrics.

The real app composition (`start_terminal`: services, device manager, print queue,
sync) of an enrolled till, against the ESC/POS printer simulator on TCP (with its cash
drawer) and the 8217 scale simulator on a pty, syncing with `pos-sync-server serve`
under uvicorn. Paper runs out (status and print retries), a cash sale opens the drawer
(a kick), the scale answers garbage (a scale error); /metrics shows each.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx  # noqa: E402
import pytest  # noqa: E402

from devices.simulators.printer import PrinterSimulator  # noqa: E402
from devices.simulators.scale import ScaleSimulator  # noqa: E402
from pos_terminal.app import Terminal, start_terminal  # noqa: E402
from pos_terminal.core.sale import TenderType  # noqa: E402
from pos_terminal.keys import KeyringStore  # noqa: E402
from pos_terminal.services import TenderInput  # noqa: E402
from pos_terminal.sync.enrollment import enrolled_config  # noqa: E402
from tests.pos_terminal.sync.conftest import memory_keyring  # noqa: E402,F401 - a fixture
from tests.pos_terminal.sync.harness import (  # noqa: E402
    ADMIN_TOKEN, UvicornServer, enrolled_till, enrollment_code, prepare_server_db, till_config,
)
from tests.waiting import wait_until  # noqa: E402

pytestmark = pytest.mark.slow
WAIT = 30.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[UvicornServer]:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    prepare_server_db(db_url)
    with UvicornServer(db_url, log_path=tmp_path / "server.log") as srv:
        yield srv


@pytest.fixture
def printer() -> Iterator[PrinterSimulator]:
    sim = PrinterSimulator(port=0).start()
    yield sim
    sim.stop()


@pytest.fixture
def scale() -> Iterator[ScaleSimulator]:
    sim = ScaleSimulator("8217")
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def terminal(qtbot, tmp_path: Path, server: UvicornServer, printer: PrinterSimulator,  # type: ignore[no-untyped-def]
             scale: ScaleSimulator, memory_keyring) -> Iterator[Terminal]:
    data = tmp_path / "till"
    enrolled_till(data, server.url, enrollment_code(server.db_url), KeyringStore(memory_keyring)).close()
    devices = tmp_path / "devices.toml"
    devices.write_text(f"""
[manager]
backoff_initial = 0.1
backoff_max = 0.5
health_interval = 0.3

[devices.receipt]
kind = "printer"
transport = "tcp"
host = "127.0.0.1"
port = {printer.port}

[devices.drawer]
kind = "drawer"
printer = "receipt"

[devices.scale]
kind = "scale"
protocol = "8217"
path = "{scale.path}"
""")
    config = enrolled_config(till_config(data, server.url)).replace(devices_config=devices,
                                                                     heartbeat_interval_s=0.3)
    term = start_terminal(config)
    qtbot.addWidget(term.window)
    yield term
    term.close()


def metrics(server: UvicornServer) -> str:
    reply = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.text


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            return float(match.group(2))
    return None


def test_device_status_and_counters_reach_the_servers_metrics(
        terminal: Terminal, server: UvicornServer, printer: PrinterSimulator, scale: ScaleSimulator) -> None:
    tid = terminal.services.config.terminal_id

    def shows(name: str, at_least: float = 1, **labels: str) -> bool:
        value = sample(metrics(server), name, terminal_id=tid, **labels)
        return value is not None and value >= at_least

    wait_until(lambda: shows("pos_sync_terminal_device_status", device="receipt", status="online")
               and shows("pos_sync_terminal_device_status", device="scale", status="online"), WAIT,
               "the printer and the scale online in /metrics")
    text = metrics(server)
    for device, counter in (("receipt", "print_retries"), ("drawer", "drawer_kicks"), ("scale", "scale_errors")):
        assert sample(text, f"pos_sync_terminal_{counter}_total", terminal_id=tid, device=device) == 0

    printer.set_state(paper="out")
    wait_until(lambda: shows("pos_sync_terminal_device_status", device="receipt", status="paper_empty"), WAIT,
               "paper out in /metrics")
    till = terminal.services.till
    till.sign_in("c1", "1111")
    till.add_sku("SKU00001", Decimal(1))
    till.pay([TenderInput(TenderType.CASH, Decimal(50))])  # a receipt that waits, a drawer that opens
    wait_until(lambda: shows("pos_sync_terminal_print_retries_total", device="receipt")
               and shows("pos_sync_terminal_drawer_kicks_total", device="drawer"), WAIT,
               "a print retry and a drawer kick in /metrics")
    printer.set_state(paper="ok")
    printer.wait_until(lambda s: len(s.receipts) == 1, timeout=WAIT)

    scale.inject("malformed")  # the next request, a health check's or a weighing's, gets garbage
    wait_until(lambda: shows("pos_sync_terminal_scale_errors_total", device="scale"), WAIT,
               "a scale error in /metrics")
    assert sample(metrics(server), "pos_sync_terminal_drawer_kicks_total", terminal_id=tid, device="drawer") == 1
    assert printer.drawer_kicks == 1
