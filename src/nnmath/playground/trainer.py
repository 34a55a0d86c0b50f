r"""Gradient descent one batch at a time, so the page can step, pause and watch every step.

A step is the engine's own equations on one batch B of the training rows (the order is a new
random permutation each epoch, from the seed):

    forward (training mode: dropout, batch statistics), E and δ^L = ŷ - y, backward to every
    ∂E/∂W^l, ∂E/∂b^l;  + λ W^l (L2);  g ← g · c/‖g‖ when ‖g‖ > c (clipping);
    θ ← optimizer step(θ, g, α)

with ``nnmath.engine.step.step``, fit's own step. A whole epoch of a plain network (what
``fit`` compiles: no dropout, batch normalisation or skip connection) goes through the engine's
compiled epoch in one call (``step.compiled_steps``), in the same order of batches. A step
whose E, gradient or new θ is not finite is undone (the network and the optimizer keep what they
had before it) and reported as divergence: the page shows "E = NaN" or "∞" instead of drawing
nonsense.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from nnmath.engine import optimizers
from nnmath.engine import step as engine_step

Array = np.ndarray


class Diverged(Exception):
    """A step gave a non-finite E, gradient or weight; ``what`` says which and how ("E = NaN")."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def _describe(name: str, values: Array) -> str:
    return f"{name} = {'NaN' if np.isnan(values).any() else '∞'}"


class Trainer:
    """Steps, epochs and the optimizer's state for one network on one training set (X, Y)."""

    def __init__(self, net, X: Array, Y: Array, optimizer: str, seed: int):
        self.net, self.X, self.Y = net, X, Y
        self.optimizer = optimizers.get(optimizer)
        self.rng = np.random.default_rng([seed, 1])  # shuffling and dropout masks
        self.steps = 0  # steps taken
        self.epochs = 0  # whole passes over the training rows finished
        self.order = self.rng.permutation(len(X))
        self.position = 0  # where the next batch starts in ``order``

    def next_rows(self, batch_size: int) -> Array:
        """The rows the next step takes (a last batch of one joins the one before when batch
        normalisation needs two)."""
        stop = min(self.position + batch_size, len(self.order))
        if self.net.batchnorm and len(self.order) - stop == 1:
            stop += 1
        return self.order[self.position:stop]

    def _advance(self, n_rows: int) -> None:
        self.position += n_rows
        if self.position >= len(self.order):
            self.epochs += 1
            self.order, self.position = self.rng.permutation(len(self.X)), 0

    def step(self, learning_rate: float, batch_size: int, l2: float = 0.0, clip: Optional[float] = None) -> list[float]:
        """One gradient-descent step on the next batch; returns ‖∂E/∂W^l‖ per layer (the data term)."""
        net = self.net
        rows = self.next_rows(batch_size)
        Xb, Yb = self.X[rows], self.Y[rows]
        theta = net.flat_parameters()  # θ: every W^l and b^l is a view of it
        saved_net = {name: a.copy() for name, a in net.state().items()}
        saved_optimizer = optimizers.saved_state(self.optimizer)
        bad = None
        with np.errstate(all="ignore"):
            try:
                _, grads, norms, _ = engine_step.step(net, Xb, Yb, learning_rate, self.optimizer, self.rng,
                                                   weight_decay=l2, clip_norm=clip, with_loss=True)
            except engine_step.NotFinite as error:
                bad = f"∂E/∂θ = {'NaN' if error.nan else '∞'}"
            else:
                if not math.isfinite(grads.loss):
                    bad = f"E = {'NaN' if math.isnan(grads.loss) else '∞'}"
                elif not np.isfinite(theta).all():
                    bad = _describe("W", theta)
        if bad is not None:  # undo the step: the network and the optimizer as they were before it
            net.load_state(saved_net)
            optimizers.restore_state(self.optimizer, saved_optimizer)
            raise Diverged(bad)
        self.steps += 1
        self._advance(len(rows))
        return norms

    def epoch(self, learning_rate: float, batch_size: int, l2: float = 0.0, clip: Optional[float] = None) -> list[float]:
        """The rest of this epoch's steps; returns the mean over them of ‖∂E/∂W^l‖ per layer.

        At an epoch's start a plain network takes the compiled epoch (one call, the same batches
        in the same order); if that epoch diverges it is undone and stepped again one batch at a
        time, so the step that diverged is the one reported."""
        net, rows = self.net, self.order
        compiled = None
        if self.position == 0:
            theta = net.flat_parameters()
            saved_theta, saved_optimizer = theta.copy(), optimizers.saved_state(self.optimizer)
            with np.errstate(all="ignore"):
                compiled = engine_step.compiled_steps(net, self.X, self.Y, rows, batch_size, learning_rate,
                                                   self.optimizer, l2, clip)
        if compiled is not None:
            loss_sum, _, steps, norms, _ = compiled
            if steps == math.ceil(len(rows) / batch_size) and math.isfinite(loss_sum) and np.isfinite(theta).all():
                self.steps += steps
                self._advance(len(rows))
                return [n / steps for n in norms]
            theta[...] = saved_theta  # diverged: undone, and found again step by step below
            optimizers.restore_state(self.optimizer, saved_optimizer)
        epoch, sums, count = self.epochs, [0.0] * len(net.layers), 0
        while self.epochs == epoch:
            sums = [a + b for a, b in zip(sums, self.step(learning_rate, batch_size, l2, clip))]
            count += 1
        return [a / count for a in sums]
