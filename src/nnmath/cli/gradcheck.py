r"""``nnmath gradcheck``: backpropagation against central finite differences, layer by layer.

For every weight and bias θ it compares ∂E/∂θ from backprop with (E(θ+ε) - E(θ-ε)) / 2ε and
prints, per layer, the worst relative error max|g - g̃| / max(|g|, |g̃|). The exit code is 0 when
every layer is within the tolerance (or its differences within the finite difference's own
rounding noise, see gradcheck.check_gradients) and 1 when one is not. The network is a given architecture
(random weights) or a saved model; the data a built-in set or random standard-normal features.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nnmath.engine import activations
from nnmath.cli.args import (add_csv_limits, at_most, csv_limits, layer_spec, non_negative_int, positive_float,
                             positive_int, resolve_layers)
from nnmath.diagnostics.gradcheck import check_gradients
from nnmath.errors import NNMathError
from nnmath.engine.network import Network

FAILED_CHECK = 1
DEFAULT_LAYERS, DEFAULT_ENTRIES = "4,5,3,1", 50
DATA_LAYERS = "auto,5,3,auto"  # the default with --data: its feature and class counts at the ends
KINKED = ("relu", "leaky_relu")


def register(subparsers) -> None:
    p = subparsers.add_parser("gradcheck", help="check backpropagation against finite differences",
                              description=__doc__.split("\n\n")[0].replace("``", "'"))
    p.add_argument("model", type=Path, nargs="?", metavar="MODEL", help="check this saved model (else --layers)")
    p.add_argument("--layers", type=layer_spec, metavar="SIZES",
                   help=f"architecture to check, input first (default {DEFAULT_LAYERS}; {DATA_LAYERS} with --data)")
    p.add_argument("--activation", choices=list(activations.ACTIVATIONS), help="hidden activation (default sigmoid)")
    p.add_argument("--entries", type=non_negative_int, default=DEFAULT_ENTRIES, metavar="N",
                   help=f"check N entries of each W and b, drawn at random; 0 checks all "
                        f"(default {DEFAULT_ENTRIES}: each entry costs two passes over the batch)")
    p.add_argument("--data", metavar="NAME|FILE.csv", help="take the samples from this data set (standardized)")
    p.add_argument("--target", metavar="COLUMN",
                   help="with a CSV file: the column holding the labels (default the last; with a MODEL, the model's own)")
    add_csv_limits(p)
    p.add_argument("--samples", type=at_most(positive_int, 100_000, "each checked entry costs two passes over the batch"),
                   default=20, help="samples in the batch (default 20)")
    p.add_argument("--eps", type=at_most(positive_float, 1.0, "the step of a finite difference is small"),
                   default=1e-6, help="finite-difference step ε (default 1e-6)")
    p.add_argument("--tolerance", type=positive_float, default=1e-6, help="largest relative error allowed (1e-6)")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def _data_batch(args) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, str]:
    """The first --samples training samples of --data, standardized; their feature and class counts."""
    from nnmath.data.sets import load

    return _batch_of(load(args.data, target=args.target, seed=args.seed, csv_limits=csv_limits(args)), args.samples)


def _batch_of(dataset, samples: int) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, str]:
    from nnmath.data.sets import Standardizer

    X = Standardizer().fit(dataset.X_train).transform(dataset.X_train[:samples])
    return X, dataset.y_train[:samples], dataset.n_features, dataset.classes, dataset.name


def _network_and_batch(args) -> tuple[Network, np.ndarray, np.ndarray, str]:
    rng = np.random.default_rng(args.seed)
    if args.model is not None:
        if args.layers is not None or args.activation is not None:
            raise NNMathError("give either a MODEL or --layers/--activation, not both: the model has its own")
        from nnmath.io.model import load_model

        net, info = load_model(args.model)
        net.astype(np.float64)  # finite differences need float64
        if args.data is None:
            X, source = rng.standard_normal((args.samples, net.sizes[0])), "random N(0, 1) features"
            if net.classes_ is None:  # regression: random targets
                y = rng.standard_normal((args.samples, net.sizes[-1]))
            elif net.kind == "multilabel":  # a random 0/1 label for each sigmoid output
                y = rng.integers(0, 2, (args.samples, net.sizes[-1])).astype(np.float64)
            else:
                y = net.classes_[np.arange(args.samples) % len(net.classes_)]
        else:  # the model's features by name, its labels from its target column (as explain and predict)
            from nnmath.cli.model_data import model_dataset

            dataset = model_dataset(net, info, args.model, args.data, args.target, args.seed, csv_limits(args))
            X, y, _, _, source = _batch_of(dataset, args.samples)
        return net, X, y, f"{args.model} on {source}"
    args.layers = args.layers or layer_spec(DEFAULT_LAYERS if args.data is None else DATA_LAYERS)
    args.activation = args.activation or "sigmoid"
    if args.data is None:
        if "auto" in args.layers:
            raise NNMathError("--layers 'auto' needs --data to count the features and classes")
        sizes = [int(s) for s in args.layers]
        X, source = rng.standard_normal((args.samples, sizes[0])), "random N(0, 1) features"
        classes = np.arange(2 if sizes[-1] == 1 else sizes[-1])
        y = classes[np.arange(args.samples) % len(classes)]
    else:
        X, y, n_features, classes, source = _data_batch(args)
        sizes = resolve_layers(args.layers, n_features, len(classes), source)
    net = Network(sizes, activation=args.activation, seed=args.seed)
    for b in net.biases:
        # Biases drawn away from 0: with zero biases a dead ReLU layer puts the next layer's z
        # exactly on relu's kink at 0, where a finite difference measures no derivative at all.
        b[...] = rng.normal(0.0, 0.1, b.shape)
    net.classes_ = classes  # all classes, even those the small batch lacks
    return net, X, y, f"{'-'.join(map(str, sizes))} {args.activation} network on {source}"


def _verdicts(check) -> dict[int, str]:
    """Per layer: 'pass' (within the tolerance), 'pass by noise' or 'FAIL'."""
    words = {"tolerance": "pass", "noise": "pass by noise", "fail": "FAIL"}
    return {l: words[check.layer_judged_by(l)] for l in check.per_layer()}


def _noise_note(check, verdicts: dict, tolerance: float, eps: float) -> str:
    """Why a layer above the tolerance passed: its differences are the finite difference's own rounding."""
    by_noise = [l for l, v in verdicts.items() if v == "pass by noise"]
    if not by_noise:
        return ""
    diff, noise = max(check.layer_noise(l) for l in by_noise)
    layers = ", ".join(str(l) for l in by_noise)
    return (f"layer{'s' if len(by_noise) > 1 else ''} {layers} passed by noise, not by --tolerance {tolerance:g}: "
            f"the relative error is above it, but |g - g̃| ≤ {diff:.2e} is within the finite difference's own "
            f"rounding ({noise:.2e} = 100 ε_machine max(1, |E|) / ε), so a finer agreement cannot be measured "
            f"with ε = {eps:g}")


def run(args) -> int:
    net, X, y, what = _network_and_batch(args)
    check = check_gradients(net, X, y, eps=args.eps, tolerance=args.tolerance, max_entries=args.entries or None)
    per_layer = check.per_layer()
    verdicts = _verdicts(check)
    note = _noise_note(check, verdicts, args.tolerance, args.eps)
    if args.json:
        print(json.dumps({"checked": what, "samples": len(X), "eps": args.eps, "tolerance": args.tolerance,
                          "worst_relative_error": {f"layer {l}": e for l, e in per_layer.items()},
                          "verdict": {f"layer {l}": v for l, v in verdicts.items()},
                          "note": note or None, "passed": check.passed}, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        entries = f"up to {args.entries} entries" if args.entries else "every entry"
        table = Table(title=f"Gradient check: {what}, {len(X)} samples, {entries} of each W and b, ε = {args.eps:g}")
        table.add_column("layer")
        table.add_column("parameters", justify="right")
        table.add_column("worst relative error", justify="right")
        table.add_column(f"≤ {args.tolerance:g}")
        sizes = {l + 1: sum(p.size for p in layer.parameters()) for l, layer in enumerate(net.layers)}
        for l, error in per_layer.items():
            verdict = verdicts[l]
            table.add_row(f"{l} (W{l}, b{l})", str(sizes[l]), f"{error:.2e}",
                          "[red]FAIL[/]" if verdict == "FAIL" else verdict)
        console = Console()
        console.print(table)
        if note:
            console.print(note, highlight=False)
        agrees = "backpropagation agrees with finite differences" + (" to within their rounding noise" if note else "")
        console.print(agrees if check.passed else
                      f"[red]gradient check failed[/]: worst relative error {check.worst:.2e} > {args.tolerance:g}"
                      + (" (relu's kink at z = 0 can fool a finite difference: a z within ε of 0 has no derivative)"
                         if set(net.activation_names) & set(KINKED) else ""))
    return 0 if check.passed else FAILED_CHECK
