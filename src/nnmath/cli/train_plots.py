"""Figures of a training run, drawn with matplotlib's object API on the Agg canvas (no pyplot, so
no global figure state and no display needed):

- loss.png: the cross-entropy E and the accuracy per epoch, training and validation.
- gradients.png: each layer's ‖∂E/∂W^l‖ per epoch on a log scale; with sigmoid units the layers
  far from the output learn slowest (the vanishing gradient).
- boundary.png (two-dimensional data only): the network's P(class) over the plane, its decision
  boundary and the data points.
- predictions.png (regression): the prediction ŷ against the true y of each test sample, with
  the line ŷ = y a perfect fit would lie on.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nnmath.atomic import replace_atomically
from nnmath.data.sets import Dataset, Standardizer
from nnmath.errors import NNMathError
from nnmath.engine.history import History
from nnmath.engine.network import Network


def _save(fig: Figure, path: Path) -> Path:
    """The figure as a PNG file, written whole or not at all (an old file of that name is kept on a failure)."""
    FigureCanvasAgg(fig)
    replace_atomically(path, lambda f: fig.savefig(f, format="png", dpi=100))
    return path


def _marker(history: History) -> dict:
    """A dot on each epoch when there are few: a line through one point draws nothing."""
    return {"marker": "o"} if len(history) <= 20 else {}


def _epoch_axis(ax, epochs: int) -> None:
    """Whole epochs on the x axis, and room around a single one."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if epochs == 1:
        ax.set_xlim(0.5, 1.5)
        ax.set_xticks([1])


def loss_figure(history: History, regression: bool = False) -> Figure:
    """E and accuracy per epoch, training (mean over the epoch's steps) and validation; for a
    regression the squared error E alone (of the standardized target the network trains on)."""
    fig = Figure(figsize=(9, 3.8) if not regression else (6.5, 3.8), layout="constrained")
    epochs = np.arange(1, len(history) + 1)
    axes = fig.subplots(1, 2) if not regression else [fig.subplots()]
    dots = _marker(history)
    validated = any(v is not None for v in history.val_loss)
    axes[0].plot(epochs, history.loss, label="training", **dots)
    if validated:
        axes[0].plot(epochs, [np.nan if v is None else v for v in history.val_loss], label="validation", **dots)
    if regression:
        axes[0].set(xlabel="epoch", ylabel="squared error E (standardized y)", title="Error E per epoch")
    else:
        axes[0].set(xlabel="epoch", ylabel="cross-entropy E", title="Error E per epoch")
        axes[1].plot(epochs, [np.nan if a is None else a for a in history.accuracy], label="training", **dots)
        if validated:
            axes[1].plot(epochs, [np.nan if v is None else v for v in history.val_accuracy], label="validation",
                         **dots)
        axes[1].set(xlabel="epoch", ylabel="accuracy", title="Accuracy per epoch")
    for ax in axes:
        _epoch_axis(ax, len(history))
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def prediction_figure(net: Network, X: np.ndarray, y: np.ndarray, title: str, target: str) -> Figure:
    """ŷ against y for the (standardized) samples X: on the diagonal ŷ = y when the fit is perfect."""
    y_hat = net.predict(X)
    fig = Figure(figsize=(5.5, 5), layout="constrained")
    ax = fig.subplots()
    ax.scatter(y, y_hat, s=14, alpha=0.7, edgecolors="white", linewidths=0.4)
    low, high = float(min(y.min(), y_hat.min())), float(max(y.max(), y_hat.max()))
    ax.plot([low, high], [low, high], "k--", lw=1, label="ŷ = y")
    ax.set(xlabel=f"true {target}", ylabel=f"predicted {target}", title=title)
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def gradient_figure(history: History) -> Figure:
    """‖∂E/∂W^l‖ per epoch for each layer l, log scale."""
    fig = Figure(figsize=(6.5, 4), layout="constrained")
    ax = fig.subplots()
    norms = np.asarray(history.grad_norms)
    epochs = np.arange(1, len(history) + 1)
    for l in range(norms.shape[1]):
        ax.plot(epochs, norms[:, l], label=f"layer {l + 1}: W{l + 1}", **_marker(history))
    ax.set_yscale("log")
    _epoch_axis(ax, len(history))
    ax.set(xlabel="epoch", ylabel=r"$\|\partial E / \partial W^l\|$", title="How fast each layer learns")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return fig


def boundary_figure(net: Network, scaler: Standardizer, X: np.ndarray, y: np.ndarray, title: str = "") -> Figure:
    """P(class) over a grid covering X (in the data's own units), the boundary P = 1/2, and the points."""
    if X.shape[1] != 2:
        raise NNMathError("a decision boundary is drawn for two-dimensional data only")
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    g0, g1 = np.meshgrid(np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 200))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    proba = net.predict_proba(scaler.transform(grid))
    if net.classes_ is None:
        raise NNMathError("the network has not been trained: it knows no classes")
    classes = list(net.classes_)
    fig = Figure(figsize=(5.5, 5), layout="constrained")
    ax = fig.subplots()
    colors = ["tab:blue", "tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown"]
    if len(classes) == 2:
        field = ax.contourf(g0, g1, proba[:, 1].reshape(g0.shape), levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                            alpha=0.6)
        fig.colorbar(field, ax=ax, label=f"P(class {classes[1]})")
        ax.contour(g0, g1, proba[:, 1].reshape(g0.shape), levels=[0.5], colors="k", linewidths=1.5)
    else:
        winner = np.argmax(proba, axis=1).reshape(g0.shape)
        ax.contourf(g0, g1, winner, levels=np.arange(len(classes) + 1) - 0.5,
                    colors=[colors[k % len(colors)] for k in range(len(classes))], alpha=0.3)
        ax.contour(g0, g1, winner, levels=np.arange(len(classes)) + 0.5, colors="k", linewidths=1)
    for k, label in enumerate(classes):
        members = y == label
        ax.scatter(X[members, 0], X[members, 1], s=12, color=colors[k % len(colors)], edgecolors="white",
                   linewidths=0.4, label=f"class {label}")
    ax.set(xlabel="x1", ylabel="x2", title=title or "Decision boundary")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def write_plots(folder: Path, history: History, net: Network, dataset: Dataset, scaler: Standardizer) -> list[Path]:
    """All figures of a run into ``folder`` (created if needed); returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [_save(loss_figure(history, dataset.regression), folder / "loss.png"),
             _save(gradient_figure(history), folder / "gradients.png")]
    if dataset.regression:
        X_test = scaler.transform(dataset.X_test)
        title = (f"{dataset.name}: {len(dataset.y_test)} test samples after {len(history)} epochs\n"
                 f"R² = {net.score(X_test, dataset.y_test):.3f}")  # two lines: the panel is narrower than both
        paths.append(_save(prediction_figure(net, X_test, dataset.y_test, title, dataset.target_name),
                           folder / "predictions.png"))
    elif dataset.n_features == 2:
        X = np.concatenate([dataset.X_train, dataset.X_test])
        y = np.concatenate([dataset.y_train, dataset.y_test])
        title = f"{dataset.name}: decision boundary after {len(history)} epochs"
        paths.append(_save(boundary_figure(net, scaler, X, y, title), folder / "boundary.png"))
    return paths
