"""Every option of every command, taken from the parser itself (``nnmath.cli.build_parser()``), given
hostile values on top of a small, fast command line: each case ends in a clean refusal (exit 2 and one
line ``nnmath: error: ...``), a finished run (exit 0; 1 for a failed gradient check), within a time
limit, and no input file is changed, nor any file written by a refused run.

Values are small ones, edge ones and ones far beyond any bound (2^32, 10^400, 1e308, NaN, junk text):
what lies between, accepted and merely slow (a million epochs), is left out so each case stays short.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
from pathlib import Path

from hypothesis import event, given, settings, strategies as st

from conftest import cases, time_limit
from nnmath.cli import build_parser, main

# a small, fast command line of each command, {d} the work folder
BASE = {
    "train": ["--data", "{d}/d.csv", "--epochs", "2", "--layers", "auto,3,auto", "--quiet", "--batch-size", "8"],
    "predict": ["{d}/m.npz", "{d}/d.csv"],
    "gradcheck": ["--layers", "2,3,1", "--samples", "4", "--entries", "3"],
    "info": ["{d}/m.npz"],
    "data": ["xor", "--samples", "8"],
    "explain": [],
    "vanishing": ["--data", "{d}/d.csv", "--depths", "1", "--activations", "sigmoid", "--inits", "normal",
                  "--remedies", "none", "--width", "3", "--epochs", "1", "--probe", "8", "--n-jobs", "1", "--quiet",
                  "--json"],
}
SLOW_VALUES = {"--data": ("mnist1d", "digits"), "NAME": ("mnist1d",)}  # built-in sets that take seconds to make
PATHS = ["{d}/d.csv", "{d}/m.npz", "{d}/keep.txt", "{d}/new.npz", "{d}/new.csv", "{d}", "{d}/fifo", "{d}/missing/x",
         "/dev/null", "/dev/zero", "/dev/full", "{d}/figs"]
PLAIN = ["1", "2", "3", "0.5", "0.1", "4,3,1", "auto,2,auto", "all", "W1[0,0]"]  # values a user gives
NUMBERS = ["0", "1", "-1", "2", "3", "0.5", "-0.0", "1e-320", "nan", "inf", "-inf", "1e308", "-1e308", "2147483648",
           "4294967296", "9223372036854775808", "1" * 400, "1e3", "0x10", "1_0", " 7 ", "+4"]
WORDS = ["", " ", "auto", "full", "all", "-", ",", "1,2", "2,0,1", "auto,auto", "3,,1", "x" * 300, "é", "\t", "a,b",
         "W1[0,0]", "b2[9]", "W99[0,0]", "sigmoid", "none,magic", "-5,2"]


def _options() -> list[tuple[str, str, argparse.Action]]:
    """(command, option or positional name, action) for every argument of every command."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    return [(name, (action.option_strings or [action.dest])[0], action) for name, sub in commands.items()
            for action in sub._actions if not isinstance(action, argparse._HelpAction)]


OPTIONS = _options()


@st.composite
def command_lines(draw):
    """A command's base line plus one or two of its options with hostile values."""
    command = draw(st.sampled_from(sorted(BASE)))
    mine = [o for o in OPTIONS if o[0] == command]
    argv = [command, *BASE[command]]
    for _ in range(draw(st.integers(1, 2))):
        _, name, action = draw(st.sampled_from(mine))
        if action.nargs == 0:  # a flag
            value = []
        else:
            plain = [str(c) for c in action.choices] if action.choices else [*PLAIN, *PATHS[:3]]
            hostile = [*NUMBERS, *WORDS, *PATHS]
            plain, hostile = ([v for v in pool if v not in SLOW_VALUES.get(name, ())] for pool in (plain, hostile))
            value = [draw(st.sampled_from(plain) | st.sampled_from(hostile)
                          | st.text(st.characters(exclude_characters="\x00"), max_size=10))]
        if action.option_strings:
            argv += [name, *value]
        else:  # a positional: replace the base's value at its place, or add it
            positional = [i for i, a in enumerate(argv[1:], 1) if not a.startswith("-") and
                          (i == 1 or not argv[i - 1].startswith("--"))]
            if positional and value:
                argv[positional[0]] = value[0]
            else:
                argv += value
    return argv


def _workspace(folder: Path) -> dict[Path, bytes]:
    """The inputs a case may read: a CSV file, a model trained on it, a file nobody should touch, a FIFO."""
    rows = "".join(f"{i % 5}.5,{(i * 7) % 3},{'a' if i % 2 else 'b'}\n" for i in range(24))
    (folder / "d.csv").write_text("x1,x2,label\n" + rows)
    (folder / "keep.txt").write_text("precious\n")
    (folder / "figs").mkdir()
    os.mkfifo(folder / "fifo")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", "--data", str(folder / "d.csv"), "--epochs", "2", "--quiet", "--out",
                     str(folder / "m.npz")]) == 0
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@contextlib.contextmanager
def _inside(folder: Path):
    """Run in ``folder``: a relative --out or --plot the case makes up lands there, not in the checkout."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _run(argv: list[str], folder: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with _inside(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:  # argparse: a bad option, --help, --version
            code = e.code if isinstance(e.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=cases(800))
@given(template=command_lines())
def test_every_option_gets_a_clean_refusal_or_a_finished_run(template):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        before = _workspace(folder)
        argv = [part.replace("{d}", name) for part in template]
        with time_limit(60):
            code, out, err = _run(argv, folder)
        event(f"{argv[0]} exit {code}")  # shown by --hypothesis-show-statistics
        assert "internal error" not in err and "Traceback" not in err, (argv, err)
        if code == 2:
            lines = err.splitlines()
            assert len(lines) == 1 and ": error: " in lines[0], (argv, err)
        else:
            failed_check = argv[0] == "gradcheck" and ("fail" in out.lower() or '"passed": false' in out)
            assert code == 0 or (code == 1 and failed_check), (argv, code, err)  # 1: a layer beyond --tolerance
        for path, data in before.items():  # inputs kept; only a finished run with --force may replace one
            replaced_on_purpose = code == 0 and "--force" in argv and str(path) in argv
            assert replaced_on_purpose or path.read_bytes() == data, (argv, path)
        if code != 0:  # a refused run writes nothing
            now = {p for p in folder.rglob("*") if p.is_file()}
            assert now == set(before), (argv, sorted(map(str, now - set(before))))
