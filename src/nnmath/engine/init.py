r"""Weight initialisations: how W^l (shape n_in x n_out) is drawn before training.

The scale matters for the vanishing gradient: each layer multiplies the backward signal by
W^T and by f'(z), so weights that are too small shrink it and weights too large saturate
sigmoids (f' near 0) and shrink it too. Biases start at zero.
"""
from __future__ import annotations

from typing import Callable, Union

import numpy as np

from nnmath.errors import NNMathError

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]


def normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""W_{jk} \sim \mathcal N(0, 1/n_{in}): Nielsen's default (the seed names no initialization)."""
    return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)


def standard_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""W_{jk} \sim \mathcal N(0, 1): large weights that saturate sigmoids."""
    return rng.standard_normal((n_in, n_out))


def uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""W_{jk} \sim U[-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}}] (PyTorch's default for Linear)."""
    limit = 1.0 / np.sqrt(n_in)
    return rng.uniform(-limit, limit, (n_in, n_out))


def xavier(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""Glorot & Bengio (2010): W_{jk} \sim U[-\sqrt{6/(n_{in}+n_{out})}, +\sqrt{6/(n_{in}+n_{out})}],
    which keeps the variance of activations and of back-propagated gradients similar across layers."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out))


def he(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""He et al. (2015): W_{jk} \sim \mathcal N(0, 2/n_{in}), for ReLU layers (which zero half their input)."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


INITIALIZERS: dict[str, Initializer] = {
    "normal": normal,
    "standard_normal": standard_normal,
    "uniform": uniform,
    "xavier": xavier,
    "he": he,
}


def get(init: Union[str, Initializer]) -> Initializer:
    """The initializer called ``init``, or ``init`` itself when it is a callable(n_in, n_out, rng)."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        raise NNMathError(f"unknown init {init!r}; choose one of {', '.join(INITIALIZERS)} or pass a callable") from None
