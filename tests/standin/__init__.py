"""A local stand-in for the Telegram Bot API server, driven by simulated users."""

from .model import ApiCall, ApiError, SpecViolation, Upload
from .server import BotApiStandIn
from .users import SimGroup, SimUser
from .views import MessageView

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiStandIn",
    "MessageView",
    "SimGroup",
    "SimUser",
    "SpecViolation",
    "Upload",
]
