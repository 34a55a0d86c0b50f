"""The type hints are checked: mypy passes on src/, and catches a wrong call to the public API."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def mypy(*args):
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_mypy_passes_on_src():
    done = mypy("src")  # configured in pyproject.toml [tool.mypy]
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_rejects_calls_that_break_the_hints(tmp_path):
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import numpy as np\n"
        "from nnmath import Network\n"
        "from nnmath.sklearn import NetworkClassifier\n"
        "from nnmath.interop.pytorch import to_torch\n"
        "to_torch('not a network')\n"  # to_torch(net: Network)
        "model: NetworkClassifier = NetworkClassifier().fit(np.zeros((2, 2)), [0, 1])\n"  # right: fit returns self
        "name: str = Network([2, 1]).gradients(np.zeros((1, 2)), [1]).loss\n"  # E is a float
    )
    done = mypy(str(wrong))
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["5", "7"], done.stdout
