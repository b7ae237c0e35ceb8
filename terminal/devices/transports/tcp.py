"""TCP transport for network printers (raw port 9100, "JetDirect" style)."""

from __future__ import annotations

import socket
import time

from devices.transports.base import TransportClosed, TransportError, TransportTimeout


class TcpTransport:
    def __init__(self, host: str, port: int = 9100) -> None:
        self.host, self.port = host, port
        self._sock: socket.socket | None = None

    def __repr__(self) -> str:
        return f"TcpTransport({self.host}:{self.port})"

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def open(self, timeout: float) -> None:
        self.close()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except TimeoutError as exc:
            raise TransportTimeout(f"connect to {self.host}:{self.port} timed out") from exc
        except OSError as exc:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # keepalive: a cable pulled while idle is noticed by the OS eventually
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self._sock = sock

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def write(self, data: bytes, timeout: float) -> None:
        sock = self._require()
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportTimeout(f"write to {self} timed out with {len(view)} bytes unsent")
            try:
                sock.settimeout(left)
                sent = sock.send(view)
            except TimeoutError as exc:
                raise TransportTimeout(f"write to {self} timed out") from exc
            except OSError as exc:
                self.close()
                raise TransportClosed(f"{self} write failed: {exc}") from exc
            view = view[sent:]

    def read(self, n: int, timeout: float) -> bytes:
        sock = self._require()
        try:
            # settimeout(0) would make the socket non-blocking; a tiny timeout keeps one code path
            sock.settimeout(max(timeout, 0.001))
            data = sock.recv(n)
        except TimeoutError as exc:
            raise TransportTimeout(f"no data from {self} within {timeout}s") from exc
        except OSError as exc:
            self.close()
            raise TransportClosed(f"{self} read failed: {exc}") from exc
        if not data:
            self.close()
            raise TransportClosed(f"{self}: peer closed the connection")
        return data

    def _require(self) -> socket.socket:
        if self._sock is None:
            raise TransportClosed(f"{self} is not open")
        return self._sock
