r"""Reproducing Nielsen's measurement of the vanishing gradient (Neural Networks and Deep
Learning, chapter 5; his fig/generate_gradient.py).

His setup: sigmoid hidden layers of 30 units and a sigmoid output layer of 10 units with
cross-entropy E = -\sum_k [y_k \ln ŷ_k + (1-y_k)\ln(1-ŷ_k)] (so δ^L = ŷ - y), weights
W_{jk} ∼ N(0, 1/n_{in}) and biases b_k ∼ N(0, 1), the first 1,000 MNIST training images, and
per hidden layer the norm of the mean gradient ‖∂E/∂b^l‖ = ‖\frac{1}{1000}\sum_i δ^l_i‖.

nnmath starts biases at zero and gives ten-class networks a softmax output, so the variant
``nielsen`` draws the biases N(0, 1) after building the network, ``zero-bias`` keeps them at 0,
and ``softmax`` is nnmath's own default network. Each is averaged over ``seeds`` draws of the
weights (Nielsen's figures are one draw).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from nnmath.errors import NNMathError
from nnmath.diagnostics.flow import gradient_flow
from nnmath.engine.network import Network
from nnmath.lab.vanishing import PreparedData, prepare

# Nielsen's numbers on MNIST, hidden layer 1 first, keyed by the number of hidden layers.
PUBLISHED_MNIST = {2: [0.0657, 0.3092], 3: [0.0118, 0.0600, 0.2831], 4: [0.0030, 0.0171, 0.0695, 0.2851]}
VARIANTS = ("nielsen", "zero-bias", "softmax")


@dataclass
class Reproduction:
    data: str
    variant: str
    depth: int  # hidden layers
    samples: int
    norms: list[list[float]]  # per seed, per hidden layer: ‖∂E/∂b^l‖
    published: list[float]  # Nielsen's MNIST numbers for this depth

    @property
    def geometric_mean(self) -> list[float]:
        """Per layer, exp(mean ln ‖∂E/∂b^l‖) over the seeds (the norms span decades)."""
        return np.exp(np.log(np.array(self.norms)).mean(axis=0)).tolist()

    @property
    def spread(self) -> tuple[list[float], list[float]]:
        """Per layer, the smallest and largest value over the seeds."""
        a = np.array(self.norms)
        return a.min(axis=0).tolist(), a.max(axis=0).tolist()

    @property
    def first_to_last(self) -> float:
        g = self.geometric_mean
        return g[0] / g[-1]

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(geometric_mean=self.geometric_mean, first_to_last=self.first_to_last,
                   published_first_to_last=self.published[0] / self.published[-1])
        return out


def nielsen_network(n_in: int, depth: int, variant: str, seed: int) -> Network:
    """[n_in, 30 × depth, 10] sigmoid, N(0, 1/n_in) weights, in one of the three VARIANTS."""
    sizes = [n_in] + [30] * depth + [10]
    output = "softmax" if variant == "softmax" else "sigmoid"
    net = Network(sizes, activation="sigmoid", output=output, loss="cross_entropy", init="normal", seed=seed)
    if variant == "nielsen":
        rng = np.random.default_rng([seed, 1])  # a stream apart from the weights'
        for layer in net.layers:
            layer.b[...] = rng.standard_normal(layer.b.shape)
    return net


def check_request(depths: Sequence[int], variants: Sequence[str], seeds: int, samples: int) -> None:
    """One clear error for an unknown variant, a depth Nielsen did not publish, or too few seeds/samples."""
    for v in variants:
        if v not in VARIANTS:
            raise NNMathError(f"unknown variant {v!r}; choose from {', '.join(VARIANTS)}")
    for d in depths:
        if d not in PUBLISHED_MNIST:
            raise NNMathError(f"Nielsen published 2, 3 and 4 hidden layers; got depth {d}")
    if seeds < 1:
        raise NNMathError(f"need at least 1 seed (weight draw), got {seeds}")
    if samples < 2:
        raise NNMathError(f"need at least 2 samples to average over, got {samples}")


def reproduce(data: Any = "mnist1d", depths: Sequence[int] = (2, 3, 4), variants: Sequence[str] = VARIANTS,
              seeds: int = 20, samples: int = 1000) -> list[Reproduction]:
    """Nielsen's measurement on ``data``, for every depth and variant."""
    check_request(depths, variants, seeds, samples)
    prepared = data if isinstance(data, PreparedData) else prepare(data)
    classes = np.unique(prepared.y_train)
    if len(classes) != 10:
        raise NNMathError(f"Nielsen's networks have 10 outputs; {prepared.name} has {len(classes)} classes")
    X, labels = prepared.X_train[:samples], prepared.y_train[:samples]
    one_hot = np.eye(10)[np.searchsorted(classes, labels)]
    out = []
    for variant in variants:
        for depth in depths:
            norms = []
            for seed in range(seeds):
                net = nielsen_network(X.shape[1], depth, variant, seed)
                y = labels if variant == "softmax" else one_hot
                norms.append(gradient_flow(net, X, y, samples=None).bias_norms[:depth])
            out.append(Reproduction(prepared.name, variant, depth, len(X), norms, PUBLISHED_MNIST[depth]))
    return out
