"""The playground's web app (Starlette): the page, its static files, the model file and one WebSocket.

Every request passes the Guard first (guard.py: loopback Host, the launch's token, the Origin).
The WebSocket carries the page's messages to the Session (messages.py) and the replies back.
Work runs in a worker thread (``anyio.to_thread``), one message at a time under a lock, so the
event loop stays free, and the page's play loop keeps one request for an epoch outstanding (the
next is asked for when a frame arrives, before it is drawn): a slow client gets fewer frames,
never a growing queue of them.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from nnmath.errors import NNMathError
from nnmath.playground import messages
from nnmath.playground.guard import Guard, cookie_name, host_port
from nnmath.playground.session import Session

STATIC = Path(__file__).parent / "static"


def _security_headers(host: str) -> dict:
    """Nothing loads from anywhere but the playground itself; the token never leaves in a Referer."""
    return {"Content-Security-Policy": f"default-src 'self'; connect-src 'self' ws://{host}; "
                                       "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                                       "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class Playground:
    """One session shared by the page's connections, and the lock that serialises work on it."""

    def __init__(self, session: Optional[Session] = None):
        self.session = session or Session()
        self.lock = threading.Lock()

    def replies(self, text) -> list[str]:
        with self.lock:
            return [messages.encoded(r) for r in messages.reply_to(self.session, text)]

    def model_file(self) -> bytes:
        with self.lock:
            return self.session.model_file()

    async def index(self, request: Request) -> Response:
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        response = HTMLResponse(page, headers=_security_headers(request.headers.get("host", "")))
        token = request.query_params.get("token")
        if token:  # the Guard has checked it: keep it for the page's own requests
            response.set_cookie(cookie_name(host_port(request.headers.get("host", ""))), token, httponly=True,
                                samesite="strict")
        return response

    async def model(self, request: Request) -> Response:
        try:
            content = await anyio.to_thread.run_sync(self.model_file)
        except NNMathError as e:
            return Response(f"nnmath playground: {e}\n", status_code=400, media_type="text/plain")
        return Response(content, media_type="application/octet-stream",
                        headers={"Content-Disposition": 'attachment; filename="playground-model.npz"',
                                 **_security_headers(request.headers.get("host", ""))})

    async def socket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                event = await websocket.receive()
                if event["type"] == "websocket.disconnect":
                    return
                text = event.get("text")
                if text is None:
                    text = 0  # a binary message: refused by messages.parse with its reason
                for reply in await anyio.to_thread.run_sync(self.replies, text):
                    await websocket.send_text(reply)
        except WebSocketDisconnect:
            return


def create_app(token: str, session: Optional[Session] = None) -> Starlette:
    """The ASGI app of one launch: ``token`` is the secret its URL carries."""
    if not token:
        raise ValueError("the playground needs a token")
    playground = Playground(session)
    static = StaticFiles(directory=STATIC)
    app = Starlette(routes=[Route("/", playground.index), Route("/model.npz", playground.model),
                            WebSocketRoute("/ws", playground.socket), Mount("/static", static)])
    guarded = Guard(app, token)
    guarded.playground = playground  # type: ignore[attr-defined]  # tests and the benchmark reach the session
    return guarded  # type: ignore[return-value]
