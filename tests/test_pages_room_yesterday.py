"""The consultation room shows yesterday's verification (issue #8) on the demo world."""

from apptest_support import goto, new_app, sign_in, texts


def test_room_shows_yesterdays_verification(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    at = goto(sign_in(new_app(), "wj_wang", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception
    assert "昨日预报检验" in [e.label for e in at.expander]
    page = texts(at)
    assert "联合发布的第 1 天预报命中" in page
    tables = [d.value for d in at.dataframe if "实测 AQI" in d.value.columns]
    assert tables and set(tables[0]["来源"]) >= {"联合发布", "订正集合", "持续性"}
    # a range is written with its dash as everywhere else ("75–95", not "75-95")
    assert all("–" in r and "-" not in r for r in tables[0]["预报 AQI（第 1 天）"] if r != "—"), tables[0]


def test_room_guidance_panel_names_the_methods(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    at = goto(sign_in(new_app(), "js_zhou", "demo-2026-yrd"), "consultation_room.py")
    assert not at.exception, at.exception
    panel = [d.value for d in at.dataframe if "方法" in d.value.columns]
    assert panel, "the guidance panel is shown"
    methods = list(panel[0]["方法"])
    assert methods[0] == "订正集合（建议）"  # the suggested guidance first
    assert any(m.startswith("原始模式 · ") for m in methods) and any(m.startswith("订正 · ") for m in methods)
    # a method without a range says so with the tables' dash, in every language (it read "NA")
    assert "NA" not in set(panel[0]["AQI 范围"]) and all("-" not in r for r in panel[0]["AQI 范围"])
