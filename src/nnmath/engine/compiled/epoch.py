r"""When and how ``fit`` trains an epoch with the compiled loops (compiled_loops.py).

In a small network (the seed's [30, 16, 1], mini-batch 32) a step is about 32,000 multiply-adds,
a few microseconds of arithmetic, and the NumPy engine spends most of each step entering its
30-odd NumPy calls. compiled_loops.py writes the same equations as one loop over the epoch's steps,
compiled by Numba, so nothing is entered per step. Large layers stay with the NumPy engine: their
time is in the matrix products, which both paths hand to BLAS, and the engine's per-step cost is
small beside them. ``LARGEST_PRODUCT`` draws the line (docs/performance.md). The
History is the same either way (tests/test_compiled_epoch.py holds the two paths together).

Only the plain case is compiled: dense layers without batch normalisation, dropout or skip
connections, the built-in activations (softmax only as the output), the built-in losses and the
built-in optimizers (sgd, momentum, nesterov, adam; weight decay and clipping included).
Everything else, and every trace, derivation and gradient check, runs the NumPy engine.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Iterator, Optional

import numpy as np

from nnmath.engine import activations, losses, optimizers

Array = np.ndarray

# The most multiply-adds B n_{l-1} n_l one layer's product may take for the compiled epoch: above
# it NumPy's engine, multiplying on both cores, is as fast or faster (the measured crossover,
# `python benchmarks/crossover.py`, docs/performance.md).
LARGEST_PRODUCT = 1 << 21

# Codes the compiled loops branch on (Numba compiles them in as constants).
IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU, SOFTSIGN, SOFTMAX = range(7)
CODES = {"identity": IDENTITY, "sigmoid": SIGMOID, "tanh": TANH, "relu": RELU,
         "leaky_relu": LEAKY_RELU, "softsign": SOFTSIGN, "softmax": SOFTMAX}
BINARY_CE, CATEGORICAL_CE, SQUARED = range(3)
LOSSES = {losses.binary_cross_entropy: BINARY_CE, losses.categorical_cross_entropy: CATEGORICAL_CE,
          losses.mean_squared_error: SQUARED}  # by the function E, so a user's own Loss is not taken for one
PLAIN_SGD, MOMENTUM, NESTEROV, ADAM = range(4)
RULES = {optimizers.SGD: PLAIN_SGD, optimizers.Momentum: MOMENTUM, optimizers.Nesterov: NESTEROV,
         optimizers.Adam: ADAM}  # by exact class: a subclass may step differently
BINARY, MULTICLASS, MULTILABEL, REGRESSION = range(4)
KINDS = {"binary": BINARY, "multiclass": MULTICLASS, "multilabel": MULTILABEL, "regression": REGRESSION}


def applies(net: Any, opt: Any, batch_size: int, weight_decay: float, clip_norm: Any) -> bool:
    """Whether ``fit`` takes the compiled epoch: plain dense layers with built-in activations
    (softmax only as the output), a built-in loss, a built-in optimizer, and no product above
    LARGEST_PRODUCT. (Weight decay and clipping are compiled too.)"""
    if type(opt) not in RULES or "step" in vars(opt) or net.loss.value not in LOSSES:
        return False  # an optimizer of one's own, or one whose step was replaced on the object
    for l, layer in enumerate(net.layers):
        # == rather than is: an unpickled network's activations are equal copies of the built-in ones
        builtin = layer.f == activations.ACTIVATIONS.get(layer.f.name) or (
            l == len(net.layers) - 1 and layer.f == activations.SOFTMAX)
        if (layer.bn is not None or layer.dropout or layer.residual or not builtin
                or batch_size * layer.n_in * layer.n_out > LARGEST_PRODUCT):
            return False
    return _loops() is not None


def run(net: Any, X: Array, Y: Array, order: Array, batch_size: int, lr: float, opt: Any,
        weight_decay: float, clip_norm: Optional[float]) -> tuple[float, int, int, list, list]:
    """Train one epoch on the rows ``order`` of (X, Y), ``batch_size`` rows a step, with the
    optimizer ``opt`` (whose state, made on its first step, carries over as in its own step).

    Returns (Σ_i E_i, right decisions, steps, Σ_steps ‖∂E/∂W^l‖, Σ_steps ‖∂E/∂b^l‖); the step
    count falls short of the batches when a gradient was not finite (that step is not taken).
    """
    theta = net.flat_parameters()
    sizes = np.array(net.sizes, dtype=np.int64)
    codes = np.array([CODES[layer.f.name] for layer in net.layers], dtype=np.int64)
    norms_W, norms_b = np.zeros(len(net.layers)), np.zeros(len(net.layers))
    rule, hyper, state, t_0 = _optimizer(opt, theta)
    loops = _loops()
    assert loops is not None, "run() is only called where applies() said yes"
    loss_sum, correct, steps = loops.epoch(
        theta, np.empty_like(theta), sizes, codes, LOSSES[net.loss.value], net.loss.cancels_derivative,
        KINDS[net.kind], X, Y, order, batch_size, theta.dtype.type(lr), norms_W, norms_b,
        rule, hyper, *state, t_0, float(weight_decay), float(clip_norm or 0.0))
    if steps and rule in (MOMENTUM, NESTEROV) and opt.velocity is None:
        opt.velocity = [state[0]]  # made by the first step taken, as Momentum.step makes it
    if steps and rule == ADAM:
        opt.m, opt.s, opt.t = [state[0]], [state[1]], opt.t + steps
    return loss_sum, correct, steps, norms_W.tolist(), norms_b.tolist()


def _optimizer(opt: Any, theta: Array) -> tuple[int, Array, tuple[Array, Array], int]:
    """The optimizer's rule, hyper-parameters, state arrays (laid out like θ; zeros where it has
    none yet, kept by run() only if a step is taken) and Adam's step count."""
    none = np.empty(0, theta.dtype)
    rule = RULES[type(opt)]
    if rule in (MOMENTUM, NESTEROV):
        rule = NESTEROV if opt.nesterov else MOMENTUM  # Momentum.step reads the flag, not the class
        if opt.velocity is not None:
            optimizers._check_state(opt.velocity, [theta])
        velocity = opt.velocity[0] if opt.velocity is not None else np.zeros_like(theta)
        return rule, np.array([opt.momentum]), (velocity, none), 0
    if rule == ADAM:
        if opt.m is not None and opt.s is not None:
            optimizers._check_state(opt.m, [theta])
            optimizers._check_state(opt.s, [theta])  # the loops do not check bounds: both, always
            m, s = opt.m[0], opt.s[0]
        else:
            m, s = np.zeros_like(theta), np.zeros_like(theta)
        return rule, np.array([opt.beta1, opt.beta2, opt.eps]), (m, s), opt.t
    return rule, np.zeros(1), (none, none), 0


@functools.cache
def _loops() -> Optional[Any]:
    """The module of compiled loops, or None where Numba has nowhere to keep compiled code.

    The first import compiles nothing: Numba compiles on the first call for each dtype and
    layout of X (a few seconds: 6.6 s for float64 on the machine of docs/performance.md) and
    keeps the result on disk, in __pycache__ beside the module or in the user's cache folder;
    a later process loads it in about half a second.
    """
    try:
        from nnmath.engine.compiled import loops as compiled_loops
    except RuntimeError as error:  # "cannot cache function ...: no locator available" (read-only install)
        if "cannot cache" not in str(error):
            raise
        return None
    return compiled_loops


@functools.cache
def _blas_libraries() -> Any:
    import scipy.linalg.cython_blas  # noqa: F401  the BLAS Numba calls: loaded first, so that it is found
    from threadpoolctl import ThreadpoolController  # finding the loaded BLAS libraries takes ~4 ms: once

    return ThreadpoolController().select(user_api="blas")


_threads_lock = threading.Lock()
_one_thread: dict[str, Any] = {"fits": 0, "limiter": None}  # fits inside the context, the limit to undo


@contextlib.contextmanager
def blas_on_one_thread() -> Iterator[None]:
    """A context in which every loaded BLAS runs on one thread; fit trains in it when it takes the
    compiled epoch (callbacks included), and the thread counts come back when the last fit in it
    (of any thread of the process) ends.

    Numba's np.dot calls SciPy's copy of OpenBLAS. Its threads and those of NumPy's copy, still
    spinning after NumPy's last product, would fight over the cores (a fit of [128, 128, 10] with
    a validation set ran 2.4x slower); on one thread, the compiled loops never wake them. (OpenBLAS
    ignores a count set from a second thread once the main thread has set and restored one: a
    fit in a worker thread after one in the main thread may run slower, never wrong.)
    """
    with _threads_lock:
        if _one_thread["fits"] == 0:
            _one_thread["limiter"] = _blas_libraries().limit(limits=1)
        _one_thread["fits"] += 1
    try:
        yield
    finally:
        with _threads_lock:
            _one_thread["fits"] -= 1
            if _one_thread["fits"] == 0:
                _one_thread["limiter"].restore_original_limits()
