"""Plain data shared by the stand-in modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(eq=False)
class ApiError(Exception):
    """A Bot API error response, as Telegram would send it."""

    code: int
    description: str
    retry_after: int | None = None

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class SpecViolation:
    """A call the real Bot API would refuse or that the spec does not describe."""

    method: str
    message: str

    def __str__(self) -> str:
        return f"{self.method}: {self.message}"


@dataclass
class ApiCall:
    """One request the bot made; `params` are decoded to Python values."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes
