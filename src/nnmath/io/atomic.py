"""Writing a file so that nothing the user had is lost: checked first, then replaced in one step.

``writable_file`` judges an output path before any work is done (the command line calls it
before training); ``replace_atomically`` writes to a temporary file beside it and moves it over
the old one with ``os.replace``, so a crash mid-write never leaves half a file.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from nnmath.errors import NNMathError


def writable_file(path, what: str = "") -> Path:
    """The file ``path`` names (through a symbolic link, the file it points to), or one clear error
    when it cannot be written: a folder, a device or pipe, or a folder that does not exist.
    ``what`` names it in messages ("the model file")."""
    target = Path(os.path.realpath(path))
    label = f"{what} {path}".strip()
    if target.is_dir():
        raise NNMathError(f"{label} is a folder; give a file name")
    if not target.parent.is_dir():
        folder = target.parent if Path(path).is_symlink() else Path(path).parent  # the user's words, unless a link was followed
        raise NNMathError(f"cannot write {label}: the folder {folder} does not exist")
    if target.exists() and not target.is_file():
        raise NNMathError(f"{label} is not a regular file (a device, a pipe, ...); give a file name")
    return target


def replace_atomically(path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file in ``path``'s folder, flush it to disk, then move it
    over ``path`` with ``os.replace``: readers see the old file or the new one, never half of one.
    A file replaced keeps its permissions (a symbolic link: the file it points to is replaced); a
    new file gets the usual ones (0666 minus the umask)."""
    path = writable_file(path)
    if path.exists():
        mode = path.stat().st_mode & 0o777  # its permissions, not its set-user-ID and similar bits
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
