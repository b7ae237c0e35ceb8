"""The status bar: sync state (online, queue depth, oldest pending, parked), a warning
when the till's clock disagrees with the server's, and devices."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from devices.events import DeviceStatus, ErrorEvent, PowerEvent, PowerState, StatusEvent

_NEEDS_ATTENTION = {DeviceStatus.PAPER_EMPTY, DeviceStatus.COVER_OPEN, DeviceStatus.SCALE_NOT_READY}


class StatusLabel(QLabel):
    """A status text that may shrink: on a narrow screen (1024 px, long German words) it
    ends in "…" instead of widening the window past the screen; the whole text stays
    readable as the label's text for tests and screen readers."""

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height())

    def paintEvent(self, _event) -> None:  # type: ignore[no-untyped-def]
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)


class OfflineBanner(QLabel):
    """Over the ticket while the server cannot be reached: the cashier keeps selling, and
    is told so, with how many sales wait to be sent. Hidden while online."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offline_banner")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { background:#fff4d6; color:#6b4b00; padding:6px; border-radius:4px;"
                           " font-size:15px; font-weight:bold; }")
        self.waiting = 0
        self.hide()

    def show_state(self, online: bool | None, waiting: int) -> None:
        self.waiting = waiting
        if online is not False:
            self.hide()
            return
        self.setText(self.tr("Offline: keep selling, every sale is safe on this till. "
                             "Waiting to be sent: {n}").format(n=waiting))
        self.show()


class TillStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.sync_label = StatusLabel(self.tr("Sync: starting…"))
        self.sync_label.setObjectName("sync_state")
        self.devices_label = StatusLabel(self.tr("Devices: none"))
        self.devices_label.setObjectName("device_state")
        self.clock_label = StatusLabel()
        self.clock_label.setObjectName("clock_warning")
        self.clock_label.setStyleSheet("color:#8a1010;")
        self.clock_label.hide()
        self.addPermanentWidget(self.clock_label)
        self.addPermanentWidget(self.sync_label)
        self.addPermanentWidget(self.devices_label)
        self._online: bool | None = None
        self._queue: Any = None
        self._devices: dict[str, str] = {}
        self._bad: set[str] = set()  # devices currently needing attention

    # -- sync -------------------------------------------------------------------------

    def sync_unavailable(self, reason: str) -> None:
        self.sync_label.setText(self.tr("Sync unavailable: sales are kept on this till"))
        self.sync_label.setToolTip(reason)
        self.sync_label.setStyleSheet("color:#8a1010;")

    def on_connection(self, event: Any) -> None:
        self._online = bool(getattr(event, "online", False))
        self._show_sync()

    def on_queue(self, event: Any) -> None:
        self._queue = event
        self._show_sync()

    @property
    def online(self) -> bool | None:
        """None until the first answer (or the first failure) from the server."""
        return self._online

    @property
    def waiting(self) -> int:
        """Sales and reports not yet sent."""
        return int(getattr(self._queue, "depth", 0) or 0)

    def _show_sync(self) -> None:
        state = {None: self.tr("connecting"), True: self.tr("online"), False: self.tr("offline")}[self._online]
        parts = [self.tr("Sync: {state}").format(state=state)]
        if self._queue is not None:
            parts.append(self.tr("{n} to send").format(n=getattr(self._queue, "depth", 0)))
            age = getattr(self._queue, "oldest_age_s", None)
            if age:
                parts.append(self.tr("oldest {minutes} min").format(minutes=int(age // 60)))
            parked = getattr(self._queue, "parked", 0)
            if parked:
                parts.append(self.tr("{n} parked").format(n=parked))
        self.sync_label.setText(" · ".join(parts))
        self.sync_label.setStyleSheet("" if self._online else "color:#8a5a00;")

    # -- clock ------------------------------------------------------------------------

    def on_clock(self, event: Any) -> None:
        """ClockSkewed: warn while the till's clock is off; clear once it agrees again."""
        if not event.beyond_tolerance:
            self.clock_label.clear()
            self.clock_label.hide()
            return
        amount = self._duration(abs(event.skew_s))
        if event.skew_s > 0:
            text = self.tr("Till clock is {amount} ahead of the server: ask a manager to set the time")
        else:
            text = self.tr("Till clock is {amount} behind the server: ask a manager to set the time")
        self.clock_label.setText(text.format(amount=amount))
        self.clock_label.show()

    def _duration(self, seconds: float) -> str:
        """Minutes, or hours and days for a clock set wrong by far (a dead clock battery)."""
        minutes = max(1, round(seconds / 60))
        if minutes < 120:
            return self.tr("{n} min").format(n=minutes)
        if minutes < 48 * 60:
            return self.tr("{n} h").format(n=round(minutes / 60))
        return self.tr("{n} days").format(n=round(minutes / (24 * 60)))

    # -- devices ----------------------------------------------------------------------

    def device_name(self, device: str) -> str:
        """A device's logical name (devices.toml) in a cashier's words."""
        return {"receipt": self.tr("Printer"), "printer": self.tr("Printer"), "scale": self.tr("Scale"),
                "scanner": self.tr("Scanner"), "wedge": self.tr("Keyboard scanner"), "drawer": self.tr("Drawer"),
                "card": self.tr("Card terminal"), "payment": self.tr("Card terminal"),
                "devices": self.tr("Devices")}.get(device, device)

    def problem(self, event: ErrorEvent) -> str:
        """What went wrong, in words, never the SDK's code (`paper_empty`, `bad_scan`)."""
        return {"offline": self.tr("not connected"), "print_failed": self.tr("could not print"),
                "drawer_failed": self.tr("did not open"), "bad_scan": self.tr("could not read the code"),
                "paper_empty": self.tr("paper out"), "cover_open": self.tr("cover open"),
                "timeout": self.tr("not answering")}.get(event.code, self.tr("needs attention"))

    def device_unavailable(self, name: str, reason: str) -> None:
        self._devices[name] = self.tr("{device}: unavailable").format(device=self.device_name(name))
        self._bad.add(name)
        self.devices_label.setToolTip((self.devices_label.toolTip() + "\n" if self.devices_label.toolTip() else "")
                                      + f"{name}: {reason}")
        self._show_devices()

    def on_power(self, event: PowerEvent) -> None:
        text = {
            PowerState.ONLINE: self.tr("online"),
            PowerState.OFFLINE: self.tr("offline"),
            PowerState.OFF: self.tr("off"),
            PowerState.OFF_OFFLINE: self.tr("off/offline"),
        }.get(event.state, self.tr("unknown"))
        self._devices[event.device] = f"{self.device_name(event.device)}: {text}"
        self._mark(event.device, event.state is not PowerState.ONLINE)

    def on_status(self, event: StatusEvent) -> None:
        text = self._status_text(event.status)
        if text is not None:
            self._devices[event.device] = f"{self.device_name(event.device)}: {text}"
            self._mark(event.device, event.status in _NEEDS_ATTENTION)

    def on_error(self, event: ErrorEvent) -> None:
        self._devices[event.device] = self.tr("{device}: {problem}").format(
            device=self.device_name(event.device), problem=self.problem(event))
        self._mark(event.device, True)

    def _mark(self, device: str, bad: bool) -> None:
        (self._bad.add if bad else self._bad.discard)(device)
        self._show_devices()

    def _status_text(self, status: DeviceStatus) -> str | None:
        return {
            DeviceStatus.PAPER_EMPTY: self.tr("paper out"),
            DeviceStatus.PAPER_NEAR_EMPTY: self.tr("paper low"),
            DeviceStatus.COVER_OPEN: self.tr("cover open"),
            DeviceStatus.PAPER_OK: self.tr("ready"),
            DeviceStatus.COVER_OK: self.tr("ready"),
            DeviceStatus.IDLE: self.tr("ready"),
            DeviceStatus.DRAWER_OPEN: self.tr("drawer open"),
            DeviceStatus.DRAWER_CLOSED: self.tr("drawer closed"),
            DeviceStatus.SCALE_UNSTABLE: self.tr("in motion"),
            DeviceStatus.SCALE_STABLE: self.tr("stable"),
            DeviceStatus.SCALE_ZERO: self.tr("zero"),
            DeviceStatus.SCALE_OVERWEIGHT: self.tr("overload"),
            DeviceStatus.SCALE_UNDER_ZERO: self.tr("under zero"),
            DeviceStatus.SCALE_NOT_READY: self.tr("not ready"),
        }.get(status)

    def _show_devices(self) -> None:
        # Those needing attention first: on a narrow screen the text is cut at its end, and
        # what is cut should be "ready", never "paper out".
        order = sorted(self._devices, key=lambda name: (name not in self._bad, name))
        self.devices_label.setText(" · ".join(self._devices[k] for k in order))
        self.devices_label.setStyleSheet("color:#8a1010;" if self._bad else "")
