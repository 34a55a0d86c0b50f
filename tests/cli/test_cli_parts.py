"""The pieces of the command line, in process: option types, layer sizes, optional subcommands,
and the single place where errors become one line and an exit code."""
import argparse
import sys

import pytest

from nnmath import NNMathError, cli
from nnmath.cli.args import fraction, layer_spec, positive_float, positive_int, resolve_layers


def test_option_types_accept_good_values_and_reject_bad_ones():
    assert positive_float("0.5") == 0.5 and positive_int("3") == 3 and fraction(True)("0") == 0.0
    for parse, text in [(positive_float, "0"), (positive_float, "-1"), (positive_float, "nan"),
                        (positive_float, "inf"), (positive_int, "0"), (positive_int, "1.5"),
                        (fraction(False), "0"), (fraction(True), "1")]:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_layer_sizes_fill_in_auto_and_check_the_data():
    assert layer_spec("30,16,1") == [30, 16, 1] and layer_spec("auto, 8, auto") == ["auto", 8, "auto"]
    assert resolve_layers(["auto", 16, "auto"], 30, 2, "d") == [30, 16, 1]  # two classes: one sigmoid unit
    assert resolve_layers(["auto", 5, "auto"], 4, 3, "d") == [4, 5, 3]  # three classes: softmax over three
    assert resolve_layers([4, 5, 2], 4, 2, "d") == [4, 5, 2]  # two softmax units are allowed too
    for text in ["30", "30,0,1", "30,auto,1", "a,b"]:
        with pytest.raises(argparse.ArgumentTypeError):
            layer_spec(text)
    with pytest.raises(NNMathError, match="starts with 10 inputs but d has 30 features; use --layers 30,16,1"):
        resolve_layers([10, 16, 1], 30, 2, "d")
    with pytest.raises(NNMathError, match="ends with 1 output unit but d has 3 classes; use 3"):
        resolve_layers(["auto", 16, 1], 4, 3, "d")


def _plugin(tmp_path, monkeypatch, name, body):
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "OPTIONAL_SUBCOMMANDS", (name, "nnmath_no_such_module_here"))


PLUGIN = '''
def register(subparsers):
    p = subparsers.add_parser("hello")
    p.add_argument("--fail", choices=["nnmath", "bug", "os"])
    p.set_defaults(func=run)

def run(args):
    from nnmath import NNMathError
    if args.fail == "nnmath":
        raise NNMathError("a clear message")
    if args.fail == "bug":
        raise RuntimeError("boom")
    if args.fail == "os":
        open("/no/such/folder/file")
    print("hello from a plugin")
    return 0
'''


def test_optional_subcommands_are_registered_when_present(tmp_path, monkeypatch, capsys):
    _plugin(tmp_path, monkeypatch, "nnmath_test_plugin_ok", PLUGIN)
    assert cli.main(["hello"]) == 0 and capsys.readouterr().out == "hello from a plugin\n"


@pytest.mark.parametrize("fail, code, message", [
    ("nnmath", 2, "nnmath: error: a clear message\n"),
    ("os", 2, "nnmath: error: No such file or directory: /no/such/folder/file\n"),
    ("bug", 1, "nnmath: error: internal error (RuntimeError: boom); set NNMATH_DEBUG=1 to see the traceback\n"),
])
def test_errors_become_one_line_and_an_exit_code(tmp_path, monkeypatch, capsys, fail, code, message):
    monkeypatch.delenv("NNMATH_DEBUG", raising=False)
    _plugin(tmp_path, monkeypatch, "nnmath_test_plugin_fail", PLUGIN)
    assert cli.main(["hello", "--fail", fail]) == code
    assert capsys.readouterr().err == message


def test_a_broken_optional_module_is_not_hidden(tmp_path, monkeypatch):
    _plugin(tmp_path, monkeypatch, "nnmath_test_plugin_broken", "import nnmath_a_module_that_does_not_exist\n")
    with pytest.raises(ModuleNotFoundError, match="nnmath_a_module_that_does_not_exist"):
        cli.build_parser()
    sys.modules.pop("nnmath_test_plugin_broken", None)


def test_usage_errors_exit_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--epochs", "many"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == "nnmath train: error: argument --epochs: expected a number, got 'many' (see 'nnmath train --help')\n"


def test_info_reads_a_model_saved_with_no_training_details(tmp_path, capsys):
    import numpy as np

    from nnmath import Network
    from nnmath.io.model import save_model

    net = Network([3, 2, 1], seed=0)
    net.classes_ = np.array(["no", "yes"])
    save_model(tmp_path / "bare.npz", net, {"results": "not a table", "training": None})
    assert cli.main(["info", str(tmp_path / "bare.npz")]) == 0
    out = capsys.readouterr().out
    assert "classes: no, yes" in out and "11 parameters in all" in out  # 3*2 + 2 + 2*1 + 1


def test_a_huge_loss_is_printed_in_a_few_digits_not_three_hundred():
    from nnmath.cli.train_report import _number

    assert _number(0.123456) == "0.1235" and _number(None) == "-" and _number(123456.7) == "123456.7000"
    assert _number(6.0078131e305) == "6.008e+305" and _number(-2.5e7) == "-2.5e+07"
