"""The speed-ups of the training step keep the math: each fast form against the plain formula."""
import numpy as np
import pytest

from nnmath import Network
from nnmath.engine import losses
from nnmath.engine.layers import product


@pytest.mark.parametrize("shapes", [((5, 1), (1, 3)), ((1, 4), (4, 2)), ((3, 4), (4, 2)), ((1, 1), (1, 1))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_product_is_the_matrix_product_in_the_same_dtype(shapes, dtype, rng):
    A, B = (rng.standard_normal(s).astype(dtype) for s in shapes)
    expected = np.einsum("ik,kj->ij", A.astype(np.float64), B.astype(np.float64))
    got = product(A, B)
    assert got.dtype == dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_one_sample_weight_gradient_is_the_outer_product_of_input_and_delta(rng):
    """∂E/∂W^l = (a^{l-1})^T δ^l / m with m = 1 is the outer product a^{l-1} ⊗ δ^l."""
    net = Network([6, 4, 3], seed=1, dtype=np.float32)
    x = rng.standard_normal((1, 6)).astype(np.float32)
    g = net.gradients(x, [2])
    trace = net.forward(x)
    for l, a_prev in enumerate(trace.activations[:-1]):
        np.testing.assert_allclose(g.weights[l], np.outer(a_prev[0], g.deltas[l][0]), rtol=1e-6)
        np.testing.assert_allclose(g.biases[l], g.deltas[l][0], rtol=1e-6)


def test_bias_gradient_is_the_mean_delta_and_weight_gradient_divides_by_m(rng):
    net = Network([5, 3, 1], seed=2)
    X = rng.standard_normal((7, 5))
    g = net.gradients(X, rng.integers(0, 2, 7))
    a0 = net.forward(X).activations[0]
    np.testing.assert_allclose(g.biases[0], g.deltas[0].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(g.weights[0], a0.T @ g.deltas[0] / 7, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_through_a_training_step(dtype, rng):
    """No silent upcast: every z, a, δ and ∂E/∂θ of a step has the network's dtype."""
    for sizes in ([4, 3, 1], [4, 5, 3]):
        net = Network(sizes, seed=0, dtype=dtype)
        X = rng.standard_normal((8, 4)).astype(dtype)
        trace = net.forward(X, train=True)
        g = net.backward(trace, net.encode(rng.integers(0, sizes[-1] if sizes[-1] > 1 else 2, 8)))
        arrays = [t.z for t in trace.layers] + [t.a for t in trace.layers] + g.deltas + g.parameters()
        assert {a.dtype for a in arrays} == {np.dtype(dtype)}
        assert isinstance(g.loss, float)


def test_softplus_and_the_cross_entropies_match_their_textbook_forms(rng):
    z = rng.standard_normal((6, 1)) * 30
    np.testing.assert_allclose(losses.softplus(z), np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0), rtol=1e-12)
    y = rng.integers(0, 2, (6, 1)).astype(float)
    s = 1 / (1 + np.exp(-z / 30))
    textbook = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))
    assert losses.binary_cross_entropy(z / 30, s, y) == pytest.approx(textbook, rel=1e-12)
    Z = rng.standard_normal((5, 4))
    Y = np.eye(4)[rng.integers(0, 4, 5)]
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert losses.categorical_cross_entropy(Z, P, Y) == pytest.approx(-np.mean(np.log(P[Y == 1])), rel=1e-12)
