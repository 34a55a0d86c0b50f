"""nnmath: the math of neural networks, runnable.

Sigmoid units, cross-entropy error, gradient descent and backpropagation through layers by the
chain rule, written as the equations (see docs/notation.md for the symbols).
"""
from .errors import NNMathError, TrainingDiverged
from .explain import explain
from .explain_step import explain_step
from .flow import GradientFlow, gradient_flow
from .gradcheck import check_gradients
from .history import History
from .network import Network
from .trace import Gradients, Trace

__version__ = "0.1.0"
__all__ = ["Network", "Gradients", "Trace", "History", "check_gradients", "gradient_flow", "GradientFlow",
           "explain", "explain_step",
           "NNMathError", "TrainingDiverged", "__version__"]
