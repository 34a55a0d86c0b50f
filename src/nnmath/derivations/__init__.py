"""Derivations with the network's own numbers: one parameter's chain rule (explain) and a whole
gradient-descent step (explain_step), printed as text, Markdown or LaTeX."""
from nnmath.derivations.explain import explain
from nnmath.derivations.render import Derivation
from nnmath.derivations.step import explain_step

__all__ = ["explain", "explain_step", "Derivation"]
