"""A saved model on data given later: explain, gradcheck and predict take the features by the
model's names and the labels from its target column (issue 15 items 3 and 4)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nnmath.cli import main


def _write(path, header, columns):
    rows = [",".join(str(v) for v in row) for row in zip(*columns)]
    path.write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")


@pytest.fixture
def trained(tmp_path, monkeypatch, capsys):
    """A model trained on lab.csv (label first, then a, b, c), and the same data in other files."""
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, 40)).round(4)
    label = (2 * a - b > 0).astype(int)
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "lab.csv", ["label", "a", "b", "c"], [label, a, b, c])
    _write(tmp_path / "shuffled.csv", ["c", "label", "b", "a"], [c, label, b, a])  # label not last
    _write(tmp_path / "no_b.csv", ["label", "a", "c"], [label, a, c])
    _write(tmp_path / "unlabelled.csv", ["a", "b", "c", "d"], [a, b, c, c])
    assert main(["train", "--data", "lab.csv", "--target", "label", "--epochs", "5", "--learning-rate", "0.3",
                 "--quiet", "--out", "m.npz"]) == 0
    capsys.readouterr()
    return tmp_path


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_and_gradcheck_match_a_models_features_by_name_in_any_column_order(trained, capsys):
    code, own, _ = _run(capsys, "explain", "--model", "m.npz", "--param", "W1[0,3]", "--sample", "2")
    assert code == 0
    code, other, _ = _run(capsys, "explain", "--model", "m.npz", "--data", "shuffled.csv", "--param", "W1[0,3]",
                          "--sample", "2")
    assert code == 0 and other == own  # the same inputs x: a, b, c, whatever the file's order
    code, own, _ = _run(capsys, "gradcheck", "m.npz", "--data", "lab.csv", "--json")
    assert code == 0
    code, other, _ = _run(capsys, "gradcheck", "m.npz", "--data", "shuffled.csv", "--json")
    assert code == 0
    first, second = json.loads(own), json.loads(other)
    assert first["worst_relative_error"] == second["worst_relative_error"]


@pytest.mark.parametrize("command", [["explain", "--model", "m.npz", "--data", "no_b.csv"],
                                     ["gradcheck", "m.npz", "--data", "no_b.csv"],
                                     ["predict", "m.npz", "no_b.csv"]])
def test_a_file_lacking_a_models_feature_gets_the_same_error_from_all_three(trained, capsys, command):
    code, out, err = _run(capsys, *command)
    assert code == 2 and out == ""
    assert err == ("nnmath: error: the model expects 3 features but no_b.csv lacks 1 of them ('b'); "
                   "its columns are 'label', 'a', 'c'\n")


def test_explain_uses_the_models_target_column_and_says_which_row_it_explains(trained, capsys):
    code, out, err = _run(capsys, "explain", "--model", "m.npz", "--data", "shuffled.csv", "--sample", "0")
    assert code == 0
    # 'label' is the model's target, not the file's last column 'a' (which would not even be a class)
    lines = (trained / "shuffled.csv").read_text().splitlines()
    row = int(err.split(" is row ")[1].split()[0])
    label = lines[row - 1].split(",")[1]  # the file's row numbered as a spreadsheet does, the header row 1
    assert f"of shuffled.csv, labelled {int(label)!r} (class {label} of 2)" in err
    code, _, err = _run(capsys, "explain", "--model", "m.npz", "--data", "unlabelled.csv")
    assert code == 2 and "unlabelled.csv has no column 'label', the labels the model was trained on; " \
                         "name the label column with --target" in err


def test_a_moved_training_file_gets_a_hint_to_pass_data(trained, capsys):
    (trained / "lab.csv").rename(trained / "moved.csv")
    code, out, err = _run(capsys, "explain", "--model", "m.npz")
    assert code == 2 and out == ""
    assert "lab.csv, which is no longer there; give its data with --data FILE.csv" in err
    assert _run(capsys, "explain", "--model", "m.npz", "--data", "moved.csv")[0] == 0


def test_explain_model_uses_the_models_learning_rate(trained, capsys):
    code, out, _ = _run(capsys, "explain", "--model", "m.npz")
    assert code == 0 and "- 0.3 ·" in out  # α of the update is the 0.3 it was trained with
    code, out, _ = _run(capsys, "explain", "--model", "m.npz", "--learning-rate", "2")
    assert code == 0 and "- 2 ·" in out


def test_explain_model_draws_its_own_built_in_set_as_training_drew_it(tmp_path, capsys):
    """Found by a review: a model trained on `--data xor --samples 40 --noise 0.3` was explained on
    "sample 281 of xor", a sample of the default 400 drawn with the default noise."""
    model = tmp_path / "x.npz"
    assert main(["train", "--data", "xor", "--samples", "40", "--noise", "0.3", "--epochs", "2", "--quiet",
                 "--out", str(model)]) == 0
    capsys.readouterr()
    assert main(["explain", "--model", str(model), "--sample", "35"]) == 2
    assert "it has 30 samples, indices 0 to 29" in capsys.readouterr().err  # the 40 less the test quarter
    from nnmath.data import load

    drawn = load("xor", n_samples=40, noise=0.3, seed=0)
    assert main(["explain", "--model", str(model), "--sample", "0"]) == 0
    err = capsys.readouterr().err
    at = int(err.split("sample 0 is sample ")[1].split()[0])
    assert at == drawn.rows_train[0] < 40


@pytest.fixture
def multilabel(tmp_path, capsys):
    """A multilabel model (a sigmoid output per label), which only Python makes, and a CSV of its data."""
    from nnmath.engine.network import Network
    from nnmath.io.model import save_model

    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2)).round(4)
    Y = (X[:, [0, 1, 0]] > 0).astype(float)
    net = Network([2, 4, 3], output="sigmoid", seed=0)
    net.fit(X, Y, epochs=3, learning_rate=0.5)
    assert net.kind == "multilabel"
    save_model(tmp_path / "ml.npz", net, {"feature_names": ["a", "b"]})
    _write(tmp_path / "ml.csv", ["a", "b", "l0"], [X[:, 0], X[:, 1], Y[:, 0].astype(int)])
    return net, tmp_path


@pytest.mark.parametrize("command", [["explain", "--model", "ml.npz", "--data", "ml.csv"],
                                     ["gradcheck", "ml.npz", "--data", "ml.csv"]])
def test_a_multilabel_model_on_a_csv_says_the_command_line_reads_one_label_column(multilabel, capsys, command):
    _, folder = multilabel
    code, _, err = _run(capsys, *[str(folder / a) if a.startswith("ml.") else a for a in command])
    assert code == 2
    assert "is a multilabel model (3 sigmoid outputs, a label each) and the command line reads one label column" \
        in err and err.count("\n") == 1


def test_a_multilabel_model_is_checked_on_random_labels_and_explained_on_the_xor_points(multilabel, capsys):
    import nnmath

    net, folder = multilabel
    code, out, err = _run(capsys, "gradcheck", str(folder / "ml.npz"))
    assert (code, err) == (0, "") and "backpropagation agrees with finite differences" in out
    code, out, err = _run(capsys, "explain", "--model", str(folder / "ml.npz"), "--sample", "2")
    assert (code, err) == (0, "")
    xor_x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    assert out == nnmath.explain(net, xor_x[2], np.zeros((1, 3)), "W1[0,0]").to_text()  # XOR's 0 for each label
