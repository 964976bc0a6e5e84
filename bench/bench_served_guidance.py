"""The guidance as served (issue #13): its 80 % intervals measured one issue date at a time.

The other correction benches run each method once through the whole record, so every interval they
score was calibrated on a full window with a fully adapted ACI level. The guidance a forecaster is
offered is computed for one issue date from the history the database holds at its cut-off
(:func:`forecasting.guidance.guidance_window`, :func:`forecasting.guidance.corrected_guidance`). This
bench does exactly that for every issue date of the demo record's last 60 days (the frozen test period
of ``bench demo_correction``; 180 days, three districts, three models) and scores the hourly intervals
of the suggested ensemble and of the Kalman-filtered models against the issue's coverage targets
(overall 0.75-0.85, every forecast-level bin of at least 150 hours 0.70-0.90, PM2.5 and O3, D+1 and D+3).

Beside it, as other readings: the same issue dates computed as the guidance was before
(45 days of history, the correction run from one day before the cut-off), and the benches' single run
through the record. The method is the Kalman filter (the guidance's default before any training, and
the ensemble's base); "served, ensemble_log" is the same with the ensemble over ``kalman_log`` corrections,
which the weekly trainings may choose (2026-12-04); "served, ensemble_mix" the ensemble over every (model,
base) pair of the ``kalman_log`` and ``mos_ridge`` corrections (2026-12-05). ``--methods=M,...`` runs only the
settings of those methods (e.g. ``--methods=kalman_filter,ensemble_mix``); the issue's targets are printed
for each served setting's suggested ensemble.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

import pandas as pd

from bench.daily_scores import hourly_honest, hourly_verdicts, print_hourly

DAYS, TEST = 180, 60
LAST = date(2026, 11, 20)
#: (label, history days, calibration days, method): the guidance as served, with the ensemble over the
#: log-ratio Kalman filter, and as it was before
SETTINGS = (("served", None, None, "kalman_filter"), ("served, ensemble_log", None, None, "ensemble_log"),
            ("served, ensemble_mix", None, None, "ensemble_mix"), ("served before", 45, 1, "kalman_filter"))

_record: dict = {}


def _load() -> None:
    from forecasting.correction import pair_forecasts
    from forecasting.correction.simulate import ModelErrors, simulate_forecasts
    from forecasting.demo.observations import demo_district_series
    from forecasting.demo.science import CYCLE_HOUR, DEMO_MODELS, MAX_LEAD

    obs, _met = demo_district_series(LAST - timedelta(days=DAYS), LAST, seed=2026)
    models = [ModelErrors(**{**err.__dict__, "name": name}) for name, err, _ in DEMO_MODELS]
    fc = simulate_forecasts(obs, models=models, cycle_hour=CYCLE_HOUR, max_lead=MAX_LEAD, seed=2028)
    _record.update(obs=obs, fc=fc, pairs=pair_forecasts(fc, obs))


def _served(day: date, history_days: int | None, calibration_days: int | None, method: str = "kalman_filter"):
    """The corrected models and the ensemble of issue date ``day``, computed as the guidance is, with
    ``method`` for every series (``ensemble_log``: the models corrected by ``kalman_log``)."""
    from forecasting.correction import pair_forecasts
    from forecasting.guidance import CALIBRATION_DAYS, HISTORY_DAYS, corrected_guidance, guidance_window

    history_days, calibration_days = history_days or HISTORY_DAYS, calibration_days or CALIBRATION_DAYS
    since, _, cut = guidance_window(day, history_days=history_days, calibration_days=calibration_days)
    obs, fc = _record["obs"], _record["fc"]
    known = obs[(obs["time"] >= since - pd.Timedelta(days=2)) & (obs["time"] <= cut)]
    pairs = pair_forecasts(fc[(fc["cycle"] >= since) & (fc["cycle"] <= cut)], known)
    pairs = pairs[pairs["issue_time"] <= cut]
    _, corrected, ensemble = corrected_guidance(pairs, known, day, lambda *_: method,
                                                calibration_days=calibration_days)
    on = pd.Timestamp(day)
    return corrected[corrected["issue_date"] == on], ensemble[ensemble["issue_date"] == on]


def _verified(frame: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """``frame`` with ``observed`` from the whole record (the guidance knew none of its valid hours)."""
    at = pd.MultiIndex.from_frame(frame[["valid_time", "district", "pollutant"]])
    return frame.assign(observed=truth.reindex(at).to_numpy())


def main() -> None:
    from forecasting.correction import combine, correct
    from forecasting.guidance import issue_cutoff

    t0 = time.perf_counter()
    _load()
    days = [LAST - timedelta(days=i) for i in range(TEST, 0, -1)]
    test_from, end = issue_cutoff(days[0]), issue_cutoff(LAST + timedelta(days=1))
    truth = _record["pairs"].groupby(["valid_time", "district", "pollutant"])["observed"].first()
    named = {}
    t1 = time.perf_counter()
    start = test_from - pd.Timedelta(days=67)  # bench demo_correction's run: validation start − 7 days
    kalman = correct(_record["pairs"], _record["obs"], method="kalman_filter", start=start)
    ensemble = combine(kalman, start=start)
    issued = {pd.Timestamp(d) for d in days}
    named["full run ensemble"] = ensemble[ensemble["issue_date"].isin(issued)]
    named["full run kalman"] = kalman[kalman["issue_date"].isin(issued)]
    print(f"  one run through the record: {time.perf_counter() - t1:.1f} s")
    workers = min(2, os.cpu_count() or 1)
    only = next((a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--methods=")), None)
    settings = [s for s in SETTINGS if only is None or s[3] in only]
    with ProcessPoolExecutor(workers, initializer=_load) as pool:
        for label, history, calibration, method in settings:
            t1 = time.perf_counter()
            got = list(pool.map(_served, days, [history] * len(days), [calibration] * len(days),
                                [method] * len(days)))
            named[f"{label} kalman"] = _verified(pd.concat([k for k, _ in got], ignore_index=True), truth)
            named[f"{label} ensemble"] = _verified(pd.concat([e for _, e in got], ignore_index=True), truth)
            print(f"  {label}: {len(days)} issue dates one at a time, {time.perf_counter() - t1:.1f} s "
                  f"on {workers} processes")
    table = hourly_honest(named, since=test_from, until=end)
    served = [f"{label} ensemble" for label, history, _, _ in settings if history is None]
    for line in print_hourly(table, chosen={"pm25": served[0], "o3": served[0]}) if served else []:
        print(line)
    for name in served[1:]:
        print(f"  as served with every series on {name.split(', ')[1].split()[0]}:")
        for line in hourly_verdicts(table, chosen={"pm25": name, "o3": name}):
            print(line)
    print(f"  total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
