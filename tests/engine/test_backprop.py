"""Backpropagation against central finite differences: every parameter, every activation x
loss, depths 1 to 5, float64, relative error below 1e-6."""
import numpy as np
import pytest

import nnmath
from nnmath.engine.activations import ACTIVATIONS

# (output, loss, number of output units, how to draw targets)
HEADS = {
    "sigmoid+bce": ("sigmoid", "cross_entropy", 1, lambda r, m: r.integers(0, 2, m)),
    "softmax+ce": ("softmax", "cross_entropy", 3, lambda r, m: np.r_[0, 1, 2, r.integers(0, 3, m - 3)]),
    "identity+mse": ("identity", "mse", 2, lambda r, m: r.standard_normal((m, 2))),
    "sigmoid+mse": ("sigmoid", "mse", 1, lambda r, m: r.integers(0, 2, m)),  # classification by squared error
}


def _case(activation, head, depth, seed):
    output, loss, n_out, draw_y = HEADS[head]
    r = np.random.default_rng(seed)
    sizes = [4] + [3] * (depth - 1) + [n_out]
    net = nnmath.Network(sizes, activation=activation, output=output, loss=loss, init="normal", seed=seed)
    for b in net.biases:  # non-zero biases, so that their gradients are exercised too
        b[...] = r.normal(0, 0.5, b.shape)
    X = r.standard_normal((6, 4))
    return net, X, draw_y(r, 6)


# Depth 1 has no hidden layer, so the hidden activation plays no part there: one case per head.
CASES = [(act, head, depth) for depth in range(1, 6) for head in HEADS for act in ACTIVATIONS
         if depth > 1 or act == "sigmoid"]


@pytest.mark.parametrize("activation,head,depth", CASES)
def test_every_gradient_matches_finite_differences(activation, head, depth):
    net, X, y = _case(activation, head, depth, seed=depth * 7 + len(head))
    check = nnmath.check_gradients(net, X, y, eps=1e-6, tolerance=1e-6)
    assert [r.name for r in check.rows] == net.parameter_names()
    assert all(r.max_gradient > 0 for r in check.rows)  # there is a gradient to compare
    assert check.passed, [(r.name, r.relative_error) for r in check.rows]


def test_the_check_catches_a_wrong_gradient():
    """A gradient check that cannot fail proves nothing: break backprop and watch it fail."""
    net, X, y = _case("sigmoid", "sigmoid+bce", 3, seed=1)
    sigmoid = net.layers[0].f
    broken = type(sigmoid)("broken", sigmoid.f, lambda z, a, out=None: a, sigmoid.bound, "", "")  # forgets (1 - a)
    net.layers[0].f = broken
    check = nnmath.check_gradients(net, X, y)
    assert not check.passed
    assert check.per_layer()[1] > 1e-2 and check.per_layer()[3] < 1e-6


def test_gradient_shapes_follow_the_network():
    net = nnmath.Network([5, 4, 3, 2], seed=0)
    g = net.gradients(np.zeros((7, 5)), np.array([0, 1, 0, 1, 1, 0, 0]))
    assert [w.shape for w in g.weights] == [(5, 4), (4, 3), (3, 2)]
    assert [b.shape for b in g.biases] == [(4,), (3,), (2,)]
    assert [d.shape for d in g.deltas] == [(7, 4), (7, 3), (7, 2)]
    assert g["W2"] is g.weights[1] and g["b3"] is g.biases[2]


def test_deltas_follow_the_backpropagation_equation():
    """δ^l = (δ^{l+1} W^{l+1 T}) ⊙ S'(z^l), and ∂E/∂W^l = a^{l-1 T} δ^l / m, checked layer by layer."""
    net, X, y = _case("sigmoid", "softmax+ce", 4, seed=3)
    trace = net.forward(X)
    g = net.backward(trace, net.encode(y))
    a = trace.activations
    for l in range(len(net.layers) - 1):
        S = a[l + 1]  # a^{l+1} = S(z^{l+1}) in Python's 0-based list
        expected = (g.deltas[l + 1] @ net.weights[l + 1].T) * S * (1 - S)
        np.testing.assert_allclose(g.deltas[l], expected, rtol=1e-12)
    for l in range(len(net.layers)):
        np.testing.assert_allclose(g.weights[l], a[l].T @ g.deltas[l] / len(X), rtol=1e-12)
        np.testing.assert_allclose(g.biases[l], g.deltas[l].mean(axis=0), rtol=1e-12)


def test_the_gradient_check_refuses_what_it_cannot_measure():
    X, y = np.random.default_rng(0).standard_normal((6, 2)), [0, 1] * 3
    # with dropout in training mode every evaluation of E draws new masks: a "failure" would be a lie
    with pytest.raises(nnmath.NNMathError, match="needs dropout 0"):
        nnmath.check_gradients(nnmath.Network([2, 3, 1], dropout=0.5), X, y, train=True)
    assert nnmath.check_gradients(nnmath.Network([2, 3, 1], dropout=0.5, seed=0), X, y).passed  # prediction mode
    with pytest.raises(nnmath.NNMathError, match="eps must be a positive number"):
        nnmath.check_gradients(nnmath.Network([2, 3, 1]), X, y, eps=0)
    with pytest.raises(nnmath.NNMathError, match="max_entries must be a whole number of at least 1"):
        nnmath.check_gradients(nnmath.Network([2, 3, 1]), X, y, max_entries=-1)


def test_a_batch_norm_network_passes_in_training_mode_where_its_biases_have_no_gradient():
    X = np.random.default_rng(0).standard_normal((8, 5))
    y = (X[:, 0] > 0).astype(int)
    net = nnmath.Network([5, 8, 8, 1], activation="tanh", seed=0, batchnorm=True)
    check = nnmath.check_gradients(net, X, y, train=True)
    biases = [r for r in check.rows if r.name in ("b1", "b2")]
    assert all(r.relative_error > 0.5 and r.max_abs_error < r.noise < 1e-7 for r in biases)  # noise, relative to 0
    assert check.passed
    wrong = nnmath.check_gradients(net, X, y, train=True)
    wrong.rows[0].max_abs_error, wrong.rows[0].relative_error = 1e-3, 1e-3  # a real difference is not noise
    assert not wrong.passed and not wrong.layer_passed(1) and wrong.layer_passed(3)


def test_a_finite_difference_step_beyond_1_is_refused_by_both_checks():
    """Found by the command-line fuzz tests: gradcheck --eps 1e308 overflowed inside E."""
    net = nnmath.Network([2, 3, 1], seed=0)
    with pytest.raises(nnmath.NNMathError, match="must be at most 1"):
        nnmath.check_gradients(net, [[1.0, 2.0]], [1], eps=1e308)
    with pytest.raises(nnmath.NNMathError, match="must be at most 1"):
        nnmath.explain(net, [1.0, 2.0], [1], "W1[0,0]", eps=2.0)
