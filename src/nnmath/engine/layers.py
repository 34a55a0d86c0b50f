r"""A layer l of the network, written as the seed writes it.

Forward (rows are samples, so the weighted sum is a^{l-1} W^l rather than W^l a^{l-1}):

    z^l = a^{l-1} W^l + b^l, \qquad a^l = f(z^l)

with W^l of shape (n_{l-1}, n_l): W^l[j, k] is the weight from unit j of layer l-1 to unit k
of layer l. Two remedies for the vanishing gradient slot in without changing that shape:
batch normalisation between z and f (a = f(BN(z)), see engine/batchnorm.py) and a residual (skip)
connection for layers of equal width (a^l = f(z^l) + a^{l-1}). Dropout, during training only,
zeroes each unit of f(z) with probability p and scales the rest by 1/(1-p).

Backward (this layer's ``gradients`` writes the second line, Network.backward the first and the last), given
the error that reaches this layer's output, ∂E_i/∂a^l_i (row i per sample):

    δ^l = ∂E/∂a^l ⊙ f'(z^l)                                   (the chain rule through f)
    ∂E/∂W^l = (a^{l-1})^T δ^l / m, \qquad ∂E/∂b^l = \frac1m \sum_i δ^l_i
    ∂E/∂a^{l-1} = δ^l (W^l)^T  [+ ∂E/∂a^l through the skip connection]

so δ^l = (δ^{l+1} (W^{l+1})^T) ⊙ f'(z^l): the backpropagation equation. Every layer the error
crosses multiplies it by W^T and by f'(z); that product is the vanishing gradient.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from nnmath.engine.activations import Activation
from nnmath.engine.batchnorm import BatchNorm, BatchNormCache
from nnmath.errors import NNMathError

Array = np.ndarray


SMALL_PRODUCT = 1 << 16  # multiply-adds below which a product's cost is the call, not the arithmetic


def product(A: Array, B: Array, out: Optional[Array] = None) -> Array:
    """The matrix product A B of two 2-D arrays: np.dot for small ones, A @ B for large ones.

    Both compute the same sums. np.dot costs less to call and hands outer products (inner size 1:
    one sample's ∂E/∂W = a^T δ, one output unit's δ W^T) to BLAS, where np.matmul runs a plain
    loop; on large products with a transposed operand (a^T δ), @ is the faster. The timings, and
    where this acts (small networks of the NumPy engine, never W1's shapes): docs/performance.md.
    """
    if A.shape[1] == 1 or A.shape[0] * A.shape[1] * B.shape[1] < SMALL_PRODUCT:
        return np.dot(A, B, out=out)
    return np.matmul(A, B, out=out)


@dataclass
class LayerTrace:
    """What the forward pass keeps of one layer for the backward pass and for the reader."""

    a_prev: Array  # a^{l-1}, the layer's input
    z: Array  # z^l = a^{l-1} W^l + b^l
    a: Array  # a^l, the layer's output
    u: Array  # what f was applied to: z^l, or BN(z^l) with batch normalisation
    h: Array  # f(u) before dropout and the skip connection (f'(u) is written in terms of it)
    mask: Optional[Array] = None  # dropout's kept units, scaled by 1/(1-p)
    bn: Optional[BatchNormCache] = None


@dataclass
class LayerGradients:
    """∂E/∂θ for each parameter θ of one layer, and the layer's delta δ^l = ∂E_i/∂z^l_i."""

    W: Array
    b: Array
    delta: Array
    gamma: Optional[Array] = None
    beta: Optional[Array] = None


def _same_shape(name: str, value: Array, old: Optional[Array]) -> Array:
    """``value`` as an array (integers in the replaced array's dtype), refused unless it has its shape."""
    value = np.asarray(value)
    if old is not None and value.dtype.kind != "f":
        value = value.astype(old.dtype)
    if old is not None and value.shape != old.shape:
        raise NNMathError(f"{name} must keep its shape {old.shape}, got {value.shape}")
    return value


class Dense:
    """Layer l: weights W^l, biases b^l, activation f, and optional remedies."""

    def __init__(self, W: Array, b: Array, activation: Activation, *, batchnorm: bool = False,
                 residual: bool = False, dropout: float = 0.0):
        self.W = W
        self.b = b
        self.f = activation
        self.bn = BatchNorm(W.shape[1], dtype=W.dtype) if batchnorm else None
        if residual and W.shape[0] != W.shape[1]:
            raise ValueError(f"a residual layer needs equal widths, got {W.shape[0]} -> {W.shape[1]}")
        self.residual = residual
        self.dropout = dropout

    # W and b may be replaced (layer.W = ...), but only by arrays of the same shape: the layer's
    # sizes, θ's layout and the compiled loops all read them from the network's sizes.
    @property
    def W(self) -> Array:
        return self._W

    @W.setter
    def W(self, value: Array) -> None:
        self._W = _same_shape("W", value, getattr(self, "_W", None))

    @property
    def b(self) -> Array:
        return self._b

    @b.setter
    def b(self, value: Array) -> None:
        self._b = _same_shape("b", value, getattr(self, "_b", None))

    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        return self.W.shape[1]

    def parameter_names(self) -> list[str]:
        return ["W", "b"] + (["gamma", "beta"] if self.bn is not None else [])

    def parameters(self) -> list[Array]:
        """The arrays training updates in place, in the order of parameter_names()."""
        if self.bn is None:
            return [self.W, self.b]
        return [self.W, self.b, self.bn.gamma, self.bn.beta]

    def forward(self, a_prev: Array, train: bool = False, rng: Optional[np.random.Generator] = None) -> LayerTrace:
        """z^l = a^{l-1} W^l + b^l and a^l = f(z^l)."""
        z = product(a_prev, self.W)
        z += self.b
        u, bn_cache = (z, None) if self.bn is None else self.bn.forward(z, train)
        h = self.f.f(u)
        a, mask = h, None
        if train and self.dropout > 0.0:
            rng = rng if rng is not None else np.random.default_rng()
            keep = 1.0 - self.dropout
            mask = (rng.random(h.shape) < keep).astype(h.dtype) / h.dtype.type(keep)
            a = h * mask
        if self.residual:
            a = a + a_prev
        return LayerTrace(a_prev, z, a, u, h, mask, bn_cache)

    def gradients(self, delta: Array, trace: LayerTrace, d_gamma=None, d_beta=None,
                  out: Optional[Sequence[Array]] = None) -> LayerGradients:
        """∂E/∂W^l = (a^{l-1})^T δ^l / m and ∂E/∂b^l = mean over samples of δ^l.

        ``out``: the arrays to write ∂E/∂W^l, ∂E/∂b^l (∂E/∂γ^l, ∂E/∂β^l) into, the layer's
        pieces of the flat gradient ∂E/∂θ; new arrays when None.
        """
        # The 1/m goes on δ (m x n_l numbers) rather than on ∂E/∂W (n_{l-1} x n_l, often far more):
        # ∂E/∂W^l = (a^{l-1})^T (δ^l / m) and ∂E/∂b^l = Σ_i δ^l_i / m.
        delta_over_m = delta * (1.0 / delta.shape[0])
        dW = product(trace.a_prev.T, delta_over_m, out[0] if out else None)
        db = np.add.reduce(delta_over_m, axis=0, out=out[1] if out else None)  # Σ_i δ_i / m (the ufunc method skips ndarray.sum's Python wrapper)
        if d_gamma is not None and out:
            out[2][...], out[3][...] = d_gamma, d_beta
            d_gamma, d_beta = out[2], out[3]
        return LayerGradients(dW, db, delta, d_gamma, d_beta)
