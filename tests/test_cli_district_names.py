"""`users add --district` takes the district as an administrator says it: its name in either language
("青浦", "嘉善县", "Wujiang", "jiashan county") or its code. Before, only the six-digit code was read, and
"青浦区" was refused as "未知区县代码“青浦区”。" without saying which codes there are."""

from __future__ import annotations

import io

import pytest

from db_support import PASSWORD
from forecasting.cli import main
from locale_support import terminal_locale


@pytest.fixture
def cli_db(monkeypatch, sqlite_url, tmp_path):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_DATA_DIR", str(tmp_path / "data"))
    terminal_locale(monkeypatch, "zh_CN.UTF-8")
    assert main(["db", "upgrade"]) == 0
    return sqlite_url


def _run(monkeypatch, capsys, *args, stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    done = capsys.readouterr()
    return code, done.out, done.err


def _listing(monkeypatch, capsys) -> dict[str, str]:
    code, out, _ = _run(monkeypatch, capsys, "users", "list")
    assert code == 0
    return {line.split("\t")[0]: line.split("\t")[2] for line in out.splitlines()}


@pytest.mark.parametrize(("typed", "adcode", "said"), [
    ("青浦", "310118", "已创建青浦区预报员 fc_a"),
    ("青浦区", "310118", "已创建青浦区预报员 fc_a"),
    ("Wujiang", "320509", "已创建吴江区预报员 fc_a"),
    ("jiashan county", "330421", "已创建嘉善县预报员 fc_a"),
    ("嘉善县", "330421", "已创建嘉善县预报员 fc_a"),
    ("320509", "320509", "已创建吴江区预报员 fc_a"),
])
def test_a_forecaster_is_added_by_the_name_of_the_district(cli_db, monkeypatch, capsys, typed, adcode, said):
    code, out, err = _run(monkeypatch, capsys, "users", "add", "fc_a", "--role", "forecaster", "--district", typed,
                          stdin=PASSWORD + "\n")
    assert (code, out.strip()) == (0, said), err
    assert _listing(monkeypatch, capsys)["fc_a"] == adcode


@pytest.mark.parametrize(("locale", "said"), [
    ("zh_CN.UTF-8", "错误：未知区县“青浦县”：应为 青浦区 310118、吴江区 320509、嘉善县 330421 之一（名称或代码）。"),
    ("C.UTF-8", "error: unknown district '青浦县': give one of Qingpu 310118, Wujiang 320509, Jiashan 330421 "
                "(the name or the code)"),
])
def test_an_unknown_district_is_refused_naming_the_zones_districts_and_nothing_is_written(
        cli_db, monkeypatch, capsys, locale, said):
    terminal_locale(monkeypatch, locale)
    code, out, err = _run(monkeypatch, capsys, "users", "add", "fc_b", "--role", "forecaster", "--district", "青浦县",
                          stdin=PASSWORD + "\n")
    assert code != 0 and out == ""
    assert err.strip() == said
    assert "fc_b" not in _listing(monkeypatch, capsys)
