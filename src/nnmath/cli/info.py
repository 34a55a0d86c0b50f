"""``nnmath info MODEL``: what a saved model is and how it was trained."""
from __future__ import annotations

import json
from pathlib import Path

from nnmath.errors import is_number
from nnmath.io.model import load_model


def register(subparsers) -> None:
    p = subparsers.add_parser("info", help="show a saved model's architecture and training settings",
                              description="Show a saved model's architecture, classes, features, training "
                                          "settings and results.")
    p.add_argument("model", type=Path, metavar="MODEL")
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.set_defaults(func=run_info)


def run_info(args) -> int:
    net, info = load_model(args.model)
    if args.json:
        print(json.dumps({"config": net.config(), "classes": net.classes_.tolist() if net.classes_ is not None
                          else None, "parameters": int(sum(p.size for p in net.parameters())), "info": info},
                         indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    config = net.config()
    console.print(f"[bold]{args.model}[/]: nnmath model, written by nnmath {info.get('nnmath_version', '?')}")
    table = Table(title="Architecture")
    for column in ("layer", "W shape", "units f", "parameters"):
        table.add_column(column)
    for l, layer in enumerate(net.layers):
        n_in, n_out = layer.W.shape
        table.add_row(str(l + 1), f"{n_in} x {n_out}", layer.f.name, str(sum(p.size for p in layer.parameters())))
    console.print(table)
    console.print(f"loss E: {net.loss.name.replace('_', ' ')}; init {config['init']}; dropout {config['dropout']}; "
                  f"{int(sum(p.size for p in net.parameters()))} parameters in all")
    if net.kind == "regression":  # no classes: the output is the predicted value itself
        console.print("regression: ŷ is the predicted value (identity output)")
    else:
        classes = [] if net.classes_ is None else net.classes_.tolist()
        console.print(f"classes: {', '.join(map(str, classes))}")
    features = info.get("feature_names")
    features = features if isinstance(features, list) else []
    shown = ", ".join(map(str, features[:6])) + (", ..." if len(features) > 6 else "")
    console.print(f"data: {info.get('data', '?')}; target column {info.get('target_name', '?')!r}; "
                  f"{len(features)} features: {shown}")
    training = info.get("training")
    if isinstance(training, dict):
        console.print("training: " + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in training.items()
                                                if v is not None and v is not False))
    results = info.get("results")
    for name, result in (results.items() if isinstance(results, dict) else []):
        if isinstance(result, dict) and all(is_number(result.get(k)) for k in ("loss", "accuracy", "samples")):
            console.print(f"{name}: loss {result['loss']:.4f}, accuracy {100 * result['accuracy']:.1f}% "
                          f"({result['samples']} samples)")
    return 0
