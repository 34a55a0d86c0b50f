r"""Activation functions f and their derivatives f', side by side.

Every hidden layer computes a = f(z). Backpropagation needs f'(z); for the functions below it
is cheapest to write it in terms of the layer's own output a = f(z) where that is possible
(S'(z) = S(z)(1 - S(z)) = a(1 - a)), so ``derivative(z, a)`` receives both.

``bound`` is sup |f'(z)|. Each layer the error passes back through multiplies it by f'(z),
so a chain of sigmoid layers shrinks it by at least 0.25 per layer: the vanishing gradient.

Each function computes into ``out`` when it is given, so the training loop can reuse buffers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .errors import NNMathError

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[..., Array]  # f(z, out=None) -> a
    derivative: Callable[..., Array]  # f'(z) given z and a = f(z): derivative(z, a, out=None)
    bound: float  # sup over z of |f'(z)|
    formula: str  # LaTeX of f
    derivative_formula: str  # LaTeX of f'


def sigmoid(z: Array, out: Optional[Array] = None) -> Array:
    r"""S(z) = \frac{1}{1 + e^{-z}} = \tfrac12 (1 + \tanh(z/2)).

    The tanh form never overflows (exp(-z) does for z < -88 in float32), keeps float32 in
    float32 and costs one transcendental call.
    """
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def sigmoid_derivative(z: Array, a: Array, out: Optional[Array] = None) -> Array:
    r"""S'(z) = S(z)(1 - S(z)) = a(1 - a) <= 1/4, the maximum at z = 0."""
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def tanh(z: Array, out: Optional[Array] = None) -> Array:
    r"""\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}."""
    return np.tanh(z, out=out)


def tanh_derivative(z: Array, a: Array, out: Optional[Array] = None) -> Array:
    r"""\tanh'(z) = 1 - \tanh^2(z) = 1 - a^2 <= 1."""
    out = np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def relu(z: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{relu}(z) = \max(0, z)."""
    return np.maximum(z, 0.0, out=out)


def relu_derivative(z: Array, a: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{relu}'(z) = 1 if z > 0 else 0 (we take 0 at z = 0, as PyTorch does)."""
    if out is None:
        return (z > 0).astype(z.dtype)
    return np.greater(z, 0.0, out=out)


LEAKY_SLOPE = 0.01


def leaky_relu(z: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{leaky}(z) = z if z > 0 else 0.01 z."""
    a = np.where(z > 0, z, LEAKY_SLOPE * z)
    return a if out is None else _into(out, a)


def leaky_relu_derivative(z: Array, a: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{leaky}'(z) = 1 if z > 0 else 0.01."""
    d = np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)
    return d if out is None else _into(out, d)


def softsign(z: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{softsign}(z) = \frac{z}{1 + |z|}."""
    d = np.abs(z)
    d += 1.0
    return np.divide(z, d, out=out)


def softsign_derivative(z: Array, a: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{softsign}'(z) = \frac{1}{(1 + |z|)^2} = (1 - |a|)^2 <= 1."""
    out = np.abs(a, out=out)
    np.subtract(1.0, out, out=out)
    out *= out
    return out


def identity(z: Array, out: Optional[Array] = None) -> Array:
    r"""f(z) = z."""
    return z.copy() if out is None else _into(out, z)


def identity_derivative(z: Array, a: Array, out: Optional[Array] = None) -> Array:
    r"""f'(z) = 1."""
    return np.ones_like(z) if out is None else _into(out, 1.0)


def softmax(z: Array, out: Optional[Array] = None) -> Array:
    r"""\mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, computed as e^{z_k - \max z}
    so it never overflows. Row k of a batch is one sample."""
    out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _into(out: Array, value) -> Array:
    out[...] = value
    return out


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, 0.25,
                          r"S(z) = \frac{1}{1 + e^{-z}}", r"S'(z) = S(z)\,(1 - S(z))"),
    "tanh": Activation("tanh", tanh, tanh_derivative, 1.0,
                       r"\tanh(z)", r"\tanh'(z) = 1 - \tanh^2(z)"),
    "relu": Activation("relu", relu, relu_derivative, 1.0,
                       r"\max(0, z)", r"\mathrm{relu}'(z) = [z > 0]"),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative, 1.0,
                             r"\max(0.01z, z)", r"\mathrm{leaky}'(z) = 1 \text{ if } z > 0 \text{ else } 0.01"),
    "softsign": Activation("softsign", softsign, softsign_derivative, 1.0,
                           r"\frac{z}{1 + |z|}", r"\mathrm{softsign}'(z) = \frac{1}{(1 + |z|)^2}"),
    "identity": Activation("identity", identity, identity_derivative, 1.0, r"z", r"1"),
}
# Output activations: softmax's derivative is a Jacobian, never formed; it only appears paired
# with cross-entropy, where the output delta is simply ŷ - y (see losses.py).
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "identity")


def get(name: str) -> Activation:
    """The Activation called ``name``; a clear error lists the valid names."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise NNMathError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None
