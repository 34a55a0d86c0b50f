"""What one forward pass and one backward pass produce: the Trace and the Gradients.

These two objects are what everything else reads: training history, derivations, gradient
checks and the vanishing-gradient lab. Lists are indexed from 0 in Python while the seed counts
layers from 1, so ``trace.zs[0]`` is z¹ and ``gradients.weights[0]`` is ∂E/∂W¹; the names
``"W1"``, ``"b1"`` (see ``gradients["W1"]``) use the seed's numbering.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

from nnmath.errors import NNMathError
from nnmath.engine.layers import LayerGradients, LayerTrace

Array = np.ndarray
PARAM_NAME = re.compile(r"^(W|b|gamma|beta)(\d+)$")


def parse_parameter_name(name: str, n_layers: int) -> tuple[str, int]:
    """'W2' -> ('W', 1): the kind of parameter and its 0-based layer index."""
    match = PARAM_NAME.match(name) if isinstance(name, str) else None  # net[0] is not a name
    if not match:
        raise NNMathError(f"unknown parameter {name!r}; names look like W1, b1 (gamma1, beta1 with batch normalisation)")
    layer = int(match.group(2))
    if not 1 <= layer <= n_layers:
        raise NNMathError(f"parameter {name!r}: the network has layers 1 to {n_layers}")
    return match.group(1), layer - 1


@dataclass
class Trace:
    """The forward pass: per layer l = 1..L, z^l and a^l (and what backprop needs)."""

    layers: list[LayerTrace]

    @property
    def zs(self) -> list[Array]:
        return [t.z for t in self.layers]

    @property
    def activations(self) -> list[Array]:
        """[a⁰ = X, a¹, ..., aᴸ = ŷ]."""
        return [self.layers[0].a_prev] + [t.a for t in self.layers]

    @property
    def output(self) -> Array:
        """ŷ, the network's output (probabilities for classifiers)."""
        return self.layers[-1].a


@dataclass
class Gradients:
    """∂E/∂θ for every parameter θ, the deltas δ^l, and the loss E they were taken at."""

    loss: float
    layers: list[LayerGradients]
    flat: Optional[Array] = None  # ∂E/∂θ in one vector laid out like net.theta; the arrays above are views of it

    @property
    def weights(self) -> list[Array]:
        """[∂E/∂W¹, ..., ∂E/∂Wᴸ], each shaped like its W."""
        return [g.W for g in self.layers]

    @property
    def biases(self) -> list[Array]:
        """[∂E/∂b¹, ..., ∂E/∂bᴸ]."""
        return [g.b for g in self.layers]

    @property
    def deltas(self) -> list[Array]:
        """[δ¹, ..., δᴸ], δ^l = ∂E_i/∂z^l_i, one row per sample."""
        return [g.delta for g in self.layers]

    def parameters(self) -> list[Array]:
        """The gradients in the order of Network.parameters()."""
        out: list[Array] = []
        for g in self.layers:
            out += [g.W, g.b]
            if g.gamma is not None:
                out += [g.gamma, g.beta]  # type: ignore[list-item]
        return out

    def __getitem__(self, name: str) -> Array:
        kind, layer = parse_parameter_name(name, len(self.layers))
        value = getattr(self.layers[layer], kind)
        if value is None:
            raise NNMathError(f"layer {layer + 1} has no {kind} (it has no batch normalisation)")
        return value

    def weight_norms(self) -> list[float]:
        """‖∂E/∂W^l‖ (Frobenius) per layer: how fast each layer's weights learn."""
        return [math.sqrt(np.vdot(g.W, g.W)) for g in self.layers]  # ‖G‖ = sqrt(Σ G_jk²)

    def bias_norms(self) -> list[float]:
        """‖∂E/∂b^l‖ = ‖mean over samples of δ^l‖ per layer (Nielsen's measure in chapter 5)."""
        return [math.sqrt(np.vdot(g.b, g.b)) for g in self.layers]
