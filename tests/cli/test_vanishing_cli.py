"""The vanishing-gradient lab end to end: run() on a tiny grid, the Nielsen reproduction, the figures,
and the command line (in-process and once as a subprocess)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from nnmath import cli
from nnmath.lab import vanishing
from nnmath.lab.nielsen import reproduce
from nnmath.lab.plots import plot_nielsen, write_all

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def digits():
    return vanishing.prepare("digits", seed=0, n_samples=400)


@pytest.fixture(scope="module")
def experiment(digits):
    settings = vanishing.Settings(width=12, epochs=2, batch_size=50, probe=200)
    done = []
    exp = vanishing.run(digits, depths=(1, 4), activations=("sigmoid",), inits=("normal",),
                        settings=settings, n_jobs=1, on_done=done.append)
    assert len(done) == 8
    return exp


def test_prepared_data_is_standardized_with_the_training_statistics(digits):
    assert digits.X_train.shape[1] == 64 and len(digits.X_train) + len(digits.X_test) == 400
    spread = digits.X_train.std(axis=0)
    np.testing.assert_allclose(digits.X_train.mean(axis=0), 0, atol=1e-12)
    assert np.all((np.abs(spread - 1) < 1e-9) | (spread == 0))  # constant pixels stay 0


def test_run_measures_every_configuration_of_the_grid(experiment):
    labels = [(r.config.depth, r.config.remedy) for r in experiment.runs]
    assert labels == [(d, r) for d in (1, 4) for r in vanishing.REMEDIES]  # grid order
    for r in experiment.runs:
        assert len(r.flows) == len(r.test_accuracy) == 3  # initialization + 2 epochs
        assert len(r.train_loss) == 2 and r.diverged_at is None
        assert [len(n) for n in r.step_grad_norms] == [r.config.depth + 1] * 2  # the History's, per epoch
        assert r.norms_by_epoch().shape == (r.config.depth + 1, 3)
        assert r.initial.n_samples == 200
        assert all(0.0 <= a <= 1.0 for a in r.test_accuracy)
    by = {(r.config.depth, r.config.remedy): r for r in experiment.runs}
    # clip trains the same network as none: equal at initialization, different once steps are clipped
    assert by[(4, "clip")].initial.weight_norms == by[(4, "none")].initial.weight_norms
    # four sigmoid layers at N(0, 1/n_in): the first hidden layer far behind the last; BN and skips close the gap
    assert by[(4, "none")].initial.first_to_last() < 0.05
    assert by[(4, "batchnorm")].initial.first_to_last() > 0.3
    assert by[(4, "residual")].initial.first_to_last() > 0.1
    json.dumps(experiment.to_dict())  # plain data


def test_the_grid_rejects_bad_names_in_one_line():
    with pytest.raises(vanishing.NNMathError, match="unknown remedy 'dropout'"):
        vanishing.grid([2], ["sigmoid"], ["normal"], ["dropout"])
    with pytest.raises(vanishing.NNMathError, match="unknown activation"):
        vanishing.grid([2], ["softmax"], ["normal"])
    with pytest.raises(vanishing.NNMathError, match="depths"):
        vanishing.grid([0], ["sigmoid"], ["normal"])


def test_nielsen_shape_on_digits(digits):
    """Four hidden sigmoid layers: each layer keeps about S' ≈ 0.2 of the error (see test_vanishing), so the
    first hidden layer is about 0.2^3 ≈ 1/100 of the last, Nielsen's 0.0030 / 0.2851."""
    (r,) = reproduce(digits, depths=(4,), variants=("nielsen",), seeds=3, samples=250)
    g = r.geometric_mean
    assert len(r.norms) == 3 and len(g) == 4 and r.published == [0.0030, 0.0171, 0.0695, 0.2851]
    assert g[0] < g[1] < g[2] < g[3]
    assert 0.002 < r.first_to_last < 0.05


def test_figures_are_written_as_png(experiment, digits, tmp_path):
    paths = write_all(experiment, tmp_path / "figs")
    paths.append(plot_nielsen(reproduce(digits, depths=(2, 3), seeds=2, samples=100), tmp_path / "n.png"))
    assert [p.name for p in paths] == ["gradient_norms.png", "heatmap.png", "accuracy.png", "n.png"]
    for p in paths:
        assert p.read_bytes()[:8] == PNG and p.stat().st_size > 10_000


def test_cli_json_in_process(capsys):
    code = cli.main(["vanishing", "--data", "iris", "--depths", "2", "--activations", "relu", "--inits", "he",
                     "--remedies", "none,residual", "--epochs", "1", "--width", "4", "--n-jobs", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["data"] == "iris"
    assert [r["config"]["remedy"] for r in out["runs"]] == ["none", "residual"]
    assert out["runs"][0]["sizes"] == [4, 4, 4, 3]


@pytest.mark.parametrize("argv,message", [
    (["--depths", "two"], "--depths takes whole numbers"),
    (["--remedies", "none,magic"], "unknown remedy 'magic'"),
    (["--epochs", "0"], "epochs must be at least 1"),
    (["--data", "no_such_file.csv"], "no_such_file.csv"),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert cli.main(["vanishing", "--n-jobs", "1", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_never_writes_over_a_file_given_as_plot_dir(tmp_path, capsys):
    target = tmp_path / "keep.txt"
    target.write_text("mine")
    assert cli.main(["vanishing", "--data", "iris", "--depths", "1", "--epochs", "1", "--plot", str(target)]) == 2
    assert target.read_text() == "mine" and "is a file" in capsys.readouterr().err


def test_command_runs_end_to_end_in_a_subprocess_with_two_jobs():
    done = subprocess.run(
        [sys.executable, "-m", "nnmath", "vanishing", "--data", "digits", "--n-samples", "300", "--depths", "1,3",
         "--activations", "sigmoid", "--inits", "normal", "--remedies", "none,batchnorm", "--epochs", "2",
         "--width", "10", "--n-jobs", "2", "--layers"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when not a terminal, no warnings
    assert "Vanishing gradient on digits" in done.stdout and "batchnorm" in done.stdout
    assert done.stdout.count("per layer at initialization") == 4  # --layers: one table per configuration


def test_cli_nielsen_prints_the_published_numbers_beside_ours(capsys):
    code = cli.main(["vanishing", "--nielsen", "--data", "digits", "--depths", "2", "--seeds", "2",
                     "--probe", "100", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["variant"] for r in rows] == ["nielsen", "zero-bias", "softmax"]
    assert all(r["published"] == [0.0657, 0.3092] and len(r["norms"]) == 2 and r["samples"] == 100 for r in rows)
    assert cli.main(["vanishing", "--nielsen", "--depths", "5"]) == 2
    assert "Nielsen published 2, 3 and 4 hidden layers" in capsys.readouterr().err


def test_a_csv_files_label_column_can_be_named(capsys, tmp_path):
    rng = np.random.default_rng(0)
    rows = [f"{k % 3},{a},{b}" for k, (a, b) in enumerate(rng.standard_normal((30, 2)))]
    (tmp_path / "first.csv").write_text("kind,a,b\n" + "\n".join(rows) + "\n")  # the labels in the first column
    code = cli.main(["vanishing", "--data", str(tmp_path / "first.csv"), "--target", "kind", "--depths", "1",
                     "--activations", "sigmoid", "--remedies", "none", "--epochs", "1", "--width", "4",
                     "--n-jobs", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["runs"][0]["sizes"] == [2, 4, 3]  # 2 features, 3 classes


def test_a_one_configuration_figure_has_room_for_its_title(digits, tmp_path):
    from matplotlib.image import imread

    from nnmath.lab import vanishing

    one = vanishing.run(digits, depths=[1], activations=["sigmoid"], inits=["normal"], remedies=["none"],
                        settings=vanishing.Settings(epochs=1, width=4, probe=50), n_jobs=1)
    paths = write_all(one, tmp_path)
    for p in paths:
        assert imread(p).shape[1] >= 800  # 7.5 inches at 110 dpi: a single panel's title is not cut off
