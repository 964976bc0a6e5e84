"""``python -m forecasting verify``: JSON and CSV reports agree with the service; errors are one line."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from types import SimpleNamespace

import pandas as pd
import pytest

from forecasting.cli import main
from forecasting.store.db import Database
from forecasting.verification import CompositeWeights, from_csv, verify
from verification_data import demo_today


@pytest.fixture
def demo(demo_url, monkeypatch):
    """The demo world (seeded for today T); verified: target dates T−9 .. T−1."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    db = Database(demo_url)
    today = demo_today(db)
    yield SimpleNamespace(db=db, first=today - timedelta(days=9), last=today - timedelta(days=1))
    db.dispose()


def test_json_report_matches_the_service(demo, capsys):
    first, last = demo.first.isoformat(), demo.last.isoformat()
    assert main(["verify", "--from", first, "--to", last, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["from"], out["to"], out["by"], out["event_rule"]) == (first, last, ["lead_day"], "upper")
    table = verify(demo.db, demo.first, demo.last).table(("lead_day",))
    got = pd.DataFrame(out["scores"])
    assert list(got["label"]) == list(table["label"]) and list(got["lead_day"]) == list(table["lead_day"])
    for col in ("n", "range_hit_rate", "rmse", "composite", "csi_100"):
        want = table[col].astype(float).fillna(-1).tolist()
        assert got[col].astype(float).fillna(-1).tolist() == pytest.approx(want, abs=1e-12)
    assert {"score", "issued", "best", "best_label", "value_added"} <= set(out["value_added"][0])


def test_csv_report_reads_back_with_pandas(demo, capsys):
    assert main(["verify", "--from", demo.first.isoformat(), "--to", demo.last.isoformat(), "--format", "csv",
                 "--by", "district,lead_day", "--event-rule", "centre", "--weights", "0.3,0.4,0.3"]) == 0
    text = capsys.readouterr().out
    back = pd.read_csv(io.StringIO(text), dtype={"district": str})
    table = verify(demo.db, demo.first, demo.last, event_rule="centre",
                   weights=CompositeWeights(0.3, 0.4, 0.3)).table(("district", "lead_day"))
    pd.testing.assert_frame_equal(from_csv(text.encode()), table, check_dtype=False)
    assert list(back.columns[:3]) == ["label", "district", "lead_day"]
    assert len(back) == len(table)


def test_pairs_in_csv(demo, capsys):
    day = demo.last.isoformat()
    assert main(["verify", "--from", day, "--to", day, "--format", "csv", "--pairs"]) == 0
    back = from_csv(capsys.readouterr().out.encode())
    assert {"issue_date", "target_date", "label", "obs_aqi", "error", "composite"} <= set(back.columns)
    assert set(back["target_date"]) == {demo.last}


@pytest.mark.parametrize("args,message", [
    (["--from", "2026-11-23", "--to", "2026-11-15"], "--to 2026-11-15 is before --from 2026-11-23"),
    (["--from", "yesterday", "--to", "2026-11-15"], "--from 'yesterday' is not a date"),
    (["--from", "2026-11-15", "--to", "2026-11-23", "--by", "weekday"], "--by weekday: expected some of"),
    (["--from", "2026-11-15", "--to", "2026-11-23", "--weights", "1,1,1"], "sum to 1"),
])
def test_errors_are_one_line(demo, capsys, args, message):
    assert main(["verify", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_summary_gives_intervals_and_a_reference_chosen_before_the_period(demo, capsys):
    """Issue #18: ``--summary`` adds the like-with-like summary; the reference's window ends the day
    before the period, and every comparison is on cases both sources have."""
    import json as _json

    first, last = demo.first.isoformat(), demo.last.isoformat()
    assert main(["verify", "--from", first, "--to", last, "--summary"]) == 0
    s = _json.loads(capsys.readouterr().out)["summary"]
    assert s["reference"]["last"] < first
    lv = s["level_hit_rate"]
    if s["cases"] and lv["blocks"] >= 3:
        assert lv["lo"] <= lv["value"] <= lv["hi"]
    elif s["cases"]:  # under three weekly blocks: no interval, said so
        assert lv["lo"] is None and lv["hi"] is None and "未给区间" in s["headline_zh"]
    if s["cases"]:
        for c in s["comparisons"].values():
            assert c["cases"] <= s["cases"]
            assert c["level_hit_rate"]["issued"]["n"] <= c["cases"]


@pytest.mark.parametrize("locale", ["zh_CN.UTF-8", "C.UTF-8"])
def test_the_help_names_every_breakdown_the_command_accepts(monkeypatch, capsys, locale):
    """``--by`` accepted ``obs_class`` (the observed level's class), which its help never named: a manager learnt
    of it only from the refusal of a wrong value. The help names every breakdown in either language."""
    from forecasting.verification.service import BREAKDOWNS
    from locale_support import terminal_locale

    terminal_locale(monkeypatch, locale)
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    shown = "".join(capsys.readouterr().out.split())
    assert all(name in shown for name in BREAKDOWNS), (BREAKDOWNS, shown)
