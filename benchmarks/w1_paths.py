"""W1 through each of nnmath's two paths against the least-work step, each measured in a process of its own.

    python benchmarks/w1_paths.py                 # 3 rounds, BLAS threads as the libraries set them
    OPENBLAS_NUM_THREADS=1 python benchmarks/w1_paths.py

Why processes: the compiled epoch's products run on SciPy's copy of OpenBLAS (Numba's np.dot), the
NumPy engine's and the least-work step's on NumPy's copy. In one process a pool that has just worked
keeps spinning while the other works, so whichever runs second is slowed (docs/performance.md). Here
each number comes from a fresh process, the three kinds in turns for ``--rounds`` rounds, and the
best of each kind counts, as in bench.py. The fit is bench.py's W1 fit (trainers.train_nnmath): 20,000
random samples, 2 epochs, batch 128, float32, with the History's gradient norms.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainers import step_matmul_limit, steps_of_a_fit, train_nnmath  # noqa: E402

SIZES, BATCH, SAMPLES, EPOCHS = [784, 256, 128, 10], 128, 20_000, 2
KINDS = ("least-work step", "compiled", "numpy")


def measure(kind: str) -> float:
    """Samples/s of one kind, the best of a few runs after a warm-up, in this process."""
    if kind == "least-work step":
        step_matmul_limit(SIZES, BATCH, np.float32, repeats=5, least_work=True)  # a warm-up
        steps = steps_of_a_fit(SAMPLES, BATCH, EPOCHS)  # runs as long as the fits below, as many
        return step_matmul_limit(SIZES, BATCH, np.float32, repeats=steps, least_work=True, runs=2)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((SAMPLES, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], SAMPLES)
    train_nnmath(SIZES, X[:512], y[:512], BATCH, 1, 0.01, engine=kind)  # loads the compiled loops
    return max(SAMPLES * EPOCHS / train_nnmath(SIZES, X, y, BATCH, EPOCHS, 0.01, engine=kind)[0] for _ in range(2))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)  # the child process: measure one kind
    a = p.parse_args(argv)
    if a.one:
        print(measure(a.one))
        return 0
    best = {kind: 0.0 for kind in KINDS}
    print(f"load average at the start {os.getloadavg()[0]:.2f}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    for _ in range(a.rounds):
        for kind in KINDS:
            out = subprocess.run([sys.executable, __file__, "--one", kind], capture_output=True, text=True, check=True)
            best[kind] = max(best[kind], float(out.stdout.split()[-1]))
    least = best["least-work step"]
    for kind, rate in best.items():
        name = kind if kind == "least-work step" else f'fit(engine="{kind}")'
        print(f"  {name:24s} {rate:10,.0f} samples/s  {rate / least:5.2f} of the least-work step")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
