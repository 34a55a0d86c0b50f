"""The notebooks in notebooks/ run from top to bottom with warnings as errors, as a learner gets them
(outputs stripped) and once more with every exercise answered, when each check must say "right".

Each notebook runs in a fresh python3 kernel (ipykernel) driven by nbclient; matplotlib uses the Agg
backend there (MPLBACKEND=Agg), and before the first cell the test runs, unseen in the notebook,
``warnings.simplefilter("error")``, so any warning in a cell is an error that fails the test (and
after the last cell ``warnings.resetwarnings()``, so that the kernel shuts down as it normally does).
"""
import math
import os
import pathlib
import re
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ANSWER = re.compile(r"^(answer_\d+) = None\b", re.M)
WARNINGS_AS_ERRORS = "import warnings\nwarnings.simplefilter('error')"
# After the last cell: the kernel's own shutdown (ipykernel's, not the notebook's code) warns as usual.
WARNINGS_AS_USUAL = "warnings.resetwarnings()"


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def _seed_network_solutions():
    """Notebook 2's answers, from the seeded [2, 2, 1] network's weights with our own arithmetic."""
    import numpy as np

    import nnmath

    net = nnmath.Network([2, 2, 1], activation="sigmoid", seed=0)
    W1, W2 = net.weights[0], net.weights[1]  # biases start at 0
    x, y = np.array([1.0, 0.0]), 1.0
    a1 = [_sigmoid(x @ W1[:, k]) for k in range(2)]
    y_hat = _sigmoid(a1[0] * W2[0, 0] + a1[1] * W2[1, 0])
    X, Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]), np.array([1.0, 1.0, 0.0, 0.0])
    outputs = [_sigmoid(sum(_sigmoid(row @ W1[:, k]) * W2[k, 0] for k in range(2))) for row in X]
    return {"answer_1": a1[0] * (1 - a1[0]),  # S'(z¹[0]) from a¹[0]
            "answer_2": (y_hat - y) * a1[1],  # ∂E/∂W²[1,0] = δ² a¹[1]
            "answer_3": 0.0,  # ∂E/∂W¹[1,0] carries the factor x[1] = 0
            "answer_4": 0.0 - 0.5 * float(np.mean(np.array(outputs) - Y))}  # b² - α mean δ²


def _solutions(name):
    """The exercises' answers, worked out here independently of the notebooks' own checks."""
    if name.startswith("01"):
        # x = (2, -1), y = 1, W = (0.5, 1), b = 0: z = 0, ŷ = 1/2
        return {"answer_1": -(1 - 0.5) * 2, "answer_2": -(1 - 0.5), "answer_3": 0.5 - 0.1 * (-(1 - 0.5) * 2)}
    if name.startswith("02"):
        return _seed_network_solutions()
    if name.startswith("03"):
        import numpy as np

        import nnmath

        deep = nnmath.Network([40, 30, 30, 30, 30, 10], activation="sigmoid", init="normal", seed=0)
        return {"answer_1": _sigmoid(2) * (1 - _sigmoid(2)), "answer_2": 0.25 ** 3,
                "answer_3": 0.25 * float(np.linalg.svd(deep.weights[1], compute_uv=False)[0])}
    if name.startswith("04"):
        g = [-(1 - 0.5) * 2, -(1 - 0.5) * -1, -(1 - 0.5)]  # the neuron of notebook 1: ∂E/∂W_1, ∂E/∂W_2, ∂E/∂b
        return {"answer_1": math.sqrt(2 / 30), "answer_2": math.sqrt(2 / (30 + 30)),
                "answer_3": 0.5 - 1.0 * g[0] * 0.5 / math.sqrt(sum(v * v for v in g))}
    raise AssertionError(f"no solutions for {name}")


def _run(path, answers=None):
    """Execute the notebook (answers filled in, if given) in a fresh kernel; return the executed copy."""
    nb = nbformat.read(path, as_version=4)
    if answers is not None:
        for cell in nb.cells:
            cell.source = ANSWER.sub(lambda m: f"{m.group(1)} = {answers[m.group(1)]!r}", cell.source)
    nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS))
    nb.cells.append(nbformat.v4.new_code_cell(WARNINGS_AS_USUAL))
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)  # raises CellExecutionError, naming the cell, if any cell fails
    return nb


def _printed(nb):
    return "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def test_there_are_three_to_five_notebooks_with_outputs_stripped():
    assert 3 <= len(NOTEBOOKS) <= 5, NOTEBOOKS
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs not stripped"
        answers = ANSWER.findall("\n".join(c.source for c in nb.cells))
        assert len(answers) >= 2, f"{path.name} has {len(answers)} exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_as_committed(path):
    nb = _run(path)
    printed = _printed(nb)
    n = len(ANSWER.findall("\n".join(c.source for c in nb.cells)))
    assert printed.count(": not answered yet") == n  # every exercise was checked, none answered
    assert any(o.get("output_type") == "display_data" for c in nb.cells for o in c.get("outputs", []))  # figures


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_is_right_when_answered_right(path):
    answers = _solutions(path.name)
    printed = _printed(_run(path, answers))
    assert printed.count(": right.") == len(answers), printed
    assert "not yet right" not in printed and "not answered yet" not in printed


def test_a_warning_in_a_cell_fails_the_run_and_matplotlib_draws_with_agg(tmp_path):
    """The harness itself: the hidden first cell makes warnings errors; the kernel's matplotlib is Agg."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib\nprint(matplotlib.get_backend())"),
                nbformat.v4.new_code_cell("import warnings\nwarnings.warn('a warning in a cell')")]
    path = tmp_path / "warns.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="a warning in a cell"):
        _run(path)
    nb.cells.pop()
    nbformat.write(nb, path)
    assert _printed(_run(path)).strip().lower() == "agg"
