"""The tables ``nnmath train`` prints: what was trained, how well it does, how fast each layer learns."""
from __future__ import annotations

from typing import Optional

from rich.console import Console
from rich.table import Table

from nnmath.engine.network import Network


def _number(value: Optional[float], digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_report(report: dict, net: Network, args, console: Optional[Console] = None) -> None:
    console = console or Console()
    results = report["results"]
    train = results["train"]
    val = results["validation"]
    test = results["test"]
    classes = report["classes"]
    shown = ", ".join(str(c) for c in classes[:5]) + (", ..." if len(classes) > 5 else "")
    sizes = "-".join(str(s) for s in report["layers"])
    console.print(
        f"[bold]{report['data']}[/]: {train['samples']} train, {val['samples'] if val else 0} validation, "
        f"{test['samples']} test samples; {report['features']} features; {len(classes)} classes ({shown})",
        highlight=False)
    batch = f"batches of {args.batch_size}" if args.batch_size else "full batch"
    hidden = f"{args.activation} hidden units" if len(report["layers"]) > 2 else "no hidden layer"
    console.print(f"network {sizes}, {hidden}, {net.output_name} output, "
                  f"{net.loss.name.replace('_', ' ')} E; {args.optimizer} α = {args.learning_rate:g}, "
                  f"{report['epochs_run']} epochs, {batch}", highlight=False)

    scores = Table(title="Results after training")
    scores.add_column("data")
    scores.add_column("samples", justify="right")
    scores.add_column("loss E", justify="right")
    scores.add_column("accuracy", justify="right")
    for name in ("train", "validation", "test"):
        r = results[name]
        if r is not None:
            scores.add_row(name, str(r["samples"]), _number(r["loss"]), f"{100 * r['accuracy']:.1f}%")
    console.print(scores)

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
