"""nnmath beside its ecosystem: PyTorch (to_torch, from_torch; torch is imported on first use) and
scikit-learn (``nnmath.sklearn``, which imports scikit-learn, is not imported here)."""
from nnmath.interop.pytorch import from_torch, to_torch

__all__ = ["to_torch", "from_torch"]
