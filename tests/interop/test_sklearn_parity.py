"""scikit-learn MLP's behaviour where a user expects it (issue 15 items 14 to 18), each case as
scikit-learn's own MLPClassifier / MLPRegressor handles it."""
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from nnmath.engine.optimizers import SGD, Adam
from nnmath.interop.sklearn import NetworkClassifier, NetworkRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_warm_start_with_other_classes_is_refused_as_mlp_refuses_it(iris):
    X, y = iris
    two = y < 2
    ours = NetworkClassifier(hidden_layer_sizes=(4,), epochs=3, warm_start=True, random_state=0).fit(X, y)
    theirs = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, warm_start=True, random_state=0)
    with pytest.warns(Warning):  # not converged in 3 iterations
        theirs.fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
        theirs.fit(X[two], y[two])
    weights = ours.coefs_[0].copy()
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same classes"):
        ours.fit(X[two], y[two])
    assert np.array_equal(ours.coefs_[0], weights)  # refused before any step
    ours.partial_fit(X[two], y[two])  # partial_fit takes batches of some classes, as MLP's does


@pytest.mark.parametrize("Estimator", [NetworkClassifier, NetworkRegressor])
def test_early_stopping_with_a_validation_part_of_one_sample_is_refused(Estimator):
    X = np.random.default_rng(0).standard_normal((12, 3))
    y = (X[:, 0] > 0).astype(int) if Estimator is NetworkClassifier else X.sum(axis=1)
    model = Estimator(hidden_layer_sizes=(3,), epochs=3, early_stopping=True, validation_fraction=0.05, random_state=0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        model.fit(X, y)


def test_an_optimizer_object_is_copied_for_each_fit(iris):
    X, y = iris
    given = Adam(beta1=0.8)
    model = NetworkClassifier(hidden_layer_sizes=(5,), epochs=5, optimizer=given, random_state=0)
    first = model.fit(X, y).coefs_[0].copy()
    second = model.fit(X, y).coefs_[0].copy()
    assert np.array_equal(first, second)  # the same random_state: the same weights, refit after refit
    assert given.t == 0 and given.m is None  # the object given was never stepped
    assert model.optimizer_ is not given and model.optimizer_.t > 0


def test_n_iter_no_change_may_be_infinite(iris):
    X, y = iris
    model = NetworkClassifier(hidden_layer_sizes=(4,), epochs=15, early_stopping=True, n_iter_no_change=np.inf,
                              random_state=0).fit(X, y)
    assert model.n_iter_ == 15  # never stops early
    with pytest.raises(ValueError, match="n_iter_no_change must be a whole number of at least 1 or np.inf"):
        NetworkClassifier(n_iter_no_change=0.5, epochs=2).fit(X, y)


def test_coefs_and_intercepts_can_be_assigned(iris):
    X, y = iris
    model = NetworkClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, y)
    W = [np.zeros((4, 4)), np.ones((4, 3))]
    b = [np.zeros(4), np.array([0.0, 5.0, 0.0])]
    model.coefs_, model.intercepts_ = W, b
    assert all(np.array_equal(a, w) for a, w in zip(model.coefs_, W))
    assert np.array_equal(model.network_.biases[1], b[1])
    assert np.all(model.predict(X) == 1)  # W¹ = 0 makes a¹ = 0, so z² = b² = [0, 5, 0]: class 1 everywhere
    with pytest.raises(ValueError, match=r"coefs_\[1\] must have shape \(4, 3\)"):
        model.coefs_ = [np.zeros((4, 4)), np.zeros((4, 2))]
    with pytest.raises(ValueError, match="intercepts_ needs 2 arrays"):
        model.intercepts_ = [np.zeros(4)]


def test_the_weight_decay_mapping_states_its_conditions():
    doc = NetworkClassifier.__doc__
    assert "only\n        when every batch has B samples" in doc
    assert "ε / √(1 - β₂ᵗ)" in doc


@pytest.mark.parametrize("first, then", [("sgd", Adam(beta1=0.5)), (Adam(beta1=0.8), Adam(beta1=0.5)),
                                         (Adam(beta1=0.8), "sgd")])
def test_a_warm_start_with_another_optimizer_uses_it(iris, first, then):
    """Found in review: set_params(optimizer=Adam(beta1=0.5)) on a warm-started estimator fitted with
    "sgd" (or another Adam object) went on with the old optimizer_, the new one silently ignored."""
    X, y = iris
    model = NetworkClassifier(hidden_layer_sizes=(4,), epochs=2, warm_start=True, optimizer=first, random_state=0)
    model.fit(X, y)
    kept = model.optimizer_
    model.fit(X, y)  # the same optimizer: it continues with its state
    assert model.optimizer_ is kept
    model.set_params(optimizer=then).fit(X, y)
    assert model.optimizer_ is not kept and model.optimizer_ is not then
    if then == "sgd":
        assert isinstance(model.optimizer_, SGD)
    else:  # a fresh copy of the new object: its β₁, and the two steps of this fit (one batch an epoch)
        assert isinstance(model.optimizer_, Adam) and model.optimizer_.beta1 == 0.5 and model.optimizer_.t == 2
        assert then.t == 0
