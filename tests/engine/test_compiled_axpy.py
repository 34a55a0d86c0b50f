"""θ ← θ - α g through NumPy's own BLAS (engine/compiled/axpy.py), and the blas steps without it."""
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import nnmath
from nnmath.engine.compiled import axpy
from nnmath.engine.compiled import epoch as compiled_epoch


def numpy_ships_openblas() -> bool:
    folder = Path(np.__file__).resolve().parent
    return any(lib.get("internal_api") == "openblas" and folder.parent / "numpy.libs" == Path(lib["filepath"]).resolve().parent
               for lib in threadpool_info())


def test_numpy_wheels_openblas_is_found():
    """The wheels the tests install carry OpenBLAS in numpy.libs; its axpy must be found, or the
    blas steps would fall back to the loop without anyone noticing."""
    assert numpy_ships_openblas()
    assert axpy.update_for(np.float32) is not None and axpy.update_for(np.float64) is not None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [3, 235_146])  # one thread; long enough that OpenBLAS splits it between its threads
def test_the_update_is_theta_minus_alpha_g(dtype, n):
    r = np.random.default_rng(0)
    theta, g = r.standard_normal(n).astype(dtype), r.standard_normal(n).astype(dtype)
    expected = theta - dtype(0.01) * g
    axpy.update_for(dtype)(theta, g, 0.01)
    np.testing.assert_allclose(theta, expected, rtol=1e-6 if dtype == np.float32 else 1e-15, atol=1e-7)


def test_no_update_for_other_dtypes_or_without_numpys_openblas(monkeypatch):
    assert axpy.update_for(np.int64) is None
    axpy._update.cache_clear()
    monkeypatch.setattr(axpy, "_numpy_openblas", lambda: None)
    try:
        assert axpy.update_for(np.float32) is None
    finally:
        axpy._update.cache_clear()


def test_the_blas_steps_train_alike_with_and_without_blas_axpy(monkeypatch):
    """Where NumPy's BLAS has no axpy, the compiled loop's update takes its place: the same History and θ."""
    r = np.random.default_rng(1)
    X, y = r.standard_normal((300, 40)), r.integers(0, 3, 300)
    monkeypatch.setattr(compiled_epoch, "LARGEST_PRODUCT", -1)

    def train():
        net = nnmath.Network([40, 30, 3], seed=0)
        assert compiled_epoch.form(net, 32) == "blas steps"
        return net, net.fit(X, y, epochs=3, learning_rate=0.2, batch_size=32, seed=2)

    with_blas, h_blas = train()
    monkeypatch.setattr(axpy, "update_for", lambda dtype: None)
    without, h_loop = train()
    np.testing.assert_allclose(h_blas.loss, h_loop.loss, rtol=1e-12)
    np.testing.assert_allclose(h_blas.grad_norms, h_loop.grad_norms, rtol=1e-12)
    np.testing.assert_allclose(with_blas.theta, without.theta, rtol=1e-12, atol=1e-14)
    assert h_loop.loss[-1] < h_loop.loss[0]
