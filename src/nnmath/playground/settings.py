"""Every setting of the playground, its default and its allowed range, checked in one place.

The page sends settings as a JSON object (and keeps them in its URL); ``Settings.changed``
returns new settings with the changes applied, or refuses the first bad one with the reason
(``NNMathError``), so a hostile or mistyped message never reaches the network.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Optional

from nnmath.engine import activations, init, optimizers
from nnmath.errors import NNMathError

CLASSIFICATION_SETS = ("circle", "xor", "gaussian", "spiral", "moons", "blobs")
REGRESSION_SETS = ("plane", "bumps")
DATA_SETS = (*CLASSIFICATION_SETS, *REGRESSION_SETS, "csv")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
# The output layer and its loss E, as the Playground pairs them.
OUTPUTS = {"sigmoid_ce": ("sigmoid", "cross_entropy"), "softmax_ce": ("softmax", "cross_entropy"),
           "identity_mse": ("identity", "mse"), "sigmoid_mse": ("sigmoid", "mse")}
MAX_LAYERS, MAX_UNITS = 8, 16
MAX_POINTS = 2000
MAX_SEED = 2 ** 31 - 1  # the seeds' largest value (10 digits: the page's seed field is as wide)


@dataclass(frozen=True)
class Settings:
    # data
    data: str = "circle"
    points: int = 500
    noise: float = 0.1
    train_fraction: float = 0.5
    classes: int = 3  # of the blobs
    data_seed: int = 0
    # network
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)
    activation: tuple = ("tanh", "tanh")  # one per hidden layer
    init: str = "xavier"
    output: str = "sigmoid_ce"
    dropout: float = 0.0
    batchnorm: bool = False
    residual: bool = False
    seed: int = 0  # the initial weights, the shuffling and dropout
    # training
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    l2: float = 0.0
    clip: Optional[float] = None

    def changed(self, changes: Any) -> "Settings":
        """These settings with ``changes`` (a dict) applied, every value checked."""
        if not isinstance(changes, dict):
            raise NNMathError("settings must be an object of name: value pairs")
        names = {f.name for f in dataclasses.fields(self)}
        values = dataclasses.asdict(self)
        for name, value in changes.items():
            if name not in names:
                raise NNMathError(f"unknown setting {name!r}; the settings are {', '.join(sorted(names))}")
            values[name] = CHECKS[name](name, value)
        if "activation" not in changes and len(values["activation"]) != len(values["hidden"]):
            # layers were added or removed: the new ones take the last layer's activation
            last = (values["activation"] or ("tanh",))[-1]
            values["activation"] = tuple(values["activation"][:len(values["hidden"])]) + \
                (last,) * max(0, len(values["hidden"]) - len(values["activation"]))
        settings = Settings(**values)
        settings.check_together()
        return settings

    def check_together(self) -> None:
        """The rules that involve two settings."""
        if len(self.activation) != len(self.hidden):
            raise NNMathError(f"activation needs one name per hidden layer ({len(self.hidden)}), "
                              f"got {len(self.activation)}")
        if self.batchnorm and self.batch_size < 2:
            raise NNMathError("batch normalisation needs a batch of at least 2 samples (one sample has no spread)")

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}


# ---- one check per kind of value ------------------------------------------------------------
def _is_real(value: Any) -> bool:
    """A JSON number a float holds: not a bool, and no integer of hundreds of digits (which float() overflows)."""
    return (not isinstance(value, bool) and isinstance(value, (int, float))
            and (isinstance(value, float) or abs(value) <= 2 ** 53))


def _number(name: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    if not _is_real(value) or not math.isfinite(value):
        raise NNMathError(f"setting {name!r} must be a number, got {str(value)[:40]!r}")
    if value > high or value < low or (low_open and value == low):
        raise NNMathError(f"setting {name!r} must be in {'(' if low_open else '['}{low:g}, {high:g}], got {value!r}")
    return float(value)


def _whole(name: str, value: Any, low: int, high: int) -> int:
    if not _is_real(value) or not math.isfinite(value) or not float(value).is_integer():
        raise NNMathError(f"setting {name!r} must be a whole number, got {str(value)[:40]!r}")
    if not low <= value <= high:
        raise NNMathError(f"setting {name!r} must be from {low} to {high}, got {int(value)}")
    return int(value)


def _choice(name: str, value: Any, options) -> str:
    if not isinstance(value, str) or value not in options:
        raise NNMathError(f"setting {name!r} must be one of {', '.join(options)}, got {value!r}")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise NNMathError(f"setting {name!r} must be true or false, got {value!r}")
    return value


def _list(name: str, value: Any, most: int) -> list:
    if not isinstance(value, (list, tuple)) or len(value) > most:
        raise NNMathError(f"setting {name!r} must be a list of at most {most} entries, got {value!r}"[:300])
    return list(value)


def _hidden(name: str, value: Any) -> tuple:
    units = _list(name, value, MAX_LAYERS)
    return tuple(_whole(f"{name}[{i}]", u, 1, MAX_UNITS) for i, u in enumerate(units))


def _activations(name: str, value: Any) -> tuple:
    names = _list(name, value, MAX_LAYERS)
    return tuple(_choice(f"{name}[{i}]", a, list(activations.ACTIVATIONS)) for i, a in enumerate(names))


def _features(name: str, value: Any) -> tuple:
    chosen = _list(name, value, len(FEATURES))
    for f in chosen:
        _choice(name, f, FEATURES)
    if not chosen or len(set(chosen)) != len(chosen):
        raise NNMathError(f"setting {name!r} needs at least one input feature, each once, got {chosen!r}")
    return tuple(f for f in FEATURES if f in chosen)  # in the canonical order: W1's rows follow it


def _clip(name: str, value: Any) -> Optional[float]:
    return None if value is None else _number(name, value, 0.0, 1e6, low_open=True)


CHECKS = {
    "data": lambda n, v: _choice(n, v, DATA_SETS),
    "points": lambda n, v: _whole(n, v, 10, MAX_POINTS),
    "noise": lambda n, v: _number(n, v, 0.0, 2.0),
    "train_fraction": lambda n, v: _number(n, v, 0.1, 0.9),
    "classes": lambda n, v: _whole(n, v, 2, 6),
    "data_seed": lambda n, v: _whole(n, v, 0, MAX_SEED),
    "features": _features,
    "hidden": _hidden,
    "activation": _activations,
    "init": lambda n, v: _choice(n, v, list(init.INITIALIZERS)),
    "output": lambda n, v: _choice(n, v, list(OUTPUTS)),
    "dropout": lambda n, v: _number(n, v, 0.0, 0.9),
    "batchnorm": _flag,
    "residual": _flag,
    "seed": lambda n, v: _whole(n, v, 0, MAX_SEED),
    "optimizer": lambda n, v: _choice(n, v, list(optimizers.OPTIMIZERS)),
    "learning_rate": lambda n, v: _number(n, v, 0.0, 10.0, low_open=True),
    "batch_size": lambda n, v: _whole(n, v, 1, MAX_POINTS),
    "l2": lambda n, v: _number(n, v, 0.0, 1.0),
    "clip": _clip,
}
