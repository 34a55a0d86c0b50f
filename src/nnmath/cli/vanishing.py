"""``nnmath vanishing``: measure the vanishing gradient over a grid, print it, plot it.

    nnmath vanishing                                  # the default grid on MNIST-1D
    nnmath vanishing --depths 2,8 --activations sigmoid --remedies none,batchnorm --plot figs
    nnmath vanishing --nielsen                        # Nielsen's chapter-5 numbers beside ours
    nnmath vanishing --scheduler tcp://10.0.0.5:8786  # the grid on a Dask cluster
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Optional

from nnmath.cli.args import (EPOCHS_WHY, FORCE_HELP, MAX_EPOCHS, MAX_SAMPLES, MAX_UNITS, SAMPLES_WHY, at_most,
                             add_csv_limits, check_plot_folder, csv_limits, finite_float, non_negative_int, positive_int,
                             sample_count, whole_int)
from nnmath.io.model import MAX_PARAMETERS
from nnmath.errors import NNMathError

MAX_DEPTH = 1000  # hidden layers of one configuration
MAX_JOBS = 256


# Upper bounds here; the lab's own checks (vanishing.check_settings) judge the lower ones.
def _epochs(text: str) -> int:
    return at_most(whole_int, MAX_EPOCHS, EPOCHS_WHY)(text)


def _batch(text: str) -> int:
    return at_most(whole_int, MAX_SAMPLES, SAMPLES_WHY)(text)


def _width(text: str) -> int:
    return at_most(whole_int, MAX_UNITS, f"a W of {MAX_UNITS} x {MAX_UNITS} would already be 80 GB")(text)


def _jobs(text: str) -> int:
    return at_most(whole_int, MAX_JOBS, "processes on one machine")(text)


def _seeds(text: str) -> int:
    return at_most(positive_int, 10_000, "each draw is a full measurement; 20 already average the noise")(text)


DEFAULTS = {"depths": "2,4,8", "activations": "sigmoid,relu", "inits": "normal,he",
            "remedies": "none,batchnorm,residual,clip"}


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "vanishing", help="measure the vanishing gradient over depth x activation x init x remedy",
        description="Train every configuration of a grid for the same number of epochs and report each "
                    "layer's gradient norm at initialization (with the ratio between layers beside the bound "
                    "sup|f'|·‖W‖₂), over training, and the accuracy reached.")
    p.add_argument("--data", default="mnist1d", help="a built-in data set or a CSV file (default: mnist1d)")
    p.add_argument("--target", metavar="COLUMN", help="with a CSV file: the column holding the labels (default the last)")
    add_csv_limits(p)
    p.add_argument("--depths", default=None,
                   help="hidden layers, comma-separated (default: 2,4,8; with --nielsen 2,3,4)")
    p.add_argument("--activations", default=DEFAULTS["activations"], help="default: sigmoid,relu")
    p.add_argument("--inits", default=DEFAULTS["inits"], help="weight inits (default: normal,he)")
    p.add_argument("--remedies", default=DEFAULTS["remedies"], help="default: none,batchnorm,residual,clip")
    p.add_argument("--width", type=_width, default=30, help="units per hidden layer (default: 30)")
    p.add_argument("--epochs", type=_epochs, default=20, help="the same budget for every run (default: 20)")
    p.add_argument("--learning-rate", type=finite_float, default=0.1, help="SGD step size (default: 0.1)")
    p.add_argument("--batch-size", type=_batch, default=32, help="default: 32")
    p.add_argument("--clip-norm", type=finite_float, default=1.0, help="global norm for the clip remedy (default: 1)")
    p.add_argument("--probe", type=sample_count, default=1000, help="training samples the norms are averaged over")
    p.add_argument("--n-samples", type=sample_count, default=None, help="use only this many samples of the data set")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--n-jobs", type=_jobs, default=2, help="processes running the grid (-1: all cores; default: 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the grid on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786), on all "
                        "its workers; needs pip install 'nnmath[distributed]' (docs/distributed.md)")
    p.add_argument("--per-layer", action="store_true", help="also print every layer of every configuration")
    # the old name of --per-layer, kept working (scripts use it) but hidden from --help, since everywhere
    # else --layers is the architecture
    p.add_argument("--layers", action="store_true", dest="old_layers_flag", help=argparse.SUPPRESS)
    p.add_argument("--nielsen", action="store_true",
                   help="instead of the grid: Nielsen's measurement (2, 3 and 4 hidden sigmoid layers of 30) beside his numbers")
    p.add_argument("--seeds", type=_seeds, default=20, help="with --nielsen: weight draws to average (default: 20)")
    p.add_argument("--plot", metavar="DIR", help="write the figures (PNG) into DIR")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def _names(text: str, what: str) -> list[str]:
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not items:
        raise NNMathError(f"--{what} needs at least one value")
    return items


def _depths(text: str) -> list[int]:
    try:
        depths = [int(t) for t in _names(text, "depths") if len(t) <= 19]
    except ValueError:
        raise NNMathError(f"--depths takes whole numbers separated by commas, got {text!r}") from None
    if len(depths) < len(_names(text, "depths")) or any(d > MAX_DEPTH for d in depths):
        raise NNMathError(f"--depths are at most {MAX_DEPTH} hidden layers, got {text!r}")
    return depths


def _check_size(depths: list[int], width: int) -> None:
    """The deepest network of the grid within what one run can hold (W of width x width per layer)."""
    weights = max(depths) * (width * width + width)
    if weights > MAX_PARAMETERS:
        raise NNMathError(f"{max(depths)} hidden layers of {width} units have {weights} weights; "
                          f"nnmath trains networks of at most {MAX_PARAMETERS}")


def _plot_dir(args) -> Optional[Path]:
    path = None if args.plot is None else Path(args.plot)
    names = ("nielsen.png",) if args.nielsen else ("gradient_norms.png", "heatmap.png", "accuracy.png")
    check_plot_folder(path, names, args.force, inputs=(args.data,))
    return path


def _clean(value):
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def run(args) -> int:
    from nnmath.lab import vanishing

    plot_dir = _plot_dir(args)
    if args.nielsen and args.scheduler is not None:
        raise NNMathError("--scheduler runs the grid on a cluster; --nielsen has no grid (it runs here in seconds)")
    if args.nielsen:
        return _run_nielsen(args, plot_dir)
    settings = vanishing.Settings(width=args.width, epochs=args.epochs, learning_rate=args.learning_rate,
                                  batch_size=args.batch_size, clip_norm=args.clip_norm, probe=args.probe,
                                  seed=args.seed)
    axes = (_depths(args.depths or DEFAULTS["depths"]), _names(args.activations, "activations"),
            _names(args.inits, "inits"), _names(args.remedies, "remedies"))
    configs = vanishing.grid(*axes)  # bad names fail before the data set is loaded
    _check_size(axes[0], args.width)
    vanishing.check_settings(settings, args.n_jobs)
    if args.scheduler is not None:
        from nnmath.lab.cluster import check_address

        check_address(args.scheduler)  # before the data set is loaded
    data = vanishing.prepare(args.data, args.seed, args.n_samples, args.target, csv_limits(args))
    show = not args.quiet and sys.stderr.isatty()
    with _progress(show, len(configs)) as advance:
        experiment = vanishing.run(data, *axes, settings=settings, n_jobs=args.n_jobs, on_done=advance,
                                   scheduler=args.scheduler)
    written = []
    if plot_dir is not None:
        from nnmath.lab.plots import write_all

        written = write_all(experiment, plot_dir)
    if args.json:
        print(json.dumps(_clean(experiment.to_dict())))
    else:
        from nnmath.lab.tables import print_experiment

        print_experiment(experiment, per_layer=args.per_layer or args.old_layers_flag, written=written)
    return 0


def _run_nielsen(args, plot_dir: Optional[Path]) -> int:
    from nnmath.lab.vanishing import prepare
    from nnmath.lab.nielsen import VARIANTS, check_request, reproduce

    depths = _depths(args.depths or "2,3,4")
    check_request(depths, VARIANTS, args.seeds, args.probe)  # before the data set is loaded
    data = prepare(args.data, args.seed, args.n_samples, args.target, csv_limits(args))
    results = reproduce(data, depths=depths, seeds=args.seeds, samples=args.probe)
    written = []
    if plot_dir is not None:
        from nnmath.lab.plots import plot_nielsen

        plot_dir.mkdir(parents=True, exist_ok=True)
        written = [plot_nielsen(results, plot_dir / "nielsen.png")]
    if args.json:
        print(json.dumps(_clean([r.to_dict() for r in results])))
    else:
        from nnmath.lab.tables import print_nielsen

        print_nielsen(results, written=written)
    return 0


class _progress:
    """A rich progress bar over the runs of the grid, or nothing when ``show`` is False."""

    def __init__(self, show: bool, total: int):
        self.show, self.total, self.bar = show, total, None

    def __enter__(self):
        if self.show:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("vanishing grid", total=self.total)
        return self.advance

    def advance(self, result) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=result.config.label)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
