"""The issued report of a demo consultation: content (HJ 633-2026 §5.1.1 minimum), the PDF (embedded CJK
font, renders, text), HTML escaping, the short text, JSON, the archive and an amendment.

Today's demo consultation is issued (revision 1), then amended and issued again (revision 2) once per
module: rendering costs seconds. The demo world's earlier issues (rendered at seeding) are in the archive.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import shutil
import subprocess
from datetime import date, timedelta

import pytest

from reports_data import (CONCLUSION, JS, NOTE_WITH_MARKUP, QP, WJ, day_publishable, day_short, demo_actor,
                          issue_demo_report, targets, title_zh, valid_hours)



@pytest.fixture(scope="module")
def issued(tmp_path_factory, _demo_template):
    """``(db, first IssuedView, second IssuedView, folder, issue_date)``: revision 1 and its amendment
    (Wujiang 100–130 for the first three days)."""
    from forecasting import consultation as c
    from forecasting.reports import issue_with_report
    from forecasting.store.db import Database
    from reports_data import DEMO_PASSWORD

    folder = tmp_path_factory.mktemp("reports")
    path = folder / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    db = Database(f"sqlite:///{path}")
    chief, issue, first = issue_demo_report(db)
    c.amend_session(db, chief, issue, reason="吴江臭氧订正")
    # the amendment copies the combined entries (version 1 each)
    entries = [c.FinalInput(WJ, day, 100, 130, ("o3",), 1)
               for day in targets(issue, 3)]
    c.save_final(db, chief, issue, entries)
    for fs in c.session_flags(db, issue):
        if not fs.acknowledged:
            c.acknowledge_flag(db, chief, issue, fs.flag.key, note="订正后确认")
    c.sign_session(db, chief, issue, password=DEMO_PASSWORD, expected_version=c.get_session(db, issue).version)
    second = issue_with_report(db, chief, issue)
    yield db, first, second, folder, issue
    db.dispose()


def _file(db, view, fmt):
    from forecasting.reports import report_file

    return report_file(db, view.id, fmt)


def test_every_format_is_stored_with_its_hash(issued):
    from forecasting.reports import FORMATS, verify_report

    db, first, _second, _, issue = issued
    assert set(first.formats) == set(FORMATS)
    for fmt in FORMATS:
        f = _file(db, first, fmt)
        assert f.sha256 == hashlib.sha256(f.content).hexdigest()
    pdf = _file(db, first, "pdf")
    assert pdf.content.startswith(b"%PDF-")
    assert first.sha256 == pdf.sha256  # the report's hash is the Chinese PDF's
    assert verify_report(db, first.id)
    report = json.loads(_file(db, first, "json").content)
    assert report["pdf_sha256"] == pdf.sha256
    assert pdf.sha256 in _file(db, first, "html").content.decode()


def test_pdf_embeds_a_cjk_font_renders_and_reads_in_chinese(issued):
    db, first, _second, folder, issue = issued
    path = folder / "r1.pdf"
    path.write_bytes(_file(db, first, "pdf").content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk), fonts  # embedded, subset
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(path), str(folder / "page")],
                   check=True)
    png = folder / "page-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    chief = json.loads(_file(db, first, "json").content)["duty"]["chief"]
    for needle in ("青浦区", "吴江区", "嘉善县", "60–80", "90–110", "40–55", "良", "轻度污染", "优",
                   title_zh(issue), "首要污染物", "PM2.5", "健康", chief, "签发", "SHA-256"):
        assert needle in text, needle
    # the health table's first heading breaks between its parts, never inside "（颜色）" (it read "（颜" / "色）")
    assert "（颜色）" in text and not [line for line in text.splitlines() if line.rstrip().endswith("（颜")]


def test_the_sign_off_is_never_alone_on_page_two(issued):
    """On a 60-day demo world 26 of 60 PDFs had page 2 holding only the 签发 block (page 1 was a few lines
    too short for it). Every stored PDF of this world: page 2 is the annex (or there is none), and page 1
    holds the sign-off."""
    from forecasting.reports import list_reports, report_file
    from forecasting.store.reports import IssuedReport

    db, _first, _second, folder, _issue = issued
    # every stored PDF (Chinese and English), and issues with their files on demand rendered now, up to ten
    # Chinese PDFs (the newest first: the layouts of different days' forecasts and notes)
    every = list_reports(db)
    assert sum(r.on_demand for r in every) >= 2 and sum(not r.on_demand for r in every) >= 2
    with db.read() as s:
        pdfs = [(r.format, bytes(r.content))
                for r in s.query(IssuedReport).filter(IssuedReport.format.in_(("pdf", "en.pdf")))]
    for r in (r for r in every if r.on_demand):
        if sum(fmt == "pdf" for fmt, _ in pdfs) >= 10:
            break
        pdfs.append(("pdf", report_file(db, r.id, "pdf").content))
    assert sum(fmt == "pdf" for fmt, _ in pdfs) >= 10 and any(fmt == "en.pdf" for fmt, _ in pdfs)
    for k, (fmt, content) in enumerate(pdfs):
        path = folder / f"every-{k}.pdf"
        path.write_bytes(content)
        pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        signed, annex = ("签发人", "附页") if fmt == "pdf" else ("Signed by", "Annex")
        assert signed in pages[0], (k, fmt)
        assert len(pages) < 2 or not pages[1].strip() or annex in pages[1], (k, fmt, pages[1][:200])


def test_the_longest_page_one_still_holds_the_sign_off_in_both_languages(issued):
    """Page 1 at its longest: every one of the six HJ 633 levels forecast (six rows of health advice), two
    primary pollutants on one day (both pollutants' sensitive groups), the chief's absence explained. The
    PDF is laid out once (no second, tighter layout), so that one layout leaves room for the signature."""
    from forecasting.aqi import level_info
    from forecasting.reports import render_files
    from forecasting.store.consultation import IssuedForecast

    db, first, _second, folder, _issue = issued
    with db.read() as s:
        snapshot = json.loads(s.get(IssuedForecast, first.id).snapshot)
    spans = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (2, 3)]
    bounds = {1: (0, 50), 2: (51, 100), 3: (101, 150), 4: (151, 200), 5: (201, 300), 6: (301, 500)}
    for district in snapshot["districts"]:
        for day, (lo_level, hi_level) in zip(district["days"], spans):
            lo, hi = bounds[lo_level][0] + 5, bounds[hi_level][1] - (5 if hi_level < 6 else 150)
            if lo_level != hi_level:
                lo, hi = bounds[lo_level][1] - 10, bounds[hi_level][0] + 10
            colours = [level_info(level=k).hex for k in range(lo_level, hi_level + 1)]
            day.update(aqi_lo=lo, aqi_hi=hi, level_lo=lo_level, level_hi=hi_level, colors=colours,
                       primary=["pm25", "o3"] if lo_level == 2 else ["pm25"] if lo_level > 1 else [])
    snapshot["chief_absent_reason"] = "首席因公出差，由副首席代为签发（测试：最长的首页）。"
    snapshot["signed_seat"] = "deputy"  # the chief absent: the deputy signs, with the longer sentence under it
    files, _digest = render_files(db, snapshot, formats=("pdf", "en.pdf"))
    for fmt, needle in (("pdf", "签发人"), ("en.pdf", "Signed by")):
        path = folder / f"longest.{fmt}"
        path.write_bytes(files[fmt])
        pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")
        assert "重度污染" in pages[0] or "Heavily" in pages[0] or "Heavy" in pages[0], pages[0][:300]
        assert needle in pages[0], (fmt, pages[0][-400:], pages[1][:300])


def test_a_report_the_deputy_signed_says_the_deputy_signed_it(issued):
    """The sign-off's last sentence said "本报告经轮值首席以口令再次验证后电子签发" on a report the deputy signed
    (the chief absent, the reason printed just above it)."""
    from forecasting.reports import render_files
    from forecasting.store.consultation import IssuedForecast

    db, first, _second, _folder, _issue = issued
    with db.read() as s:
        snapshot = json.loads(s.get(IssuedForecast, first.id).snapshot)
    chief = {"signed_seat": "chief", "chief_absent_reason": ""}
    deputy = {"signed_seat": "deputy", "chief_absent_reason": "首席外出参加培训"}
    for seat, said_zh, said_en in ((chief, "本报告经轮值首席以口令再次验证后电子签发", "Signed electronically by the duty chief"),
                                   (deputy, "本报告因轮值首席缺席，经副班以口令再次验证后电子签发",
                                    "Signed electronically by the deputy, the duty chief being absent")):
        files, _digest = render_files(db, {**snapshot, **seat}, formats=("pdf", "html", "en.html"))
        zh, en = files["html"].decode("utf-8"), files["en.html"].decode("utf-8")
        assert said_zh in zh and said_en in en, seat
        assert ("经轮值首席以口令" in zh) == (seat is chief) and ("by the duty chief" in en) == (seat is chief)


def test_report_content_has_the_minimum_of_hj633_for_every_district_and_day(issued):
    db, first, _second, _, issue = issued
    r = json.loads(_file(db, first, "json").content)
    assert r["issue_number"] == issue.timetuple().tm_yday and r["title_zh"].startswith(title_zh(issue))
    assert r["issuing_body_zh"] == "长三角生态绿色一体化发展示范区 空气质量联合预报会商组"
    assert r["valid_days"] == [d.isoformat() for d in targets(issue)]
    by = {d["adcode"]: d for d in r["districts"]}
    assert set(by) == {QP, WJ, JS}
    wj = by[WJ]["days"][0]
    assert (wj["aqi_lo"], wj["aqi_hi"], wj["primary"]) == (90, 110, ["pm25", "o3"])
    # level span 2..3: yellow and orange, HJ 633-2026 Appendix A Table A.1
    assert [(c["level"], c["category_zh"], c["hex"]) for c in wj["levels"]] == [(2, "良", "#FFFF00"),
                                                                                (3, "轻度污染", "#FF7E00")]
    js = by[JS]["days"][0]
    assert [c["hex"] for c in js["levels"]] == ["#00E400", "#FFFF00"]
    assert all(by[a]["participants"] for a in (QP, WJ, JS)) and r["duty"]["chief"]
    assert [h["level"] for h in r["health"]] == [1, 2, 3]
    # Wujiang's range reaches above 100: its primary pollutants' sensitive groups (HJ 633-2026 Table 2)
    assert {g["pollutant"] for g in r["sensitive_groups"]} == {"o3", "pm25"}
    assert len(r["met_analysis"]) == 21 and r["conclusion"] == CONCLUSION
    assert any(n["body"] == NOTE_WITH_MARKUP for n in r["notes_digest"])
    assert r["guidance"], "the demo world has guidance for the issue date"
    assert {g["method"] for g in r["guidance"]} >= {"raw", "corrected", "ensemble"}
    assert len(r["yesterday"]) == 3 and all(y["issued_lo"] is not None for y in r["yesterday"])
    # yesterday's daily AQI is published where the day has enough valid hours (reports_data.day_publishable), and
    # not where a 24-hour mean has fewer than 20; the demo world keeps the real record's outages, so on a few
    # days a year a district has none (None, shown as not observed)
    hours = valid_hours(db, issue - timedelta(days=1))
    for y in r["yesterday"]:
        n = hours.get(y["district"], {})
        if day_publishable(n):
            assert y["observed_aqi"] is not None and y["observed_level"] is not None, (y, n)
        elif day_short(n):
            assert y["observed_aqi"] is None and y["hit"] is None, (y, n)
    assert r["snapshot"]["issue_date"] == issue.isoformat()


def test_the_duty_seats_notes_do_not_list_them_among_their_districts_forecasters(issued, tmp_path):
    """A tour read the duty chief among 青浦区预报员 in the report for her acknowledgements and conclusion alone.
    The chief and deputy are named in the duty line; only a submission lists them under their district."""
    import sqlite3

    from sqlalchemy import select

    from forecasting import consultation as c
    from forecasting.reports.content import build_report
    from forecasting.store.consultation import ConsultationNote, IssuedForecast, Submission
    from forecasting.store.db import Database
    from forecasting.store.models import User

    db, first, _second, folder, issue = issued
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(folder / "demo.sqlite3") as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # the module's world stays as it is for the other tests
    other = Database(f"sqlite:///{copy}")
    try:
        duty = c.duty_for(other, issue)
        with other.transaction() as s:
            forecast = s.get(IssuedForecast, first.id)
            submitters = set(s.scalars(select(Submission.author_id)
                                       .where(Submission.session_id == forecast.session_id)))
            deputy = s.get(User, duty.deputy_id)
            assert deputy.id not in submitters and deputy.district_adcode  # a forecaster who did not submit
            s.add(ConsultationNote(session_id=forecast.session_id, kind="note", district=deputy.district_adcode,
                                   body="副班：同意首席意见。", author_id=deputy.id, author_name=deputy.display_name))
            snapshot = json.loads(forecast.snapshot)
        report = build_report(other, snapshot)
    finally:
        other.dispose()
    assert report["duty"]["deputy"] == deputy.display_name
    assert all(deputy.display_name not in d["participants"] for d in report["districts"]), report["districts"]


def test_the_chart_says_which_days_are_past_the_models_reach(issued):
    """The demo's model runs reach 120 h from the 12Z cycle before the issue day (D+1..D+4, Beijing); the
    session forecasts 7 days. The chart drew bars alone for D+5..D+7 and its caption said nothing of why."""
    db, first, _second, folder, issue = issued
    past = targets(issue)[4:]
    span = f"{past[0]:%m-%d}\u2060–\u2060{past[-1]:%m-%d}"  # one piece: the caption broke "12-12–" / "12-14"
    html = _file(db, first, "html").content.decode()
    assert f"{span} 超出模式预报时效，只有发布范围，没有客观指导点。" in html, span
    assert f"{span}: past the models' reach" in html_lib.unescape(_file(db, first, "en.html").content.decode())
    path = folder / "r1-unguided.pdf"
    path.write_bytes(_file(db, first, "pdf").content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "超出模式预报时效" in "".join(text.split()), text[-2000:]


def test_the_english_report_says_the_forecasters_texts_are_quoted_in_chinese(issued):
    """A tour read the English report's summary, analyses and conclusion in Chinese without a word why."""
    db, first, _second, _, _issue = issued
    en = _file(db, first, "en.html").content.decode()
    zh = _file(db, first, "html").content.decode()
    assert "quoted as written, in the language they were written in (here, some in Chinese)." in en
    assert "按原文引用" not in zh and "quoted as written" not in zh


def test_notes_are_escaped_in_html(issued):
    db, first, _second, _, issue = issued
    for fmt in ("html", "en.html"):
        html = _file(db, first, fmt).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_short_text_has_at_most_200_characters_per_district(issued):
    from forecasting.reports import MAX_DISTRICT_CHARS

    db, first, _second, _, issue = issued
    for fmt in ("txt", "en.txt"):
        lines = _file(db, first, fmt).content.decode().strip().splitlines()
        # header, zone headline, three districts, health advice, signature: page 1 in short
        assert len(lines) == 7
        for line in lines[2:5]:
            assert len(line) <= MAX_DISTRICT_CHARS
    zh = _file(db, first, "txt").content.decode()
    d1 = targets(issue)[0]
    # one primary pollutant for the whole week is said once, after the name, and all seven days fit (said on
    # every day, it cut the furthest days: "…敏感人群减少户外活动" after five of seven)
    assert f"青浦区（首要污染物PM2.5）：{d1.month}月{d1.day}日良，AQI 60-80；" in zh
    assert f"示范区明日（{d1.month}月{d1.day}日）：青浦区 良 60-80；吴江区 良至轻度污染 90-110；嘉善县 优至良 40-55。" in zh
    wujiang = zh.splitlines()[3]
    last = targets(issue)[-1]
    assert "…" not in wujiang and f"{last.month}月{last.day}日" in wujiang and "敏感人群" in wujiang  # reaches 110


def test_the_text_is_cut_at_200_characters_when_many_days():
    """Regression: seven days of two pollutants each overflowed the SMS limit."""
    from forecasting.reports import district_texts

    day = {"target_date": "2026-11-25", "aqi_lo": 140, "aqi_hi": 175, "primary": ["pm25", "o3"],
           "primary_label": "PM2.5、O3", "primary_label_en": "PM2.5, O3", "category_zh": "轻度至中度污染",
           "category_en": "Lightly to Moderately Polluted"}
    mixed = [day, {**day, "primary": ["pm25"], "primary_label": "PM2.5", "primary_label_en": "PM2.5"}] * 3 + [day]
    report = {"districts": [{"name_zh": "吴江区", "name_en": "Wujiang", "days": mixed}]}
    for lang in ("zh", "en"):
        (text,) = district_texts(report, lang=lang)
        assert len(text) <= 200 and ("…" in text or "..." in text)
    # English sentences: the ellipsis ends the last day, the advice is a sentence of its own (it read
    # "primary PM2.5, O3....Sensitive")
    (en,) = district_texts(report, lang="en")
    assert "...." not in en and "... Sensitive groups" in en
    # the advice follows every day of the forecast: a 120 on the seventh day, cut for length, keeps it (a
    # tour's English text lost Qingpu's only polluted day, and the advice with it)
    good = {**day, "aqi_lo": 55, "aqi_hi": 75, "category_zh": "良", "category_en": "Good"}
    good_o3 = {**good, "primary": ["o3"], "primary_label": "O3", "primary_label_en": "O3"}
    cut = {"districts": [{"name_zh": "吴江区", "name_en": "Wujiang",
                          "days": [good, good_o3] * 3 + [{**day, "aqi_hi": 120}]}]}
    for lang in ("zh", "en"):
        (text,) = district_texts(cut, lang=lang)
        assert ("…" in text or "..." in text) and "120" not in text and len(text) <= 200
        assert "敏感人群减少户外活动。" in text or "Sensitive groups: reduce outdoor activity." in text, text
    clean = {"districts": [{"name_zh": "吴江区", "name_en": "Wujiang", "days": [good] * 7}]}
    for lang in ("zh", "en"):
        (text,) = district_texts(clean, lang=lang)
        assert "敏感人群" not in text and "Sensitive" not in text, text
    # English: "AQI" once after the name, so that the tour's Qingpu week keeps its fourth day, the polluted one
    # (the English text had shown 30 Nov .. 02 Dec only)
    def qp(when, cat, lo, hi, p):
        return {"target_date": when, "aqi_lo": lo, "aqi_hi": hi, "primary": [p.lower()], "primary_label": p,
                "primary_label_en": p, "category_zh": "良", "category_en": cat}

    week = [qp("2026-11-30", "Good", 55, 75, "PM10"), qp("2026-12-01", "Excellent to Good", 50, 70, "PM10"),
            qp("2026-12-02", "Good", 55, 75, "PM2.5"), qp("2026-12-03", "Good to Lightly Polluted", 85, 120, "PM2.5"),
            *[qp(f"2026-12-0{k}", "Good", 60, 80, "PM2.5") for k in (4, 5, 6)]]
    (en,) = district_texts({"districts": [{"name_zh": "青浦区", "name_en": "Qingpu", "days": week}]}, lang="en")
    assert en.startswith("Qingpu AQI: 30 Nov Good 55-75 (PM10); 01 Dec Excellent to Good 50-70 (PM10); "), en
    assert "; 03 Dec Good to Lightly Polluted 85-120 (PM2.5)" in en and len(en) <= 200, en
    assert en.endswith(" Sensitive groups: reduce outdoor activity."), en
    short = {"districts": [{"name_zh": "吴江区", "name_en": "Wujiang", "days": [day]}]}
    (en,) = district_texts(short, lang="en")
    assert en.endswith("140-175 (PM2.5, O3). Sensitive groups: reduce outdoor activity."), en


def test_one_primary_pollutant_for_the_whole_week_is_said_once_and_every_day_fits():
    """"首要污染物PM2.5" on each of seven days filled the 200 characters: the paragraph lost its furthest days. Said
    once after the district's name, the week fits; a week whose days differ (or a day without a primary, AQI ≤ 50)
    says it day by day, as before."""
    from forecasting.reports import district_texts

    def day(k, lo, hi, cat_zh, cat_en, primary=("pm25",), label="PM2.5"):
        return {"target_date": f"2026-12-{k:02d}", "aqi_lo": lo, "aqi_hi": hi, "primary": list(primary),
                "primary_label": label, "primary_label_en": label, "category_zh": cat_zh, "category_en": cat_en}

    week = [day(k, 85, 120, "良至轻度污染", "Good to Lightly Polluted") for k in range(8, 15)]
    (zh,) = district_texts({"districts": [{"name_zh": "吴江区", "name_en": "Wujiang", "days": week}]}, lang="zh")
    assert zh == ("吴江区（首要污染物PM2.5）：" + "；".join(f"12月{k}日良至轻度污染，AQI 85-120" for k in range(8, 15))
                  + "。敏感人群减少户外活动。")
    (en,) = district_texts({"districts": [{"name_zh": "吴江区", "name_en": "Wujiang", "days": week}]}, lang="en")
    # English words are longer: the head says the pollutant once, and the days that fit follow
    assert en.startswith("Wujiang AQI (PM2.5): 08 Dec Good to Lightly Polluted 85-120; ") and "(PM2.5)" not in en[21:], en
    assert len(zh) <= 200 and len(en) <= 200
    clean_day = day(15, 30, 50, "优", "Excellent", primary=(), label="")
    (zh,) = district_texts({"districts": [{"name_zh": "吴江区", "name_en": "Wujiang", "days": week[:2] + [clean_day]}]},
                           lang="zh")
    assert zh.startswith("吴江区：12月8日良至轻度污染，AQI 85-120，首要污染物PM2.5；"), zh


@pytest.mark.parametrize("day, number", [(date(2026, 1, 1), 1), (date(2026, 3, 1), 60), (date(2028, 12, 31), 366)])
def test_issue_number_is_the_day_of_the_year(day, number):
    from forecasting.reports import issue_number

    assert issue_number(day) == number


def test_issuing_body_is_configurable(monkeypatch):
    from forecasting.reports import issuing_body

    monkeypatch.setenv("FORECASTING_ISSUING_BODY", "测试发布单位")
    assert issuing_body() == "测试发布单位"


def test_amendment_is_a_new_revision_and_the_old_files_stay(issued):
    from forecasting.reports import latest_report, report_revisions, verify_report

    db, first, second, _, issue = issued
    trail = report_revisions(db, issue)
    assert [(r.revision, r.superseded) for r in trail] == [(1, True), (2, False)]
    assert second.sha256 != first.sha256 and verify_report(db, first.id) and verify_report(db, second.id)
    assert latest_report(db).id == second.id
    r2 = json.loads(_file(db, second, "json").content)
    assert r2["title_zh"].startswith(title_zh(issue)) and r2["title_zh"].endswith("（第2版·更正）")
    assert [(h["revision"], h["superseded"]) for h in r2["history"]] == [(1, True), (2, False)]
    assert r2["history"][0]["sha256"] == first.sha256 and r2["amendment_reason"] == "吴江臭氧订正"
    wj = [d for d in r2["districts"] if d["adcode"] == WJ][0]["days"][0]
    assert (wj["aqi_lo"], wj["aqi_hi"]) == (100, 130)
    assert "吴江臭氧订正" in _file(db, second, "html").content.decode()
    # the amendment keeps the day's conclusion and quotes the discussion of revision 1 (a tour found the
    # issued revision 2 with an empty 会商结论 and no notes)
    assert r2["conclusion"] == CONCLUSION
    assert [n["body"] for n in r2["notes_digest"]] == [NOTE_WITH_MARKUP, "嘉善同意青浦意见。"]
    # revision 1's bytes are untouched
    r1 = json.loads(_file(db, first, "json").content)
    assert [d for d in r1["districts"] if d["adcode"] == WJ][0]["days"][0]["aqi_hi"] == 110


def test_the_digest_quotes_a_long_note_in_part_and_says_how_long_it_is():
    """A 5,000-character note filled 2.5 of a report's 6 pages: the digest quotes the first
    ``DIGEST_NOTE_CHARS`` characters and names the whole note's length."""
    from forecasting.reports.content import DIGEST_NOTE_CHARS, digest_body

    assert DIGEST_NOTE_CHARS == 300
    cut = digest_body("长文本" * 1000)
    assert cut == {"body": ("长文本" * 100) + "…", "full_chars": 3000}
    assert digest_body("短") == {"body": "短", "full_chars": 0}
    assert digest_body("字" * 300) == {"body": "字" * 300, "full_chars": 0}


def test_archive_filters(issued):
    from forecasting.reports import level_calendar, list_reports

    db, _first, second, _, issue = issued
    everything = list_reports(db)
    assert len(everything) > 2 and everything[0].id == second.id  # the demo's earlier issues too
    day = dict(first=issue, last=issue)
    assert [r.revision for r in list_reports(db, **day)] == [2, 1]
    assert [r.id for r in list_reports(db, include_superseded=False, **day)] == [second.id]
    assert len(list_reports(db, district=WJ, level=3, **day)) == 2
    assert list_reports(db, district=QP, level=3, **day) == []
    assert list_reports(db, level=6, **day) == []
    assert len(list_reports(db, chief=second_signer(db, second), **day)) == 2
    assert list_reports(db, chief="nobody") == []
    assert [r.revision for r in list_reports(db, text="臭氧订正")] == [2]
    # an amendment starts with the day's conclusion (consultation.amend_session copies it with the forecasts)
    assert [r.revision for r in list_reports(db, text="测试会商")] == [2, 1]
    assert list_reports(db, first=issue + timedelta(days=1)) == []
    cal = level_calendar(db, **day)
    assert {(c["district"], c["level"]) for c in cal} == {(QP, 2), (WJ, 3), (JS, 2)}


def second_signer(db, view):
    return json.loads(view.snapshot)["signed_by"]


def test_manager_reads_through_services(issued):
    """Reading needs no role: issued reports are public (the API may require a token, see api.py)."""
    from forecasting.reports import report_json

    db, _first, second, _, issue = issued
    body, summary = report_json(db)
    assert summary.id == second.id and json.loads(body)["revision"] == 2
    body1, s1 = report_json(db, issue.isoformat())
    assert s1.id == second.id
    assert demo_actor(db, "mgr_sun").role == "manager"


def test_configured_texts_cannot_break_out_of_the_page_rules(issued):
    """Regression guard: the issuing body and title go into CSS strings of the <style> block."""
    from forecasting.reports import render_html

    db, first, _second, _, issue = issued
    r = json.loads(_file(db, first, "json").content)
    r["issuing_body_zh"] = '示范区"; } </style><script>alert(1)</script>'
    out = render_html(r, for_pdf=True)
    assert "<script>alert(1)" not in out
    assert out.count("</style>") == 1
    assert "第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页" in out


def test_emoji_are_left_out_of_the_pdf_with_a_notice(tmp_path):
    """Regression (#15 item 15): emoji in a forecaster's text printed as empty boxes (no glyph in the
    CJK font). The PDF now leaves them out and says so; the other characters stay."""
    from forecasting.reports.pdf import render_pdf

    html = "<html lang=\"zh-CN\"><body><p>嘉善今日空气很好\U0001F600\u2705，明日转差</p></body></html>"
    path = tmp_path / "emoji.pdf"
    path.write_bytes(render_pdf(html))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "嘉善今日空气很好，明日转差" in text
    assert "\U0001F600" not in text and "\u2705" not in text
    assert "2 个表情符号" in text  # the notice counts what was left out
