"""The few ESC/POS byte sequences the driver sends itself (outside python-escpos)."""

from __future__ import annotations

DLE, EOT, ESC, GS = 0x10, 0x04, 0x1B, 0x1D

INIT = b"\x1b@"
PAPER_SENSOR_STATUS = 4


def status_query(n: int) -> bytes:
    """DLE EOT n: real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT n must be 1..4, got {n}")
    return bytes((DLE, EOT, n))


# GS ( H fn=48: "transmit process ID response" once all data before it is printed.
# Reply: 0x37 0x22 d1 d2 d3 d4 0x00. Unlike DLE EOT (answered on receipt), this
# proves the printer got *through* the job, so it is our print confirmation.
PROCESS_ID_REPLY_HEADER = b"\x37\x22"
PROCESS_ID_REPLY_LEN = 7


def process_id_request(token: bytes) -> bytes:
    _check_token(token)
    return b"\x1d(H\x06\x00\x30\x30" + token


def process_id_reply(token: bytes) -> bytes:
    _check_token(token)
    return PROCESS_ID_REPLY_HEADER + token + b"\x00"


def _check_token(token: bytes) -> None:
    if len(token) != 4 or any(not 0x20 <= b <= 0x7E for b in token):
        raise ValueError(f"process id must be 4 printable ASCII bytes, got {token!r}")


# DLE DC4 1 m t: real-time pulse on pin 2 (m=0) or 5 (m=1), on/off t*100 ms. Acted on at
# once, even while the printer is out of paper (ESC p would wait in the buffer).
def realtime_pulse(pin: int, on_ms: int = 100) -> bytes:
    if pin not in (2, 5):
        raise ValueError(f"drawer kick pin must be 2 or 5, got {pin}")
    return bytes((0x10, 0x14, 1, 0 if pin == 2 else 1, max(1, min(8, on_ms // 100))))


# ESC p m t1 t2: pulse drawer kick-out connector pin 2 (m=0) or pin 5 (m=1);
# on-time t1*2 ms, off-time t2*2 ms.
def drawer_kick(pin: int, on_ms: int = 100, off_ms: int = 100) -> bytes:
    if pin not in (2, 5):
        raise ValueError(f"drawer kick pin must be 2 or 5, got {pin}")
    t1, t2 = max(1, min(255, on_ms // 2)), max(1, min(255, off_ms // 2))
    return bytes((ESC, ord("p"), 0 if pin == 2 else 1, t1, t2))
