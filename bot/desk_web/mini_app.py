"""The desk as a Telegram Mini App, on the webhook front (only when MINI_APP_NAME is set).

- `GET /desk/`: the same self-contained page as `desk serve`, with one more permission in its
  Content-Security-Policy, `connect-src 'self'`, so it may ask this front for a case.
- `GET /desk/case/REF` with `Authorization: tma <initData>`: the case's sealed files
  (`REF.age`, `REF-n.age`) and their receipts, still sealed, as JSON; each file is copied out
  of the database chunk by chunk into a scratch file (ciphertext) and streamed from there in
  base64 pieces, so a large case is never whole in the front's memory. Only to a Telegram user
  whose initData this bot signed recently and who is staff of the case's coalition; the page
  decrypts them on the staff member's device. Everything else gets one and the same refusal,
  whether the initData is forged or old, the user is not staff, or the case does not exist, so
  references cannot be probed. Fetches by staff are audited like `/case REF`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import IO

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.cases.casework import Actor, CaseworkOutcome, SealedFiles
from bot.cases.receipts import ReceiptSigner, receipt_name
from bot.cases.reference import normalise_reference
from bot.chat.context import DatabaseCalls
from bot.chat.delivery import sealed_file_name
from bot.desk_web import page_bytes
from bot.desk_web.init_data import InitDataRejected, verify_init_data
from bot.desk_web.serve import page_policy

log = logging.getLogger(__name__)
PAGE_PATH = "/desk/"
CASE_PATH = "/desk/case/{reference}"
# Telegram Web shows a Mini App in an iframe of this origin; the apps use a web view.
TELEGRAM_WEB = "https://web.telegram.org"
_META = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]+)(">)')
_COMMON_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

FetchSealed = Callable[[Actor, str], CaseworkOutcome]
CopyOut = Callable[[str, int], IO[bytes] | None]
# Base64 of a piece is whole only if the piece is a multiple of 3 bytes.
_PIECE = 3 * 64 * 1024


def served_page() -> tuple[bytes, str]:
    """The page as the front serves it, and its policy: the built one plus `connect-src 'self'`
    (in the page's own meta tag too, since a browser applies both)."""
    page = page_bytes()
    policy = page_policy(page) + "; connect-src 'self'"
    served = _META.sub(lambda m: m.group(1) + policy.encode() + m.group(3), page, count=1)
    return served, policy


def refusal() -> Response:
    """The one answer for every request that does not get a case."""
    return PlainTextResponse("not available", status_code=403, headers=_COMMON_HEADERS)


class MiniAppRoutes:
    def __init__(
        self,
        bot_token: str,
        fetch_sealed: FetchSealed,
        pseudonym_of: Callable[[int], str],
        receipts: ReceiptSigner | None,
        calls: DatabaseCalls,
        copy_out: CopyOut,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._token = bot_token
        self._fetch = fetch_sealed
        self._pseudonym_of = pseudonym_of
        self._receipts = receipts
        self._calls = calls
        self._copy_out = copy_out
        self._clock = clock
        self._page, policy = served_page()
        self._page_headers = {
            **_COMMON_HEADERS,
            "Content-Security-Policy": f"{policy}; frame-ancestors {TELEGRAM_WEB}",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PAGE_PATH, self._on_page, methods=["GET"]),
            Route(CASE_PATH, self._on_case, methods=["GET"]),
        ]

    async def _on_page(self, request: Request) -> Response:
        return Response(self._page, media_type="text/html", headers=self._page_headers)

    async def _on_case(self, request: Request) -> Response:
        scheme, _, init_data = request.headers.get("authorization", "").partition(" ")
        reference = normalise_reference(request.path_params["reference"])
        if scheme.lower() != "tma" or reference is None:
            return refusal()
        try:
            user = verify_init_data(init_data.strip(), self._token, self._clock())
        except InitDataRejected as rejected:
            log.info("desk Mini App: initData refused (%s)", rejected)
            return refusal()
        actor = Actor(user.user_id, user.user_id, self._pseudonym_of(user.user_id))
        outcome = await self._calls(self._fetch, actor, reference)
        if not isinstance(outcome, SealedFiles):
            return refusal()
        copies = []
        try:
            for number in outcome.numbers:
                copy = await self._calls(self._copy_out, reference, number)
                if copy is not None:
                    copies.append((sealed_file_name(reference, number), copy))
        except BaseException:
            for _, copy in copies:
                copy.close()
            raise
        if not copies:
            return refusal()
        receipts = [
            await asyncio.to_thread(self._receipt, copy, reference, name, outcome.received_on)
            for name, copy in copies
        ]
        return StreamingResponse(
            _case_json(reference, list(zip(copies, receipts, strict=True))),
            media_type="application/json",
            headers=_COMMON_HEADERS,
        )

    def _receipt(
        self, copy: IO[bytes], reference: str, name: str, received_on: dt.date
    ) -> str | None:
        if self._receipts is None:
            return None
        return self._receipts.sign(copy, reference, name, received_on).decode("ascii")


async def _case_json(
    reference: str, files: list[tuple[tuple[str, IO[bytes]], str | None]]
) -> AsyncIterator[bytes]:
    """`{"reference": ..., "files": [{"name", "receipt_name", "receipt", "sealed"}]}`, the
    sealed bytes in base64 written piece by piece from each scratch copy, which is closed (and
    so gone) once written: the front never holds a whole case."""
    try:
        yield b'{"reference": ' + json.dumps(reference).encode() + b', "files": ['
        for index, ((name, copy), receipt) in enumerate(files):
            head = {"name": name, "receipt_name": receipt_name(name), "receipt": receipt}
            yield (b", " if index else b"") + json.dumps(head).encode()[:-1] + b', "sealed": "'
            copy.seek(0)
            while piece := await asyncio.to_thread(copy.read, _PIECE):
                yield base64.b64encode(piece)
            yield b'"}'
        yield b"]}"
    finally:
        for (_, copy), _receipt in files:
            copy.close()
