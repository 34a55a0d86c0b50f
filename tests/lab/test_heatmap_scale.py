"""The vanishing lab's heat map: a run that diverged does not set the colour scale of the others
(issue 15 item 5)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from nnmath.lab.plots import heatmap_scale, plot_heatmap
from nnmath.lab.vanishing import Config, Experiment, RunResult, Settings


def _run(remedy, norms_per_epoch, diverged_at=None):
    flows = [SimpleNamespace(weight_norms=list(n)) for n in norms_per_epoch]
    return RunResult(Config(2, "sigmoid", "normal", remedy), [4, 8, 8, 3], flows, [0.3] * len(flows),
                     [1.0] * (len(flows) - 1), [], diverged_at, 0.0)


@pytest.fixture
def experiment():
    calm = _run("none", [[1e-3, 1e-2, 1e-1], [2e-3, 2e-2, 2e-1], [3e-3, 3e-2, 3e-1]])
    wild = _run("clip", [[1e-3, 1e-2, 1e-1], [1e30, 1e45, 1e62], [1e30, 1e45, 1e62]], diverged_at=2)
    return Experiment("iris", Settings(epochs=2), [calm, wild])


def test_a_diverged_run_does_not_set_the_shared_colour_scale(experiment, tmp_path):
    low, high = heatmap_scale(experiment.runs)
    assert low == pytest.approx(-3.0) and high == pytest.approx(np.log10(0.3))  # the calm run's range
    assert plot_heatmap(experiment, tmp_path / "heatmap.png").stat().st_size > 0


def test_when_every_run_diverged_the_scale_covers_them_all(experiment):
    for run in experiment.runs:
        run.diverged_at = 2
    low, high = heatmap_scale(experiment.runs)
    assert low == pytest.approx(-3.0) and high == pytest.approx(62.0)


@pytest.mark.parametrize("diverged", [False, True])
def test_the_accuracy_figure_speaks_of_diverged_runs_only_when_one_diverged(experiment, tmp_path, monkeypatch, diverged):
    # a review found "× at the bottom: the run diverged" in the title of figures where none had
    from nnmath.lab import plots

    titles = []
    monkeypatch.setattr(plots, "_save", lambda plt, fig, path: titles.append(fig._suptitle.get_text()) or plt.close(fig))
    if not diverged:
        experiment.runs[1].diverged_at = None
    plots.plot_accuracy(experiment, tmp_path / "accuracy.png")
    assert ("diverged" in titles[0]) == diverged and titles[0].startswith("Accuracy against depth (iris")


def test_remedies_that_equal_none_are_drawn_so_that_nones_line_shows(tmp_path, monkeypatch):
    # a review found residual's solid line hiding none's at one hidden layer (no equal widths to skip)
    from nnmath.lab import plots

    def run(remedy):
        flows = [SimpleNamespace(weight_norms=[1e-2, 1e-1])]
        return RunResult(Config(1, "sigmoid", "normal", remedy), [4, 8, 3], flows, [0.3], [], [], None, 0.0)

    titles, styles = [], {}
    monkeypatch.setattr(plots, "_save", lambda plt, fig, path: titles.append(fig._suptitle.get_text()) or
                        styles.update({line.get_color(): line.get_linestyle() for ax in fig.axes for line in ax.lines})
                        or plt.close(fig))
    plots.plot_gradient_norms(Experiment("iris", Settings(epochs=1), [run("none"), run("residual")]), tmp_path / "g.png")
    assert titles[0].endswith("residual equals none with 1 hidden layer)")
    assert styles[plots.COLORS["none"]] == "-" and styles[plots.COLORS["residual"]] not in ("-", "None")
