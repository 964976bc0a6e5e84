"""One translation table, complete in Chinese and English, covering every key the UI uses."""

from __future__ import annotations

import re
from pathlib import Path

from forecasting.i18n import t, table

ROOT = Path(__file__).resolve().parent.parent
KEY_CALL = re.compile(r"""\b(?:tr|t)\(\s*["']([a-z0-9_]+(?:\.[a-zA-Z0-9_]+)+)["']""")


def test_every_entry_has_chinese_and_english():
    for key, (zh, en) in table().items():
        assert zh.strip() and en.strip(), key
        # same placeholders in both languages (a format spec is the language's own: "{m:02d}-{d:02d}")
        fields = re.compile(r"{(\w+)(?:[:!][^{}]*)?}")
        assert set(fields.findall(zh)) == set(fields.findall(en)), key


def test_every_literal_key_used_in_the_ui_exists():
    keys = set(table())
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        used |= {(path.name, k) for k in KEY_CALL.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(f"{f}: {k}" for f, k in used if k not in keys)
    assert not missing, missing
    assert len(used) > 30  # the scan found the calls


ERROR_KEY = re.compile(r"""\bkey=["']([a-z0-9_]+(?:\.[a-zA-Z0-9_]+)+)["']""")


def test_every_error_key_raised_in_the_domain_exists():
    """An error's key with no entry is shown as itself ("train.no_data") on a page and in the command line."""
    keys = set(table())
    used = set()
    for path in (ROOT / "forecasting").rglob("*.py"):
        used |= {(path.name, k) for k in ERROR_KEY.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(f"{f}: {k}" for f, k in used if k not in keys)
    assert not missing, missing
    assert len(used) > 150  # the scan found the errors


def test_default_language_is_chinese_and_switchable():
    assert t("nav.home") == "首页"
    assert t("nav.home", "en") == "Home"
    assert t("home.welcome", "zh", name="王磊") == "您好，王磊"


def test_no_chinese_list_separator_is_hard_coded_outside_the_table():
    """An English page once read "Qingpu has not submitted 12-01、12-02；Wujiang …": lists and clauses are
    joined with the table's ``common.list_sep`` / ``common.clause_sep`` (ui.i18n.join), never "、" or "；".
    (The domain's bilingual pairs, e.g. a report's ``districts_zh`` / ``districts_en``, join each language
    with its own separator; the scan covers the UI, which speaks one language at a time.)"""
    hard = re.compile(r"""["'][、；，]["']\s*\.join\(""")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if hard.search(line)]
    assert not found, found
    assert t("common.list_sep", "zh") == "、" and t("common.list_sep", "en") == ", "
    assert t("common.clause_sep", "zh") == "；" and t("common.clause_sep", "en") == "; "


def test_every_level_sentence_of_the_grid_readers_reads_in_the_users_language(monkeypatch):
    """The readers write the chosen level in English for the command line; the pages (model guidance, data
    desk) show each sentence the readers can write in Chinese ("single level" and "LAY 1 of 1 (IOAPI layer 1
    = surface layer)" once reached the Chinese data desk as they were)."""
    import re

    import numpy as np
    import xarray as xr

    import ui.i18n
    from forecasting.grids.cf import choose_level

    def level(values, units=""):
        ds = xr.Dataset({"o3": (("lev", "y"), np.zeros((len(values), 2)))},
                        coords={"lev": ("lev", np.asarray(values, float), {"units": units})})
        return choose_level(ds, ds["o3"], "lev")[1]

    sentences = [level([1.0]), level([1000.0, 850.0], "hPa"), level([1.0, 2.0, 137.0]), level([0.2, 0.5, 0.99]),
                 "single level", "LAY 1 of 1 (IOAPI layer 1 = surface layer)", "bottom_top 0 (lowest model half-level)",
                 "LAY 1 of 35 (IOAPI layer 1 = surface layer); lev = 1 (the only level)"]
    monkeypatch.setattr(ui.i18n, "language", lambda: "zh")
    for s in sentences:
        text = ui.i18n.level_text(s)
        words = set(re.findall(r"[A-Za-z]{3,}", text)) - {"lev", "hpa", "IOAPI", "ECMWF", "CAMS", "GEOS", "bottom_top",
                                                         "bottom", "top", "sigma"}
        assert not words, (s, text)
    assert ui.i18n.level_text("lev = 137 (highest model level number: ECMWF/CAMS and GEOS count levels from the top, "
                              "so it is the lowest level)").startswith("lev = 137（模式层号最大")
    assert ui.i18n.level_text("LAY 1 of 35 (IOAPI layer 1 = surface layer); lev = 1 (the only level)") == \
        "第 1 层（共 35 层；IOAPI 第 1 层为近地面层）；lev = 1（唯一一层）"
    monkeypatch.setattr(ui.i18n, "language", lambda: "en")
    assert ui.i18n.level_text("single level") == "the only one (the file has no vertical dimension)"  # after "level: "
    assert ui.i18n.level_text(level([0.2, 0.5, 0.99])) == "lev = 0.99 (largest sigma/hybrid coordinate, nearest the surface)"


def test_a_countdown_under_an_hour_is_in_minutes(monkeypatch):
    """"还剩 57 分钟" (as the deadline alert beside it says), not "还剩 0 小时 57 分"."""
    from datetime import datetime, timedelta, timezone

    import ui.i18n
    from ui.consultation import countdown

    monkeypatch.setattr(ui.i18n, "language", lambda: "zh")
    now = datetime(2026, 11, 30, 6, 3, tzinfo=timezone.utc)
    assert countdown(now + timedelta(minutes=57), now, None) == "还剩 57 分钟"
    assert countdown(now + timedelta(hours=2, minutes=5), now, None) == "还剩 2 小时 5 分"
    assert countdown(now - timedelta(minutes=3), now, None) == "已过 3 分钟"
    monkeypatch.setattr(ui.i18n, "language", lambda: "en")
    assert countdown(now + timedelta(minutes=57), now, None) == "57 min left"


def test_a_deadline_met_late_says_so(monkeypatch):
    """A tour read "发布截止 20:00 已完成（21:48）" on the manager's home: nothing said it was late."""
    from datetime import datetime, timedelta, timezone

    import ui.i18n
    from ui.consultation import countdown, lateness

    monkeypatch.setattr(ui.i18n, "language", lambda: "zh")
    deadline = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)  # 20:00 Beijing
    later = deadline + timedelta(hours=5)
    assert countdown(deadline, later, deadline - timedelta(minutes=20)) == "已完成（19:40）"
    assert countdown(deadline, later, deadline) == "已完成（20:00）"  # on the minute is on time
    assert lateness(deadline, deadline) == "" and lateness(deadline, None) == ""
    # the card's value stays short (a tour saw "逾期完成（22:2…" cut); the line beneath says by how much
    assert countdown(deadline, later, deadline + timedelta(hours=1, minutes=48)) == "逾期完成"
    assert lateness(deadline, deadline + timedelta(hours=1, minutes=48)) == "21:48 完成，晚 1 小时 48 分"
    assert lateness(deadline, deadline + timedelta(minutes=7)) == "20:07 完成，晚 7 分钟"
    monkeypatch.setattr(ui.i18n, "language", lambda: "en")
    assert countdown(deadline, later, deadline + timedelta(minutes=7)) == "done late"
    assert lateness(deadline, deadline + timedelta(minutes=7)) == "done at 20:07, 7 min late"


def test_the_level_map_legend_says_no_forecast_only_when_a_district_has_none(monkeypatch):
    """A tour read "无预报" in the home map's legend under three coloured districts."""
    import ui.i18n
    from ui.consultation import level_map

    monkeypatch.setattr(ui.i18n, "language", lambda: "zh")

    def legend(levels):
        spec = level_map(levels, "zh").to_dict(validate=False)
        return spec["layer"][0]["encoding"]["color"]["scale"]["domain"]

    assert legend({"310118": 2, "320509": 3, "330421": 2}) == ["良", "轻度污染"]
    assert legend({"310118": 2, "320509": 3}) == ["良", "轻度污染", "无预报"]
    assert legend({}) == ["无预报"]


def test_the_level_map_names_the_districts_as_the_tables_do(monkeypatch):
    """A tour read "Qingpu District" and "Jiashan County" on the English home map beside a table that
    says "Qingpu" and "Jiashan"."""
    import ui.i18n
    from ui.consultation import level_map

    for lang, names in (("en", ["Qingpu", "Wujiang", "Jiashan"]), ("zh", ["青浦区", "吴江区", "嘉善县"])):
        monkeypatch.setattr(ui.i18n, "language", lambda lang=lang: lang)
        spec = level_map({"310118": 2}, lang).to_dict(validate=False)
        [collection] = spec["datasets"].values()  # the outlines, inline (offline): one FeatureCollection
        labels = {f["properties"]["adcode"]: f["properties"]["label"] for f in collection["features"]}
        assert [labels[a] for a in ("310118", "320509", "330421")] == names, labels


def test_one_name_for_each_duty_seat_and_no_english_plural_brackets():
    """A tour read 轮值首席 on the home page, 主班 on the rota and 首席/副首席 in the audit log for the same two
    seats. The seats are 轮值首席 (the duty chief) and 副班 (the deputy) everywhere; English messages count
    without "(s)" ("Turns created: 3", not "3 turn(s) created")."""
    other_names = re.compile(r"主班|副首席|值班首席|轮值副班")
    wrong = sorted(k for k, (zh, _) in table().items() if other_names.search(zh))
    assert not wrong, wrong
    # flags are 分歧 everywhere (a tour read 分歧 on the desk, 一致性检查 in the room, 一致性提示 in the report,
    # where 提示 is also the name of the information-only level)
    assert not sorted(k for k, (zh, _) in table().items() if "一致性" in zh or "检查项" in zh)
    # a Chinese list is joined with 、 (a tour read "首要污染物（如 PM2.5, O₃）")
    assert not sorted(k for k, (zh, _) in table().items() if re.search(r"[\u4e00-\u9fff）], |, [\u4e00-\u9fff]", zh))
    plural = sorted(k for k, (_, en) in table().items() if "(s)" in en)
    assert not plural, plural
    assert t("consult.seat.chief", "zh") == "轮值首席" and t("consult.seat.deputy", "zh") == "副班"
    assert t("rota.chief", "zh") == "轮值首席" and t("report.duty_chief", "zh") == "轮值首席"


#: English texts whose count is never 1: a limit or a maximum exceeded, a note longer than its excerpt, the
#: zone's three districts, a workbook's sheets (two or more are refused), a file's cells (its limit).
NEVER_ONE = {"account.policy", "archive.too_many", "archive.too_many_members", "common.limit_help",
             "dd20.err.too_many", "desk14.summary_help_limit", "note14.whole", "obs.workbook_sheets",
             "obs.workbook_too_big", "report.archive_too_many", "report.digest_cut", "room.y_caption",
             "today14.yesterday", "tokens.name_too_long"}


def test_a_count_of_one_is_followed_by_the_singular_in_english():
    """The English home page read "Resolve 1 flags", the room "1 replies", the audit log "1 entries", the data
    desk "1 values stored earlier changed their QC flags": a noun after a count ``{n}`` is written
    ``{n} {n:plural|flag|flags}``. Every English text with ``{n}`` is formatted here with ``n = 1``."""
    import string

    plural = re.compile(r"\{(\w+):plural\|[^{}|]*\|[^{}|]*\}")
    after_one = re.compile(r"(?<![\d.])1 (?:[a-z-]+ )?(days|flags|replies|entries|reports|stations|values|cases|"
                           r"files|rows|hours|districts|sheets|characters|cells|records|groups|notes|members)\b")
    wrong = []
    for key, (_zh, en) in table().items():
        names = {f[1].split(":")[0].split("!")[0] for f in string.Formatter().parse(plural.sub(r"{\1}", en)) if f[1]}
        if "n" not in names or key in NEVER_ONE:
            continue
        text = t(key, "en", **{**{name: "X" for name in names}, "n": 1})
        if after_one.search(text):
            wrong.append(f"{key}: {text[:80]}")
    assert wrong == []
    assert t("note14.replies", "en", n=1) == "1 reply" and t("note14.replies", "en", n=3) == "3 replies"
    assert t("today14.next_flags", "en", n=1) == "Resolve 1 flag" and t("today14.next_flags", "zh", n=1) == "处理 1 个分歧"
