"""Which BLAS threads the compiled epoch trains with (engine/compiled/epoch.py's blas_threads)."""
import numpy as np
from threadpoolctl import threadpool_info

import nnmath
from nnmath.engine.compiled import epoch as compiled_epoch


def blas_threads_now():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_small_products_train_on_one_thread_and_large_ones_on_the_libraries_own():
    compiled_epoch._blas_libraries()  # SciPy's BLAS loaded too, so that both libraries are counted
    before = blas_threads_now()
    small, large = nnmath.Network([30, 16, 1]), nnmath.Network([784, 256, 10])
    with compiled_epoch.blas_threads(small, 32):
        assert set(blas_threads_now()) == {1}
    assert blas_threads_now() == before
    assert 128 * 784 * 256 > compiled_epoch.LARGEST_PRODUCT
    with compiled_epoch.blas_threads(large, 128):
        assert blas_threads_now() == before


def test_a_large_network_forced_through_the_compiled_epoch_trains_as_the_numpy_engine():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((300, 784)).astype(np.float32), rng.integers(0, 10, 300)

    def train(engine):
        net = nnmath.Network([784, 256, 128, 10], seed=0, dtype=np.float32)
        return net, net.fit(X, y, epochs=2, learning_rate=0.05, batch_size=128, shuffle=False, engine=engine)

    (fast, h_fast), (ref, h_ref) = train("compiled"), train("numpy")
    np.testing.assert_allclose(h_fast.loss, h_ref.loss, rtol=2e-4)
    np.testing.assert_allclose(h_fast.grad_norms, h_ref.grad_norms, rtol=2e-4)
    np.testing.assert_allclose(fast.theta, ref.theta, rtol=2e-4, atol=2e-6)
