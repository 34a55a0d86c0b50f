"""W1's fit through two of nnmath's engines in pairs, in one process: the ratio of each round.

    python benchmarks/paired.py                          # compiled against numpy, 16 rounds
    python benchmarks/paired.py --engines numpy,compiled --rounds 30

Each round trains bench.py's W1 fit (one epoch of 20,000 random samples, batch 128, float32, the
History recorded) once through each engine, the order alternating from round to round, and the
least-work step right after, in one run of as many steps as the fit (as bench.py times it). The host's speed moves from minute to minute, by 2x at times
(docs/performance.md, "Noise"); two fits a second apart see the same spell, so the ratio of a
round says more than the ratio of two bests. Prints every round, then the median ratio and the
rounds the first engine won.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainers import step_matmul_limit, steps_of_a_fit, train_nnmath  # noqa: E402

SIZES, BATCH, SAMPLES = [784, 256, 128, 10], 128, 20_000


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engines", default="compiled,numpy", help="two of auto, numpy, compiled")
    p.add_argument("--rounds", type=int, default=16)
    a = p.parse_args(argv)
    engines = a.engines.split(",")
    if len(engines) != 2 or not set(engines) <= {"auto", "numpy", "compiled"} or a.rounds < 1:
        print("paired.py: --engines takes two of auto, numpy, compiled and --rounds a positive number", file=sys.stderr)
        return 2
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((SAMPLES, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], SAMPLES)
    for engine in engines:  # compiles or loads the compiled code
        train_nnmath(SIZES, X[:512], y[:512], BATCH, 1, 0.01, engine=engine)
    first, second = engines
    ratios = []
    for r in range(a.rounds):
        rate = {}
        for engine in (engines if r % 2 == 0 else engines[::-1]):
            rate[engine] = SAMPLES / train_nnmath(SIZES, X, y, BATCH, 1, 0.01, engine=engine)[0]
        least = step_matmul_limit(SIZES, BATCH, np.float32, least_work=True, repeats=steps_of_a_fit(SAMPLES, BATCH, 1),
                                  runs=1)  # one run as long as the fit, as bench.py times it
        ratios.append(rate[first] / rate[second])
        print(f"{time.strftime('%H:%M:%S')}  {first} {rate[first]:9,.0f}  {second} {rate[second]:9,.0f}  "
              f"ratio {ratios[-1]:.2f}  least-work step {least:9,.0f}  ({first} at {rate[first] / least:.2f} of it)")
    ratios.sort()
    middle = (ratios[(len(ratios) - 1) // 2] + ratios[len(ratios) // 2]) / 2
    print(f"{first} / {second}: median {middle:.2f}, {first} faster in {sum(x > 1 for x in ratios)} of {len(ratios)} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
