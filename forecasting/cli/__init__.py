"""The command line ``python -m forecasting COMMAND ...``.

Every module in this package that defines ``register(subparsers)`` adds its commands;
each sub-parser sets ``func`` (called with the parsed namespace, returns an exit code).
Errors are reported as one line on stderr with exit code 2 (:class:`CliError`, or any
:class:`forecasting.errors.ForecastingError`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from forecasting.errors import ForecastingError

__all__ = ["CliError", "main", "build_parser", "describe_failure"]


DESCRIPTION = ("长三角示范区空气质量联合预报会商 · Joint air-quality forecast consultation of Qingpu, Wujiang and\n"
               "Jiashan: model grids, statistical correction, China's AQI (HJ 633), consultations, issued reports.")
EPILOG = """\
Every command acts on DATABASE_URL (default: the SQLite file var/forecasting.sqlite3; FORECASTING_DATA_DIR
moves it). The app itself: make run. `python -m forecasting COMMAND --help` tells more of one command.

examples:
  python -m forecasting aqi pm25_24h=80 o3_8h=150     the AQI of a day's concentrations
  python -m forecasting inspect RUN.nc                 what a model file holds
  python -m forecasting extract RUN.nc > series.csv    district hourly means of a model file
  python -m forecasting users create-admin USERNAME    the first administrator of a production database

README.md and docs/ describe each command."""


class CliError(Exception):
    """A user error on the command line: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit code 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m forecasting", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
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
    except Exception as exc:  # noqa: BLE001 -- the one-line contract holds for every failure (#15)
        if os.environ.get("FORECASTING_DEBUG", "").strip() in ("1", "true", "yes"):
            raise
        print(f"error: {describe_failure(exc)}", file=sys.stderr)
        return 2


def describe_failure(exc: BaseException) -> str:
    """One line for an unexpected failure: what failed, the first line of why, and a hint when the
    cause is known (database unreachable, database not migrated). ``FORECASTING_DEBUG=1`` shows the
    traceback instead."""
    from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

    detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
    if isinstance(exc, (OperationalError, ProgrammingError)) and ("no such table" in detail
                                                                  or "does not exist" in detail
                                                                  and "relation" in detail):
        return f"the database is not migrated ({detail}); run: python -m forecasting db upgrade"
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return f"the database is unreachable ({detail}); check DATABASE_URL"
    if isinstance(exc, DBAPIError) and "file is not a database" in detail:  # which file: it said only the line
        from sqlalchemy.engine import make_url

        from forecasting.config import settings

        return (f"{make_url(settings().database_url).database} is not an SQLite database ({detail}); point "
                "DATABASE_URL at the app's database, or at a file that does not exist yet")
    if isinstance(exc, DBAPIError):
        return f"database error: {detail}"
    return f"{type(exc).__name__}: {detail or 'unexpected failure'} (FORECASTING_DEBUG=1 shows the traceback)"
