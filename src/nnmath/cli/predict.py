"""``nnmath predict MODEL DATA.csv``: the trained network's labels and class probabilities for new data.

The CSV needs the model's feature columns (by name; other columns are ignored). The features
are scaled as in training, then ŷ = a^L gives the probabilities: for one sigmoid output
P(classes[1]) = ŷ and P(classes[0]) = 1 - ŷ; a regression model's ŷ is the predicted value. When
the file also holds the target column, the results are reported on stderr: the accuracy, the
confusion matrix and each class's precision and recall (R² and RMSE for a regression; nothing for a
model that predicts several values per sample, multilabel or multi-output, which one column cannot score). --id
carries a column (a sample's name or number) into the output, --truth the true label beside
each prediction, and --json writes the predictions and the results as one JSON document.
"""
from __future__ import annotations

import csv
import json
import io as text_io
import sys
from pathlib import Path
from typing import Optional

import numpy as np

from nnmath.data import csvfile as csvdata
from nnmath.cli import metrics, predict_report
from nnmath.cli.args import FORCE_HELP, add_csv_limits, check_output_path, csv_limits, write_text_atomically
from nnmath.data.columns import check_features
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
    p.add_argument("--quiet", action="store_true", help="do not report the results on stderr")
    p.add_argument("--id", metavar="COLUMN", dest="id_column",
                   help="copy this column (a sample's name or number) into the output, first")
    p.add_argument("--truth", action="store_true",
                   help="put the true label (the model's target column, which the file must have) beside each "
                        "prediction")
    p.add_argument("--json", action="store_true",
                   help="write the predictions and the results (with the confusion matrix) as JSON instead of CSV")
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


Column = tuple[str, list]  # a column to carry into the output: its name and its cells


def _rows(labels: np.ndarray, proba: Optional[np.ndarray], classes: Optional[np.ndarray],
          ids: Optional[Column], truth: Optional[Column]) -> tuple[list[str], list[list]]:
    """The output's header and rows: the id, the prediction, the true label, then P(class) per class."""
    header = ([ids[0]] if ids else []) + ["prediction"] + ([truth[0]] if truth else [])
    if proba is not None and classes is not None:
        header += [f"P({c})" for c in classes.tolist()]
    rows = []
    for i, label in enumerate(labels.tolist()):
        row = ([ids[1][i]] if ids else []) + [label] + ([truth[1][i]] if truth else [])
        rows.append(row + (proba[i].tolist() if proba is not None else []))
    return header, rows


def predictions_csv(labels: np.ndarray, proba: Optional[np.ndarray], classes: Optional[np.ndarray],
                    ids: Optional[Column] = None, truth: Optional[Column] = None) -> str:
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header, rows = _rows(labels, proba, classes, ids, truth)
    writer.writerow(header)
    n_proba = 0 if proba is None else proba.shape[1]
    for row in rows:
        cells, probabilities = row[:len(row) - n_proba], row[len(row) - n_proba:]
        # a regression's predicted value with 10 significant digits; probabilities with 6 decimals
        writer.writerow([f"{v:.10g}" if isinstance(v, float) else v for v in cells]
                        + [f"{q:.6f}" for q in probabilities])
    return buffer.getvalue()


def predictions_json(labels: np.ndarray, proba: Optional[np.ndarray], classes: Optional[np.ndarray],
                     ids: Optional[Column], truth: Optional[Column], results: Optional[dict]) -> str:
    header, rows = _rows(labels, proba, classes, ids, truth)
    return json.dumps({"predictions": [dict(zip(header, row)) for row in rows], "results": results}, indent=2) + "\n"


def _results(net, labels: np.ndarray, table, target: str, args) -> Optional[dict]:
    """The results on the rows whose label the model can score (reported on stderr unless --quiet)."""
    if labels.ndim > 1:  # a row per sample (multilabel, or several regression outputs): one column cannot score it
        if not args.quiet:
            sys.stderr.write(f"no results: the model predicts {labels.shape[1]} values per sample ({net.kind}), "
                             f"column {target!r} holds one\n")
        return None
    if net.kind == "regression":
        texts = [t.strip() for t in table.column(target)]
        known = np.array([csvdata.parses_as_number(t) and np.isfinite(float(t)) for t in texts], dtype=bool)
        y = np.array([float(t) if k else np.nan for t, k in zip(texts, known)])
        scored = metrics.regression(y[known], labels[known], None) if known.sum() >= 2 else None
    else:
        y, known = _true_labels(table.column(target), net.classes_)
        scored = metrics.classification(y[known], labels[known], net.classes_, None) if known.any() else None
    left_out = len(known) - int(known.sum())
    if not args.quiet:
        predict_report.write(sys.stderr, scored, target, left_out, net.classes_)
    return scored


def run(args) -> int:
    check_output_path(args.out, "the predictions file", inputs=(args.model, args.data), force=args.force)
    net, info = load_model(args.model)
    table = csvdata.read_table(args.data, csv_limits(args))
    features = info.get("feature_names")
    if not isinstance(features, list) or len(features) != net.sizes[0]:
        raise NNMathError(f"{args.model} does not record its {net.sizes[0]} feature names")
    check_features(features, table.header, args.data.name)  # by name, as explain and gradcheck take them
    target = info.get("target_name") if isinstance(info.get("target_name"), str) else None
    if args.id_column is not None:
        table.check_has([args.id_column], "given as --id")
    if args.truth and (target is None or target not in table.header):
        raise NNMathError(f"--truth puts the true label beside each prediction, but {args.data.name} has no column "
                          f"{target!r}, the model's target")
    scaler = _scaler(info, len(features), args.model)
    X = scaler.transform(csvdata.numbers(table, features))
    regression = net.kind == "regression"
    if not regression and net.classes_ is None:
        raise NNMathError(f"{args.model} records no classes (was it written by 'nnmath train'?)")
    proba = None if regression else net.predict_proba(X)
    labels = net.predict(X)
    results = _results(net, labels, table, target, args) if target is not None and target in table.header else None
    ids = None if args.id_column is None else (args.id_column, [t.strip() for t in table.column(args.id_column)])
    truth = (target, [t.strip() for t in table.column(target)]) if args.truth and target is not None else None
    if args.json:
        text = predictions_json(labels, proba, net.classes_, ids, truth, results)
    else:
        text = predictions_csv(labels, proba, net.classes_, ids, truth)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_text_atomically(args.out, text)
    return 0
