"""Statistical correction on real Dongsi observations with simulated model forecasts (issue #5).

Data: Beijing Dongsi hourly observations 2013-03 … 2017-02 (``data/samples/beijing_prsa``, CC BY 4.0,
UCI Beijing Multi-Site Air-Quality, Song Xi Chen, Peking University), quality-controlled, turned into
four models' forecasts by :func:`forecasting.correction.simulate_forecasts` (daily 00 UTC cycles,
leads 1-72 h to bound memory; issue = cycle + 6 h = 14:00 Beijing, so D+1 = leads 17-40 h).

Protocol: every method corrects every forecast with what was known at its issue time (rolling
origin, regressions refitted every 60 days on an expanding window). Validation period 2015-03-01 …
2016-02-29 chooses the best method per pollutant; test period 2016-03-01 … 2017-02-28 scores it.
Only Dongsi is used here (the demo world belongs to another bench).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import scores
from forecasting.vocab import BEIJING_ZONE, POLLUTANTS
from forecasting.correction import (
    METHODS,
    combine,
    fit_correction,
    pair_forecasts,
    pool_bases,
    run_methods,
    select_best,
    simulate_forecasts,
)
from forecasting.observations import prsa_long, quality_control, read_prsa

from bench.bench_demo_correction import MIX, MIX_BASES
from bench.daily_scores import daily_scores, describe, honest_report, observed_daily

DATA = Path(__file__).resolve().parents[1] / "data" / "samples" / "beijing_prsa" / "PRSA_Data_Dongsi_20130301-20170228.csv"
DISTRICT = "110101"  # Dongcheng, Beijing (Dongsi station)
VAL_FROM = pd.Timestamp("2015-03-01", tz=BEIJING_ZONE).tz_convert("UTC")
TEST_FROM = pd.Timestamp("2016-03-01", tz=BEIJING_ZONE).tz_convert("UTC")
PARAMS = {"refit_days": 60}
TARGETS = {"ratio_raw": 0.65, "ratio_rolling": 1.0, "level_accuracy": 0.80, "retrain_s": 60.0, "apply_s": 2.0}


def _load():
    wide = read_prsa(DATA)
    station_obs, met = prsa_long(wide)
    qc = quality_control(station_obs)
    obs = qc[qc["valid"]].rename(columns={"station": "district"})[["time", "district", "pollutant", "value"]]
    obs = obs.assign(district=DISTRICT)
    met = met.rename(columns={"station": "district"}).assign(district=DISTRICT)
    return obs.reset_index(drop=True), met, qc


def _d1(frame, since, until):
    return frame[(frame["lead_day"] == 1) & (frame["valid_time"] >= since) & (frame["valid_time"] < until)]


def main() -> None:
    t0 = time.perf_counter()
    obs, met, qc = _load()
    print(f"Dongsi: {len(qc):,} station values, {(~qc['valid']).sum():,} flagged "
          f"({qc.loc[~qc['valid'], 'qc_flags'].str.split('|').explode().value_counts().to_dict()})")
    fc = simulate_forecasts(obs, met=met, max_lead=72, seed=0)
    pairs = pair_forecasts(fc, obs)
    del fc
    print(f"pairs: {len(pairs):,} rows (4 models × 6 pollutants × 72 leads × daily cycles); "
          f"prepared in {time.perf_counter() - t0:.1f} s")

    t1 = time.perf_counter()
    start = VAL_FROM - pd.Timedelta(days=7)
    results = run_methods(pairs, obs, methods=METHODS, start=start, **PARAMS)
    # The ensembles over other base corrections are candidates too (chosen on validation like the rest).
    for base in ("kalman_log", "mos_ridge", "gradient_boosting"):
        results[f"ensemble[{base}]"] = combine(results[base], kind="weighted", refit_days=PARAMS["refit_days"],
                                               start=start)
    # round 11 (docs/correction.md §8): both bases' corrected models as members of one weighted ensemble
    results[MIX] = combine(pool_bases({b: results[b] for b in MIX_BASES}), kind="weighted",
                           refit_days=PARAMS["refit_days"], start=start)
    print(f"rolling-origin run of {len(results)} methods over validation + test: {time.perf_counter() - t1:.1f} s")

    end = pd.Timestamp("2017-03-01", tz=BEIJING_ZONE).tz_convert("UTC")
    best = select_best(results, since=VAL_FROM, until=TEST_FROM, lead_days=(1,))
    print("\nD+1 hourly RMSE on the test period (2016-03 … 2017-02), pooled over models [µg/m³; CO mg/m³]")
    header = f"{'method':32s}" + "".join(f"{p:>9s}" for p in POLLUTANTS)
    print(header)
    table, val = {}, {}
    for m, c in results.items():
        d1 = _d1(c, TEST_FROM, end)
        table[m] = {p: scores.rmse(g["central"], g["observed"]) for p, g in d1.groupby("pollutant")}
        v1 = _d1(c, VAL_FROM, TEST_FROM)
        val[m] = {p: scores.rmse(g["central"], g["observed"]) for p, g in v1.groupby("pollutant")}
        print(f"{m:32s}" + "".join(f"{table[m].get(p, np.nan):9.2f}" for p in POLLUTANTS))
    print("validation period (2015-03 … 2016-02), same table:")
    for m in results:
        print(f"{m:32s}" + "".join(f"{val[m].get(p, np.nan):9.2f}" for p in POLLUTANTS))
    print("best on validation (D+1 RMSE): " + ", ".join(f"{p}={m}" for p, m in sorted(best.items())))

    print("\nTargets")
    for p in ("pm25", "o3"):
        m = best[p]
        r_raw = table[m][p] / table["raw"][p]
        r_rb = table[m][p] / table["rolling_bias"][p]
        print(f"  {p}: best {m}: RMSE/raw = {r_raw:.2f} (target ≤ {TARGETS['ratio_raw']}: "
              f"{'met' if r_raw <= TARGETS['ratio_raw'] else 'NOT met'}); RMSE/rolling_bias = {r_rb:.2f} "
              f"(target < 1: {'met' if r_rb < TARGETS['ratio_rolling'] else 'NOT met'}); "
              f"RMSE cut {100 * (1 - r_raw):.0f} %")
    kf = {p: 1 - table["kalman_filter"][p] / table["raw"][p] for p in ("pm25", "o3")}
    print(f"  kalman_filter alone cuts RMSE by {100 * kf['pm25']:.0f} % (PM2.5), {100 * kf['o3']:.0f} % (O3)")

    _daily_level_accuracy(results, obs, end)

    print("\nIssue #13: honest scores on the frozen test period 2016-03 … 2017-02 (never used to choose methods "
          "or settings)")
    honest_report(results, pairs, obs, val_from=VAL_FROM, test_from=TEST_FROM, end=end,
                  candidates=[m for m in results if m not in ("raw", "persistence")], start=start)

    _timings(pairs, obs)
    print("\nLiterature: Kalman filtering cut RMSE by 25-44 % (Lazio, Atmos. Pollut. Res. 2015); MOS on CAMS "
          "brought O3 RMSE from 20-40 % to 10-30 % (Petetin et al. 2022); XGBoost took GEOS-Chem O3 RMSE "
          "from 16.2 to 7.5 ppb, a 54 % cut (Ivatt and Evans 2020). The simulated errors here are ours "
          "(docs/correction.md): large systematic parts make big cuts possible; real models may gain less.")


def _daily_level_accuracy(results, obs, end):
    """Per pollutant the (method, model) with the lowest validation D+1 RMSE → daily AQI vs observed.

    Both readings of level accuracy are printed (``bench/daily_scores.py``); the target is judged on
    the published level span, the rule the product's verification applies to issued forecasts.
    """
    choice = {}
    for p in POLLUTANTS:
        best, best_rmse = None, np.inf
        for m, c in results.items():
            v = _d1(c[c["pollutant"] == p], VAL_FROM, TEST_FROM)
            for model, g in v.groupby("model"):
                r = scores.rmse(g["central"], g["observed"])
                if r < best_rmse:
                    best, best_rmse = (m, model), r
        choice[p] = best
    print("  daily AQI series (validation-best per pollutant): " + ", ".join(f"{p}={m}/{mo}" for p, (m, mo) in choice.items()))
    obs_aqi = observed_daily(obs, TEST_FROM, end)
    for name, pick in (("best", choice), ("raw cmaq", {p: ("raw", "cmaq") for p in choice}),
                       ("persistence", {p: ("persistence", "cmaq") for p in choice})):
        parts = []
        for p, (m, model) in pick.items():
            d1 = _d1(results[m], TEST_FROM, end)
            parts.append(d1[(d1["pollutant"] == p) & (d1["model"] == model)].assign(model="x"))
        s = daily_scores(pd.concat(parts), obs_aqi)
        print(describe(name, s, target=TARGETS["level_accuracy"] if name == "best" else None))


def _timings(pairs, obs):
    print("\nTimings")
    until = TEST_FROM - pd.Timedelta(days=365)  # two years of hourly history: 2013-03 … 2015-02
    hist = pairs[pairs["valid_time"] <= until]
    total = 0.0
    for m in ("rolling_bias", "kalman_filter", "mos_ridge", "gradient_boosting"):
        t = time.perf_counter()
        fit_correction(hist, obs[obs["time"] <= until], method=m, until=until)
        dt = time.perf_counter() - t
        total += dt
        print(f"  full retraining {m:32s} on {len(hist):,} pairs (2 years): {dt:5.1f} s")
    print(f"  full retraining, all methods: {total:.1f} s (target < {TARGETS['retrain_s']:.0f} s: "
          f"{'met' if total < TARGETS['retrain_s'] else 'NOT met'})")
    # 3 districts × 6 pollutants × 4 models: Dongsi's last 120 days, rescaled per district
    recent = obs[obs["time"] >= obs["time"].max() - pd.Timedelta(days=120)]
    three = pd.concat([recent.assign(district=d, value=recent["value"] * f)
                       for d, f in (("310118", 0.8), ("320509", 1.0), ("330421", 1.1))])
    p3 = pair_forecasts(simulate_forecasts(three, max_lead=168, seed=1), three)
    cut = p3["issue_time"].max().floor("D") - pd.Timedelta(days=1)
    new = p3[(p3["issue_time"] > cut)]
    new = new[new["cycle"] == new["cycle"].min()]
    worst = 0.0
    for m in ("kalman_filter", "mos_ridge", "gradient_boosting"):
        tc = fit_correction(p3[p3["valid_time"] <= cut], three[three["time"] <= cut], method=m, until=cut)
        known = three[three["time"] <= new["issue_time"].max()]
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            tc.apply(new, known)
            runs.append(time.perf_counter() - t)
        dt = float(np.median(runs))
        worst = max(worst, dt)
        print(f"  apply {m:32s} to one run, {len(new):,} rows (3 districts × 6 pollutants × 4 models × 168 h): "
              f"{dt:.2f} s (median of 3; first {runs[0]:.2f} s)")
    print(f"  slowest apply {worst:.2f} s (target < {TARGETS['apply_s']:.0f} s: {'met' if worst < TARGETS['apply_s'] else 'NOT met'})")
