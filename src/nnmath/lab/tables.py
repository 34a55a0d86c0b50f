r"""The tables ``nnmath vanishing`` prints (rich).

Per configuration: ‖∂E/∂W^l‖ of the first and the last hidden layer at initialization and their
ratio; the geometric mean over layers of the ratio ρ_l = rms δ^l / rms δ^{l+1} beside the
geometric mean of its bound sup|f'|·c_l·‖W^{l+1}‖₂ (see diagnostics/flow.py; "skip" when a residual
connection removes the bound); the first/last ratio after training, and the test accuracy.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

from rich import box
from rich.console import Console
from rich.table import Table


def _num(x: Optional[float], digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:.{digits}g}" if 1e-3 <= abs(x) < 1e4 or x == 0 else f"{x:.{max(digits - 1, 1)}e}"


def _geometric_mean(values: Sequence[Optional[float]]) -> Optional[float]:
    known = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not values or len(known) < len(values):
        return None
    return math.exp(sum(math.log(v) for v in known) / len(known))


def _console() -> Console:
    """The terminal's width, or 140 columns when the output goes to a file or a pipe."""
    console = Console()
    return console if console.is_terminal else Console(width=140)


def _table(title: str, columns: Sequence[str], left: Sequence[str] = ()) -> Table:
    """A compact table (no vertical rules); a cell too wide for the terminal folds rather than being cut."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for name in columns:
        table.add_column(name, justify="left" if name in left else "right", overflow="fold")
    return table


def print_experiment(experiment, per_layer: bool = False, written: Sequence = (), console=None) -> None:
    console = console or _console()
    s = experiment.settings
    n = experiment.runs[0].initial.n_samples
    epochs = f"{s.epochs} epoch" + ("s" if s.epochs != 1 else "")
    table = _table(f"Vanishing gradient on {experiment.data}: width {s.width}, {epochs}, SGD "
                   f"α={s.learning_rate:g}, batch {s.batch_size}, norms over {n} training samples",
                   ("D", "f/init", "remedy", "‖∂E/∂W¹‖", "‖∂E/∂Wᴰ‖", "W¹/Wᴰ", "ρ", "bound", "W¹/Wᴰ end",
                    "test acc"), left=("f/init", "remedy"))
    for r in experiment.runs:
        c, f0 = r.config, r.initial
        bound = None if any(b is None for b in f0.bounds) else _geometric_mean(f0.bounds)
        bound_text = "skip" if any(b is None for b in f0.bounds) else _num(bound)
        end = r.flows[-1]
        accuracy = f"diverged@{r.diverged_at}" if r.diverged_at is not None else f"{r.final_accuracy:.3f}"
        end_text = "—" if r.diverged_at is not None else _num(end.first_to_last())
        table.add_row(str(c.depth), f"{c.activation}/{c.init}", c.remedy, _num(f0.weight_norms[0]),
                      _num(f0.weight_norms[c.depth - 1]), _num(f0.first_to_last()),
                      _num(_geometric_mean(f0.ratios)), bound_text, end_text, accuracy)
    console.print(table)
    console.print("D: hidden layers (Wᴰ the last hidden layer's weights); W¹/Wᴰ: ‖∂E/∂W¹‖ / ‖∂E/∂Wᴰ‖ at "
                  "initialization, and after the last epoch (end; —: diverged, or ‖∂E/∂Wᴰ‖ = 0); ρ: geometric "
                  "mean over layers of ρ_l = rms δˡ / rms δˡ⁺¹; bound: the same mean of sup|f'|·‖Wˡ⁺¹‖₂ (×max γ/σ "
                  "with batchnorm), which no ρ_l exceeds (skip: a residual connection removes it).", highlight=False)
    if per_layer:
        for r in experiment.runs:
            console.print(_layer_table(r))
    for path in written:
        console.print(f"wrote {path}")


def _layer_table(result) -> Table:
    f0, end = result.initial, result.flows[-1]
    table = _table(f"{result.config.label}: per layer at initialization (and after training)",
                   ("l", "f", "‖∂E/∂b^l‖", "‖∂E/∂W^l‖", "rms δ^l", "ρ_l", "bound", "‖∂E/∂W^l‖ end"), left=("f",))
    for row, w_end in zip(f0.rows(), end.weight_norms):
        table.add_row(str(row["layer"]), row["activation"], _num(row["bias_norm"]), _num(row["weight_norm"]),
                      _num(row["delta_rms"]), _num(row["ratio"]), _num(row["bound"]), _num(w_end))
    return table


def print_nielsen(results, written: Sequence = (), console=None) -> None:
    console = console or _console()
    first = results[0]
    table = _table(f"Nielsen's measurement: ‖∂E/∂b^l‖ = ‖mean δ^l‖ over {first.samples} training samples, "
                   f"sigmoid layers of 30, W ~ N(0, 1/n_in); ours: geometric mean over {len(first.norms)} seeds",
                   ("hidden", "data", "variant", "layer 1", "layer 2", "layer 3", "layer 4", "first/last"),
                   left=("data", "variant"))
    for depth in sorted({r.depth for r in results}):
        rows = [r for r in results if r.depth == depth]
        published = rows[0].published
        cells = [f"{v:.4f}" for v in published] + [""] * (4 - depth)
        table.add_row(str(depth), "MNIST", "Nielsen (published)", *cells, f"{published[0] / published[-1]:.4f}")
        for r in rows:
            cells = [f"{v:.4f}" for v in r.geometric_mean] + [""] * (4 - depth)
            table.add_row("", r.data, r.variant, *cells, f"{r.first_to_last:.4f}")
    console.print(table)
    console.print("nielsen: sigmoid output, biases N(0, 1) as in Nielsen's code; zero-bias: biases 0 (nnmath's "
                  "default); softmax: nnmath's default ten-class network (softmax output, biases 0).", highlight=False)
    for path in written:
        console.print(f"wrote {path}")
