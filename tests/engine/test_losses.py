"""Losses against their textbook formulas, computed from logits so saturation stays finite."""
import numpy as np
import pytest

from nnmath import Network
from nnmath.engine import activations, losses


def test_binary_cross_entropy_is_the_seeds_E():
    z = np.array([[2.0], [-1.0], [0.5]])
    y = np.array([[1.0], [0.0], [0.0]])
    y_hat = 1 / (1 + np.exp(-z))
    seed_E = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert losses.binary_cross_entropy(z, y_hat, y) == pytest.approx(seed_E, rel=1e-12)


def test_categorical_cross_entropy_matches_minus_log_probability():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    y = np.array([[0, 1, 0], [1, 0, 0]], dtype=float)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -(np.log(p[0, 1]) + np.log(p[1, 0])) / 2
    assert losses.categorical_cross_entropy(z, p, y) == pytest.approx(expected, rel=1e-12)


def test_mean_squared_error_has_the_half():
    y_hat = np.array([[1.0, 2.0], [3.0, 5.0]])
    y = np.array([[0.0, 2.0], [3.0, 3.0]])
    assert losses.mean_squared_error(y_hat, y_hat, y) == pytest.approx((1 + 4) / 2 / 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_outputs_give_finite_loss_and_gradient(dtype):
    """ŷ = S(±1e4) is exactly 0 or 1, yet E and ∂E/∂z stay finite (and right)."""
    net = Network([1, 1], seed=0, dtype=dtype)
    net.weights = [np.array([[1.0]])]
    X = np.array([[1e4], [-1e4], [1e4]], dtype=dtype)
    y = np.array([0, 1, 1])  # two badly wrong, one right
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        g = net.gradients(X, y)
    assert np.isfinite(g.loss) and g.loss == pytest.approx((1e4 + 1e4 + 0) / 3, rel=1e-6)
    assert np.all(np.isfinite(g.weights[0])) and np.all(np.isfinite(g.biases[0]))
    np.testing.assert_allclose(g.deltas[0][:, 0], [1.0, -1.0, 0.0])  # δ = ŷ - y


def test_softmax_logits_of_1e4_give_finite_loss():
    net = Network([2, 3], seed=0)
    net.weights = [np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]])]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        g = net.gradients(np.array([[1e4, 0.0]]), np.array([2]))
    assert g.loss == pytest.approx(2e4, rel=1e-9)
    assert np.all(np.isfinite(g.weights[0]))


def test_squared_error_behind_a_sigmoid_keeps_the_derivative_factor():
    """Only squared error behind a squashing output keeps f'(z): δ = (ŷ - y) S'(z)."""
    z = np.array([[0.3], [-2.0]])
    y = np.array([[1.0], [0.0]])
    s = activations.get("sigmoid")
    y_hat = s.f(z)
    delta = losses.get("mse", "sigmoid").output_delta(z, y_hat, y, s)
    np.testing.assert_allclose(delta, (y_hat - y) * y_hat * (1 - y_hat))
    ce = losses.get("cross_entropy", "sigmoid").output_delta(z, y_hat, y, s)
    np.testing.assert_allclose(ce, y_hat - y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_confident_right_answers_give_a_tiny_non_negative_loss(dtype):
    """E_i = softplus(z) - y z is subtracted per sample before summing: summing the two terms
    first would cancel catastrophically (|z| ~ 30: errors of ±1e-6 in float32, even below 0)."""
    rng = np.random.default_rng(0)
    for n in (4096, 4096, 4096, 60000, 60000, 60000):  # the summed-first form failed in 2 of these 6 draws
        z = rng.uniform(20, 40, (n, 1)).astype(dtype) * np.where(rng.random((n, 1)) < 0.5, -1, 1).astype(dtype)
        y = (z > 0).astype(dtype)  # every answer right and confident
        E = losses.binary_cross_entropy(z, None, y)
        exact = float(np.mean(np.log1p(np.exp(-np.abs(z.astype(np.float64))))))  # softplus(-|z|), ~1e-10
        assert 0.0 <= E <= exact + 1e-12
    Z = np.zeros((4096, 3), dtype)
    Z[np.arange(4096), rng.integers(0, 3, 4096)] = 30
    E = losses.categorical_cross_entropy(Z, None, (Z > 0).astype(dtype))
    assert 0.0 <= E <= 1e-12
