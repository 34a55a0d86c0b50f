r"""The lines both derivations share: f'(z) with its numbers, the output delta of each
(output, error) pair and why the slope cancels, the error E, and vectors of numbers.

Every number is a placeholder ``@`` bound to a key of the quantity table (derivations/numbers.py).
"""
from __future__ import annotations

from collections.abc import Sized

from nnmath.derivations.render import Section
from nnmath.engine.activations import ACTIVATIONS, SOFTMAX
from nnmath.engine.losses import LOSSES

# f's symbol as the seed writes it (S for the sigmoid) and each error's name, from the registries
F = {f.name: f.symbol for f in (*ACTIVATIONS.values(), SOFTMAX)}
LOSS_NAMES = {loss.kind: loss.label for loss in LOSSES.values()}


def fprime(name: str, z: str) -> str:
    """The symbol f'(z) for activation ``name`` at the LaTeX ``z``: S'(z^{1}_{0})."""
    return rf"{F[name]}'({z})"


def unit(symbol: str, layer: int, k) -> str:
    return rf"{symbol}^{{{layer}}}_{{{k}}}"


def fprime_line(sec: Section, name: str, s: int, l: int, k: int) -> None:
    """∂a/∂z = f'(z^l_k), with the function written out and its numbers substituted."""
    z = unit("z", l, k)
    head = rf"\frac{{\partial {unit('a', l, k)}}}{{\partial {z}}} = {fprime(name, z)}"
    f = ACTIVATIONS[name]
    if not f.slope:  # f' = 1 (the identity): nothing to write out
        sec.math(head + " = @", ("fp", s, l, k))
        return
    written = f.slope.replace("{z}", z)
    sec.math(head + f" = {written} = {f.slope_numbers} = @",
             *[(which, s, l, k) for which in f.slope_inputs], ("fp", s, l, k))


def output_reason(output: str, loss: str) -> str:
    """Why δ^L is what it is for this (output, error) pair (prose with inline math)."""
    if loss == "bce":
        return (r"The output is a sigmoid and the error is cross-entropy: $\partial E/\partial \hat{y} = "
                r"(\hat{y} - y)/(\hat{y}(1 - \hat{y}))$ and $\partial \hat{y}/\partial z = S'(z) = \hat{y}(1 - \hat{y})$. "
                r"The sigmoid's slope is exactly the denominator, so it cancels: $\delta = \hat{y} - y$.")
    if loss == "ce":
        return (r"The output is a softmax and the error is cross-entropy. Every $\hat{y}_{q}$ depends on every $z_{k}$ "
                r"($\partial \hat{y}_{q}/\partial z_{k} = \hat{y}_{q}(1_{q=k} - \hat{y}_{k})$) and "
                r"$\partial E/\partial \hat{y}_{q} = -y_{q}/\hat{y}_{q}$; in the sum over $q$ the $\hat{y}_{q}$ cancel and, "
                r"as $\sum_{q} y_{q} = 1$, $\delta_{k} = \hat{y}_{k} - y_{k}$: the softmax's slope cancels as the sigmoid's does.")
    if output == "identity":
        return (r"The output is the identity and the error is squared error, $E = \frac{1}{2}\sum_{q}(\hat{y}_{q} - y_{q})^{2}$: "
                r"$\partial E/\partial \hat{y} = \hat{y} - y$ and the slope is 1, so $\delta = \hat{y} - y$.")
    return (r"The output is a sigmoid and the error is squared error: $\partial E/\partial \hat{y} = \hat{y} - y$, and "
            r"$S'(z) = \hat{y}(1 - \hat{y})$ does NOT cancel. A saturated output ($\hat{y}$ near 0 or 1) makes $\delta$ "
            r"small even when $\hat{y}$ is wrong: this pair learns slowly where cross-entropy would not.")


def output_delta_lines(sec: Section, output: str, loss: str, s: int, L: int, q: int, E: str = "E") -> None:
    """δ^L_q = ∂E/∂ŷ_q · ∂ŷ_q/∂z^L_q (or ∂E/∂z^L_q for softmax) with its numbers (``E``: the
    sample's own error E^{(i)} when there are several)."""
    y, y_hat, z, d = ("y", s, q), ("a", s, L, q), unit("z", L, q), unit(r"\delta", L, q)
    dE, dy = ("dE_dyhat", s, q), ("dyhat_dz", s, q)
    yq, hq = f"y_{{{q}}}", rf"\hat{{y}}_{{{q}}}"
    dE_dy = rf"\frac{{\partial {E}}}{{\partial {hq}}}"
    dy_dz = rf"\frac{{\partial {hq}}}{{\partial {z}}}"
    if loss == "ce":
        sec.math(rf"{d} = \frac{{\partial {E}}}{{\partial {z}}} = {hq} - {yq} = @ - @ = @", y_hat, y, ("delta", s, L, q))
        return
    if loss == "bce":
        sec.math(rf"{dE_dy} = -\frac{{{yq}}}{{{hq}}} + \frac{{1 - {yq}}}{{1 - {hq}}} = -\frac{{@}}{{@}} + "
                 rf"\frac{{1 - @}}{{1 - @}} = @", y, y_hat, y, y_hat, dE)
    else:
        sec.math(rf"{dE_dy} = {hq} - {yq} = @ - @ = @", y_hat, y, dE)
    if output == "identity":
        sec.math(rf"{dy_dz} = \mathrm{{id}}'({z}) = 1")
    else:
        sec.math(rf"{dy_dz} = S'({z}) = {hq}\,(1 - {hq}) = @ \cdot (1 - @) = @", y_hat, y_hat, dy)
    tail = rf" = {hq} - {yq} = @ - @ = @" if loss == "bce" else " = @"
    keys = (y_hat, y, ("delta", s, L, q)) if loss == "bce" else (("delta", s, L, q),)
    sec.math(rf"{d} = {dE_dy} \cdot {dy_dz} = @ \cdot @" + tail, dE, dy, *keys)


def error_line(sec: Section, loss: str, s: int, L: int, n_out: int, sample: str = "") -> None:
    """E for one sample, with its numbers when there is one output unit."""
    E, y, h = f"E{sample}", ("y", s, 0), ("a", s, L, 0)
    if loss == "bce" and n_out == 1:
        sec.math(rf"{E} = -[y \ln \hat{{y}} + (1 - y) \ln(1 - \hat{{y}})] = -[@ \ln @ + (1 - @) \ln(1 - @)] = @",
                 y, h, y, h, ("E_s", s))
    elif loss == "bce":
        sec.math(rf"{E} = -\sum_{{q}} [y_{{q}} \ln \hat{{y}}_{{q}} + (1 - y_{{q}}) \ln(1 - \hat{{y}}_{{q}})] = @", ("E_s", s))
    elif loss == "ce":
        sec.math(rf"{E} = -\sum_{{q}} y_{{q}} \ln \hat{{y}}_{{q}} = @", ("E_s", s))
    elif n_out == 1:
        sec.math(rf"{E} = \frac{{1}}{{2}}(\hat{{y}} - y)^{{2}} = \frac{{1}}{{2}}(@ - @)^{{2}} = @", h, y, ("E_s", s))
    else:
        sec.math(rf"{E} = \frac{{1}}{{2}}\sum_{{q}} (\hat{{y}}_{{q}} - y_{{q}})^{{2}} = @", ("E_s", s))


def vector(entries: Sized) -> str:
    """[@, @, ...] with one place per entry."""
    return "[" + ", ".join("@" for _ in range(len(entries))) + "]"


def mean_error_line(sec: Section, m: int, sample_key: str = "E_s", key: tuple = ("E",)) -> None:
    """E = (1/m) Σ_i E^(i) with every sample's error."""
    terms = " + ".join("@" for _ in range(m))
    sec.math(rf"E = \frac{{1}}{{m}} \sum_{{i}} E^{{(i)}} = \frac{{1}}{{@}}({terms}) = @",
             ("m",), *[(sample_key, s) for s in range(m)], key)


def matrix(rows: int, cols: int) -> str:
    """[[@, @], [@, @]] for a rows x cols array."""
    return "[" + ", ".join(vector(range(cols)) for _ in range(rows)) + "]"
