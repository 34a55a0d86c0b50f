"""The engine: the one readable copy of each equation, from z = a W + b to θ ← θ − α ∂E/∂θ.

Importing a module of the engine runs this first; it names the public parts (the registries of
activations, losses and optimizers, the network and what it computes).
"""
from nnmath.engine.activations import ACTIVATIONS, Activation
from nnmath.engine.history import History
from nnmath.engine.losses import LOSSES, Loss
from nnmath.engine.network import Network
from nnmath.engine.optimizers import OPTIMIZERS
from nnmath.engine.trace import Gradients, Trace
from nnmath.engine.training import fit

__all__ = ["Network", "Trace", "Gradients", "History", "fit", "ACTIVATIONS", "Activation", "LOSSES", "Loss",
           "OPTIMIZERS"]
