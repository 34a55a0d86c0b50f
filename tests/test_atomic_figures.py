"""The figures (the command line's training plots, the lab's) are written whole or not at all: a failure
while a PNG is written keeps the file that was there."""
import errno

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnmath.cli import train_plots  # noqa: E402
from nnmath.errors import NNMathError  # noqa: E402
from nnmath.lab import plots as lab_plots  # noqa: E402

SAVES = {"train": lambda fig, path: train_plots._save(fig, path), "lab": lambda fig, path: lab_plots._save(plt, fig, path)}


def a_figure():
    fig = plt.figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


@pytest.mark.parametrize("which", sorted(SAVES))
def test_a_figure_is_a_whole_png(which, tmp_path):
    path = tmp_path / "loss.png"
    path.write_bytes(b"an old figure")
    assert SAVES[which](a_figure(), path) == path
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]  # no temporary file left


@pytest.mark.parametrize("which", sorted(SAVES))
def test_a_full_disk_mid_figure_keeps_the_old_file(which, tmp_path, monkeypatch):
    path = tmp_path / "loss.png"
    path.write_bytes(b"an old figure")

    def half_then_full(self, f, **kwargs):
        f.write(b"\x89PNG half a figure")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", half_then_full)
    with pytest.raises(NNMathError, match="the disk is full; the old file is kept as it was"):
        SAVES[which](a_figure(), path)
    assert path.read_bytes() == b"an old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]
