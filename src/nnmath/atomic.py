"""Writing a file so that nothing the user had is lost: checked first, then replaced in one step.

``writable_file`` judges an output path before any work is done (the command line calls it
before training); ``replace_atomically`` writes to a temporary file beside it and moves it over
the old one with ``os.replace``, so a crash mid-write never leaves half a file. A process killed
mid-write (``kill -9``) cannot remove its temporary file; the name says whose it is,
``.NAME.nnmath-PID-RANDOM.tmp``, and the next write beside it removes those of processes that are
gone. Two writers of one path at once each write their own temporary file: the last to finish wins,
whole. A full disk or a folder that cannot be written is one NNMathError, and the old file is kept.
"""
from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from nnmath.errors import NNMathError

TEMP_MARK = "nnmath"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{TEMP_MARK}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files left beside ``path`` by writers that were killed (their process is
    gone); returns them. Another live process's temporary file is never touched."""
    pattern = re.compile(re.escape(f".{path.name}.{TEMP_MARK}-") + r"(\d+)-[A-Za-z0-9_]+\.tmp")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not _alive(int(match.group(1))) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:  # gone already (another writer cleaned it), or not ours to remove
                pass
    return removed


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
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise NNMathError(f"cannot write {label}: the folder {target.parent} is read-only for you")
    return target


def _failed(path: Path, error: OSError) -> NNMathError:
    reason = "the disk is full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else (error.strerror or str(error))
    kept = "the old file is kept as it was" if path.exists() else "nothing was written"
    return NNMathError(f"cannot write {path}: {reason}; {kept}")


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
    remove_stale_temporaries(path)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp")
    except OSError as e:
        raise _failed(path, e) from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as e:
        Path(temp).unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno is not None:
            raise _failed(path, e) from None
        raise
