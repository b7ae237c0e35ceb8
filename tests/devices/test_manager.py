"""Device manager: configuration, hot-plug offline/online with the real pty simulators, backoff."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from devices.config import ConfigError, DevicesConfig, load_config, resolve_path
from devices.events import DataEvent, EventBus, EventRecorder, PowerEvent, PowerState, ScanData
from devices.hotplug import DeviceIdentity, HotplugMonitor
from devices.manager import DeviceManager
from devices.scales import Scale
from devices.simulators.scanner import ScannerSimulator

FAST = {"backoff_initial": 0.05, "backoff_max": 0.2, "health_interval": 0.1}


class ScaleProgram:
    """`python -m devices.simulators.scale` as a subprocess, controlled through stdin."""

    def __init__(self, link: Path, protocol: str = "8217") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devices.simulators.scale", "--protocol", protocol, "--link", str(link)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.path = self.proc.stdout.readline().strip()

    def command(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()


def power_events(recorder: EventRecorder, name: str) -> list[PowerState]:
    return [e.state for e in recorder.snapshot() if isinstance(e, PowerEvent) and e.device == name]


def wait_power(recorder: EventRecorder, name: str, state: PowerState, after: int = 0) -> None:
    # generous: on a loaded 2-core CI box a simulator process takes seconds to start
    recorder.wait_for(lambda _: PowerEvent(name, state) in recorder.events[after:], timeout=30)


@pytest.fixture
def scale_config(tmp_path: Path) -> DevicesConfig:
    return DevicesConfig.model_validate({
        "manager": FAST,
        "devices": {"scale": {"kind": "scale", "protocol": "8217", "path": str(tmp_path / "scale"),
                              "reply_timeout": 0.3, "poll_interval": 0.02}},
    })


@pytest.fixture
def manager(scale_config: DevicesConfig, tmp_path: Path) -> Iterator[tuple[DeviceManager, EventRecorder]]:
    bus = EventBus()
    recorder = EventRecorder(bus)
    mgr = DeviceManager(scale_config, bus, hotplug=HotplugMonitor(interval=0.05), state_dir=tmp_path / "state")
    yield mgr, recorder
    mgr.stop()


def test_scale_unplug_and_replug_through_a_stable_symlink(manager, tmp_path: Path) -> None:
    mgr, recorder = manager
    first = ScaleProgram(tmp_path / "scale")
    try:
        mgr.start()
        wait_power(recorder, "scale", PowerState.ONLINE)
        first.command("weight 1.111")
        scale = mgr.get("scale")
        assert isinstance(scale, Scale) and scale.read_stable_weight(timeout=3) == Decimal("1.111")
        mark = len(recorder.snapshot())
    finally:
        first.kill()  # the pty closes with the process: unplugged
    wait_power(recorder, "scale", PowerState.OFFLINE, after=mark)

    mark = len(recorder.snapshot())  # before the replug: the manager may see it at once
    second = ScaleProgram(tmp_path / "scale")  # a new pty; the link is re-pointed to it
    try:
        # (the kernel may hand out the same /dev/pts number again; the weight proves it is the new one)
        second.command("weight 2.222")
        wait_power(recorder, "scale", PowerState.ONLINE, after=mark)
        assert mgr.get("scale").read_stable_weight(timeout=3) == Decimal("2.222")
    finally:
        second.kill()
    states = power_events(recorder, "scale")
    assert states[states.index(PowerState.ONLINE):][:3] == [PowerState.ONLINE, PowerState.OFFLINE, PowerState.ONLINE]


def test_device_absent_at_start_comes_online_when_plugged(manager, tmp_path: Path) -> None:
    mgr, recorder = manager
    mgr.start()
    wait_power(recorder, "scale", PowerState.OFFLINE)
    program = ScaleProgram(tmp_path / "scale")
    try:
        wait_power(recorder, "scale", PowerState.ONLINE)
    finally:
        program.kill()


def test_scanner_replug_in_process(tmp_path: Path) -> None:
    config = DevicesConfig.model_validate({
        "manager": FAST, "devices": {"scanner": {"kind": "scanner", "path": str(tmp_path / "scanner")}}})
    bus = EventBus()
    recorder = EventRecorder(bus)
    with ScannerSimulator(link=str(tmp_path / "scanner")) as sim, \
            DeviceManager(config, bus, hotplug=HotplugMonitor(interval=0.05), state_dir=tmp_path) as mgr:
        wait_power(recorder, "scanner", PowerState.ONLINE)
        sim.port.unplug()
        wait_power(recorder, "scanner", PowerState.OFFLINE)
        mark = len(recorder.snapshot())
        sim.port.plug()
        wait_power(recorder, "scanner", PowerState.ONLINE, after=mark)
        sim.scan("4006381333931")
        event = recorder.wait_for(lambda e: isinstance(e, DataEvent), timeout=5)
        assert event.payload == ScanData("4006381333931", "EAN13")
        assert mgr.health()["scanner"].ok


def test_identity_needs_a_port_or_serial_number() -> None:
    with pytest.raises(ValueError, match="VID:PID alone"):
        DeviceIdentity()


def test_default_config_describes_the_simulators() -> None:
    config = load_config()
    assert {"receipt", "drawer", "scale", "scanner"} <= set(config.devices)
    assert config.devices["receipt"].port == 9100


def test_auto_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POS_DEVICES_RUNTIME_DIR", str(tmp_path))
    assert resolve_path("scale", "auto") == str(tmp_path / "scale")
    monkeypatch.setenv("POS_DEVICE_SCALE_PATH", "/dev/ttyUSB3")
    assert resolve_path("scale", "/dev/ttyS0") == "/dev/ttyUSB3"


@pytest.mark.parametrize(
    ("text", "message"),
    [("[devices.s]\nkind = 'scale'\nprotocol = 'toledo'\n", "protocol"),
     ("[devices.d]\nkind = 'drawer'\nprinter = 'nope'\n", "not a configured printer"),
     ("[devices.x]\nkind = 'toaster'\n", "kind"),
     ("[devices\n", "not valid TOML")],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
