"""Where W1's step loses against the least-work step: the library's step with parts taken away, round by round.

    python benchmarks/step_without.py                # 8 rounds
    python benchmarks/step_without.py --rounds 16

Each round times one epoch of engine/compiled/blas_epoch.py on bench.py's W1 (20,000 random
samples in order, batch 128, float32) three ways: whole; without the kernels between the products
(forward_layer, output_delta, hidden_delta: the products still write into the same work arrays
and views of ∂E/∂θ, and the update still reads them); and its products alone (no update either).
Beside them, in the same round, bench.py's least-work step and its step of products alone
(trainers.step_matmul_limit), each timed in one run of as many steps as the epoch. Prints each round's µs a step and, for each way, the median of
its ratios to the least-work step: the host's speed moves from minute to minute, so only ratios
within a round are compared (docs/performance.md, "Noise"). The code timed is the library's own;
the parts taken away are swapped for calls that do nothing, as blas_step_parts.py swaps in timers.
"""
from __future__ import annotations

import argparse
import sys
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainers import step_matmul_limit, steps_of_a_fit  # noqa: E402

import nnmath  # noqa: E402
from nnmath.engine.compiled import blas_epoch, kernels  # noqa: E402
from nnmath.engine.compiled.codes import KINDS, PLAIN_SGD  # noqa: E402

SIZES, BATCH, SAMPLES = [784, 256, 128, 10], 128, 20_000
NONE = {"forward_layer": lambda *args: None, "output_delta": lambda *args: (0.0, 0),
        "hidden_delta": lambda *args: None, "sgd_step_adding_norms": lambda *args: 0.0}
WAYS = {"the whole step": (), "without its kernels": ("forward_layer", "output_delta", "hidden_delta"),
        "its products alone": tuple(NONE)}


def step_seconds(net, X, Y, taken_away) -> float:
    """Seconds a step of one epoch of blas_epoch.epoch on (X, Y), with the kernels ``taken_away`` doing nothing."""
    theta = net.flat_parameters()
    sizes = np.array(net.sizes, dtype=np.int64)
    codes = np.array([layer.f.code for layer in net.layers], dtype=np.int64)
    blas_epoch.kernels = types.SimpleNamespace(**{name: NONE[name] if name in taken_away else getattr(kernels, name)
                                                  for name in NONE})
    blas_epoch.np = types.SimpleNamespace(**{name: getattr(np, name) for name in dir(np) if not name.startswith("__")})
    blas_epoch.np.empty = np.zeros  # without the kernels the work arrays are never written: zeros keep ∂E/∂θ finite
    empty = np.empty(0, theta.dtype)
    try:
        start = time.perf_counter()
        steps = blas_epoch.epoch(theta, np.zeros_like(theta), sizes, codes, net.loss.code, net.loss.cancels_derivative,
                                 KINDS[net.kind], X, Y, np.arange(len(X)), BATCH, theta.dtype.type(0.01),
                                 np.zeros(len(codes)), np.zeros(len(codes)), PLAIN_SGD, np.zeros(1), empty, empty,
                                 0, 0.0, 0.0)[2]
        seconds = time.perf_counter() - start
    finally:
        blas_epoch.kernels, blas_epoch.np = kernels, np
    assert steps == -(-len(X) // BATCH), "every step is taken"
    return seconds / steps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--samples", type=int, default=SAMPLES, help=argparse.SUPPRESS)  # the tests' small run
    a = p.parse_args(argv)
    if a.rounds < 1 or a.samples < BATCH:
        print(f"step_without.py: --rounds takes a positive number (and --samples at least {BATCH})", file=sys.stderr)
        return 2
    rng = np.random.default_rng(0)
    X = rng.standard_normal((a.samples, SIZES[0])).astype(np.float32)
    Y = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], a.samples)]
    net = nnmath.Network(SIZES, activation="sigmoid", seed=0, dtype=np.float32)
    for taken_away in WAYS.values():  # compiles or loads the kernels, warms the caches
        step_seconds(net, X[:4 * BATCH], Y[:4 * BATCH], taken_away)
    ratios: dict[str, list[float]] = {way: [] for way in [*WAYS, "the least-work step", "bench.py's products alone"]}
    for r in range(a.rounds):
        micro = {way: step_seconds(net, X, Y, taken_away) * 1e6 for way, taken_away in WAYS.items()}
        window = {"repeats": steps_of_a_fit(a.samples, BATCH, 1), "runs": 1}  # as long as an epoch above
        micro["the least-work step"] = BATCH / step_matmul_limit(SIZES, BATCH, np.float32, least_work=True, **window) * 1e6
        micro["bench.py's products alone"] = BATCH / step_matmul_limit(SIZES, BATCH, np.float32, **window) * 1e6
        for way, value in micro.items():
            ratios[way].append(value / micro["the least-work step"])
        print(f"{time.strftime('%H:%M:%S')}  " + ",  ".join(f"{way} {value:.0f}" for way, value in micro.items()) + "  µs")
    print(f"µs a step over the least-work step's, the median of {a.rounds} rounds (the least-work step: bench.py's):")
    for way, values in ratios.items():
        print(f"    {way:28s}{float(np.median(values)):6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
