"""The till's log: JSON lines in `<data dir>/logs/till.jsonl`, rotated, and the console in debug.

    configure_logging(config.data_dir, debug=False)   # once per process (pos_terminal.cli)
    with about_sale(order_id):                          # every line inside carries the id
        log.info("receipt queued", extra={"correlation_id": cid})

A line about a sale carries `order_id` (and, where a request went to the server, its
`correlation_id`): either passed as `extra`, or set for a stretch of work by `about_sale`
(a context variable, so it also tags lines logged by code that does not know the order,
e.g. the device SDK's print queue). `pos-terminal trace ORDER_ID` reads these lines back
(pos_terminal.trace). One JSON object per line (python-json-logger), so a support
engineer can grep, `jq` or ship them as they are.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from logging.handlers import RotatingFileHandler
from pathlib import Path

from pythonjsonlogger.json import JsonFormatter

LOG_FILE = "till.jsonl"
MAX_BYTES = 5 * 1024 * 1024  # a busy day of a till is well under this
BACKUPS = 9                  # till.jsonl.1 .. .9: ten files, 50 MB at most

_order_id: ContextVar[str | None] = ContextVar("order_id", default=None)
_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_HANDLER_MARK = "pos_terminal.logs"


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


@contextmanager
def about_sale(order_id: str | None, correlation_id: str | None = None) -> Iterator[None]:
    """Tag every log line of this thread (and task) inside with the sale's ids (None: no sale)."""
    tokens = _order_id.set(order_id), _correlation_id.set(correlation_id)
    try:
        yield
    finally:
        _correlation_id.reset(tokens[1])
        _order_id.reset(tokens[0])


class SaleContext(logging.Filter):
    """Adds the ids `about_sale` set to each record that does not carry its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("order_id", _order_id), ("correlation_id", _correlation_id)):
            value = var.get()
            if value is not None and getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


def formatter() -> logging.Formatter:
    return JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp="ts",
                         rename_fields={"levelname": "level", "name": "logger", "message": "msg"})


def configure_logging(data_dir: Path, *, debug: bool = False) -> Path | None:
    """Send the till's log (every logger: pos_terminal, devices, libraries' warnings) to
    the rotating JSON file, and to the console as well when `debug`. Calling it again
    (tests, a second command in one process) replaces the handlers it added before;
    returns the log file's path, or None when it cannot be written (then warnings go to
    the console: a read-only command on a read-only data dir must still run)."""
    path: Path | None = log_dir(data_dir) / LOG_FILE
    handlers: list[logging.Handler] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"))
    except OSError as exc:  # a read-only data dir (`audit verify` on a copy): the console only
        print(f"note: the till's log {path} cannot be written ({exc.strerror or exc}); "
              f"warnings go to the console", file=sys.stderr)
        path = None
    if debug or path is None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.DEBUG if debug else logging.WARNING)
        handlers.append(console)
    close_logging()
    root = logging.getLogger()
    for handler in handlers:
        setattr(handler, _HANDLER_MARK, True)
        handler.setFormatter(formatter())
        handler.addFilter(SaleContext())
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # httpx logs every request at INFO; the sync client logs them with their correlation id
    logging.getLogger("httpx").setLevel(logging.DEBUG if debug else logging.WARNING)
    return path


def close_logging() -> None:
    """Remove and close the handlers `configure_logging` added (a test's till, a restart)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
        old.close()
