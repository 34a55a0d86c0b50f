"""Turning the user's labels into the targets y the loss compares ŷ with, and back.

- binary (one sigmoid output): any two label values; classes_[1] is the positive class, y ∈ {0, 1}.
- multiclass (softmax output, K units): K label values (integers, strings, ...); y is one-hot.
- multilabel (K sigmoid outputs): a 0/1 matrix, one column per label, each decided on its own.
- regression (identity output): finite numbers, used as they are; shape (m,) or (m, n_out).

A classifier decides by ŷ: class 2 when ŷ = S(z) > 1/2 (binary, the seed's rule), the most
probable class for softmax, each label with ŷ_k > 1/2 for multilabel. ``decide`` is that rule,
written once for prediction, training accuracy and the command line.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnmath.errors import NNMathError

Array = np.ndarray
KINDS = ("binary", "multiclass", "multilabel", "regression")


def as_labels(y: ArrayLike) -> Array:
    """``y`` as an array with one entry per sample (a lone scalar is one sample)."""
    try:
        y = np.asarray(y)
    except ValueError:
        raise NNMathError("the labels must be one entry per sample (rows of different lengths were given)") from None
    return y.reshape(1) if y.ndim == 0 else y


class Targets:
    """Encodes labels for a network whose output is ``kind`` with ``n_out`` units."""

    def __init__(self, kind: str, n_out: int, classes: Optional[Array] = None):
        self.kind = kind
        self.n_out = n_out
        self.classes_ = classes

    @property
    def n_classes(self) -> int:
        return 2 if self.kind == "binary" else self.n_out

    def fit(self, y: ArrayLike) -> "Targets":
        """Learn the classes from the labels of the first fit."""
        if self.kind == "regression":
            return self
        y = as_labels(y)
        if self.kind == "multilabel":
            self.encode_indicators(y, np.float64)
            self.classes_ = np.arange(self.n_out)
            return self
        if self.kind == "multiclass" and _one_hot(y, self.n_out):
            self.classes_ = np.arange(self.n_out)  # a one-hot row k is class k
            return self
        y = self._column(y)
        try:
            classes = np.unique(y)
        except TypeError:
            raise NNMathError("the labels mix types (numbers, text, None): make them all numbers or all text") from None
        if classes.dtype.kind in "iu" and classes.min() >= 0 and classes.max() < self.n_classes:
            # Labels that are already class indices 0..K-1 map to the output units one to one,
            # even when a batch holds only some of them (a worked example with one point).
            self.classes_ = np.arange(self.n_classes)
            return self
        if len(classes) < 2:
            raise NNMathError(f"the labels hold a single class ({classes.tolist()[0]!r}); a classifier needs at least two")
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
        y = as_labels(y)
        if self.kind == "regression":
            return self.encode_numbers(y, dtype)
        if self.kind == "multilabel":
            return self.encode_indicators(y, dtype)
        assert self.classes_ is not None
        if self.kind == "multiclass" and _one_hot(y, self.n_out):
            return y.astype(dtype)
        y = self._column(y)
        try:
            index = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
            unseen = self.classes_[index] != y
        except TypeError:
            raise NNMathError(f"the labels do not match the known classes {self.classes_.tolist()}") from None
        if np.any(unseen):
            raise NNMathError(f"label {y[unseen].tolist()[0]!r} was not seen in training; known classes: {self.classes_.tolist()}")
        if self.kind == "binary":
            return index.astype(dtype).reshape(-1, 1)
        onehot = np.zeros((len(y), self.n_out), dtype=dtype)
        onehot[np.arange(len(y)), index] = 1
        return onehot

    def truth(self, y: Array) -> Array:
        """The true labels a score compares ``decode``'s with: one-hot rows as their classes (fit
        takes them), no missing values, and of the classes' type (text is never equal to numbers)."""
        assert self.classes_ is not None
        if self.kind == "multiclass" and _one_hot(y, self.n_out):
            return self.classes_[np.argmax(y, axis=1)]
        y = self._column(y)
        given, known = _family(y), _family(self.classes_)
        if given and known and given != known:
            raise NNMathError(f"the labels are {given} but the network's classes are {known}: {self.classes_.tolist()}")
        return y

    def _column(self, y: Array) -> Array:
        """Class labels as one column (an m x 1 matrix is one), without missing values."""
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            shapes = f"one column (or a one-hot matrix of {self.n_out} columns, one per class)" \
                if self.kind == "multiclass" else "one column"
            raise NNMathError(f"classification labels must be {shapes}, got shape {y.shape}")
        if _missing(y):
            raise NNMathError("the labels contain missing values (NaN or None)")
        return y

    def encode_numbers(self, y: Array, dtype: DTypeLike) -> Array:
        try:
            t = y.astype(dtype)
        except (TypeError, ValueError):
            raise NNMathError("regression targets must be numbers") from None
        t = t.reshape(len(t), -1)
        if t.shape[1] != self.n_out:
            columns = "1 column" if t.shape[1] == 1 else f"{t.shape[1]} columns"
            raise NNMathError(f"the targets have {columns} but the network has {self.n_out} outputs")
        if not np.all(np.isfinite(t)):
            raise NNMathError("the targets contain NaN or infinite values")
        return t

    def encode_indicators(self, y: Array, dtype: DTypeLike) -> Array:
        t = self.encode_numbers(y, dtype)
        if not np.all((t == 0) | (t == 1)):
            raise NNMathError(f"multilabel targets must be a 0/1 matrix with {self.n_out} columns")
        return t

    def decide(self, y_hat: Array) -> Array:
        """The decision for each sample: a bool (binary), a class index (multiclass) or a row of bools."""
        if self.kind == "binary":
            return y_hat[:, 0] > 0.5
        if self.kind == "multiclass":
            return np.argmax(y_hat, axis=1)
        return y_hat > 0.5

    def count_correct(self, decisions: Array, truth: Array) -> int:
        """How many samples' decisions equal the truth (every label of the row, for multilabel)."""
        right = decisions == truth
        return int(np.count_nonzero(right if right.ndim == 1 else right.all(axis=1)))

    def decode(self, y_hat: Array) -> Array:
        """Labels from the network's output ŷ: the decided class, or the values themselves."""
        if self.kind == "regression":
            return y_hat[:, 0] if y_hat.shape[1] == 1 else y_hat
        decisions = self.decide(y_hat)
        if self.kind == "multilabel":
            return decisions.astype(np.int64)
        assert self.classes_ is not None
        return self.classes_[decisions.astype(np.intp)]


def _one_hot(y: Array, n_out: int) -> bool:
    """Whether ``y`` is an (m, n_out) matrix of 0s and 1s with one 1 in each row."""
    if y.ndim != 2 or y.shape[1] != n_out or n_out < 2 or y.dtype.kind not in "biuf":
        return False
    return bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1))


def _family(y: Array) -> Optional[str]:
    """"numbers" or "text" (an object array by its first value), None when neither."""
    first = y.flat[0] if y.dtype.kind == "O" and y.size else None
    if y.dtype.kind in "biuf" or isinstance(first, (int, float, np.number, np.bool_)):
        return "numbers"
    if y.dtype.kind in "US" or isinstance(first, str):
        return "text"
    return None


def _missing(y: Array) -> bool:
    """Whether the labels hold NaN, None or pandas' NA."""
    if y.dtype.kind == "f":
        return bool(np.isnan(y).any())
    if y.dtype.kind in "mM":
        return bool(np.isnat(y).any())
    if y.dtype.kind == "O":
        return any(_is_missing(v) for v in y.ravel())
    return False


def _is_missing(v: object) -> bool:
    """None, pandas' NA or NaT, or a value unequal to itself (NaN of any float type, Decimal's NaN, NaT)."""
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(v != v)
    except (TypeError, ValueError):
        return False
