r"""Optimizers: how a gradient g = ∂E/∂θ becomes a step for each parameter θ.

They work on plain lists of arrays (the network's parameters and the matching gradients) and
update θ in place, so they know nothing of layers. ``fit`` hands them one array, θ, every
parameter of the network in one vector (see engine/parameters.py), with ∂E/∂θ laid out the same way;
an optimizer's state (velocity, moments) is shaped like what it was first given. α is the
learning rate.

- sgd:       θ ← θ - α g                                         (the seed's gradient descent)
- momentum:  v ← μ v + g,          θ ← θ - α v
- nesterov:  v ← μ v + g,          θ ← θ - α (g + μ v)           (looks one step ahead)
- adam:      m ← β₁ m + (1-β₁) g,  s ← β₂ s + (1-β₂) g²,
             θ ← θ - α \hat m / (\sqrt{\hat s} + ε),  \hat m = m/(1-β₁^t), \hat s = s/(1-β₂^t)

The momentum forms are PyTorch's (torch.optim.SGD with dampening 0), so results compare.
"""
from __future__ import annotations

from typing import Any, Optional, Union

import numpy as np

from nnmath.errors import NNMathError, is_number

Array = np.ndarray


def _check_state(state: list[Array], params: list[Array]) -> None:
    if len(state) != len(params) or any(s.shape != p.shape for s, p in zip(state, params)):
        raise NNMathError("this optimizer's state was made for other arrays than the ones it is given "
                          f"({[s.shape for s in state]} against {[p.shape for p in params]}); "
                          "use a new optimizer for this network")


class SGD:
    name = "sgd"

    def step(self, params: list[Array], grads: list[Array], learning_rate: float) -> None:
        for theta, g in zip(params, grads):
            theta -= learning_rate * g  # θ ← θ - α g


class Momentum:
    name = "momentum"
    nesterov = False

    def __init__(self, momentum: float = 0.9):
        if not (is_number(momentum) and 0 <= momentum < 1):  # μ ≥ 1 lets v grow without bound
            raise NNMathError(f"the momentum μ must be a number in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self.velocity: Optional[list[Array]] = None

    def step(self, params: list[Array], grads: list[Array], learning_rate: float) -> None:
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        _check_state(self.velocity, params)
        for theta, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v += g
            if self.nesterov:
                theta -= learning_rate * (g + self.momentum * v)
            else:
                theta -= learning_rate * v


class Nesterov(Momentum):
    name = "nesterov"
    nesterov = True


class Adam:
    name = "adam"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not (is_number(beta) and 0 <= beta < 1):
                raise NNMathError(f"Adam's {name} must be a number in [0, 1), got {beta!r}")
        if not (is_number(eps) and eps >= 0):
            raise NNMathError(f"Adam's eps must be a number, 0 or more, got {eps!r}")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: Optional[list[Array]] = None
        self.s: Optional[list[Array]] = None

    def step(self, params: list[Array], grads: list[Array], learning_rate: float) -> None:
        if self.m is None or self.s is None:
            self.m = [np.zeros_like(p) for p in params]
            self.s = [np.zeros_like(p) for p in params]
        _check_state(self.m, params)
        _check_state(self.s, params)
        self.t += 1
        correction1 = 1 - self.beta1 ** self.t
        correction2 = 1 - self.beta2 ** self.t
        for theta, g, m, s in zip(params, grads, self.m, self.s):
            m *= self.beta1
            m += (1 - self.beta1) * g
            s *= self.beta2
            s += (1 - self.beta2) * (g * g)
            theta -= learning_rate * (m / correction1) / (np.sqrt(s / correction2) + self.eps)


Optimizer = Union[SGD, Momentum, Adam]
OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adam": Adam}


# What an optimizer learns as it steps (Momentum: velocity; Adam: m, s and the step count t):
# saved before each epoch, so that a diverged epoch can be undone.
STATE = ("velocity", "m", "s", "t")


def saved_state(opt: Any) -> dict:
    """A copy of an optimizer's state: its attributes named in STATE (an optimizer of one's own
    that keeps its state under other names is not undone)."""
    saved = {}
    for name in STATE:
        if hasattr(opt, name):
            value = getattr(opt, name)
            saved[name] = [np.array(a, copy=True) for a in value] if isinstance(value, list) else value
    return saved


def restore_state(opt: Any, saved: dict) -> None:
    """Put back what ``saved_state`` copied."""
    for name, value in saved.items():
        setattr(opt, name, value)


def get(optimizer: Union[str, Optimizer]) -> Optimizer:
    """A fresh optimizer by name, or the given instance (to carry its state across fit calls)."""
    if isinstance(optimizer, type):  # Adam, not Adam(): its step would be called unbound
        raise NNMathError(f"optimizer must be an optimizer object, not the class {optimizer.__name__}: "
                          f"pass {optimizer.__name__}() or a name ({', '.join(OPTIMIZERS)})")
    if not isinstance(optimizer, str):
        if not callable(getattr(optimizer, "step", None)):
            raise NNMathError(f"optimizer must be one of {', '.join(OPTIMIZERS)} or an optimizer object, "
                              f"got {optimizer!r}")
        return optimizer
    try:
        return OPTIMIZERS[optimizer]()
    except KeyError:
        raise NNMathError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}") from None
