r"""How ``nnmath train`` runs gradient descent: a progress bar, early stopping on the validation
part, the best weights so far kept for Ctrl-C, and a regression target scaled while training.

A regression network learns the standardized target \tilde y = (y - μ_y) / σ_y, whatever the
units of y (so the seed's step size α works for prices as for fractions). Its output is linear,
ŷ = a^{L-1} W^L + b^L, so afterwards σ_y ŷ + μ_y = a^{L-1} (σ_y W^L) + (σ_y b^L + μ_y): the
last layer takes σ_y W^L and σ_y b^L + μ_y, and the saved network predicts y in its own units.
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from nnmath.engine.history import History
from nnmath.engine.network import Network


@dataclass
class BestSoFar:
    """The weights of the best epoch so far: the lowest validation E, or training E without a validation part."""

    epoch: Optional[int] = None  # 1-based
    value: float = np.inf
    state: dict = field(default_factory=dict)
    epochs_done: int = 0

    def update(self, net: Network, epoch: int, record: dict) -> None:
        value = record["val_loss"] if record["val_loss"] is not None else record["loss"]
        if value < self.value:  # the copy first: a Ctrl-C during it leaves the previous best whole
            state = {name: array.copy() for name, array in net.state().items()}
            self.epoch, self.value, self.state = epoch + 1, value, state


@dataclass
class TargetScale:
    """μ_y and σ_y of a regression target (μ = 0, σ = 1 leaves it as it is)."""

    mean: float = 0.0
    scale: float = 1.0

    @classmethod
    def of(cls, y: np.ndarray) -> "TargetScale":
        scale = float(np.std(y))
        return cls(float(np.mean(y)), scale if scale > 0 else 1.0)

    def apply(self, y: Optional[np.ndarray]) -> Optional[np.ndarray]:
        return None if y is None else (np.asarray(y, dtype=np.float64) - self.mean) / self.scale

    def fold_into(self, net: Network) -> None:
        """W^L ← σ W^L, b^L ← σ b^L + μ: the network then outputs y in its own units."""
        net.weights[-1][...] *= self.scale
        net.biases[-1][...] = net.biases[-1] * self.scale + self.mean


def _progress(args):
    """A rich progress bar over the epochs with the current loss, or None when it should stay quiet."""
    if args.quiet or args.json or not sys.stdout.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("epoch"), MofNCompleteColumn(), BarColumn(), TextColumn("E = {task.fields[loss]}"),
                    TimeElapsedColumn())


class Interrupted(Exception):
    """Ctrl-C during training: ``best`` holds the epoch whose weights the network now has (if any)."""

    def __init__(self, best: BestSoFar):
        super().__init__("interrupted")
        self.best = best


def train(args, net: Network, parts: dict[str, Any], best: Optional[BestSoFar] = None) -> History:
    """Gradient descent on the train part, watching the validation part (stopping early when asked);
    a regression target is standardized for it and the scaling folded into the last layer after.

    On Ctrl-C the network takes the weights of the best epoch so far, followed in ``best`` when
    --out was given, and Interrupted is raised."""
    (X_train, y_train), (X_val, y_val) = parts["train"], parts["validation"]
    scale = TargetScale()
    if net.kind == "regression":
        scale = TargetScale.of(y_train)
        y_train, y_val = scale.apply(y_train), scale.apply(y_val)
    best = best if best is not None else BestSoFar()
    progress = _progress(args)
    keep = getattr(args, "out", None) is not None  # copies of the weights only when there is a file for them

    def after_epoch(epoch: int, record: dict) -> bool:
        if keep:
            best.update(net, epoch, record)
        best.epochs_done = epoch + 1
        if progress is not None:
            progress.update(task, advance=1, loss=f"{record['loss']:.4f}")
        return False

    with progress or contextlib.nullcontext():
        task = progress.add_task("train", total=args.epochs, loss="?") if progress is not None else None
        try:
            history = net.fit(X_train, y_train, validation_data=None if X_val is None else (X_val, y_val),
                              epochs=args.epochs, learning_rate=args.learning_rate, batch_size=args.batch_size,
                              optimizer=args.optimizer, weight_decay=args.weight_decay, schedule=args.schedule,
                              early_stopping=args.early_stopping, patience=args.patience,
                              seed=args.seed, callback=after_epoch)
        except KeyboardInterrupt:
            if best.state:
                net.load_state(best.state)
                scale.fold_into(net)
            raise Interrupted(best) from None
    scale.fold_into(net)
    return history
