"""Gradient descent learns: XOR, the breast-cancer data and the digits data; and the training
loop keeps its promises (dtype, determinism, divergence, early stopping, options)."""
import math

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split

import nnmath
from nnmath.errors import NNMathError, TrainingDiverged

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_y = np.array([0, 1, 1, 0])


def standardized_split(X, y, seed=0):
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1
    return (X_train - mean) / std, (X_test - mean) / std, y_train, y_test


def test_xor_is_learnt_by_a_2_4_1_sigmoid_network():
    net = nnmath.Network([2, 4, 1], seed=0)
    history = net.fit(XOR_X, XOR_y, epochs=2000, learning_rate=2.0)
    assert net.score(XOR_X, XOR_y) == 1.0
    assert history.loss[-1] < 0.1 < history.loss[0]


def test_breast_cancer_reaches_95_percent_with_the_seeds_two_layer_network():
    X_train, X_test, y_train, y_test = standardized_split(*load_breast_cancer(return_X_y=True))
    net = nnmath.Network([30, 16, 1], seed=0)
    net.fit(X_train, y_train, epochs=300, learning_rate=0.5)  # full-batch gradient descent, as in the seed
    assert net.score(X_test, y_test) >= 0.95


def test_digits_reach_95_percent():
    X_train, X_test, y_train, y_test = standardized_split(*load_digits(return_X_y=True))
    net = nnmath.Network([64, 32, 10], seed=0)
    net.fit(X_train, y_train, epochs=30, learning_rate=0.5, batch_size=32)
    assert net.score(X_test, y_test) >= 0.95


def test_string_labels_and_any_two_binary_values_map_back():
    r = np.random.default_rng(0)
    X = r.standard_normal((60, 2))
    names = np.where(X[:, 0] > 0, "yes", "no")
    net = nnmath.Network([2, 1], seed=0)
    net.fit(X, names, epochs=200, learning_rate=1.0)
    assert list(net.classes_) == ["no", "yes"]
    assert set(net.predict(X)) <= {"no", "yes"} and net.score(X, names) > 0.9
    assert net.predict_proba(X).shape == (60, 2)
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1.0)
    three = np.select([X[:, 0] < -0.5, X[:, 0] < 0.5], ["a", "b"], "c")
    multi = nnmath.Network([2, 8, 3], seed=0)
    multi.fit(X, three, epochs=300, learning_rate=1.0)
    assert list(multi.classes_) == ["a", "b", "c"] and multi.score(X, three) > 0.8
    with pytest.raises(NNMathError, match="not seen in training"):
        multi.gradients(X[:1], np.array(["d"]))


def test_regression_with_identity_output():
    r = np.random.default_rng(1)
    X = r.uniform(-1, 1, (200, 1))
    y = np.sin(3 * X[:, 0])
    net = nnmath.Network([1, 16, 1], activation="tanh", output="identity", seed=0)
    net.fit(X, y, epochs=400, learning_rate=0.05, batch_size=16, optimizer="adam")
    assert net.kind == "regression" and net.classes_ is None
    assert net.score(X, y) > 0.95  # R²


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_end_to_end(dtype):
    X = np.random.default_rng(0).standard_normal((40, 3)).astype(dtype)
    y = (X[:, 0] > 0).astype(int)
    net = nnmath.Network([3, 5, 1], seed=0, batchnorm=True)
    net.fit(X, y, epochs=3, learning_rate=0.1, batch_size=8, optimizer="adam", weight_decay=1e-3)
    assert all(p.dtype == dtype for p in net.parameters())
    assert net.output(X).dtype == dtype and net.gradients(X, y).weights[0].dtype == dtype


def test_integer_features_train_in_float64():
    net = nnmath.Network([2, 1], seed=0, dtype=np.float32)
    net.fit(XOR_X.astype(int), XOR_y, epochs=2)
    assert net.weights[0].dtype == np.float64


def test_the_same_seed_gives_bit_identical_weights_and_history():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    runs = []
    for _ in range(2):
        net = nnmath.Network([30, 8, 8, 1], seed=7, dropout=0.2)
        h = net.fit(X, y, epochs=5, learning_rate=0.1, batch_size=32, validation_split=0.2, optimizer="momentum")
        runs.append((net.parameters(), h.to_dict()))
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][0], runs[1][0]))
    assert runs[0][1] == runs[1][1]
    other = nnmath.Network([30, 8, 8, 1], seed=8)
    assert not np.array_equal(other.weights[0], runs[0][0][0])


def test_divergence_stops_with_the_epoch_and_keeps_the_last_finite_weights():
    r = np.random.default_rng(0)
    X = r.standard_normal((50, 2)) * 100
    y = r.standard_normal(50) * 100
    net = nnmath.Network([2, 4, 1], activation="relu", output="identity", seed=0)
    history = net.fit(X, y, epochs=1, learning_rate=1e-9)  # one harmless epoch first
    before = [p.copy() for p in net.parameters()]
    with pytest.raises(TrainingDiverged, match=r"epoch \d+.*smaller learning rate") as info:
        net.fit(X, y, epochs=50, learning_rate=1e3)
    assert info.value.epoch >= 1
    assert all(np.all(np.isfinite(p)) for p in net.parameters())
    if info.value.epoch == 1:
        assert all(np.array_equal(a, b) for a, b in zip(before, net.parameters()))
    assert len(history) == 1


def test_a_diverged_fit_gives_back_an_optimizer_that_can_be_used_again():
    """The diverged epoch is undone for the optimizer as for the weights: its velocity is the one
    the epoch began with (finite), so a retry at a sane learning rate trains."""
    from nnmath.engine import optimizers

    r = np.random.default_rng(0)
    X, y = r.standard_normal((64, 2)) * 100, r.standard_normal(64) * 100
    net = nnmath.Network([2, 4, 1], activation="relu", output="identity", seed=0)
    opt = optimizers.get("momentum")
    net.fit(X, y, epochs=2, learning_rate=1e-6, batch_size=8, optimizer=opt)
    velocity = [v.copy() for v in opt.velocity]
    with pytest.raises(TrainingDiverged):
        net.fit(X, y, epochs=50, learning_rate=1e3, batch_size=8, optimizer=opt)
    assert all(np.array_equal(v, w) for v, w in zip(opt.velocity, velocity))
    history = net.fit(X, y, epochs=3, learning_rate=1e-6, batch_size=8, optimizer=opt)  # no TrainingDiverged
    assert history.loss[-1] < history.loss[0]


def test_history_records_every_epoch_with_gradient_norms_per_layer():
    r = np.random.default_rng(0)
    X, y = r.standard_normal((64, 4)), r.integers(0, 3, 64)
    net = nnmath.Network([4, 6, 5, 3], seed=0)
    h = net.fit(X, y, epochs=4, learning_rate=0.1, batch_size=16, validation_split=0.25)
    assert len(h) == 4 and len(h.grad_norms) == 4 and all(len(n) == 3 for n in h.grad_norms)
    assert all(v is not None and 0 <= v <= 1 for v in h.val_accuracy)
    assert all(v is not None and v > 0 for v in h.val_loss)
    # the recorded norm is the mean over the epoch's 3 steps of ‖∂E/∂W‖: recompute epoch 1's by hand
    net2 = nnmath.Network([4, 6, 5, 3], seed=0)
    g = net2.gradients(X[:5], y[:5])
    assert g.weight_norms()[0] == pytest.approx(np.linalg.norm(g.weights[0]))
    assert g.bias_norms()[2] == pytest.approx(np.linalg.norm(g.deltas[2].mean(axis=0)))


def test_an_epochs_loss_accuracy_and_norms_are_those_of_the_steps_it_took():
    """One shuffled mini-batch epoch replayed by hand: the loss is Σ_steps m_b E_b / n with each E_b
    taken before its step's update, the accuracy counts each sample as decided at its step, and
    the norms are the mean of the steps' ‖∂E/∂W^l‖."""
    r = np.random.default_rng(3)
    X, y = r.standard_normal((50, 4)), r.integers(0, 3, 50)
    h = nnmath.Network([4, 5, 3], seed=0).fit(X, y, epochs=1, learning_rate=0.5, batch_size=16, seed=7)
    ref = nnmath.Network([4, 5, 3], seed=0)
    order = np.random.default_rng(7).permutation(50)  # fit's shuffle: the first draw of its seeded rng
    total, correct, norms = 0.0, 0, []
    for start in range(0, 50, 16):
        rows = order[start:start + 16]
        g = ref.gradients(X[rows], y[rows])
        total += g.loss * len(rows)
        correct += int(np.sum(np.argmax(ref.output(X[rows]), axis=1) == y[rows]))
        norms.append(g.weight_norms())
        for theta, step in zip(ref.parameters(), g.parameters()):
            theta -= 0.5 * step
    assert h.loss[0] == pytest.approx(total / 50, rel=1e-12)
    assert h.accuracy[0] == correct / 50
    np.testing.assert_allclose(h.grad_norms[0], np.mean(norms, axis=0), rtol=1e-12)


def test_an_epoch_evaluates_its_outputs_in_blocks_of_bounded_memory():
    """E and the accuracy come from blocks of steps' outputs: a 200-wide output over 20,000
    samples must not hold every output of the epoch at once (z, ŷ, y and their joined copies:
    about 8 x 15 MiB), only a block of them."""
    import tracemalloc

    X = np.random.default_rng(0).standard_normal((20_000, 200)).astype(np.float32)
    net = nnmath.Network([200, 32, 200], output="identity", dtype=np.float32, seed=0)
    net.fit(X[:256], X[:256], epochs=1, batch_size=128)  # first-call allocations outside the count
    tracemalloc.start()
    history = net.fit(X, X, epochs=1, batch_size=128, learning_rate=0.01)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2 * X.nbytes, f"the fit held {peak / 2**20:.1f} MiB for a {X.nbytes / 2**20:.1f} MiB X"
    # and the blocks add up to the epoch's E: the mean of 0.5 ‖ŷ_i - y_i‖² over the steps' outputs
    replay = nnmath.Network([200, 32, 200], output="identity", dtype=np.float32, seed=0)
    replay.fit(X[:256], X[:256], epochs=1, batch_size=128)
    order = np.random.default_rng(0).permutation(20_000)  # the second fit's shuffle (seed 0, first draw)
    total = 0.0
    for start in range(0, 20_000, 128):
        rows = order[start:start + 128]
        g = replay.gradients(X[rows], X[rows])
        total += g.loss * len(rows)
        for theta, step in zip(replay.parameters(), g.parameters()):
            theta -= np.float32(0.01) * step
    assert history.loss[0] == pytest.approx(total / 20_000, rel=1e-5)


def test_full_batch_history_norm_is_the_gradient_norm_at_the_start_of_the_epoch():
    r = np.random.default_rng(2)
    X, y = r.standard_normal((30, 3)), r.integers(0, 2, 30)
    net = nnmath.Network([3, 4, 1], seed=0)
    expected = net.gradients(X, y).weight_norms()
    h = net.fit(X, y, epochs=1, learning_rate=0.1)
    np.testing.assert_allclose(h.grad_norms[0], expected, rtol=1e-12)


def test_early_stopping_restores_the_best_weights():
    r = np.random.default_rng(0)
    X = r.standard_normal((80, 10))
    y = r.integers(0, 2, 80)  # pure noise: validation loss soon rises
    net = nnmath.Network([10, 64, 1], seed=0)
    h = net.fit(X, y, epochs=500, learning_rate=1.0, batch_size=8, early_stopping=True, patience=5,
                validation_split=0.3)
    assert h.stopped_early and len(h) < 500
    assert h.best_epoch == int(np.argmin(h.val_loss))
    assert len(h) == h.best_epoch + 1 + 5


def test_weight_decay_adds_lambda_w_to_the_gradient():
    X, y = np.array([[1.0, -1.0]]), np.array([1])
    net = nnmath.Network([2, 1], seed=3)
    W0, b0 = net.weights[0].copy(), net.biases[0].copy()
    g = net.gradients(X, y)
    net.fit(X, y, epochs=1, learning_rate=0.5, weight_decay=0.1)
    np.testing.assert_allclose(net.weights[0], W0 - 0.5 * (g.weights[0] + 0.1 * W0), rtol=1e-14)
    np.testing.assert_allclose(net.biases[0], b0 - 0.5 * g.biases[0], rtol=1e-14)  # biases not decayed


@pytest.mark.parametrize("schedule,expected", [
    ("constant", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    ("step", [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]),  # halves every 8 // 4 = 2 epochs
    ("cosine", [0.5 * (1 + math.cos(math.pi * t / 8)) for t in range(8)]),
])
def test_learning_rate_schedules(schedule, expected):
    X, y = XOR_X, XOR_y
    h = nnmath.Network([2, 2, 1], seed=0).fit(X, y, epochs=8, learning_rate=1.0, schedule=schedule)
    np.testing.assert_allclose(h.learning_rate, expected)


def test_dropout_is_on_in_training_and_off_in_prediction():
    X = np.ones((200, 4))
    net = nnmath.Network([4, 50, 1], seed=0, dropout=0.5)
    trace = net.forward(X, train=True, rng=np.random.default_rng(0))
    dropped = trace.layers[0].a == 0
    assert 0.4 < dropped.mean() < 0.6
    np.testing.assert_allclose(trace.layers[0].a[~dropped], 2 * trace.layers[0].h[~dropped])  # 1/(1-p)
    np.testing.assert_array_equal(net.output(X), net.output(X))
    assert np.all(net.forward(X).layers[0].a > 0)


def test_clipping_bounds_the_step():
    X, y = np.array([[100.0, -100.0]]), np.array([0])
    net = nnmath.Network([2, 1], seed=0)
    net.weights = [np.array([[1.0], [-1.0]])]  # ŷ ≈ 1 for a 0 label: a huge gradient
    W0, b0 = net.weights[0].copy(), net.biases[0].copy()
    net.fit(X, y, epochs=1, learning_rate=1.0, clip_norm=0.5)
    step = np.concatenate([(net.weights[0] - W0).ravel(), net.biases[0] - b0])
    assert np.linalg.norm(step) == pytest.approx(0.5)


@pytest.mark.parametrize("options,message", [
    ({"epochs": 0}, "epochs"),
    ({"learning_rate": -0.1}, "learning rate"),
    ({"learning_rate": float("nan")}, "learning rate"),
    ({"batch_size": 0}, "batch_size"),
    ({"validation_split": 1.0}, "validation_split"),
    ({"optimizer": "rmsprop"}, "sgd, momentum, nesterov, adam"),
    ({"schedule": "linear"}, "constant, step, cosine"),
])
def test_bad_options_give_one_clear_error(options, message):
    with pytest.raises(NNMathError, match=message):
        nnmath.Network([2, 1], seed=0).fit(XOR_X, XOR_y, **options)


@pytest.mark.parametrize("make,message", [
    (lambda: nnmath.Network([2]), "input and an output"),
    (lambda: nnmath.Network([2, 0, 1]), "at least one unit"),
    (lambda: nnmath.Network([2, 3, 1], activation=["relu", "tanh"]), "one per hidden layer \\(1\\)"),
    (lambda: nnmath.Network([2, 3, 1], init="zeros"), "unknown init"),
    (lambda: nnmath.Network([2, 3, 1], output="tanh"), "unknown output"),
    (lambda: nnmath.Network([2, 3, 1], output="identity", loss="cross_entropy"), "cross-entropy needs"),
    (lambda: nnmath.Network([2, 3, 1], dropout=1.0), "dropout"),
])
def test_bad_networks_give_one_clear_error(make, message):
    with pytest.raises(NNMathError, match=message):
        make()


def test_bad_data_gives_one_clear_error():
    net = nnmath.Network([2, 3, 1], seed=0)
    with pytest.raises(NNMathError, match="3 features but the network's input layer has 2"):
        net.fit(np.zeros((4, 3)), XOR_y)
    with pytest.raises(NNMathError, match="NaN or infinite"):
        net.fit(np.array([[0, np.nan]] * 4), XOR_y)
    with pytest.raises(NNMathError, match="4 samples but y has 3"):
        net.fit(XOR_X, XOR_y[:3])
    with pytest.raises(NNMathError, match="3 classes but the output layer has 1"):
        net.fit(XOR_X, np.array(["a", "b", "c", "a"]))
    with pytest.raises(NNMathError, match="single class"):
        net.fit(XOR_X, np.array(["a"] * 4))
    with pytest.raises(NNMathError, match="not been fitted"):
        net.predict(XOR_X)


def test_a_refused_fit_leaves_the_network_as_it_was():
    net = nnmath.Network([2, 3, 1], seed=0)  # float64
    before = {name: a.copy() for name, a in net.state().items()}
    X32 = np.ones((6, 2), dtype=np.float32)
    with pytest.raises(NNMathError, match="validation_data has 6 samples but 2 labels"):
        net.fit(X32, [0, 1] * 3, validation_data=(X32, [0, 1]))  # refused after the labels were learned
    assert net.dtype == np.float64 and net.classes_ is None
    assert all(np.array_equal(net.state()[name], a) and net.state()[name].dtype == np.float64
               for name, a in before.items())  # not rounded through float32
    net.fit(X32[:, :2], ["a", "b"] * 3, epochs=1)  # and the next fit learns its own labels
    assert list(net.classes_) == ["a", "b"]


def test_rows_of_different_lengths_are_one_clear_error():
    with pytest.raises(NNMathError, match="a table of numbers, every row as long"):
        nnmath.Network([2, 3, 1]).fit([[1.0, 2.0], [3.0]], [0, 1])


def test_one_hot_targets_train_a_softmax_network_as_their_class_indices_do():
    X = np.random.default_rng(0).standard_normal((12, 2))
    labels = np.arange(12) % 3
    by_index, by_one_hot = (nnmath.Network([2, 4, 3], seed=1) for _ in range(2))
    h1 = by_index.fit(X, labels, epochs=3, batch_size=4)
    h2 = by_one_hot.fit(X, np.eye(3)[labels], epochs=3, batch_size=4)
    assert h1.loss == h2.loss and h1.accuracy == h2.accuracy
    assert np.array_equal(by_one_hot.predict(X), by_index.predict(X))
    assert by_one_hot.gradients(X, np.eye(3)[labels]).loss == by_index.gradients(X, labels).loss
    with pytest.raises(NNMathError, match="one-hot matrix of 3 columns"):
        nnmath.Network([2, 4, 3]).fit(X, np.ones((12, 3)))  # not one 1 per row


def test_binary_labels_as_a_column_are_taken_on_the_first_fit():
    X = np.random.default_rng(0).standard_normal((8, 2))
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    column, flat = nnmath.Network([2, 3, 1], seed=0), nnmath.Network([2, 3, 1], seed=0)
    assert column.fit(X, y.reshape(-1, 1), epochs=2).loss == flat.fit(X, y, epochs=2).loss


@pytest.mark.parametrize("y", [[0, 1, np.nan, 1, 0, 1], np.array(["a", None, "b", "a", "b", "a"], dtype=object)])
def test_missing_labels_are_named_as_missing(y):
    with pytest.raises(NNMathError, match="the labels contain missing values"):
        nnmath.Network([2, 3, 1]).fit(np.ones((6, 2)), y)


def test_labels_of_different_lengths_are_one_clear_error_and_leave_the_network_as_it_was():
    net = nnmath.Network([2, 3, 1], seed=0, dtype=np.float32)
    W = net.layers[0].W.copy()
    with pytest.raises(NNMathError, match="one entry per sample"):
        net.fit(np.ones((2, 2)), [[0, 1], [1]])  # float64 X: the network would have become float64
    assert net.dtype == np.float32 and np.array_equal(net.layers[0].W, W)


@pytest.mark.parametrize("y", [
    np.array([0.0, np.float32("nan"), 1.0], dtype=object),
    np.array([0, __import__("decimal").Decimal("NaN"), 1], dtype=object),
    np.array(["2020-01-01", "NaT", "2020-01-02"], dtype="datetime64[D]"),
])
def test_every_kind_of_missing_label_is_named(y):
    with pytest.raises(NNMathError, match="missing values"):
        nnmath.Network([2, 3, 1]).fit(np.ones((3, 2)), y)


def test_a_one_output_network_is_not_offered_one_hot_labels():
    with pytest.raises(NNMathError, match=r"must be one column, got shape \(4, 2\)$"):
        nnmath.Network([2, 3, 1]).fit(np.ones((4, 2)), np.eye(2)[[0, 1, 0, 1]])


def test_an_optimizer_of_ones_own_that_cannot_be_copied_still_trains():
    import threading

    class Plain:
        def __init__(self):
            self.lock = threading.Lock()  # deepcopy refuses a lock

        def step(self, params, grads, learning_rate):
            for theta, g in zip(params, grads):
                theta -= learning_rate * g

    X, y = np.random.default_rng(0).standard_normal((16, 2)), [0, 1] * 8
    history = nnmath.Network([2, 3, 1], seed=0).fit(X, y, epochs=3, optimizer=Plain())
    assert len(history) == 3


def test_only_the_optimizers_state_is_undone_and_slotted_optimizers_too():
    class Slotted:  # momentum without a __dict__, holding the network it trains
        __slots__ = ("velocity", "net")

        def __init__(self, net):
            self.velocity, self.net = None, net

        def step(self, params, grads, learning_rate):
            if self.velocity is None:
                self.velocity = [np.zeros_like(p) for p in params]
            for theta, g, v in zip(params, grads, self.velocity):
                v *= 0.9
                v += g
                theta -= learning_rate * v

    r = np.random.default_rng(0)
    X, y = r.standard_normal((64, 2)) * 100, r.standard_normal(64) * 100
    net = nnmath.Network([2, 4, 1], activation="relu", output="identity", seed=0)
    opt = Slotted(net)
    net.fit(X, y, epochs=2, learning_rate=1e-6, batch_size=8, optimizer=opt)
    velocity = [v.copy() for v in opt.velocity]
    with pytest.raises(TrainingDiverged):
        net.fit(X, y, epochs=50, learning_rate=1e3, batch_size=8, optimizer=opt)
    assert all(np.array_equal(v, w) for v, w in zip(opt.velocity, velocity))
    assert opt.net is net  # what is not state is left alone, not replaced by a copy
