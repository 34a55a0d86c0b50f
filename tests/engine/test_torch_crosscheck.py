"""The same network, weights and batch in PyTorch (float64): every gradient agrees to 1e-9.

PyTorch differentiates by autograd; nnmath by the hand-written backpropagation equations.
"""
import numpy as np
import pytest
import torch

import nnmath
from nnmath.engine.activations import ACTIVATIONS



def torch_activation(name):
    """The torch.nn module the registry names for activation ``name``, with its settings."""
    module, settings = ACTIVATIONS[name].torch
    return getattr(torch.nn, module)(**dict(settings))


def torch_loss(net, logits, y):
    """The loss nnmath uses, written with PyTorch's own functions."""
    if net.loss.name == "binary_cross_entropy":
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, y)
    if net.loss.name == "categorical_cross_entropy":
        return torch.nn.functional.cross_entropy(logits, y.argmax(dim=1))
    out = torch.sigmoid(logits) if net.output_name == "sigmoid" else logits
    return 0.5 * ((out - y) ** 2).sum(dim=1).mean()


def torch_gradients(net, X, Y):
    Ws = [torch.tensor(W, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, requires_grad=True) for b in net.biases]
    a = torch.tensor(X)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W + b
        a = torch_activation(net.activation_names[l])(z) if l < len(Ws) - 1 else z
    loss = torch_loss(net, a, torch.tensor(Y))
    loss.backward()
    return loss.item(), [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]


def rel_err(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("head", [("sigmoid", "cross_entropy", 1), ("softmax", "cross_entropy", 4),
                                  ("identity", "mse", 2), ("sigmoid", "mse", 1)])
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_gradients_equal_pytorch(activation, head, depth):
    output, loss, n_out = head
    r = np.random.default_rng(depth * 100 + n_out)
    sizes = [5] + [6] * (depth - 1) + [n_out]
    net = nnmath.Network(sizes, activation=activation, output=output, loss=loss, init="he", seed=depth)
    for b in net.biases:
        b[...] = r.normal(0, 0.3, b.shape)
    X = r.standard_normal((16, 5))
    if output == "identity":
        y = r.standard_normal((16, n_out))
    else:
        y = r.integers(0, max(n_out, 2), 16)
    g = net.gradients(X, y)
    loss_t, gW_t, gb_t = torch_gradients(net, X, net.encode(y))
    assert g.loss == pytest.approx(loss_t, rel=1e-12)
    for l in range(len(sizes) - 1):
        assert rel_err(g.weights[l], gW_t[l]) < 1e-9, f"W{l + 1}"
        assert rel_err(g.biases[l], gb_t[l]) < 1e-9, f"b{l + 1}"


@pytest.mark.parametrize("name,make", [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.1)),
])
@pytest.mark.parametrize("form", ["loops", "blas steps"])
def test_optimizer_steps_equal_pytorch(name, make, form, monkeypatch):
    """Five full-batch steps with each optimizer land on PyTorch's weights, through each form of
    the compiled epoch (the line between them moved past this network's products)."""
    from nnmath.engine.compiled import epoch as compiled_epoch

    monkeypatch.setattr(compiled_epoch, "LARGEST_PRODUCT", 1 << 62 if form == "loops" else -1)
    assert compiled_epoch.form(nnmath.Network([3, 4, 1]), 20) == form
    r = np.random.default_rng(0)
    X, y = r.standard_normal((20, 3)), r.integers(0, 2, 20)
    net = nnmath.Network([3, 4, 1], seed=1)
    Ws = [torch.tensor(W.copy(), requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b.copy(), requires_grad=True) for b in net.biases]
    opt = make(Ws + bs)
    Xt, yt = torch.tensor(X), torch.tensor(y, dtype=torch.float64).reshape(-1, 1)
    for _ in range(5):
        opt.zero_grad()
        logits = torch.sigmoid(Xt @ Ws[0] + bs[0]) @ Ws[1] + bs[1]
        torch.nn.functional.binary_cross_entropy_with_logits(logits, yt).backward()
        opt.step()
    net.fit(X, y, epochs=5, learning_rate=0.1, optimizer=name)
    for mine, theirs in zip(net.weights + net.biases, Ws + bs):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
