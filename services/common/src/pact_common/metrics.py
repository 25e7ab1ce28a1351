"""Prometheus metrics every service exposes at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CONSUMED = Counter(
    "pact_messages_consumed_total", "Messages read from a topic", ["service", "topic"]
)
APPLIED = Counter(
    "pact_messages_applied_total", "Messages whose effect was stored", ["service", "topic"]
)
DUPLICATES = Counter(
    "pact_messages_duplicate_total", "Messages already applied, ignored", ["service", "topic"]
)
DEAD_LETTERED = Counter(
    "pact_messages_dead_lettered_total",
    "Messages sent to a dead-letter or rejection topic",
    ["service", "topic", "reason"],
)
HANDLER_SECONDS = Histogram(
    "pact_handler_seconds",
    "Time to handle one message or batch",
    ["service", "topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge(
    "pact_outbox_backlog", "Outbox events written but not yet published", ["service"]
)
OUTBOX_PUBLISHED = Counter("pact_outbox_published_total", "Outbox events published", ["service"])
TRANSACTION_RETRIES = Counter(
    "pact_transaction_retries_total",
    "Units of work run again because their transaction hit a write conflict (write_conflict),"
    " read a snapshot older than what others already saw (snapshot_behind) or hit another"
    " transient error (transient)",
    ["handler", "reason"],
)
LOOP_LAG = Histogram(
    "pact_event_loop_lag_seconds",
    "How late the event loop woke a task that slept 100 ms: what held the loop meanwhile (a"
    " long step, a garbage collection) delayed every request and message as long",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
