"""The data a fit trains on: X checked, y encoded (a first fit learns the labels), and the
validation part held out by index, so that X is never copied.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from nnmath.engine.labels import as_labels
from nnmath.errors import NNMathError

Array = np.ndarray


@dataclass
class TrainingData:
    """X and the encoded targets Y, the rows that train (``rows``; None: all) and the held-out part.

    Holding out validation rows by index keeps X as the caller's array: no copy of the data set.
    """

    X: Array
    Y: Array
    rows: Optional[Array]
    X_val: Optional[Array]
    Y_val: Optional[Array]

    @property
    def n(self) -> int:
        return len(self.X) if self.rows is None else len(self.rows)


def prepare_data(net: Any, X: Any, y: Any, validation_split: float, validation_data: Optional[tuple],
                 early_stopping: bool, rng: np.random.Generator, batch_size: Optional[int] = None) -> TrainingData:
    """Check and encode (X, y); learn the labels on a first fit; set the validation part aside.
    The network trains in X's float dtype; if the data is refused, the network is left as it was."""
    try:
        X = np.asarray(X) if not hasattr(X, "dtype") else X
    except ValueError:
        raise NNMathError("the features must be a table of numbers, every row as long") from None
    before = net.state(), net.dtype, net.classes_  # the arrays survive astype, which makes new ones
    net.astype(X.dtype if X.dtype in (np.float32, np.float64) else np.float64)
    try:
        data = _checked_data(net, X, y, validation_split, validation_data, early_stopping, rng)
        if any(layer.bn is not None for layer in net.layers) and min(batch_size or data.n, data.n) < 2:
            raise NNMathError("batch normalisation needs at least 2 samples in a batch (a batch of one has no "
                              "spread to normalise by): choose a batch size of 2 or more")
        return data
    except Exception:  # refused data, or anything else: the network is left as it was
        state, dtype, net.classes_ = before
        net.astype(dtype)  # back to the old dtype (rounded through the new one, if it changed) ...
        net.load_state(state)  # ... and the old numbers exactly
        raise


def _checked_data(net: Any, X: Any, y: Any, validation_split: float, validation_data: Optional[tuple],
                  early_stopping: bool, rng: np.random.Generator) -> TrainingData:
    X, y = net.check_X(X), as_labels(y)
    if len(y) != len(X):
        raise NNMathError(f"X has {len(X)} samples but y has {len(y)}")
    if net.kind != "regression" and net.classes_ is None:
        net.targets.fit(y)  # the first fit learns the label values (later fits must use the same)
    Y = net.encode(y)
    rows = X_val = Y_val = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise NNMathError("validation_data must be a pair (X_val, y_val)")
        X_val, y_val = net.check_X(validation_data[0]), as_labels(validation_data[1])
        if len(y_val) != len(X_val):
            raise NNMathError(f"validation_data has {len(X_val)} samples but {len(y_val)} labels")
        Y_val = net.encode(y_val)
    elif validation_split > 0 or early_stopping:
        n_val = max(1, int(round(len(X) * (validation_split or 0.1))))
        if n_val >= len(X):
            raise NNMathError(f"the validation split leaves no training data ({len(X)} samples)")
        split = rng.permutation(len(X))
        X_val, Y_val, rows = X[split[:n_val]], Y[split[:n_val]], np.sort(split[n_val:])
    return TrainingData(X, Y, rows, X_val, Y_val)
