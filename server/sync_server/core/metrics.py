"""Prometheus metrics, of two kinds.

What a process counts as it serves (requests, latency, orders, replays, conflicts):
counters and a histogram. Under `pos-sync-server serve --workers N` the workers share one
port, so a scrape reaches any one of them; prometheus-client's multiprocess mode (the
`PROMETHEUS_MULTIPROC_DIR` the CLI sets up) sums them over every worker instead. Separate
replicas are scraped one by one, as usual.

What the database knows (tills' last heartbeats with queue depth and devices, held orders,
Z reports that do not reconcile, broken audit journals): read at each scrape
(services/fleet.py), so every worker and replica answers the same, and a restart forgets
nothing. No gauge here lives in a process's memory.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:  # core knows the shape only; services/fleet.py reads it
    from ..services.fleet import FleetState

REQUESTS = Counter("pos_sync_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram("pos_sync_http_request_duration_seconds", "HTTP request latency", ["route", "method", "status"])
ORDERS = Counter("pos_sync_orders_total", "Orders by outcome", ["outcome"])
REPLAYS = Counter("pos_sync_idempotent_replays_total", "Responses replayed for a known Idempotency-Key")
CONFLICTS = Counter("pos_sync_conflicts_total", "Order conflicts by code", ["code"])
SIMILAR_ORDERS = Counter(
    "pos_sync_similar_orders_total",
    "Orders with the same content as an earlier one of their terminal within 10 minutes (never held for it; for review)",
)

MAX_DEVICES_PER_TERMINAL = 16
"""Device series kept per terminal: a till reporting more (or new names on every beat)
must not grow /metrics without bound; its full device map stays in the database."""

DEVICE_COUNTERS = {
    "print_retries": "Times a till's print queue tried a receipt again (printer offline, paper out, lost confirmation)",
    "drawer_kicks": "Drawer kicks that opened a till's cash drawer",
    "scale_errors": "Errors a till's scale reported (malformed or missing replies, the scale gone)",
}
"""wire.DeviceCounters' fields, exported as pos_sync_terminal_<name>_total{terminal_id, device}.
The till counts since it started, so these are real counters: they only grow, and a till's
restart is a counter reset, which Prometheus' rate() and increase() already expect."""


# -- read from the database at each scrape (services/fleet.py), for the alert rules --------

DATABASE_UP = "pos_sync_database_up"
TERMINAL_LAST_SEEN = "pos_sync_terminal_last_heartbeat_timestamp_seconds"
HELD_ORDERS = "pos_sync_held_orders"
HELD_OLDEST_AGE = "pos_sync_held_orders_oldest_age_seconds"
QUEUE_DEPTH = "pos_sync_terminal_queue_depth"
OLDEST_PENDING = "pos_sync_terminal_oldest_pending_age_seconds"
DEVICE_STATUS = "pos_sync_terminal_device_status"
Z_MISMATCHED = "pos_sync_z_reports_mismatched"
AUDIT_BROKEN = "pos_sync_audit_chain_broken"


def fleet_families(state: FleetState | None, now: datetime) -> list[Metric]:
    """The database-backed gauges; `state` None: the database could not be read (only
    `pos_sync_database_up 0`, so that "database unavailable" fires and nothing else lies)."""
    up = GaugeMetricFamily(DATABASE_UP, "1 if this process read the database for this scrape, else 0")
    up.add_metric([], 0 if state is None else 1)
    if state is None:
        return [up]
    seen = GaugeMetricFamily(TERMINAL_LAST_SEEN, "Unix time of a till's last heartbeat (its enrollment if none yet)",
                             labels=["store_id", "terminal_id"])
    for till in state.tills:
        seen.add_metric([till.store_id, till.terminal_id], till.last_seen_at.timestamp())
    held = GaugeMetricFamily(HELD_ORDERS, "Orders held for a manager, per store", labels=["store_id"])
    oldest = GaugeMetricFamily(HELD_OLDEST_AGE, "Seconds the oldest held order of a store has waited", labels=["store_id"])
    for store in state.held:
        held.add_metric([store.store_id], store.count)
        oldest.add_metric([store.store_id], max(0.0, (now - store.oldest_received_at).total_seconds()))
    return [up, seen, held, oldest, *_heartbeat_families(state), *_flag_families(state)]


def _heartbeat_families(state: FleetState) -> list[Metric]:
    """What each till's last heartbeat said: its queue, one series at 1 per device for its
    current status, and the device counters it keeps, at most MAX_DEVICES_PER_TERMINAL
    devices (first by name)."""
    depth = GaugeMetricFamily(QUEUE_DEPTH, "Outbox entries waiting on a terminal (its last heartbeat)",
                              labels=["terminal_id"])
    age = GaugeMetricFamily(OLDEST_PENDING, "Age of a terminal's oldest unsent entry (its last heartbeat)",
                            labels=["terminal_id"])
    devices = GaugeMetricFamily(DEVICE_STATUS, "1 for a device's current status (a till's last heartbeat)",
                                labels=["terminal_id", "device", "status"])
    counters = {name: CounterMetricFamily(f"pos_sync_terminal_{name}", documentation, labels=["terminal_id", "device"])
                for name, documentation in DEVICE_COUNTERS.items()}
    for till in state.tills:
        beat = till.beat
        if beat is None:
            continue
        depth.add_metric([till.terminal_id], beat.queue_depth)
        age.add_metric([till.terminal_id], beat.oldest_pending_age_s)
        for device, status in sorted(beat.devices.items())[:MAX_DEVICES_PER_TERMINAL]:
            devices.add_metric([till.terminal_id, device, status], 1)
        for device, counted in sorted(beat.device_counters.items())[:MAX_DEVICES_PER_TERMINAL]:
            for name, value in counted.model_dump(exclude_unset=True).items():
                if name in counters and value is not None:
                    counters[name].add_metric([till.terminal_id, device], int(value))
    return [depth, age, devices, *counters.values()]


def _flag_families(state: FleetState) -> list[Metric]:
    """Per till, 0 when all is well: an alert on it resolves rather than going stale."""
    z = GaugeMetricFamily(Z_MISMATCHED, "Z reports of a terminal that the orders held for them do not add up to yet "
                                        "(Z_MISMATCH)", labels=["store_id", "terminal_id"])
    broken = GaugeMetricFamily(AUDIT_BROKEN, "1 while a terminal's shipped audit journal is flagged AUDIT_CHAIN_BROKEN "
                                             "(cut or rewritten)", labels=["store_id", "terminal_id"])
    for till in (*state.tills, *state.retired):
        z.add_metric([till.store_id, till.terminal_id], till.z_mismatched)
        broken.add_metric([till.store_id, till.terminal_id], 1 if till.audit_broken else 0)
    return [z, broken]


class _Families:
    """A one-scrape collector over ready-made families."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's own variable: set (by `serve --workers N`), every process writes its
counters to files there and a scrape sums them."""


def _served() -> CollectorRegistry:
    """The counters of every process serving this port."""
    if not os.environ.get(MULTIPROCESS_DIR):
        return REGISTRY
    workers = CollectorRegistry()
    MultiProcessCollector(workers)
    return workers


def exposition(state: FleetState | None, now: datetime) -> bytes:
    """The served counters, then the database-backed gauges, as Prometheus text."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Families(fleet_families(state, now)))
    return generate_latest(_served()) + generate_latest(scrape)
