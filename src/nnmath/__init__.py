"""nnmath: the math of neural networks, runnable.

Sigmoid units, cross-entropy error, gradient descent and backpropagation through layers by the
chain rule, written as the equations (see docs/notation.md for the symbols).
"""
from nnmath.errors import NNMathError, TrainingDiverged
from nnmath.derivations.explain import explain
from nnmath.derivations.step import explain_step
from nnmath.diagnostics.flow import GradientFlow, gradient_flow
from nnmath.diagnostics.gradcheck import check_gradients
from nnmath.engine.history import History
from nnmath.engine.network import Network
from nnmath.engine.trace import Gradients, Trace
from nnmath.interop.pytorch import from_torch, to_torch
from nnmath.version import __version__

__all__ = ["Network", "Gradients", "Trace", "History", "check_gradients", "gradient_flow", "GradientFlow",
           "explain", "explain_step", "to_torch", "from_torch",
           "NNMathError", "TrainingDiverged", "__version__"]
