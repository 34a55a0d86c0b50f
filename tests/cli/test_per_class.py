"""Per-class results: the confusion matrix and each class's precision and recall in train's and
predict's results and --json; predict carries an id column and the true label (issue 15 item 10)."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from nnmath.cli import main


def _run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _check_scores(result, labels):
    """The matrix counts every sample once and the scores follow from it (recomputed here)."""
    counts = np.array(result["confusion_matrix"]["counts"])
    assert result["confusion_matrix"]["labels"] == labels
    assert counts.sum() == result["samples"]
    assert np.trace(counts) / counts.sum() == pytest.approx(result["accuracy"])
    for k, label in enumerate(labels):
        scores = result["per_class"][label]
        assert scores["support"] == counts[k].sum()
        assert scores["recall"] == pytest.approx(counts[k, k] / counts[k].sum())
        assert scores["precision"] == (None if counts[:, k].sum() == 0 else pytest.approx(counts[k, k] / counts[:, k].sum()))


def test_train_reports_the_confusion_matrix_and_per_class_scores(capsys):
    code, out, _ = _run(capsys, "train", "--data", "iris", "--epochs", "20", "--json")
    assert code == 0
    report = json.loads(out)
    for part in ("train", "validation", "test"):
        _check_scores(report["results"][part], ["setosa", "versicolor", "virginica"])
    code, out, _ = _run(capsys, "train", "--data", "iris", "--epochs", "20")
    assert "Confusion matrix, test" in out and "Per class, test" in out and "precision" in out


@pytest.fixture
def flowers(tmp_path, monkeypatch, capsys):
    from sklearn.datasets import load_iris

    data = load_iris()
    rows = [",".join([f"plant-{i}", *(str(v) for v in x), data.target_names[t]])
            for i, (x, t) in enumerate(zip(data.data, data.target))]
    names = ["sepal length", "sepal width", "petal length", "petal width"]
    (tmp_path / "flowers.csv").write_text(",".join(["name", *names, "species"]) + "\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.csv").write_text(",".join([*names, "species"]) + "\n"
                                        + "\n".join(r.split(",", 1)[1] for r in rows) + "\n")
    assert main(["train", "--data", "train.csv", "--epochs", "30", "--quiet", "--out", "m.npz"]) == 0
    capsys.readouterr()
    return data


def test_predict_carries_an_id_and_the_true_label_beside_each_prediction(flowers, capsys):
    code, out, err = _run(capsys, "predict", "m.npz", "flowers.csv", "--id", "name", "--truth")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["name", "prediction", "species", "P(setosa)", "P(versicolor)", "P(virginica)"]
    assert [r[0] for r in rows[1:]] == [f"plant-{i}" for i in range(150)]
    assert [r[2] for r in rows[1:]] == [flowers.target_names[t] for t in flowers.target]
    assert "confusion matrix (rows: true species, columns: predicted):" in err and "precision" in err
    code, _, err = _run(capsys, "predict", "m.npz", "flowers.csv", "--id", "nom")
    assert code == 2 and "flowers.csv has no column 'nom' (given as --id)" in err


def test_predict_json_holds_the_predictions_and_the_per_class_results(flowers, capsys):
    code, out, _ = _run(capsys, "predict", "m.npz", "flowers.csv", "--json", "--id", "name", "--quiet")
    assert code == 0
    document = json.loads(out)
    predictions = document["predictions"]
    assert predictions[0]["name"] == "plant-0" and set(predictions[0]) == {
        "name", "prediction", "P(setosa)", "P(versicolor)", "P(virginica)"}
    labels = ["setosa", "versicolor", "virginica"]
    _check_scores(document["results"], labels)
    counts = np.zeros((3, 3), dtype=int)  # the matrix counted again from the predictions and the file
    for p, t in zip(predictions, flowers.target):
        counts[t, labels.index(p["prediction"])] += 1
    assert document["results"]["confusion_matrix"]["counts"] == counts.tolist()
