"""Input files judged before they are opened: a regular file of bounded size, or one clear error.

Opening a FIFO for reading blocks until a writer comes (forever, for a careless ``--data``), and a
device can stream without end; ``os.stat`` tells them apart from a regular file without opening
anything. Used by the CSV reader and the model loader alike.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

from nnmath.errors import NNMathError


def regular_file(path, what: str, max_bytes: Optional[int] = None, raise_with: str = "",
                 missing: str = "") -> Path:
    """``path`` as a Path once it names a regular file (through links) of at most ``max_bytes``;
    ``what`` names it in messages ("model file"), ``raise_with`` says how to allow a larger file,
    ``missing`` replaces "no such {what}" when it does not exist."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise NNMathError(f"{missing or 'no such ' + what}: {path}") from None
    except (OSError, ValueError) as e:  # a NUL byte in the name, a name too long, no permission ...
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise NNMathError(f"cannot read the {what} {path}: {reason}") from None
    if stat.S_ISDIR(info.st_mode):
        raise NNMathError(f"{path} is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise NNMathError(f"{path} is not a regular file (a pipe, a device or a socket); give a {what}")
    if max_bytes is not None and info.st_size > max_bytes:
        raise NNMathError(f"{path} is {_size(info.st_size)}, larger than a {what} may be ({_size(max_bytes)})"
                          + (f"; {raise_with}" if raise_with else ""))
    return path


def _size(n: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"
