r"""A feed-forward network: layers 1..L of the seed's form, a loss E, and backpropagation.

    a⁰ = X,   z^l = a^{l-1} W^l + b^l,   a^l = f(z^l),   ŷ = a^L,   E = loss(ŷ, y)

``forward`` keeps every z^l and a^l (a Trace); ``backward`` walks the layers from L down to 1,
turning the output delta δ^L (ŷ - y where the output's slope cancels; (ŷ - y) ⊙ S'(z^L) for a
sigmoid with squared error) into every δ^l and every ∂E/∂W^l, ∂E/∂b^l (Gradients).
Python lists count from 0: ``net.weights[0]`` is W¹, the weights from the input to the first
hidden layer.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike

from nnmath.engine import activations, init as initializers, inputs, losses
from nnmath.errors import NNMathError, check_flags, check_seed, is_number
from nnmath.engine.decisions import Decisions
from nnmath.engine.labels import Targets
from nnmath.engine.layers import Dense, product
from nnmath.engine.parameters import Parameters, as_float_dtype
from nnmath.engine.trace import Gradients, Trace
from nnmath.engine.training import fit as _train

Array = np.ndarray


def _zeros(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """W^l of zeros, allocated lazily (calloc), for a network whose weights are loaded next."""
    return np.zeros((n_in, n_out))


class Network(Decisions, Parameters):
    """A network of sigmoid (or other) units trained by gradient descent.

    Parameters
    ----------
    sizes : units per layer, input first: ``[p, 3, 1]`` is p inputs, 3 hidden units, 1 output.
    activation : the hidden layers' f, one name or one per hidden layer
        (sigmoid, tanh, relu, leaky_relu, softsign, softplus, identity).
    output : the output activation; None picks sigmoid for one unit (binary cross-entropy, the
        seed's case) and softmax for more (categorical cross-entropy); "identity" is regression.
    loss : "cross_entropy" or "mse"; None picks cross-entropy for sigmoid/softmax outputs, mse otherwise.
    init : normal, standard_normal, uniform, xavier, he, or callable(n_in, n_out, rng).
    dropout : probability of dropping each hidden unit during training.
    batchnorm : batch normalisation between z and f in every hidden layer.
    residual : skip connections a^l = f(z^l) + a^{l-1} in hidden layers of equal width.
    seed : makes the initial weights, shuffling and dropout reproducible.
    dtype : float64 (default) or float32; ``fit`` follows the dtype of its X.
    """

    def __init__(self, sizes: Sequence[int], activation: Union[str, Sequence[str]] = "sigmoid",
                 output: Optional[str] = None, loss: Optional[str] = None, init: Any = "xavier",
                 dropout: float = 0.0, batchnorm: bool = False, residual: bool = False,
                 seed: Optional[int] = None, dtype: Any = np.float64):
        sizes = inputs.check_sizes(sizes)
        n_hidden = len(sizes) - 2
        hidden = [activation] * n_hidden if isinstance(activation, (str, activations.Activation)) else activation
        if not isinstance(hidden, (list, tuple)) or len(hidden) != n_hidden:
            raise NNMathError(f"activation must be one name or a list of one per hidden layer ({n_hidden}), "
                              f"got {activation!r}")
        output = output or ("sigmoid" if sizes[-1] == 1 else "softmax")
        if output not in activations.OUTPUT_ACTIVATIONS:
            raise NNMathError(f"unknown output {output!r}; choose one of {', '.join(activations.OUTPUT_ACTIVATIONS)}")
        if output == "softmax" and sizes[-1] < 2:
            raise NNMathError("a softmax output needs at least 2 units; for two classes use 1 sigmoid unit")
        loss = loss or ("cross_entropy" if output in ("sigmoid", "softmax") else "mse")
        if not (is_number(dropout) and 0.0 <= dropout < 1.0):
            raise NNMathError(f"dropout must be a number in [0, 1), got {dropout!r}")
        check_seed(seed)
        check_flags(batchnorm=batchnorm, residual=residual)
        self.sizes = sizes
        self.activation_names = [activations.get(a).name for a in hidden]
        self.output_name = output
        self.loss = losses.get(loss, output)
        self.init = init
        self.dropout, self.batchnorm, self.residual, self.seed = dropout, batchnorm, residual, seed
        self.dtype = as_float_dtype(dtype)
        draw = initializers.get(init)
        rng = np.random.default_rng(seed)
        self.layers: list[Dense] = []
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            is_hidden = l < n_hidden
            f = activations.get(hidden[l]) if is_hidden else self._output_activation()
            try:
                W = np.asarray(draw(n_in, n_out, rng), dtype=self.dtype)
            except (TypeError, ValueError):
                raise NNMathError(f"the init must return an array of numbers, for layer {l + 1} too") from None
            if W.shape != (n_in, n_out):
                raise NNMathError(f"the init returned shape {W.shape} for layer {l + 1}, expected {(n_in, n_out)}")
            if not inputs.all_finite(W):  # NaN or ±inf weights would make every ŷ and E NaN
                raise NNMathError(f"the init returned NaN or infinite weights for layer {l + 1}")
            self.layers.append(Dense(W, np.zeros(n_out, dtype=self.dtype), f,
                                     batchnorm=batchnorm and is_hidden,
                                     residual=residual and is_hidden and n_in == n_out,
                                     dropout=dropout if is_hidden else 0.0))
        kind = ("multiclass" if output == "softmax" else "regression" if output == "identity"
                else "binary" if sizes[-1] == 1 else "multilabel")
        self.targets = Targets(kind, sizes[-1])
        self.history_ = None  # the History of the last fit
        self._link_theta()  # θ: one vector holding every W^l and b^l (see engine/parameters.py)

    # ---- construction helpers -------------------------------------------------------------
    def _output_activation(self) -> activations.Activation:
        return activations.SOFTMAX if self.output_name == "softmax" else activations.get(self.output_name)

    @property
    def kind(self) -> str:
        """"binary", "multiclass", "multilabel" or "regression" (see engine/labels.py)."""
        return self.targets.kind

    @property
    def classes_(self) -> Optional[Array]:
        """The label values, learnt by the first fit (None for regression)."""
        return self.targets.classes_

    @classes_.setter
    def classes_(self, classes: Optional[ArrayLike]) -> None:
        self.targets.classes_ = None if classes is None else np.asarray(classes)

    # ---- the math -------------------------------------------------------------------------
    def check_X(self, X: ArrayLike) -> Array:
        """X as a 2-D array of the network's dtype with n_0 columns, or one clear error."""
        return inputs.check_X(X, self.sizes[0], self.dtype)

    def forward(self, X: Array, train: bool = False, rng: Optional[np.random.Generator] = None) -> Trace:
        r"""The forward pass: a^0 = X, then z^l = a^{l-1} W^l + b^l and a^l = f(z^l) for l = 1..L.

        Parameters
        ----------
        X : ndarray of shape (m, n_0)
            The inputs a⁰, one row per sample, in the network's dtype (see ``check_X``).
        train : bool
            Training mode: dropout (drawn from ``rng``) and batch normalisation's batch statistics.
        rng : numpy Generator, optional
            Draws the dropout masks.

        Returns
        -------
        Trace
            Every z^l and a^l (``trace.zs``, ``trace.activations``; ``trace.output`` is ŷ = a^L).
        """
        if not (isinstance(X, np.ndarray) and X.ndim == 2 and X.shape[1] == self.sizes[0]):
            X = self.check_X(X)  # a list, one sample, a DataFrame: checked as output() checks it
        if train is not True and train is not False:
            check_flags(train=train)  # train="no" is truthy: it would turn dropout on
        traces = []
        a = X
        for layer in self.layers:
            t = layer.forward(a, train, rng)
            traces.append(t)
            a = t.a
        return Trace(traces)

    def backward(self, trace: Trace, Y: Array, out: Optional[tuple[Array, list[Array]]] = None,
                 with_loss: bool = True) -> Gradients:
        r"""Backpropagation: δ^L = ŷ - y (× S'(z^L) for a sigmoid output with squared error), then
        δ^l = (δ^{l+1} (W^{l+1})^T) ⊙ f'(z^l) for l = L-1..1,
        and ∂E/∂W^l = (a^{l-1})^T δ^l / m, ∂E/∂b^l = (1/m) Σ_i δ^l_i.

        Parameters
        ----------
        trace : Trace
            The forward pass of the batch (``forward``).
        Y : ndarray of shape (m, n_L)
            The encoded targets y (see ``encode``), shaped like ŷ.
        out : (flat, views), optional
            Where to write ∂E/∂θ: a vector laid out like θ and ``net.split(flat)``. Training passes
            the same pair at every step; by default each call gets new arrays.
        with_loss : bool
            Compute E as well (``Gradients.loss``); training, which takes E over blocks of steps
            at once, passes False and gets NaN there.

        Returns
        -------
        Gradients
            E, and per layer δ^l (one row per sample), ∂E/∂W^l and ∂E/∂b^l.
        """
        last = trace.layers[-1]
        E = self.loss.value(last.z, last.a, Y) if with_loss else math.nan
        # δ^L: for the matched pairs sigmoid + binary cross-entropy and softmax + categorical
        # cross-entropy, ∂E/∂ŷ · f'(z) = ŷ - y because f'(z) cancels (see losses.Loss.output_delta).
        delta = self.loss.output_delta(last.z, last.a, Y, self.layers[-1].f)
        if out is None:
            # ∂E/∂θ, laid out like θ (each layer writes into its pieces), in the dtype the pass computed in
            flat = np.empty(self.theta.size, dtype=trace.layers[-1].z.dtype)
            out = flat, self.split(flat)
        flat, pieces = out
        grads: list = [None] * len(self.layers)
        dE_da = None  # ∂E/∂a^l, the error reaching layer l's output
        # Python counts layers from 0: self.layers[l] is the seed's layer l + 1, and above is l + 2.
        for l in reversed(range(len(self.layers))):
            layer, t = self.layers[l], trace.layers[l]
            d_gamma = d_beta = None
            if l < len(self.layers) - 1:
                above = self.layers[l + 1]
                back = product(delta, above.W.T)  # δ^{l+1} (W^{l+1})^T
                if above.residual:  # a^{l+1} = f(z^{l+1}) + a^l: the skip carries ∂E/∂a^{l+1} straight down
                    back += dE_da
                dE_da = back
                if t.mask is not None:  # dropout: only the units kept (and scaled) pass the error back
                    back = back * t.mask
                delta = back * layer.f.derivative(t.u, t.h)  # δ^l = (δ^{l+1} (W^{l+1})^T) ⊙ f'(z^l)
                if layer.bn is not None:  # batch normalisation between z and f: δ^l = ∂E/∂z^l through BN
                    delta, d_gamma, d_beta = layer.bn.backward(delta, t.bn)  # type: ignore[arg-type]
            first, stop = self._layer_pieces[l]
            grads[l] = layer.gradients(delta, t, d_gamma, d_beta, out=pieces[first:stop])
        return Gradients(E, grads, flat)

    def encode(self, y: ArrayLike) -> Array:
        """The target matrix for labels ``y``.

        Before the first fit a classifier knows no labels, so ``y`` must then be class indices:
        0 or 1 for one sigmoid output, 0..K-1 for K softmax outputs.
        """
        if self.kind in ("regression", "multilabel") or self.classes_ is not None:
            return self.targets.encode(y, self.dtype)
        n_classes = self.targets.n_classes
        try:
            return Targets(self.kind, self.sizes[-1], np.arange(n_classes)).encode(y, self.dtype)
        except NNMathError:
            raise NNMathError(f"before the network is fitted, labels must be class indices 0..{n_classes - 1}") from None

    def gradients(self, X: ArrayLike, y: ArrayLike, train: bool = False,
                  rng: Optional[np.random.Generator] = None) -> Gradients:
        r"""∂E/∂W^l, ∂E/∂b^l and δ^l for every layer at the batch (X, y): ``backward(forward(X), y)``.

        Parameters
        ----------
        X : array-like of shape (m, n_0) or (n_0,)
            The inputs; one row per sample (a 1-D array is one sample).
        y : array-like of shape (m,) or (m, n_L)
            Labels (class indices before the first fit), or targets for regression.
        train : bool
            False (default): prediction mode, no dropout, batch normalisation with its running
            statistics. True: the gradient a training step takes.
        rng : numpy Generator, optional
            Draws the dropout masks when ``train`` is True.

        Returns
        -------
        Gradients
            ``.loss`` (E), ``.weights`` [∂E/∂W¹, ...], ``.biases`` [∂E/∂b¹, ...], ``.deltas`` [δ¹, ...].
        """
        X, Y = self._batch(X, y)
        return self.backward(self.forward(X, train, rng), Y)

    def _batch(self, X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
        """X checked and y encoded, with as many labels as samples."""
        X, Y = self.check_X(X), self.encode(y)
        if len(Y) != len(X):
            raise NNMathError(f"X has {len(X)} samples but y has {len(Y)}")
        return X, Y

    def error(self, X: ArrayLike, y: ArrayLike) -> float:
        r"""The error E on (X, y) in prediction mode, e.g. E = -(1/m) Σ_i [y_i ln ŷ_i + (1 - y_i) ln(1 - ŷ_i)].

        Parameters
        ----------
        X : array-like of shape (m, n_0)
        y : array-like of shape (m,) or (m, n_L)

        Returns
        -------
        float
        """
        X, Y = self._batch(X, y)
        last = self.forward(X).layers[-1]
        return self.loss.value(last.z, last.a, Y)

    # ``net.fit(X, y, ...)`` is training.fit(net, X, y, ...): gradient descent, returning a History.
    fit = _train

    def config(self) -> dict:
        """The architecture as JSON-safe values: ``Network.from_config(net.config())`` rebuilds it."""
        return {
            "sizes": list(self.sizes), "activation": list(self.activation_names), "output": self.output_name,
            "loss": self.loss.option,
            "init": self.init if isinstance(self.init, str) else "custom",
            "dropout": self.dropout, "batchnorm": self.batchnorm, "residual": self.residual,
            "seed": self.seed, "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(cls, config: dict, draw: bool = True) -> "Network":
        """The network of ``config``; ``draw=False`` leaves every W^l zero for ``load_state`` to fill
        (drawing them would cost a model file's size in memory and time once more)."""
        init = config.get("init", "xavier")
        init = "xavier" if init == "custom" else init  # a user's init callable is not saved (its weights are)
        net = cls(**{**config, "init": init if draw else _zeros})
        net.init = init
        return net

    def __repr__(self) -> str:
        hidden = ",".join(self.activation_names) or "-"
        remedies = [f"dropout={self.dropout:g}"] if self.dropout else []
        remedies += ["batchnorm"] if self.batchnorm else []
        if self.residual:  # around the hidden layers whose width equals the one before: name them
            layers = [str(l + 1) for l, layer in enumerate(self.layers) if layer.residual]
            remedies.append(f"residual on layers {','.join(layers)}" if layers else "residual on no layer (no equal widths)")
        extra = "".join(f", {r}" for r in remedies)
        return (f"Network(sizes={self.sizes}, activation={hidden}, output={self.output_name}, loss={self.loss.name}"
                f"{extra})")
