"""Feature columns taken by name: a model knows its features by name, and data given to it later
(a CSV file in another column order, a built-in set) is matched by those names, never by position."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from nnmath.errors import NNMathError


def _shown(names: Sequence[str], limit: int) -> str:
    return ", ".join(repr(n) for n in names[:limit]) + (", ..." if len(names) > limit else "")


def check_features(features: Sequence[str], columns: Sequence[str], source: str) -> None:
    """Fail with one line when ``columns`` (of ``source``) lack any of the model's ``features``."""
    missing = [n for n in features if n not in columns]
    if missing:
        raise NNMathError(
            f"the model expects {len(features)} features but {source} lacks {len(missing)} of them "
            f"({_shown(missing, 5)}); its columns are {_shown(list(columns), 8)}")


def select_features(X: np.ndarray, columns: Sequence[str], features: Sequence[str], source: str) -> np.ndarray:
    """The columns of X named ``features``, in that order (``columns`` names the columns of X)."""
    check_features(features, columns, source)
    columns = list(columns)
    return X[:, [columns.index(name) for name in features]]
