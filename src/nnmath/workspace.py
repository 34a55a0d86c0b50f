"""Arrays reused from one training step to the next.

A training step computes the same intermediate quantities (z^l, a^l, δ^l, ∂E/∂W^l, ...) with
the same shapes every time. Allocating them anew each step costs time (the large ones are
fresh pages the operating system must zero); ``fit`` instead keeps one ``Workspace`` and
every layer writes each quantity into the array reserved for it, found by (owner, name,
shape). The last, shorter batch of an epoch simply gets arrays of its own shape.

Without a workspace (``ws=None``, the default everywhere) every call returns new arrays,
which is what a reader calling ``net.forward`` or ``net.gradients`` expects: results that
later calls do not overwrite.
"""
from __future__ import annotations

from typing import Hashable, Optional

import numpy as np


class Workspace:
    def __init__(self) -> None:
        self._arrays: dict[tuple, np.ndarray] = {}

    def array(self, owner: Hashable, name: str, shape: tuple, dtype) -> np.ndarray:
        """The uninitialised array kept for ``owner``'s quantity ``name`` of this shape."""
        key = (owner, name, shape, dtype)
        out = self._arrays.get(key)
        if out is None:
            out = self._arrays[key] = np.empty(shape, dtype)
        return out


def buffer(ws: Optional[Workspace], owner: Hashable, name: str, shape: tuple, dtype) -> Optional[np.ndarray]:
    """``ws.array(...)``, or None (NumPy then allocates) when there is no workspace."""
    return None if ws is None else ws.array(owner, name, shape, dtype)
