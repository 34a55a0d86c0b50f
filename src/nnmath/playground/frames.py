"""What the page draws, computed from the network: heat maps over the plane and the links.

One forward pass over a grid of points of the plane gives every neuron's a^l at once (the trace
keeps every layer), so the output's heat map and every neuron's small one cost a single pass.
Heat maps travel as bytes (base64): a value v in [-1, 1] becomes round(127.5 (v + 1)), 0..255;
the output of a classifier goes as probabilities in [0, 1] the same way.
"""
from __future__ import annotations

import base64
import functools
import math

import numpy as np

from nnmath.playground.datasets import features

Array = np.ndarray
OUTPUT_GRID = 64  # the output heat map: 64 x 64 points
NEURON_GRID = 24  # each neuron's small heat map


def grid(half_width: float, n: int) -> Array:
    """n x n points of the square [-h, h]², row by row from the top (x2 = h) down, x1 left to right."""
    ticks = (np.arange(n) + 0.5) / n * 2 * half_width - half_width
    x1, x2 = np.meshgrid(ticks, ticks[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def quantize(values: Array, low: float = -1.0, high: float = 1.0) -> Array:
    """Values mapped from [low, high] onto 0..255 (clipped; NaN as the middle), as uint8."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=(low + high) / 2), low, high)
    return np.rint((v - low) / (high - low) * 255.0).astype(np.uint8)


def as_bytes(values: Array, low: float = -1.0, high: float = 1.0) -> str:
    """``quantize``d values as base64 text."""
    return base64.b64encode(quantize(values, low, high).tobytes()).decode("ascii")


def columns_as_bytes(matrix: Array, low: float = -1.0, high: float = 1.0) -> list[str]:
    """Each column of a matrix (one unit's values over the grid) as base64 text, quantized at once."""
    q = quantize(matrix, low, high)
    return [base64.b64encode(q[:, k].tobytes()).decode("ascii") for k in range(q.shape[1])]


@functools.lru_cache(maxsize=16)
def grid_inputs(feature_names: tuple, half_width: float, n: int) -> Array:
    """The features of the grid's points (the same for every frame of a network: computed once)."""
    X = features(grid(half_width, n), feature_names)
    X.setflags(write=False)
    return X


def finite_or_text(value: float):
    """A number for JSON, or "NaN", "∞", "-∞" (JSON has no such numbers)."""
    if math.isfinite(value):
        return float(value)
    return "NaN" if math.isnan(value) else ("∞" if value > 0 else "-∞")


def matrices(arrays) -> list:
    """Arrays as nested lists for JSON, non-finite entries as text."""
    return [[finite_or_text(v) for v in np.ravel(a)] for a in arrays]


def heat_maps(net, feature_names, half_width: float) -> dict:
    """The output over a fine grid and each input feature and neuron over a coarse one."""
    names = tuple(feature_names)
    X = grid_inputs(names, float(half_width), NEURON_GRID)
    with np.errstate(all="ignore"):
        fine = net.forward(grid_inputs(names, float(half_width), OUTPUT_GRID)).output
        trace = net.forward(X)
        if net.kind == "regression":
            output = columns_as_bytes(fine[:, :1])
        else:  # ŷ = P(class 1) for one sigmoid unit; each class's probability for softmax
            output = columns_as_bytes(fine, 0.0, 1.0)
        scale = np.max(np.abs(X), axis=0)
        scale[scale == 0] = 1.0
        inputs_maps = columns_as_bytes(X / scale)
        neurons = [columns_as_bytes(layer.a) for layer in trace.layers[:-1]]
    return {"output": output, "inputs": inputs_maps, "neurons": neurons,
            "output_grid": OUTPUT_GRID, "neuron_grid": NEURON_GRID}
