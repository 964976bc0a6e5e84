"""The command line ``python -m forecasting COMMAND ...``.

Every module in this package that defines ``register(subparsers)`` adds its commands;
each sub-parser sets ``func`` (called with the parsed namespace, returns an exit code).
Errors are reported as one line on stderr with exit code 2 (:class:`CliError`, or any
:class:`forecasting.errors.ForecastingError`), in the language :func:`cli_language` names: Chinese
for an administrator whose terminal's locale is Chinese, else English. So is the help (``--help``): each
command's texts (:func:`helptext`, from the table's ``clihelp.*`` entries) and argparse's own words ("usage:",
"the following arguments are required: ...").
So are the lines a command prints when it succeeds (:func:`say`, :func:`result_text`, the table's
``cliout.*`` entries); what is printed for a program to read (JSON, CSV, a listing's rows, a token) is
the same in every language.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from forecasting.errors import ForecastingError
from forecasting.i18n import t

__all__ = ["CliError", "main", "build_parser", "describe_failure", "cli_language", "helptext", "result_text",
           "say", "warn"]


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


def helptext(key: str, **params) -> str:
    """A text of the command line in its language (:func:`cli_language`): the table's entry ``key``, formatted
    with ``params`` (``NAME_zh=`` or ``NAME_en=`` gives a value in one language only, e.g. an English plural;
    see :func:`forecasting.i18n.t`). Help texts (``help=``, ``description=``, ``epilog=``) are ``clihelp.*``
    keys; a command's result lines (what it prints when it succeeds, :func:`result_text`) ``cliout.*`` keys.

    Examples
    --------
    >>> helptext("clihelp.aqi.edition") in ("指定 HJ 633 的版本", "force an edition of HJ 633")
    True
    >>> result_text("cliout.users.disabled", username="qp_chen") in ("已停用 qp_chen", "disabled qp_chen")
    True
    """
    return t(key, cli_language(), **params)


#: a command's result line: the same lookup as a help text, named for what it is used for
result_text = helptext


def say(key: str, **params) -> None:
    """Print the result line ``key`` (:func:`result_text`) on standard output."""
    print(result_text(key, **params))


#: argparse's own messages (Python 3.11, those a user meets: usage, section titles, the help option, errors)
#: in Chinese: ``msgid -> text``. A message that is not here stays English.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示此帮助信息并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "须给出参数 %s 之一",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值 %(value)r（应为以下之一：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多接受一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "ignored explicit argument %r": "此选项不接受值，却给出了 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（应为以下之一：%(choices)s）",
}


@contextmanager
def _argparse_speaking(lang: str) -> Iterator[None]:
    """argparse's own messages in ``lang`` while the block runs: for Chinese, its module globals ``_`` and
    ``ngettext`` (looked up when a parser is built, a help formatted, an error raised) are replaced by
    lookups in :data:`_ARGPARSE_ZH`, and always put back (``main`` runs many times in one test process)."""
    if lang != "zh":
        yield
        return
    gettext, ngettext = argparse._, argparse.ngettext

    def zh_gettext(message):
        return _ARGPARSE_ZH.get(message) or gettext(message)

    def zh_ngettext(singular, plural, n):
        return _ARGPARSE_ZH.get(singular if n == 1 else plural) or ngettext(singular, plural, n)

    argparse._, argparse.ngettext = zh_gettext, zh_ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = gettext, ngettext


def _columns(text: str) -> int:
    """Terminal columns of ``text``: a Chinese character (or full-width sign) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


#: signs that end a phrase: never at the start of a line (they hang past the width, into argparse's margin)
_NO_LINE_START = frozenset("，。、；：！？）」』”")
_NO_LINE_END = frozenset("（「『“")


def _wrap_columns(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns, for text with Chinese in it (textwrap counts
    characters, and breaks only at spaces): a line may break between two Chinese characters, at a space, or
    after a comma in a list such as ``lead_day,district``; a closing sign stays at the end of its line.

    Examples
    --------
    >>> _wrap_columns("目标日期（北京时间）；据此选择 HJ 633 的版本", 22)
    ['目标日期（北京时间）；', '据此选择 HJ 633 的版本']
    >>> _wrap_columns("以逗号分隔的 lead_day,district,month", 22)
    ['以逗号分隔的 lead_day,', 'district,month']
    >>> _wrap_columns("预报员所属的区县，三者之一", 8)  # the comma hangs: argparse leaves two columns of margin
    ['预报员所', '属的区县，', '三者之一']
    >>> _wrap_columns("放入 txt（短信文本）、json", 18)  # two signs would hang: the word before them moves on
    ['放入 txt（短信文', '本）、json']
    """
    tokens, word = [], ""
    for c in " ".join(text.split()):
        if c == " " or unicodedata.east_asian_width(c) in "WF":
            tokens += [word, c] if word else [c]
            word = ""
        else:
            word += c
            if c == ",":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    lines, line = [], []  # the current line's tokens
    for token in tokens:
        if token == " ":
            if line:
                line.append(" ")
            continue
        if not line or _columns("".join(line) + token) <= width:
            line.append(token)
            continue
        if token in _NO_LINE_START and _columns("".join(line)) <= width:
            line.append(token)  # one closing sign hangs into argparse's margin of two columns
            continue
        carried = []
        if token in _NO_LINE_START:  # a second sign would hang too ("）、" ran 82 columns wide): the last word and
            while line and line[-1] in _NO_LINE_START:  # its signs start the next line
                carried.insert(0, line.pop())
            if len(line) > 1 and line[-1] != " ":
                carried.insert(0, line.pop())
        while line and line[-1] == " ":
            line.pop()
        if len(line) > 1 and line[-1] in _NO_LINE_END:  # an opening sign goes with what it opens
            carried.insert(0, line.pop())
        lines.append("".join(line).rstrip())
        line = [*carried, token]
    return [*lines, "".join(line).rstrip()] if "".join(line).strip() else lines


class _WideText:
    """Help formatting that measures Chinese text in terminal columns (argparse counts characters, so a
    Chinese line would run twice as wide as the terminal). Text without Chinese is formatted by argparse
    itself, as before."""

    def _split_lines(self, text, width):
        return _wrap_columns(text, width) if _is_wide(text) else super()._split_lines(text, width)

    def _format_usage(self, usage, actions, groups, prefix):
        if prefix is None:
            prefix = argparse._("usage: ")  # as argparse does: its language at the time of formatting
        extra = _columns(prefix) - len(prefix)
        if not extra:
            return super()._format_usage(usage, actions, groups, prefix)
        self._width -= extra  # argparse counts the prefix as len(prefix): wrap and indent by its columns
        try:
            text = super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width += extra
        first, *rest = text.split("\n")
        return "\n".join([first, *(" " * extra + line if line.startswith(" ") else line for line in rest)])

    class _Section(argparse.HelpFormatter._Section):
        def format_help(self):  # a Chinese title ends with a full-width colon ("选项：")
            text = super().format_help()
            if isinstance(self.heading, str) and _is_wide(self.heading):
                text = text.replace(f"{self.heading}:\n", f"{self.heading}：\n", 1)
            return text


class _Formatter(_WideText, argparse.HelpFormatter):
    def _fill_text(self, text, width, indent):
        if not _is_wide(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in _wrap_columns(text, width - len(indent)))


class _RawFormatter(_WideText, argparse.RawDescriptionHelpFormatter):
    pass


class _Commands(argparse._SubParsersAction):
    """A command's one-line help (in its parent's list) is also its own help page's description, unless it has
    one: ``train --help`` said nothing of what training does, and 33 other commands' pages the same."""

    def add_parser(self, name, **kwargs):
        if kwargs.get("help") and "description" not in kwargs:
            kwargs["description"] = kwargs["help"]
        return super().add_parser(name, **kwargs)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)  # the sub-parsers' too (add_parser passes none)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)

    def error(self, message):  # one line on stderr, exit code 2 ("{prog}：错误：{message}" in Chinese)
        self.exit(2, argparse._("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, its help in the CLI's language (:func:`cli_language`). argparse's own
    words that are taken when a parser is built (section titles, the help option's) are too; those of a help
    page or an error are taken when it is formatted: :func:`main` parses in that language as well."""
    with _argparse_speaking(cli_language()):
        parser = _Parser(prog="python -m forecasting", description=helptext("clihelp.description"),
                         epilog=helptext("clihelp.epilog"), formatter_class=_RawFormatter)
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
    lang = cli_language()
    with _argparse_speaking(lang):  # --help and argparse's error lines in the CLI's language
        parser = build_parser()
        args = parser.parse_args(argv)
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
