"""Barcode scanner simulator on a pty: scans arrive as the bytes a serial scanner sends.

    python -m devices.simulators.scanner [--prefix P] [--suffix '\\r'] [--no-aim] [--link PATH]

prints the pty path on its first line, then takes commands on stdin:

    scan CODE [SYMBOLOGY]   send prefix + AIM id + CODE + suffix; SYMBOLOGY is an AIM id
                            (E0, C1, Q1...) or a name (EAN13, EAN8, CODE128, GS1_128, QR);
                            default: EAN13/EAN8 for 13/8 digits, else CODE128
    raw TEXT                send TEXT as is (backslash escapes allowed), e.g. a broken frame
    unplug | plug           close the pty / open a new one
    quit
"""

from __future__ import annotations

import argparse
import codecs

from devices.config import default_link
from devices.simulators.pty import PtyPort, run_program

AIM_IDS = {
    "EAN13": "E0", "EAN8": "E4", "UPCE": "E0", "CODE128": "C0", "GS1_128": "C1", "QR": "Q1",
    "DATAMATRIX": "d1", "CODE39": "A0", "ITF": "I0", "PDF417": "L0", "AZTEC": "z0",
}


def aim_for(code: str, symbology: str | None) -> str:
    if symbology is None:
        if code.isdigit() and len(code) in (13, 8):
            return "E0" if len(code) == 13 else "E4"
        return "C0"
    if symbology.upper() in AIM_IDS:
        return AIM_IDS[symbology.upper()]
    aim = symbology.lstrip("]")
    if len(aim) != 2:
        raise ValueError(f"symbology must be an AIM id like E0 or a name in {sorted(AIM_IDS)}")
    return aim


class ScannerSimulator:
    def __init__(self, *, prefix: str = "", suffix: str = "\r", aim: bool = True, link: str | None = None) -> None:
        self.prefix, self.suffix, self.aim = prefix, suffix, aim
        self.port = PtyPort(link)

    @property
    def path(self) -> str:
        return self.port.path

    def start(self) -> str:
        return self.port.plug()

    def stop(self) -> None:
        self.port.unplug()

    def __enter__(self) -> ScannerSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def frame(self, code: str, symbology: str | None = None) -> bytes:
        aim = "]" + aim_for(code, symbology) if self.aim else ""
        return (self.prefix + aim + code + self.suffix).encode("utf-8")

    def scan(self, code: str, symbology: str | None = None) -> bytes:
        data = self.frame(code, symbology)
        self.port.write(data)
        return data

    def raw(self, data: bytes) -> None:
        self.port.write(data)

    def handle(self, line: str) -> str:
        word, _, arg = line.partition(" ")
        if word == "scan":
            parts = arg.split()
            if not 1 <= len(parts) <= 2:
                raise ValueError("usage: scan CODE [SYMBOLOGY]")
            return f"ok sent {self.scan(*parts)!r}"
        if word == "raw":
            self.raw(codecs.decode(arg, "unicode_escape").encode("latin-1"))
            return "ok"
        if word == "unplug":
            self.port.unplug()
            return "ok"
        if word == "plug":
            return f"ok {self.port.plug()}"
        raise ValueError(f"unknown command {word!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devices.simulators.scanner", description=__doc__.split("\n")[0])
    parser.add_argument("--prefix", default="")
    parser.add_argument("--suffix", default="\\r", help="backslash escapes allowed (default \\r)")
    parser.add_argument("--no-aim", action="store_true", help="send codes without AIM identifiers")
    parser.add_argument("--link", default=str(default_link("scanner")),
                        help="symlink kept pointing at the current pty (config path = \"auto\" reads it)")
    args = parser.parse_args(argv)
    sim = ScannerSimulator(prefix=codecs.decode(args.prefix, "unicode_escape"),
                           suffix=codecs.decode(args.suffix, "unicode_escape"),
                           aim=not args.no_aim, link=args.link or None)
    return run_program(sim.start, sim.handle, sim.stop)


if __name__ == "__main__":
    raise SystemExit(main())
