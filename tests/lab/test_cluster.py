"""Beyond one machine: a local Dask cluster of two worker processes on loopback runs scikit-learn's
grid search over NetworkClassifier and the vanishing lab's grid, and both give what one process gives."""
import contextlib
import io
import json
import socket

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")  # the `distributed` extra (in the test extra)
import joblib  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from nnmath import NNMathError, cli  # noqa: E402
from nnmath.interop.sklearn import NetworkClassifier  # noqa: E402
from nnmath.lab import cluster, vanishing  # noqa: E402


@pytest.fixture(scope="module")
def local_cluster():
    """Two worker processes of one thread each, scheduler and workers on 127.0.0.1, no dashboard."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _workers(client):
    return set(client.scheduler_info()["workers"])


def test_grid_search_on_the_cluster_equals_one_process(local_cluster, iris):
    grid = {"hidden_layer_sizes": [(2,), (16,)], "learning_rate": [0.001, 0.05]}
    model = NetworkClassifier(epochs=30, random_state=0)
    here = GridSearchCV(model, grid, cv=3, n_jobs=1).fit(*iris)
    with distributed.Client(local_cluster) as client:  # closed before the cluster
        with distributed.get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):  # read at the end
            there = GridSearchCV(model, grid, cv=3).fit(*iris)
        ran_on = {task["worker"] for task in stream.data}
        assert ran_on and ran_on <= _workers(client)  # the fits ran on the cluster's workers
    assert there.best_params_ == here.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score", "split2_test_score", "rank_test_score"):
        np.testing.assert_array_equal(there.cv_results_[key], here.cv_results_[key])
    assert there.best_score_ == here.best_score_
    np.testing.assert_array_equal(there.best_estimator_.coefs_[0], here.best_estimator_.coefs_[0])


def _vanishing(*options):
    """``nnmath vanishing`` on a small grid: its exit code and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["vanishing", "--data", "digits", "--n-samples", "400", "--depths", "1,3",
                         "--activations", "sigmoid", "--inits", "normal,he", "--epochs", "2", "--width", "8",
                         "--probe", "100", "--quiet", *options])
    return code, out.getvalue()


def _without_times(experiment_json):
    for run in experiment_json["runs"]:
        assert run.pop("seconds") > 0  # wall time: the one number that may differ
    return experiment_json


def _runs_without_times(experiment):
    return [{k: v for k, v in run.to_dict().items() if k != "seconds"} for run in experiment.runs]


def _leaves(value, path=""):
    """(path, value) of every number, name and null in a JSON document, in order."""
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key], f"{path}/{key}")]
    if isinstance(value, (list, tuple)):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{path}[{i}]")]
    return [(path, value)]


def assert_same_numbers(a, b):
    """Equal structure, names and nulls; numbers equal to 1e-9. (One process uses two BLAS threads and a
    worker one, which can change the order of a sum and so its last bit; with OPENBLAS_NUM_THREADS=1 the
    two are bit for bit the same.)"""
    left, right = _leaves(a), _leaves(b)
    assert [p for p, _ in left] == [p for p, _ in right]
    for (path, x), (_, y) in zip(left, right):
        if isinstance(x, float) or isinstance(y, float):
            assert x == pytest.approx(y, rel=1e-9, abs=1e-15), path
        else:
            assert x == y, path


def test_vanishing_grid_on_the_cluster_prints_the_same_table(local_cluster):
    here = _vanishing("--n-jobs", "1")
    there = _vanishing("--scheduler", local_cluster.scheduler_address)
    assert here[0] == there[0] == 0
    assert "sigmoid/he" in here[1] and there[1] == here[1]
    here_json = _without_times(json.loads(_vanishing("--n-jobs", "1", "--json")[1]))
    there_json = _without_times(json.loads(_vanishing("--scheduler", local_cluster.scheduler_address, "--json")[1]))
    assert len(here_json["runs"]) == 16
    assert_same_numbers(there_json, here_json)  # every number of every run


def test_vanishing_run_takes_a_scheduler_and_runs_there(local_cluster):
    data = vanishing.prepare("digits", seed=0, n_samples=300)
    settings = vanishing.Settings(width=6, epochs=1, probe=50)
    axes = dict(depths=[2], activations=["sigmoid", "relu"], inits=["normal"], remedies=["none", "clip"])
    done = []
    with distributed.Client(local_cluster) as watcher:
        with distributed.get_task_stream(watcher) as stream:  # read when the block ends
            there = vanishing.run(data, **axes, settings=settings, scheduler=local_cluster.scheduler_address,
                                  on_done=done.append)
        ran_on = {task["worker"] for task in stream.data}
        assert ran_on and ran_on <= _workers(watcher)
    here = vanishing.run(data, **axes, settings=settings, n_jobs=1)
    assert len(done) == 4
    assert [r.config for r in there.runs] == [r.config for r in here.runs]  # grid order, whatever finished first
    assert_same_numbers(_runs_without_times(there), _runs_without_times(here))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address, message", [
    ("nowhere", "needs a host and a port"),
    ("tcp://127.0.0.1:port", "needs a host and a port"),
])
def test_a_malformed_address_is_one_line_before_any_work(address, message, capsys):
    assert cli.main(["vanishing", "--scheduler", address, "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nnmath: error: ") and message in err[0]


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch, capsys):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    data = vanishing.prepare("digits", seed=0, n_samples=100)
    with pytest.raises(NNMathError, match=f"could not reach the Dask scheduler at {address}"):
        vanishing.run(data, depths=[1], activations=["sigmoid"], inits=["normal"], remedies=["none"],
                      settings=vanishing.Settings(width=4, epochs=1, probe=20), scheduler=address)
    code = cli.main(["vanishing", "--data", "digits", "--n-samples", "100", "--depths", "1", "--activations",
                     "sigmoid", "--inits", "normal", "--remedies", "none", "--epochs", "1", "--quiet",
                     "--scheduler", address])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "could not reach the Dask scheduler" in err[0]


def test_nielsen_has_no_grid_to_send(capsys):
    assert cli.main(["vanishing", "--nielsen", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--nielsen has no grid" in capsys.readouterr().err
