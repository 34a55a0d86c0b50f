r"""The terminal form of the derivations' LaTeX: ``\frac{\partial E}{\partial W^{1}_{0,0}}`` prints
as ∂E/∂W¹[0,0]. Superscripts become superscript digits, subscripts the seed's ``[j,k]`` unit
indices, fractions a/b with brackets where a term needs them. Only the subset the derivations
write is understood; anything else raises, so a template that strays is caught by the tests.
"""
from __future__ import annotations

import re

SYMBOLS = {
    "partial": "∂", "delta": "δ", "alpha": "α", "varepsilon": "ε", "theta": "θ", "sum": "Σ", "prod": "Π",
    "ln": "ln", "exp": "exp", "tanh": "tanh", "max": "max", "ldots": "…", "dots": "…", "top": "ᵀ", " ": " ",
    "left": "", "right": "", ",": " ", "!": "", "{": "{", "}": "}", "|": "‖",
}
BINARY = {"cdot": "·", "times": "×", "leftarrow": "←", "approx": "≈", "leq": "≤", "geq": "≥",
          "odot": "⊙", "to": "→", "neq": "≠", "in": "∈", "quad": " ", ";": " ", "Rightarrow": "⇒"}
SUPERSCRIPT = dict(zip("0123456789+-()=ilLTnmkh", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾⁼ⁱˡᴸᵀⁿᵐᵏʰ"))
SUPERSCRIPT["ᵀ"] = "ᵀ"
SUPERSCRIPT["'"] = "'"
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\{)|(\})|([\^_])|(\s+)|(.)", re.S)


class _Parser:
    """Recursive descent over the subset: commands, {groups}, ^ and _ scripts, plain characters."""

    def __init__(self, source: str):
        self.tokens = [m for m in _TOKEN.finditer(source)]
        self.i = 0
        self.source = source

    def group(self) -> str:
        """The next argument: a {group} or a single token, converted."""
        while self.i < len(self.tokens) and self.tokens[self.i].group(5):
            self.i += 1
        if self.i >= len(self.tokens):
            raise ValueError(f"missing argument in {self.source!r}")
        if self.tokens[self.i].group(2):
            self.i += 1
            return self.sequence(until_close=True)
        return self.sequence(single=True)

    def sequence(self, until_close: bool = False, single: bool = False) -> str:
        out = ""
        while self.i < len(self.tokens):
            m = self.tokens[self.i]
            self.i += 1
            command, open_, close, script, space, char = m.groups()
            if close:
                if until_close:
                    return out
                raise ValueError(f"unbalanced }} in {self.source!r}")
            if open_:
                out += self.sequence(until_close=True)
            elif script:
                out = self._script(out, script, self.group())
            elif space:
                out += " "
            elif char:
                out += char
            else:
                out = self._command(out, command)
            if single:
                return out
        if until_close:
            raise ValueError(f"unbalanced {{ in {self.source!r}")
        return out

    def _factor_follows(self) -> bool:
        """Whether the next token (past spaces) starts a factor the fraction multiplies: ( or Σ."""
        j = self.i
        while j < len(self.tokens) and self.tokens[j].group(5):
            j += 1
        return j < len(self.tokens) and (self.tokens[j].group(6) == "(" or self.tokens[j].group(1) == "sum")

    def _skip_space(self) -> None:
        while self.i < len(self.tokens) and self.tokens[self.i].group(5):
            self.i += 1

    def _command(self, out: str, name: str) -> str:
        if name in ("frac", "dfrac"):
            top, bottom = self.group(), self.group()
            if (top.strip(), bottom.strip()) in (("1", "2"), ("1", "4")):
                return out + {"2": "½", "4": "¼"}[bottom.strip()]  # ½(ŷ - y)², not 1/2(ŷ - y)²
            if top.strip() == "1" and self._factor_follows():  # (1/m) Σ ..., (1/3)(a + b): not 1/3(a + b)
                return out + "(1/" + _wrap(bottom, implicit_product=True) + ")"
            return out + _wrap(top) + "/" + _wrap(bottom, implicit_product=True)
        if name == "hat":
            arg = self.group()
            return out + ("ŷ" if arg == "y" else arg + "\u0302")
        if name in ("text", "mathrm", "operatorname", "mathbf"):
            return out + self.group()
        if name in BINARY:
            return out + BINARY[name]
        if name in SYMBOLS:
            if name == "partial":
                self._skip_space()  # ∂E, not ∂ E
            return out + SYMBOLS[name]
        raise ValueError(f"unknown LaTeX command \\{name} in {self.source!r}")

    @staticmethod
    def _script(out: str, kind: str, arg: str) -> str:
        if kind == "^":
            if arg and all(ch in SUPERSCRIPT for ch in arg):
                return out + "".join(SUPERSCRIPT[ch] for ch in arg)
            return out + ("^" + arg if len(arg) == 1 else f"^({arg})")
        if out.endswith(("Σ", "Π", "max")):
            return out + "_" + arg + " "
        return out + f"[{arg}]"


def _wrap(text: str, implicit_product: bool = False) -> str:
    """``text`` in parentheses when it is more than one term; a denominator also when it is a
    product written without a sign (2ε: x/(2ε), not x/2ε)."""
    text = text.strip()
    if _one_bracket(text):
        return text  # (1 + |z|)² is already one term
    several = re.search(r"[\s+\-·×/]", text.lstrip("-")) or (implicit_product and re.match(r"\d+[^\d.]", text))
    return f"({text})" if several else text


def _one_bracket(text: str) -> bool:
    """Whether ``text`` is one bracket, (...), followed by nothing but superscript digits."""
    if not text.startswith("("):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹" for c in text[i + 1:])
    return False


def latex_to_unicode(source: str) -> str:
    """The terminal form of a LaTeX equation of the subset above (raises on anything else)."""
    return re.sub(r" {2,}", " ", _Parser(source).sequence()).strip()
