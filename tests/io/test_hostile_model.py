"""Hostile model files (issue 16): each reached the loader's insides before; each is one NNMathError now,
and one line with exit code 2 from every command that opens a model."""
import io
import json
import os
import zipfile

import numpy as np
import pytest

from nnmath import Network, NNMathError
from nnmath.cli import main
from nnmath.io.model import META_KEY, load_model, save_model
from nnmath.version import __version__


def _model(tmp_path):
    net = Network([2, 3, 1], seed=0)
    net.classes_ = np.array([0, 1])
    path = tmp_path / "m.npz"
    save_model(path, net, {"feature_names": ["x1", "x2"], "target_name": "label",
                           "scaler": {"mean": [0.0, 0.0], "scale": [1.0, 1.0]}})
    return path


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _write(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _with_meta(path, change):
    members = _members(path)
    meta = json.loads(np.load(io.BytesIO(members[f"{META_KEY}.npy"])).tobytes())
    text = change(meta)
    raw = text if isinstance(text, bytes) else json.dumps(meta).encode()
    members[f"{META_KEY}.npy"] = _npy(np.frombuffer(raw, np.uint8))
    _write(path, members)


def _set(*keys, value):
    def change(meta):
        target = meta
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


HOSTILE_META = {
    "5000-digit integer": (lambda m: b'{"format": "nnmath-model", "format_version": 1, "x": ' + b"9" * 5000 + b"}",
                           "at most 40 digits"),
    "nested 100000 deep": (lambda m: b'{"format": "nnmath-model", "x": ' + b"[" * 100000 + b"]" * 100000 + b"}",
                           "nested at most 32 levels"),
    "a list as the output name": (_set("config", "output", value=["sigmoid"]), r"config\.output must be one of"),
    "a list as an activation": (_set("config", "activation", value=[["sigmoid"]]),
                                r"config\.activation\[0\] must be one of"),
    "a list as a class label": (_set("classes", value=[[0], [1]]), r"classes\[0\] must be a word"),
    "a word as a layer size": (_set("config", "sizes", value=[2, "3", 1]), r"sizes\[1\] must be a whole number"),
    "a scaler of words": (_set("info", "scaler", value={"mean": ["a", "b"], "scale": [1, 1]}),
                          r"scaler\.mean\[0\] must be a number"),
    "a zero scale": (_set("info", "scaler", value={"mean": [0, 0], "scale": [0, 1]}), r"scale\[0\] must be a number above 0"),
    "a NUL in the data path": (_set("info", "data_path", value="a\x00b.csv"), r"data_path must be text"),
    "three feature names for two inputs": (_set("info", "feature_names", value=["a", "b", "c"]), "names 3 features"),
    "an unknown config key": (_set("config", "evil", value=1), r"config\.evil must be absent"),
    "the info a list": (_set("info", value=[]), r"metadata\.info must be an object"),
    "Infinity": (lambda m: b'{"format": "nnmath-model", "format_version": 1, "x": Infinity}', "must be finite"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_META))
def test_hostile_metadata_is_one_clear_error(tmp_path, case):
    change, message = HOSTILE_META[case]
    path = _model(tmp_path)
    _with_meta(path, change)
    with pytest.raises(NNMathError, match=message):
        load_model(path)


@pytest.mark.parametrize("meta", [b"", b"\x00" * 7])
def test_an_empty_or_binary_metadata_entry(tmp_path, meta):
    path = _model(tmp_path)
    members = _members(path)
    members[f"{META_KEY}.npy"] = meta  # not even an array file
    _write(path, members)
    with pytest.raises(NNMathError, match="not an nnmath model file"):
        load_model(path)


def _header(shape, dtype="<f8"):
    """An .npy file whose header declares ``shape`` and holds no values at all."""
    text = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


@pytest.mark.parametrize("shape, message", [
    ((2**40,), r"the entry b1 is 128 bytes, its header asks for 8796093022336"),  # 8 TiB if it were allocated
    ((2**70, 3), r"the entry W1 is \d+ bytes, its header asks for"),  # too large for a C long
])
def test_array_headers_are_judged_before_any_array_is_allocated(tmp_path, shape, message):
    path = _model(tmp_path)
    members = _members(path)
    members["b1.npy" if len(shape) == 1 else "W1.npy"] = _header(shape)
    _write(path, members)
    with pytest.raises(NNMathError, match=message):
        load_model(path)


def test_a_header_longer_than_its_entry_is_truncated(tmp_path):
    path = _model(tmp_path)
    members = _members(path)
    members["W1.npy"] = _header((2, 3))  # the right shape, no values
    _write(path, members)
    with pytest.raises(NNMathError, match="truncated or corrupted: the entry W1 is"):
        load_model(path)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_fifo_or_folder_is_refused_at_once(tmp_path, kind):
    path = tmp_path / "m.npz"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    with pytest.raises(NNMathError, match="not a regular file" if kind == "fifo" else "is a folder"):
        load_model(path)  # a FIFO would block here forever if it were opened


@pytest.mark.parametrize("command", [["info", "{m}"], ["predict", "{m}", "{csv}"], ["explain", "--model", "{m}"],
                                     ["gradcheck", "{m}"]])
def test_every_command_gives_one_line_and_exit_2(tmp_path, capsys, command):
    path = _model(tmp_path)
    _with_meta(path, HOSTILE_META["a list as the output name"][0])
    csv = tmp_path / "d.csv"
    csv.write_text("x1,x2\n1,2\n")
    code = main([part.format(m=path, csv=csv) for part in command])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err
    assert err.startswith("nnmath: error: ") and "config.output must be one of" in err


def _three_classes(tmp_path, classes=("a", "b", "c")):
    """A 2-3-3 softmax model of three word classes, as training leaves it, and a CSV file with its target column."""
    net = Network([2, 3, 3], seed=0)
    net.classes_ = np.array(classes)
    path = tmp_path / "m3.npz"
    save_model(path, net, {"feature_names": ["x1", "x2"], "target_name": "label",
                           "scaler": {"mean": [0.0, 0.0], "scale": [1.0, 1.0]}})
    csv = tmp_path / "d3.csv"
    csv.write_text("x1,x2,label\n1,2,a\n0,1,b\n2,0,c\n")
    return path, csv


def _change(**fields):
    """Set config fields and the classes at once (classes=... replaces the top-level classes)."""
    def change(meta):
        for key, value in fields.items():
            (meta if key == "classes" else meta["config"])[key] = value
    return change


# Each is schema-valid, but no fit could give it: the output's activation, its width, the kind they make
# (engine/network.py) and the classes (engine/labels.py) disagree.
INCONSISTENT = {
    "softmax made sigmoid: 3 units of word labels": (
        _change(output="sigmoid"), r"its output \(3 sigmoid units: multilabel, one unit per label\) does not fit "
                                   r"its class labels \['a', 'b', 'c'\]: training gives it the unit indices 0\.\.2"),
    "softmax made sigmoid: 3 units of labels out of order": (
        _change(output="sigmoid", classes=[2, 1, 0]),
        r"its output \(3 sigmoid units: multilabel.*does not fit its class labels \[2, 1, 0\]"),
    "sigmoid made softmax: 1 unit": (_change(output="softmax"), r"a softmax output needs at least 2 units"),
    "softmax made identity: a regression with classes": (
        _change(output="identity", loss="mse"), r"its output \(3 identity units: a regression\) has no class labels, "
                                                r"it lists 3"),
    "cross-entropy behind an identity output": (_change(output="identity", classes=None),
                                                r"cross-entropy needs a sigmoid or softmax output"),
    "two classes for three softmax units": (
        _change(classes=["a", "b"]),
        r"the class labels are invalid \(expected 3 distinct .* for its output of 3 softmax units: multiclass; "
        r"it lists 2\)"),
    "four classes for three softmax units": (_change(classes=["a", "b", "c", "d"]),
                                             r"the class labels are invalid \(expected 3 distinct .* it lists 4\)"),
    "classes out of the sorted order training leaves": (_change(classes=["b", "a", "c"]),
                                                         r"the class labels \['b', 'a', 'c'\] are not in sorted order"),
}


def _inconsistent(tmp_path, case):
    change, message = INCONSISTENT[case]
    # one sigmoid unit of two classes where the output is made softmax, else the three-class softmax model
    path = _model(tmp_path) if case.startswith("sigmoid made softmax") else _three_classes(tmp_path)[0]
    _with_meta(path, change)
    return path, message


@pytest.mark.parametrize("case", sorted(INCONSISTENT))
def test_an_output_that_does_not_fit_its_classes_is_corrupted(tmp_path, case):
    path, message = _inconsistent(tmp_path, case)
    with pytest.raises(NNMathError, match=f"{path} is corrupted: {message}"):
        load_model(path)


@pytest.mark.parametrize("command", [["info", "{m}"], ["predict", "{m}", "{csv}"], ["explain", "--model", "{m}"],
                                     ["gradcheck", "{m}"]])
def test_a_softmax_model_made_sigmoid_is_one_line_and_exit_2_from_every_command(tmp_path, capsys, command):
    path, csv = _three_classes(tmp_path)  # predict used to fail on it with an internal error (broadcasting the
    _with_meta(path, _change(output="sigmoid"))  # 3-unit rows against the target column); explain and gradcheck
    code = main([part.format(m=path, csv=csv) for part in command])  # said "regression targets must be numbers"
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err
    assert err.startswith(f"nnmath: error: {path} is corrupted: its output (3 sigmoid units: multilabel")


@pytest.mark.parametrize("sizes, output, loss, labels", [
    ([2, 3, 3], "sigmoid", None, np.eye(3, dtype=int)),  # multilabel: its classes are 0, 1, 2
    ([2, 3, 2], "identity", None, np.ones((3, 2))),  # a regression of two outputs: no classes
    ([2, 3, 1], "sigmoid", "mse", [False, True, True]),
    ([2, 3, 2], "softmax", None, [0.5, 2.5, 2.5]),
    ([2, 3, 3], "softmax", None, None),  # saved before its first fit: no classes yet
])
def test_every_output_and_classes_that_fit_gives_still_loads(tmp_path, sizes, output, loss, labels):
    net = Network(sizes, output=output, loss=loss, seed=0)
    if labels is not None:
        net.fit(np.arange(6.0).reshape(3, 2), labels, epochs=1)
    save_model(tmp_path / "m.npz", net, {})
    loaded, _ = load_model(tmp_path / "m.npz")
    assert loaded.config() == net.config() and loaded.kind == net.kind
    assert (loaded.classes_ is None) == (net.classes_ is None)
    assert net.classes_ is None or loaded.classes_.tolist() == net.classes_.tolist()


def test_info_shows_results_only_when_they_are_numbers(tmp_path, capsys):
    path = _model(tmp_path)  # what a Python caller keeps in "results" is its own; info never formats a word as a number
    _with_meta(path, _set("info", "results", value={"test": {"loss": "low", "accuracy": [1], "samples": 3}}))
    assert main(["info", str(path)]) == 0 and "test: loss" not in capsys.readouterr().out


def test_save_never_writes_a_file_that_load_would_refuse(tmp_path):
    net = Network([2, 3, 1], seed=0)
    with pytest.raises(NNMathError, match="cannot save the model: .* names 3 features for a network of 2 inputs"):
        save_model(tmp_path / "m.npz", net, {"feature_names": ["a", "b", "c"]})
    with pytest.raises(NNMathError, match=r"cannot save the model: its metadata\.info\.data_path must be text"):
        save_model(tmp_path / "m.npz", net, {"data_path": 7})
    regression = Network([2, 3, 1], output="identity", seed=0)
    regression.classes_ = np.array(["a", "b"])
    with pytest.raises(NNMathError, match=r"cannot save the model: its output \(1 identity unit: a regression\) has "
                                          r"no class labels, it lists 2"):
        save_model(tmp_path / "m.npz", regression, {})
    net.classes_ = np.array(["yes", "no"])
    with pytest.raises(NNMathError, match=r"cannot save the model: the class labels \['yes', 'no'\] are not in sorted"):
        save_model(tmp_path / "m.npz", net, {})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["info", "{m}"], ["predict", "{m}", "{csv}"], ["explain", "--model", "{m}"],
                                     ["gradcheck", "{m}"]])
def test_a_file_of_a_newer_nnmath_says_so_rather_than_corrupted(tmp_path, capsys, command):
    """Found in review: a model of a later nnmath (format version 1 still) with an activation this one
    does not know was called 'corrupted'; it says which nnmath wrote it and to upgrade. The same file
    claiming this nnmath (or no version) is still corrupted."""
    path = _model(tmp_path)
    _with_meta(path, lambda meta: meta.update(nnmath_version="9.2.0\nrc1", config={**meta["config"], "activation": ["gelu"]}))
    csv = tmp_path / "d.csv"
    csv.write_text("x1,x2\n1,2\n")
    code = main([part.format(m=path, csv=csv) for part in command])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"nnmath: error: {path} was written by nnmath 9.2.0, newer than this nnmath {__version__}, which "
                          "cannot read it (its metadata.config.activation[0] must be one of 'sigmoid'")
    assert err.rstrip().endswith("upgrade nnmath to open it")
    for claimed in (__version__, None, ["9.0"]):
        _with_meta(path, _set("nnmath_version", value=claimed))
        with pytest.raises(NNMathError, match=rf"{path} is corrupted: its metadata\.(config\.activation|nnmath_version)"):
            load_model(path)
