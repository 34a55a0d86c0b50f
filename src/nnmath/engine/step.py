r"""One gradient-descent step, the one fit takes and anything that steps by hand (the playground):

    forward (training mode) -> backward to ∂E/∂θ -> g = ∂E/∂θ + λW -> g ← g·c/‖g‖ if ‖g‖ > c -> θ ← optimizer(θ, g, α)

and, for a plain network, the same steps over an epoch's rows through the compiled epoch.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from nnmath.engine.compiled import epoch as compiled_epoch

Array = np.ndarray


class NotFinite(Exception):
    """A step's gradient was NaN or infinite (``nan`` says which); the step was not taken."""

    def __init__(self, nan: bool):
        super().__init__("a gradient is NaN" if nan else "a gradient is infinite")
        self.nan = nan


def step(net: Any, Xb: Array, Yb: Array, lr: float, opt: Any, rng: Optional[np.random.Generator] = None,
         weight_decay: float = 0.0, clip_norm: Optional[float] = None, out: Optional[tuple] = None,
         with_loss: bool = False) -> tuple:
    r"""One gradient-descent step on the batch (Xb, Yb), as fit takes it: the forward trace in
    training mode, backward to ∂E/∂θ, the batch-norm running statistics, then
    g = ∂E/∂θ + λW (weight decay), g ← g · c/‖g‖ when ‖g‖ > c (clipping), θ ← the optimizer's step.

    Returns (trace, gradients, ‖∂E/∂W^l‖ per layer, ‖∂E/∂b^l‖ per layer), the norms of the data term
    (before decay and clipping); ``gradients.flat`` is the step's g, with decay and clipping in it.
    ``with_loss`` computes the batch's E too (``gradients.loss``).
    Raises NotFinite, before the step, when a gradient is NaN or infinite. Every W^l, b^l must be a
    view of θ (``net.flat_parameters()`` links them again after an array was replaced).
    """
    trace = net.forward(Xb, train=True, rng=rng)
    grads = net.backward(trace, Yb, out=out, with_loss=with_loss)
    for layer, t in zip(net.layers, trace.layers):
        if layer.bn is not None:
            layer.bn.update_running_statistics(t.bn, len(Xb))
    norms_W, norms_b = grads.weight_norms(), grads.bias_norms()  # of the data term, before decay and clipping
    if not math.isfinite(sum(norms_W)):
        raise NotFinite(math.isnan(sum(norms_W)))
    if weight_decay:
        for layer, g in zip(net.layers, grads.layers):
            g.W += weight_decay * layer.W
    if clip_norm is not None:
        _clip([grads.flat], clip_norm)
    opt.step([net.theta], [grads.flat], lr)  # θ ← θ - α ∂E/∂θ for the whole network at once
    return trace, grads, norms_W, norms_b


def compiled_steps(net: Any, X: Array, Y: Array, rows: Array, batch_size: int, lr: float, opt: Any,
                   weight_decay: float = 0.0, clip_norm: Optional[float] = None) -> Optional[tuple]:
    """The steps over ``rows`` of (X, Y), ``batch_size`` at a time, through the compiled epoch where
    fit's engine="auto" takes it for this network, else None. Returns (Σ_i E_i, right decisions,
    steps taken, Σ_steps ‖∂E/∂W^l‖, Σ_steps ‖∂E/∂b^l‖); fewer steps than batches: a gradient was not finite
    (and θ is to be restored: the blas steps may have taken that step)."""
    if not compiled_epoch.applies(net, opt):
        return None
    with compiled_epoch.blas_threads(net, batch_size):
        return compiled_epoch.run(net, X, Y, rows, batch_size, lr, opt, weight_decay, clip_norm)


def _clip(grads: list[Array], clip_norm: float) -> None:
    """Scale all gradients by clip_norm / ‖g‖ when the global norm ‖g‖ exceeds clip_norm. ‖g‖² is added
    in float64 (as the compiled loops add it): in float32 it overflows past 3.4e38, and c/∞ = 0 would
    zero the very step clipping is for."""
    norm = math.sqrt(sum(float(np.vdot(w, w)) for w in (g.astype(np.float64, copy=False) for g in grads)))
    if norm > clip_norm:
        for g in grads:
            g *= clip_norm / norm
