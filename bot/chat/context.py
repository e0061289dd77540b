"""The types every Telegram adapter shares: the application, its callback context, and the
database worker that runs each service call off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

from telegram.ext import Application, CallbackContext, ExtBot

P = ParamSpec("P")
R = TypeVar("R")

Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
BotApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]


class DatabaseCalls(Protocol):
    """Runs a blocking service call (one transaction) and awaits its result."""

    async def __call__(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...
