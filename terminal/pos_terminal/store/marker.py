"""The till's marker: a small file beside its database saying "this till has held data".

SQLite makes a new, empty database out of a missing or 0-byte file without a word, so
the database cannot vouch for itself. The marker lives outside it (`terminal.marker`
beside `terminal.sqlite3`, in the data dir that also holds the encrypted secret file) and
names the database id the file carries in its header, so `store.guard` can tell a first
start from a lost or swapped database.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

ABOUT = ("pos-terminal: this till keeps its sales in the database named here. While this "
         "file exists the till refuses to start on a missing, empty or damaged database "
         "instead of starting over; see `pos-terminal restore`. Do not delete it.")


@dataclass(frozen=True)
class Marker:
    path: Path
    database_id: int | None  # None: the marker is damaged (it still proves the till held data)
    since: str | None = None  # when the database was first created or adopted (UTC, ISO 8601)


def marker_path(db_path: Path) -> Path:
    # Not `terminal.sqlite3.marker`: clearing `terminal.sqlite3*` must not take it along.
    return Path(db_path).with_suffix(".marker")


def read_marker(db_path: Path) -> Marker | None:
    """The marker of the database at `db_path`; None when the till never wrote one."""
    path = marker_path(db_path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Marker(path, int(raw["database_id"]), str(raw.get("since") or ""))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("till marker %s is damaged (%s); treating the till as one that has held data",
                    path, exc)
        return Marker(path, None)


def write_marker(db_path: Path, database_id: int) -> Marker:
    """Record `database_id` as the till's database, atomically (no half-written marker)."""
    db_path = Path(db_path)
    current = read_marker(db_path)
    if current is not None and current.database_id == database_id:
        return current
    since = datetime.now(timezone.utc).isoformat(timespec="seconds")
    body = {"database": db_path.name, "database_id": database_id, "since": since, "about": ABOUT}
    path = marker_path(db_path)
    _write_durably(path, json.dumps(body, indent=2) + "\n")
    return Marker(path, database_id, since)


def _write_durably(path: Path, text: str) -> None:
    # A temporary file of its own per writer: two first starts at once must not share one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the marker holds nothing secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename or new file in `directory` survive a power cut (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
