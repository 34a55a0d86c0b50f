r"""Two-dimensional toy data sets, generated with numpy: the pictures people use to watch a
network learn a decision boundary.

Every generator returns (X, y) with X of shape (m, 2) and integer labels y, and adds Gaussian
noise of standard deviation ``noise`` to each coordinate: x ← x + noise · N(0, 1).

- xor:     x ~ U[-1, 1]², y = 1 when the two coordinates have opposite signs (x₁x₂ < 0).
- circles: two rings, radius 1 (y = 0) and 0.5 (y = 1).
- moons:   two interleaved half circles: (cos t, sin t) (y = 0) and (1 - cos t, ½ - sin t) (y = 1), t ~ U[0, π].
- spirals: two arms r = t, θ = 3π t + kπ (k = y ∈ {0, 1}), t ~ U[0.1, 1].
- blobs:   three classes around centres on a circle of radius 2, spread N(0, 0.5²) before the noise.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

Array = np.ndarray


def _halves(m: int, rng: np.random.Generator) -> Array:
    """Labels 0 and 1, as equal in number as m allows, in random order."""
    return rng.permutation(np.arange(m) % 2)


def xor(m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    X = rng.uniform(-1.0, 1.0, (m, 2))
    return X, (X[:, 0] * X[:, 1] < 0).astype(np.int64)


def circles(m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = _halves(m, rng)
    t = rng.uniform(0.0, 2 * np.pi, m)
    r = np.where(y == 0, 1.0, 0.5)
    return np.column_stack([r * np.cos(t), r * np.sin(t)]), y


def moons(m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = _halves(m, rng)
    t = rng.uniform(0.0, np.pi, m)
    outer = np.column_stack([np.cos(t), np.sin(t)])
    inner = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    return np.where(y[:, None] == 0, outer, inner), y


def spirals(m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = _halves(m, rng)
    t = rng.uniform(0.1, 1.0, m)
    theta = 3 * np.pi * t + np.pi * y
    return np.column_stack([t * np.cos(theta), t * np.sin(theta)]), y


def blobs(m: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = rng.permutation(np.arange(m) % 3)
    angle = 2 * np.pi * y / 3
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + 0.5 * rng.standard_normal((m, 2)), y


GENERATORS: dict[str, Callable[[int, np.random.Generator], tuple[Array, Array]]] = {
    "xor": xor, "circles": circles, "moons": moons, "spirals": spirals, "blobs": blobs,
}


def make(name: str, m: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """m points of the named set, with Gaussian noise of standard deviation ``noise`` added."""
    X, y = GENERATORS[name](m, rng)
    return X + noise * rng.standard_normal(X.shape), y
