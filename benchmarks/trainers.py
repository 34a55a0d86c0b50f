r"""The three tools, each training the same network on the same data with the same settings.

Shared settings, copied from the peer measurement (shared/tools/peers_throughput.py) so the
numbers compare: plain SGD θ ← θ - α ∂E/∂θ with α = ``lr``, no momentum, no weight decay, no
early stopping, **no shuffling** (batches are taken in order), sigmoid hidden layers, and
cross-entropy on a softmax output (several classes) or on one sigmoid output (two classes).

Each ``train_*`` function returns the wall-clock seconds of the training loop alone (building
the model and converting the data are outside the timer) and, measured after the timer, the
trained network's mean cross-entropy E on the training data: equal work should give similar E.
"""
from __future__ import annotations

import time
import warnings

import numpy as np


def train_nnmath(sizes, X, y, batch, epochs, lr, seed=0, engine="auto") -> tuple[float, float]:
    """nnmath: ``Network.fit`` as a user calls it; the History (loss, accuracy, per-layer
    gradient norms) is recorded as in every fit."""
    import nnmath

    net = nnmath.Network(sizes, activation="sigmoid", seed=seed, dtype=X.dtype)
    t = time.perf_counter()
    history = net.fit(X, y, epochs=epochs, learning_rate=lr, batch_size=batch, shuffle=False, engine=engine)
    seconds = time.perf_counter() - t
    assert len(history.grad_norms) == epochs and len(history.grad_norms[0]) == len(sizes) - 1
    return seconds, net.error(X, y)


def nnmath_path(sizes, batch) -> str:
    """Which path nnmath's fit takes here (src/nnmath/engine/compiled/epoch.py): the compiled epoch's
    loops, its blas steps, or the NumPy engine."""
    import nnmath
    from nnmath.engine.compiled import epoch as compiled_epoch
    from nnmath.engine import optimizers

    net = nnmath.Network(sizes)
    if not compiled_epoch.applies(net, optimizers.get("sgd")):
        return "NumPy engine"
    return "compiled loops" if compiled_epoch.form(net, batch) == "loops" else "compiled blas steps"


def train_sklearn(sizes, X, y, batch, epochs, lr, seed=0) -> tuple[float, float]:
    """scikit-learn's MLPClassifier with solver="sgd" and every extra switched off."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="logistic", solver="sgd",
                        batch_size=batch, learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
                        alpha=0.0, max_iter=epochs, shuffle=False, tol=0.0, n_iter_no_change=10**9,
                        early_stopping=False, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=epochs is meant to stop it
        t = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - t
    return seconds, float(log_loss(y, clf.predict_proba(X), labels=clf.classes_))


def torch_model(sizes, dtype):
    """torch.nn.Sequential of Linear + Sigmoid layers, the last Linear giving the logits z^L."""
    import torch

    layers: list = []
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out, dtype=dtype))
        if l < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def train_torch(sizes, X, y, batch, epochs, lr, seed=0) -> tuple[float, float]:
    """PyTorch on the CPU: nn.Sequential + optim.SGD, the textbook loop (zero_grad, loss,
    backward, step). Cross-entropy is computed from the logits, as nnmath does."""
    import torch

    torch.manual_seed(seed)
    dtype = getattr(torch, X.dtype.name)
    net = torch_model(sizes, dtype)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    Xt = torch.from_numpy(X)
    if sizes[-1] == 1:
        loss_fn, yt = torch.nn.BCEWithLogitsLoss(), torch.from_numpy(y.astype(X.dtype).reshape(-1, 1))
    else:
        loss_fn, yt = torch.nn.CrossEntropyLoss(), torch.from_numpy(y.astype(np.int64))
    n = len(X)
    t = time.perf_counter()
    for _ in range(epochs):
        for start in range(0, n, batch):
            opt.zero_grad()
            loss = loss_fn(net(Xt[start:start + batch]), yt[start:start + batch])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t
    with torch.no_grad():
        return seconds, float(loss_fn(net(Xt), yt))


def train_bare_numpy(sizes, X, y, batch, epochs, lr, seed=0) -> tuple[float, float]:
    """A reference, not a tool: the bare NumPy loop of the peer measurement, written out for
    this network alone. Forward, δᴸ = ŷ - y, backprop, θ ← θ - α g, and nothing else: no E, no
    accuracy, no gradient norms, no checks, no objects. What any NumPy engine can at best reach."""
    rng = np.random.default_rng(seed)
    Ws = [(rng.standard_normal((i, o)) / np.sqrt(i)).astype(X.dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o, X.dtype) for o in sizes[1:]]
    Y = y.astype(X.dtype).reshape(-1, 1) if sizes[-1] == 1 else np.eye(sizes[-1], dtype=X.dtype)[y]

    def sigmoid(z):
        return np.tanh(z * 0.5) * 0.5 + 0.5

    def output(z):  # ŷ: sigmoid for one unit, softmax for several
        if z.shape[1] == 1:
            return sigmoid(z)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def forward(x):
        activations = [x]
        for W, b in zip(Ws[:-1], bs[:-1]):
            activations.append(sigmoid(activations[-1] @ W + b))
        return activations, output(activations[-1] @ Ws[-1] + bs[-1])

    n = len(X)
    t = time.perf_counter()
    for _ in range(epochs):
        for start in range(0, n, batch):
            activations, y_hat = forward(X[start:start + batch])
            delta = (y_hat - Y[start:start + batch]) / len(y_hat)
            for l in range(len(Ws) - 1, -1, -1):
                grad_W, grad_b = activations[l].T @ delta, delta.sum(axis=0)
                if l:
                    delta = (delta @ Ws[l].T) * (activations[l] * (1 - activations[l]))
                Ws[l] -= lr * grad_W
                bs[l] -= lr * grad_b
    seconds = time.perf_counter() - t
    y_hat = np.clip(forward(X)[1].astype(np.float64), 1e-12, 1 - 1e-12)
    if sizes[-1] == 1:
        return seconds, float(-np.mean(Y[:, 0] * np.log(y_hat[:, 0]) + (1 - Y[:, 0]) * np.log(1 - y_hat[:, 0])))
    return seconds, float(-np.mean(np.log(y_hat[np.arange(n), y])))


TRAINERS = {"nnmath": train_nnmath, "scikit-learn": train_sklearn, "PyTorch": train_torch}
# Timed in the same interleaved runs as the tools, as the floor they are measured against.
def train_nnmath_engine(sizes, X, y, batch, epochs, lr, seed=0) -> tuple[float, float]:
    """A reference: nnmath's fit with its compiled epoch switched off, so that every network
    trains through the NumPy engine (the readable one, which explanations and checks run)."""
    return train_nnmath(sizes, X, y, batch, epochs, lr, seed, engine="numpy")


REFERENCES = {"bare NumPy loop": train_bare_numpy, "nnmath NumPy engine": train_nnmath_engine}


def flops_per_sample(sizes) -> int:
    r"""6 \sum_l n_{l-1} n_l: 2 for z = aW, 2 for ∂E/∂W = a^T δ, 2 for δ W^T, per weight.

    This is the peers' count. It includes δ^1 (W^1)^T, the error sent back to the input, which
    no tool computes, so a tool can exceed 100% of the limit built from it."""
    return 6 * sum(i * o for i, o in zip(sizes[:-1], sizes[1:]))


def matmul_limit(sizes, batch, dtype, repeats=200, rng=None) -> float:
    """Samples/s if every flop ran at the speed of the largest layer's matrix product
    (batch x n_in) @ (n_in x n_out), timed with NumPy as the peer measurement did (5 warm-up
    products, then ``repeats`` timed), except that the repeats are split into 5 runs and the
    best run counts, as for the tools: a single mean moved by ±40% with other jobs on the cores."""
    rng = rng or np.random.default_rng(0)
    widest = max(range(len(sizes) - 1), key=lambda l: sizes[l] * sizes[l + 1])
    n_in, n_out = sizes[widest], sizes[widest + 1]
    A = rng.standard_normal((batch, n_in)).astype(dtype)
    B = rng.standard_normal((n_in, n_out)).astype(dtype)
    for _ in range(5):
        A @ B
    per_run = max(1, repeats // 5)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(per_run):
            A @ B
        best = min(best, (time.perf_counter() - t) / per_run)
    return 2.0 * batch * n_in * n_out / best / flops_per_sample(sizes)


def step_matmul_limit(sizes, batch, dtype, repeats=20, rng=None, least_work=False, data_flow=False, runs=5) -> float:
    """Samples/s of a step that did nothing but its matrix products: per layer z = a W,
    ∂E/∂W = a^T δ and (above layer 1) δ W^T, with NumPy. No tool can beat this floor by
    much; the gap to it is each tool's overhead (activations, loss, update, bookkeeping).

    ``least_work``: the products plus the least else any step must do, each at NumPy's vectorised
    speed: one tanh per hidden unit and sample (the sigmoid's one transcendental), the output's
    exp, and one pass θ ← θ − α g over the parameters. A real step is slower than this.

    ``data_flow`` (with ``least_work``): the same calls, each on what a real step hands it: the W^l
    are views of the θ the update writes, each tanh and exp reads the product just before it, the
    products ∂E/∂W^l write into the g the update reads. With the products on two cores, a real step
    moves W and g between the cores' caches every step; the least-work step never does.

    Timed as the best of ``runs`` runs of ``repeats`` steps. To set beside a fit, time it in runs of
    as many steps as the fit takes (``steps_of_a_fit``), as many runs as the fit had: on a host whose
    speed moves within a second, the best of many short runs comes out faster than the best of a
    few long ones for the same code (``python benchmarks/windows.py``; docs/performance.md, "Noise")."""
    rng = rng or np.random.default_rng(0)
    a = [rng.standard_normal((batch, n)).astype(dtype) for n in sizes]
    Ws = [rng.standard_normal((i, o)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    theta = rng.standard_normal(sum(W.size + W.shape[1] for W in Ws)).astype(dtype)
    alpha_g, hidden, out = theta * np.dtype(dtype).type(1e-3), [np.empty_like(h) for h in a[1:-1]], np.empty_like(a[-1])
    theta_Ws, g = _views(theta, sizes), np.zeros_like(theta)
    g_Ws, zs = _views(g, sizes), [np.empty_like(h) for h in a[1:]]
    deltas = [h * np.dtype(dtype).type(1e-7) for h in a]  # small, so that θ - g stays where θ is

    def step():
        for l, W in enumerate(Ws):
            a[l] @ W
            a[l].T @ a[l + 1]
            if l > 0:
                a[l + 1] @ W.T
        if least_work:
            for z, h in zip(a[1:-1], hidden):
                np.tanh(z, out=h)
            np.exp(a[-1], out=out)
            np.subtract(theta, alpha_g, out=theta)

    def step_with_data_flow():
        for l, W in enumerate(theta_Ws):
            np.matmul(a[l], W, out=zs[l])
            if l < len(hidden):
                np.tanh(zs[l], out=hidden[l])
            else:
                np.exp(zs[l], out=out)
        for l in range(len(theta_Ws) - 1, -1, -1):
            np.matmul(a[l].T, deltas[l + 1], out=g_Ws[l])
            if l > 0:
                np.matmul(deltas[l + 1], theta_Ws[l].T, out=zs[l - 1])
        np.subtract(theta, g, out=theta)  # θ ← θ − α g, α g here in g: the same one pass over θ as above

    run = step_with_data_flow if least_work and data_flow else step
    run()
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(repeats):
            run()
        best = min(best, (time.perf_counter() - t) / repeats)
    return batch / best


def steps_of_a_fit(samples: int, batch: int, epochs: int) -> int:
    """The steps a fit takes: ceil(samples / batch) an epoch."""
    return epochs * -(-samples // batch)


def _views(flat, sizes) -> list:
    """The W^l (n_{l-1} x n_l) laid out in ``flat`` as in θ (each followed by its b^l)."""
    Ws, p = [], 0
    for i, o in zip(sizes[:-1], sizes[1:]):
        Ws.append(flat[p:p + i * o].reshape(i, o))
        p += i * o + o
    return Ws
