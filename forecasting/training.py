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
from datetime import date

import pandas as pd
from sqlalchemy import select, update

from forecasting import audit, datastore
from forecasting.accounts import _current
from forecasting.permissions import Actor, require_role
from forecasting.store.db import Database
from forecasting.store.science import TrainedCorrectionRecord

__all__ = ["TRAIN_METHODS", "TrainingSummary", "train", "active_corrections", "CorrectionInfo"]

TRAIN_METHODS = ("raw", "persistence", "rolling_bias", "kalman_filter", "mos_ridge", "gradient_boosting", "ensemble")
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
    from forecasting.correction import CORRECTION_VERSION, PREDICTORS, pair_forecasts, run_methods, score_table
    from forecasting.guidance import issue_cutoff

    with db.read() as s:
        require_role(_current(s, actor, "train corrections"), "admin", action="train corrections")
    cut = issue_cutoff(until)
    since = cut - pd.Timedelta(days=history_days)
    val_start = cut - pd.Timedelta(days=validation_days)
    forecasts = datastore.forecast_frame(db, cycle_since=since.to_pydatetime(), cycle_until=cut.to_pydatetime())
    observations = datastore.observation_frame(db, since=since.to_pydatetime(), until=cut.to_pydatetime())
    from forecasting.errors import ValidationError

    if forecasts.empty or observations.empty:
        raise ValidationError("no stored forecasts or observations in the training window; ingest runs and import "
                              "observations first", key="train.no_data")
    pairs = pair_forecasts(forecasts.drop(columns=["lead_hours"]), observations)
    pairs = pairs[(pairs["issue_time"] <= cut) & (pairs["valid_time"] <= cut)]
    results = run_methods(pairs, observations, methods=list(methods), start=val_start - pd.Timedelta(days=7))
    tables = {m: score_table(c, since=val_start, until=cut, by=("district", "pollutant")) for m, c in results.items()}
    predictors = [p for p in PREDICTORS if p in set(forecasts["variable"])]
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
        reason = (f"lowest mean hourly RMSE over D+1..D+3 on {val_start.tz_convert('Asia/Shanghai'):%Y-%m-%d}.."
                  f"{cut.tz_convert('Asia/Shanghai'):%Y-%m-%d}: {skill(best):.1f} "
                  f"(raw {raw:.1f}; next {ranked[1]} {skill(ranked[1]):.1f})" if len(ranked) > 1 else "only method")
        chosen[key] = best
        records.append(TrainedCorrectionRecord(
            district=district, pollutant=pollutant, method=best, version=CORRECTION_VERSION,
            train_from=since.to_pydatetime(), train_to=cut.to_pydatetime(), predictors=predictors,
            scores={m: {k: {n: (None if (v is None or (isinstance(v, float) and not math.isfinite(v))) else v)
                            for n, v in sc.items()} for k, sc in per_method[m].items()} for m in per_method},
            reason=reason, active=True,
        ))
    with db.transaction() as s:
        actor = require_role(_current(s, actor, "train corrections"), "admin", action="train corrections")
        s.execute(update(TrainedCorrectionRecord).where(TrainedCorrectionRecord.active.is_(True)).values(active=False))
        s.add_all(records)
        audit.record(s, actor, "correction.train", object_type="trained_corrections",
                     details={"until": until.isoformat(), "records": len(records),
                              "chosen": {f"{d}/{p}": m for (d, p), m in chosen.items()}})
    return TrainingSummary(until, val_start.tz_convert("Asia/Shanghai").date(), chosen, len(records))


def active_corrections(db: Database, *, district: str | None = None) -> list[CorrectionInfo]:
    q = select(TrainedCorrectionRecord).where(TrainedCorrectionRecord.active.is_(True)).order_by(
        TrainedCorrectionRecord.district, TrainedCorrectionRecord.pollutant)
    if district:
        q = q.where(TrainedCorrectionRecord.district == district)
    with db.read() as s:
        return [CorrectionInfo(r.district, r.pollutant, r.method, r.version, r.trained_at, r.train_from, r.train_to,
                               tuple(r.predictors or ()), dict(r.scores or {}), r.reason) for r in s.scalars(q)]
