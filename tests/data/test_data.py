"""Data sets: the built-in generators follow their formulas, the split is stratified and
reproducible, the Standardizer gives mean 0 / std 1, and every bad CSV gets one clear error."""
import random

import numpy as np
import pytest

from nnmath import NNMathError, data
from nnmath.data import synthetic


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spirals", "blobs", "breast-cancer", "digits",
                                  "iris", "wine"])
def test_built_in_sets_load_with_labels_and_split(name):
    d = data.load(name, seed=3)
    m = len(d.y_train) + len(d.y_test)
    assert d.X_train.shape == (len(d.y_train), d.n_features) and d.X_test.shape[1] == d.n_features
    assert len(d.feature_names) == d.n_features
    assert 0.2 < len(d.y_test) / m < 0.3  # test_size = 0.25
    assert set(np.unique(d.y_test)) <= set(np.unique(d.y_train))
    assert np.all(np.isfinite(d.X_train))


def test_known_shapes_of_shipped_sets():
    cancer = data.load("breast-cancer")
    assert cancer.n_features == 30 and len(cancer.y_train) + len(cancer.y_test) == 569
    assert sorted(cancer.classes) == ["benign", "malignant"]
    assert data.load("iris").n_features == 4 and data.load("digits").n_features == 64


def test_mnist1d_is_generated_offline_and_leaves_global_random_state_alone():
    np.random.seed(123)
    random.seed(7)
    before_np, before_py = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(7)
    d = data.load("mnist1d", n_samples=500)
    assert np.random.random() == before_np and random.random() == before_py
    assert d.n_features == 40 and len(d.classes) == 10
    assert len(d.y_train) + len(d.y_test) == 500


def test_noiseless_generators_follow_their_definitions():
    rng = np.random.default_rng(0)
    X, y = synthetic.make("xor", 200, 0.0, rng)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    X, y = synthetic.make("circles", 200, 0.0, rng)
    assert np.allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 0, 1.0, 0.5))
    X, y = synthetic.make("moons", 200, 0.0, rng)
    centre = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])  # each moon is a half circle of radius 1
    assert np.allclose(np.hypot(*(X - centre).T), 1.0)
    X, y = synthetic.make("spirals", 200, 0.0, rng)
    r = np.hypot(X[:, 0], X[:, 1])  # r = t and θ = 3πt + πy (mod 2π)
    assert np.allclose(np.cos(3 * np.pi * r + np.pi * y), X[:, 0] / r)


def test_noise_is_gaussian_with_the_given_standard_deviation():
    X0, _ = synthetic.make("circles", 4000, 0.0, np.random.default_rng(1))
    X1, _ = synthetic.make("circles", 4000, 0.3, np.random.default_rng(1))
    assert abs(np.std(X1 - X0) - 0.3) < 0.01


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = data.load("moons", seed=1), data.load("moons", seed=1), data.load("moons", seed=2)
    assert np.array_equal(a.X_train, b.X_train) and not np.array_equal(a.X_train, c.X_train)


def test_split_is_stratified_and_keeps_single_members_in_training():
    y = np.array([0] * 80 + [1] * 20 + [2])
    X = np.arange(len(y), dtype=float).reshape(-1, 1)
    X_tr, y_tr, X_te, y_te = data.split(X, y, 0.25, np.random.default_rng(0))
    assert np.sum(y_te == 0) == 20 and np.sum(y_te == 1) == 5 and 2 not in y_te
    assert sorted(np.concatenate([X_tr, X_te])[:, 0]) == list(range(len(y)))  # a partition


def test_standardizer_gives_zero_mean_unit_std_and_survives_constant_columns():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(5, 3, 100), np.full(100, 7.0)])
    s = data.Standardizer().fit(X)
    Z = s.transform(X)
    assert np.allclose(Z[:, 0].mean(), 0) and np.allclose(Z[:, 0].std(), 1)
    assert np.array_equal(Z[:, 1], np.zeros(100)) and s.scale_[1] == 1.0
    assert np.allclose(s.transform([[8.0, 7.0]]), [[(8.0 - X[:, 0].mean()) / X[:, 0].std(), 0.0]])
    with pytest.raises(NNMathError, match="expected 2 features"):
        s.transform(np.ones((3, 3)))


def _csv(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_target_defaults_to_last_column_and_labels_keep_their_type(tmp_path):
    rows = "".join(f"{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(20))
    d = data.load(_csv(tmp_path, "a,b,label\n" + rows))
    assert d.feature_names == ["a", "b"] and d.target_name == "label"
    assert sorted(d.classes) == ["no", "yes"]
    d = data.load(_csv(tmp_path, "a,label,b\n" + rows.replace("yes", "1").replace("no", "0")), target="label")
    assert d.feature_names == ["a", "b"] and d.target_name == "label" and sorted(d.classes) == [0, 1, 2]


def test_samples_draws_a_subset_of_a_csv_file(tmp_path):
    d = data.load(_csv(tmp_path, "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(100))), n_samples=40)
    X = np.concatenate([d.X_train, d.X_test])[:, 0]
    assert len(X) == 40 and len(set(X)) == 40 and set(X) <= set(range(100))


def test_more_samples_than_a_set_holds_is_refused_not_quietly_capped(tmp_path):
    """Found by a review: iris --samples 1000 gave the 150 there are, without a word."""
    with pytest.raises(NNMathError, match="^iris has 150 samples, fewer than the 1000 asked for; ask for at most 150"):
        data.load("iris", n_samples=1000)
    path = _csv(tmp_path, "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(12)))
    with pytest.raises(NNMathError, match="^d.csv has 12 samples, fewer than the 13 asked for"):
        data.load(path, n_samples=13)
    whole = data.load(path, n_samples=12)
    assert len(whole.y_train) + len(whole.y_test) == 12
    moons = data.load("moons", n_samples=1000)  # a generated set makes as many as asked
    assert len(moons.y_train) + len(moons.y_test) == 1000


def test_the_data_command_writes_the_samples_load_splits_with_none_of_trainings_checks(capsys):
    """Found by a review: `nnmath data circles --samples 4` refused with a message about --test-size, an
    option `data` does not have, and `data digits --samples 5` said the labels looked continuous."""
    from nnmath.cli import main

    assert main(["data", "circles", "--samples", "4"]) == 0 and len(capsys.readouterr().out.splitlines()) == 1 + 4
    assert main(["data", "digits", "--samples", "5"]) == 0 and len(capsys.readouterr().out.splitlines()) == 1 + 5
    X, y, names = data.sets.built_in_samples("iris", n_samples=20, seed=3)
    split = data.load("iris", n_samples=20, seed=3)  # the same 20 samples, split
    assert names == split.feature_names and len(y) == 20
    assert sorted(map(tuple, X)) == sorted(map(tuple, np.concatenate([split.X_train, split.X_test])))


def test_csv_numeric_target_becomes_integers(tmp_path):
    d = data.load(_csv(tmp_path, "x,y\n" + "".join(f"{i},{i % 2}.0\n" for i in range(12))))
    assert d.y_train.dtype.kind == "i" and sorted(d.classes) == [0, 1]


def test_whole_numbers_past_2_to_the_53_keep_their_values(tmp_path):
    """Found by a review: 1e19 and 2e19 were cast to int64, which overflows (all became -2^63: one
    'class', or a regression of one value that scored R² = 1). Past 2^53 they stay floats, exactly as
    read, and still count as whole: two of them are two classes."""
    classes = data.load(_csv(tmp_path, "x,y\n" + "".join(f"{i},{(i % 2 + 1) * 10**19}\n" for i in range(12))))
    assert not classes.regression and sorted(classes.classes) == [1e19, 2e19]
    quantities = [(i * 7919 % 1000 + 1) * 10**15 for i in range(40)]
    fit = data.load(_csv(tmp_path, "x,y\n" + "".join(f"{i},{v}\n" for i, v in enumerate(quantities)), name="q.csv"),
                    regression=None)
    assert fit.regression and sorted(np.concatenate([fit.y_train, fit.y_test])) == sorted(map(float, quantities))


@pytest.mark.parametrize("text, target, message", [
    ("", None, "is empty"),
    ("a,b\n", None, "no rows of data"),
    ("a,b,c\n1,x,0\n2,3,1\n", None, "feature column 'b' .* 'x', which is not a number"),
    ("a,b,c\n1,,0\n2,3,1\n", None, "feature column 'b' .* is empty"),
    ("a,b,c\n1,nan,0\n2,3,1\n", None, "'b' .* NaN and infinite"),
    ("a,b,c\n1,inf,0\n2,3,1\n", None, "NaN and infinite"),
    ("a,b,c\n1,2,0\n2,3,1\n", "d", "no column 'd' .* its columns are 'a', 'b', 'c'"),
    ("a,b,c\n" + "1,2,0\n" * 6, None, "single class"),
    ("a,b,c\n1,2\n", None, "row 2 has 2 fields but the header has 3"),
    ("a,a,c\n1,2,0\n", None, "repeats the column name 'a'"),
])
def test_bad_csv_files_give_one_clear_error(tmp_path, text, target, message):
    with pytest.raises(NNMathError, match=message):
        data.load(_csv(tmp_path, text), target=target)


def test_missing_file_binary_file_and_unknown_name(tmp_path):
    with pytest.raises(NNMathError, match="no such file"):
        data.load(tmp_path / "nothing.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(NNMathError, match="not UTF-8"):
        data.load(tmp_path / "bin.csv")
    with pytest.raises(NNMathError, match="unknown data set 'mnist'.*moons"):
        data.load("mnist")
    with pytest.raises(NNMathError, match="--target is for CSV files"):
        data.load("iris", target="x")


@pytest.mark.parametrize("size", [1e154, 1e300])
def test_standardizer_survives_values_whose_squares_overflow(size):
    X = np.random.default_rng(0).standard_normal((50, 3))
    scaled = data.Standardizer().fit_transform(X * size)  # warnings are errors: no overflow may escape
    assert np.allclose(scaled, (X - X.mean(axis=0)) / X.std(axis=0))



def test_standardizing_values_near_the_float_range_does_not_overflow():
    """Found by a review: x = ±1.7e308 fitted fine, but x - μ overflowed in transform (a warning line,
    then 'the features contain NaN or infinite values', untrue of the file)."""
    X = np.array([[1.7e308, 0.0], [-1.7e308, 1.0]] * 10)
    scaled = data.Standardizer().fit_transform(X)  # warnings are errors here
    assert np.allclose(scaled, [[1.0, -1.0], [-1.0, 1.0]] * 10)
    with pytest.raises(NNMathError, match=r"^feature 2 holds values \(up to 1e\+308\) too large to standardize"):
        data.Standardizer().fit(np.array([[0.0, 0.0], [1.0, 1e-3]])).transform(np.array([[0.5, 1e308]]))


@pytest.mark.parametrize("first", ["0,1", "1,2"])
def test_a_first_row_of_two_small_numbers_is_data_not_column_names(tmp_path, first):
    path = _csv(tmp_path, first + "\n1,0\n0,1\n")
    with pytest.raises(NNMathError, match="looks like data, not column names"):
        data.load(path)
