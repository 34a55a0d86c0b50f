"""Peak memory of a fit: training must never copy the whole training set.

tracemalloc sees every NumPy array allocation (NumPy reports its buffers to it), so the peak it
records while ``fit`` runs is what the fit added on top of what was already there: X, y and
the network. The measured peak is therefore

    peak = |X| + |y| + |model| + (largest extra memory held at one time during fit)

and the target is peak < 1.5 (|X| + |model|). The fit uses the defaults a user gets
(shuffling by index every epoch, mini-batch 128, History with per-layer gradient norms).
"""
from __future__ import annotations

import tracemalloc

import numpy as np


def fit_peak_memory(samples: int = 60_000, features: int = 784, epochs: int = 1) -> dict:
    import nnmath

    rng = np.random.default_rng(0)
    X = rng.standard_normal((samples, features), dtype=np.float32)
    y = rng.integers(0, 10, samples)
    net = nnmath.Network([features, 256, 128, 10], seed=0, dtype=np.float32)
    model_bytes = sum(p.nbytes for p in net.parameters())
    tracemalloc.start()
    try:
        net.fit(X, y, epochs=epochs, learning_rate=0.01, batch_size=128)
        _, extra = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    peak = X.nbytes + y.nbytes + model_bytes + extra
    return {"samples": samples, "features": features, "epochs": epochs, "X_bytes": X.nbytes, "y_bytes": y.nbytes,
            "model_bytes": model_bytes, "fit_extra_bytes": extra, "peak_bytes": peak,
            "ratio": peak / (X.nbytes + model_bytes), "target": 1.5}
