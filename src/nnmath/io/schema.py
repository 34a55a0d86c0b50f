"""The model file's JSON metadata: parsed within limits, then checked field by field against one schema.

The schema below is docs/model-format.md written as code: every field the loader or the command
line reads has a type and a range, and anything else is refused with the field's name before it
reaches the network or a command. Parsing is bounded first: the text's size, its nesting depth
(counted before ``json.loads`` recurses) and the digits of any integer (Python refuses more than
4300 digits with a ValueError of its own; a layer size needs far fewer).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Optional

import numpy as np

from nnmath.engine import activations, init as initializers
from nnmath.errors import NNMathError, is_number, is_whole_number

MAX_META_BYTES = 64 * 2**20  # the metadata of a network with 10^6 features is ~40 MB
MAX_DEPTH = 32  # nesting of JSON arrays and objects: the format itself needs 4
MAX_DIGITS = 40  # digits of one JSON integer (a seed of 2^128 has 39)
MAX_LAYERS = 1000  # layer sizes in config
MAX_TEXT = 100_000  # characters of one name, label or path
MAX_ITEMS = 10_000_000  # entries of one list (feature names, scaler values)


class Invalid(Exception):
    """A field that breaks the schema: ``where`` is its place (config.sizes[2]), ``rule`` what it must be."""

    def __init__(self, where: str, rule: str):
        super().__init__(f"{where} must be {rule}")


Check = Callable[[Any, str], None]  # raises Invalid(where, rule) for a value at ``where``


# ---- parsing within limits ---------------------------------------------------------------
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def _depth(raw: bytes) -> int:
    """The deepest nesting of [ and { outside strings, without recursing (a cumulative sum)."""
    codes = np.frombuffer(_STRING.sub(b'""', raw), np.uint8)
    steps = np.isin(codes, _OPEN).astype(np.int64) - np.isin(codes, _CLOSE)
    return int(np.cumsum(steps).max(initial=0))


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise Invalid("an integer", f"at most {MAX_DIGITS} digits long, it has {len(text.lstrip('-'))}")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Invalid("a number", f"finite, it is {text[:20]}")
    return value


def _constant(text: str) -> Any:
    raise Invalid("a number", f"finite, it is {text}")


def parse(raw: bytes) -> Any:
    """The JSON value of ``raw``; Invalid or ValueError (not JSON) for anything outside the limits."""
    if len(raw) > MAX_META_BYTES:
        raise Invalid("the metadata", f"at most {MAX_META_BYTES // 2**20} MiB, it has {len(raw) / 2**20:.0f} MiB")
    if _depth(raw) > MAX_DEPTH:
        raise Invalid("the metadata", f"nested at most {MAX_DEPTH} levels deep")
    text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)


# ---- the checks the schema is written with -----------------------------------------------
def text(max_length: int = MAX_TEXT) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
            raise Invalid(where, f"text of at most {max_length} characters without NUL")
    return check


def one_of(*choices: Any) -> Check:
    def check(value: Any, where: str) -> None:
        if not any(type(value) is type(c) and value == c for c in choices):
            raise Invalid(where, "one of " + ", ".join(repr(c) for c in choices))
    return check


def boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise Invalid(where, "true or false")


def whole(low: int, high: Optional[int] = None) -> Check:
    def check(value: Any, where: str) -> None:
        if not (is_whole_number(value) and value >= low and (high is None or value <= high)):
            raise Invalid(where, f"a whole number from {low}" + ("" if high is None else f" to {high}"))
    return check


def number(low: float = -math.inf, high: float = math.inf, above: bool = False) -> Check:
    """A finite number in [low, high] (above: low itself excluded)."""
    def check(value: Any, where: str) -> None:
        if not (is_number(value) and math.isfinite(value) and (value > low if above else value >= low)
                and value <= high):
            upper = "" if high == math.inf else f" to {high:g}"
            raise Invalid(where, f"a number {'above' if above else 'from'} {low:g}{upper}")
    return check


def nullable(inner: Check) -> Check:
    def check(value: Any, where: str) -> None:
        if value is not None:
            inner(value, where)
    return check


def label(value: Any, where: str) -> None:
    """A class label: a word, a number or a truth value."""
    if not isinstance(value, (bool, str)) and not (is_number(value) and math.isfinite(value)):
        raise Invalid(where, "a word, a number or a truth value")
    if isinstance(value, str):
        text()(value, where)


def anything(value: Any, where: str) -> None:
    """Any JSON value (its size and depth are bounded by the parsing)."""


def list_of(item: Check, min_length: int = 0, max_length: int = MAX_ITEMS, distinct: bool = False) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, list) or not min_length <= len(value) <= max_length:
            raise Invalid(where, f"a list of {min_length} to {max_length} entries")
        for i, entry in enumerate(value):
            item(entry, f"{where}[{i}]")
        if distinct and len({(type(v), v) for v in value}) != len(value):
            raise Invalid(where, "a list without repeats")
    return check


def record(fields: dict[str, Check], required: tuple[str, ...] = (), others: Optional[Check] = None) -> Check:
    """A JSON object with these ``fields`` (the ``required`` ones always there); other keys are refused,
    unless ``others`` checks their values."""
    def check(value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise Invalid(where, "an object {...}")
        missing = [k for k in required if k not in value]
        if missing:
            raise Invalid(f"{where}.{missing[0]}", "present")
        for key, entry in value.items():
            if key in fields:
                fields[key](entry, f"{where}.{key}")
            elif others is None:
                raise Invalid(f"{where}.{key[:80]}", "absent (not a field of the format)")
            else:
                others(entry, f"{where}.{key[:80]}")
    return check


# ---- the schema (docs/model-format.md) ---------------------------------------------------
CONFIG = record({
    "sizes": list_of(whole(1), min_length=2, max_length=MAX_LAYERS),
    "activation": list_of(one_of(*activations.ACTIVATIONS), max_length=MAX_LAYERS),
    "output": one_of(*activations.OUTPUT_ACTIVATIONS),
    "loss": one_of("cross_entropy", "mse"),
    "init": one_of(*initializers.INITIALIZERS, "custom"),
    "dropout": number(0.0, 0.999999),
    "batchnorm": boolean, "residual": boolean,
    "seed": nullable(whole(0, 2**128)),
    "dtype": one_of("float64", "float32"),
}, required=("sizes",))

INFO = record({
    "data": nullable(text()), "data_path": nullable(text()), "target_name": nullable(text()),
    "feature_names": list_of(text(), distinct=True),
    "classes": nullable(list_of(label)),
    "scaler": record({"mean": list_of(number()), "scale": list_of(number(0.0, above=True))},
                     required=("mean", "scale")),
    # "training" and "results" are what `nnmath train` reports; a Python caller may keep anything there
    # (the command line checks each value's type before it shows one)
    "nnmath_version": text(100),
}, others=anything)  # a Python caller's own entries are kept as they are

META = record({
    "format": one_of("nnmath-model"), "format_version": anything,  # the version is judged with its own message
    "nnmath_version": text(100),
    "config": CONFIG,
    "classes": nullable(list_of(label, distinct=True)),
    "arrays": list_of(text(80), distinct=True, max_length=4 * MAX_LAYERS),
    "info": INFO,
}, required=("format", "format_version", "config", "arrays", "info"))


def check(meta: Any) -> None:
    """Raise NNMathError naming the first field of ``meta`` that breaks the schema."""
    try:
        META(meta, "metadata")
    except Invalid as e:
        raise NNMathError(f"its {e}") from None
