"""The compiled loops' vectorised sigmoid and softmax (engine/compiled/sigmoid.py) against the textbook ones."""
import numpy as np
import pytest

from nnmath.engine.compiled.sigmoid import sigmoid, softmax


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_it_is_the_textbook_sigmoid_to_a_few_units_in_the_last_place(dtype):
    z = np.random.default_rng(0).standard_normal((64, 37)).astype(dtype) * 12  # |z| up to ~50
    a, scratch = np.empty_like(z), np.empty_like(z)
    sigmoid(z, a, scratch)
    exact = 1 / (1 + np.exp(-z.astype(np.longdouble)))
    ulp = np.spacing(exact.astype(dtype))
    assert a.dtype == dtype
    assert np.max(np.abs(a - exact) / ulp) <= 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_it_saturates_and_keeps_nan(dtype):
    top = np.finfo(dtype).max
    z = np.array([[np.nan, np.inf, -np.inf, top, -top, 0.0, 30.0, -30.0]], dtype=dtype)
    a, scratch = np.empty_like(z), np.empty_like(z)
    sigmoid(z, a, scratch)
    assert np.isnan(a[0, 0])
    np.testing.assert_array_equal(a[0, 1:6], [1, 0, 1, 0, 0.5])
    np.testing.assert_allclose(a[0, 6:], 1 / (1 + np.exp(-z[0, 6:].astype(np.float64))), rtol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("width", [1, 3, 10, 37])
def test_the_softmax_is_the_textbook_one_to_a_few_units_in_the_last_place(dtype, width):
    z = (np.random.default_rng(width).standard_normal((50, width)) * 15).astype(dtype)
    a, scratch = np.empty_like(z), np.empty_like(z)
    softmax(z, a, scratch)
    # z - max z is rounded to the dtype first, as every softmax in that dtype (the engine's, PyTorch's) rounds it
    e = np.exp((z - z.max(axis=1, keepdims=True)).astype(np.longdouble))
    exact = e / e.sum(axis=1, keepdims=True)
    ulp = np.spacing(exact.astype(dtype))
    assert a.dtype == dtype
    # e^x within 2 units in the last place, the division half a unit, the row's sum (width - 1) units at most
    assert np.max(np.abs(a - exact) / np.maximum(ulp, np.finfo(dtype).tiny)) <= 2.5 + (width - 1)
    np.testing.assert_allclose(a.sum(axis=1), 1, rtol=8 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_softmax_keeps_nan_and_infinity_as_the_engine_does(dtype):
    """A NaN or +∞ in a row makes the row NaN (∞ - ∞), a -∞ gives 0, a gap past the float range 0."""
    big = np.finfo(dtype).max
    z = np.array([[np.nan, 0.0, 1.0], [np.inf, 0.0, 1.0], [-np.inf, 0.0, 0.0], [big, 0.0, -big], [1.0, 2.0, 3.0]], dtype)
    a, scratch = np.empty_like(z), np.empty_like(z)
    softmax(z, a, scratch)
    assert np.isnan(a[0]).all() and np.isnan(a[1]).all()
    np.testing.assert_array_equal(a[2], [0, 0.5, 0.5])
    np.testing.assert_array_equal(a[3], [1, 0, 0])
    e = np.exp(np.array([1.0, 2.0, 3.0]) - 3)
    np.testing.assert_allclose(a[4], e / e.sum(), rtol=4 * np.finfo(dtype).eps)
