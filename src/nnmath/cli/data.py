"""``nnmath data NAME``: write a built-in data set as CSV (features, then the label column), to look
at or to feed to ``nnmath train --data FILE.csv`` and ``nnmath predict``.
"""
from __future__ import annotations

import csv
import io as text_io
import sys
from pathlib import Path

from nnmath.cli.args import (FORCE_HELP, check_output_path, noise_level, non_negative_int, sample_count,
                             write_text_atomically)
from nnmath.data.sets import BUILT_IN, built_in_samples
from nnmath.errors import NNMathError


def register(subparsers) -> None:
    d = subparsers.add_parser("data", help="write a built-in data set as CSV",
                              description="Write a built-in data set as CSV: a header row, the features, "
                                          "then the label column.")
    d.add_argument("name", choices=BUILT_IN, metavar="NAME", help=", ".join(BUILT_IN))
    d.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    d.add_argument("--force", action="store_true", help=FORCE_HELP)
    d.add_argument("--noise", type=noise_level, default=0.1, help="noise of the 2-D sets (0.1)")
    d.add_argument("--samples", type=sample_count, metavar="M", help="number of samples")
    d.add_argument("--seed", type=non_negative_int, default=0)
    d.set_defaults(func=run_data)


def run_data(args) -> int:
    check_output_path(args.out, "the CSV file", force=args.force)
    # the samples as the set holds them: no split, so none of training's checks (a test part, classes)
    X, y, names = built_in_samples(args.name, noise=args.noise, n_samples=args.samples, seed=args.seed)
    if "label" in names:
        raise NNMathError(f"{args.name} has a feature called 'label'; cannot add the label column")
    buffer = text_io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*names, "label"])
    for features, label in zip(X.tolist(), y.tolist()):
        writer.writerow([*(repr(v) for v in features), label])
    if args.out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        write_text_atomically(args.out, buffer.getvalue())
    return 0
