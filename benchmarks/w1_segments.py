"""A W1 step of nnmath's NumPy engine cut into its parts, each timed with perf_counter inside the step.

    python benchmarks/w1_segments.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/w1_segments.py

The step is written out from the engine's own calls (layers.product, the activation's f and f',
the loss's output delta, np.add.reduce, np.vdot, the optimizer), so each part is timed where it
runs: after the products that wrote its inputs. The best of 6 rounds of 20 steps counts per part;
the last line compares their sum with the engine's own step() over the same batches.
"""
import math
import time
from collections import defaultdict
import numpy as np
import nnmath
from nnmath.engine import optimizers
from nnmath.engine.layers import product
from nnmath.engine.step import step

sizes, B = [784, 256, 128, 10], 128
rng = np.random.default_rng(0)
X = rng.standard_normal((2560, 784)).astype(np.float32)
y = rng.integers(0, 10, 2560)
net = nnmath.Network(sizes, seed=0, dtype=np.float32)
Y = net.encode(y)
sgd = optimizers.get("sgd")
grad = np.empty_like(net.flat_parameters()); flat_views = net.split(grad)
T = defaultdict(list)
pc = time.perf_counter

def timed_step(Xb, Yb, lr):
    t0 = pc(); a = Xb; traces = []
    for l, layer in enumerate(net.layers):
        z = product(a, layer.W); t1 = pc(); T[f"f{l+1} product"].append(t1 - t0)
        z += layer.b; t2 = pc(); T[f"f{l+1} +b"].append(t2 - t1)
        h = layer.f.f(z); t0 = pc(); T[f"f{l+1} f(z)"].append(t0 - t2)
        traces.append((a, z, h)); a = h
    last = traces[-1]
    delta = net.loss.output_delta(last[1], last[2], Yb, net.layers[-1].f); t1 = pc(); T["dL"].append(t1 - t0)
    t0 = t1
    for l in reversed(range(3)):
        layer = net.layers[l]; a_prev, z, h = traces[l]
        if l < 2:
            back = product(delta, net.layers[l + 1].W.T); t1 = pc(); T[f"b{l+1} dW^T"].append(t1 - t0)
            d = layer.f.derivative(z, h); t2 = pc(); T[f"b{l+1} f'"].append(t2 - t1)
            delta = back * d; t0 = pc(); T[f"b{l+1} ⊙"].append(t0 - t2)
        first, stop = net._layer_pieces[l]
        out = flat_views[first:stop]
        dm = delta * (1.0 / delta.shape[0]); t1 = pc(); T[f"b{l+1} /m"].append(t1 - t0)
        product(a_prev.T, dm, out[0]); t2 = pc(); T[f"b{l+1} a^T δ"].append(t2 - t1)
        np.add.reduce(dm, axis=0, out=out[1]); t0 = pc(); T[f"b{l+1} Σδ"].append(t0 - t2)
    nW = [math.sqrt(np.vdot(g, g)) for g in flat_views[0::2]]
    nb = [math.sqrt(np.vdot(g, g)) for g in flat_views[1::2]]; t1 = pc(); T["norms"].append(t1 - t0)
    sgd.step([net.theta], [grad], lr); t2 = pc(); T["update"].append(t2 - t1)

def run(fn):
    t = pc()
    for s in range(0, 2560, B):
        fn(X[s:s+B], Y[s:s+B], 0.01)
    return (pc() - t) / 20

whole = math.inf; seg = math.inf
for r in range(7):
    T.clear()
    seg = min(seg, run(timed_step))
    whole = min(whole, run(lambda x, yy, lr: step(net, x, yy, lr, sgd, out=(grad, flat_views))))
    if r == 0: continue
    if r == 1: best = {k: min(v) for k, v in T.items()}
    best = {k: min(best[k], min(v)) for k, v in T.items()}
tot = 0
for k, v in best.items():
    tot += v; print(f"  {k:14s} {v*1e6:7.1f}")
print(f"  sum of best segments {tot*1e6:.1f}; timed step {seg*1e6:.1f}; engine step() {whole*1e6:.1f} µs")
