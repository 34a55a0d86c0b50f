"""Microseconds per part of one nnmath training step (the best of many repeats), or one fit to profile.

    python benchmarks/step_parts.py W2                   # forward, backward, E, norms, SGD, accuracy
    python -m pyinstrument benchmarks/step_parts.py W2 --fit   # where a whole fit spends its time
    python benchmarks/step_parts.py W1 --gemm            # the largest product: NumPy's BLAS vs PyTorch's
    python benchmarks/step_parts.py W1 --floor           # each product, and the least a step must do

The best of 7 repeats of many calls is reported: other processes only ever slow a call down.
Run it against an older checkout with PYTHONPATH=<that checkout>/src to compare versions.
"""
from __future__ import annotations

import argparse
import sys
import timeit

import numpy as np

import nnmath
from nnmath.engine import optimizers

SHAPES = {"W1": ([784, 256, 128, 10], 128), "W2": ([30, 16, 1], 32)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=sorted(SHAPES))
    p.add_argument("--fit", action="store_true", help="run one 20,000-sample, 2-epoch fit instead (to profile)")
    p.add_argument("--gemm", action="store_true", help="time the largest layer's product in NumPy and PyTorch")
    p.add_argument("--floor", action="store_true", help="time each matrix product, and a step of the least work")
    a = p.parse_args(argv)
    sizes, batch = SHAPES[a.workload]
    if a.gemm:
        return compare_gemm(sizes, batch)
    if a.floor:
        return step_floor(sizes, batch)
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


def step_floor(sizes, batch) -> int:
    """The matrix products of one step, each timed alone, then two whole steps: the products
    back to back, and the products with the least other work any tool must do: one tanh over each
    hidden layer's m x n_l numbers (the sigmoid, at NumPy's vectorised speed), the output's exp,
    and one pass θ ← θ − α g over the parameters. No real step can be faster than the second."""
    rng = np.random.default_rng(0)
    f = np.float32
    a = [rng.standard_normal((batch, n)).astype(f) for n in sizes]  # a^0 = X, a^1, ..., and δ^l shaped like a^l
    Ws = [rng.standard_normal((i, o)).astype(f) for i, o in zip(sizes[:-1], sizes[1:])]
    theta = rng.standard_normal(sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))).astype(f)
    alpha_g = theta * f(1e-3)
    hidden, out = [np.empty_like(z) for z in a[1:-1]], np.empty_like(a[-1])
    products = []
    for l, W in enumerate(Ws):
        products.append((f"z^{l + 1} = a^{l} W^{l + 1}", lambda l=l, W=W: a[l] @ W, W.size))
        products.append((f"dE/dW^{l + 1} = (a^{l})^T δ^{l + 1}", lambda l=l: a[l].T @ a[l + 1], Ws[l].size))
        if l > 0:
            products.append((f"δ^{l + 1} (W^{l + 1})^T", lambda l=l, W=W: a[l + 1] @ W.T, W.size))

    def only_products():
        for _, product, _ in products:
            product()

    def least_step():
        for _, product, _ in products:
            product()
        for z, h in zip(a[1:-1], hidden):
            np.tanh(z, out=h)  # one transcendental per hidden unit
        np.exp(a[-1], out=out)
        np.subtract(theta, alpha_g, out=theta)

    def best(fn, number=100):
        return min(timeit.repeat(fn, number=number, repeat=7)) / number * 1e6

    print(f"{sizes} batch {batch}, float32, µs per call (best of 7 x 100):")
    total = 0.0
    for name, product, n_weights in products:
        t = best(product)
        total += t
        print(f"  {name:28s} {t:8.1f}  {2 * batch * n_weights / t / 1e3:6.1f} GFLOP/s")
    print(f"  {'sum of the products':28s} {total:8.1f}")
    steps = {"products back to back": only_products, "products + the least other work": least_step}
    times = {name: float("inf") for name in steps}
    for _ in range(9):  # the two steps in turns, so that a slow minute slows both
        for name, fn in steps.items():
            times[name] = min(times[name], timeit.timeit(fn, number=100) / 100 * 1e6)
    for name, t in times.items():
        print(f"  {name:32s} {t:8.1f} µs a step = {batch / t * 1e6:,.0f} samples/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
