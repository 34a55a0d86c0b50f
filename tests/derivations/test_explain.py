"""explain(): every number a derivation prints is recomputed here by hand, with numpy only.

The reference below never calls the engine: it rebuilds the forward pass, the deltas, the
chain-rule paths and the finite difference from the weights and the formulas of the seed
(S(z) = 1/(1 + e^{-z}), S' = S(1 - S), δ^L = ŷ - y, δ^l = f'(z^l) ⊙ δ^{l+1} (W^{l+1})ᵀ).
"""
from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import nnmath
from nnmath.errors import NNMathError

SLOPE_BOUND = {"sigmoid": 0.25}  # every other activation here has sup |f'| = 1


def f(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    if name == "softsign":
        return z / (1 + np.abs(z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z.copy()


def f_prime(name, z):
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, 0.01)
    if name == "softsign":
        return 1 / (1 + np.abs(z)) ** 2
    return np.ones_like(z)


class Reference:
    """The network's math by hand: layers numbered from 1, lists padded with None at index 0."""

    def __init__(self, net, X, Y, param=None):
        self.Ws = [None] + [np.array(W, dtype=float) for W in net.weights]
        self.bs = [None] + [np.array(b, dtype=float) for b in net.biases]
        self.names = [None] + list(net.activation_names) + [net.output_name]
        self.loss = {"binary_cross_entropy": "bce", "categorical_cross_entropy": "ce"}.get(net.loss.name, "mse")
        self.X, self.Y, self.L = np.asarray(X, float), np.asarray(Y, float), len(self.Ws) - 1
        self.z, self.a, self.E = self.forward(self.Ws, self.bs)
        self.fp = [None] + [f_prime(self.names[l], self.z[l]) for l in range(1, self.L + 1)]
        d = self.a[self.L] - self.Y
        if self.loss == "mse" and self.names[self.L] == "sigmoid":
            d = d * self.fp[self.L]
        self.delta = [None] * self.L + [d]
        for l in range(self.L - 1, 0, -1):
            self.delta[l] = self.fp[l] * (self.delta[l + 1] @ self.Ws[l + 1].T)
        if param is not None:
            m = re.match(r"([Wb])(\d+)\[(\d+)(?:,(\d+))?\]", param)
            self.kind, self.l = m.group(1), int(m.group(2))
            self.index = tuple(int(g) for g in m.groups()[2:] if g is not None)

    def forward(self, Ws, bs):
        a, z = [self.X], [None]
        for l in range(1, len(Ws)):
            z.append(a[-1] @ Ws[l] + bs[l])
            a.append(f(self.names[l], z[l]))
        y_hat, Y = a[-1], self.Y
        if self.loss == "bce":
            E = -np.sum(Y * np.log(y_hat) + (1 - Y) * np.log(1 - y_hat), axis=1)
        elif self.loss == "ce":
            E = -np.sum(Y * np.log(y_hat), axis=1)
        else:
            E = 0.5 * np.sum((y_hat - Y) ** 2, axis=1)
        return z, a, E

    # ---- the parameter's chain ----------------------------------------------------------
    def x_in(self, s):
        return self.a[self.l - 1][s, self.index[0]] if self.kind == "W" else 1.0

    def grad_s(self, s):
        return self.delta[self.l][s, self.index[-1]] * self.x_in(s)

    def path_product(self, s, path):
        u = {self.l: self.index[-1], **{self.l + 1 + i: q for i, q in enumerate(path)}}
        value = self.delta[self.L][s, u[self.L]] * self.x_in(s)
        for i in range(self.l + 1, self.L + 1):
            value *= self.Ws[i][u[i - 1], u[i]] * self.fp[i - 1][s, u[i - 1]]
        return value

    def slope_layers(self):
        out_slope = self.loss == "mse" and self.names[self.L] == "sigmoid"
        return list(range(self.l, self.L)) + ([self.L] if out_slope else [])

    def finite_difference(self, eps=1e-6):
        def error(step):
            Ws, bs = [None if W is None else W.copy() for W in self.Ws], [None if b is None else b.copy() for b in self.bs]
            (Ws if self.kind == "W" else bs)[self.l][self.index] += step
            return np.mean(self.forward(Ws, bs)[2])
        return (error(eps) - error(-eps)) / (2 * eps)

    def grad(self):
        return float(np.mean([self.grad_s(s) for s in range(len(self.X))]))

    def expected(self, key, alpha):
        """The value of one printed quantity, from its name."""
        name, rest = key[0], key[1:]
        if name in ("W", "b"):
            return (self.Ws if name == "W" else self.bs)[rest[0]][rest[1:]]
        if name in ("a", "z", "fp", "delta"):
            s, l, k = rest
            return {"a": self.a, "z": self.z, "fp": self.fp, "delta": self.delta}[name][l][s, k]
        if name == "back":
            s, l, k = rest
            return self.Ws[l + 1][k] @ self.delta[l + 1][s]
        if name == "y":
            return self.Y[rest]
        y_hat = self.a[self.L]
        if name == "dE_dyhat":
            h, y = y_hat[rest], self.Y[rest]
            return -y / h + (1 - y) / (1 - h) if self.loss == "bce" else h - y
        if name == "dyhat_dz":
            return 1.0 if self.names[self.L] == "identity" else y_hat[rest] * (1 - y_hat[rest])
        if name == "E_s":
            return self.E[rest[0]]
        if name == "E":
            return np.mean(self.E)
        if name == "m":
            return len(self.X)
        if name == "path":
            return self.path_product(*rest)
        if name == "grad_s":
            return self.grad_s(rest[0])
        if name in ("grad", "backprop"):
            return self.grad()
        if name == "fd":
            return self.finite_difference()
        if name == "eps":
            return 1e-6
        if name == "precise":
            return self.expected((rest[0],), alpha)
        if name == "alpha":
            return alpha
        if name == "new":
            return self.expected((self.kind, self.l, *self.index), alpha) - alpha * self.grad()
        if name == "slopes":
            s, path = rest
            layers = self.slope_layers()
            if path is None:
                return np.prod([self.expected(("max_fp", s, i), alpha) for i in layers])
            u = {self.l: self.index[-1], **{self.l + 1 + i: q for i, q in enumerate(path)}}
            return np.prod([self.fp[i][s, u[i]] for i in layers])
        if name == "max_fp":
            s, i = rest
            return self.fp[i][s, self.index[-1]] if i == self.l else self.fp[i][s].max()
        if name in ("delta_out", "delta_here", "shrink"):
            out = np.abs(self.delta[self.L][rest[0]]).max()
            here = abs(self.delta[self.l][rest[0], self.index[-1]])
            return {"delta_out": out, "delta_here": here, "shrink": here / out if out > 0 else 0.0}[name]
        if name == "delta_absmax":
            return np.abs(self.delta[rest[1]][rest[0]]).max()
        if name == "bound":
            return np.prod([SLOPE_BOUND.get(self.names[i], 1.0) for i in rest[0]])
        raise KeyError(key)


def printed_keys(derivation):
    return [key for section in derivation.sections for line in section.lines for key in line.keys]


def assert_every_number(derivation, ref, alpha):
    keys = printed_keys(derivation)
    assert keys, "the derivation prints no numbers"
    for key in keys:
        want = ref.expected(key, alpha)
        got = derivation.values[key]
        if key[-1] == "fd":
            assert got == pytest.approx(want, rel=1e-6, abs=1e-9)
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), key


def assert_no_hidden_numbers(derivation):
    """Every number is a placeholder: the templates hold only indices and the formulas' constants."""
    for section in derivation.sections:
        for line in section.lines:
            decimals = set(re.findall(r"\d+\.\d+", line.template))
            assert decimals <= {"0.01", "0.25"}, (line.template, decimals)


def labels_for(net, m, rng):
    if net.kind == "regression":
        return rng.standard_normal((m, net.sizes[-1]))
    n_classes = 2 if net.kind == "binary" else net.sizes[-1]
    return rng.integers(0, n_classes, m)


HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "softsign", "identity"]
OUTPUTS = [("sigmoid", "cross_entropy", 1), ("softmax", "cross_entropy", 3), ("identity", "mse", 2),
           ("sigmoid", "mse", 1)]


def random_cases():
    """Random small networks: depth (hidden layers) 0-2, every activation and output pair, one
    sample or a batch of 3, a random weight or bias of a random layer."""
    for seed in range(12):
        rng = np.random.default_rng(seed)
        output, loss, n_out = OUTPUTS[seed % 4]
        depth = seed % 3
        sizes = [int(rng.integers(1, 4))] + [int(rng.integers(1, 4)) for _ in range(depth)] + [n_out]
        hidden = [HIDDEN[(seed + i) % len(HIDDEN)] for i in range(depth)]
        layer = int(rng.integers(1, len(sizes)))
        if rng.random() < 0.7:
            param = f"W{layer}[{rng.integers(sizes[layer - 1])},{rng.integers(sizes[layer])}]"
        else:
            param = f"b{layer}[{rng.integers(sizes[layer])}]"
        yield seed, sizes, hidden, output, loss, param, 1 if seed % 2 else 3


@pytest.mark.parametrize("seed,sizes,hidden,output,loss,param,m", list(random_cases()))
def test_every_printed_number_is_recomputed_by_hand(seed, sizes, hidden, output, loss, param, m):
    rng = np.random.default_rng(100 + seed)
    net = nnmath.Network(sizes, activation=hidden, output=output, loss=loss, init="normal", seed=seed)
    for b in net.biases:
        b[...] = rng.normal(0, 0.5, b.shape)  # non-zero biases, so b^l is really in the sums
    X = rng.standard_normal((m, sizes[0]))
    y = labels_for(net, m, rng)
    d = nnmath.explain(net, X, y, param, learning_rate=0.3)
    ref = Reference(net, X, net.encode(y), param)
    assert_every_number(d, ref, 0.3)
    assert_no_hidden_numbers(d)
    # the result: chain rule == backpropagation (net.gradients) == the finite difference
    kind, layer = param[0], int(param[1])
    index = tuple(int(i) for i in re.findall(r"\d+", param.split("[")[1]))
    backprop = (net.gradients(X, y).weights if kind == "W" else net.gradients(X, y).biases)[layer - 1][index]
    assert d.summary["grad"] == pytest.approx(backprop, rel=1e-9, abs=1e-13)
    assert d.summary["grad"] == pytest.approx(ref.finite_difference(), rel=1e-5, abs=1e-8)


def test_deep_networks_use_the_recursive_delta_form_with_every_delta():
    """[3, 4, 3, 3, 1]: W1 has 4·... paths > 8, so the δ form is printed, each δ with its value."""
    rng = np.random.default_rng(7)
    net = nnmath.Network([3, 4, 3, 3, 1], seed=3)
    X, y = rng.standard_normal((1, 3)), np.array([1])
    d = nnmath.explain(net, X, y, "W1[2,1]")
    text = d.to_text()
    assert "There are 9 paths" in text
    assert "δ¹[1] = S'(z¹[1]) Σ_r W²[1,r] δ²[r]" in text
    keys = printed_keys(d)
    assert {("delta", 0, 3, k) for k in range(3)} <= set(keys)
    assert {("delta", 0, 2, k) for k in range(3)} <= set(keys)
    assert_every_number(d, Reference(net, X, net.encode(y), "W1[2,1]"), 0.1)


def test_wide_layers_are_summarised_not_printed():
    """[2, 20, 20, 1]: 20 paths from W1, so the δ form; δ² has 20 entries, so only its largest |δ|."""
    rng = np.random.default_rng(0)
    net = nnmath.Network([2, 20, 20, 1], activation="tanh", seed=0)
    X, y = rng.standard_normal((2, 2)), np.array([0, 1])
    d = nnmath.explain(net, X, y, "W1[1,3]")
    assert ("delta_absmax", 1, 2) in printed_keys(d) and ("z", 0, 2, 0) not in printed_keys(d)
    assert "max_q |δ²[q]| = " in d.to_text() and "(20 units)" in d.to_text()
    assert_every_number(d, Reference(net, X, net.encode(y), "W1[1,3]"), 0.1)


def test_small_networks_write_out_the_sum_over_paths():
    net = nnmath.Network([2, 2, 2, 1], seed=1)
    d = nnmath.explain(net, [1.0, -1.0], [1], "W1[0,1]")
    paths = [k for k in printed_keys(d) if k[0] == "path"]
    assert sorted({k[2] for k in paths}) == sorted(itertools.product(range(2), range(1)))
    assert "Σ_q,r ∂E/∂ŷ[r] · ∂ŷ[r]/∂z³[r] · ∂z³[r]/∂a²[q] · ∂a²[q]/∂z²[q] · ∂z²[q]/∂a¹[1]" in d.to_text()


@pytest.mark.parametrize("p", [1, 3])
def test_one_neuron_reduces_to_the_seeds_formulas(p):
    """[p, 1] sigmoid + cross-entropy: ∂E/∂W_j = -(y - ŷ) x_j and ∂E/∂b = -(y - ŷ) (the seed)."""
    rng = np.random.default_rng(p)
    net = nnmath.Network([p, 1], seed=p)
    x = rng.standard_normal(p)
    for y in (0, 1):
        y_hat = 1 / (1 + np.exp(-(x @ np.asarray(net.weights[0])[:, 0] + net.biases[0][0])))
        for j in range(p):
            d = nnmath.explain(net, x, [y], f"W1[{j},0]")
            assert d.summary["grad"] == pytest.approx(-(y - y_hat) * x[j], rel=1e-12, abs=1e-15)
            assert f"-(y[0] - ŷ[0]) · a⁰[{j}] = -(y[0] - ŷ[0]) · x[{j}]" in d.to_text()
        d = nnmath.explain(net, x, [y], "b1[0]")
        assert d.summary["grad"] == pytest.approx(-(y - y_hat), rel=1e-12, abs=1e-15)
        assert "∂E/∂b¹[0] = -(y[0] - ŷ[0]) = " in d.to_text()


def test_the_output_delta_cases_say_why_the_slope_cancels_or_not():
    X = [[0.5, -1.0]]
    cases = {("sigmoid", "cross_entropy", 1): "exactly the denominator, so it cancels",
             ("softmax", "cross_entropy", 3): "the softmax's slope cancels",
             ("identity", "mse", 1): "the slope is 1",
             ("sigmoid", "mse", 1): "does NOT cancel"}
    for (output, loss, n_out), reason in cases.items():
        net = nnmath.Network([2, 2, n_out], output=output, loss=loss, seed=0)
        y = [0.3] * n_out if output == "identity" else [1]
        text = " ".join(nnmath.explain(net, X, y, "W1[0,0]").to_text().split())  # prose is wrapped
        assert reason in text
    # sigmoid + squared error keeps S'(z^L) on the chain: the vanishing section counts it
    net = nnmath.Network([2, 2, 1], output="sigmoid", loss="mse", seed=0)
    text = nnmath.explain(net, X, [1], "W1[0,0]").to_text()
    assert "S'(z¹[0]) · S'(z²[0]) = " in text and "≤ 0.0625" in text


def test_vanishing_gradient_product_is_below_the_bound_for_sigmoids():
    net = nnmath.Network([2, 2, 2, 1], seed=4)
    d = nnmath.explain(net, [1.0, 2.0], [0], "W1[1,0]")
    slopes = [v for k, v in d.values.items() if k[0] == "slopes"]
    bounds = [v for k, v in d.values.items() if k[0] == "bound"]
    assert slopes and bounds == [0.0625]
    assert all(0 < s <= 0.0625 for s in slopes)


def test_explain_never_changes_the_network():
    net = nnmath.Network([2, 3, 1], seed=0)
    before = {k: v.copy() for k, v in net.state().items()}
    nnmath.explain(net, [[1.0, 0.0], [0.0, 1.0]], [1, 0], "W2[1,0]", learning_rate=5.0)
    assert all(np.array_equal(before[k], v) for k, v in net.state().items())
    assert net.classes_ is None


def test_float32_networks_are_explained_in_float64():
    net = nnmath.Network([2, 2, 1], seed=0, dtype=np.float32)
    d = nnmath.explain(net, [1.0, 0.5], [1], "W1[0,0]")
    assert d.summary["grad"] == pytest.approx(d.summary["fd"], rel=1e-6)
    assert d.summary["backprop"] == pytest.approx(d.summary["grad"], rel=1e-5)


@pytest.mark.parametrize("name,message", [
    ("W3[0,0]", "the network has layers 1 to 2"),
    ("W1[2,0]", "W1 has shape (2, 3), so j is 0..1 and k is 0..2"),
    ("b2[1]", "b2 has 1 entry, k is 0..0"),
    ("W1", "give one entry, e.g. W1[0,0]"),
    ("W1[0]", "a weight needs two indices"),
    ("b1[0,0]", "a bias needs one index"),
    ("V1[0,0]", "names look like W1[0,0]"),
])
def test_bad_parameter_names_say_what_is_valid(name, message):
    net = nnmath.Network([2, 3, 1], seed=0)
    with pytest.raises(NNMathError, match=re.escape(message)):
        nnmath.explain(net, [1.0, 0.0], [1], name)


def test_networks_it_does_not_cover_are_refused_by_name():
    for options, what in (({"batchnorm": True}, "batch normalisation"), ({"residual": True}, "residual"),
                          ({"dropout": 0.5}, "dropout")):
        net = nnmath.Network([2, 2, 2, 1], seed=0, **options)
        with pytest.raises(NNMathError, match=f"uses {what}.*derivations cover plain feed-forward networks"):
            nnmath.explain(net, [1.0, 0.0], [1], "W1[0,0]")
        with pytest.raises(NNMathError, match=what):
            nnmath.explain_step(net, [[1.0, 0.0]], [1])


def test_too_many_samples_and_bad_labels_are_refused():
    net = nnmath.Network([2, 2, 1], seed=0)
    with pytest.raises(NNMathError, match="at most 8"):
        nnmath.explain(net, np.zeros((9, 2)), np.zeros(9, int), "W1[0,0]")
    with pytest.raises(NNMathError, match="one per sample"):
        nnmath.explain(net, np.zeros((2, 2)), [1], "W1[0,0]")
    with pytest.raises(NNMathError, match="class indices 0..1"):
        nnmath.explain(net, [1.0, 0.0], [5], "W1[0,0]")


def test_bad_numbers_for_the_step_are_refused_with_their_name():
    net = nnmath.Network([2, 2, 1], seed=0)
    with pytest.raises(NNMathError, match="the learning rate must be a positive number, got '0.1'"):
        nnmath.explain(net, [1.0, 0.0], [1], "W1[0,0]", learning_rate="0.1")
    with pytest.raises(NNMathError, match="the learning rate must be a positive number, got '0.1'"):
        nnmath.explain_step(net, [[1.0, 0.0]], [1], learning_rate="0.1")
    with pytest.raises(NNMathError, match="eps must be a positive number, got 0"):
        nnmath.explain(net, [1.0, 0.0], [1], "W1[0,0]", eps=0)


def test_labels_in_every_shape_the_engine_takes_are_explained_with_the_engines_gradient():
    X = np.random.default_rng(0).standard_normal((3, 2))
    binary = nnmath.Network([2, 2, 1], seed=0)
    multilabel = nnmath.Network([2, 3, 3], output="sigmoid", seed=0)
    for net, y in ((binary, np.array([[1], [0], [1]])),  # a column of labels
                   (multilabel, np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]]))):  # a row of 0/1 labels per sample
        d = nnmath.explain(net, X, y, "W1[0,1]")
        assert d.summary["grad"] == pytest.approx(net.gradients(X, y).weights[0][0, 1], rel=1e-12)
        assert nnmath.explain_step(net, X, y).title.startswith("One gradient-descent step")
    one = nnmath.explain(multilabel, X[:1], [1, 0, 1], "b2[2]")  # one sample's labels as a flat row
    assert one.summary["grad"] == pytest.approx(multilabel.gradients(X[:1], [[1, 0, 1]]).biases[1][2], rel=1e-12)


def test_the_vanishing_gradient_paragraph_speaks_of_the_activations_on_the_chain():
    x = np.random.default_rng(0).standard_normal((1, 2))

    def closing(activation):
        text = nnmath.explain(nnmath.Network([2, 3, 3, 1], activation=activation, seed=0), x, [1], "W1[0,0]").to_text()
        return " ".join(text.split("Activation derivatives on the chain")[1].split())

    assert "shrinks by at least 75% per sigmoid layer" in closing("sigmoid")
    relu = closing("relu")  # a relu network is not told that its layers shrink the error by 75%
    assert "75%" not in relu and "relu at most 1" in relu and "depends on the weights" in relu
    assert "switched off" not in closing("tanh")  # a tanh unit's slope is never 0
    mixed = closing(["sigmoid", "tanh"])
    assert "75% per sigmoid layer" in mixed and "larger slopes (tanh at most 1)" in mixed


def test_a_batch_derivation_writes_each_samples_chain_for_its_own_error():
    """E is the mean of the E^(i): the chain rule and ∂E/∂ŷ of one sample are those of E^(i), and
    the result is their mean, so no line may call one sample's derivative ∂E/∂... ."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    text = nnmath.explain(nnmath.Network([2, 2, 1], seed=0), X, [1, 1, 0, 0], "W2[1,0]").to_text()
    chain = text[text.index("3. The chain rule"):text.index("5.")]
    assert "∂E⁽ⁱ⁾/∂W²[1,0] = δ²[0] · a¹[1]" in chain and "∂E⁽²⁾/∂ŷ[0] = " in chain
    assert "∂E/∂" not in chain.replace("∂E/∂ŷ = (ŷ - y)", "")  # only the general remark on the output pair
    one = nnmath.explain(nnmath.Network([2, 2, 1], seed=0), X[:1], [1], "W2[1,0]").to_text()
    assert "∂E/∂W²[1,0] = δ²[0] · a¹[1]" in one and "⁽" not in one


def test_the_values_of_a_softmax_derivation_are_the_ones_it_prints():
    net = nnmath.Network([2, 3, 3], seed=0)
    d = nnmath.explain(net, [[1.0, 0.0]], [2], "W2[0,1]")
    assert not any(key[0] in ("dE_dyhat", "dyhat_dz") for key in d.values)  # softmax prints δ = ŷ - y alone
    assert d.values[("delta", 0, 2, 2)] == pytest.approx(d.values[("a", 0, 2, 2)] - 1)


def test_a_bias_deep_in_a_wide_network_is_explained_in_the_delta_form():
    net = nnmath.Network([2, 12, 12, 12, 1], seed=0)  # 12^3 paths from b1[0]: the recursive δ form
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    d = nnmath.explain(net, X, [1, 1, 0], "b1[0]")
    assert d.summary["grad"] == pytest.approx(net.gradients(X, [1, 1, 0]).biases[0][0], rel=1e-12)
    text = d.to_text()
    assert "(layer h)" in text and "(1/3)(" in text


@pytest.mark.parametrize("digits", [0, 18, 2.5, "4"])
def test_digits_must_be_a_whole_number_from_1_to_17(digits):
    net = nnmath.Network([2, 2, 1], seed=0)
    with pytest.raises(NNMathError, match="digits must be a whole number from 1 to 17"):
        nnmath.explain(net, [1.0, 0.0], [1], "W1[0,0]", digits=digits)
    with pytest.raises(NNMathError, match="digits must be a whole number from 1 to 17"):
        nnmath.explain_step(net, [[1.0, 0.0]], [1], digits=digits)


def test_the_closing_paragraph_agrees_with_a_gradient_that_did_not_shrink():
    """Issue 15 item 6: large weights carry the error back undiminished; the paragraph after the
    ratio must not then say the gradient shrank by at least 75% per sigmoid layer."""
    from nnmath.derivations.render import format_number

    net = nnmath.Network([2, 3, 1], seed=0)
    net.weights[1][...] = 6.0  # every path back through layer 2 is multiplied by 6
    d = nnmath.explain(net, np.array([[0.3, -0.2]]), [1], "W1[0,0]")
    ratio = d.values[("shrink", 0)]
    assert ratio > 0.25  # the numbers show it: more than S' alone allows
    closing = " ".join(d.to_text().split("Activation derivatives on the chain")[1].split())
    assert "the weights made up for the slopes" in closing
    assert f"arrived {format_number(ratio)} times as large, more than the 0.25" in closing
    assert "(and by a weight): with weights of moderate size the gradient shrinks" not in closing


def test_the_softplus_slope_says_which_number_it_is_written_with():
    """softplus'(z) = S(z) is printed with a = softplus(z), not z: the line used to jump from S(z¹[1])
    to 1 - e^(-0.4652), 0.4652 being a¹[1] (S(0.4652) is not 0.372)."""
    net = nnmath.Network([2, 2, 1], activation="softplus", seed=3)
    d = nnmath.explain(net, [0.5, -1.0], [1], "W1[1,1]")
    a, z = d.values[("a", 0, 1, 1)], d.values[("z", 0, 1, 1)]
    line = next(l for l in d.to_text().splitlines() if l.strip().startswith("∂a¹[1]/∂z¹[1] = "))
    assert f"S(z¹[1]) = 1 - e^(-softplus(z¹[1])) = 1 - e^(-{a:.4g}) = " in line
    assert 1 - np.exp(-a) == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-12)
