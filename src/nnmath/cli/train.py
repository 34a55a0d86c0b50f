"""``nnmath train``: train a network on a data set, show its progress and results, keep the model.

With no options it runs the seed's scenario: a two-layer sigmoid network 30-16-1 trained by
full-batch gradient descent on scikit-learn's breast-cancer data (569 samples, p = 30 features,
two classes), with cross-entropy error E.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Optional

import numpy as np

from nnmath.version import __version__
from nnmath.engine import activations, init, optimizers, schedules
from nnmath.cli import recipes
from nnmath.cli.args import (FORCE_HELP, add_csv_limits, check_output_path, check_plot_folder, csv_limits, epoch_count,
                             fraction, layer_spec, noise_level, non_negative_float, non_negative_int, positive_float,
                             positive_int, resolve_layers, sample_count)
from nnmath.data.sets import BUILT_IN, Dataset, Standardizer, load, split
from nnmath.errors import NNMathError, TrainingDiverged
from nnmath.engine.history import History
from nnmath.engine.network import Network
from nnmath.cli.metrics import evaluate
from nnmath.cli.train_loop import BestSoFar, Interrupted, train

INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)

DEFAULT_DATA = "breast-cancer"
RECIPE_HELP = "(default: the data set's recipe, listed below)"


def register(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a network and show how it learns",
                              description=__doc__.split("\n\n")[0].replace("``", "'"),
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog="Options not given come from the data set's recipe (src/nnmath/cli/recipes.py):\n"
                                     + recipes.describe())
    d = p.add_argument_group("data")
    d.add_argument("--data", default=DEFAULT_DATA, metavar="NAME|FILE.csv",
                   help=f"a built-in set ({', '.join(BUILT_IN)}) or a CSV file with a header row "
                        f"(default {DEFAULT_DATA})")
    d.add_argument("--target", metavar="COLUMN", help="the CSV column holding the labels (default the last)")
    d.add_argument("--noise", type=noise_level, default=0.1,
                   help="standard deviation of the noise of the 2-D sets (default %(default)s)")
    d.add_argument("--samples", type=sample_count, metavar="M", help="use M samples (default: all; 400 for 2-D sets)")
    d.add_argument("--test-size", type=fraction(False),
                   help=f"fraction held out for the test {RECIPE_HELP}")
    d.add_argument("--validation-split", type=fraction(True),
                   help=f"fraction of the training part held out for validation {RECIPE_HELP}")
    d.add_argument("--no-standardize", action="store_true", help="use the features as they are")
    d.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                   help="classify the target, or fit it as a number (regression: identity output, squared error); "
                        "auto: regression for a target of numbers that are not whole, or of more than 10 values "
                        "with fewer than 5 samples each on average "
                        "(default %(default)s)")
    add_csv_limits(d)
    n = p.add_argument_group("network")
    n.add_argument("--layers", type=layer_spec, metavar="SIZES",
                   help="units per layer, input first; 'auto' is the feature count / the class count "
                        f"{RECIPE_HELP}")
    n.add_argument("--activation", choices=list(activations.ACTIVATIONS),
                   help=f"the hidden units' f {RECIPE_HELP}")
    n.add_argument("--init", choices=list(init.INITIALIZERS), help=f"how the weights W are drawn {RECIPE_HELP}")
    n.add_argument("--dropout", type=fraction(True), default=0.0,
                   help="dropout probability of hidden units (default %(default)s)")
    t = p.add_argument_group("training")
    t.add_argument("--optimizer", choices=list(optimizers.OPTIMIZERS),
                   help=f"sgd is the seed's gradient descent {RECIPE_HELP}")
    t.add_argument("--learning-rate", "--lr", dest="learning_rate", type=positive_float,
                   metavar="ALPHA", help=f"the step size α {RECIPE_HELP}")
    t.add_argument("--schedule", choices=list(schedules.SCHEDULES),
                   help=f"how α changes over the epochs {RECIPE_HELP}")
    t.add_argument("--batch-size", type=batch_size, metavar="B",
                   help=f"samples per step; 'full' for all (full-batch gradient descent) {RECIPE_HELP}")
    t.add_argument("--epochs", type=epoch_count, help=f"passes over the data {RECIPE_HELP}")
    t.add_argument("--weight-decay", type=non_negative_float, metavar="LAMBDA",
                   help=f"L2 penalty λ/2 Σ‖W‖² {RECIPE_HELP}")
    t.add_argument("--early-stopping", action=argparse.BooleanOptionalAction,
                   help="stop when the validation E has not improved for --patience epochs, keeping the best weights "
                        f"{RECIPE_HELP}")
    t.add_argument("--patience", type=positive_int, default=10, metavar="N",
                   help="epochs without improvement before early stopping (default %(default)s)")
    t.add_argument("--seed", type=non_negative_int, default=0,
                   help="seed of the data split, weights and shuffling (default %(default)s)")
    o = p.add_argument_group("output")
    o.add_argument("--out", type=Path, metavar="FILE", help="save the trained model here (.npz)")
    o.add_argument("--plot", type=Path, metavar="DIR", help="write PNG figures into this folder")
    o.add_argument("--force", action="store_true", help=FORCE_HELP)
    o.add_argument("--json", action="store_true", help="print the results as JSON")
    o.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def prepare(args) -> tuple[Dataset, dict[str, Any]]:
    """The data set and its parts, standardized: train, validation (or None), test."""
    dataset = load(args.data, target=args.target, noise=args.noise, n_samples=args.samples,
                   seed=args.seed, test_size=args.test_size, csv_limits=csv_limits(args),
                   regression={"auto": None, "classification": False, "regression": True}[args.task])
    X_train, y_train, X_val, y_val = dataset.X_train, dataset.y_train, None, None
    if args.validation_split > 0:
        rng = np.random.default_rng([args.seed, 1])
        if dataset.regression:  # no classes to stratify by: a plain random part
            order = rng.permutation(len(y_train))
            n_val = min(max(int(round(args.validation_split * len(order))), 1), len(order) - 1)
            X_train, y_train, X_val, y_val = (X_train[order[n_val:]], y_train[order[n_val:]],
                                              X_train[order[:n_val]], y_train[order[:n_val]])
        else:
            X_train, y_train, X_val, y_val = split(X_train, y_train, args.validation_split, rng, "--validation-split",
                                                   "training samples (what --test-size left)")
    scaler = Standardizer(np.zeros(dataset.n_features), np.ones(dataset.n_features))
    if not args.no_standardize:
        scaler.fit(X_train)
    parts = {"train": (scaler.transform(X_train), y_train),
             "validation": (None if X_val is None else scaler.transform(X_val), y_val),
             "test": (scaler.transform(dataset.X_test), dataset.y_test), "scaler": scaler}
    return dataset, parts


def _model_info(args, dataset: Dataset, scaler: Standardizer, sizes: list[int], results: dict) -> dict:
    """What the model file keeps besides the weights: the data's description, the scaling, the settings."""
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                if k not in ("func", "command", "out", "plot", "force", "json", "quiet", "layers",
                                     "max_columns", "max_csv_mb")}
    settings["layers"] = sizes
    csv_path = None if args.data in BUILT_IN else str(Path(args.data).resolve())  # for explain --model, from anywhere
    if csv_path is not None:
        settings.pop("noise", None)  # the noise of the generated 2-D sets: nothing to do with a file
    return {"data": dataset.name, "data_path": csv_path, "feature_names": dataset.feature_names,
            "target_name": dataset.target_name, "task": "regression" if dataset.regression else "classification",
            "classes": dataset.classes.tolist(), "scaler": {"mean": scaler.mean_, "scale": scaler.scale_},
            "training": settings, "results": results, "nnmath_version": __version__}


def left_out(args) -> frozenset:
    """The options the user did not give, which the recipes fill."""
    return frozenset(option for option in recipes.SEED_SETTINGS if getattr(args, option) is None)


def apply_recipe(args, regression: bool = False, options: Optional[frozenset] = None) -> None:
    """Fill ``options`` (default: every option the user left out) from the data set's recipe, or from the
    regression recipe once the data has shown a regression target."""
    options = left_out(args) if options is None else options
    for option, value in recipes.settings_for(args.data, regression).items():
        if option in options:
            setattr(args, option, layer_spec(value) if option == "layers" else value)
    if "early_stopping" in options and args.validation_split == 0:
        args.early_stopping = False  # a recipe's early stopping watches a validation part the user did without
    if args.batch_size == "full":
        args.batch_size = None


def batch_size(text: str):
    """A whole number of samples per step, or 'full' for full-batch gradient descent."""
    return "full" if text == "full" else sample_count(text)


def _warnings(history: History, args) -> list[str]:
    """What the user should know about a run that finished but did not learn."""
    first, last = history.loss[0], history.loss[-1]
    if len(history) > 1 and last > 1.25 * first:  # a rise beyond the noise of stochastic steps
        return [f"the training error E rose from {first:.4g} (epoch 1) to {last:.4g} (epoch {len(history)}): "
                f"the learning rate (α = {args.learning_rate:g}) is probably too large"]
    return []


FIGURES = ("loss.png", "gradients.png", "boundary.png")  # what plots.write_plots writes (boundary: 2-D data)
REGRESSION_FIGURES = ("loss.png", "gradients.png", "predictions.png")


def _figures(dataset: Dataset) -> tuple:
    if dataset.regression:
        return REGRESSION_FIGURES
    return FIGURES if dataset.n_features == 2 else FIGURES[:2]


def _network(args, dataset: Dataset) -> tuple[Network, list[int]]:
    """The network for the data: a classifier, or identity output + squared error for a regression target."""
    if dataset.regression:
        sizes = resolve_layers(args.layers, dataset.n_features, 1, dataset.name, regression=True)
        return Network(sizes, activation=args.activation, output="identity", init=args.init, dropout=args.dropout,
                       seed=args.seed), sizes
    sizes = resolve_layers(args.layers, dataset.n_features, len(dataset.classes), dataset.name)
    return Network(sizes, activation=args.activation, init=args.init, dropout=args.dropout, seed=args.seed), sizes


def _results(net: Network, parts: dict) -> dict:
    return {name: evaluate(net, *parts[name]) for name in ("train", "validation", "test")}


def _interrupted(args, net: Network, dataset: Dataset, parts: dict, sizes: list[int], best: BestSoFar) -> int:
    """Ctrl-C: keep the best model so far when --out was given, and say at which epoch training stopped."""
    during = f"interrupted during epoch {best.epochs_done + 1}"
    if args.out is None:
        sys.stderr.write(f"nnmath: {during}; nothing saved (give --out to keep the best model so far)\n")
        return INTERRUPTED
    if best.epoch is None:
        sys.stderr.write(f"nnmath: {during}, before any epoch finished; nothing saved\n")
        return INTERRUPTED
    from nnmath.io.model import save_model

    results = _results(net, parts)
    info = _model_info(args, dataset, parts["scaler"], sizes, results)
    info["training"]["interrupted_after_epoch"], info["training"]["kept_epoch"] = best.epochs_done, best.epoch
    save_model(args.out, net, info)
    which = "validation" if parts["validation"][0] is not None else "training"
    sys.stderr.write(f"nnmath: {during}; saved the model of epoch {best.epoch} (the lowest {which} E so far, "
                     f"{best.value:.4g}) to {args.out}\n")
    return INTERRUPTED


def _early_stopping_report(args, history: History) -> Optional[dict]:
    if not args.early_stopping:
        return None
    kept = None if history.best_epoch is None else history.best_epoch + 1
    return {"stopped_early": history.stopped_early, "epochs_run": len(history), "kept_epoch": kept,
            "patience": args.patience}


def run(args) -> int:
    options = left_out(args)
    apply_recipe(args, options=options)
    check_output_path(args.out, "the model file", inputs=(args.data,), force=args.force)
    check_plot_folder(args.plot, (), args.force)  # a file in its place: before the data is read
    if args.early_stopping and args.validation_split == 0:
        raise NNMathError("--early-stopping watches the validation part: give --validation-split above 0")
    dataset, parts = prepare(args)
    if dataset.regression:  # known only now; the regression recipe leaves the split that prepare used alone
        apply_recipe(args, regression=True, options=options)
    check_plot_folder(args.plot, _figures(dataset), args.force, inputs=(args.data,), out=args.out)
    net, sizes = _network(args, dataset)
    best = BestSoFar()
    try:
        history = train(args, net, parts, best)
    except TrainingDiverged as e:  # the engine's message speaks of the network's weights: here nothing is kept
        raise NNMathError(f"training diverged at epoch {e.epoch}: the loss became NaN or infinite; try a smaller "
                          f"learning rate than {args.learning_rate:g}; nothing was saved") from None
    except Interrupted:
        return _interrupted(args, net, dataset, parts, sizes, best)
    with np.errstate(over="ignore", invalid="ignore"):  # an E that overflows is refused just below
        results = _results(net, parts)
    if not all(math.isfinite(r["loss"]) for r in results.values() if r is not None):
        # the epochs' E were finite, taken before each step; the last step's weights give NaN or ∞
        raise NNMathError(f"training diverged in its last step: E of the trained network is NaN or infinite; try a "
                          f"smaller learning rate than {args.learning_rate:g}; nothing was saved")
    norms = {f"W{l + 1}": {"first_epoch": history.grad_norms[0][l], "last_epoch": history.grad_norms[-1][l]}
             for l in range(len(net.layers))}
    report = {"data": dataset.name, "task": "regression" if dataset.regression else "classification",
              "features": dataset.n_features, "classes": dataset.classes.tolist(),
              "target": dataset.target_name, "layers": sizes, "epochs_run": len(history),
              "early_stopping": _early_stopping_report(args, history), "results": results, "grad_norms": norms,
              "model": None, "plots": [], "warnings": _warnings(history, args)}
    for warning in report["warnings"]:
        sys.stderr.write(f"nnmath: warning: {warning}\n")
    if args.plot is not None:
        from nnmath.cli.train_plots import write_plots

        report["plots"] = [str(p) for p in write_plots(args.plot, history, net, dataset, parts["scaler"])]
    # the model is written last, so that no failure after it can leave a new model from a failed run
    if args.out is not None:
        from nnmath.io.model import save_model

        save_model(args.out, net, _model_info(args, dataset, parts["scaler"], sizes, results))
        report["model"] = str(args.out)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        from nnmath.cli.train_report import print_report

        print_report(report, net, args)
    return 0
