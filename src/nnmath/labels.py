"""Turning the user's labels into the targets y the loss compares ŷ with, and back.

- binary (one sigmoid output): any two label values; classes_[1] is the positive class, y ∈ {0, 1}.
- multi-class (softmax output, K units): K label values (integers, strings, ...); y is one-hot.
- regression (identity output): floats, used as they are; shape (m,) or (m, n_out).
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .errors import NNMathError

Array = np.ndarray


class Targets:
    """Encodes labels for a network whose output is ``kind`` with ``n_out`` units."""

    def __init__(self, kind: str, n_out: int, classes: Optional[Array] = None):
        self.kind = kind  # "binary", "multiclass" or "regression"
        self.n_out = n_out
        self.classes_ = classes

    def fit(self, y: Array) -> "Targets":
        """Learn the classes from the labels of the first fit."""
        if self.kind == "regression":
            return self
        y = np.asarray(y)
        if y.ndim != 1:
            raise NNMathError(f"classification labels must be one column, got shape {y.shape}")
        classes = np.unique(y)
        n_classes = 2 if self.kind == "binary" else self.n_out
        if classes.dtype.kind in "iub" and classes.min() >= 0 and classes.max() < n_classes:
            # Labels that are already class indices 0..K-1 map to the output units one to one,
            # even when a batch holds only some of them (a worked example with one point).
            self.classes_ = np.arange(n_classes)
            return self
        if len(classes) < 2:
            raise NNMathError(f"the labels hold a single class ({classes[0]!r}); a classifier needs at least two")
        if self.kind == "binary" and len(classes) > 2:
            raise NNMathError(
                f"the labels hold {len(classes)} classes but the output layer has 1 unit (binary); "
                f"use {len(classes)} output units")
        if self.kind == "multiclass" and len(classes) != self.n_out:
            raise NNMathError(
                f"the labels hold {len(classes)} classes but the output layer has {self.n_out} units; "
                f"make the last layer size {len(classes)}")
        self.classes_ = classes
        return self

    def encode(self, y: ArrayLike, dtype: DTypeLike) -> Array:
        """The target matrix y, shape (m, n_out), in the network's dtype."""
        y = np.asarray(y)
        if self.kind == "regression":
            try:
                t = y.astype(dtype)
            except (TypeError, ValueError):
                raise NNMathError("regression targets must be numbers") from None
            t = t.reshape(len(t), -1)
            if t.shape[1] != self.n_out:
                raise NNMathError(f"the targets have {t.shape[1]} columns but the network has {self.n_out} outputs")
            return t
        assert self.classes_ is not None
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        unseen = self.classes_[index] != y
        if np.any(unseen):
            raise NNMathError(f"label {y[unseen][0]!r} was not seen in training; known classes: {list(self.classes_)}")
        if self.kind == "binary":
            return index.astype(dtype).reshape(-1, 1)
        onehot = np.zeros((len(y), self.n_out), dtype=dtype)
        onehot[np.arange(len(y)), index] = 1
        return onehot

    def decode(self, y_hat: Array) -> Array:
        """Labels from the network's output ŷ: the most probable class, or the values themselves."""
        if self.kind == "regression":
            return y_hat[:, 0] if y_hat.shape[1] == 1 else y_hat
        assert self.classes_ is not None
        if self.kind == "binary":
            return self.classes_[(y_hat[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(y_hat, axis=1)]
