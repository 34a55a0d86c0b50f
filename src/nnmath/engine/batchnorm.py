r"""Batch normalisation (Ioffe & Szegedy, 2015), a remedy for the vanishing gradient.

It sits between a layer's weighted sum z and its activation:

    \hat z = \frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad u = \gamma \hat z + \beta, \qquad a = f(u)

with μ_B, σ²_B the mean and (biased) variance of z over the batch, per unit. Keeping u near
zero with unit spread keeps a sigmoid out of its flat tails, so f'(u) stays near its bound.
At prediction time the running averages of μ and σ² (unbiased, as PyTorch keeps them) are
used instead of the batch's.

Backward, with g_i = ∂E_i/∂u_i per sample (the convention of engine/losses.py) and N the batch size:

    ∂E/∂γ = \frac1N \sum_i g_i \hat z_i, \qquad ∂E/∂β = \frac1N \sum_i g_i,
    δ_i = \frac{γ}{\sqrt{σ_B^2 + ε}} \left( g_i - \frac1N\sum_j g_j - \hat z_i \frac1N \sum_j g_j \hat z_j \right).

The last two terms exist because every sample's z moves μ_B and σ²_B: the samples of a batch
are coupled. In inference mode μ and σ are constants and δ_i = γ g_i / \sqrt{σ^2 + ε}.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnmath.errors import NNMathError

Array = np.ndarray


@dataclass
class BatchNormCache:
    z_hat: Array
    inv_std: Array  # 1 / sqrt(σ² + ε), per unit
    mean: Array  # the batch mean μ_B (training mode) used for the running average
    var: Array  # the batch variance σ²_B (biased)
    train: bool


class BatchNorm:
    """Learnable γ (scale) and β (shift) per unit, with running statistics for inference."""

    def __init__(self, n: int, dtype=np.float64, momentum: float = 0.1, eps: float = 1e-5):
        self.gamma = np.ones(n, dtype=dtype)
        self.beta = np.zeros(n, dtype=dtype)
        self.running_mean = np.zeros(n, dtype=dtype)
        self.running_var = np.ones(n, dtype=dtype)
        self.momentum = momentum  # weight of the new batch in the running average (PyTorch's convention)
        self.eps = eps

    def forward(self, z: Array, train: bool) -> tuple[Array, BatchNormCache]:
        if train:
            if len(z) < 2:  # one row: σ_B = 0, ẑ = 0, and the running variance is pulled to 0
                raise NNMathError("batch normalisation in training mode needs at least 2 samples in a batch")
            mean = z.mean(axis=0)
            var = z.var(axis=0)
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        z_hat = (z - mean) * inv_std
        u = z_hat * self.gamma + self.beta
        return u, BatchNormCache(z_hat, inv_std, mean, var, train)

    def backward(self, g: Array, cache: BatchNormCache) -> tuple[Array, Array, Array]:
        """(δ = ∂E_i/∂z_i per sample, ∂E/∂γ, ∂E/∂β) from g = ∂E_i/∂u_i."""
        d_gamma = (g * cache.z_hat).mean(axis=0)
        d_beta = g.mean(axis=0)
        if cache.train:
            delta = (self.gamma * cache.inv_std) * (g - d_beta - cache.z_hat * d_gamma)
        else:
            delta = g * (self.gamma * cache.inv_std)
        return delta, d_gamma, d_beta

    def update_running_statistics(self, cache: BatchNormCache, batch_size: int) -> None:
        """Blend the batch's μ and unbiased σ² into the running averages used at prediction."""
        unbiased = cache.var * (batch_size / max(batch_size - 1, 1))
        self.running_mean *= 1 - self.momentum
        self.running_mean += self.momentum * cache.mean
        self.running_var *= 1 - self.momentum
        self.running_var += self.momentum * unbiased
