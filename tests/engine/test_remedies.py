"""The remedies for the vanishing gradient (batch normalisation, residual connections, clipping)
against finite differences and against PyTorch in float64, built layer by layer by hand here."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nnmath
from nnmath import Network, check_gradients
from nnmath.engine.step import _clip

TORCH_ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                     "softsign": F.softsign, "leaky_relu": F.leaky_relu}


def make_net(activation, batchnorm, residual, seed=0, sizes=(5, 6, 6, 6, 3)):
    """A network whose γ, β and running statistics are random, so no term of BN is trivially 1 or 0."""
    net = Network(list(sizes), activation=activation, batchnorm=batchnorm, residual=residual, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for layer in net.layers:
        layer.b[...] = rng.normal(0, 0.3, layer.b.shape)
        if layer.bn is not None:
            n = layer.n_out
            layer.bn.gamma[...] = rng.uniform(0.5, 1.5, n)
            layer.bn.beta[...] = rng.normal(0, 0.3, n)
            layer.bn.running_mean[...] = rng.normal(0, 0.5, n)
            layer.bn.running_var[...] = rng.uniform(0.5, 2.0, n)
    return net


def data(seed=1, m=12, n_in=5, classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n_in))
    y = np.arange(m) % classes  # every class present
    return X, y


def torch_gradients(net, X, y, train):
    """E and every ∂E/∂θ, in net.parameters() order, from a torch model built by hand from ``net``.

    Returns also the BatchNorm1d modules, whose running statistics torch updates in training mode.
    """
    x = torch.tensor(X, dtype=torch.float64)
    params, bns = [], []
    a = x
    for l, layer in enumerate(net.layers):
        linear = torch.nn.Linear(layer.n_in, layer.n_out).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.W.T))  # torch stores W^T: out x in
            linear.bias.copy_(torch.tensor(layer.b))
        params += [linear.weight, linear.bias]
        z = linear(a)
        if l == len(net.layers) - 1:
            a = z  # the logits; softmax is inside F.cross_entropy
            break
        u = z
        if layer.bn is not None:
            bn = torch.nn.BatchNorm1d(layer.n_out, eps=layer.bn.eps, momentum=layer.bn.momentum).double()
            with torch.no_grad():
                bn.weight.copy_(torch.tensor(layer.bn.gamma))
                bn.bias.copy_(torch.tensor(layer.bn.beta))
                bn.running_mean.copy_(torch.tensor(layer.bn.running_mean))
                bn.running_var.copy_(torch.tensor(layer.bn.running_var))
            bn.train(train)
            u = bn(z)
            params += [bn.weight, bn.bias]
            bns.append(bn)
        h = TORCH_ACTIVATIONS[layer.f.name](u)
        a = h + a if layer.residual else h
    E = F.cross_entropy(a, torch.tensor(y))
    E.backward()
    grads = []
    for p in params:
        g = p.grad.numpy()
        grads.append(g.T.copy() if g.ndim == 2 else g)  # back to W's (n_in, n_out)
    return float(E.detach()), grads, bns


def relative_error(ours, theirs):
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


def cancelled_by_batchnorm(net, name, train):
    """b^l of a hidden BN layer in training mode: its true gradient is exactly 0 (see the test below),
    so both sides hold rounding noise (~1e-17) and only an absolute comparison means anything."""
    if not (train and name.startswith("b") and name[1:].isdigit()):
        return False
    return net.layers[int(name[1:]) - 1].bn is not None


CASES = [("sigmoid", True, False), ("sigmoid", False, True), ("sigmoid", True, True),
         ("tanh", True, True), ("relu", True, True), ("softsign", False, True), ("leaky_relu", True, False)]


@pytest.mark.parametrize("activation,batchnorm,residual", CASES)
@pytest.mark.parametrize("train", [True, False])
def test_remedies_match_torch_float64(activation, batchnorm, residual, train):
    net = make_net(activation, batchnorm, residual)
    X, y = data()
    ours = net.gradients(X, y, train=train)
    E, theirs, _ = torch_gradients(net, X, y, train)
    assert ours.loss == pytest.approx(E, rel=1e-12)
    names = net.parameter_names()
    assert len(theirs) == len(names) == len(ours.parameters())
    if batchnorm:
        assert any(n.startswith("gamma") for n in names)
    for name, g, t in zip(names, ours.parameters(), theirs):
        assert g.shape == t.shape, name
        if cancelled_by_batchnorm(net, name, train):
            assert np.max(np.abs(g)) < 1e-14 and np.max(np.abs(t)) < 1e-14, name
        else:
            assert relative_error(g, t) < 1e-9, name


@pytest.mark.parametrize("activation,batchnorm,residual", CASES[:4])
@pytest.mark.parametrize("train", [True, False])
def test_remedies_pass_finite_differences(activation, batchnorm, residual, train):
    net = make_net(activation, batchnorm, residual)
    X, y = data()
    check = check_gradients(net, X, y, train=train, tolerance=1e-6)
    assert len(check.rows) == len(net.parameters())
    for row in check.rows:
        if cancelled_by_batchnorm(net, row.name, train):
            assert row.max_abs_error < 1e-9, row  # finite differences of a flat direction: noise only
        else:
            assert row.relative_error < 1e-6, row


def test_training_and_inference_modes_differ_with_batchnorm():
    """Batch statistics and running statistics give different gradients (else a test of one proves the other)."""
    net = make_net("sigmoid", True, False)
    X, y = data()
    g_train = net.gradients(X, y, train=True).weights[0]
    g_eval = net.gradients(X, y, train=False).weights[0]
    assert relative_error(g_train, g_eval) > 1e-2


def test_running_statistics_follow_torch():
    """After one training-mode step torch's BatchNorm1d running mean and (unbiased) variance equal ours."""
    net = make_net("tanh", True, False)
    X, y = data(m=9)
    trace = net.forward(net.check_X(X), train=True)
    for layer, t in zip(net.layers, trace.layers):
        if layer.bn is not None:
            layer.bn.update_running_statistics(t.bn, len(X))
    before = make_net("tanh", True, False)  # the same random start, not yet updated
    _, _, bns = torch_gradients(before, X, y, train=True)
    ours = [layer.bn for layer in net.layers if layer.bn is not None]
    assert len(bns) == len(ours) == 3
    for bn, mine in zip(bns, ours):
        np.testing.assert_allclose(mine.running_mean, bn.running_mean.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(mine.running_var, bn.running_var.numpy(), rtol=1e-12, atol=1e-14)


def test_batchnorm_makes_the_bias_gradient_zero_in_training_mode():
    """BN subtracts the batch mean of z, so b^l (added before it) cancels: ∂E/∂b^l = 0 in every hidden layer."""
    net = make_net("sigmoid", True, False)
    X, y = data()
    grads = net.gradients(X, y, train=True)
    for g in grads.biases[:-1]:
        assert np.max(np.abs(g)) < 1e-12
    assert np.max(np.abs(grads.biases[-1])) > 1e-3  # the output layer has no BN


def test_clip_rescales_the_global_norm_and_keeps_directions():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 3)) * 10, rng.normal(size=3) * 10]
    original = [g.copy() for g in grads]
    norm = np.sqrt(sum(np.sum(g * g) for g in original))
    _clip(grads, 1.0)
    assert np.sqrt(sum(np.sum(g * g) for g in grads)) == pytest.approx(1.0)
    for g, o in zip(grads, original):
        np.testing.assert_allclose(g, o / norm)
    small = [np.full(3, 0.1)]
    _clip(small, 1.0)
    np.testing.assert_array_equal(small[0], np.full(3, 0.1))  # below the threshold: untouched


def test_batch_normalisation_never_trains_on_a_batch_of_one():
    # one row has variance 0: its δ would be 0 and the running variance pulled to 0
    X = np.random.default_rng(0).standard_normal((65, 5))  # 65 = 2 x 32 + 1
    y = (X[:, 0] > 0).astype(int)
    net = nnmath.Network([5, 8, 1], seed=0, batchnorm=True)
    before = net.layers[0].bn.running_var.copy()
    with pytest.raises(nnmath.NNMathError, match="at least 2 samples in a batch"):
        net.fit(X, y, epochs=1, batch_size=1)
    assert np.array_equal(net.layers[0].bn.running_var, before) and net.classes_ is None
    with pytest.raises(nnmath.NNMathError, match="needs at least 2 samples in a batch"):
        net.gradients(X[:1], y[:1], train=True)
    # the 65th row joins the second batch (33 rows): two steps, and running statistics near the data's
    net.fit(X, y, epochs=30, batch_size=32, shuffle=False, learning_rate=0.01)
    z = X @ net.layers[0].W + net.layers[0].b
    np.testing.assert_allclose(net.layers[0].bn.running_var, z.var(axis=0), rtol=0.25)


def test_clipping_a_float32_gradient_whose_norm_squared_overflows_keeps_its_direction():
    """Found in review: ‖g‖² added in float32 overflowed to ∞ and c/∞ = 0 zeroed the whole step."""
    g = np.full(4, 1e19, np.float32)
    _clip([g], 1.0)
    np.testing.assert_allclose(g, np.full(4, 0.5, np.float32), rtol=1e-6)
