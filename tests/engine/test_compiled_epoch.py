"""The compiled epoch trains exactly as the NumPy engine and as PyTorch, in both its forms.

fit takes it for plain networks (compiled_epoch.applies): the loops (engine/compiled/loops.py) where
the products are small, the blas steps (engine/compiled/blas_epoch.py) where one is larger.
``numpy_engine`` switches fit's engine= to "numpy", so each test can train the same network both
ways and compare every number fit records; ``compiled_form`` runs a test once with each form.
"""
import copy

import numpy as np
import pytest
import torch

import nnmath
from nnmath import TrainingDiverged
from nnmath.engine.compiled import epoch as compiled_epoch
from nnmath.engine import optimizers
from nnmath.engine.activations import ACTIVATIONS
from nnmath.engine.losses import LOSSES
from nnmath.errors import NNMathError


class EngineSwitch:
    """Each fit of a test passes ``engine=numpy_engine.name``: "auto" (which takes the compiled
    loops for these small networks) until the test calls ``numpy_engine()``, then "numpy"."""

    name = "auto"

    def __call__(self):
        self.name = "numpy"


@pytest.fixture
def numpy_engine():
    return EngineSwitch()


@pytest.fixture
def compiled_calls(monkeypatch):
    """How many epochs went through the compiled loops."""
    calls = []
    run = compiled_epoch.run
    monkeypatch.setattr(compiled_epoch, "run", lambda *a, **k: calls.append(1) or run(*a, **k))
    return calls


@pytest.fixture(params=["loops", "blas steps"])
def compiled_form(request, monkeypatch):
    """Every network of the test takes this form of the compiled epoch (the line moved past its products)."""
    monkeypatch.setattr(compiled_epoch, "LARGEST_PRODUCT", 1 << 62 if request.param == "loops" else -1)
    return request.param


def data(kind, n, n_in, n_out, rng):
    X = rng.standard_normal((n, n_in))
    if kind == "regression":
        return X, X[:, :n_out] * 2 + 1
    if kind == "multilabel":
        return X, (rng.random((n, n_out)) < 0.5).astype(int)
    return X, rng.integers(0, max(2, n_out), n)


CASES = [  # sizes, hidden activation, output, loss, kind
    ([30, 16, 1], "sigmoid", None, None, "binary"),  # the seed's network
    ([6, 8, 7, 4], "tanh", None, None, "multiclass"),
    ([5, 9, 3], "relu", "sigmoid", None, "multilabel"),
    ([4, 6, 2], "leaky_relu", "identity", None, "regression"),
    ([4, 6, 6, 2], "softsign", "identity", None, "regression"),
    ([3, 5, 1], "sigmoid", "sigmoid", "mse", "binary"),  # δ^L keeps S'(z^L): the loss does not cancel it
    ([3, 4, 2], "identity", None, None, "multiclass"),
]


@pytest.mark.parametrize("sizes,activation,output,loss,kind", CASES)
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("options", [
    dict(batch_size=16),  # 100 rows: six full batches and a last one of 4
    dict(batch_size=7, shuffle=False, validation_split=0.2),
    dict(batch_size=None),  # full batch, as in the seed
])
def test_the_compiled_epoch_records_and_learns_what_the_numpy_engine_does(
        sizes, activation, output, loss, kind, dtype, rtol, options, numpy_engine, compiled_calls, compiled_form):
    X, y = data(kind, 100, sizes[0], sizes[-1], np.random.default_rng(1))
    X = X.astype(dtype)

    def train():
        net = nnmath.Network(sizes, activation=activation, output=output, loss=loss, seed=0, dtype=dtype)
        assert compiled_epoch.form(net, options["batch_size"] or 100) == compiled_form
        return net, net.fit(X, y, epochs=3, learning_rate=0.3, seed=5, **options, engine=numpy_engine.name)

    compiled, h_compiled = train()
    assert len(compiled_calls) == 3, "fit did not take the compiled epoch"
    numpy_engine()
    engine, h_engine = train()
    assert len(compiled_calls) == 3, "the NumPy engine's fit went through the compiled loops"
    for key in ("loss", "val_loss", "accuracy", "val_accuracy", "grad_norms", "delta_norms"):
        mine, theirs = getattr(h_compiled, key), getattr(h_engine, key)
        if theirs[0] is None:
            assert mine == theirs, key
        else:
            np.testing.assert_allclose(mine, theirs, rtol=rtol, err_msg=key)
    np.testing.assert_allclose(compiled.theta, engine.theta, rtol=rtol, atol=rtol * 1e-2)
    assert compiled.theta.dtype == dtype
    assert np.shares_memory(compiled.weights[0], compiled.theta)  # W¹ is still a view of θ


@pytest.mark.parametrize("make,expected", [  # (network, optimizer, fit options), takes it
    (lambda: (nnmath.Network([30, 16, 1]), "sgd", {}), True),
    (lambda: (nnmath.Network([30, 16, 1], batchnorm=True), "sgd", {}), False),
    (lambda: (nnmath.Network([30, 16, 1], dropout=0.2), "sgd", {}), False),
    (lambda: (nnmath.Network([16, 16, 16, 1], residual=True), "sgd", {}), False),
    (lambda: (nnmath.Network([30, 16, 1]), "momentum", {}), True),
    (lambda: (nnmath.Network([30, 16, 1]), "adam", {"weight_decay": 1e-3, "clip_norm": 1.0}), True),
    (lambda: (nnmath.Network([30, 16, 1]), type("MySGD", (optimizers.SGD,), {})(), {}), False),  # may step otherwise
    (lambda: (nnmath.Network([784, 256, 128, 10]), "sgd", {}), True),  # MNIST-sized: the blas steps
])
def test_only_plain_networks_take_the_compiled_epoch(make, expected, compiled_calls):
    net, optimizer, options = make()
    opt = optimizers.get(optimizer)
    assert compiled_epoch.applies(net, opt) is expected
    rng = np.random.default_rng(0)
    net.fit(rng.standard_normal((64, net.sizes[0])), rng.integers(0, max(2, net.sizes[-1]), 64), epochs=1,
            batch_size=32, optimizer=opt, **options)
    assert (len(compiled_calls) == 1) is expected  # and fit does as applies says, with these options


@pytest.mark.parametrize("optimizer", list(optimizers.OPTIMIZERS))  # the registry: a new optimizer is under test
@pytest.mark.parametrize("extras", [{}, {"weight_decay": 0.01}, {"clip_norm": 0.05},
                                    {"weight_decay": 0.01, "clip_norm": 0.6}])  # 0.6: some steps clipped, some not
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_every_optimizer_with_weight_decay_and_clipping_steps_as_in_the_numpy_engine(
        optimizer, extras, dtype, rtol, numpy_engine, compiled_calls, compiled_form):
    """The optimizer's state carries over between fits (the second fit continues the first's
    velocity or moments and Adam's step count), on both paths alike."""
    r = np.random.default_rng(2)
    X, y = r.standard_normal((90, 5)).astype(dtype), r.integers(0, 3, 90)

    def train():
        net = nnmath.Network([5, 7, 3], activation="tanh", seed=0, dtype=dtype)
        opt = optimizers.get(optimizer)
        first = net.fit(X, y, epochs=2, learning_rate=0.05, batch_size=16, optimizer=opt, seed=1, **extras,
                        engine=numpy_engine.name)
        second = net.fit(X, y, epochs=2, learning_rate=0.05, batch_size=16, optimizer=opt, seed=2, **extras,
                         engine=numpy_engine.name)
        return net, opt, first.loss + second.loss, first.grad_norms + second.grad_norms

    compiled, opt_c, loss_c, norms_c = train()
    assert len(compiled_calls) == 4
    numpy_engine()
    engine, opt_e, loss_e, norms_e = train()
    np.testing.assert_allclose(loss_c, loss_e, rtol=rtol)
    np.testing.assert_allclose(norms_c, norms_e, rtol=rtol)
    np.testing.assert_allclose(compiled.theta, engine.theta, rtol=rtol, atol=rtol * 1e-2)
    for name in ("velocity", "m", "s"):
        if getattr(opt_e, name, None) is not None:
            np.testing.assert_allclose(getattr(opt_c, name)[0], getattr(opt_e, name)[0], rtol=rtol, atol=rtol * 1e-2)
    assert getattr(opt_c, "t", 0) == getattr(opt_e, "t", 0) == (24 if optimizer == "adam" else 0)  # 4 epochs x 6 steps


def test_the_decay_and_clipping_case_clips_some_steps_and_not_others(monkeypatch, numpy_engine):
    """The premise of the case above: with clip_norm 0.6 the whole gradient's norm (decay
    included) lies above it at some steps and below at others, so both branches are compared."""
    import math

    from nnmath.engine import step as training  # the step clips

    numpy_engine()
    norms, clip = [], training._clip
    monkeypatch.setattr(training, "_clip", lambda g, c: norms.append(math.sqrt(float(np.vdot(g[0], g[0])))) or clip(g, c))
    r = np.random.default_rng(2)
    X, y = r.standard_normal((90, 5)), r.integers(0, 3, 90)
    for optimizer in ("sgd", "momentum", "nesterov", "adam"):
        norms.clear()
        net = nnmath.Network([5, 7, 3], activation="tanh", seed=0)
        net.fit(X, y, epochs=2, learning_rate=0.05, batch_size=16, optimizer=optimizer, seed=1,
                weight_decay=0.01, clip_norm=0.6, engine=numpy_engine.name)
        assert min(norms) < 0.6 < max(norms), optimizer


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("used", [False, True])
def test_a_diverging_fit_gives_back_the_optimizer_as_the_epoch_found_it_on_both_paths(
        optimizer, used, numpy_engine, compiled_form):
    """The epoch that diverged is undone, the optimizer's state with the weights: a fresh
    optimizer has no state again, a used one its velocity or moments and Adam's count from
    before that epoch, bit for bit, on both paths."""
    r = np.random.default_rng(0)
    X, y = r.standard_normal((64, 2)) * 100, r.standard_normal(64) * 100

    def diverge():
        net = nnmath.Network([2, 4, 1], activation="relu", output="identity", seed=0)
        opt = optimizers.get(optimizer)
        if used:
            net.fit(X, y, epochs=2, learning_rate=1e-6, batch_size=8, optimizer=opt, engine=numpy_engine.name)
        before = {name: copy.deepcopy(getattr(opt, name)) for name in ("velocity", "m", "s", "t") if hasattr(opt, name)}
        with pytest.raises(TrainingDiverged):
            # Adam's step is about α whatever the gradient: α = 1e200 overflows within the epoch
            net.fit(X, y, epochs=50, learning_rate=1e3 if optimizer == "momentum" else 1e200, batch_size=8,
                    optimizer=opt, engine=numpy_engine.name)
        for name, value in before.items():
            after = getattr(opt, name)
            assert (after is None) == (value is None) == (not used and name != "t"), name
            if value is not None and name != "t":
                assert all(np.array_equal(a, b) for a, b in zip(after, value)), name
            elif name == "t":
                assert after == value
        return opt

    compiled = diverge()
    numpy_engine()
    engine = diverge()
    assert getattr(compiled, "t", 0) == getattr(engine, "t", 0)


def test_an_optimizer_changed_on_the_object_steps_as_it_says(compiled_calls, numpy_engine):
    """Momentum() with nesterov set on the object takes Nesterov steps on both paths; an object
    whose step was replaced trains with the NumPy engine, which calls it."""
    r = np.random.default_rng(1)
    X, y = r.standard_normal((40, 3)), r.integers(0, 2, 40)

    def train():
        opt = optimizers.Momentum()
        opt.nesterov = True
        net = nnmath.Network([3, 4, 1], seed=0)
        net.fit(X, y, epochs=2, learning_rate=0.1, batch_size=8, optimizer=opt, engine=numpy_engine.name)
        return net.theta.copy()

    compiled = train()
    assert len(compiled_calls) == 2
    numpy_engine()
    np.testing.assert_allclose(compiled, train(), rtol=1e-10)
    sgd, calls = optimizers.SGD(), []
    sgd.step = lambda params, grads, lr: calls.append(lr)
    assert not compiled_epoch.applies(nnmath.Network([3, 4, 1]), sgd)


def test_a_mismatched_adam_state_is_refused_not_read_past_its_end():
    from nnmath import NNMathError

    net = nnmath.Network([3, 4, 1], seed=0)
    opt = optimizers.Adam()
    opt.m, opt.s = [np.zeros_like(net.theta)], [np.zeros(3)]
    with pytest.raises(NNMathError, match="state was made for other arrays"):
        net.fit(np.eye(3), [0, 1, 1], epochs=1, optimizer=opt)


@pytest.mark.parametrize("options", [dict(beta1=1.0), dict(beta2=-0.1), dict(eps=-1.0), dict(beta1="0.9")])
def test_adam_refuses_hyperparameters_outside_their_range(options):
    from nnmath import NNMathError

    with pytest.raises(NNMathError, match="Adam's"):
        optimizers.Adam(**options)


def test_the_line_is_drawn_at_the_largest_product_of_a_step():
    """B n_{l-1} n_l multiply-adds: the same network takes the loops at batch 256 and the blas steps at 257."""
    net, sgd = nnmath.Network([64, 64, 10]), optimizers.get("sgd")
    assert compiled_epoch.LARGEST_PRODUCT == 256 * 64 * 64
    assert compiled_epoch.applies(net, sgd)  # at either batch size: the size picks only the form
    assert compiled_epoch.form(net, 256) == "loops"
    assert compiled_epoch.form(net, 257) == "blas steps"


def test_the_compiled_epoch_keeps_blas_on_one_thread_and_gives_the_threads_back(monkeypatch):
    """Numba's products run on SciPy's BLAS: one thread while the epoch runs (so it never wakes a
    second pool against NumPy's), the user's setting again afterwards."""
    from threadpoolctl import threadpool_info

    import contextlib

    seen = []
    one_thread = compiled_epoch.blas_on_one_thread

    @contextlib.contextmanager
    def spy():
        with one_thread():
            seen.append([lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"])
            yield

    compiled_epoch._blas_libraries()  # SciPy's BLAS loaded, so that both libraries are counted
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    monkeypatch.setattr(compiled_epoch, "blas_on_one_thread", spy)
    nnmath.Network([3, 4, 1], seed=0).fit(np.eye(3), [0, 1, 1], epochs=2)
    assert seen and all(threads and set(threads) == {1} for threads in seen)
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before


def test_a_custom_activation_takes_the_numpy_engine(compiled_calls):
    from nnmath.engine.activations import Activation

    cube = Activation("sigmoid", lambda z: z ** 3, lambda z, a: 3 * z ** 2, 1.0, "z^3", "3z^2")  # a name it does not own
    net = nnmath.Network([2, 3, 1], activation=[cube], output="identity", seed=0)
    net.fit(np.ones((4, 2)), np.ones(4), epochs=1)
    assert compiled_calls == []


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_diverging_compiled_fit_stops_where_the_numpy_engine_does(dtype, numpy_engine, compiled_form):
    """The step whose gradient is not finite is not taken, the epoch's start is restored, and the
    error names the same epoch. In float32 that includes ‖∂E/∂W‖² overflowing the float32 range
    (‖g‖ > 1.8e19), where the engine's np.vdot gives ∞."""
    r = np.random.default_rng(3)
    if dtype == np.float64:
        X, y = r.standard_normal((64, 2)) * 100, r.standard_normal(64) * 100
        make, lr = (lambda: nnmath.Network([2, 4, 1], activation="relu", output="identity", seed=0)), 1e3
    else:  # a linear stack whose gradient grows past 1.8e19 before any number is ∞
        X, y = (r.standard_normal((37, 4)) * 3).astype(np.float32), r.integers(0, 2, 37)
        make, lr = (lambda: nnmath.Network([4, 5, 3, 1], activation="identity", seed=3, dtype=np.float32)), 3.0

    def diverge():
        net = make()
        net.fit(X, y, epochs=1, learning_rate=1e-9, batch_size=8, engine=numpy_engine.name)
        before = net.theta.copy()
        with pytest.raises(TrainingDiverged) as info:
            net.fit(X, y, epochs=50, learning_rate=lr, batch_size=8, seed=3, engine=numpy_engine.name)
        assert np.all(np.isfinite(net.theta))
        return info.value.epoch, len(net.history_), before, net.theta.copy()

    epoch, recorded, before, after = diverge()
    numpy_engine()
    assert diverge()[:2] == (epoch, recorded)
    if epoch == 1:
        np.testing.assert_array_equal(before, after)


def test_softmax_in_a_hidden_layer_is_refused_as_by_the_numpy_engine(compiled_calls):
    from nnmath import NNMathError
    from nnmath.engine import activations

    net = nnmath.Network([3, 4, 1], activation=[activations.SOFTMAX], seed=0)
    assert not compiled_epoch.applies(net, optimizers.get("sgd"))
    with pytest.raises(NNMathError, match="softmax is only used as the output"):
        net.fit(np.eye(3), [0, 1, 1], epochs=1)
    assert compiled_calls == []


def test_an_unpickled_network_still_takes_the_compiled_epoch(compiled_calls):
    import pickle

    net = pickle.loads(pickle.dumps(nnmath.Network([3, 4, 1], activation="tanh", seed=0)))
    assert compiled_epoch.applies(net, optimizers.get("sgd"))
    net.fit(np.eye(3), [0, 1, 1], epochs=2)
    assert len(compiled_calls) == 2


def test_a_loss_of_ones_own_under_a_built_in_name_takes_the_numpy_engine(compiled_calls):
    from nnmath.engine import losses

    net = nnmath.Network([3, 4, 1], output="identity", seed=0)
    net.loss = losses.Loss("mean_squared_error", lambda z, y_hat, y: float(np.abs(y_hat - y).mean()), True)
    history = net.fit(np.eye(3), [0.0, 1.0, 2.0], epochs=1)
    assert compiled_calls == []
    assert history.loss[0] == pytest.approx(np.abs(net.output(np.eye(3))[:, 0] - [0, 1, 2]).mean(), rel=0.5)


def test_without_a_writable_cache_fit_trains_with_the_numpy_engine():
    """Where Numba cannot keep compiled code (a read-only install with no user cache folder),
    importing the loops fails; fit must then train with the NumPy engine, not fail."""
    import subprocess
    import sys

    script = (
        "import numba.core.caching as caching\n"
        "def read_only(self): raise PermissionError('read-only')\n"
        "caching._CacheLocator.ensure_cache_path = read_only\n"
        "import numpy as np, nnmath\n"
        "from nnmath.engine import optimizers\n"
        "from nnmath.engine.compiled import epoch as compiled_epoch\n"
        "net = nnmath.Network([3, 4, 1], seed=0)\n"
        "assert not compiled_epoch.applies(net, optimizers.get('sgd'))\n"
        "h = net.fit(np.eye(3), [0, 1, 1], epochs=3, learning_rate=0.5)\n"
        "print(len(h.loss), h.loss[-1] < h.loss[0])\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "True"]


def test_fits_in_two_threads_give_blas_its_threads_back_when_the_last_one_ends(monkeypatch):
    """Two fits overlap in time: the first to start sets one thread, the last to end restores
    (each restoring what it found would leave one thread for good). The BLAS is a stand-in that
    records the calls: OpenBLAS itself ignores a thread count set from a second thread once the
    main thread has set and restored one, so real counts cannot show the order here."""
    import threading

    calls = []

    class Limiter:
        def restore_original_limits(self):
            calls.append("restore")

    class Libraries:
        def limit(self, limits):
            calls.append(f"limit {limits}")
            return Limiter()

    monkeypatch.setattr(compiled_epoch, "_blas_libraries", Libraries)
    first_in, second_done = threading.Event(), threading.Event()
    inside = []

    def first():
        def wait_for_the_second(epoch, record):
            first_in.set()
            second_done.wait(timeout=30)
            inside.append(list(calls))
            return True
        nnmath.Network([3, 4, 1], seed=0).fit(np.eye(3), [0, 1, 1], epochs=5, callback=wait_for_the_second)

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(timeout=30)
    nnmath.Network([3, 4, 1], seed=1).fit(np.eye(3), [0, 1, 1], epochs=2)  # starts and ends inside the first
    second_done.set()
    thread.join(timeout=30)
    assert inside == [["limit 1"]], "the second fit's end gave the threads back while the first still ran"
    assert calls == ["limit 1", "restore"]



@pytest.mark.parametrize("sizes", [[30, 16, 1], [4, 5, 3]])
def test_compiled_mini_batch_steps_land_on_pytorchs_weights(sizes, compiled_calls, compiled_form):
    """Two epochs of mini-batch SGD in order (batches of 16 over 50 rows, the last of 2) against
    torch.optim.SGD on the same batches, in float64."""
    r = np.random.default_rng(0)
    X, y = r.standard_normal((50, sizes[0])), r.integers(0, max(2, sizes[-1]), 50)
    net = nnmath.Network(sizes, seed=1)
    Ws = [torch.tensor(W.copy(), requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b.copy(), requires_grad=True) for b in net.biases]
    opt = torch.optim.SGD(Ws + bs, lr=0.5)
    Xt = torch.tensor(X)
    yt = torch.tensor(y, dtype=torch.float64).reshape(-1, 1) if sizes[-1] == 1 else torch.tensor(y)
    for _ in range(2):
        for start in range(0, 50, 16):
            opt.zero_grad()
            z = torch.sigmoid(Xt[start:start + 16] @ Ws[0] + bs[0]) @ Ws[1] + bs[1]
            target = yt[start:start + 16]
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(z, target) if sizes[-1] == 1
                    else torch.nn.functional.cross_entropy(z, target))
            loss.backward()
            opt.step()
    net.fit(X, y, epochs=2, learning_rate=0.5, batch_size=16, shuffle=False)
    assert len(compiled_calls) == 2
    for mine, theirs in zip(net.weights + net.biases, Ws + bs):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))  # the registry: a new activation is under test
@pytest.mark.parametrize("head", list(LOSSES))  # every (loss, output) pair of the loss registry
def test_every_registered_activation_and_loss_train_alike_on_both_engines(name, head, compiled_form):
    """engine="compiled" runs the loops' branch for the entry's code and must record what the NumPy
    engine records; an entry without a code is refused by engine="compiled" and trained by "auto"."""
    loss, output = head
    r = np.random.default_rng(4)
    n_out = 3 if output == "softmax" else 2
    X = r.standard_normal((40, 4))
    y = X[:, :n_out] if output == "identity" else (r.integers(0, 3, 40) if output == "softmax"
                                                     else (r.random((40, n_out)) < 0.5).astype(int))

    def train(engine):
        net = nnmath.Network([4, 6, 5, n_out], activation=name, output=output, loss=loss, seed=0)
        return net, net.fit(X, y, epochs=2, learning_rate=0.2, batch_size=8, seed=1, engine=engine)

    fast = "compiled"
    if ACTIVATIONS[name].code is None:
        with pytest.raises(NNMathError, match="has no compiled code"):
            train("compiled")
        fast = "auto"
    net_fast, h_fast = train(fast)
    net_ref, h_ref = train("numpy")
    np.testing.assert_allclose(h_fast.loss, h_ref.loss, rtol=1e-10)
    np.testing.assert_allclose(h_fast.grad_norms, h_ref.grad_norms, rtol=1e-10)
    np.testing.assert_allclose(net_fast.theta, net_ref.theta, rtol=1e-10, atol=1e-12)


def test_an_unknown_engine_is_refused_before_any_work():
    net = nnmath.Network([2, 3, 1], seed=0)
    before = net.theta.copy()
    with pytest.raises(NNMathError, match="engine must be one of auto, numpy, compiled"):
        net.fit(np.eye(2), [0, 1], engine="fast")
    np.testing.assert_array_equal(net.theta, before)


@pytest.mark.parametrize("form", ["loops", "blas_epoch"])
@pytest.mark.parametrize("codes,loss,message", [([99, 1], 0, "activation code"), ([1, 1], 99, "loss code")])
def test_both_forms_refuse_a_code_they_have_no_branch_for(form, codes, loss, message):
    import importlib

    steps_of = importlib.import_module(f"nnmath.engine.compiled.{form}")
    net = nnmath.Network([2, 3, 1], seed=0)
    theta = net.flat_parameters()
    before = theta.copy()
    sizes, bad_codes = np.array(net.sizes, dtype=np.int64), np.array(codes, dtype=np.int64)
    X, Y = np.eye(2), np.array([[0.0], [1.0]])
    with pytest.raises(ValueError, match=f"no branch for this {message}"):
        steps_of.epoch(theta, np.empty_like(theta), sizes, bad_codes, loss, True, 0, X, Y, np.arange(2), 2, 0.1,
                       np.zeros(2), np.zeros(2), 0, np.zeros(1), np.empty(0), np.empty(0), 0, 0.0, 0.0)
    np.testing.assert_array_equal(theta, before)


def test_a_loss_the_registry_pairs_with_another_output_takes_the_numpy_engine(compiled_calls, compiled_form):
    """The compiled E of cross-entropy assumes its own output (the categorical one reads the softmax's ŷ):
    a sigmoid-output network given the softmax's loss trains with the NumPy engine, and records its E."""
    r = np.random.default_rng(0)
    X, y = r.standard_normal((40, 3)), (r.random((40, 2)) < 0.5).astype(int)
    net = nnmath.Network([3, 4, 2], output="sigmoid", seed=0)
    net.loss = LOSSES[("cross_entropy", "softmax")]
    assert "not the one the registry pairs with a sigmoid output" in compiled_epoch.unsupported(net, optimizers.get("sgd"))
    history = net.fit(X, y, epochs=2, learning_rate=0.1, batch_size=8, seed=1)
    assert compiled_calls == []
    out = net.forward(X).layers[-1]
    assert history.loss[-1] == pytest.approx(net.loss.value(out.z, out.a, net.encode(y)), rel=0.2)
    with pytest.raises(NNMathError, match="not the one the registry pairs"):
        net.fit(X, y, epochs=1, engine="compiled")
