"""nnmath <-> PyTorch: the same weights give the same outputs and the same gradients.

The PyTorch losses below are written from the definitions of nnmath's E (binary and categorical
cross-entropy on the logits, half the mean squared error), not taken from nnmath, so a wrong
export, a wrong import or a wrong backprop each make a test fail.
"""
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnmath import NNMathError, Network, from_torch, to_torch
from nnmath.engine.activations import ACTIVATIONS  # every registered activation is under test
from nnmath.engine.losses import LOSSES  # ... and every (loss, output) pair
from nnmath.interop.pytorch import Residual

OUTPUTS = {"sigmoid": 1, "softmax": 3, "identity": 2}  # output activation -> units
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}


def random_data(n_out_kind, m=9, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, p))
    if n_out_kind == "sigmoid":
        y = rng.integers(0, 2, m)
        y[:2] = [0, 1]
    elif n_out_kind == "softmax":
        y = np.arange(m) % 3
    else:
        y = rng.standard_normal((m, 2))
    return X, y


def torch_loss(output_kind, logits_or_output, y):
    """nnmath's E, written independently in PyTorch."""
    if output_kind == "sigmoid":  # -(1/m) Σ [y ln S(z) + (1-y) ln(1-S(z))]
        return F.binary_cross_entropy_with_logits(logits_or_output[:, 0], torch.tensor(y, dtype=torch.float64))
    if output_kind == "softmax":  # -(1/m) Σ ln softmax(z)_{y}
        return F.cross_entropy(logits_or_output, torch.tensor(y))
    diff = logits_or_output - torch.tensor(y)  # (1/2m) Σ ‖ŷ - y‖²
    return 0.5 * (diff * diff).sum(dim=1).mean()


def torch_gradients(module, output_kind, X, y):
    """(loss, [(∂E/∂W^l, ∂E/∂b^l)]) from autograd, W^l = weightᵀ."""
    module.zero_grad()
    body = module[:-1] if output_kind in ("sigmoid", "softmax") else module  # logits for the cross-entropies
    loss = torch_loss(output_kind, body(torch.tensor(X)), y)
    loss.backward()
    linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
    return loss.item(), [(lin.weight.grad.numpy().T, lin.bias.grad.numpy()) for lin in linears]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output", list(OUTPUTS))
def test_to_torch_gives_the_same_outputs_and_from_torch_the_same_network(activation, output, dtype):
    net = Network([5, 6, 4, OUTPUTS[output]], activation=activation, output=output, init="normal", seed=3, dtype=dtype)
    rng = np.random.default_rng(1)
    for b in net.biases:
        b += rng.normal(0, 0.5, b.shape).astype(dtype)  # non-zero biases, so b's export is tested too
    X, _ = random_data(output)
    X = X.astype(dtype)
    module = to_torch(net)
    assert all(p.dtype == (torch.float32 if dtype == np.float32 else torch.float64) for p in module.parameters())
    with torch.no_grad():
        y_torch = module(torch.tensor(X)).numpy()
    np.testing.assert_allclose(y_torch, net.output(X), rtol=0, atol=TOLERANCE[dtype])

    back = from_torch(module)
    assert back.sizes == net.sizes and back.activation_names == net.activation_names
    assert back.output_name == output and back.dtype == net.dtype
    for W_back, W in zip(back.weights + back.biases, net.weights + net.biases):
        np.testing.assert_array_equal(W_back, W)
    np.testing.assert_array_equal(back.output(X), net.output(X))
    np.testing.assert_array_equal(back.theta, net.theta)  # imported arrays are views of θ (engine/parameters.py)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output", list(OUTPUTS))
def test_backprop_equals_torch_autograd_both_ways(activation, output):
    X, y = random_data(output, seed=2)
    net = Network([5, 6, 4, OUTPUTS[output]], activation=activation, output=output, seed=4)
    ours = net.gradients(X, y)
    loss, theirs = torch_gradients(to_torch(net), output, X, y)
    assert ours.loss == pytest.approx(loss, rel=1e-12)
    for l, (dW, db) in enumerate(theirs):
        np.testing.assert_allclose(ours.weights[l], dW, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(ours.biases[l], db, rtol=1e-10, atol=1e-13)

    # the other way: a PyTorch-initialised module, imported into nnmath
    torch.manual_seed(0)
    layers = [torch.nn.Linear(5, 6, dtype=torch.float64), _torch_activation(activation),
              torch.nn.Linear(6, OUTPUTS[output], dtype=torch.float64)]
    layers += {"sigmoid": [torch.nn.Sigmoid()], "softmax": [torch.nn.Softmax(dim=1)], "identity": []}[output]
    module = torch.nn.Sequential(*layers)
    imported = from_torch(module)
    loss, theirs = torch_gradients(module, output, X, y)
    ours = imported.gradients(X, y)
    assert ours.loss == pytest.approx(loss, rel=1e-12)
    for l, (dW, db) in enumerate(theirs):
        np.testing.assert_allclose(ours.weights[l], dW, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(ours.biases[l], db, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_the_torch_losses_named_in_the_docs_equal_nnmath_E(output):
    X, y = random_data(output, seed=5)
    net = Network([5, 4, OUTPUTS[output]], activation="tanh", output=output, seed=0)
    module = to_torch(net)
    with torch.no_grad():
        if output == "sigmoid":
            E = torch.nn.BCEWithLogitsLoss()(module[:-1](torch.tensor(X))[:, 0], torch.tensor(y, dtype=torch.float64))
        elif output == "softmax":
            E = torch.nn.CrossEntropyLoss()(module[:-1](torch.tensor(X)), torch.tensor(y))
        else:
            E = 0.5 * torch.nn.MSELoss(reduction="sum")(module(torch.tensor(X)), torch.tensor(y)) / len(X)
    assert net.error(X, y) == pytest.approx(E.item(), rel=1e-12)


def _torch_activation(name):
    module, settings = ACTIVATIONS[name].torch
    return getattr(torch.nn, module)(**dict(settings))


def test_batchnorm_and_residual_match_in_both_modes():
    X, y = random_data("sigmoid", m=16)
    net = Network([5, 5, 5, 1], activation="tanh", batchnorm=True, residual=True, seed=0)
    net.fit(X, y, epochs=5, learning_rate=0.3)  # moves γ, β and the running statistics away from 1, 0
    assert not np.allclose(net.layers[0].bn.running_mean, 0)
    module = to_torch(net)
    assert isinstance(module[0], Residual) and isinstance(module[0].body[1], torch.nn.BatchNorm1d)
    with torch.no_grad():  # evaluation mode: running statistics
        np.testing.assert_allclose(module(torch.tensor(X)).numpy(), net.output(X), rtol=0, atol=1e-12)
    back = from_torch(module)
    assert back.batchnorm and back.residual
    np.testing.assert_array_equal(back.layers[1].bn.running_var, net.layers[1].bn.running_var)
    np.testing.assert_allclose(back.output(X), net.output(X), rtol=0, atol=1e-15)

    # training mode: batch statistics, and the gradients through them (the samples are coupled)
    trace = net.forward(X, train=True)
    ours = net.backward(trace, net.encode(y))
    _, theirs = torch_gradients(module.train(), "sigmoid", X, y)
    for l, (dW, db) in enumerate(theirs):
        np.testing.assert_allclose(ours.weights[l], dW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.biases[l], db, rtol=1e-9, atol=1e-12)
    norms = [m for m in module.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    for l, bn in enumerate(norms):
        np.testing.assert_allclose(ours[f"gamma{l + 1}"], bn.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    # the training pass also moved PyTorch's running statistics: nnmath's update rule agrees
    for layer, t, bn in zip(net.layers, trace.layers, norms):
        layer.bn.update_running_statistics(t.bn, len(X))
        np.testing.assert_allclose(layer.bn.running_mean, bn.running_mean.numpy(), rtol=0, atol=1e-13)
        np.testing.assert_allclose(layer.bn.running_var, bn.running_var.numpy(), rtol=0, atol=1e-13)


def test_dropout_is_exported_and_imported_with_its_probability():
    net = Network([5, 4, 4, 1], dropout=0.3, seed=0)
    module = to_torch(net)
    dropouts = [m for m in module if isinstance(m, torch.nn.Dropout)]
    assert [d.p for d in dropouts] == [0.3, 0.3]
    assert not module.training  # evaluation mode, like net.output
    assert from_torch(module).dropout == 0.3


@pytest.mark.parametrize("module, words", [
    (torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.GELU(), torch.nn.Linear(2, 1)), "GELU"),
    (torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LeakyReLU(0.2), torch.nn.Linear(2, 1)), "negative_slope=0.2"),
    (torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(dim=1), torch.nn.Linear(2, 2)), "Softmax"),
    (torch.nn.Sequential(torch.nn.ReLU()), "before any Linear"),
    (torch.nn.Conv1d(1, 1, 3), "Conv1d"),
    (torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Dropout(0.1), torch.nn.Linear(3, 3), torch.nn.Linear(3, 1)),
     "same dropout"),
])
def test_from_torch_names_what_it_cannot_import(module, words):
    with pytest.raises(NNMathError, match=words):
        from_torch(module)


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_importing_nnmath_imports_neither_torch_nor_sklearn():
    done = _run("import sys, nnmath, nnmath.interop.pytorch\n"
                "print(sorted(m for m in ('torch', 'sklearn') if m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_torch_the_error_says_how_to_install_it():
    done = _run("import sys; sys.modules['torch'] = None  # what `import torch` meets when it is not installed\n"
                "import nnmath\n"
                "for call in (lambda: nnmath.to_torch(nnmath.Network([2, 1])), lambda: nnmath.from_torch(None)):\n"
                "    try:\n        call()\n"
                "    except nnmath.NNMathError as e:\n        print(e)\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all("pip install torch" in line for line in lines)


def test_a_module_with_residual_blocks_unpickles_in_a_fresh_process(tmp_path):
    import pickle

    net = Network([3, 3, 3, 1], residual=True, seed=0)
    X = np.random.default_rng(0).standard_normal((4, 3))
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(to_torch(net)))
    done = _run(f"import pickle, torch; m = pickle.load(open({str(tmp_path / 'm.pkl')!r}, 'rb'));"
                f"import numpy as np; print(m(torch.tensor(np.array({X.tolist()}))).detach().numpy().ravel().tolist())")
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(eval(done.stdout), net.output(X).ravel(), rtol=0, atol=1e-12)


def test_layers_that_do_not_chain_are_refused_before_anything_is_built():
    # Linear(3, 2) then Linear(4, 1): a W^2 of shape (4, 1) would not fit a^1 (2 values); the compiled
    # loops, which read θ by the network's sizes, must never see it.
    unchained = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with pytest.raises(NNMathError, match="Linear layer 2 takes 4 inputs but the layer before gives 2"):
        from_torch(unchained)
    wrong_bn = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(5), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    with pytest.raises(NNMathError, match=r"BatchNorm1d\(5\) follows a Linear layer of 2 outputs"):
        from_torch(wrong_bn)


def test_a_softplus_with_another_threshold_is_refused_not_imported_silently():
    """Found in review: Softplus(threshold=0.5) computes another function than nnmath's softplus."""
    module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softplus(threshold=0.5), torch.nn.Linear(2, 1))
    with pytest.raises(NNMathError, match="threshold"):
        from_torch(module)


def test_an_activation_without_a_pytorch_module_is_refused_by_name():
    """Found in review: a network with a user's own Activation (Network accepts one) reached
    getattr(torch.nn, '') and failed with AttributeError: module 'torch.nn' has no attribute ''."""
    from nnmath.engine.activations import Activation

    cube = Activation("cube", lambda z: z ** 3, lambda z, a: 3 * z ** 2, bound=np.inf)
    with pytest.raises(NNMathError, match="the activation 'cube' has no PyTorch module; to_torch exports sigmoid"):
        to_torch(Network([3, 2, 1], activation=cube))


def test_a_residual_around_a_bare_linear_is_imported():
    """Found in review: Residual(nn.Linear(3, 3)), a^1 = z^1 + a^0, failed with TypeError: 'Linear' object is
    not iterable; it is the residual layer with f(z) = z."""
    module = torch.nn.Sequential(Residual(torch.nn.Linear(3, 3, dtype=torch.float64)),
                                 torch.nn.Linear(3, 1, dtype=torch.float64))
    net = from_torch(module)
    assert net.residual and net.activation_names == ["identity"]
    X = np.random.default_rng(0).standard_normal((4, 3))
    with torch.no_grad():
        np.testing.assert_allclose(net.output(X), module(torch.tensor(X)).numpy(), rtol=0, atol=1e-12)


def _torch_E(loss, output, module, X, y):
    """E of every (loss, output) pair the engine trains, written from its definition in PyTorch."""
    if loss == "cross_entropy":
        return torch_loss(output, module[:-1](torch.tensor(X)), y)  # on the logits
    diff = module(torch.tensor(X)) - torch.tensor(y, dtype=torch.float64).reshape(len(X), -1)  # (1/2m) Σ‖ŷ - y‖²
    return 0.5 * (diff * diff).sum(dim=1).mean()


@pytest.mark.parametrize("loss, output", list(LOSSES))
def test_every_loss_survives_the_round_trip_and_its_gradients_equal_autograd_in_a_deep_network(loss, output):
    """Found in review: from_torch(to_torch(net)) of a sigmoid output trained with squared error came back
    with cross-entropy (the module holds no loss), so its E and ∂E/∂θ were another function's; now
    from_torch takes the loss. Eight hidden layers, every gradient to 1e-12 of the largest."""
    X, y = random_data(output, seed=6)
    net = Network([5] + [6] * 8 + [OUTPUTS[output]], activation="tanh", output=output, loss=loss, init="he", seed=1)
    rng = np.random.default_rng(2)
    for b in net.biases:
        b += rng.normal(0, 0.3, b.shape)
    module = to_torch(net)
    back = from_torch(module, loss=loss)
    assert back.loss is net.loss  # the registry's entry for (loss, output)
    E = _torch_E(loss, output, module, X, y)
    E.backward()
    for candidate in (net, back):
        ours = candidate.gradients(X, y)
        assert ours.loss == pytest.approx(E.item(), rel=1e-12)
        linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
        for l, linear in enumerate(linears):
            for mine, theirs in ((ours.weights[l], linear.weight.grad.numpy().T), (ours.biases[l], linear.bias.grad.numpy())):
                np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12 * np.abs(theirs).max())
    assert from_torch(module).loss.option == ("mse" if output == "identity" else "cross_entropy")  # Network's default
