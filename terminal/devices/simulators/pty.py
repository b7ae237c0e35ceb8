"""A serial device simulated on a pseudo-terminal: the shared half of the scale and scanner simulators.

`PtyPort` opens a pty pair; drivers open the slave path exactly as they would
/dev/ttyUSB0. Closing the port (`unplug`) makes the driver's next read or write
fail with an I/O error, like pulling a USB-serial cable. A stable symlink
(`link`) can be re-pointed at each new pty, which is how configuration finds a
simulator whose pty number changes on every start.

`run_program` is the command-line wrapper: it prints the slave path as the
first stdout line and reads text commands from stdin (the control channel).
"""

from __future__ import annotations

import os
import select
import sys
import threading
import tty
from collections.abc import Callable
from pathlib import Path


class PtyPort:
    def __init__(self, link: str | os.PathLike[str] | None = None) -> None:
        self.link = Path(link) if link else None
        self._master: int | None = None
        self._slave: int | None = None
        self.path = ""
        self._write_lock = threading.Lock()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> str:
        """Open a new pty (a new path each time) and point the link at it."""
        if self._master is not None:
            return self.path
        master, slave = os.openpty()
        # Raw mode: no echo, no CR/LF translation; the bytes are the protocol.
        tty.setraw(slave)
        self._master, self._slave = master, slave
        # We keep the slave open too, so the driver closing and reopening does
        # not make our reads fail with EIO in between.
        self.path = os.ttyname(slave)
        if self.link is not None:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
            tmp.unlink(missing_ok=True)
            os.symlink(self.path, tmp)
            os.replace(tmp, self.link)  # atomic re-point: readers never see no link
        return self.path

    def unplug(self) -> None:
        """Close both ends: the driver sees the device vanish."""
        with self._write_lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._master = self._slave = None

    def read(self, timeout: float) -> bytes:
        """Bytes the driver wrote, or b"" when nothing came within `timeout` (or unplugged)."""
        master = self._master
        if master is None:
            return b""
        try:
            ready, _, _ = select.select([master], [], [], timeout)
            return os.read(master, 4096) if ready else b""
        except (OSError, ValueError):
            return b""

    def write(self, data: bytes) -> None:
        with self._write_lock:
            if self._master is None:
                return
            try:
                os.write(self._master, data)
            except OSError:
                pass


def run_program(
    plug: Callable[[], str],
    handle: Callable[[str], str],
    stop: Callable[[], None],
    *,
    stdin=None,
    stdout=None,
) -> int:
    """Serve until `quit`, Ctrl-C or SIGTERM: path on line 1, then one reply line per stdin command.

    When stdin reaches EOF (started in the background) the simulator keeps
    serving until it is killed.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    import signal

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(plug(), file=stdout, flush=True)

    def control() -> None:
        for line in stdin:
            line = line.strip()
            if not line:
                continue
            if line in ("quit", "exit"):
                break
            try:
                answer = handle(line)
            except (ValueError, ArithmeticError) as exc:
                answer = f"error: {exc}"
            print(answer, file=stdout, flush=True)
        else:
            return  # EOF: keep serving
        done.set()

    threading.Thread(target=control, daemon=True, name="sim-control").start()
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return 0
