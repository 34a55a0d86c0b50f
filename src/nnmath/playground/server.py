"""Serving the app on loopback: a bound socket, a uvicorn server, and a background form of it.

``nnmath playground`` runs the server in the foreground; the browser test and the benchmark run
the same server in a thread (``Background``), on a free port, and stop it at the end.
"""
from __future__ import annotations

import secrets
import socket
import threading
import time
from typing import Optional

from nnmath.errors import NNMathError

HOST = "127.0.0.1"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def listening_socket(port: Optional[int] = None) -> socket.socket:
    """A socket bound to 127.0.0.1 (no port: a free one the system picks), or one clear error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port or 0))
    except OSError as e:
        sock.close()
        raise NNMathError(f"cannot listen on {HOST}:{port}: {e.strerror or e}; choose another --port") from None
    sock.listen(16)
    return sock


def warm_up() -> None:
    """Compile (or load from Numba's disk cache) the engine's epoch loops before the first play,
    so that the page's first epoch does not wait for the compiler (seconds, the first time)."""
    import numpy as np

    from nnmath.engine.network import Network

    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    Network([2, 2, 1], seed=0).fit(X, [1, 1, 0, 0], epochs=1, batch_size=2)


def make_server(app):
    """A quiet uvicorn server for ``app`` (the page is the interface), with the sans-I/O WebSocket."""
    import uvicorn
    from uvicorn.config import WS_PROTOCOLS

    ws = "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "auto"  # the sans-I/O one from uvicorn 0.35
    config = uvicorn.Config(app, log_level="warning", ws=ws, ws_max_size=4 << 20, lifespan="off", access_log=False)
    return uvicorn.Server(config)


class Background:
    """The app served in a thread on a free loopback port: ``url`` carries the token."""

    def __init__(self, app, token: str):
        self.sock = listening_socket()
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}/?token={token}"
        self.server = make_server(app)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "Background":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the playground server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()
