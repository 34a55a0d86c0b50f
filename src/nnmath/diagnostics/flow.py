r"""How the gradient flows back through the layers: one number per layer, and the bound on it.

Backpropagation (engine/network.py) turns the error at the output into every layer's delta:

    δ^l = \left(δ^{l+1} (W^{l+1})^T\right) ⊙ f'(u^l)

so each layer the error crosses multiplies it by (W^{l+1})^T and by f'. For one sample i,
‖x ⊙ f'‖ ≤ \sup|f'|\,‖x‖ and ‖δ W^T‖ ≤ ‖δ‖\,‖W‖_2 (‖W‖_2 the spectral norm, the largest
singular value of W), hence

    ‖δ^l_i‖ \le \sup|f'| \cdot ‖W^{l+1}‖_2 \cdot ‖δ^{l+1}_i‖ .

For the sigmoid \sup|S'| = 1/4: unless ‖W‖_2 > 4, every sigmoid layer shrinks the error, and
the first layers learn slowest. That is the vanishing gradient of the seed.

``gradient_flow`` measures, per layer l, averaged over a batch of m samples:

- ``bias_norms[l]``   = ‖∂E/∂b^l‖ = ‖\frac1m \sum_i δ^l_i‖, Nielsen's measure (chapter 5 of
  Neural Networks and Deep Learning, fig/generate_gradient.py: the mean over 1,000 images);
- ``weight_norms[l]`` = ‖∂E/∂W^l‖_F = ‖(a^{l-1})^T δ^l / m‖_F, the size of the step W^l takes;
- ``delta_rms[l]``    = \sqrt{\frac1m \sum_i ‖δ^l_i‖^2} = ‖δ^l‖_F / \sqrt m;
- ``ratios[l]``       = delta_rms[l] / delta_rms[l+1], beside
- ``bounds[l]``       = \sup|f_l'| \cdot c_l \cdot ‖W^{l+1}‖_2, which ``ratios[l]`` never exceeds.

Summing the squared per-sample inequality over i gives ratio ≤ bound for the root mean
square (the norm of the mean, Nielsen's, has no such bound: the mean can cancel). The factor
c_l is 1 for a plain layer; with batch normalisation it is \max_k |γ_k| / \sqrt{σ_k^2 + ε},
because its backward pass scales unit k by γ_k/σ_k after a projection of norm ≤ 1 (removing
the batch mean and the component along ẑ_k); with dropout in training mode it is 1/(1-p).
Across a residual connection a^{l+1} = f(z^{l+1}) + a^l the error also arrives unshrunk,
∂E/∂a^l = δ^{l+1} (W^{l+1})^T + ∂E/∂a^{l+1}, so there is no shrinking bound: ``bounds[l]`` is None.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

import numpy as np

from nnmath.engine.labels import as_labels
from nnmath.errors import NNMathError, is_whole_number

Array = np.ndarray


@dataclass
class GradientFlow:
    """Per-layer gradient norms of one network on one batch (index 0 is layer 1)."""

    activations: list[str]  # f of each layer, the output layer's last
    bias_norms: list[float]  # ‖∂E/∂b^l‖ = ‖mean_i δ^l_i‖
    weight_norms: list[float]  # ‖∂E/∂W^l‖_F
    delta_rms: list[float]  # sqrt(mean_i ‖δ^l_i‖²)
    ratios: list[float]  # delta_rms[l] / delta_rms[l+1], for l = 0 .. L-2
    bounds: list[Optional[float]]  # sup|f_l'| · c_l · ‖W^{l+1}‖₂ (None across a skip connection)
    loss: float  # E on the batch
    n_samples: int
    train: bool  # batch statistics (training mode) or running statistics

    @property
    def n_hidden(self) -> int:
        return len(self.activations) - 1

    def first_to_last(self, measure: str = "weight_norms") -> float:
        """The first hidden layer's norm over the last hidden layer's (1 for one hidden layer)."""
        if measure not in ("weight_norms", "bias_norms", "delta_rms"):
            raise NNMathError(f"measure must be weight_norms, bias_norms or delta_rms, got {measure!r}")
        values = getattr(self, measure)
        last = values[self.n_hidden - 1] if self.n_hidden else values[-1]
        return float(values[0] / last) if last > 0 else float("inf")

    def rows(self) -> list[dict]:
        """One dict per layer, for tables: layer (1-based), f, the norms, ratio and bound."""
        out = []
        for l, f in enumerate(self.activations):
            out.append({
                "layer": l + 1, "activation": f, "bias_norm": self.bias_norms[l],
                "weight_norm": self.weight_norms[l], "delta_rms": self.delta_rms[l],
                "ratio": self.ratios[l] if l < len(self.ratios) else None,
                "bound": self.bounds[l] if l < len(self.bounds) else None,
            })
        return out

    def to_dict(self) -> dict:
        return asdict(self)


def spectral_norm(W: Array) -> float:
    r"""‖W‖_2 = \max_{‖x‖=1} ‖x W‖, the largest singular value of W."""
    return float(np.linalg.norm(np.asarray(W, dtype=np.float64), ord=2))


def _scale_after_activation(layer, trace, train: bool) -> float:
    """c_l: how much batch normalisation (max |γ|/σ) and dropout (1/(1-p)) can scale δ^l."""
    c = 1.0
    if layer.bn is not None:
        c *= float(np.max(np.abs(layer.bn.gamma * trace.bn.inv_std)))
    if train and layer.dropout > 0:
        c /= 1.0 - layer.dropout
    return c


def gradient_flow(net, X, y, samples: Optional[int] = 1000, train: bool = True,
                  seed: int = 0) -> GradientFlow:
    r"""Per-layer ‖∂E/∂b^l‖, ‖∂E/∂W^l‖_F and RMS ‖δ^l‖ of ``net`` on the first ``samples`` rows.

    The gradient is the one a training step on that batch would take (``train=True``: batch
    statistics in batch normalisation, dropout drawn from ``seed``); ``train=False`` uses the
    running statistics. ``ratios[l] = delta_rms[l] / delta_rms[l+1] ≤ bounds[l]``, see the module.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_0)
    y : array-like of shape (m,) or (m, n_L)
    samples : int or None
        Use the first ``samples`` rows (Nielsen averaged over 1,000); None uses all.
    train : bool
        Training-mode gradient (batch statistics, dropout) or prediction mode.
    seed : int
        Seeds the dropout masks.

    Returns
    -------
    GradientFlow
        ``bias_norms`` ‖∂E/∂b^l‖ = ‖mean_i δ^l_i‖, ``weight_norms`` ‖∂E/∂W^l‖_F, ``delta_rms``,
        ``ratios`` ρ_l = rms δ^l / rms δ^{l+1} and ``bounds`` sup|f'| · ‖W^{l+1}‖₂ per layer.
    """
    if samples is not None and not (is_whole_number(samples) and samples >= 1):
        raise NNMathError(f"samples must be a whole number of at least 1, or None for all, got {samples!r}")
    if samples is not None and getattr(X, "ndim", None) == 2:
        X = X[:samples]  # the first rows only, before X is checked (and perhaps copied)
    X, y = net.check_X(X), as_labels(y)  # one sample (1-D x, a scalar y) is a batch of one
    if samples is not None:
        X, y = X[:samples], y[:samples]
    Y = net.encode(y)
    if len(Y) != len(X):
        raise NNMathError(f"X has {len(X)} samples but y has {len(Y)}")
    trace = net.forward(X, train, np.random.default_rng(seed))
    grads = net.backward(trace, Y)
    m = X.shape[0]
    rms = [float(np.sqrt(np.vdot(d, d) / m)) for d in grads.deltas]
    ratios: list[float] = []
    bounds: list[Optional[float]] = []
    for l in range(len(net.layers) - 1):
        layer, above = net.layers[l], net.layers[l + 1]
        ratios.append(rms[l] / rms[l + 1] if rms[l + 1] > 0 else float("nan"))
        if above.residual:
            bounds.append(None)
        else:
            c = _scale_after_activation(layer, trace.layers[l], train)
            bounds.append(layer.f.bound * c * spectral_norm(above.W))
    return GradientFlow(
        activations=[layer.f.name for layer in net.layers],
        bias_norms=grads.bias_norms(), weight_norms=grads.weight_norms(), delta_rms=rms,
        ratios=ratios, bounds=bounds, loss=float(grads.loss), n_samples=m, train=train,
    )
