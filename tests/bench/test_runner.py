"""`python -m bench` (make bench): finds every benchmark, runs each, reports each in the
summary, failures and timeouts included."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

from bench import __main__ as runner

OK = """
    print("widgets: 120.0 /s")
    print("ratio to bare dict: 3.50x")
"""
FAILS = """
    import sys
    print("started")
    print("Traceback: boom", file=sys.stderr)
    sys.exit(3)
"""
SKIPS = """
    print("fancy skipped: POS_TEST_POSTGRES_URL is not set")
"""
HANGS = """
    import time
    print("warming up", flush=True)
    try:
        time.sleep(120)
    finally:
        print("cleaned up", flush=True)
"""


def _package(tmp_path, modules: dict[str, str]) -> None:
    pkg = tmp_path / "fakebench"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "_helpers.py").write_text('if __name__ == "__main__":\n    raise SystemExit("never run")\n')
    (pkg / "data_only.py").write_text("ROWS = 3\n")  # no main guard: not a benchmark
    for name, body in modules.items():
        (pkg / f"{name}.py").write_text('def main():\n' + textwrap.indent(textwrap.dedent(body), "    ")
                                        + '\n\nif __name__ == "__main__":\n    main()\n')


def test_discovers_runnable_modules_only(tmp_path):
    _package(tmp_path, {"alpha": OK, "beta": OK})
    assert runner.discover(tmp_path / "fakebench") == ["alpha", "beta"]
    assert {"sync_drain", "load_chain", "server_ingest"} <= set(runner.discover())


def test_each_outcome_is_in_the_summary(tmp_path):
    _package(tmp_path, {"good": OK, "bad": FAILS, "absent": SKIPS, "stuck": HANGS})
    logs = tmp_path / "logs"
    logs.mkdir()
    run = {name: runner.run_one(name, 60 if name != "stuck" else 2, logs, package="fakebench", cwd=tmp_path)
           for name in ("good", "bad", "absent", "stuck")}
    assert run["good"].status == "ok" and run["good"].headline == ["ratio to bare dict: 3.50x"]
    assert run["bad"].status == "FAILED (exit 3)" and run["bad"].stderr_tail == ["Traceback: boom"]
    assert run["absent"].status == "skipped"
    assert run["stuck"].status == "TIMEOUT" and run["stuck"].stdout == ["warming up", "cleaned up"]  # SIGINT first
    text = runner.summary([*run.values(), runner.Outcome("late")], datetime.now(UTC), 3.0, ("1", "1"))
    assert "| `bench.good` | ok |" in text and "ratio to bare dict: 3.50x" in text
    assert "| `bench.bad` | FAILED (exit 3) |" in text and "Traceback: boom" in text
    assert "| `bench.absent` | skipped |" in text and "| `bench.stuck` | TIMEOUT |" in text
    assert "## bench.late: NOT RUN" in text and "budget" in text


def test_every_bench_imports():
    """A bench that no longer imports (a module it uses moved) fails here, in the suite,
    not only when `make bench` runs it."""
    import importlib

    names = runner.discover()
    assert names
    for name in names:
        importlib.import_module(f"bench.{name}")
