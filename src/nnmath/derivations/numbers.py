r"""The numbers a derivation prints, computed once in float64 from a copy of the network.

    a^0 = x, \quad z^l = a^{l-1} W^l + b^l, \quad a^l = f(z^l), \quad \hat y = a^L,
    \delta^L = \hat y - y \;(\text{or } (\hat y - y) S'(z^L) \text{ for sigmoid + squared error}),
    \delta^l = f'(z^l) \odot (\delta^{l+1} (W^{l+1})^\top).

Also here: the indexed parameter names of docs/notation.md (``"W1[0,0]"``, ``"b2[1]"``), and
which networks a derivation covers. Layers are numbered from 1 as in the seed; the Python lists
below are indexed by that number (``Ws[1]`` is W¹, ``zs[0]`` unused, ``activations[0]`` is x).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from nnmath.engine import activations
from nnmath.errors import NNMathError
from nnmath.engine.losses import LOSSES, logsumexp, softplus
from nnmath.engine.trace import parse_parameter_name

Array = np.ndarray
INDEXED_NAME = re.compile(r"^\s*((?:W|b|gamma|beta)\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*$")
COVERED = ("plain feed-forward networks (no batch normalisation, residual connections or dropout) "
           f"with hidden activations {', '.join(activations.ACTIVATIONS)} and the outputs "
           + ", ".join(f"{output} + {loss.label}" for (_, output), loss in LOSSES.items()))


@dataclass(frozen=True)
class Parameter:
    """One entry of one parameter array: ``kind`` "W" or "b", ``layer`` from 1, and its unit
    indices: (j, k) for W^l[j,k] (from unit j of layer l-1 to unit k of layer l), (k,) for b^l[k]."""

    kind: str
    layer: int
    index: tuple

    @property
    def unit(self) -> int:
        """k, the unit of layer l whose z this parameter feeds."""
        return self.index[-1]

    @property
    def key(self) -> tuple:
        """Its key in the quantity table: ("W", l, j, k) or ("b", l, k)."""
        return (self.kind, self.layer) + self.index

    @property
    def latex(self) -> str:
        return rf"{self.kind}^{{{self.layer}}}_{{{','.join(map(str, self.index))}}}"

    @property
    def name(self) -> str:
        return f"{self.kind}{self.layer}[{','.join(map(str, self.index))}]"


def _entry_hint(base: str, n_layers: int) -> str:
    """An entry to suggest for a bare array name: W2 -> W2[0,0]; the seed's W11, W21 ('the first
    weight' of layer 1, 2) -> W1[0,0], W2[0,0]; never a layer the network lacks."""
    kind, digits = base[0], base[1:]
    entry = "[0,0]" if kind == "W" else "[0]"
    if 1 <= int(digits) <= n_layers:
        return f"; give one entry, e.g. {base}{entry}"
    if len(digits) >= 2 and 1 <= int(digits[0]) <= n_layers:
        return (f"; the seed's {base} is the first {'weight' if kind == 'W' else 'bias'} of layer {digits[0]}: "
                f"{kind}{digits[0]}{entry}")
    return f"; give one entry of a layer 1 to {n_layers}, e.g. {kind}1{entry}"


def parse_indexed_name(name: str, sizes: list[int]) -> Parameter:
    """``"W1[0,1]"`` -> Parameter("W", 1, (0, 1)); ``"b2[0]"`` -> Parameter("b", 2, (0,)).

    One clear error names what is valid when the name, the layer or an index is wrong.
    """
    n_layers = len(sizes) - 1
    match = INDEXED_NAME.match(str(name))
    if not match:
        base = str(name).strip()
        hint = ""
        if re.fullmatch(r"[Wb]\d+", base):
            hint = _entry_hint(base, n_layers)
        raise NNMathError(f"unknown parameter {name!r}: names look like W1[0,0] (W^l[j,k], from unit j of layer "
                          f"l-1 to unit k of layer l) or b1[0] (b^l[k]), layers 1 to {n_layers}{hint}")
    layer_text = re.sub(r"^[A-Za-z]+", "", match.group(1))
    if not 1 <= int(layer_text) <= n_layers:
        raise NNMathError(f"parameter {name!r}: the network has layers 1 to {n_layers}")
    kind, layer0 = parse_parameter_name(match.group(1), n_layers)
    if kind not in ("W", "b"):
        raise NNMathError(f"parameter {name!r}: derivations cover W and b only (the network has no batch normalisation)")
    layer = layer0 + 1
    n_in, n_out = sizes[layer - 1], sizes[layer]
    index = tuple(int(g) for g in match.groups()[1:] if g is not None)
    if kind == "W":
        if len(index) != 2:
            raise NNMathError(f"parameter {name!r}: a weight needs two indices, W{layer}[j,k]")
        if index[0] >= n_in or index[1] >= n_out:
            raise NNMathError(f"parameter {name!r} is out of range: W{layer} has shape ({n_in}, {n_out}), "
                              f"so j is 0..{n_in - 1} and k is 0..{n_out - 1}")
    else:
        if len(index) != 1:
            raise NNMathError(f"parameter {name!r}: a bias needs one index, b{layer}[k]")
        if index[0] >= n_out:
            raise NNMathError(f"parameter {name!r} is out of range: b{layer} has {n_out} entr{'y' if n_out == 1 else 'ies'}, "
                              f"k is 0..{n_out - 1}")
    return Parameter(kind, layer, index)


def check_covered(net) -> None:
    """Refuse, with one line naming what is covered, a network a derivation does not handle."""
    extras = [what for what, used in (("batch normalisation", net.batchnorm),
                                      ("residual connections", any(layer.residual for layer in net.layers)),
                                      ("dropout", net.dropout > 0)) if used]
    if extras:
        raise NNMathError(f"this network uses {' and '.join(extras)}; derivations cover {COVERED}")
    own = [layer.f.name for layer in net.layers[:-1] if activations.ACTIVATIONS.get(layer.f.name) is not layer.f]
    if own or net.loss not in LOSSES.values():
        what = f"the activation {own[0]!r}" if own else f"the loss {net.loss.name!r}"
        raise NNMathError(f"this network uses {what} of its own; derivations cover {COVERED}")


@dataclass
class Numbers:
    """A float64 copy of the network's parameters and the activations it names."""

    Ws: list  # [None, W^1, ..., W^L]
    bs: list  # [None, b^1, ..., b^L]
    hidden: list  # activation names of layers 1..L-1
    output: str  # sigmoid, softmax or identity
    loss: str  # bce, ce or mse

    @classmethod
    def of(cls, net) -> "Numbers":
        check_covered(net)
        Ws = [None] + [np.array(layer.W, dtype=np.float64) for layer in net.layers]
        bs = [None] + [np.array(layer.b, dtype=np.float64) for layer in net.layers]
        return cls(Ws, bs, list(net.activation_names), net.output_name, net.loss.kind)

    @property
    def L(self) -> int:
        return len(self.Ws) - 1

    @property
    def sizes(self) -> list[int]:
        return [self.Ws[1].shape[0]] + [W.shape[1] for W in self.Ws[1:]]

    def activation(self, layer: int) -> str:
        return self.hidden[layer - 1] if layer < self.L else self.output

    def output_cancels(self) -> bool:
        """True when δ^L = ŷ - y: the output's slope cancels against the error's derivative."""
        return self.loss in ("bce", "ce") or self.output == "identity"

    def forward(self, X: Array) -> "Pass":
        """Every z^l, a^l, f'(z^l) (hidden layers), E_i per sample and the deltas δ^l."""
        a = [np.asarray(X, dtype=np.float64)]
        z: list = [None]
        fp: list = [None]
        for l in range(1, self.L + 1):
            z.append(a[l - 1] @ self.Ws[l] + self.bs[l])
            name = self.activation(l)
            if name == "softmax":
                a.append(activations.softmax(z[l]))
                fp.append(None)
            else:
                f = activations.get(name)
                a.append(f.f(z[l]))
                fp.append(f.derivative(z[l], a[l]))
        return Pass(self, a, z, fp)

    def error(self, X: Array, Y: Array) -> float:
        """E, the mean over the samples."""
        return float(np.mean(self.forward(X).sample_errors(Y)))

    def perturbed(self, p: Parameter, step: float) -> "Numbers":
        """A copy with one parameter entry moved by ``step`` (for the finite difference)."""
        Ws: list = [None] + [W.copy() for W in self.Ws[1:]]
        bs: list = [None] + [b.copy() for b in self.bs[1:]]
        (Ws if p.kind == "W" else bs)[p.layer][p.index] += step
        return Numbers(Ws, bs, self.hidden, self.output, self.loss)


@dataclass
class Pass:
    """The forward pass of a batch; rows are samples, lists are indexed by layer (from 1)."""

    numbers: Numbers
    a: list
    z: list
    fp: list

    @property
    def y_hat(self) -> Array:
        return self.a[-1]

    def sample_errors(self, Y: Array) -> Array:
        """E_i for each sample i (the loss of that sample alone)."""
        y_hat, z, kind = self.y_hat, self.z[-1], self.numbers.loss
        if kind == "mse":
            return 0.5 * np.sum((y_hat - Y) ** 2, axis=1)
        if kind == "ce":  # -Σ_k y_k ln softmax(z)_k = logsumexp(z) - Σ_k y_k z_k
            return logsumexp(z) - np.sum(Y * z, axis=1)
        # -[y ln S(z) + (1 - y) ln(1 - S(z))] = softplus(z) - y z, finite even when ŷ rounds to 0 or 1
        return np.sum(softplus(z) - Y * z, axis=1)

    def deltas(self, Y: Array) -> list:
        """[None, δ^1, ..., δ^L]: δ^L = ŷ - y (times S'(z^L) for sigmoid + squared error), then
        δ^l = f'(z^l) ⊙ (δ^{l+1} (W^{l+1})ᵀ)."""
        L = self.numbers.L
        delta: list = [None] * (L + 1)
        delta[L] = self.y_hat - Y
        if not self.numbers.output_cancels():
            delta[L] = delta[L] * self.fp[L]
        for l in range(L - 1, 0, -1):
            delta[l] = self.fp[l] * (delta[l + 1] @ self.numbers.Ws[l + 1].T)
        return delta


def encode_targets(net, y, m: int) -> Array:
    """The target rows Y (shape m x n_out) for labels ``y``, without changing the network."""
    if net.kind == "regression":
        Y = np.asarray(y, dtype=np.float64).reshape(m, -1) if np.size(y) == m * net.sizes[-1] else None
        if Y is None:
            raise NNMathError(f"expected {m} target rows of {net.sizes[-1]} values, got {np.size(y)} values")
        return Y
    labels = np.atleast_1d(np.asarray(y))
    if net.kind == "multilabel" and labels.ndim == 1 and m == 1:
        labels = labels.reshape(1, -1)  # one sample's row of 0/1 labels
    if len(labels) != m:
        raise NNMathError(f"expected {m} label(s), one per sample, got {len(labels)}")
    return np.asarray(net.encode(labels), dtype=np.float64)


def quantities(numbers: Numbers, X: Array, Y: Array) -> tuple[Pass, list, dict]:
    """The forward pass, the deltas and the table of every printable number, keyed by name:
    ("W", l, j, k), ("b", l, k), and per sample s: ("a", s, l, k) (l = 0 is x), ("z", s, l, k),
    ("fp", s, l, k) = f'(z^l_k), ("delta", s, l, k), ("back", s, l, k) = Σ_r W^{l+1}_{k,r} δ^{l+1}_r,
    ("y", s, k), ("dE_dyhat", s, k), ("dyhat_dz", s, k), ("E_s", s); and ("E",), ("m",)."""
    fwd = numbers.forward(X)
    delta = fwd.deltas(Y)
    errors = fwd.sample_errors(Y)
    L = numbers.L
    v: dict = {}
    for l in range(1, L + 1):
        for (j, k), w in np.ndenumerate(numbers.Ws[l]):
            v[("W", l, j, k)] = float(w)
        for k, b in enumerate(numbers.bs[l]):
            v[("b", l, k)] = float(b)
    for s in range(len(X)):
        for l in range(L + 1):
            for k, a in enumerate(fwd.a[l][s]):
                v[("a", s, l, k)] = float(a)
        for l in range(1, L + 1):
            for k in range(numbers.sizes[l]):
                v[("z", s, l, k)] = float(fwd.z[l][s, k])
                v[("delta", s, l, k)] = float(delta[l][s, k])
                if fwd.fp[l] is not None:
                    v[("fp", s, l, k)] = float(fwd.fp[l][s, k])
            if l < L:
                for k, back in enumerate(delta[l + 1][s] @ numbers.Ws[l + 1].T):
                    v[("back", s, l, k)] = float(back)
        y_hat = fwd.y_hat[s]
        for k, y in enumerate(Y[s]):
            v[("y", s, k)] = float(y)
            if numbers.loss == "ce":  # softmax: only δ = ŷ - y is printed (its Jacobian is never formed)
                continue
            v[("dE_dyhat", s, k)] = float(y_hat[k] - y) if numbers.loss == "mse" else _bce_slope(y_hat[k], y)
            v[("dyhat_dz", s, k)] = 1.0 if numbers.output == "identity" else float(y_hat[k] * (1 - y_hat[k]))
        v[("E_s", s)] = float(errors[s])
    v[("E",)] = float(np.mean(errors))
    v[("m",)] = float(len(X))
    return fwd, delta, v


def _bce_slope(y_hat: float, y: float) -> float:
    """∂E/∂ŷ = -y/ŷ + (1 - y)/(1 - ŷ) (infinite when ŷ has rounded to 0 or 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-y / y_hat + (1 - y) / (1 - y_hat)) if 0 < y_hat < 1 else float("inf")
