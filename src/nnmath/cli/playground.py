"""``nnmath playground``: watch a network train in the browser, and click any weight for its derivation.

Starts a web server on 127.0.0.1 (a free port unless --port is given), prints its address with
a token made for this launch, and opens the browser there. Every number on the page is
computed by nnmath on this machine; nothing is loaded from the network. Stop it with Ctrl+C.
"""
from __future__ import annotations

import sys
import threading
import webbrowser

from nnmath.errors import NNMathError


def port_number(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a whole number from 1 to 65535, got {value}")
    return value


def register(subparsers) -> None:
    p = subparsers.add_parser("playground", help="train a network in the browser and click any weight for its math",
                              description=__doc__.split("\n\n")[0].replace("``", "'") + "\n\n"
                              + __doc__.split("\n\n")[1])
    p.add_argument("--port", type=port_number, metavar="N", help="the port to listen on (default: a free one)")
    p.add_argument("--no-browser", action="store_true", help="print the address but do not open a browser")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        from nnmath.playground.app import create_app
        from nnmath.playground.server import HOST, listening_socket, make_server, new_token, warm_up
    except ImportError as e:
        raise NNMathError(f"the playground needs its extra: pip install 'nnmath[playground]' ({e})") from None
    token = new_token()
    sock = listening_socket(args.port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/?token={token}"
    server = make_server(create_app(token))
    threading.Thread(target=warm_up, name="nnmath-warm-up", daemon=True).start()
    print(f"nnmath playground: {url}", flush=True)
    print("(this address opens the playground for this launch only; Ctrl+C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        sys.stderr.write("nnmath: playground stopped\n")
    return 0
