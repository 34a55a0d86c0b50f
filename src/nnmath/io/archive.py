"""The .npz archive of a model file, read with every size checked before anything is allocated.

A zip member ``W1.npy`` is a NumPy array file: a magic string, a header (dtype, order, shape),
then the raw values. Here the header is read and judged first (a float dtype, the shape the
layer sizes call for, a member exactly as long as that shape needs) and only then are the values
read, so a file declaring a shape of 2^40 or one too large for a C long is refused as text, never
allocated. Nothing is unpickled: an object dtype is refused at its header.
"""
from __future__ import annotations

import zipfile
from typing import IO

import numpy as np

from nnmath.errors import NNMathError

MAX_ENTRIES = 5000  # members of the zip: 4 arrays per layer at most, plus the metadata
HEADER_BYTES = 10_000  # the longest .npy header NumPy itself reads without a flag
FLOATS = ("float32", "float64")
# Errors the zip and .npy readers raise for a damaged file.
DAMAGED = (ValueError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, OSError, RuntimeError,
           NotImplementedError, OverflowError)


class Archive:
    """The members of an open .npz archive, by array name ("W1" for the member "W1.npy")."""

    def __init__(self, zf: zipfile.ZipFile, where: str):
        self.zf, self.where = zf, where
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise NNMathError(f"{where} is corrupted: it has {len(infos)} entries, a model has at most {MAX_ENTRIES}")
        names = [info.filename for info in infos]
        odd = [n for n in names if not n.endswith(".npy") or n.count("/")]
        if odd:
            raise NNMathError(f"{where} is corrupted or was altered: an entry {odd[0][:80]!r} that is not an array")
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise NNMathError(f"{where} is corrupted or was altered: the entry {twice[:80]!r} appears twice")
        self.infos = {info.filename[:-4]: info for info in infos}

    def names(self) -> set[str]:
        return set(self.infos)

    def _header(self, f: IO[bytes]) -> tuple[tuple, bool, np.dtype]:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(f, max_header_size=HEADER_BYTES)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(f, max_header_size=HEADER_BYTES)
        raise ValueError(f"array format version {version}")

    def header(self, name: str) -> tuple[tuple, np.dtype]:
        """The shape and dtype the member ``name`` declares, checked against the member's length."""
        with self.zf.open(self.infos[name]) as f:
            shape, _, dtype = self._header(f)
            offset = f.tell()
        if dtype.hasobject:
            raise NNMathError(f"{self.where} is not an nnmath model file "
                              f"(it holds pickled objects, which are never loaded)")
        count = 1
        for n in shape:
            count *= n  # Python integers: no overflow, whatever the header says
        if self.infos[name].file_size != offset + count * dtype.itemsize:
            raise NNMathError(f"{self.where} is not an nnmath model file (truncated or corrupted: the entry "
                              f"{name} is {self.infos[name].file_size} bytes, its header asks for "
                              f"{offset + count * dtype.itemsize})")
        return shape, dtype

    def read(self, name: str) -> np.ndarray:
        """The array ``name``; call ``header`` first: this trusts its shape and dtype."""
        with self.zf.open(self.infos[name]) as f:
            shape, fortran, dtype = self._header(f)
            size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            data = f.read(size)
            if len(data) != size or f.read(1):  # reading to the end checks the zip's CRC too
                raise EOFError(name)
        return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
