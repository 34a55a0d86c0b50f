r"""The results ``train`` and ``predict`` report for a part of the data.

A classifier: the error E, the accuracy, the confusion matrix C (C[i][j] = samples of true class
i predicted as class j) and per class k

    precision_k = C[k][k] / Σ_i C[i][k]   (of the samples predicted k, the share that are k)
    recall_k    = C[k][k] / Σ_j C[k][j]   (of the samples that are k, the share found),

None where the denominator is 0 (never predicted, or absent). A regression: E, the coefficient
of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)² and the root mean squared error
RMSE = \sqrt{Σ(y - ŷ)² / m}, in the target's own units.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

Array = np.ndarray


def _share(part, whole) -> Optional[float]:
    return float(part / whole) if whole else None


def confusion(y_true: Array, y_pred: Array, classes: Array) -> dict:
    """The confusion matrix over ``classes`` and each class's precision, recall and support."""
    labels = classes.tolist()
    index = {label: k for k, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        counts[index[t], index[p]] += 1
    per_class = {str(label): {"precision": _share(counts[k, k], counts[:, k].sum()),
                              "recall": _share(counts[k, k], counts[k, :].sum()), "support": int(counts[k, :].sum())}
                 for k, label in enumerate(labels)}
    return {"confusion_matrix": {"labels": [str(c) for c in labels], "counts": counts.tolist()},
            "per_class": per_class}


def classification(y_true: Array, y_pred: Array, classes: Array, loss: Optional[float]) -> dict:
    """E (when known), accuracy, samples, the confusion matrix and the per-class scores."""
    return {"loss": loss, "accuracy": float(np.mean(y_true == y_pred)), "samples": int(len(y_true)),
            **confusion(y_true, y_pred, classes)}


def regression(y_true: Array, y_pred: Array, loss: Optional[float]) -> dict:
    """E (when known), R² and RMSE in the target's units, samples."""
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    residual = float(np.sum((y_true - y_pred) ** 2))
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    r2 = 1.0 - residual / total if total > 0 else float(residual == 0)
    return {"loss": loss, "r2": r2, "rmse": math.sqrt(residual / len(y_true)), "samples": int(len(y_true))}


def evaluate(net, X: Optional[Array], y: Optional[Array]) -> Optional[dict]:
    """The results of ``net`` on one part of the data (None for a part that is absent or empty)."""
    if X is None or y is None or len(y) == 0:
        return None
    loss = float(net.error(X, y))
    if net.kind == "regression":
        return regression(y, net.predict(X), loss)
    return classification(y, net.predict(X), net.classes_, loss)
