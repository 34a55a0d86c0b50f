"""The vanishing gradient, measured: gradient_flow, the bound on the ratio between layers, and what
each remedy does to it (asserting what the measurements show; docs/vanishing.md reports them)."""
import numpy as np
import pytest

from nnmath import Network, gradient_flow
from nnmath.diagnostics.flow import spectral_norm


@pytest.fixture(scope="module")
def data():
    """Seeded: 400 Gaussian points in 20 dimensions, 4 classes from a random linear teacher."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 20))
    y = np.argmax(X @ rng.standard_normal((20, 4)), axis=1)
    return X, y


def deep(depth, **kw):
    return Network([20] + [16] * depth + [4], seed=0, **kw)


def test_flow_is_the_norms_of_the_gradients(data):
    """Each number is the norm of the matching gradient, recomputed here from the deltas and activations."""
    X, y = data
    net = deep(3, activation="tanh", init="xavier")
    flow = gradient_flow(net, X, y, samples=100)
    trace = net.forward(X[:100], train=True)
    grads = net.backward(trace, net.encode(y[:100]))
    for l, delta in enumerate(grads.deltas):
        a_prev = trace.activations[l]
        assert flow.bias_norms[l] == pytest.approx(np.linalg.norm(delta.sum(axis=0) / 100), rel=1e-12)
        assert flow.weight_norms[l] == pytest.approx(np.linalg.norm(a_prev.T @ delta / 100), rel=1e-12)
        assert flow.delta_rms[l] == pytest.approx(np.sqrt(np.sum(delta ** 2) / 100), rel=1e-12)
    assert flow.n_samples == 100 and flow.loss == pytest.approx(grads.loss)
    assert flow.ratios[0] == pytest.approx(flow.delta_rms[0] / flow.delta_rms[1])


def test_spectral_norm_is_the_largest_stretch():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((7, 5))
    s = spectral_norm(W)
    assert s == pytest.approx(np.sqrt(np.max(np.linalg.eigvalsh(W @ W.T))))
    x = rng.standard_normal((1000, 7))
    stretch = np.linalg.norm(x @ W, axis=1) / np.linalg.norm(x, axis=1)
    assert stretch.max() <= s * (1 + 1e-12)


@pytest.mark.parametrize("kw", [
    dict(activation="sigmoid", init="normal"), dict(activation="tanh", init="standard_normal"),
    dict(activation="relu", init="he"), dict(activation="softsign", init="uniform"),
    dict(activation="sigmoid", init="normal", batchnorm=True), dict(activation="relu", init="he", batchnorm=True),
    dict(activation="sigmoid", init="xavier", dropout=0.3)])
@pytest.mark.parametrize("train", [True, False])
def test_ratio_never_exceeds_its_bound(data, kw, train):
    """rms δ^l / rms δ^{l+1} <= sup|f'| · c_l · ‖W^{l+1}‖₂ for every layer, any activation, init and mode."""
    X, y = data
    flow = gradient_flow(deep(5, **kw), X, y, train=train)
    assert len(flow.ratios) == len(flow.bounds) == 5
    for ratio, bound in zip(flow.ratios, flow.bounds):
        assert bound is not None and 0 < ratio <= bound * (1 + 1e-12)


def test_deep_sigmoid_gradient_vanishes_below_the_bound(data):
    """The seed's network: sigmoid, W ~ N(0, 1/n_in). S' <= 1/4 and, for a square N(0, 1/n) matrix,
    ‖δ W^T‖ ≈ ‖δ‖ on average (each of the n_in entries of δ W^T has variance ‖δ‖²/n_in, so E‖δ W^T‖² = ‖δ‖²),
    so each layer keeps about S'(z) ≈ 0.2-0.25
    of the error: far below 1, and below the bound 0.25·‖W‖₂ (‖W‖₂ ≈ 2 for a square Gaussian matrix)."""
    X, y = data
    net = deep(8, activation="sigmoid", init="normal")
    flow = gradient_flow(net, X, y)
    hidden = flow.ratios[:7]  # between hidden layers l and l+1
    for l, ratio in enumerate(hidden):
        assert ratio <= 0.25 * spectral_norm(net.weights[l + 1]) == pytest.approx(flow.bounds[l])
        assert ratio < 0.3
    # Eight layers of that: the first hidden layer learns thousands of times slower than the last.
    assert flow.first_to_last("bias_norms") < 1e-3
    assert flow.first_to_last("weight_norms") < 1e-3


def test_relu_with_he_init_keeps_the_gradient_within_an_order_of_magnitude(data):
    X, y = data
    flow = gradient_flow(deep(8, activation="relu", init="he"), X, y)
    for measure in ("bias_norms", "weight_norms", "delta_rms"):
        assert 0.1 < flow.first_to_last(measure) < 10, measure


def test_residual_connections_keep_the_sigmoid_gradient_within_an_order_of_magnitude(data):
    X, y = data
    plain = gradient_flow(deep(8, activation="sigmoid", init="normal"), X, y)
    skip = gradient_flow(deep(8, activation="sigmoid", init="normal", residual=True), X, y)
    for measure in ("bias_norms", "weight_norms"):
        assert 0.1 < skip.first_to_last(measure) < 10, measure
        assert skip.first_to_last(measure) > 100 * plain.first_to_last(measure)
    # Across a skip the error is carried back unshrunk: no shrinking bound applies.
    # Layers 2..8 are residual (layer 1, 20 -> 16, cannot be), so bounds[0..6] (into layers 2..8) are gone.
    assert skip.bounds[:7] == [None] * 7
    assert skip.bounds[7] is not None and skip.ratios[7] <= skip.bounds[7]  # the output layer has no skip


def test_batchnorm_flattens_the_weight_gradient_of_a_deep_sigmoid_net(data):
    """Measured: with BN the first hidden layer's ‖∂E/∂W‖ is within a factor 2 of the last's (without BN,
    below 1e-3). BN divides each δ by the batch σ of z, undoing the shrinking; and ∂E/∂b^l = 0 (BN cancels b)."""
    X, y = data
    bn = gradient_flow(deep(8, activation="sigmoid", init="normal", batchnorm=True), X, y)
    assert 0.5 < bn.first_to_last("weight_norms") < 2
    assert max(bn.bias_norms[:8]) < 1e-12
    assert bn.bias_norms[8] > 0.01  # the output layer has no BN


def test_clipping_leaves_the_vanishing_gradient_as_it_is(data):
    """Clipping rescales every layer's step by the same factor, so first/last stays as small after training."""
    X, y = data
    net = deep(6, activation="sigmoid", init="normal")
    net.fit(X, y, epochs=3, learning_rate=0.5, batch_size=32, clip_norm=0.1, seed=0)
    assert gradient_flow(net, X, y).first_to_last("weight_norms") < 1e-2


def test_clipping_keeps_an_exploding_relu_net_alive(data):
    """relu with W ~ N(0, 1): gradients in the hundreds. Measured: one unclipped step kills every ReLU
    (all gradients become exactly 0, the network predicts one class forever); clipped at 1 it keeps learning."""
    X, y = data
    runs = {}
    for clip in (None, 1.0):
        net = deep(6, activation="relu", init="standard_normal")
        assert min(gradient_flow(net, X, y).weight_norms) > 100
        with np.errstate(over="ignore", invalid="ignore"):
            net.fit(X, y, epochs=3, learning_rate=0.1, batch_size=32, clip_norm=clip, seed=0)
        runs[clip] = gradient_flow(net, X, y)
    assert max(runs[None].weight_norms) == 0.0
    assert min(runs[1.0].weight_norms) > 1.0


def test_gradient_flow_needs_one_label_per_sample():
    from nnmath import NNMathError

    with pytest.raises(NNMathError, match="X has 6 samples but y has 4"):
        gradient_flow(Network([2, 3, 1]), np.ones((6, 2)), [0, 1, 0, 1])


def test_the_lab_takes_a_single_name_as_one_value_and_refuses_loose_settings():
    from nnmath import NNMathError
    from nnmath.lab import vanishing

    configs = vanishing.grid(2, "sigmoid", "normal", "none")  # not the letters s, i, g, ...
    assert [(c.depth, c.activation, c.init, c.remedy) for c in configs] == [(2, "sigmoid", "normal", "none")]
    assert vanishing.grid([2.0], ["tanh"], ["he"], ["none"])[0].depth == 2  # as Network takes a size of 2.0
    with pytest.raises(NNMathError, match="depths must be whole numbers"):
        vanishing.grid([2.5], ["tanh"], ["he"], ["none"])
    for kwargs, message in [({"n_jobs": "2"}, "n_jobs must be a whole number"),
                            ({"settings": {"epochs": 1}}, "settings must be a vanishing.Settings"),
                            ({"settings": vanishing.Settings(batch_size="32")}, "batch_size must be a whole number")]:
        with pytest.raises(NNMathError, match=message):
            vanishing.run("moons", depths=[1], activations=["sigmoid"], **kwargs)
    X, y = np.ones((6, 2)), [0, 1] * 3
    for samples in (1.5, True, -1):
        with pytest.raises(NNMathError, match="samples must be a whole number of at least 1"):
            gradient_flow(Network([2, 3, 1]), X, y, samples=samples)
    with pytest.raises(NNMathError, match="measure must be"):
        gradient_flow(Network([2, 3, 1]), X, y).first_to_last("nope")


def test_the_grid_table_caption_is_plain_unicode():
    """The caption under `nnmath vanishing`'s table printed LaTeX: rms δ^l / rms δ^{l+1}, ‖W^{l+1}‖₂."""
    import io

    from rich.console import Console

    from nnmath.lab import vanishing
    from nnmath.lab.tables import print_experiment

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 5)), rng.integers(0, 3, 60)
    data = vanishing.PreparedData("toy", X[:40], y[:40], X[40:], y[40:])
    experiment = vanishing.run(data, [2], ["sigmoid"], ["normal"], ["none"], n_jobs=1,
                               settings=vanishing.Settings(width=4, epochs=1, probe=20))
    out = io.StringIO()
    print_experiment(experiment, console=Console(file=out, width=200))
    caption = " ".join(out.getvalue().split("D: hidden layers")[1].split())  # rich wraps it
    assert "{" not in caption and "^" not in caption
    assert "ρ_l = rms δˡ / rms δˡ⁺¹" in caption and "sup|f'|·‖Wˡ⁺¹‖₂" in caption
