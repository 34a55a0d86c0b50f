"""The errors nnmath raises on purpose. Each carries one line a person can act on."""
from __future__ import annotations

from typing import Any

import numpy as np


class NNMathError(ValueError):
    """Bad input or a request nnmath cannot carry out; the message says what to change."""


class TrainingDiverged(NNMathError):
    """The loss became NaN or infinite. The network keeps the weights it had at the start of the
    epoch that diverged (the last ones known to give a finite loss); ``history`` holds the epochs
    that finished."""

    def __init__(self, epoch: int, learning_rate: float, history: Any = None):
        self.epoch = epoch
        self.history = history
        super().__init__(
            f"training diverged at epoch {epoch}: the loss became NaN or infinite; "
            f"try a smaller learning rate than {learning_rate:g} "
            f"(the network keeps its weights from the start of epoch {epoch})"
        )


def is_number(value: Any) -> bool:
    """A real number, and not a bool (True would otherwise pass as 1)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def is_whole_number(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_seed(seed: Any) -> None:
    """A seed for NumPy's generator: None or a whole number, 0 or more (NumPy refuses -1 in words of its own)."""
    if seed is not None and not (is_whole_number(seed) and seed >= 0):
        raise NNMathError(f"seed must be a whole number, 0 or more, or None, got {seed!r}")


def check_flags(**flags: Any) -> None:
    """Options that are True or False: the string "no" is truthy and would quietly turn one on."""
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise NNMathError(f"{name} must be True or False, got {value!r}")
