"""CSV files a careless user or an attacker gives (issue 15 items 1-2, issue 16): each is read right or
refused at once with one clear line."""
import os
import signal

import pytest

from nnmath import NNMathError
from nnmath.cli import main
from nnmath.data import csvfile, sets

IRIS_ROWS = "".join(f"{5 + i / 10:.1f},3.{i % 9},1.{i % 7},0.{i % 3},{'setosa' if i < 10 else 'versicolor'}\n"
                    for i in range(20))


def _file(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_headerless_file_whose_first_row_holds_a_word_is_refused(tmp_path):
    path = _file(tmp_path, IRIS_ROWS)  # read before as features '5.0, 3.0, 1.0, 0.0', target 'setosa'
    with pytest.raises(NNMathError, match=r"first row .*\(5.0, 3.0, 1.0, 0.0, setosa\) looks like data, not column names"):
        sets.load(path)


def test_numbers_that_are_not_among_the_values_below_them_are_names(tmp_path):
    rows = "".join(f"{i}.5,{i * 3}.25,{'a' if i % 2 else 'b'}\n" for i in range(10))
    d = sets.load(_file(tmp_path, "2019,2020,country\n" + rows))  # years over amounts: a header
    assert d.feature_names == ["2019", "2020"] and d.target_name == "country"


def test_pandas_index_column_is_dropped_with_a_note(tmp_path, capsys):
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(_file(tmp_path, "a,b,c,d,species\n" + IRIS_ROWS, "named.csv"))
    frame.to_csv(tmp_path / "with_index.csv")  # pandas' default: the index 0..n-1 as an unnamed first column
    d = sets.load(tmp_path / "with_index.csv")
    assert d.feature_names == ["a", "b", "c", "d"] and d.n_features == 4
    assert "unnamed first column" in capsys.readouterr().err
    pandas.read_csv(tmp_path / "with_index.csv").to_csv(tmp_path / "twice.csv", index=False)  # 'Unnamed: 0'
    assert sets.load(tmp_path / "twice.csv").feature_names == ["a", "b", "c", "d"]


def test_an_unnamed_first_column_of_measurements_is_kept(tmp_path):
    rows = "".join(f"{i % 3}.5,{i},{i % 2}\n" for i in range(12))  # repeats and fractions: not an index
    assert sets.load(_file(tmp_path, ",x,label\n" + rows)).feature_names == ["", "x"]


@pytest.mark.parametrize("command", [["train", "--data", "{p}"], ["predict", "{m}", "{p}"],
                                     ["train", "--data", "/dev/zero"]])
def test_a_fifo_or_device_as_data_is_refused_at_once(tmp_path, capsys, command):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    model = tmp_path / "m.npz"
    assert main(["train", "--data", "xor", "--epochs", "1", "--quiet", "--out", str(model)]) == 0
    capsys.readouterr()
    signal.alarm(20)  # opening the FIFO would block forever: fail instead of hanging the suite
    try:
        code = main([part.format(p=fifo, m=model) for part in command])
    finally:
        signal.alarm(0)
    assert code == 2 and "is not a regular file" in capsys.readouterr().err


def test_a_million_columns_are_refused_at_the_first_row(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{j}" for j in range(1_000_000)) + "\n")
    with pytest.raises(NNMathError, match="longer than 2000000 characters.*raise --max-columns"):
        csvfile.read_table(path)


def _wide(tmp_path):
    """A CSV file of 31 columns (30 features and a label), 40 rows."""
    header = ",".join(f"x{j}" for j in range(30)) + ",label\n"
    rows = "".join(",".join(str((i * j) % 7) for j in range(30)) + f",{i % 2}\n" for i in range(40))
    return _file(tmp_path, header + rows)


def test_the_column_limit_can_be_raised(tmp_path, capsys):
    path = _wide(tmp_path)
    assert main(["train", "--data", str(path), "--epochs", "1", "--quiet", "--max-columns", "10"]) == 2
    assert "31 columns, more than the 10 nnmath reads; if the file is right, raise --max-columns" in capsys.readouterr().err
    assert main(["train", "--data", str(path), "--epochs", "1", "--quiet", "--max-columns", "31"]) == 0


@pytest.mark.parametrize("command", [
    ["explain", "--data", "{p}"],
    ["explain", "--model", "{m}", "--data", "{p}"],
    ["gradcheck", "--data", "{p}", "--entries", "2", "--samples", "5"],
    ["gradcheck", "{m}", "--data", "{p}", "--entries", "2", "--samples", "5"],
    ["vanishing", "--data", "{p}", "--depths", "1", "--activations", "sigmoid", "--inits", "normal", "--remedies",
     "none", "--epochs", "1", "--width", "4", "--n-jobs", "1", "--json"],
])
def test_every_command_that_reads_a_csv_file_can_raise_its_limits(command, tmp_path, capsys):
    path, model = _wide(tmp_path), tmp_path / "m.npz"
    assert main(["train", "--data", str(path), "--epochs", "1", "--quiet", "--max-columns", "31", "--out", str(model)]) == 0
    argv = [part.format(p=path, m=model) for part in command]
    capsys.readouterr()
    assert main([*argv, "--max-columns", "10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "31 columns, more than the 10 nnmath reads; if the file is right, raise --max-columns" in err
    assert main([*argv, "--max-columns", "31"]) == 0
    assert main([*argv, "--max-csv-mb", "1"]) == 0  # a limit of its own, above this file's size


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, capsys):
    path = _file(tmp_path, "a,label\n" + "1,0\n2,1\n" * 300_000)  # 2.3 MB
    assert main(["train", "--data", str(path), "--epochs", "1", "--quiet", "--max-csv-mb", "1"]) == 2
    assert "larger than a CSV file may be (1.0 MiB); if the file is right, raise --max-csv-mb" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "--epochs", "4294967296"], "must be at most 1,000,000"),
    (["train", "--samples", "99999999999"], "must be at most 10,000,000"),
    (["train", "--layers", "30,200000,1"], "a layer has at most 100000 units"),
    (["train", "--layers", "30,20000,20000,1"], "has 400660001 weights and biases"),
    (["data", "xor", "--noise", "1e308"], "must be at most 1000"),
    (["vanishing", "--width", "9999999999999"], "must be at most 100,000"),
    (["vanishing", "--depths", "99999999999999999999999"], "at most 1000 hidden layers"),
    (["vanishing", "--width", "10000", "--depths", "1000"], "nnmath trains networks of at most"),
    (["vanishing", "--learning-rate", "nan"], "expected a finite number"),
    (["vanishing", "--batch-size", "0"], "the batch size must be at least 1"),
    (["vanishing", "--n-jobs", "99999"], "at most 256"),
    (["gradcheck", "--samples", "10000000"], "at most 100,000"),
    (["train", "--seed", "1" * 5000], "is too large"),
])
def test_option_values_beyond_the_machine_are_refused_up_front(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
