"""The system libraries Qt's xcb platform plugin loads, checked before the till starts.

Without one of them Qt aborts the process with a misleading hint (on Debian it names
xcb-cursor0 when libxcb-icccm4 and libxcb-keysyms1 are missing), and an abort runs no
clean-up, so `make run` checks first and names every missing library with the command
that installs it.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    apt: str  # Debian / Ubuntu package
    dnf: str  # Fedora / RHEL package


# What PySide6's libqxcb.so and its xcb integration need beyond libxcb itself (ldd of
# the plugin on a minimal Debian, less what every desktop has).
XCB_PLUGIN = (
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    SystemLibrary("libEGL.so.1", "libegl1", "libglvnd-egl"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
)


def loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def needs_xcb(environ: dict[str, str] | None = None) -> bool:
    """Will Qt pick its xcb plugin? (Not with QT_QPA_PLATFORM=offscreen, wayland, ...)"""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    return platform in ("", "xcb") or platform.startswith("xcb:")


def missing(libraries: tuple[SystemLibrary, ...] = XCB_PLUGIN) -> list[SystemLibrary]:
    return [lib for lib in libraries if not loadable(lib.soname)]


def advice(absent: list[SystemLibrary]) -> str:
    """What to tell the person at the keyboard."""
    names = ", ".join(lib.soname for lib in absent)
    apt = " ".join(dict.fromkeys(lib.apt for lib in absent))
    dnf = " ".join(dict.fromkeys(lib.dnf for lib in absent))
    return (f"the cashier app needs system libraries that are missing: {names}\n"
            f"  Debian/Ubuntu: sudo apt-get install {apt}\n"
            f"  Fedora/RHEL:   sudo dnf install {dnf}\n"
            "  (or run without a display: QT_QPA_PLATFORM=offscreen, or `python -m tools.demo --headless`)")


def check() -> str | None:
    """None when Qt can start here; else the advice."""
    if not needs_xcb():
        return None
    absent = missing()
    return advice(absent) if absent else None
