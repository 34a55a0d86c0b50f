"""Figures of the vanishing-gradient lab (matplotlib, written as PNG files).

- gradient_norms.png: ‖∂E/∂W^l‖ at initialization against the layer l, log scale, one line per
  configuration (one panel per activation/init pair; colour = remedy, line width = depth).
  Clipping changes the steps, not the gradient, so at initialization its line lies on ``none``'s.
- heatmap.png: log10 ‖∂E/∂W^l‖ over layers x epochs, one panel per configuration of the deepest depth.
- accuracy.png: test accuracy after the last epoch against depth, one line per activation/init/remedy.
- nielsen.png: the reproduction, ours beside Nielsen's published MNIST numbers.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nnmath.atomic import replace_atomically
from nnmath.lab.vanishing import REMEDIES, Experiment

COLORS = {"none": "#d62728", "batchnorm": "#1f77b4", "residual": "#2ca02c", "clip": "#ff7f0e"}
# clip equals none at initialization, and residual equals none with one hidden layer (no layer of equal
# widths to skip): each drawn over none's line, dotted or dashed, so that none's shows through
STYLE = {"none": "-", "batchnorm": "-", "residual": "--", "clip": ":"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _pairs(experiment: Experiment) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for r in experiment.runs:
        seen[(r.config.activation, r.config.init)] = None
    return list(seen)


def _panels(plt, n: int, width: float = 4.2, height: float = 3.4, max_cols: int = 4):
    cols = min(n, max_cols)
    rows = math.ceil(n / cols)
    # at least 7.5 inches wide, so that a figure of one panel still has room for its title
    fig, axes = plt.subplots(rows, cols, figsize=(max(width * cols, 7.5), height * rows), squeeze=False,
                             layout="constrained")
    for ax in axes.flat[n:]:
        ax.axis("off")
    return fig, list(axes.flat[:n])


def _key(plt, depths: list[int], remedies: list[str]) -> list:
    """Legend entries: one colour per remedy, one line width per depth."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=COLORS[r], ls=STYLE[r], lw=2, label=r) for r in remedies]
    handles += [Line2D([], [], color="gray", lw=_width(d, depths), label=_hidden(d)) for d in depths]
    return handles


def _hidden(depth: int) -> str:
    return f"{depth} hidden layer{'s' if depth != 1 else ''}"


def _width(depth: int, depths: list[int]) -> float:
    return 0.8 + 2.2 * depths.index(depth) / max(len(depths) - 1, 1)


def plot_gradient_norms(experiment: Experiment, path: Path) -> Path:
    plt = _pyplot()
    pairs = _pairs(experiment)
    depths = sorted({r.config.depth for r in experiment.runs})
    remedies = [r for r in REMEDIES if any(run.config.remedy == r for run in experiment.runs)]
    fig, axes = _panels(plt, len(pairs), width=5.0, height=3.8, max_cols=2)
    for ax, (activation, init) in zip(axes, pairs):
        for r in experiment.runs:
            c = r.config
            if (c.activation, c.init) != (activation, init):
                continue
            norms = r.initial.weight_norms
            ax.plot(range(1, len(norms) + 1), norms, STYLE[c.remedy], color=COLORS[c.remedy],
                    lw=_width(c.depth, depths), marker="o", ms=2.5)
        ax.set_yscale("log")
        ax.set_xticks(range(1, max(depths) + 2))
        ax.set_title(f"{activation}, init={init}")
        ax.set_xlabel("layer l (the last is the output layer)")
        ax.set_ylabel(r"$\|\partial E/\partial W^l\|$ at initialization")
        ax.grid(True, which="both", alpha=0.3)
    fig.legend(handles=_key(plt, depths, remedies), loc="outside right center", fontsize=8)
    note = "; clip equals none here" if {"clip", "none"} <= set(remedies) else ""  # clipping acts on steps, not at init
    if {"residual", "none"} <= set(remedies) and 1 in depths:
        note += "; residual equals none with 1 hidden layer"
    fig.suptitle(f"Gradient norm per layer at initialization ({experiment.data}{note})")
    return _save(plt, fig, path)


def _log_norms(run) -> np.ma.MaskedArray:
    """log10 ‖∂E/∂W^l‖ (layers x epochs); a norm of exactly 0 (every ReLU dead) has no logarithm:
    masked, drawn black."""
    return np.ma.log10(np.ma.masked_less_equal(run.norms_by_epoch(), 0.0))


def heatmap_scale(runs: list) -> tuple[float, float]:
    """The shared colour scale (low, high) of log10 norms: from the runs that did not diverge, so that
    one run's norms near 1e62 do not flatten every other panel (its cells beyond the scale are drawn
    in the extreme colours); from all runs when every one diverged."""
    kept = [r for r in runs if not r.diverged_at] or runs
    ends = [float(x) for g in map(_log_norms, kept) if g.count() for x in (g.min(), g.max())]
    ends = [x for x in ends if np.isfinite(x)]
    if not ends:
        return -1.0, 1.0
    low, high = min(ends), max(ends)
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def plot_heatmap(experiment: Experiment, path: Path) -> Path:
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator
    deepest = max(r.config.depth for r in experiment.runs)
    runs = [r for r in experiment.runs if r.config.depth == deepest]
    grids = [_log_norms(r) for r in runs]
    low, high = heatmap_scale(runs)
    # beyond the shared scale (a diverged run's norms): red above, white below
    cmap = plt.get_cmap("viridis").with_extremes(bad="black", over="red", under="white")
    fig, axes = _panels(plt, len(runs), width=3.6, height=3.0)
    image = None
    for ax, r, g in zip(axes, runs, grids):
        image = ax.imshow(g, aspect="auto", origin="lower", cmap=cmap, vmin=low, vmax=high,
                          extent=(-0.5, g.shape[1] - 0.5, 0.5, g.shape[0] + 0.5))
        ax.set_xlim(-0.5, experiment.settings.epochs + 0.5)
        ax.set_facecolor("0.8")  # grey: epochs a diverged run never reached (white is a norm below the scale)
        diverged = f"\ndiverged at epoch {r.diverged_at}" if r.diverged_at else ""
        ax.set_title(f"{r.config.activation}/{r.config.init} {r.config.remedy}{diverged}", fontsize=9)
        ax.set_xlabel("epoch (0 = initialization)")
        ax.set_ylabel("layer l")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))  # epochs and layers are whole numbers
    over = any(float(g.max()) > high for g in grids if g.count())
    under = any(float(g.min()) < low for g in grids if g.count())
    fig.colorbar(image, ax=axes, label=r"$\log_{10} \|\partial E/\partial W^l\|$", shrink=0.8,
                 extend={(True, True): "both", (True, False): "max", (False, True): "min"}.get((over, under), "neither"))
    beyond = "\nred (white): above (below) the scale of the runs that did not diverge" if over or under else ""
    if any(r.diverged_at for r in runs):
        beyond += "; grey: epochs after a divergence"
    fig.suptitle(f"Gradient norm per layer over training, {_hidden(deepest)} ({experiment.data}; "
                 f"black: exactly 0){beyond}")
    return _save(plt, fig, path)


def plot_accuracy(experiment: Experiment, path: Path) -> Path:
    plt = _pyplot()
    pairs = _pairs(experiment)
    fig, axes = _panels(plt, len(pairs), width=4.4, height=3.4, max_cols=2)
    for ax, (activation, init) in zip(axes, pairs):
        for remedy in REMEDIES:
            runs = [r for r in experiment.runs
                    if (r.config.activation, r.config.init, r.config.remedy) == (activation, init, remedy)]
            if not runs:
                continue
            depths = [r.config.depth for r in runs]
            acc = [np.nan if r.final_accuracy is None else r.final_accuracy for r in runs]
            ax.plot(depths, acc, STYLE[remedy], color=COLORS[remedy], marker="o", label=remedy)
            lost = [r.config.depth for r in runs if r.final_accuracy is None]
            ax.plot(lost, [0.02] * len(lost), "x", color=COLORS[remedy], ms=9, mew=2)
            ax.set_xticks(depths)
        ax.set_title(f"{activation}, init={init}")
        ax.set_xlabel("hidden layers")
        epochs = experiment.settings.epochs
        ax.set_ylabel(f"test accuracy after {epochs} epoch{'s' if epochs != 1 else ''}")
        ax.set_ylim(0, 1)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    any_lost = any(r.final_accuracy is None for r in experiment.runs)
    fig.suptitle(f"Accuracy against depth ({experiment.data}" + ("; × at the bottom: the run diverged)" if any_lost else ")"))
    return _save(plt, fig, path)


def plot_nielsen(reproductions, path: Path) -> Path:
    plt = _pyplot()
    depths = sorted({r.depth for r in reproductions})
    fig, axes = _panels(plt, len(depths))
    for ax, depth in zip(axes, depths):
        rows = [r for r in reproductions if r.depth == depth]
        layers = np.arange(1, depth + 1)
        ax.plot(layers, rows[0].published, "k-s", lw=2, label="Nielsen, MNIST (published)")
        for r in rows:
            low, high = r.spread
            line = ax.plot(layers, r.geometric_mean, "-o", label=f"nnmath, {r.data}, {r.variant}")[0]
            ax.fill_between(layers, low, high, color=line.get_color(), alpha=0.15)
        ax.set_yscale("log")
        ax.set_xticks(layers)
        ax.set_xlabel("hidden layer l")
        ax.set_ylabel(r"$\|\partial E/\partial b^l\|$")
        ax.set_title(f"{depth} hidden layers of 30 sigmoids")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"Nielsen's measurement reproduced: the norm of $\\partial E/\\partial b^l$, E the mean over {rows[0].samples:,} samples "
                 f"(line: geometric mean, band: min to max over {len(rows[0].norms)} seeds)")
    return _save(plt, fig, path)


def _save(plt, fig, path: Path) -> Path:
    """The figure as a PNG file, written whole or not at all (an old file of that name is kept on a failure)."""
    try:
        replace_atomically(path, lambda f: fig.savefig(f, format="png", dpi=110))
    finally:
        plt.close(fig)
    return path


def write_all(experiment: Experiment, directory) -> list[Path]:
    """The three figures of a grid run, in ``directory`` (created if missing)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    return [plot_gradient_norms(experiment, out / "gradient_norms.png"),
            plot_heatmap(experiment, out / "heatmap.png"),
            plot_accuracy(experiment, out / "accuracy.png")]
