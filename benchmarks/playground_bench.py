"""The playground's speed in a real browser: frames per second while training, and how long a
clicked weight's derivation takes to appear.

    python benchmarks/playground_bench.py --out benchmarks/playground_results.json

The issue's workload: 6 hidden layers x 8 tanh units, 500 training points (1000 points, half for
training), every neuron's heat map drawn each frame; one frame is one epoch (50 steps of 10
samples). The server runs in a thread of this process, the page in Debian's chromium
(headless, through Playwright). Frames per second = epochs shown / seconds of play (the page
asks for the next epoch only once it has drawn the last). The derivation's time is measured in
the page, from the click's handler to the rendered KaTeX, for ``--clicks`` different weights,
first paused, then while training plays. No timing is asserted anywhere; these are figures.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from nnmath.playground.app import create_app  # noqa: E402
from nnmath.playground.server import Background, new_token  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WORKLOAD = "&hidden=8,8,8,8,8,8&activation=tanh,tanh,tanh,tanh,tanh,tanh&points=1000&train_fraction=0.5&batch_size=10"


def machine() -> dict:
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")), "")
    except OSError:
        cpu = platform.processor()
    import os

    return {"cpu": cpu, "nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def epochs(page) -> int:
    return int(page.text_content("#epochs"))


def play_for(page, seconds: float) -> tuple[float, float]:
    """Frames per second over ``seconds`` of play, and the page's mean milliseconds to draw one."""
    page.click("#play")
    page.wait_for_function("Number(document.getElementById('epochs').textContent) >= 3")  # warmed up
    drawn = page.evaluate("[window.nnmathStats.drawMs, window.nnmathStats.drawn]")
    start, t0 = epochs(page), time.perf_counter()
    time.sleep(seconds)
    end, t1 = epochs(page), time.perf_counter()
    drawn_after = page.evaluate("[window.nnmathStats.drawMs, window.nnmathStats.drawn]")
    page.click("#play")
    time.sleep(0.3)
    draw_ms = (drawn_after[0] - drawn[0]) / max(1, drawn_after[1] - drawn[1])
    return (end - start) / (t1 - t0), draw_ms


def click_times(page, clicks: int) -> list[float]:
    """Milliseconds from a click on a weight to its derivation on screen, one per click."""
    names = page.eval_on_selector_all("path.hit", "els => els.map(e => e.dataset.param)")
    before = len(page.evaluate("window.nnmathStats.derivationMs"))
    for i in range(clicks):
        name = names[(i * 7) % len(names)]
        page.click(f"path.hit[data-param='{name}']", force=True)
        page.wait_for_function(f"window.nnmathStats.derivationMs.length >= {before + i + 1}")
    return page.evaluate("window.nnmathStats.derivationMs").__getitem__(slice(before, None))


def summary(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {"median_ms": ordered[len(ordered) // 2], "max_ms": ordered[-1], "clicks": len(ordered)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of play measured (default 10)")
    parser.add_argument("--clicks", type=int, default=20, help="weights clicked (default 20)")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    token = new_token()
    app = create_app(token)
    served: list[float] = []  # seconds the server spends on each message (in its worker thread)
    replies = app.playground.replies

    def timed(text):
        t = time.perf_counter()
        out = replies(text)
        served.append(time.perf_counter() - t)
        return out

    app.playground.replies = timed
    with Background(app, token) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # bypass_csp: Playwright's wait_for_function evaluates strings, which the page's policy forbids
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, bypass_csp=True)
        page.goto(server.url + WORKLOAD)
        page.wait_for_function("document.querySelectorAll('#network .node').length === 2 + 48 + 1")
        session = app.playground.session
        assert session.net.sizes == [2, 8, 8, 8, 8, 8, 8, 1] and len(session.X_train) == 500
        served.clear()
        fps, draw_ms = play_for(page, args.seconds)
        server_ms = 1000 * sorted(served)[len(served) // 2]
        paused = click_times(page, args.clicks)
        page.click("#play")
        playing = click_times(page, max(1, args.clicks // 2))
        page.click("#play")
        browser.close()
    report = {"machine": machine(), "workload": "[2, 8x6, 1] tanh, 500 training points, batch 10, one epoch a frame",
              "frames_per_second": fps, "steps_per_second": fps * 50,
              "server_ms_per_frame_median": server_ms, "page_draw_ms_per_frame_mean": draw_ms,
              "load_average": list(__import__("os").getloadavg()),
              "derivation_paused": summary(paused), "derivation_while_playing": summary(playing)}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
