r"""Gradient descent: the training loop that ``Network.fit`` runs.

Each step takes a batch (the whole set for full-batch gradient descent, as in the seed; one
sample for stochastic; ``batch_size`` samples for mini-batch), runs forward and backward, and
moves every parameter against its gradient: θ ← θ - α ∂E/∂θ (or the chosen optimizer's step).

L2 weight decay adds (λ/2) Σ‖W^l‖² to E, so λ W^l to each ∂E/∂W^l (biases are not decayed);
the recorded loss is the data term E alone. Gradient clipping rescales the whole gradient when
its norm exceeds ``clip_norm`` (a remedy for exploding gradients).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from . import optimizers, schedules
from .errors import NNMathError, TrainingDiverged
from .history import History

Array = np.ndarray


def _check_options(epochs, learning_rate, batch_size, weight_decay, validation_split, patience, clip_norm):
    if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 1:
        raise NNMathError(f"epochs must be a whole number of at least 1, got {epochs!r}")
    if not (isinstance(learning_rate, (int, float, np.floating)) and math.isfinite(learning_rate) and learning_rate > 0):
        raise NNMathError(f"the learning rate must be a positive number, got {learning_rate!r}")
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise NNMathError(f"batch_size must be None (full batch) or a whole number of at least 1, got {batch_size!r}")
    if not weight_decay >= 0:
        raise NNMathError(f"weight_decay must be 0 or more, got {weight_decay!r}")
    if not 0.0 <= validation_split < 1.0:
        raise NNMathError(f"validation_split must be in [0, 1), got {validation_split!r}")
    if patience < 1:
        raise NNMathError(f"patience must be at least 1, got {patience!r}")
    if clip_norm is not None and not clip_norm > 0:
        raise NNMathError(f"clip_norm must be positive, got {clip_norm!r}")


# A diverging run overflows; fit detects that itself (a non-finite loss or weight) and raises
# TrainingDiverged, so NumPy's overflow warnings would only say the same thing less clearly.
@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def fit(net, X, y, epochs: int = 100, learning_rate: float = 0.1, batch_size: Optional[int] = None,
        optimizer: Any = "sgd", weight_decay: float = 0.0, schedule: str = "constant",
        validation_split: float = 0.0, validation_data: Optional[tuple] = None,
        early_stopping: bool = False, patience: int = 10, clip_norm: Optional[float] = None,
        shuffle: bool = True, seed: Optional[int] = None,
        callback: Optional[Callable[[int, dict], Any]] = None) -> History:
    """Train ``net`` on (X, y) and return its History.

    ``batch_size=None`` is full-batch gradient descent. ``validation_split`` holds out that
    fraction of (X, y) (or pass ``validation_data=(X_val, y_val)``); ``early_stopping`` stops
    when the validation loss has not improved for ``patience`` epochs and keeps the best weights.
    ``callback(epoch, record)`` is called after each epoch; returning True stops training.
    Float32 X trains in float32, float64 in float64, anything else in float64.
    """
    _check_options(epochs, learning_rate, batch_size, weight_decay, validation_split, patience, clip_norm)
    rate_at = schedules.get(schedule)
    opt = optimizers.get(optimizer)
    X_in = np.asarray(X) if not hasattr(X, "dtype") else X
    net.astype(X_in.dtype if X_in.dtype in (np.float32, np.float64) else np.float64)
    X = net.check_X(X_in)
    y = np.asarray(y)
    if len(y) != len(X):
        raise NNMathError(f"X has {len(X)} samples but y has {len(y)}")
    if net.kind != "regression" and net.classes_ is None:
        net.targets.fit(y)  # the first fit learns the label values (later fits must use the same)
    Y = net.encode(y)
    rng = np.random.default_rng(seed if seed is not None else net.seed)

    if validation_data is not None:
        X_val, Y_val = net.check_X(validation_data[0]), net.encode(np.asarray(validation_data[1]))
    elif validation_split > 0 or early_stopping:
        n_val = max(1, int(round(len(X) * (validation_split or 0.1))))
        if n_val >= len(X):
            raise NNMathError(f"the validation split leaves no training data ({len(X)} samples)")
        split = rng.permutation(len(X))
        X_val, Y_val = X[split[:n_val]], Y[split[:n_val]]
        X, Y = X[split[n_val:]], Y[split[n_val:]]
    else:
        X_val = Y_val = None

    classify = net.kind != "regression"
    labels = _label_index(net, Y) if classify else None
    n = len(X)
    B = min(batch_size or n, n)
    params = net.parameters()
    L = len(net.layers)
    history = History()
    normalised = [l for l, layer in enumerate(net.layers) if layer.bn is not None]
    best: Optional[tuple[float, list[Array]]] = None
    waited = 0

    for epoch in range(epochs):
        lr = rate_at(float(learning_rate), epoch, epochs)
        order = rng.permutation(n) if shuffle and B < n else None
        snapshot = [p.copy() for p in params]  # the last finite weights, kept if this epoch diverges
        total_loss, correct, steps = 0.0, 0, 0
        norms_W, norms_b = [0.0] * L, [0.0] * L  # Σ over the epoch's steps of ‖∂E/∂W^l‖, ‖∂E/∂b^l‖
        for start in range(0, n, B):
            # Shuffled by index: only this batch's rows are copied; in order, the batch is a view of X.
            batch = order[start:start + B] if order is not None else slice(start, start + B)
            Xb, Yb = X[batch], Y[batch]
            trace = net.forward(Xb, train=True, rng=rng)
            grads = net.backward(trace, Yb)
            if not math.isfinite(grads.loss):
                _restore(params, snapshot)
                raise TrainingDiverged(epoch + 1, lr)
            for l in normalised:
                net.layers[l].bn.update_running_statistics(trace.layers[l].bn, len(Xb))
            norms_W = [s + v for s, v in zip(norms_W, grads.weight_norms())]
            norms_b = [s + v for s, v in zip(norms_b, grads.bias_norms())]
            if weight_decay:
                for layer, g in zip(net.layers, grads.layers):
                    g.W += weight_decay * layer.W
            step = grads.parameters()
            if clip_norm is not None:
                _clip(step, clip_norm)
            opt.step(params, step, lr)
            total_loss += grads.loss * len(Xb)
            if classify:
                correct += _count_correct(trace.output, labels[batch])  # type: ignore[index]
            steps += 1
        if not all(np.all(np.isfinite(p)) for p in params):
            _restore(params, snapshot)
            raise TrainingDiverged(epoch + 1, lr)

        record: dict[str, Any] = {
            "loss": total_loss / n,
            "accuracy": correct / n if classify else None,
            "val_loss": None, "val_accuracy": None,
            "learning_rate": lr,
            "grad_norms": [s / steps for s in norms_W],
            "delta_norms": [s / steps for s in norms_b],
        }
        if X_val is not None:
            out = net.forward(X_val).layers[-1]
            record["val_loss"] = net.loss.value(out.z, out.a, Y_val)
            if classify:
                record["val_accuracy"] = _count_correct(out.a, _label_index(net, Y_val)) / len(X_val)
        history.append(record)

        if early_stopping:
            monitored = record["val_loss"]
            if best is None or monitored < best[0] - 1e-12:
                best, waited = (monitored, [p.copy() for p in params]), 0
                history.best_epoch = epoch
            else:
                waited += 1
        if callback is not None and callback(epoch, record):
            break
        if early_stopping and waited >= patience:
            history.stopped_early = True
            break

    if best is not None:
        _restore(params, best[1])
    net.history_ = history
    return history


def _label_index(net, Y: Array) -> Array:
    """The class index of each encoded target row."""
    return (Y[:, 0] > 0.5).astype(np.intp) if net.kind == "binary" else np.argmax(Y, axis=1)


def _count_correct(y_hat: Array, labels: Array) -> int:
    predicted = (y_hat[:, 0] > 0.5) if y_hat.shape[1] == 1 else np.argmax(y_hat, axis=1)
    return int(np.count_nonzero(predicted == labels))


def _restore(params: list[Array], saved: list[Array]) -> None:
    for p, s in zip(params, saved):
        p[...] = s


def _clip(grads: list[Array], clip_norm: float) -> None:
    """Scale all gradients by clip_norm / ‖g‖ when the global norm ‖g‖ exceeds clip_norm."""
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if norm > clip_norm:
        for g in grads:
            g *= clip_norm / norm
