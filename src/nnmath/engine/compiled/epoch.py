r"""When and how ``fit`` trains an epoch with the compiled code of engine/compiled/.

Two forms of the same equations, by the size of the network's matrix products:

- **loops** (engine/compiled/loops.py): in a small network (the seed's [30, 16, 1], mini-batch 32) a
  step is about 32,000 multiply-adds, a few microseconds of arithmetic, and the NumPy engine spends
  most of each step entering its 30-odd NumPy calls. loops.py writes the epoch's steps as one loop
  compiled by Numba, so nothing is entered per step; BLAS runs on one thread.
- **blas steps** (engine/compiled/blas_epoch.py): where a product is larger than ``LARGEST_PRODUCT``
  (MNIST-sized layers), a step's time is in its products. There the steps are taken from Python,
  the products by NumPy's BLAS on all the cores, and the work between them by compiled kernels
  (engine/compiled/kernels.py): 2L + 1 calls a step for L layers instead of the NumPy engine's ~40.

``LARGEST_PRODUCT`` draws the line (docs/performance.md). The History is the same either way and
the same as the NumPy engine's (tests/engine/test_compiled_epoch.py holds the paths together).

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
from nnmath.engine.compiled.codes import ADAM, KINDS, MOMENTUM, NESTEROV, RULES
from nnmath.errors import NNMathError

Array = np.ndarray

# The most multiply-adds B n_{l-1} n_l one layer's product may take for the loops: above it the blas
# steps, multiplying on both cores, are as fast or faster (the measured crossover,
# `python benchmarks/crossover.py`, docs/performance.md).
LARGEST_PRODUCT = 1 << 20

ENGINES = ("auto", "numpy", "compiled")


def check(engine: str, net: Any, opt: Any) -> None:
    """Refuse, before any work, an unknown ``engine`` or "compiled" for a network it cannot train."""
    if engine not in ENGINES:
        raise NNMathError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "compiled":
        reason = unsupported(net, opt)
        if reason is None and _loops() is None:
            reason = "Numba has no folder to keep compiled code in"
        if reason is not None:
            raise NNMathError(f"engine='compiled' cannot train this network: {reason}; use engine='auto' or 'numpy'")


def choose(engine: str, net: Any, opt: Any) -> bool:
    """Whether ``fit`` trains with the compiled epoch (``check`` has accepted ``engine``): "numpy"
    never, "compiled" always, "auto" wherever it can (``applies``)."""
    if engine == "auto":
        return applies(net, opt)
    return engine == "compiled"


def applies(net: Any, opt: Any) -> bool:
    """Whether ``fit`` with engine="auto" takes the compiled epoch: plain dense layers with
    activations that have a compiled code (softmax only as the output), a loss of the registry and a
    built-in optimizer, where Numba can keep compiled code. (Weight decay and clipping are compiled
    too, and the batch size picks only the form, ``form``, so none of them counts here.)"""
    return unsupported(net, opt) is None and _loops() is not None


def form(net: Any, batch_size: int) -> str:
    """The form of the compiled epoch that trains ``net`` with mini-batches of ``batch_size``:
    "loops" where every product is at most LARGEST_PRODUCT multiply-adds, else "blas steps"."""
    return "loops" if _largest_product(net, batch_size) <= LARGEST_PRODUCT else "blas steps"


def unsupported(net: Any, opt: Any) -> Optional[str]:
    """What keeps the compiled loops from training ``net`` with ``opt``, or None."""
    if type(opt) not in RULES or "step" in vars(opt):
        return "its optimizer is not one of the built-in ones"  # or its step was replaced on the object
    # The registry's entry for this output (or an unpickled copy): a user's own Loss under a built-in name
    # differs in its function E, and another output's entry breaks the loops' E, which assumes the pair.
    output = net.layers[-1].f.name
    if losses.LOSSES.get((net.loss.option, output)) != net.loss or net.loss.code is None:
        return f"its loss {net.loss.name!r} is not the one the registry pairs with a {output} output (no compiled code)"
    for l, layer in enumerate(net.layers, start=1):
        registered = layer.f is activations.ACTIVATIONS.get(layer.f.name) or (
            l == len(net.layers) and layer.f is activations.SOFTMAX)
        if not registered or layer.f.code is None:
            return f"layer {l}'s activation {layer.f.name!r} has no compiled code"
        if layer.bn is not None or layer.dropout or layer.residual:
            return "batch normalisation, dropout and skip connections train with the NumPy engine only"
    return None


def _largest_product(net: Any, batch_size: int) -> int:
    """The multiply-adds B n_{l-1} n_l of the network's largest product."""
    return max(batch_size * layer.n_in * layer.n_out for layer in net.layers)


def blas_threads(net: Any, batch_size: int) -> contextlib.AbstractContextManager:
    """The BLAS threads the compiled epoch trains with: one (``blas_on_one_thread``) for the loops,
    whose products are small, since there a second thread cannot pay and would only spin against
    NumPy's pool; the libraries' own for the blas steps, whose time is the products: there one thread
    would cost ~40% of the step (docs/performance.md, sixth round)."""
    if form(net, batch_size) == "blas steps":
        return contextlib.nullcontext()
    return blas_on_one_thread()


def run(net: Any, X: Array, Y: Array, order: Array, batch_size: int, lr: float, opt: Any,
        weight_decay: float, clip_norm: Optional[float]) -> tuple[float, int, int, list, list]:
    """Train one epoch on the rows ``order`` of (X, Y), ``batch_size`` rows a step, with the
    optimizer ``opt`` (whose state, made on its first step, carries over as in its own step).

    Returns (Σ_i E_i, right decisions, steps, Σ_steps ‖∂E/∂W^l‖, Σ_steps ‖∂E/∂b^l‖); the step
    count falls short of the batches when a gradient was not finite (θ is then to be restored: the blas
    steps may have taken that step, blas_epoch.py).
    """
    theta = net.flat_parameters()
    sizes = np.array(net.sizes, dtype=np.int64)
    codes = np.array([layer.f.code for layer in net.layers], dtype=np.int64)
    norms_W, norms_b = np.zeros(len(net.layers)), np.zeros(len(net.layers))
    rule, hyper, state, t_0 = _optimizer(opt, theta)
    loops = _loops()
    assert loops is not None, "run() is only called where applies() said yes"
    steps_of = loops if form(net, batch_size) == "loops" else _blas_epoch()  # the same arguments, the same result
    loss_sum, correct, steps = steps_of.epoch(
        theta, np.empty_like(theta), sizes, codes, net.loss.code, net.loss.cancels_derivative,
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
    layout of X (a few seconds; docs/performance.md) and
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


def _blas_epoch() -> Any:
    """The form of the epoch for large products (engine/compiled/blas_epoch.py), imported where it is taken."""
    from nnmath.engine.compiled import blas_epoch

    return blas_epoch


@functools.cache
def _blas_libraries() -> Any:
    import scipy.linalg.cython_blas  # noqa: F401  the BLAS Numba calls: loaded first, so that it is found
    from threadpoolctl import ThreadpoolController  # finding the loaded BLAS libraries takes a while: once

    return ThreadpoolController().select(user_api="blas")


_threads_lock = threading.Lock()
_one_thread: dict[str, Any] = {"fits": 0, "limiter": None}  # fits inside the context, the limit to undo


@contextlib.contextmanager
def blas_on_one_thread() -> Iterator[None]:
    """A context in which every loaded BLAS runs on one thread; fit trains in it when it takes the
    compiled loops (``blas_threads``; callbacks included), and the
    thread counts come back when the last fit in it (of any thread of the process) ends.

    Numba's np.dot calls SciPy's copy of OpenBLAS. Its threads and those of NumPy's copy, still
    spinning after NumPy's last product, would fight over the cores (docs/performance.md, fourth
    round); on one thread, the compiled loops never wake them. (OpenBLAS
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
