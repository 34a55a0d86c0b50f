"""The seed's math, worked by hand, in the manner of a textbook example.

Every expected number below is derived in the comments from the seed's equations, not taken
from nnmath's output.
"""
import math

import numpy as np
import pytest

import nnmath


def S(z):
    return 1 / (1 + math.exp(-z))


def test_one_neuron_gradient_is_minus_y_minus_y_hat_times_x():
    # One sigmoid neuron, one point P1 with features x = (1, 2), label y = 1.
    # W = (0.5, -0.25), b = 0.1
    # z = W·x + b = 0.5·1 - 0.25·2 + 0.1 = 0.1
    # ŷ = S(0.1) = 1 / (1 + e^-0.1) = 0.52497918747894...
    # E = -[y ln ŷ + (1 - y) ln(1 - ŷ)] = -ln 0.52497918747894 = 0.64439666...
    # ∂E/∂Wj = -(y - ŷ)·xj  ->  ∂E/∂W1 = -(1 - 0.524979)·1 = -0.475021
    #                           ∂E/∂W2 = -(1 - 0.524979)·2 = -0.950042
    # ∂E/∂b  = -(y - ŷ)      = -0.475021
    net = nnmath.Network([2, 1], seed=0)
    net.weights = [np.array([[0.5], [-0.25]])]
    net.biases = [np.array([0.1])]
    g = net.gradients(np.array([[1.0, 2.0]]), np.array([1]))
    y_hat = S(0.1)
    assert y_hat == pytest.approx(0.52497918747894, abs=1e-13)
    assert g.loss == pytest.approx(0.64439666, abs=1e-8)
    assert g.loss == pytest.approx(-math.log(y_hat), rel=1e-13)
    np.testing.assert_allclose(g.weights[0][:, 0], [-(1 - y_hat) * 1, -(1 - y_hat) * 2], rtol=1e-13)
    np.testing.assert_allclose(g.weights[0][:, 0], [-0.475021, -0.950042], atol=1e-6)
    assert g.biases[0][0] == pytest.approx(-(1 - y_hat), rel=1e-13)


def test_one_neuron_over_m_points_averages_the_per_point_gradients():
    # E is the mean over the m points, so ∂E/∂Wj = -(1/m) Σ_i (y_i - ŷ_i) x_ij.
    r = np.random.default_rng(3)
    X, y = r.standard_normal((5, 3)), np.array([1, 0, 0, 1, 1])
    net = nnmath.Network([3, 1], seed=4)
    W, b = net.weights[0][:, 0], net.biases[0][0]
    y_hat = np.array([S(float(x @ W + b)) for x in X])
    g = net.gradients(X, y)
    np.testing.assert_allclose(g.weights[0][:, 0], -((y - y_hat) @ X) / 5, rtol=1e-12)
    assert g.biases[0][0] == pytest.approx(-np.mean(y - y_hat), rel=1e-12)


def test_one_gradient_descent_step_of_a_two_layer_sigmoid_network():
    # Network [2, 2, 1], sigmoid everywhere, cross-entropy, one point x = (1, 2) with y = 1,
    # learning rate α = 1.
    #   W1 = [[0.2, -0.4], [-0.1, 0.2]], b1 = (0, 0), W2 = [[0.6], [-0.6]], b2 = 0
    # Forward:
    #   z1 = x W1 + b1 = (0.2 - 0.2, -0.4 + 0.4) = (0, 0);   a1 = S(z1) = (0.5, 0.5)
    #   z2 = a1 W2 + b2 = 0.3 - 0.3 = 0;                    ŷ = S(0) = 0.5
    #   E = -ln 0.5 = ln 2 = 0.693147
    # Backward:
    #   δ2 = ŷ - y = -0.5                                  (S' cancels against cross-entropy)
    #   ∂E/∂W2 = a1ᵀ δ2 = (-0.25, -0.25)ᵀ,  ∂E/∂b2 = -0.5
    #   δ1 = (δ2 W2ᵀ) ⊙ S'(z1) = -0.5·(0.6, -0.6)·0.25 = (-0.075, 0.075)   (S'(0) = 0.25, the bound)
    #   ∂E/∂W1 = xᵀ δ1 = [[-0.075, 0.075], [-0.15, 0.15]],  ∂E/∂b1 = (-0.075, 0.075)
    # Step W ← W - α ∂E/∂W:
    #   W1 = [[0.275, -0.475], [0.05, 0.05]], b1 = (0.075, -0.075), W2 = [[0.85], [-0.35]], b2 = 0.5
    # New error:
    #   z1 = (0.275 + 0.1 + 0.075, -0.475 + 0.1 - 0.075) = (0.45, -0.45)
    #   z2 = 0.85 S(0.45) - 0.35 S(-0.45) + 0.5 = 0.882767...;  E = -ln S(z2) = 0.34617... < ln 2
    X, y = np.array([[1.0, 2.0]]), np.array([1])
    net = nnmath.Network([2, 2, 1], seed=0)
    net.weights = [np.array([[0.2, -0.4], [-0.1, 0.2]]), np.array([[0.6], [-0.6]])]
    net.biases = [np.zeros(2), np.zeros(1)]

    g = net.gradients(X, y)
    assert g.loss == pytest.approx(math.log(2), rel=1e-14)
    np.testing.assert_allclose(g.deltas[1], [[-0.5]])
    np.testing.assert_allclose(g.weights[1], [[-0.25], [-0.25]], rtol=1e-14)
    np.testing.assert_allclose(g.deltas[0], [[-0.075, 0.075]], rtol=1e-14)
    np.testing.assert_allclose(g.weights[0], [[-0.075, 0.075], [-0.15, 0.15]], rtol=1e-14)

    history = net.fit(X, y, epochs=1, learning_rate=1.0)  # one full-batch step
    assert history.loss == [pytest.approx(math.log(2), rel=1e-14)]  # E before the step
    np.testing.assert_allclose(net.weights[0], [[0.275, -0.475], [0.05, 0.05]], rtol=1e-14)
    np.testing.assert_allclose(net.biases[0], [0.075, -0.075], rtol=1e-14)
    np.testing.assert_allclose(net.weights[1], [[0.85], [-0.35]], rtol=1e-14)
    np.testing.assert_allclose(net.biases[1], [0.5], rtol=1e-14)
    z2 = 0.85 * S(0.45) - 0.35 * S(-0.45) + 0.5
    assert z2 == pytest.approx(0.882767, abs=1e-6)
    new_E = net.error(X, y)
    assert new_E == pytest.approx(-math.log(S(z2)), rel=1e-13)
    assert new_E == pytest.approx(0.34617, abs=1e-5)
    assert new_E < math.log(2)
