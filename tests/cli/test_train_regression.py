"""A continuous target trains a regression network from the command line: identity output and
squared error, R² and RMSE in the results, a prediction-vs-truth figure, and predict
(issue 15 item 8)."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from nnmath.cli import main
from nnmath.io.model import load_model


@pytest.fixture
def prices(tmp_path, monkeypatch):
    """A price in the hundreds of thousands, nearly linear in two features, plus a column to ignore."""
    rng = np.random.default_rng(0)
    area, rooms = rng.uniform(40, 200, 300), rng.integers(1, 6, 300)
    price = 2500 * area + 15000 * rooms + rng.normal(0, 5000, 300)
    rows = [f"{a:.1f},{r},{p:.2f}" for a, r, p in zip(area, rooms, price)]
    (tmp_path / "houses.csv").write_text("area,rooms,price\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path, price


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_continuous_target_trains_a_regression_network(prices, capsys):
    folder, price = prices
    code, out, err = _run(capsys, "train", "--data", "houses.csv", "--json", "--out", "m.npz", "--plot", "figs")
    assert code == 0, err
    report = json.loads(out)
    assert report["task"] == "regression" and report["layers"] == [2, 16, 1] and report["target"] == "price"
    test = report["results"]["test"]
    assert test["r2"] > 0.95 and set(test) == {"loss", "r2", "rmse", "samples"}
    assert test["rmse"] < 0.25 * np.std(price)  # in the target's own units
    assert sorted(p.rsplit("/", 1)[-1] for p in report["plots"]) == ["gradients.png", "loss.png", "predictions.png"]
    net, info = load_model(folder / "m.npz")
    assert net.output_name == "identity" and net.loss.name == "mean_squared_error" and info["task"] == "regression"


def test_predict_gives_values_in_the_targets_units_and_reports_r2_and_rmse(prices, capsys):
    folder, price = prices
    assert _run(capsys, "train", "--data", "houses.csv", "--quiet", "--out", "m.npz")[0] == 0
    code, out, err = _run(capsys, "predict", "m.npz", "houses.csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["prediction"] and len(rows) == 301
    predicted = np.array([float(r[0]) for r in rows[1:]])
    truth = np.array([float(line.split(",")[2]) for line in (folder / "houses.csv").read_text().splitlines()[1:]])
    r2 = 1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2)
    rmse = np.sqrt(np.mean((truth - predicted) ** 2))
    assert r2 > 0.95
    assert f"R² {r2:.4f}, RMSE {rmse:.4g} on 300 rows (values in column 'price')" in err
    code, out, err = _run(capsys, "explain", "--model", "m.npz", "--param", "W2[0,0]")
    assert code == 0 and "identity output, squared error" in out


def test_the_task_can_be_forced_either_way(prices, capsys):
    code, _, err = _run(capsys, "train", "--data", "houses.csv", "--task", "classification", "--quiet")
    assert code == 2 and "looks like a continuous quantity" in err
    code, _, err = _run(capsys, "train", "--data", "iris", "--task", "regression", "--json")
    assert code == 2 and "holds words; a regression target must be numbers" in err  # iris's species
    code, out, _ = _run(capsys, "train", "--data", "digits", "--task", "regression", "--epochs", "3", "--json")
    assert code == 0 and json.loads(out)["task"] == "regression"  # the digit 0..9 as a number, when asked
    code, _, err = _run(capsys, "train", "--data", "houses.csv", "--layers", "auto,8,3", "--quiet")
    assert code == 2 and "one regression target; use 1 (--layers 2,8,1)" in err


def test_info_calls_a_regression_model_a_regression(prices, capsys):
    assert _run(capsys, "train", "--data", "houses.csv", "--quiet", "--epochs", "3", "--out", "m.npz")[0] == 0
    code, out, _ = _run(capsys, "info", "m.npz")
    assert code == 0 and "regression: ŷ is the predicted value" in out and "classes:" not in out
