r"""``nnmath explain``: the chain rule for one weight, or one whole training step, with numbers.

    nnmath explain                                  # ∂E/∂W¹[0,0] of a seeded 2-2-1 sigmoid network on XOR
    nnmath explain --param W2[1,0] --format markdown
    nnmath explain --step --learning-rate 0.5       # one gradient-descent step on the four XOR points
    nnmath explain --model model.npz --param b1[3] --sample 7

Without --model and --data the network is built from --layers and --seed and the data are the
four corners of XOR, (1,0) -> 1, (0,1) -> 1, (1,1) -> 0, (0,0) -> 0, so a newcomer sees a
derivation at once. The network is never changed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from nnmath.engine import activations
from nnmath.cli.args import add_csv_limits, csv_limits, layer_spec, non_negative_int, positive_float, resolve_layers
from nnmath.errors import NNMathError
from nnmath.derivations.explain import explain
from nnmath.derivations.step import explain_step

XOR_X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
XOR_Y = np.array([1, 1, 0, 0])
DEFAULT_LEARNING_RATE = 0.1
STEP_SAMPLES = 4  # --step without --sample works on the first four samples
MAX_NOTED = 4  # the samples whose file rows are noted on stderr


def register(subparsers) -> None:
    p = subparsers.add_parser("explain", help="show the chain rule for one weight with the network's own numbers",
                              description=__doc__.split("\n\n")[0].replace("``", "'"))
    p.add_argument("--layers", type=layer_spec, metavar="SIZES",
                   help="architecture, input first (default 2,2,1 on XOR; auto,2,auto with --data)")
    p.add_argument("--activation", choices=list(activations.ACTIVATIONS), help="hidden activation (default sigmoid)")
    p.add_argument("--param", default="W1[0,0]", metavar="NAME",
                   help="the parameter: W1[0,0] is W¹[j=0,k=0], from unit 0 of layer 0 (the input) to unit 0 "
                        "of layer 1; b2[0] a bias (default W1[0,0])")
    p.add_argument("--model", type=Path, metavar="FILE", help="explain this saved model instead")
    p.add_argument("--data", metavar="NAME|FILE.csv", help="take the samples from this data set (standardized)")
    p.add_argument("--target", metavar="COLUMN", help="with a CSV file: the column holding the labels (default the "
                                                       "last; with --model, the model's own)")
    add_csv_limits(p)
    p.add_argument("--sample", default=None, metavar="I|all",
                   help="which sample of the data's training part, split as train splits it with the same --seed "
                        "(from 0; default 0), or 'all' for the mean over the batch (at most 8)")
    p.add_argument("--format", choices=("text", "markdown", "latex"), default="text")
    p.add_argument("--step", action="store_true", help="write out one whole gradient-descent step instead")
    p.add_argument("--learning-rate", type=positive_float, metavar="A",
                   help=f"α (default {DEFAULT_LEARNING_RATE}; with --model, the α it was trained with)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed of the random initial weights (default 0)")
    p.set_defaults(func=run)


def _model_learning_rate(info: dict):
    """The α the model was trained with, when its file records it."""
    training = info.get("training")
    rate = training.get("learning_rate") if isinstance(training, dict) else None
    return float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate > 0 else None


def _model_and_data(args):
    """A saved model and its data: the model's own (its CSV file, its built-in set) or --data, with
    the features taken by the model's names and the labels from its target column."""
    if args.layers is not None or args.activation is not None:
        raise NNMathError("give either --model or --layers/--activation, not both: the model has its own")
    from nnmath.cli.model_data import model_dataset, own_data
    from nnmath.data.sets import Standardizer
    from nnmath.io.model import load_model

    net, info = load_model(args.model)
    if args.learning_rate is None:
        args.learning_rate = _model_learning_rate(info)
    name = args.data if args.data is not None else own_data(info, args.model)
    if name is None:
        if net.sizes[0] != 2:
            raise NNMathError(f"{args.model} takes {net.sizes[0]} features: give the data with --data NAME|FILE.csv")
        return net, XOR_X, _xor_labels(net), "the four XOR points", None
    dataset = model_dataset(net, info, args.model, name, args.target, args.seed, csv_limits(args))
    saved = info.get("scaler")
    scaler = Standardizer(np.asarray(saved["mean"]), np.asarray(saved["scale"])) if saved is not None \
        else Standardizer().fit(dataset.X_train)
    return net, scaler.transform(dataset.X_train), dataset.y_train, str(name), dataset


def _network_and_data(args):
    """The network, the samples X and labels y, where they came from, and the Dataset (None for XOR)."""
    if args.model is not None:
        return _model_and_data(args)
    from nnmath.engine.network import Network

    args.activation = args.activation or "sigmoid"
    args.layers = args.layers or layer_spec("2,2,1" if args.data is None else "auto,2,auto")
    if args.data is None:
        if "auto" in args.layers:
            raise NNMathError("--layers 'auto' needs --data to count the features and classes")
        sizes = [int(s) for s in args.layers]
        if sizes[0] != 2:
            raise NNMathError(f"the built-in example is XOR, with 2 inputs: use --layers 2,...,{sizes[-1]} "
                              f"or give --data, not an input layer of {sizes[0]}")
        net = Network(sizes, activation=args.activation, seed=args.seed)
        return net, XOR_X, _xor_labels(net), "the four XOR points", None
    from nnmath.data.sets import Standardizer, load

    dataset = load(args.data, target=args.target, seed=args.seed, csv_limits=csv_limits(args))
    sizes = resolve_layers(args.layers, dataset.n_features, len(dataset.classes), args.data)
    net = Network(sizes, activation=args.activation, seed=args.seed)
    net.classes_ = dataset.classes
    return net, Standardizer().fit_transform(dataset.X_train), dataset.y_train, str(args.data), dataset


def _xor_labels(net) -> np.ndarray:
    """XOR's labels as the network takes them: its own class labels once fitted, else 0/1; with several
    outputs (multilabel, multi-output regression) XOR's label for each."""
    if net.kind in ("multilabel", "regression"):
        y = XOR_Y.astype(np.float64)
        return y if net.sizes[-1] == 1 else np.repeat(y[:, None], net.sizes[-1], axis=1)
    if net.classes_ is not None and len(net.classes_) == 2:
        return net.classes_[XOR_Y]
    return XOR_Y


def _rows(sample, n: int, step: bool) -> np.ndarray:
    """The sample rows to explain: one index, 'all', or the default (0; the first four for --step)."""
    if sample is None:
        return np.arange(min(n, STEP_SAMPLES)) if step else np.array([0])
    if str(sample).strip().lower() == "all":
        return np.arange(n)
    try:
        index = int(sample)
    except ValueError:
        raise NNMathError(f"--sample must be a sample index from 0 or 'all', got {sample!r}") from None
    if not 0 <= index < n:
        raise NNMathError(f"--sample {index} is not a sample of the data: it has {n} samples, indices 0 to {n - 1}")
    return np.array([index])


def _where(dataset, rows: np.ndarray, y: np.ndarray, classes) -> str:
    """Which rows of the file (or samples of the built-in set) the explained samples are, and their
    labels with the output unit they are (the derivation shows y as the 0/1 targets only)."""
    csv = dataset.name.lower().endswith(".csv")
    places = []
    for i in rows.tolist()[:MAX_NOTED]:
        at = dataset.rows_train[i] + 2 if csv else dataset.rows_train[i]  # a CSV's row 1 is its header
        places.append(f"sample {i} is {'row' if csv else 'sample'} {at} of {dataset.name}, "
                      f"labelled {np.asarray(y[i]).tolist()!r}{_unit(classes, y[i])}")
    return "; ".join(places) + ("; ..." if len(rows) > MAX_NOTED else "")


def _unit(classes, label) -> str:
    """', class k' for a label the network knows as its k-th class."""
    known = [] if classes is None else np.asarray(classes).tolist()
    value = np.asarray(label).tolist()
    return f" (class {known.index(value)} of {len(known)})" if value in known else ""


def run(args) -> int:
    net, X, y, source, dataset = _network_and_data(args)
    rows = _rows(args.sample, len(X), args.step)
    if args.learning_rate is None:
        args.learning_rate = DEFAULT_LEARNING_RATE
    if args.step:
        derivation = explain_step(net, X[rows], y[rows], learning_rate=args.learning_rate)
    else:
        derivation = explain(net, X[rows], y[rows], args.param, learning_rate=args.learning_rate)
    if dataset is not None and dataset.rows_train is not None:
        print(f"nnmath: {_where(dataset, rows, y, net.classes_)}", file=sys.stderr)
    print(derivation.render(args.format), end="")
    return 0
