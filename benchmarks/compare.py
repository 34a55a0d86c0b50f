"""Before/after: nnmath's fit throughput from two or more source trees, timed interleaved.

    git archive <commit> src | tar -x -C /tmp/nnmath-before
    python benchmarks/compare.py W2 /tmp/nnmath-before/src src

Each tree's fit runs in its own process (so each imports its own nnmath), ``--rounds`` times
in turn, taking the best of ``--fits`` fits each time; the best round counts. Interleaving
matters here: the machine's speed drifts from minute to minute, and running one tree's fits
after the other's would measure the drift. The workloads are bench.py's, nnmath only.
"""
from __future__ import annotations

import argparse
import subprocess
import sys

FIT = r"""
import sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
import nnmath
sizes, batch, samples, epochs = {"W1": ([784, 256, 128, 10], 128, 20000, 2), "W2": ([30, 16, 1], 32, 20000, 2),
                                 "W3": ([30, 16, 1], None, None, 1000)}[sys.argv[2]]
if samples is None:
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(np.float32)
else:
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((samples, sizes[0])).astype(np.float32), rng.integers(0, max(2, sizes[-1]), samples)
np.unique(y)  # NumPy's first np.unique imports numpy.ma: not part of a fit
best = float("inf")
for _ in range(int(sys.argv[3])):
    net = nnmath.Network(sizes, seed=0, dtype=np.float32)
    t = time.perf_counter()
    net.fit(X, y, epochs=epochs, learning_rate=0.01, batch_size=batch, shuffle=False)
    best = min(best, time.perf_counter() - t)
print(len(X) * epochs / best)
"""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("workload", choices=["W1", "W2", "W3"])
    p.add_argument("trees", nargs="+", help="src directories, each holding an nnmath package")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--fits", type=int, default=3)
    a = p.parse_args(argv)
    rates: dict[str, list[float]] = {tree: [] for tree in a.trees}
    for _ in range(a.rounds):
        for tree in a.trees:
            done = subprocess.run([sys.executable, "-c", FIT, tree, a.workload, str(a.fits)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                print(f"error: {tree}: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
                return 2
            rates[tree].append(float(done.stdout))
    for tree, r in rates.items():
        print(f"{tree:32s} best {max(r):12,.0f} samples/s   rounds: {', '.join(f'{x:,.0f}' for x in r)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
