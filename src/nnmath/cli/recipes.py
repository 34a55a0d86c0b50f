"""Training settings that work on each built-in data set the first time.

``nnmath train --data NAME`` uses these for every option the user does not give. The default
data set, breast-cancer, keeps the seed's scenario exactly: one hidden layer of sigmoid units
trained by full-batch gradient descent. Other sets need more: the 2-D pictures need two hidden
layers and mini-batches, the spirals a tanh network, MNIST-1D a wider one. CSV files get the
seed's settings, except a regression target (a number to fit, not a class): the seed's α = 0.5 was
chosen for cross-entropy behind a sigmoid output, whose curvature carries the factor S' <= 0.25; squared
error behind an identity output has no such factor, so full-batch steps of α = 0.5 overshoot at first
(E rises tenfold in the first epochs of a sigmoid 10-16-1 network on scikit-learn's diabetes data). The
regression recipe takes Adam's steps on mini-batches and stops when the validation E stops falling.
Each recipe's test score is checked by tests/cli/test_recipes.py.
"""
from __future__ import annotations

from typing import Any

SEED_SETTINGS: dict[str, Any] = {
    "layers": "auto,16,auto", "activation": "sigmoid", "init": "xavier", "optimizer": "sgd",
    "learning_rate": 0.5, "batch_size": None, "epochs": 300, "schedule": "constant", "weight_decay": 0.0,
    "test_size": 0.25, "validation_split": 0.2, "early_stopping": False,
}
_TWO_D = {"layers": "auto,16,16,auto", "optimizer": "momentum", "learning_rate": 0.5, "batch_size": 16, "epochs": 200}

RECIPES: dict[str, dict[str, Any]] = {
    "breast-cancer": {},
    "wine": {},
    "iris": {"optimizer": "momentum", "learning_rate": 0.1, "batch_size": 8, "epochs": 200},
    "digits": {"layers": "auto,32,auto", "batch_size": 32, "epochs": 30},
    "xor": _TWO_D, "circles": _TWO_D, "moons": _TWO_D, "blobs": _TWO_D,
    "spirals": {"layers": "auto,32,32,auto", "activation": "tanh", "optimizer": "adam", "learning_rate": 0.01,
                "batch_size": 16, "epochs": 500},
    # MNIST-1D's paper holds out 1,000 of 5,000 samples for the test; its MLP reaches 68% there. This
    # recipe trains on more of the rest (a validation part of 10%), with L2 weight decay against
    # overfitting and a cosine schedule that ends on small steps: 72.5% on seed 0 (69.1%, 70.2% on 1, 2).
    "mnist1d": {"layers": "auto,128,128,auto", "activation": "relu", "init": "he", "optimizer": "adam",
                "learning_rate": 0.01, "schedule": "cosine", "weight_decay": 0.003, "batch_size": 100,
                "epochs": 100, "test_size": 0.2, "validation_split": 0.1},
}

# Any regression target, a CSV file's or a built-in set's (--task regression). Test R² on seed 0 / 1:
# diabetes 0.48 / 0.53 (the seed's settings 0.49 / 0.51, scikit-learn's LinearRegression 0.36 / 0.44 on
# its own splits), Friedman #1 with noise 1 0.92 / 0.93 (the seed's 0.76 / 0.79, MLPRegressor 0.92 / 0.94).
# Early stopping needs a validation part: with --validation-split 0 it stays off (train.apply_recipe).
REGRESSION: dict[str, Any] = {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 300,
                              "early_stopping": True}


def settings_for(data: str, regression: bool = False) -> dict[str, Any]:
    """The settings for data set ``data`` (a built-in name or a CSV path), or for its regression target."""
    return {**SEED_SETTINGS, **(REGRESSION if regression else RECIPES.get(data, {}))}


def describe() -> str:
    """One line per data set whose recipe differs from the seed's settings, for --help."""
    lines = ["  seed's settings (breast-cancer, wine, CSV files): " + _short(SEED_SETTINGS)]
    for name, recipe in RECIPES.items():
        if recipe:
            lines.append(f"  {name}: " + _short(recipe))
    lines.append("  any regression target: " + _short(REGRESSION))
    return "\n".join(lines)


def _short(settings: dict[str, Any]) -> str:
    """``option value, ...`` as the command line spells them (lr for --learning-rate)."""
    return ", ".join(f"{'lr' if k == 'learning_rate' else k.replace('_', '-')} {_value(v)}" for k, v in settings.items())


def _value(v: Any) -> str:
    if v is None:
        return "full"  # the batch size of full-batch gradient descent
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v)
