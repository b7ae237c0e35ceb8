"""ZVT over RS-232 through the real serial transport on a pty: DLE/STX frames with CRC,
line ACK/NAK, and a damaged frame retransmitted after our NAK."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from devices.payment import PaymentTerminal, PaymentTerminalConfig
from devices.payment.link import SerialApduLink
from devices.payment.zvt import serial_frame
from devices.payment.zvt.apdu import ACK, Apdu, split_frame
from devices.payment.zvt.fields import bcd, bcd_amount, encode_bmp
from devices.simulators.pty import PtyPort
from devices.transports.serial import SerialTransport

APPROVAL = Apdu(0x04, 0x0F, encode_bmp(0x27, b"\x00") + encode_bmp(0x04, bcd_amount(Decimal("4.20")))
                + encode_bmp(0x0B, bcd(7, 3)) + encode_bmp(0x87, bcd(3, 2)))


class SerialTerminal:
    """Just enough of a card terminal on the far end of a pty to approve one payment."""

    def __init__(self, port: PtyPort, damage_first: bool) -> None:
        self.port, self.damage_first = port, damage_first
        self.rx = bytearray()
        self.line_naks = 0
        self.received: list[Apdu] = []

    def _next_frame(self) -> bytes:
        deadline = time.monotonic() + 5
        while True:
            while self.rx[:1] in (b"\x06", b"\x15"):
                self.line_naks += self.rx[:1] == b"\x15"
                del self.rx[:1]
            found = serial_frame.unframe(self.rx) if self.rx else None
            if found is not None:
                data, used = found
                del self.rx[:used]
                self.port.write(serial_frame.LINE_ACK)
                return data
            assert time.monotonic() < deadline, "no frame from the till"
            self.rx += self.port.read(0.1)

    def _line_answer(self) -> bytes:
        deadline = time.monotonic() + 5
        while not self.rx:
            assert time.monotonic() < deadline, "no line answer from the till"
            self.rx += self.port.read(0.1)
        answer = bytes(self.rx[:1])
        del self.rx[:1]
        return answer

    def _send(self, apdu: Apdu, damaged: bool = False) -> None:
        wire = serial_frame.frame(apdu.encode())
        if damaged:
            wire = wire[:-1] + bytes((wire[-1] ^ 0xFF,))
        self.port.write(wire)
        answer = self._line_answer()
        if answer == serial_frame.LINE_NAK:
            self.line_naks += 1
            self._send(apdu)  # the spec: repeat the frame after a NAK

    def _master(self, apdu: Apdu, damaged: bool = False) -> None:
        self._send(apdu, damaged)
        ack, _ = split_frame(self._next_frame())
        assert ack.is_ack

    def run(self) -> None:
        command, _ = split_frame(self._next_frame())
        self.received.append(command)
        self._send(ACK)
        self._master(APPROVAL, damaged=self.damage_first)
        self._master(Apdu(0x06, 0x0F))


def test_a_payment_over_serial_with_a_damaged_frame_repeated(tmp_path) -> None:
    port = PtyPort(tmp_path / "card")
    path = port.plug()
    far_end = SerialTerminal(port, damage_first=True)
    worker = threading.Thread(target=far_end.run, daemon=True)
    worker.start()
    link = SerialApduLink(SerialTransport(path, baudrate=9600, bytesize=8, parity="N", stopbits=2))
    terminal = PaymentTerminal("card", link, config=PaymentTerminalConfig(connect_timeout=2, ack_timeout=2,
                                                                        reply_timeout=5))
    with terminal:
        result = terminal.authorise(Decimal("4.20"))
    worker.join(5)
    assert result.approved and result.status.receipt_no == 3 and result.status.trace_no == 7
    assert far_end.received[0].code == b"\x06\x01" and far_end.line_naks == 1
    port.unplug()
