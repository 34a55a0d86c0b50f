"""Reading, assigning and saving a network's arrays: W^l, b^l (and γ^l, β^l, batch-norm statistics).

Names follow the seed's numbering from 1 (``net["W2"]``, ``state()["b1"]``) while Python lists
count from 0 (``net.weights[0]`` is W¹).

All trainable numbers also live in one vector θ = (W¹, b¹, W², b², ...), ``net.theta``: each
W^l and b^l is a view of its piece of θ, so writing to W^l writes to θ and back. An optimizer
moves the whole network in one step θ ← θ - α ∂E/∂θ, two NumPy calls instead of two per array
(``Gradients.flat`` is ∂E/∂θ, laid out the same way).
"""
from __future__ import annotations

from typing import Any, Sequence, TypeVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from nnmath.errors import NNMathError
from nnmath.engine.layers import Dense
from nnmath.engine.trace import parse_parameter_name

Array = np.ndarray
P = TypeVar("P", bound="Parameters")


class _ParameterList(list):
    """``net.weights`` / ``net.biases``: a list whose items can be assigned (``net.weights[0] = W``)."""

    def __init__(self, net: "Parameters", attr: str):
        super().__init__(getattr(layer, attr) for layer in net.layers)
        self._net, self._attr = net, attr

    def __setitem__(self, index: Any, value: Any) -> None:  # type: ignore[override]
        if not isinstance(index, (int, np.integer)):
            raise NNMathError(f"assign one layer at a time (net.{self._attr}[l] = ...) or all of them "
                              f"(net.{self._attr} = [...])")
        layer = self._net.layers[index]
        self._net._assign(layer, self._attr, value)
        super().__setitem__(index, getattr(layer, self._attr))


def as_float_dtype(dtype: DTypeLike) -> np.dtype:
    """float32 or float64; anything else is refused rather than quietly changed."""
    try:
        as_dtype = np.dtype(dtype)
    except TypeError:
        as_dtype = None
    if as_dtype not in (np.float32, np.float64):
        raise NNMathError(f"dtype must be float32 or float64, got {dtype!r}")
    return as_dtype


class Parameters:
    """The part of a Network that holds its arrays; the math is in engine/network.py."""

    layers: list[Dense]
    dtype: np.dtype

    @property
    def weights(self) -> list[Array]:
        """[W¹, ..., Wᴸ]; W^l has shape (n_{l-1}, n_l). Items can be read and assigned."""
        return _ParameterList(self, "W")

    @weights.setter
    def weights(self, values: Sequence[Array]) -> None:
        self._assign_all("W", values)

    @property
    def biases(self) -> list[Array]:
        """[b¹, ..., bᴸ]; b^l has shape (n_l,)."""
        return _ParameterList(self, "b")

    @biases.setter
    def biases(self, values: Sequence[Array]) -> None:
        self._assign_all("b", values)

    def _assign_all(self, attr: str, values: Sequence[Array]) -> None:
        if not hasattr(values, "__len__"):  # net.weights = 3: one array for each layer is wanted
            raise NNMathError(f"expected a list of {len(self.layers)} arrays, got {type(values).__name__}")
        if len(values) != len(self.layers):
            raise NNMathError(f"expected {len(self.layers)} arrays, got {len(values)}")
        for layer, value in zip(self.layers, values):
            self._assign(layer, attr, value)

    def _assign(self, layer: Dense, attr: str, value: ArrayLike) -> None:
        old = getattr(layer, attr)
        try:
            value = np.array(value, dtype=self.dtype)
        except (TypeError, ValueError):
            raise NNMathError(f"{attr} must be an array of numbers of shape {old.shape}") from None
        if value.shape != old.shape:
            raise NNMathError(f"{attr} must have shape {old.shape}, got {value.shape}")
        old[...] = value  # into its piece of θ

    # ---- θ, every trainable number in one vector ------------------------------------------
    theta: Array

    def _link_theta(self) -> None:
        """Copy the trainable arrays into one new vector θ and make each of them a view of its piece."""
        for l, layer in enumerate(self.layers, start=1):  # an array replaced by one of another shape
            for name, a in zip(layer.parameter_names(), layer.parameters()):
                want = (layer.n_in, layer.n_out) if name == "W" else (layer.n_out,)
                if np.shape(a) != want:
                    raise NNMathError(f"{name}{l} must have shape {want}, got {np.shape(a)}")
        arrays = self.parameters()
        theta = np.empty(sum(a.size for a in arrays), dtype=self.dtype)
        self._pieces: list[tuple[int, int, tuple[int, ...]]] = []  # (start, stop, shape) per array
        self._layer_pieces: list[tuple[int, int]] = []  # per layer, its arrays' range in parameters()
        for layer in self.layers:
            first = self._layer_pieces[-1][1] if self._layer_pieces else 0
            self._layer_pieces.append((first, first + len(layer.parameter_names())))
        start = 0
        for a in arrays:
            self._pieces.append((start, start + a.size, a.shape))
            theta[start:start + a.size] = a.reshape(-1)
            start += a.size
        self.theta = theta
        views = self.split(theta)
        for layer in self.layers:
            layer.W, layer.b = views.pop(0), views.pop(0)
            if layer.bn is not None:
                layer.bn.gamma, layer.bn.beta = views.pop(0), views.pop(0)

    def flat_parameters(self) -> Array:
        """θ, with every W^l, b^l (γ^l, β^l) a view of it; relinked first if an array was replaced
        (``layer.W = ...``) or copied (unpickling)."""
        if not all(p.base is self.theta for p in self.parameters()):
            self._link_theta()
        return self.theta

    def split(self, flat: Array) -> list[Array]:
        """A vector laid out like θ, cut into views shaped like W¹, b¹, ... (parameters() order)."""
        return [flat[start:stop].reshape(shape) for start, stop, shape in self._pieces]

    def __getstate__(self) -> dict:
        # θ is not pickled: its pieces are, as W^l, b^l, ..., and __setstate__ joins them again.
        state = self.__dict__.copy()
        state.pop("theta", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        arrays = self.parameters()
        base = arrays[0].base
        if base is not None and all(a.base is base for a in arrays) and base.size == sum(a.size for a in arrays):
            self.theta = base  # a shallow copy (copy.copy): the layers are still views of the original's θ
        else:
            self._link_theta()  # unpickled or deep-copied: each array is its own; join them into a new θ

    def parameters(self) -> list[Array]:
        """Every trainable array, layer 1 first: W1, b1, (gamma1, beta1), W2, ..."""
        return [p for layer in self.layers for p in layer.parameters()]

    def parameter_names(self) -> list[str]:
        """Names in the seed's numbering, in the order of parameters(): ["W1", "b1", ...]."""
        return [f"{name}{l + 1}" for l, layer in enumerate(self.layers) for name in layer.parameter_names()]

    def __getitem__(self, name: str) -> Array:
        """``net["W2"]`` is W² (the array itself: changing it changes the network)."""
        kind, l = parse_parameter_name(name, len(self.layers))
        layer = self.layers[l]
        if kind in ("gamma", "beta"):
            if layer.bn is None:
                raise NNMathError(f"layer {l + 1} has no {kind} (it has no batch normalisation)")
            return getattr(layer.bn, kind)
        return getattr(layer, kind)

    def astype(self: P, dtype: DTypeLike) -> P:
        """Convert every array of the network to ``dtype`` (float32 or float64), in place."""
        dtype = as_float_dtype(dtype)
        if dtype == self.dtype:
            return self
        self.dtype = dtype
        for layer in self.layers:
            if layer.bn is not None:
                for attr in ("running_mean", "running_var"):
                    setattr(layer.bn, attr, getattr(layer.bn, attr).astype(dtype))
        self._link_theta()  # a new θ of the new dtype; W^l, b^l, γ^l, β^l become views of it
        return self

    def state(self) -> dict[str, Array]:
        """Every array that defines the trained network, by name: W1, b1, ..., running_mean1, ..."""
        out = dict(zip(self.parameter_names(), self.parameters()))
        for l, layer in enumerate(self.layers):
            if layer.bn is not None:
                out[f"running_mean{l + 1}"] = layer.bn.running_mean
                out[f"running_var{l + 1}"] = layer.bn.running_var
        return out

    def load_state(self, state: dict[str, Array]) -> None:
        """Set every array from ``state`` (as made by ``state()``); names and shapes must match."""
        mine = self.state()
        if set(state) != set(mine):
            raise NNMathError(f"the arrays {sorted(state)} do not match this network's {sorted(mine)}")
        for name, value in state.items():
            if np.shape(value) != mine[name].shape:
                raise NNMathError(f"{name} must have shape {mine[name].shape}, got {np.shape(value)}")
            mine[name][...] = value

