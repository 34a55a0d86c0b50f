"""benchmarks/playground_bench.py runs end to end for a second, so it cannot rot. No timing is
asserted: the figures depend on the machine; only their presence and sign are checked."""
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import playground_bench  # noqa: E402


def test_the_benchmark_reports_frames_and_derivation_times(tmp_path):
    out = tmp_path / "r.json"
    assert playground_bench.main(["--seconds", "1", "--clicks", "2", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["frames_per_second"] > 0 and report["steps_per_second"] == report["frames_per_second"] * 50
    for part in ("derivation_paused", "derivation_while_playing"):
        assert report[part]["clicks"] >= 1 and 0 < report[part]["median_ms"] <= report[part]["max_ms"]
    assert report["machine"]["nproc"] >= 1 and report["server_ms_per_frame_median"] > 0
