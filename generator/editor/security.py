"""Every request checked before a route sees it.

- Host: only the server's own names (its address and port, localhost), so a
  page from another site whose name was pointed at 127.0.0.1 (DNS rebinding)
  is refused.
- State-changing requests (anything but GET and HEAD) carry the session's
  token (header X-Gongwen-Token or form field token) and come from the
  server's own origin (Origin, else Referer): a page from elsewhere cannot
  make the browser save, build or publish (CSRF).
- Bound to another address than loopback, every request needs the password
  (HTTP Basic); without a password the server refuses to start (serve.py).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = ("GET", "HEAD")
TOKEN_HEADER = "x-gongwen-token"


@dataclass(frozen=True)
class Guard:
    hosts: frozenset[str]  # host[:port] values accepted in the Host header
    token: str
    password: str | None = None
    port: int = 0
    any_address: bool = False  # bound to 0.0.0.0 or ::: any IP literal of this port too

    @staticmethod
    def for_address(
        host: str, port: int, password: str | None = None, token: str | None = None
    ) -> Guard:
        names = {host, "127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else {host}
        if ":" in host:
            names = {f"[{host}]"} | ({"localhost"} if host == "::1" else set())
        hosts = frozenset(f"{n}:{port}" for n in names) | (
            frozenset(names) if port == 80 else frozenset()
        )
        token = token or secrets.token_urlsafe(32)
        return Guard(hosts, token, password, port, host in ("0.0.0.0", "::"))

    def host_allowed(self, host: str) -> bool:
        """The Host header names this server. Bound to every address, any IP
        literal with the server's port is this machine's; a name never is (a
        rebinding attack needs the attacker's own name in the Host header)."""
        if host in self.hosts:
            return True
        if not self.any_address:
            return False
        name, _, port = host.rpartition(":")
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        return port == str(self.port)


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode(), b.encode())


class GuardMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        send = _with_page_headers(send)
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if _same(headers.get(TOKEN_HEADER, ""), self.guard.token):
            await self.app(scope, receive, send)
            return
        # A plain form post: the token is a form field. Read the body, check it,
        # then hand the same body on to the route.
        body = await _read_body(receive)
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields = parse_qs(body.decode("utf-8", "replace"))
            if any(_same(t, self.guard.token) for t in fields.get("token", [])):
                await self.app(scope, _replay(body), send)
                return
        await _refuse(403, "请求缺少有效的会话令牌，已拒绝。请刷新页面后重试。")(
            scope, receive, send
        )

    def _refusal(self, scope: Scope, headers: Headers) -> PlainTextResponse | None:
        if not self.guard.host_allowed(headers.get("host", "")):
            return _refuse(400, "主机名不是本编辑器的地址，已拒绝（防止 DNS 重绑定）。")
        if self.guard.password is not None and not self._authorised(headers):
            response = _refuse(401, "需要密码才能使用本编辑器。")
            response.headers["WWW-Authenticate"] = 'Basic realm="gongwen", charset="UTF-8"'
            return response
        if scope["method"] not in SAFE_METHODS and not self._same_origin(headers):
            return _refuse(403, "请求不是来自本编辑器的页面，已拒绝（防止跨站请求伪造）。")
        return None

    def _authorised(self, headers: Headers) -> bool:
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            _, _, given = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        assert self.guard.password is not None
        return _same(given, self.guard.password)

    def _same_origin(self, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin is None and (referer := headers.get("referer")):
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        # The Host header is this server's (checked first): the page's origin must be it.
        return origin is not None and origin == f"http://{headers.get('host', '')}"


# Pages run only this server's script and may be framed only by its own pages
# (no clickjacking: the token guards requests, not a click tricked into a frame).
_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)


def _with_page_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw = list(message.get("headers", []))
            raw.append((b"x-frame-options", b"SAMEORIGIN"))
            raw.append((b"x-content-type-options", b"nosniff"))
            raw.append((b"referrer-policy", b"same-origin"))
            content_type = dict(raw).get(b"content-type", b"")
            if content_type.startswith(b"text/html"):
                raw.append((b"content-security-policy", _CSP.encode()))
            message = {**message, "headers": raw}
        await send(message)

    return sending


def _refuse(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > 1_000_000:  # a form never is this large
            break
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
