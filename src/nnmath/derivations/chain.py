r"""The chain of one parameter: its factors in symbols, and the activation derivatives on it.

Along one path u_l = k, u_{l+1}, ..., u_L from the parameter to the output, the chain rule gives

    \frac{\partial E}{\partial W^l_{j,k}} \ni \delta^L_{u_L} \prod_{i=l+1}^{L} W^i_{u_{i-1},u_i} f'(z^{i-1}_{u_{i-1}}) \cdot a^{l-1}_j,

and the product of the activation derivatives \prod_i f'(z^i_{u_i}) on it is at most
\prod_i \sup|f'| = 0.25^n for n sigmoid layers: the vanishing gradient.
"""
from __future__ import annotations

import numpy as np

from nnmath.engine import activations
from nnmath.derivations.lines import F, fprime, unit
from nnmath.derivations.numbers import Numbers, Parameter
from nnmath.derivations.render import Section

LETTERS = "qrstuvw"  # the unit indices of layers l+1, l+2, ... on a path


def chain_symbols(numbers: Numbers, p: Parameter, u: dict, E: str = "E") -> str:
    """The chain rule for one path in symbols, output first: ∂E/∂ŷ · ∂ŷ/∂z · ∂z/∂a · ∂a/∂z · ... · ∂z/∂W
    (``E``: one sample's error E^{(i)} when the derivation has several)."""
    L, l = numbers.L, p.layer
    z = lambda i: unit("z", i, u[i])  # noqa: E731
    a = lambda i: unit("a", i, u[i])  # noqa: E731
    d = lambda top, bottom: rf"\frac{{\partial {top}}}{{\partial {bottom}}}"  # noqa: E731
    y_hat = rf"\hat{{y}}_{{{u[L]}}}"
    parts = [d(E, z(L))] if numbers.loss == "ce" else [d(E, y_hat), d(y_hat, z(L))]
    for i in range(L, l, -1):
        parts += [d(z(i), a(i - 1)), d(a(i - 1), z(i - 1))]
    parts.append(d(z(l), p.latex))
    return r" \cdot ".join(parts)


def chain_substituted(numbers: Numbers, p: Parameter, u: dict) -> str:
    """The same chain with each factor's function: δ^L, W, f'(z), a^{l-1} (or 1 for a bias)."""
    L, l = numbers.L, p.layer
    parts = [unit(r"\delta", L, u[L])]
    for i in range(L, l, -1):
        parts += [rf"W^{{{i}}}_{{{u[i - 1]},{u[i]}}}", fprime(numbers.activation(i - 1), unit("z", i - 1, u[i - 1]))]
    parts.append(unit("a", l - 1, p.index[0]) if p.kind == "W" else "1")
    return r" \cdot ".join(parts)


def vanishing_section(writer) -> Section:
    """Π f'(z) along the chain against its bound, and how much the error signal δ shrank on the way."""
    sec = Section("Activation derivatives on the chain: the vanishing gradient")
    p, l, L = writer.p, writer.p.layer, writer.L
    layers = list(range(l, L)) + ([] if writer.n.output_cancels() else [L])
    if not layers:
        sec.text(f"No activation derivative stands between ${p.latex}$ and $E$: the output's slope cancelled, so "
                 f"this gradient is $\\delta$ times its input. A parameter one layer further from the output gets an "
                 f"extra factor $W \\cdot f'(z)$, and for a sigmoid $S'(z) \\leq 0.25$.")
        return sec
    for s in writer.samples(sec):
        if not writer.path_form:
            _slope_product(writer, sec, s, None, layers)
        else:
            seen = set()
            for path in writer.paths:
                units = writer.units(path)
                if tuple(units[i] for i in layers) not in seen:
                    seen.add(tuple(units[i] for i in layers))
                    _slope_product(writer, sec, s, path, layers)
        if l < L:
            _shrinkage(writer, sec, s)
    names = sorted({n for n in (writer.n.activation(i) for i in layers)})
    exceeded = _slopes_outgrown(writer)
    if exceeded is None or "sigmoid" not in names:
        sec.text(_closing(names))
    else:
        sec.text(_closing_outgrown(names), exceeded, ("bound_crossed",))
    return sec


def _slopes_outgrown(writer):
    """The key of the largest measured |δ^l_k| / max|δ^L| when it exceeds the bound the crossed
    layers' slopes alone allow, Π sup|f'| (the weights made up for the slopes), else None: the
    closing paragraph must not say the error shrank by 75% per layer right after numbers that show
    it did not."""
    l, L, v = writer.p.layer, writer.L, writer.v
    if l >= L:
        return None
    v[("bound_crossed",)] = float(np.prod([activations.get(writer.n.activation(i)).bound for i in range(l, L)]))
    key = max((("shrink", s) for s in range(writer.m)), key=lambda k: v[k])
    return key if v[key] > v[("bound_crossed",)] else None


def _closing_outgrown(names: list) -> str:
    """The closing paragraph when the numbers above show less shrinking than the slopes' bound (two @: the
    measured ratio and the bound)."""
    text = ("Each sigmoid layer the error crosses multiplies it by $S'(z) \\leq 0.25$, and by the weights that carry "
            "it back, summed over the units. Here the weights made up for the slopes: the error arrived @ times as "
            "large, more than the @ the slopes alone allow, so this gradient did not vanish. With weights of "
            "moderate size, or more sigmoid layers, the slopes win and the gradient shrinks by at least 75% per "
            "sigmoid layer: that is the vanishing gradient.")
    others = [name for name in names if name != "sigmoid"]
    if others:
        slopes = ", ".join(f"{name} at most {activations.get(name).bound:g}" for name in others)
        text += f" The other activations on this chain have larger slopes ({slopes})."
    return text


def _closing(names: list) -> str:
    """What the slopes on this chain mean for the gradient, for the activations actually on it."""
    sigmoid = ("Each sigmoid layer the error crosses multiplies it by $S'(z) \\leq 0.25$ (and by a weight): with weights "
               "of moderate size the gradient shrinks by at least 75% per sigmoid layer. That is the vanishing gradient.")
    others = [name for name in names if name != "sigmoid"]
    if not others:
        return sigmoid
    slopes = ", ".join(f"{name} at most {activations.get(name).bound:g}" for name in others)
    if "sigmoid" in names:
        return f"{sigmoid} The other activations on this chain have larger slopes ({slopes})."
    off = ", and on how many units are switched off (a slope of 0)" if "relu" in names else ""
    return (f"The slopes on this chain ({slopes}) do not shrink the error by themselves as a sigmoid's "
            "$S'(z) \\leq 0.25$ does in every layer (the vanishing gradient): here whether the gradient shrinks or "
            f"grows on the way back depends on the weights{off}.")


def _shrinkage(writer, sec: Section, s: int) -> None:
    """|δ^l_k| here against the largest |δ^L_q| at the output."""
    v, l, k, L = writer.v, writer.p.layer, writer.p.unit, writer.L
    v[("delta_out", s)] = max(abs(v[("delta", s, L, q)]) for q in range(writer.sizes[L]))
    v[("delta_here", s)] = abs(v[("delta", s, l, k)])
    v[("shrink", s)] = v[("delta_here", s)] / v[("delta_out", s)] if v[("delta_out", s)] > 0 else 0.0
    sec.text(rf"The error signal at the output, $\max_{{q}} |\delta^{{{L}}}_{{q}}| = @$, arrives at unit {k} of "
             rf"layer {l} as $|\delta^{{{l}}}_{{{k}}}| = @$: @ times as large.",
             ("delta_out", s), ("delta_here", s), ("shrink", s))


def _slope_product(writer, sec: Section, s: int, path, layers: list) -> None:
    """Π f'(z) along one path (or the largest f' per layer when paths are too many) vs Π bounds."""
    v, p, n = writer.v, writer.p, writer.n
    bounds = [activations.get(n.activation(i)).bound for i in layers]
    if path is None:
        keys: list = []
        for i in layers:
            slopes = [v[("fp", s, i, k)] for k in ([p.unit] if i == p.layer else range(writer.sizes[i]))]
            v[("max_fp", s, i)] = max(slopes)
            keys.append(("max_fp", s, i))
        symbols = [rf"\max_{{q}} {F[n.activation(i)]}'(z^{{{i}}}_{{q}})" if i != p.layer else
                   fprime(n.activation(i), unit("z", i, p.unit)) for i in layers]
        label = r"\text{every path}:\quad "
    else:
        units = writer.units(path)
        keys = [("fp", s, i, units[i]) for i in layers]
        symbols = [fprime(n.activation(i), unit("z", i, units[i])) for i in layers]
        named = [f"{LETTERS[i]} = {u}" for i, u in enumerate(path) if p.layer + 1 + i in layers]
        label = ",\\;".join(named) + r":\quad " if named else ""
    product_key, bound_key = ("slopes", s, path), ("bound", tuple(layers))
    v[product_key] = float(np.prod([v[k] for k in keys]))
    v[bound_key] = float(np.prod(bounds))
    values = " = " + r" \cdot ".join("@" for _ in keys) if len(keys) > 1 else ""
    sec.math(label + r" \cdot ".join(symbols) + values + r" = @ \leq @",
             *(keys if len(keys) > 1 else []), product_key, bound_key)
