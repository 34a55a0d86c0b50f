"""The model loader against mutated valid files: truncation, byte flips, renamed, added and oversized zip
entries, wrong dtypes and shapes, hostile metadata. Every case is a clean refusal (NNMathError) or a
working network, within a time limit, and the file is never changed by reading it."""
from __future__ import annotations

import io
import json
import warnings
import zipfile

import numpy as np
from hypothesis import given, settings, strategies as st

from conftest import cases, time_limit
from nnmath import Network, NNMathError
from nnmath.io.model import META_KEY, load_model, save_model

X = np.random.default_rng(0).standard_normal((5, 3))


def _valid(sizes, labels, **options) -> bytes:
    """The bytes of a model file written by save_model."""
    import tempfile
    from pathlib import Path

    net = Network(sizes, seed=1, **options)
    y = np.asarray(labels)[np.arange(len(X)) % len(labels)]
    net.fit(X, y, epochs=2, learning_rate=0.1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.npz"
        save_model(path, net, {"feature_names": ["a", "b", "c"], "target_name": "y", "data": "d.csv",
                               "scaler": {"mean": [0.0, 0.1, 0.2], "scale": [1.0, 2.0, 3.0]},
                               "results": {"test": {"loss": 0.5, "accuracy": 0.5, "samples": 5}},
                               "training": {"epochs": 2, "layers": sizes}})
        return path.read_bytes()


VALID = [_valid([3, 4, 1], ["no", "yes"]), _valid([3, 5, 3], [1, 2, 3], activation="tanh"),
         _valid([3, 4, 4, 2], [0.5, 1.5], batchnorm=True, residual=True)]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _zip(members: list[tuple[str, bytes]], compress: bool = False) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED if compress
                                                    else zipfile.ZIP_STORED) as z:
        warnings.simplefilter("ignore")  # a duplicate entry is one of the mutations
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _header_only(shape: tuple, descr: str) -> bytes:
    """An .npy header declaring any shape and dtype (even object, or 2^60 values), with no values."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


# ---- the mutations -----------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from([0, 1, -1, 2, 10**12, "", "sigmoid", "float16", "custom"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)


def _paths(value, path=()):
    """Every place in a JSON value, as a tuple of keys and indices."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


@st.composite
def hostile_meta(draw, members):
    meta = json.loads(np.load(io.BytesIO(members[f"{META_KEY}.npy"])).tobytes())
    places = [p for p in _paths(meta) if p]
    place = draw(st.sampled_from(places))
    parent = meta
    for key in place[:-1]:
        parent = parent[key]
    how = draw(st.sampled_from(["replace", "delete", "raw"]))
    if how == "delete":
        del parent[place[-1]]
    elif how == "replace":
        parent[place[-1]] = draw(json_values)
    text = json.dumps(meta).encode()
    if how == "raw":  # a hostile literal where the value was: deep nesting, huge numbers, NaN, junk
        literal = draw(st.sampled_from([b"[" * 5000 + b"]" * 5000, b"9" * 5000, b"NaN", b"-Infinity", b"1e999",
                                        b'"\\ud800"', b"{", b"\xff\xfe", b'"' + b"x" * 100000 + b'"']))
        text = text.replace(b'"format_version": 1', b'"format_version": 1, "x": ' + literal, 1)
    return {**members, f"{META_KEY}.npy": _npy(np.frombuffer(text, np.uint8))}


@st.composite
def mutated(draw) -> bytes:
    data = draw(st.sampled_from(VALID))
    members = _members(data)
    kind = draw(st.sampled_from(["truncate", "flip", "rename", "add", "oversize", "dtype", "shape", "meta",
                                 "compress", "duplicate"]))
    names = sorted(members)
    if kind == "truncate":
        return data[:draw(st.integers(0, len(data) - 1))]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            out[draw(st.integers(0, len(out) - 1))] ^= draw(st.integers(1, 255))
        return bytes(out)
    if kind == "meta":
        members = draw(hostile_meta(members))
    elif kind == "rename":
        old = draw(st.sampled_from(names))
        new = draw(st.sampled_from(["W9.npy", "w1.npy", "W1", "../W1.npy", "dir/W1.npy", "__meta__.npy", "b1.npy",
                                    "W1.npy.npy", "\u00e9.npy"]))
        members = {(new if n == old else n): v for n, v in members.items()}
    elif kind in ("add", "oversize"):
        name = draw(st.sampled_from(["extra.npy", "W9.npy", "gamma1.npy", "notes.txt", "W1.npy"]))
        shape = draw(st.sampled_from([(2,), (2**40,), (2**62, 2**62), (0,), (3, 4)]))
        value = _header_only(shape, "<f8") if kind == "oversize" else _npy(np.zeros(shape[:1] if shape[0] < 99 else 2))
        members = {**members, name: value}
    elif kind in ("dtype", "shape"):
        name = draw(st.sampled_from([n for n in names if n != f"{META_KEY}.npy"]))
        array = np.load(io.BytesIO(members[name]))
        if kind == "dtype":
            descr = draw(st.sampled_from(["<i8", "<f2", "<c16", "|b1", "<U3", "|O", ">f8", "<f4", "|V8"]))
            value = _header_only(array.shape, descr) if descr in ("|O", "|V8") else _npy(array.astype(descr))
        else:
            shape = draw(st.sampled_from([(), (1,), array.shape[::-1], (*array.shape, 1), (2**31, 2**31)]))
            value = _header_only(shape, "<f8") if 0 in shape or len(shape) and max(shape) > 99 \
                else _npy(np.resize(array, shape).astype(np.float64))
        members = {**members, name: value}
    items = list(members.items())
    if kind == "duplicate":
        items.append(draw(st.sampled_from(items)))
    return _zip(items, compress=kind == "compress")


@settings(max_examples=cases(1500))
@given(data=mutated())
def test_a_mutated_model_file_is_refused_cleanly_or_loads_a_working_network(tmp_path, data):
    path = tmp_path / "m.npz"
    path.write_bytes(data)
    try:
        with time_limit(5):
            net, info = load_model(path)
    except NNMathError as e:
        assert "\n" not in str(e) and str(path) in str(e)
    else:  # accepted: a network that computes, with the info the command line reads in its types
        assert net.output(X).shape == (len(X), net.sizes[-1]) and np.all(np.isfinite(net.output(X)))
        assert isinstance(info, dict)
    assert path.read_bytes() == data  # reading never changes the file


@settings(max_examples=cases(30))
@given(index=st.integers(0, len(VALID) - 1))
def test_an_unchanged_model_file_loads_the_same_network(tmp_path, index):
    path = tmp_path / "m.npz"
    path.write_bytes(VALID[index])
    with time_limit(5):
        net, info = load_model(path)
    again, _ = load_model(path)
    assert np.array_equal(net.output(X), again.output(X)) and info["feature_names"] == ["a", "b", "c"]
