r"""``explain(net, x, y, "W1[0,0]")``: the chain rule for one parameter, with the network's numbers.

For W^l_{j,k} (from unit j of layer l-1 to unit k of layer l; docs/notation.md) the derivation is

    \frac{\partial E}{\partial W^l_{j,k}} = \sum_{\text{paths}} \delta^L_{u_L} \prod_{i=l+1}^{L} W^i_{u_{i-1},u_i}
        \prod_{i=l}^{L-1} f'(z^i_{u_i}) \cdot a^{l-1}_j, \qquad u_l = k,

written out path by path for small networks, or in the recursive form
\delta^l_k = f'(z^l_k) \sum_r W^{l+1}_{k,r} \delta^{l+1}_r for larger ones. Beside the result stand
backpropagation (``net.gradients``) and the central finite difference; then the update
W \leftarrow W - \alpha\,\partial E/\partial W, and the product of activation derivatives on the
chain against its bound (0.25 per sigmoid layer): the vanishing gradient. For a batch (x with
several rows) E is the mean of the samples' errors and so is the gradient.
"""
from __future__ import annotations

from itertools import product


from nnmath.engine.inputs import check_eps
from nnmath.errors import NNMathError, is_number
from nnmath.derivations.lines import (F, LOSS_NAMES, error_line, fprime, fprime_line, output_delta_lines,
                                      output_reason, unit, vector)
from nnmath.derivations.chain import LETTERS, chain_substituted, chain_symbols, vanishing_section
from nnmath.derivations.numbers import Numbers, Parameter, encode_targets, parse_indexed_name, quantities
from nnmath.derivations.render import Derivation, Section, check_digits
from nnmath.derivations.result import result_section, update_section

MAX_PATHS = 8  # beyond this many paths the recursive δ form is shown instead of the sum over paths
MAX_SAMPLES = 8  # a derivation prints every sample
VECTOR_LIMIT = 16  # longer vectors are not printed in full


def explain(net, x, y, parameter: str, learning_rate: float = 0.1, digits: int = 4, eps: float = 1e-6) -> Derivation:
    """The derivation of ∂E/∂θ for one parameter entry θ (``"W1[0,0]"``, ``"b2[0]"``) at the sample
    ``x`` (one row) or the batch ``x`` (at most 8 rows; E is then the mean error), labels ``y``.

    Never changes ``net``. The Derivation prints as Unicode text; ``.to_markdown()``,
    ``.to_latex()`` give the other formats and ``.values`` every number it prints.

    For W^l[j,k] the chain rule gives ∂E/∂W^l[j,k] = δ^l[k] · a^{l-1}[j], with
    δ^l[k] = f'(z^l[k]) Σ_q W^{l+1}[k,q] δ^{l+1}[q] and δ^L = ŷ - y (times S'(z^L) for a sigmoid
    output with squared error, where the slope does not cancel).

    Parameters
    ----------
    net : Network
        A network without batch normalisation, residual connections or dropout.
    x : array-like of shape (n_0,) or (m, n_0), m <= 8
    y : array-like of shape (m,) or (m, n_L)
    parameter : str
        The entry, in the seed's numbering: ``"W1[0,0]"`` (from input 0 to unit 0 of layer 1), ``"b2[1]"``.
    learning_rate : float
        α of the update W ← W - α ∂E/∂W that the derivation ends with.
    digits : int
        Significant digits of the printed numbers.
    eps : float
        ε of the central finite difference printed beside the result.

    Returns
    -------
    Derivation
    """
    check_digits(digits)
    numbers = Numbers.of(net)
    p = parse_indexed_name(parameter, numbers.sizes)
    X = net.check_X(x)
    if len(X) > MAX_SAMPLES:
        raise NNMathError(f"explain prints every sample: give one sample or at most {MAX_SAMPLES}, not {len(X)}")
    Y = encode_targets(net, y, len(X))
    if not (is_number(learning_rate) and learning_rate > 0):
        raise NNMathError(f"the learning rate must be a positive number, got {learning_rate!r}")
    check_eps(eps)
    _, delta, v = quantities(numbers, X, Y)
    d = _Writer(numbers, p, len(X), v, delta, digits)
    sections = [d.setup(), d.forward(), d.chain(), d.factors(), result_section(d, net, X, Y, eps),
                update_section(d, learning_rate), vanishing_section(d)]
    title = (rf"How $E$ depends on ${p.latex}$ in a {numbers.sizes} network "
             f"({_describe(numbers)}), {len(X)} sample{'s' if len(X) > 1 else ''}")
    summary = {k: v[(k,)] for k in ("grad", "backprop", "fd", "new")}
    return Derivation(title, sections, v, digits, summary)


def _describe(numbers: Numbers) -> str:
    hidden = ", ".join(dict.fromkeys(numbers.hidden)) or "no"
    return f"{hidden} hidden, {numbers.output} output, {LOSS_NAMES[numbers.loss]}"


class _Writer:
    """Builds the sections of one derivation from the quantity table ``v``."""

    def __init__(self, numbers: Numbers, p: Parameter, m: int, v: dict, delta: list, digits: int):
        self.n, self.p, self.m, self.v, self.delta, self.digits = numbers, p, m, v, delta, digits
        self.L, self.sizes = numbers.L, numbers.sizes
        l = p.layer
        self.paths = list(product(*(range(n) for n in self.sizes[l + 1:]))) if l < self.L else [()]
        self.path_form = len(self.paths) <= MAX_PATHS
        self.dE = rf"\frac{{\partial E}}{{\partial {p.latex}}}"

    # ---- helpers --------------------------------------------------------------------------
    def units(self, path: tuple) -> dict:
        """Layer -> unit for one path (u_l = k, then the path's units for layers l+1..L)."""
        return {self.p.layer: self.p.unit, **{self.p.layer + 1 + i: u for i, u in enumerate(path)}}

    def input_key(self, s: int):
        return ("a", s, self.p.layer - 1, self.p.index[0]) if self.p.kind == "W" else None

    def input_symbol(self) -> str:
        return unit("a", self.p.layer - 1, self.p.index[0]) if self.p.kind == "W" else "1"

    def sample_dE(self, s: int) -> str:
        return self.dE if self.m == 1 else rf"\frac{{\partial E^{{({s})}}}}{{\partial {self.p.latex}}}"

    def samples(self, sec: Section):
        """Yield each sample index, announcing it when there are several."""
        for s in range(self.m):
            if self.m > 1:
                sec.text(f"Sample $i = {s}$:")
            yield s

    # ---- sections -------------------------------------------------------------------------
    def setup(self) -> Section:
        sec = Section("The network, the sample and the parameter")
        for l in range(1, self.L + 1):
            name = self.n.activation(l)
            role = "output" if l == self.L else "hidden"
            symbol = f" ${F[name]}$" if name == "sigmoid" else ""
            units = f"{self.sizes[l]} unit{'s' if self.sizes[l] > 1 else ''}"
            sec.text(f"Layer {l} ({role}): {self.sizes[l - 1]} -> {units}, {name}{symbol}; "
                     f"$z^{{{l}}} = a^{{{l - 1}}} W^{{{l}}} + b^{{{l}}}$, $a^{{{l}}} = {F[name]}(z^{{{l}}})$.")
        sec.text(f"Error: {LOSS_NAMES[self.n.loss]}, $a^{{0}} = x$, $\\hat{{y}} = a^{{{self.L}}}$.")
        p = self.p
        if p.kind == "W":
            source = f"input {p.index[0]} ($x_{{{p.index[0]}}}$)" if p.layer == 1 else \
                f"unit {p.index[0]} of layer {p.layer - 1}"
            sec.text(f"${p.latex}$ is the weight from {source} to unit {p.unit} of layer {p.layer}:")
        else:
            sec.text(f"${p.latex}$ is the bias of unit {p.unit} of layer {p.layer}:")
        sec.math(f"{p.latex} = @", p.key)
        return sec

    def forward(self) -> Section:
        sec = Section("Forward pass")
        for s in self.samples(sec):
            n0 = self.sizes[0]
            if n0 <= VECTOR_LIMIT:
                sec.math(rf"x = a^{{0}} = {vector(range(n0))}", *[("a", s, 0, j) for j in range(n0)])
            elif self.p.kind == "W" and self.p.layer == 1:
                sec.math(rf"x_{{{self.p.index[0]}}} = @", ("a", s, 0, self.p.index[0]))
            n_out = self.sizes[-1]
            sec.math(rf"y = {vector(range(n_out))}", *[("y", s, k) for k in range(n_out)])
            for l in range(1, self.L + 1):
                n, name = self.sizes[l], self.n.activation(l)
                if n <= VECTOR_LIMIT:
                    sec.math(rf"z^{{{l}}} = a^{{{l - 1}}} W^{{{l}}} + b^{{{l}}} = {vector(range(n))}",
                             *[("z", s, l, k) for k in range(n)])
                    out = rf"\hat{{y}} = a^{{{l}}}" if l == self.L else f"a^{{{l}}}"
                    sec.math(rf"{out} = {F[name]}(z^{{{l}}}) = {vector(range(n))}", *[("a", s, l, k) for k in range(n)])
                if l == self.p.layer:
                    self._weighted_sum(sec, s)
            error_line(sec, self.n.loss, s, self.L, n_out, "" if self.m == 1 else f"^{{({s})}}")
        return sec

    def _weighted_sum(self, sec: Section, s: int) -> None:
        """z^l_k = Σ_j a^{l-1}_j W^l_{j,k} + b^l_k, term by term when there are few terms."""
        l, k, n_in = self.p.layer, self.p.unit, self.sizes[self.p.layer - 1]
        head = rf"{unit('z', l, k)} = \sum_{{j}} a^{{{l - 1}}}_{{j}} W^{{{l}}}_{{j,{k}}} + b^{{{l}}}_{{{k}}}"
        if n_in > 8:
            sec.math(head + " = @", ("z", s, l, k))
            return
        terms = " + ".join(r"@ \cdot @" for _ in range(n_in))
        keys = [key for j in range(n_in) for key in (("a", s, l - 1, j), ("W", l, j, k))]
        sec.math(f"{head} = {terms} + @ = @", *keys, ("b", l, k), ("z", s, l, k))

    def sample_E(self, s: str = "i") -> str:
        """E, or one sample's error E^{(i)} when the derivation averages several."""
        return "E" if self.m == 1 else f"E^{{({s})}}"

    def chain(self) -> Section:
        sec = Section("The chain rule")
        p, L, l = self.p, self.L, self.p.layer
        E = self.sample_E()
        dE = self.dE if self.m == 1 else rf"\frac{{\partial {E}}}{{\partial {p.latex}}}"
        last = rf"\frac{{\partial {unit('z', l, p.unit)}}}{{\partial {p.latex}}}"
        if self.m > 1:
            sec.text(f"For each sample $i$, with its own error ${E}$ ($E$ is their mean; the result averages "
                     "the samples' gradients):")
        if not self.path_form:
            sec.text(f"There are {len(self.paths)} paths from ${p.latex}$ to ${E}$ (more than {MAX_PATHS}), "
                     "so the sum over paths is gathered layer by layer into the deltas "
                     rf"$\delta^{{l}}_{{k}} = \partial {E}/\partial z^{{l}}_{{k}}$:")
            sec.math(rf"{dE} = \frac{{\partial {E}}}{{\partial {unit('z', l, p.unit)}}} \cdot {last} = "
                     rf"{unit(chr(92) + 'delta', l, p.unit)} \cdot {self.input_symbol()}")
            sec.math(r"\delta^{h}_{q} = f'(z^{h}_{q}) \sum_{r} W^{h+1}_{q,r}\,\delta^{h+1}_{r} \quad (\text{layer } h)")
            return sec
        names = {i: LETTERS[i - l - 1] for i in range(l + 1, L + 1)}
        symbols = [chain_symbols(self.n, p, {**{l: str(p.unit)}, **names}, E)]
        sub = [chain_substituted(self.n, p, {**{l: str(p.unit)}, **names})]
        total = rf"\sum_{{{','.join(names.values())}}} " if names else ""
        if names:
            sec.text(f"${E}$ depends on ${p.latex}$ through every path from unit {p.unit} of layer {l} to the output; "
                     "the chain rule multiplies the derivatives along each path and adds the paths:")
        sec.math(f"{dE} = {total}" + symbols[0])
        sec.math(f"{dE} = {total}" + sub[0])
        if l == L and self.n.output_cancels():
            seed_form = rf"-(y_{{{p.unit}}} - \hat{{y}}_{{{p.unit}}}) \cdot {self.input_symbol()}"
            if l == 1:
                seed_form += rf" = -(y_{{{p.unit}}} - \hat{{y}}_{{{p.unit}}}) \cdot x_{{{p.index[0]}}}" if p.kind == "W" else ""
            seed_form = seed_form.replace(r" \cdot 1", "")
            sec.text(r"With $\delta = \hat{y} - y$ this is the seed's one-neuron result:")
            if self.m == 1:
                x_key = [self.input_key(0)] if p.kind == "W" else []
                sec.math(rf"{self.dE} = {seed_form} = -(@ - @)" + (r" \cdot @" if x_key else "") + " = @",
                         ("y", 0, p.unit), ("a", 0, L, p.unit), *x_key, ("grad_s", 0))
            else:
                sec.math(rf"{dE} = {seed_form}")
        return sec

    def factors(self) -> Section:
        sec = Section("Each factor, with the network's numbers")
        p, L, l = self.p, self.L, self.p.layer
        sec.text(output_reason(self.n.output, self.n.loss))
        if self.path_form:
            for i in range(l + 1, L + 1):
                sources = [p.unit] if i == l + 1 else range(self.sizes[i - 1])
                pairs = [(j, k) for j in sources for k in range(self.sizes[i])]
                sec.math(rf"\frac{{\partial z^{{{i}}}_{{k}}}}{{\partial a^{{{i - 1}}}_{{j}}}} = W^{{{i}}}_{{j,k}}:\quad "
                         + r",\; ".join(rf"W^{{{i}}}_{{{j},{k}}} = @" for j, k in pairs), *[("W", i, j, k) for j, k in pairs])
        for s in self.samples(sec):
            outputs = [p.unit] if l == L else range(self.sizes[L])
            for q in outputs:
                output_delta_lines(sec, self.n.output, self.n.loss, s, L, q, self.sample_E(str(s)))
            if self.path_form:
                for i in range(l, L):
                    for k in ([p.unit] if i == l else range(self.sizes[i])):
                        fprime_line(sec, self.n.activation(i), s, i, k)
            else:
                self._deltas(sec, s)
            self._input_line(sec, s)
        return sec

    def _deltas(self, sec: Section, s: int) -> None:
        """δ^{L-1}, ..., δ^{l+1} as vectors, then δ^l_k term by term."""
        p, l = self.p, self.p.layer
        for i in range(self.L - 1, l, -1):
            n, name = self.sizes[i], self.n.activation(i)
            if n <= VECTOR_LIMIT:
                sec.math(rf"{F[name]}'(z^{{{i}}}) = {vector(range(n))}", *[("fp", s, i, k) for k in range(n)])
                sec.math(rf"\delta^{{{i}}} = {F[name]}'(z^{{{i}}}) \odot (\delta^{{{i + 1}}} (W^{{{i + 1}}})^{{\top}}) = "
                         + vector(range(n)), *[("delta", s, i, k) for k in range(n)])
            else:  # too wide to print: its size
                self.v[("delta_absmax", s, i)] = max(abs(self.v[("delta", s, i, k)]) for k in range(n))
                sec.math(rf"\max_{{q}} |\delta^{{{i}}}_{{q}}| = @ \quad \text{{({n} units)}}", ("delta_absmax", s, i))
        fprime_line(sec, self.n.activation(l), s, l, p.unit)
        k, n_next = p.unit, self.sizes[l + 1]
        head = rf"\delta^{{{l}}}_{{{k}}} = {fprime(self.n.activation(l), unit('z', l, k))} \sum_{{r}} W^{{{l + 1}}}_{{{k},r}}\,\delta^{{{l + 1}}}_{{r}}"
        if n_next <= 8:
            terms = " + ".join(r"@ \cdot @" for _ in range(n_next))
            keys = [key for r in range(n_next) for key in (("W", l + 1, k, r), ("delta", s, l + 1, r))]
            sec.math(f"{head} = @ \\cdot ({terms}) = @", ("fp", s, l, k), *keys, ("delta", s, l, k))
        else:
            sec.math(f"{head} = @ \\cdot @ = @", ("fp", s, l, k), ("back", s, l, k), ("delta", s, l, k))

    def _input_line(self, sec: Section, s: int) -> None:
        p, l = self.p, self.p.layer
        last = rf"\frac{{\partial {unit('z', l, p.unit)}}}{{\partial {p.latex}}}"
        if p.kind == "b":
            sec.math(f"{last} = 1")
        else:
            x = rf" = x_{{{p.index[0]}}}" if l == 1 else ""
            sec.math(rf"{last} = {unit('a', l - 1, p.index[0])}{x} = @", ("a", s, l - 1, p.index[0]))
