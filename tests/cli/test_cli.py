"""The command line end to end, in subprocesses: ``python -m nnmath`` as a user runs it."""
import csv
import io
import json
import os
import pty
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import nnmath as nnmath_package


def nnmath(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nnmath", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_default_train_runs_the_seeds_network_on_breast_cancer_and_reaches_95_percent(tmp_path):
    run = nnmath("train", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "breast-cancer" in run.stdout and "network 30-16-1, sigmoid hidden units" in run.stdout
    rows = {m.group(1): float(m.group(2)) for m in re.finditer(r"(train|validation|test)\s.*?([\d.]+)%", run.stdout)}
    assert set(rows) == {"train", "validation", "test"} and rows["test"] >= 95.0
    assert re.search(r"W1\s.*30 x 16", run.stdout) and re.search(r"W2\s.*16 x 1", run.stdout)
    assert "300/300" not in run.stdout + run.stderr and "\x1b[" not in run.stdout  # no bar or colour off a terminal
    assert list(tmp_path.iterdir()) == []  # no files written without --out or --plot


def _on_a_terminal(*args):
    """Run nnmath with its stdout on a pseudo-terminal; returns what the terminal showed."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "nnmath", *args], stdout=secondary, stderr=subprocess.PIPE)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    return shown.decode("utf-8", "replace")


def test_progress_bar_over_epochs_on_a_terminal_unless_quiet():
    shown = _on_a_terminal("train", "--data", "xor", "--epochs", "40")
    assert "40/40" in shown and re.search(r"E = \d\.\d{4}", shown)
    quiet = _on_a_terminal("train", "--data", "xor", "--epochs", "40", "--quiet")
    assert "40/40" not in quiet and "Results after training" in quiet


@pytest.fixture(scope="module")
def moons(tmp_path_factory):
    """A model trained on a CSV file of the moons set, with its figures and JSON report."""
    folder = tmp_path_factory.mktemp("moons")
    assert nnmath("data", "moons", "--samples", "300", "--out", folder / "moons.csv").returncode == 0
    run = nnmath("train", "--data", folder / "moons.csv", "--layers", "auto,8,auto", "--lr", "2", "--epochs", "400",
                 "--out", folder / "m.npz", "--plot", folder / "figs", "--json")
    assert run.returncode == 0, run.stderr
    return folder, json.loads(run.stdout)


def test_train_json_report_and_model_file(moons):
    folder, report = moons
    assert report["layers"] == [2, 8, 1] and report["classes"] == [0, 1] and report["epochs_run"] == 400
    assert report["results"]["test"]["accuracy"] > 0.8
    sizes = {name: r["samples"] for name, r in report["results"].items()}
    # stratified: 150 per class; round(0.25 * 150) = 38 of each class to test, leaving 112 each,
    # of which round(0.2 * 112) = 22 each to validation
    assert sizes == {"test": 76, "validation": 44, "train": 180}
    assert report["model"] == str(folder / "m.npz") and (folder / "m.npz").stat().st_size > 0
    assert sorted(p.rsplit("/", 1)[1] for p in report["plots"]) == ["boundary.png", "gradients.png", "loss.png"]


def test_predict_writes_labels_and_probabilities_that_agree_with_the_reported_accuracy(moons):
    folder, _ = moons
    run = nnmath("predict", folder / "m.npz", folder / "moons.csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert rows[0] == ["prediction", "P(0)", "P(1)"] and len(rows) == 301
    P = np.array([[float(p) for p in r[1:]] for r in rows[1:]])
    predicted = np.array([int(r[0]) for r in rows[1:]])
    assert np.allclose(P.sum(axis=1), 1.0, atol=2e-6) and np.array_equal(predicted, P.argmax(axis=1))
    truth = np.array([int(r[-1]) for r in list(csv.reader(io.StringIO((folder / "moons.csv").read_text())))[1:]])
    reported = float(re.search(r"accuracy ([\d.]+)%", run.stderr).group(1))
    assert reported == pytest.approx(100 * np.mean(predicted == truth), abs=0.05)
    out = nnmath("predict", folder / "m.npz", folder / "moons.csv", "--out", folder / "p.csv", "--quiet")
    assert out.returncode == 0 and out.stdout == "" and out.stderr == ""
    assert (folder / "p.csv").read_text() == run.stdout


def test_info_shows_architecture_and_settings(moons):
    folder, _ = moons
    run = nnmath("info", folder / "m.npz")
    assert run.returncode == 0, run.stderr
    assert re.search(r"2 x 8\s.*sigmoid", run.stdout) and "classes: 0, 1" in run.stdout
    assert "learning-rate 2.0" in run.stdout and "epochs 400" in run.stdout and "33 parameters" in run.stdout


def test_gradcheck_passes_on_the_model_and_fails_with_a_coarse_step(moons):
    folder, _ = moons
    run = nnmath("gradcheck", folder / "m.npz", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["passed"] and max(result["worst_relative_error"].values()) < 1e-6
    # ε = 0.5 makes the O(ε²) error of the central difference far larger than the tolerance
    coarse = nnmath("gradcheck", "--layers", "3,4,1", "--eps", "0.5", "--tolerance", "1e-8")
    assert coarse.returncode == 1 and "gradient check failed" in coarse.stdout


def test_console_script_and_python_dash_m_are_the_same_program():
    script = shutil.which("nnmath")
    assert script is not None
    a = subprocess.run([script, "--version"], capture_output=True, text=True)
    b = nnmath("--version")
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout == f"nnmath {nnmath_package.__version__}\n"


def test_word_labels_in_any_column_and_predict_matches_columns_by_name(tmp_path):
    rng = np.random.default_rng(0)
    centres = {"cat": (0, 0), "dog": (3, 0), "owl": (0, 3)}
    rows = [(name, *(np.array(c) + rng.normal(0, 0.5, 2)).round(4)) for name in centres for c in [centres[name]] * 30]
    (tmp_path / "animals.csv").write_text("kind,a,b\n" + "".join(f"{k},{a},{b}\n" for k, a, b in rows))
    # the same samples with the columns in another order and one extra column
    (tmp_path / "shuffled.csv").write_text("b,note,a\n" + "".join(f"{b},x,{a}\n" for _, a, b in rows))
    run = nnmath("train", "--data", "animals.csv", "--target", "kind", "--lr", "1", "--out", "z.npz", "--json",
                 cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["classes"] == ["cat", "dog", "owl"] and report["layers"] == [2, 16, 3]
    assert report["results"]["test"]["accuracy"] > 0.9  # three well-separated clusters
    first = nnmath("predict", "z.npz", "animals.csv", cwd=tmp_path)
    second = nnmath("predict", "z.npz", "shuffled.csv", cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and first.stdout.startswith("prediction,P(cat),P(dog),P(owl)\n")
    assert "labels in column 'kind'" in first.stderr and second.stderr == ""  # shuffled.csv has no labels
