"""The numbers the compiled loops branch on; Numba compiles them in as constants.

An activation's and a loss's number is its registry entry's ``code`` (engine/activations.py,
engine/losses.py): the loops have one branch for each. An entry without a code is never handed
to the loops (epoch.applies), and the loops refuse a code they have no branch for.
"""
from nnmath.engine import activations, losses, optimizers

_A = activations.ACTIVATIONS
IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU, SOFTSIGN = (
    _A[name].code for name in ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softsign"))
SOFTMAX = activations.SOFTMAX.code
LEAKY_SLOPE = activations.LEAKY_SLOPE
ACTIVATION_CODES = (IDENTITY, SIGMOID, TANH, RELU, LEAKY_RELU, SOFTSIGN, SOFTMAX)  # each has a branch in loops.py

_L = losses.LOSSES
BINARY_CE, CATEGORICAL_CE, SQUARED = (
    _L[key].code for key in (("cross_entropy", "sigmoid"), ("cross_entropy", "softmax"), ("mse", "identity")))
LOSS_CODES = (BINARY_CE, CATEGORICAL_CE, SQUARED)

PLAIN_SGD, MOMENTUM, NESTEROV, ADAM = range(4)
RULES = {optimizers.SGD: PLAIN_SGD, optimizers.Momentum: MOMENTUM, optimizers.Nesterov: NESTEROV,
         optimizers.Adam: ADAM}  # by exact class: a subclass may step differently

BINARY, MULTICLASS, MULTILABEL, REGRESSION = range(4)
KINDS = {"binary": BINARY, "multiclass": MULTICLASS, "multilabel": MULTILABEL, "regression": REGRESSION}
