"""Figures: valid, non-blank PNG files of sensible size, drawing the numbers of the History."""
import struct
import sys

import numpy as np
import pytest
from matplotlib.image import imread

from nnmath import Network
from nnmath.data.sets import Dataset, Standardizer, load
from nnmath.cli.train_plots import boundary_figure, gradient_figure, loss_figure, write_plots


def _three_d():
    """xor with a third, pure-noise feature: not two-dimensional, so no boundary is drawn."""
    d = load("xor", n_samples=200, seed=1)
    rng = np.random.default_rng(2)
    widen = lambda X: np.column_stack([X, rng.standard_normal(len(X))])  # noqa: E731
    return Dataset(widen(d.X_train), d.y_train, widen(d.X_test), d.y_test, ["x1", "x2", "x3"], "label", "xor3")


def _trained(name, hidden=(6,), epochs=60):
    dataset = _three_d() if name == "xor3" else load(name, n_samples=200, seed=1)
    scaler = Standardizer().fit(dataset.X_train)
    n_out = 1 if len(dataset.classes) == 2 else len(dataset.classes)
    net = Network([dataset.n_features, *hidden, n_out], seed=1)
    X_val, y_val = scaler.transform(dataset.X_test), dataset.y_test
    history = net.fit(scaler.transform(dataset.X_train), dataset.y_train, epochs=epochs, learning_rate=1.0,
                      validation_data=(X_val, y_val))
    return dataset, scaler, net, history


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("name, expected", [("xor", ["loss.png", "gradients.png", "boundary.png"]),
                                            ("xor3", ["loss.png", "gradients.png"])])
def test_write_plots_makes_valid_non_blank_pngs(tmp_path, name, expected):
    dataset, scaler, net, history = _trained(name)
    paths = write_plots(tmp_path / "figs", history, net, dataset, scaler)
    assert [p.name for p in paths] == expected
    for path in paths:
        width, height = _png_size(path)
        assert 400 <= width <= 1200 and 300 <= height <= 800 and path.stat().st_size > 10_000
        pixels = imread(path)[..., :3]
        assert pixels.std() > 0.05  # not a blank page
        rgb = (pixels * 255).astype(np.int64) @ np.array([65536, 256, 1])
        assert len(np.unique(rgb)) > 50  # lines, text and colour, not a flat fill


def test_figures_draw_the_history_gradient_norms_on_a_log_scale():
    _, _, net, history = _trained("xor", hidden=(5, 4), epochs=30)
    ax = gradient_figure(history).axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3  # one line per layer W1, W2, W3
    for l, line in enumerate(ax.lines):
        assert np.array_equal(line.get_ydata(), np.asarray(history.grad_norms)[:, l])
        assert np.array_equal(line.get_xdata(), np.arange(1, 31))
    loss_ax, acc_ax = loss_figure(history).axes
    assert np.array_equal(loss_ax.lines[0].get_ydata(), history.loss)
    assert np.array_equal(loss_ax.lines[1].get_ydata(), history.val_loss)
    assert np.array_equal(acc_ax.lines[1].get_ydata(), history.val_accuracy)


def test_boundary_figure_shows_every_point_in_its_class_colour():
    dataset, scaler, net, _ = _trained("blobs")
    X = np.concatenate([dataset.X_train, dataset.X_test])
    y = np.concatenate([dataset.y_train, dataset.y_test])
    ax = boundary_figure(net, scaler, X, y).axes[0]
    points = [c for c in ax.collections if c.get_offsets().shape[0] > 0 and c.get_label().startswith("class")]
    assert [c.get_label() for c in points] == ["class 0", "class 1", "class 2"]
    for k, c in enumerate(points):
        assert np.array_equal(np.asarray(c.get_offsets()), X[y == k])
    low, high = ax.get_xlim()
    assert low < X[:, 0].min() and high > X[:, 0].max()


def test_no_pyplot_state_is_created():
    before = "matplotlib.pyplot" in sys.modules
    _, _, _, history = _trained("xor", epochs=3)
    loss_figure(history)
    assert ("matplotlib.pyplot" in sys.modules) == before
    if before:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []


def test_a_single_epoch_is_drawn_as_dots_on_epoch_1():
    *_, history = _trained("moons", epochs=1)
    for fig in (loss_figure(history), gradient_figure(history)):
        for ax in fig.axes:
            assert list(ax.get_xticks()) == [1] and ax.get_xlim() == (0.5, 1.5)
            assert ax.lines and all(line.get_marker() == "o" for line in ax.lines)  # a line through one point is invisible
    *_, long = _trained("moons", epochs=60)
    assert all(line.get_marker() in ("None", None, "") for line in loss_figure(long).axes[0].lines)
