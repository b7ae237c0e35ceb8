"""Keyboard wedge: tell a barcode scanner's key burst from a person typing.

A wedge scanner "types" its code into whatever has focus. The UI hands every
key it sees, with a timestamp, to `WedgeDecoder.feed`; the decoder answers with
what the keys were:

- `Scanned(text)`: a scan, without its suffix (with its prefix, which
  `devices.scanner.decode_scan` checks and strips).
- `Typed(text)`: anything else, handed back so no keystroke of the cashier
  is lost.

The rule is the framing first, timing only as a fallback:

- With a prefix (the scanner set to send e.g. STX before each code), a scan is
  exactly prefix ... suffix, at any speed: nobody types the prefix, so typing
  is never held back and never mistaken for a scan, however fast. A prefix not
  followed by the suffix within `frame_timeout` is released as typing.
- Without one, a scan is a burst of keys, each within `max_gap` of the
  previous one, at least `min_length` long and ended by the suffix (Enter).
  Scanners send a key every few milliseconds; nobody types 30 ms per key for
  long. Keys are held only while they could still be a scan; call `flush(now)`
  from a UI timer so a held key appears once the burst is over.

Pure logic, no Qt: timestamps are seconds (any monotonic clock).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scanned:
    text: str  # the burst without its suffix


@dataclass(frozen=True)
class Typed:
    text: str


WedgeOutput = Scanned | Typed


class WedgeDecoder:
    def __init__(self, *, max_gap: float = 0.030, min_length: int = 3, suffix: str = "\r",
                 prefix: str = "", frame_timeout: float = 0.5) -> None:
        if not suffix:
            raise ValueError("a keyboard wedge needs a suffix (usually Enter) to end a scan")
        self.max_gap = max_gap
        self.min_length = min_length
        self.suffix = "\r" if suffix in ("\n", "\r\n") else suffix  # Enter arrives as one key
        self.prefix = prefix
        self.frame_timeout = frame_timeout
        self._held: list[str] = []
        self._last: float | None = None

    @property
    def framed(self) -> bool:
        """True when scans are told by their prefix, not by timing."""
        return bool(self.prefix)

    def feed(self, key: str, timestamp: float) -> list[WedgeOutput]:
        """One key (a character; Enter as "\\r") at `timestamp`; returns what is decided now."""
        key = "\r" if key in ("\n", "\r\n") else key
        if self.framed:
            return _merge(self._feed_framed(key, timestamp))
        out: list[WedgeOutput] = []
        if self._held and self._last is not None and timestamp - self._last > self.max_gap:
            out += self._release()  # the burst broke off: it was typing
        self._last = timestamp
        if key == self.suffix:
            if len(self._held) >= self.min_length:
                out.append(Scanned("".join(self._held)))
                self._held.clear()
            else:
                out += self._release()
                out.append(Typed(key))
            return _merge(out)
        self._held.append(key)
        return _merge(out)

    def _feed_framed(self, key: str, timestamp: float) -> list[WedgeOutput]:
        out: list[WedgeOutput] = []
        if self._held and self._last is not None and timestamp - self._last > self.frame_timeout:
            out += self._release()  # a prefix that no scan followed
        self._last = timestamp
        matched = len(self._held)
        if matched < len(self.prefix):  # still reading the prefix
            if key == self.prefix[matched]:
                self._held.append(key)
                return out
            out += self._release()
            if key == self.prefix[0]:
                self._held.append(key)
            else:
                out.append(Typed(key))
            return out
        if key == self.suffix:
            out.append(Scanned("".join(self._held)))
            self._held.clear()
        else:
            self._held.append(key)
        return out

    def flush(self, now: float) -> list[WedgeOutput]:
        """Release held keys once no further key can continue the burst (or the frame)."""
        if self._held and self._last is not None and now - self._last > self.wait:
            return self._release()
        return []

    @property
    def wait(self) -> float:
        """How long a held key may wait for the next one."""
        return self.frame_timeout if self.framed else self.max_gap

    @property
    def pending(self) -> str:
        return "".join(self._held)

    def _release(self) -> list[WedgeOutput]:
        text, self._held = "".join(self._held), []
        return [Typed(text)] if text else []


def _merge(out: list[WedgeOutput]) -> list[WedgeOutput]:
    merged: list[WedgeOutput] = []
    for item in out:
        if merged and isinstance(item, Typed) and isinstance(merged[-1], Typed):
            merged[-1] = Typed(merged[-1].text + item.text)
        else:
            merged.append(item)
    return merged
