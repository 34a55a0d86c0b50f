"""Model files that are safe to open: one ``.npz`` archive of plain float arrays plus JSON metadata.

Loading reads the archive with ``allow_pickle=False``, so it never runs code from the file, and
checks everything before building the network: the format tag, the version, the array names
(no extra, none missing), dtypes and shapes. Writing goes to a temporary file in the same folder,
then ``os.replace`` puts it in place in one step, so a crash mid-write never leaves a
half-written model where the old one was. The format is described in docs/model-format.md.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nnmath.version import __version__
from nnmath.errors import NNMathError
from nnmath.io.atomic import replace_atomically
from nnmath.engine.network import Network

FORMAT = "nnmath-model"
FORMAT_VERSION = 1
META_KEY = "__meta__"  # the JSON metadata, stored as an array of UTF-8 bytes (uint8)


def _json_safe(value: Any) -> Any:
    """numpy arrays and scalars as lists and Python numbers; everything else must already be JSON."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a model file")


def save_model(path, net: Network, info: dict) -> None:
    """Write ``net`` and ``info`` to ``path``, atomically. ``info`` must be JSON-safe (numpy arrays are
    turned into lists): scaling, class labels, feature names, training settings."""
    path = Path(path)
    state = net.state()
    classes = None if net.classes_ is None else net.classes_.tolist()
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "nnmath_version": __version__,
            "config": net.config(), "classes": classes, "arrays": sorted(state), "info": info}
    try:
        text = json.dumps(meta, default=_json_safe, allow_nan=False)
    except ValueError as e:
        what = "refers to itself" if "ircular" in str(e) else "holds NaN or an infinity"
        raise NNMathError(f"the info to save {what}, which a model file cannot store") from None
    arrays = {name: np.ascontiguousarray(value) for name, value in state.items()}
    arrays[META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    def write(f: BinaryIO) -> None:
        np.savez(f, allow_pickle=False, **arrays)  # plain float and uint8 arrays only

    replace_atomically(path, write)


def _read_archive(path: Path) -> dict[str, np.ndarray]:
    """Every array of the .npz at ``path``, read without pickle; a clear error for anything else."""
    if not path.exists():
        raise NNMathError(f"no such model file: {path}")
    if path.is_dir():
        raise NNMathError(f"{path} is a folder, not a model file")
    not_a_model = f"{path} is not an nnmath model file"
    with path.open("rb") as f:  # opened here so that it is closed whatever np.load does
        magic = f.read(4)
        if magic[:1] == b"\x80":
            raise NNMathError(f"{not_a_model} (it is a Python pickle, which nnmath never loads)")
        if magic != b"PK\x03\x04":
            raise NNMathError(f"{not_a_model} (it is not a .npz archive)" if magic else f"{not_a_model} (it is empty)")
        f.seek(0)
        try:
            with np.load(f, allow_pickle=False) as archive:
                return {name: archive[name] for name in archive.files}
        except (ValueError, zipfile.BadZipFile, EOFError, KeyError, OSError, RuntimeError) as e:
            pickled = "pickle" in str(e)
            reason = "it holds pickled objects, which are never loaded" if pickled else "truncated or corrupted"
            raise NNMathError(f"{not_a_model} ({reason})") from None


def _read_meta(path: Path, arrays: dict[str, np.ndarray]) -> dict:
    raw = arrays.pop(META_KEY, None)
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise NNMathError(f"{path} is not an nnmath model file (no {META_KEY} metadata)")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NNMathError(f"{path} is corrupted: its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise NNMathError(f"{path} is not an nnmath model file (format tag missing)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise NNMathError(f"{path} uses model format version {meta.get('format_version')!r}; "
                          f"this nnmath {__version__} reads version {FORMAT_VERSION}")
    for key, kind in (("config", dict), ("arrays", list), ("info", dict)):
        if not isinstance(meta.get(key), kind):
            raise NNMathError(f"{path} is corrupted: its metadata has no valid {key!r}")
    return meta


def _check_sizes(path: Path, sizes: Any, arrays: dict[str, np.ndarray]) -> None:
    """The layer sizes against the weight arrays, before the network is built (which a tampered
    size could make enormous)."""
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise NNMathError(f"{path} is corrupted: its metadata has no valid layer sizes")
    for l, shape in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W = arrays.get(f"W{l}")
        if W is None or W.shape != shape:
            found = "no such array" if W is None else f"shape {W.shape}"
            raise NNMathError(f"{path} is corrupted: W{l} must have shape {shape} for the layer sizes {sizes}, "
                              f"it has {found}")


def _classes(values: Any, net: Network) -> np.ndarray:
    """The stored class labels: all words, all numbers or all truth values, as many as the output
    layer expects."""
    expected = 2 if net.kind == "binary" else net.sizes[-1]
    kinds = {bool if isinstance(v, bool) else str if isinstance(v, str) else float if isinstance(v, (int, float))
             else None for v in values} if isinstance(values, list) else {None}
    if len(kinds) != 1 or None in kinds or len(values) != expected or len(set(values)) != expected:
        raise NNMathError(f"the class labels are invalid (expected {expected} distinct words, numbers or truth values)")
    return np.asarray(values)


def load_model(path) -> tuple[Network, dict]:
    """The Network and the info dict saved by ``save_model``; refuses anything else with one clear line."""
    path = Path(path)
    arrays = _read_archive(path)
    meta = _read_meta(path, arrays)
    listed = set(meta["arrays"])
    extra, missing = sorted(set(arrays) - listed), sorted(listed - set(arrays))
    if extra or missing:
        detail = "; ".join(part for part in (f"unexpected arrays {extra}" if extra else "",
                                             f"missing arrays {missing}" if missing else "") if part)
        raise NNMathError(f"{path} is corrupted or was altered: {detail}")
    for name, value in arrays.items():
        if value.dtype.kind != "f" or not np.all(np.isfinite(value)):
            raise NNMathError(f"{path} is corrupted: array {name} is not finite floating-point numbers")
    _check_sizes(path, meta["config"].get("sizes"), arrays)
    try:
        net = Network.from_config(meta["config"])
        net.load_state(arrays)
        if meta.get("classes") is not None:
            net.classes_ = _classes(meta["classes"], net)
    except (TypeError, ValueError) as e:  # NNMathError is a ValueError
        raise NNMathError(f"{path} is corrupted: {e}") from None
    return net, meta["info"]
