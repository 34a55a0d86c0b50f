"""Who may talk to the playground: the page its own launch opened, and nothing else.

An ASGI middleware in front of every HTTP request and the WebSocket:

- Host must be a loopback name (127.0.0.1, localhost, [::1]): a web page that points its own
  domain name at 127.0.0.1 (DNS rebinding) is refused.
- The per-launch token must come with the request, in the URL (``?token=...``, the link
  ``nnmath playground`` prints) or in the cookie the first page load sets (so the page's own
  scripts and styles, which carry no token in their URLs, are let in). Compared in constant time.
- A WebSocket, and any request that is not a GET, must carry an Origin equal to the server's
  own (http://<host>:<port>): another site open in the same browser cannot drive the server,
  even though the browser would send it the cookie.

Refused HTTP requests get 403 and one line of text; refused WebSockets are closed before they open.
"""
from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


def cookie_name(port) -> str:
    """Cookies are not kept apart by port, so two playgrounds on one machine need two names."""
    return f"nnmath_playground_{port}"


def _headers(scope) -> dict:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def host_port(host_header: str) -> str:
    """The port a Host header names ("" when none): what the token cookie's name is made of."""
    return _host_and_port(host_header)[1]


def _host_and_port(host_header: str) -> tuple[str, str]:
    if host_header.startswith("["):  # [::1]:8000
        host, _, rest = host_header.partition("]")
        return host + "]", rest.lstrip(":")
    host, _, port = host_header.partition(":")
    return host, port


def refusal(scope, token: str):
    """None when the request may pass, else the reason it may not."""
    headers = _headers(scope)
    host, port = _host_and_port(headers.get("host", ""))
    if host not in LOOPBACK:
        return f"the playground answers only on loopback addresses, not on host {host!r}"
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    given = query.get("token", [""])[0]
    if not given:
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is only a missing token
            pass
        morsel = cookies.get(cookie_name(port))
        given = morsel.value if morsel is not None else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        return "wrong or missing token: open the link that 'nnmath playground' printed"
    if scope["type"] == "websocket" or scope.get("method", "GET") not in ("GET", "HEAD"):
        origin = headers.get("origin")
        if origin != f"http://{headers.get('host', '')}":
            return f"requests from origin {origin!r} are refused: only the playground's own page may connect"
    return None


class Guard:
    """The middleware: checks every request (see the module's docstring), then passes it on."""

    def __init__(self, app, token: str):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        reason = refusal(scope, self.token)
        if reason is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await receive()  # the websocket.connect event
            await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
            return
        body = f"nnmath playground: {reason}\n".encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
