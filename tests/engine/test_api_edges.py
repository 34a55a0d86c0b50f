"""The Python API called as a notebook calls it, with what users really pass: every bad value is
one NNMathError that names it, never a raw error from NumPy or a silently wrong answer."""
import numpy as np
import pytest

import nnmath
from nnmath.errors import NNMathError

r = np.random.default_rng(0)
X = r.standard_normal((40, 2))
y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("call", [lambda: nnmath.Network([2, 3, 1], seed=-1),
                                  lambda: nnmath.Network([2, 3, 1]).fit(X, y, epochs=1, seed=-1)])
def test_a_negative_seed_is_named(call):
    with pytest.raises(NNMathError, match="seed must be a whole number, 0 or more"):
        call()


@pytest.mark.parametrize("init,message", [(lambda n_in, n_out, rng: "x", "array of numbers"),
                                          (lambda n_in, n_out, rng: np.full((n_in, n_out), np.nan), "NaN")])
def test_an_init_callable_that_returns_no_usable_weights_is_named(init, message):
    with pytest.raises(NNMathError, match=message):
        nnmath.Network([2, 3, 1], init=init)


def test_an_optimizer_class_instead_of_an_object_is_named():
    from nnmath.engine.optimizers import Adam
    with pytest.raises(NNMathError, match=r"not the class Adam: pass Adam\(\)"):
        nnmath.Network([2, 3, 1]).fit(X, y, epochs=1, optimizer=Adam)


@pytest.mark.parametrize("mu", ["0.9", -5, 1.0, float("nan"), None])
def test_a_momentum_outside_0_to_1_is_named(mu):
    from nnmath.engine.optimizers import Momentum, Nesterov
    for make in (Momentum, Nesterov):
        with pytest.raises(NNMathError, match=r"momentum μ must be a number in \[0, 1\)"):
            make(mu)


@pytest.mark.parametrize("validation_data", [3, X, (X, y, y)])
def test_validation_data_that_is_not_a_pair_is_named(validation_data):
    with pytest.raises(NNMathError, match=r"validation_data must be a pair \(X_val, y_val\)"):
        nnmath.Network([2, 3, 1]).fit(X, y, epochs=1, validation_data=validation_data)


def test_a_callback_that_cannot_be_called_is_named_before_training():
    net = nnmath.Network([2, 3, 1], seed=0)
    W1 = net["W1"].copy()
    with pytest.raises(NNMathError, match="callback must be a function"):
        net.fit(X, y, epochs=3, callback=3)
    assert np.array_equal(net["W1"], W1) and net.classes_ is None


def test_score_takes_one_hot_labels_as_fit_does():
    net = nnmath.Network([2, 4, 2], seed=0)
    net.fit(X, np.eye(2)[y], epochs=50, learning_rate=1.0)
    assert net.score(X, np.eye(2)[y]) == net.score(X, y) > 0.9


@pytest.mark.parametrize("truth,message", [(np.where(y, np.nan, 0), "missing values"),
                                           (np.where(y, "a", "b"), "labels are text but the network's classes are numbers"),
                                           (np.where(y, "a", "b").astype(object), "labels are text")])
def test_score_refuses_labels_it_cannot_compare_instead_of_counting_them_wrong(truth, message):
    net = nnmath.Network([2, 3, 1], seed=0)
    net.fit(X, y, epochs=50, learning_rate=1.0)
    with pytest.raises(NNMathError, match=message):
        net.score(X, truth)
    assert net.score(X, np.where(y, 5, 0)) < 1  # a label unseen in training is a wrong decision, as in scikit-learn


def test_forward_takes_what_output_takes():
    net = nnmath.Network([2, 3, 1], seed=0)
    assert np.array_equal(net.forward(X[0]).output, net.output(X[:1]))
    assert np.array_equal(net.forward(X.tolist()).output, net.output(X))
    with pytest.raises(NNMathError, match="the data has 5 features but the network's input layer has 2"):
        net.forward(np.ones((2, 5)))


@pytest.mark.parametrize("key", [0, None, ("W", 1)])
def test_a_parameter_key_that_is_not_a_name_is_named(key):
    net = nnmath.Network([2, 3, 1], seed=0)
    for get in (lambda: net[key], lambda: net.gradients(X, y)[key]):
        with pytest.raises(NNMathError, match="names look like W1, b1"):
            get()


def test_gradient_flow_of_one_sample():
    net = nnmath.Network([2, 3, 1], seed=0)
    flow = nnmath.gradient_flow(net, X[0], y[0])
    assert flow.n_samples == 1 and flow.weight_norms == nnmath.gradient_flow(net, X[:1], y[:1]).weight_norms
    assert nnmath.gradient_flow(net, X.tolist(), y.tolist(), samples=5).n_samples == 5


@pytest.mark.parametrize("call,name", [
    (lambda: nnmath.Network([2, 3, 1], batchnorm="no"), "batchnorm"),
    (lambda: nnmath.Network([2, 3, 3, 1], residual="False"), "residual"),
    (lambda: nnmath.Network([2, 3, 1]).fit(X, y, epochs=1, early_stopping="no"), "early_stopping"),
    (lambda: nnmath.Network([2, 3, 1]).fit(X, y, epochs=1, shuffle=None), "shuffle"),
    (lambda: nnmath.Network([2, 3, 1], dropout=0.5).gradients(X, y, train="no"), "train"),
    (lambda: nnmath.gradient_flow(nnmath.Network([2, 3, 1]), X, y, train="no"), "train"),
    (lambda: nnmath.check_gradients(nnmath.Network([2, 3, 1]), X, y, train="no"), "train"),
    (lambda: nnmath.explain_step(nnmath.Network([2, 2, 1]), X[:2], y[:2], update="no"), "update"),
])
def test_a_flag_that_is_not_true_or_false_is_named(call, name):
    with pytest.raises(NNMathError, match=f"{name} must be True or False"):
        call()


def test_a_loss_that_is_not_a_name_is_named():
    with pytest.raises(NNMathError, match="unknown loss"):
        nnmath.Network([2, 3, 1], loss=["mse"])


def test_missing_values_in_a_dataframe_are_called_missing():
    # left by the API review: pandas' NA (an Int64 column) said "the features must be numbers"
    import pandas as pd

    net = nnmath.Network([2, 3, 1], seed=0)
    frame = pd.DataFrame({"a": [1, 2, None, 4], "b": [1, 0, 1, 0]}, dtype="Int64")
    with pytest.raises(NNMathError, match=r"^the features contain missing values \(NA\)"):
        net.fit(frame, [0, 1, 0, 1], epochs=1)
    with pytest.raises(NNMathError, match="^the features must be numbers$"):
        net.output(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))


@pytest.mark.parametrize("values", [3, None])
def test_assigning_something_that_is_not_a_list_of_arrays_is_named(values):
    net = nnmath.Network([2, 3, 1], seed=0)
    with pytest.raises(NNMathError, match="expected a list of 2 arrays"):
        net.weights = values
    with pytest.raises(NNMathError, match="expected a list of 2 arrays"):
        net.biases = values
