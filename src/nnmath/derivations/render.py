r"""A Derivation and how it is printed: plain Unicode text, Markdown or LaTeX.

A derivation is a title and numbered sections of lines. Each line is prose or an equation,
written once as a template in a small subset of LaTeX in which every number is a placeholder
``@`` bound to a named quantity (``("z", sample, layer, unit)``, ``("W", layer, j, k)``, ...).
The numbers live in one table, ``Derivation.values``, so they are computed once, printed the
same way in every format, and a test can recompute each of them independently.

The LaTeX subset is what both matplotlib's mathtext and a real LaTeX accept; for the terminal it
is turned into Unicode (``\frac{\partial E}{\partial W^{1}_{0,0}}`` prints as ∂E/∂W¹[0,0]):
superscripts become superscript digits, subscripts become the seed's ``[j,k]`` unit indices.
"""
from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from typing import Hashable

from nnmath.derivations.unicode import latex_to_unicode
from nnmath.errors import NNMathError, is_whole_number

Key = Hashable
PLACEHOLDER = "@"
TEXT_WIDTH = 100  # prose lines of the terminal text are wrapped to this width
NO_BREAK = "\u00a0"


@dataclass
class Line:
    """One printed line: ``kind`` is "math" (a LaTeX equation) or "text" (prose, inline $math$)."""

    kind: str
    template: str
    keys: tuple = ()


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)

    def text(self, template: str, *keys: Key) -> None:
        self.lines.append(Line("text", template, keys))

    def math(self, template: str, *keys: Key) -> None:
        self.lines.append(Line("math", template, keys))


def check_digits(digits: object) -> None:
    """Significant digits a derivation prints: a whole number from 1 to 17 (float64 holds 17)."""
    if not (is_whole_number(digits) and 1 <= digits <= 17):  # type: ignore[operator]
        raise NNMathError(f"digits must be a whole number from 1 to 17, got {digits!r}")


def format_number(value: float, digits: int = 4) -> str:
    """``digits`` significant digits, no trailing zeros: 0.2475, -0.3775, 1.234e-05, 0.

    A number just below 1 in size keeps ``digits`` significant digits of its distance to 1, so
    that a printed 1 - a (a saturated sigmoid, ŷ near 1) is what the line goes on to compute:
    0.9996646, not 0.9997 (whose 1 - 0.9997 = 0.0003 is not the 0.0003354 beside it).
    """
    gap = 1.0 - abs(value)
    if abs(value) >= 0.9 and 0.0 < gap < 10.0 ** (2 - digits):
        decimals = min(17, -math.floor(math.log10(gap)) + digits - 1)
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.{digits}g}"
    return "0" if text in ("-0", "0", "") else text


def _latex_number(text: str) -> str:
    """1.234e-05 -> 1.234 \\times 10^{-5}."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _prose_numbers(template: str, texts: list[str]) -> list[str]:
    """A prose line's numbers for Markdown and LaTeX: inside its $math$ in LaTeX form; outside, a number
    with an exponent as $1.234 \\times 10^{-5}$, since LaTeX takes \\times and ^ in math mode only."""
    out, inside = [], False
    for before, text in zip(template.split(PLACEHOLDER), texts):
        inside ^= before.count("$") % 2 == 1
        latex = _latex_number(text)
        out.append(latex if inside or latex == text else f"${latex}$")
    return out


def fill(template: str, numbers: list[str]) -> str:
    """Put the formatted numbers into the ``@`` places; a negative number is parenthesised
    unless it opens an expression (after =, (, [, {, a comma or at the start)."""
    parts = template.split(PLACEHOLDER)
    if len(parts) - 1 != len(numbers):
        raise ValueError(f"template has {len(parts) - 1} places for {len(numbers)} numbers: {template!r}")
    out = [parts[0]]
    for number, rest in zip(numbers, parts[1:]):
        before = "".join(out).rstrip()
        opens = not before or before[-1] in "=([{,:|" or before.endswith((r"\quad", r"\;"))
        out.append(number if opens or not number.startswith("-") else f"({number})")
        out.append(rest)
    return "".join(out)


def _inline(text: str, convert) -> str:
    """Apply ``convert`` to every $...$ of a prose line."""
    return re.sub(r"\$([^$]*)\$", lambda m: convert(m.group(1)), text)


# < and > are ¡ and ¿ in LaTeX's default (OT1) text font: "2 -> 2 units" is written with an arrow
_LATEX_SPECIAL = {"%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_", "<": r"\textless{}", ">": r"\textgreater{}"}


def _escape_prose(text: str, jupyter: bool = False) -> str:
    """Prose for LaTeX: $math$ kept, `code` in \\texttt, the characters LaTeX reserves escaped.
    For Jupyter (MathJax typesets only the math) the prose stays as it is, without backticks."""
    if jupyter:
        return text.replace("`", "")
    out = []
    for piece in re.split(r"(\$[^$]*\$|`[^`]*`)", text):
        if piece.startswith("$"):
            out.append(piece)
            continue
        escaped = "".join(_LATEX_SPECIAL.get(c, c) for c in piece.strip("`")).replace(r"-\textgreater{}", r"$\to$")
        out.append(rf"\texttt{{{escaped}}}" if piece.startswith("`") else escaped)
    return "".join(out)


@dataclass
class Derivation:
    """A worked derivation with the network's own numbers; print it, or ask for another format.

    ``values`` maps each quantity's key to its value: every number the derivation prints.
    The other fields (``gradient``, ``backprop``, ...) are set by ``explain``/``explain_step``.
    """

    title: str
    sections: list[Section]
    values: dict
    digits: int = 4
    summary: dict = field(default_factory=dict)

    def numbers(self, line: Line, latex: bool = False) -> list[str]:
        """The line's numbers as text; ``latex``: as Markdown and LaTeX take them (see _prose_numbers)."""
        texts = [format_number(self.values[k], self.digits + 2 if k[0] == "precise" else self.digits) for k in line.keys]
        if not latex:
            return texts
        return [_latex_number(t) for t in texts] if line.kind == "math" else _prose_numbers(line.template, texts)

    def equations(self) -> list[str]:
        """Every equation as LaTeX with its numbers in place (one line each)."""
        return [fill(line.template, self.numbers(line, latex=True))
                for s in self.sections for line in s.lines if line.kind == "math"]

    def to_text(self) -> str:
        title = _inline(self.title, latex_to_unicode)
        out = [title, "=" * len(title)]
        for number, s in enumerate(self.sections, 1):
            out += ["", f"{number}. {_inline(s.title, latex_to_unicode)}"]
            for line in s.lines:
                filled = fill(line.template, self.numbers(line))
                if line.kind == "math":
                    out.append("   " + latex_to_unicode(filled))
                else:  # prose is wrapped; equations are never broken
                    keep = _inline(filled, lambda m: latex_to_unicode(m).replace(" ", NO_BREAK))  # formulas stay whole
                    out += [w.replace(NO_BREAK, " ") for w in textwrap.wrap(
                        keep, TEXT_WIDTH, initial_indent="   ", subsequent_indent="   ", break_on_hyphens=False)]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        out = [f"## {self.title}"]
        for number, s in enumerate(self.sections, 1):
            out += ["", f"### {number}. {s.title}", ""]
            for line in s.lines:
                filled = fill(line.template, self.numbers(line, latex=True))
                out += ["$$", filled, "$$"] if line.kind == "math" else [filled, ""]
        return "\n".join(out).rstrip() + "\n"

    def to_latex(self, jupyter: bool = False) -> str:
        """A LaTeX fragment (\\paragraph and \\[ \\]); ``jupyter=True`` uses $$ and plain headings."""
        out = [self.title if jupyter else rf"\subsection*{{{_escape_prose(self.title)}}}"]
        for number, s in enumerate(self.sections, 1):
            heading = f"{number}. {s.title}"
            out += ["", heading if jupyter else rf"\paragraph{{{_escape_prose(heading)}}}"]
            for line in s.lines:
                filled = fill(line.template, self.numbers(line, latex=True))
                if line.kind == "math":
                    out.append(f"$${filled}$$" if jupyter else rf"\[ {filled} \]")
                else:
                    out += [_escape_prose(filled, jupyter)] + ([] if jupyter else [""])
        return "\n".join(out) + "\n"

    def render(self, format: str = "text") -> str:
        """``format`` is "text", "markdown" or "latex"."""
        renderers = {"text": self.to_text, "markdown": self.to_markdown, "latex": self.to_latex}
        if format not in renderers:
            raise NNMathError(f"unknown format {format!r}; choose text, markdown or latex")
        return renderers[format]()

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        return self.to_latex(jupyter=True)
