r"""The element-wise work of one step, between its matrix products, as compiled kernels.

engine/compiled/blas_epoch.py calls these from Python, a step at a time, and leaves the products
to NumPy (its BLAS, on all the cores). Each kernel is one pass, or two over numbers still in
cache, where the NumPy engine takes several calls (z + b, then the sigmoid's four, for one layer):

    forward_layer    z^l ← z^l + b^l,  a^l = f(z^l)                 (z^l holds a^{l-1} W^l)
    output_delta     δ^L/m = (ŷ - y)/m  (⊙ f'(z^L) where the loss does not cancel it),
                     ∂E/∂b^L = Σ_i δ^L_i / m,  Σ_i E_i,  right decisions
    hidden_delta     δ^{l-1}/m = (δ^l/m (W^l)^T) ⊙ f'(z^{l-1}),  ∂E/∂b^{l-1} = Σ_i δ^{l-1}_i / m
    add_layer_norms  ‖∂E/∂W^l‖, ‖∂E/∂b^l‖ of every layer, added to the epoch's sums
    sgd_step_adding_norms   the same norms and plain SGD's θ ← θ - α ∂E/∂θ in one pass over ∂E/∂θ

δ is kept divided by m from the output on: every later δ, ∂E/∂W and ∂E/∂b is linear in it, so
(a^{l-1})^T (δ^l/m) is ∂E/∂W^l itself and no pass divides a gradient by m.
The functions of each activation and loss are those of engine/compiled/loops.py, which the
whole-epoch loops use too, so both forms of the compiled epoch compute the same numbers.
"""
import math

import numpy as np
from numba import njit

from nnmath.engine.compiled.loops import _activate, _count_correct, _error_sum, _sum_of_squares, _times_derivative

_jit = njit(cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")


@_jit
def forward_layer(code, z, b, a, scratch):
    """z ← z + b, a = f(z): z holds the product a^{l-1} W^l (m x n), b is b^l; ``scratch`` is like z."""
    for i in range(z.shape[0]):
        z_i = z[i]
        for j in range(len(b)):
            z_i[j] += b[j]
    _activate(code, z, a, scratch)


@_jit
def output_delta(loss, cancels, code, kind, z, y_hat, y, delta, grad_b):
    """δ^L/m into ``delta`` and ∂E/∂b^L into ``grad_b``; returns (Σ_i E_i, right decisions).

    δ^L = ŷ - y: cross-entropy's ∂E/∂ŷ cancels the output's f'(z^L) (engine/losses.py); squared
    error behind a squashing output keeps it (``cancels`` false)."""
    errors = z.dtype.type(_error_sum(loss, z, y_hat, y))  # in the network's dtype, as the engine adds them
    right = _count_correct(kind, y_hat, y)
    for i in range(delta.shape[0]):
        for j in range(delta.shape[1]):
            delta[i, j] = y_hat[i, j] - y[i, j]
    if not cancels:
        _times_derivative(code, z, y_hat, delta)
    _divide_and_sum(delta, grad_b)
    return errors, right


@_jit
def hidden_delta(code, z, a, delta, grad_b):
    """``delta`` holds δ^l/m (W^l)^T: times f'(z^{l-1}) (from z or a = f(z)) it becomes δ^{l-1}/m;
    ∂E/∂b^{l-1} = Σ_i δ^{l-1}_i / m into ``grad_b``."""
    _times_derivative(code, z, a, delta)
    grad_b[:] = 0
    for i in range(delta.shape[0]):
        delta_i = delta[i]
        for j in range(len(grad_b)):
            grad_b[j] += delta_i[j]


@_jit
def _divide_and_sum(delta, grad_b):
    """δ ← δ/m (m = its rows; 1/m in the network's dtype, so the loop runs in float32 lanes) and
    grad_b = Σ_i δ_i."""
    over_m = delta.dtype.type(1.0 / delta.shape[0])
    grad_b[:] = 0
    for i in range(delta.shape[0]):
        delta_i = delta[i]
        for j in range(len(grad_b)):
            delta_i[j] *= over_m
            grad_b[j] += delta_i[j]


@_jit
def add_layer_norms(grad, sizes, norms_W, norms_b):
    """Adds ‖∂E/∂W^l‖ and ‖∂E/∂b^l‖ of θ's layout (W¹, b¹, W², ...) to norms_W[l], norms_b[l]
    (as the loops do, before they look at them); returns Σ_l ‖∂E/∂W^l‖, ∞ or NaN where the step's
    gradient is not finite."""
    p, total = 0, 0.0
    for l in range(len(sizes) - 1):
        n_W, n = sizes[l] * sizes[l + 1], sizes[l + 1]
        norm_W = math.sqrt(_sum_of_squares(grad[p:p + n_W]))
        norms_W[l] += norm_W
        norms_b[l] += math.sqrt(_sum_of_squares(grad[p + n_W:p + n_W + n]))
        total += norm_W
        p += n_W + n
    return total


@_jit
def sgd_step_adding_norms(theta, grad, sizes, lr, norms_W, norms_b):
    """θ ← θ - lr ∂E/∂θ and, in the same pass over ∂E/∂θ, what ``add_layer_norms`` adds and returns."""
    p, total = 0, 0.0
    for l in range(len(sizes) - 1):
        n_W, n = sizes[l] * sizes[l + 1], sizes[l + 1]
        norm_W = math.sqrt(_step_adding_squares(theta[p:p + n_W], grad[p:p + n_W], lr))
        norms_W[l] += norm_W
        norms_b[l] += math.sqrt(_step_adding_squares(theta[p + n_W:p + n_W + n], grad[p + n_W:p + n_W + n], lr))
        total += norm_W
        p += n_W + n
    return total


@_jit
def _step_adding_squares(theta, g, lr):
    """θ ← θ - lr g; returns Σ g², added in float64 and returned in g's dtype (as _sum_of_squares)."""
    total = 0.0
    for q in range(len(theta)):
        x = g[q]
        theta[q] -= lr * x
        x64 = np.float64(x)
        total += x64 * x64
    return g.dtype.type(total)
