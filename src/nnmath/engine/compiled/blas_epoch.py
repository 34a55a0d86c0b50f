r"""One epoch of a network with large matrix products: NumPy's BLAS for the products, compiled
kernels for everything between them (engine/compiled/kernels.py), a step at a time from Python.

The equations are those of engine/compiled/loops.py, with δ kept divided by m (kernels.py says why):

    z^l = a^{l-1} W^l + b^l,   a^l = f(z^l)
    δ^L/m = (ŷ - y)/m,   ∂E/∂W^l = (a^{l-1})^T (δ^l/m),   ∂E/∂b^l = Σ_i δ^l_i/m
    δ^{l-1}/m = (δ^l/m (W^l)^T) ⊙ f'(z^{l-1})
    θ ← the optimizer's step on g = ∂E/∂θ (+ λW, clipped), as loops.py takes it

Why a second form: in a layer of 128 x 784 x 256 multiply-adds a step spends ~90% of its time in
the products, which NumPy's BLAS runs on both cores, and Numba's np.dot (which the whole-epoch loops
call) reaches only SciPy's copy of BLAS. Called from Python, the products are NumPy's, written
straight into the work arrays and into the views of ∂E/∂θ (no temporaries), and the rest is 2L + 1
kernel calls a step for L layers (7 for W1) instead of the NumPy engine's ~40 calls
(docs/performance.md, issue 17).

Indexing: ``l = 0`` is the seed's layer 1, as in ``net.layers``; θ is laid out as in engine/parameters.py.
"""
from __future__ import annotations

import math

import numpy as np

from nnmath.engine.compiled import kernels, loops
from nnmath.engine.compiled.codes import ACTIVATION_CODES, LOSS_CODES, PLAIN_SGD

Array = np.ndarray


def epoch(theta, grad, sizes, codes, loss, cancels, kind, X, Y, order, B, lr, norms_W, norms_b,
          rule, hyper, state_1, state_2, t_0, decay, clip) -> tuple[float, int, int]:
    """Steps over the rows ``order`` of (X, Y), B at a time, with the arguments and the result of
    loops.epoch: returns (Σ_i E_i, right decisions, steps taken) and adds each step's
    ‖∂E/∂W^l‖, ‖∂E/∂b^l‖ to norms_W[l], norms_b[l]; stops at a step whose gradient is not finite,
    which is not counted. Plain SGD without weight decay or clipping updates θ in the same pass that
    finds the norms (one read of ∂E/∂θ less: 3.5% of a W1 step, docs/performance.md), so there θ has
    taken that step; fit and the playground restore the epoch's start on a short count either way."""
    L, dtype = len(codes), theta.dtype
    if any(code not in ACTIVATION_CODES for code in codes):  # as loops.epoch refuses them: the kernels have no branch
        raise ValueError("the compiled kernels have no branch for this activation code")
    if loss not in LOSS_CODES:
        raise ValueError("the compiled kernels have no branch for this loss code")
    Ws, bs = _layers(theta, sizes)
    grad_Ws, grad_bs = _layers(grad, sizes)
    work = [[np.empty((B, n), dtype) for n in sizes[1:]] for _ in range(4)]  # z^l, a^l, δ^l/m, the sigmoid's scratch
    rows = {}  # m -> the first m rows of each work array (B for every batch but perhaps the last)
    in_order = len(order) > 0 and bool(np.array_equal(order, np.arange(order[0], order[0] + len(order))))
    if not in_order:  # a batch's rows of X and Y are gathered here
        rows_X, rows_Y = np.empty((B, sizes[0]), X.dtype), np.empty((B, sizes[L]), Y.dtype)
    loss_sum, correct, steps = 0.0, 0, 0
    for start in range(0, len(order), B):
        m = min(B, len(order) - start)
        if in_order:  # rows in order: the batch is a view of X
            first = order[0] + start
            a_0, y = X[first:first + m], Y[first:first + m]
        else:
            # mode="clip": the rows are valid, and the default mode="raise" writes through a temporary
            a_0, y = np.take(X, order[start:start + m], axis=0, out=rows_X[:m], mode="clip"), rows_Y[:m]
            np.take(Y, order[start:start + m], axis=0, out=y, mode="clip")
        if m not in rows:
            rows[m] = [[w[:m] for w in arrays] for arrays in work]
        zs, acts, deltas, scratch = rows[m]  # layer l's at index l - 1, as in net.layers
        # Forward: z^l = a^{l-1} W^l + b^l, a^l = f(z^l).
        a_prev = a_0
        for l in range(L):
            np.matmul(a_prev, Ws[l], out=zs[l])
            kernels.forward_layer(codes[l], zs[l], bs[l], acts[l], scratch[l])
            a_prev = acts[l]
        errors, right = kernels.output_delta(loss, cancels, codes[L - 1], kind, zs[L - 1], acts[L - 1], y,
                                             deltas[L - 1], grad_bs[L - 1])
        loss_sum += float(errors)
        correct += int(right)
        # Backward: ∂E/∂W^l = (a^{l-1})^T (δ^l/m), then δ^{l-1}/m = (δ^l/m (W^l)^T) ⊙ f'(z^{l-1}).
        for l in range(L - 1, -1, -1):
            a_prev = acts[l - 1] if l > 0 else a_0
            np.matmul(a_prev.T, deltas[l], out=grad_Ws[l])
            if l > 0:
                np.matmul(deltas[l], Ws[l].T, out=deltas[l - 1])
                kernels.hidden_delta(codes[l - 1], zs[l - 1], a_prev, deltas[l - 1], grad_bs[l - 1])
        # The data term's norms (weight decay and clipping change the step only), added to the epoch's.
        if rule == PLAIN_SGD and not decay and not clip:  # θ ← θ - α g in the same pass over g as its norms
            if not math.isfinite(kernels.sgd_step_adding_norms(theta, grad, sizes, lr, norms_W, norms_b)):
                return loss_sum, correct, steps  # a NaN or infinite gradient: stop after the step
            steps += 1
            continue
        if not math.isfinite(kernels.add_layer_norms(grad, sizes, norms_W, norms_b)):
            return loss_sum, correct, steps  # a NaN or infinite gradient: stop before the step
        if decay:
            loops._add_weight_decay(theta, grad, sizes, decay)
        if clip > 0:
            loops._clip(grad, clip)
        loops._step(rule, hyper, theta, grad, lr, state_1, state_2, t_0 + steps + 1)
        steps += 1
    return loss_sum, correct, steps


def _layers(flat: Array, sizes: Array) -> tuple[list[Array], list[Array]]:
    """The views W^l (n_{l-1} x n_l) and b^l of an array laid out like θ."""
    Ws, bs, p = [], [], 0
    for n_in, n in zip(sizes[:-1], sizes[1:]):
        Ws.append(flat[p:p + n_in * n].reshape(n_in, n))
        bs.append(flat[p + n_in * n:p + n_in * n + n])
        p += n_in * n + n
    return Ws, bs
