"""The dependency rule of ARCHITECTURE.md, enforced: a walk over every import in the tree.

Every `import` and `from ... import` is read with `ast` (function-level imports too, since
a lazy import is still a dependency), relative imports are resolved, and each edge between
our own packages is checked against the rules below. A failure names the file, the line
and the rule it breaks.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("pos_protocol", "pos_terminal", "sync_server", "devices", "tools")
# Where each distribution's packages live in this repository.
PACKAGE_DIRS = {
    "pos_protocol": ROOT / "protocol" / "pos_protocol",
    "pos_terminal": ROOT / "terminal" / "pos_terminal",
    "devices": ROOT / "terminal" / "devices",
    "sync_server": ROOT / "server" / "sync_server",
}

# (importer prefix, imported prefix, why it is forbidden). The first matching rule wins.
FORBIDDEN: list[tuple[str, str, str]] = [
    ("pos_protocol", "pos_terminal", "the protocol package sits under both sides and imports neither"),
    ("pos_protocol", "sync_server", "the protocol package sits under both sides and imports neither"),
    ("pos_protocol", "devices", "the protocol package knows no devices"),
    ("pos_protocol", "pos_protocol.sql", "pos-protocol without its [sql] extra has no SQLAlchemy: "
                                         "only the till and the server import pos_protocol.sql"),
    ("pos_terminal", "sync_server", "the till never imports the server (they install apart)"),
    ("sync_server", "pos_terminal", "the server never imports the till (it would install Qt)"),
    ("sync_server", "devices", "the server has no devices"),
    # Services raise domain errors; only the API knows HTTP (api/errors.py maps codes to statuses).
    ("sync_server.services", "sync_server.api", "services sit below the API"),
    ("sync_server.core", "sync_server.api", "core sits below the API"),
    ("devices", "pos_terminal", "devices is a standalone SDK"),
    ("devices", "sync_server", "devices is a standalone SDK"),
    ("devices", "pos_protocol", "devices is a standalone SDK"),
    # Shipped code never reaches for the demo and test helpers (they are not installed).
    ("pos_protocol", "tools", "tools/ is not shipped"),
    ("pos_terminal", "tools", "tools/ is not shipped"),
    ("sync_server", "tools", "tools/ is not shipped"),
    ("devices", "tools", "tools/ is not shipped"),
    # Inside the till, arrows point down only: ui -> services -> core.
    ("pos_terminal.core", "pos_terminal", "core is pure: it imports nothing else of the till"),
    ("pos_terminal.store", "pos_terminal.services", "store sits below services"),
    ("pos_terminal.store", "pos_terminal.sync", "store sits below sync"),
    ("pos_terminal.store", "pos_terminal.ui", "store sits below ui"),
    ("pos_terminal.sync", "pos_terminal.services", "sync sits below services"),
    ("pos_terminal.sync", "pos_terminal.ui", "sync sits below ui"),
    ("pos_terminal.services", "pos_terminal.ui", "services never know the widgets"),
    ("pos_terminal.ui", "pos_terminal.store", "widgets reach the database only through services"),
    ("pos_terminal.ui", "devices", "widgets reach devices only through services"),
    ("pos_terminal.sync", "devices", "sync drives no device (it may share the SDK's backoff)"),
    ("pos_terminal.store", "devices", "the store drives no device"),
]
# The UI adapts the device SDK's events to Qt signals and names its errors (ARCHITECTURE.md
# "Devices"), and feeds keys to the wedge-scanner logic; drivers stay behind services.
UI_MAY_USE_FROM_DEVICES = ("devices.events", "devices.base", "devices.transports.base", "devices.scanner")
# The outbox pump paces its retries with the SDK's one backoff (README "One definition").
SYNC_MAY_USE_FROM_DEVICES = ("devices.backoff",)
# Edges inside a layer are fine ("pos_terminal.core" importing "pos_protocol.money").
ALLOWED_WITHIN = ("pos_terminal.core", "pos_terminal.store", "pos_terminal.sync",
                  "pos_terminal.services", "pos_terminal.ui")
# core stays free of I/O frameworks (ARCHITECTURE.md: no Qt, no SQLAlchemy, no httpx).
PURE = {"pos_terminal.core": ("PySide6", "sqlalchemy", "httpx", "alembic", "serial", "usb"),
        "pos_protocol": ("PySide6", "sqlalchemy", "httpx", "alembic", "fastapi", "starlette"),
        "sync_server.services": ("fastapi", "starlette"),
        "sync_server.core": ("fastapi", "starlette")}
# ...but for the column types both sides store protocol values in: SQLAlchemy only, and
# only with the `pos-protocol[sql]` extra installed (README "One time column").
PURE_EXCEPT = {"pos_protocol.sql": ("sqlalchemy",)}


@dataclass(frozen=True)
class Edge:
    source: Path
    line: int
    importer: str
    imported: str


def _module_name(path: Path, package_dir: Path, package: str) -> str:
    parts = list(path.relative_to(package_dir).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = importer.split(".")
        # A module's package is its parent; a package's __init__ is its own package.
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    # `from pkg import mod` may import a submodule: count both `pkg` and `pkg.mod`.
    return [base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (annotations only, never imported)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in ast.walk(child))
            continue
        yield node
        yield from _runtime_nodes(node)


def edges() -> list[Edge]:
    found: list[Edge] = []
    for package, package_dir in PACKAGE_DIRS.items():
        if not package_dir.is_dir():
            continue
        for path in sorted(package_dir.rglob("*.py")):
            importer = _module_name(path, package_dir, package)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in _runtime_nodes(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = _resolve(importer, path.name == "__init__.py", node)
                else:
                    continue
                found.extend(Edge(path, node.lineno, importer, name) for name in names if name)
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violation(edge: Edge) -> str | None:
    if _under(edge.importer, "pos_terminal.ui") and any(_under(edge.imported, m) for m in UI_MAY_USE_FROM_DEVICES):
        return None
    if _under(edge.importer, "pos_terminal.sync") and any(_under(edge.imported, m) for m in SYNC_MAY_USE_FROM_DEVICES):
        return None
    for layer in ALLOWED_WITHIN:
        if _under(edge.importer, layer) and _under(edge.imported, layer):
            return None
    for importer, imported, why in FORBIDDEN:
        if _under(edge.importer, importer) and _under(edge.imported, imported):
            return why
    for layer, frameworks in PURE.items():
        excepted = PURE_EXCEPT.get(edge.importer, ())
        if any(_under(edge.imported, f) for f in excepted):
            continue
        if _under(edge.importer, layer) and any(_under(edge.imported, f) for f in frameworks):
            return f"{layer} is pure: no {edge.imported.split('.')[0]}"
    return None


def test_the_walk_sees_the_tree() -> None:
    """Guard against a walk that silently finds nothing (a moved folder, a typo above)."""
    seen = {edge.importer.split(".")[0] for edge in edges()}
    assert {"pos_protocol", "pos_terminal", "sync_server", "devices"} <= seen
    assert any(edge.imported.startswith("pos_protocol") for edge in edges() if edge.importer.startswith("sync_server"))


def test_no_forbidden_import() -> None:
    broken = [
        f"{edge.source.relative_to(ROOT)}:{edge.line}: {edge.importer} imports {edge.imported} ({why})"
        for edge in edges()
        if (why := violation(edge))
    ]
    assert not broken, "imports that break ARCHITECTURE.md's dependency rule:\n" + "\n".join(sorted(set(broken)))


@pytest.mark.parametrize(
    ("importer", "imported", "forbidden"),
    [
        ("pos_terminal.sync.client", "sync_server.wire", True),
        ("sync_server.wire", "pos_terminal.core.money", True),
        ("devices.escpos.receipt", "pos_terminal.config", True),
        ("pos_terminal.core.ticket", "pos_terminal.store.models", True),
        ("pos_terminal.core.ticket", "sqlalchemy.orm", True),
        ("pos_terminal.ui.sale_screen", "pos_terminal.services.till", False),
        ("pos_terminal.core.ticket", "pos_protocol.money", False),
        ("pos_protocol.wire", "pos_terminal.core.money", True),
        ("pos_protocol.wire", "fastapi", True),
        ("sync_server.services.orders", "pos_protocol.wire", False),
        ("pos_terminal.sync.pump", "devices.backoff", False),
        ("pos_terminal.sync.pump", "devices.printer", True),
        ("pos_protocol.sql", "sqlalchemy.types", False),
        ("pos_protocol.sql", "alembic", True),
        ("pos_protocol.wire", "sqlalchemy", True),
        ("pos_protocol.sql.more", "sqlalchemy", True),
        ("pos_protocol.wire", "pos_protocol.sql", True),
        ("pos_terminal.store.models", "pos_protocol.sql", False),
        ("sync_server.services.orders", "sync_server.api.errors", True),
        ("sync_server.services.orders", "fastapi", True),
        ("sync_server.api.routes.orders", "sync_server.services.orders", False),
    ],
)
def test_the_rules_themselves(importer: str, imported: str, forbidden: bool) -> None:
    """The checker would catch the edges that once existed (issue 7), and lets the right ones be."""
    assert (violation(Edge(Path("x.py"), 1, importer, imported)) is not None) is forbidden
