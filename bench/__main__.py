"""Run every benchmark and write a summary: `python -m bench` (what `make bench` does).

    python -m bench [NAME ...] [--budget 570] [--timeout 300] [--summary build/bench-summary.md]

A benchmark is any `bench/NAME.py` that runs as a program (`if __name__ == "__main__":`),
except private modules (`_*.py`): a new one joins without touching this runner. Each runs
as `python -m bench.NAME` with its default sizes, one after another (they measure, so
never side by side), its output shown as it comes and kept in `build/bench/NAME.log`.

The contract with a benchmark is small: print the figures to stdout, including the ratio
to a baseline measured in the same run on a line that says `ratio`; exit 0 when it ran
(a missed target is a figure, not a failure), non-zero when it could not measure (or
found its result wrong); print a line saying `skipped` (and exit 0) when something it
needs is absent. The summary lists every benchmark with its status (ok, skipped,
FAILED with the exit status, TIMEOUT, NOT RUN when the budget ran out), its time, its
ratio lines and its whole output, and the tail of stderr for a failure. The runner exits
1 when any benchmark failed or timed out, after writing the summary.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RATIO = re.compile(r"\bratio\b", re.IGNORECASE)
SKIPPED = re.compile(r"\bskipped\b", re.IGNORECASE)
STDERR_TAIL_LINES = 30
GRACE_S = 20.0


def discover(directory: Path = BENCH_DIR) -> list[str]:
    """The runnable benchmark modules in `directory`, by name."""
    names = []
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            names.append(path.stem)  # broken: run it, so that the summary says so
            continue
        if any(_is_main_guard(node) for node in tree.body):
            names.append(path.stem)
    return names


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    return any(isinstance(p, ast.Name) and p.id == "__name__" for p in parts) and \
        any(isinstance(p, ast.Constant) and p.value == "__main__" for p in parts)


@dataclass
class Outcome:
    name: str
    status: str = "NOT RUN"  # ok | skipped | FAILED (exit n) | TIMEOUT | NOT RUN
    seconds: float = 0.0
    stdout: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    log: Path | None = None

    @property
    def failed(self) -> bool:
        return self.status.startswith(("FAILED", "TIMEOUT"))

    @property
    def headline(self) -> list[str]:
        return [line.strip() for line in self.stdout if RATIO.search(line)]


def run_one(name: str, timeout: float, log_dir: Path, *, package: str = "bench", cwd: Path = ROOT) -> Outcome:
    """`python -m bench.NAME`: stdout echoed and kept, stderr to the log; stopped at `timeout`."""
    outcome = Outcome(name, log=log_dir / f"{name}.log")
    command = [sys.executable, "-m", f"{package}.{name}"]
    print(f"== bench.{name} (timeout {timeout:.0f} s)", flush=True)
    start = time.monotonic()
    with outcome.log.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, text=True, bufsize=1,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        stderr: list[str] = []

        def pump_stderr() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                stderr.append(line)
                log.write(f"[stderr] {line}")

        reader = threading.Thread(target=pump_stderr, daemon=True)
        reader.start()
        timed_out = threading.Event()
        timer = threading.Timer(timeout, _stop_group, args=(process, timed_out))
        timer.start()
        assert process.stdout is not None
        try:
            for line in process.stdout:
                print(f"  {line}", end="", flush=True)
                outcome.stdout.append(line.rstrip("\n"))
                log.write(line)
            code = process.wait()
        except KeyboardInterrupt:  # Ctrl-C on `make bench`: the benchmark cleans up too
            _stop_group(process, threading.Event())
            raise
        finally:
            timer.cancel()
        reader.join(5)
    outcome.seconds = time.monotonic() - start
    outcome.stderr_tail = [line.rstrip("\n") for line in stderr[-STDERR_TAIL_LINES:]]
    if timed_out.is_set():
        outcome.status = "TIMEOUT"
    elif code != 0:
        outcome.status = f"FAILED (exit {code})"
    elif not outcome.headline and any(SKIPPED.search(line) for line in outcome.stdout):
        outcome.status = "skipped"
    else:
        outcome.status = "ok"
    print(f"== bench.{name}: {outcome.status} in {outcome.seconds:.0f} s", flush=True)
    return outcome


def _stop_group(process: subprocess.Popen[str], flag: threading.Event) -> None:
    """Stop a benchmark with what it started: SIGINT first (Python unwinds, so its servers
    are stopped and its schemas dropped), SIGKILL for the whole group after a grace."""
    flag.set()
    for sig, grace in ((signal.SIGINT, GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def summary(outcomes: list[Outcome], started: datetime, total_s: float, load: tuple[str, str]) -> str:
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--untracked-files=no") else ""
    pg = "set" if os.environ.get("POS_TEST_POSTGRES_URL") else "not set (PostgreSQL cases skipped)"
    out = [
        "# Benchmark summary",
        "",
        f"- run: {started:%Y-%m-%d %H:%M} UTC, {total_s:.0f} s in all; commit {commit}{dirty} "
        f"on branch {_git('rev-parse', '--abbrev-ref', 'HEAD')}",
        f"- machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}; "
        f"load average {load[0]} at the start, {load[1]} at the end",
        f"- POS_TEST_POSTGRES_URL {pg}",
        "- every ratio compares with a baseline measured in the same run (see each benchmark's doc)",
        "",
        "| benchmark | status | seconds | ratio to its baseline |",
        "|---|---|---:|---|",
    ]
    for o in outcomes:
        ratios = "<br>".join(line.replace("|", "/") for line in o.headline) or "-"
        out.append(f"| `bench.{o.name}` | {o.status} | {o.seconds:.0f} | {ratios} |")
    for o in outcomes:
        out += ["", f"## bench.{o.name}: {o.status}", ""]
        if o.status == "NOT RUN":
            out.append("Not run: the time budget was spent before its turn.")
            continue
        out += ["```", *(o.stdout or ["(no output)"]), "```"]
        if o.failed and o.stderr_tail:
            out += ["", f"stderr, last {len(o.stderr_tail)} lines (all of it in `{o.log}`):", "", "```",
                    *o.stderr_tail, "```"]
    return "\n".join(out) + "\n"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all discovered)")
    parser.add_argument("--budget", type=float, default=570.0,
                        help="seconds for the whole run (default %(default)s: make bench stays under 10 min)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for one benchmark at most")
    parser.add_argument("--summary", type=Path, default=ROOT / "build" / "bench-summary.md")
    args = parser.parse_args(argv)
    found = discover()
    unknown = [n for n in args.names if n not in found]
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (found: {', '.join(found)})")
    names = args.names or found
    log_dir = args.summary.parent / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    started, start, load_start = datetime.now(UTC), time.monotonic(), _load()
    print(f"running {len(names)} benchmarks: {', '.join(names)}", flush=True)
    outcomes = []
    for name in names:
        left = args.budget - (time.monotonic() - start)
        if left < 10:
            outcomes.append(Outcome(name))
            print(f"== bench.{name}: NOT RUN (budget of {args.budget:.0f} s spent)", flush=True)
            continue
        outcomes.append(run_one(name, min(args.timeout, left), log_dir))
    total_s = time.monotonic() - start
    args.summary.write_text(summary(outcomes, started, total_s, (load_start, _load())), encoding="utf-8")
    bad = [o for o in outcomes if o.failed or o.status == "NOT RUN"]
    print(f"summary in {args.summary}: {len(outcomes) - len(bad)} of {len(outcomes)} ran"
          + (f"; not ok: {', '.join(f'{o.name} ({o.status})' for o in bad)}" if bad else ""), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
