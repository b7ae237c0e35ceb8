"""Prometheus metrics (per process; scrape each replica)."""

from __future__ import annotations

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
DEVICE_STATUS = Gauge("pos_sync_terminal_device_status", "1 for a device's current status", ["terminal_id", "device", "status"])
