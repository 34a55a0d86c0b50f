"""Microseconds per part of one nnmath training step (the best of many repeats), or one fit to profile.

    python benchmarks/step_parts.py W2                   # forward, backward, E, norms, SGD, accuracy
    python -m pyinstrument benchmarks/step_parts.py W2 --fit   # where a whole fit spends its time
    python benchmarks/step_parts.py W1 --gemm            # the largest product: NumPy's BLAS vs PyTorch's

The best of 7 repeats of many calls is reported: other processes only ever slow a call down.
Run it against an older checkout with PYTHONPATH=<that checkout>/src to compare versions.
"""
from __future__ import annotations

import argparse
import sys
import timeit

import numpy as np

import nnmath
from nnmath import optimizers

SHAPES = {"W1": ([784, 256, 128, 10], 128), "W2": ([30, 16, 1], 32)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=sorted(SHAPES))
    p.add_argument("--fit", action="store_true", help="run one 20,000-sample, 2-epoch fit instead (to profile)")
    p.add_argument("--gemm", action="store_true", help="time the largest layer's product in NumPy and PyTorch")
    a = p.parse_args(argv)
    sizes, batch = SHAPES[a.workload]
    if a.gemm:
        return compare_gemm(sizes, batch)
    rng = np.random.default_rng(0)
    n = 20_000 if a.fit else batch
    X = rng.standard_normal((n, sizes[0])).astype(np.float32)
    y = rng.integers(0, max(2, sizes[-1]), n)
    net = nnmath.Network(sizes, seed=0, dtype=np.float32)
    if a.fit:
        net.fit(X, y, epochs=2, learning_rate=0.01, batch_size=batch, shuffle=False)
        return 0
    Y = net.encode(y)
    sgd, params = optimizers.get("sgd"), net.parameters()
    trace = net.forward(X, train=True)
    grads = net.backward(trace, Y)
    last = trace.layers[-1]
    truth = net.targets.decide(Y)

    def _count_correct(y_hat, _y):  # the accuracy count of training._epoch
        return net.targets.count_correct(net.targets.decide(y_hat), truth)

    def whole_step():
        t = net.forward(X, train=True)
        g = net.backward(t, Y)
        g.weight_norms(), g.bias_norms()
        sgd.step(params, g.parameters(), 0.0)  # α = 0 keeps the weights, so every repeat does the same work
        _count_correct(t.output, y)

    parts = {
        "forward": lambda: net.forward(X, train=True),
        "backward (with E)": lambda: net.backward(trace, Y),
        "E alone": lambda: net.loss.value(last.z, last.a, Y),
        "gradient norms": lambda: (grads.weight_norms(), grads.bias_norms()),
        "SGD update": lambda: sgd.step(params, grads.parameters(), 0.0),
        "accuracy count": lambda: _count_correct(trace.output, y),
        "whole step": whole_step,
    }
    number = 2000 if a.workload == "W2" else 50
    print(f"{a.workload} {sizes} batch {batch}, float32, µs per call (best of 7 x {number}):")
    for name, fn in parts.items():
        best = min(timeit.repeat(fn, number=number, repeat=7)) / number
        print(f"  {name:18s} {best * 1e6:9.1f}")
    return 0


def compare_gemm(sizes, batch) -> int:
    """(batch x n_0) @ (n_0 x n_1) in NumPy (OpenBLAS here) and in PyTorch (MKL in its CPU wheels)."""
    import torch

    A = np.random.default_rng(0).standard_normal((batch, sizes[0])).astype(np.float32)
    B = np.random.default_rng(1).standard_normal((sizes[0], sizes[1])).astype(np.float32)
    At, Bt = torch.from_numpy(A), torch.from_numpy(B)
    for name, fn in [("NumPy", lambda: A @ B), ("PyTorch", lambda: At @ Bt)] * 2:
        best = min(timeit.repeat(fn, number=100, repeat=9)) / 100
        print(f"  {name:8s} ({batch}x{sizes[0]}) @ ({sizes[0]}x{sizes[1]}): {best * 1e6:7.1f} µs, "
              f"{2 * batch * sizes[0] * sizes[1] / best / 1e9:6.1f} GFLOP/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
