"""The playground in a real headless browser: Debian's chromium driven by Playwright (never a
downloaded browser). A missing /usr/bin/chromium fails these tests with a message; they are never skipped."""
import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from playwright.sync_api import sync_playwright

from nnmath.io.model import load_model
from nnmath.playground.app import create_app
from nnmath.playground.server import Background, new_token
from nnmath.playground.settings import MAX_SEED

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
FIGURE = Path(__file__).resolve().parents[2] / "docs" / "figures" / "playground.png"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium); "
                    "they never download a browser and are never skipped")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page on a fresh playground server, recording every request and every console error."""

    def __init__(self, browser, query: str = ""):
        self.token = new_token()
        self.app = create_app(self.token)
        self.server = Background(self.app, self.token).__enter__()
        # bypass_csp: Playwright's wait_for_function evaluates strings, which the page's policy forbids
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True,
                                           bypass_csp=True)
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.server.url + query)
        self.page.wait_for_selector("#network .node canvas")
        self.page.wait_for_function("document.getElementById('steps').textContent === '0'")

    @property
    def session(self):
        return self.app.playground.session

    def close(self):
        self.context.close()
        self.server.__exit__(None, None, None)

    def steps(self) -> int:
        return int(self.page.text_content("#steps"))


@pytest.fixture
def page(browser):
    p = Page(browser)
    yield p
    p.close()


def only_loopback(urls, port):
    outside = [u for u in urls if not u.startswith(("data:", "blob:"))
               and (urlparse(u).hostname, urlparse(u).port) != ("127.0.0.1", port)]
    return outside


def test_train_click_a_weight_and_export_in_the_browser(page, tmp_path):
    p = page.page
    p.select_option("#set-learning_rate", "0.1")
    p.wait_for_function("document.querySelector('#set-learning_rate').value === '0.1' && location.search.includes('learning_rate=0.1')")
    first = float(p.get_attribute("#loss-numbers", "data-first-train-loss"))
    p.click("#play")
    p.wait_for_function("Number(document.getElementById('epochs').textContent) >= 5", timeout=30000)
    # settings changed while playing: their replies carry frames, but the play loop keeps one request
    # for an epoch outstanding (it once started a second loop on each of them)
    for rate in ("0.3", "0.1", "0.3", "0.1"):
        p.select_option("#set-learning_rate", rate)
        time.sleep(0.15)
    p.wait_for_function("Number(document.getElementById('epochs').textContent) >= 30", timeout=30000)
    assert p.evaluate("window.nnmathStats.mostAsked") == 1
    p.click("#play")
    p.wait_for_function("!document.getElementById('play').classList.contains('on')")
    time.sleep(0.3)  # the frame asked for before the pause
    p.click("#step")
    p.wait_for_function(f"Number(document.getElementById('steps').textContent) > {page.session.trainer.steps - 1}")
    steps = page.steps()
    assert steps == page.session.trainer.steps and steps > 30 * 25
    p.wait_for_function(f"Number(document.getElementById('loss-numbers').dataset.trainLoss) < {first} * 0.6")
    last = float(p.get_attribute("#loss-numbers", "data-train-loss"))
    assert last == pytest.approx(page.session.records[-1]["train_loss"], rel=1e-12) and last < 0.6 * first
    p.screenshot(path=str(tmp_path / "trained.png"), full_page=True)

    # click the link W2[1,0] and compare the panel's backpropagation value with net.gradients
    p.click("path.hit[data-param='W2[1,0]']", force=True)
    p.wait_for_selector("#math-summary[data-parameter='W2[1,0]'] #math-backprop")
    shown = float(p.get_attribute("#math-backprop", "data-value"))
    s = page.session
    g = s.net.gradients(s.X_train[[0]], s.points.y_train[[0]]).weights[1][1, 0]
    assert shown == pytest.approx(g, rel=1e-12)
    fd = float(p.get_attribute("#math-fd", "data-value"))
    # a central difference of E (ε = 1e-6) is good to about 1e-9 when ŷ is near 0 or 1, not to a
    # relative 1e-5 of a small gradient (this run's path depends on when the α changes land)
    assert fd == pytest.approx(g, rel=1e-5, abs=1e-8)
    assert p.locator("#math-body .katex").count() > 10  # rendered as math, not as source text
    # hovering a line of the derivation outlines the units and links its numbers come from
    p.hover("#math-body .eq.has-refs >> nth=1")
    p.wait_for_function("document.querySelectorAll('#network .from-math').length > 0")
    # ... and hovering one number of a line, the one place that number comes from
    many = p.evaluate("[...document.querySelectorAll('#math-body .eq.has-refs')].findIndex("
                      "(e) => new Set([...e.querySelectorAll('[data-r]')].map((n) => n.dataset.r)).size > 1)")
    assert many >= 0, "no line has numbers from two places"
    line = p.locator("#math-body .eq.has-refs").nth(many)
    for number in (line.locator(".number").first, line.locator(".number").last):
        number.hover()
        outlined = p.evaluate("[...new Set([...document.querySelectorAll('#network .from-math')]"
                              ".map((e) => e.dataset.param || e.dataset.unit))]")
        assert len(outlined) == 1, outlined
    p.screenshot(path=str(tmp_path / "number-hover.png"), full_page=True)
    p.screenshot(path=str(tmp_path / "derivation.png"), full_page=True)
    p.evaluate("window.scrollTo(0, 0)")
    p.screenshot(path=str(tmp_path / "playground.png"))  # what the window shows: the README's figure
    if os.environ.get("NNMATH_WRITE_FIGURES"):  # README's figure, refreshed on purpose, never by a plain test run
        shutil.copy(tmp_path / "playground.png", FIGURE)

    # a bias, for the batch
    p.select_option("#math-sample", "batch")
    p.click(".bias[data-param='b1[2]']")
    p.wait_for_selector("#math-summary[data-parameter='b1[2]']")
    rows = s.trainer.next_rows(s.settings.batch_size)[:8]
    g = s.net.gradients(s.X_train[rows], s.points.y_train[rows]).biases[0][2]
    assert float(p.get_attribute("#math-backprop", "data-value")) == pytest.approx(g, rel=1e-12)

    # export: the file opens in load_model with the session's weights
    with p.expect_download() as download:
        p.click("#export")
    path = tmp_path / "exported.npz"
    download.value.save_as(path)
    net, info = load_model(path)
    np.testing.assert_array_equal(net.theta, s.net.theta)
    assert info["playground"]["learning_rate"] == 0.1

    # the next step written out (a [2, 4, 2, 1] network has 25 weights and biases: within the limit)
    p.click("#step-math")
    p.wait_for_selector("#math-summary[data-parameter='step'] #math-E-new")
    rows = s.trainer.next_rows(s.settings.batch_size)[:8]
    assert float(p.get_attribute("#math-E", "data-value")) == pytest.approx(
        s.net.error(s.X_train[rows], s.points.y_train[rows]), rel=1e-12)

    # the figures as PNG files: four downloads, in an order the browser may change under load
    downloads = []

    def keep(download):
        downloads.append(download)

    p.on("download", keep)
    p.click("#save-png")
    for _ in range(200):
        if len(downloads) == 4:
            break
        p.wait_for_timeout(50)
    figures = {d.suggested_filename: d for d in downloads}
    assert sorted(figures) == [f"playground-{name}.png" for name in ("accuracy-chart", "grad-chart", "loss-chart", "output")]
    figures["playground-output.png"].save_as(tmp_path / "output.png")
    assert (tmp_path / "output.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    p.remove_listener("download", keep)

    # another network, then the exported model loaded back: its settings and weights again
    p.select_option("#set-optimizer", "adam")
    p.click("#add-layer")
    p.wait_for_function("document.querySelectorAll('.layer-activation').length === 3")
    p.set_input_files("#load-model", str(path))
    p.wait_for_function("document.querySelectorAll('.layer-activation').length === 2")
    np.testing.assert_array_equal(page.session.net.theta, net.theta)
    assert page.session.settings.learning_rate == 0.1 and page.session.settings.optimizer == "sgd"

    assert only_loopback(page.requests, page.server.port) == []
    assert page.errors == []


def test_settings_in_the_address_give_the_same_run(browser, tmp_path):
    query = "&data=xor&hidden=5,3&activation=relu,tanh&seed=7&features=x1,x2,x1*x2"
    one = Page(browser, query)
    try:
        assert one.session.net.sizes == [3, 5, 3, 1] and one.session.settings.seed == 7
        one.page.click("#epoch")
        one.page.wait_for_function("Number(document.getElementById('epochs').textContent) === 1")
        theta = one.session.net.theta.copy()
        url = one.page.url
        assert "features=x1%2Cx2%2Cx1*x2" in url or "features=x1,x2,x1*x2" in url.replace("%2C", ",")
        errors = one.errors
    finally:
        one.close()
    two = Page(browser, "&" + url.split("?", 1)[1].split("&", 1)[1])  # the same settings, a new launch
    try:
        two.page.click("#epoch")
        two.page.wait_for_function("Number(document.getElementById('epochs').textContent) === 1")
        np.testing.assert_array_equal(two.session.net.theta, theta)
        # the network's controls: a layer more, and reset replays from the same initial weights
        two.page.click("#add-layer")
        two.page.wait_for_function("document.querySelectorAll('.layer-activation').length === 3")
        assert two.session.net.sizes == [3, 5, 3, 3, 1]
        assert errors == [] and two.errors == []
        assert only_loopback(two.requests, two.server.port) == []
    finally:
        two.close()


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page did not get there in time"
        time.sleep(0.02)


def test_divergence_a_refused_file_and_a_point_added_by_clicking(page, tmp_path):
    p = page.page
    n = len(page.session.points.y_train)
    p.select_option("#add-class", "1")
    p.click("#output", position={"x": 150, "y": 150})
    wait_until(lambda: len(page.session.points.y_train) == n + 1)
    assert page.session.points.X_train[-1] == pytest.approx([0.0, 0.0], abs=0.03)
    assert page.session.points.y_train[-1] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("u,v,label\n1,2,a\n3,oops,b\n4,5,a\n")
    p.set_input_files("#csv-file", str(bad))
    p.wait_for_function("document.querySelector('#csv-target').value === 'label'")
    p.click("#csv-use")
    p.wait_for_selector("#status.error")
    assert "feature column 'v' of bad.csv holds 'oops', which is not a number (row 3)" in p.text_content("#status")
    assert page.session.settings.data == "circle"
    good = tmp_path / "good.csv"
    good.write_text("id,u,v,kind\n" + "".join(f"{i},{i % 7},{(i * 3) % 5},{'a' if i % 7 < 3 else 'b'}\n" for i in range(60)))
    p.set_input_files("#csv-file", str(good))
    p.wait_for_function("document.querySelector('#csv-target').value === 'kind'")
    p.select_option("#csv-x1", "u")
    p.select_option("#csv-x2", "v")
    p.click("#csv-use")
    p.wait_for_function("document.querySelector('#set-data').value === 'csv'")
    assert page.session.points.names == ("u", "v") and p.text_content("#status") == ""
    p.select_option("#set-data", "circle")
    p.wait_for_function("document.querySelector('#set-data').value === 'circle'")
    # an output that does not suit the data is refused with the reason, and the control shows what nnmath holds
    p.select_option("#set-output", "identity_mse")
    p.wait_for_function("document.getElementById('status').textContent.includes('identity output is for regression')")
    p.wait_for_function("document.querySelector('#set-output').value === 'sigmoid_ce'")
    # a regression set: the page picks the identity output with it
    p.select_option("#set-data", "plane")
    p.wait_for_function("document.querySelector('#set-output').value === 'identity_mse'")
    assert page.session.net.output_name == "identity"
    # a learning rate far too large: the page says the run diverged, with the value
    p.select_option("#set-learning_rate", "10")
    p.wait_for_function("location.search.includes('learning_rate=10')")
    p.click("#play")
    p.wait_for_function("document.getElementById('status').textContent.includes('diverged')", timeout=20000)
    text = p.text_content("#status")
    assert "NaN" in text or "∞" in text
    assert not p.locator("#play").evaluate("b => b.classList.contains('on')")
    p.screenshot(path=str(tmp_path / "diverged.png"), full_page=True)
    assert page.errors == [] and only_loopback(page.requests, page.server.port) == []
    json.dumps(page.session.frame(), allow_nan=False)


def test_the_open_derivation_follows_the_network_step_by_step(page):
    # found by a review: with the panel open on W2[1,0], step and epoch moved the network on but
    # the panel kept the numbers of the step it was clicked at (W and ∂E/∂W no longer the network's)
    p, s = page.page, page.session
    p.click("path.hit[data-param='W2[1,0]']", force=True)
    p.wait_for_selector("#math-summary[data-parameter='W2[1,0]'] #math-backprop")
    for button, steps in (("#step", 1), ("#epoch", 25), ("#step", 26)):
        p.click(button)
        p.wait_for_function(f"document.getElementById('steps').textContent === '{steps}'")
        assert s.trainer.steps == steps
        g = float(s.net.gradients(s.X_train[[0]], s.points.y_train[[0]]).weights[1][1, 0])
        new = s.net.weights[1][1, 0] - s.settings.learning_rate * g
        # the panel's backpropagation and new weight become those of the network as it is now
        p.wait_for_function(f"Math.abs(Number(document.getElementById('math-backprop').dataset.value) - ({g!r}))"
                            f" <= 1e-12 * Math.abs({g!r})")
        assert float(p.get_attribute("#math-new", "data-value")) == pytest.approx(new, rel=1e-12)
    # the whole next step follows too
    p.click("#math-step")
    p.wait_for_selector("#math-summary[data-parameter='step'][data-step='26']")
    p.click("#step")
    p.wait_for_selector("#math-summary[data-parameter='step'][data-step='27']")
    assert page.errors == []


def test_a_narrower_window_redraws_the_network_inside_its_panel(page):
    # found by a review: after the window was made narrower (1500 to 900 pixels) the network kept
    # its old width and was drawn over the output's heat map, and the output panel left the window
    p = page.page
    p.set_viewport_size({"width": 900, "height": 800})
    p.wait_for_function("Number(document.querySelector('#network svg').getAttribute('width'))"
                        " === document.getElementById('network').clientWidth")
    network = p.locator("#network-panel").bounding_box()
    for unit in p.locator("#network .node").all():
        box = unit.bounding_box()
        assert network["x"] <= box["x"] and box["x"] + box["width"] <= network["x"] + network["width"]
    output = p.locator("#output").bounding_box()
    assert output["x"] + output["width"] <= 900
    assert p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert page.errors == []


def test_data_sets_picked_faster_than_the_replies_come_keep_training(page):
    # found by a review: flicking through the sets while playing stopped the play with "the identity
    # output is for regression": the moons were asked for with the output of the settings the page
    # last heard of (circle's), while nnmath already held the plane's identity output
    p = page.page
    p.click("#play")
    p.wait_for_function("Number(document.getElementById('epochs').textContent) >= 2")
    p.evaluate("""() => { const s = document.getElementById('set-data');  // one task: no reply in between
        for (const d of ['xor', 'plane', 'moons']) { s.value = d; s.dispatchEvent(new Event('change')); } }""")
    p.wait_for_function("location.search.includes('data=moons')")  # nnmath's reply: the moons' structure
    assert page.session.settings.data == "moons" and page.session.net.output_name == "sigmoid"
    assert p.text_content("#status") == "" and p.evaluate("document.getElementById('play').classList.contains('on')")
    p.click("#play")
    assert page.errors == []


def test_the_seed_field_shows_the_largest_seed(page):
    # found by a review: the seed field (60 pixels, as every number field) cut a 10-digit seed off
    p = page.page
    assert p.get_attribute("#set-seed", "max") == str(MAX_SEED)
    p.fill("#set-seed", str(MAX_SEED))
    p.press("#set-seed", "Enter")
    wait_until(lambda: page.session.settings.seed == MAX_SEED)
    p.wait_for_function(f"location.search.includes('seed={MAX_SEED}')")
    assert p.input_value("#set-seed") == str(MAX_SEED)
    # the digits fit inside the field, beside its spin buttons: nothing scrolled out of sight
    assert p.evaluate("(() => { const i = document.getElementById('set-seed'); i.scrollLeft = 1e6;"
                      " return i.scrollLeft === 0 && i.scrollWidth <= i.clientWidth; })()")
    assert page.errors == []


def test_a_derivation_that_comes_after_the_panel_closed_leaves_it_closed(page):
    # found by a review: a derivation's reply that arrived after the math panel was closed opened
    # the panel again. nnmath is held at its lock so the reply comes late, after the close
    p = page.page
    lock = page.app.playground.lock
    lock.acquire()
    try:
        p.click("path.hit[data-param='W2[1,0]']", force=True)
        p.wait_for_selector("#math:not([hidden])")  # "computing the derivation of W2[1,0] …"
        p.click("#math-close")
        p.wait_for_selector("#math", state="hidden")
        p.click("#step")  # asked after the derivation: its frame comes after the derivation's reply
    finally:
        lock.release()
    p.wait_for_function("document.getElementById('steps').textContent === '1'")
    assert p.locator("#math").is_hidden()
    assert p.get_attribute("#math-summary", "data-parameter") is None and p.text_content("#status") == ""
    # the panel still opens on the next click, with that bias's derivation
    p.click(".bias[data-param='b1[2]']")
    p.wait_for_selector("#math-summary[data-parameter='b1[2]'] #math-backprop")
    assert p.locator("#math").is_visible()
    assert page.errors == []


BUILT_IN_ONLY = ("#set-points", "#set-noise", "#set-classes", "#regenerate")


def test_the_data_controls_a_csv_file_has_no_use_for_are_greyed_while_it_is_the_data(page, tmp_path):
    # found by a review: with an uploaded CSV as the data, points, noise, blob classes and regenerate
    # stayed enabled, and did nothing (the session keeps the file's points; only the network restarted)
    p = page.page
    for control in BUILT_IN_ONLY:
        assert p.is_enabled(control)
    regenerate_title = p.get_attribute("#regenerate", "title")
    good = tmp_path / "good.csv"
    good.write_text("u,v,kind\n" + "".join(f"{i % 7},{(i * 3) % 5},{'a' if i % 7 < 3 else 'b'}\n" for i in range(60)))
    p.set_input_files("#csv-file", str(good))
    p.wait_for_function("document.querySelector('#csv-target').value === 'kind'")
    p.click("#csv-use")
    p.wait_for_function("document.querySelector('#set-data').value === 'csv'")
    for control in BUILT_IN_ONLY:
        assert p.is_disabled(control), control
        shown = p.locator(control).locator("xpath=ancestor-or-self::*[self::label or self::button][1]")
        assert "CSV" in shown.get_attribute("title") and "off" in shown.get_attribute("class"), control
    assert p.is_enabled("#set-train_fraction")  # a CSV file's split is drawn with it, when the file is used
    p.locator("#data-panel").screenshot(path=str(tmp_path / "csv-data.png"))
    # a built-in set again: the controls are back, regenerate with its own title
    p.select_option("#set-data", "blobs")
    p.wait_for_function("location.search.includes('data=blobs')")  # nnmath's reply, the blobs' structure
    for control in BUILT_IN_ONLY:
        assert p.is_enabled(control), control
    assert p.get_attribute("#regenerate", "title") == regenerate_title
    assert p.get_attribute("label:has(#set-points)", "title") is None
    p.fill("#set-classes", "4")
    p.press("#set-classes", "Enter")
    wait_until(lambda: page.session.points.n_classes == 4)
    assert page.errors == []


def test_a_window_narrower_than_the_networks_old_minimum_does_not_scroll_sideways(page, tmp_path):
    # found by a review: below about 680 pixels the network panel's minimum width (420 pixels, and
    # the network drawn at least 360 wide) made the page scroll sideways; the panel now takes the
    # window's width and the network is drawn to it, the math panel's head wrapping inside it
    p = page.page
    p.click(".bias[data-param='b1[2]']")
    p.wait_for_selector("#math-summary[data-parameter='b1[2]'] #math-backprop")
    p.set_viewport_size({"width": 400, "height": 800})
    p.wait_for_function("Number(document.querySelector('#network svg').getAttribute('width'))"
                        " === document.getElementById('network').clientWidth")
    assert p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    network = p.locator("#network-panel").bounding_box()
    assert network["x"] + network["width"] <= 400
    for unit in p.locator("#network .node").all():
        box = unit.bounding_box()
        assert network["x"] <= box["x"] and box["x"] + box["width"] <= network["x"] + network["width"]
    close = p.locator("#math-close").bounding_box()
    assert close["x"] + close["width"] <= network["x"] + network["width"]
    p.locator("#network-panel").screenshot(path=str(tmp_path / "narrow.png"))
    assert page.errors == []
