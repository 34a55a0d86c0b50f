"""``nnmath info MODEL``: what a saved model is and how it was trained.
``nnmath data NAME``: write a built-in data set as CSV (features, then the label column), to look
at or to feed to ``nnmath train --data FILE.csv`` and ``nnmath predict``.
"""
from __future__ import annotations

import csv
import io as text_io
import json
import sys
from pathlib import Path

import numpy as np

from nnmath.cli.args import (FORCE_HELP, check_output_path, non_negative_float, non_negative_int, positive_int,
                             write_text_atomically)
from nnmath.data.sets import BUILT_IN, load
from nnmath.errors import NNMathError
from nnmath.io.model import load_model


def register(subparsers) -> None:
    p = subparsers.add_parser("info", help="show a saved model's architecture and training settings",
                              description="Show a saved model's architecture, classes, features, training "
                                          "settings and results.")
    p.add_argument("model", type=Path, metavar="MODEL")
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.set_defaults(func=run_info)
    d = subparsers.add_parser("data", help="write a built-in data set as CSV",
                              description="Write a built-in data set as CSV: a header row, the features, "
                                          "then the label column.")
    d.add_argument("name", choices=BUILT_IN, metavar="NAME", help=", ".join(BUILT_IN))
    d.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    d.add_argument("--force", action="store_true", help=FORCE_HELP)
    d.add_argument("--noise", type=non_negative_float, default=0.1, help="noise of the 2-D sets (0.1)")
    d.add_argument("--samples", type=positive_int, metavar="M", help="number of samples")
    d.add_argument("--seed", type=non_negative_int, default=0)
    d.set_defaults(func=run_data)


def run_info(args) -> int:
    net, info = load_model(args.model)
    if args.json:
        print(json.dumps({"config": net.config(), "classes": net.classes_.tolist() if net.classes_ is not None
                          else None, "parameters": int(sum(p.size for p in net.parameters())), "info": info},
                         indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    config = net.config()
    console.print(f"[bold]{args.model}[/]: nnmath model, written by nnmath {info.get('nnmath_version', '?')}")
    table = Table(title="Architecture")
    for column in ("layer", "W shape", "units f", "parameters"):
        table.add_column(column)
    for l, layer in enumerate(net.layers):
        n_in, n_out = layer.W.shape
        table.add_row(str(l + 1), f"{n_in} x {n_out}", layer.f.name, str(sum(p.size for p in layer.parameters())))
    console.print(table)
    console.print(f"loss E: {net.loss.name.replace('_', ' ')}; init {config['init']}; dropout {config['dropout']}; "
                  f"{int(sum(p.size for p in net.parameters()))} parameters in all")
    if net.kind == "regression":  # no classes: the output is the predicted value itself
        console.print("regression: ŷ is the predicted value (identity output)")
    else:
        classes = [] if net.classes_ is None else net.classes_.tolist()
        console.print(f"classes: {', '.join(map(str, classes))}")
    features = info.get("feature_names")
    features = features if isinstance(features, list) else []
    shown = ", ".join(map(str, features[:6])) + (", ..." if len(features) > 6 else "")
    console.print(f"data: {info.get('data', '?')}; target column {info.get('target_name', '?')!r}; "
                  f"{len(features)} features: {shown}")
    training = info.get("training")
    if isinstance(training, dict):
        console.print("training: " + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in training.items()
                                                if v is not None and v is not False))
    results = info.get("results")
    for name, result in (results.items() if isinstance(results, dict) else []):
        if isinstance(result, dict) and {"loss", "accuracy", "samples"} <= set(result):
            console.print(f"{name}: loss {result['loss']:.4f}, accuracy {100 * result['accuracy']:.1f}% "
                          f"({result['samples']} samples)")
    return 0


def run_data(args) -> int:
    check_output_path(args.out, "the CSV file", force=args.force)
    dataset = load(args.name, noise=args.noise, n_samples=args.samples, seed=args.seed)
    if "label" in dataset.feature_names:
        raise NNMathError(f"{args.name} has a feature called 'label'; cannot add the label column")
    X = np.concatenate([dataset.X_train, dataset.X_test])
    y = np.concatenate([dataset.y_train, dataset.y_test])
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*dataset.feature_names, dataset.target_name])
    for features, label in zip(X.tolist(), y.tolist()):
        writer.writerow([*(repr(v) for v in features), label])
    if args.out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        write_text_atomically(args.out, buffer.getvalue())
    return 0
