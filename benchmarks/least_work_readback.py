"""The least-work step as trainers.py times it, and the same calls made on what the products just wrote.

    python benchmarks/least_work_readback.py

Tests one explanation of why a real W1 step's element-wise passes cost more than the least-work
step's: that they read arrays the two cores' BLAS threads had just written (docs/performance.md,
issue 17). Best of 9 interleaved runs of 20 steps each, µs per step.
"""
import timeit, numpy as np
f = np.float32; rng = np.random.default_rng(0); B = 128; sizes = [784, 256, 128, 10]
a = [rng.standard_normal((B, n)).astype(f) for n in sizes]
Ws = [rng.standard_normal((i, o)).astype(f) for i, o in zip(sizes[:-1], sizes[1:])]
theta = rng.standard_normal(sum(W.size + W.shape[1] for W in Ws)).astype(f)
alpha_g = theta * f(1e-3); hidden, out = [np.empty_like(h) for h in a[1:-1]], np.empty_like(a[-1])
g = np.empty_like(theta); gW = [g[:200704].reshape(784, 256), g[200960:233728].reshape(256, 128), g[233856:235136].reshape(128, 10)]
zs = [np.empty((B, n), f) for n in sizes[1:]]
def least():
    for l, W in enumerate(Ws):
        a[l] @ W; a[l].T @ a[l + 1]
        if l > 0: a[l + 1] @ W.T
    for z, h in zip(a[1:-1], hidden): np.tanh(z, out=h)
    np.exp(a[-1], out=out); np.subtract(theta, alpha_g, out=theta)
def readback():  # the same calls, each element-wise pass on the product it follows
    for l, W in enumerate(Ws):
        np.matmul(a[l], W, out=zs[l])
        if l < 2: np.tanh(zs[l], out=hidden[l])
        else: np.exp(zs[l], out=out)
    for l, W in enumerate(Ws):
        np.matmul(a[l].T, a[l + 1], out=gW[l])
        if l > 0: a[l + 1] @ W.T
    np.subtract(theta, g, out=theta)
best = {"least": 1e9, "readback": 1e9}
for _ in range(9):
    for k, fn in (("least", least), ("readback", readback)):
        best[k] = min(best[k], timeit.timeit(fn, number=20) / 20 * 1e6)
for k, v in best.items(): print(f"  {k:9s} {v:7.1f} µs  {B / v * 1e6:9,.0f} samples/s")
