"""What ``nnmath predict`` reports on stderr when the file holds the true labels: the accuracy (or
R² and RMSE), and for up to 12 classes the confusion matrix and each class's precision and recall."""
from __future__ import annotations

from typing import Optional, TextIO

MAX_CLASSES_SHOWN = 12


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _percent(value: Optional[float]) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def write(stream: TextIO, scored: Optional[dict], target: str, left_out: int, classes) -> None:
    note = f"; {_rows(left_out)} with a blank or unseen label left out" if left_out else ""
    if classes is None:  # regression
        if scored is None:
            stream.write(f"no R²: fewer than 2 rows of column {target!r} hold a number\n")
            return
        stream.write(f"R² {scored['r2']:.4f}, RMSE {scored['rmse']:.4g} on {_rows(scored['samples'])} "
                     f"(values in column {target!r}{note})\n")
        return
    if scored is None:
        stream.write(f"no accuracy: no row of column {target!r} holds a label the model knows "
                     f"({', '.join(repr(c) for c in classes.tolist())})\n")
        return
    stream.write(f"accuracy {100 * scored['accuracy']:.1f}% on {_rows(scored['samples'])} "
                 f"(labels in column {target!r}{note})\n")
    labels = scored["confusion_matrix"]["labels"]
    if len(labels) > MAX_CLASSES_SHOWN:
        stream.write(f"{len(labels)} classes: the confusion matrix and per-class scores are in --json\n")
        return
    width = max(max(len(label) for label in labels), 9)
    counts = scored["confusion_matrix"]["counts"]
    cell = max(max(len(label) for label in labels), max(len(str(n)) for row in counts for n in row))
    stream.write(f"confusion matrix (rows: true {target}, columns: predicted):\n")
    stream.write(" " * (width + 2) + " ".join(label.rjust(cell) for label in labels) + "\n")
    for label, row in zip(labels, counts):
        stream.write(f"  {label.ljust(width)}" + " ".join(str(n).rjust(cell) for n in row) + "\n")
    stream.write(f"  {'class'.ljust(width)} precision    recall  rows\n")
    for label, s in scored["per_class"].items():
        stream.write(f"  {label.ljust(width)} {_percent(s['precision']):>9} {_percent(s['recall']):>9} "
                     f"{s['support']:>5}\n")
