r"""When and how ``fit`` trains an epoch with the compiled loops (compiled_loops.py).

In a small network (the seed's [30, 16, 1], mini-batch 32) a step is about 50,000 multiply-adds,
a few microseconds of arithmetic, and the NumPy engine spends most of each step entering its
~40 NumPy calls. compiled_loops.py writes the same equations as one loop over the epoch's steps,
compiled by Numba, so nothing is entered per step. Large layers stay with the NumPy engine: their
time is in the matrix products, which both paths hand to BLAS, and the engine's per-step cost is
small beside them. ``SMALL_PRODUCT`` draws the line (docs/performance.md). The
History is the same either way (tests/test_compiled_epoch.py holds the two paths together).

Only the plain case is compiled: dense layers without batch normalisation, dropout or skip
connections, the built-in activations, plain SGD without weight decay or clipping. Everything
else, and every trace, derivation and gradient check, runs the NumPy engine.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from . import activations, optimizers

Array = np.ndarray

# The most multiply-adds B n_{l-1} n_l a layer's product may take for the compiled epoch: above
# it, NumPy's engine multiplies on both cores and wins (measured crossover, docs/performance.md).
SMALL_PRODUCT = 1 << 21

IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU, SOFTSIGN, SOFTMAX = range(7)
CODES = {"identity": IDENTITY, "sigmoid": SIGMOID, "tanh": TANH, "relu": RELU,
         "leaky_relu": LEAKY_RELU, "softsign": SOFTSIGN, "softmax": SOFTMAX}
BINARY_CE, CATEGORICAL_CE, SQUARED = range(3)
LOSSES = {"binary_cross_entropy": BINARY_CE, "categorical_cross_entropy": CATEGORICAL_CE,
          "mean_squared_error": SQUARED}
KINDS = {"binary": 0, "multiclass": 1, "multilabel": 2, "regression": 3}


def applies(net: Any, opt: Any, batch_size: int, weight_decay: float, clip_norm: Any) -> bool:
    """Whether ``fit`` takes this compiled epoch: plain dense layers with built-in activations,
    plain SGD without weight decay or clipping, and every product small enough for one thread."""
    if type(opt) is not optimizers.SGD or weight_decay or clip_norm is not None:
        return False
    for layer in net.layers:
        builtin = activations.ACTIVATIONS.get(layer.f.name) is layer.f or layer.f is activations.SOFTMAX
        if (layer.bn is not None or layer.dropout or layer.residual or not builtin
                or batch_size * layer.n_in * layer.n_out > SMALL_PRODUCT):
            return False
    return net.loss.name in LOSSES


def run(net: Any, X: Array, Y: Array, order: Array, batch_size: int, lr: float) -> tuple[float, int, int, Array, Array]:
    """Train one epoch on the rows ``order`` of (X, Y), ``batch_size`` rows a step.

    Returns (Σ_i E_i, right decisions, steps, Σ_steps ‖∂E/∂W^l‖, Σ_steps ‖∂E/∂b^l‖); the step
    count falls short of the batches when a gradient was not finite (that step is not taken).
    """
    from .compiled_loops import epoch  # imports Numba (~0.5 s), on the first compiled fit only

    theta = net.flat_parameters()
    sizes = np.array(net.sizes, dtype=np.int64)
    codes = np.array([CODES[layer.f.name] for layer in net.layers], dtype=np.int64)
    norms_W, norms_b = np.zeros(len(net.layers)), np.zeros(len(net.layers))
    loss_sum, correct, steps = epoch(
        theta, np.empty_like(theta), sizes, codes, LOSSES[net.loss.name], net.loss.cancels_derivative,
        KINDS[net.kind], X, Y, order, batch_size, theta.dtype.type(lr), norms_W, norms_b)
    return loss_sum, correct, steps, norms_W, norms_b




@functools.cache
def _blas_libraries() -> Any:
    import scipy.linalg.cython_blas  # noqa: F401  the BLAS Numba calls: loaded first, so that it is found
    from threadpoolctl import ThreadpoolController  # finding the loaded BLAS libraries takes ~4 ms: once

    return ThreadpoolController().select(user_api="blas")


def blas_on_one_thread() -> Any:
    """A context in which every loaded BLAS runs on one thread; fit trains in it when it takes the
    compiled epoch (callbacks included), and the user's thread counts come back at its end.

    Numba's np.dot calls SciPy's copy of OpenBLAS. Its threads and those of NumPy's copy, still
    spinning after NumPy's last product, would fight over the cores (a fit of [128, 128, 10] with
    a validation set ran 2.4x slower); on one thread, the compiled loops never wake them.
    """
    return _blas_libraries().limit(limits=1)
