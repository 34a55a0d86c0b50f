r"""What NetworkClassifier and NetworkRegressor share: building an nnmath Network and training it.

The estimators are thin wrappers: scikit-learn validates the input (``validate_data``), nnmath
builds ``Network([p, *hidden_layer_sizes, n_out])`` and trains it with ``nnmath.engine.training.fit``,
which takes gradient steps θ ← θ - α ∂E/∂θ (or Adam's / momentum's step) on

    E(W, b) = E_data(ŷ, y) + \frac{λ}{2} \sum_l \lVert W^l \rVert^2

with λ = ``weight_decay``. The optimizer is kept as ``optimizer_`` (an nnmath optimizer
instance with its velocity or moment estimates), so ``partial_fit`` and ``warm_start`` continue
exactly where the last call stopped.

This module imports scikit-learn; ``import nnmath`` does not import it.
"""
from __future__ import annotations

import copy
from numbers import Integral
from typing import Any, Optional, Sequence, TypeVar, Union

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from nnmath.engine import activations, optimizers
from nnmath.errors import NNMathError
from nnmath.engine.history import History
from nnmath.engine.network import Network
from nnmath.engine.training import fit as train

Array = np.ndarray
FLOATS = (np.float64, np.float32)
Estimator = TypeVar("Estimator", bound="NetworkEstimator")


def _hidden_sizes(hidden_layer_sizes: Any) -> list[int]:
    """``hidden_layer_sizes`` as a list of whole numbers >= 1 (an int means one hidden layer)."""
    sizes = [hidden_layer_sizes] if isinstance(hidden_layer_sizes, Integral) else hidden_layer_sizes
    try:
        sizes = list(sizes)
    except TypeError:
        raise NNMathError(f"hidden_layer_sizes must be a tuple of whole numbers, got {hidden_layer_sizes!r}") from None
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and int(s) >= 1 for s in sizes):
        raise NNMathError(f"hidden_layer_sizes must hold whole numbers >= 1, got {hidden_layer_sizes!r}")
    return [int(s) for s in sizes]


class NetworkEstimator(BaseEstimator):
    """The parameters, ``fit`` and ``partial_fit`` of both estimators (see their docstrings)."""

    _output: Optional[str] = None  # the output activation; None lets Network choose (sigmoid / softmax)
    _multilabel = False  # the classifier sets it on fit: one sigmoid unit per label
    _y_options: dict = {}  # how validate_data checks y (multi_output, y_numeric)
    network_: Network  # set by fit (an annotation only: unfitted estimators have no network_)

    def __init__(self, hidden_layer_sizes: Union[int, Sequence[int]] = (100,),
                 activation: Union[str, Sequence[str]] = "relu", init: Any = "xavier",
                 optimizer: str = "adam", learning_rate: float = 0.001,
                 batch_size: Union[int, str, None] = "auto", epochs: int = 200,
                 weight_decay: float = 0.0001, dropout: float = 0.0, early_stopping: bool = False,
                 validation_fraction: float = 0.1, n_iter_no_change: int = 10,
                 random_state: Any = None, warm_start: bool = False, verbose: bool = False,
                 engine: str = "auto"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.engine = engine

    # ---- hooks the classifier and the regressor fill in ------------------------------------
    def _check_y(self, y: Array, first: bool, classes: Optional[Array]) -> tuple[Array, int]:
        """Check the targets (learning classes_ on the first fit); return them and the number of output units."""
        raise NotImplementedError

    def _validation_score(self, X_val: Array, y_val: Array, record: dict) -> float:
        """The score (accuracy or R²) on the held-out data after an epoch."""
        raise NotImplementedError

    def _stratify(self, y: Array) -> Optional[Array]:
        return None

    def _check_warm_start_targets(self, y: Array) -> None:
        """A warm-started fit must see the targets of the first one (the classifier: the same classes)."""

    # ---- input -----------------------------------------------------------------------------
    def _validate_X(self, X: Any) -> Array:
        """X for prediction: fitted, the same features as in fit, finite numbers."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOATS)
        return self.network_.check_X(X)  # in the network's dtype: a float32 network refuses values past its range

    def _batch_size(self) -> Optional[int]:
        if self.batch_size == "auto":
            return 200
        if self.batch_size is None or (isinstance(self.batch_size, Integral) and not isinstance(self.batch_size, bool)):
            return self.batch_size
        raise NNMathError(f"batch_size must be 'auto', None (full batch) or a whole number, got {self.batch_size!r}")

    def _new_network(self, n_features: int, n_out: int, dtype: Any) -> Network:
        seed = int(self._rng.randint(2**31 - 1))
        return Network([n_features, *_hidden_sizes(self.hidden_layer_sizes), n_out], activation=self.activation,
                       output="sigmoid" if self._multilabel else self._output, init=self.init,
                       dropout=self.dropout, seed=seed, dtype=dtype)

    def _check_same_network(self) -> None:
        """A warm start continues the fitted network: its activations and dropout must be the ones asked for."""
        net = self.network_
        one = isinstance(self.activation, (str, activations.Activation))
        asked: list = [self.activation] * len(net.activation_names) if one else list(self.activation)
        if [activations.get(a).name for a in asked] != net.activation_names:
            raise ValueError(f"activation={self.activation!r} differs from the fitted network's {net.activation_names}; "
                             "set warm_start=False to start afresh")
        if self.dropout != net.dropout:
            raise ValueError(f"dropout={self.dropout!r} differs from the fitted network's {net.dropout!r}; "
                             "set warm_start=False to start afresh")

    # ---- training --------------------------------------------------------------------------
    def fit(self: Estimator, X: Any, y: Any) -> Estimator:
        r"""Train the network for ``epochs`` epochs (fewer with early stopping).

        Each step moves every parameter against the gradient of the batch's error plus the L2
        penalty, θ ← θ - α ∂/∂θ [E + (λ/2) Σ_l ‖W^l‖²] (or the Adam / momentum form of the step),
        with ∂E/∂θ from backpropagation. With ``warm_start=True`` a fitted estimator continues from its current weights and
        optimizer state; otherwise the weights are drawn afresh.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The inputs a⁰, one row per sample.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.

        Returns
        -------
        self
        """
        return self._fit(X, y, incremental=False, classes=None)

    def _fit(self: Estimator, X: Any, y: Any, incremental: bool, classes: Optional[Array]) -> Estimator:
        first = not ((incremental or self.warm_start) and hasattr(self, "network_"))
        X, y = validate_data(self, X, y, reset=first, dtype=FLOATS, **self._y_options)
        if issparse(y):  # a sparse y (MultiLabelBinarizer(sparse_output=True)'s indicator matrix): its values
            y = y.toarray()
        if self.early_stopping and not 0.0 < self.validation_fraction < 1.0:  # used only to stop early
            raise NNMathError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        batch_size = self._batch_size()
        y, n_out = self._check_y(y, first, classes)
        if not first and self.network_.sizes[1:-1] != _hidden_sizes(self.hidden_layer_sizes):
            raise ValueError(f"hidden_layer_sizes={self.hidden_layer_sizes!r} differs from the fitted network's "
                             f"{tuple(self.network_.sizes[1:-1])}; set warm_start=False to start afresh")
        if not first:
            self._check_same_network()
            if not incremental:
                self._check_warm_start_targets(y)
        patience = self._patience()
        if first:
            self._rng = check_random_state(self.random_state)
            self.network_ = self._new_network(X.shape[1], n_out, X.dtype)
            if self.network_.kind != "regression":
                self.network_.classes_ = self.classes_
            self.loss_curve_: list[float] = []
            self.validation_scores_: Optional[list[float]] = None
            self.n_iter_ = 0
            self.gradient_norms_ = np.zeros((len(self.network_.layers), 0))
        if first or self._optimizer_changed():
            # an optimizer object is copied: its state (velocity, Adam's moments) belongs to one fit, so a
            # refit with the same random_state gives the same weights, and the object given stays as it was
            self.optimizer_: Any = copy.deepcopy(optimizers.get(self.optimizer))
            self._optimizer_from = self.optimizer
        X = self.network_.check_X(X)  # as in _validate_X

        validate = self.early_stopping and not incremental
        validation_data, scores = None, []  # scores: the validation score after each epoch
        if validate:
            X, X_val, y, y_val = train_test_split(X, y, test_size=self.validation_fraction,
                                                  random_state=self._rng.randint(2**31 - 1), stratify=self._stratify(y))
            if len(X_val) < 2:  # as scikit-learn's MLP: one sample has no score (R² is undefined)
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size "
                                 f"of your dataset ({len(X_val)} of {len(X) + len(X_val)} samples held out).")
            validation_data = (X_val, y_val)

        def after_epoch(epoch: int, record: dict) -> bool:
            line = f"epoch {self.n_iter_ + epoch + 1}: E = {record['loss']:.8f}"
            if validate:
                scores.append(self._validation_score(X_val, y_val, record))
                line += f", validation score = {scores[-1]:.6f}"
            if self.verbose:
                print(line)
            return False  # never stops training itself

        history: History = train(
            self.network_, X, y, epochs=1 if incremental else self.epochs, learning_rate=self.learning_rate,
            batch_size=batch_size, optimizer=self.optimizer_, weight_decay=self.weight_decay,
            validation_data=validation_data, early_stopping=validate, patience=patience,
            seed=int(self._rng.randint(2**31 - 1)), callback=after_epoch, engine=self.engine)
        if validate:
            self.validation_scores_ = (self.validation_scores_ or []) + scores
        self.loss_curve_ = self.loss_curve_ + list(history.loss)
        self.n_iter_ += len(history)
        norms = np.asarray(history.grad_norms, dtype=np.float64).reshape(len(history), -1).T
        self.gradient_norms_ = np.hstack([self.gradient_norms_, norms])
        return self

    def _optimizer_changed(self) -> bool:
        """``optimizer`` is another step rule than the one optimizer_ was made from (another name or another
        object), so a warm start or partial_fit starts it afresh; the same one continues with its state."""
        before = getattr(self, "_optimizer_from", None)
        return not (self.optimizer is before or (isinstance(before, str) and self.optimizer == before))

    def _patience(self) -> int:
        """n_iter_no_change as the epochs early stopping waits: a whole number >= 1, or np.inf (never stop,
        as scikit-learn's MLP accepts; the best epoch's weights are still kept)."""
        n = self.n_iter_no_change
        if isinstance(n, (Integral, float, np.floating)) and not isinstance(n, bool) and n == np.inf:
            return max(int(self.epochs), 1) + 1
        if not (isinstance(n, Integral) and not isinstance(n, bool) and n >= 1):
            raise NNMathError(f"n_iter_no_change must be a whole number of at least 1 or np.inf, got {n!r}")
        return int(n)

    @property
    def coefs_(self) -> list[Array]:
        """[W¹, ..., Wᴸ], W^l of shape (n_{l-1}, n_l), under scikit-learn MLP's name (the arrays themselves).
        Assigning a list of arrays of the same shapes sets the network's weights (as MLP allows)."""
        check_is_fitted(self)
        return list(self.network_.weights)

    @coefs_.setter
    def coefs_(self, values: Sequence[Any]) -> None:
        self._assign("coefs_", self.network_.weights, values)

    @property
    def intercepts_(self) -> list[Array]:
        """[b¹, ..., bᴸ], under scikit-learn MLP's name; assignable as coefs_ is."""
        check_is_fitted(self)
        return list(self.network_.biases)

    @intercepts_.setter
    def intercepts_(self, values: Sequence[Any]) -> None:
        self._assign("intercepts_", self.network_.biases, values)

    def _assign(self, name: str, arrays: list[Array], values: Sequence[Any]) -> None:
        """Copy ``values`` into the network's own arrays (views into its θ), one per layer, shapes checked."""
        check_is_fitted(self)
        values = list(values)
        if len(values) != len(arrays):
            raise ValueError(f"{name} needs {len(arrays)} arrays, one per layer, got {len(values)}")
        new = [np.asarray(v, dtype=a.dtype) for v, a in zip(values, arrays)]
        for l, (v, a) in enumerate(zip(new, arrays)):
            if v.shape != a.shape:
                raise ValueError(f"{name}[{l}] must have shape {a.shape} (the network's layer {l + 1}), got {v.shape}")
        for v, a in zip(new, arrays):
            a[...] = v

    def _forward_output(self, X: Any) -> tuple[Array, Array]:
        """(z^L, ŷ = a^L) of the output layer for the validated X, in prediction mode."""
        X = self._validate_X(X)
        last = self.network_.forward(X).layers[-1]
        return last.z, last.a

