"""The compiled loops' vectorised sigmoid (engine/compiled/sigmoid.py) against the textbook S(z)."""
import numpy as np
import pytest

from nnmath.engine.compiled.sigmoid import sigmoid


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
