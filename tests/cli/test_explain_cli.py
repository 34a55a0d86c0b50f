"""``nnmath explain``: the seeded newcomer example, models, formats, and one-line errors."""
from __future__ import annotations

import numpy as np
import pytest

import nnmath
from nnmath.cli import main
from nnmath.io.model import save_model

XOR_X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
XOR_Y = np.array([1, 1, 0, 0])


def run(capsys, *args):
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_defaults_explain_W1_0_0_of_a_seeded_network_on_the_first_xor_point(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    net = nnmath.Network([2, 2, 1], seed=0)
    assert out == nnmath.explain(net, XOR_X[0], XOR_Y[:1], "W1[0,0]", learning_rate=0.1).to_text()


def test_options_choose_the_network_parameter_sample_and_format(capsys):
    code, out, _ = run(capsys, "--layers", "2,3,2", "--activation", "tanh", "--param", "W2[1,0]", "--sample", "all",
                       "--format", "markdown", "--learning-rate", "0.5", "--seed", "4")
    assert code == 0
    net = nnmath.Network([2, 3, 2], activation="tanh", seed=4)
    assert out == nnmath.explain(net, XOR_X, XOR_Y, "W2[1,0]", learning_rate=0.5).to_markdown()
    code, out, _ = run(capsys, "--step", "--format", "latex", "--learning-rate", "2")
    assert code == 0
    step = nnmath.explain_step(nnmath.Network([2, 2, 1], seed=0), XOR_X, XOR_Y, 2.0)
    assert out == step.to_latex() and r"\paragraph{6. The error with the new weights}" in out


def test_a_saved_model_is_explained_on_its_own_data(capsys, tmp_path):
    net = nnmath.Network([2, 3, 1], seed=1)
    net.fit(XOR_X, XOR_Y, epochs=3)
    save_model(tmp_path / "m.npz", net, {"data": "xor", "scaler": {"mean": [0.5, -0.5], "scale": [2.0, 4.0]}})
    code, out, _ = run(capsys, "--model", str(tmp_path / "m.npz"), "--param", "b1[2]", "--sample", "5")
    assert code == 0
    from nnmath.data.sets import load

    data = load("xor", seed=0)
    x = (data.X_train[5] - [0.5, -0.5]) / [2.0, 4.0]  # scaled as the model's info says
    assert out == nnmath.explain(net, x, data.y_train[5:6], "b1[2]").to_text()


def test_a_model_without_data_and_two_inputs_gets_the_xor_points_in_its_own_labels(capsys, tmp_path):
    net = nnmath.Network([2, 3, 1], seed=1)
    net.fit(XOR_X, np.array(["no", "no", "yes", "yes"]), epochs=3)  # "yes" is class 1
    save_model(tmp_path / "plain.npz", net, {})
    code, out, _ = run(capsys, "--model", str(tmp_path / "plain.npz"), "--sample", "2")
    assert code == 0
    assert out == nnmath.explain(net, XOR_X[2], ["no"], "W1[0,0]").to_text()
    assert "y = [0]" in out


@pytest.mark.parametrize("args,message", [
    (["--param", "W1[2,0]"], "W1 has shape (2, 2), so j is 0..1 and k is 0..1"),
    (["--param", "W7[0,0]"], "the network has layers 1 to 2"),
    (["--param", "weights"], "names look like W1[0,0]"),
    (["--sample", "4"], "--sample 4 is not a sample of the data: it has 4 samples, indices 0 to 3"),
    (["--sample", "first"], "--sample must be a sample index from 0 or 'all'"),
    (["--layers", "3,2,1"], "the built-in example is XOR, with 2 inputs"),
    (["--layers", "2,9,9,1", "--step"], "the limit is 40"),
])
def test_bad_input_is_one_line_and_exit_code_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nnmath: error: ") and message in err


def test_a_model_the_derivation_does_not_cover_is_refused_by_name(capsys, tmp_path):
    net = nnmath.Network([2, 2, 2, 1], batchnorm=True, seed=0)
    save_model(tmp_path / "bn.npz", net, {})
    code, _, err = run(capsys, "--model", str(tmp_path / "bn.npz"))
    assert code == 2 and "uses batch normalisation; derivations cover plain feed-forward networks" in err
    save_model(tmp_path / "wide.npz", nnmath.Network([5, 2, 1], seed=0), {})
    code, _, err = run(capsys, "--model", str(tmp_path / "wide.npz"))
    assert code == 2 and "takes 5 features: give the data with --data" in err


def test_data_option_uses_the_standardized_training_samples(capsys):
    code, out, _ = run(capsys, "--data", "xor", "--layers", "auto,3,auto", "--sample", "7", "--param", "W2[2,0]")
    assert code == 0
    from nnmath.data.sets import Standardizer, load

    data = load("xor", seed=0)
    X = Standardizer().fit(data.X_train).transform(data.X_train)
    net = nnmath.Network([2, 3, 1], seed=0)
    net.classes_ = data.classes
    assert out == nnmath.explain(net, X[7], data.y_train[7:8], "W2[2,0]").to_text()


def test_a_model_trained_on_a_csv_file_is_explained_from_any_folder_with_its_own_label_column(capsys, tmp_path,
                                                                                               monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    rows = [f"{int(a + b > 0)},{a},{b},{c}" for a, b, c in X]  # the label column first, then the features
    (tmp_path / "lab.csv").write_text("label,a,b,c\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--data", "lab.csv", "--target", "label", "--epochs", "3", "--quiet",
                 "--out", "m.npz"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the model kept where its CSV file is, and which column holds the labels
    capsys.readouterr()
    code, out, err = run(capsys, "--model", "../m.npz", "--param", "W1[2,0]")
    assert code == 0, err
    assert "[3, 16, 1] network" in out and "W¹[2,0]" in out
    code, out, err = run(capsys, "--model", "../m.npz", "--data", "../lab.csv")  # its own file, named again
    assert code == 0, err
    code, out, err = run(capsys, "--data", "../lab.csv", "--target", "label")
    assert code == 0 and "[3, 2, 1] network" in out  # 3 features: a, b, c (the label column is not one)
    assert main(["gradcheck", "--data", "../lab.csv", "--target", "label", "--layers", "auto,3,auto"]) == 0
    assert "agrees with finite differences" in capsys.readouterr().out
