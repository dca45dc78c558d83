from typing import Any

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("sz_http_requests_total", "HTTP requests", ["process", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "sz_http_request_duration_seconds",
    "HTTP request latency",
    ["process", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_PUBLISHED = Counter("sz_outbox_published_total", "Events published from the outbox", ["process"])
OUTBOX_PUBLISH_ERRORS = Counter(
    "sz_outbox_publish_errors_total", "Failed outbox publish attempts", ["process"]
)
OUTBOX_BACKLOG = Gauge("sz_outbox_backlog", "Unpublished outbox rows", ["process"])
OUTBOX_OLDEST_AGE = Gauge(
    "sz_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["process"]
)
EVENTS_CONSUMED = Counter("sz_events_consumed_total", "Events applied by consumers", ["process", "consumer"])
EVENTS_DUPLICATE = Counter(
    "sz_events_duplicate_total", "Redelivered events skipped by the inbox", ["process", "consumer"]
)
EVENTS_REDELIVERED = Counter(
    "sz_events_redelivered_total", "Event deliveries after the first", ["process", "consumer"]
)
EVENTS_FAILED = Counter("sz_events_failed_total", "Event handler failures", ["process", "consumer"])
DEAD_LETTERS = Counter(
    "sz_dead_letters_total", "Events moved to the dead-letter subject", ["process", "consumer"]
)
NATS_CONNECTED = Gauge("sz_nats_connected", "1 while connected to NATS", ["process"])
CONSUMER_PENDING = Gauge(
    "sz_consumer_pending", "Events waiting for a consumer (its lag)", ["process", "consumer"]
)
DB_POOL_CHECKED_OUT = Gauge("sz_db_pool_checked_out", "Database connections in use", ["process"])
DB_POOL_SIZE = Gauge("sz_db_pool_size", "Database connections held by the pool", ["process"])


def observe_pool(process: str, engine: Any) -> None:
    """Before a scrape: the connections `engine`'s pool holds and lends (SQLite's pool has no counts)."""
    pool = engine.pool
    if hasattr(pool, "checkedout"):
        DB_POOL_CHECKED_OUT.labels(process).set(pool.checkedout())
        DB_POOL_SIZE.labels(process).set(pool.size())
