"""Model files that are safe to open: one ``.npz`` archive of plain float arrays plus JSON metadata.

Loading never unpickles anything and judges every size before it allocates or recurses: the path
(a regular file of bounded size), the zip's entries, the metadata's header, its JSON (size, depth,
digits), every field against the schema (schema.py), then each array's header (dtype, shape, length,
archive.py) against the layer sizes, and only then the values. Writing goes to a temporary file in the same folder,
then ``os.replace`` puts it in place in one step, so a crash mid-write never leaves a
half-written model where the old one was. The format is described in docs/model-format.md.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Optional

import numpy as np

from nnmath.version import __version__
from nnmath.errors import NNMathError
from nnmath.engine.network import Network
from nnmath.io import schema
from nnmath.io.archive import DAMAGED, Archive
from nnmath.atomic import replace_atomically
from nnmath.paths import regular_file

FORMAT = "nnmath-model"
FORMAT_VERSION = 1
META_KEY = "__meta__"  # the JSON metadata, stored as an array of UTF-8 bytes (uint8)
MAX_PARAMETERS = 2**27  # numbers in all arrays of one model: 1 GiB of float64
MAX_MODEL_BYTES = 2 * 2**30  # those numbers, their metadata and the zip's own bytes, with room to spare


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
    try:  # never write a file that load_model would refuse: the same limits, the same schema
        schema.check(schema.parse(text.encode("utf-8")))
        bad = _not_finite(state)
        if bad is not None:
            raise NNMathError(f"array {bad} holds NaN or an infinity, which a model file cannot store")
        _classes(classes, net)
        _check_info("the info to save", info, net)
    except (NNMathError, schema.Invalid) as e:
        raise NNMathError(f"cannot save the model: {e}") from None
    arrays = {name: np.ascontiguousarray(value) for name, value in state.items()}
    arrays[META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    def write(f: BinaryIO) -> None:
        np.savez(f, allow_pickle=False, **arrays)  # plain float and uint8 arrays only

    replace_atomically(path, write)


def _not_finite(arrays: dict[str, np.ndarray]) -> Optional[str]:
    """The first array (by name) of W^l, b^l and the batch-normalisation arrays that holds NaN or ±∞;
    None when every one is finite, as a model file's must be."""
    return next((name for name in sorted(arrays) if not np.all(np.isfinite(arrays[name]))), None)


def _expected_shapes(config: dict) -> dict[str, tuple]:
    """Every array the architecture in ``config`` has, with its shape: W^l (n_{l-1}, n_l), b^l (n_l,),
    and the batch-normalisation arrays of each hidden layer."""
    sizes = config["sizes"]
    shapes: dict[str, tuple] = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        shapes[f"W{l}"], shapes[f"b{l}"] = (n_in, n_out), (n_out,)
        if config.get("batchnorm") and l < len(sizes) - 1:
            for name in ("gamma", "beta", "running_mean", "running_var"):
                shapes[f"{name}{l}"] = (n_out,)
    return shapes


def _read_meta(path: Path, archive: Archive) -> dict:
    """The metadata: its header, its bytes, its JSON within limits, its format tag and version, its schema."""
    if META_KEY not in archive.names():
        raise NNMathError(f"{path} is not an nnmath model file (no {META_KEY} metadata)")
    shape, dtype = archive.header(META_KEY)
    if dtype != np.uint8 or len(shape) != 1:
        raise NNMathError(f"{path} is not an nnmath model file (no {META_KEY} metadata: "
                          f"it must be 1-D uint8, it is {dtype} of shape {shape})")
    if shape[0] > schema.MAX_META_BYTES:
        raise NNMathError(f"{path} is corrupted: its metadata is {shape[0]} bytes, at most "
                          f"{schema.MAX_META_BYTES} are read")
    try:
        meta = schema.parse(archive.read(META_KEY).tobytes())
    except schema.Invalid as e:
        raise NNMathError(f"{path} is corrupted: {e}") from None
    except ValueError:  # not UTF-8, not JSON
        raise NNMathError(f"{path} is corrupted: its metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise NNMathError(f"{path} is not an nnmath model file (format tag missing)")
    if meta.get("format_version") != FORMAT_VERSION or isinstance(meta.get("format_version"), bool):
        shown = repr(meta.get("format_version"))[:40]
        raise NNMathError(f"{path} uses model format version {shown}; "
                          f"this nnmath {__version__} reads version {FORMAT_VERSION}")
    try:
        schema.check(meta)
    except NNMathError as e:
        writer = _release(meta.get("nnmath_version"))
        if writer > _release(__version__):  # a name or field a later nnmath added
            raise NNMathError(f"{path} was written by nnmath {'.'.join(map(str, writer))}, newer than this nnmath "
                              f"{__version__}, which cannot read it ({e}); upgrade nnmath to open it") from None
        raise NNMathError(f"{path} is corrupted: {e}") from None
    return meta


def _release(version: Any) -> tuple[int, ...]:
    """(0, 1, 0) for "0.1.0" (or "0.1.0.dev3"); () for anything that is not a version."""
    found = re.match(r"(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?", version[:40]) if isinstance(version, str) else None
    return tuple(int(part or 0) for part in found.groups()) if found else ()


def _check_arrays(path: Path, archive: Archive, meta: dict) -> dict[str, tuple]:
    """The entries against the listed arrays and the architecture, from their headers alone."""
    listed = set(meta["arrays"])
    entries = archive.names() - {META_KEY}
    extra, missing = sorted(entries - listed), sorted(listed - entries)
    if extra or missing:
        detail = "; ".join(part for part in (f"unexpected arrays {extra}" if extra else "",
                                             f"missing arrays {missing}" if missing else "") if part)
        raise NNMathError(f"{path} is corrupted or was altered: {detail}")
    sizes = meta["config"]["sizes"]
    expected = _expected_shapes(meta["config"])
    shapes = {name: archive.header(name) for name in sorted(entries)}
    for name, shape in expected.items():
        found = "no such array" if name not in shapes else f"shape {shapes[name][0]}"
        if name not in shapes or shapes[name][0] != shape:
            raise NNMathError(f"{path} is corrupted: {name} must have shape {shape} for the layer sizes {sizes}, "
                              f"it has {found}")
    for name, (_, dtype) in shapes.items():
        if name not in expected:
            raise NNMathError(f"{path} is corrupted or was altered: an array {name} that the layer sizes {sizes} "
                              f"do not have")
        if dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise NNMathError(f"{path} is corrupted: array {name} is not finite floating-point numbers "
                              f"(float32 or float64; it is {dtype})")
    total = sum(int(np.prod(shape, dtype=object)) for shape in expected.values())
    if total > MAX_PARAMETERS:
        raise NNMathError(f"{path} declares {total} numbers; nnmath loads models of at most {MAX_PARAMETERS}")
    return expected


def _shown(values: list) -> str:
    """A few of the labels, for a message about all of them."""
    return repr(values) if len(values) <= 4 else repr(values[:3])[:-1] + ", ...]"


def _classes(values: Any, net: Network) -> Optional[np.ndarray]:
    """The stored class labels, as training leaves them for the network's kind (engine/labels.py): none for a
    regression; the output indices 0..n_L-1 for several sigmoid units (multilabel); else 2 (one sigmoid unit)
    or n_L (softmax) distinct words, numbers or truth values, all of one type, in sorted order (np.unique's).
    None (a network saved before its first fit) is kept as it is."""
    if values is None:
        return None
    n_out = net.sizes[-1]
    if net.kind == "regression":
        raise NNMathError(f"its output ({n_out} identity unit{'s' if n_out > 1 else ''}: a regression) has no class "
                          f"labels, it lists {len(values)} ({_shown(values)})")
    if net.kind == "multilabel":
        if len(values) != n_out or any(type(v) is not int or v != k for k, v in enumerate(values)):
            raise NNMathError(f"its output ({n_out} sigmoid units: multilabel, one unit per label) does not fit its "
                              f"class labels {_shown(values)}: training gives it the unit indices 0..{n_out - 1}")
        return np.asarray(values)
    expected = 2 if net.kind == "binary" else n_out
    output = "1 sigmoid unit: binary" if net.kind == "binary" else f"{n_out} softmax units: multiclass"
    kinds = {bool if isinstance(v, bool) else str if isinstance(v, str) else float if isinstance(v, (int, float))
             else None for v in values} if isinstance(values, list) else {None}
    if len(kinds) != 1 or None in kinds or len(values) != expected or len(set(values)) != expected:
        raise NNMathError(f"the class labels are invalid (expected {expected} distinct words, numbers or truth values "
                          f"for its output of {output}; it lists {len(values)})")
    if sorted(values) != values:  # encoding looks labels up by bisection (labels.Targets.encode)
        raise NNMathError(f"the class labels {_shown(values)} are not in sorted order, as training leaves them")
    return np.asarray(values)


def load_model(path) -> tuple[Network, dict]:
    """The Network and the info dict saved by ``save_model``; refuses anything else with one clear line
    (NNMathError), having judged every size before allocating anything (see docs/model-format.md)."""
    path = regular_file(path, "model file", MAX_MODEL_BYTES)
    not_a_model = f"{path} is not an nnmath model file"
    with path.open("rb") as f:  # opened here so that it is closed whatever the zip reader does
        magic = f.read(4)
        if magic[:1] == b"\x80":
            raise NNMathError(f"{not_a_model} (it is a Python pickle, which nnmath never loads)")
        if magic != b"PK\x03\x04":
            raise NNMathError(f"{not_a_model} (it is not a .npz archive)" if magic else f"{not_a_model} (it is empty)")
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as zf:
                archive = Archive(zf, str(path))
                meta = _read_meta(path, archive)
                expected = _check_arrays(path, archive, meta)
                arrays = {name: archive.read(name) for name in expected}
        except NNMathError:
            raise
        except DAMAGED:
            raise NNMathError(f"{not_a_model} (truncated or corrupted)") from None
    bad = _not_finite(arrays)
    if bad is not None:
        raise NNMathError(f"{path} is corrupted: array {bad} is not finite floating-point numbers")
    try:
        net = Network.from_config(meta["config"], draw=False)
        net.load_state(arrays)
        net.classes_ = _classes(meta.get("classes"), net)
    except (TypeError, ValueError) as e:  # NNMathError is a ValueError
        raise NNMathError(f"{path} is corrupted: {e}") from None
    _check_info(f"{path} is corrupted", meta["info"], net)
    return net, meta["info"]


def _check_info(problem: str, info: dict, net: Network) -> None:
    """What the command line reads from the info, against the network: one name and one scale per input."""
    n = net.sizes[0]
    features, scaler = info.get("feature_names"), info.get("scaler")
    if features is not None and len(features) != n:
        raise NNMathError(f"{problem}: it names {len(features)} features for a network of {n} inputs")
    if scaler is not None and not len(scaler["mean"]) == len(scaler["scale"]) == n:
        raise NNMathError(f"{problem}: its feature scaling has {len(scaler['mean'])} means and "
                          f"{len(scaler['scale'])} scales for a network of {n} inputs")
