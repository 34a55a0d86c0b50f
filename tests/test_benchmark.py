"""The benchmark runs end to end at a tiny size, so it cannot rot. No timing is asserted:
throughputs depend on the machine; only their presence and sign are checked."""
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench  # noqa: E402
import memory  # noqa: E402
import trainers  # noqa: E402

TOOLS = ["nnmath", "scikit-learn", "PyTorch"]
REFERENCES = {"bare NumPy loop", "nnmath NumPy engine"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    code = bench.main(["--tiny", "--repeats", "1", "--out", str(out / "r.json"), "--plot", str(out / "s.png")])
    assert code == 0
    return json.loads((out / "r.json").read_text()), out


def test_every_workload_reports_positive_throughputs_ratios_and_the_limit(report):
    data, _ = report
    assert set(data["workloads"]) == {"W1", "W2", "W3"}
    for name, w in data["workloads"].items():
        rates = w["samples_per_second"]
        assert set(rates) == set(TOOLS) | REFERENCES and all(r > 0 for r in rates.values())
        assert w["matmul_limit_samples_per_second"] > 0
        for tool in TOOLS[1:] + sorted(REFERENCES):
            assert w["nnmath_over"][tool] == pytest.approx(rates["nnmath"] / rates[tool])
        assert w["fraction_of_limit"]["nnmath"] == pytest.approx(rates["nnmath"] / w["matmul_limit_samples_per_second"])
    targets = data["workloads"]["W1"]["targets"]
    assert set(targets) == {"PyTorch", "scikit-learn", "limit"}
    w1 = data["workloads"]["W1"]
    floor = w1["step_matmuls_only_samples_per_second"]
    # what a step of products alone would reach against each peer, and as a fraction of the limit
    assert targets["scikit-learn"]["products_alone"] == pytest.approx(floor / w1["samples_per_second"]["scikit-learn"])
    assert targets["limit"]["products_alone"] == pytest.approx(floor / w1["matmul_limit_samples_per_second"])
    least = w1["step_least_work_samples_per_second"]
    assert targets["scikit-learn"]["least_work"] == pytest.approx(least / w1["samples_per_second"]["scikit-learn"])
    by_round = w1["nnmath_fraction_of_step_least_work_by_round"]
    # --repeats 1: one round, whose pair is also the best of each
    assert len(by_round) == 1 and by_round[0] == pytest.approx(w1["fraction_of_step_least_work"]["nnmath"])
    flow = w1["step_least_work_data_flow_samples_per_second"]
    assert flow > 0 and w1["fraction_of_step_least_work_data_flow"]["nnmath"] == pytest.approx(w1["samples_per_second"]["nnmath"] / flow)
    assert data["workloads"]["W3"]["batch"] == data["workloads"]["W3"]["samples"] == 569  # full batch
    table = bench.markdown_table(data).splitlines()
    assert [row.split(" | ")[0] for row in table[2:5]] == ["| W1", "| W2", "| W3"]
    # W1's products are BLAS-sized: the compiled epoch's blas steps; the seed's small network: its loops
    paths = {name: w["nnmath_path"] for name, w in data["workloads"].items()}
    assert paths == {"W1": "compiled blas steps", "W2": "compiled loops", "W3": "compiled loops"}
    assert [row.split(" | ")[1] for row in table[2:5]] == list(paths.values())


def test_the_report_names_the_machine_and_the_sweep_is_drawn(report):
    data, out = report
    assert data["machine"]["nproc"] >= 1 and data["machine"]["cpu"]
    assert data["machine"]["blas"], "the BLAS NumPy runs on is recorded"
    points = data["sweep"]["batch_sizes"]["points"]
    assert len(points) >= 2 and all(p[t] > 0 for p in points.values() for t in TOOLS)
    # batch 4 on W1's network is 4 x 784 x 256 multiply-adds a product (the loops), batch 16 four times that
    assert {b: p["nnmath path"] for b, p in points.items()} == {"4": "compiled loops", "16": "compiled blas steps"}
    assert (out / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_memory_is_measured_above_the_data_it_must_hold(report):
    m = report[0]["memory"]
    assert m["peak_bytes"] >= m["X_bytes"] + m["model_bytes"] > 0
    assert m["ratio"] == pytest.approx(m["peak_bytes"] / (m["X_bytes"] + m["model_bytes"]))


def test_fit_memory_does_not_copy_the_training_set():
    """Extra memory during a fit on 4,000 x 784 stays well under one copy of X (15.7 MB)."""
    m = memory.fit_peak_memory(samples=4_000)
    assert m["fit_extra_bytes"] < 0.5 * m["X_bytes"]


def test_the_least_work_step_with_data_flow_makes_a_steps_calls_on_a_steps_arrays(monkeypatch):
    """Per step, as the least-work step: 8 products (3 layers: z, ∂E/∂W, and δ W^T above the first),
    a tanh per hidden layer, one exp, one pass over θ; each written into the arrays a real step uses."""
    calls = []
    for name in ("matmul", "tanh", "exp", "subtract"):
        real = getattr(np, name)
        monkeypatch.setattr(np, name, lambda *a, _real=real, _name=name, **k: calls.append((_name, "out" in k)) or _real(*a, **k))
    rate = trainers.step_matmul_limit([20, 8, 6, 3], 4, np.float32, repeats=1, least_work=True, data_flow=True)
    monkeypatch.undo()
    steps = 6  # one before the timing, five timed
    assert rate > 0 and len(calls) == steps * (8 + 2 + 1 + 1)
    assert [name for name, _ in calls[:12]] == ["matmul", "tanh", "matmul", "tanh", "matmul", "exp",
                                                "matmul", "matmul", "matmul", "matmul", "matmul", "subtract"]
    assert all(out for _, out in calls), "every call writes into an array of the step"


def test_the_steps_of_reference_are_timed_in_runs_as_long_as_a_fit(monkeypatch):
    """bench.py times each step of reference as it times a tool: one run of as many steps as a fit
    takes in each round (W1: 2 epochs of ceil(20,000 / 128) = 157 steps), the best of the rounds; and
    the least-work step once more as until 2026-12-08 (5 runs of 20 steps a round), printed beside it."""
    timed, rounds = [], 3
    monkeypatch.setattr(bench, "step_matmul_limit", lambda *a, **k: timed.append(k) or 1.0 + len(timed))
    monkeypatch.setattr(bench, "matmul_limit", lambda *a, **k: 1.0)
    fits = {tool: (lambda *a: (0.5, 0.1)) for tool in [*bench.TRAINERS, *bench.REFERENCES]}
    monkeypatch.setattr(bench, "TRAINERS", {t: f for t, f in fits.items() if t in bench.TRAINERS})
    monkeypatch.setattr(bench, "REFERENCES", {t: f for t, f in fits.items() if t in bench.REFERENCES})
    result = bench.run_workload("W1", bench.WORKLOADS["W1"], rounds, np.random.default_rng(0))
    assert result["steps_timed_a_round"] == trainers.steps_of_a_fit(20_000, 128, 2) == 314
    as_a_fit = [k for k in timed if k.get("runs") == 1]
    assert len(as_a_fit) == 3 * rounds and all(k["repeats"] == 314 for k in as_a_fit)
    assert sum(bool(k.get("least_work")) and not k.get("data_flow") for k in as_a_fit) == rounds
    short = [k for k in timed if "runs" not in k]
    assert len(short) == rounds and all(k["repeats"] == 20 and k["least_work"] for k in short)
    # the best (the largest rate) of each kind over the rounds: the fake's rates grow with each call
    assert result["step_least_work_short_runs_samples_per_second"] == 1.0 + len(timed)
    assert result["step_least_work_samples_per_second"] == 1.0 + len(timed) - 2


def test_flop_count_is_six_per_weight():
    assert trainers.flops_per_sample([784, 256, 128, 10]) == 6 * (784 * 256 + 256 * 128 + 128 * 10)


def test_the_three_tools_learn_the_same_easy_problem():
    """The timed loops really train: each tool takes E well below ln 2 (a guess) on a separable problem."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    for tool, train in {**trainers.TRAINERS, **trainers.REFERENCES}.items():
        seconds, E = train([4, 8, 1], X, y, 16, 10, 1.0)
        assert seconds > 0 and E < 0.4, (tool, E)


def test_the_numpy_engine_reference_trains_without_the_compiled_epoch(monkeypatch):
    from nnmath.engine.compiled import epoch as compiled_epoch

    calls = []
    monkeypatch.setattr(compiled_epoch, "run", lambda *a, **k: calls.append(1))
    X = np.random.default_rng(0).standard_normal((64, 4))
    seconds, E = trainers.train_nnmath_engine([4, 8, 1], X, (X[:, 0] > 0).astype(int), 16, 2, 0.5)
    assert seconds > 0 and np.isfinite(E) and calls == []
    assert compiled_epoch.LARGEST_PRODUCT == 1 << 20  # switched back on


def test_the_bare_loop_takes_the_same_steps_as_nnmath():
    """From the same weights, the reference loop and nnmath's fit land on the same E: the floor
    does the same work (mini-batch SGD, softmax or sigmoid output), only without the bookkeeping."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((96, 5)).astype(np.float64)
    for sizes, y in (([5, 6, 1], rng.integers(0, 2, 96)), ([5, 6, 3], rng.integers(0, 3, 96))):
        import nnmath

        net = nnmath.Network(sizes, seed=0, init=lambda i, o, r: r.standard_normal((i, o)) / np.sqrt(i))
        net.fit(X, y, epochs=3, learning_rate=0.3, batch_size=16, shuffle=False)
        _, E_bare = trainers.train_bare_numpy(sizes, X, y, 16, 3, 0.3, seed=0)
        assert E_bare == pytest.approx(net.error(X, y), rel=1e-9)


def test_the_crossover_table_times_every_path_and_says_which_fit_takes(capsys):
    import crossover

    assert crossover.main(["--quick"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[1:]
    assert len(rows) == 3
    for row in rows:
        loops, blas, engine, ratio = (float(v.replace(",", "").rstrip("x")) for v in row.split()[-5:-1])
        assert loops > 0 and blas > 0 and engine > 0 and ratio == pytest.approx(loops / blas, rel=0.01)
        assert row.endswith("loops")  # all three are under the line: B n n <= 2^20


def test_the_paired_rounds_print_each_ratio_and_their_median(capsys):
    import paired

    assert paired.main(["--rounds", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    ratios = []
    for row in lines[:2]:
        words = row.split()
        first, second, ratio = (float(words[i].replace(",", "")) for i in (2, 4, 6))
        assert words[1] == "compiled" and words[3] == "numpy" and ratio == pytest.approx(first / second, abs=0.006)
        ratios.append(ratio)
    median = re.match(r"compiled / numpy: median (\d+\.\d+), compiled faster in (\d) of 2 rounds", lines[2])
    assert median and float(median.group(1)) == pytest.approx(sum(ratios) / 2, abs=0.006)
    assert int(median.group(2)) == sum(r > 1 for r in ratios) or abs(min(ratios) - 1) < 0.006
    assert paired.main(["--engines", "numpy"]) == 2


def test_the_blas_step_parts_name_every_product_and_kernel_of_a_w1_step(capsys):
    import blas_step_parts
    from nnmath.engine.compiled import blas_epoch

    assert blas_step_parts.main(["--fits", "1"]) == 0
    out = capsys.readouterr().out
    assert blas_epoch.kernels.__name__ == "nnmath.engine.compiled.kernels", "the wrappers were taken off again"
    for part in ("z = a W             784 x 256", "dE/dW = a^T delta   784 x 256", "delta W^T           128 -> 256",
                 "f(z + b)            256 units", "delta^L, E, right decisions", "theta update and the norms"):
        assert part in out, part
    step, calls = (float(v) for v in re.search(r"step +(\d+) µs.*the calls below (\d+) µs", out).groups())
    assert 0 < calls <= step + 1


def test_bad_arguments_give_one_line_and_exit_code_2(capsys):
    assert bench.main(["--workloads", "W9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "W9" in err


def test_compare_times_each_source_tree_and_names_a_broken_one(capsys, tmp_path):
    import compare

    src = str(Path(__file__).resolve().parents[1] / "src")
    assert compare.main(["W3", src, "--rounds", "1", "--fits", "1"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(src) and float(line.split("best")[1].split()[0].replace(",", "")) > 0
    (tmp_path / "nnmath").mkdir()
    (tmp_path / "nnmath" / "__init__.py").write_text("raise ImportError('broken tree')\n")
    assert compare.main(["W3", str(tmp_path), "--rounds", "1", "--fits", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken tree" in err


def test_the_step_floor_times_every_product_of_a_step_and_the_least_step(capsys):
    import step_parts

    assert step_parts.main(["W2", "--floor"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # [30, 16, 1]: z = a W and ∂E/∂W for both layers, δ W^T only above layer 1 (no tool sends δ to X)
    names = [line.split("  ")[1].strip() for line in lines[1:6]]
    assert names == ["z^1 = a^0 W^1", "dE/dW^1 = (a^0)^T δ^1", "z^2 = a^1 W^2", "dE/dW^2 = (a^1)^T δ^2",
                     "δ^2 (W^2)^T"]
    times = [float(line.split()[-3]) for line in lines[1:6]]
    assert float(lines[6].split()[-1]) == pytest.approx(sum(times), abs=0.2)  # the sum, rounded to 0.1 µs
    for line in lines[7:]:
        step_us, rate = float(line.split("µs")[0].split()[-1]), float(line.split("=")[1].split()[0].replace(",", ""))
        assert rate == pytest.approx(32 / step_us * 1e6, rel=0.01)
    assert [line.split("  ")[1].strip() for line in lines[7:]] == ["products back to back",
                                                                   "products + the least other work"]


def test_the_cluster_benchmark_compares_every_number_but_the_times():
    pytest.importorskip("distributed")
    import copy

    import cluster_speedup
    from nnmath.lab import vanishing

    one = vanishing.run("digits", depths=[1], activations=["sigmoid"], inits=["normal"], remedies=["none", "clip"],
                        settings=vanishing.Settings(width=4, epochs=1, probe=20), n_jobs=1, n_samples=100)
    other = copy.deepcopy(one)
    other.runs[0].seconds *= 3  # wall times are not compared
    assert cluster_speedup.worst_difference(one, other) == 0.0
    other.runs[1].train_loss[0] *= 1 + 1e-6
    assert cluster_speedup.worst_difference(one, other) == pytest.approx(1e-6, rel=1e-3)
    other.runs.pop()
    assert cluster_speedup.worst_difference(one, other) == float("inf")


def test_the_step_without_its_parts_prints_each_round_and_the_median_ratios(capsys):
    import step_without
    from nnmath.engine.compiled import blas_epoch

    assert step_without.main(["--rounds", "1", "--samples", "512"]) == 0
    assert blas_epoch.kernels.__name__ == "nnmath.engine.compiled.kernels" and blas_epoch.np is np, "swaps undone"
    lines = capsys.readouterr().out.strip().splitlines()
    micro = {name.strip(): float(value) for name, value in re.findall(r"([a-z.' -]+?) (\d+)(?:,|  µs)", lines[0])}
    assert list(micro) == ["the whole step", "without its kernels", "its products alone", "the least-work step",
                           "bench.py's products alone"] and min(micro.values()) > 0
    medians = {line[:32].strip(): float(line[32:]) for line in lines[2:]}
    for way, value in micro.items():  # one round: each median is that round's ratio (the µs are rounded)
        assert medians[way] == pytest.approx(value / micro["the least-work step"], rel=0.01, abs=0.002)
    assert step_without.main(["--rounds", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_two_core_costs_multiply_by_halves_and_time_the_meetings(capsys):
    import two_core_costs

    assert two_core_costs.main(["--repeats", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 8 and lines[5] == "meeting points, µs:"
    values = [float(line.split()[-1]) for line in lines[1:5] + lines[6:]]
    assert all(v > 0 for v in values)
    assert two_core_costs.main(["--repeats", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_two_windows_time_one_step_both_ways_and_compare_their_bests(capsys):
    import windows

    assert windows.main(["--rounds", "2", "--steps", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    pairs = [tuple(float(v) for v in re.findall(r"(\d+) µs a step", line)) for line in lines[:2]]
    assert all(len(p) == 2 and min(p) > 0 for p in pairs)
    best = re.search(r"(\d+) µs a step in short runs, (\d+) µs in runs as long as a fit: (\d\.\d+)", lines[2])
    assert best and float(best.group(1)) == min(p[0] for p in pairs) and float(best.group(2)) == min(p[1] for p in pairs)
    assert float(best.group(3)) == pytest.approx(float(best.group(1)) / float(best.group(2)), abs=0.01)
    assert windows.main(["--rounds", "0"]) == 2
