r"""Error functions E and the output delta δ^L = ∂E/∂z^L they send back.

All losses are the mean over the m samples of a batch, as in the seed:

    E = -\frac{1}{m} \sum_i [ y_i \ln ŷ_i + (1 - y_i) \ln(1 - ŷ_i) ].

The delta of a layer is kept per sample (row i is ∂E_i/∂z_i, the derivative of sample i's own
error), and the 1/m of the mean is applied once, when the weight gradients are formed
(∂E/∂W = aᵀ δ / m). This is Nielsen's convention and keeps δ independent of the batch size.

Cross-entropy is computed from the output layer's pre-activation z (the logits), never from
ŷ = S(z): a saturated ŷ of exactly 0 or 1 would give ln 0, but ln S(z) = -softplus(-z) is
finite for every finite z.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from nnmath.engine.activations import Activation, softplus  # ln(1 + e^z), finite for every finite z

Array = np.ndarray


def binary_cross_entropy(z: Array, y_hat: Array, y: Array) -> float:
    r"""E = -\frac1m \sum_i [y \ln S(z) + (1-y) \ln(1 - S(z))] = \frac1m \sum_i [\mathrm{softplus}(z) - y z].

    Uses ln S(z) = -softplus(-z) and ln(1 - S(z)) = -softplus(z).
    """
    per_sample = softplus(z)
    per_sample -= y * z  # softplus(z) - y z, one row per sample
    return float(np.add.reduce(per_sample, axis=None)) / z.shape[0]  # Σ_i / m


def categorical_cross_entropy(z: Array, y_hat: Array, y: Array) -> float:
    r"""E = -\frac1m \sum_i \sum_k y_{ik} \ln \mathrm{softmax}(z_i)_k
    = \frac1m \sum_i [\mathrm{logsumexp}(z_i) - \sum_k y_{ik} z_{ik}]."""
    per_sample = logsumexp(z)
    per_sample -= (y * z).sum(axis=1)
    return float(per_sample.sum()) / z.shape[0]


def logsumexp(z: Array) -> Array:
    r"""\ln \sum_k e^{z_{ik}} for each row i, as \max_k z_{ik} + \ln \sum_k e^{z_{ik} - \max z_i}, which never overflows."""
    top = z.max(axis=1, keepdims=True)
    shifted = np.subtract(z, top)
    np.exp(shifted, out=shifted)
    out = np.log(shifted.sum(axis=1))
    out += top[:, 0]
    return out


def mean_squared_error(z: Array, y_hat: Array, y: Array) -> float:
    r"""E = \frac{1}{2m} \sum_i \lVert ŷ_i - y_i \rVert^2 (the 1/2 makes ∂E/∂ŷ = ŷ - y)."""
    diff = y_hat - y
    return float(0.5 * np.mean(np.sum(diff * diff, axis=1)))


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[Array, Array, Array], float]  # E(z, ŷ, y), mean over the batch
    cancels_derivative: bool  # True when δ^L = ŷ - y (the f'(z) factor cancels)
    kind: str = ""  # how the derivations write its lines: "bce", "ce" or "mse"
    label: str = ""  # its name in prose: "binary cross-entropy"
    option: str = ""  # the loss= (and --loss) value that picks it: "cross_entropy" or "mse"
    code: Optional[int] = None  # its number in the compiled loops (None: the NumPy engine only)

    def output_delta(self, z: Array, y_hat: Array, y: Array, f: Activation) -> Array:
        """δ^L = ∂E_i/∂z^L for each sample i (rows)."""
        # ∂E/∂ŷ · f'(z). For cross-entropy, ∂E/∂ŷ = (ŷ - y) / (ŷ (1 - ŷ)) and the sigmoid's
        # f'(z) = ŷ (1 - ŷ): they cancel, and δ = ŷ - y. The same holds for softmax with
        # categorical cross-entropy (its Jacobian times ∂E/∂ŷ collapses to ŷ - y), and for
        # squared error with the identity output (f' = 1). Only squared error behind a
        # squashing output keeps the f'(z) factor, which is why it learns slowly when saturated.
        delta = y_hat - y
        if not self.cancels_derivative:
            delta *= f.derivative(z, y_hat)
        return delta


# The registry: one entry per (loss=, output) pair nnmath trains. PyTorch's counterparts are in
# interop/pytorch.py's docstring (BCEWithLogitsLoss, CrossEntropyLoss, MSELoss / 2).
LOSSES: dict[tuple[str, str], Loss] = {
    ("cross_entropy", "sigmoid"): Loss("binary_cross_entropy", binary_cross_entropy, True, "bce",
                                       "binary cross-entropy", "cross_entropy", code=0),
    ("cross_entropy", "softmax"): Loss("categorical_cross_entropy", categorical_cross_entropy, True, "ce",
                                       "cross-entropy", "cross_entropy", code=1),
    ("mse", "identity"): Loss("mean_squared_error", mean_squared_error, True, "mse", "squared error", "mse", code=2),
    # behind a sigmoid the slope S'(z) stays in δ^L: the pair that learns slowly when saturated
    ("mse", "sigmoid"): Loss("mean_squared_error", mean_squared_error, False, "mse", "squared error", "mse", code=2),
}
LOSS_OPTIONS = tuple(dict.fromkeys(option for option, _ in LOSSES))  # cross_entropy, mse


def get(name: str, output: str) -> Loss:
    """The loss called ``name`` (cross_entropy or mse) for an output layer with activation ``output``."""
    from nnmath.errors import NNMathError

    if isinstance(name, str) and (name, output) in LOSSES:  # loss=["mse"] is unhashable, not a name
        return LOSSES[name, output]
    if name == "cross_entropy":
        raise NNMathError(f"cross-entropy needs a sigmoid or softmax output, not {output!r}; use loss='mse'")
    if name == "mse":
        raise NNMathError(f"squared error with a {output!r} output is not supported; use loss='cross_entropy'")
    raise NNMathError(f"unknown loss {name!r}; choose 'cross_entropy' or 'mse'")
