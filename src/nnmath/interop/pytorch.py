r"""Moving a network between nnmath and PyTorch, weights and all.

An nnmath layer z^l = a^{l-1} W^l + b^l, a^l = f(z^l) with W^l of shape (n_{l-1}, n_l) is
PyTorch's ``nn.Linear(n_{l-1}, n_l)``, which computes x Aᵀ + c with A of shape (n_l, n_{l-1}):

    A = (W^l)^T, \qquad c = b^l.

Batch normalisation becomes ``nn.BatchNorm1d`` (γ, β, running μ and σ², ε = 1e-5, momentum 0.1,
the engine's conventions), dropout ``nn.Dropout(p)`` after f, and a residual layer
a^l = f(z^l) + a^{l-1} the small module ``Residual``. The output f becomes ``nn.Sigmoid``,
``nn.Softmax(dim=1)`` or nothing (identity). The loss is not part of the module: binary
cross-entropy on a sigmoid output is ``nn.BCEWithLogitsLoss`` on ``module[:-1]``'s output, softmax
with cross-entropy is ``nn.CrossEntropyLoss`` on the logits, and nnmath's squared error
E = \frac{1}{2m}\sum_i \lVert ŷ_i - y_i \rVert^2 is half of ``nn.MSELoss(reduction="sum") / m``.

PyTorch is optional: importing this module does not import it; the functions do.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from nnmath.engine.activations import ACTIVATIONS, Activation
from nnmath.errors import NNMathError
from nnmath.engine.network import Network

INSTALL_HINT = "PyTorch is not installed; install it with `pip install torch` to use to_torch / from_torch"
# Each activation's PyTorch module is in its registry entry (engine/activations.py): name and settings.
HIDDEN = [f for f in ACTIVATIONS.values() if f.torch[0]]


def _written(f: Activation) -> str:
    """LeakyReLU(negative_slope=0.01), Sigmoid, ..."""
    name, settings = f.torch
    return name + (f"({', '.join(f'{k}={v}' for k, v in settings)})" if settings else "")


SUPPORTED = (f"Linear, BatchNorm1d, Dropout, {', '.join(_written(f) for f in HIDDEN)}, Residual, "
             "and Softmax(dim=1) after the last Linear")


def _module(nn: Any, f: Activation) -> Any:
    """The torch.nn module of activation ``f``, with the settings nnmath's f has."""
    name, settings = f.torch
    if not name or not hasattr(nn, name):  # a user's own activation, without a PyTorch module
        raise NNMathError(f"the activation {f.name!r} has no PyTorch module; to_torch exports "
                          f"{', '.join(g.name for g in HIDDEN)}")
    return getattr(nn, name)(**dict(settings))


def import_torch() -> Any:
    """The ``torch`` module, or an NNMathError saying how to install it."""
    try:
        import torch
    except ImportError:
        raise NNMathError(INSTALL_HINT) from None
    return torch


_residual_class: Optional[type] = None


def __getattr__(name: str) -> Any:
    """``nnmath.interop.pytorch.Residual`` is made on first use, so that importing this module does not
    import torch (and pickled modules that contain a Residual still load)."""
    global _residual_class
    if name != "Residual":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _residual_class is None:
        module_base: Any = import_torch().nn.Module

        class Residual(module_base):
            r"""A skip connection around a layer: a^l = body(a^{l-1}) + a^{l-1}."""

            def __init__(self, body: Any):
                super().__init__()
                self.body = body

            def forward(self, x: Any) -> Any:
                return self.body(x) + x

        Residual.__module__, Residual.__qualname__ = __name__, "Residual"
        _residual_class = Residual
    return _residual_class


def _tensor(torch: Any, array: np.ndarray, dtype: Any) -> Any:
    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)


def to_torch(net: Network) -> Any:
    r"""A ``torch.nn.Sequential`` computing the same ŷ as ``net``, in evaluation mode.

    Each layer l becomes ``Linear`` with weight (W^l)^T and bias b^l, then ``BatchNorm1d``
    (γ^l, β^l and the running statistics) when the layer has batch normalisation, then f, then
    ``Dropout(p)``; a residual layer is wrapped in ``Residual`` (a^l = f(z^l) + a^{l-1}). The
    tensors have the network's dtype (float32 or float64). Evaluation mode matches
    ``net.output`` (no dropout, running statistics); call ``.train()`` to train it. The loss is
    not in the module: ``from_torch`` takes it back as its ``loss``.

    Parameters
    ----------
    net : nnmath.Network

    Returns
    -------
    torch.nn.Sequential

    Raises
    ------
    NNMathError
        When PyTorch is not installed (the message says ``pip install torch``).
    """
    torch = import_torch()
    nn = torch.nn
    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    modules: list = []
    last = len(net.layers) - 1
    for l, layer in enumerate(net.layers):
        linear = nn.Linear(layer.n_in, layer.n_out, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(_tensor(torch, layer.W.T, dtype))
            linear.bias.copy_(_tensor(torch, layer.b, dtype))
        block = [linear]
        if layer.bn is not None:
            bn = nn.BatchNorm1d(layer.n_out, eps=layer.bn.eps, momentum=layer.bn.momentum, dtype=dtype)
            with torch.no_grad():
                for name, value in (("weight", layer.bn.gamma), ("bias", layer.bn.beta),
                                    ("running_mean", layer.bn.running_mean), ("running_var", layer.bn.running_var)):
                    getattr(bn, name).copy_(_tensor(torch, value, dtype))
            block.append(bn)
        if l < last or net.output_name != "identity":  # an identity output adds no module
            block.append(_module(nn, layer.f))
        if layer.dropout > 0:
            block.append(nn.Dropout(layer.dropout))
        modules += [__getattr__("Residual")(nn.Sequential(*block))] if layer.residual else block
    return nn.Sequential(*modules).eval()


def _activation_name(module: Any, nn: Any, is_output: bool) -> Optional[str]:
    """The nnmath name of an activation module, or None when ``module`` is not one."""
    if isinstance(module, nn.Softmax):
        if module.dim not in (1, -1) or not is_output:
            raise NNMathError("Softmax is supported only after the last Linear, over dim=1")
        return "softmax"
    for f in HIDDEN:
        if type(module) is getattr(nn, f.torch[0], None):
            for setting, value in f.torch[1]:
                if getattr(module, setting) != value:
                    raise NNMathError(f"{type(module).__name__}({setting}={getattr(module, setting)}) is not "
                                      f"supported: nnmath's {f.name} uses {setting}={value}")
            return f.name
    return None


def _parse(modules: list, nn: Any, residual_class: Any) -> list[dict]:
    """Group a flat list of modules into layers: Linear, [BatchNorm1d], [f], [Dropout]."""
    layers: list[dict] = []
    for i, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            layers.append({"linear": module, "bn": None, "f": None, "dropout": 0.0, "residual": False})
            continue
        if isinstance(module, residual_class):
            body = module.body  # Residual(Sequential(Linear, ...)) or Residual(Linear)
            inner = _parse(list(body) if isinstance(body, nn.Sequential) else [body], nn, residual_class)
            if len(inner) != 1:
                raise NNMathError("a Residual must hold exactly one Linear layer")
            inner[0]["residual"] = True
            layers.append(inner[0])
            continue
        if not layers:
            raise NNMathError(f"cannot import module {i} ({module!r}) before any Linear layer; "
                              f"nnmath supports {SUPPORTED}")
        layer, is_last = layers[-1], i + 1 == len(modules)
        if isinstance(module, nn.BatchNorm1d) and layer["f"] is None and layer["bn"] is None:
            layer["bn"] = module
        elif isinstance(module, nn.Dropout) and layer["dropout"] == 0.0:
            layer["dropout"] = float(module.p)
        elif layer["f"] is None and layer["dropout"] == 0.0 and (f := _activation_name(module, nn, is_last)):
            layer["f"] = f
        else:
            raise NNMathError(f"cannot import module {i} ({module!r}); nnmath supports {SUPPORTED}")
    if not layers:
        raise NNMathError("the module holds no Linear layer")
    return layers


def _numpy(tensor: Any, dtype: np.dtype) -> np.ndarray:
    return tensor.detach().cpu().double().numpy().astype(dtype)


def from_torch(module: Any, loss: Optional[str] = None) -> Network:
    r"""A Network with the weights of a ``torch.nn.Sequential`` (the inverse of ``to_torch``).

    Each ``Linear`` (weight A, bias c) becomes a layer with W^l = A^T and b^l = c; a Linear
    followed by no activation has f(z) = z. Dropout (one p), BatchNorm1d (on every hidden layer)
    and Residual (on every hidden layer of equal width) must be used the way a Network uses them.

    Parameters
    ----------
    module : torch.nn.Sequential (or a single torch.nn.Linear)
    loss : "cross_entropy", "mse" or None
        The network's E, which a module does not hold: None picks Network's default (cross-entropy
        behind a sigmoid or softmax output, squared error behind none); a network trained with
        squared error on a sigmoid output comes back whole with ``from_torch(to_torch(net), "mse")``.

    Returns
    -------
    nnmath.Network
        float32 when the first Linear's weight is float32, else float64.

    Raises
    ------
    NNMathError
        Naming the first module nnmath cannot express, or when PyTorch is not installed.
    """
    torch = import_torch()
    nn = torch.nn
    modules = list(module) if isinstance(module, nn.Sequential) else [module]
    layers = _parse(modules, nn, __getattr__("Residual"))
    hidden, out = layers[:-1], layers[-1]
    if out["bn"] is not None or out["residual"] or out["dropout"]:
        raise NNMathError("the last Linear layer cannot have BatchNorm1d, Dropout or a Residual in nnmath")
    if out["f"] not in (None, "identity", "sigmoid", "softmax"):
        raise NNMathError(f"the output activation {out['f']} is not supported; use Sigmoid, Softmax(dim=1) or none")
    for l, (before, after) in enumerate(zip(layers, layers[1:]), start=2):
        if after["linear"].in_features != before["linear"].out_features:
            raise NNMathError(f"Linear layer {l} takes {after['linear'].in_features} inputs but the layer before "
                              f"gives {before['linear'].out_features}: the layers do not chain")
    sizes = [layers[0]["linear"].in_features] + [layer["linear"].out_features for layer in layers]
    dropouts = {layer["dropout"] for layer in hidden} or {0.0}
    batchnorm = {layer["bn"] is not None for layer in hidden} or {False}
    if len(dropouts) > 1 or len(batchnorm) > 1:
        raise NNMathError("nnmath uses the same dropout p and batch normalisation in every hidden layer")
    eligible = [layer["linear"].in_features == layer["linear"].out_features for layer in hidden]
    residual = any(layer["residual"] for layer in hidden)
    if any(layer["residual"] != (residual and ok) for layer, ok in zip(hidden, eligible)):
        raise NNMathError("nnmath puts a Residual around every hidden layer of equal width, or none")
    weight_dtype = layers[0]["linear"].weight.dtype
    dtype = np.dtype(np.float32 if weight_dtype == torch.float32 else np.float64)
    net = Network(sizes, activation=[layer["f"] or "identity" for layer in hidden],
                  output=out["f"] or "identity", loss=loss, dropout=dropouts.pop(), batchnorm=batchnorm.pop(),
                  residual=residual, dtype=dtype)
    for layer, parsed in zip(net.layers, layers):
        linear = parsed["linear"]
        layer.W = _numpy(linear.weight, dtype).T.copy()
        layer.b = _numpy(linear.bias, dtype) if linear.bias is not None else np.zeros(layer.n_out, dtype=dtype)
        if layer.bn is not None:
            bn = parsed["bn"]
            if bn.num_features != layer.n_out:
                raise NNMathError(f"a BatchNorm1d({bn.num_features}) follows a Linear layer of {layer.n_out} outputs")
            if bn.weight is None or bn.running_mean is None:
                raise NNMathError("BatchNorm1d needs affine=True and track_running_stats=True to be imported")
            layer.bn.gamma, layer.bn.beta = _numpy(bn.weight, dtype), _numpy(bn.bias, dtype)
            layer.bn.running_mean, layer.bn.running_var = _numpy(bn.running_mean, dtype), _numpy(bn.running_var, dtype)
            if bn.momentum is None:
                raise NNMathError("BatchNorm1d(momentum=None) (a cumulative average) is not supported; "
                                  "nnmath uses a momentum")
            layer.bn.eps, layer.bn.momentum = float(bn.eps), float(bn.momentum)
    net.flat_parameters()  # the arrays above become views of θ again
    return net
