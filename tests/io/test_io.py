"""Model files: a round trip predicts identically; anything that is not a model we wrote is refused."""
import json
import pickle
import zipfile

import numpy as np
import pytest

from nnmath import Network, NNMathError
from nnmath.io.model import META_KEY, load_model, replace_atomically, save_model


def _trained(sizes, labels, seed=0, **options):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, sizes[0]))
    y = np.asarray(labels)[np.arange(40) % len(labels)]
    net = Network(sizes, seed=seed, **options)
    net.fit(X, y, epochs=5, learning_rate=0.1)
    return net, X


@pytest.mark.parametrize("sizes, labels, options", [
    ([3, 4, 1], ["benign", "malignant"], {}),
    ([3, 5, 4, 3], [2, 5, 9], {"activation": "tanh"}),
    ([3, 4, 2], [0.5, 1.5], {"batchnorm": True}),
    ([3, 4, 1], [False, True], {}),  # truth values, stored as JSON's true/false
])
def test_round_trip_gives_identical_predictions(tmp_path, sizes, labels, options):
    net, X = _trained(sizes, labels, **options)
    info = {"scaler": {"mean": np.arange(3.0) / 7, "scale": np.ones(3)}, "feature_names": ["a", "b", "c"]}
    save_model(tmp_path / "m.npz", net, info)
    loaded, info2 = load_model(tmp_path / "m.npz")
    assert np.array_equal(loaded.output(X), net.output(X))  # bit for bit
    assert np.array_equal(loaded.predict(X), net.predict(X))
    assert list(loaded.classes_) == labels and loaded.config() == net.config()
    assert info2["scaler"]["mean"] == (np.arange(3.0) / 7).tolist()  # JSON keeps every float digit
    assert info2["feature_names"] == ["a", "b", "c"]


def test_the_archive_holds_plain_arrays_and_json_metadata(tmp_path):
    net, _ = _trained([2, 3, 1], [0, 1])
    save_model(tmp_path / "m.npz", net, {})
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        assert sorted(z.namelist()) == sorted(f"{k}.npy" for k in ["W1", "b1", "W2", "b2", META_KEY])
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        meta = json.loads(archive[META_KEY].tobytes())
    assert meta["format"] == "nnmath-model" and meta["config"]["sizes"] == [2, 3, 1]
    assert meta["classes"] == [0, 1] and meta["arrays"] == ["W1", "W2", "b1", "b2"]


def test_save_replaces_atomically_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"old model")
    net, X = _trained([2, 3, 1], [0, 1])
    save_model(path, net, {})
    assert np.array_equal(load_model(path)[0].output(X), net.output(X))
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"old model")
    net, _ = _trained([2, 3, 1], [0, 1])
    with pytest.raises(TypeError):
        save_model(path, net, {"not json": object()})
    assert path.read_bytes() == b"old model" and len(list(tmp_path.iterdir())) == 1


@pytest.fixture
def saved(tmp_path):
    net, _ = _trained([2, 3, 1], [0, 1])
    save_model(tmp_path / "m.npz", net, {"feature_names": ["x1", "x2"]})
    return tmp_path / "m.npz"


def _rewrite(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    change(arrays)
    np.savez(path, **arrays)


def test_truncated_file_is_refused(saved):
    data = saved.read_bytes()
    for size in (len(data) // 2, len(data) - 10, 10):
        saved.write_bytes(data[:size])
        with pytest.raises(NNMathError, match="not an nnmath model file.*truncated or corrupted"):
            load_model(saved)


def test_pickle_with_npz_extension_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.npz"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(NNMathError, match="pickle"):
        load_model(path)
    assert not marker.exists()


def test_object_arrays_inside_the_archive_are_refused(saved):
    _rewrite(saved, lambda a: a.__setitem__("W1", np.array([{"x": 1}], dtype=object)))
    with pytest.raises(NNMathError, match="pickled objects"):
        load_model(saved)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.__setitem__("extra", np.zeros(2)), r"unexpected arrays \['extra'\]"),
    (lambda a: a.pop("b2"), r"missing arrays \['b2'\]"),
    (lambda a: a.__setitem__("W1", np.zeros((5, 3))), r"W1 must have shape \(2, 3\) for the layer sizes \[2, 3, 1\], it has shape \(5, 3\)"),
    (lambda a: a.__setitem__("W1", np.full((2, 3), np.nan)), "W1 is not finite"),
    (lambda a: a.pop(META_KEY), "no __meta__"),
    (lambda a: a.__setitem__(META_KEY, np.frombuffer(b"{not json", np.uint8)), "not valid JSON"),
    (lambda a: a.__setitem__(META_KEY, np.frombuffer(b'{"format": "other"}', np.uint8)), "format tag"),
])
def test_altered_archives_are_refused(saved, change, message):
    _rewrite(saved, change)
    with pytest.raises(NNMathError, match=message):
        load_model(saved)


def test_foreign_files_are_refused(tmp_path):
    (tmp_path / "a.npz").write_text("W1,b1\n1,2\n")
    np.save(tmp_path / "b.npy", np.zeros(3))
    np.savez(tmp_path / "c.npz", weights=np.zeros(3))
    (tmp_path / "d.npz").write_bytes(b"")
    for name, message in [("a.npz", "not a .npz archive"), ("b.npy", "not a .npz archive"),
                          ("c.npz", "no __meta__"), ("d.npz", "it is empty"), ("none.npz", "no such model file")]:
        with pytest.raises(NNMathError, match=message):
            load_model(tmp_path / name)


def test_a_crash_mid_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"old model")

    def half_then_crash(f):
        f.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(path, half_then_crash)
    assert path.read_bytes() == b"old model" and [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_layer_sizes_are_checked_against_the_arrays_before_the_network_is_built(saved):
    def enormous(arrays):  # a hidden layer of 10^12 units would need terabytes if it were built
        meta = json.loads(arrays[META_KEY].tobytes())
        meta["config"]["sizes"][1] = 10**12
        arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)

    _rewrite(saved, enormous)
    with pytest.raises(NNMathError, match=r"W1 must have shape \(2, 1000000000000\)"):
        load_model(saved)


def test_saving_into_a_missing_folder_or_onto_a_folder_says_so(tmp_path):
    net, _ = _trained([2, 3, 1], [0, 1])
    with pytest.raises(NNMathError, match="cannot write .*m.npz: the folder .*missing does not exist"):
        save_model(tmp_path / "missing" / "m.npz", net, {})
    with pytest.raises(NNMathError, match="is a folder; give a file name"):
        save_model(tmp_path, net, {})
    assert list(tmp_path.iterdir()) == []


def test_a_replaced_file_keeps_its_permissions_and_a_link_keeps_pointing_at_it(tmp_path):
    net, X = _trained([2, 3, 1], [0, 1])
    path, link = tmp_path / "m.npz", tmp_path / "link.npz"
    path.write_bytes(b"old")
    path.chmod(0o600)  # a private file stays private
    link.symlink_to(path.name)
    save_model(link, net, {})
    assert link.is_symlink() and (path.stat().st_mode & 0o777) == 0o600
    assert np.array_equal(load_model(path)[0].output(X), net.output(X))


def test_info_that_json_cannot_hold_is_refused_and_nothing_is_written(tmp_path):
    net, _ = _trained([2, 3, 1], [0, 1])
    with pytest.raises(NNMathError, match="NaN or an infinity"):
        save_model(tmp_path / "m.npz", net, {"score": float("nan")})
    assert list(tmp_path.iterdir()) == []



def test_info_that_refers_to_itself_is_named_as_such(tmp_path):
    net, _ = _trained([2, 3, 1], [0, 1])
    info: dict = {}
    info["me"] = info
    with pytest.raises(NNMathError, match="refers to itself"):
        save_model(tmp_path / "m.npz", net, info)


def test_a_device_is_not_a_model_file_and_special_bits_are_not_kept(tmp_path):
    import os

    net, _ = _trained([2, 3, 1], [0, 1])
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NNMathError, match="is not a regular file"):
        save_model(tmp_path / "pipe", net, {})
    path = tmp_path / "m.npz"
    path.write_bytes(b"old")
    path.chmod(0o4750)  # set-user-ID: a model file never needs it
    save_model(path, net, {})
    assert (path.stat().st_mode & 0o7777) == 0o750


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_weights_that_a_model_file_cannot_hold_are_refused_and_the_old_file_is_kept(saved, value):
    """Found in review: save_model wrote a NaN (or infinite) weight over a good model, and load_model
    then refused the new file as corrupted: the promise that save never writes what load refuses
    (docs/model-format.md) was broken, and the old model lost."""
    before = saved.read_bytes()
    net, _ = _trained([2, 3, 1], [0, 1])
    net.weights[1][2, 0] = value
    with pytest.raises(NNMathError, match="cannot save the model: array W2 holds NaN or an infinity"):
        save_model(saved, net, {})
    assert saved.read_bytes() == before and len(list(saved.parent.iterdir())) == 1
    assert load_model(saved)[0].sizes == [2, 3, 1]


@pytest.mark.parametrize("init", ["he", "custom"])
def test_loading_draws_no_weights_it_would_throw_away(tmp_path, monkeypatch, init):
    # a review found a 1 MB file of a large network took 3x its weights' size in memory to open,
    # a third of it initial weights drawn only to be overwritten by the file's
    from nnmath.engine import init as initializers

    net, X = _trained([3, 4, 3], [0, 1, 2], init="he" if init == "he" else (lambda i, o, rng: np.ones((i, o))))
    save_model(tmp_path / "m.npz", net, {})

    def never(n_in, n_out, rng):
        raise AssertionError("load_model drew initial weights")

    for name in initializers.INITIALIZERS:
        monkeypatch.setitem(initializers.INITIALIZERS, name, never)
    loaded, _ = load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.output(X), net.output(X))
    assert loaded.config() == {**net.config(), "init": "he" if init == "he" else "xavier"}
    monkeypatch.undo()
    fresh = Network.from_config(net.config())  # drawn as the config says (a custom init: xavier)
    assert np.all(fresh.weights[0] != 0) and np.all(Network.from_config(net.config(), draw=False).weights[0] == 0)
