"""explain_step(): one worked gradient-descent step; every printed number recomputed by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnmath
from nnmath.errors import NNMathError
from test_explain import HIDDEN, OUTPUTS, Reference, assert_no_hidden_numbers, labels_for, printed_keys


def expected_step(ref: Reference, key, alpha):
    """Step quantities by hand: gradients as means over samples, the new weights, the new error."""
    name, rest, m = key[0], key[1:], len(ref.X)
    gW = [None] + [ref.a[l - 1].T @ ref.delta[l] / m for l in range(1, ref.L + 1)]
    gb = [None] + [ref.delta[l].mean(axis=0) for l in range(1, ref.L + 1)]
    new_Ws = [None] + [ref.Ws[l] - alpha * gW[l] for l in range(1, ref.L + 1)]
    new_bs = [None] + [ref.bs[l] - alpha * gb[l] for l in range(1, ref.L + 1)]
    if name in ("gW", "gb", "newW", "newb"):
        arrays = {"gW": gW, "gb": gb, "newW": new_Ws, "newb": new_bs}[name]
        return arrays[rest[0]][rest[1:]]
    _, a, E = ref.forward(new_Ws, new_bs)
    if name == "new_yhat":
        return a[-1][rest]
    if name == "E_new_s":
        return E[rest[0]]
    if name == "E_new":
        return E.mean()
    if name == "backprop_diff":
        return 0.0
    return ref.expected(key, alpha)


@pytest.mark.parametrize("seed", range(8))
def test_every_printed_number_of_a_step_is_recomputed_by_hand(seed):
    rng = np.random.default_rng(seed)
    output, loss, n_out = OUTPUTS[seed % 4]
    depth = seed % 3
    sizes = [2] + [int(rng.integers(1, 4)) for _ in range(depth)] + [n_out]
    hidden = [HIDDEN[(seed + i) % len(HIDDEN)] for i in range(depth)]
    net = nnmath.Network(sizes, activation=hidden, output=output, loss=loss, init="normal", seed=seed)
    m = int(rng.integers(1, 5))
    X, y = rng.standard_normal((m, 2)), labels_for(net, m, rng)
    d = nnmath.explain_step(net, X, y, learning_rate=0.7)
    ref = Reference(net, X, net.encode(y))
    for key in printed_keys(d):
        want = expected_step(ref, key, 0.7)
        assert d.values[key] == pytest.approx(want, rel=1e-9, abs=1e-12), key
    assert_no_hidden_numbers(d)
    # the step is the engine's: the new weights are W - α net.gradients
    g = net.gradients(X, y)
    for l, (W, gW) in enumerate(zip(net.weights, g.weights), 1):
        new = np.array([[d.values[("newW", l, j, k)] for k in range(W.shape[1])] for j in range(W.shape[0])])
        np.testing.assert_allclose(new, W - 0.7 * gW, rtol=1e-12, atol=1e-14)


def test_one_neuron_step_by_hand():
    """x = 1, y = 1, W = 0.5, b = 0, α = 1: z = 0.5, ŷ = S(0.5), δ = ŷ - 1, W' = 0.5 - δ, b' = -δ."""
    net = nnmath.Network([1, 1], seed=0)
    net.weights = [np.array([[0.5]])]
    d = nnmath.explain_step(net, [[1.0]], [1], learning_rate=1.0)
    y_hat = 1 / (1 + math.exp(-0.5))
    delta = y_hat - 1
    assert d.values[("z", 0, 1, 0)] == pytest.approx(0.5)
    assert d.values[("E",)] == pytest.approx(-math.log(y_hat))
    assert d.values[("delta", 0, 1, 0)] == pytest.approx(delta)
    assert d.values[("newW", 1, 0, 0)] == pytest.approx(0.5 - delta)
    assert d.values[("newb", 1, 0)] == pytest.approx(-delta)
    new_y_hat = 1 / (1 + math.exp(-(0.5 - delta - delta)))
    assert d.values[("E_new",)] == pytest.approx(-math.log(new_y_hat))
    assert d.summary["E_new"] < d.summary["E"]
    text = d.to_text()
    for line in ("z¹ = a⁰ W¹ + b¹ = [0.5]", f"ŷ = a¹ = S(z¹) = [{y_hat:.4g}]", f"δ¹ = ŷ - y = [{delta:.4g}]",
                 f"W¹ ← W¹ - α ∂E/∂W¹ = [[{0.5 - delta:.4g}]]"):
        assert line in text


def test_the_network_changes_only_when_asked():
    X, y = [[1.0, 0.0], [0.0, 1.0]], [1, 0]
    net = nnmath.Network([2, 2, 1], seed=0)
    before = [W.copy() for W in net.weights]
    d = nnmath.explain_step(net, X, y, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights))
    nnmath.explain_step(net, X, y, 0.5, update=True)
    assert net.weights[0][1, 1] == pytest.approx(d.values[("newW", 1, 1, 1)])
    assert net.biases[1][0] == pytest.approx(d.values[("newb", 2, 0)])
    assert net.error(X, y) == pytest.approx(d.summary["E_new"])


def test_too_large_networks_and_batches_are_refused_with_the_limit():
    with pytest.raises(NNMathError, match=r"this network has 55 weights and biases, the limit is 40"):
        nnmath.explain_step(nnmath.Network([2, 8, 3, 1], seed=0), [[0.0, 1.0]], [1])
    with pytest.raises(NNMathError, match="at most 8 samples, not 9"):
        nnmath.explain_step(nnmath.Network([2, 2, 1], seed=0), np.zeros((9, 2)), np.zeros(9, int))


def test_the_backprop_comparison_covers_the_biases_too(monkeypatch):
    """"Backpropagation gives the same gradients; the largest difference is @" compared ∂E/∂W only:
    a wrong ∂E/∂b from net.backward still printed 0."""
    net = nnmath.Network([2, 2, 1], seed=0)
    X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, 0])
    right = nnmath.explain_step(net, X, y)
    assert right.values[("backprop_diff",)] < 1e-15 and "gives the same gradients" in right.to_text()
    backward = type(net).backward

    def wrong_bias(self, trace, Y):
        gradients = backward(self, trace, Y)
        gradients.biases[0][...] += 0.25
        return gradients

    monkeypatch.setattr(type(net), "backward", wrong_bias)
    d = nnmath.explain_step(net, X, y)
    assert d.values[("backprop_diff",)] == pytest.approx(0.25)
    text = " ".join(d.to_text().split())
    assert "gives other gradients, beyond rounding; the largest difference is 0.25." in text


def test_a_float32_networks_backprop_agrees_to_its_rounding():
    net = nnmath.Network([2, 3, 2], output="softmax", dtype="float32", seed=1)
    d = nnmath.explain_step(net, np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0, 1]))
    assert 0 < d.values[("backprop_diff",)] < 1e-6 and "gives the same gradients" in d.to_text()
