"""The tables ``nnmath train`` prints: what was trained, how well it does (per class for a
classifier: the confusion matrix, precision and recall on the test part), how fast each layer learns."""
from __future__ import annotations

from typing import Optional

from rich.console import Console
from rich.table import Table

from nnmath.engine.network import Network

MAX_CLASSES_SHOWN = 12  # a confusion matrix wider than this goes to --json only


def _number(value: Optional[float], digits: int = 4) -> str:
    """``digits`` decimals, or as many significant digits past a million (a loss of 1e300 in 301 digits helps nobody)."""
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if abs(value) < 1e6 else f"{value:.{digits}g}"


def _percent(value: Optional[float]) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _scores(report: dict) -> Table:
    regression = report["task"] == "regression"
    scores = Table(title="Results after training")
    for name in ("data", "samples", "loss E", *(("R²", "RMSE") if regression else ("accuracy",))):
        scores.add_column(name, justify="left" if name == "data" else "right")
    for name in ("train", "validation", "test"):
        r = report["results"][name]
        if r is None:
            continue
        extra = (_number(r["r2"]), f"{r['rmse']:.4g}") if regression else (_percent(r["accuracy"]),)
        scores.add_row(name, str(r["samples"]), _number(r["loss"]), *extra)
    return scores


def per_class_tables(result: dict, part: str) -> list[Table]:
    """The confusion matrix (rows: true class, columns: predicted) and precision / recall per class."""
    matrix, labels = result["confusion_matrix"]["counts"], result["confusion_matrix"]["labels"]
    confusion = Table(title=f"Confusion matrix, {part}")
    confusion.add_column("true ↓ predicted →")
    for label in labels:
        confusion.add_column(label, justify="right")
    for label, row in zip(labels, matrix):
        confusion.add_row(label, *(str(n) for n in row))
    per_class = Table(title=f"Per class, {part}")
    for name in ("class", "precision", "recall", "samples"):
        per_class.add_column(name, justify="left" if name == "class" else "right")
    for label, scores in result["per_class"].items():
        per_class.add_row(label, _percent(scores["precision"]), _percent(scores["recall"]), str(scores["support"]))
    return [confusion, per_class]


def print_report(report: dict, net: Network, args, console: Optional[Console] = None) -> None:
    console = console or Console()
    results = report["results"]
    train, val, test = results["train"], results["validation"], results["test"]
    regression = report["task"] == "regression"
    classes = report["classes"]
    shown = ", ".join(str(c) for c in classes[:5]) + (", ..." if len(classes) > 5 else "")
    what = f"regression target {report['target']!r}" if regression else f"{len(classes)} classes ({shown})"
    sizes = "-".join(str(s) for s in report["layers"])
    console.print(
        f"[bold]{report['data']}[/]: {train['samples']} train, {val['samples'] if val else 0} validation, "
        f"{test['samples']} test samples; {report['features']} features; {what}", highlight=False)
    batch = f"batches of {args.batch_size}" if args.batch_size else "full batch"
    hidden = f"{args.activation} hidden units" if len(report["layers"]) > 2 else "no hidden layer"
    console.print(f"network {sizes}, {hidden}, {net.output_name} output, "
                  f"{net.loss.name.replace('_', ' ')} E; {args.optimizer} α = {args.learning_rate:g}, "
                  f"{report['epochs_run']} epochs, {batch}", highlight=False)
    stopping = report.get("early_stopping")
    if stopping:
        how = "stopped early" if stopping["stopped_early"] else "ran every epoch"
        console.print(f"early stopping: {how} after {stopping['epochs_run']} epochs (patience {stopping['patience']}); "
                      f"kept the weights of epoch {stopping['kept_epoch']}, the lowest validation E", highlight=False)
    console.print(_scores(report))
    if not regression:
        if len(classes) <= MAX_CLASSES_SHOWN:
            for table in per_class_tables(test, "test"):
                console.print(table)
        else:
            console.print(f"{len(classes)} classes: the confusion matrix and per-class scores are in --json",
                          highlight=False)

    grads = Table(title="‖∂E/∂W^l‖ per layer (epoch mean)")
    grads.add_column("layer")
    grads.add_column("W shape", justify="right")
    grads.add_column("first epoch", justify="right")
    grads.add_column("last epoch", justify="right")
    for l, (name, norms) in enumerate(report["grad_norms"].items()):
        n_in, n_out = net.weights[l].shape
        grads.add_row(name, f"{n_in} x {n_out}", f"{norms['first_epoch']:.3e}", f"{norms['last_epoch']:.3e}")
    console.print(grads)
    if report["model"]:
        console.print(f"model saved to {report['model']}", highlight=False)
    for path in report["plots"]:
        console.print(f"figure written to {path}", highlight=False)
