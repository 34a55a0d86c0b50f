"""The History of a training run: per epoch, the numbers a person wants to watch.

``grad_norms[e][l]`` is the mean over epoch e's steps of ‖∂E/∂W^{l+1}‖, and ``delta_norms[e][l]``
the mean of ‖∂E/∂b^{l+1}‖ = ‖mean δ^{l+1}‖: how fast each layer learns, the raw material of
the vanishing gradient. They are recorded in every run.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional


@dataclass
class History:
    loss: list[float] = field(default_factory=list)  # training E of the epoch: Σ_batches m_b E_b / m
    accuracy: list[Optional[float]] = field(default_factory=list)  # running accuracy on the training batches
    val_loss: list[Optional[float]] = field(default_factory=list)
    val_accuracy: list[Optional[float]] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)
    delta_norms: list[list[float]] = field(default_factory=list)
    stopped_early: bool = False
    best_epoch: Optional[int] = None  # with early stopping: the epoch whose weights were kept (0-based)

    def append(self, record: dict) -> None:
        for key, value in record.items():
            getattr(self, key).append(value)

    def last(self) -> dict:
        """The last epoch's numbers."""
        return {key: values[-1] for key, values in self.epochs_dict().items()}

    def epochs_dict(self) -> dict[str, list]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, list)}

    def to_dict(self) -> dict:
        return asdict(self)

    def __len__(self) -> int:
        return len(self.loss)
