"""Messages a new user meets on their own data say what is true and what to type next
(issue 15 item 12)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnmath.cli import main

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _run(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as usage:  # argparse's errors end the parse with exit code 2
        code = usage.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name,entry", [("W11", "W1[0,0]"), ("W21", "W2[0,0]"), ("b11", "b1[0]"), ("W2", "W2[0,0]"),
                                        ("W93", "W1[0,0]")])
def test_a_bare_parameter_name_suggests_an_entry_that_exists(capsys, name, entry):
    code, _, err = _run(capsys, "explain", "--param", name)
    assert code == 2 and err.rstrip().endswith(entry)
    assert _run(capsys, "explain", "--param", entry)[0] == 0  # the suggestion is then accepted


def test_a_whole_number_written_as_a_float_is_taken(capsys):
    code, out, _ = _run(capsys, "train", "--data", "xor", "--epochs", "2e0", "--json")
    assert code == 0 and json.loads(out)["epochs_run"] == 2
    code, _, err = _run(capsys, "train", "--data", "xor", "--epochs", "2.5")
    assert code == 2 and "argument --epochs: expected a whole number, got '2.5'" in err


def test_an_option_typo_points_to_the_subcommands_help_with_the_closest_option(capsys):
    code, _, err = _run(capsys, "train", "--epocs", "3")
    assert code == 2
    assert err == ("nnmath train: error: unrecognized arguments: --epocs 3; did you mean --epochs? "
                   "(see 'nnmath train --help')\n")


def test_a_misspelt_file_name_is_no_such_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "train", "--data", "iris.cvs")
    assert code == 2 and err.startswith("nnmath: error: no such file: iris.cvs") and "unknown data set" not in err


def test_divergence_on_the_command_line_says_nothing_was_saved(capsys, tmp_path):
    code, _, err = _run(capsys, "train", "--data", "iris", "--learning-rate", "1e4", "--activation", "relu",
                        "--init", "normal", "--optimizer", "sgd", "--epochs", "50", "--out", str(tmp_path / "m.npz"))
    assert code == 2 and "training diverged at epoch" in err and "nothing was saved" in err
    assert "keeps its weights" not in err and not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_divergence_in_the_last_step_is_a_divergence_too(capsys, tmp_path, extra):
    """Found by a review: with one epoch, E was finite before the step and infinite after it: the
    run printed an overflow warning, a loss of inf (or JSON's Infinity) and exited 0."""
    code, out, err = _run(capsys, "train", "--data", "xor", "--epochs", "1", "--learning-rate", "1e308", "--seed", "1",
                          "--optimizer", "sgd", "--batch-size", "full", "--quiet", "--out", str(tmp_path / "m.npz"), *extra)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("nnmath: error: training diverged in its last step") and "nothing was saved" in err
    assert not (tmp_path / "m.npz").exists()


def test_a_semicolon_file_with_decimal_commas_gets_the_semicolon_hint(capsys, tmp_path):
    (tmp_path / "semi.csv").write_text("a;b;label\n1,5;2,25;x\n0,5;1,75;y\n")
    code, _, err = _run(capsys, "train", "--data", str(tmp_path / "semi.csv"))
    assert code == 2 and "separated by semicolons; nnmath reads comma-separated files" in err


def test_a_network_without_hidden_layers_is_not_said_to_have_hidden_units(capsys):
    code, out, _ = _run(capsys, "train", "--data", "xor", "--layers", "2,1", "--epochs", "2")
    assert code == 0 and "network 2-1, no hidden layer, sigmoid output" in out and "hidden units" not in out


def test_vanishing_names_inits_without_suggesting_a_callable(capsys):
    code, _, err = _run(capsys, "vanishing", "--inits", "glorot")
    assert code == 2 and "callable" not in err and "('glorot' is 'xavier' here)" in err


def test_vanishing_prints_per_layer_tables_with_per_layer(capsys):
    grid = ["vanishing", "--data", "iris", "--depths", "1", "--activations", "sigmoid", "--inits", "normal",
            "--remedies", "none", "--epochs", "1", "--width", "4", "--n-jobs", "1", "--probe", "20"]
    code, out, err = _run(capsys, *grid, "--per-layer")
    assert code == 0 and "per layer at initialization" in out and err == ""
    code, old, err = _run(capsys, *grid, "--layers")  # the old name still works...
    assert code == 0 and old == out
    with pytest.raises(SystemExit):
        main(["vanishing", "--help"])
    help_text = capsys.readouterr().out
    assert "--per-layer" in help_text and "--layers" not in help_text  # ...but --help shows the new one only


def test_a_reader_that_stops_early_is_no_failure(tmp_path):
    """``nnmath predict ... | head -1``: the broken pipe ends the command quietly, with exit code 0."""
    assert main(["train", "--data", "xor", "--epochs", "1", "--quiet", "--out", str(tmp_path / "m.npz")]) == 0
    X = np.random.default_rng(0).standard_normal((20000, 2))
    (tmp_path / "many.csv").write_text("x1,x2\n" + "\n".join(f"{a:.6f},{b:.6f}" for a, b in X) + "\n")
    process = subprocess.Popen([sys.executable, "-m", "nnmath", "predict", str(tmp_path / "m.npz"),
                                str(tmp_path / "many.csv")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"prediction")
    process.stdout.close()  # as head does after its line
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 0 and err == b""


def test_a_reader_that_stops_early_is_no_failure_for_rich_tables_either():
    """``nnmath train ... | head -1``: rich's Console meets the broken pipe itself and exited 1 (a
    failed check, by the exit codes' rules), found by a review; it ends quietly with 0 as predict does."""
    process = subprocess.Popen([sys.executable, "-m", "nnmath", "train", "--data", "xor", "--epochs", "20", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"})
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"xor: ")  # printed before training; the tables come after it
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 0 and err == b""
