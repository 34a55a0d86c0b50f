r"""Gradient checking: backpropagation against central finite differences.

For each parameter entry θ:

    ∂E/∂θ ≈ \frac{E(θ + ε) - E(θ - ε)}{2ε}

whose error is O(ε²) (plus rounding of order machine-ε · E / ε). The check reports, per
parameter array, the largest difference between backprop and the finite difference, relative
to the largest gradient entry of that array:

    \mathrm{rel} = \frac{\max_i |g_i - \tilde g_i|}{\max(\max_i |g_i|, \max_i |\tilde g_i|)}

which stays meaningful when single entries are close to zero.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np
from numpy.typing import ArrayLike

from nnmath.engine.inputs import check_eps
from nnmath.errors import NNMathError, is_whole_number

if TYPE_CHECKING:
    from nnmath.engine.network import Network

Array = np.ndarray


def _loss(net, X: Array, Y: Array, train: bool) -> float:
    last = net.forward(X, train).layers[-1]
    return net.loss.value(last.z, last.a, Y)


def numerical_gradients(net: "Network", X: ArrayLike, y: ArrayLike, eps: float = 1e-6, train: bool = False,
                        max_entries: Optional[int] = None, seed: int = 0) -> list[tuple[Array, Array]]:
    """Finite-difference gradients, per parameter array in ``net.parameters()`` order.

    Returns (flat indices checked, values) per array; ``max_entries`` checks a random subset of
    that many entries per array (for large networks). ``train=True`` uses batch statistics
    (batch normalisation's training mode); dropout must then be 0 for the check to be exact.
    """
    X, Y = net.check_X(X), net.encode(y)
    rng = np.random.default_rng(seed)
    out = []
    for p in net.parameters():
        flat = p.reshape(-1)  # a view: writing into it perturbs the network
        index = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            index = np.sort(rng.choice(flat.size, max_entries, replace=False))
        values = np.empty(len(index))
        for k, i in enumerate(index):
            saved = flat[i]
            flat[i] = saved + eps
            plus = _loss(net, X, Y, train)
            flat[i] = saved - eps
            minus = _loss(net, X, Y, train)
            flat[i] = saved
            values[k] = (plus - minus) / (2 * eps)
        out.append((index, values))
    return out


@dataclass
class ParameterCheck:
    name: str
    relative_error: float
    max_abs_error: float
    max_gradient: float
    noise: float = 0.0  # the finite difference's own rounding, ~ 100 ε_machine |E| / ε

    def passes(self, tolerance: float) -> bool:
        """Within the relative tolerance, or, for a gradient that is 0 (a bias under batch
        normalisation in training mode), within the finite difference's rounding noise."""
        return self.judged_by(tolerance) != "fail"

    def judged_by(self, tolerance: float) -> str:
        """What decided: "tolerance" (relative error within it), "noise" (above the tolerance, but the
        difference within the finite difference's rounding, so nothing finer can be measured) or "fail"."""
        if self.relative_error <= tolerance:
            return "tolerance"
        return "noise" if self.max_abs_error <= self.noise else "fail"


@dataclass
class GradientCheck:
    rows: list[ParameterCheck]
    tolerance: float

    @property
    def worst(self) -> float:
        return max(r.relative_error for r in self.rows)

    @property
    def passed(self) -> bool:
        return all(r.passes(self.tolerance) for r in self.rows)

    def layer_passed(self, layer: int) -> bool:
        """Whether every array of ``layer`` (1-based) passes."""
        return self.layer_judged_by(layer) != "fail"

    def layer_judged_by(self, layer: int) -> str:
        """"tolerance" when every array of ``layer`` passes by the relative tolerance, "fail" when one
        fails, else "noise": it passed only because its differences are within the rounding noise."""
        verdicts = {r.judged_by(self.tolerance) for r in self.rows if _layer(r.name) == layer}
        return "fail" if "fail" in verdicts else "noise" if "noise" in verdicts else "tolerance"

    def layer_noise(self, layer: int) -> tuple[float, float]:
        """The largest |g - g̃| of ``layer`` and the rounding noise it is judged against."""
        rows = [r for r in self.rows if _layer(r.name) == layer]
        return max(r.max_abs_error for r in rows), min(r.noise for r in rows)

    def per_layer(self) -> dict[int, float]:
        """Worst relative error of each layer (1-based, as in W1, b1)."""
        worst: dict[int, float] = {}
        for r in self.rows:
            worst[_layer(r.name)] = max(worst.get(_layer(r.name), 0.0), r.relative_error)
        return worst


def _layer(name: str) -> int:
    """The layer of a parameter array's name: 2 for W2, b2, gamma2."""
    return int("".join(ch for ch in name if ch.isdigit()))


def check_gradients(net: "Network", X: ArrayLike, y: ArrayLike, eps: float = 1e-6, tolerance: float = 1e-6,
                    train: bool = False, max_entries: Optional[int] = None) -> GradientCheck:
    r"""Compare ``net.gradients`` with central finite differences (E(θ+ε) - E(θ-ε)) / 2ε.

    The check runs on a float64 copy of the network: in float32 the rounding error of E, about
    1e-7 · E, divided by ε would swamp the difference it measures.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_0)
    y : array-like of shape (m,) or (m, n_L)
    eps : float
        ε, the finite-difference step.
    tolerance : float
        The largest relative error that passes.
    train : bool
        Check the training-mode gradient (batch statistics); dropout must then be 0.
    max_entries : int, optional
        Check that many random entries of each parameter array (default: all).

    Returns
    -------
    GradientCheck
        Per parameter array (W1, b1, ...): max_i |g_i - g̃_i| / max(max|g|, max|g̃|);
        ``.passed``, ``.worst`` and ``.per_layer()``. An array passes within ``tolerance``, or
        when its largest difference is below the finite difference's own rounding noise
        (~100 ε_machine |E| / ε): a gradient that is exactly 0, as a bias's under batch
        normalisation in training mode, has no relative error to speak of.
    """
    if train and any(layer.dropout for layer in net.layers):
        raise NNMathError("check_gradients(train=True) needs dropout 0: each evaluation of E would draw new "
                          "masks, so the finite differences would not measure the same function")
    check_eps(eps)
    if max_entries is not None and not (is_whole_number(max_entries) and max_entries >= 1):
        raise NNMathError(f"max_entries must be a whole number of at least 1, got {max_entries!r}")
    if net.dtype != np.float64:
        net = copy.deepcopy(net).astype(np.float64)
    gradients = net.gradients(X, y, train=train)
    analytic = gradients.parameters()
    numeric = numerical_gradients(net, X, y, eps=eps, train=train, max_entries=max_entries)
    noise = 100 * np.finfo(np.float64).eps * max(1.0, abs(gradients.loss)) / eps
    rows = []
    for name, g, (index, fd) in zip(net.parameter_names(), analytic, numeric):
        g = g.reshape(-1)[index].astype(np.float64)
        scale = max(float(np.max(np.abs(g), initial=0.0)), float(np.max(np.abs(fd), initial=0.0)))
        diff = float(np.max(np.abs(g - fd), initial=0.0))
        rows.append(ParameterCheck(name, diff / scale if scale > 0 else diff, diff, scale, noise))
    return GradientCheck(rows, tolerance)
