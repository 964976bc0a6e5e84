"""``python -m forecasting session open`` (daily cron, idempotent) and ``rota show|generate``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consultation_data import ISSUE, QP, add_forecaster
from forecasting.cli import main
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli_db(sqlite_url, monkeypatch):
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return get_database(sqlite_url)


def test_session_open_as_a_real_process_is_idempotent(cli_db, sqlite_url):
    env = {**os.environ, "DATABASE_URL": sqlite_url}
    cmd = [sys.executable, "-m", "forecasting", "session", "open", "--date", "2027-01-04"]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=PATIENCE_S)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout == (
        "consultation 2027-01-04 revision 1: open, target days 2027-01-05..2027-01-11\n")
    from forecasting.consultation import session_history

    assert len(session_history(cli_db, ISSUE)) == 1


def test_the_daily_job_warns_of_a_day_nobody_is_on_duty(cli_db, users, capsys, monkeypatch):
    """The cron's ``session open`` is the first to run each day: it names the first day of the next two weeks
    that nobody is on duty (the rota ends), and opens the session all the same."""
    assert main(["rota", "generate", "--from", "2027-01-04", "--to", "2027-01-10"]) == 0
    capsys.readouterr()
    assert main(["session", "open", "--date", "2027-01-04"]) == 0
    out = capsys.readouterr()
    assert out.out == "consultation 2027-01-04 revision 1: open, target days 2027-01-05..2027-01-11\n"
    assert out.err.startswith("warning: nobody is on duty on 2027-01-11 (no active chief or deputy)")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # an administrator's Chinese terminal reads it in Chinese
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert main(["session", "open", "--date", "2027-01-04"]) == 0
    assert capsys.readouterr().err.startswith("警告：2027-01-11 无人值班（无在岗的轮值首席或副班），当日会商无人可以签发")
    monkeypatch.setenv("LANG", "C.UTF-8")  # the rest of the test reads the English lines
    assert main(["rota", "generate", "--from", "2027-01-11", "--to", "2027-01-31"]) == 0
    capsys.readouterr()
    assert main(["session", "open", "--date", "2027-01-04"]) == 0
    assert capsys.readouterr().err == ""


def test_session_open_refuses_a_bad_date_in_one_line(cli_db, capsys):
    assert main(["session", "open", "--date", "2027-13-01"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: expected a date YYYY-MM-DD, got '2027-13-01'"]
    assert main(["session", "open", "--date", "2027-01-04", "--days", "2"]) == 2


def test_rota_generate_and_show(cli_db, users, capsys):
    add_forecaster(cli_db, "fc_qp2", QP)
    assert main(["rota", "show", "--from", "2027-01-04", "--to", "2027-01-10"]) == 0
    assert "no rota turns" in capsys.readouterr().out
    assert main(["rota", "generate", "--from", "2027-01-04", "--to", "2027-01-24"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "turns created: 3"
    assert "2027-01-04..2027-01-10\t310118\tfc_qp\tfc_qp2" in out
    assert main(["rota", "generate", "--from", "2027-01-04", "--to", "2027-01-24"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "turns created: 0"
    assert main(["rota", "show", "--from", "2027-01-10", "--to", "2027-01-11", "--days"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ["2027-01-10\t310118\tfc_qp\tfc_qp2", "2027-01-11\t320509\tfc_wj\t-"]


def test_rota_show_defaults_to_this_week_and_next(cli_db, users, capsys):
    """#14: ``rota show`` without --from/--to covers this Monday .. Sunday of next week (Beijing)."""
    from datetime import timedelta

    from forecasting.consultation import beijing_today

    today = beijing_today()
    monday = today - timedelta(days=today.weekday())
    assert main(["rota", "show"]) == 0
    sunday = monday + timedelta(days=13)
    assert f"no rota turns between {monday} and {sunday}" in capsys.readouterr().out


@pytest.fixture
def users(cli_db):
    from forecasting import accounts
    from forecasting.permissions import Actor

    from db_support import PASSWORD

    for username, district in [("fc_qp", QP), ("fc_wj", "320509"), ("fc_js", "330421")]:
        accounts.create_user(cli_db, Actor.system("t"), username=username, password=PASSWORD, role="forecaster",
                             district=district)
