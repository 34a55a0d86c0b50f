r"""The playground's data: 2-D points (x1, x2) on the square [-3, 3]², and the input features.

The classification sets reuse nnmath's generators (nnmath.data.synthetic), stretched to the
square; noise is Gaussian with standard deviation ``noise`` in the same units (on the target y,
with half that standard deviation, for the two regression sets):

- circle:   a disc of radius 1.25 (class 1) inside a ring of radius 2.5 (class 0).
- xor:      class 1 where x1 x2 < 0, on [-2.5, 2.5]².
- gaussian: two round clouds, centres (±1.5, ±1.5), spread 0.6.
- spiral:   two arms r = 2.5 t, θ = 3π t + kπ.
- moons:    two interleaved half circles.
- blobs:    K classes (2..6) around centres on a circle of radius 2.
- plane:    regression, y = (x1 + x2) / 6 (between -1 and 1).
- bumps:    regression, y = e^{-|x-c_1|^2/2} - e^{-|x-c_2|^2/2}: one bump up, one down.

The network sees features of (x1, x2): any of x1, x2, x1², x2², x1·x2, sin x1, sin x2.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from nnmath.data import synthetic

Array = np.ndarray
HALF_WIDTH = 3.0  # the plane shown is [-3, 3]² for the built-in sets

FEATURE_FUNCTIONS = {
    "x1": lambda X: X[:, 0], "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2, "x2^2": lambda X: X[:, 1] ** 2, "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]), "sin(x2)": lambda X: np.sin(X[:, 1]),
}


def features(X: Array, names) -> Array:
    """The columns the network takes, one per feature name, from the points X (m x 2)."""
    return np.column_stack([FEATURE_FUNCTIONS[name](X) for name in names]).astype(np.float64)


@dataclass
class Points:
    """The points of a data set, split: X are (x1, x2), y class indices (or values for regression)."""

    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array
    regression: bool
    n_classes: int  # 0 for regression
    half_width: float = HALF_WIDTH  # the plane shown is [-h, h]²
    names: tuple = ("x1", "x2")  # what x1 and x2 are (a CSV file's column names)
    target: str = "label"
    scaler: Optional[tuple] = None  # a CSV file's (mean, scale): the plane shows standardized columns
    classes: Optional[Array] = None  # a CSV file's class labels, in the order of the class indices


def _gaussian(m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = rng.permutation(np.arange(m) % 2)
    centre = np.where(y[:, None] == 1, 1.5, -1.5) * np.ones((m, 2))
    return centre + 0.6 * rng.standard_normal((m, 2)), y


def _blobs(m: int, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = rng.permutation(np.arange(m) % k)
    angle = 2 * np.pi * y / k
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + 0.45 * rng.standard_normal((m, 2)), y


def _classification(name: str, m: int, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    if name == "gaussian":
        return _gaussian(m, rng)
    if name == "blobs":
        return _blobs(m, k, rng)
    if name == "moons":
        X, y = synthetic.moons(m, rng)
        return 1.6 * (X - [0.5, 0.25]), y
    generator = {"circle": synthetic.circles, "xor": synthetic.xor, "spiral": synthetic.spirals}[name]
    X, y = generator(m, rng)
    return 2.5 * X, y  # circle: the inner disc is class 1 (blue), as in the Playground's picture


def _regression(name: str, m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    X = rng.uniform(-HALF_WIDTH, HALF_WIDTH, (m, 2))
    if name == "plane":
        return X, (X[:, 0] + X[:, 1]) / (2 * HALF_WIDTH)
    up, down = np.array([1.2, 1.2]), np.array([-1.2, -1.2])
    bump = lambda c: np.exp(-((X - c) ** 2).sum(axis=1) / 2)  # noqa: E731
    return X, bump(up) - bump(down)


def split(m: int, train_fraction: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """The rows of the training part and of the test part: a random permutation cut at the fraction
    (each part keeps at least one row)."""
    order = rng.permutation(m)
    n_train = min(m - 1, max(1, int(round(train_fraction * m))))
    return order[:n_train], order[n_train:]


def make(name: str, m: int, noise: float, train_fraction: float, classes: int, seed: int) -> Points:
    """m points of a built-in set, noise added, split at random into train and test parts."""
    rng = np.random.default_rng(seed)
    regression = name in ("plane", "bumps")
    if regression:
        X, y = _regression(name, m, rng)
        y = y + 0.5 * noise * rng.standard_normal(m)  # the targets' noise: half the points' (y spans [-1, 1])
    else:
        X, y = _classification(name, m, classes, rng)
        X = X + noise * rng.standard_normal(X.shape)
    train, test = split(m, train_fraction, rng)
    n_classes = 0 if regression else int(classes if name == "blobs" else 2)
    return Points(X[train], y[train], X[test], y[test], regression, n_classes)
