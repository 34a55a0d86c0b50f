"""θ, every trainable number in one vector: W^l, b^l (γ^l, β^l) are views of it, ∂E/∂θ is laid
out the same way, and the link survives assignment, dtype changes, pickling and replacement."""
import copy
import pickle

import numpy as np
import pytest

import nnmath


def _is_view_of(array, theta):
    return array.base is theta and np.shares_memory(array, theta)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_every_parameter_is_a_view_of_theta_in_order(batchnorm):
    net = nnmath.Network([3, 4, 4, 2], batchnorm=batchnorm, seed=0)
    params = net.parameters()
    assert all(_is_view_of(p, net.theta) for p in params)
    assert net.theta.size == sum(p.size for p in params)
    # θ = (W¹, b¹, [γ¹, β¹,] W², ...): the pieces follow parameters() and parameter_names()
    np.testing.assert_array_equal(net.theta, np.concatenate([p.ravel() for p in params]))
    net.theta[:] = np.arange(net.theta.size)
    assert net.weights[0][0, 1] == 1.0  # W¹[0, 1] is θ's second number
    assert net.biases[0][0] == 12.0  # b¹ follows the 3 x 4 entries of W¹


def test_gradients_flat_is_dE_dtheta_laid_out_like_theta():
    rng = np.random.default_rng(1)
    net = nnmath.Network([3, 5, 3], batchnorm=True, seed=1)
    X, y = rng.standard_normal((8, 3)), rng.integers(0, 3, 8)
    grads = net.gradients(X, y, train=True)
    assert grads.flat is not None and grads.flat.shape == net.theta.shape
    np.testing.assert_array_equal(grads.flat, np.concatenate([g.ravel() for g in grads.parameters()]))
    assert all(_is_view_of(g, grads.flat) for g in grads.parameters())
    again = net.gradients(X, y, train=True)  # each call owns its arrays
    assert not np.shares_memory(again.flat, grads.flat)


def test_assigning_a_layer_writes_into_theta():
    net = nnmath.Network([2, 3, 1], seed=0)
    net.weights[1] = np.full((3, 1), 7.0)
    net.biases = [np.ones(3), np.full(1, 2.0)]
    assert _is_view_of(net.weights[1], net.theta)
    assert net.theta[-4:-1].tolist() == [7.0, 7.0, 7.0] and net.theta[-1] == 2.0
    assert net.theta[6:9].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("make_copy", [lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy,
                                       lambda n: n.astype(np.float32)])
def test_copies_and_dtype_changes_keep_the_link(make_copy):
    net = nnmath.Network([2, 3, 1], batchnorm=True, seed=0)
    before = [p.copy() for p in net.parameters()]
    other = make_copy(net)
    assert all(_is_view_of(p, other.theta) for p in other.parameters())
    for p, b in zip(other.parameters(), before):
        np.testing.assert_allclose(p, b, rtol=1e-6)
    if other is not net:
        assert not np.shares_memory(other.theta, net.theta)
    assert other.theta.dtype == other.dtype


def test_training_moves_every_layer_through_theta_even_after_a_layer_was_replaced():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 2)), rng.integers(0, 2, 40)
    net = nnmath.Network([2, 3, 1], seed=0)
    net.layers[0].W = np.asfortranarray(np.ones((2, 3)))  # a new array, not a view of θ
    net.fit(X, y, epochs=1, learning_rate=0.5, batch_size=None)
    assert all(_is_view_of(p, net.theta) for p in net.parameters())
    assert not np.allclose(net.weights[0], 1.0)  # W¹ was trained, not a stale copy
    # one full-batch step from the same start, taken by hand: θ ← θ - α ∂E/∂θ
    ref = nnmath.Network([2, 3, 1], seed=0)
    ref.weights[0] = np.ones((2, 3))
    step = ref.gradients(X, y)
    expected = ref.theta - 0.5 * step.flat
    np.testing.assert_allclose(net.theta, expected, rtol=1e-12, atol=1e-15)


def test_a_pickle_holds_the_numbers_once_and_a_shallow_copy_shares_theta():
    net = nnmath.Network([784, 256, 128, 10], seed=0)
    assert len(pickle.dumps(net)) < 1.1 * net.theta.nbytes  # θ is not pickled beside its pieces
    shallow = copy.copy(net)
    assert shallow.theta is net.theta  # shares the layers, so it shares θ; the original keeps its link
    net.weights[0][0, 0] = 5.0
    assert net.theta[0] == 5.0 and shallow.theta[0] == 5.0


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_an_optimizer_state_made_for_other_arrays_is_refused_in_one_clear_error(name):
    from nnmath.engine import optimizers
    from nnmath.errors import NNMathError

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    net = nnmath.Network([3, 4, 1], seed=0)
    opt = optimizers.get(name)
    opt.step(net.parameters(), net.gradients(X, y).parameters(), 0.1)  # state shaped per array
    with pytest.raises(NNMathError, match="state was made for other arrays"):
        net.fit(X, y, epochs=1, optimizer=opt)  # fit hands it θ, one vector
    fresh = optimizers.get(name)
    net.fit(X, y, epochs=2, optimizer=fresh)
    assert [v.shape for v in (fresh.velocity if name == "momentum" else fresh.m)] == [net.theta.shape]


def test_backward_follows_the_dtype_of_the_forward_pass():
    """A float32 network run forward on float64 inputs computes in float64; its gradients are
    float64 too (the flat ∂E/∂θ takes the pass's dtype, not θ's)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    net32 = nnmath.Network([3, 4, 1], seed=0, dtype=np.float32)
    grads = net32.backward(net32.forward(X), net32.encode(y))
    assert grads.flat.dtype == np.float64 and all(g.dtype == np.float64 for g in grads.parameters())
    reference = copy.deepcopy(net32).astype(np.float64).gradients(X, y)
    np.testing.assert_allclose(grads.flat, reference.flat, rtol=1e-6, atol=1e-9)
