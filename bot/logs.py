"""Logging without content: key=value lines with a pseudonymous request id, nothing else.

Complainants' words, Telegram ids, names and the bot token never reach a log: our own messages
carry none, and the libraries that would (python-telegram-bot logs request parameters at DEBUG,
httpx logs URLs that hold the token) are held at INFO and WARNING whatever LOG_LEVEL says.
"""

from __future__ import annotations

import logging
import secrets
import sys
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s request=%(request)s msg=%(message)s"
_FLOORS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp": logging.WARNING,
    "telegram": logging.INFO,
}


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request = request_id.get()
        return True


def new_request() -> str:
    """Start a new pseudonymous request id for the current task (one per update)."""
    value = secrets.token_hex(4)
    request_id.set(value)
    return value


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestId())
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    threshold = logging.getLevelName(level)
    for name, floor in _FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, threshold))
