r"""Activation functions f and their derivatives f', side by side.

Every hidden layer computes a = f(z). Backpropagation needs f'(z); for the functions below it
is cheapest to write it in terms of the layer's own output a = f(z) where that is possible
(S'(z) = S(z)(1 - S(z)) = a(1 - a)), so ``derivative(z, a)`` receives both.

``bound`` is sup |f'(z)|. Each layer the error passes back through multiplies it by f'(z),
so with weights of moderate size a chain of sigmoid layers shrinks it by a factor of at least
4 per layer (S' <= 0.25, times a weight): the vanishing gradient.
One registry entry (``ACTIVATIONS``) holds all that nnmath knows about an activation: f and f',
the bound, how the derivations write f' with its numbers, its PyTorch module and its code in the
compiled loops (None: the compiled epoch does not take it; the NumPy engine does). Adding an
activation is adding an entry: tests/engine/test_activations.py checks every f against the entry's
textbook formula, every f' against a finite difference of it, and every bound against the largest
|f'| on a fine grid; the engine, compiled-path and PyTorch tests are parametrized over the registry.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Callable, Optional

import numpy as np

from nnmath.errors import NNMathError

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[Array], Array]  # a = f(z)
    derivative: Callable[[Array, Array], Array]  # f'(z), given z and a = f(z)
    bound: float  # sup over z of |f'(z)|
    symbol: str = ""  # the LaTeX name of f in derivations: S for the sigmoid
    slope: str = ""  # f'(z) written out in LaTeX, "{z}" standing for the unit's z: S({z})\,(1 - S({z}))
    slope_numbers: str = ""  # the same with its numbers as "@" places: @ \cdot (1 - @)
    slope_inputs: tuple[str, ...] = ()  # what fills each "@" of slope_numbers: "a" (f(z)) or "z"
    textbook: Optional[Callable[[Array], Array]] = None  # f as the textbook writes it, for the tests
    torch: tuple[str, tuple] = ("", ())  # the torch.nn module and its settings: ("LeakyReLU", (("negative_slope", 0.01),))
    code: Optional[int] = None  # its number in the compiled loops (engine/compiled/loops.py)

    def __reduce__(self) -> tuple:
        # A registered activation is pickled by its name and comes back as the registry's own
        # entry; one of a user's own, field by field.
        if _REGISTERED.get(self.name) is self:
            return (_registered, (self.name,))
        return (Activation, tuple(getattr(self, f.name) for f in fields(self)))


# Up to this many numbers, a NumPy call costs more than its arithmetic, and SciPy's expit (one
# call) beats the tanh form (four); above it expit, which is not vectorised, is the slower one
# (the measured crossover: docs/performance.md).
ONE_CALL_SIGMOID = 512


@functools.cache
def _expit() -> Callable[[Array], Array]:
    from scipy.special import expit  # on first use: importing scipy.special is slow

    return expit


def sigmoid(z: Array) -> Array:
    r"""S(z) = \frac{1}{1 + e^{-z}} = \tfrac12 (1 + \tanh(z/2)).

    Neither form overflows (e^{-z} alone does for z < -88 in float32) and both keep float32 in
    float32. Small arrays (one output unit, a narrow layer's batch) take SciPy's ``expit``, the
    logistic function in one call; larger ones the tanh form: one transcendental call, then
    three steps in place.
    """
    if z.size <= ONE_CALL_SIGMOID:
        return _expit()(z)
    a = np.multiply(z, 0.5)
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


def sigmoid_derivative(z: Array, a: Array) -> Array:
    r"""S'(z) = S(z)(1 - S(z)) = a(1 - a) <= 1/4, the maximum at z = 0."""
    d = np.subtract(1.0, a)
    d *= a
    return d


def tanh(z: Array) -> Array:
    r"""\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}."""
    return np.tanh(z)


def tanh_derivative(z: Array, a: Array) -> Array:
    r"""\tanh'(z) = 1 - \tanh^2(z) = 1 - a^2 <= 1."""
    return 1.0 - a * a


def relu(z: Array) -> Array:
    r"""\mathrm{relu}(z) = \max(0, z)."""
    return np.maximum(z, 0.0)


def relu_derivative(z: Array, a: Array) -> Array:
    r"""\mathrm{relu}'(z) = 1 if z > 0 else 0 (we take 0 at z = 0, as PyTorch does)."""
    return (z > 0).astype(z.dtype)


LEAKY_SLOPE = 0.01  # the leaky ReLU's slope for z <= 0 (PyTorch's default): the one place it is set


def leaky_relu(z: Array) -> Array:
    r"""\mathrm{leaky}(z) = z if z > 0 else s z (s = LEAKY_SLOPE = 0.01)."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z: Array, a: Array) -> Array:
    r"""\mathrm{leaky}'(z) = 1 if z > 0 else s."""
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)


def softsign(z: Array) -> Array:
    r"""\mathrm{softsign}(z) = \frac{z}{1 + |z|}."""
    return z / (1.0 + np.abs(z))


def softsign_derivative(z: Array, a: Array) -> Array:
    r"""\mathrm{softsign}'(z) = \frac{1}{(1 + |z|)^2} = (1 - |a|)^2 <= 1."""
    d = 1.0 - np.abs(a)
    d *= d
    return d


def softplus(z: Array) -> Array:
    r"""\mathrm{softplus}(z) = \ln(1 + e^{z}), a smooth ReLU, as \max(z, 0) + \ln(1 + e^{-|z|}), which
    never overflows (NumPy's ``logaddexp(0, z)``)."""
    return np.logaddexp(0.0, z)


def softplus_derivative(z: Array, a: Array) -> Array:
    r"""\mathrm{softplus}'(z) = S(z) = 1 - e^{-a} < 1: from e^{a} = 1 + e^{z}, S(z) = e^{z}/(1 + e^{z})
    = (e^{a} - 1)/e^{a}. Written -expm1(-a), exact for the tiny a of a very negative z."""
    return -np.expm1(-a)


def identity(z: Array) -> Array:
    r"""f(z) = z."""
    return z.copy()


def identity_derivative(z: Array, a: Array) -> Array:
    r"""f'(z) = 1."""
    return np.ones_like(z)


def softmax(z: Array) -> Array:
    r"""\mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, computed as e^{z_k - \max z}
    so it never overflows. Row i of a batch is one sample."""
    e = np.subtract(z, z.max(axis=1, keepdims=True))
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


def _softmax_derivative(z: Array, a: Array) -> Array:
    raise NNMathError("softmax is only used as the output with cross-entropy, where δ = ŷ - y")


# The registry. Codes 0..6 are the compiled loops' branches; an entry without a code trains with
# the NumPy engine only. The textbook forms are the plain definitions, independent of f above.
ACTIVATIONS: dict[str, Activation] = {e.name: e for e in (
    Activation("sigmoid", sigmoid, sigmoid_derivative, bound=0.25, symbol="S",
               slope=r"S({z})\,(1 - S({z}))", slope_numbers=r"@ \cdot (1 - @)", slope_inputs=("a", "a"),
               textbook=lambda z: 1 / (1 + np.exp(-z)), torch=("Sigmoid", ()), code=1),
    Activation("tanh", tanh, tanh_derivative, bound=1.0, symbol=r"\tanh",
               slope=r"1 - \tanh^{2}({z})", slope_numbers=r"1 - (@)^{2}", slope_inputs=("a",),
               textbook=lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), torch=("Tanh", ()), code=2),
    Activation("relu", relu, relu_derivative, bound=1.0, symbol=r"\mathrm{relu}",
               slope=r"[{z} > 0]", slope_numbers=r"[@ > 0]", slope_inputs=("z",),
               textbook=lambda z: np.where(z > 0, z, 0.0), torch=("ReLU", ()), code=3),
    Activation("leaky_relu", leaky_relu, leaky_relu_derivative, bound=1.0, symbol=r"\mathrm{leaky}",
               slope=rf"(1 \text{{ if }} {{z}} > 0 \text{{ else }} {LEAKY_SLOPE:g})",
               slope_numbers=rf"(1 \text{{ if }} @ > 0 \text{{ else }} {LEAKY_SLOPE:g})", slope_inputs=("z",),
               textbook=lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
               torch=("LeakyReLU", (("negative_slope", LEAKY_SLOPE),)), code=4),
    Activation("softsign", softsign, softsign_derivative, bound=1.0, symbol=r"\mathrm{softsign}",
               slope=r"\frac{1}{(1 + |{z}|)^{2}}", slope_numbers=r"\frac{1}{(1 + |@|)^{2}}", slope_inputs=("z",),
               textbook=lambda z: z / (1 + np.abs(z)), torch=("Softsign", ()), code=5),
    Activation("softplus", softplus, softplus_derivative, bound=1.0, symbol=r"\mathrm{softplus}",
               slope=r"S({z}) = 1 - e^{-\mathrm{softplus}({z})}", slope_numbers=r"1 - e^{-@}", slope_inputs=("a",),
               textbook=lambda z: np.log(1 + np.exp(z)), torch=("Softplus", (("beta", 1.0), ("threshold", 20.0)))),
    Activation("identity", identity, identity_derivative, bound=1.0, symbol=r"\mathrm{id}",
               textbook=lambda z: z, torch=("Identity", ()), code=0),
)}
# The softmax output: its derivative is a Jacobian, never formed; it only appears paired with
# cross-entropy, where the output delta is simply ŷ - y (see engine/losses.py).
SOFTMAX = Activation("softmax", softmax, _softmax_derivative, 1.0, r"\mathrm{softmax}",
                     torch=("Softmax", (("dim", 1),)), code=6)
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "identity")
_REGISTERED = {**ACTIVATIONS, "softmax": SOFTMAX}


def _registered(name: str) -> Activation:
    return _REGISTERED[name]


def get(name: "str | Activation") -> Activation:
    """The Activation called ``name``; a clear error lists the valid names."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise NNMathError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None
