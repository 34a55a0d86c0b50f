r"""The end of a derivation: the gradient as the product of its chain-rule factors, checked two
other ways (backpropagation, ``net.gradients``, and the central finite difference
(E(θ + ε) − E(θ − ε)) / 2ε), then the gradient-descent step θ ← θ − α ∂E/∂θ.

``w`` is explain's writer: the network's numbers, the parameter, the table of values ``w.v``.
"""
from __future__ import annotations

import numpy as np

from nnmath.derivations.chain import LETTERS
from nnmath.derivations.lines import unit
from nnmath.derivations.render import Section


def result_section(w, net, X, Y, eps: float) -> Section:
    """The gradient as the product of its factors, then backpropagation and the finite difference beside it."""
    sec = Section("The product: the gradient")
    p, v = w.p, w.v
    grads = []
    for s in w.samples(sec):
        x_key = w.input_key(s)
        x_val = 1.0 if x_key is None else v[x_key]
        if w.path_form:
            total = 0.0
            for path in w.paths:
                keys, value = path_keys(w, s, path)
                v[("path", s, path)] = value * x_val
                total += value * x_val
                label = ",\\;".join(f"{LETTERS[i]} = {u}" for i, u in enumerate(path))
                factors = " \\cdot ".join("@" for _ in keys) + (r" \cdot @" if x_key else r" \cdot 1")
                sec.math((f"{label}:\\quad " if label else "") + f"{factors} = @",
                         *keys, *([x_key] if x_key else []), ("path", s, path))
            v[("grad_s", s)] = total
            if len(w.paths) > 1:
                sec.math(f"{w.sample_dE(s)} = " + " + ".join("@" for _ in w.paths) + " = @",
                         *[("path", s, path) for path in w.paths], ("grad_s", s))
            elif w.m > 1:
                sec.math(f"{w.sample_dE(s)} = @", ("grad_s", s))
        else:
            v[("grad_s", s)] = v[("delta", s, p.layer, p.unit)] * x_val
            sec.math(rf"{w.sample_dE(s)} = {unit(chr(92) + 'delta', p.layer, p.unit)} \cdot {w.input_symbol()}"
                     + (r" = @ \cdot @ = @" if x_key else " = @"),  # a bias: δ · 1 = δ
                     *([("delta", s, p.layer, p.unit), x_key] if x_key else []), ("grad_s", s))
        grads.append(v[("grad_s", s)])
    v[("grad",)] = float(np.mean(grads))
    if w.m > 1:
        terms = " + ".join("@" for _ in range(w.m))
        sec.math(rf"{w.dE} = \frac{{1}}{{m}} \sum_{{i}} \frac{{\partial E^{{(i)}}}}{{\partial {p.latex}}} = "
                 rf"\frac{{1}}{{@}}({terms}) = @", ("m",), *[("grad_s", s) for s in range(w.m)], ("grad",))
    gradients = net.backward(net.forward(net.check_X(X)), np.asarray(Y, dtype=net.dtype))
    array = (gradients.weights if p.kind == "W" else gradients.biases)[p.layer - 1]
    v[("backprop",)] = float(array[p.index])
    plus = w.n.perturbed(p, eps).error(X, Y)
    minus = w.n.perturbed(p, -eps).error(X, Y)
    v[("fd",)] = (plus - minus) / (2 * eps)
    v[("eps",)] = eps
    v[("fd_diff",)] = abs(v[("grad",)] - v[("fd",)])
    for name in ("grad", "backprop", "fd"):  # shown with two more digits, so the agreement is visible
        v[("precise", name)] = v[(name,)]
    sec.text(f"Check it two other ways, to {w.digits + 2} significant digits: backpropagation "
             "(`net.gradients`) and the central finite difference.")
    sec.math(rf"{w.dE} = @ \quad \text{{(chain rule)}}", ("precise", "grad"))
    sec.math(rf"{w.dE} = @ \quad \text{{(backpropagation)}}", ("precise", "backprop"))
    sec.math(rf"\frac{{E({p.latex} + \varepsilon) - E({p.latex} - \varepsilon)}}{{2\varepsilon}} = @ "
             rf"\quad (\varepsilon = @)", ("precise", "fd"), ("eps",))
    return sec


def path_keys(w, s: int, path: tuple) -> tuple[list, float]:
    """The keys of one path's factors, output first (δ, then W and f' layer by layer), and their product."""
    u, l, L = w.units(path), w.p.layer, w.L
    keys: list = [("delta", s, L, u[L])]
    for i in range(L, l, -1):
        keys.append(("W", i, u[i - 1], u[i]))
        keys.append(("fp", s, i - 1, u[i - 1]))
    return keys, float(np.prod([w.v[k] for k in keys]))


def update_section(w, learning_rate: float) -> Section:
    """W ← W - α ∂E/∂W with its numbers."""
    sec = Section("The gradient-descent step")
    p, v = w.p, w.v
    v[("alpha",)] = learning_rate
    v[("new",)] = v[p.key] - learning_rate * v[("grad",)]
    sec.math(rf"{p.latex} \leftarrow {p.latex} - \alpha {w.dE} = @ - @ \cdot @ = @",
             p.key, ("alpha",), ("grad",), ("new",))
    return sec
