r"""θ ← θ - α g as BLAS's axpy (y ← a x + y) of the library NumPy multiplies with, on its threads.

The blas steps (engine/compiled/blas_epoch.py) take plain SGD's update here. A step's products
run on both cores, so each core's cache holds the part of ∂E/∂W it wrote and of W it read; an
update on one core drags all of them across to it, and the next products drag W back. OpenBLAS
splits a long axpy between the same threads as its products, so each core updates a part of θ
itself. On W1 (235,146 numbers) this made the whole step 3 - 8% faster (docs/performance.md,
issue 17): the update itself and the next step's products.

NumPy does not offer axpy, so it is called through ctypes in NumPy's copy of OpenBLAS (found by
threadpoolctl, symbols named as threadpoolctl finds them: a prefix "scipy_" and a suffix "64_" in
NumPy's own wheels). Anywhere else (another BLAS, no such symbol, a check that fails) ``update_for``
gives None and the steps update with the compiled loop instead.
"""
from __future__ import annotations

import ctypes
import functools
import itertools
from pathlib import Path
from typing import Callable, Optional

import numpy as np

Array = np.ndarray
_PREFIXES, _SUFFIXES = ("", "scipy_"), ("", "64_", "_64")


def update_for(dtype: np.dtype) -> Optional[Callable[[Array, Array, float], None]]:
    """``update(theta, g, lr)``: θ ← θ - lr g in place, for 1-D C-contiguous arrays of ``dtype``
    (float32 or float64); None where NumPy's BLAS has no axpy that can be called."""
    return _update(np.dtype(dtype).char)


@functools.cache
def _update(char: str) -> Optional[Callable[[Array, Array, float], None]]:
    library = _numpy_openblas()
    if library is None or char not in "fd":
        return None
    scalar = ctypes.c_float if char == "f" else ctypes.c_double
    for prefix, suffix in itertools.product(_PREFIXES, _SUFFIXES):
        axpy = getattr(library, f"{prefix}cblas_{'s' if char == 'f' else 'd'}axpy{suffix}", None)
        if axpy is not None:
            break
    else:
        return None
    # (n, a, x, incx, y, incy). The counts go as 64-bit integers: a library of 32-bit ones reads their
    # low halves, the same numbers (every count here is far below 2^31).
    axpy.argtypes = [ctypes.c_int64, scalar, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64]
    axpy.restype = None

    def update(theta: Array, g: Array, lr: float) -> None:
        axpy(theta.size, -lr, g.ctypes.data, 1, theta.ctypes.data, 1)

    theta, g = np.array([1.0, 2.0, 3.0], char), np.array([1.0, -1.0, 0.5], char)
    update(theta, g, 2.0)
    return update if np.array_equal(theta, np.array([-1.0, 4.0, 2.0], char)) else None


def _numpy_openblas() -> Optional[ctypes.CDLL]:
    """NumPy's copy of OpenBLAS: the one loaded from NumPy's folders, or the only one loaded."""
    from threadpoolctl import threadpool_info

    numpy_folder = Path(np.__file__).resolve().parent
    paths = [Path(lib["filepath"]) for lib in threadpool_info() if lib.get("internal_api") == "openblas"]
    own = [p for p in paths if p.resolve().parent in (numpy_folder, numpy_folder.parent / "numpy.libs")
           or numpy_folder in p.resolve().parents]
    chosen = own[:1] or (paths if len(paths) == 1 else [])
    return ctypes.CDLL(str(chosen[0])) if chosen else None
