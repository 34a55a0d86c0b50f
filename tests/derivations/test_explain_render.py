"""The three renderings of a Derivation: Unicode text, Markdown (snapshots), LaTeX (parsed by mathtext).

Refresh the Markdown snapshots after an intended change of wording or layout with

    NNMATH_UPDATE_SNAPSHOTS=1 python -m pytest -q tests/derivations/test_explain_render.py

and read the diff (git diff tests/snapshots) before committing it. Their numbers are checked
independently by test_explain.py / test_explain_step.py, which rebuild the same networks.
"""
from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from matplotlib.mathtext import MathTextParser

import nnmath
from nnmath.cli import main
from nnmath.derivations.render import fill, format_number
from nnmath.derivations.unicode import latex_to_unicode
from test_explain import Reference, assert_every_number

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
XOR_X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
XOR_Y = np.array([1, 1, 0, 0])


@pytest.mark.parametrize("latex,text", [
    (r"\frac{\partial E}{\partial W^{1}_{0,0}}", "∂E/∂W¹[0,0]"),
    (r"\delta^{l}_{k} = f'(z^{l}_{k}) \sum_{r} W^{l+1}_{k,r}\,\delta^{l+1}_{r}", "δˡ[k] = f'(zˡ[k]) Σ_r Wˡ⁺¹[k,r] δˡ⁺¹[r]"),
    (r"S'(z) = S(z)\,(1 - S(z)) \leq 0.25", "S'(z) = S(z) (1 - S(z)) ≤ 0.25"),
    (r"W \leftarrow W - \alpha \frac{\partial E}{\partial W}", "W ← W - α ∂E/∂W"),
    (r"\frac{1 - y}{1 - \hat{y}}", "(1 - y)/(1 - ŷ)"),
    (r"E^{(3)} = -\ln \hat{y}", "E⁽³⁾ = -ln ŷ"),
    (r"\delta^{3} (W^{3})^{\top}", "δ³ (W³)ᵀ"),
    (r"e^{-z}", "e^(-z)"),
    # the recursive form's layer h (was δ^h[q] = f'(z^h[q]) Σ_r W^(h+1)[q,r] δ^(h+1)[r])
    (r"\delta^{h}_{q} = f'(z^{h}_{q}) \sum_{r} W^{h+1}_{q,r}\,\delta^{h+1}_{r}", "δʰ[q] = f'(zʰ[q]) Σ_r Wʰ⁺¹[q,r] δʰ⁺¹[r]"),
])
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_unknown_latex_is_an_error_not_silent_garbage():
    with pytest.raises(ValueError, match=r"unknown LaTeX command \\oint"):
        latex_to_unicode(r"\oint f")
    with pytest.raises(ValueError, match="unbalanced"):
        latex_to_unicode(r"\frac{a}{b")


def test_numbers_are_parenthesised_when_negative_after_an_operator():
    assert fill("@ - @ = @", ["0.5", "-0.25", "0.75"]) == "0.5 - (-0.25) = 0.75"
    assert fill("[@, @]", ["-1", "-2"]) == "[-1, -2]"
    assert format_number(-0.0) == "0" and format_number(1 / 3) == "0.3333" and format_number(1.5e-7) == "1.5e-07"


def derivations():
    """Derivations of every kind: the snapshot cases (sigmoid, softmax and squared-error outputs, the
    recursive δ form, a worked step) and the other activations' f' lines, identity outputs, steps."""
    for make in SNAPSHOT_CASES.values():
        yield make()
    for hidden in (["relu", "softsign"], ["leaky_relu", "identity"]):
        net = nnmath.Network([2, 2, 2, 2], activation=hidden, output="identity", seed=5)
        yield nnmath.explain(net, XOR_X[:2], [[0.5, -1.0], [2.0, 0.0]], "W1[1,1]")
        yield nnmath.explain_step(net, XOR_X[:3], np.ones((3, 2)), 0.1)
    yield nnmath.explain(nnmath.Network([3, 1], seed=0), [0.2, 1e-3, -4.0], [1], "W1[2,0]")


def shape(latex: str) -> str:
    """The equation with every number replaced by 0: parsing depends only on this."""
    return re.sub(r"\d+(\.\d+)?", "0", latex)


def test_every_equation_and_inline_formula_parses_as_mathtext():
    parser = MathTextParser("path")
    shapes = set()
    for d in derivations():
        latex = d.to_latex()
        for equation in d.equations():
            assert rf"\[ {equation} \]" in latex
            shapes.add(shape(equation))
        shapes |= {shape(inline) for inline in re.findall(r"\$([^$]+)\$", latex)}
        assert "\\" not in d.to_text(), "LaTeX left in the terminal text"
        assert latex.count("{") == latex.count("}")
    for equation in sorted(shapes):
        parser.parse(f"${equation}$")
    assert len(shapes) > 150


def test_latex_escapes_prose_and_jupyter_gets_math():
    d = nnmath.explain(nnmath.Network([2, 2, 1], seed=0), [1.0, 0.0], [1], "W1[0,0]")
    latex = d.to_latex()
    assert latex.startswith(r"\subsection*{How $E$ depends on $W^{1}_{0,0}$")
    assert r"75\% per sigmoid layer" in latex and r"\paragraph{5. The product: the gradient}" in latex
    jupyter = d._repr_latex_()
    assert "$$W^{1}_{0,0} = 0.3355$$" in jupyter and "(net.gradients)" in jupyter and "\\texttt" not in jupyter
    assert r"(\texttt{net.gradients})" in latex
    assert d._repr_markdown_() == d.to_markdown() and "$$\nW^{1}_{0,0} = 0.3355\n$$" in d.to_markdown()
    assert str(d) == d.to_text() == d.render("text")
    with pytest.raises(nnmath.NNMathError, match="choose text, markdown or latex"):
        d.render("html")


def test_numbers_in_prose_are_math_mode_in_latex_and_markdown():
    """A tiny ratio in prose (the error "arrives 5.782e-05 times as large") was written
    5.782 \\times 10^{-5} outside $...$ in LaTeX, which takes \\times and ^ in math mode only."""
    deep = nnmath.explain(nnmath.Network([2, 4, 4, 4, 4, 4, 1], seed=0), XOR_X[0], [1], "W1[0,0]")
    line = next(l for l in deep.to_latex().splitlines() if "times as large" in l)
    assert re.search(r"\$\d\.\d+ \\times 10\^\{-\d+\}\$ times as large", line), line
    assert line in deep.to_markdown() and "e-0" not in deep.to_markdown()
    for d in [deep, *derivations()]:
        for latex in (d.to_latex(), d.to_latex(jupyter=True)):
            text_mode = re.sub(r"\\\[.*?\\\]|\$\$.*?\$\$|\$[^$]*\$", "", latex)
            assert "\\times" not in text_mode and "^" not in text_mode, text_mode


def test_latex_prose_has_no_bare_angle_brackets():
    """LaTeX's default text font prints < and > as ¡ and ¿: "Layer 1 (hidden): 2 -> 2 units" came out
    as "2 -¿ 2 units"; the LaTeX says 2 $\\to$ 2 units (the text and Markdown keep ->)."""
    for d in derivations():
        text_mode = re.sub(r"\\\[.*?\\\]|\$[^$]*\$", "", d.to_latex())
        assert "<" not in text_mode and ">" not in text_mode
    d = SNAPSHOT_CASES["step_xor_2-2-1"]()
    assert r"Layer 1 (hidden): 2 $\to$ 2 units" in d.to_latex() and "2 -> 2 units" in d.to_text()


SNAPSHOT_CASES = {
    "xor_2-2-1_W1_0_0": lambda: nnmath.explain(nnmath.Network([2, 2, 1], seed=0), XOR_X[0], XOR_Y[:1], "W1[0,0]"),
    "softmax_2-3-3_b1_2_batch": lambda: nnmath.explain(
        nnmath.Network([2, 3, 3], activation="tanh", seed=1), XOR_X[:2], [2, 0], "b1[2]", learning_rate=0.5),
    "mse_sigmoid_2-2-2-1_W2_1_0": lambda: nnmath.explain(
        nnmath.Network([2, 2, 2, 1], output="sigmoid", loss="mse", seed=2), XOR_X[2], [0], "W2[1,0]"),
    "deep_2-3-3-3-1_W1_0_1": lambda: nnmath.explain(nnmath.Network([2, 3, 3, 3, 1], seed=1), XOR_X[0], [1], "W1[0,1]"),
    "step_xor_2-2-1": lambda: nnmath.explain_step(nnmath.Network([2, 2, 1], seed=0), XOR_X, XOR_Y, 0.5),
}


@pytest.mark.parametrize("name", sorted(SNAPSHOT_CASES))
def test_markdown_snapshots(name):
    markdown = SNAPSHOT_CASES[name]().to_markdown()
    path = SNAPSHOTS / f"{name}.md"
    if os.environ.get("NNMATH_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; create it with NNMATH_UPDATE_SNAPSHOTS=1"
    text, numbers = split_numbers(markdown)
    snapshot_text, snapshot_numbers = split_numbers(path.read_text(encoding="utf-8"))
    assert text == snapshot_text, f"{path.name} changed; see the module docstring"
    # The finite difference (E(w + ε) - E(w - ε)) / 2ε is exact to about 1e-6 of itself, and its 6th digit
    # moves with the CPU's exp and log (AMD EPYC against Intel Xeon): the numbers are held to 1e-5.
    np.testing.assert_allclose(numbers, snapshot_numbers, rtol=1e-5, atol=1e-12, err_msg=path.name)


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def split_numbers(text: str) -> tuple[list[str], list[float]]:
    """The text between the numbers, and the numbers (the digits in LaTeX's commands and indices included)."""
    return NUMBER.split(text), [float(x) for x in NUMBER.findall(text)]


def test_snapshots_are_held_to_their_words_and_to_their_numbers_within_rounding():
    """The comparison above can fail: a changed word, a changed index, a number off by more than rounding."""
    text, numbers = split_numbers(r"= -6.60058 \times 10^{-5}, W^{1}_{0,1}")
    assert numbers == [-6.60058, 10.0, -5.0, 1.0, 0.0, 1.0]
    assert split_numbers(r"= -6.60059 \times 10^{-5}, W^{1}_{0,1}")[0] == text
    assert split_numbers(r"= -6.60058 \times 10^{-5}, W^{2}_{0,1}")[1] != numbers
    assert not np.allclose(split_numbers(r"= -6.61058 \times 10^{-5}")[1], numbers[:3], rtol=1e-5, atol=1e-12)


def test_snapshot_numbers_are_checked_independently():
    """The snapshots' numbers are the ones the by-hand reference recomputes (same networks)."""
    net = nnmath.Network([2, 3, 3], activation="tanh", seed=1)
    d = SNAPSHOT_CASES["softmax_2-3-3_b1_2_batch"]()
    assert_every_number(d, Reference(net, XOR_X[:2], net.encode([2, 0]), "b1[2]"), 0.5)
    net = nnmath.Network([2, 3, 3, 3, 1], seed=1)
    assert_every_number(SNAPSHOT_CASES["deep_2-3-3-3-1_W1_0_1"](), Reference(net, XOR_X[:1], [[1.0]], "W1[0,1]"), 0.1)


def test_the_readme_example_is_what_the_command_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```text\n\$ (nnmath explain[^\n]*)\n(.*?)```", readme, re.S)
    assert match, "README.md has no ```text block starting with '$ nnmath explain'"
    command, shown = match.group(1), match.group(2)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(command.split()[1:]) == 0
    assert shown == out.getvalue()
    # and its numbers are the network's: the gradient by hand equals the one printed
    net = nnmath.Network([2, 2, 1], seed=0)
    ref = Reference(net, XOR_X[:1], [[1.0]], "W1[0,0]")
    assert f"∂E/∂W¹[0,0] = {format_number(ref.grad(), 6)} (chain rule)" in shown


def test_numbers_just_below_one_keep_their_distance_to_one():
    # a saturated sigmoid: S(10) = 0.9999546, S'(10) = 4.54e-05; "1 · (1 - 1)" would not be 4.54e-05
    assert format_number(0.9999546021312976) == "0.9999546" and format_number(-0.99966459) == "-0.9996646"
    assert format_number(0.98) == "0.98" and format_number(0.9) == "0.9" and format_number(1.0) == "1"
    net = nnmath.Network([1, 1, 1], seed=0)
    net.layers[0].W = np.array([[10.0]])
    text = nnmath.explain(net, [1.0], [1], "W1[0,0]").to_text()
    assert "0.9999546 · (1 - 0.9999546) = 4.54e-05" in text


def test_fractions_read_right_in_text():
    assert latex_to_unicode(r"\frac{E(W + \varepsilon) - E(W - \varepsilon)}{2\varepsilon}") == "(E(W + ε) - E(W - ε))/(2ε)"
    assert latex_to_unicode(r"E = \frac{1}{2}(\hat{y} - y)^{2}") == "E = ½(ŷ - y)²"
    assert latex_to_unicode(r"\frac{\partial E}{\partial \hat{y}_{0}}") == "∂E/∂ŷ[0]"


def test_a_tiny_tanh_value_squared_is_valid_latex():
    from matplotlib.mathtext import MathTextParser

    net = nnmath.Network([1, 1, 1], activation="tanh", seed=0)
    net.layers[0].W = np.array([[1e-5]])  # tanh(z¹) ≈ 1e-05, printed as 1 \times 10^{-5}
    latex = nnmath.explain(net, [1.0], [1], "W1[0,0]").to_latex()
    line = next(l for l in latex.splitlines() if r"\tanh^{2}" in l)
    assert r"1 - (1 \times 10^{-5})^{2}" in line
    equation = line.strip().removeprefix(r"\[").removesuffix(r"\]").strip()
    MathTextParser("agg").parse(f"${equation}$")  # a double superscript (10^{-5}^{2}) would not parse


@pytest.mark.parametrize("value, digits, shown", [(0.001, 2, "0.001"), (0.0123, 2, "0.012"), (0.05, 1, "0.05"),
                                                   (0.0, 1, "0"), (-0.0, 2, "0"), (0.95, 1, "0.95"), (0.5, 1, "0.5")])
def test_few_digits_still_show_every_number(value, digits, shown):
    assert format_number(value, digits) == shown


def test_a_one_over_m_before_a_sum_or_a_bracket_is_bracketed_in_text():
    assert latex_to_unicode(r"\frac{1}{m} \sum_{i} x = \frac{1}{3}(a + b)") == "(1/m) Σ_i x = (1/3)(a + b)"
    assert latex_to_unicode(r"-\frac{1}{0.7} + 2") == "-1/0.7 + 2"  # nothing follows that it multiplies
    assert latex_to_unicode(r"\frac{1}{(1 + |z|)^{2}}") == "1/(1 + |z|)²"
