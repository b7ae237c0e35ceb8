"""The outbox pump: sends what the till committed, oldest first, and files the answers.

One round (`pump_once`) reads the due entries, sends them without holding a database
lock (in `orders:batch` requests when backlogged, the next batch already on the wire
while the answers of the last are filed), and records each request's answers in one
short transaction. Nothing is ever deleted: an entry ends `done`, `held` (conflict inbox),
`parked` (a refusal a person must look at) or stays `pending` with a backoff.

Answers, per PROTOCOL.md and ARCHITECTURE.md "Sync rules":
- 2xx accepted/resolved -> done; 202 held -> held, conflicts go to the inbox;
- no answer, 5xx, 408, 429 -> retry later with full-jitter backoff, and they count
  towards the circuit breaker;
- 409 request_in_progress, audit_gap -> retry later (the server is alive: no breaker failure);
- 401 (signature, clock) and 403 terminal_revoked are about the till, not the entry:
  retry later, breaker failure, so a wrong clock does not park a day of sales;
- any other 4xx -> parked with the reason, and the entries behind it carry on, except
  those that depend on it (a return on that sale): they park with it (store.outbox).

Causal order: `store.outbox.due` hands out only entries whose dependency is settled, and
a round sends only what it was handed out (`pump_once`), so a return follows its sale's
accepted or held answer and never travels with it, nor in a batch in flight beside it.

Every answer's `Date` is compared with the till's clock (`sync.clock`): more than a
minute apart raises `ClockSkewed` for the status bar.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from devices.backoff import Backoff
from pos_protocol import paths, wire
from pos_protocol.codes import ErrorCode, OrderStatus
from pos_terminal.logs import about_sale
from pos_terminal.store import outbox
from pos_terminal.store.db import Database

from . import _queue
from ._queue import Outgoing
from .breaker import BreakerState, CircuitBreaker
from .client import Reply, SyncClient, SyncError, Unreachable
from .clock import ClockWatch
from .events import ConflictsArrived, ConnectionChanged, EventHub, Parked, QueueChanged
from .held_watch import HeldWatch

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)

PROGRESS_EVERY_S = 0.25
"""How often a round tells the till how the queue stands while it sends (besides its end)."""

_TILL_LEVEL_REFUSALS = {ErrorCode.BAD_SIGNATURE, ErrorCode.STALE_TIMESTAMP, ErrorCode.TERMINAL_REVOKED}
_BUSY = {408, 425, 429}


class Verdict(StrEnum):
    """The pump's judgement of one answer (`judge`); the first three are final."""

    DONE = "done"
    HELD = "held"
    PARKED = "parked"
    RETRY = "retry"  # the server is alive but asked us to come back
    FAILED = "failed"  # no usable answer: retry, and tell the breaker


@dataclass(frozen=True)
class PumpSettings:
    batch_size: int = 100
    batch_from: int = 2
    """Send `orders:batch` once this many orders are due at once; fewer go singly."""
    round_limit: int = 500
    backoff: Backoff = field(default_factory=Backoff)
    breaker_threshold: int = 3
    probe_interval_s: float = 15.0


@dataclass
class RoundReport:
    """What one `pump_once` did (tests and the benchmark read it)."""

    requests: int = 0
    done: int = 0
    held: list[str] = field(default_factory=list)
    parked: int = 0
    retried: int = 0
    audit_requests: int = 0
    """Requests and entries of the audit journal are counted apart from the rest (which
    are the books: orders, resolutions, Z reports)."""
    audit_shipped: int = 0

    @property
    def sent_anything(self) -> bool:
        return self.requests > 0 or self.audit_requests > 0

    def sent(self, first: Outgoing) -> None:
        """Count one request (of one entry or a batch, whose first entry says its kind)."""
        if first.kind == outbox.AUDIT:
            self.audit_requests += 1
        else:
            self.requests += 1


def judge(kind: str, reply: Reply) -> tuple[Verdict, str | None]:
    """The verdict on one answer, and the reason to keep when it is not final."""
    status = reply.status
    if 200 <= status < 300:
        data = _safe_json(reply.body)
        answer = data.get("status") if isinstance(data, dict) else None
        if status == 202 or answer == OrderStatus.HELD:
            return (Verdict.HELD, None) if kind == outbox.ORDER else (Verdict.PARKED, f"{status} unexpected hold")
        return Verdict.DONE, None
    reason = f"{status} {reply.code or 'error'}: {reply.detail}"
    if status == 409 and reply.code in (ErrorCode.REQUEST_IN_PROGRESS, ErrorCode.AUDIT_GAP):
        # AUDIT_GAP: audit entries that overtook earlier ones (a batch that failed while the
        # next went out); they go again once those are in.
        return Verdict.RETRY, reason
    if status >= 500 or status in _BUSY or reply.code in _TILL_LEVEL_REFUSALS or status == 401:
        return Verdict.FAILED, reason
    return Verdict.PARKED, reason


class OutboxPump:
    def __init__(
        self,
        db: Database,
        client: SyncClient,
        events: EventHub | None = None,
        *,
        settings: PumpSettings | None = None,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.db, self.client = db, client
        self.events = events or EventHub()
        self.settings = settings or PumpSettings()
        self.clock = clock
        self.rng = rng or random.Random()
        self.breaker = CircuitBreaker(self.settings.breaker_threshold, self.settings.probe_interval_s)
        self.last_error: str | None = None
        self._online: bool | None = None  # unknown until the first answer (or its absence)
        self._published: tuple[bool | None, BreakerState] | None = None
        self._lock = threading.Lock()
        # Every answer through this client (orders, catalog, heartbeat) checks the till's clock.
        self.clock_watch = ClockWatch(clock, self.events)
        client.on_answer(self.clock_watch.observe)
        self.held = HeldWatch(db, client, self.events, clock)
        # A heartbeat found nobody (the server gone, not one request lost) and nothing has
        # been answered since: the backoffs drawn meanwhile are waived at the next answer.
        # Only the heartbeat decides: a request that alone finds nobody (a proxy resetting
        # that one request) keeps its backoff, else it would go again at every answer.
        self._unheard = False

    # -- one round -----------------------------------------------------------------------

    def pump_once(self) -> RoundReport:
        """Send what is due now (at most one probe while the breaker is open).

        Causal order: an entry is sent only after `outbox.due` handed it out, and that
        hands out an entry waiting for another (a return for its sale) only once the
        answer about that one is filed. So it leaves after it: never in the same request,
        and not at all while that one backs off after a failed send (it waits for the
        retry with it). A round reads what is due in chunks (`_Round`); a chunk read while
        a batch is in flight simply lacks the entries waiting for that batch, which a
        later chunk or round hands out.
        """
        with self._lock:
            report = RoundReport()
            allowance = self.breaker.allow(self.clock())
            budget = self.settings.round_limit if allowance is None else allowance
            _Round(self, report, budget).run()
            self._announce(report)
            return report

    def _due(self, limit: int, offered: set[int]) -> list[Outgoing]:
        with self.db.reader() as s:
            entries = _queue.due(s, self.clock(), limit)
        # An entry retried with a zero backoff draw is due again at once: once per round.
        # Offered entries still in flight are pending too, and skipped the same way.
        return [e for e in entries if e.seq not in offered]

    def next_due(self) -> datetime | None:
        """When a round could next send something (None: nothing is waiting)."""
        now = self.clock()
        with self.db.reader() as s:
            earliest = outbox.earliest_due(s, now)
        probe = self.breaker.next_probe_at()
        if earliest is None or probe is None:
            return earliest
        return max(earliest, probe)

    def _groups(self, entries: list[Outgoing]) -> Iterator[list[Outgoing]]:
        """Runs of consecutive orders become batches when long enough; the rest go singly.
        Audit entries, written beside nearly every order, neither break a run nor join it:
        they travel in batches of their own, oldest first, after the run they were in
        (nothing depends on them, and a chunk holds only entries free to leave now)."""
        run: list[Outgoing] = []
        audit: list[Outgoing] = []
        for entry in entries + [None]:  # type: ignore[list-item]
            if entry is not None and entry.kind == outbox.ORDER:
                run.append(entry)
                continue
            if entry is not None and entry.kind == outbox.AUDIT:
                audit.append(entry)
                continue
            if len(run) >= self.settings.batch_from:
                yield from self._batches(run)
            else:
                yield from ([e] for e in run)
            yield from _shipments(audit)
            run, audit = [], []
            if entry is not None:
                yield [entry]

    def _batches(self, run: list[Outgoing], size: int | None = None) -> Iterator[list[Outgoing]]:
        """Cut `run` into batches. A return never shares one with its sale: one chunk of
        due entries never holds both (see `pump_once`)."""
        size = size or self.settings.batch_size
        for start in range(0, len(run), size):
            yield run[start:start + size]

    # -- sending -------------------------------------------------------------------------

    def _post_batch(self, group: list[Outgoing]) -> Reply | Unreachable:
        """The request of one batch (on either thread); the listeners hear of its answer
        in `_usable`, on the worker thread, like every other answer's."""
        post = self.client.post_audit_entries if group[0].kind == outbox.AUDIT else self.client.post_orders_batch
        try:
            return post([e.body for e in group], notify=False)
        except Unreachable as exc:
            return exc

    def _usable(self, outcome: Reply | Unreachable, group: list[Outgoing]) -> list[Reply] | None:
        """The per-order answers of a batch's reply, None if there are none to file."""
        if isinstance(outcome, Unreachable):
            return None
        self.client.notify(outcome)
        if group[0].kind == outbox.AUDIT:  # one answer for the whole shipment, filed for each entry
            verdict, _ = judge(outbox.AUDIT, outcome)
            return [outcome] * len(group) if verdict is not Verdict.PARKED else None  # refused: each alone
        return _batch_results(outcome, group) if outcome.status == 200 else None

    def _answer_batch(self, group: list[Outgoing], outcome: Reply | Unreachable,
                      results: list[Reply] | None, report: RoundReport) -> bool:
        """File a batch's answers; False when there was no usable answer (server down)."""
        report.sent(group[0])
        if isinstance(outcome, Unreachable):
            self._fail(group, str(outcome), report)
            return False
        if results is not None:
            self._alive()
            self._file(list(zip(group, results, strict=True)), report)
            return True
        verdict, reason = judge("batch", outcome)
        if verdict is Verdict.FAILED:
            self._fail(group, reason or "batch failed", report)
            return False
        # A 4xx for the whole batch (too large, one malformed order): send each alone so
        # only the bad ones get parked and the rest still arrive.
        self._alive()
        return all(self._send_single(e, report) for e in group)

    def _send_single(self, entry: Outgoing, report: RoundReport) -> bool:
        report.sent(entry)
        try:
            with about_sale(_about(entry, None, None)["order_id"]):  # the client's request line too
                reply = self.client.request(entry.method, entry.path, entry.body,
                                            idempotency_key=entry.key)
        except Unreachable as exc:
            self._fail([entry], str(exc), report)
            return False
        if _came_too_late(entry, reply):
            return self._resolved_elsewhere(entry, reply, report)
        [verdict] = self._file([(entry, reply)], report)
        return verdict is not Verdict.FAILED

    def _resolved_elsewhere(self, entry: Outgoing, reply: Reply, report: RoundReport) -> bool:
        """A manager's decision about an order the server no longer holds (the back office
        resolved it first): ask for the final state and settle the order with it, so the
        decision is done and nobody is asked to look at a refusal. Any other final state
        (not resolved) parks the decision as usual."""
        order_id = paths.order_id_of_resolution(entry.path)
        try:
            status = self.client.order_status(order_id)
        except Unreachable as exc:
            self._fail([entry], str(exc), report)
            return False
        except SyncError as exc:
            log.warning("order %s: no final state to settle it with (%s)", order_id, exc)
            status = None
        if status is None or status.status != OrderStatus.RESOLVED:
            [verdict] = self._file([(entry, reply)], report)
            return verdict is not Verdict.FAILED
        self._alive()
        self.held.settle(status, decided_here=True, answer=reply.body.decode("utf-8", "replace"))
        report.done += 1
        return True

    # -- filing answers --------------------------------------------------------------------

    def _file(self, answers: list[tuple[Outgoing, Reply]], report: RoundReport) -> list[Verdict]:
        """Record the server's answers; a batch's answers in ONE transaction (one fsync,
        not one per order: that was the drain's bottleneck), the settled ones in one
        statement each for the outbox and the orders (a load and a flush per entry was
        the next one)."""
        judged = [(entry, reply, *judge(entry.kind, reply)) for entry, reply in answers]
        for entry, reply, verdict, reason in judged:
            log.info("outbox entry %s (%s) answered %s: %s", entry.seq, entry.kind, reply.status,
                     verdict.value, extra=_about(entry, reply.correlation_id, reason))
        for entry, _, verdict, reason in judged:
            if verdict is Verdict.FAILED:  # e.g. one order of a batch answered 5xx
                self._fail([entry], reason or "failed", report)
        filed = [j for j in judged if j[2] is not Verdict.FAILED]
        parked: list[Parked] = []
        if filed:
            self._alive()
            now = self.clock()
            with self.db.transaction() as s:
                filing = _Filing()
                for entry, reply, verdict, reason in filed:
                    parked += self._settle(s, filing, entry, verdict, reason,
                                           reply.body.decode("utf-8", "replace"), now, report)
                filing.write(s)
        for event in parked:
            log.warning("outbox entry %s (%s %s) parked: %s", event.seq, event.kind, event.key, event.reason)
            self.events.emit(event)
        return [verdict for _, _, verdict, _ in judged]

    def _settle(self, s, filing: _Filing, entry: Outgoing, verdict: Verdict,  # type: ignore[no-untyped-def]
                reason: str | None, body: str, now: datetime, report: RoundReport) -> list[Parked]:
        """File one answer; returns what got parked by it (the entry and what waits for it).
        Settled entries are collected in `filing`, written at the end (store.outbox keeps
        the orders' sync_status in step)."""
        if verdict is Verdict.RETRY:
            outbox.retry_later(s, entry.seq, now + self._delay(entry), reason or "retry")
            report.retried += entry.kind != outbox.AUDIT
        elif verdict is Verdict.DONE:  # an accepted resolution settles its held order too
            filing.settled.append((entry.seq, outbox.DONE, body, entry.kind, entry.key))
            if entry.kind == outbox.AUDIT:
                report.audit_shipped += 1
            else:
                report.done += 1
        elif verdict is Verdict.HELD:
            filing.settled.append((entry.seq, outbox.HELD, body, entry.kind, entry.key))
            report.held.append(entry.key)
        else:
            waiting = outbox.park(s, entry.seq, response=body, error=reason or "refused")
            parked = [Parked(entry.seq, entry.kind, entry.key, reason or "refused")]
            parked += [Parked(w.seq, w.kind, w.idempotency_key, w.last_error or "") for w in waiting]
            report.parked += len(parked)
            return parked
        return []

    def _fail(self, entries: list[Outgoing], reason: str, report: RoundReport) -> None:
        """Not delivered: each entry backs off. The backoffs are waived at the next answer
        only if a heartbeat, too, found the server gone (`_unheard`)."""
        now = self.clock()
        self.breaker.record_failure(now)
        self.last_error = reason
        with self.db.transaction() as s:
            for entry in entries:
                outbox.retry_later(s, entry.seq, now + self._delay(entry), reason)
        for entry in entries:
            log.info("outbox entry %s (%s) not delivered, retrying later: %s", entry.seq, entry.kind, reason,
                     extra=_about(entry, None, None))
        report.retried += sum(e.kind != outbox.AUDIT for e in entries)
        self._online = False
        self._publish_connection()

    def _alive(self) -> None:
        self.breaker.record_success()
        self.last_error = None
        self._online = True
        self._answered_again()
        self._publish_connection()

    def _answered_again(self) -> None:
        """After an outage, what waited goes now: the backoffs the dead server made the
        entries draw (up to minutes) are waived, so the backlog leaves within one round
        of the server's return, not when each entry's own retry comes due. Only after no
        answer at all: an entry a live server answered 5xx keeps its backoff."""
        if self._unheard:
            self._unheard = False
            with self.db.transaction() as s:
                waived = outbox.retry_now(s)
            if waived:
                log.info("the server answers again: %d waiting entries go now", waived)

    def observed(self, online: bool, reason: str | None = None) -> bool:
        """What a heartbeat found (the outbox may be empty, so the pump alone would not
        notice): publish the connection state; True when the server just came back, which
        also closes the breaker so the backlog goes without waiting for the next probe."""
        came_back = online and self._online is not True
        if online:
            self.breaker.record_success()
            self.last_error = None
            with self._lock:  # not while a round files answers
                self._answered_again()
        else:
            self.last_error = reason
            self._unheard = True
        self._online = online
        self._publish_connection()
        return came_back

    def _delay(self, entry: Outgoing) -> timedelta:
        return timedelta(seconds=self.settings.backoff.delay(entry.attempts, self.rng))

    # -- telling the till ------------------------------------------------------------------

    def _publish_connection(self) -> None:
        state = (self._online, self.breaker.state)
        if self._online is not None and state != self._published:
            self._published = state
            self.events.emit(ConnectionChanged(bool(self._online), self.breaker.state.value,
                                               self.last_error))

    def queue_state(self) -> QueueChanged:
        now = self.clock()
        with self.db.reader() as s:
            depth, oldest = outbox.depth(s)
            parked = _queue.parked_count(s)
        age = None if oldest is None else max(0.0, (now - oldest).total_seconds())
        return QueueChanged(depth, age, parked)

    def _announce(self, report: RoundReport) -> None:
        if report.held:
            self.events.emit(ConflictsArrived(list(report.held)))
        self._publish_connection()
        if not report.sent_anything:
            self.events.emit(self.queue_state())


@dataclass
class _Filing:
    """What one filing transaction writes in bulk at its end (see `OutboxPump._file`)."""

    settled: list[outbox.Settled] = field(default_factory=list)

    def write(self, session) -> None:  # type: ignore[no-untyped-def]
        outbox.settle_many(session, self.settled)


class _Round:
    """One round of `pump_once`, pipelined: once a batch's answer is in and usable, the
    next batch goes out (on the pump's sender thread) and, if nothing more is queued, the
    next chunk of due entries is read, while the worker thread files that answer (one
    transaction per batch). At most one request is in flight, so a dead server still
    costs one failed request, and answers are filed in the order they were sent. Batches
    in flight together never depend on each other: a chunk holds only entries whose
    dependency was settled when it was read. Singles (resolutions, Z reports, a lone
    order) and the fallback of a refused batch go from the worker thread with nothing in
    flight."""

    def __init__(self, pump: OutboxPump, report: RoundReport, budget: int) -> None:
        self.pump, self.report, self.budget = pump, report, budget
        self.offered: set[int] = set()
        self.queue: deque[list[Outgoing]] = deque()
        self.unfiled = 0  # entries handed out whose answer is not filed yet
        self._shown: float | None = None  # monotonic time of the last progress event
        self._unshown = False

    def progress(self, *, final: bool = False) -> None:
        """`QueueChanged` after the first request of the round, then at most every
        PROGRESS_EVERY_S (counting the queue costs milliseconds per request in a large
        backlog), and at the end of the round so the last word is the queue as it is."""
        now = time.monotonic()
        if final or self._shown is None or now - self._shown >= PROGRESS_EVERY_S:
            self.pump.events.emit(self.pump.queue_state())
            self._shown, self._unshown = now, False
        else:
            self._unshown = True

    def refill(self) -> None:
        """Queue the next chunk of due entries, if the queue is empty and budget is left."""
        if self.queue or self.budget <= 0:
            return
        # The unfiled entries are still pending and come back first: read past them.
        entries = self.pump._due(self.budget + self.unfiled, self.offered)[:self.budget]
        self.offered.update(e.seq for e in entries)
        self.budget -= len(entries)
        self.unfiled += len(entries)
        self.queue.extend(self.pump._groups(entries))

    def run(self) -> None:
        self._run()
        if self._unshown:
            self.progress(final=True)

    def _run(self) -> None:
        pump, report = self.pump, self.report
        with ThreadPoolExecutor(1, thread_name_prefix="pos-sync-send") as sender:
            ahead: tuple[list[Outgoing], Future[Reply | Unreachable]] | None = None
            while True:
                if ahead is not None:
                    (group, sent), ahead = ahead, None
                    outcome: Reply | Unreachable | None = sent.result()
                else:
                    self.refill()
                    if not self.queue:
                        return
                    group = self.queue.popleft()
                    outcome = pump._post_batch(group) if len(group) > 1 else None
                if outcome is None:
                    answered = pump._send_single(group[0], report)
                else:
                    results = pump._usable(outcome, group)
                    if results is not None and pump.breaker.allow(pump.clock()) is None:
                        if self.queue and len(self.queue[0]) > 1:
                            following = self.queue.popleft()
                            ahead = following, sender.submit(pump._post_batch, following)
                        self.refill()  # while the batch ahead is on the wire
                    answered = pump._answer_batch(group, outcome, results, report)
                self.unfiled -= len(group)
                self.progress()
                if not answered or pump.breaker.allow(pump.clock()) == 0:
                    if ahead is not None:  # sent already: file its answer too
                        (group, sent), ahead = ahead, None
                        outcome = sent.result()
                        pump._answer_batch(group, outcome, pump._usable(outcome, group), report)
                        self.progress()
                    return  # no answer: stop the round rather than hammer a dead server


def _about(entry: Outgoing, correlation_id: str | None, reason: str | None) -> dict[str, object]:
    """What a log line about sending `entry` carries: the sale it is about (an order's
    key is its order id; a resolution names its order in its path), the request's
    correlation id, the reason (pos_terminal.trace follows a sale by these)."""
    order_id = entry.key if entry.kind == outbox.ORDER else (
        paths.order_id_of_resolution(entry.path) if entry.kind == outbox.RESOLUTION else None)
    return {"order_id": order_id, "correlation_id": correlation_id, "reason": reason}


def _shipments(entries: list[Outgoing]) -> Iterator[list[Outgoing]]:
    """Audit entries cut into shipments of at most MAX_AUDIT_ENTRIES_PER_REQUEST entries and
    MAX_AUDIT_SHIPMENT_BYTES (a larger entry alone), oldest first."""
    shipment: list[Outgoing] = []
    size = 0
    for entry in entries:
        if shipment and (len(shipment) == wire.MAX_AUDIT_ENTRIES_PER_REQUEST
                         or size + len(entry.body) > wire.MAX_AUDIT_SHIPMENT_BYTES):
            yield shipment
            shipment, size = [], 0
        shipment.append(entry)
        size += len(entry.body)
    if shipment:
        yield shipment


def _batch_results(reply: Reply, group: list[Outgoing]) -> list[Reply] | None:
    """Per-order answers of a batch, as if each had been posted alone (None if unusable)."""
    data = _safe_json(reply.body)
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or len(results) != len(group):
        return None
    replies = []
    for entry, item in zip(group, results, strict=True):
        if not isinstance(item, dict) or item.get("order_id") not in (None, entry.key):
            return None
        body = json.dumps(item.get("body"), separators=(",", ":")).encode()
        replies.append(Reply(int(item.get("http_status", 0)), body, reply.correlation_id, reply.headers))
    return replies


def _came_too_late(entry: Outgoing, reply: Reply) -> bool:
    """A decision the server refused because the order is no longer held."""
    return entry.kind == outbox.RESOLUTION and reply.status == 409 and reply.code == ErrorCode.ORDER_NOT_HELD


def _safe_json(body: bytes) -> object:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None
