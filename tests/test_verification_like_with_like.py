"""Issue #18: verification compares like with like (same cases, reference chosen before the fact,
block-bootstrap intervals, split by what happened, P(AQI > 100) scores). Pure functions, no database."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from forecasting import verification as v
from forecasting.errors import ValidationError
from verification_data import JS, QP, WJ, frame, pair

OCT1 = date(2026, 10, 1)


def _minus_050_case():
    """The issue's case: ``issued`` and ``ensemble`` make identical forecasts (60-80, 良) on four days;
    days 3 and 4 are polluted (observed 130 and 150, so the forecasts miss the level); the ensemble is
    missing on those two polluted days.

        day  forecast  observed  issued level hit   ensemble level hit
        1    60-80     70        yes                yes
        2    60-80     75        yes                yes
        3    60-80     130       no                 (missing)
        4    60-80     150       no                 (missing)

    Old rule (each source's own days): issued 2/4 = 0.50, ensemble 2/2 = 1.00, value added −0.50.
    Same cases (days 1-2): 2/2 vs 2/2, difference 0 on 2 cases."""
    rows = []
    for i, obs in enumerate((70, 75, 130, 150)):
        day = OCT1 + timedelta(days=i)
        rows.append(pair("issued", lo=60, hi=80, obs=obs, target=day))
        if obs <= 100:
            rows.append(pair("ensemble", lo=60, hi=80, obs=obs, target=day))
    return v.annotate(frame(rows))


def test_the_issues_minus_050_case_gives_zero_on_the_same_cases():
    """Regression: value added came out −0.50 because the ensemble was scored on fewer (cleaner) days."""
    pairs = _minus_050_case()
    old = v.value_added(v.score_table(pairs, by=["label"]), by=[])
    assert old.set_index("score").loc["level_hit_rate", "value_added"] == pytest.approx(-0.5)  # the defect, as filed
    out = v.compare_with(pairs, "ensemble", n_boot=200)
    assert out["n"] == 2
    assert out["level_hit_rate"]["difference"].value == 0.0
    assert out["level_hit_rate"]["issued"].value == 1.0 and out["level_hit_rate"]["reference"].value == 1.0
    a, b = v.paired(pairs, "issued", "ensemble")
    assert list(a["target_date"]) == list(b["target_date"]) == [OCT1, OCT1 + timedelta(days=1)]


def test_a_reference_with_a_nan_centre_is_not_a_case():
    rows = [pair("issued", lo=60, hi=80, obs=70), pair("ensemble", lo=60, hi=80, obs=70, centre=math.nan)]
    a, b = v.paired(frame(rows), "issued", "ensemble")
    assert len(a) == len(b) == 0


def _two_months():
    """September: raw:A hits every day (level 2 observed, A forecasts 60-80), raw:B misses (forecasts
    level 4, 160-180). October: the other way round (observed 170, level 4). Hindsight would pick B for
    October; the rule picks A, the best of September."""
    rows = []
    for i in range(30):
        day = date(2026, 9, 1) + timedelta(days=i)
        rows += [pair("raw", "A", lo=60, hi=80, obs=70, target=day), pair("raw", "B", lo=160, hi=180, obs=70, target=day),
                 pair("issued", lo=60, hi=80, obs=70, target=day)]
    for i in range(31):
        day = OCT1 + timedelta(days=i)
        rows += [pair("raw", "A", lo=60, hi=80, obs=170, target=day),
                 pair("raw", "B", lo=160, hi=180, obs=170, target=day),
                 pair("issued", lo=160, hi=180, obs=170, target=day)]
    return v.annotate(frame(rows))


def test_octobers_reference_is_chosen_on_september():
    pairs = _two_months()
    ref = v.choose_reference(pairs, OCT1, date(2026, 10, 31))
    assert (ref["first"], ref["last"]) == (date(2026, 9, 1), date(2026, 9, 30))
    assert ref["label"] == "raw:A"
    assert ref["n"] == 30 and ref["value"] == 1.0
    # and September's own choice is made on August: no data there, so no reference
    assert v.choose_reference(pairs, date(2026, 9, 1), date(2026, 9, 30))["label"] == ""
    # issued is never its own reference
    assert v.choose_reference(pairs, OCT1, date(2026, 10, 31), candidates=["issued"])["label"] == ""


def test_preceding_period_of_months_quarters_and_days():
    assert v.preceding_period(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert v.preceding_period(date(2026, 1, 1), date(2026, 12, 31)) == (date(2025, 1, 1), date(2025, 12, 31))
    assert v.preceding_period(date(2026, 11, 1), date(2026, 11, 28)) == (date(2026, 10, 4), date(2026, 10, 31))


def test_block_bootstrap_keeps_districts_and_week_blocks_together():
    """28 days × 3 districts; the first 14 days all hit, the last 14 all miss, identically in every
    district. Blocks are whole weeks (4 blocks), so every replicate's rate is a multiple of 1/4:
    k hits-blocks out of 4 → k/4. With districts drawn separately it could take other values."""
    days = [OCT1 + timedelta(days=i) for i in range(28)]
    dates, hits = [], []
    for d in days:
        for _ in (QP, WJ, JS):
            dates.append(d)
            hits.append(1.0 if d < OCT1 + timedelta(days=14) else 0.0)
    captured = {}

    def stat(s):
        r = s["h"] / s["n"]
        if len(r) > 1:
            captured["reps"] = r
        return r

    out = v.block_bootstrap(dates, {"h": hits, "n": np.ones(len(hits))}, stat, n_boot=500)
    assert out.value == 0.5 and out.n == 84 and out.blocks == 4
    assert set(np.round(captured["reps"] * 4, 9)) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert out.lo < 0.5 < out.hi
    with pytest.raises(ValidationError, match="at least 7"):
        v.block_bootstrap(dates, {"h": hits}, lambda s: s["h"], block_days=3)


def test_rate_intervals_cover_and_shrink_with_more_independent_weeks():
    rng = np.random.default_rng(1)

    def rate_frame(weeks):
        rows = []
        for w in range(weeks):
            hit = rng.random() < 0.7
            for k in range(7):
                for dist in (QP, WJ, JS):
                    obs = 70 if hit else 130
                    rows.append(pair(lo=60, hi=80, obs=obs, district=dist, target=OCT1 + timedelta(days=7 * w + k)))
        return v.annotate(frame(rows))

    short, long = v.rate_interval(rate_frame(4), "level_hit"), v.rate_interval(rate_frame(40), "level_hit")
    assert short.lo <= short.value <= short.hi and long.lo <= long.value <= long.hi
    assert (long.hi - long.lo) < (short.hi - short.lo)


def test_skill_score_against_a_reference_on_the_same_cases():
    """Forecast errors 5 and 5, reference errors 10 and 10: SS = 1 − 50/200 = 0.75 (Murphy 1988)."""
    rows = [pair(lo=60, hi=80, obs=65, target=OCT1), pair(lo=60, hi=80, obs=75, target=OCT1 + timedelta(days=1)),
            pair("persistence", lo=50, hi=70, obs=65, centre=75, target=OCT1),
            pair("persistence", lo=50, hi=70, obs=75, centre=65, target=OCT1 + timedelta(days=1))]
    a, b = v.paired(v.annotate(frame(rows)), "issued", "persistence")
    assert v.skill_score(a, b, n_boot=100).value == pytest.approx(0.75)


def test_rates_split_by_observed_level():
    pairs = _minus_050_case()
    assert list(pairs[pairs["label"] == "issued"]["obs_class"]) == ["good", "good", "light", "light"]
    t = v.score_table(pairs, by=["label", "obs_class"])
    issued = t[t["label"] == "issued"].set_index("obs_class")
    assert issued.loc["good", "level_hit_rate"] == 1.0 and issued.loc["light", "level_hit_rate"] == 0.0
    assert v.observed_class(4) == v.observed_class(6) == "moderate_plus"


def test_brier_score_and_reliability_by_hand():
    """p = 0.9, 0.1, 0.6, 0.3 for observed 150, 60, 90, 120 (events 1, 0, 0, 1):
    BS = (0.01 + 0.01 + 0.36 + 0.49)/4 = 0.2175."""
    assert v.brier_score([0.9, 0.1, 0.6, 0.3], [150, 60, 90, 120]) == pytest.approx(0.2175)
    assert math.isnan(v.brier_score([math.nan], [120]))
    rel = v.reliability_table([0.9, 0.1, 0.6, 0.3], [150, 60, 90, 120], bins=2)
    assert rel["n"].tolist() == [2.0, 2.0]
    assert rel["observed_frequency"].tolist() == [0.5, 0.5]


def test_presets():
    today = date(2026, 11, 29)
    assert v.preset_period("last_month", today) == (date(2026, 10, 1), date(2026, 10, 31))
    assert v.preset_period("this_quarter", today) == (date(2026, 10, 1), date(2026, 11, 28))
    assert v.preset_period("last_quarter", date(2026, 2, 3)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert v.preset_period("this_year", today) == (date(2026, 1, 1), date(2026, 11, 28))
    with pytest.raises(Exception, match="preset"):
        v.preset_period("next_week", today)


# -- QC known at the time (no look-ahead) ----------------------------------------------------------------


def _station_hours(values, start="2026-10-01T16:00:00+00:00", pollutant="pm25", station="S1"):
    times = pd.date_range(start, periods=len(values), freq="h")
    return pd.DataFrame({"station": station, "time": times, "pollutant": pollutant, "value": values})


def test_known_at_qc_does_not_use_later_hours():
    """A rise at the newest known hour: with hindsight the next hour (back to 20) makes it an isolated
    spike (400 − 20 > max(100, 2·20)); known at that hour, there is no later neighbour, so no spike."""
    from forecasting.verification.known import quality_control_known_at

    obs = _station_hours([20.0] * 5 + [400.0, 20.0, 20.0])
    hindsight = v_qc(obs)
    assert "spike" in hindsight.loc[5, "qc_flags"]
    known = quality_control_known_at(obs, obs["time"].iloc[5].to_pydatetime())
    assert len(known) == 6 and known.loc[5, "qc_flags"] == ""
    # a flat run (6 identical hours of 50) is flagged only once six hours are known
    flat = _station_hours([30.0, 40.0] + [50.0] * 6)
    at4 = quality_control_known_at(flat, flat["time"].iloc[6].to_pydatetime())  # 5 equal hours known
    assert not any("flat" in f for f in at4["qc_flags"])
    at6 = quality_control_known_at(flat, flat["time"].iloc[7].to_pydatetime())
    assert all("flat" in f for f in at6["qc_flags"].iloc[2:])


def v_qc(obs):
    from forecasting.observations import quality_control

    return quality_control(obs)


def test_persistence_day_has_the_same_flags_at_the_consultation_as_in_hindsight():
    """The day before the issue date, read at 15:00 Beijing on the issue date: every check that could
    touch its hours has its later hours known by then (docstring of forecasting.verification.known),
    so the flags equal the hindsight flags. Random series with spikes and flat runs near midnight."""
    from forecasting.verification.known import CONSULTATION_HOUR, lookahead_margin, quality_control_known_at

    rng = np.random.default_rng(7)
    # Beijing day D−1 = UTC D−2 16:00 .. D−1 16:00; three days of hours from D−2 16:00 UTC
    start = pd.Timestamp("2026-10-01T16:00:00+00:00")
    for trial in range(30):
        x = rng.normal(60, 5, 72).round(0)
        k = rng.integers(18, 30)
        x[k:k + rng.integers(1, 9)] = 55.0       # a flat run around the end of day D−1
        x[rng.integers(1, 70)] = 600.0            # a spike somewhere
        obs = _station_hours(list(x), start=str(start))
        day_end = start + pd.Timedelta(hours=24)  # end of Beijing day D−1 (D 00:00 Beijing)
        cutoff = start + pd.Timedelta(hours=24 + CONSULTATION_HOUR)
        assert cutoff - day_end >= pd.Timedelta(lookahead_margin())
        hindsight = v_qc(obs).set_index("time")["qc_flags"]
        known = quality_control_known_at(obs, cutoff.to_pydatetime()).set_index("time")["qc_flags"]
        day = hindsight.index[(hindsight.index > start) & (hindsight.index <= day_end)]
        assert (hindsight.loc[day] == known.loc[day]).all(), trial


def test_brier_and_reliability_reach_the_summary_when_the_guidance_has_probabilities():
    """Pairs with ``p100`` (the guidance's P(AQI > 100), issue #13) get a Brier score per label in the
    summary's table builder; without it, nothing."""
    from forecasting.verification.summary import _p100_column

    rows = [pair("ensemble", lo=60, hi=80, obs=o, target=OCT1 + timedelta(days=i)) for i, o in enumerate((70, 130))]
    f = frame(rows)
    assert _p100_column(f) is None
    f["p100"] = [0.2, 0.9]
    assert _p100_column(f) == "p100"
    assert v.brier_score(f["p100"], f["obs_aqi"]) == pytest.approx((0.04 + 0.01) / 2)


def test_the_sources_keep_the_pairs_order_the_guidance_before_the_models():
    """The summary's Brier scores (one reliability diagram each on the page) follow the pairs' order of sources
    (:func:`forecasting.verification.verification_pairs`: issued, ensemble, corrected, raw, persistence), not the
    labels' alphabet, which put the three corrected models before the guidance ("corrected:" < "ensemble")."""
    from forecasting.verification.summary import summarize

    rows = [pair(source, model, lo=60, hi=80, obs=o, target=OCT1 + timedelta(days=i))
            for source, model in (("ensemble", ""), ("corrected", "CAMS"), ("raw", "CAMS"))
            for i, o in enumerate((70, 130, 90))]
    pairs = v.annotate(frame(rows))
    pairs["p100"] = 0.3
    summary = summarize(pairs, OCT1, OCT1 + timedelta(days=2), n_boot=10)
    assert list(summary.brier) == ["ensemble", "corrected:CAMS", "raw:CAMS"]
    # and the score table, the lead days sorted within each source
    table = v.score_table(pairs.assign(lead_day=[2, 1, 1] * 3), by=["label", "lead_day"])
    assert list(zip(table["label"], table["lead_day"])) == [
        ("ensemble", 1), ("ensemble", 2), ("corrected:CAMS", 1), ("corrected:CAMS", 2), ("raw:CAMS", 1), ("raw:CAMS", 2)]
