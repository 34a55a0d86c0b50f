"""Edge cases a user meets on the first day: each is an answer or one clear error, never a
wrong number or a raw exception from deep inside NumPy."""
import numpy as np
import pytest

import nnmath
from nnmath.errors import NNMathError, TrainingDiverged

r = np.random.default_rng(0)
X = r.standard_normal((40, 3))
y = (X[:, 0] > 0).astype(int)


def fitted():
    net = nnmath.Network([3, 4, 1], seed=0)
    net.fit(X, y, epochs=50, learning_rate=1.0)
    return net


def test_score_refuses_labels_of_the_wrong_length_or_shape():
    net = fitted()
    assert net.score(X, y) > 0.9
    assert net.score(X, y.reshape(-1, 1)) == net.score(X, y)  # a column is one label per row
    with pytest.raises(NNMathError, match="40 samples but y has 1"):
        net.score(X, y[:1])
    with pytest.raises(NNMathError, match="40 samples but y has 5"):
        net.error(X, y[:5])
    with pytest.raises(NNMathError, match="shape"):
        net.score(X, np.stack([y, y], axis=1))


def test_bool_labels_come_back_as_bools():
    net = nnmath.Network([3, 4, 1], seed=0)
    net.fit(X, X[:, 0] > 0, epochs=50, learning_rate=1.0)
    assert net.classes_.dtype == bool and net.predict(X).dtype == bool


@pytest.mark.parametrize("sizes,output,target", [([3, 4, 3], None, 2), ([3, 4, 1], "identity", 0.3),
                                                 ([3, 4, 1], None, 1)])
def test_one_sample_with_a_scalar_target(sizes, output, target):
    net = nnmath.Network(sizes, output=output, seed=0)
    g = net.gradients(X[0], target)
    assert g.weights[0].shape == (3, 4) and np.isfinite(g.loss)


@pytest.mark.parametrize("call,message", [
    (lambda net: net.fit(X, np.array([1, "a"] * 20, dtype=object)), "mix types"),
    (lambda net: net.fit(X, y, weight_decay=None), "weight_decay"),
    (lambda net: net.fit(X, y, validation_split="a"), "validation_split"),
    (lambda net: net.fit(X, y, patience=None), "patience"),
    (lambda net: net.fit(X, y, learning_rate=True), "learning rate"),
    (lambda net: net.fit(X, y, batch_size=True), "batch_size"),
    (lambda net: net.fit(X, y, optimizer=5), "optimizer"),
    (lambda net: net.fit(X, y, seed="a"), "seed"),
    (lambda net: net.fit(X, y, validation_data=(X[:5], y[:3])), "5 samples but 3 labels"),
    (lambda net: net.weights.__setitem__(slice(0, 1), [np.zeros((3, 4))]), "one layer at a time"),
    (lambda net: net.weights.__setitem__(0, [["a"] * 4] * 3), "array of numbers"),
])
def test_bad_calls_give_one_clear_error(call, message):
    with pytest.raises(NNMathError, match=message):
        call(nnmath.Network([3, 4, 1], seed=0))


@pytest.mark.parametrize("make,message", [
    (lambda: nnmath.Network([3, 2, 1], output="softmax"), "at least 2 units"),
    (lambda: nnmath.Network([3, 2, 1], dropout="0.1"), "dropout"),
    (lambda: nnmath.Network([3, 2, 1], activation=5), "activation"),
    (lambda: nnmath.Network([3, 2, 1], seed="a"), "seed"),
    (lambda: nnmath.Network([3, 2, 1], dtype="banana"), "dtype"),
])
def test_bad_networks_give_one_clear_error(make, message):
    with pytest.raises(NNMathError, match=message):
        make()


def test_nan_regression_targets_are_bad_data_not_divergence():
    net = nnmath.Network([3, 4, 1], output="identity", seed=0)
    with pytest.raises(NNMathError, match="targets contain NaN") as info:
        net.fit(X, np.full(40, np.nan))
    assert not isinstance(info.value, TrainingDiverged)


def test_divergence_keeps_the_history_of_the_epochs_that_finished():
    Xr, yr = X * 100, r.standard_normal(40) * 100
    net = nnmath.Network([3, 8, 1], activation="relu", output="identity", seed=0)
    with pytest.raises(TrainingDiverged) as info:
        net.fit(Xr, yr, epochs=100, learning_rate=0.02, batch_size=4)
    finished = info.value.epoch - 1
    assert net.history_ is info.value.history and len(net.history_) == finished
    assert all(np.all(np.isfinite(p)) for p in net.parameters())


def test_early_stopping_restores_batchnorm_statistics_with_the_weights():
    Xn, yn = r.standard_normal((120, 6)), r.integers(0, 2, 120)  # noise: the validation loss soon rises
    net = nnmath.Network([6, 32, 1], batchnorm=True, seed=0)
    states = []
    net.fit(Xn, yn, epochs=200, learning_rate=1.0, batch_size=8, early_stopping=True, patience=4,
            validation_split=0.3, callback=lambda e, rec: states.append({k: v.copy() for k, v in net.state().items()}))
    h = net.history_
    assert h.stopped_early and h.best_epoch < len(h) - 1
    kept = states[h.best_epoch]
    for name, value in net.state().items():
        np.testing.assert_array_equal(value, kept[name], err_msg=name)


def test_a_validation_split_does_not_copy_the_training_set():
    """The held-out rows are chosen by index; the training rows are read from the caller's X."""
    from nnmath.engine.training_data import prepare_data
    data = prepare_data(nnmath.Network([3, 4, 1], seed=0), X, y, 0.25, None, False, np.random.default_rng(0))
    assert data.X is X and len(data.rows) == 30 and len(data.X_val) == 10
    assert not set(data.rows) & set(np.flatnonzero(np.isin(X[:, 0], data.X_val[:, 0])))


def test_multilabel_sigmoid_outputs_decide_each_label():
    Y = np.stack([X[:, 0] > 0, X[:, 1] > 0], axis=1).astype(int)
    net = nnmath.Network([3, 8, 2], output="sigmoid", seed=0)
    assert net.kind == "multilabel"
    net.fit(X, Y, epochs=300, learning_rate=1.0)
    assert net.predict(X).shape == (40, 2) and net.score(X, Y) > 0.8
    assert net.predict_proba(X).shape == (40, 2)
    with pytest.raises(NNMathError, match="0/1 matrix"):
        net.fit(X, Y * 2)


def test_regression_score_averages_r2_over_outputs():
    T = np.stack([X[:, 0], 2 * X[:, 1]], axis=1)
    net = nnmath.Network([3, 2], output="identity", seed=0)
    net.weights = [np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])]  # exact for both columns
    assert net.score(X, T) == pytest.approx(1.0)
    net.weights = [np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])]  # column 2 predicted as 0
    r2_col2 = 1 - np.sum(T[:, 1] ** 2) / np.sum((T[:, 1] - T[:, 1].mean()) ** 2)
    assert net.score(X, T) == pytest.approx((1.0 + r2_col2) / 2)


def test_gradient_check_of_a_float32_network_runs_in_float64():
    net = nnmath.Network([3, 4, 1], seed=0, dtype=np.float32)
    assert nnmath.check_gradients(net, X[:8], y[:8]).passed
    assert net.dtype == np.float32


@pytest.mark.parametrize("columns,words", [(1, "the targets have 1 column but the network has 2 outputs"),
                                           (3, "the targets have 3 columns but the network has 2 outputs")])
def test_regression_targets_of_the_wrong_width_are_counted_in_words(columns, words):
    net = nnmath.Network([3, 4, 2], output="identity", seed=0)
    with pytest.raises(NNMathError) as info:
        net.fit(X, np.zeros((40, columns)), epochs=1)
    assert str(info.value) == words
