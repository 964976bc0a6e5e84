"""The prefill offered to forms and API clients obeys the submission rules (issue #14)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from forecasting.consultation import GuidanceRow, check_forecast
from forecasting.consultation.config import ConsultationConfig
from forecasting.consultation.prefill import combined_prefill, district_prefill, fit_to_rules, guidance_ends

CFG = ConsultationConfig()  # widths: ≤ 20 when the centre is ≤ 100, ≤ 35 above (docs/consultation.md)
QP = "310118"


@pytest.mark.parametrize("lo, hi, primary, expected", [
    (60, 80, ["pm25"], (60, 80, ("pm25",))),          # already fine: unchanged
    (80, 115, ["pm25"], (88, 108, ("pm25",))),        # 35 wide around 97.5 (≤ 100): 20 wide, 97.5-10 → 88
    (150, 200, ["o3"], (158, 193, ("o3",))),          # 50 wide around 175: 35 wide, 175-17.5 → 158 (round half even)
    (20, 45, ["pm25"], (22, 42, ())),                 # 25 wide around 32.5: 20 wide from 22.5 → 22; ≤ 50: no primary
    (490, 530, ["pm10"], (490, 500, ("pm10",))),      # clipped to the scale's 500 first: 10 wide is fine
])
def test_fit_to_rules_gives_ranges_the_rules_accept(lo, hi, primary, expected):
    got = fit_to_rules(lo, hi, primary, config=CFG)
    assert got == expected
    check_forecast(got[0], got[1], got[2], config=CFG)  # and the service accepts it


def test_district_prefill_carries_the_last_guided_day_forward():
    issue = date(2027, 1, 4)
    days = [issue + timedelta(days=k) for k in range(1, 5)]
    rows = [GuidanceRow(QP, days[0], "ensemble", 80, 115, 2, 3, ["pm25"], 97.5),
            GuidanceRow(QP, days[1], "ensemble", 40, 60, 1, 2, ["pm25"], 50.0)]
    pre = district_prefill(rows, days, QP, config=CFG)
    assert [(p.target_date, p.aqi_lo, p.aqi_hi, p.from_models) for p in pre] == [
        (days[0], 88, 108, True), (days[1], 40, 60, True), (days[2], 40, 60, False), (days[3], 40, 60, False)]
    assert guidance_ends(rows, QP) == days[1]


def test_an_outlook_row_is_offered_as_the_labelled_outlook_not_as_model_guidance():
    """Past the models' reach the guidance has an outlook row (issue #13): the form offers it, marked
    as outlook and not from the models; it is not the last guided day carried forward."""
    issue = date(2027, 1, 4)
    days = [issue + timedelta(days=k) for k in range(1, 4)]
    rows = [GuidanceRow(QP, days[0], "ensemble", 80, 100, 2, 2, ["pm25"], 90.0),
            GuidanceRow(QP, days[1], "outlook", 50, 70, 1, 2, ["pm25"], 60.0, outlook=True)]
    pre = district_prefill(rows, days, QP, config=CFG)
    assert [(p.target_date, p.aqi_lo, p.aqi_hi, p.from_models, p.outlook) for p in pre] == [
        (days[0], 80, 100, True, False), (days[1], 50, 70, False, True), (days[2], 50, 70, False, False)]
    assert guidance_ends(rows, QP) == days[0]  # model guidance ends where the outlook begins


def test_combined_prefill_keeps_the_chiefs_entries_and_marks_missing():
    from types import SimpleNamespace as N

    day = date(2027, 1, 5)
    entries = [N(district=QP, target_date=day, aqi_lo=60, aqi_hi=80, primary=("pm25",), source="submitted")]
    finals = [N(district="320509", target_date=day, aqi_lo=70, aqi_hi=90, primary=("o3",), version=2)]
    rows = combined_prefill(entries, finals, (QP, "320509", "330421"), (day,), config=CFG)
    assert [(r["district"], r["aqi_lo"], r["aqi_hi"], r["version"], r["source"]) for r in rows] == [
        (QP, 60, 80, 0, "submitted"), ("320509", 70, 90, 2, "final"), ("330421", None, None, 0, "missing")]
