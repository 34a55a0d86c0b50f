"""NetworkClassifier / NetworkRegressor where scikit-learn users put estimators, and the
numbers they expose checked against the equations (not against their own output)."""
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnmath import NNMathError
from nnmath.interop.sklearn import NetworkClassifier, NetworkRegressor


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def small(**options):
    return NetworkClassifier(**{"hidden_layer_sizes": (8,), "epochs": 40, "learning_rate": 0.01,
                                "random_state": 0, **options})


def test_pipeline_after_standard_scaler_classifies_held_out_tumours(cancer):
    X_train, X_test, y_train, y_test = train_test_split(*cancer, test_size=0.3, random_state=0, stratify=cancer[1])
    pipe = make_pipeline(StandardScaler(), small(activation="sigmoid", epochs=60))
    pipe.fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > 0.95  # logistic regression reaches ~0.97 on this split


def test_grid_search_on_two_processes_picks_a_setting_of_the_grid(iris):
    grid = {"hidden_layer_sizes": [(2,), (16,)], "learning_rate": [0.001, 0.05]}
    search = GridSearchCV(small(epochs=30), grid, cv=3, n_jobs=2).fit(*iris)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_ == {"hidden_layer_sizes": (16,), "learning_rate": 0.05}  # the widest, fastest
    assert search.best_estimator_.network_.sizes == [4, 16, 3]


def test_cross_val_score_on_all_cores_equals_one_process(iris):
    model = small(epochs=30, learning_rate=0.05)
    parallel = cross_val_score(model, *iris, cv=5, n_jobs=-1)
    serial = cross_val_score(model, *iris, cv=5, n_jobs=1)
    np.testing.assert_array_equal(parallel, serial)  # the estimator travels to the workers intact
    assert parallel.min() > 0.8


def test_clone_is_unfitted_and_pickle_keeps_weights_and_optimizer_state(iris):
    X, y = iris
    model = small(optimizer="adam").fit(X, y)
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "network_")

    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    model.partial_fit(X, y)  # Adam's moments and the random state came along: both continue alike
    restored.partial_fit(X, y)
    for W, W_restored in zip(model.network_.weights, restored.network_.weights):
        np.testing.assert_array_equal(W, W_restored)


def test_partial_fit_and_warm_start_continue_the_optimizer(iris):
    X, y = iris
    options = dict(optimizer="adam", batch_size=None, learning_rate=0.05)  # full batch: no shuffling
    whole = small(epochs=3, **options).fit(X, y)
    parts = small(**options)
    for _ in range(3):
        parts.partial_fit(X, y, classes=[0, 1, 2])
    warm = small(epochs=1, warm_start=True, **options)
    for _ in range(3):
        warm.fit(X, y)
    for model in (parts, warm):
        assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
        np.testing.assert_allclose(model.loss_curve_, whole.loss_curve_, rtol=1e-12)
        np.testing.assert_allclose(model.network_.weights[0], whole.network_.weights[0], rtol=1e-12)

    forgetful = small(**options)  # a fresh Adam each epoch restarts its moments: different weights
    for _ in range(3):
        forgetful.partial_fit(X, y, classes=[0, 1, 2])
        forgetful.optimizer_ = type(forgetful.optimizer_)()
    assert not np.allclose(forgetful.network_.weights[0], whole.network_.weights[0])


def test_gradient_norms_are_the_norms_of_the_gradient_steps(iris):
    """With plain gradient descent on the full batch, W_after = W_before - α ∂E/∂W, so
    ‖∂E/∂W^l‖ = ‖W_before - W_after‖ / α: the recorded norm of epoch e, layer l."""
    X, y = iris
    alpha = 0.1
    model = small(hidden_layer_sizes=(6, 5), activation="sigmoid", optimizer="sgd", learning_rate=alpha,
                  batch_size=None, weight_decay=0.0, epochs=1, warm_start=True)
    model.fit(X, y)
    before = [W.copy() for W in model.network_.weights]
    model.fit(X, y)
    assert model.gradient_norms_.shape == (3, 2)  # (layers, epochs)
    for l, (W0, W1) in enumerate(zip(before, model.network_.weights)):
        assert model.gradient_norms_[l, 1] == pytest.approx(np.linalg.norm(W0 - W1) / alpha, rel=1e-9)


def test_gradient_norms_show_the_vanishing_gradient_of_sigmoid_layers(cancer):
    """The seed's point: each sigmoid layer multiplies the backward error by S'(z) <= 1/4, so in a
    deep sigmoid network the first layers learn slowest; ReLU (f' = 1 where active) does not shrink it."""
    X, y = StandardScaler().fit_transform(cancer[0]), cancer[1]
    norms = {}
    for f in ("sigmoid", "relu"):
        model = small(hidden_layer_sizes=(30, 30, 30, 30), activation=f, init="normal", optimizer="sgd",
                      batch_size=None, epochs=1).fit(X, y)
        norms[f] = model.gradient_norms_[:4, 0]  # hidden layers 1..4, first epoch
    assert np.all(norms["sigmoid"][:-1] < 0.5 * norms["sigmoid"][1:])  # shrinks by > 2x per layer
    assert norms["relu"][0] > 0.5 * norms["relu"][-1]


def test_binary_outputs_follow_the_equations(cancer):
    X, y = StandardScaler().fit_transform(cancer[0]), np.where(cancer[1] == 1, "benign", "malignant")
    model = small(activation="relu").fit(X, y)
    W1, W2 = model.network_.weights
    b1, b2 = model.network_.biases
    assert model.coefs_[0] is W1 and model.intercepts_[1] is b2 and W1.shape == (30, 8)  # MLP's names
    z = (np.maximum(X @ W1 + b1, 0) @ W2 + b2)[:, 0]  # z² = relu(x W¹ + b¹) W² + b²
    np.testing.assert_allclose(model.decision_function(X), z, rtol=1e-12)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    # ln(1 - S(z)) = -ln(1 + e^z), ln S(z) = -ln(1 + e^-z): finite even where 1 - S(z) rounds to 0
    log_proba = -np.column_stack([np.logaddexp(0, z), np.logaddexp(0, -z)])
    np.testing.assert_allclose(model.predict_log_proba(X), log_proba, rtol=1e-12)
    assert list(model.classes_) == ["benign", "malignant"]
    np.testing.assert_array_equal(model.predict(X), np.where(z > 0, "malignant", "benign"))


def test_multiclass_probabilities_are_the_softmax_of_the_logits(iris):
    X, y = iris
    model = small(activation="tanh").fit(X, y)
    W1, W2 = model.network_.weights
    b1, b2 = model.network_.biases
    z = np.tanh(X @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(model.decision_function(X), z, rtol=1e-12)
    np.testing.assert_allclose(model.predict_proba(X), np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(model.predict_log_proba(X), z - np.log(np.exp(z).sum(axis=1, keepdims=True)),
                               rtol=1e-12, atol=1e-14)
    assert model.score(X, y) > 0.9


def test_multilabel_targets_get_one_sigmoid_unit_per_label():
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(n_samples=200, n_features=6, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    model = small(hidden_layer_sizes=(16,), activation="sigmoid", epochs=200, learning_rate=0.01).fit(X, Y)
    assert model.network_.sizes == [6, 16, 4] and list(model.classes_) == [0, 1, 2, 3]
    W1, W2 = model.network_.weights
    b1, b2 = model.network_.biases
    z = (1 / (1 + np.exp(-(X @ W1 + b1)))) @ W2 + b2
    np.testing.assert_allclose(model.predict_proba(X), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(model.predict(X), (z > 0).astype(Y.dtype))
    # E = (1/m) Σ_i Σ_k [softplus(z_ik) - y_ik z_ik], the binary cross-entropy summed over labels
    E = np.mean(np.sum(np.logaddexp(0, z) - Y * z, axis=1))
    assert model.network_.error(X, Y) == pytest.approx(E, rel=1e-12)
    per_label = (model.predict(X) == Y).mean()
    assert per_label > np.maximum(Y.mean(axis=0), 1 - Y.mean(axis=0)).mean()  # beats the majority vote per label


def test_regressor_without_hidden_layer_finds_the_least_squares_solution():
    """No hidden layer and an identity output is linear regression: gradient descent on
    E = (1/2m) Σ‖ŷ - y‖² converges to the least-squares W, b of np.linalg.lstsq."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    W, b = np.array([[1.0, -2.0], [0.5, 0.0], [-1.5, 3.0]]), np.array([0.3, -0.7])
    Y = X @ W + b + 0.1 * rng.standard_normal((200, 2))
    model = NetworkRegressor(hidden_layer_sizes=(), optimizer="sgd", learning_rate=0.3, batch_size=None,
                             weight_decay=0.0, epochs=400, random_state=0).fit(X, Y)
    solution, *_ = np.linalg.lstsq(np.hstack([X, np.ones((200, 1))]), Y, rcond=None)
    np.testing.assert_allclose(model.network_.weights[0], solution[:3], atol=1e-8)
    np.testing.assert_allclose(model.network_.biases[0], solution[3], atol=1e-8)
    assert model.predict(X).shape == (200, 2)
    one = NetworkRegressor(hidden_layer_sizes=(), epochs=2, random_state=0).fit(X, Y[:, 0])
    assert one.predict(X).shape == (200,) and one.n_outputs_ == 1


def test_early_stopping_stops_when_the_validation_loss_stalls():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((120, 5)), rng.integers(0, 2, 120)  # random labels: nothing to learn
    model = small(hidden_layer_sizes=(32,), epochs=500, learning_rate=0.05, early_stopping=True,
                  n_iter_no_change=5, validation_fraction=0.25).fit(X, y)
    assert model.n_iter_ < 500
    assert len(model.validation_scores_) == len(model.loss_curve_) == model.n_iter_
    assert all(0 <= s <= 1 for s in model.validation_scores_)
    assert small().fit(X, y).validation_scores_ is None
    regressor = NetworkRegressor(hidden_layer_sizes=(8,), epochs=30, early_stopping=True, learning_rate=0.01,
                                 random_state=0).fit(X, X @ np.arange(5.0))  # a learnable linear target
    assert len(regressor.validation_scores_) == regressor.n_iter_
    assert regressor.validation_scores_[-1] > regressor.validation_scores_[0]  # R² on held-out data improves
    assert max(regressor.validation_scores_) <= 1.0


def test_feature_names_are_kept_and_checked(iris):
    X = pd.DataFrame(iris[0], columns=["sepal_length", "sepal_width", "petal_length", "petal_width"])
    model = small(epochs=2).fit(X, iris[1])
    assert list(model.feature_names_in_) == list(X.columns) and model.n_features_in_ == 4
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X.rename(columns={"sepal_length": "length"}))


def test_verbose_prints_one_line_per_epoch(iris, capsys):
    small(epochs=3, verbose=True).fit(*iris)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2", "epoch 3"]
    assert all("E = " in line for line in lines)


@pytest.mark.parametrize("model, call, words", [
    (small(), lambda m, X, y: m.partial_fit(X, y), "classes must be passed"),
    (small(), lambda m, X, y: m.partial_fit(X, y, classes=[0, 1]), "not one of the classes"),
    (small(hidden_layer_sizes=(4, 0)), lambda m, X, y: m.fit(X, y), "hidden_layer_sizes"),
    (small(batch_size="big"), lambda m, X, y: m.fit(X, y), "batch_size"),
    (small(activation="swish"), lambda m, X, y: m.fit(X, y), "unknown activation"),
    (small(), lambda m, X, y: m.fit(X, np.column_stack([y, y])), "multiclass-multioutput"),
    (small(warm_start=True), lambda m, X, y: m.fit(X, y).set_params(hidden_layer_sizes=(3,)).fit(X, y),
     "differs from the fitted network"),
    (small(warm_start=True), lambda m, X, y: m.fit(X, y).set_params(activation="sigmoid").fit(X, y),
     r"activation='sigmoid' differs from the fitted network's \['relu'\]"),
    (small(warm_start=True), lambda m, X, y: m.fit(X, y).set_params(dropout=0.5).fit(X, y),
     "dropout=0.5 differs from the fitted network's 0.0"),
    (small(early_stopping=True, validation_fraction=1.5), lambda m, X, y: m.fit(X, y), "validation_fraction"),
])
def test_bad_settings_give_one_clear_error(iris, model, call, words):
    with pytest.raises(ValueError, match=words):
        call(model, *iris)


def test_nnmath_errors_are_value_errors_so_scikit_learn_handles_them():
    assert issubclass(NNMathError, ValueError)


def test_validation_fraction_matters_only_when_stopping_early(iris):
    X, y = iris
    # scikit-learn's MLP takes validation_fraction=0.0 without early stopping; so does nnmath
    model = small(epochs=2, validation_fraction=0.0).fit(X, y)
    assert model.n_iter_ == 2



def test_warm_start_and_partial_fit_with_an_activation_object(iris):
    from nnmath.engine import activations

    X, y = iris
    model = small(epochs=1, warm_start=True, activation=activations.get("tanh")).fit(X, y)
    model.fit(X, y)  # the same network continues
    model.partial_fit(X, y)
    assert model.n_iter_ == 3


@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_the_engine_parameter_picks_the_path_and_both_learn_the_same(engine):
    from nnmath.sklearn import NetworkClassifier

    X, y = np.random.default_rng(3).standard_normal((60, 4)), np.arange(60) % 2
    auto = NetworkClassifier(hidden_layer_sizes=(5,), epochs=3, batch_size=10, random_state=0).fit(X, y)
    chosen = NetworkClassifier(hidden_layer_sizes=(5,), epochs=3, batch_size=10, random_state=0, engine=engine).fit(X, y)
    np.testing.assert_allclose(chosen.loss_curve_, auto.loss_curve_, rtol=1e-10)
    assert chosen.get_params()["engine"] == engine


def test_an_unknown_engine_is_refused_by_the_estimator():
    from nnmath import NNMathError
    from nnmath.sklearn import NetworkClassifier

    with pytest.raises(NNMathError, match="engine must be one of"):
        NetworkClassifier(engine="gpu").fit(np.eye(4), [0, 1, 0, 1])


def test_a_float32_model_refuses_values_past_its_range_instead_of_predicting_nan():
    """Found in review: a model fitted on float32 data cast a float64 X holding 1e300 to inf and
    predicted NaN probabilities and classes_[0] (NumPy's overflow warning the only sign), where
    MLPClassifier computes in float64; now one error names the range, in predict and in a warm fit."""
    X, y = np.random.default_rng(0).standard_normal((30, 3)), np.arange(30) % 3
    model = small(epochs=2, warm_start=True).fit(X.astype(np.float32), y)
    huge = np.array([[1e300, 0.0, 0.0], [0.0, -1e39, 0.0]])
    for call in (model.predict, model.predict_proba, model.decision_function):
        with pytest.raises(ValueError, match=r"past the range of this float32 network \(±3.4e\+38\)"):
            call(huge)
    with pytest.raises(ValueError, match="past the range of this float32 network"):
        model.fit(np.vstack([X, huge]), np.r_[y, 0, 1])
    assert model.predict(X * 1e30).shape == (30,)  # large but within float32: predicted as before


def test_a_sparse_target_matrix_is_taken_as_its_values():
    """Found in review: a sparse y (MultiLabelBinarizer(sparse_output=True)'s indicator matrix, which
    MLPClassifier takes) was refused with 'X has 60 samples but y has 1'; now it trains as its dense values."""
    from scipy.sparse import csr_matrix

    X = np.random.default_rng(0).standard_normal((60, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0]).astype(int)
    dense, sparse = small(epochs=3).fit(X, Y), small(epochs=3).fit(X, csr_matrix(Y))
    assert list(sparse.classes_) == [0, 1, 2]
    np.testing.assert_array_equal(sparse.predict_proba(X), dense.predict_proba(X))
    targets = X[:, :2] * [1.0, -2.0]
    regressor = NetworkRegressor(hidden_layer_sizes=(4,), epochs=3, random_state=0)
    np.testing.assert_array_equal(regressor.fit(X, csr_matrix(targets)).predict(X),
                                  clone(regressor).fit(X, targets).predict(X))


def test_labels_in_messages_are_written_as_the_user_wrote_them():
    """Found in review: under NumPy 2 the messages showed NumPy's reprs: "the label np.int64(0) is not one
    of the classes [np.str_('a'), np.str_('b')]"."""
    X, y = np.random.default_rng(0).standard_normal((6, 2)), np.arange(6) % 2
    with pytest.raises(ValueError, match=r"^the label 0 is not one of the classes \['a', 'b'\]$"):
        small().partial_fit(X, y, classes=["a", "b"])
    with pytest.raises(ValueError, match=r"y holds one class \('a'\)$"):
        small().fit(X, ["a"] * 6)
    with pytest.raises(ValueError, match=r"^classes=\[0, 1, 2\] differs from the fitted classes \[0, 1\]$"):
        small(epochs=1).fit(X, y).partial_fit(X, y, classes=[0, 1, 2])
