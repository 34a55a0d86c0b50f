"""The math panel: ``nnmath.explain`` and ``nnmath.explain_step`` on the session's network, as JSON.

A derivation goes to the page as its sections of lines, each line LaTeX with the numbers filled
in (the page renders it with KaTeX), plus the values to set side by side: the chain rule's
result, backpropagation's ``net.gradients`` and the central finite difference. What the
derivations do not cover is said in one plain line (``notes``), never left out silently.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from nnmath.derivations.explain import MAX_SAMPLES, explain
from nnmath.derivations.render import Derivation, fill
from nnmath.derivations.step import explain_step
from nnmath.errors import NNMathError
from nnmath.playground.frames import finite_or_text

MAX_NAME = 24  # "W12[15,15]" and the like: longer is not a parameter name


UNIT_QUANTITIES = ("a", "z", "delta", "fp")  # keys (name, sample, layer, unit): a number of one unit


def ref(key) -> Optional[str]:
    """Where a number lives in the network, as the page names it: "W2[1,0]", "b1[3]" (a link, a
    bias) or "u2,1" (unit 1 of layer 2; layer 0 is the input); None for a number of no one place."""
    if key[0] == "W" and len(key) == 4:
        return f"W{key[1]}[{key[2]},{key[3]}]"
    if key[0] == "b" and len(key) == 3:
        return f"b{key[1]}[{key[2]}]"
    if key[0] in UNIT_QUANTITIES and len(key) == 4:
        return f"u{key[2]},{key[3]}"
    return None


def refs(keys) -> list[str]:
    """The places all of a line's numbers come from."""
    return sorted({r for r in map(ref, keys) if r is not None})


def _math_line(d: Derivation, line) -> dict:
    r"""A LaTeX line whose every number that comes from one place of the network is marked
    ``\htmlData{r=i}{...}`` (i: its place in ``refs``), so hovering the number outlines that place."""
    places = refs(line.keys)
    numbers = []
    for key, text in zip(line.keys, d.numbers(line, latex=True)):
        where = ref(key)
        if where is not None:
            sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)  # fill brackets a leading sign
            text = sign + rf"\htmlData{{r={places.index(where)}}}{{{digits}}}"
        numbers.append(text)
    return {"kind": "math", "tex": fill(line.template, numbers), "refs": places}


def as_json(d: Derivation) -> list[dict]:
    """Sections of lines, each {kind: math|text, tex, refs}: math lines are LaTeX (numbers marked
    with the place they come from), text lines prose with $..$; refs name the links, biases and
    units the line's numbers come from."""
    return [{"title": s.title,
             "lines": [_math_line(d, line) if line.kind == "math" else
                       {"kind": "text", "tex": fill(line.template, d.numbers(line, latex=True)),
                        "refs": refs(line.keys)}
                       for line in s.lines]} for s in d.sections]


def remedies_not_covered(session) -> list[str]:
    """The settings of this run that the derivation's closing update W ← W - α ∂E/∂W leaves out."""
    s, notes = session.settings, []
    if s.optimizer != "sgd":
        notes.append(f"this run uses the {s.optimizer} optimizer: its step is not the plain W ← W − α ∂E/∂W "
                     "written at the end")
    if s.l2:
        notes.append(f"L2 (λ = {s.l2:g}) adds λW to the gradient; the derivation is of the data term E alone")
    if s.clip is not None:
        notes.append(f"clipping (c = {s.clip:g}) rescales the whole gradient when ‖g‖ > c; not shown here")
    return notes


def _summary(d: Derivation) -> dict:
    """The values set side by side, "NaN" or "∞" where a number is not finite (JSON has no such numbers)."""
    return {k: finite_or_text(float(v)) for k, v in d.summary.items()}


def _rows(session, sample: Any) -> tuple[np.ndarray, str]:
    """The training rows to explain: one sample's index, or "batch" (the next step's batch)."""
    n = len(session.X_train)
    if sample == "batch":
        rows = session.trainer.next_rows(session.settings.batch_size)
        shown = rows[:MAX_SAMPLES]
        note = "" if len(rows) <= MAX_SAMPLES else (
            f"the next batch has {len(rows)} samples; a derivation prints every sample, so it shows the first "
            f"{MAX_SAMPLES} of them (their mean error), not the whole batch")
        return shown, note
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < n:
        raise NNMathError(f"sample must be 'batch' or a training sample's index from 0 to {n - 1}, got {sample!r}")
    return np.array([sample]), ""


def explain_parameter(session, parameter: Any, sample: Any = 0) -> dict:
    """``explain`` for one weight or bias ("W2[0,1]", "b1[3]") at a sample or the next batch."""
    if not isinstance(parameter, str) or len(parameter) > MAX_NAME:
        raise NNMathError(f"parameter must be a name like 'W1[0,0]' or 'b2[1]', got {str(parameter)[:MAX_NAME]!r}")
    rows, note = _rows(session, sample)
    with np.errstate(all="ignore"):  # after a divergence the numbers may be ∞ or NaN: shown as such
        d = explain(session.net, session.X_train[rows], session.points.y_train[rows], parameter,
                    learning_rate=session.settings.learning_rate)
    notes = ([note] if note else []) + remedies_not_covered(session)
    return {"type": "derivation", "mode": "parameter", "parameter": parameter, "sample": sample,
            "step": session.trainer.steps, "rows": rows.tolist(), "title": d.title, "sections": as_json(d),
            "notes": notes, "summary": _summary(d)}


def explain_next_step(session) -> dict:
    """``explain_step`` for the batch the next step takes (at most 8 samples, 40 parameters)."""
    rows, note = _rows(session, "batch")
    with np.errstate(all="ignore"):
        d = explain_step(session.net, session.X_train[rows], session.points.y_train[rows],
                         learning_rate=session.settings.learning_rate)
    notes = ([note] if note else []) + remedies_not_covered(session)
    return {"type": "derivation", "mode": "step", "step": session.trainer.steps, "rows": rows.tolist(),
            "title": d.title, "sections": as_json(d), "notes": notes, "summary": _summary(d)}
