"""One step timed two ways, round by round: the best of 5 runs of 20 steps, and one run of as many steps as a fit.

    python benchmarks/windows.py              # W1's least-work step, 9 rounds (bench.py's count)
    python benchmarks/windows.py --rounds 20

The step is bench.py's least-work step of W1 (trainers.step_matmul_limit), the same code and arrays
both ways. A fit of W1 takes 314 steps (~0.4 s); 20 steps take ~25 ms. Where the host's speed
moves within a second, the best of many short runs catches its fastest moments and the best of a
few long runs cannot: the same code comes out faster timed the first way. Until 2026-12-08 bench.py
timed its steps of reference the first way (the best of 5 runs a round, the best of 9 rounds: 45
short runs) and the tools the second (the best of 9 fits). Prints each round's two times and, at
the end, the best of each over the rounds as bench.py takes them, and their ratio.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainers import step_matmul_limit, steps_of_a_fit  # noqa: E402

SIZES, BATCH, SAMPLES, EPOCHS = [784, 256, 128, 10], 128, 20_000, 2


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--steps", type=int, default=steps_of_a_fit(SAMPLES, BATCH, EPOCHS), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.rounds < 1 or a.steps < 1:
        print("windows.py: --rounds takes a positive number", file=sys.stderr)
        return 2
    short, long = [], []
    for _ in range(a.rounds):
        short.append(BATCH / step_matmul_limit(SIZES, BATCH, np.float32, repeats=20, runs=5, least_work=True) * 1e6)
        long.append(BATCH / step_matmul_limit(SIZES, BATCH, np.float32, repeats=a.steps, runs=1, least_work=True) * 1e6)
        print(f"{time.strftime('%H:%M:%S')}  best of 5 runs of 20 steps {short[-1]:6.0f} µs a step,  "
              f"one run of {a.steps} steps {long[-1]:6.0f} µs a step  ({short[-1] / long[-1]:.3f})")
    ratios = sorted(s / g for s, g in zip(short, long))
    middle = (ratios[(len(ratios) - 1) // 2] + ratios[len(ratios) // 2]) / 2
    print(f"the best of the {a.rounds} rounds: {min(short):.0f} µs a step in short runs, {min(long):.0f} µs in runs "
          f"as long as a fit: {min(short) / min(long):.3f} (round by round: median {middle:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
