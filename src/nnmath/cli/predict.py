"""``nnmath predict MODEL DATA.csv``: the trained network's labels and class probabilities for new data.

The CSV needs the model's feature columns (by name; other columns are ignored). The features
are scaled as in training, then ŷ = a^L gives the probabilities: for one sigmoid output
P(classes[1]) = ŷ and P(classes[0]) = 1 - ŷ. When the file also holds the target column, the
accuracy is reported on stderr.
"""
from __future__ import annotations

import csv
import io as text_io
import sys
from pathlib import Path

import numpy as np

from nnmath.data import csvfile as csvdata
from nnmath.cli.args import FORCE_HELP, add_csv_limits, check_output_path, csv_limits, write_text_atomically
from nnmath.data.sets import Standardizer
from nnmath.errors import NNMathError
from nnmath.io.model import load_model


def register(subparsers) -> None:
    p = subparsers.add_parser("predict", help="predict labels and probabilities for a CSV file",
                              description=__doc__.split("\n\n")[0].replace("``", "'"))
    p.add_argument("model", type=Path, metavar="MODEL", help="a model file written by 'nnmath train --out'")
    p.add_argument("data", type=Path, metavar="DATA.csv", help="a CSV file with a header row")
    p.add_argument("--out", type=Path, metavar="FILE", help="write the predictions here instead of stdout")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--quiet", action="store_true", help="do not report the accuracy")
    add_csv_limits(p)
    p.set_defaults(func=run)


def _true_labels(texts: list[str], classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The target column in the type of the model's classes, and which rows hold a label the model
    knows (a blank cell or a label never seen in training cannot be scored)."""
    words = [t.strip() for t in texts]
    y = np.array(words)
    if classes.dtype.kind in "iuf":
        y = np.array([float(t) if csvdata.parses_as_number(t) else np.nan for t in words])
    known = set(classes.tolist())
    return y, np.array([v in known for v in y.tolist()], dtype=bool)


def _scaler(info: dict, n_features: int, model: Path) -> Standardizer:
    """The feature scaling kept in the model file, checked."""
    saved = info.get("scaler")
    try:
        scaler = Standardizer(saved["mean"], saved["scale"])  # type: ignore[index]
        assert scaler.mean_ is not None and scaler.scale_ is not None
        valid = scaler.mean_.shape == scaler.scale_.shape == (n_features,) and bool(np.all(scaler.scale_ > 0))
    except (TypeError, KeyError, ValueError):
        valid = False
    if not valid:
        raise NNMathError(f"{model} has no valid feature scaling for its {n_features} features "
                          f"(was it written by 'nnmath train'?)")
    return scaler


def predictions_csv(labels: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> str:
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["prediction", *(f"P({c})" for c in classes.tolist())])
    for label, row in zip(labels.tolist(), proba):
        writer.writerow([label, *(f"{p:.6f}" for p in row)])
    return buffer.getvalue()


def run(args) -> int:
    check_output_path(args.out, "the predictions file", inputs=(args.model, args.data), force=args.force)
    net, info = load_model(args.model)
    table = csvdata.read_table(args.data, csv_limits(args))
    features = info.get("feature_names")
    if not isinstance(features, list) or len(features) != net.sizes[0]:
        raise NNMathError(f"{args.model} does not record its {net.sizes[0]} feature names")
    missing = [n for n in features if n not in table.header]
    if missing:
        raise NNMathError(
            f"the model expects {len(features)} features but {args.data.name} lacks "
            f"{len(missing)} of them ({', '.join(repr(n) for n in missing[:5])}{', ...' if len(missing) > 5 else ''}); "
            f"its columns are {', '.join(repr(n) for n in table.header[:8])}{', ...' if len(table.header) > 8 else ''}")
    scaler = _scaler(info, len(features), args.model)
    X = scaler.transform(csvdata.numbers(table, features))
    assert net.classes_ is not None
    proba = net.predict_proba(X)
    labels = net.predict(X)
    target = info.get("target_name")
    if target in table.header and not args.quiet:
        # the labels only score the predictions: rows without a label the model knows are left out of it
        y, known = _true_labels(table.column(target), net.classes_)
        left_out = len(y) - int(known.sum())
        note = f"; {left_out} row{'s' if left_out > 1 else ''} with a blank or unseen label left out" if left_out else ""
        if known.any():
            accuracy, scored = float(np.mean(labels[known] == y[known])), int(known.sum())
            sys.stderr.write(f"accuracy {100 * accuracy:.1f}% on {scored} row{'s' if scored > 1 else ''} "
                             f"(labels in column {target!r}{note})\n")
        else:
            sys.stderr.write(f"no accuracy: no row of column {target!r} holds a label the model knows "
                             f"({', '.join(repr(c) for c in net.classes_.tolist())})\n")
    text = predictions_csv(labels, proba, net.classes_)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(args.out, text)
    return 0
