"""The command line's help and argparse's own messages in the administrator's language.

Before, the error lines of ``python -m forecasting`` were Chinese under a Chinese locale but its help was
English only: every command's description ("China AQI (HJ 633) of indicator concentrations, printed as
JSON"), and argparse's words around it ("usage:", "positional arguments", "show this help message and exit")
and its errors ("the following arguments are required: username", "invalid choice: 'boss'"). The texts now
come from the table (``clihelp.*`` keys, :func:`forecasting.cli.helptext`) and argparse speaks Chinese while
the CLI does.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import inspect
import re
import unicodedata
from pathlib import Path

import pytest

from forecasting.cli import _ARGPARSE_ZH, build_parser, main
from locale_support import terminal_locale
from forecasting.i18n import table

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "forecasting" / "cli"
HELP_KEYWORDS = ("help", "description", "epilog")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _locale(monkeypatch, value: str) -> None:
    terminal_locale(monkeypatch, value)
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the terminal: the same width on every machine


def _flat(text: str) -> str:
    """``text`` without white space: a sentence is found whatever line breaks argparse wrapped it with."""
    return re.sub(r"\s+", "", text)


def _help(capsys, *args) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    captured = capsys.readouterr()
    assert done.value.code == 0 and not captured.err, captured.err
    return captured.out


def _argparse_error(capsys, *args) -> str:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert done.value.code == 2 and len(lines) == 1 and not captured.out, captured
    return lines[0]


def _english_help_texts() -> list[str]:
    return [en for key, (_zh, en) in table().items() if key.startswith("clihelp.") and len(en) > 20]


@pytest.mark.parametrize("args, positionals, says", [
    ([], True, ["aqi指标浓度的中国AQI（HJ633），以JSON输出", "session会商", "obs站点观测", "users用户账户",
                "verify检验已发布预报、客观预报指导、模式与持续性预报", "示例：", "生产数据库的首位管理员"]),
    (["aqi"], True, ["KEY为以下之一：pm25_24hpm10_24h", "目标日期（北京时间）；据此选择HJ633的版本",
                     "指定HJ633的版本"]),
    (["session"], True, ["open开启某个发布日期的会商（已开启则什么也不做；供每日定时任务使用）"]),
    (["session", "open"], False, ["发布日期（北京时间）YYYY-MM-DD（默认：北京时间今天）", "目标日期D+1..D+N"]),
    (["obs"], True, ["import导入站点逐时观测（CSV、制表符分隔的文本、Excel工作簿或其ZIP；宽表或长表）"]),
    (["obs", "import"], True, ["观测数据：CSV文件、制表符分隔的文本（.txt）、Excel工作簿", "站点信息（CSV、制表符分隔的文本.txt、.xlsx或.xls）：station,name,lon,lat,district"]),
    (["verify"], False, ["95%区块自助法区间", "综合评分的权重primary,level,aqi（默认0.2,0.5,0.3）"]),
], ids=["top", "aqi", "session", "session-open", "obs", "obs-import", "verify"])
def test_a_chinese_locale_gets_chinese_help(monkeypatch, capsys, args, positionals, says):
    _locale(monkeypatch, "zh_CN.UTF-8")
    out = _help(capsys, *args)
    assert out.startswith(f"用法：python -m forecasting {' '.join(args)}".rstrip()), out
    assert "\n选项：\n" in out and "显示此帮助信息并退出" in out
    assert ("\n位置参数：\n" in out) == positionals, out
    flat = _flat(out)
    for text in says:
        assert text in flat, (text, out)
    for english in ("usage:", "positional arguments", "options:", "show this help message"):
        assert english not in out, (english, out)
    left = [en for en in _english_help_texts() if _flat(en) in flat]
    assert not left, left


def test_the_chinese_help_fits_the_terminal(monkeypatch, capsys):
    """argparse wraps by characters: a Chinese line of 56 characters took 112 columns of an 80-column
    terminal. Every line with Chinese in it fits (usage lines of long option lists are argparse's, in any
    language)."""
    _locale(monkeypatch, "zh_CN.UTF-8")

    def commands(parser, path=()):
        yield path
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from commands(sub, (*path, name))

    paths = list(commands(build_parser()))
    assert len(paths) > 30
    wide = []
    for path in paths:
        for line in _help(capsys, *path).splitlines():
            columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            if CJK.search(line) and columns > 80:
                wide.append((path, columns, line))
    assert not wide, wide


@pytest.mark.parametrize("args, says", [
    (["users", "disable"], "python -m forecasting users disable：错误：缺少必需的参数：username"),
    (["users", "add", "wang", "--role", "boss"],
     "python -m forecasting users add：错误：参数 --role：无效的取值 'boss'（应为以下之一：'forecaster', 'manager', "
     "'admin'）"),
    (["nosuch"], "python -m forecasting：错误：参数 COMMAND：无效的取值 'nosuch'（应为以下之一：'aqi', "),
    ([], "python -m forecasting：错误：缺少必需的参数：COMMAND"),
    (["assess"], "python -m forecasting assess：错误：须给出参数 --month --year 之一"),
    (["assess", "--month", "2026-10", "--year", "2026"],
     "python -m forecasting assess：错误：参数 --year：不能与参数 --month 同时使用"),
    (["demo", "seed", "--days", "x"], "python -m forecasting demo seed：错误：参数 --days：无效的 int 值：'x'"),
    (["rota", "generate", "--from"], "python -m forecasting rota generate：错误：参数 --from：需要一个值"),
    (["aqi", "--bogus"], "python -m forecasting：错误：无法识别的参数：--bogus"),
], ids=["required", "choice", "command", "no-command", "one-of", "not-with", "type", "one-value",
        "unrecognized"])
def test_a_chinese_locale_gets_argparse_errors_in_chinese(monkeypatch, capsys, args, says):
    _locale(monkeypatch, "zh_CN.UTF-8")
    assert _argparse_error(capsys, *args).startswith(says)


def test_other_locales_keep_the_english_help_and_errors(monkeypatch, capsys):
    _locale(monkeypatch, "C.UTF-8")
    out = _help(capsys)
    assert out.startswith("usage: python -m forecasting [-h] COMMAND ...")
    assert "\npositional arguments:\n" in out and "\noptions:\n" in out
    assert "show this help message and exit" in out
    assert "China AQI (HJ 633) of indicator concentrations, printed as JSON" in out and "\nexamples:\n" in out
    assert "用法" not in out and "选项" not in out
    aqi = _flat(_help(capsys, "aqi"))
    assert _flat("target date (Beijing); chooses the edition") in aqi
    assert _flat("force an edition of HJ 633") in aqi
    assert (_argparse_error(capsys, "users", "disable")
            == "python -m forecasting users disable: error: the following arguments are required: username")
    assert (_argparse_error(capsys, "users", "add", "wang", "--role", "boss")
            == "python -m forecasting users add: error: argument --role: invalid choice: 'boss' "
               "(choose from 'forecaster', 'manager', 'admin')")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL overrides LANG, as POSIX reads them
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert _help(capsys, "aqi").startswith("usage: ")


def test_argparse_is_english_again_after_a_chinese_run(monkeypatch, capsys):
    """argparse's ``_`` and ``ngettext`` are replaced only while a Chinese ``main`` runs (the tests run
    ``main`` in one process, in both languages): afterwards they are gettext's again, also after an error or
    ``--help``."""
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    _locale(monkeypatch, "zh_CN.UTF-8")
    assert "用法：" in _help(capsys, "users")
    assert "错误" in _argparse_error(capsys, "users", "disable")
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert _help(capsys, "users").startswith("usage: python -m forecasting users [-h] ACTION ...")
    assert "the following arguments are required: username" in _argparse_error(capsys, "users", "disable")


def test_each_argparse_translation_is_one_of_its_messages_with_its_placeholders():
    """A message argparse does not have (a typo, or a Python that words it otherwise) would stay English."""
    source = inspect.getsource(argparse)
    for msgid, zh in _ARGPARSE_ZH.items():
        assert f"'{msgid}'".replace("\n", "\\n") in source or f'"{msgid}"' in source, msgid
        assert CJK.search(zh), msgid
        placeholders = re.compile(r"%\(\w+\)[sr]|%[sr]")
        assert sorted(placeholders.findall(zh)) == sorted(placeholders.findall(msgid)), msgid


def _helptext_calls():
    """Every ``help=``, ``description=`` and ``epilog=`` of the command line's modules, with where it is."""
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in HELP_KEYWORDS:
                        yield f"{path.relative_to(ROOT)}:{node.lineno}", keyword.value


def _used_keys() -> dict[str, set[str]]:
    """``{key: parameter names}`` of every :func:`helptext` call in the command line's modules."""
    used: dict[str, set[str]] = {}
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "helptext":
                key = node.args[0]
                assert isinstance(key, ast.Constant) and isinstance(key.value, str), ast.dump(node)
                used.setdefault(key.value, set()).update(k.arg for k in node.keywords)
    return used


def test_every_help_text_of_the_command_line_comes_from_the_table():
    calls = list(_helptext_calls())
    assert len(calls) > 90  # the scan found them
    bare = [where for where, value in calls
            if not (isinstance(value, ast.Call) and getattr(value.func, "id", None) == "helptext")]
    assert not bare, bare
    entries = table()
    percent = re.compile(r"%\(\w+\)s")
    fields = re.compile(r"{(\w+)}")
    for key, params in _used_keys().items():
        assert key in entries, key
        zh, en = entries[key]
        assert zh.strip() and en.strip() and CJK.search(zh), key
        assert sorted(percent.findall(zh)) == sorted(percent.findall(en)), key
        assert set(fields.findall(zh)) == set(fields.findall(en)) == params, key
        for text in (zh, en):  # argparse %-formats a help text: a percent sign is written %%
            assert "%" not in percent.sub("", text).replace("%%", ""), (key, text)


def test_no_help_entry_is_left_unused():
    unused = sorted(set(k for k in table() if k.startswith("clihelp.")) - set(_used_keys()))
    assert not unused, unused


def test_every_option_and_argument_says_what_it_is_in_both_languages(monkeypatch):
    """Twenty-one options and arguments had no help at all (``rota generate --from/--to``, ``train --history-days``,
    ``demo run --host/--port``, ``users add --role`` …): their help line was the bare flag in either language.
    Every one has a help text, in Chinese under a Chinese locale."""
    def actions(parser, path=()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from actions(sub, (*path, name))
            elif not isinstance(action, argparse._HelpAction):
                yield " ".join(path), action.option_strings or [action.dest], action.help

    for locale, chinese in (("zh_CN.UTF-8", True), ("C.UTF-8", False)):
        _locale(monkeypatch, locale)
        found = list(actions(build_parser()))
        assert len(found) > 80, len(found)
        bare = [(path, names) for path, names, text in found if not text or text == argparse.SUPPRESS]
        assert not bare, (locale, bare)
        if chinese:
            untranslated = [(path, names, text) for path, names, text in found if not CJK.search(text)]
            assert not untranslated, untranslated


def test_every_commands_own_help_page_says_what_it_does(monkeypatch, capsys):
    """``train --help`` listed its options and not what training does; 33 other commands' own pages the same (the
    sentence was only in the parent's list). Each command's page opens with what it does (its own description, or
    the sentence of the parent's list), in Chinese under a Chinese locale."""
    _locale(monkeypatch, "zh_CN.UTF-8")

    def commands(parser, path=()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield (*path, name), sub
                    yield from commands(sub, (*path, name))

    found = list(commands(build_parser()))
    assert len(found) > 30
    silent = [" ".join(path) for path, sub in found
              if not sub.description or not CJK.search(sub.description)
              or _flat(sub.description)[:20] not in _flat(_help(capsys, *path))]
    assert not silent, silent
