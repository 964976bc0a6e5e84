"""The command line ``python -m forecasting COMMAND ...``.

Every module in this package that defines ``register(subparsers)`` adds its commands;
each sub-parser sets ``func`` (called with the parsed namespace, returns an exit code).
Errors are reported as one line on stderr with exit code 2 (:class:`CliError`, or any
:class:`forecasting.errors.ForecastingError`), in the language :func:`cli_language` names: Chinese
for an administrator whose terminal's locale is Chinese, else English.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Mapping

from forecasting.errors import ForecastingError
from forecasting.i18n import t

__all__ = ["CliError", "main", "build_parser", "describe_failure", "cli_language", "warn"]


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


class CliError(ForecastingError):
    """A user error on the command line: printed as one line, exit code 2 (in the CLI's language when it
    has a translation ``key``)."""


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the command line's error lines, as the terminal's locale says: Chinese when the
    first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set (as POSIX reads them) names a Chinese
    locale, else English. (``FORECASTING_LANGUAGE`` is the app's default and is not read here: a server
    set to Chinese pages may be run by an English-speaking terminal, and the reverse.)

    Examples
    --------
    >>> cli_language({"LANG": "zh_CN.UTF-8"}), cli_language({"LANG": "C.UTF-8"}), cli_language({})
    ('zh', 'en', 'en')
    >>> cli_language({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"})
    'en'
    >>> cli_language({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "C"})
    'zh'
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


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


def warn(notice) -> None:
    """One warning line on stderr in the CLI's language (a :class:`forecasting.i18n.Notice`, or plain text)."""
    lang = cli_language()
    text = notice.localized(lang) if hasattr(notice, "localized") else str(notice)
    print(t("cli.warning_line", lang, message=" ".join(text.split())), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = cli_language()
    try:
        return int(args.func(args) or 0)
    except ForecastingError as exc:  # CliError too
        # English: the error's own text (it may say more than the table's, e.g. the NetCDF library's reason)
        message = " ".join((str(exc) if lang == "en" else exc.localized(lang)).split())
        print(t("cli.error_line", lang, message=message), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("cli.error_line", lang, message=t("cli.interrupted", lang)), file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`extract RUN.nc | head`): quiet, as Unix tools are
        # what is still buffered would fail again when Python flushes stdout at exit (the Python docs' recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # noqa: BLE001 -- the one-line contract holds for every failure (#15)
        if os.environ.get("FORECASTING_DEBUG", "").strip() in ("1", "true", "yes"):
            raise
        print(t("cli.error_line", lang, message=describe_failure(exc, lang)), file=sys.stderr)
        return 2


def describe_failure(exc: BaseException, lang: str = "en") -> str:
    """One line for an unexpected failure, in ``lang``: what failed, the first line of why, and a hint when
    the cause is known (database unreachable, database not migrated). ``FORECASTING_DEBUG=1`` shows the
    traceback instead."""
    from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

    detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
    if isinstance(exc, (OperationalError, ProgrammingError)) and ("no such table" in detail
                                                                  or "does not exist" in detail
                                                                  and "relation" in detail):
        return t("cli.not_migrated", lang, detail=detail)
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return t("cli.unreachable", lang, detail=detail)
    if isinstance(exc, DBAPIError) and "file is not a database" in detail:  # which file: it said only the line
        from sqlalchemy.engine import make_url

        from forecasting.config import settings

        return t("cli.not_sqlite", lang, file=make_url(settings().database_url).database, detail=detail)
    if isinstance(exc, DBAPIError):
        return t("cli.database_error", lang, detail=detail)
    return t("cli.unexpected", lang, kind=type(exc).__name__, detail=detail or {"zh": "原因不明"}.get(lang, "unexpected failure"))
