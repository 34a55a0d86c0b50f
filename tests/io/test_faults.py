"""Faults while a model is written (issue 16): a writer killed with SIGKILL mid-write, two writers at once,
a full disk, a folder that cannot be written. The old model is never lost, no temporary file stays."""
import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnmath import NNMathError
from nnmath.cli import main
from nnmath import atomic
from nnmath.io.model import load_model

SRC = str(Path(__file__).resolve().parents[2] / "src")
TRAIN = ["train", "--data", "xor", "--epochs", "3", "--quiet", "--force", "--out"]

# `nnmath train` in a real process whose model write stops half-way and says so: the test kills it there
HALF_WRITE = textwrap.dedent("""
    import sys, time
    import numpy as np
    from nnmath.cli import main

    def half(f, *arrays, **named):
        f.write(b"PK\\x03\\x04 half a model")
        f.flush()
        print("writing", flush=True)
        time.sleep(120)

    np.savez = half
    main(sys.argv[1:])
""")


def _env():
    return {**os.environ, "PYTHONPATH": SRC}


def _train(path, seed=0):
    assert main([*TRAIN, str(path), "--seed", str(seed)]) == 0


def _temporaries(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.endswith(".tmp"))


def test_kill_9_mid_write_keeps_the_old_model_and_the_next_write_removes_its_temporary(tmp_path, capsys):
    model = tmp_path / "M.npz"
    _train(model)
    old = model.read_bytes()
    with subprocess.Popen([sys.executable, "-c", HALF_WRITE, *TRAIN, str(model), "--seed", "1"],
                          stdout=subprocess.PIPE, env=_env()) as process:
        try:
            assert process.stdout.readline() == b"writing\n"  # it is inside the write now
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert model.read_bytes() == old and load_model(model)  # the old model, whole
    left = _temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(f".M.npz.nnmath-{process.pid}-")  # whose it was, by name
    _train(model, seed=2)  # the next write beside it removes what the dead writer left
    assert _temporaries(tmp_path) == [] and model.read_bytes() != old


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    mine = tmp_path / f".M.npz.nnmath-{os.getpid()}-abc123.tmp"  # this process is alive: it may still write
    mine.write_bytes(b"in progress")
    assert atomic.remove_stale_temporaries(tmp_path / "M.npz") == [] and mine.exists()


def test_two_runs_writing_the_same_out_at_once_leave_one_whole_model(tmp_path):
    model = tmp_path / "M.npz"
    runs = [subprocess.Popen([sys.executable, "-m", "nnmath", *TRAIN, str(model), "--seed", str(seed)],
                             env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for seed in (1, 2)]
    for run in runs:
        with run:
            assert run.wait(timeout=120) == 0, run.stderr.read()
    net, info = load_model(model)
    assert info["training"]["seed"] in (1, 2) and _temporaries(tmp_path) == []
    X = np.array([[0.0, 1.0], [1.0, 1.0]])
    assert np.all(np.isfinite(net.predict_proba(X)))


def test_a_full_disk_is_one_line_and_the_old_model_is_kept(tmp_path, capsys, monkeypatch):
    model = tmp_path / "M.npz"
    _train(model)
    old = model.read_bytes()
    capsys.readouterr()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)  # the write reaches the disk last, at fsync
    assert main([*TRAIN, str(model), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert err == f"nnmath: error: cannot write {model}: the disk is full; the old file is kept as it was\n"
    assert model.read_bytes() == old and _temporaries(tmp_path) == []


def test_a_folder_that_cannot_be_written_is_refused_before_training(tmp_path, capsys, monkeypatch):
    model = tmp_path / "M.npz"
    _train(model)
    old = model.read_bytes()
    capsys.readouterr()
    # root may write anywhere, so the permission is simulated: the folder is read-only for this user
    real = os.access
    monkeypatch.setattr(atomic.os, "access", lambda p, mode: False if Path(p) == tmp_path else real(p, mode))
    assert main([*TRAIN, str(model)]) == 2
    assert capsys.readouterr().err == f"nnmath: error: cannot write the model file {model}: the folder {tmp_path} " \
                                      f"is read-only for you\n"
    assert model.read_bytes() == old


def test_a_folder_made_read_only_during_training_loses_nothing(tmp_path, monkeypatch):
    path = tmp_path / "M.npz"
    path.write_bytes(b"old model")

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refused)
    with pytest.raises(NNMathError, match=f"cannot write {path}: Permission denied; the old file is kept as it was"):
        atomic.replace_atomically(path, lambda f: f.write(b"new"))
    assert path.read_bytes() == b"old model" and _temporaries(tmp_path) == []
