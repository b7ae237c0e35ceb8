"""What every TCP device simulator shares: a listener that can be plugged and unplugged,
keeping its port across, and one thread per connection.

Unplugging closes the listener and every connection at once, as pulling the cable does;
a subclass says what else it loses (`_on_unplug`, under the lock) and how it serves a
connection (`_serve`). `_cond` is the simulator's one lock, a condition so that tests can
wait for a state change on it.
"""

from __future__ import annotations

import socket
import threading
from typing import Self


class TcpDeviceSimulator:
    thread_name = "sim-device"  # threads are named <thread_name>-accept and -conn

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.plugged = False
        self._cond = threading.Condition(threading.RLock())
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> Self:
        self.plug()
        return self

    def stop(self) -> None:
        self.unplug()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def plug(self) -> None:
        with self._cond:
            if self.plugged:
                return
            srv = socket.create_server((self.host, self.port), backlog=4)  # SO_REUSEADDR on POSIX
            self.port = srv.getsockname()[1]  # keep the port across unplug/plug
            self._listener, self.plugged = srv, True
            threading.Thread(target=self._accept_loop, args=(srv,), name=f"{self.thread_name}-accept",
                             daemon=True).start()
            self._cond.notify_all()

    def unplug(self) -> None:
        """Pull the cable and power: close every socket."""
        with self._cond:
            if not self.plugged:
                return
            self.plugged = False
            listener, self._listener = self._listener, None
            conns, self._conns = set(self._conns), set()
            self._on_unplug()
            self._cond.notify_all()
        for sock in [listener, *conns]:
            close_socket(sock)

    def _on_unplug(self) -> None:
        """What the device loses with its power, beyond its connections (under the lock)."""

    # -- connections --------------------------------------------------------------------
    def _accept_loop(self, srv: socket.socket) -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return  # listener closed: unplugged
            with self._cond:
                if srv is not self._listener:  # unplugged (and maybe plugged again) meanwhile
                    close_socket(conn)
                    return
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), name=f"{self.thread_name}-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


def close_socket(sock: socket.socket | None) -> None:
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
