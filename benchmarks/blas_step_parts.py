"""Where a W1 step of the compiled epoch's blas steps spends its time, call by call.

    python benchmarks/blas_step_parts.py             # 3 fits, µs a step for each product and kernel
    python benchmarks/blas_step_parts.py --fits 1

Wraps the products (np.matmul) and the kernels that engine/compiled/blas_epoch.py calls with a
timer, trains bench.py's W1 fit (2 epochs of 20,000 random samples, batch 128, float32) and prints,
for each fit, the time of each call a step beside the whole step and the least-work step timed
right after. The code timed is the library's own: nothing is copied here; the timers add ~0.2 µs
a call (~4 µs a step).
"""
from __future__ import annotations

import argparse
import sys
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainers import step_matmul_limit, steps_of_a_fit, train_nnmath  # noqa: E402

from nnmath.engine.compiled import blas_epoch, kernels, loops  # noqa: E402

SIZES, BATCH, SAMPLES, EPOCHS = [784, 256, 128, 10], 128, 20_000, 2
spent: dict[str, float] = {}


def timed(name, function):
    """``function`` with its time added to spent[name(*args)] (name: a string, or a function of the arguments)."""
    def call(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        key = name(*args) if callable(name) else name
        spent[key] = spent.get(key, 0.0) + time.perf_counter() - start
        return result
    return call


def product_name(a, b) -> str:
    """A product of the step by what it computes: z = a W, ∂E/∂W = a^T δ or δ W^T (by which operand is a transpose)."""
    if not a.flags.c_contiguous:
        return f"dE/dW = a^T delta   {a.shape[0]} x {b.shape[1]}"
    if not b.flags.c_contiguous:
        return f"delta W^T           {b.shape[0]} -> {b.shape[1]}"
    return f"z = a W             {b.shape[0]} x {b.shape[1]}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fits", type=int, default=3)
    a = p.parse_args(argv)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((SAMPLES, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], SAMPLES)
    blas_epoch.np = types.SimpleNamespace(**{name: getattr(np, name) for name in dir(np) if not name.startswith("__")})
    blas_epoch.np.matmul = timed(product_name, np.matmul)
    blas_epoch.kernels = types.SimpleNamespace(
        forward_layer=timed(lambda code, z, *rest: f"f(z + b)            {z.shape[1]} units", kernels.forward_layer),
        output_delta=timed("delta^L, E, right decisions", kernels.output_delta),
        hidden_delta=timed(lambda code, z, *rest: f"delta (x) f'(z)     {z.shape[1]} units", kernels.hidden_delta),
        add_layer_norms=timed("the norms", kernels.add_layer_norms),
        sgd_step_adding_norms=timed("theta update and the norms", kernels.sgd_step_adding_norms))
    blas_epoch.loops = types.SimpleNamespace(_step=timed("the optimizer's step", loops._step), _clip=loops._clip,
                                             _add_weight_decay=loops._add_weight_decay)
    try:
        return _fits(X, y, a.fits)
    finally:
        blas_epoch.np, blas_epoch.kernels, blas_epoch.loops = np, kernels, loops


def _fits(X, y, fits: int) -> int:
    train_nnmath(SIZES, X[:512], y[:512], BATCH, 1, 0.01, engine="compiled")
    steps = steps_of_a_fit(SAMPLES, BATCH, EPOCHS)
    for _ in range(fits):
        spent.clear()
        seconds = train_nnmath(SIZES, X, y, BATCH, EPOCHS, 0.01, engine="compiled")[0]
        least = step_matmul_limit(SIZES, BATCH, np.float32, least_work=True, repeats=steps, runs=1)  # as long as the fit
        parts = sum(spent.values())
        print(f"step {seconds / steps * 1e6:6.0f} µs ({SAMPLES * EPOCHS / seconds:,.0f} samples/s), least-work step "
              f"{BATCH / least * 1e6:.0f} µs; the calls below {parts / steps * 1e6:.0f} µs, the rest (Python) "
              f"{(seconds - parts) / steps * 1e6:.0f} µs")
        for name, total in spent.items():
            print(f"    {name:28s}{total / steps * 1e6:7.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
