"""Prometheus metrics (per process; scrape each replica)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from prometheus_client import Counter, Gauge, Histogram

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
