"""The checks a network's inputs pass before any math: its layer sizes and the features X."""
from __future__ import annotations

import sys
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnmath.errors import NNMathError, is_number, is_whole_number

Array = np.ndarray


def check_sizes(sizes: Any) -> list[int]:
    """Units per layer as whole numbers (3 or 3.0, not 2.7, "3" or True), input and output at least 1."""
    def whole(s: Any) -> bool:
        return is_whole_number(s) or (is_number(s) and float(s).is_integer())

    try:
        sizes = list(sizes)
        if not all(whole(s) for s in sizes):
            raise TypeError
        sizes = [int(s) for s in sizes]
    except TypeError:
        raise NNMathError(f"layer sizes must be whole numbers, got {sizes!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise NNMathError(f"layer sizes need an input and an output layer of at least one unit each, got {sizes}")
    return sizes


def check_eps(eps: Any) -> None:
    """ε, the step of a central difference (E(θ + ε) - E(θ - ε)) / 2ε: a number in (0, 1], or one
    clear error (gradient checks and derivations take it from users)."""
    if not (is_number(eps) and eps > 0):
        raise NNMathError(f"eps must be a positive number, got {eps!r}")
    if eps > 1:
        raise NNMathError(f"eps is the step of a finite difference and must be at most 1, got {eps!r}")


def check_X(X: ArrayLike, n_in: int, dtype: Any) -> Array:
    """X as a 2-D array of ``dtype`` with ``n_in`` columns (a 1-D array is one sample, or one
    feature of many samples when n_in is 1), finite, or one clear error."""
    try:
        with np.errstate(over="ignore"):  # a value past float32's range becomes inf, and is named below
            A = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError):
        if _has_missing(X):  # pandas' nullable columns (Int64, Float64) hold NA, which no float can be
            raise NNMathError("the features contain missing values (NA): fill or drop them first") from None
        raise NNMathError("the features must be numbers") from None
    if A.ndim == 1:
        A = A.reshape(1, -1) if n_in != 1 or A.size == 1 else A.reshape(-1, 1)
    if A.ndim != 2:
        raise NNMathError(f"the features must be a 2-D array (samples x features), got shape {A.shape}")
    if A.shape[1] != n_in:
        raise NNMathError(f"the data has {A.shape[1]} features but the network's input layer has {n_in}")
    if A.shape[0] == 0:
        raise NNMathError("the data has no samples")
    if not all_finite(A):
        if A.dtype != np.float64 and all_finite(np.asarray(X, dtype=np.float64)):
            raise NNMathError(f"the features hold values past the range of this {A.dtype} network "
                              f"(±{np.finfo(A.dtype).max:.3g}); scale them, or use a float64 network")
        raise NNMathError("the features contain NaN or infinite values")
    return A


def _has_missing(X: Any) -> bool:
    """Whether X holds pandas' NA (a DataFrame, or the object array made of one); only where pandas is in use."""
    pandas = sys.modules.get("pandas")
    try:
        return pandas is not None and bool(np.asarray(pandas.isna(X)).any())
    except (TypeError, ValueError):
        return False


def all_finite(X: Array, rows: int = 4096) -> bool:
    """No NaN or ±inf in X, checked a block of rows at a time so that a large X is never
    shadowed by a whole boolean copy (a quarter of its size in float32)."""
    return all(np.isfinite(X[i:i + rows]).all() for i in range(0, len(X), rows))
