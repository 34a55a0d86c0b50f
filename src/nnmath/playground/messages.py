"""The WebSocket's messages: one JSON object in, a list of JSON objects out, no web code.

In (``type`` and its fields; an ``id`` is echoed in the replies):

    hello {settings}          the page's settings (from its URL); replies structure and frame
    settings {changes}        new settings; replies structure and frame
    train {steps} | epoch     gradient descent; replies a frame
    reset                     the same initial weights again; replies structure and frame
    frame                     the current frame
    explain {parameter, sample}   nnmath.explain for "W1[0,0]" at sample i or "batch"
    explain_step              nnmath.explain_step for the next batch
    add_point {x1, x2, label} a training point
    upload {name, text, x1, x2, target}   a CSV file
    load_model {name, data}   a model file, base64

Out: structure, frame, derivation, or error {message}. Anything malformed or refused becomes an
error reply with its reason; nothing a message holds can stop the server.
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from nnmath.errors import NNMathError
from nnmath.playground import math_panel
from nnmath.playground.session import Session

MAX_MESSAGE = 2 << 20  # characters of one message: a 1 MiB file in base64 and its JSON


def parse(text: Any) -> dict:
    """A message as a dict with a string ``type``, or NNMathError saying what is wrong with it."""
    if not isinstance(text, str):
        raise NNMathError("messages must be JSON text")
    if len(text) > MAX_MESSAGE:
        raise NNMathError(f"the message is {len(text)} characters; the limit is {MAX_MESSAGE}")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        raise NNMathError("the message is not valid JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise NNMathError("a message must be a JSON object with a 'type'")
    return message


def _field(message: dict, name: str, default: Any = None) -> Any:
    return message.get(name, default)


def _model_bytes(data: Any) -> bytes:
    if not isinstance(data, str):
        raise NNMathError("the model file must arrive as base64 text")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise NNMathError("the model file is not valid base64") from None


def _full(session: Session) -> list[dict]:
    structure = session.structure()
    structure["records"] = session.all_records()
    return [structure, session.frame()]


def handle(session: Session, message: dict) -> list[dict]:
    """The replies to one parsed message (NNMathError for a refused one)."""
    kind = message["type"]
    if kind == "hello":  # settings from the page's address: refused ones leave the defaults, said so
        try:
            session.apply(_field(message, "settings", {}) or {})
        except NNMathError as e:
            return [*_full(session), {"type": "error", "message": f"the address's settings were refused: {e}"}]
        return _full(session)
    if kind == "settings":
        session.apply(_field(message, "changes", {}))
        return _full(session)
    if kind == "train":
        session.train(_field(message, "steps", 1))
        return [session.frame()]
    if kind == "epoch":
        session.train_epoch()
        return [session.frame()]
    if kind == "reset":
        session.reset()
        return _full(session)
    if kind == "frame":
        return [session.frame()]
    if kind == "explain":
        return [math_panel.explain_parameter(session, _field(message, "parameter"), _field(message, "sample", 0))]
    if kind == "explain_step":
        return [math_panel.explain_next_step(session)]
    if kind == "add_point":
        session.add_point(_field(message, "x1"), _field(message, "x2"), _field(message, "label"))
        return _full(session)
    if kind == "upload":
        session.upload_csv(_field(message, "name"), _field(message, "text"), _field(message, "x1"),
                           _field(message, "x2"), _field(message, "target"))
        return _full(session)
    if kind == "load_model":
        session.load_model(_field(message, "name"), _model_bytes(_field(message, "data")))
        return _full(session)
    raise NNMathError(f"unknown message type {kind[:40]!r}")


def encoded(reply: dict) -> str:
    """A reply as JSON text; one that JSON cannot carry (a NaN left in it) becomes an error reply,
    so the connection never closes on it."""
    try:
        return json.dumps(reply, allow_nan=False)
    except (TypeError, ValueError) as e:
        error = {"type": "error", "message": f"internal error (a {reply.get('type')} reply could not be sent: {e})"}
        return json.dumps({**error, **({"id": reply["id"]} if "id" in reply else {})})


def reply_to(session: Session, text: Any) -> list[dict]:
    """Parse and handle one message; every failure becomes an error reply, never an exception."""
    ident = None
    try:
        message = parse(text)
        ident = message.get("id") if isinstance(message.get("id"), (int, str)) else None
        replies = handle(session, message)
    except NNMathError as e:
        replies = [{"type": "error", "message": " ".join(str(e).split())}]
    except (MemoryError, RecursionError):
        replies = [{"type": "error", "message": "the request needs more memory than there is; try something smaller"}]
    except Exception as e:  # a bug in nnmath: said in one line, and the server goes on
        replies = [{"type": "error", "message": f"internal error ({type(e).__name__}: {e})"}]
    for reply in replies:
        if ident is not None:
            reply["id"] = ident
    return replies
