r"""scikit-learn estimators around an nnmath Network: ``NetworkClassifier`` and ``NetworkRegressor``.

They pass scikit-learn's own estimator checks and work in Pipeline, GridSearchCV,
cross_val_score, clone and pickle. The trained network is ``network_`` (a ``nnmath.Network``:
``network_.weights[0]`` is W¹), and ``gradient_norms_[l, e]`` is the mean over epoch e's steps
of ‖∂E/∂W^{l+1}‖, the numbers that show a vanishing gradient. ``import nnmath`` does not import
this module or scikit-learn; ``import nnmath.sklearn`` does.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import r2_score
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from nnmath.engine.losses import logsumexp, softplus
from nnmath.interop.sklearn_base import NetworkEstimator
from nnmath.interop.sklearn_docs import ATTRIBUTES, PARAMETERS

Array = np.ndarray

class NetworkClassifier(ClassifierMixin, NetworkEstimator):
    __doc__ = r"""A feed-forward network classifier trained by backpropagation (nnmath).

    Two classes use one sigmoid output unit and binary cross-entropy, the seed's network:
    P(classes_[1] | x) = ŷ = S(z^L), E = -\frac1m \sum_i [y_i \ln ŷ_i + (1 - y_i) \ln(1 - ŷ_i)].
    K > 2 classes use K softmax units and E = -\frac1m \sum_i \sum_k y_{ik} \ln ŷ_{ik}.
    Multilabel targets (an indicator matrix, one column per label) use one sigmoid unit per label
    and the binary cross-entropy summed over the labels.
""" + PARAMETERS + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.""" + ATTRIBUTES

    _y_options = {"multi_output": True}  # a 2-D y is a multilabel indicator matrix

    def _check_y(self, y: Array, first: bool, classes: Optional[Array]) -> tuple[Array, int]:
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column vector: one label per sample (with scikit-learn's warning)
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multiclass-multioutput":
            raise ValueError("multiclass-multioutput targets are not supported; "
                             "use one label per sample or 0/1 columns")
        if first:
            self._multilabel = kind == "multilabel-indicator"
            labels = np.unique(y if classes is None else np.asarray(classes))
            if self._multilabel:
                labels = np.arange(y.shape[1])  # the label columns, as scikit-learn's MLP reports them
            elif len(labels) < 2:
                raise ValueError(f"{type(self).__name__} needs at least two classes; y holds one class ({labels[0].item()!r})")
            self.classes_ = labels
        if self._multilabel:
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError(f"y must be an indicator matrix with {len(self.classes_)} columns, "
                                 "as in the first fit")
            return y, len(self.classes_)
        if y.ndim != 1:
            raise ValueError("y must hold one label per sample, as in the first fit")
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(f"the label {unseen[0].item()!r} is not one of the classes {self.classes_.tolist()}")
        return y, 1 if len(self.classes_) == 2 else len(self.classes_)

    def _check_warm_start_targets(self, y: Array) -> None:
        """As MLPClassifier: a warm start continues one classifier, so y must hold exactly its classes."""
        if self._multilabel:
            return
        seen = np.unique(y)
        if not np.array_equal(seen, self.classes_):
            raise ValueError("warm_start can only be used where `y` has the same classes as in the previous call "
                             f"to fit. Previously got {self.classes_}, `y` has {seen}")

    def _stratify(self, y: Array) -> Optional[Array]:
        if self._multilabel:
            return None
        _, counts = np.unique(y, return_counts=True)
        n_val = math.ceil(self.validation_fraction * len(y))
        return y if counts.min() >= 2 and len(counts) <= n_val <= len(y) - len(counts) else None

    def _validation_score(self, X_val: Array, y_val: Array, record: dict) -> float:
        if self._multilabel:  # subset accuracy: every label of a sample right
            return float(accuracy_score(y_val, (self.network_.output(X_val) > 0.5).astype(self.classes_.dtype)))
        return float(record["val_accuracy"])

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> "NetworkClassifier":
        """One epoch over (X, y), continuing from the current weights and optimizer state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,)
            Every label the data can hold; required on the first call (as in scikit-learn).

        Returns
        -------
        self
        """
        if not hasattr(self, "network_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={np.unique(classes).tolist()} differs from the fitted classes "
                             f"{self.classes_.tolist()}")
        self._fit(X, y, incremental=True, classes=classes)
        return self

    def decision_function(self, X: Any) -> Array:
        r"""The output layer's weighted sum z^L = a^{L-1} W^L + b^L (the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (ŷ = S(z), so z > 0 means classes_[1]),
        or (n_samples, n_classes) (ŷ = softmax(z); for multilabel targets ŷ = S(z) per label).
        """
        z, _ = self._forward_output(X)
        return z[:, 0].copy() if z.shape[1] == 1 else z

    def predict_proba(self, X: Any) -> Array:
        r"""P(class k | x): [1 - ŷ, ŷ] with ŷ = S(z^L) for two classes, else softmax(z^L)_k
        (multilabel: S(z^L_k), the probability of each label on its own).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), rows summing to 1 (except for multilabel targets).
        """
        _, y_hat = self._forward_output(X)
        return np.hstack([1 - y_hat, y_hat]) if y_hat.shape[1] == 1 else y_hat

    def predict_log_proba(self, X: Any) -> Array:
        r"""ln P(class k | x), computed from z without rounding ŷ first.

        Two classes: ln(1 - S(z)) = -softplus(z) and ln S(z) = -softplus(-z); K classes:
        ln softmax(z)_k = z_k - \mathrm{logsumexp}(z).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        z, _ = self._forward_output(X)
        if self._multilabel:
            return -softplus(-z)
        if z.shape[1] == 1:
            return np.hstack([-softplus(z), -softplus(-z)])
        return z - logsumexp(z)[:, None]  # ln softmax(z)_k

    def predict(self, X: Any) -> Array:
        """The most probable class: classes_[1] where z^L > 0 (two classes), else classes_[argmax_k z^L_k];
        for multilabel targets the indicator matrix [z^L_k > 0] (ŷ_k > 1/2).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), labels from ``classes_`` (multilabel: (n_samples, n_labels) of 0/1)
        """
        z, _ = self._forward_output(X)
        if self._multilabel:
            return (z > 0).astype(self.classes_.dtype)
        index = (z[:, 0] > 0).astype(np.intp) if z.shape[1] == 1 else np.argmax(z, axis=1)
        return self.classes_[index]


    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NetworkRegressor(RegressorMixin, NetworkEstimator):
    __doc__ = r"""A feed-forward network regressor trained by backpropagation (nnmath).

    The output layer is linear, ŷ = z^L = a^{L-1} W^L + b^L, one unit per target column, and the
    error is the squared error E = \frac{1}{2m} \sum_i \lVert ŷ_i - y_i \rVert^2.
""" + PARAMETERS + """
    Attributes
    ----------
    n_outputs_ : int
        Number of target columns.""" + ATTRIBUTES

    _output = "identity"
    _y_options = {"multi_output": True, "y_numeric": True}

    def _check_y(self, y: Array, first: bool, classes: Optional[Array]) -> tuple[Array, int]:
        n_out = 1 if y.ndim == 1 else y.shape[1]
        if first:
            self.n_outputs_ = n_out
        elif n_out != self.n_outputs_:
            raise ValueError(f"y has {n_out} columns but the fitted network has {self.n_outputs_} outputs")
        return y, n_out

    def _validation_score(self, X_val: Array, y_val: Array, record: dict) -> float:
        return float(r2_score(y_val, self.network_.output(X_val).reshape(np.shape(y_val))))

    def partial_fit(self, X: Any, y: Any) -> "NetworkRegressor":
        """One epoch over (X, y), continuing from the current weights and optimizer state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self
        """
        self._fit(X, y, incremental=True, classes=None)
        return self

    def predict(self, X: Any) -> Array:
        """ŷ = z^L = a^{L-1} W^L + b^L, the linear output layer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for one output, else (n_samples, n_outputs)
        """
        _, y_hat = self._forward_output(X)
        return y_hat[:, 0].copy() if y_hat.shape[1] == 1 else y_hat

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
