"""The protocol's vocabulary is spelled once, in `pos_protocol.codes` and `pos_protocol.paths`.

A walk over the server's and the till's string literals (with `ast`): none is a protocol
code or an API path. Tests may spell them (they check the wire contract); `devices` has a
vocabulary of its own (a printer's `not_ready` is not the server's).
"""

from __future__ import annotations

import ast
from pathlib import Path

from pos_protocol.codes import AuditFlag, ConflictCode, ErrorCode, ZReportFlag

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "server" / "sync_server", ROOT / "terminal" / "pos_terminal", ROOT / "tools"]
CODES = {member.value for enum in (ErrorCode, ConflictCode, ZReportFlag, AuditFlag) for member in enum}
OPERATIONS = {"/healthz", "/readyz", "/metrics"}


def spelled_out(value: str) -> bool:
    return value in CODES or value in OPERATIONS or value.startswith("/v1")


def literals() -> list[tuple[Path, int, str]]:
    found = []
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            if "migrations" in path.parts or "alembic" in path.parts:
                continue  # frozen history: a migration keeps the words of its day
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.append((path, node.lineno, node.value))
    return found


def test_the_walk_sees_string_literals() -> None:
    assert len(literals()) > 1000


def test_no_protocol_code_or_path_is_spelled_out() -> None:
    spelled = [f"{path.relative_to(ROOT)}:{line}: {value!r}" for path, line, value in literals() if spelled_out(value)]
    assert not spelled, "use pos_protocol.codes / pos_protocol.paths instead:\n" + "\n".join(spelled)
