"""The command line ``python -m forecasting COMMAND ...``.

Every module in this package that defines ``register(subparsers)`` adds its commands;
each sub-parser sets ``func`` (called with the parsed namespace, returns an exit code).
Errors are reported as one line on stderr with exit code 2 (:class:`CliError`, or any
:class:`forecasting.errors.ForecastingError`).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from forecasting.errors import ForecastingError

__all__ = ["CliError", "main", "build_parser"]


class CliError(Exception):
    """A user error on the command line: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit code 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m forecasting", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CliError, ForecastingError) as exc:
        message = " ".join(str(exc).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 2
