"""The data a saved model is explained or checked on (``explain --model``, ``gradcheck MODEL --data``).

A model knows its features by name; a CSV file given later is matched by those names (as
``predict`` matches them), in any column order, with the same errors. The labels are in the
model's own target column unless --target names another.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from nnmath.data import csvfile as csvdata
from nnmath.data.sets import BUILT_IN, Dataset, load
from nnmath.errors import NNMathError


def feature_names(info: dict, n_features: int) -> Optional[list]:
    """The model's feature names when its file records them (one per input), else None."""
    names = info.get("feature_names")
    if isinstance(names, list) and len(names) == n_features and all(isinstance(n, str) for n in names):
        return names
    return None


def own_data(info: dict, model: Path) -> Optional[str]:
    """The model's own data: its CSV file where training read it, or a built-in set by name; a
    training CSV that was moved or deleted is an error that says to pass --data."""
    csv_path = info.get("data_path")
    if csv_path is not None:
        if not Path(csv_path).exists():
            raise NNMathError(f"{model} was trained on {csv_path}, which is no longer there; "
                              f"give its data with --data FILE.csv")
        return str(csv_path)
    name = info.get("data")
    return name if name in BUILT_IN else None


def _target(name: str, given: Optional[str], info: dict) -> Optional[str]:
    """--target, or the model's own label column when the CSV file has it (a model trained on a
    built-in set calls its labels 'label': a file without that column keeps its last one)."""
    if given is not None or name in BUILT_IN:
        return given
    own = info.get("target_name")
    if not isinstance(own, str):
        return None
    if own in csvdata.read_table(name).header:
        return own
    if info.get("data_path") is not None:  # trained on a CSV file: its label column is what the model predicts
        raise NNMathError(f"{Path(name).name} has no column {own!r}, the labels the model was trained on; "
                          f"name the label column with --target")
    return None


def _test_size(info: dict) -> float:
    """The test fraction the model was trained with (its recipe's or --test-size), so that its training
    samples are the ones it was trained on; 0.25 when the file does not record it."""
    training = info.get("training")
    size = training.get("test_size") if isinstance(training, dict) else None
    return float(size) if isinstance(size, float) and 0 < size < 1 else 0.25


def _own_samples(info: dict, name: str) -> dict:
    """How training drew the built-in set ``name`` when it is the model's own (--samples, and --noise
    of the 2-D sets), so that its training samples are the ones it was trained on; {} otherwise or
    where the file does not record them."""
    training = info.get("training")
    if name not in BUILT_IN or info.get("data") != name or not isinstance(training, dict):
        return {}
    drawn: dict = {}
    samples, noise = training.get("samples"), training.get("noise")
    if type(samples) is int and samples >= 4:
        drawn["n_samples"] = samples
    if isinstance(noise, (int, float)) and not isinstance(noise, bool) and 0 <= noise <= 1000:
        drawn["noise"] = float(noise)
    return drawn


def model_dataset(net, info: dict, model: Path, name: str, target: Optional[str], seed: int,
                  csv_limits: csvdata.Limits = csvdata.DEFAULT_LIMITS) -> Dataset:
    """Data set ``name`` for the saved ``net``: its features by the model's names, its labels in the
    model's target column (a CSV file read within ``csv_limits``); the feature count checked when the
    model records no names."""
    if net.kind == "multilabel":  # made in Python (train makes none): its labels fill several columns
        raise NNMathError(f"{model} is a multilabel model ({net.sizes[-1]} sigmoid outputs, a label each) and the "
                          f"command line reads one label column; explain or check it on its data from Python "
                          f"(nnmath.explain, nnmath.check_gradients)")
    features = feature_names(info, net.sizes[0])
    dataset = load(name, target=_target(name, target, info), seed=seed, features=features,
                   regression=net.kind == "regression", test_size=_test_size(info), csv_limits=csv_limits,
                   **_own_samples(info, name))
    if dataset.n_features != net.sizes[0]:
        raise NNMathError(f"{model} takes {net.sizes[0]} features but {dataset.name} has {dataset.n_features}")
    return dataset
