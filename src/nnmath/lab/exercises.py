"""Exercises in the notebooks: the learner writes a number, nnmath says whether it is right.

Each exercise cell holds ``answer = None``; the learner replaces None by a number worked out on
paper, and the next cell calls ``check_answer(what, answer, truth)`` with the number nnmath
computes itself (from the network's own forward and backward pass). The truth is never printed
before the answer is right, so the exercise stays an exercise.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from nnmath.errors import is_number

UNANSWERED = "not answered yet"
RIGHT = "right"
WRONG = "not yet right"


def verdict(answer: Any, truth: float, rel: float = 0.01, abs_tol: float = 1e-4) -> Optional[bool]:
    """True when ``answer`` is within ``rel`` (relative) or ``abs_tol`` (absolute) of ``truth``,
    False when it is not (or is not a finite number), None when it is still None."""
    if answer is None:
        return None
    if not is_number(answer) or not math.isfinite(float(answer)):
        return False
    return math.isclose(float(answer), float(truth), rel_tol=rel, abs_tol=abs_tol)


def message(what: str, answer: Any, truth: float, rel: float = 0.01, abs_tol: float = 1e-4, hint: str = "") -> str:
    """The one line ``check_answer`` prints."""
    ok = verdict(answer, truth, rel, abs_tol)
    if ok is None:
        return f"{what}: {UNANSWERED}: replace None by your number and run both cells again."
    if ok:
        return f"{what}: {RIGHT}. You wrote {float(answer):.6g}; nnmath computes {float(truth):.6g}."
    if not is_number(answer):
        return f"{what}: {WRONG}: write a number such as 0.25 (got {answer!r})."
    tolerance = f"within {rel:.0%}" if rel else f"within {abs_tol:g}"
    return f"{what}: {WRONG}: {float(answer):.6g} is not {tolerance} of nnmath's number." + (f" Hint: {hint}" if hint else "")


def check_answer(what: str, answer: Any, truth: float, rel: float = 0.01, abs_tol: float = 1e-4,
                 hint: str = "") -> Optional[bool]:
    """Print whether ``answer`` matches ``truth`` and return the verdict (None: not answered)."""
    print(message(what, answer, truth, rel, abs_tol, hint))
    return verdict(answer, truth, rel, abs_tol)
