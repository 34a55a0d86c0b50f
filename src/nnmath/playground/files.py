"""Files in and out of a session: the model as nnmath's .npz, and a user's CSV file.

The model is written by ``nnmath.io.model.save_model`` with the info ``nnmath train`` records
(feature names, scaling, classes, settings, results), so ``nnmath info``, ``nnmath predict``
and ``nnmath explain --model`` open it; the playground's own settings ride along under
``info["playground"]`` so that loading the file restores the run's network and options.
A CSV file is read by the command line's reader (nnmath.data.csvfile), so its errors are the
same one-line messages, naming the user's file, not the temporary copy.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nnmath.data import csvfile
from nnmath.errors import NNMathError
from nnmath.io.model import load_model, save_model
from nnmath.data.sets import is_continuous
from nnmath.playground.datasets import Points, split
from nnmath.version import __version__

MAX_UPLOAD = 1 << 20  # bytes of a CSV file or a model file
MAX_CLASSES = 10  # the most classes of a CSV target the page shows


def safe_name(name: Any, suffix: str) -> str:
    """A plain file name from what the page says the file was called (no folders, no odd characters)."""
    text = Path(str(name)).name if isinstance(name, str) else ""
    text = "".join(c for c in text if c.isalnum() or c in "._-")[:80].lstrip(".")
    return text if text.endswith(suffix) else (text or "upload") + suffix


def _in_temporary_file(name: str, content: bytes, read, shown: str = ""):
    """``read(path)`` on a temporary copy of ``content`` called ``name``; errors name it ``shown`` (the
    upload's own name; default ``name``), never the temporary folder."""
    with tempfile.TemporaryDirectory(prefix="nnmath-playground-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            return read(path)
        except NNMathError as e:
            raise NNMathError(str(e).replace(f"{folder}/{name}", shown or name).replace(f"{folder}/", "")) from None


def _check_size(content: bytes, what: str) -> None:
    if len(content) > MAX_UPLOAD:
        raise NNMathError(f"the {what} is {len(content)} bytes; the playground takes files up to {MAX_UPLOAD} bytes")


def read_csv(name: Any, text: Any, x1: Any = None, x2: Any = None, target: Any = None,
             train_fraction: float = 0.5, seed: int = 0) -> Points:
    """The points of a CSV file: columns x1 and x2 (default the first two), labels from ``target``
    (default the last column), standardized, split into train and test."""
    if not isinstance(text, str):
        raise NNMathError("the CSV file must arrive as text")
    content = text.encode("utf-8")
    _check_size(content, "CSV file")
    table = _in_temporary_file(safe_name(name, ".csv"), content, csvfile.read_table)
    header = table.header
    if len(header) < 3:
        raise NNMathError(f"{table.path.name} has {len(header)} column{'s' if len(header) > 1 else ''}; "
                          "the playground needs two feature columns and a target column")
    x1, x2, target = (header[0] if x1 is None else x1), (header[1] if x2 is None else x2), \
        (header[-1] if target is None else target)
    for role, column in (("x1", x1), ("x2", x2), ("target", target)):
        if not isinstance(column, str):
            raise NNMathError(f"the {role} column must be a column name, got {column!r}")
    table.check_has([x1, x2, target], "chosen on the page")
    if len({x1, x2, target}) < 3:
        raise NNMathError("x1, x2 and the target must be three different columns")
    X = csvfile.numbers(table, [x1, x2])
    y = csvfile.labels(table.column(target), target)
    regression = is_continuous(y)  # the command line's rule, so a file is classes or numbers in both
    if regression:
        classes, y = None, y.astype(np.float64)
    else:
        classes, y = np.unique(y, return_inverse=True)
        if len(classes) < 2 or len(classes) > MAX_CLASSES:
            raise NNMathError(f"the target {target!r} has {len(classes)} classes; the playground shows 2 to {MAX_CLASSES}")
    if len(y) < 4:
        raise NNMathError(f"{table.path.name} has {len(y)} rows; the playground needs at least 4")
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale  # standardized: the plane shows x in units of its standard deviation
    train, test = split(len(y), train_fraction, np.random.default_rng(seed))
    n_classes = 0 if classes is None else len(classes)
    return Points(Z[train], y[train], Z[test], y[test], regression, n_classes,
                  half_width=float(max(3.0, np.ceil(np.max(np.abs(Z)) * 1.05))), names=(x1, x2), target=target,
                  scaler=(mean, scale), classes=classes)


def feature_names(features, names) -> list[str]:
    """The features, named after the columns they come from (x1*x2 of columns u, v is "u*v")."""
    return [f.replace("x1", "\0").replace("x2", names[1]).replace("\0", names[0]) for f in features]


def model_info(session) -> dict:
    """What ``nnmath train`` records beside the weights, for this session's run."""
    s, p, net = session.settings, session.points, session.net
    features = feature_names(s.features, p.names)
    # a plain column was standardized for the plane: predict must scale it the same way; a derived
    # feature (x1², sin x1, ...) is named after no column of the file, so predict refuses the file
    column = {"x1": 0, "x2": 1}
    mean = [p.scaler[0][column[f]] if p.scaler is not None and f in column else 0.0 for f in s.features]
    scale = [p.scaler[1][column[f]] if p.scaler is not None and f in column else 1.0 for f in s.features]
    classes = p.classes
    results = {}
    for part, X, y in (("train", session.X_train, p.y_train), ("test", session.X_test, p.y_test)):
        if len(y) and np.isfinite(net.theta).all():
            results[part] = {"loss": float(net.error(X, y)), "accuracy": float(net.score(X, y)), "samples": int(len(y))}
    return {"data": None, "data_path": None, "feature_names": features, "target_name": p.target,
            "classes": (classes.tolist() if classes is not None else list(range(p.n_classes))) if not p.regression else None,
            "scaler": {"mean": np.asarray(mean), "scale": np.asarray(scale)},
            "training": {"source": "nnmath playground", "data": s.data, "optimizer": s.optimizer,
                         "learning_rate": s.learning_rate, "batch_size": s.batch_size, "l2": s.l2,
                         "seed": s.seed, "steps": session.trainer.steps, "epochs": session.trainer.epochs},
            "results": results, "playground": s.to_dict(), "nnmath_version": __version__}


def model_bytes(session) -> bytes:
    """The session's network as the bytes of an nnmath model file (a CSV file's class labels as its classes)."""
    net, info = session.net, model_info(session)
    labels = net.classes_
    with tempfile.TemporaryDirectory(prefix="nnmath-playground-") as folder:
        path = Path(folder) / "model.npz"
        try:
            if session.points.classes is not None:
                net.classes_ = session.points.classes  # what predict prints: the file's own labels
            save_model(path, net, info)
        finally:
            net.classes_ = labels
        return path.read_bytes()


MAX_MODEL_BYTES = 8 * 2**20  # a playground network (at most 8 hidden layers of 16 units) unpacks to far less


def read_model(name: Any, content: bytes):
    """(Network, info) from the bytes of a model file, checked by ``load_model``; its arrays may
    not unpack to more than MAX_MODEL_BYTES (a small upload of deflated zeros could otherwise make
    the server allocate a gigabyte)."""
    _check_size(content, "model file")
    try:
        unpacked = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError):
        unpacked = 0  # not a zip archive at all: load_model says so in its own words
    if unpacked > MAX_MODEL_BYTES:
        raise NNMathError(f"the model file unpacks to {unpacked:,} bytes; a playground network needs at most "
                          f"{MAX_MODEL_BYTES:,}")
    return _in_temporary_file(safe_name(name, ".npz"), content, load_model, shown=safe_name(name, ""))
