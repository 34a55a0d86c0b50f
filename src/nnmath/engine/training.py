r"""Gradient descent: the training loop that ``Network.fit`` runs.

Each step takes a batch (the whole set for full-batch gradient descent, as in the seed; one
sample for stochastic; ``batch_size`` samples for mini-batch), runs forward and backward, and
moves every parameter against its gradient: θ ← θ - α ∂E/∂θ (or the chosen optimizer's step).

L2 weight decay adds (λ/2) Σ‖W^l‖² to E, so λ W^l to each ∂E/∂W^l (biases are not decayed);
the recorded loss is the data term E alone. Gradient clipping rescales the whole gradient when
its norm exceeds ``clip_norm`` (a remedy for exploding gradients).
"""
from __future__ import annotations

import contextlib
import math
from typing import Any, Callable, Optional

import numpy as np

from nnmath.engine.compiled import epoch as compiled_epoch
from nnmath.engine import optimizers, schedules
from nnmath.errors import NNMathError, TrainingDiverged, check_flags, check_seed, is_number, is_whole_number
from nnmath.engine.history import History
from nnmath.engine.step import NotFinite, step
from nnmath.engine.training_data import TrainingData, prepare_data

Array = np.ndarray


def _check_options(epochs: Any, learning_rate: Any, batch_size: Any, weight_decay: Any, validation_split: Any,
                   patience: Any, clip_norm: Any) -> None:
    if not (is_whole_number(epochs) and epochs >= 1):
        raise NNMathError(f"epochs must be a whole number of at least 1, got {epochs!r}")
    if not (is_number(learning_rate) and math.isfinite(learning_rate) and learning_rate > 0):
        raise NNMathError(f"the learning rate must be a positive number, got {learning_rate!r}")
    if batch_size is not None and not (is_whole_number(batch_size) and batch_size >= 1):
        raise NNMathError(f"batch_size must be None (full batch) or a whole number of at least 1, got {batch_size!r}")
    if not (is_number(weight_decay) and weight_decay >= 0):
        raise NNMathError(f"weight_decay must be a number, 0 or more, got {weight_decay!r}")
    if not (is_number(validation_split) and 0.0 <= validation_split < 1.0):
        raise NNMathError(f"validation_split must be a number in [0, 1), got {validation_split!r}")
    if not (is_whole_number(patience) and patience >= 1):
        raise NNMathError(f"patience must be a whole number of at least 1, got {patience!r}")
    if clip_norm is not None and not (is_number(clip_norm) and clip_norm > 0):
        raise NNMathError(f"clip_norm must be a positive number, got {clip_norm!r}")


class _Diverged(Exception):
    pass


class _EpochOutputs:
    """The epoch's E and accuracy, taken from its steps' outputs a block of steps at a time.

    Each step hands over its z^L, ŷ and targets y (as its forward pass computed them, before its
    update); they are evaluated together once they hold ``KEEP`` numbers, and at the end of the
    epoch: E = (1/n) Σ_i E_i with one call per block instead of one per step, in bounded memory.
    """

    KEEP = 1 << 16  # numbers of z^L held before a block is evaluated: 256 KiB in float32

    def __init__(self, net: Any):
        self.net, self.kept = net, 0
        self.parts: list[tuple[Array, Array, Array]] = []
        self.loss_sum, self.correct = 0.0, 0  # Σ_i E_i and the right decisions so far

    def add(self, z: Array, y_hat: Array, y: Array) -> None:
        self.parts.append((z, y_hat, y))
        self.kept += z.size
        if self.kept >= self.KEEP:
            self.evaluate()

    def evaluate(self) -> None:
        if not self.parts:
            return
        Z, Y_hat, Y = (arrays[0] if len(arrays) == 1 else np.concatenate(arrays) for arrays in zip(*self.parts))
        self.loss_sum += self.net.loss.value(Z, Y_hat, Y) * len(Z)  # m E of the block = Σ_i E_i
        if self.net.kind != "regression":
            self.correct += self.net.targets.count_correct(self.net.targets.decide(Y_hat), self.net.targets.decide(Y))
        self.parts.clear()
        self.kept = 0


# A diverging run overflows; fit detects that itself (a non-finite gradient, loss or weight) and raises
# TrainingDiverged, so NumPy's overflow warnings would only say the same thing less clearly.
@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def fit(net: Any, X: Any, y: Any, epochs: int = 100, learning_rate: float = 0.1, batch_size: Optional[int] = None,
        optimizer: Any = "sgd", weight_decay: float = 0.0, schedule: str = "constant",
        validation_split: float = 0.0, validation_data: Optional[tuple] = None,
        early_stopping: bool = False, patience: int = 10, clip_norm: Optional[float] = None,
        shuffle: bool = True, seed: Optional[int] = None,
        callback: Optional[Callable[[int, dict], Any]] = None, engine: str = "auto") -> History:
    r"""Train ``net`` on (X, y) by gradient descent, θ ← θ - α ∂E/∂θ, and return its History.

    Parameters
    ----------
    X : array-like of shape (m, n_0)
        Float32 X trains in float32, float64 in float64, anything else in float64.
    y : array-like of shape (m,) or (m, n_L)
        Labels (any two values, integers, strings) or regression targets.
    epochs : int
        Passes over the training rows.
    learning_rate : float
        α, the step size (the start of the schedule).
    batch_size : int or None
        Samples per step; None is full-batch gradient descent (the seed's), 1 is stochastic. With
        batch normalisation a batch needs 2 samples or more, and a last batch of one joins the one
        before it (one sample has no spread to normalise by).
    optimizer : {"sgd", "momentum", "nesterov", "adam"} or an optimizer object
        An object (from ``nnmath.engine.optimizers``) carries its state over between calls.
    weight_decay : float
        λ of the L2 penalty (λ/2) Σ_l ‖W^l‖²: adds λ W^l to ∂E/∂W^l.
    schedule : {"constant", "step", "cosine"}
        How α changes over the epochs (see ``nnmath.engine.schedules``).
    validation_split : float
        Fraction of (X, y) held out, chosen at random by index (X is never copied).
    validation_data : (X_val, y_val), optional
        A held-out set given instead.
    early_stopping : bool
        Stop when the validation loss has not improved for ``patience`` epochs and keep the
        best epoch's weights (10% is held out when no validation part is given).
    patience : int
    clip_norm : float, optional
        Rescale the whole gradient g to norm ``clip_norm`` when ‖g‖ exceeds it. g includes the
        weight decay λW (PyTorch's usual recipe clips the data gradient alone and lets the
        optimizer add the decay), and the clip is exact (torch's clip_grad_norm_ adds 1e-6 to ‖g‖).
    shuffle : bool
        Visit the rows in a new random order each epoch (mini-batch and stochastic).
    seed : int, optional
        Seeds the split, the shuffling and dropout (default: the network's seed).
    callback : callable(epoch, record), optional
        Called after each epoch with its record; returning True stops training.
    engine : {"auto", "numpy", "compiled"}
        Which implementation of the same equations steps: "numpy" the readable engine
        (Network.forward, backward, the optimizer), "compiled" the compiled epoch of engine/compiled/
        (plain dense networks with compiled activations and losses and a built-in optimizer; an
        error otherwise: Numba's loops where the products are small, NumPy's BLAS between compiled
        kernels where they are large), "auto" the compiled epoch wherever it can.

    Returns
    -------
    History
        Per epoch: loss, accuracy, val_loss, val_accuracy, learning_rate, and per layer the mean
        over the epoch's steps of ‖∂E/∂W^l‖ (``grad_norms``) and ‖∂E/∂b^l‖ (``delta_norms``).

    Raises
    ------
    TrainingDiverged
        When the loss becomes NaN or infinite; the network keeps its weights and the optimizer its
        state (``optimizers.STATE``: velocity, Adam's m, s and t) from the start of that epoch, and
        ``net.history_`` the epochs that finished.
    """
    _check_options(epochs, learning_rate, batch_size, weight_decay, validation_split, patience, clip_norm)
    rate_at = schedules.get(schedule)
    opt = optimizers.get(optimizer)
    check_seed(seed)
    check_flags(early_stopping=early_stopping, shuffle=shuffle)
    if callback is not None and not callable(callback):  # found now, not after the first epoch's work
        raise NNMathError(f"callback must be a function callback(epoch, record), got {callback!r}")
    rng = np.random.default_rng(seed if seed is not None else net.seed)
    compiled_epoch.check(engine, net, opt)
    data = prepare_data(net, X, y, validation_split, validation_data, early_stopping, rng, batch_size)
    history = History()
    net.history_ = history
    best: Optional[tuple[float, dict[str, Array]]] = None
    waited = 0
    # The compiled loops train with BLAS on one thread (engine/compiled/epoch.py says why); its blas steps on BLAS's own.
    B = min(batch_size or data.n, data.n)
    compiled = compiled_epoch.choose(engine, net, opt)
    with compiled_epoch.blas_threads(net, B) if compiled else contextlib.nullcontext():
        for epoch in range(epochs):
            lr = rate_at(float(learning_rate), epoch, epochs)
            start_state, start_opt = _copy_state(net), optimizers.saved_state(opt)
            try:
                record = _epoch(net, data, B, compiled, lr, opt, rng, shuffle, weight_decay, clip_norm)
            except _Diverged:  # the epoch is undone: the weights and the optimizer's state as it began
                net.load_state(start_state)
                optimizers.restore_state(opt, start_opt)
                raise TrainingDiverged(epoch + 1, lr, history) from None
            history.append(record)
            if early_stopping:
                if best is None or record["val_loss"] < best[0] - 1e-12:
                    best, waited = (record["val_loss"], _copy_state(net)), 0
                    history.best_epoch = epoch
                else:
                    waited += 1
            if callback is not None and callback(epoch, record):
                break
            if early_stopping and waited >= patience:
                history.stopped_early = True
                break
    if best is not None:
        net.load_state(best[1])  # the weights and batch-norm statistics of the best epoch
    return history


def _epoch(net: Any, data: TrainingData, B: int, compiled: bool, lr: float, opt: Any, rng: np.random.Generator,
           shuffle: bool, weight_decay: float, clip_norm: Optional[float]) -> dict:
    """One pass over the training rows, B at a time; returns the epoch's record for the History."""
    n = data.n
    order = rng.permutation(n) if shuffle and B < n else None
    if compiled:  # one call for the whole epoch
        rows = np.arange(n) if order is None else order
        loss_sum, correct, steps, norms_W, norms_b = compiled_epoch.run(
            net, data.X, data.Y, rows if data.rows is None else data.rows[rows], B, lr, opt, weight_decay, clip_norm)
        if steps < math.ceil(n / B):  # the loops stopped at a step whose gradient was not finite
            raise _Diverged
    else:
        loss_sum, correct, steps, norms_W, norms_b = _steps(net, data, B, order, lr, opt, rng, weight_decay, clip_norm)
    loss = loss_sum / n
    if not (math.isfinite(loss) and np.isfinite(net.theta).all()):
        raise _Diverged
    record: dict[str, Any] = {
        "loss": loss, "accuracy": correct / n if net.kind != "regression" else None,
        "val_loss": None, "val_accuracy": None, "learning_rate": lr,
        "grad_norms": [s / steps for s in norms_W], "delta_norms": [s / steps for s in norms_b],
    }
    if data.X_val is not None:
        out = net.forward(data.X_val).layers[-1]
        record["val_loss"] = net.loss.value(out.z, out.a, data.Y_val)
        if net.kind != "regression":
            truth = net.targets.decide(data.Y_val)
            record["val_accuracy"] = net.targets.count_correct(net.targets.decide(out.a), truth) / len(data.X_val)
    return record


def _steps(net: Any, data: TrainingData, B: int, order: Optional[Array], lr: float, opt: Any,
           rng: np.random.Generator, weight_decay: float, clip_norm: Optional[float]) -> tuple:
    """The epoch's steps with the NumPy engine: forward trace, backward gradients, optimizer.

    Returns (Σ_i E_i, right decisions, steps, Σ_steps ‖∂E/∂W^l‖, Σ_steps ‖∂E/∂b^l‖)."""
    n, L = data.n, len(net.layers)
    # ∂E/∂θ and its per-array views, made once and written by every step's backward pass:
    # each step's gradient is used (norms, update) before the next one overwrites it.
    grad = np.empty_like(net.flat_parameters())  # θ linked once for the epoch's steps
    grad_views = (grad, net.split(grad))
    normalised = any(layer.bn is not None for layer in net.layers)
    steps = 0
    norms_W, norms_b = [0.0] * L, [0.0] * L  # Σ over the epoch's steps of ‖∂E/∂W^l‖, ‖∂E/∂b^l‖
    outputs = _EpochOutputs(net)  # E and the accuracy: from the steps' outputs, a block at a time
    starts = list(range(0, n, B))
    if normalised and n % B == 1 and len(starts) > 1:
        starts.pop()  # a last batch of one row joins the one before: batch normalisation needs two
    for start, stop in zip(starts, starts[1:] + [n]):
        # Shuffled by index: only this batch's rows are copied; in order, the batch is a view of X.
        batch: Any = order[start:stop] if order is not None else slice(start, stop)
        if data.rows is not None:
            batch = data.rows[batch]
        Xb, Yb = data.X[batch], data.Y[batch]
        try:
            trace, _, W_norms, b_norms = step(net, Xb, Yb, lr, opt, rng, weight_decay, clip_norm, out=grad_views)
        except NotFinite:
            raise _Diverged from None
        norms_W = [s + x for s, x in zip(norms_W, W_norms)]
        norms_b = [s + x for s, x in zip(norms_b, b_norms)]
        outputs.add(trace.layers[-1].z, trace.output, Yb)
        steps += 1
    outputs.evaluate()
    return outputs.loss_sum, outputs.correct, steps, norms_W, norms_b


def _copy_state(net: Any) -> dict[str, Array]:
    """A copy of every array of the network: weights, biases and batch-norm statistics."""
    return {name: value.copy() for name, value in net.state().items()}
