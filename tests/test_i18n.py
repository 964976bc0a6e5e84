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
        # same placeholders in both languages
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_literal_key_used_in_the_ui_exists():
    keys = set(table())
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        used |= {(path.name, k) for k in KEY_CALL.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(f"{f}: {k}" for f, k in used if k not in keys)
    assert not missing, missing
    assert len(used) > 30  # the scan found the calls


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
