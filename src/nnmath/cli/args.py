"""Checked option types and small helpers shared by the nnmath subcommands."""
from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional, Union

from nnmath.data.csvfile import DEFAULT_LIMITS, Limits
from nnmath.errors import NNMathError
from nnmath.atomic import replace_atomically, writable_file
from nnmath.io.model import MAX_PARAMETERS

LayerSpec = list[Union[int, str]]  # whole numbers, or "auto" for the first and last size

# What one run on one machine can do; values beyond are refused before any work, with the reason.
MAX_EPOCHS = 1_000_000  # every epoch's loss and gradient norms are kept (and plotted)
MAX_SAMPLES = 10_000_000  # of a generated set: 10^7 points of 2 features are 160 MB, as many again to train
MAX_UNITS = 100_000  # in one layer: a 10^5 x 10^5 W would already be 80 GB
MAX_NOISE = 1000.0  # the 2-D sets span about ±2: more noise leaves nothing to learn
MAX_DIGITS = 19  # a whole number of more digits does not fit in 64 bits


def _number(kind: Callable, text: str):
    if kind is int and len(text.strip().lstrip("+-")) > MAX_DIGITS and text.strip().lstrip("+-").isdigit():
        raise argparse.ArgumentTypeError(f"{text[:20]}... is too large ({len(text.strip())} digits)")
    try:
        value = kind(text)
    except ValueError:
        whole = _whole(text) if kind is int else None
        if whole is not None:
            return whole  # 1e3 or 100.0: a whole number written another way
        message = "expected a whole number" if kind is int and _is_float(text) else "expected a number"
        raise argparse.ArgumentTypeError(f"{message}, got {text!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _whole(text: str) -> Optional[int]:
    """The whole number ``text`` writes as a float (1e3, 100.0), else None."""
    if not _is_float(text):
        return None
    value = float(text)
    return int(value) if math.isfinite(value) and value.is_integer() and abs(value) < 2 ** 53 else None


def at_most(parse: Callable[[str], Union[int, float]], high: Union[int, float], why: str) -> Callable[[str], Any]:
    """``parse`` with an upper bound: a value above ``high`` is refused with the reason ``why``."""
    def bounded(text: str):
        value = parse(text)
        if value > high:
            shown = f"{high:,}" if isinstance(high, int) else f"{high:g}"
            raise argparse.ArgumentTypeError(f"must be at most {shown} ({why}), got {text}")
        return value
    bounded.__name__ = parse.__name__  # argparse names the type in its messages
    return bounded


def whole_int(text: str) -> int:
    """Any whole number that fits in 64 bits; its range is judged where it is used."""
    return _number(int, text)


def finite_float(text: str) -> float:
    return _number(float, text)


def _at_least(kind: type, ok: Callable[[Any], bool], words: str, name: str) -> Callable[[str], Any]:
    """An option's parser: a number of ``kind`` for which ``ok`` holds, else "must be ``words``"."""
    def parse(text: str) -> Any:
        value = _number(kind, text)
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {words}, got {text}")
        return value
    parse.__name__ = name  # argparse names the type in its messages
    return parse


positive_float = _at_least(float, lambda v: v > 0, "a positive number", "positive_float")
non_negative_float = _at_least(float, lambda v: v >= 0, "0 or more", "non_negative_float")
non_negative_int = _at_least(int, lambda v: v >= 0, "a whole number, 0 or more", "non_negative_int")
positive_int = _at_least(int, lambda v: v >= 1, "a whole number of at least 1", "positive_int")


# 21 µs per epoch for 2-2-1 on XOR's 4 points (Intel Xeon, 2026): a million is ~20 s there, hours on real data
EPOCHS_WHY = "every epoch's loss and gradient norms are kept; a million epochs take hours on real data"
SAMPLES_WHY = "more samples than one machine generates and trains on"


def epoch_count(text: str) -> int:
    return at_most(positive_int, MAX_EPOCHS, EPOCHS_WHY)(text)


def sample_count(text: str) -> int:
    return at_most(positive_int, MAX_SAMPLES, SAMPLES_WHY)(text)


def noise_level(text: str) -> float:
    return at_most(non_negative_float, MAX_NOISE, "the 2-D sets span about ±2: more noise leaves nothing to learn")(text)


def column_count(text: str) -> int:
    return at_most(positive_int, 10_000_000, "a row of more columns does not fit in memory as text")(text)


def megabytes(text: str) -> int:
    return at_most(positive_int, 2**20, "a CSV file of more than 1 TiB cannot be read into memory")(text)


def add_csv_limits(group) -> None:
    """--max-columns and --max-csv-mb: how large a CSV file may be (data.csvfile.Limits)."""
    group.add_argument("--max-columns", type=column_count, default=DEFAULT_LIMITS.columns, metavar="N",
                       help=f"read CSV files of at most N columns (default %(default)s); lines may hold "
                            f"{Limits.LINE_PER_COLUMN} characters per column")
    group.add_argument("--max-csv-mb", type=megabytes, default=DEFAULT_LIMITS.megabytes, metavar="MB",
                       help="read CSV files of at most MB megabytes (default %(default)s)")


def csv_limits(args) -> Limits:
    return Limits(columns=args.max_columns, megabytes=args.max_csv_mb)


def fraction(low_inclusive: bool) -> Callable[[str], float]:
    """A number in [0, 1) (``low_inclusive``) or in (0, 1)."""
    def parse(text: str) -> float:
        value = _number(float, text)
        if not ((0 <= value if low_inclusive else 0 < value) and value < 1):
            raise argparse.ArgumentTypeError(f"must be in {'[0' if low_inclusive else '(0'}, 1), got {text}")
        return value
    return parse


def layer_spec(text: str) -> LayerSpec:
    """'30,16,1' or 'auto,16,auto': the units per layer, input first."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < 2:
        raise argparse.ArgumentTypeError(f"give at least an input and an output size, like 30,16,1; got {text!r}")
    spec: LayerSpec = []
    for i, part in enumerate(parts):
        if part == "auto" and i in (0, len(parts) - 1):
            spec.append(part)
            continue
        if not part.isdigit() or len(part) > MAX_DIGITS or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"layer sizes are whole numbers of at least 1 ('auto' for the first or last), got {text!r}")
        if int(part) > MAX_UNITS:
            raise argparse.ArgumentTypeError(f"a layer has at most {MAX_UNITS} units (a W of {MAX_UNITS} x "
                                             f"{MAX_UNITS} would already be 80 GB), got {part}")
        spec.append(int(part))
    return spec


def resolve_layers(spec: LayerSpec, n_features: int, n_classes: int, data_name: str,
                   regression: bool = False) -> list[int]:
    """The layer sizes for data of ``n_features`` features and ``n_classes`` classes (one output unit
    for a ``regression`` target); 'auto' fills them in."""
    n_out = 1 if n_classes == 2 or regression else n_classes
    sizes = [n_features if spec[0] == "auto" else int(spec[0]), *(int(s) for s in spec[1:-1]),
             n_out if spec[-1] == "auto" else int(spec[-1])]
    hidden = ",".join(str(s) for s in sizes[1:-1])
    suggestion = ",".join(str(s) for s in [n_features, *sizes[1:-1], n_out])
    if sizes[0] != n_features:
        raise NNMathError(
            f"--layers starts with {sizes[0]} inputs but {data_name} has {n_features} features; "
            f"use --layers {suggestion} (or auto,{hidden + ',' if hidden else ''}auto)")
    if regression and sizes[-1] != 1:
        raise NNMathError(f"--layers ends with {sizes[-1]} output units but {data_name} has one regression target; "
                          f"use 1 (--layers {suggestion})")
    if not regression and not (sizes[-1] == n_classes or (n_classes == 2 and sizes[-1] == 1)):
        raise NNMathError(
            f"--layers ends with {sizes[-1]} output unit{'s' if sizes[-1] > 1 else ''} "
            f"but {data_name} has {n_classes} classes; "
            f"use {n_out} (--layers {suggestion})")
    weights = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if weights > MAX_PARAMETERS:
        raise NNMathError(f"--layers {','.join(map(str, sizes))} has {weights} weights and biases; nnmath trains "
                          f"and saves networks of at most {MAX_PARAMETERS} (1 GiB of float64)")
    return sizes


FORCE_HELP = "replace output files that already exist (without it, an existing file is never overwritten)"


def _same_file(path: Path, other: Path) -> bool:
    """``path`` and ``other`` name one file; a symbolic link is judged by the file it names, which is
    what gets written (io.replace_atomically)."""
    return Path(os.path.realpath(path)) == Path(os.path.realpath(other))


def _refuse_an_input(path: Path, what: str, inputs: tuple, instead: str) -> None:
    """Fail when writing ``path`` would destroy one of the command's ``inputs``, even with --force."""
    for given in inputs:
        if given is not None and Path(given).exists() and _same_file(path, Path(given)):
            raise NNMathError(f"{what} {path} is also an input of this command; writing it would destroy it, "
                              f"{instead}")


def check_output_path(path: Optional[Path], what: str, inputs: tuple = (), force: bool = False) -> None:
    """Fail before any work when ``path`` cannot be written (a missing folder, a folder or a device
    in its place), is one of the command's ``inputs``, which writing would destroy, or already
    exists and ``force`` (--force) was not given."""
    if path is None:
        return
    _refuse_an_input(path, what, inputs, "give another file name")
    writable_file(path, what)
    if Path(os.path.realpath(path)).exists() and not force:
        raise NNMathError(f"{what} {path} already exists; give another name, or add --force to replace it")


def check_plot_folder(folder: Optional[Path], names: tuple, force: bool, inputs: tuple = (),
                      out: Optional[Path] = None) -> None:
    """Fail before any work when the figures of these ``names`` cannot go into ``folder``: it is a
    file, a figure would replace one of the command's ``inputs`` (even with --force) or the file
    ``out`` it also writes (--out), or it already holds such figures and ``force`` (--force) was
    not given."""
    if folder is None:
        return
    if folder.exists() and not folder.is_dir():
        raise NNMathError(f"--plot {folder} is a file; give a folder for the figures")
    for name in names:
        _refuse_an_input(folder / name, "the figure", inputs, "give another folder")
        if out is not None and _same_file(folder / name, out):
            raise NNMathError(f"--out {out} is also the figure {folder / name} that --plot writes; "
                              f"give another file name or folder")
    taken = [name for name in names if (folder / name).exists()]
    if taken and not force:
        raise NNMathError(f"--plot {folder} already holds {', '.join(taken)}; give another folder, "
                          f"or add --force to replace {'them' if len(taken) > 1 else 'it'}")


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a failure never leaves half a file (see io.replace_atomically)."""
    def write(f: BinaryIO) -> None:
        f.write(text.encode("utf-8"))

    replace_atomically(path, write)
