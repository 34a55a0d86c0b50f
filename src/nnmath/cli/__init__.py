"""The ``nnmath`` command: train, predict, gradcheck, info and data, plus explain, vanishing and
playground, which need the optional extras (a missing extra is said by the command itself).

Every subcommand lives in a module with ``register(subparsers)``, which adds its parser and sets
``func=run``, and ``run(args) -> int``. Errors are handled here, once: bad input of any kind
prints one line ``nnmath: error: ...`` on stderr and exits with code 2 (as argparse does for a
bad option), never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from typing import NoReturn, Optional, Sequence

from nnmath.version import __version__
from nnmath.errors import NNMathError

SUBCOMMANDS = ("nnmath.cli.train", "nnmath.cli.predict", "nnmath.cli.gradcheck", "nnmath.cli.info",
               "nnmath.cli.data")
OPTIONAL_SUBCOMMANDS = ("nnmath.cli.explain", "nnmath.cli.vanishing", "nnmath.cli.playground")
USAGE_ERROR = 2


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other nnmath error."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(USAGE_ERROR)


def build_parser() -> Parser:
    parser = Parser(prog="nnmath", description="The math of neural networks, runnable: train a network of "
                    "sigmoid units by backpropagation and watch it learn.")
    parser.add_argument("--version", action="version", version=f"nnmath {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    for name in OPTIONAL_SUBCOMMANDS:
        # find_spec tells "not installed" apart from "installed but broken": the latter raises.
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(subparsers)
    return parser


def _fail(message: str, code: int = USAGE_ERROR) -> int:
    first_line = " ".join(str(message).split())
    sys.stderr.write(f"nnmath: error: {first_line}\n")
    return code


def _describe(error: OSError) -> str:
    where = f": {error.filename}" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _unrecognized(parser: Parser, command: str, unknown: list) -> NoReturn:
    """The subcommand's one-line error for options it does not have, with the closest it has."""
    import difflib

    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub: Parser = subparsers.choices[command]  # made by add_subparsers, so of the Parser class
    options = [o for action in sub._actions for o in action.option_strings]
    close = [difflib.get_close_matches(u.split("=")[0], options, n=1) for u in unknown if u.startswith("-")]
    hint = "; did you mean " + ", ".join(c[0] for c in close if c) + "?" if any(close) else ""
    sub.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code (0 success, 1 a failed check, 2 bad input)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # a typo in an option: said by the subcommand, which knows its options
        _unrecognized(parser, args.command, unknown)
    try:
        return int(args.func(args))
    except NNMathError as e:
        return _fail(str(e))
    except BrokenPipeError:
        # the reader went away (``nnmath predict ... | head``): it read what it wanted; stop quietly, with
        # success, since the run itself did not fail (1 means a failed check, as in gradcheck)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SystemExit as e:  # rich's Console meets a closed pipe by pointing stdout at os.devnull and exiting 1
        if e.code == 1 and os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(os.devnull)):
            return 0  # the same closed pipe as above
        raise
    except OSError as e:
        return _fail(_describe(e))
    except MemoryError:
        return _fail("out of memory; try fewer samples or a smaller network")
    except KeyboardInterrupt:
        sys.stderr.write("nnmath: interrupted\n")
        return 130
    except Exception as e:  # a bug in nnmath: still one line, with a way to see more
        if os.environ.get("NNMATH_DEBUG"):
            raise
        return _fail(f"internal error ({type(e).__name__}: {e}); set NNMATH_DEBUG=1 to see the traceback", 1)


if __name__ == "__main__":
    raise SystemExit(main())
