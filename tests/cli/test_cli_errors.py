"""Every bad input of the command line: exit code 2, one readable line on stderr, no traceback,
and nothing the user had is overwritten."""
import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnmath import Network
from nnmath.io.model import save_model


def nnmath(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nnmath", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


FILES = {
    "empty.csv": "",
    "nonnum.csv": "a,b,c\n1,x,0\n2,3,1\n",
    "nan.csv": "a,b,c\n1,2,0\n2,inf,1\n",
    "single.csv": "a,b,c\n1,2,0\n2,3,0\n3,3,0\n4,3,0\n",
    "ok.csv": "".join(["x1,x2,label\n"] + [f"{i % 7},{(i * 3) % 5},{i % 2}\n" for i in range(40)]),
    "unseen.csv": "x1,x2,label\n0,1,0\n1,2,7\n",
    "wide.csv": "x1,x3\n0,0\n",
    "price.csv": "x,price\n" + "".join(f"{i},{i * 1.25 + 3}\n" for i in range(20)),
    "nohead.csv": "".join(f"{i / 10},{i % 3},{i % 2}\n" for i in range(20)),  # no header: its first row is data
    "numbered.csv": "0,1,2\n" + "".join(f"{i / 10},{i % 3},{i % 2}\n" for i in range(20)),  # columns named 0, 1, 2
    "semi.csv": "a;b;c\n1;2;0\n3;4;1\n",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    net = Network([2, 3, 1], seed=0)
    net.fit(np.array([[0.0, 1], [1, 0], [1, 1], [0, 0]]), np.array([0, 1, 1, 0]), epochs=2)
    save_model(folder / "m.npz", net, {"feature_names": ["x1", "x2"], "target_name": "label",
                                       "scaler": {"mean": [0.0, 0.0], "scale": [1.0, 1.0]}})
    save_model(folder / "noscale.npz", net, {"feature_names": ["x1", "x2"]})  # saved by a script, not by train
    (folder / "evil.npz").write_bytes(pickle.dumps({"W1": [1.0]}))
    (folder / "cut.npz").write_bytes((folder / "m.npz").read_bytes()[:300])
    return folder


@pytest.mark.parametrize("args, message", [
    (["train", "--data", "missing.csv"], "no such file: missing.csv"),
    (["train", "--data", "empty.csv"], "empty.csv is empty"),
    (["train", "--data", "nonnum.csv"], "feature column 'b' of nonnum.csv holds 'x', which is not a number"),
    (["train", "--data", "nan.csv"], "feature column 'b' of nan.csv holds 'inf' .*NaN and infinite"),
    (["train", "--data", "ok.csv", "--target", "y"], "has no column 'y' .*its columns are 'x1', 'x2', 'label'"),
    (["train", "--data", "single.csv"], "the target 'c' holds a single class \\(0\\)"),
    (["predict", "m.npz", "wide.csv"], "the model expects 2 features but wide.csv lacks 1 of them \\('x2'\\)"),
    (["predict", "ok.csv", "ok.csv"], "ok.csv is not an nnmath model file"),
    (["predict", "noscale.npz", "ok.csv"], "noscale.npz has no valid feature scaling for its 2 features"),
    (["info", "evil.npz"], "evil.npz is not an nnmath model file \\(it is a Python pickle"),
    (["predict", "cut.npz", "ok.csv"], "cut.npz is not an nnmath model file \\(truncated or corrupted\\)"),
    # a continuous target trains a regression by default (issue 15 item 8); a classifier refuses it
    (["train", "--data", "price.csv", "--task", "classification"],
     "the target 'price' has 20 different values in 20 samples"),
    (["train", "--data", "nohead.csv"], "the first row of nohead.csv looks like data, not column names"),
    (["train", "--data", "semi.csv"], "semi.csv has one column \\(its fields look separated by semicolons"),
    (["train", "--data", "moons", "--test-size", "0.99"],
     r"4 training samples \(what --test-size left\) are too few to hold out --validation-split 0.2"),
    (["train", "--data", "ok.csv", "--lr", "-0.1"], "--learning-rate/--lr: must be a positive number, got -0.1"),
    (["train", "--data", "ok.csv", "--epochs", "0"], "--epochs: must be a whole number of at least 1, got 0"),
    (["train", "--data", "ok.csv", "--layers", "3,4,1"], "--layers starts with 3 inputs but ok.csv has 2 features"),
    (["train", "--data", "ok.csv", "--layers", "2,4,3"], "--layers ends with 3 output units but ok.csv has 2 classes"),
    (["train", "--data", "ok.csv", "--layers", "2,,1"], "layer sizes are whole numbers"),
    (["train", "--data", "moons", "--noise", "-1"], "--noise: must be 0 or more"),
    (["train", "--data", "ok.csv", "--out", "nowhere/m.npz"], "the folder nowhere does not exist"),
    (["train", "--data", "ok.csv", "--activation", "cosine"], "invalid choice: 'cosine'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["train", "--data", "ok.csv", "--seed", "-1"], "--seed: must be a whole number, 0 or more, got -1"),
    (["predict", "m.npz", "ok.csv", "--out", "m.npz"], "m.npz is also an input of this command"),
    (["predict", "m.npz", "ok.csv", "--out", "ok.csv"], "ok.csv is also an input of this command"),
    (["train", "--data", "ok.csv", "--out", "ok.csv"], "ok.csv is also an input of this command"),
    (["train", "--data", "ok.csv", "--out", "noscale.npz"], "the model file noscale.npz already exists; give another "
                                                            "name, or add --force to replace it"),
    (["data", "moons", "--out", "ok.csv"], "the CSV file ok.csv already exists"),
    (["predict", "m.npz", "ok.csv", "--out", "cut.npz"], "the predictions file cut.npz already exists"),
    (["gradcheck", "m.npz", "--layers", "2,3,1"], "either a MODEL or --layers/--activation, not both"),
    (["explain", "--model", "m.npz", "--activation", "relu"], "either --model or --layers/--activation, not both"),
])
def test_bad_input_gives_one_line_and_exit_code_2(folder, args, message):
    run = nnmath(*args, cwd=folder)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnmath") and "error: " in lines[0]
    assert re.search(message, lines[0]), lines[0]


@pytest.mark.parametrize("args", [
    ["--data", "nan.csv"],  # fails while reading the data
    ["--data", "ok.csv", "--activation", "identity", "--lr", "1e6", "--epochs", "200"],  # fails while training
    ["--data", "ok.csv", "--epochs", "2", "--plot", "ok.csv"],  # the figure folder is a file
])
def test_a_failed_run_never_touches_an_existing_model(folder, args):
    before = (folder / "m.npz").read_bytes()
    run = nnmath("train", *args, "--out", "m.npz", "--force", cwd=folder)  # --force: it may replace m.npz, on success
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert (folder / "m.npz").read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_an_output_that_is_an_input_is_left_as_it_was(folder):
    before = {name: (folder / name).read_bytes() for name in ("m.npz", "ok.csv")}
    for out in before:
        assert nnmath("predict", "m.npz", "ok.csv", "--out", out, cwd=folder).returncode == 2
    assert {name: (folder / name).read_bytes() for name in before} == before


def test_gradcheck_of_a_deep_relu_network_passes_and_samples_large_layers(folder):
    deep = nnmath("gradcheck", "--layers", "2," + "3," * 11 + "1", "--activation", "relu", "--json", cwd=folder)
    assert deep.returncode == 0, deep.stdout
    wide = nnmath("gradcheck", "--layers", "300,200,1", "--entries", "10", "--json", cwd=folder)
    assert wide.returncode == 0 and '"passed": true' in wide.stdout


def test_gradcheck_of_a_saved_regression_model(folder):
    net = Network([3, 4, 2], output="identity", seed=0)
    save_model(folder / "regression.npz", net, {})
    run = nnmath("gradcheck", "regression.npz", "--json", cwd=folder)
    assert run.returncode == 0 and '"passed": true' in run.stdout, run.stderr


def test_existing_files_are_replaced_only_with_force(folder, tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("my own data\n")
    assert nnmath("data", "moons", "--samples", "20", "--out", mine, cwd=folder).returncode == 2
    assert mine.read_text() == "my own data\n"
    assert nnmath("data", "moons", "--samples", "20", "--out", mine, "--force", cwd=folder).returncode == 0
    assert mine.read_text().startswith("x1,x2,label\n") and len(mine.read_text().splitlines()) == 21
    figures = tmp_path / "figs"
    figures.mkdir()
    (figures / "loss.png").write_bytes(b"my own figure")
    refused = nnmath("train", "--data", "ok.csv", "--epochs", "2", "--plot", figures, "--quiet", cwd=folder)
    assert refused.returncode == 2 and "already holds loss.png; give another folder, or add --force" in refused.stderr
    assert (figures / "loss.png").read_bytes() == b"my own figure"
    forced = nnmath("train", "--data", "ok.csv", "--epochs", "2", "--plot", figures, "--quiet", "--force", cwd=folder)
    assert forced.returncode == 0 and (figures / "loss.png").read_bytes().startswith(b"\x89PNG")
    (figures / "heatmap.png").write_bytes(b"mine too")
    lab = nnmath("vanishing", "--depths", "2", "--activations", "sigmoid", "--remedies", "none", "--plot", figures,
                 cwd=folder)
    assert lab.returncode == 2 and "already holds heatmap.png" in lab.stderr


def _refused_in_one_line(run, message):
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnmath: error: ") and message in lines[0], run.stderr


@pytest.mark.parametrize("command, figure", [
    (["train", "--epochs", "1"], "loss.png"),
    (["vanishing", "--depths", "1", "--activations", "sigmoid", "--inits", "normal", "--remedies", "none",
      "--epochs", "1", "--n-jobs", "1"], "accuracy.png"),
])
def test_plot_refuses_to_write_a_figure_over_the_data_even_with_force(folder, tmp_path, command, figure):
    data = (folder / "ok.csv").read_bytes()
    (tmp_path / "figs").mkdir()
    (tmp_path / "figs" / figure).write_bytes(data)  # the data file bears the name of a figure
    run = nnmath(*command, "--data", f"figs/{figure}", "--plot", "figs", "--force", "--quiet", cwd=tmp_path)
    _refused_in_one_line(run, f"the figure figs/{figure} is also an input of this command; writing it would "
                              f"destroy it, give another folder")
    assert [p.name for p in (tmp_path / "figs").iterdir()] == [figure]  # before any training: no figure drawn
    assert (tmp_path / "figs" / figure).read_bytes() == data


@pytest.mark.parametrize("out", ["figs/loss.png", "figs/./boundary.png", "link.npz"])
def test_out_naming_a_figure_of_plot_is_refused_before_training(folder, tmp_path, out):
    (tmp_path / "figs").mkdir()
    (tmp_path / "link.npz").symlink_to(tmp_path / "figs" / "gradients.png")  # written through to the figure
    for force in ([], ["--force"]):
        run = nnmath("train", "--data", folder / "ok.csv", "--epochs", "1", "--plot", "figs", "--out", out, *force,
                     "--quiet", cwd=tmp_path)
        _refused_in_one_line(run, f"--out {Path(out)} is also the figure figs/")  # Path drops the ./
        assert "that --plot writes; give another file name or folder" in run.stderr
        assert list((tmp_path / "figs").iterdir()) == []  # neither the figures nor the model


def test_columns_named_by_their_numbers_are_a_header(folder):
    run = nnmath("train", "--data", "numbered.csv", "--epochs", "2", "--quiet", "--json", cwd=folder)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["features"] == 2 and sum(part["samples"] for part in report["results"].values()) == 20  # no row lost


def test_labels_the_model_cannot_score_never_stop_the_predictions(folder):
    (folder / "partly.csv").write_text("x1,x2,label\n0,1,0\n1,2,7\n2,2,\n")  # a new label and a blank one
    run = nnmath("predict", "m.npz", "partly.csv", cwd=folder)
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.strip().splitlines()) == 1 + 3  # the header and every row's prediction
    assert "on 1 row (labels in column 'label'; 2 rows with a blank or unseen label left out)" in run.stderr
    none = nnmath("predict", "m.npz", "unseen.csv", "--quiet", cwd=folder)
    assert none.returncode == 0 and none.stderr == "" and len(none.stdout.strip().splitlines()) == 3


@pytest.mark.parametrize("output, targets", [("sigmoid", np.eye(3, dtype=int)), ("identity", np.ones((3, 3)))])
def test_a_model_of_several_values_per_sample_predicts_without_scoring_one_column(tmp_path, capsys, output, targets):
    from nnmath.cli import main

    net = Network([2, 3, 3], output=output, seed=0)  # multilabel, or a regression of 3 outputs: a row per sample
    net.fit(np.arange(6.0).reshape(3, 2), targets, epochs=1)
    save_model(tmp_path / "m.npz", net, {"feature_names": ["x1", "x2"], "target_name": "label",
                                         "scaler": {"mean": [0.0, 0.0], "scale": [1.0, 1.0]}})
    (tmp_path / "d.csv").write_text("x1,x2,label\n0,1,0\n1,2,2\n")  # used to be broadcast against the rows
    assert main(["predict", str(tmp_path / "m.npz"), str(tmp_path / "d.csv"), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["results"] is None and len(json.loads(out)["predictions"]) == 2
    assert err == f"no results: the model predicts 3 values per sample ({net.kind}), column 'label' holds one\n"


def test_gradcheck_on_data_fits_its_default_network_to_the_data(folder):
    run = nnmath("gradcheck", "--data", "ok.csv", "--json", cwd=folder)  # 2 features, 2 classes: 2-5-3-1
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["passed"] is True and "2-5-3-1 sigmoid network on ok.csv" in run.stdout


def test_a_run_whose_error_rose_finishes_with_a_warning(folder):
    wild = nnmath("train", "--data", "moons", "--lr", "1e6", "--epochs", "50", "--quiet", "--json", cwd=folder)
    assert wild.returncode == 0
    assert json.loads(wild.stdout)["warnings"] == [wild.stderr.strip().removeprefix("nnmath: warning: ")]
    assert "the training error E rose from" in wild.stderr and "(α = 1e+06) is probably too large" in wild.stderr
    calm = nnmath("train", "--data", "moons", "--epochs", "20", "--quiet", "--json", cwd=folder)
    assert calm.returncode == 0 and calm.stderr == "" and json.loads(calm.stdout)["warnings"] == []



def test_a_dangling_link_or_a_device_as_out_is_refused_before_any_work(folder, tmp_path):
    import os

    (tmp_path / "dangling.csv").symlink_to(tmp_path / "nowhere" / "t.csv")
    run = nnmath("predict", "m.npz", "ok.csv", "--out", tmp_path / "dangling.csv", cwd=folder)
    assert run.returncode == 2 and f"the folder {tmp_path / 'nowhere'} does not exist" in run.stderr
    os.mkfifo(tmp_path / "pipe")
    for args in (["--force"], []):
        run = nnmath("train", "--data", "ok.csv", "--out", tmp_path / "pipe", *args, cwd=folder)
        assert run.returncode == 2 and "is not a regular file" in run.stderr


def test_figures_a_run_does_not_draw_do_not_block_it(folder, tmp_path):
    (tmp_path / "boundary.png").write_bytes(b"mine")  # iris has 4 features: no boundary figure
    run = nnmath("train", "--data", "iris", "--epochs", "2", "--quiet", "--plot", tmp_path, cwd=folder)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "boundary.png").read_bytes() == b"mine" and (tmp_path / "loss.png").exists()
