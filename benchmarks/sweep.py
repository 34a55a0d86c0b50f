"""Scaling sweep: training throughput against batch size and against width, for the three tools.

- batch sizes 1, 2, 4, ..., 1024 on W1's network [784, 256, 128, 10];
- hidden widths w = 16 ... 1024 on [784, w, w, 10] at mini-batch 128.

Each point trains one epoch on enough random float32 samples for at least a few dozen steps
(fewer for tiny batches, which are slow for every tool), with the settings of trainers.py.
"""
from __future__ import annotations

import numpy as np

from trainers import TRAINERS, nnmath_path

BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
WIDTHS = [16, 32, 64, 128, 256, 512, 1024]


def _throughputs(sizes, batch, samples, rng, repeats=2) -> dict:
    X = rng.standard_normal((samples, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], samples)
    out = {}
    for tool, train in TRAINERS.items():
        seconds = min(train(sizes, X, y, batch, 1, 0.01)[0] for _ in range(repeats))
        out[tool] = samples / seconds
    out["nnmath path"] = nnmath_path(sizes, batch)
    return out


def run_sweep(tiny: bool = False) -> dict:
    rng = np.random.default_rng(1)
    repeats = 1 if tiny else 2
    by_batch = {}
    for batch in [4, 16] if tiny else BATCHES:
        samples = 64 if tiny else int(np.clip(64 * batch, 1024, 16384))
        by_batch[batch] = _throughputs([784, 256, 128, 10], batch, samples, rng, repeats)
    by_width = {}
    for width in WIDTHS[:2] if tiny else WIDTHS:
        by_width[width] = _throughputs([784, width, width, 10], 16 if tiny else 128, 64 if tiny else 4096, rng, repeats)
    return {"batch_sizes": {"sizes": [784, 256, 128, 10], "points": by_batch},
            "widths": {"sizes": "[784, w, w, 10]", "batch": 16 if tiny else 128, "points": by_width}}


def plot_sweep(sweep: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    panels = [(axes[0], sweep["batch_sizes"]["points"], "mini-batch size (network [784, 256, 128, 10])"),
              (axes[1], sweep["widths"]["points"], f"hidden width w (network [784, w, w, 10], batch {sweep['widths']['batch']})")]
    for ax, points, xlabel in panels:
        xs = list(points)
        for tool, style in zip(TRAINERS, ["o-", "s--", "^:"]):
            ax.plot(xs, [points[x][tool] for x in xs], style, label=tool)
        # nnmath's points where fit took the compiled epoch's loops (small products) rather than its blas steps
        compiled = [x for x in xs if points[x].get("nnmath path") == "compiled loops"]
        if compiled:
            ax.plot(compiled, [points[x]["nnmath"] for x in compiled], "o", markersize=12, markerfacecolor="none",
                    markeredgecolor="C0", label="nnmath: compiled loops")
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("training samples / second")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    axes[0].set_title("throughput against batch size")
    axes[1].set_title("throughput against width")
    fig.suptitle("SGD training throughput on the CPU, float32, sigmoid hidden layers")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
