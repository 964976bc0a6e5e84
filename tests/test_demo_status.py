"""The first run's progress while the app already answers (issue #16): the build's status file, the
progress page instead of the sign-in, and the app's engine reopened after a SQLite build renamed its
file into place."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from apptest_support import new_app, texts


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def test_status_round_trip_names_its_database_and_process(tmp_path):
    from forecasting.demo.status import live_build, read_status, write_status

    path = tmp_path / "demo" / "build-status.json"
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    write_status(path, state="building", url=url, stage="model runs", fraction=0.25, eta=61.0, elapsed=20.0)
    status = read_status(path, url)
    assert (status.state, status.stage, status.fraction, status.eta, status.pid) == (
        "building", "model runs", 0.25, 61.0, os.getpid())
    assert live_build(url, path) == status  # this process is alive
    assert read_status(path, f"sqlite:///{tmp_path / 'b.sqlite3'}") is None  # another database's build
    write_status(path, state="building", url=url, pid=_dead_pid())
    assert read_status(path, url).state == "building" and live_build(url, path) is None  # its process is gone
    path.write_text("{not json", encoding="utf-8")
    assert read_status(path, url) is None
    # PostgreSQL URLs are compared without their password
    pg = "postgresql+psycopg://forecaster:secret@127.0.0.1:5432/test"
    write_status(path, state="building", url=pg)
    assert "secret" not in path.read_text(encoding="utf-8")
    assert live_build(pg, path) is not None


def test_progress_writes_building_each_stage_and_complete_or_stopped(tmp_path):
    from forecasting.demo.progress import BuildProgress
    from forecasting.demo.status import read_status

    path = tmp_path / "s.json"
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    out = open(os.devnull, "w")
    with BuildProgress(stream=out, bar=False, status=path, url=url) as progress:
        first = read_status(path, url)
        assert (first.state, first.stage, first.fraction, first.eta) == ("building", "accounts", 0.0, None)
        progress("  accounts: 11")
        progress("  observations: 12 station values")
        second = read_status(path, url)
        assert second.state == "building" and second.stage == "model runs"
        assert second.fraction >= 5.0 / sum(s.weight for s in progress.stages) and second.eta is not None
    done = read_status(path, url)
    assert (done.state, done.stage, done.fraction, done.eta) == ("complete", "", 1.0, None)
    with pytest.raises(KeyboardInterrupt):
        with BuildProgress(stream=out, bar=False, status=path, url=url) as progress:
            progress("  accounts: 11")
            raise KeyboardInterrupt
    assert read_status(path, url).state == "stopped"
    out.close()


def test_an_engine_that_saw_the_empty_database_reads_the_built_one_after_the_refresh(_sqlite_template, tmp_path):
    """SQLite: the build renames its finished file over the database; a pooled connection opened before
    still reads the old (empty) file until :func:`refresh_after_build` closes it."""
    from sqlalchemy import func, select

    from forecasting import accounts
    from forecasting.demo.status import refresh_after_build, write_status
    from forecasting.permissions import Actor
    from forecasting.store.db import Database
    from forecasting.store.models import User

    path = tmp_path / "app.sqlite3"
    shutil.copy(_sqlite_template, path)
    app_db = Database(f"sqlite:///{path}")
    with app_db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0
    built = tmp_path / ".app.sqlite3.building"
    shutil.copy(_sqlite_template, built)
    builder = Database(f"sqlite:///{built}")
    accounts.create_user(builder, Actor.system("t"), username="qp_chen", password="correct-horse-9",
                         role="forecaster", district="310118")
    builder.dispose()
    os.replace(built, path)
    status = tmp_path / "status.json"
    write_status(status, state="complete", url=app_db.url, fraction=1.0)
    assert refresh_after_build(app_db, status) is True
    with app_db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
    assert refresh_after_build(app_db, status) is False  # once per finished build
    app_db.dispose()


@pytest.fixture
def app_env(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("FORECASTING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    return sqlite_url


def test_the_app_shows_a_live_build_instead_of_the_sign_in(app_env, tmp_path):
    from forecasting.demo.status import status_path, write_status

    write_status(status_path(tmp_path), state="building", url=app_env, stage="guidance rows", fraction=0.52,
                 eta=95.0, elapsed=61.0)
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert [t.value for t in at.title] == ["正在生成演示数据"]
    assert "计算历史客观指导并模拟前期会商 · 52 %" in [p.proto.text for p in at.get("progress")]
    assert "已用 1 分 1 秒，预计还需约 1 分 35 秒" in shown
    assert not at.text_input  # no sign-in form while the world is built


def test_a_stopped_build_says_so_and_a_finished_one_gives_the_sign_in(app_env, tmp_path):
    from forecasting.demo.status import status_path, write_status

    write_status(status_path(tmp_path), state="stopped", url=app_env, pid=_dead_pid())
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "演示数据的生成已中断，数据库中尚无可用的演示数据。请在终端再次运行 `make run`，系统会重新生成。"]
    assert not at.text_input
    write_status(status_path(tmp_path), state="complete", url=app_env, fraction=1.0, pid=_dead_pid())
    at = new_app()
    at.run()
    assert not at.exception, at.exception
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
