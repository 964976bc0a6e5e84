"""The data desk in a real headless Chromium (issue #20), on a small demo world whose newest NAQPMS-SH
run is withheld: the arrivals board shows it late; a forecaster uploads its file (inspect, map,
confirm) and a corrupt one (clear refusal, nothing written); an admin uploads observations.
The page may make no request beyond the local app server."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from browser_support import app_server, browser, screenshot, table_rows_in_sight, upload, wait_idle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-2026-yrd"
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def withheld_world(tmp_path_factory, _sqlite_template):
    """A 4-day demo world with the newest NAQPMS-SH cycle withheld: the board, the uploads and the room's
    stale-guidance line need the newest cycles and today's session only (a 12-day world, as the shared
    demo fixture, cost 24 s more of the run for history no step reads)."""
    from forecasting.demo import seed_if_empty
    from forecasting.store.db import Database

    folder = tmp_path_factory.mktemp("dd20")
    path = folder / "demo.sqlite3"
    shutil.copy(_sqlite_template, path)
    mp = pytest.MonkeyPatch()
    mp.setenv("FORECASTING_DEMO_WITHHOLD", "NAQPMS-SH")
    try:
        db = Database(f"sqlite:///{path}")
        # English report files for the newest issue date only, as in the demo template (no test here reads them)
        seed_if_empty(db, folder=folder / "runs", days=4, files_days=2, english_days=1, log=lambda *_: None)
        db.dispose()
    finally:
        mp.undo()
    return f"sqlite:///{path}", folder / "runs"


def _shot(page, name):
    screenshot(page, name, docs=True)


def _sign_in(page, base, username):
    page.goto(base + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("您好").wait_for()
    wait_idle(page)


def _counts(url):
    from forecasting.store.db import Database
    from forecasting.store.science import DistrictSeries, ModelRun, Observation

    db = Database(url)
    with db.read() as s:
        out = tuple(s.scalar(select(func.count()).select_from(m)) for m in (ModelRun, DistrictSeries, Observation))
    db.dispose()
    return out


def _board_words(url: str) -> str:
    """What the arrivals board's summary says about NAQPMS-SH now, from the app's own service.

    The newest NAQPMS-SH cycle (yesterday 12Z, Beijing date) was withheld. Before it is due
    (16-22 UTC, when Beijing's date has already turned) the board reads the newest *due* cycle,
    which arrived, so the line counts the models instead of naming NAQPMS-SH.
    """
    from forecasting.arrivals import arrival_summary
    from forecasting.i18n import t
    from forecasting.store.db import Database

    db = Database(url)
    summary = arrival_summary(db, now=datetime.now(timezone.utc))
    db.dispose()
    for a in summary.not_in:
        if a.model == "NAQPMS-SH":
            return f"{a.label} {t(f'dd20.status.{a.status}', 'zh')}"
    return t("dd20.summary.models", "zh", n=len(summary.arrived), total=len(summary.newest))


def test_data_desk_journey(withheld_world, tmp_path):
    from playwright.sync_api import expect

    url, runs = withheld_world
    # the withheld file is the newest NAQPMS-SH file the world wrote (its name carries the cycle)
    withheld = max(runs.glob("NAQPMS-SH.ACONC.*.nc"))
    assert datetime.strptime(withheld.name.split(".")[2], "%Y%m%d%H").hour == 12
    before_words = _board_words(url)
    with app_server(url, data_dir=tmp_path) as base, browser() as b:
        page = b.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        _sign_in(page, base, "qp_chen")
        page.get_by_role("link", name="数据台").first.click()
        page.get_by_text("数据台：到达情况与数据上传").wait_for()
        wait_idle(page)
        # the board's words, from the arrivals service before and after the page drew them (a due
        # time may pass in between): the page shows one of the two
        board = page.get_by_text(before_words).first
        board.or_(page.get_by_text(_board_words(url)).first).first.wait_for()
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        wait_idle(page)
        _shot(page, "datadesk-arrivals-late")

        # upload the withheld file: inspect, see the description and the map, confirm
        page.get_by_role("tab", name="上传模式数据").click()
        # the uploader speaks Chinese: its button says 上传文件, Streamlit's English size line is hidden
        zone = page.locator("[class*='st-key-dd20_run_files'] [data-testid='stFileUploaderDropzone']")
        zone.wait_for()
        assert zone.locator("button").evaluate("b => getComputedStyle(b, '::after').content") == '"上传文件"'
        assert "Upload" not in zone.locator("button").inner_text()  # Streamlit's own label is not drawn
        assert zone.locator("[data-testid='stFileUploaderDropzoneInstructions']").evaluate(
            "e => getComputedStyle(e).display") == "none"
        _shot(page, "datadesk-run-uploader")
        # the file first, listed as uploaded, then the model (choosing it during the upload could rerun
        # the page without the file: the inspect button then stayed disabled, seen once under load)
        upload(page, "dd20_run_files", str(withheld), [withheld.name])
        expect(page.get_by_role("button", name="检查文件")).to_be_enabled()
        page.locator(".st-key-dd20_run_model").click()
        page.get_by_role("option", name="NAQPMS-SH").click()
        wait_idle(page)
        page.get_by_role("button", name="检查文件").click()
        page.get_by_text("文件说明").wait_for()
        wait_idle(page)
        page.wait_for_function("() => document.querySelectorAll('.vega-embed').length >= 1")
        assert page.get_by_text("示范区覆盖").count() >= 1
        assert page.get_by_text("格式 CMAQ IOAPI · 模式 NAQPMS-SH").count() >= 1
        page.locator(".vega-embed").first.scroll_into_view_if_needed()
        _shot(page, "datadesk-run-preview")
        page.locator(".st-key-dd20_run_recompute label").click()  # leave the guidance stale: the room says so
        before = _counts(url)
        page.get_by_role("button", name="确认入库").click()
        page.get_by_text("已入库 NAQPMS-SH").wait_for()
        wait_idle(page)
        after = _counts(url)
        assert after[0] == before[0] + 1 and after[1] > before[1]
        _shot(page, "datadesk-run-stored")

        # a corrupt file: a clear refusal, nothing written
        upload(page, "dd20_run_files", [{"name": "broken.nc", "mimeType": "application/x-netcdf",
                                          "buffer": b"CDF\x01 not really netcdf"}], ["broken.nc"])
        page.get_by_role("button", name="检查文件").click()
        page.get_by_text("已拒收，未写入任何数据").wait_for()
        wait_idle(page)
        assert page.get_by_text("broken.nc 不是可读取的").count() >= 1  # the file by its name, not a server path
        assert _counts(url) == after
        _shot(page, "datadesk-run-refused")

        # the board now shows the run arrived (after its due time) and the refusal in the history
        page.get_by_role("tab", name="到达情况").click()
        page.reload()
        page.get_by_text("数据台：到达情况与数据上传").wait_for()
        wait_idle(page)
        page.get_by_text("已过期").first.wait_for()

        # the consultation room says the guidance is stale (dd20.stale). The data desk shows the same warning,
        # so the room's own heading and grid come first: the picture was once of a room still loading
        page.get_by_role("link", name="会商室").first.click()
        page.get_by_role("heading", name="联合预报会商室").wait_for()
        page.get_by_text("三地对比").wait_for()
        page.get_by_text("入库之前计算的，已过期").first.wait_for()
        wait_idle(page)
        _shot(page, "datadesk-room-stale")

        # observations: an admin uploads a CSV for two demo stations, previews the QC flags, confirms
        admin = b.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        _sign_in(admin, base, "admin")
        # an admin's sidebar lists every page, in Chinese (no Streamlit "View 3 more")
        assert admin.locator("[data-testid='stSidebarNav']").get_by_role("link", name="审计日志").count() == 1
        assert "View" not in admin.locator("[data-testid='stSidebarNav']").inner_text()
        admin.get_by_role("link", name="数据台").first.click()
        admin.get_by_text("数据台：到达情况与数据上传").wait_for()
        wait_idle(admin)
        admin.get_by_role("tab", name="上传观测").click()
        hour = (datetime.now(timezone.utc).astimezone(BEIJING).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1))
        lines = ["station,time,pm25,pm10,o3,no2,so2,co"]
        for k in range(3):
            at = hour - timedelta(hours=2 - k)
            t = at.strftime("%Y-%m-%dT%H:00+08:00")
            # Wujiang's times without an offset, as a monitoring export writes Beijing time: read in Beijing time,
            # the page's default (a tour had them refused as "应为带 UTC 偏移的时间"; then read as UTC, 8 h late)
            naive_bj = at.strftime("%Y-%m-%d %H:00")
            lines.append(f"QP01,{t},{41 + k},{70 + k},{60 + 3 * k},{30 + k},{8 + k},{0.8 + 0.05 * k:.2f}")
            lines.append(f"WJ01,{naive_bj},{66 + k},{50 + k},{58 + 3 * k},{28 + k},{7 + k},{0.7 + 0.05 * k:.2f}")
        csv = ("\n".join(lines) + "\n").encode()
        upload(admin, "dd20_obs_file", [{"name": "obs.csv", "mimeType": "text/csv", "buffer": csv}], ["obs.csv"])
        admin.get_by_role("button", name="预览").click()
        admin.get_by_text("质控标记：PM2.5 大于 PM10 6").wait_for()  # the QC code in words
        wait_idle(admin)
        _shot(admin, "datadesk-obs-preview")
        admin.get_by_role("button", name="确认导入").click()
        admin.get_by_text("已导入 36 个数值").wait_for()
        wait_idle(admin)
        _shot(admin, "datadesk-obs-imported")

        # the accounts, all in sight: the table showed 10 of the demo's 11 and scrolled inside for the last
        admin.get_by_role("link", name="用户管理").first.click()
        admin.get_by_role("heading", name="全部用户").wait_for()
        wait_idle(admin)
        rows, scrolled, shown = table_rows_in_sight(admin, "users_table")
        assert rows == 12, rows  # the header and the 11 demo accounts
        assert scrolled <= shown + 1, f"the accounts table scrolls inside: {scrolled} px of rows in {shown} px"
