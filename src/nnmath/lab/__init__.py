"""The vanishing-gradient lab: a grid of depths, activations, inits and remedies trained on real
data, each run's gradient flow per layer, and Nielsen's chapter-5 measurement reproduced."""
from nnmath.lab.nielsen import reproduce
from nnmath.lab.vanishing import Experiment, grid, prepare, run

__all__ = ["run", "grid", "prepare", "Experiment", "reproduce"]
