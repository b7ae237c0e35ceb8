"""Prometheus metrics (per process; scrape each replica)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

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
QUEUE_DEPTH = Gauge("pos_sync_terminal_queue_depth", "Outbox entries waiting on a terminal", ["terminal_id"])
OLDEST_PENDING = Gauge("pos_sync_terminal_oldest_pending_age_seconds", "Age of a terminal's oldest unsent entry", ["terminal_id"])
Z_MISMATCHED = Gauge(
    "pos_sync_z_reports_mismatched",
    "Z reports of a terminal that the orders held for them do not add up to yet (Z_MISMATCH); from the database at each scrape",
    ["store_id", "terminal_id"],
)
AUDIT_BROKEN = Gauge(
    "pos_sync_audit_chain_broken",
    "1 while a terminal's shipped audit journal is flagged AUDIT_CHAIN_BROKEN (cut or rewritten); from the database at each scrape",
    ["store_id", "terminal_id"],
)
DEVICE_STATUS = Gauge("pos_sync_terminal_device_status", "1 for a device's current status", ["terminal_id", "device", "status"])

MAX_DEVICES_PER_TERMINAL = 16
"""Device series kept per terminal: a till reporting more (or new names on every beat)
must not grow /metrics without bound; its full device map stays in the database."""

_devices: dict[str, dict[str, str]] = {}  # terminal -> {device: status}, like the gauge, per process
_devices_lock = threading.Lock()  # heartbeats run in a thread pool


def set_devices(terminal_id: str, devices: Mapping[str, str]) -> None:
    """A heartbeat replaces its terminal's device series: one series at 1 per device for its
    current status, at most MAX_DEVICES_PER_TERMINAL (first by name); devices no longer
    reported, and old statuses, are dropped."""
    current = dict(sorted(devices.items())[:MAX_DEVICES_PER_TERMINAL])
    with _devices_lock:
        for device, status in _devices.get(terminal_id, {}).items():
            if current.get(device) != status:
                DEVICE_STATUS.remove(terminal_id, device, status)
        for device, status in current.items():
            DEVICE_STATUS.labels(terminal_id, device, status).set(1)
        _devices[terminal_id] = current


# -- device counters the tills count themselves -------------------------------------------

DEVICE_COUNTERS = {
    "print_retries": "Times a till's print queue tried a receipt again (printer offline, paper out, lost confirmation)",
    "drawer_kicks": "Drawer kicks that opened a till's cash drawer",
    "scale_errors": "Errors a till's scale reported (malformed or missing replies, the scale gone)",
}
"""wire.DeviceCounters' fields, exported as pos_sync_terminal_<name>_total{terminal_id, device}."""

_device_counts: dict[str, dict[tuple[str, str], int]] = {}  # terminal -> {(device, counter): value}


def set_device_counters(terminal_id: str, counters: Mapping[str, Mapping[str, int]]) -> None:
    """A heartbeat's counters replace its terminal's (capped like the status series). The
    till counts since it started, so these are real counters: they only grow, and a till's
    restart is a counter reset, which Prometheus' rate() and increase() already expect.
    Each replica exports the last beat it received: `max by (terminal_id, device)`."""
    devices = sorted(counters.items())[:MAX_DEVICES_PER_TERMINAL]
    values = {(device, name): int(value) for device, named in devices for name, value in named.items()
              if name in DEVICE_COUNTERS}
    with _devices_lock:
        _device_counts[terminal_id] = values


class _DeviceCounterCollector(Collector):
    """Re-exports the tills' own counters at scrape time (as an exporter does a kernel's)."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        with _devices_lock:
            snapshot = {t: dict(v) for t, v in _device_counts.items()}
        for name, documentation in DEVICE_COUNTERS.items():
            family = CounterMetricFamily(f"pos_sync_terminal_{name}", documentation, labels=["terminal_id", "device"])
            for terminal_id, values in sorted(snapshot.items()):
                for (device, counter), value in sorted(values.items()):
                    if counter == name:
                        family.add_metric([terminal_id, device], value)
            yield family


REGISTRY.register(_DeviceCounterCollector())


# -- read from the database at each scrape (services/fleet.py), for the alert rules --------

DATABASE_UP = "pos_sync_database_up"
TERMINAL_LAST_SEEN = "pos_sync_terminal_last_heartbeat_timestamp_seconds"
HELD_ORDERS = "pos_sync_held_orders"
HELD_OLDEST_AGE = "pos_sync_held_orders_oldest_age_seconds"


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
    return [up, seen, held, oldest]


class _Families:
    """A one-scrape collector over ready-made families."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


def exposition(state: FleetState | None, now: datetime) -> bytes:
    """This process's metrics, then the database-backed ones, as Prometheus text."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Families(fleet_families(state, now)))
    return generate_latest(REGISTRY) + generate_latest(scrape)


_from_database: dict[Gauge, set[tuple[str, str]]] = {Z_MISMATCHED: set(), AUDIT_BROKEN: set()}
_from_database_lock = threading.Lock()


def set_per_terminal(gauge: Gauge, values: Mapping[tuple[str, str], int]) -> None:
    """A gauge read from the database (the same in every worker and replica): the given
    (store, terminal) series; one seen before and now absent drops to 0, so an alert on it
    resolves rather than going stale."""
    with _from_database_lock:
        for labels in _from_database[gauge] - values.keys():
            gauge.labels(*labels).set(0)
        for labels, value in values.items():
            gauge.labels(*labels).set(value)
        _from_database[gauge] |= values.keys()
