"""The Network's face: shapes, names in the seed's numbering, assignment, inits, saving state."""
import numpy as np
import pytest

import nnmath
from nnmath.errors import NNMathError


def test_sizes_give_weights_of_shape_n_in_by_n_out_layer_1_first():
    net = nnmath.Network([30, 16, 8, 1], seed=0)
    assert [W.shape for W in net.weights] == [(30, 16), (16, 8), (8, 1)]
    assert [b.shape for b in net.biases] == [(16,), (8,), (1,)]
    assert net.parameter_names() == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net["W2"] is net.weights[1]


def test_defaults_follow_the_seed():
    binary = nnmath.Network([3, 2, 1])
    assert (binary.activation_names, binary.output_name, binary.loss.name) == (["sigmoid"], "sigmoid", "binary_cross_entropy")
    multi = nnmath.Network([3, 2, 4])
    assert (multi.output_name, multi.loss.name, multi.kind) == ("softmax", "categorical_cross_entropy", "multiclass")
    reg = nnmath.Network([3, 2, 1], output="identity")
    assert (reg.loss.name, reg.kind) == ("mean_squared_error", "regression")
    mixed = nnmath.Network([3, 4, 4, 1], activation=["relu", "tanh"])
    assert mixed.activation_names == ["relu", "tanh"]


def test_weights_can_be_read_and_assigned_item_by_item():
    net = nnmath.Network([2, 2, 1], seed=0)
    net.weights[1] = [[1.0], [2.0]]
    net.biases[0] = np.array([0.5, -0.5])
    np.testing.assert_array_equal(net.layers[1].W, [[1.0], [2.0]])
    np.testing.assert_array_equal(net.biases[0], [0.5, -0.5])
    with pytest.raises(NNMathError, match=r"shape \(2, 1\)"):
        net.weights[1] = np.zeros((3, 1))
    x = np.array([[0.0, 0.0]])
    S = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    a1 = S(np.array([0.5, -0.5]))  # z1 = x W1 + b1 = b1 for x = 0
    np.testing.assert_allclose(net.output(x)[0, 0], S(a1 @ [1.0, 2.0] + net.biases[1][0]))


@pytest.mark.parametrize("init,check", [
    ("normal", lambda W, n_in, n_out: abs(W.std() - 1 / np.sqrt(n_in)) < 0.05 / np.sqrt(n_in)),
    ("standard_normal", lambda W, n_in, n_out: abs(W.std() - 1) < 0.05),
    ("he", lambda W, n_in, n_out: abs(W.std() - np.sqrt(2 / n_in)) < 0.05 * np.sqrt(2 / n_in)),
    ("xavier", lambda W, n_in, n_out: np.abs(W).max() <= np.sqrt(6 / (n_in + n_out))
     and abs(W.std() - np.sqrt(2 / (n_in + n_out))) < 0.05 * np.sqrt(2 / (n_in + n_out))),
    ("uniform", lambda W, n_in, n_out: np.abs(W).max() <= 1 / np.sqrt(n_in)
     and abs(W.std() - 1 / np.sqrt(3 * n_in)) < 0.05 / np.sqrt(3 * n_in)),
])
def test_inits_draw_the_documented_distribution(init, check):
    net = nnmath.Network([400, 300, 1], init=init, seed=0)
    assert check(net.weights[0], 400, 300)
    assert np.all(net.biases[0] == 0)


def test_a_callable_init_is_used_as_given():
    net = nnmath.Network([3, 2, 1], init=lambda n_in, n_out, rng: np.full((n_in, n_out), 0.5))
    assert np.all(net.weights[0] == 0.5) and np.all(net.weights[1] == 0.5)


def test_state_and_config_rebuild_the_same_network():
    r = np.random.default_rng(0)
    X, y = r.standard_normal((40, 3)), r.integers(0, 3, 40)
    net = nnmath.Network([3, 5, 5, 3], activation=["tanh", "relu"], batchnorm=True, residual=True, seed=1)
    net.fit(X, y, epochs=3, batch_size=10)
    copy = nnmath.Network.from_config(net.config())
    copy.load_state(net.state())
    copy.classes_ = net.classes_
    np.testing.assert_array_equal(copy.output(X), net.output(X))
    assert "running_mean1" in net.state() and "gamma2" in net.state()
    with pytest.raises(NNMathError, match="do not match"):
        copy.load_state({"W1": net.weights[0]})


def test_saturated_hidden_sigmoids_give_finite_gradients_without_warnings():
    net = nnmath.Network([2, 3, 3, 1], init="standard_normal", seed=0)
    X = np.array([[1e4, -1e4], [-1e4, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        g = net.gradients(X, np.array([0, 1]))
    assert np.isfinite(g.loss) and all(np.all(np.isfinite(w)) for w in g.weights)
    assert np.all(np.abs(g.deltas[0]) < 1e-30)  # S'(±1e4) = 0: a saturated unit passes nothing back


def test_gradient_names_and_errors_follow_the_seeds_numbering():
    net = nnmath.Network([2, 3, 1], seed=0)
    g = net.gradients(np.ones((2, 2)), np.array([0, 1]))
    assert g["b1"].shape == (3,)
    with pytest.raises(NNMathError, match="layers 1 to 2"):
        g["W3"]
    with pytest.raises(NNMathError, match="unknown parameter"):
        net["V1"]
    with pytest.raises(NNMathError, match="no batch normalisation"):
        net["gamma1"]


def test_a_layers_arrays_can_be_replaced_only_by_arrays_of_the_same_shape():
    net = nnmath.Network([3, 2, 1], seed=0)
    with pytest.raises(NNMathError, match=r"W must keep its shape \(3, 2\), got \(3, 5\)"):
        net.layers[0].W = np.zeros((3, 5))
    with pytest.raises(NNMathError, match=r"b must keep its shape \(2,\), got \(3,\)"):
        net.layers[0].b = np.zeros(3)
    net.layers[0].W = np.full((3, 2), 0.5)  # the same shape: taken, and θ follows on the next fit
    assert np.all(net.flat_parameters()[:6] == 0.5)
    net.fit(np.ones((4, 3)), [0, 1, 0, 1], epochs=1)
    assert net.layers[0].W.base is net.theta


@pytest.mark.parametrize("sizes", [[3, 2.7, 1], [3, True, 1], [3, "2", 1], [3, None, 1]])
def test_sizes_that_are_not_whole_numbers_are_refused_not_rounded(sizes):
    with pytest.raises(NNMathError, match="layer sizes must be whole numbers"):
        nnmath.Network(sizes)


def test_whole_sizes_of_any_number_type_are_taken():
    assert nnmath.Network([3, 2.0, np.int64(1)]).sizes == [3, 2, 1]


@pytest.mark.parametrize("dtype", ["float16", np.int32, "nonsense", complex])
def test_a_dtype_other_than_float32_or_float64_is_refused_not_changed(dtype):
    with pytest.raises(NNMathError, match="dtype must be float32 or float64"):
        nnmath.Network([3, 2, 1], dtype=dtype)
    with pytest.raises(NNMathError, match="dtype must be float32 or float64"):
        nnmath.Network([3, 2, 1]).astype(dtype)



def test_sizes_may_come_from_any_iterable():
    assert nnmath.Network(n for n in (3, 2, 1)).sizes == [3, 2, 1]


def test_a_replacing_array_takes_the_networks_dtype():
    net = nnmath.Network([2, 2, 1], dtype=np.float32)
    net.layers[0].W = np.array([[1, 2], [3, 4]])  # integers
    assert net.layers[0].W.dtype == np.float32


def test_a_batch_norm_scale_of_another_shape_is_refused_before_training():
    net = nnmath.Network([3, 4, 1], batchnorm=True, seed=0)
    net.layers[0].bn.gamma = np.ones(())  # a scalar would broadcast and shift θ's layout
    with pytest.raises(NNMathError, match=r"gamma1 must have shape \(4,\), got \(\)"):
        net.fit(np.ones((8, 3)), [0, 1] * 4, epochs=1)


def test_repr_shows_the_remedies_and_where_a_skip_connection_went():
    assert repr(nnmath.Network([2, 3, 1])).endswith("loss=binary_cross_entropy)")
    shown = repr(nnmath.Network([5, 8, 8, 1], residual=True, batchnorm=True, dropout=0.2))
    assert shown.endswith("dropout=0.2, batchnorm, residual on layers 2)")
    assert "residual on no layer (no equal widths)" in repr(nnmath.Network([5, 8, 4, 1], residual=True))
