"""``python -m forecasting db|users|demo``: the operations command line, run as real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, *, url, stdin="", env_extra=None):
    env = {**os.environ, "DATABASE_URL": url, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "forecasting", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env)  # no wall-clock limit: pytest-timeout guards hangs


@pytest.fixture(scope="session")
def _cli_migrated(build_once) -> Path:
    """An empty database migrated by ``db upgrade`` as a real process, once per test run (each start
    imports the command line; ten tests made their own): every test gets a copy of it."""

    def build(path, _folder):
        path.unlink()  # the command line migrates an empty file itself
        done = run(["db", "upgrade"], url=f"sqlite:///{path}")
        assert done.returncode == 0, done.stderr
        assert "districts added or changed: 3" in done.stdout
        assert not path.with_name(path.name + "-wal").exists()  # all in the file that is copied

    return build_once("cli-migrated", build)


@pytest.fixture
def fresh_url(_cli_migrated, tmp_path):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(_cli_migrated, path)
    return f"sqlite:///{path}"


def _one_error_line(done):
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_upgrade_is_idempotent_and_check_passes(fresh_url):
    again = run(["db", "upgrade"], url=fresh_url)
    assert again.returncode == 0 and "districts added or changed: 0" in again.stdout
    check = run(["db", "check"], url=fresh_url)
    assert check.returncode == 0 and "agree" in check.stdout


def test_create_admin_reads_the_password_from_stdin(fresh_url):
    from forecasting import accounts
    from forecasting.store.db import Database

    done = run(["users", "create-admin", "boss", "--name", "主任"], url=fresh_url, stdin="a-long-secret-1\n")
    assert done.returncode == 0, done.stderr
    assert "a-long-secret-1" not in done.stdout + done.stderr
    db = Database(fresh_url)
    result = accounts.authenticate(db, "boss", "a-long-secret-1")
    assert result.actor.role == "admin" and result.actor.display_name == "主任"
    db.dispose()


def test_password_is_never_an_argument(fresh_url):
    done = run(["users", "create-admin", "boss", "--password", "x"], url=fresh_url)
    assert "unrecognized arguments: --password" in _one_error_line(done)


def test_add_forecaster_and_disable(fresh_url):
    done = run(["users", "add", "fc1", "--role", "forecaster", "--district", "320509"], url=fresh_url,
               stdin="a-long-secret-2\n")
    assert done.returncode == 0, done.stderr
    assert "created forecaster fc1 (吴江区 Wujiang)" in done.stdout  # a name, never an adcode, to a person
    done = run(["users", "disable", "fc1"], url=fresh_url)
    assert done.returncode == 0 and "disabled fc1" in done.stdout
    listing = run(["users", "list"], url=fresh_url)
    assert "fc1\tforecaster\t320509\tdisabled" in listing.stdout


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["users", "add", "fc2", "--role", "forecaster"], "a-long-secret-3\n", "belongs to one district"),
        (["users", "add", "fc2", "--role", "manager"], "short\n", "password too short"),
        (["users", "add", "fc2", "--role", "manager"], "", "no password on standard input"),
        (["users", "disable", "nobody"], "", "no user named 'nobody'"),
        (["users", "add", "fc2", "--role", "chief"], "", "invalid choice: 'chief'"),
    ],
)
def test_errors_exit_2_with_one_line(fresh_url, args, stdin, message):
    assert message in _one_error_line(run(args, url=fresh_url, stdin=stdin))


@pytest.mark.slow
def test_demo_seed_only_into_an_empty_database(fresh_url, tmp_path):
    done = run(["demo", "seed", "--if-empty", "--days", "2", "--files-days", "1"], url=fresh_url,
               env_extra={"FORECASTING_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0 and "demo world seeded" in done.stdout, done.stderr
    assert len(list((tmp_path / "demo" / "runs").glob("*.nc"))) == 3  # one file per model
    banner = run(["demo", "banner", "--url", "http://127.0.0.1:8501"], url=fresh_url)
    assert "DEMO MODE" in banner.stdout and "qp_chen" in banner.stdout
    # the accounts with their districts by name (names as in data/districts.geojson), never by adcode
    rows = {line.split()[0]: line for line in banner.stdout.splitlines()[1:] if line.startswith("    ")}
    assert "青浦区 Qingpu" in rows["qp_chen"] and "吴江区 Wujiang" in rows["wj_wang"] and "嘉善县 Jiashan" in rows["js_zhou"]
    assert not any(code in banner.stdout for code in ("310118", "320509", "330421"))
    # today's duty chief and deputy are marked (a newcomer looked for whom to try the chief's desk as), as the
    # rota table says for today (Beijing)
    import sqlite3
    from datetime import datetime, timedelta, timezone

    today = (datetime.now(timezone.utc) + timedelta(hours=8)).date().isoformat()
    with sqlite3.connect(fresh_url.removeprefix("sqlite:///")) as con:
        chief, deputy = con.execute(
            "SELECT c.username, d.username FROM rota_turns t JOIN users c ON c.id = t.chief_id"
            " JOIN users d ON d.id = t.deputy_id WHERE t.start_date <= ? AND t.end_date >= ?", (today, today)).fetchone()
    marked = {name: line for name, line in rows.items() if "←" in line}
    assert set(marked) == {chief, deputy}, marked
    assert "今日轮值首席 today's duty chief" in marked[chief] and "今日副班 today's deputy" in marked[deputy]
    again = run(["demo", "seed", "--if-empty"], url=fresh_url)
    assert again.returncode == 0 and "not seeded" in again.stdout


def test_production_database_has_no_demo_accounts_and_no_banner(fresh_url):
    run(["users", "create-admin", "boss"], url=fresh_url, stdin="a-long-secret-1\n")
    assert run(["demo", "seed", "--if-empty"], url=fresh_url).returncode == 0
    banner = run(["demo", "banner"], url=fresh_url)
    assert "DEMO MODE" not in banner.stdout and "qp_chen" not in banner.stdout
    assert "qp_chen" not in run(["users", "list"], url=fresh_url).stdout


def test_help_registers_every_command_without_the_heavy_libraries():
    """Issue #16, lean start: ``--help`` builds every command's parser and imports none of numpy, pandas,
    xarray, dask, distributed, scikit-learn, streamlit or SQLAlchemy (each command imports them when it runs)."""
    probe = ("import sys\nfrom forecasting.cli import build_parser\n"
             "parser = build_parser()\n"
             "heavy = ('numpy', 'pandas', 'xarray', 'dask', 'distributed', 'sklearn', 'streamlit', 'sqlalchemy')\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
             "print(' '.join(sorted(parser._subparsers._group_actions[0].choices)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    heavy, commands = done.stdout.splitlines()
    assert heavy == ""
    assert {"aqi", "db", "demo", "extract", "ingest", "backtest", "users"} <= set(commands.split())


def test_help_says_what_the_tool_is_and_its_examples_are_real_commands():
    """``--help`` began "The command line ``python -m forecasting COMMAND ...``." (the module docstring, with its
    reStructuredText quotes) and named neither the product, the database it acts on, nor a first command."""
    import shlex

    from forecasting.cli import build_parser

    done = subprocess.run([sys.executable, "-m", "forecasting", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "``" not in done.stdout and "长三角示范区空气质量联合预报会商" in done.stdout
    assert "DATABASE_URL" in done.stdout and "make run" in done.stdout
    examples = [line.split("  ", 2)[1] if line.startswith("  ") else line
                for line in done.stdout.split("examples:", 1)[1].splitlines() if "python -m forecasting" in line]
    assert len(examples) >= 3, done.stdout
    for example in examples:  # each parses as written (the placeholders stand for a value)
        words = shlex.split(example.split(">")[0])[3:]
        args = build_parser().parse_args(words)
        assert callable(args.func), example


def test_bench_help_prints_the_usage_and_runs_no_bench():
    """``python -m bench --help`` ran every benchmark (many minutes, the correction bench alone five);
    it prints the usage and the benchmarks' names instead."""
    done = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "python -m bench [NAME ...]" in done.stdout and "correction" in done.stdout
    assert "=== bench" not in done.stdout


def test_make_run_on_a_taken_port_says_so_and_starts_nothing(tmp_path):
    """Another program on the port (another Streamlit app on 8501 is common): `make run` printed the banner
    ("Open http://127.0.0.1:8501") and then Streamlit's "Port 8501 is not available", while the demo build ran
    on without an app. Now it says which port and what to do, in both languages, and builds nothing."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "FORECASTING_DATA_DIR": str(tmp_path)}
        out = subprocess.run([sys.executable, "-m", "forecasting", "demo", "run", "--host", "127.0.0.1", "--port",
                              str(port)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 2, out
    assert f"端口 {port} 已被占用" in out.stderr and f"Port {port} is in use" in out.stderr
    assert f"make run PORT={port + 1}" in out.stderr and "Open http" not in out.stdout
    assert not (tmp_path / "app.sqlite3").exists() and not (tmp_path / "demo").exists()  # nothing built


@pytest.mark.parametrize("url, says", [
    ("mysql://app:secret@db/aq", "names the database system 'mysql', which this app does not run on"),
    ("not a url", "DATABASE_URL is not a database URL"),
])
def test_a_database_url_the_app_cannot_use_is_named_without_its_password(url, says):
    """`DATABASE_URL=mysql://…` ended in "ModuleNotFoundError: No module named 'MySQLdb'" and a string that is no
    URL in SQLAlchemy's "Could not parse SQLAlchemy URL": now one line says what a DATABASE_URL may be."""
    done = run(["db", "upgrade"], url=url)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert "sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/database" in done.stderr
    assert "secret" not in done.stderr and "Traceback" not in done.stderr


def test_a_database_file_or_folder_the_app_cannot_use_is_named(tmp_path):
    """A file that is no SQLite database said only "database error: file is not a database" (which file?), and a
    folder that cannot be made "FileExistsError: [Errno 17] File exists: …": each now names the path and what to
    set."""
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database\n")
    done = run(["db", "upgrade"], url=f"sqlite:///{garbage}")
    assert done.returncode == 2, done.stderr
    assert f"{garbage} is not an SQLite database" in done.stderr and "point DATABASE_URL at" in done.stderr
    assert garbage.read_text() == "not a database\n"  # untouched
    done = run(["db", "upgrade"], url=f"sqlite:///{garbage}/app.sqlite3")  # a file where the folder should be
    assert done.returncode == 2, done.stderr
    assert f"cannot create the database's folder {garbage}" in done.stderr and "FORECASTING_DATA_DIR" in done.stderr
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr


def test_make_run_without_the_chinese_font_says_so_and_builds_nothing(tmp_path):
    """A machine with fonts but no CJK font (DejaVu only; `make run` installs fonts-noto-cjk itself when it may,
    so this is a user without root): the demo build ran a minute and then stopped at its first report (whose
    Chinese would print as boxes). Now `make run` says so in both languages, with the fix, before it starts."""
    from browser_support import free_port

    dejavu = [d for d in ("/usr/share/fonts/truetype/dejavu",) if Path(d).is_dir()]
    if not dejavu:
        pytest.skip("no DejaVu fonts to stand for a machine without a CJK font (fonts-dejavu-core)")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<dir>{dejavu[0]}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    assert run(["db", "upgrade"], url=url).returncode == 0
    env = {**os.environ, "DATABASE_URL": url, "FORECASTING_DATA_DIR": str(tmp_path), "FONTCONFIG_FILE": str(conf)}
    out = subprocess.run([sys.executable, "-m", "forecasting", "demo", "run", "--host", "127.0.0.1",
                          "--port", str(free_port())], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 2, out
    assert "本机未安装中文字体 Noto Sans CJK" in out.stderr and "make sysdeps" in out.stderr
    assert "Noto Sans CJK is not installed" in out.stderr and "Open http" not in out.stdout
    assert not (tmp_path / "demo").exists()  # nothing built
    done = subprocess.run([sys.executable, "-m", "forecasting", "demo", "seed", "--if-empty"], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # the build itself refuses before it writes
    assert done.returncode == 2 and "Noto Sans CJK" in done.stderr and "fonts-noto-cjk" in done.stderr, done
    import sqlite3

    with sqlite3.connect(tmp_path / "app.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM users").fetchone() == (0,)


def _make_venv_with(tmp_path, name: str, script: str):
    """``make <tmp>/.venv/bin/python`` (the Makefile's venv step) with ``PYTHON`` a stand-in shell script named
    ``name`` whose body is ``script``; returns the finished process and the venv's folder."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    fake = tmp_path / name
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    venv = tmp_path / ".venv"
    done = subprocess.run(["make", "-s", f"{venv}/bin/python", f"VENV={venv}", f"PYTHON={fake}"], cwd=ROOT,
                          capture_output=True, text=True)
    return done, venv


def test_a_venv_that_fails_half_way_is_removed_and_named(tmp_path):
    """Debian and Ubuntu ship python3 without ensurepip: `python3 -m venv` makes .venv/bin/python, then fails.
    The next `make run` found that python, skipped the venv and failed on "No module named pip", for good. Now
    the half-made venv is removed and both languages say what to install. (A stand-in python that does what
    Debian's does: a venv without pip, then exit status 1.)"""
    done, venv = _make_venv_with(tmp_path, "python-without-ensurepip",
                                 f'[ "$1" = -c ] && exec "{sys.executable}" "$@"\n'
                                 f'[ "$1 $2" = "-m venv" ] && [ -n "$3" ] && "{sys.executable}" -m venv --without-pip "$3"\n'
                                 'exit 1\n')
    assert done.returncode != 0, done
    # An earlier stand-in made its venv in the working directory (the checkout) when called otherwise, and
    # bin/, lib64 and pyvenv.cfg were committed with it
    assert not (ROOT / "pyvenv.cfg").exists()
    assert "install python3-venv" in done.stderr and "请先安装 python3-venv" in done.stderr, done.stderr
    assert not venv.exists()


def test_an_old_python_is_named_before_anything_is_made(tmp_path):
    """`make run` with a Python older than 3.11 created .venv and then pip said only "No matching distribution
    found for numpy==…". Now the version is named first, in both languages, and nothing is made. (A stand-in
    python that answers as Python 3.9 does.)"""
    done, venv = _make_venv_with(tmp_path, "python3.9",
                                 '[ "$1" = --version ] && echo "Python 3.9.2" && exit 0\n[ "$1" = -c ] && exit 1\n'
                                 f'"{sys.executable}" "$@"\n')
    assert done.returncode != 0, done
    assert "needs Python 3.11 or later" in done.stderr and "Python 3.9.2" in done.stderr, done.stderr
    assert "需要 Python 3.11 或更高版本" in done.stderr
    assert not venv.exists()


def test_make_demo_fresh_deletes_a_demo_world_of_an_earlier_day_but_never_under_a_running_app(demo_template,
                                                                                            tmp_path):
    """`make demo-fresh` (`demo reset`, then `make run`): a demo world of an earlier day is deleted, with the
    demo's model files, so the next run builds one for today; the terminal's banner had said since when. Never
    while the app (or anything) holds its port. Both languages, as `make run` speaks. (What it never deletes:
    test_demo_build.py.)"""
    import socket
    import sqlite3
    from datetime import timedelta

    from forecasting.consultation import beijing_today
    from browser_support import free_port

    demo = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, demo)
    url = f"sqlite:///{demo}"
    earlier = beijing_today() - timedelta(days=2)
    with sqlite3.connect(demo) as con:  # as the build of two days ago wrote it
        con.execute("UPDATE app_meta SET value = ? WHERE key = 'demo_day'", (earlier.isoformat(),))
    banner = run(["demo", "banner"], url=url)
    assert f"演示数据按 {earlier.isoformat()} 生成，此后 2 天" in banner.stdout and "make demo-fresh" in banner.stdout
    data = tmp_path / "data"
    (data / "demo" / "runs").mkdir(parents=True)
    env = {"FORECASTING_DATA_DIR": str(data)}
    with socket.socket() as held:  # the app still running on its port
        held.bind(("127.0.0.1", 0))
        held.listen()
        busy = run(["demo", "reset", "--port", str(held.getsockname()[1])], url=url, env_extra=env)
    assert busy.returncode == 2 and "请先停止应用" in busy.stderr and "stop it first" in busy.stderr, busy
    assert demo.exists() and (data / "demo").exists()
    done = run(["demo", "reset", "--port", str(free_port())], url=url, env_extra=env)
    assert done.returncode == 0, done
    assert f"已删除演示数据库 {demo}" in done.stdout and "builds a demo world for today" in done.stdout
    assert not demo.exists() and not (data / "demo").exists()


def test_make_clean_keeps_a_database_that_is_not_a_demo_world(demo_template, sqlite_url, tmp_path):
    """`make clean` removed var/ whole: a production SQLite database in the default place went with it. Now it
    removes the virtualenv and caches, and the data folder only when its database is a demo world. (Run in a
    scratch folder with the Makefile, its .venv a stand-in that runs this checkout's Python.)"""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    from browser_support import free_port

    def scratch(name, database):
        folder = tmp_path / name
        (folder / ".venv" / "bin").mkdir(parents=True)
        python = folder / ".venv" / "bin" / "python"
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
        (folder / "var" / "demo" / "runs").mkdir(parents=True)
        shutil.copy(database, folder / "var" / "forecasting.sqlite3")
        return folder

    def clean(folder):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORECASTING_DATA_DIR", "MAKEFLAGS")}
        return subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "clean", f"PORT={free_port()}"],
                              cwd=folder, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)

    demo = scratch("demo", demo_template)
    done = clean(demo)
    assert done.returncode == 0, done
    assert not (demo / "var").exists() and not (demo / ".venv").exists()
    from forecasting import accounts
    from forecasting.permissions import Actor
    from forecasting.store.db import Database

    db = Database(sqlite_url)
    accounts.create_user(db, Actor.system("test"), username="boss", password="a-long-secret-1", role="admin")
    db.dispose()
    production = scratch("production", sqlite_url.removeprefix("sqlite:///"))
    kept = clean(production)
    assert kept.returncode == 0, kept
    assert (production / "var" / "forecasting.sqlite3").exists() and not (production / ".venv").exists()
    assert "never deletes it" in kept.stderr and "已保留" in kept.stderr, kept.stderr


def test_make_run_finds_the_installed_font_and_pango_with_a_users_path(tmp_path):
    """`make run` checks the app's system packages (scripts/sysdeps.sh app). With a user's PATH, which often
    lacks /sbin, `ldconfig` was not found and Pango read as missing on every run: as root that meant apt-get on
    every `make run`, otherwise a false "cannot install". (apt-get is a stand-in here that records its call.)"""
    from forecasting.reports import cjk_font_installed

    if not cjk_font_installed() or not Path("/sbin/ldconfig").exists():
        pytest.skip("the font or ldconfig is not on this machine: nothing to find")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path / "apt-calls"}"\n')
    (fake / "apt-get").chmod(0o755)
    done = subprocess.run(["bash", str(ROOT / "scripts" / "sysdeps.sh"), "app"], capture_output=True, text=True,
                          env={"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0 and done.stderr == "" and done.stdout == "", done
    assert not (tmp_path / "apt-calls").exists()
