"""Scale simulator on a pty speaking 8217, SCP-01 or MT-SICS: the same bytes a real scale sends.

    python -m devices.simulators.scale --protocol 8217 [--link PATH]

prints the pty path on its first line, then takes commands on stdin, one per
line, answering "ok ..." or "error: ...":

    weight 1.234      put 1.234 kg on the platter
    motion on|off     platter moving (no stable weight)
    overload on|off   over capacity
    underzero on|off  under zero
    malformed         answer the next request with a malformed frame
    truncate          answer the next request with half a frame
    silent N          ignore the next N requests
    unplug | plug     close the pty (the driver sees the device vanish) / open a new one
    state             print the current state
    quit

In tests use `ScaleSimulator` directly (same code, no subprocess).
"""

from __future__ import annotations

import argparse
import threading
from decimal import Decimal, InvalidOperation

from devices.config import default_link
from devices.scales import PROTOCOLS, ScaleProtocol, ScaleState, protocol_named
from devices.simulators.pty import PtyPort, run_program


class ScaleSimulator:
    def __init__(self, protocol: str | ScaleProtocol, link: str | None = None) -> None:
        self.protocol = protocol_named(protocol) if isinstance(protocol, str) else protocol
        self.state = ScaleState()
        self.port = PtyPort(link)
        self.requests = 0  # commands answered (or deliberately ignored), for tests
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        return self.port.path

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> str:
        path = self.port.plug()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"scale-sim-{path}")
        self._thread.start()
        return path

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self.port.unplug()

    def unplug(self) -> None:
        self.port.unplug()

    def plug(self) -> str:
        return self.port.plug()

    def __enter__(self) -> ScaleSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state ------------------------------------------------------------------------
    def set(self, *, weight: Decimal | str | None = None, motion: bool | None = None,
            overload: bool | None = None, under_zero: bool | None = None) -> None:
        with self._lock:
            if weight is not None:
                self.state.weight = Decimal(weight).quantize(Decimal("0.001"))
            if motion is not None:
                self.state.motion = motion
            if overload is not None:
                self.state.overload = overload
            if under_zero is not None:
                self.state.under_zero = under_zero

    def inject(self, fault: str, count: int = 1) -> None:
        """Queue `malformed`, `truncate` or `silent` for the next `count` requests."""
        if fault not in ("malformed", "truncate", "silent"):
            raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.extend([fault] * count)

    # -- serving ------------------------------------------------------------------------
    def _serve(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            buf += self.port.read(0.05)
            while (command := self.protocol.take_command(buf)) is not None:
                self.port.write(self._answer(command))

    def _answer(self, command: bytes) -> bytes:
        with self._lock:
            self.requests += 1
            fault = self._faults.pop(0) if self._faults else None
            if fault == "malformed":
                return self.protocol.malformed_reply()
            if fault == "truncate":
                return self.protocol.truncated_reply(self.state)
            if fault == "silent":
                return b""
            return self.protocol.reply(command, self.state)

    # -- control channel (text commands) ------------------------------------------
    def handle(self, line: str) -> str:
        word, _, arg = line.partition(" ")
        arg = arg.strip()
        if word == "weight":
            try:
                self.set(weight=Decimal(arg))
            except InvalidOperation:
                raise ValueError(f"not a weight: {arg!r}") from None
        elif word in ("motion", "overload", "underzero"):
            if arg not in ("on", "off"):
                raise ValueError(f"{word} takes on|off")
            self.set(**{{"underzero": "under_zero"}.get(word, word): arg == "on"})
        elif word in ("malformed", "truncate"):
            self.inject(word)
        elif word == "silent":
            self.inject("silent", int(arg or "1"))
        elif word == "unplug":
            self.unplug()
        elif word == "plug":
            return f"ok {self.plug()}"
        elif word != "state":
            raise ValueError(f"unknown command {word!r}")
        s = self.state
        return (f"ok weight={s.weight} tare={s.tare} motion={s.motion} overload={s.overload} "
                f"underzero={s.under_zero} plugged={self.port.plugged}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devices.simulators.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), default="8217")
    parser.add_argument("--weight", default="0.000", help="initial weight in kg")
    parser.add_argument("--link", default=str(default_link("scale")),
                        help="symlink kept pointing at the current pty (config path = \"auto\" reads it)")
    args = parser.parse_args(argv)
    sim = ScaleSimulator(args.protocol, link=args.link or None)
    sim.set(weight=args.weight)
    return run_program(sim.start, sim.handle, sim.stop)


if __name__ == "__main__":
    raise SystemExit(main())
