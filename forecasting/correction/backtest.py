"""Rolling-origin backtest: scores per method, pollutant and lead day; best method on validation data.

Protocol (``docs/correction.md``): every method corrects every forecast using only what was known
at its issue time (:func:`forecasting.correction.correct`). Scores (HJ 1130-style MB, NMB, NME,
RMSE, R: :mod:`forecasting.scores`) are computed over hourly values whose valid time lies in the
test period (``valid_time ≥ test_from``). The best method per pollutant (or per district and
pollutant) is the lowest RMSE over lead days D+1..D+7 on the validation period, the
``validation_days`` before ``test_from``: the test period never chooses the method.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from forecasting import scores
from forecasting.correction.engine import ENSEMBLE_BASES, METHODS, correct, ensemble_bases, validate_method
from forecasting.correction.ensemble import combine_method
from forecasting.correction.pairing import DEFAULT_ISSUE_DELAY_HOURS, pair_forecasts
from forecasting.correction.probabilistic import crps_from_quantiles, pit_from_quantiles, pit_histogram
from forecasting.errors import ValidationError
from forecasting.vocab import BEIJING_ZONE

__all__ = ["LEAD_DAYS", "PAIRS_COLUMNS", "score_table", "score_tables", "select_best", "run_methods", "backtest",
           "pairs_table", "probabilistic_scores"]

LEAD_DAYS = tuple(range(1, 8))
#: Columns of ``--pairs PAIRS.csv`` (issue #13 contract).
PAIRS_COLUMNS = ("method", "model", "district", "pollutant", "cycle", "valid_time", "lead_day", "forecast", "q10",
                 "q50", "q90", "observed")


def _row_scores(frame: pd.DataFrame):
    """``(ok, crps, inside, pit)`` per row: whether ``q10 q50 q90 observed`` are all finite, the CRPS of the
    two-piece log-normal through the quantiles (NaN where not ok), whether ``q10 ≤ observed ≤ q90`` and
    the observation's PIT under that distribution; ``None`` when the frame has no quantiles."""
    if not {"q10", "q50", "q90"} <= set(frame.columns):
        return None
    q = frame[["q10", "q50", "q90", "observed"]].to_numpy(dtype=float)
    ok = np.isfinite(q).all(axis=1)
    crps = np.full(len(frame), np.nan)
    pit = np.full(len(frame), np.nan)
    if ok.any():
        pollutant = frame["pollutant"].to_numpy()[ok]
        crps[ok] = crps_from_quantiles(q[ok, 0], q[ok, 1], q[ok, 2], q[ok, 3], pollutant)
        pit[ok] = pit_from_quantiles(q[ok, 0], q[ok, 1], q[ok, 2], q[ok, 3], pollutant)
    return ok, crps, (q[:, 0] <= q[:, 3]) & (q[:, 3] <= q[:, 2]), pit


_NO_SCORES = {"coverage80": None, "crps": None, "pit10": None}


def _mean_scores(row_scores, rows=None) -> dict:
    """``{"coverage80", "crps", "pit10"}`` over ``rows`` (positions; all when ``None``) of :func:`_row_scores`
    (``pit10``: the fractions of PIT values in the ten bins 0-0.1 … 0.9-1, :func:`pit_histogram`)."""
    if row_scores is None:
        return dict(_NO_SCORES)
    ok, crps, inside, pit = row_scores
    good = np.flatnonzero(ok) if rows is None else rows[ok[rows]]
    if not len(good):
        return dict(_NO_SCORES)
    return {"coverage80": float(inside[good].mean()), "crps": float(np.mean(crps[good])),
            "pit10": pit_histogram(pit[good], bins=10)}


def probabilistic_scores(frame: pd.DataFrame) -> dict:
    """``{"coverage80", "crps", "pit10"}`` of rows with ``q10 q50 q90 observed``: the fraction of
    rows whose observation lies in ``[q10, q90]``, the mean CRPS of the two-piece log-normal
    through the quantiles (:func:`forecasting.correction.probabilistic.crps_from_quantiles`) and the PIT
    histogram in ten bins (:func:`forecasting.correction.probabilistic.pit_from_quantiles`), over the rows
    where the three quantiles and the observation are finite."""
    return _mean_scores(_row_scores(frame))


def pairs_table(corrected_by_method: dict[str, pd.DataFrame], *, since, lead_days=LEAD_DAYS) -> pd.DataFrame:
    """One row per method, model, district, pollutant, cycle and valid hour with ``valid_time ≥ since``
    (:data:`PAIRS_COLUMNS`; ``forecast`` = the scored central value, ``model`` = ``ensemble`` for
    combinations); times ISO 8601 in UTC."""
    parts = []
    for method, c in corrected_by_method.items():
        c = c[(c["valid_time"] >= since) & c["lead_day"].isin(lead_days)]
        part = pd.DataFrame({
            "method": method, "model": c["model"].to_numpy(), "district": c["district"].to_numpy(),
            "pollutant": c["pollutant"].to_numpy(), "cycle": c["cycle"].to_numpy(),
            "valid_time": c["valid_time"].to_numpy(), "lead_day": c["lead_day"].to_numpy(),
            "forecast": c["central"].to_numpy(),
            **{q: (c[q].to_numpy() if q in c else np.nan) for q in ("q10", "q50", "q90")},
            "observed": c["observed"].to_numpy()})
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(PAIRS_COLUMNS))
    for col in ("cycle", "valid_time"):
        out[col] = pd.DatetimeIndex(pd.to_datetime(out[col], utc=True)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return out[list(PAIRS_COLUMNS)]


def _day_start(day) -> pd.Timestamp:
    """Start (UTC) of a Beijing day given as ``YYYY-MM-DD`` or a date."""
    if isinstance(day, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.strip()):
        raise ValidationError(f"expected a date YYYY-MM-DD, got {day!r}")
    try:
        ts = pd.Timestamp(day)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"expected a date YYYY-MM-DD, got {day!r}") from exc
    if ts.tzinfo is None:
        ts = ts.tz_localize(BEIJING_ZONE)
    return ts.tz_convert("UTC")


def score_table(corrected: pd.DataFrame, *, since=None, until=None, by=("pollutant",),
                lead_days=LEAD_DAYS) -> dict:
    """``{group: {"D+k": continuous scores}}`` over hourly rows with ``since ≤ valid_time < until``.

    ``group`` is the value of ``by`` (a tuple when ``by`` has several columns).
    """
    return score_tables(corrected, [(since, until, None)], by=by, lead_days=lead_days)[0]


def score_tables(corrected: pd.DataFrame, windows, *, by=("pollutant",), lead_days=LEAD_DAYS) -> list[dict]:
    """:func:`score_table` of several windows of one frame, ``[(since, until, issued_by)]`` (each may be
    ``None``): the rows with ``since ≤ valid_time < until`` and ``issue_time ≤ issued_by``. Every row's
    CRPS is computed once for all windows (a weekly retraining scores the same backtest eight times).
    """
    c = corrected[corrected["lead_day"].isin(lead_days)]
    by = list(by)
    central = c["central"].to_numpy(dtype=float)
    observed = c["observed"].to_numpy(dtype=float)
    row_scores = _row_scores(c)  # every row's CRPS in one pass, then averaged per group and window
    valid = c["valid_time"]
    keys = c[by + ["lead_day"]]
    out = []
    for since, until, issued_by in windows:
        mask = np.ones(len(c), dtype=bool)
        if since is not None:
            mask &= (valid >= since).to_numpy()
        if until is not None:
            mask &= (valid < until).to_numpy()
        if issued_by is not None:
            mask &= (c["issue_time"] <= issued_by).to_numpy()
        positions = np.flatnonzero(mask)
        table: dict = {}
        groups = keys.iloc[positions].groupby(by + ["lead_day"], sort=True).indices
        for full_key in sorted(groups):
            rows = positions[groups[full_key]]
            key = full_key[:-1] if len(by) > 1 else full_key[0]
            table.setdefault(key, {})[f"D+{int(full_key[-1])}"] = {
                **scores.continuous_scores(central[rows], observed[rows]), **_mean_scores(row_scores, rows)}
        out.append(table)
    return out


def select_best(corrected_by_method: dict[str, pd.DataFrame], *, since, until, by=("pollutant",),
                lead_days=LEAD_DAYS) -> dict:
    """Method with the lowest RMSE over ``lead_days`` in ``[since, until)`` per group of ``by``.

    Every method is scored on the same rows (a row a method cannot correct carries its raw value,
    see :func:`forecasting.correction.correct`).
    """
    by = list(by)
    rmse: dict = {}
    for method, c in corrected_by_method.items():
        c = c[(c["valid_time"] >= since) & (c["valid_time"] < until) & c["lead_day"].isin(lead_days)]
        for key, g in c.groupby(by if len(by) > 1 else by[0]):
            value = scores.rmse(g["central"], g["observed"])
            if math.isfinite(value):
                rmse.setdefault(key, {})[method] = value
    return {key: min(v, key=v.get) for key, v in rmse.items()}


def run_methods(pairs: pd.DataFrame, observations: pd.DataFrame, *, methods=METHODS, start=None,
                **params) -> dict[str, pd.DataFrame]:
    """``{method: correct(...)}``; a base method already run is reused by the ensembles."""
    out: dict[str, pd.DataFrame] = {}
    for m in methods:
        validate_method(m)
    for m in methods:
        if m in ENSEMBLE_BASES:
            bases = ensemble_bases(m, params)
            for b in bases:
                if b not in out:
                    out[b] = correct(pairs, observations, method=b, start=start, **params)
            out[m] = combine_method(m, {b: out[b] for b in bases}, start=start, **params)
        elif m not in out:
            out[m] = correct(pairs, observations, method=m, start=start, **params)
    return {m: out[m] for m in methods}


def backtest(forecasts: pd.DataFrame, observations: pd.DataFrame, *, test_from, methods=METHODS,
             issue_delay_hours: float = DEFAULT_ISSUE_DELAY_HOURS, validation_days: int = 30,
             pairs_out: list | None = None, **params) -> dict:
    """The backtest report (the ``python -m forecasting backtest`` JSON as a dict).

    Returns ``{"test_from": "YYYY-MM-DD", "methods": {METHOD: {POLLUTANT: {"D+1": {n, mb, nmb, nme,
    rmse, r, coverage80, crps, pit10}, ...}}}, "best": {POLLUTANT: METHOD}, "validation": {"from",
    "to"}}``; NaN scores become ``None``. ``test_from`` is a Beijing date. With ``pairs_out`` (a
    list) the scored rows (:func:`pairs_table`) are appended to it as one DataFrame.
    """
    test_start = _day_start(test_from)
    pairs = pair_forecasts(forecasts, observations, issue_delay_hours=issue_delay_hours)
    if not len(pairs):
        raise ValidationError("no forecast pollutant rows to evaluate; check the forecast file")
    if not (pairs["valid_time"] >= test_start).any():
        raise ValidationError(f"no forecast is valid on or after --test-from {test_from}")
    val_start = test_start - pd.Timedelta(days=validation_days)
    results = run_methods(pairs, observations, methods=methods,
                          start=val_start - pd.Timedelta(days=7), **params)
    report = {"test_from": test_start.tz_convert(BEIJING_ZONE).strftime("%Y-%m-%d"), "methods": {}, "best": {}}
    for m, c in results.items():
        report["methods"][m] = _clean(score_table(c, since=test_start))
    report["best"] = select_best(results, since=val_start, until=test_start)
    if pairs_out is not None:
        pairs_out.append(pairs_table(results, since=test_start))
    report["validation"] = {"from": val_start.tz_convert(BEIJING_ZONE).strftime("%Y-%m-%d"),
                            "to": test_start.tz_convert(BEIJING_ZONE).strftime("%Y-%m-%d")}
    return report


def _clean(obj):
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj
