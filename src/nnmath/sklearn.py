"""``nnmath.sklearn``: the scikit-learn estimators, under the name users import them by.

They live in nnmath.interop.sklearn; importing this module imports scikit-learn.
"""
from nnmath.interop.sklearn import NetworkClassifier, NetworkRegressor

__all__ = ["NetworkClassifier", "NetworkRegressor"]
