"""Diagnostics that read the engine's gradients: the finite-difference check and the gradient flow per layer."""
from nnmath.diagnostics.flow import GradientFlow, gradient_flow
from nnmath.diagnostics.gradcheck import check_gradients

__all__ = ["check_gradients", "gradient_flow", "GradientFlow"]
