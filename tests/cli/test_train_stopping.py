"""``nnmath train --early-stopping --patience N`` keeps the best weights; Ctrl-C keeps the best
model so far when --out was given and says at which epoch it stopped (issue 15 item 9)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nnmath.cli import main
from nnmath.engine.network import Network
from nnmath.io.model import load_model


def _run(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as usage:
        code = usage.code
    out, err = capsys.readouterr()
    return code, out, err


def test_early_stopping_stops_after_patience_epochs_and_keeps_the_best(capsys):
    code, out, err = _run(capsys, "train", "--data", "moons", "--epochs", "400", "--learning-rate", "1.0",
                          "--early-stopping", "--patience", "3", "--json")
    assert code == 0, err
    report = json.loads(out)
    stopping = report["early_stopping"]
    assert stopping["stopped_early"] and report["epochs_run"] < 400
    assert stopping["kept_epoch"] == report["epochs_run"] - 3  # the best, then 3 epochs without improvement
    code, out, _ = _run(capsys, "train", "--data", "moons", "--epochs", "400", "--learning-rate", "1.0",
                        "--early-stopping", "--patience", "3")
    assert f"kept the weights of epoch {stopping['kept_epoch']}, the lowest validation E" in " ".join(out.split())


def test_early_stopping_needs_a_validation_part(capsys):
    code, _, err = _run(capsys, "train", "--data", "xor", "--early-stopping", "--validation-split", "0")
    assert code == 2 and "--early-stopping watches the validation part: give --validation-split above 0" in err
    code, _, err = _run(capsys, "train", "--data", "xor", "--patience", "0")
    assert code == 2 and "--patience" in err


@pytest.fixture
def interrupt_at(monkeypatch):
    """Network.fit that raises KeyboardInterrupt (Ctrl-C) in the given epoch, recording each finished
    epoch's validation E and weights."""
    seen = {"val_loss": [], "weights": []}
    fit = Network.fit

    def install(epoch):
        def interrupted_fit(self, *args, callback=None, **kwargs):
            def watch(e, record):
                if e + 1 == epoch:
                    raise KeyboardInterrupt
                result = callback(e, record) if callback is not None else False
                seen["val_loss"].append(record["val_loss"])
                seen["weights"].append([W.copy() for W in self.weights])
                return result
            return fit(self, *args, callback=watch, **kwargs)

        monkeypatch.setattr(Network, "fit", interrupted_fit)
        return seen
    return install


def test_ctrl_c_keeps_the_best_model_so_far_and_says_where_it_stopped(capsys, tmp_path, interrupt_at):
    seen = interrupt_at(30)
    code, out, err = _run(capsys, "train", "--data", "moons", "--epochs", "100", "--learning-rate", "2.0",
                          "--out", str(tmp_path / "m.npz"))
    assert code == 130 and out == ""
    best = int(np.argmin(seen["val_loss"]))  # 0-based: the epoch with the lowest validation E
    assert len(seen["val_loss"]) == 29
    assert (f"interrupted during epoch 30; saved the model of epoch {best + 1} (the lowest validation E so far, "
            f"{seen['val_loss'][best]:.4g}) to {tmp_path / 'm.npz'}") in err
    net, info = load_model(tmp_path / "m.npz")
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, seen["weights"][best]))
    assert info["training"]["kept_epoch"] == best + 1 and info["training"]["interrupted_after_epoch"] == 29


def test_ctrl_c_without_out_saves_nothing_and_says_so(capsys, interrupt_at):
    interrupt_at(5)
    code, out, err = _run(capsys, "train", "--data", "xor", "--epochs", "50")
    assert code == 130 and out == ""
    assert err == "nnmath: interrupted during epoch 5; nothing saved (give --out to keep the best model so far)\n"
