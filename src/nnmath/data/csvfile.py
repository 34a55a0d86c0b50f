"""Reading a CSV file into features X and labels y, with one clear error for each way it can be wrong.

The file has a header row of column names, then one sample per row. Feature columns must hold
finite numbers; the target column holds labels (numbers or words).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from nnmath.errors import NNMathError

Array = np.ndarray


class Table:
    """A CSV file's header and its columns of text."""

    def __init__(self, path: Path, header: list[str], rows: list[list[str]]):
        self.path, self.header, self.rows = path, header, rows

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [row[i] for row in self.rows]

    def check_has(self, names: Sequence[str], what: str) -> None:
        missing = [n for n in names if n not in self.header]
        if missing:
            raise NNMathError(
                f"{self.path.name} has no column {_quoted(missing)} ({what}); "
                f"its columns are {_quoted(self.header)}")


def _quoted(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def read_table(path) -> Table:
    """The header and rows of a CSV file; errors for a missing, binary, empty or ragged file."""
    path = Path(path)
    if not path.exists():
        raise NNMathError(f"no such file: {path}")
    if path.is_dir():
        raise NNMathError(f"{path} is a folder, not a CSV file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            lines = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise NNMathError(f"{path} is not a text CSV file (it is not UTF-8 text)") from None
    except csv.Error as e:
        raise NNMathError(f"{path} is not a valid CSV file: {e}") from None
    if not lines:
        raise NNMathError(f"{path} is empty: expected a header row and at least one row of data")
    header = [name.strip() for name in lines[0]]
    rows = lines[1:]
    if not rows:
        raise NNMathError(f"{path} has a header but no rows of data")
    if all(parses_as_number(name) for name in header) and not _numbered(header):
        raise NNMathError(f"the first row of {path} looks like data, not column names (every cell is a number); "
                          f"add a header row with the column names")
    if len(set(header)) != len(header):
        twice = sorted({n for n in header if header.count(n) > 1})
        raise NNMathError(f"{path} repeats the column name {_quoted(twice)}")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise NNMathError(f"{path} row {number} has {len(row)} fields but the header has {len(header)}"
                              + _separator_hint(header))
    return Table(path, header, rows)


def _separator_hint(header: list[str]) -> str:
    """A header of one column holding semicolons or tabs: the file is separated by those (a semicolon
    file with decimal commas, 1,5;2,3, splits its rows at the commas and looks ragged)."""
    if len(header) != 1:
        return ""
    separator = next((name for sep, name in ((";", "semicolons"), ("\t", "tabs")) if sep in header[0]), None)
    return f" (its fields look separated by {separator}; nnmath reads comma-separated files)" if separator else ""


def numbers(table: Table, names: Sequence[str]) -> Array:
    """The named columns as a float matrix (samples x features); names the bad column and row."""
    X = np.empty((len(table.rows), len(names)))
    for j, name in enumerate(names):
        column = table.column(name)
        try:
            X[:, j] = np.asarray(column, dtype=np.float64)  # fast path: numpy parses the whole column
        except ValueError:
            i, text = next(((i, t) for i, t in enumerate(column) if not parses_as_number(t)), (0, column[0]))
            what = "is empty" if not text.strip() else f"holds {text.strip()!r}, which is not a number"
            raise NNMathError(f"feature column {name!r} of {table.path.name} {what} (row {i + 2}); "
                              f"feature columns must be numbers") from None
        bad = np.flatnonzero(~np.isfinite(X[:, j]))
        if len(bad):
            raise NNMathError(
                f"feature column {name!r} of {table.path.name} holds {column[bad[0]].strip()!r} (row {bad[0] + 2}); "
                f"NaN and infinite values are not allowed")
    return X


def _numbered(header: list[str]) -> bool:
    """Column names 0, 1, 2, ... or 1, 2, 3, ... (as pandas and people number columns), at least
    three of them: a first row 0,1 or 1,2 is more likely a row of data."""
    try:
        values = [int(name) for name in header]
    except ValueError:
        return False
    return len(header) >= 3 and values in (list(range(len(header))), list(range(1, len(header) + 1)))


def parses_as_number(text: str) -> bool:
    """Whether ``float(text)`` succeeds."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def labels(texts: Sequence[str], column: str) -> Array:
    """Labels as integers when all are whole numbers, floats when all are numbers, else words."""
    texts = [t.strip() for t in texts]
    if any(t == "" for t in texts):
        row = texts.index("") + 2
        raise NNMathError(f"the target column {column!r} is empty in row {row}")
    try:
        values = np.array([float(t) for t in texts])
    except ValueError:
        return np.array(texts)
    if not np.all(np.isfinite(values)):
        raise NNMathError(f"the target column {column!r} holds NaN or infinite values")
    if np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def read_labelled(path, target: Optional[str] = None) -> tuple[Array, Array, list[str], str]:
    """(X, y, feature names, target name) from a CSV file; the target is the last column unless named."""
    table = read_table(path)
    if len(table.header) < 2:
        raise NNMathError(f"{table.path.name} has one column{_separator_hint(table.header)}; "
                          f"it needs at least one feature column and a target")
    if target is None:
        target = table.header[-1]
    table.check_has([target], "given as --target")
    features = [n for n in table.header if n != target]
    return numbers(table, features), labels(table.column(target), target), features, target
