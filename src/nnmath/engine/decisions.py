r"""What a network decides from its output ŷ = a^L: probabilities, labels, and the score.

The seed's one sigmoid unit gives P(class 2) = ŷ = S(z) and P(class 1) = 1 - ŷ, and decides
class 2 when ŷ > 1/2; a softmax layer decides the class of the largest ŷ_k. Network inherits
these from ``Decisions``; they need its ``forward``, ``check_X``, ``kind`` and ``targets``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from nnmath.engine.labels import as_labels
from nnmath.errors import NNMathError

Array = np.ndarray


class Decisions:
    """output, predict_proba, predict and score of a Network (``self`` is the Network)."""

    def output(self: Any, X: ArrayLike) -> Array:
        r"""ŷ = a^L, the output of the forward pass in prediction mode.

        Parameters
        ----------
        X : array-like of shape (m, n_0)

        Returns
        -------
        ndarray of shape (m, n_L)
        """
        return self.forward(self.check_X(X)).output

    def predict_proba(self: Any, X: ArrayLike) -> Array:
        r"""Class probabilities, one column per class of ``classes_``.

        For one sigmoid output, the seed's pair: P(class 2) = ŷ = S(z) and P(class 1) = 1 - ŷ;
        for softmax, ŷ_k = e^{z_k} / Σ_j e^{z_j}; for multilabel outputs each ŷ_k = S(z_k).

        Parameters
        ----------
        X : array-like of shape (m, n_0)

        Returns
        -------
        ndarray of shape (m, n_classes)
        """
        if self.kind == "regression":
            raise NNMathError("predict_proba is for classifiers; this network does regression")
        y_hat = self.output(X)
        if self.kind == "binary":
            return np.hstack([1 - y_hat, y_hat])
        return y_hat

    def predict(self: Any, X: ArrayLike) -> Array:
        r"""Labels decided from ŷ (class 2 when ŷ > 1/2; the argmax of softmax), or for
        regression the predicted values ŷ.

        Parameters
        ----------
        X : array-like of shape (m, n_0)

        Returns
        -------
        ndarray of shape (m,) (or (m, n_L) for multilabel and multi-output regression)
        """
        if self.kind != "regression" and self.classes_ is None:
            raise NNMathError("the network has not been fitted yet: it knows no class labels")
        return self.targets.decode(self.output(X))

    def score(self: Any, X: ArrayLike, y: ArrayLike) -> float:
        r"""Accuracy for classifiers (a multilabel sample counts when all its labels are right);
        for regression R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², per output column, averaged.

        Parameters
        ----------
        X : array-like of shape (m, n_0)
        y : array-like of shape (m,) or (m, n_L)

        Returns
        -------
        float
        """
        A: Array = self.check_X(X)
        labels = as_labels(y)
        if len(labels) != len(A):
            raise NNMathError(f"X has {len(A)} samples but y has {len(labels)}")
        if self.kind == "regression":
            Y, y_hat = self.targets.encode(labels, np.float64), self.output(A).astype(np.float64)
            residual, total = ((Y - y_hat) ** 2).sum(axis=0), ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
            r2 = [1.0 - r / t if t > 0 else float(r == 0) for r, t in zip(residual, total)]
            return float(np.mean(r2))
        y_pred = self.predict(A)
        if self.kind != "multilabel":
            labels = self.targets.truth(labels)
        if labels.shape != y_pred.shape:
            raise NNMathError(f"y has shape {labels.shape} but the network predicts shape {y_pred.shape}")
        right = y_pred == labels
        return float(np.mean(right if right.ndim == 1 else right.all(axis=1)))
