"""`complaint-bot desk serve`: hand out the desk page on this computer only (127.0.0.1).

The page needs no server: a staff member can open desk.html straight from disk. Serving it
helps where opening local files is awkward (some managed laptops). The server sends one static
page and nothing else: no case, key or file ever reaches it, since the page opens them in the
browser.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.desk_web import page_bytes

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def page_policy(page: bytes) -> str:
    """The page's own Content-Security-Policy, sent as a header too."""
    match = _CSP.search(page)
    if match is None:
        raise ValueError("the desk page carries no Content-Security-Policy")
    return match.group(1).decode()


class DeskServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = DEFAULT_PORT) -> None:
        self.page = page_bytes()
        self.policy = page_policy(self.page)
        super().__init__((HOST, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    server: DeskServer
    server_version = "desk"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        port = self.server.server_address[1]
        host = self.headers.get("Host", "")
        # Only this computer's own names: a page elsewhere cannot reach it by a rebound name.
        if host not in {f"{HOST}:{port}", f"localhost:{port}"}:
            self._empty(HTTPStatus.MISDIRECTED_REQUEST)
            return
        if self.path.split("?", 1)[0] not in {"/", "/desk.html"}:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.server.page)))
        self.send_header("Content-Security-Policy", self.server.policy)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.end_headers()
        if with_body:
            self.wfile.write(self.server.page)

    def _empty(self, status: HTTPStatus) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a line per request would only say that the page was opened."""
