"""Training service: choose and record the correction method per district and pollutant.

``train`` backtests every method over the recent history, in time order (rolling origin: each
forecast is corrected with what was known at its issue time only), and picks, per district and
pollutant, the method with the lowest hourly RMSE over D+1..D+3 on a validation window (the last
``validation_days`` days before the cut-off): chosen on validation data, never on a later test
period. It records method, window, predictors, all methods' scores and the reason, and marks the
previous records inactive. ``python -m forecasting train`` runs it (for cron).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select, update

from forecasting import audit, datastore
from forecasting.accounts import current_actor
from forecasting.errors import ValidationError
from forecasting.guidance import issue_cutoff
from forecasting.permissions import Actor, require_role
from forecasting.store.db import Database
from forecasting.store.science import TrainedCorrectionRecord
from forecasting.vocab import BEIJING_ZONE

__all__ = ["TRAIN_METHODS", "TrainingSummary", "train", "train_history", "active_corrections", "CorrectionInfo"]

TRAIN_METHODS = ("raw", "persistence", "rolling_bias", "kalman_filter", "kalman_log", "mos_ridge", "gradient_boosting",
                 "analog_ensemble", "ensemble", "ensemble_log", "ensemble_mix")
SELECTION_LEADS = (1, 2, 3)


@dataclass(frozen=True)
class TrainingSummary:
    until: date
    validation_from: date
    chosen: dict
    records: int


@dataclass(frozen=True)
class CorrectionInfo:
    district: str
    pollutant: str
    method: str
    version: str
    trained_at: object
    train_from: object
    train_to: object
    predictors: tuple
    scores: dict
    reason: str


def train(db: Database, actor: Actor | None, *, until: date, history_days: int = 60, validation_days: int = 14,
          methods=TRAIN_METHODS) -> TrainingSummary:
    """Backtest ``methods`` and record the best per district and pollutant (see the module docstring)."""
    return train_history(db, actor, until=until, history_days=history_days, validation_days=validation_days,
                         methods=methods)[-1]


def train_history(db: Database, actor: Actor | None, *, until: date, since: date | None = None, every_days: int = 7,
                  history_days: int = 60, validation_days: int = 14, min_validation_days: int = 7,
                  methods=TRAIN_METHODS, pool=None) -> list[TrainingSummary]:
    """Trainings as they would have run every ``every_days`` from ``since`` to ``until`` (default: only
    ``until``), each on the window that ended at its own cut-off: one time-ordered backtest pass
    serves them all (every corrected value in it used only what was known at its issue time, and
    each training scores only rows verified by its cut-off). The last training's records are
    active; the earlier ones are kept inactive so that guidance of past issue dates uses what was
    known then (:func:`forecasting.guidance.corrections_for`). Trainings with fewer than
    ``min_validation_days`` of validation data are skipped; a range with no day (``since`` after
    ``until``) trains nothing and returns an empty list.

    ``pool`` (an executor of worker processes, e.g. the demo build's): the methods are run and scored
    in two groups, one per worker (each ensemble with its base method); the records are the same."""
    from forecasting.correction import pair_forecasts  # lazy: sklearn
    with db.read() as s:
        require_role(current_actor(s, actor, "train corrections"), "admin", action="train corrections")
    days = [until]
    if since is not None:
        days = sorted({until - timedelta(days=k) for k in range(0, (until - since).days + 1, every_days)})
    if not days:  # ``since`` after ``until``: no training falls in the range
        return []
    cut = issue_cutoff(until)
    first_cut = issue_cutoff(days[0])
    window_from = first_cut - pd.Timedelta(days=history_days)
    forecasts = datastore.forecast_frame(db, cycle_since=window_from.to_pydatetime(), cycle_until=cut.to_pydatetime())
    # each hour as the first consultation that could see it knew it (QC flags without hindsight)
    observations = datastore.learning_observation_frame(db, since=window_from.to_pydatetime(),
                                                        until=cut.to_pydatetime())
    if forecasts.empty or observations.empty:
        raise ValidationError("no stored forecasts or observations in the training window; ingest runs and import "
                              "observations first", key="train.no_data")
    pairs = pair_forecasts(forecasts.drop(columns=["lead_hours"]), observations)
    pairs = pairs[(pairs["issue_time"] <= cut) & (pairs["valid_time"] <= cut)]
    first_val = first_cut - pd.Timedelta(days=validation_days)
    data_from = pairs["valid_time"].min() if len(pairs) else cut
    windows = []  # (day, cut-off, validation start, training start) of every training that runs
    for day in days:
        day_cut = issue_cutoff(day)
        val_start = max(day_cut - pd.Timedelta(days=validation_days), data_from)
        if day != until and day_cut - val_start < pd.Timedelta(days=min_validation_days):
            continue
        windows.append((day, day_cut, val_start, max(day_cut - pd.Timedelta(days=history_days), data_from)))
    start = first_val - pd.Timedelta(days=7)
    cuts = [(day_cut, val_start) for _, day_cut, val_start, _ in windows]
    if pool is None:
        tables = scored_methods(pairs, observations, tuple(methods), start, cuts)
    else:
        parts = [pool.submit(scored_methods, pairs, observations, group, start, cuts)
                 for group in method_groups(methods)]
        results = [part.result() for part in parts]  # per group: one {method: table} per cut-off
        tables = [{m: table for r in results for m, table in r[k].items()} for k in range(len(cuts))]
    predictors = _predictors(forecasts)
    return [_record(db, actor, {m: tables[k][m] for m in methods}, predictors, until=day, cut=day_cut,
                    val_start=val_start, since=train_from, active=(day == until))
            for k, (day, day_cut, val_start, train_from) in enumerate(windows)]


#: Relative CPU cost of a method in the backtest pass, to split the methods between two workers: measured
#: on the 60-day demo world (raw 1.07 s, persistence 1.00, rolling_bias 1.56, kalman_filter 1.48, mos_ridge
#: 2.45, ensemble 1.1 beyond its base); a method not listed counts as raw. ``kalman_log`` is the Kalman
#: filter on log ratios (the same pass plus two logarithms).
_COST = {"raw": 10, "persistence": 10, "rolling_bias": 15, "kalman_filter": 15, "kalman_log": 16, "mos_ridge": 25,
         "ensemble": 11, "ensemble_median": 11, "ensemble_log": 11, "ensemble_mix": 12}


def method_groups(methods, n: int = 2) -> list[tuple[str, ...]]:
    """``methods`` in ``n`` groups of about equal cost, each ensemble with its base methods (each run once;
    ensembles sharing a base stay together).

    Examples
    --------
    >>> method_groups(("raw", "persistence", "rolling_bias", "kalman_filter", "mos_ridge", "ensemble"))
    [('kalman_filter', 'ensemble', 'raw', 'persistence'), ('mos_ridge', 'rolling_bias')]
    >>> method_groups(("raw", "kalman_filter", "kalman_log", "ensemble", "ensemble_log"))
    [('kalman_log', 'ensemble_log'), ('kalman_filter', 'ensemble', 'raw')]
    >>> method_groups(("raw", "kalman_filter", "kalman_log", "mos_ridge", "ensemble", "ensemble_log", "ensemble_mix"))
    [('kalman_log', 'mos_ridge', 'ensemble_log', 'ensemble_mix'), ('kalman_filter', 'ensemble', 'raw')]
    """
    from forecasting.correction.engine import ENSEMBLE_BASES, ensemble_bases  # lazy: sklearn

    clusters: list[tuple[list[str], list[str]]] = []  # (bases, ensembles): ensembles sharing a base merge
    for m in methods:
        if m not in ENSEMBLE_BASES:
            continue
        bases, ensembles = list(ensemble_bases(m)), [m]
        for c in [c for c in clusters if set(c[0]) & set(bases)]:
            clusters.remove(c)
            bases, ensembles = c[0] + [b for b in bases if b not in c[0]], c[1] + ensembles
        clusters.append((bases, ensembles))
    in_cluster = {b for bases, _ in clusters for b in bases}
    units = [tuple(b for b in bases if b in methods) + tuple(ensembles) for bases, ensembles in clusters]
    units += [(m,) for m in methods if m not in ENSEMBLE_BASES and m not in in_cluster]
    needs = {u: bases for u, (bases, _) in zip(units, clusters)}

    def cost_of(u):  # an ensemble whose bases are not in the unit computes them too
        return sum(_COST.get(m, 10) for m in u) + sum(_COST.get(b, 10) for b in needs.get(u, ()) if b not in u)

    cost = {u: cost_of(u) for u in units}
    groups: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for u in sorted(units, key=lambda u: -cost[u]):  # largest first, to the lightest group
        k = load.index(min(load))
        groups[k] += u
        load[k] += cost[u]
    return [tuple(g) for g in groups if g]


def scored_methods(pairs: pd.DataFrame, observations: pd.DataFrame, methods: tuple[str, ...], start,
                   cuts: list) -> list[dict]:
    """The backtest pass of ``methods`` and, for each ``(cut-off, validation start)`` of ``cuts``, every
    method's score table by district and pollutant over the rows verified by that cut-off (of forecasts
    issued by then): ``[{method: table}]`` in the order of ``cuts``. Runs in a worker process when the
    trainings are split (:func:`train_history` with a pool)."""
    from forecasting.correction import run_methods, score_tables  # lazy: sklearn

    results = run_methods(pairs, observations, methods=list(methods), start=start)
    windows = [(val_start, cut, cut) for cut, val_start in cuts]
    tables = {m: score_tables(c, windows, by=("district", "pollutant")) for m, c in results.items()}
    return [{m: tables[m][k] for m in results} for k in range(len(cuts))]


def _predictors(forecasts: pd.DataFrame) -> list[str]:
    from forecasting.correction import PREDICTORS  # lazy: sklearn

    variables = set(forecasts["variable"].unique())  # once: iterating the column costs seconds
    return [p for p in PREDICTORS if p in variables]


def _record(db, actor, tables, predictors, *, until, cut, val_start, since, active) -> TrainingSummary:
    from forecasting.correction import CORRECTION_VERSION  # lazy: sklearn

    records = []
    chosen = {}
    for key in sorted({k for t in tables.values() for k in t}):
        district, pollutant = key
        per_method = {m: tables[m].get(key, {}) for m in tables}

        def skill(m):
            vals = [per_method[m].get(f"D+{d}", {}).get("rmse") for d in SELECTION_LEADS]
            vals = [v for v in vals if v is not None and math.isfinite(v)]
            return sum(vals) / len(vals) if vals else math.inf

        ranked = sorted(per_method, key=skill)
        best = ranked[0]
        if not math.isfinite(skill(best)):
            continue
        raw = skill("raw") if "raw" in per_method else math.nan
        reason = (f"lowest mean hourly RMSE over D+1..D+3 on {val_start.tz_convert(BEIJING_ZONE):%Y-%m-%d}.."
                  f"{cut.tz_convert(BEIJING_ZONE):%Y-%m-%d}: {skill(best):.1f} "
                  f"(raw {raw:.1f}; next {ranked[1]} {skill(ranked[1]):.1f})" if len(ranked) > 1 else "only method")
        chosen[key] = best
        records.append(TrainedCorrectionRecord(
            district=district, pollutant=pollutant, method=best, version=CORRECTION_VERSION,
            train_from=since.to_pydatetime(), train_to=cut.to_pydatetime(), predictors=predictors,
            scores={m: {k: {n: (None if (v is None or (isinstance(v, float) and not math.isfinite(v))) else v)
                            for n, v in sc.items()} for k, sc in per_method[m].items()} for m in per_method},
            reason=reason, active=active,
        ))
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "train corrections"), "admin", action="train corrections")
        if active:
            s.execute(update(TrainedCorrectionRecord).where(TrainedCorrectionRecord.active.is_(True))
                      .values(active=False))
        s.add_all(records)
        audit.record(s, actor, "correction.train", object_type="trained_corrections",
                     details={"until": until.isoformat(), "records": len(records),
                              "chosen": {f"{d}/{p}": m for (d, p), m in chosen.items()}})
    return TrainingSummary(until, val_start.tz_convert(BEIJING_ZONE).date(), chosen, len(records))


def active_corrections(db: Database, *, district: str | None = None) -> list[CorrectionInfo]:
    q = select(TrainedCorrectionRecord).where(TrainedCorrectionRecord.active.is_(True)).order_by(
        TrainedCorrectionRecord.district, TrainedCorrectionRecord.pollutant)
    if district:
        q = q.where(TrainedCorrectionRecord.district == district)
    with db.read() as s:
        return [CorrectionInfo(r.district, r.pollutant, r.method, r.version, r.trained_at, r.train_from, r.train_to,
                               tuple(r.predictors or ()), dict(r.scores or {}), r.reason) for r in s.scalars(q)]
