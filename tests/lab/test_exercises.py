"""The notebooks' exercise checker: right within its tolerance, wrong outside it, silent about the truth."""
import math

import numpy as np
import pytest

from nnmath.lab.exercises import RIGHT, UNANSWERED, WRONG, check_answer, message, verdict


def test_a_number_close_enough_is_right_and_one_outside_is_not():
    assert verdict(0.2499, 0.25) is True  # 0.04% off: inside 1%
    assert verdict(0.26, 0.25) is False  # 4% off
    assert verdict(np.float32(0.25), 0.25) is True and verdict(1, 1.0) is True
    assert verdict(0.0, 5e-5) is True  # near 0 the absolute tolerance decides
    assert verdict(0.0, 5e-3) is False
    assert verdict(-0.25, 0.25) is False  # the sign counts


def test_unanswered_and_non_numbers():
    assert verdict(None, 0.25) is None
    for bad in ("0.25", True, math.nan, math.inf, [0.25]):
        assert verdict(bad, 0.25) is False


def test_the_message_hides_the_truth_until_the_answer_is_right():
    assert UNANSWERED in message("S'(0)", None, 0.25) and "0.25" not in message("S'(0)", None, 0.25)
    wrong = message("S'(0)", 0.5, 0.25, hint="S'(z) = S(z)(1 - S(z))")
    assert WRONG in wrong and "0.25" not in wrong.split("Hint")[0] and "Hint: S'(z)" in wrong
    assert "write a number" in message("S'(0)", "a quarter", 0.25)
    right = message("S'(0)", 0.25, 0.25)
    assert right.startswith(f"S'(0): {RIGHT}") and "nnmath computes 0.25" in right


def test_check_answer_prints_one_line_and_returns_the_verdict(capsys):
    assert check_answer("E", 0.6931, math.log(2)) is True
    assert check_answer("E", None, math.log(2)) is None
    assert check_answer("E", 1.0, math.log(2)) is False
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and [RIGHT in lines[0], UNANSWERED in lines[1], WRONG in lines[2]] == [True, True, True]


@pytest.mark.parametrize("rel, abs_tol, answer, expected", [(0.0, 1e-3, 1.0005, True), (0.0, 1e-3, 1.002, False)])
def test_an_absolute_tolerance_alone(rel, abs_tol, answer, expected):
    assert verdict(answer, 1.0, rel=rel, abs_tol=abs_tol) is expected
    assert ("within 0.001" in message("x", answer, 1.0, rel=rel, abs_tol=abs_tol)) is (not expected)
