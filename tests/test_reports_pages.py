"""AppTest tests of the managers' page (``pages/reports.py``) and the API tokens page."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import timedelta

import pytest

from apptest_support import goto, new_app, sign_in, texts
from db_support import PASSWORD
from reports_data import CONCLUSION, DEMO_PASSWORD, issue_demo_report, title_zh



@pytest.fixture(scope="module")
def demo_issued(tmp_path_factory, _demo_template):
    from forecasting.store.db import Database

    path = tmp_path_factory.mktemp("pages") / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    db = Database(f"sqlite:///{path}")
    _chief, issue, issued = issue_demo_report(db)
    db.dispose()
    return path, issue, issued


@pytest.fixture
def issued_url(demo_issued, tmp_path, monkeypatch):
    path, issue, issued = demo_issued
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(path, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    return url, issue, issued


def test_a_report_the_deputy_signed_says_why_on_the_managers_page(tmp_path, monkeypatch, _demo_template):
    """The page named the deputy as the signer but not the chief's absence, which the report's sign-off and the
    chief desk give."""
    from forecasting.store.db import Database

    path = tmp_path / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    db = Database(f"sqlite:///{path}")
    from forecasting import consultation as c

    _chief, issue, _issued = issue_demo_report(db, absent_reason="首席外出参加培训")
    deputy = c.duty_for(db, issue).deputy_name
    db.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    at = goto(sign_in(new_app(), "mgr_sun", DEMO_PASSWORD), "reports.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert f"签发人 {deputy}（" in page and "轮值首席缺席原因：首席外出参加培训" in page


def _downloads(at):
    return [el for el in at.get("download_button")]


def test_manager_sees_the_latest_report_archive_downloads_and_calendar(issued_url):
    url, issue, issued = issued_url
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert not re.search(r"\b(310118|320509|330421)\b", page)  # the district cards name districts, never adcodes
    assert f"最新发布：{title_zh(issue)}" in page
    for name in ("青浦区", "吴江区", "嘉善县"):
        assert name in page
    assert "60–80" in page and "90–110" in page
    # the district cards write a day as the table of days above them does ("12月8日"; they said "12-08")
    first = issue + timedelta(days=1)
    assert f"{first.month}月{first.day}日 · AQI **60–80**" in page
    assert f"{first:%m-%d} · AQI" not in page
    assert "校验通过" in page and issued.sha256 in page
    assert len(at.dataframe) == 2  # archive and amendment trail
    archive = at.dataframe[0].value
    assert len(archive) > 1 and archive["报告"].iloc[0] == title_zh(issue)  # the demo's earlier issues follow
    assert list(at.dataframe[1].value["状态"]) == ["现行"]  # the trail of the chosen (newest) issue
    assert len(_downloads(at)) == 8  # the seven stored files and the reader's PDF button (issue #18)
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 1  # the calendar
    # a column per forecast day (the day after issue), and its axis says so; the newest column is the
    # newest issue's first target day
    import json

    spec = json.loads((at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0].proto.spec)
    assert spec["encoding"]["x"]["title"] == "预报日（发布次日）"
    first_day = issue + timedelta(days=1)
    assert spec["encoding"]["x"]["sort"][-1] == f"{first_day.month}月{first_day.day}日"


def test_filters_narrow_the_archive(issued_url):
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    at.text_input(key="rep_text").input(CONCLUSION[:8]).run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 1
    at.selectbox(key="rep_level.zh").select(3).run()
    at.selectbox(key="rep_district.zh").select("320509").run()
    assert len(at.dataframe[0].value) == 1
    at.selectbox(key="rep_district.zh").select("310118").run()
    assert "没有符合条件的报告" in texts(at)  # Qingpu stays 良
    at.selectbox(key="rep_district.zh").select("").run()
    at.text_input(key="rep_text").input("不存在的词").run()
    assert "没有符合条件的报告" in texts(at)


def test_a_reversed_range_is_named_not_read_as_no_report(issued_url):
    """"没有符合条件的报告" answered a range whose end came before its start."""
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    first = at.date_input(key="rep_from").value
    at.date_input(key="rep_to").set_value(first - timedelta(days=1)).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [f"截止日 {first - timedelta(days=1)} 早于起始日 {first}：请调整日期范围。"]
    assert "没有符合条件的报告" not in texts(at)


def test_the_listed_reports_download_as_one_zip_for_that_selection_only(issued_url):
    """A manager filed a month of reports one download at a time (two clicks and a file dialog each)."""
    import io
    import zipfile

    url, issue, issued = issued_url
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    at.text_input(key="rep_text").input(CONCLUSION[:8]).run()  # the one report the test issued
    assert len(at.dataframe[0].value) == 1
    assert "把上表筛选出的 1 期报告打成一个 ZIP 文件" in texts(at)
    assert not [b for b in _downloads(at) if b.label == "下载 ZIP 文件"]  # nothing packed yet
    at.button(key="rep_zip_go").click().run()
    assert not at.exception, at.exception
    assert "已准备好 1 期报告" in texts(at)
    assert [b for b in _downloads(at) if b.label == "下载 ZIP 文件"]
    wanted, packed, name = at.session_state["rep_zip"]
    assert name == f"aq-reports-{issue.isoformat()}_{issue.isoformat()}-pdf.zip"
    z = zipfile.ZipFile(io.BytesIO(packed))
    pdf = z.read(f"aq-report-{issue.isoformat()}-r1.pdf")
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256  # the issued PDF, byte for byte
    # another format (or another filter) is another selection: the packed file is not offered for it
    at.selectbox(key="rep_zip_fmt.zh").select("txt").run()
    assert not [b for b in _downloads(at) if b.label == "下载 ZIP 文件"]


def test_forecasters_read_the_reports_too(issued_url):
    at = sign_in(new_app(), "wj_wang", DEMO_PASSWORD)
    goto(at, "reports.py")
    assert not at.exception, at.exception
    assert "最新发布" in texts(at)


def test_empty_archive(sqlite_url, monkeypatch):
    from forecasting import accounts
    from forecasting.permissions import Actor
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    accounts.create_user(get_database(sqlite_url), Actor.system("t"), username="mgr1", password=PASSWORD,
                         role="manager")
    at = sign_in(new_app(), "mgr1", PASSWORD)
    goto(at, "reports.py")
    assert not at.exception, at.exception
    assert "尚未发布任何会商报告" in texts(at)


def test_token_page_creates_shows_once_and_revokes(issued_url):
    from forecasting.store.db import get_database
    from forecasting.tokens import authenticate_token

    url, _issue, _issued = issued_url
    at = sign_in(new_app(), "wj_wang", DEMO_PASSWORD)
    goto(at, "api_tokens.py")
    assert not at.exception, at.exception
    assert "还没有令牌" in texts(at)
    # a token needs a name: one without showed only as "#1 wj_wang V1Jm…", and nobody could tell what it was for
    [b for b in at.button if b.label == "创建令牌"][0].click().run()
    assert any("请填写令牌名称" in str(e.value) for e in at.error) and not at.code
    at.text_input(key="token_name").input("wrf")
    [b for b in at.button if b.label == "创建令牌"][0].click().run()
    assert not at.exception, at.exception
    (code,) = at.code
    secret = code.value
    assert authenticate_token(get_database(url), secret).username == "wj_wang"
    at.run()
    assert not at.code  # shown once
    assert list(at.dataframe[0].value["状态"]) == ["有效"]
    assert list(at.dataframe[0].value["用户"]) == ["王磊（wj_wang）"]  # by name, as the other pages (not the login)
    at.button(key="token_revoke").click().run()
    assert "已吊销" in texts(at)
    assert list(at.dataframe[0].value["状态"]) == ["已吊销"]


def test_pages_in_english(issued_url, monkeypatch):
    monkeypatch.setenv("FORECASTING_LANGUAGE", "en")
    url, issue, _issued = issued_url
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert f"Latest: {issue.year} No. {issue.timetuple().tm_yday}" in page and "Wujiang" in page
    assert "Download PDF (Chinese)" in [b.label for b in at.get("download_button")]
    # the chief's summary is quoted in Chinese, and the page says so, as the English files do (a tour)
    assert "are quoted as written, in the language they were written in" in page
    from forecasting import reports
    from forecasting.store.db import get_database

    db = get_database(url)
    # the reader's PDF button gives the English PDF: its details give that file's own hash beside the
    # archived record's (the Chinese PDF), each named (a tour compared the English file with the Chinese hash)
    latest = reports.latest_report(db)
    english_pdf = reports.report_file(db, latest.id, "en.pdf")
    assert english_pdf.sha256 != latest.sha256
    assert f"Report SHA-256 (the Chinese PDF, as archived): {latest.sha256}" in page
    assert f"SHA-256 of the file you download ({english_pdf.filename}): {english_pdf.sha256}" in page
    # an older issue was stored with its Chinese files only: opening it in English renders the English
    # files from its stored report model (the page once crashed: "no en.txt file for issued forecast 52",
    # then showed the Chinese text)
    older = next(r for r in reports.list_reports(db) if "en.txt" not in r.stored and not r.on_demand)
    assert "en.pdf" in older.formats
    at.selectbox(key="rep_pick.en").set_value(older.id).run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Chinese files only" not in page and "Download PDF (English)" in [b.label for b in at.get("download_button")]
    at.button(key=f"preview_{older.id}_en.txt").click().run()
    assert not at.exception, at.exception
    english = reports.report_file(db, older.id, "en.txt").content.decode("utf-8")
    assert english.strip() in texts(at) and "\nQingpu AQI" in english
    goto(at, "api_tokens.py")
    assert not at.exception, at.exception
    assert "Personal API tokens" in texts(at)


def test_the_reader_counts_every_acknowledged_flag_as_issued(demo_url, monkeypatch):
    """The demo chief acknowledges every flag group with one reason (one note for many flags): the reader
    said "确认并说明了 1 条一致性提示：其他 1". It now reads the issued snapshot: one line per flag, by kind."""
    from sqlalchemy import func, select

    from forecasting import reports
    from forecasting.store.consultation import ConsultationSession, FlagAcknowledgement
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.setenv("FORECASTING_LANGUAGE", "zh")
    db = get_database(demo_url)
    latest = reports.latest_report(db)
    with db.read() as s:
        session_id = s.scalar(select(ConsultationSession.id).where(ConsultationSession.issue_date == latest.issue_date))
        stored = s.scalar(select(func.count()).select_from(FlagAcknowledgement)
                          .where(FlagAcknowledgement.session_id == session_id))
    assert stored > 1  # the demo chief acknowledged several flags in one go
    at = goto(sign_in(new_app(), "mgr_sun", DEMO_PASSWORD), "reports.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert f"发布的联合预报中仍有 {stored} 条分歧（按区县对、按日计），均经轮值首席或副班确认并说明" in page
    assert "其他" not in page.split("均经轮值首席或副班确认并说明", 1)[1].split("\n", 1)[0]  # every kind named


def test_switching_language_keeps_the_chosen_report_and_filters_and_draws_them_afresh(issued_url):
    """A tour switched to English with a report chosen: the select boxes still read "全部" and
    "2026年第334期 · …" until a reload (the browser keeps a chosen option's label). Each box has a key per
    language, so it is drawn afresh in the new language, with the same choice."""
    from forecasting import reports
    from forecasting.store.db import get_database

    url, _issue, _issued = issued_url
    older = reports.list_reports(get_database(url))[3]
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    at.selectbox(key="rep_level.zh").select(0).run()
    at.selectbox(key="rep_pick.zh").set_value(older.id).run()
    at.segmented_control(key="lang_switch").set_value("en").run()
    assert not at.exception, at.exception
    keys = {b.key for b in at.selectbox}
    assert {"rep_pick.en", "rep_district.en", "rep_level.en", "rep_chief.en"} <= keys and "rep_pick.zh" not in keys
    assert at.selectbox(key="rep_pick.en").value == older.id  # the same report, now in English
    assert at.selectbox(key="rep_district.en").format_func("") == "All"


def test_an_old_report_renders_its_files_from_the_data_fixed_at_issue(issued_url):
    """The demo world's reports older than a week are issued with their files on demand: the page says the
    hash is the report data's, offers every file, and the preview (the Chinese text) is rendered from the
    stored JSON when the report is opened, then stored."""
    from forecasting import reports
    from forecasting.store.db import get_database

    url, _issue, _issued = issued_url
    db = get_database(url)
    old = next(r for r in reports.list_reports(db) if r.on_demand)
    assert set(old.formats) == set(reports.FORMATS)
    at = sign_in(new_app(), "mgr_sun", DEMO_PASSWORD)
    goto(at, "reports.py")
    at.selectbox(key="rep_pick.zh").set_value(old.id).run()
    assert not at.exception, at.exception
    page = texts(at)
    assert f"报告数据（JSON）SHA-256：{old.sha256}" in page and "校验通过" in page
    labels = [b.label for b in _downloads(at)]
    assert {"下载 PDF（中文）", "下载 PDF（英文）", "下载 JSON（全部字段）"} <= set(labels)
    # choosing the report rendered nothing (a tour saw its files rendered unasked); the preview asks first
    assert "pdf" not in next(r for r in reports.list_reports(db) if r.id == old.id).stored
    assert "这期报告的文件在首次使用时由签发时固定的报告数据生成" in page
    at.button(key=f"preview_{old.id}_txt").click().run()
    assert not at.exception, at.exception
    text = reports.report_file(db, old.id, "txt")  # stored when the preview was asked for
    assert text.content.decode("utf-8").strip() in texts(at)
    pdf_name = reports.report_filename(old.issue_date, old.revision, "pdf")
    assert f"{pdf_name}：首次下载时由报告数据生成并存档" in texts(at)  # not stored yet: said so, no hash
    pdf = reports.report_file(db, old.id, "pdf")
    assert pdf.content.startswith(b"%PDF-") and reports.verify_report(db, old.id)
    # once archived, each file's own hash is on the page to check a download against (a tour found none)
    at.run()
    page = texts(at)
    assert f"{pdf_name}：{hashlib.sha256(pdf.content).hexdigest()}" in page
    assert f"{text.filename}：{hashlib.sha256(text.content).hexdigest()}" in page
