r"""The vanishing-gradient lab: a grid of depth x activation x init x remedy, measured.

Each configuration is the network [n_in, w, ..., w, n_classes] with ``depth`` hidden layers of
width w, trained by mini-batch gradient descent for the same number of epochs. For every one
the lab records

- at initialization, the per-layer gradient flow on a fixed probe batch (``flow.gradient_flow``:
  ‖∂E/∂W^l‖, ‖∂E/∂b^l‖, the ratio between consecutive layers' δ and the bound
  \sup|f'| \cdot ‖W^{l+1}‖_2 on it);
- the same after every epoch, so one sees how the per-layer norms change over training;
- the test accuracy after every epoch.

The remedies: ``none``; ``batchnorm`` (BN between z and f in every hidden layer); ``residual``
(a^l = f(z^l) + a^{l-1} for the hidden layers of equal width, all but the first); ``clip`` (the
same network as ``none``, trained with the gradient rescaled to global norm ≤ ``clip_norm``:
it changes the steps, not the gradient measured, so at initialization it equals ``none``).

Runs are independent and spread over processes with joblib, or over the workers of a Dask
cluster (``scheduler=ADDRESS``, see cluster.py and docs/distributed.md).
"""
from __future__ import annotations

import itertools
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator, Optional, Sequence, Union

import numpy as np

from nnmath.engine import activations as activation_table
from nnmath.engine import init as init_table
from nnmath.errors import NNMathError, TrainingDiverged, is_number, is_whole_number
from nnmath.diagnostics.flow import GradientFlow, gradient_flow
from nnmath.engine.network import Network

Array = np.ndarray
REMEDIES = ("none", "batchnorm", "residual", "clip")


@dataclass(frozen=True)
class Config:
    """One cell of the grid."""

    depth: int  # number of hidden layers
    activation: str
    init: str
    remedy: str

    @property
    def label(self) -> str:
        return f"{self.activation}/{self.init} {self.remedy} ×{self.depth}"


@dataclass(frozen=True)
class Settings:
    """What every run of the grid shares."""

    width: int = 30
    epochs: int = 20
    learning_rate: float = 0.1
    batch_size: int = 32
    clip_norm: float = 1.0
    probe: int = 1000  # training samples the gradient flow is measured on
    seed: int = 0


@dataclass
class PreparedData:
    """Standardized train and test arrays (μ and σ from the training part)."""

    name: str
    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array

    @property
    def n_classes(self) -> int:
        return len(np.unique(self.y_train))


@dataclass
class RunResult:
    config: Config
    sizes: list[int]
    flows: list[GradientFlow]  # flows[0] at initialization, flows[e] after epoch e
    test_accuracy: list[float]  # the same epochs: index 0 is the untrained network
    train_loss: list[float]  # History.loss, epochs 1..
    step_grad_norms: list[list[float]]  # History.grad_norms: per epoch, the mean over steps of ‖∂E/∂W^l‖
    diverged_at: Optional[int]  # the epoch whose loss became NaN/inf, or None
    seconds: float

    @property
    def initial(self) -> GradientFlow:
        return self.flows[0]

    @property
    def final_accuracy(self) -> Optional[float]:
        return None if self.diverged_at is not None else self.test_accuracy[-1]

    def norms_by_epoch(self, measure: str = "weight_norms") -> Array:
        """Array (layers x epochs+1) of a per-layer measure over training."""
        return np.array([getattr(f, measure) for f in self.flows]).T

    def to_dict(self) -> dict:
        out = asdict(self)
        out["label"] = self.config.label
        return out


@dataclass
class Experiment:
    data: str
    settings: Settings
    runs: list[RunResult] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"data": self.data, "settings": asdict(self.settings), "runs": [r.to_dict() for r in self.runs]}


def grid(depths: Union[int, Sequence[int]], activations: Union[str, Sequence[str]], inits: Union[str, Sequence[str]],
         remedies: Union[str, Sequence[str]] = REMEDIES) -> list[Config]:
    """Every combination, checked: one clear error names a bad value. A single name (a string)
    is one value, not a sequence of letters."""
    depths, activations, inits, remedies = (_values(v) for v in (depths, activations, inits, remedies))
    for d in depths:  # 3 or 3.0, as Network takes its sizes
        if not (is_whole_number(d) or (is_number(d) and float(d).is_integer())) or d < 1:
            raise NNMathError(f"depths must be whole numbers of at least 1 hidden layer, got {d!r}")
    depths = [int(d) for d in depths]
    for a in activations:
        if a not in activation_table.ACTIVATIONS or a == "identity":
            names = [n for n in activation_table.ACTIVATIONS if n != "identity"]
            raise NNMathError(f"unknown activation {a!r}; choose from {', '.join(names)}")
    for i in inits:
        if isinstance(i, str) and i not in init_table.INITIALIZERS:  # a name: the names there are, no callable
            other = {"glorot": "xavier", "kaiming": "he"}.get(i.lower())
            raise NNMathError(f"unknown init {i!r}; choose from {', '.join(init_table.INITIALIZERS)}"
                              + (f" ({i!r} is {other!r} here)" if other else ""))
        init_table.get(i)
    for r in remedies:
        if r not in REMEDIES:
            raise NNMathError(f"unknown remedy {r!r}; choose from {', '.join(REMEDIES)}")
    if not (depths and activations and inits and remedies):
        raise NNMathError("the grid is empty: give at least one depth, activation, init and remedy")
    return [Config(int(d), a, i, r) for d, a, i, r in itertools.product(depths, activations, inits, remedies)]


def prepare(data: Any = "mnist1d", seed: int = 0, n_samples: Optional[int] = None,
            target: Optional[str] = None, csv_limits: Optional[Any] = None) -> PreparedData:
    """A data set by name or CSV path (``nnmath.data.load``, ``target`` its label column, a CSV file
    read within ``csv_limits``, by default data.csvfile.DEFAULT_LIMITS) or a Dataset, standardized."""
    from nnmath.data.csvfile import DEFAULT_LIMITS
    from nnmath.data.sets import Dataset, Standardizer, load

    ds = data if isinstance(data, Dataset) else load(data, target=target, n_samples=n_samples, seed=seed,
                                                     csv_limits=csv_limits or DEFAULT_LIMITS)
    scale = Standardizer().fit(ds.X_train)
    return PreparedData(ds.name, scale.transform(ds.X_train), np.asarray(ds.y_train),
                        scale.transform(ds.X_test), np.asarray(ds.y_test))


def build(config: Config, n_in: int, n_out: int, settings: Settings) -> Network:
    """The network of one configuration, seeded so that remedies share the same W draws."""
    sizes = [n_in] + [settings.width] * config.depth + [n_out]
    return Network(sizes, activation=config.activation, init=config.init, seed=settings.seed,
                   batchnorm=config.remedy == "batchnorm", residual=config.remedy == "residual")


def run_one(config: Config, data: PreparedData, settings: Settings) -> RunResult:
    """Train one configuration, measuring the gradient flow at init and after every epoch."""
    start = time.perf_counter()
    net = build(config, data.X_train.shape[1], data.n_classes, settings)
    net.targets.fit(data.y_train)  # learn the classes so the untrained network can be scored
    X_probe, y_probe = data.X_train[:settings.probe], data.y_train[:settings.probe]
    flows = [gradient_flow(net, X_probe, y_probe, samples=None)]
    accuracy = [net.score(data.X_test, data.y_test)]

    def after_epoch(epoch: int, record: dict) -> None:
        flows.append(gradient_flow(net, X_probe, y_probe, samples=None))
        accuracy.append(net.score(data.X_test, data.y_test))

    diverged_at = None
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # exploding runs: reported as diverged, not warned
            history = net.fit(data.X_train, data.y_train, epochs=settings.epochs,
                              learning_rate=settings.learning_rate, batch_size=settings.batch_size,
                              clip_norm=settings.clip_norm if config.remedy == "clip" else None,
                              seed=settings.seed, callback=after_epoch)
        loss, steps = list(history.loss), list(history.grad_norms)
    except TrainingDiverged as error:
        diverged_at, loss, steps = error.epoch, [], []
    return RunResult(config, list(net.sizes), flows, accuracy, loss, steps, diverged_at,
                     time.perf_counter() - start)


def run(data: Any = "mnist1d", depths: Sequence[int] = (2, 4, 8), activations: Sequence[str] = ("sigmoid", "relu"),
        inits: Sequence[str] = ("normal", "he"), remedies: Sequence[str] = REMEDIES, *,
        settings: Optional[Settings] = None, n_jobs: int = 2, n_samples: Optional[int] = None,
        on_done: Optional[Callable[[RunResult], None]] = None, scheduler: Optional[str] = None) -> Experiment:
    """Run the whole grid (``n_jobs`` processes) and return the Experiment, runs in grid order.

    ``on_done(result)`` is called as each run finishes (the CLI moves its progress bar with it).
    ``scheduler``, the address of a Dask scheduler (``tcp://host:8786``), runs the grid on that
    cluster's workers instead, all of them (``n_jobs`` counts local processes only); every run is
    seeded, so the Experiment is the same wherever it ran.
    """
    settings = settings or Settings()
    check_settings(settings, n_jobs)
    if scheduler is not None:
        from nnmath.lab.cluster import check_address

        scheduler = check_address(scheduler)
    configs = grid(depths, activations, inits, remedies)
    prepared = data if isinstance(data, PreparedData) else prepare(data, settings.seed, n_samples)
    if len(prepared.y_train) < 2:
        raise NNMathError("the data set needs at least two training samples")
    results: dict[Config, RunResult] = {}
    for result in _execute(configs, prepared, settings, n_jobs, scheduler):
        results[result.config] = result
        if on_done is not None:
            on_done(result)
    return Experiment(prepared.name, settings, [results[c] for c in configs])


def _execute(configs: list[Config], data: PreparedData, settings: Settings, n_jobs: int,
             scheduler: Optional[str] = None) -> Iterator[RunResult]:
    """The runs as they finish: here, in local processes, or on the Dask cluster at ``scheduler``."""
    if scheduler is not None:
        from joblib import Parallel, delayed

        from nnmath.lab.cluster import on_scheduler

        with on_scheduler(scheduler, data):  # the data goes to each worker once, not with every run
            yield from Parallel(n_jobs=-1, return_as="generator_unordered")(
                delayed(run_one)(c, data, settings) for c in configs)
        return
    if n_jobs == 1 or len(configs) == 1:
        yield from (run_one(c, data, settings) for c in configs)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    yield from parallel(delayed(run_one)(c, data, settings) for c in configs)


def _values(given: Any) -> list:
    """A grid axis as a list: one name or number is one value."""
    return [given] if isinstance(given, (str, int)) else list(given)


def check_settings(s: Settings, n_jobs: int) -> None:
    if not isinstance(s, Settings):
        raise NNMathError(f"settings must be a vanishing.Settings(...), got {type(s).__name__}")
    whole = {name: getattr(s, name) for name in ("width", "epochs", "batch_size", "probe", "seed")}
    for name, value in [*whole.items(), ("n_jobs", n_jobs)]:
        if not is_whole_number(value):
            raise NNMathError(f"{name} must be a whole number, got {value!r}")
    for name in ("learning_rate", "clip_norm"):
        if not is_number(getattr(s, name)):
            raise NNMathError(f"{name} must be a number, got {getattr(s, name)!r}")
    checks = [
        (s.width >= 1, f"the width must be at least 1 unit, got {s.width}"),
        (s.epochs >= 1, f"--epochs must be at least 1, got {s.epochs}"),
        (s.learning_rate > 0, f"the learning rate must be positive, got {s.learning_rate}"),
        (s.batch_size >= 1, f"the batch size must be at least 1, got {s.batch_size}"),
        (s.clip_norm > 0, f"the clipping norm must be positive, got {s.clip_norm}"),
        (s.probe >= 2, f"the probe batch needs at least 2 samples, got {s.probe}"),
        (n_jobs == -1 or n_jobs >= 1, f"--n-jobs must be -1 (all cores) or at least 1, got {n_jobs}"),
    ]
    for ok, message in checks:
        if not ok:
            raise NNMathError(message)
