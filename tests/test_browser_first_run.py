"""The first ``make run`` in a real headless Chromium (issue #16): the app answers while the demo world is
built beside it, shows the build's progress instead of the sign-in, and moves on to the sign-in by itself
(no reload) when the world is complete; a demo account then signs in, so the app reads the built world
and not the empty file it opened first. No request leaves the machine. Screenshot in docs/img/
(``FORECASTING_DOCS_IMG=1``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import app_server, browser, live, screenshot, wait_idle, wait_until
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: ``python -m forecasting demo seed ...`` that stops after its first stage (the accounts) until a line
#: arrives on its standard input: the test sees the page mid-build however fast the build is (a 5-day
#: world built in this process takes a few seconds, less than a page load on a busy machine), then lets
#: it finish. Only the test's copy of the build waits; the command is the real one.
HELD_BUILD = """
import sys
from forecasting.cli import main
from forecasting.demo import world

seed = world.seed_if_empty


def held(db, *, log, **options):
    def hold_after_accounts(line):
        log(line)
        if line.strip().startswith("accounts"):
            sys.stdin.readline()
    return seed(db, log=hold_after_accounts, **options)


world.seed_if_empty = held
sys.exit(main(sys.argv[1:]))
"""


def test_the_app_shows_the_build_then_the_sign_in(_sqlite_template, tmp_path):
    from forecasting.demo.status import read_status, status_path

    path = tmp_path / "app.sqlite3"
    shutil.copy(_sqlite_template, path)  # what `make run` migrates before it starts the app and the build
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url, "FORECASTING_DATA_DIR": str(tmp_path)}
    with app_server(url, data_dir=tmp_path) as base, browser() as b:
        with open(tmp_path / "build.log", "w") as log:
            build = subprocess.Popen([sys.executable, "-c", HELD_BUILD, "demo", "seed", "--if-empty", "--days", "5",
                                      "--files-days", "1", "--progress", "lines"], cwd=ROOT, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.PIPE, text=True)
            try:
                # held after its first stage: the status says building, with an estimate of the time left
                wait_until(lambda: (s := read_status(status_path(tmp_path), url)) is not None and s.state == "building"
                           and s.eta is not None, what="the build has finished its first stage")
                page = b.new_page(viewport={"width": 1300, "height": 700}, locale="zh-CN")
                page.goto(base + "/")
                page.get_by_role("heading", name="正在生成演示数据").wait_for()
                live(page).get_by_text("预计还需约").first.wait_for()
                wait_idle(page)
                assert page.get_by_label("用户名").count() == 0
                screenshot(page, "first-run-building", docs=True)
                build.stdin.write("go\n")  # let the build finish
                build.stdin.close()
                # no reload: the page reads the status again and moves on when the world is complete
                live(page).get_by_label("用户名").wait_for()
                assert build.wait(timeout=PATIENCE_S) == 0, (tmp_path / "build.log").read_text()
            finally:
                if build.poll() is None:
                    build.terminate()
                    build.wait(timeout=PATIENCE_S)
        assert read_status(status_path(tmp_path), url).state == "complete"
        live(page).get_by_label("用户名").fill("qp_chen")
        live(page).get_by_label("密码").fill("demo-2026-yrd")
        live(page).get_by_role("button", name="登录").click()
        # the app reads the built world, not the empty file it had opened (a refusal would say 登录失败)
        welcome = page.get_by_text("您好，陈静（青浦区）")
        welcome.or_(page.get_by_text("登录失败")).first.wait_for()
        assert welcome.count() == 1, "the demo account could not sign in after the build"
        wait_idle(page)
