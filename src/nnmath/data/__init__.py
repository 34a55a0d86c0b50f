"""Data: the built-in sets (generated or shipped, never downloaded), CSV files, the split and the scaling."""
from nnmath.data.sets import BUILT_IN, Dataset, Standardizer, load, split

__all__ = ["load", "Dataset", "Standardizer", "split", "BUILT_IN"]
