"""A TCP proxy on loopback that aborts the first requests and passes the rest through.

What a till sees when a proxy or a flaky link drops a request: the request leaves, no
answer ever comes, the connection is reset. The aborted request never reaches the server
(it is read, then dropped), so the server knows nothing of it. Every other connection is
piped to the real server byte for byte.
"""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType
from typing import Self

HEADER_END = b"\r\n\r\n"


class AbortingProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, abort_first: int = 1) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._to_abort = abort_first
        self.aborted: list[bytes] = []  # the request lines of the requests it dropped
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="aborting-proxy", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._listener.close()
        self._thread.join(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            abort = self._to_abort > 0
            self._to_abort -= abort
        (self._abort if abort else self._pipe)(conn)

    def _abort(self, conn: socket.socket) -> None:
        """Read the whole request, then reset the connection without a byte of answer."""
        request_line = _read_request(conn).split(b"\r\n", 1)[0]
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
        conn.close()
        with self._lock:
            self.aborted.append(request_line)

    def _pipe(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=30)
        except OSError:
            conn.close()
            return
        upstream.settimeout(None)
        answers = threading.Thread(target=_copy, args=(upstream, conn), daemon=True)
        answers.start()
        _copy(conn, upstream)
        answers.join(30)
        conn.close()
        upstream.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while HEADER_END not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(HEADER_END)
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


def _copy(source: socket.socket, sink: socket.socket) -> None:
    """Bytes one way until the source closes; then tell the sink nothing more is coming."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
