"""Reading a CSV file into features X and labels y, with one clear error for each way it can be wrong.

The file has a header row of column names, then one sample per row. Feature columns must hold
finite numbers; the target column holds labels (numbers or words). Reading is bounded (Limits:
the file's size, its columns, the length of a line) so that a hostile or mistaken file is refused
at once; a first row that has the types of the rows below it is refused as data, not names; and
an unnamed first column of row numbers (the index pandas' ``to_csv`` writes) is dropped with a note.
"""
from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence, TextIO

import numpy as np

from nnmath.errors import NNMathError
from nnmath.paths import regular_file

Array = np.ndarray


@dataclass(frozen=True)
class Limits:
    """How large a CSV file may be: ``columns`` per row, ``megabytes`` in all; a line may hold
    ``LINE_PER_COLUMN`` characters per column allowed (at least ``MIN_LINE``). The command line's
    --max-columns and --max-csv-mb raise them."""

    columns: int = 20_000
    megabytes: int = 1024

    LINE_PER_COLUMN = 100  # "-1.2345678901234567e-300," is 25
    MIN_LINE = 2**20

    @property
    def line_length(self) -> int:
        return max(self.MIN_LINE, self.LINE_PER_COLUMN * self.columns)


DEFAULT_LIMITS = Limits()


class Table:
    """A CSV file's header and its columns of text."""

    def __init__(self, path: Path, header: list[str], rows: list[list[str]]):
        self.path, self.header, self.rows = path, header, rows
        self._index = {name: i for i, name in enumerate(header)}  # a column by name in one step, not a search

    def column(self, name: str) -> list[str]:
        i = self._index[name]
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


def _lines(f: TextIO, path: Path, limits: Limits) -> Iterator[str]:
    """The lines of ``f``, none longer than the limit (a file without line breaks is refused at once)."""
    limit = limits.line_length
    for number, line in enumerate(iter(lambda: f.readline(limit + 1), ""), start=1):
        if len(line) > limit:
            raise NNMathError(f"{path} line {number} is longer than {limit} characters, the most nnmath reads "
                              f"for {limits.columns} columns; if the file is right, raise --max-columns")
        yield line


def _rows(path: Path, limits: Limits) -> list[list[str]]:
    """The non-blank rows of the CSV file at ``path``, within ``limits``."""
    rows: list[list[str]] = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.reader(_lines(f, path, limits)):
            if len(row) > limits.columns:
                raise NNMathError(f"{path} row {len(rows) + 1} has {len(row)} columns, more than the "
                                  f"{limits.columns} nnmath reads; if the file is right, raise --max-columns")
            if any(cell.strip() for cell in row):
                rows.append(row)
    return rows


def read_table(path, limits: Limits = DEFAULT_LIMITS) -> Table:
    """The header and rows of a CSV file; errors for a missing, binary, empty, ragged or oversized file."""
    path = regular_file(path, "CSV file", limits.megabytes * 2**20, "if the file is right, raise --max-csv-mb",
                        missing="no such file")
    try:
        lines = _rows(path, limits)
    except UnicodeDecodeError:
        raise NNMathError(f"{path} is not a text CSV file (it is not UTF-8 text; save it as UTF-8)") from None
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
    table = Table(path, header, rows)
    _refuse_a_header_of_data(table)
    return _without_index(table)


def _numbers_of(cells: list[str]) -> Optional[Array]:
    """The non-blank cells as numbers when every one is a number (a column of features), else None."""
    try:
        return np.asarray([c for c in cells if c.strip()], dtype=np.float64)
    except ValueError:
        return None


def _refuse_a_header_of_data(table: Table) -> None:
    """A first row that looks like the rows below it, in every column (a word over words, a number
    among the numbers below: within their range, widened by the range on each side), is a row of data in a file without a header: iris rows
    read with '5.1, 3.5, 1.4, 0.2' as names and 'setosa' as the target. pandas would read it as the
    header silently; refusing says at once what a wrong model would only show later. Names that
    are numbers outside their column's values (years over amounts) still count as names."""
    numeric = False
    for name in table.header:
        values = _numbers_of(table.column(name))
        if not parses_as_number(name):
            if values is not None:
                return  # a word over numbers: a header
            continue
        if values is None or not len(values):
            return  # a number over words
        low, high = values.min(), values.max()
        if not low - (high - low) <= float(name) <= high + (high - low):
            return  # a number far outside the values below it (by more than their own range)
        numeric = True
    if numeric and not _numbered(table.header):
        shown = ", ".join(table.header[:6]) + (", ..." if len(table.header) > 6 else "")
        raise NNMathError(f"the first row of {table.path} ({shown}) looks like data, not column names: each "
                          f"cell is like the column below it (a number among its numbers, a word over words); "
                          f"add a header row with the column names")


INDEX_NAMES = ("", "Unnamed: 0")  # what pandas writes for its index, and reads it back as


def _without_index(table: Table) -> Table:
    """The table without an unnamed first column that numbers the rows (pandas' ``to_csv`` writes its
    index so by default): as a feature it means nothing, and on rows sorted by class it leaks the label."""
    if table.header[0] not in INDEX_NAMES or len(table.header) < 3:
        return table
    cells = [c.strip() for c in table.column(table.header[0])]
    if not all(c.isdigit() for c in cells) or len({int(c) for c in cells}) != len(cells):
        return table
    sys.stderr.write(f"nnmath: note: {table.path.name}: the unnamed first column holds a different whole number "
                     f"on every row, a row index (as pandas' to_csv writes one); it is left out of the features "
                     f"(write the file with index=False to leave it out yourself)\n")
    return Table(table.path, table.header[1:], [row[1:] for row in table.rows])


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
    """Labels as integers when all are whole numbers of at most 2^53 (beyond it a float no longer tells
    consecutive whole numbers apart, and past 2^63 an int64 would overflow), floats when all are
    numbers, else words."""
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
    if np.all(values == np.round(values)) and np.all(np.abs(values) <= 2.0 ** 53):
        return values.astype(np.int64)
    return values


def read_labelled(path, target: Optional[str] = None,
                  limits: Limits = DEFAULT_LIMITS) -> tuple[Array, Array, list[str], str]:
    """(X, y, feature names, target name) from a CSV file; the target is the last column unless named."""
    table = read_table(path, limits)
    if len(table.header) < 2:
        raise NNMathError(f"{table.path.name} has one column{_separator_hint(table.header)}; "
                          f"it needs at least one feature column and a target")
    if target is None:
        target = table.header[-1]
    table.check_has([target], "given as --target")
    features = [n for n in table.header if n != target]
    return numbers(table, features), labels(table.column(target), target), features, target
