"""The command line's error lines in the administrator's language: Chinese under a Chinese locale.

Before, every error line was English ("error: pm25_24h: expected a number, got 'abc'"), although the
app's users, its administrator among them, read Chinese, and most domain errors carry a translation.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from forecasting.cli import main
from forecasting.i18n import table
from locale_support import terminal_locale
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
_locale = terminal_locale


def _error_line(capsys, *args) -> str:
    code = main(list(args))
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (["aqi", "pm25_24h=abc"], "错误：pm25_24h：应为数值，实际为 'abc'"),
    (["aqi", "pm25_24h=-3"], "错误：pm25_24h：浓度须 ≥ 0，实际为 -3"),
    (["aqi", "pm2.5=10"], "错误：未知指标 'pm2.5'；应为以下之一："),
    (["aqi", "--date", "2026-13-01", "pm25_24h=1"], "错误：--date '2026-13-01' 不是日期：请写成 YYYY-MM-DD"),
    (["verify", "--from", "2026-11-23", "--to", "2026-11-15"], "错误：--to 2026-11-15 早于 --from 2026-11-23"),
], ids=["not-a-number", "negative", "unknown-indicator", "bad-date", "dates-reversed"])
def test_a_chinese_locale_gets_chinese_error_lines(monkeypatch, capsys, args, says):
    _locale(monkeypatch, "zh_CN.UTF-8")
    assert _error_line(capsys, *args).startswith(says)


def test_a_domain_error_is_said_in_its_translation_naming_the_file(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "坏文件.nc"
    bad.write_bytes(b"not a netcdf file")
    _locale(monkeypatch, "zh_CN.UTF-8")
    line = _error_line(capsys, "extract", str(bad))
    assert line.startswith("错误：") and "坏文件.nc 不是可读取的 NetCDF 文件" in line, line


def test_other_locales_keep_the_english_lines(monkeypatch, capsys):
    _locale(monkeypatch, "C.UTF-8")
    assert _error_line(capsys, "aqi", "pm25_24h=abc") == "error: pm25_24h: expected a number, got 'abc'"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL overrides LANG, as POSIX reads them
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert _error_line(capsys, "aqi", "pm25_24h=abc").startswith("error: ")


def test_an_unmigrated_database_is_told_in_chinese_by_a_real_process(tmp_path):
    """The hint an administrator needs first (``make run`` on a new server) in the terminal's language."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PYTHONPATH": str(ROOT),
           "LANG": "zh_CN.UTF-8"}
    for name in ("LC_ALL", "LC_MESSAGES", "FORECASTING_DEBUG"):
        env.pop(name, None)
    r = subprocess.run([sys.executable, "-m", "forecasting", "users", "list"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=PATIENCE_S)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().startswith("错误：数据库尚未迁移（"), r.stderr
    assert "python -m forecasting db upgrade" in r.stderr


def _cli_error_calls():
    for path in sorted((ROOT / "forecasting").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "CliError(" not in text:  # parse only what can raise it
            continue
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and getattr(node.exc.func, "id", None) == "CliError"):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.exc


def test_every_command_line_error_has_a_translation():
    calls = list(_cli_error_calls())
    assert len(calls) >= 30  # the scan found them
    keys = set(table())
    missing = []
    for where, call in calls:
        key = next((k.value for k in call.keywords if k.arg == "key"), None)
        if not (isinstance(key, ast.Constant) and key.value in keys):
            missing.append(where)
    assert not missing, missing


def test_the_import_warnings_are_chinese_under_a_chinese_locale(monkeypatch, capsys, tmp_path, sqlite_url):
    """``obs import`` of a file with columns it does not read warned "warning: columns not read: …" only."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    (tmp_path / "st.csv").write_text("station,name,lon,lat,district\nQP1,青浦淀山湖,120.95,31.10,310118\n",
                                     encoding="utf-8")
    (tmp_path / "obs.csv").write_text("站点编码,监测时间,PM2.5,AQI\nQP1,2026-03-05T10:00+08:00,40,57\n",
                                      encoding="utf-8")
    _locale(monkeypatch, "zh_CN.UTF-8")
    code = main(["obs", "import", str(tmp_path / "obs.csv"), "--stations", str(tmp_path / "st.csv")])
    err = capsys.readouterr().err
    assert code == 0 and err.startswith("警告：这些列未读取：AQI（只读取站点、时间与 PM2.5"), err
