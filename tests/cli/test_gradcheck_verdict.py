"""``nnmath gradcheck`` says what it judged: a tolerance below the finite difference's rounding
noise cannot be met or missed, and the table, the JSON and the last line say so (issue 15 item 7)."""
from __future__ import annotations

import json

from nnmath.cli import main


def test_a_tolerance_below_the_rounding_noise_is_reported_as_a_pass_by_noise(capsys):
    assert main(["gradcheck", "--entries", "0", "--tolerance", "1e-12", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert all(error > 1e-12 for error in result["worst_relative_error"].values())  # above the tolerance...
    assert set(result["verdict"].values()) == {"pass by noise"}  # ...so not a pass by it
    assert "passed by noise, not by --tolerance 1e-12" in result["note"]
    assert main(["gradcheck", "--entries", "0", "--tolerance", "1e-12"]) == 0
    out = capsys.readouterr().out
    assert "pass by noise" in out and "│ pass    │" not in out
    assert out.rstrip().endswith("agrees with finite differences to within their rounding noise")


def test_a_tolerance_that_can_be_judged_passes_by_it(capsys):
    assert main(["gradcheck", "--entries", "0", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["verdict"].values()) == {"pass"} and result["note"] is None
    assert all(error <= 1e-6 for error in result["worst_relative_error"].values())
