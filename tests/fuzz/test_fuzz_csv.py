"""The CSV reader against tables written every way a file can be (encodings, BOM, CRLF and CR line
ends, quotes, blank lines) and against junk (ragged rows, bytes flipped, cut short): a well-formed table
is read back exactly, anything else is a clean refusal (NNMathError), within a time limit, and the file
is never changed by reading it."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from conftest import cases, time_limit
from nnmath import NNMathError
from nnmath.data import csvfile

names = st.lists(st.text(st.characters(codec="utf-8", exclude_characters='\x00",\r\n'), min_size=1, max_size=8)
                 .map(str.strip).filter(lambda s: s and not csvfile.parses_as_number(s) and s != "Unnamed: 0"),
                 min_size=2, max_size=6, unique=True)
numbers = st.floats(allow_nan=False, allow_infinity=False, width=64) | st.integers(-10**6, 10**6)
words = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=6).filter(
    lambda s: s.strip() and not csvfile.parses_as_number(s))


@st.composite
def tables(draw):
    """(header, rows of numbers, labels): a table whose features are numbers and whose last column is words."""
    header = draw(names)
    n_rows = draw(st.integers(1, 12))
    rows = [[draw(numbers) for _ in header[:-1]] for _ in range(n_rows)]
    labels = [draw(words).strip() for _ in range(n_rows)]
    return header, rows, labels


def _cell(value, quote: bool) -> str:
    text = repr(float(value)) if isinstance(value, float) else str(value)
    return f'"{text}"' if quote else text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # quotes, commas and line breaks survive inside quotes


@st.composite
def written(draw):
    """A table and the bytes of it as one of many ways to write it."""
    header, rows, labels = draw(tables())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote = draw(st.booleans())
    lines = [",".join(_quoted(n) if quote else n for n in header)]
    for row, label in zip(rows, labels):
        lines.append(",".join([*(_cell(v, quote) for v in row), _quoted(label)]))
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", " ", ",,"[:len(header) - 1]])))  # blank lines are skipped
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
        encoding = "utf-8"
    return header, rows, labels, data, encoding


@settings(max_examples=cases(600))
@given(case=written())
def test_a_table_written_any_way_reads_back_exactly_or_is_refused_for_its_encoding(tmp_path, case):
    header, rows, labels, data, encoding = case
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    try:
        with time_limit(5):
            X, y, features, target = csvfile.read_labelled(path)
    except NNMathError as e:
        # only a file that is not UTF-8 may be refused; a blank or repeated name after stripping is fine too
        assert encoding not in ("utf-8", "utf-8-sig") or data.decode(encoding) != data.decode("utf-8"), str(e)
        assert "\n" not in str(e)
    else:
        assert features == header[:-1] and target == header[-1]
        assert np.array_equal(X, np.array(rows, dtype=np.float64).reshape(len(rows), len(header) - 1))
        assert y.tolist() == labels
    assert path.read_bytes() == data


@st.composite
def junk(draw):
    """A well-formed file with damage done: bytes flipped or inserted, cut short, a row made ragged."""
    _, _, _, data, _ = draw(written())
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "insert", "cut", "ragged"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if how == "flip" and out:
            out[at] ^= draw(st.integers(1, 255))
        elif how == "insert":
            out[at:at] = draw(st.sampled_from([b",", b'"', b"\x00", b"\xff", b"\r", b"\n", b"\xef\xbb\xbf", b"nan",
                                               b"1e999", b",x", b"\t", b"\\"]))
        elif how == "cut":
            del out[at:]
        else:
            out += b"\n1,2,3,4,5,6,7,8,9"
    return bytes(out)


@settings(max_examples=cases(600))
@given(data=junk())
def test_a_damaged_file_is_read_into_numbers_or_refused(tmp_path, data):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    try:
        with time_limit(5):
            X, y, features, target = csvfile.read_labelled(path)
    except NNMathError as e:
        assert "\n" not in str(e)
    else:
        assert X.dtype == np.float64 and np.all(np.isfinite(X)) and X.shape == (len(y), len(features))
        assert target not in features
    assert path.read_bytes() == data
