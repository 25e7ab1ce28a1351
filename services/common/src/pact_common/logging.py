"""structlog, configured once per process: JSON off a terminal, pretty on one."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

_SECRET_KEYS = frozenset(
    {"api_key", "admin_api_key", "authorization", "token", "password", "private_key", "secret"}
)


#: A key containing one of these is secret too (access_token, jwt_private_key, ...).
_SECRET_PARTS = ("token", "secret", "password", "private_key", "api_key", "authorization")


def _flatten_extra(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """FastStream passes its context as `extra={...}`; lift it to top-level keys."""
    extra = event.pop("extra", None)
    if isinstance(extra, dict):
        for key, value in extra.items():
            event.setdefault(key, value)
    return event


def _redact(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    for key in list(event):
        lowered = key.lower()
        if lowered in _SECRET_KEYS or any(part in lowered for part in _SECRET_PARTS):
            event[key] = "[redacted]"
    return event


def configure_logging(service: str, level: str = "INFO", json: bool | None = None) -> Any:
    """Configure structlog and the standard library once; returns the service's logger.

    The same logger is handed to FastStream, so broker and service lines share one format.
    """
    as_json = (not sys.stdout.isatty()) if json is None else json
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _flatten_extra,
            _redact,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )
    # Libraries that log through the standard library (uvicorn, aiokafka, pymongo).
    logging.basicConfig(
        level=max(numeric, logging.INFO),
        stream=sys.stdout,
        format="%(name)s %(levelname)s %(message)s",
        force=True,
    )
    for noisy in ("aiokafka", "pymongo"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return structlog.get_logger(service).bind(service=service)
