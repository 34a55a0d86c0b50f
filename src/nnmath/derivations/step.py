r"""``explain_step(net, X, y, learning_rate)``: one whole gradient-descent step, worked out.

Like a textbook's worked example, for a small network and a small batch (m samples):

    z^l = a^{l-1} W^l + b^l, \quad a^l = f(z^l), \quad E = \frac1m \sum_i E^{(i)},
    \delta^L = \hat y - y \;(\odot S'(z^L) \text{ for a sigmoid with squared error}), \quad \delta^l = f'(z^l) \odot (\delta^{l+1} (W^{l+1})^\top),
    \frac{\partial E}{\partial W^l_{j,k}} = \frac1m \sum_i a^{l-1}_j \delta^l_k, \quad
    \frac{\partial E}{\partial b^l_k} = \frac1m \sum_i \delta^l_k,
    W^l \leftarrow W^l - \alpha \frac{\partial E}{\partial W^l}, \quad b^l \leftarrow b^l - \alpha \frac{\partial E}{\partial b^l},

then the error again with the new weights. ``net`` is not changed unless ``update=True``.
"""
from __future__ import annotations

import numpy as np

from nnmath.errors import NNMathError, check_flags, is_number
from nnmath.derivations.lines import F, LOSS_NAMES, error_line, matrix, mean_error_line, output_reason, vector
from nnmath.derivations.numbers import Numbers, encode_targets, quantities
from nnmath.derivations.render import Derivation, Section, check_digits

MAX_STEP_PARAMETERS = 40  # every weight is printed four times (value, gradient, update, new value)
MAX_STEP_SAMPLES = 8


def explain_step(net, X, y, learning_rate: float = 0.1, update: bool = False, digits: int = 4) -> Derivation:
    """Every z and a of the forward pass, E, every δ, every gradient, the updated W and b, and
    the new E, for one full-batch step at ``learning_rate``. With ``update=True`` the new W and b
    are written into ``net`` (otherwise ``net`` is left as it was).

    Refuses networks with more than 40 weights and biases, and more than 8 samples.

    The step is W^l ← W^l - α (a^{l-1})^T δ^l / m and b^l ← b^l - α (1/m) Σ_i δ^l_i for every layer.

    Parameters
    ----------
    net : Network
    X : array-like of shape (m, n_0), m <= 8
    y : array-like of shape (m,) or (m, n_L)
    learning_rate : float
        α.
    update : bool
        Write the new W and b into ``net``.
    digits : int
        Significant digits of the printed numbers.

    Returns
    -------
    Derivation
    """
    check_digits(digits)
    check_flags(update=update)
    numbers = Numbers.of(net)
    n_parameters = sum(W.size + b.size for W, b in zip(numbers.Ws[1:], numbers.bs[1:]))
    if n_parameters > MAX_STEP_PARAMETERS:
        raise NNMathError(f"explain_step prints every weight: this network has {n_parameters} weights and biases, "
                          f"the limit is {MAX_STEP_PARAMETERS} (e.g. [2, 4, 4, 1] has 37); for a larger network explain one "
                          "parameter instead (explain(net, x, y, 'W1[0,0]'), or nnmath explain without --step)")
    X = net.check_X(X)
    if len(X) > MAX_STEP_SAMPLES:
        raise NNMathError(f"explain_step prints every sample: give at most {MAX_STEP_SAMPLES} samples, not {len(X)}")
    if not (is_number(learning_rate) and learning_rate > 0):
        raise NNMathError(f"the learning rate must be a positive number, got {learning_rate!r}")
    Y = encode_targets(net, y, len(X))
    fwd, delta, v = quantities(numbers, X, Y)
    m, L, sizes = len(X), numbers.L, numbers.sizes
    v[("alpha",)] = learning_rate
    new = Numbers([None], [None], numbers.hidden, numbers.output, numbers.loss)
    for l in range(1, L + 1):
        gW, gb = fwd.a[l - 1].T @ delta[l] / m, delta[l].mean(axis=0)
        new.Ws.append(numbers.Ws[l] - learning_rate * gW)
        new.bs.append(numbers.bs[l] - learning_rate * gb)
        for (j, k), g in np.ndenumerate(gW):
            v[("gW", l, j, k)], v[("newW", l, j, k)] = float(g), float(new.Ws[l][j, k])
        for k, g in enumerate(gb):
            v[("gb", l, k)], v[("newb", l, k)] = float(g), float(new.bs[l][k])
    after = new.forward(X)
    for s, e in enumerate(after.sample_errors(Y)):
        v[("E_new_s", s)] = float(e)
        for k, a in enumerate(after.y_hat[s]):
            v[("new_yhat", s, k)] = float(a)
    v[("E_new",)] = float(np.mean(after.sample_errors(Y)))
    gradients = net.backward(net.forward(X), np.asarray(Y, dtype=net.dtype))
    v[("backprop_diff",)] = max(max(float(np.max(np.abs(gW - (fwd.a[l].T @ delta[l + 1] / m)))),
                                    float(np.max(np.abs(gb - delta[l + 1].mean(axis=0)))))
                                for l, (gW, gb) in enumerate(zip(gradients.weights, gradients.biases)))
    # the two agree to rounding in the network's dtype, or the text must not call them the same
    largest = max(float(np.max(np.abs(g))) for g in [*gradients.weights, *gradients.biases])
    eps = np.finfo(net.dtype)
    agree = v[("backprop_diff",)] <= 1e3 * eps.eps * max(largest, float(eps.tiny))
    w = _StepWriter(numbers, m, sizes, agree)
    sections = [w.setup(learning_rate), w.forward(), w.backward(), w.gradients(), w.update(), w.new_error()]
    title = f"One gradient-descent step of a {sizes} network on {m} sample{'s' if m > 1 else ''}"
    if update:
        for l in range(1, L + 1):
            net[f"W{l}"][...] = new.Ws[l]
            net[f"b{l}"][...] = new.bs[l]
    return Derivation(title, sections, v, digits, {"E": v[("E",)], "E_new": v[("E_new",)]})


class _StepWriter:
    def __init__(self, numbers: Numbers, m: int, sizes: list, backprop_agrees: bool):
        self.n, self.m, self.sizes, self.L = numbers, m, sizes, numbers.L
        self.backprop_agrees = backprop_agrees

    def weights(self, sec: Section, W: str, b: str, prefix: str) -> None:
        """W^l and b^l (or their gradients, or new values) for every layer, after ``prefix``."""
        for l in range(1, self.L + 1):
            rows, cols = self.sizes[l - 1], self.sizes[l]
            sec.math(prefix.format(l=l, name="W") + matrix(rows, cols), *[(W, l, j, k) for j in range(rows) for k in range(cols)])
            sec.math(prefix.format(l=l, name="b") + vector(range(cols)), *[(b, l, k) for k in range(cols)])

    def setup(self, learning_rate: float) -> Section:
        sec = Section("The network, the data and the starting weights")
        for l in range(1, self.L + 1):
            name = self.n.activation(l)
            units = f"{self.sizes[l]} unit{'s' if self.sizes[l] > 1 else ''}"
            sec.text(f"Layer {l} ({'output' if l == self.L else 'hidden'}): {self.sizes[l - 1]} -> {units}, "
                     f"{name}, $a^{{{l}}} = {F[name]}(z^{{{l}}})$.")
        sec.text(f"Error: {LOSS_NAMES[self.n.loss]}, the mean over the $m = {self.m}$ samples; "
                 r"learning rate $\alpha = @$.", ("alpha",))
        self.weights(sec, "W", "b", "{name}^{{{l}}} = ")
        return sec

    def forward(self) -> Section:
        sec = Section(r"Forward pass: $z^{l} = a^{l-1} W^{l} + b^{l}$, $a^{l} = f(z^{l})$")
        for s in range(self.m):
            sec.text(f"Sample $i = {s}$:")
            sec.math(rf"x = a^{{0}} = {vector(range(self.sizes[0]))}", *[("a", s, 0, j) for j in range(self.sizes[0])])
            sec.math(rf"y = {vector(range(self.sizes[-1]))}", *[("y", s, k) for k in range(self.sizes[-1])])
            for l in range(1, self.L + 1):
                n, name = self.sizes[l], self.n.activation(l)
                sec.math(rf"z^{{{l}}} = a^{{{l - 1}}} W^{{{l}}} + b^{{{l}}} = {vector(range(n))}", *[("z", s, l, k) for k in range(n)])
                out = rf"\hat{{y}} = a^{{{l}}}" if l == self.L else f"a^{{{l}}}"
                sec.math(rf"{out} = {F[name]}(z^{{{l}}}) = {vector(range(n))}", *[("a", s, l, k) for k in range(n)])
            error_line(sec, self.n.loss, s, self.L, self.sizes[-1], f"^{{({s})}}")
        mean_error_line(sec, self.m)
        return sec

    def backward(self) -> Section:
        sec = Section(r"Backward pass: the deltas $\delta^{l} = \partial E^{(i)}/\partial z^{l}$")
        sec.text(output_reason(self.n.output, self.n.loss))
        L = self.L
        for s in range(self.m):
            sec.text(f"Sample $i = {s}$:")
            n = self.sizes[L]
            head = rf"\delta^{{{L}}} = \hat{{y}} - y" if self.n.output_cancels() else \
                rf"\delta^{{{L}}} = (\hat{{y}} - y) \odot S'(z^{{{L}}})"
            sec.math(f"{head} = {vector(range(n))}", *[("delta", s, L, k) for k in range(n)])
            for l in range(L - 1, 0, -1):
                n, f = self.sizes[l], F[self.n.activation(l)]
                sec.math(rf"{f}'(z^{{{l}}}) = {vector(range(n))}", *[("fp", s, l, k) for k in range(n)])
                sec.math(rf"\delta^{{{l}}} = {f}'(z^{{{l}}}) \odot (\delta^{{{l + 1}}} (W^{{{l + 1}}})^{{\top}}) = "
                         + vector(range(n)), *[("delta", s, l, k) for k in range(n)])
        return sec

    def gradients(self) -> Section:
        sec = Section("Gradients: the mean over the samples")
        sec.math(r"\frac{\partial E}{\partial W^{l}_{j,k}} = \frac{1}{m} \sum_{i} a^{l-1}_{j} \delta^{l}_{k}, \quad "
                 r"\frac{\partial E}{\partial b^{l}_{k}} = \frac{1}{m} \sum_{i} \delta^{l}_{k}")
        L = self.L
        terms = " + ".join(r"@ \cdot @" for _ in range(self.m))
        source = "input 0" if L == 1 else f"unit 0 of layer {L - 1}"
        sec.text(f"For example, the weight from {source} to output unit 0:")
        sec.math(rf"\frac{{\partial E}}{{\partial W^{{{L}}}_{{0,0}}}} = \frac{{1}}{{@}}({terms}) = @", ("m",),
                 *[key for s in range(self.m) for key in (("a", s, L - 1, 0), ("delta", s, L, 0))], ("gW", L, 0, 0))
        self.weights(sec, "gW", "gb", r"\frac{{\partial E}}{{\partial {name}^{{{l}}}}} = ")
        verdict = "gives the same gradients" if self.backprop_agrees else "gives other gradients, beyond rounding"
        sec.text(f"Backpropagation in nnmath (`net.backward`) {verdict}; the largest difference is @.",
                 ("backprop_diff",))
        return sec

    def update(self) -> Section:
        sec = Section(r"Update: $W \leftarrow W - \alpha\, \partial E/\partial W$")
        self.weights(sec, "newW", "newb", r"{name}^{{{l}}} \leftarrow {name}^{{{l}}} - \alpha \frac{{\partial E}}"
                                          r"{{\partial {name}^{{{l}}}}} = ")
        return sec

    def new_error(self) -> Section:
        sec = Section("The error with the new weights")
        n = self.sizes[-1]
        for s in range(self.m):
            sec.math(rf"\hat{{y}}^{{({s})}} = {vector(range(n))}, \quad E^{{({s})}} = @",
                     *[("new_yhat", s, k) for k in range(n)], ("E_new_s", s))
        mean_error_line(sec, self.m, "E_new_s", ("E_new",))
        sec.text("The step changed $E$ from @ to @.", ("E",), ("E_new",))
        return sec
