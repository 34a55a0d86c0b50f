"""Where the compiled epoch's loops stop paying: fit's throughput with its two forms, the loops and
the blas steps, and with the NumPy engine, network by network, in the same run (interleaved, the
best of ``--rounds``).

    python benchmarks/crossover.py            # the table docs/performance.md quotes
    python benchmarks/crossover.py --quick    # three networks, fewer rounds

fit takes the loops when every layer's product B n_{l-1} n_l is at most
``compiled_epoch.LARGEST_PRODUCT`` multiply-adds, else the blas steps; here each form is forced for
every network (by moving that line), and the column "fit takes" says which one fit would choose.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import nnmath
from nnmath.engine.compiled import epoch as compiled_epoch

NETWORKS = [  # sizes, mini-batch, optimizer; float32, sigmoid hidden layers, 20,000 samples (1 epoch)
    ([30, 16, 1], 32, "sgd"), ([30, 16, 1], 569, "sgd"), ([64, 64, 10], 128, "sgd"),
    ([128, 128, 10], 128, "sgd"), ([200, 100, 10], 128, "sgd"), ([784, 256, 128, 10], 1, "sgd"),
    ([784, 256, 128, 10], 8, "sgd"), ([784, 256, 128, 10], 16, "sgd"), ([784, 32, 32, 10], 128, "sgd"),
    ([784, 256, 128, 10], 128, "sgd"),
    ([40, 100, 100, 10], 32, "adam"), ([4, 16, 16, 3], 8, "momentum"),  # the mnist1d and 2-D recipes' shapes
]


PATHS = ("loops", "blas steps", "NumPy engine")


def throughput(sizes, batch, optimizer, X, y, path: str) -> float:
    net = nnmath.Network(sizes, seed=0, dtype=np.float32)
    line = compiled_epoch.LARGEST_PRODUCT
    compiled_epoch.LARGEST_PRODUCT = {"loops": 1 << 62, "blas steps": -1}.get(path, line)
    try:
        start = time.perf_counter()
        net.fit(X, y, epochs=1, learning_rate=0.01, batch_size=batch, shuffle=False, optimizer=optimizer,
                engine="numpy" if path == "NumPy engine" else "compiled")
        return len(X) / (time.perf_counter() - start)
    finally:
        compiled_epoch.LARGEST_PRODUCT = line


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5, help="interleaved runs of each path; the best counts")
    p.add_argument("--quick", action="store_true", help="three networks, three rounds (what CI runs)")
    a = p.parse_args(argv)
    networks, rounds = (NETWORKS[:3], 3) if a.quick else (NETWORKS, a.rounds)
    rng = np.random.default_rng(0)
    print(f"{'network':22s}{'batch':>6s}{'optimizer':>10s}{'largest B n n':>15s}{'loops':>11s}{'blas steps':>12s}"
          f"{'NumPy engine':>14s}{'loops / blas':>14s}{'fit takes':>12s}")
    for sizes, batch, optimizer in networks:
        n = 2_000 if batch < 8 else 20_000
        X = rng.standard_normal((n, sizes[0])).astype(np.float32)
        y = rng.integers(0, max(2, sizes[-1]), n)
        for path in PATHS:  # compile (or load) first
            throughput(sizes, batch, optimizer, X[:2 * batch], y[:2 * batch], path)
        best = dict.fromkeys(PATHS, 0.0)
        for _ in range(rounds):
            for path in PATHS:
                best[path] = max(best[path], throughput(sizes, batch, optimizer, X, y, path))
        largest = max(batch * i * o for i, o in zip(sizes[:-1], sizes[1:]))
        takes = compiled_epoch.form(nnmath.Network(sizes), batch)
        print(f"{str(sizes):22s}{batch:6d}{optimizer:>10s}{largest:15,d}{best['loops']:11,.0f}{best['blas steps']:12,.0f}"
              f"{best['NumPy engine']:14,.0f}{best['loops'] / best['blas steps']:13.2f}x{takes:>12s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
