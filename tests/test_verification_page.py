"""AppTest of the verification page on the small demo world with issued consultations."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, timedelta

import pandas as pd
import pytest

from apptest_support import goto, new_app, sign_in, texts
from forecasting.store.db import Database
from verification_data import demo_today, has_issued, issue_consultations
from patience import PATIENCE_S

DATES: dict[str, date] = {}


_OURS: dict[str, bool] = {}


@pytest.fixture(scope="module")
def _page_template(_demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("verif_page") / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    db = Database(f"sqlite:///{path}")
    today = demo_today(db)  # the demo world is seeded for today T: verified T−9 .. T−1
    DATES.update(first=today - timedelta(days=9), last=today - timedelta(days=1))
    _OURS["ours"] = not has_issued(db)
    if _OURS["ours"]:
        issue_consultations(db, [today - timedelta(days=8 - i) for i in range(3)])  # T−8 .. T−6, D+1..D+3
    db.dispose()
    return path


def _ours(_url) -> bool:
    """Whether the issued forecasts are this module's (the demo world may bring its own)."""
    return _OURS.get("ours", False)


@pytest.fixture
def app_world(_page_template, tmp_path, monkeypatch):
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(_page_template, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _open(username="mgr_sun"):
    at = sign_in(new_app(timeout=PATIENCE_S), username, "demo-2026-yrd")
    at.session_state["verif_from"] = DATES["first"]
    at.session_state["verif_to"] = DATES["last"]
    return goto(at, "verification.py")


def _frame_with(at, column):
    """The first dataframe on the page with ``column``."""
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a column {column!r}")


@pytest.fixture
def downloads(monkeypatch):
    """The files the page hands to download buttons, by file name (Streamlit's in-memory media store)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def test_manager_sees_cards_trend_scores_and_misses(app_world):
    at = _open()
    assert not at.exception, at.exception
    page = texts(at)
    assert "预报检验" in page
    assert "第 1 天：会商发布预报与事先选定的最佳客观指导（按上一时段检验选出）" in page
    labels = [m.label for m in at.metric]
    assert "AQI 范围命中率" in labels and "综合评分" in labels
    assert "AQI>100 临界成功指数" in labels and "AQI>100 CSI" not in labels  # in words, as the table heads say it
    scores = _frame_with(at, "range_hit_rate")
    assert {"会商发布", "订正指导（集成）", "持续性预报"} <= set(scores["source"])
    assert any(s.startswith("模式 ") for s in scores["source"])
    # the sources in the page's order: issued, the guidance, the corrected and raw models, persistence (the table
    # sorted its codes, and "会商发布" stood fifth, among the corrected models)
    kinds = [0 if s == "会商发布" else 1 if s == "订正指导（集成）" else 2 if s.startswith("订正 ") else
             3 if s.startswith("模式 ") else 4 for s in scores["source"]]
    assert scores["source"].iloc[0] == "会商发布" and kinds == sorted(kinds), list(scores["source"])
    # (the reliability diagrams' order: test_verification_like_with_like; the small world has no probabilities)
    assert len(_frame_with(at, "实况 AQI")) > 0
    assert "滚动 30 天趋势" in page


def test_csv_export_round_trips(app_world, downloads):
    from forecasting.verification import CompositeWeights, from_csv, verify

    at = _open()
    assert at.download_button(key="verif_dl_scores").label == "下载得分 CSV"
    data = downloads[f"verification_{DATES['first']}_{DATES['last']}.csv"]
    back = pd.read_csv(io.BytesIO(data), dtype={"label": str})
    db = Database(app_world)
    try:
        rep = verify(db, DATES["first"], DATES["last"], weights=CompositeWeights())
        expected = rep.table(("lead_day",))
        expected = expected[expected["lead_day"] == 1]  # the page's default: D+1, by lead day
    finally:
        db.dispose()
    pd.testing.assert_frame_equal(from_csv(data).drop(columns=["source_name"]), expected.reset_index(drop=True),
                                  check_dtype=False)
    assert list(back["label"]) == list(expected["label"])
    # each source also by the name the table gives it (a manager read "corrected:CAMS" in the spreadsheet)
    names = dict(zip(back["label"], back["source_name"]))
    assert (names["issued"], names["ensemble"]) == ("会商发布", "订正指导（集成）")
    assert all(names[x] == "模式 " + x.split(":", 1)[1] for x in names if x.startswith("raw:"))
    pairs = from_csv(downloads[f"verification_pairs_{DATES['first']}_{DATES['last']}.csv"])
    assert set(pairs["lead_day"]) == {1} and {"obs_aqi", "error", "composite"} <= set(pairs.columns)
    # Excel on a Chinese Windows reads UTF-8 only with a byte-order mark (the tour saw 订正 CAMS garbled);
    # each district by its name beside its code
    assert data.startswith(b"\xef\xbb\xbf") and list(back.columns)[0] == "source_name"
    names = dict(zip(pairs["district"], pairs["district_name"]))
    assert names == {"310118": "青浦区", "320509": "吴江区", "330421": "嘉善县"}
    assert list(pairs.columns)[list(pairs.columns).index("district") + 1] == "district_name"


def test_breakdown_and_miss_notes(app_world):
    at = _open("qp_chen")  # a forecaster sees the page too
    assert not at.exception, at.exception
    at.selectbox(key="verif_lead").select(0).run()
    at.selectbox(key="verif_by").select("district").run()
    assert not at.exception, at.exception
    scores = _frame_with(at, "range_hit_rate")
    assert {"青浦区", "吴江区", "嘉善县"} <= set(scores["district"])
    at.selectbox(key="verif_miss").select(1).run()
    assert not at.exception, at.exception
    worst = _frame_with(at, "实况 AQI")
    assert all("–" in r and "-" not in r for r in worst["预报 AQI"]), list(worst["预报 AQI"])  # "110–145"
    issue = worst["发布日"].iloc[1]
    page = texts(at)
    assert f"会商 {issue}（第" in page  # the session line of the chosen miss
    if _ours(app_world):
        assert f"会商记录 {issue}: 以 PM2.5 为主" in page  # its note, read through the consultation package


def test_bad_weights_are_a_message_not_a_traceback(app_world):
    at = _open()
    at.text_input(key="verif_weights").input("1,1,1").run()
    assert not at.exception
    assert "和为 1" in "\n".join(e.value for e in at.error)


def test_english_and_no_issued_period(app_world):
    at = _open()
    quiet = (DATES["last"] - timedelta(days=1), DATES["last"])
    at.session_state["verif_from"], at.session_state["verif_to"] = quiet
    at.segmented_control(key="lang_switch").set_value("en").run()
    if "Forecast verification" not in texts(at):  # the switch takes effect on the next run
        at.run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Forecast verification" in page
    if not has_issued_between(app_world, *quiet):
        # our fixture issues on T−8 .. T−6 for D+1..D+3: nothing reaches T−2
        assert "No issued consultation forecast in this period" in page
        assert "D+1: corrected guidance (ensemble)" in page
        assert "Corrected guidance (ensemble)" in set(_frame_with(at, "range_hit_rate")["source"])


def has_issued_between(url, first, last) -> bool:
    from forecasting.verification import verify

    db = Database(url)
    try:
        return verify(db, first, last).has_issued
    finally:
        db.dispose()


def test_manager_answers_presets_and_the_assessment(app_world, downloads):
    """Issue #18: one click on 本月 gives the one-line answer with its interval and the comparisons on the
    same cases; the assessment report is generated from the page (PDF, HTML, CSV)."""
    at = _open()
    [b for b in at.button if b.label == "本月"][0].click().run()
    assert not at.exception, at.exception
    page = texts(at)
    from forecasting.consultation import beijing_today

    if beijing_today().day == 1:  # 本月 is today alone, with nothing observed yet (a run on the 1st failed here)
        assert "所选时段没有可检验的预报与观测" in page and "本月（第\u00a01\u00a0天）：" not in page
    else:
        assert "本月（第\u00a01\u00a0天）：" in page and ("等级准确率" in page or "没有已发布的会商预报" in page)
    if "本月（第\u00a01\u00a0天）：" in page and "等级准确率" in page:
        assert ("95\u00a0% 区间" in page or "数据不足三周，未给区间" in page) and "污染日命中" in page
        # every "%" of the headline is bound to its number: "71–92" and "%" were on two lines at 1366 px (a tour)
        headline = next(line for line in page.split("\n") if "（第\u00a01\u00a0天）：等级准确率" in line)
        assert re.search(r"\d[ \t]*%", headline.replace("\u00a0%", "")) is None, headline
        # and the interval is one piece: "71–" ended a line and "92 %" began the next (a tour at 1366 px)
        assert re.search(r"\d–\d", headline) is None and (("\u2060–\u2060" in headline) == ("区间 " in headline))
        # the blocks behind an interval are named only when there is one
        assert ("未给区间" in page) != ("区间基于" in page)
        compare = _frame_with(at, "个例数")
        # a negative difference or skill with the minus sign: "-4（-8 ~ -1）" read as dashes beside the "~"
        signs = [str(cell) for col in ("准确率差（百分点）", "AQI 技巧评分") if col in compare for cell in compare[col]]
        assert signs and not [cell for cell in signs if re.search(r"-\d", cell)], signs
        assert "较客观指导 -" not in headline, headline
        assert set(compare["参照"]) >= {"持续性预报（前一日实况）", "气候态（前 90 天平均）"}
        # one pair of brackets per name: the guidance's label has its own ("客观指导（订正指导（集成））" read badly)
        assert all(str(r).count("（") <= 1 for r in compare["参照"]), list(compare["参照"])
        # a card's comparison stays short enough to read (the cases are in its help): a tour saw it cut
        for m in at.metric:
            if m.proto.delta:
                assert m.proto.delta.count("较") == 1 and "例" not in m.proto.delta
                assert "个例上计算" in m.proto.help
    at.button(key="assess_go").click().run()
    assert not at.exception, at.exception
    names = [n for n in downloads if n.startswith("assessment-")]
    assert {n.rsplit(".", 1)[1] for n in names} == {"pdf", "html", "csv"}
    assert downloads[next(n for n in names if n.endswith(".pdf"))].startswith(b"%PDF-")


def test_a_period_without_data_keeps_the_assessment_reports(app_world):
    """A tour chose 去年 (no data): the page said so and the monthly / annual assessment section vanished
    with the rest, so the annual report was out of reach until another period was picked."""
    at = sign_in(new_app(timeout=PATIENCE_S), "mgr_sun", "demo-2026-yrd")
    at.session_state["verif_from"] = DATES["first"].replace(year=DATES["first"].year - 3)
    at.session_state["verif_to"] = DATES["first"].replace(year=DATES["first"].year - 3) + timedelta(days=20)
    goto(at, "verification.py")
    assert not at.exception, at.exception
    assert "所选时段没有可检验的预报与观测。" in [str(i.value) for i in at.info]
    assert at.button(key="assess_go").label == "生成评估报告"  # the section is there, under the message
    assert [e for e in at.expander if e.label == "月度 / 年度评估报告"]


def test_each_trend_source_keeps_its_colour_in_both_languages(app_world):
    """The trend's colours followed the sorted names (会商发布 dark blue in Chinese, Issued light blue in
    English): a source now has one colour whatever the language, and its legend name is never cut."""
    import json

    def trend_colours(at) -> dict:
        for chart in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"):
            spec = json.loads(chart.proto.spec)
            color = spec.get("encoding", {}).get("color", {})
            if color.get("field") == "source" and "scale" in color:
                assert color["legend"]["labelLimit"] == 0
                return dict(zip(color["scale"]["domain"], color["scale"]["range"]))
        raise AssertionError("no trend chart")

    at = _open()
    assert not at.exception, at.exception
    zh = trend_colours(at)
    at.segmented_control(key="lang_switch").set_value("en").run()
    if "Forecast verification" not in texts(at):  # the switch takes effect on the next run
        at.run()
    assert not at.exception, at.exception
    en = trend_colours(at)
    assert zh["会商发布"] == en["Issued"] and zh["持续性预报"] == en["Persistence"]
    assert len(set(zh.values())) == len(zh)


def test_the_scores_are_computed_once_per_state_of_the_data(app_world, monkeypatch):
    """Every widget reruns the page; verifying the period took 3.3-3.9 s on the demo world each time. The
    scores are kept while the data is the same (the newest audit row), and computed afresh after any write."""
    from forecasting import accounts
    from forecasting import verification as v

    calls = []
    for name in ("verify", "summary_pairs"):
        real = getattr(v, name)
        monkeypatch.setattr(v, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    at = _open()
    assert not at.exception, at.exception
    first = texts(at)
    assert sorted(calls) == ["summary_pairs", "verify", "verify"]  # the period, its trend window, the summary
    at.selectbox(key="verif_lead").select(2).run()  # another lead day: the same pairs
    at.selectbox(key="verif_lead").select(1).run()
    assert not at.exception, at.exception
    assert len(calls) == 3 and texts(at) == first
    db = Database(app_world)
    try:
        accounts.authenticate(db, "mgr_he", "demo-2026-yrd")  # a write somewhere (its audit row)
    finally:
        db.dispose()
    at.run()
    assert not at.exception, at.exception
    assert len(calls) == 6 and texts(at) == first


def test_the_newest_audit_id_moves_with_every_service_write(sqlite_url):
    from forecasting import accounts, audit
    from forecasting.permissions import Actor

    db = Database(sqlite_url)
    try:
        with db.read() as s:
            before = audit.latest_id(s)
        accounts.create_user(db, Actor.system("test"), username="audit_probe", password="a-long-secret-1",
                             role="manager", district=None)
        with db.read() as s:
            assert audit.latest_id(s) > before
    finally:
        db.dispose()


def test_every_hit_rate_chart_ends_its_axis_at_100_percent(app_world):
    """The three hit-rate charts (districts, observed level, lead) share one scale, 0-100 %: the observed
    level's chart, narrower beside its long level names, ended its axis labels at 80 % under a 100 % bar."""
    import json

    at = _open()
    assert not at.exception, at.exception
    axes = []
    for chart in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for layer in spec.get("layer", []):
            x = layer.get("encoding", {}).get("x", {})
            if x.get("field") == "level_hit_rate":
                axes.append((x["scale"]["domain"], x["axis"]["values"]))
    assert len(axes) == 3, axes
    assert all(domain == [0, 1] and values[0] == 0 and values[-1] == 1 for domain, values in axes), axes


def test_the_objective_guidance_reference_is_named_without_nested_brackets():
    """A tour read "objective guidance (Corrected guidance (ensemble))" and "客观指导（订正指导（集成））" in the
    references table: the guidance's own name keeps its brackets, the reference's wording adds none."""
    from forecasting.i18n import t

    for lang in ("zh", "en"):
        label = t("verif.source.ensemble", lang)
        for key in ("verif18.ref.best", "verif18.ref.best_caption", "verif.delta_help"):
            text = t(key, lang, label=label, first="2026-10-08", last="2026-11-06")
            assert label in text and text.count("(") + text.count("（") == 1, (key, text)
        # the Brier line's own bracket is its count of cases (its source is the chart's title); the PIT title's,
        # its period (a method's name has one)
        text = t("verif18.brier", lang, brier="0.120", n=90)
        assert text.count("(") + text.count("（") == 1, text
        method = t("method.kalman_filter", lang)
        text = t("dfc.pit_title", lang, method=method)
        assert method in text and text.count("(") + text.count("（") == (2 if lang == "zh" else 1), text
