"""`pos-terminal trace ORDER_ID`: one sale's story from the till's and the server's logs.

The till's lines about the sale carry its `order_id` (pos_terminal.logs); those about
sending it carry the request's `correlation_id` too, which the server logs with every
line of that request (sync_server.core.logging). So: the till's lines naming the order,
then the server's lines naming the order or one of those correlation ids, merged by time.
Lines that are not JSON (a server's start-up banner) are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .logs import LOG_FILE

_SHOWN_FIRST = ("ts", "level", "logger", "msg", "order_id", "correlation_id")


@dataclass(frozen=True)
class TraceLine:
    source: str  # "till" | "server"
    at: datetime
    fields: dict[str, object]

    def render(self) -> str:
        f = self.fields
        rest = " ".join(f"{k}={v}" for k, v in f.items() if k not in _SHOWN_FIRST and v is not None)
        cid = f" correlation_id={f['correlation_id']}" if f.get("correlation_id") else ""
        return f"{f.get('ts')} {self.source:<6} {f.get('level', '')} {f.get('logger', '')}: {f.get('msg', '')}{cid} {rest}".rstrip()


def till_log_files(log_dir: Path) -> list[Path]:
    """The rotated files oldest first (till.jsonl.9 ... .1), then the current one."""
    rotated = sorted(log_dir.glob(f"{LOG_FILE}.*"), key=lambda p: -int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0)
    current = log_dir / LOG_FILE
    return rotated + ([current] if current.exists() else [])


def json_lines(paths: Iterable[Path]) -> Iterator[dict[str, object]]:
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("ts"), str):
                    yield record


def trace(order_id: str, till_logs: Iterable[Path], server_logs: Iterable[Path] = ()) -> list[TraceLine]:
    till = [r for r in json_lines(till_logs) if r.get("order_id") == order_id]
    requests = {r["correlation_id"] for r in till if r.get("correlation_id")}
    server = [r for r in json_lines(server_logs)
              if r.get("order_id") == order_id or r.get("correlation_id") in requests]
    lines = [TraceLine("till", _when(r), r) for r in till] + [TraceLine("server", _when(r), r) for r in server]
    return sorted(lines, key=lambda line: line.at)


def _when(record: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(record["ts"]))
