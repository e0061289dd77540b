"""Prometheus metrics. Labels are kinds and outcomes only: never a chat, a user or a reference."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "complaint_bot_updates",
    "Updates received, by kind and outcome (handled, transient, dead_letter, "
    "telegram_refused; refused: a wrong or missing secret).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "complaint_bot_update_seconds",
    "Time from receiving an update to its answer (its transaction committed).",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "complaint_bot_dead_letters",
    "Updates put aside after a deterministic failure, by kind.",
    ["kind"],
    registry=REGISTRY,
)
TRANSIENT = Counter(
    "complaint_bot_transient_failures",
    "Update attempts that failed for a reason time can cure (database, network), by path.",
    ["path"],
    registry=REGISTRY,
)
SEND_RETRIES = Counter(
    "complaint_bot_send_retries", "Telegram calls retried after retry_after.", registry=REGISTRY
)
TOO_MANY = Counter(
    "complaint_bot_telegram_429", "Telegram answers 429 (retry_after).", registry=REGISTRY
)
OUTBOX_WAITING = Gauge(
    "complaint_bot_outbox_waiting", "Undelivered items in the outbox.", registry=REGISTRY
)
OUTBOX_OLDEST = Gauge(
    "complaint_bot_outbox_oldest_seconds",
    "Age of the oldest undelivered outbox item (0 when empty).",
    registry=REGISTRY,
)
LEADER = Gauge(
    "complaint_bot_leader", "1 while this replica runs the periodic jobs.", registry=REGISTRY
)
WEBHOOK_PENDING = Gauge(
    "complaint_bot_webhook_pending_updates",
    "Updates Telegram holds for the webhook (getWebhookInfo, polled by the leader).",
    registry=REGISTRY,
)
WEBHOOK_LAST_ERROR = Gauge(
    "complaint_bot_webhook_last_error_timestamp_seconds",
    "When Telegram last failed to deliver to the webhook (getWebhookInfo; 0 if never).",
    registry=REGISTRY,
)
UNAUDITED_REFUSALS = Counter(
    "complaint_bot_unaudited_refusals",
    "Staff commands or buttons refused to someone who is not staff, outside staff chats, by "
    "action: counted here instead of a row per person in the audit log.",
    ["action"],
    registry=REGISTRY,
)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
