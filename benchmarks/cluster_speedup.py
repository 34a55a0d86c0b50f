"""The vanishing lab's grid and a GridSearchCV over NetworkClassifier: in one process, and on a local
Dask cluster of worker processes on loopback. Prints the wall times, the speed-up, and whether
the results are the same (they must be: every run is seeded).

    python benchmarks/cluster_speedup.py              # 2 workers, the grid of docs/distributed.md
    python benchmarks/cluster_speedup.py --workers 4  # on a machine with more cores

The cluster's start (about half a second) is reported apart; the cluster times include connecting
to the scheduler and sending the data to the workers. On a machine shared with other jobs the
times vary from run to run: compare the two columns of one run, not numbers across runs.
"""
from __future__ import annotations

import argparse
import time

import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnmath.interop.sklearn import NetworkClassifier
from nnmath.lab import vanishing

GRID = dict(depths=(2, 4, 8), activations=("sigmoid", "relu"), inits=("normal", "he"), remedies=vanishing.REMEDIES)
SEARCH = {"networkclassifier__hidden_layer_sizes": [(16,), (64, 64)],
          "networkclassifier__learning_rate": [0.001, 0.003, 0.01]}


def _numbers(value, out: list) -> list:
    """Every number the lab measured but the wall times, in a fixed order (None for a missing one)."""
    if isinstance(value, dict):
        for key in sorted(value):
            if key != "seconds":
                _numbers(value[key], out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _numbers(item, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.append(float(value))
    return out


def worst_difference(a, b) -> float:
    """The largest relative difference between two experiments' numbers (inf if they differ in shape)."""
    x, y = (np.array(_numbers([r.to_dict() for r in e.runs], [])) for e in (a, b))
    if x.shape != y.shape:
        return float("inf")
    both = np.isfinite(x) & np.isfinite(y)
    if not np.array_equal(np.isfinite(x), np.isfinite(y)) or not np.array_equal(x[~both], y[~both]):
        return float("inf")
    return float(np.max(np.abs(x[both] - y[both]) / np.maximum(np.abs(x[both]), 1e-300), initial=0.0))


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes of one thread each (default 2)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of every run of the lab's grid (default 5)")
    args = parser.parse_args()

    data = vanishing.prepare("mnist1d", seed=0)
    settings = vanishing.Settings(epochs=args.epochs)
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), NetworkClassifier(epochs=500, random_state=0))
    vanishing.run(data, depths=[2], activations=["sigmoid"], inits=["normal"], remedies=["none"],
                  settings=vanishing.Settings(epochs=1), n_jobs=1)  # load the compiled loops once, untimed

    here, t_grid_here = timed(lambda: vanishing.run(data, **GRID, settings=settings, n_jobs=1))
    two, t_grid_two = timed(lambda: vanishing.run(data, **GRID, settings=settings, n_jobs=args.workers))
    search_here, t_search_here = timed(lambda: GridSearchCV(model, SEARCH, cv=5, n_jobs=1).fit(X, y))
    search_two, t_search_two = timed(lambda: GridSearchCV(model, SEARCH, cv=5, n_jobs=args.workers).fit(X, y))

    cluster, t_start = timed(lambda: LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                                  host="127.0.0.1", dashboard_address=None))
    try:
        there, t_grid_there = timed(lambda: vanishing.run(data, **GRID, settings=settings,
                                                          scheduler=cluster.scheduler_address))
        with Client(cluster) as client:
            def search():
                with joblib.parallel_config(backend="dask"):
                    return GridSearchCV(model, SEARCH, cv=5).fit(X, y)

            search_there, t_search_there = timed(search)
            cores = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
    finally:
        cluster.close()

    same_search = (search_here.best_params_ == search_there.best_params_ and
                   np.array_equal(search_here.cv_results_["mean_test_score"],
                                  search_there.cv_results_["mean_test_score"]))
    settings_tried = len(search_here.cv_results_["params"])
    print(f"local Dask cluster: {args.workers} worker processes, {cores} threads, started in {t_start:.1f} s")
    print(f"{'':<40}{'1 process':>10}{f'{args.workers} processes':>13}{'cluster':>9}"
          f"{'cluster/1':>11}   same numbers as 1 process")
    print(f"{f'vanishing grid, {len(here.runs)} runs x {args.epochs} epochs':<40}{t_grid_here:>9.1f}s{t_grid_two:>12.1f}s"
          f"{t_grid_there:>8.1f}s{t_grid_here / t_grid_there:>10.2f}x   worst relative difference "
          f"{worst_difference(here, there):.1e} (cluster), {worst_difference(here, two):.1e} ({args.workers} processes)")
    print(f"{f'GridSearchCV, {settings_tried} settings x 5 folds':<40}{t_search_here:>9.1f}s{t_search_two:>12.1f}s"
          f"{t_search_there:>8.1f}s{t_search_here / t_search_there:>10.2f}x   best_params_ and scores equal: {same_search}")


if __name__ == "__main__":
    main()
