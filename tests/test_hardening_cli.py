"""Issue #15 item 7: every command failure is one line on stderr and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from forecasting.store.db import Database
from forecasting.store.science import Observation
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent


def _run(args, url, tmp_path):
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("FORECASTING_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "forecasting", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=PATIENCE_S)


def _one_line(r):
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def test_unreachable_database_is_one_line(tmp_path):
    """Regression: a 130-line traceback and exit 1."""
    line = _one_line(_run(["users", "list"], "postgresql+psycopg://postgres@127.0.0.1:1/x", tmp_path))
    assert "unreachable" in line


def test_unmigrated_sqlite_is_one_line_with_the_fix(tmp_path):
    line = _one_line(_run(["users", "list"], f"sqlite:///{tmp_path / 'empty.db'}", tmp_path))
    assert "db upgrade" in line


def test_observation_at_year_9999_is_one_line(tmp_path, sqlite_url):
    (tmp_path / "st.csv").write_text("station,name,lon,lat,district\nQP1,青浦淀山湖,120.95,31.10,310118\n",
                                     encoding="utf-8")
    (tmp_path / "obs.csv").write_text("station,time,pm25\nQP1,9999-12-31T23:00+08:00,40\n", encoding="utf-8")
    r = _run(["obs", "import", str(tmp_path / "obs.csv"), "--stations", str(tmp_path / "st.csv")], sqlite_url,
             tmp_path)
    line = _one_line(r)
    # one line naming the file, the line, the column and the impossible time; no traceback, nothing stored
    assert "Traceback" not in r.stderr
    assert "obs.csv" in line and "line 2" in line and "'time'" in line and "9999-12-31T23:00+08:00" in line, line
    with Database(sqlite_url).read() as s:
        assert s.scalar(select(func.count()).select_from(Observation)) == 0


def test_db_upgrade_on_an_unreachable_database_is_one_line(tmp_path):
    """``make run`` starts with ``db upgrade``: it must fail with one line, not a traceback."""
    line = _one_line(_run(["db", "upgrade"], "postgresql+psycopg://postgres@127.0.0.1:1/x", tmp_path))
    assert "unreachable" in line


def test_a_reader_that_goes_away_is_no_error(tmp_path):
    """``python -m forecasting extract RUN.nc | head`` printed "error: BrokenPipeError: [Errno 32] Broken pipe"
    once ``head`` had its lines: quiet now, as Unix tools are."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FORECASTING_DEBUG", None)
    p = subprocess.Popen([sys.executable, "-m", "forecasting", "aqi", "pm25_24h=80"], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader is gone before the command writes its answer
    _out, err = p.communicate(timeout=PATIENCE_S)
    assert err.decode() == "" and p.returncode == 1
