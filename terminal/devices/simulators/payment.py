"""A ZVT card terminal simulator on TCP (port 20007 style), speaking the real byte protocol.

It keeps a journal like a terminal does (receipt and trace numbers, the batch since the
last End-of-Day) and follows a script for the next payments, so tests can make it
approve, decline, wait for a PIN, time out, or drop the link mid-transaction.

In-process (tests):
    sim = ZvtSimulator().start(); sim.script("pin"); ...; sim.release()
As a program (`pos-devices simulate payment`):
    python -m devices.simulators.payment --port 20007 [--control-port 20008]
The control port takes one text command per line and answers one JSON line:
    next BEHAVIOUR [CODE]   how the next payment goes (queued; default approve):
        approve | decline [result code, default 05] | pin (waits for `release`) |
        wait-card (waits for `release` or the till's abort) | timeout (06 1E 6C) |
        silent (ACK, then nothing) | drop-after-approval (approves, closes the link
        before telling the till) | drop-before-completion (approves, sends the
        Status-Information, closes before Completion) | malformed (approves, sends a
        damaged Status-Information) | nak (refuses the command)
    release | status | journal | unplug | plug | quit
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from decimal import Decimal

from devices.payment.zvt import commands
from devices.payment.zvt.apdu import ACK, Apdu, FrameError, nak, split_frame
from devices.payment.zvt.fields import amount_from_bcd, bcd, bcd_amount, decode_bcd, encode_bmp, parse_bmps
from devices.payment.zvt.messages import SCHEMES
from devices.simulators.printer import SimulatorControl
from devices.simulators.tcp import TcpDeviceSimulator, close_socket

__all__ = ["BEHAVIOURS", "SimulatorControl", "ZvtSimulator", "main"]

BEHAVIOURS = ("approve", "decline", "pin", "wait-card", "timeout", "silent", "drop-after-approval",
              "drop-before-completion", "malformed", "nak")
ACK_WAIT = 5.0  # T3 for the till's acknowledgements
CARD_WAIT = 30.0  # how long "wait-card" and "pin" wait before the terminal gives up (6C)


@dataclass
class JournalEntry:
    kind: str  # "payment", "refund", "reversal"
    amount: str
    result: int  # 00 approved
    receipt_no: int
    trace_no: int
    auth_code: str
    pan: str
    reversed: bool = False
    reverses: int | None = None  # receipt number a reversal cancelled

    @property
    def approved(self) -> bool:
        return self.result == 0


class _LinkDropped(Exception):
    pass


class ZvtSimulator(TcpDeviceSimulator):
    thread_name = "zvt-sim"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, terminal_id: str = "52500001",
                 card_wait: float = CARD_WAIT) -> None:
        super().__init__(host, port)
        self.terminal_id, self.card_wait = terminal_id, card_wait
        self.journal: list[JournalEntry] = []
        self.batch_start = 0  # index into the journal of the first entry since End-of-Day
        self.receipt_no = 0
        self.trace_no = 0
        self.registered = False
        self.commands_seen: list[str] = []
        self._script: deque[tuple[str, int]] = deque()
        self._release = threading.Event()

    # -- test controls ----------------------------------------------------------------
    def script(self, behaviour: str, code: int = 0x05) -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}; choose {', '.join(BEHAVIOURS)}")
        with self._cond:
            self._script.append((behaviour, code))

    def release(self) -> None:
        """The customer entered the PIN / presented the card."""
        self._release.set()

    def approved_payments(self) -> list[JournalEntry]:
        return [e for e in self.journal if e.kind == "payment" and e.approved]

    def describe(self) -> dict[str, object]:
        with self._cond:
            return {"plugged": self.plugged, "port": self.port, "registered": self.registered,
                    "receipt_no": self.receipt_no, "script": [b for b, _ in self._script],
                    "journal": [asdict(e) for e in self.journal], "commands": list(self.commands_seen)}

    # -- serving ------------------------------------------------------------------------
    def _serve(self, conn: socket.socket) -> None:
        session = _Session(conn)
        try:
            while True:
                apdu = session.receive(None)
                if apdu.is_ack or apdu.is_nak:
                    continue
                self.commands_seen.append(apdu.code.hex())
                self._dispatch(session, apdu)
        except (_LinkDropped, OSError, FrameError):
            pass
        finally:
            with self._cond:
                self._conns.discard(conn)
            close_socket(conn)

    def _dispatch(self, s: _Session, apdu: Apdu) -> None:
        code = (apdu.cls, apdu.instr)
        handlers = {
            commands.REGISTRATION: self._registration,
            commands.AUTHORISATION: self._authorisation,
            commands.REFUND: self._refund,
            commands.REVERSAL: self._reversal,
            commands.END_OF_DAY: self._end_of_day,
            commands.REPEAT_RECEIPT: self._repeat_receipt,
            commands.STATUS_ENQUIRY: self._status_enquiry,
            commands.LOG_OFF: self._log_off,
        }
        handler = handlers.get(code)
        if handler is None:
            s.send(nak(0x83))  # function not possible
            return
        handler(s, apdu.data)

    def _registration(self, s: _Session, data: bytes) -> None:
        if len(data) < 4 or not data[:3].hex().isdigit():  # password, config byte
            s.send(nak(0x83))
            return
        s.send(ACK)
        self.registered = True
        s.master(Apdu(0x06, 0x0F, encode_bmp(0x19, b"\x00") + encode_bmp(0x29, bcd(self.terminal_id, 4))
                      + encode_bmp(0x49, bcd(978, 2))))

    def _log_off(self, s: _Session, data: bytes) -> None:
        s.send(ACK)
        self.registered = False
        s.master(Apdu(0x06, 0x0F))

    def _status_enquiry(self, s: _Session, data: bytes) -> None:
        s.send(ACK)
        s.master(Apdu(0x06, 0x0F, encode_bmp(0x27, b"\x00") + encode_bmp(0x29, bcd(self.terminal_id, 4))))

    def _next_behaviour(self) -> tuple[str, int]:
        with self._cond:
            return self._script.popleft() if self._script else ("approve", 0)

    def _authorisation(self, s: _Session, data: bytes) -> None:
        behaviour, code = self._next_behaviour()
        if behaviour == "nak":
            s.send(nak(0x83))
            return
        amount = _amount_of(data)
        s.send(ACK)
        if behaviour == "silent":
            return
        s.master(_intermediate(0x0A))  # insert or tap card
        if behaviour == "timeout":
            s.master(_abort(0x6C))
            return
        if behaviour in ("pin", "wait-card"):
            if behaviour == "pin":
                s.master(_intermediate(0x01, 30))  # customer: watch the PIN pad
            if not s.wait_for_release(self._release, self.card_wait):
                s.master(_abort(0x6C))  # the till's abort, or nobody came
                return
        s.master(_intermediate(0x04))  # waiting for the card issuer
        if behaviour == "decline":
            entry = self._book("payment", amount, code)
            s.master(self._status_info(entry))
            s.master(_abort(code))
            return
        entry = self._book("payment", amount, 0)
        if behaviour == "drop-after-approval":
            raise _LinkDropped
        info = self._status_info(entry)
        if behaviour == "malformed":
            info = Apdu(0x04, 0x0F, info.data[:-3] + b"\x22\xF9")  # a PAN that announces 9 bytes, has 0
        s.master(info)
        if behaviour == "drop-before-completion":
            raise _LinkDropped
        self._print_receipts(s, entry)
        s.master(Apdu(0x06, 0x0F))

    def _refund(self, s: _Session, data: bytes) -> None:
        s.send(ACK)
        entry = self._book("refund", _amount_of(data[3:]), 0)
        s.master(_intermediate(0x0A))
        s.master(self._status_info(entry))
        self._print_receipts(s, entry)
        s.master(Apdu(0x06, 0x0F))

    def _reversal(self, s: _Session, data: bytes) -> None:
        s.send(ACK)
        fields = {b.tag: b.value for b in parse_bmps(data[3:])}
        wanted = decode_bcd(fields[0x87]) if 0x87 in fields else None
        with self._cond:
            batch = self.journal[self.batch_start:]
            original = next((e for e in batch if e.receipt_no == wanted and e.kind == "payment" and e.approved), None)
        if original is None or original.reversed:
            result = 0xB4 if original is not None else 0xB5  # already reversed / not possible
            s.master(Apdu(0x04, 0x0F, encode_bmp(0x27, bytes((result,)))))
            s.master(_abort(result))
            return
        original.reversed = True
        entry = self._book("reversal", Decimal(original.amount), 0, reverses=original.receipt_no)
        s.master(self._status_info(entry))
        self._print_receipts(s, entry)
        s.master(Apdu(0x06, 0x0F))

    def _end_of_day(self, s: _Session, data: bytes) -> None:
        s.send(ACK)
        with self._cond:
            batch = [e for e in self.journal[self.batch_start:] if e.approved]
            self.batch_start = len(self.journal)
            self.trace_no += 1
            trace = self.trace_no
        # the batch's turnover: payments less refunds; reversed payments and reversals cancel out
        paid = [e for e in batch if e.kind == "payment" and not e.reversed]
        refunds = [e for e in batch if e.kind == "refund"]
        total = sum((Decimal(e.amount) for e in paid), Decimal(0)) - sum((Decimal(e.amount) for e in refunds), Decimal(0))
        first = batch[0].receipt_no if batch else 0
        last = batch[-1].receipt_no if batch else 0
        totals = bcd(first, 2) + bcd(last, 2)
        for scheme in SCHEMES:  # the simulator's cards are all girocard
            count, amount = (len(paid), max(total, Decimal(0))) if scheme == "girocard" else (0, Decimal(0))
            totals += bytes((count,)) + (bcd_amount(amount) if amount else bcd(0, 6))
        body = (encode_bmp(0x27, b"\x00") + encode_bmp(0x04, bcd_amount(total) if total > 0 else bcd(0, 6))
                + encode_bmp(0x0B, bcd(trace, 3)) + encode_bmp(0x60, totals))
        s.master(Apdu(0x04, 0x0F, body))
        s.master(Apdu(0x06, 0xD1, b"\x00" + f"END OF DAY  {len(paid)} payments".encode("cp437")))
        s.master(Apdu(0x06, 0xD1, b"\xFF" + f"TOTAL EUR {total:.2f}".encode("cp437")))
        s.master(Apdu(0x06, 0x0F))

    def _repeat_receipt(self, s: _Session, data: bytes) -> None:
        s.send(ACK)
        with self._cond:
            last = self.journal[-1] if self.journal else None
        if last is None:
            s.master(Apdu(0x04, 0x0F, encode_bmp(0x27, bytes((0x83,)))))
            s.master(_abort(0x83))
            return
        s.master(self._status_info(last))
        self._print_receipts(s, last)
        if last.approved:
            s.master(Apdu(0x06, 0x0F))
        else:
            s.master(_abort(last.result))

    # -- the terminal's side of a transaction ----------------------------------------
    def _book(self, kind: str, amount: Decimal, result: int, reverses: int | None = None) -> JournalEntry:
        with self._cond:
            self.receipt_no = self.receipt_no % 9999 + 1
            self.trace_no = self.trace_no % 999999 + 1
            entry = JournalEntry(kind, f"{amount:.2f}", result, self.receipt_no, self.trace_no,
                                 f"{self.trace_no:06d}" if result == 0 else "", "6799EEEEEEEE1234",
                                 reverses=reverses)
            self.journal.append(entry)
            return entry

    def _status_info(self, e: JournalEntry) -> Apdu:
        now = time.localtime()
        body = (encode_bmp(0x27, bytes((e.result,))) + encode_bmp(0x04, bcd_amount(Decimal(e.amount)))
                + encode_bmp(0x0B, bcd(e.trace_no, 3)) + encode_bmp(0x0C, bcd(time.strftime("%H%M%S", now), 3))
                + encode_bmp(0x0D, bcd(time.strftime("%m%d", now), 2)) + encode_bmp(0x87, bcd(e.receipt_no, 2))
                + encode_bmp(0x29, bcd(self.terminal_id, 4)) + encode_bmp(0x8A, b"\x05")
                + encode_bmp(0x8B, b"girocard\x00"))
        if e.auth_code:
            body += encode_bmp(0x3B, e.auth_code.encode().ljust(8, b"\x00"))
        body += encode_bmp(0x22, bytes.fromhex(e.pan))
        return Apdu(0x04, 0x0F, body)

    def _print_receipts(self, s: _Session, e: JournalEntry) -> None:
        title = {"payment": "PAYMENT", "refund": "REFUND", "reversal": "REVERSAL"}[e.kind]
        for copy in ("MERCHANT COPY", "CUSTOMER COPY"):
            lines = [copy, f"girocard {title}", f"Terminal {self.terminal_id}", f"Receipt {e.receipt_no:04d}"
                     f"  Trace {e.trace_no:06d}", "Card ************1234", f"EUR {e.amount}",
                     "APPROVED" if e.approved else "DECLINED"]
            for i, line in enumerate(lines):
                attribute = 0xFF if i == len(lines) - 1 else 0x00
                s.master(Apdu(0x06, 0xD1, bytes((attribute,)) + line.encode("cp437")))


def _amount_of(data: bytes) -> Decimal:
    fields = {b.tag: b.value for b in parse_bmps(data)}
    return amount_from_bcd(fields[0x04]) if 0x04 in fields else Decimal("0.00")


def _intermediate(code: int, timeout: int | None = None) -> Apdu:
    return Apdu(0x04, 0xFF, bytes((code,)) + (bytes((timeout,)) if timeout else b""))


def _abort(code: int) -> Apdu:
    return Apdu(0x06, 0x1E, bytes((code,)))


class _Session:
    """The terminal's end of one TCP connection."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.rx = bytearray()

    def send(self, apdu: Apdu) -> None:
        self.conn.sendall(apdu.encode())

    def receive(self, timeout: float | None) -> Apdu:
        while True:
            found = split_frame(self.rx)
            if found is not None:
                apdu, used = found
                del self.rx[:used]
                return apdu
            self.conn.settimeout(timeout)
            chunk = self.conn.recv(4096)
            if not chunk:
                raise _LinkDropped
            self.rx += chunk

    def master(self, apdu: Apdu) -> None:
        """Send as master and wait for the till's ACK (a NAK: send once more, like T3 retries)."""
        for _attempt in range(3):
            self.send(apdu)
            answer = self._answer()
            if answer.is_ack:
                return
        raise _LinkDropped

    def _answer(self) -> Apdu:
        deadline = time.monotonic() + ACK_WAIT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _LinkDropped
            try:
                apdu = self.receive(left)
            except TimeoutError:
                raise _LinkDropped from None
            if apdu.is_ack or apdu.is_nak:
                return apdu
            if apdu.code == bytes(commands.ABORT):
                self.send(ACK)  # a late abort: too late now, the payment goes on

    def wait_for_release(self, release: threading.Event, timeout: float) -> bool:
        """Wait for the card/PIN; False if the till sent Abort (06 B0) or time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if release.is_set():
                release.clear()
                return True
            try:
                apdu = self.receive(0.05)
            except TimeoutError:
                continue
            if apdu.code == bytes(commands.ABORT):
                self.send(ACK)
                return False
        return False


# -- program mode: control channel ------------------------------------------------------
def handle_command(sim: ZvtSimulator, line: str) -> tuple[object, bool]:
    words = line.split()
    if not words:
        return {"error": "empty command"}, False
    cmd = words[0].lower()
    try:
        if cmd == "next" and len(words) >= 2:
            sim.script(words[1].lower(), int(words[2], 16) if len(words) > 2 else 0x05)
        elif cmd == "release":
            sim.release()
        elif cmd == "unplug":
            sim.unplug()
        elif cmd == "plug":
            sim.plug()
        elif cmd == "quit":
            return {"ok": True}, True
        elif cmd not in ("status", "journal"):
            return {"error": f"unknown command: {line.strip()!r}"}, False
    except (ValueError, OSError) as exc:
        return {"error": str(exc)}, False
    return sim.describe(), False


def serve_control(sim: ZvtSimulator, srv: socket.socket, done: threading.Event) -> None:
    while not done.is_set():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        threading.Thread(target=_control_session, args=(sim, conn, done, srv), daemon=True).start()


def _control_session(sim: ZvtSimulator, conn: socket.socket, done: threading.Event, srv: socket.socket) -> None:
    with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as f:
        for line in f:
            answer, quit_ = handle_command(sim, line)
            f.write(json.dumps(answer) + "\n")
            f.flush()
            if quit_:
                done.set()
                close_socket(srv)
                return


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="payment-simulator", description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=20007, help="ZVT port (0: pick a free one)")
    ap.add_argument("--control-port", type=int, default=0, help="control port (0: pick a free one)")
    ap.add_argument("--terminal-id", default="52500001")
    ap.add_argument("--card-wait", type=float, default=CARD_WAIT, help="seconds pin/wait-card wait for `release`")
    args = ap.parse_args(argv)
    sim = ZvtSimulator(args.host, args.port, args.terminal_id, card_wait=args.card_wait).start()
    ctl = socket.create_server((args.host, args.control_port))
    print(f"payment simulator listening on {args.host}:{sim.port} control {args.host}:{ctl.getsockname()[1]}",
          file=sys.stderr, flush=True)
    done = threading.Event()
    try:
        serve_control(sim, ctl, done)
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        close_socket(ctl)
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
