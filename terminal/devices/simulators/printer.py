"""An ESC/POS receipt printer simulator on TCP (port 9100 style).

It parses what it receives into a readable text rendering (`devices.escpos.paper`),
answers DLE EOT 1-4 from its state, answers GS ( H after the data before it is
"printed", and counts drawer kicks. Like a real printer, data received while
it cannot print (paper out, cover open, offline) waits in its buffer and prints
on recovery; "unplugging" closes every socket and loses that buffer.

In-process (tests):
    sim = PrinterSimulator(columns=48); sim.start(); ...; sim.set_state(paper="out")
As a program (a subprocess, or `pos-devices simulate printer`):
    python -m devices.simulators.printer --port 9100 [--control-port 9101] [--transcript FILE]
The control port takes one text command per line and answers one JSON line:
    status | paper ok|near_end|out | cover open|closed | offline on|off |
    silent on|off | unplug | plug | drawer close | receipts | rendering | quit
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from devices.escpos.commands import process_id_reply
from devices.escpos.paper import Paper
from devices.escpos.parser import Command, EscPosParser
from devices.escpos.status import PrinterStatus
from devices.simulators.tcp import TcpDeviceSimulator, close_socket

PAPER_STATES = ("ok", "near_end", "out")


class PrinterSimulator(TcpDeviceSimulator):
    thread_name = "sim-printer"

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, columns: int = 48, transcript: TextIO | None = None
    ) -> None:
        super().__init__(host, port)
        self.paper = Paper(columns)
        self.transcript = transcript
        self.paper_state = "ok"
        self.cover_open = False
        self.offline = False
        self.silent = False  # accepts data, never answers (the python-escpos blind spot)
        self.process_id_supported = True  # False: a clone that ignores GS ( H
        self.drawer_open = False
        self.drawer_kicks = 0
        self.bytes_received = 0
        self.torn: list[str] = []  # receipts cut short by an unplug
        self._pending: deque[tuple[socket.socket, Command]] = deque()
        self._trigger: tuple[int, str] | None = None  # (bytes left, "unplug" | "paper_out" | "silent")
        self._drop_after_kick = False
        self._printed_lines = 0

    # -- lifecycle (TcpDeviceSimulator) ----------------------------------------------------
    def _on_unplug(self) -> None:
        """Unprinted data is lost; a receipt half printed is torn off."""
        self._pending.clear()
        if self.paper.torn:
            self.torn.append(self.paper.torn)
        self.paper = _fresh_paper(self.paper)

    # -- state --------------------------------------------------------------
    def set_state(
        self, paper: str | None = None, cover_open: bool | None = None,
        offline: bool | None = None, silent: bool | None = None,
    ) -> None:
        with self._cond:
            if paper is not None:
                if paper not in PAPER_STATES:
                    raise ValueError(f"paper must be one of {PAPER_STATES}, got {paper!r}")
                self.paper_state = paper
            if cover_open is not None:
                self.cover_open = cover_open
            if offline is not None:
                self.offline = offline
            if silent is not None:
                self.silent = silent
            self._run_pending()
            self._cond.notify_all()

    def close_drawer(self) -> None:
        with self._cond:
            self.drawer_open = False
            self._cond.notify_all()

    def unplug_after(self, nbytes: int) -> None:
        """Unplug once `nbytes` more bytes have arrived (to cut a job in half)."""
        self._arm(nbytes, "unplug")

    def paper_out_after(self, nbytes: int) -> None:
        """Run out of paper once `nbytes` more bytes have arrived (mid-job)."""
        self._arm(nbytes, "paper_out")

    def silent_after(self, nbytes: int) -> None:
        """Stop answering once `nbytes` more bytes have arrived (a wedged printer)."""
        self._arm(nbytes, "silent")

    def _arm(self, nbytes: int, action: str) -> None:
        with self._cond:
            self._trigger = (nbytes, action)

    def drop_connection_after_kick(self) -> None:
        """Close the connection right after the next drawer kick (its confirmation is lost)."""
        with self._cond:
            self._drop_after_kick = True

    @property
    def can_print(self) -> bool:
        return self.paper_state != "out" and not self.cover_open and not self.offline

    def status(self) -> PrinterStatus:
        return PrinterStatus(
            drawer_pin3_high=self.drawer_open,
            offline=not self.can_print,
            cover_open=self.cover_open,
            paper_end_stop=self.paper_state == "out",
            paper_near_end=self.paper_state != "ok",
            paper_empty=self.paper_state == "out",
        )

    @property
    def receipts(self) -> list[str]:
        with self._cond:
            return list(self.paper.receipts)

    @property
    def rendering(self) -> str:
        with self._cond:
            return "\n".join(self.paper.lines)

    def wait_until(self, predicate: Callable[[PrinterSimulator], bool], timeout: float) -> None:
        """Block until `predicate(self)` holds (checked on every change); TimeoutError after `timeout`."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout):
                raise TimeoutError(f"simulator condition not met within {timeout}s")

    def describe(self) -> dict[str, object]:
        with self._cond:
            return {
                "port": self.port, "plugged": self.plugged, "paper": self.paper_state,
                "cover_open": self.cover_open, "offline": self.offline, "silent": self.silent,
                "drawer_open": self.drawer_open, "drawer_kicks": self.drawer_kicks,
                "receipts": len(self.paper.receipts), "torn": len(self.torn),
                "bytes_received": self.bytes_received,
            }

    # -- connection handling -----------------------------------------------------
    def _serve(self, conn: socket.socket) -> None:
        parser = EscPosParser()
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            with self._cond:
                if conn not in self._conns:
                    break
                head, tail, action = self._split(chunk)
                unplug = action == "unplug"
                for part in (head, b"" if unplug else tail):
                    self.bytes_received += len(part)
                    for cmd in parser.feed(part):
                        self._receive(conn, cmd)
                    self._run_pending()
                    if action == "paper_out":
                        self.paper_state, action = "out", None
                    elif action == "silent":
                        self.silent, action = True, None
                self._cond.notify_all()
            if unplug:
                self.unplug()
                break
        with self._cond:
            self._conns.discard(conn)
        close_socket(conn)

    def _split(self, chunk: bytes) -> tuple[bytes, bytes, str | None]:
        """Split `chunk` where an armed trigger fires: (before, after, action or None)."""
        if self._trigger is None:
            return chunk, b"", None
        left, action = self._trigger
        if len(chunk) < left:
            self._trigger = (left - len(chunk), action)
            return chunk, b"", None
        self._trigger = None
        return chunk[:left], chunk[left:], action

    def _receive(self, conn: socket.socket, cmd: Command) -> None:
        if cmd.name == "status_query":  # real-time: answered at once, even when offline
            n = cmd.args[0]
            if not self.silent and 1 <= n <= 4:
                _send(conn, self.status().encode()[n - 1 : n])
        elif cmd.name == "realtime_request":
            if cmd.args[:1] == b"\x01" and not self.silent:  # DLE DC4 1 m t: pulse now, even in error
                self._kick_drawer(conn, f"[drawer pulse pin {5 if cmd.args[1] else 2}]")
        else:
            self._pending.append((conn, cmd))

    def _run_pending(self) -> None:
        while self._pending and self.can_print:
            conn, cmd = self._pending.popleft()
            if cmd.name == "process_id":
                if not self.silent and self.process_id_supported:
                    _send(conn, process_id_reply(cmd.data[2:6]))
                continue
            if cmd.name == "drawer_kick":
                self._kick_drawer(conn, None)
            self.paper.apply(cmd)
        self._flush_transcript()

    def _kick_drawer(self, conn: socket.socket, note: str | None) -> None:
        self.drawer_kicks += 1
        self.drawer_open = True
        if note is not None:
            self.paper.lines.append(note)
        if self._drop_after_kick:
            self._drop_after_kick = False
            self._conns.discard(conn)
            close_socket(conn)

    def _flush_transcript(self) -> None:
        if self.transcript is None:
            return
        new = self.paper.lines[self._printed_lines :]
        self._printed_lines = len(self.paper.lines)
        if new:
            self.transcript.write("\n".join(new) + "\n")
            self.transcript.flush()


def _fresh_paper(old: Paper) -> Paper:
    """After a power cycle: print settings reset, the paper already printed stays."""
    paper = Paper(old.columns)
    paper.lines, paper.receipts = old.lines, old.receipts
    return paper


def _send(conn: socket.socket, data: bytes) -> None:
    try:
        conn.sendall(data)
    except OSError:
        pass  # the driver went away; it will ask again


# -- program mode: control channel ------------------------------------------------
def handle_command(sim: PrinterSimulator, line: str) -> tuple[object, bool]:
    """Run one control command; return (JSON-able answer, quit?)."""
    words = line.split()
    if not words:
        return {"error": "empty command"}, False
    cmd, arg = words[0].lower(), (words[1].lower() if len(words) > 1 else "")
    flags = {"on": True, "off": False, "open": True, "closed": False}
    try:
        if cmd == "paper":
            sim.set_state(paper=arg)
        elif cmd == "cover" and arg in flags:
            sim.set_state(cover_open=flags[arg])
        elif cmd == "offline" and arg in flags:
            sim.set_state(offline=flags[arg])
        elif cmd == "silent" and arg in flags:
            sim.set_state(silent=flags[arg])
        elif cmd == "unplug":
            sim.unplug()
        elif cmd == "plug":
            sim.plug()
        elif cmd == "drawer" and arg == "close":
            sim.close_drawer()
        elif cmd == "receipts":
            return {"receipts": sim.receipts, "torn": list(sim.torn)}, False
        elif cmd == "rendering":
            return {"rendering": sim.rendering}, False
        elif cmd == "quit":
            return {"ok": True}, True
        elif cmd != "status":
            return {"error": f"unknown command: {line.strip()!r}"}, False
    except (ValueError, OSError) as exc:
        return {"error": str(exc)}, False
    return sim.describe(), False


def serve_control(sim: PrinterSimulator, srv: socket.socket, done: threading.Event) -> None:
    while not done.is_set():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as f:
            for line in f:
                answer, quit_ = handle_command(sim, line)
                f.write(json.dumps(answer) + "\n")
                f.flush()
                if quit_:
                    done.set()
                    return


class SimulatorControl:
    """Client for the control port of a simulator running as a program."""

    def __init__(self, host: str, port: int, timeout: float = 5.0) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._file = self._sock.makefile("rw", encoding="utf-8", newline="\n")

    def send(self, command: str) -> dict:
        self._file.write(command + "\n")
        self._file.flush()
        line = self._file.readline()
        if not line:
            raise ConnectionError("simulator control channel closed")
        return json.loads(line)

    def close(self) -> None:
        self._file.close()
        self._sock.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="printer-simulator", description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9100, help="printer port (0: pick a free one)")
    ap.add_argument("--control-port", type=int, default=0, help="control port (0: pick a free one)")
    ap.add_argument("--columns", type=int, default=48, choices=(32, 48), help="32 for 58 mm, 48 for 80 mm")
    ap.add_argument("--transcript", type=Path, help="append the text rendering here (default: stdout)")
    args = ap.parse_args(argv)

    out = args.transcript.open("a", encoding="utf-8") if args.transcript else sys.stdout
    sim = PrinterSimulator(args.host, args.port, args.columns, transcript=out)
    sim.start()
    ctl = socket.create_server((args.host, args.control_port))
    # one machine-readable line so a parent process can find both ports
    print(f"printer simulator listening on {args.host}:{sim.port} control {args.host}:{ctl.getsockname()[1]}",
          file=sys.stderr, flush=True)
    done = threading.Event()
    try:
        serve_control(sim, ctl, done)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.close()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
