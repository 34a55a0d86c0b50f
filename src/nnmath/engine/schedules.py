r"""Learning-rate schedules: the learning rate α_t used in epoch t (counted from 0) of T.

- constant: α_t = α
- step:     α_t = α · γ^{\lfloor t / k \rfloor}   (γ = 0.5, k = max(1, T // 4); ``fit`` and the
            command line use these, ``learning_rate_at`` takes others)
- cosine:   α_t = α · ½ (1 + \cos(π t / T))
"""
from __future__ import annotations

import math
from typing import Callable, Optional

from nnmath.errors import NNMathError

SCHEDULES = ("constant", "step", "cosine")


def learning_rate_at(schedule: str, base: float, epoch: int, epochs: int,
                     step_size: Optional[int] = None, gamma: float = 0.5) -> float:
    if schedule == "constant":
        return base
    if schedule == "step":
        k = step_size or max(1, epochs // 4)
        return base * gamma ** (epoch // k)
    if schedule == "cosine":
        return base * 0.5 * (1.0 + math.cos(math.pi * epoch / max(epochs, 1)))
    raise NNMathError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")


def get(schedule: str) -> Callable[[float, int, int], float]:
    """A function (α, epoch, epochs) -> α_t; checks the name at once."""
    if schedule not in SCHEDULES:
        raise NNMathError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    return lambda base, epoch, epochs: learning_rate_at(schedule, base, epoch, epochs)
