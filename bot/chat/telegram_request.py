"""An aiohttp transport for python-telegram-bot, in place of its default httpx one.

Measured at saturation (docs/benchmarks.md), half of the bot's CPU went into httpx, httpcore,
h11 and anyio: scanning the connection pool several times per request, anyio's per-call
bookkeeping, and httpcore retrying a failed `import sniffio` on every request. aiohttp does the
same work (keep-alive HTTP/1.1, a bounded connection pool, multipart uploads) in a fraction of
that. The interface is PTB's `BaseRequest`, so everything above it (retries, error mapping, the
JSON result) is unchanged.

Timeouts map onto aiohttp's: `connect_timeout` bounds opening a socket, `read_timeout` each read,
and `pool_timeout` plus `connect_timeout` the wait for a pooled connection and its opening
together. aiohttp has no write timeout of its own: a request is bounded by the sum of its
timeouts instead.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# The bot's own calls (replies, edits, deletions, deliveries): a few keep-alive connections
# serve 64 concurrent updates, as each call holds one for about a millisecond on a fast link.
POOL_SIZE = 8
POLL_POOL_SIZE = 1  # getUpdates: one long poll at a time, plus the shutdown confirmation
FORM = "application/x-www-form-urlencoded"


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        pool_size: int = POOL_SIZE,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_read_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_read_timeout = media_read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            # No environment proxies: like the httpx default, the URL is reached directly unless
            # the settings name a self-hosted Bot API server.
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        body, headers = _body(request_data)
        default_read = self._media_read_timeout if uploads else self._read_timeout
        read = _given(read_timeout, default_read)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
    """The request body as Telegram takes it: a urlencoded form, or multipart with files."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.url_encoded_parameters().encode(), {"Content-Type": FORM}
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


def bot_requests() -> tuple[AiohttpRequest, AiohttpRequest]:
    """The transports of one bot: its calls, and its getUpdates long poll."""
    return AiohttpRequest(POOL_SIZE), AiohttpRequest(POLL_POOL_SIZE)
