r"""One epoch of mini-batch gradient descent on a plain dense network, as loops compiled by Numba.

The equations are those of engine/layers.py, engine/network.py and engine/losses.py, for a batch of m rows:

    z^l = a^{l-1} W^l + b^l,   a^l = f(z^l)                     (a^0 = the batch of X)
    δ^L = ŷ - y                (times f'(z^L) when the loss does not cancel it)
    ∂E/∂W^l = (a^{l-1})^T δ^l / m,   ∂E/∂b^l = Σ_i δ^l_i / m
    δ^{l-1} = (δ^l (W^l)^T) ⊙ f'(z^{l-1})
    θ ← θ - α ∂E/∂θ                 (or the momentum, Nesterov or Adam step of engine/optimizers.py,
                                     after weight decay and clipping as engine/step.py applies them)

The matrix products are ``np.dot``, which Numba hands to BLAS; everything else is a loop over
the rows i and units j. engine/compiled/epoch.py says when ``fit`` comes here.

Indexing: layers count from 0 here (``l = 0`` is the seed's layer 1), as in ``net.layers``; θ
and ∂E/∂θ are laid out as in engine/parameters.py: W¹ (n_0 x n_1, row by row), b¹, W², b², ...
"""
import math

import numpy as np
from numba import njit

from nnmath.engine.compiled.codes import (ACTIVATION_CODES, ADAM, BINARY_CE, CATEGORICAL_CE, IDENTITY,
                                          LEAKY_RELU, LEAKY_SLOPE, LOSS_CODES, MULTICLASS, NESTEROV,
                                          PLAIN_SGD, REGRESSION, RELU, SIGMOID, SOFTMAX, SOFTSIGN, TANH)
from nnmath.engine.compiled.sigmoid import sigmoid, softmax

# 'reassoc' lets LLVM add a sum's terms in vector lanes; NaN and ∞ keep their meaning (no
# 'nnan' or 'ninf'), so a diverging step is still seen. error_model="numpy": x / 0 gives ±∞ or NaN
# as in NumPy, where Python's model would test every division and raise (and keep Adam's step
# from being vectorised; docs/performance.md). cache: the compiled code is kept on disk.
_jit = njit(cache=True, fastmath={"reassoc", "contract"}, error_model="numpy")


@_jit
def epoch(theta, grad, sizes, codes, loss, cancels, kind, X, Y, order, B, lr, norms_W, norms_b,
          rule, hyper, state_1, state_2, t_0, decay, clip):
    """Steps over the rows ``order`` of (X, Y), B at a time; returns (Σ_i E_i, right decisions,
    steps taken) and adds each step's ‖∂E/∂W^l‖, ‖∂E/∂b^l‖ to norms_W[l], norms_b[l].

    The step: ``rule`` and its ``hyper``-parameters, state arrays laid out like θ (momentum's v;
    Adam's m and s) and Adam's step count t_0 before the epoch; λ = ``decay``; ``clip``: the
    largest norm of the whole step's gradient (0: no clipping)."""
    L = len(codes)
    for code in codes:
        if code not in ACTIVATION_CODES:
            raise ValueError("the compiled loops have no branch for this activation code")
    if loss not in LOSS_CODES:
        raise ValueError("the compiled loops have no branch for this loss code")
    # Work space: z^l, a^l and δ^l of every layer (0 = the input), B rows each, one layer after another.
    width = 0
    for n in sizes:
        width += n
    zs, acts = np.empty(B * width, theta.dtype), np.empty(B * width, theta.dtype)
    deltas, delta_over_m = np.empty(B * width, theta.dtype), np.empty(B * width, theta.dtype)
    scratch = np.empty(B * width, theta.dtype)  # the sigmoid's 2^n (compiled/sigmoid.py)
    y = np.empty((B, sizes[L]), theta.dtype)
    loss_sum, correct, steps = 0.0, 0, 0
    for start in range(0, len(order), B):
        m = min(B, len(order) - start)
        # a^0 and y: rows order[start:start + m] of X and Y.
        a_0, y_m = _block(acts, B, 0, m, sizes[0]), y[:m]
        for i in range(m):
            a_0[i, :] = X[order[start + i]]
            y_m[i, :] = Y[order[start + i]]
        # Forward: z^l = a^{l-1} W^l + b^l, a^l = f(z^l).
        at, p = 0, 0  # the column of layer l-1's block; where W^l starts in θ
        for l in range(L):
            n_in, n = sizes[l], sizes[l + 1]
            W, b = theta[p:p + n_in * n].reshape((n_in, n)), theta[p + n_in * n:p + n_in * n + n]
            a_prev = _block(acts, B, at, m, n_in)
            at, p = at + n_in, p + n_in * n + n
            z = _block(zs, B, at, m, n)
            np.dot(a_prev, W, z)
            for i in range(m):
                for j in range(n):
                    z[i, j] += b[j]
            _activate(codes[l], z, _block(acts, B, at, m, n), _block(scratch, B, at, m, n))
        z_L, y_hat = _block(zs, B, at, m, sizes[L]), _block(acts, B, at, m, sizes[L])
        # Σ_i E_i of the batch, in the network's dtype: ∞ where the engine's float32 sum overflows
        loss_sum += z_L.dtype.type(_error_sum(loss, z_L, y_hat, y_m))
        correct += _count_correct(kind, y_hat, y_m)
        # Backward. δ^L = ŷ - y: cross-entropy's ∂E/∂ŷ cancels the output's f'(z^L) (engine/losses.py);
        # squared error behind a squashing output keeps it.
        delta = _block(deltas, B, at, m, sizes[L])
        for i in range(m):
            for j in range(sizes[L]):
                delta[i, j] = y_hat[i, j] - y_m[i, j]
        if not cancels:
            _times_derivative(codes[L - 1], z_L, y_hat, delta)
        step_norms = 0.0
        for l in range(L - 1, -1, -1):
            n_in, n = sizes[l], sizes[l + 1]
            p -= n_in * n + n
            W = theta[p:p + n_in * n].reshape((n_in, n))
            gW, gb = grad[p:p + n_in * n].reshape((n_in, n)), grad[p + n_in * n:p + n_in * n + n]
            # ∂E/∂W^l = (a^{l-1})^T (δ^l / m), ∂E/∂b^l = Σ_i δ^l_i / m
            d_m = _block(delta_over_m, B, at, m, n)
            at -= n_in  # now layer l-1's block
            a_prev = _block(acts, B, at, m, n_in)
            # 1/m in the network's dtype: one / m (an integer m) would be float64 and keep the loop
            # from running in float32 vector lanes (4x slower on W1's 128 x 256 δ).
            over_m = theta.dtype.type(1.0 / m)
            gb[:] = 0
            for i in range(m):
                delta_i, d_m_i = delta[i], d_m[i]
                for j in range(n):
                    d_m_i[j] = delta_i[j] * over_m
                    gb[j] += d_m_i[j]
            np.dot(a_prev.T, d_m, gW)
            norm_W = math.sqrt(_sum_of_squares(grad[p:p + n_in * n]))
            norms_W[l] += norm_W
            norms_b[l] += math.sqrt(_sum_of_squares(gb))
            step_norms += norm_W
            if l > 0:  # δ^{l-1} = (δ^l (W^l)^T) ⊙ f'(z^{l-1})
                back = _block(deltas, B, at, m, n_in)
                np.dot(delta, W.T, back)
                _times_derivative(codes[l - 1], _block(zs, B, at, m, n_in), a_prev, back)
                delta = back
        if not math.isfinite(step_norms):  # a NaN or infinite gradient: stop before the step
            return loss_sum, correct, steps
        # The norms above are the data term's; weight decay and clipping change the step only.
        if decay:
            _add_weight_decay(theta, grad, sizes, decay)
        if clip > 0:
            _clip(grad, clip)
        _step(rule, hyper, theta, grad, lr, state_1, state_2, t_0 + steps + 1)
        steps += 1
    return loss_sum, correct, steps


@_jit
def _add_weight_decay(theta, grad, sizes, decay):
    """∂E/∂W^l += λ W^l for every layer (biases are not decayed)."""
    lam, p = theta.dtype.type(decay), 0
    for l in range(len(sizes) - 1):
        n_W = sizes[l] * sizes[l + 1]
        for q in range(p, p + n_W):
            grad[q] += lam * theta[q]
        p += n_W + sizes[l + 1]


@_jit
def _clip(g, clip):
    """g ← g · clip / ‖g‖ when the whole gradient's norm ‖g‖ exceeds ``clip``."""
    norm = math.sqrt(_sum_of_squares(g))
    if norm > clip:
        scale = g.dtype.type(clip / norm)
        for q in range(len(g)):
            g[q] *= scale


@_jit
def _step(rule, hyper, theta, g, lr, v, s, t):
    """The optimizer's step, as engine/optimizers.py writes it:
    sgd θ ← θ - α g; momentum v ← μ v + g, θ ← θ - α v; nesterov θ ← θ - α (g + μ v);
    adam m ← β₁ m + (1-β₁) g, s ← β₂ s + (1-β₂) g², θ ← θ - α (m / (1-β₁^t)) / (sqrt(s / (1-β₂^t)) + ε).
    ``hyper``: (μ) or (β₁, β₂, ε); v holds v or m, s holds s; t counts Adam's steps from 1."""
    dt = theta.dtype.type
    if rule == PLAIN_SGD:
        for q in range(len(theta)):
            theta[q] -= lr * g[q]
    elif rule == ADAM:
        b1, b2, eps = dt(hyper[0]), dt(hyper[1]), dt(hyper[2])
        one_minus_b1, one_minus_b2 = dt(1 - hyper[0]), dt(1 - hyper[1])
        c1, c2 = dt(1 - hyper[0] ** t), dt(1 - hyper[1] ** t)  # the bias corrections
        for q in range(len(theta)):
            v[q] = b1 * v[q] + one_minus_b1 * g[q]
            s[q] = b2 * s[q] + one_minus_b2 * (g[q] * g[q])
            theta[q] -= lr * (v[q] / c1) / (math.sqrt(s[q] / c2) + eps)
    else:  # momentum, nesterov
        mu = dt(hyper[0])
        for q in range(len(theta)):
            v[q] = mu * v[q] + g[q]
            theta[q] -= lr * (g[q] + mu * v[q] if rule == NESTEROV else v[q])


@_jit
def _block(buffer, B, at, m, n):
    """Layer blocks lie one after another in ``buffer``, each with room for B rows: the block of
    a layer of width n whose earlier layers' widths add up to ``at`` starts at B * at. Its first
    m rows, as an m x n array."""
    return buffer[B * at:B * at + m * n].reshape((m, n))


@_jit
def _activate(code, z, a, scratch):
    """a = f(z), the functions of engine/activations.py (the sigmoid and the softmax in vector lanes:
    compiled/sigmoid.py)."""
    if code == SIGMOID:
        sigmoid(z, a, scratch)
        return
    if code == SOFTMAX:  # e^{z_k - max z} / Σ_j e^{z_j - max z}, which never overflows
        softmax(z, a, scratch)
        return
    one = a.dtype.type(1)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            v = z[i, j]
            if code == TANH:
                a[i, j] = math.tanh(v)
            elif code == RELU:
                a[i, j] = max(v, 0)
            elif code == LEAKY_RELU:
                a[i, j] = v if v > 0 else LEAKY_SLOPE * v
            elif code == SOFTSIGN:
                a[i, j] = v / (one + abs(v))
            elif code == IDENTITY:
                a[i, j] = v


@_jit
def _times_derivative(code, z, a, d):
    """d ⊙= f'(z), each derivative from z or from a = f(z), as in engine/activations.py (the identity's is 1)."""
    one = a.dtype.type(1)
    for i in range(d.shape[0]):
        for j in range(d.shape[1]):
            if code == SIGMOID:
                d[i, j] *= a[i, j] * (one - a[i, j])  # S'(z) = S(z)(1 - S(z)) <= 1/4
            elif code == TANH:
                d[i, j] *= one - a[i, j] * a[i, j]
            elif code == RELU:
                d[i, j] *= one if z[i, j] > 0 else 0
            elif code == LEAKY_RELU:
                d[i, j] *= one if z[i, j] > 0 else LEAKY_SLOPE
            elif code == SOFTSIGN:
                d[i, j] *= (one - abs(a[i, j])) ** 2


@_jit
def _error_sum(loss, z, y_hat, y):
    """Σ_i E_i over the batch (m times the batch's E), from z^L as engine/losses.py computes it."""
    total = 0.0
    for i in range(z.shape[0]):
        if loss == CATEGORICAL_CE:  # logsumexp(z_i) - Σ_k y_ik z_ik
            # logsumexp(z_i) = z_ik* + ln Σ_j e^{z_ij - z_ik*} = z_ik* - ln ŷ_ik* for the largest z_ik*, whose
            # e^0 = 1 makes ŷ_ik* = 1 / Σ_j e^{z_ij - z_ik*}: one log a row, from the softmax just taken.
            top = 0
            for k in range(z.shape[1]):
                if z[i, k] > z[i, top]:
                    top = k
            total += z[i, top] - math.log(y_hat[i, top])
            for k in range(z.shape[1]):
                total -= y[i, k] * z[i, k]
            continue
        for k in range(z.shape[1]):
            if loss == BINARY_CE:  # softplus(z) - y z, softplus(z) = max(z, 0) + ln(1 + e^{-|z|})
                total += max(z[i, k], 0) + math.log1p(math.exp(-abs(z[i, k]))) - y[i, k] * z[i, k]
            else:  # ½ ‖ŷ - y‖²
                total += 0.5 * (y_hat[i, k] - y[i, k]) ** 2
    return total


@_jit
def _count_correct(kind, y_hat, y):
    """Right decisions, as engine/labels.py decides: ŷ > ½ (binary, each label), the largest ŷ (classes)."""
    right = 0
    for i in range(y.shape[0]):
        if kind == MULTICLASS:  # the first largest of each row, as np.argmax takes it
            guess, truth = 0, 0
            for k in range(y.shape[1]):
                guess = k if y_hat[i, k] > y_hat[i, guess] else guess
                truth = k if y[i, k] > y[i, truth] else truth
            right += guess == truth
        elif kind != REGRESSION:  # binary (one column), multilabel (every column must agree)
            agree = True
            for k in range(y.shape[1]):
                agree = agree and (y_hat[i, k] > 0.5) == (y[i, k] > 0.5)
            right += agree
    return right


@_jit
def _sum_of_squares(v):
    """Σ_q v_q², added in float64 (the explicit conversion lets LLVM vectorise the loop) and
    returned in v's dtype: ∞ in float32 past 3.4e38, where the engine's float32
    np.vdot overflows too, so both see a diverging gradient at the same step."""
    total = 0.0
    for q in range(len(v)):
        x = np.float64(v[q])
        total += x * x
    return v.dtype.type(total)
