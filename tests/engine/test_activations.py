"""Each activation against its formula, its derivative against a finite difference, its bound."""
import numpy as np
import pytest

from nnmath.engine import activations
from nnmath.errors import NNMathError

Z = np.linspace(-6, 6, 241)
# Each registry entry's textbook form: the plain definition, written apart from its f.
FORMULAS = {name: f.textbook for name, f in activations.ACTIVATIONS.items()}


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_value_matches_formula(name):
    np.testing.assert_allclose(activations.get(name).f(Z), FORMULAS[name](Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_derivative_matches_finite_difference(name):
    act = activations.get(name)
    z = Z[np.abs(Z) > 1e-3]  # away from the kink of relu / leaky relu
    eps = 1e-6
    numeric = (FORMULAS[name](z + eps) - FORMULAS[name](z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(z, act.f(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_bound_is_the_supremum_of_the_derivative(name):
    act = activations.get(name)
    z = np.linspace(-50, 50, 200001)
    d = act.derivative(z, act.f(z))
    assert np.max(np.abs(d)) <= act.bound + 1e-12
    assert np.max(np.abs(d)) >= act.bound - 1e-6  # reached (sigmoid at z = 0, relu for z > 0, ...)


def test_sigmoid_derivative_bound_is_a_quarter_at_zero():
    act = activations.get("sigmoid")
    assert act.bound == 0.25
    assert act.derivative(np.array([0.0]), act.f(np.array([0.0])))[0] == 0.25


# sigmoid has two forms: expit for arrays of up to ONE_CALL_SIGMOID numbers, the tanh form above.
BOTH_FORMS = [1, activations.ONE_CALL_SIGMOID // 9 + 1]  # copies of a 9-number array: 9 and > 512 numbers


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("copies", BOTH_FORMS)
def test_sigmoid_is_stable_for_huge_inputs(dtype, copies):
    z = np.tile(np.array([-1e4, -1000, -88.8, -40, 0, 40, 88.8, 1000, 1e4], dtype=dtype), (copies, 1))
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # any overflow or invalid operation raises
        a = activations.sigmoid(z)
        d = activations.sigmoid_derivative(z, a)
    assert a.dtype == dtype and d.dtype == dtype
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    assert np.all(a[:, 0] == 0.0) and np.all(a[:, -1] == 1.0) and np.all(a[:, 4] == 0.5)
    assert np.all(np.diff(a, axis=1) >= 0)


@pytest.mark.parametrize("dtype, tolerance", [(np.float32, 2e-7), (np.float64, 1e-15)])
def test_both_sigmoid_forms_give_the_formula_to_the_last_digits(dtype, tolerance):
    z = np.linspace(-30, 30, 1201).astype(dtype)
    exact = 1 / (1 + np.exp(-z.astype(np.longdouble)))
    small = np.concatenate([activations.sigmoid(part) for part in np.array_split(z, 4)])  # 300 numbers each
    large = activations.sigmoid(z)
    assert z.size > activations.ONE_CALL_SIGMOID >= 300
    for a in (small, large):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, exact, rtol=0, atol=tolerance)  # absolute: what a layer above sees


def test_softmax_rows_sum_to_one_and_never_overflow():
    z = np.array([[1e4, 0.0, -1e4], [1.0, 2.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = activations.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p[1], e / e.sum())
    assert p[0, 0] == 1.0


def test_unknown_activation_names_the_valid_ones():
    with pytest.raises(NNMathError, match="sigmoid, tanh"):
        activations.get("swish")
