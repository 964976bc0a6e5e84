"""Objective guidance: stored district forecasts + observations → corrected forecasts → daily AQI
ranges per district and target day, for each issue date. What forecasters start from.

For every issue date the guidance holds, per district and target day:

- ``raw`` for each model (the model's own daily AQI);
- ``corrected`` for each model: the method of that district and pollutant chosen by the newest
  training whose window ended by the issue date's cut-off (``kalman_filter``, Delle Monache et al.
  2006, until then); a correction trained on a later window is refused (:class:`HindsightError`);
- ``ensemble``: the skill-weighted mean of the corrected models, the suggested forecast (a method
  chosen as ``persistence`` or ``raw`` enters the same combination);
- ``daily`` (:data:`DIRECT_DAILY`): the day's AQI distribution from the daily quantities modelled
  directly (daily means of PM2.5/PM10/SO2/NO2/CO and O3 MDA8 corrected as days from every model's
  raw daily aggregates, :mod:`forecasting.correction.daily_direct`), trained on days that ended by
  the issue date's cut-off (refitted weekly); the quantities' 10/50/90 % quantiles are stored in
  ``indicators``;
- ``outlook`` (``outlook = True``): for target days of the session past the longest model lead, a
  labelled outlook (recent climatology blended with persistence, with the season's spread), never
  a copy of the last modelled day. :func:`model_guidance_ends` says where model guidance ends.

Every row carries the day's AQI distribution (``aqi_q10 aqi_q50 aqi_q90``), ``p_over_100`` and
``p_over_200``, and a range chosen from that distribution that obeys the submission rules
(:mod:`forecasting.correction.published`).

Each row uses only what was known at its issue time (:func:`forecasting.correction.correct` trains
in time order, strictly before each issue time); the knowledge cut-off of an issue date is 15:00
Beijing time, the consultation deadline. The AQI comes from :mod:`forecasting.aqi` with the edition
of the target date. The hourly series behind the guidance are kept for recent issue dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select

from forecasting import audit, datastore
from forecasting.accounts import current_actor
from forecasting.aqi import POLLUTANT_OF, RangeRules, edition_for, level_of
from forecasting.consultation.config import consultation_config
from forecasting.errors import ValidationError
from forecasting.permissions import Actor, require_role
from forecasting.scores import finite_or_none as _num  # short: a row's every quantile and probability
from forecasting.store.db import Database, insert_rows
from forecasting.store.science import Guidance, GuidanceSeries, TrainedCorrectionRecord
from forecasting.vocab import BEIJING

__all__ = [
    "GuidanceRow",
    "HindsightError",
    "check_window",
    "corrections_for",
    "model_guidance_ends",
    "outlook_distribution",
    "OUTLOOK",
    "compute_guidance",
    "corrected_guidance",
    "guidance_window",
    "CALIBRATION_DAYS",
    "HISTORY_DAYS",
    "guidance_for",
    "guidance_series",
    "latest_issue_date",
    "observed_aqi",
    "observed_daily_aqi",
    "methods_in_use",
    "issue_cutoff",
    "DEFAULT_METHOD",
    "SUGGESTED",
    "DIRECT_DAILY",
]

DEFAULT_METHOD = "kalman_filter"
SUGGESTED = "ensemble"
#: Method label of the direct daily model's rows (daily quantities corrected as days).
DIRECT_DAILY = "daily"
#: The direct daily model is refitted every this many issue dates (the weekly retraining's rhythm).
DIRECT_REFIT_DAYS = 7
#: Method label of the outlook rows past the longest model lead.
OUTLOOK = "outlook"
#: Target days a consultation covers (D+1..D+7); past the models' reach these get an outlook row.
SESSION_DAYS = 7
#: Outlook: persistence weight ``OUTLOOK_DECAY ** lead_day`` on log(AQI + 1); climatology of the last
#: ``OUTLOOK_CLIMATE_DAYS`` observed days (the season so far) gives the rest and the spread.
OUTLOOK_DECAY = 0.6
OUTLOOK_CLIMATE_DAYS = 30
OUTLOOK_MIN_DAYS = 7
#: [d] The guidance's correction runs from this long before the first issue date's cut-off: at the cut-off
#: the conformal step then calibrates on a whole interval window of out-of-sample scores (90 days,
#: ``DEFAULTS["interval_window_days"]``, plus the 7 days of the longest lead, D+7) and its ACI levels have
#: adapted through it, as in the benches, which run through the whole record. It was one day, with 45 days
#: of history: the served intervals' conformal step had 0-30 days of scores and no adaptation, and the
#: suggested PM2.5 D+1 interval covered 0.72 of the demo record's test hours against the benches' 0.80
#: (``python -m bench served_guidance``, docs/correction.md §9).
CALIBRATION_DAYS = 97
#: [d] History loaded for the guidance: the calibration and, before it, the correction's first training
#: (``DEFAULTS["min_train_days"]``, 14 days) with room for the Kalman filter to settle.
HISTORY_DAYS = CALIBRATION_DAYS + 25
KEEP_SERIES_DAYS = 16


@dataclass(frozen=True)
class GuidanceRow:
    """One guidance value: a district, a target day, a method (and model)."""

    issue_date: date
    district: str
    target_date: date
    method: str
    model: str
    edition: str
    centre: float | None
    aqi_lo: int | None
    aqi_hi: int | None
    level_lo: int | None
    level_hi: int | None
    primary: tuple[str, ...]
    #: 10/50/90 % quantiles of the day's AQI [1] (None without a distribution)
    aqi_q10: float | None = None
    aqi_q50: float | None = None
    aqi_q90: float | None = None
    #: probability that the day's AQI exceeds 100 (lightly polluted or worse) and 200 (heavily) [0-1]
    p_over_100: float | None = None
    p_over_200: float | None = None
    #: True for the labelled outlook past the longest model lead (climatology blended with persistence)
    outlook: bool = False
    #: end of the training window of the corrections this row used (None: untrained method) [UTC]
    trained_until: datetime | None = None

    @property
    def lead_day(self) -> int:
        return (self.target_date - self.issue_date).days


def issue_cutoff(day: date) -> pd.Timestamp:
    """The consultation's knowledge cut-off: 15:00 Beijing time on the issue date [UTC]."""
    return pd.Timestamp(datetime.combine(day, time(15, 0)), tz=BEIJING).tz_convert("UTC")


class HindsightError(ValidationError):
    """A correction trained on a window that ended after the issue time would be used."""


def check_window(train_to, issue_date: date) -> None:
    """Refuse (``HindsightError``) a correction whose training window ended after the issue date's
    knowledge cut-off (:func:`issue_cutoff`): guidance may use only what was known at its issue time.

    Examples
    --------
    >>> check_window(issue_cutoff(date(2026, 11, 1)).to_pydatetime(), date(2026, 11, 1))
    >>> check_window(issue_cutoff(date(2026, 11, 2)).to_pydatetime(), date(2026, 11, 1))
    Traceback (most recent call last):
    ...
    forecasting.guidance.HindsightError: correction trained on a window ending 2026-11-02 07:00 UTC cannot serve the issue date 2026-11-01 (cut-off 2026-11-01 07:00 UTC)
    """
    if train_to is None:
        return
    end = pd.Timestamp(train_to)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    cut = issue_cutoff(issue_date)
    if end > cut:
        raise HindsightError(
            f"correction trained on a window ending {end:%Y-%m-%d %H:%M} UTC cannot serve the issue date "
            f"{issue_date.isoformat()} (cut-off {cut:%Y-%m-%d %H:%M} UTC)",
            key="guidance.hindsight", issue_date=issue_date.isoformat(), train_to=f"{end:%Y-%m-%d %H:%M}")


def corrections_for(db: Database, issue_dates) -> dict[date, dict[tuple[str, str], tuple[str, datetime]]]:
    """Per issue date, ``{(district, pollutant): (method, train_to)}`` of the newest trained
    corrections whose training window ended by that date's cut-off (active or not: the history of
    training runs is what a forecaster had on each day). Dates before any usable training get ``{}``."""
    with db.read() as s:
        records = list(s.execute(select(TrainedCorrectionRecord.district, TrainedCorrectionRecord.pollutant,
                                        TrainedCorrectionRecord.method, TrainedCorrectionRecord.train_to,
                                        TrainedCorrectionRecord.id)
                                 .where(TrainedCorrectionRecord.train_to.is_not(None))))
    table = pd.DataFrame(records, columns=["district", "pollutant", "method", "train_to", "id"])
    out: dict = {}
    if len(table):
        table["train_to"] = pd.to_datetime(table["train_to"], utc=True)
        table = table.sort_values(["train_to", "id"])
    for day in issue_dates:
        if not len(table):
            out[day] = {}
            continue
        usable = table[table["train_to"] <= issue_cutoff(day)]
        newest = usable.drop_duplicates(["district", "pollutant"], keep="last")
        chosen = {}
        for d, p, m, t in zip(newest["district"], newest["pollutant"], newest["method"], newest["train_to"]):
            check_window(t, day)
            chosen[(d, p)] = (m, t.to_pydatetime())
        out[day] = chosen
    return out


def model_guidance_ends(rows, district: str) -> date | None:
    """The last target date with model guidance (not the outlook) for ``district`` in ``rows``."""
    days = [r.target_date for r in rows if r.district == district and not getattr(r, "outlook", False)
            and getattr(r, "aqi_lo", None) is not None]
    return max(days) if days else None


def methods_in_use(db: Database) -> dict[tuple[str, str], str]:
    """``{(district, pollutant): method}`` of the active trained corrections."""
    with db.read() as s:
        rows = s.execute(select(TrainedCorrectionRecord.district, TrainedCorrectionRecord.pollutant,
                                TrainedCorrectionRecord.method).where(TrainedCorrectionRecord.active.is_(True)))
        return {(d, p): m for d, p, m in rows}


def _daily_rows(corrected: pd.DataFrame, issue_dates: set, method: str, *, rules=None,
                trained: dict | None = None) -> list[dict]:
    from forecasting.correction.daily import daily_forecasts  # lazy: sklearn

    rows = []
    wanted = corrected[corrected["issue_date"].isin(issue_dates)]
    full = wanted.groupby(["model", "issue_date"])["pollutant"].transform("nunique") >= 6
    for r in daily_forecasts(wanted[full], rules=rules).itertuples(index=False):
        model, issue = r.model, r.issue_date
        until = (trained or {}).get(pd.Timestamp(issue).date())
        aqi = getattr(r, "aqi", np.nan)
        ok = aqi is not None and np.isfinite(aqi)
        levels = list(getattr(r, "levels", None) or []) if ok else []
        rows.append({
            "issue_date": pd.Timestamp(issue).date(), "district": r.district,
            "target_date": pd.Timestamp(r.target_date).date(), "method": method, "model": model,
            "edition": r.edition, "centre": float(aqi) if ok else None,
            "aqi_lo": int(r.range_lo) if ok else None, "aqi_hi": int(r.range_hi) if ok else None,
            "level_lo": int(min(levels)) if levels else None, "level_hi": int(max(levels)) if levels else None,
            "primary": list(r.primary) if ok else [],
            "aqi_q10": _num(r.aqi_q10) if ok else None, "aqi_q50": _num(r.aqi_q50) if ok else None,
            "aqi_q90": _num(r.aqi_q90) if ok else None, "p_over_100": _num(r.p_over_100) if ok else None,
            "p_over_200": _num(r.p_over_200) if ok else None, "outlook": False,
            "trained_until": until if method != "raw" else None,
        })
    return rows


def _direct_daily_rows(pairs: pd.DataFrame, observations: pd.DataFrame, day_list: list, *, widths,
                       lead_days=range(1, SESSION_DAYS + 1)) -> list[dict]:
    """Rows of the direct daily model (:data:`DIRECT_DAILY`) for the issue dates ``day_list``; each
    issue date is served by a fit on days that ended by its cut-off (:func:`issue_cutoff`)."""
    from forecasting.correction.daily_direct import daily_aqi_distribution, direct_daily  # lazy: sklearn

    q = direct_daily(pairs, observations, issue_dates=day_list, cutoff=issue_cutoff, refit_days=DIRECT_REFIT_DAYS,
                     train_days=HISTORY_DAYS + 30, lead_days=lead_days)
    if q.empty:
        return []
    dist = daily_aqi_distribution(q, widths=widths)
    quant = {k: {r.quantity: [_num(r.q10), _num(r.q50), _num(r.q90)] for r in g.itertuples()}
             for k, g in q.groupby(["issue_date", "district", "date"])}
    fitted = q.groupby("issue_date")["trained_until"].max()
    rows = []
    for r in dist.itertuples(index=False):
        issue = pd.Timestamp(r.issue_date).date()
        rows.append({
            "issue_date": issue, "district": r.district, "target_date": r.date, "method": DIRECT_DAILY, "model": "",
            "edition": r.edition, "centre": float(r.aqi), "aqi_lo": int(r.range_lo), "aqi_hi": int(r.range_hi),
            "level_lo": int(level_of(r.range_lo)), "level_hi": int(level_of(r.range_hi)), "primary": list(r.primary),
            "indicators": quant.get((pd.Timestamp(r.issue_date), r.district, pd.Timestamp(r.date)), {}),
            "aqi_q10": _num(r.aqi_q10), "aqi_q50": _num(r.aqi_q50), "aqi_q90": _num(r.aqi_q90),
            "p_over_100": _num(r.p_over_100), "p_over_200": _num(r.p_over_200), "outlook": False,
            "trained_until": pd.Timestamp(fitted.loc[r.issue_date]).to_pydatetime(),
        })
    return rows


def outlook_distribution(observed_aqi, lead_day: int, *, decay: float = OUTLOOK_DECAY,
                         min_spread: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float, float]:
    """``(q10, q50, q90)`` of the outlook's AQI for a lead day past the models' reach.

    ``observed_aqi``: the observed daily AQI of the recent days known at issue time, oldest first
    (the last one is persistence). On ``log(AQI + 1)``: median ``w·persistence + (1 − w)·climatology
    median`` with ``w = decay ** lead_day``; the 10/90 % quantiles keep the climatology's spread
    around that median (never narrower than the season's own variability), and at least
    ``min_spread`` (the lower and upper spreads on ``log(AQI + 1)`` of the last day with model
    guidance: past the models' reach the outlook is never more certain than their last day).

    Examples
    --------
    >>> q10, q50, q90 = outlook_distribution([40, 60, 80, 100, 60, 50, 70], 5)
    >>> q10 < 50 < q50 < 70 < q90
    True
    >>> wide = outlook_distribution([40, 60, 80, 100, 60, 50, 70], 5, min_spread=(1.0, 1.0))
    >>> round(float(np.log1p(wide[2]) - np.log1p(wide[1])), 6), wide[1] == q50
    (1.0, True)
    """
    a = np.log(np.asarray([v for v in observed_aqi if v is not None and np.isfinite(v)], dtype=float) + 1.0)
    if not len(a):
        raise ValueError("no observed AQI to build an outlook from")
    c10, c50, c90 = np.quantile(a, [0.1, 0.5, 0.9])
    w = decay ** lead_day
    mid = w * a[-1] + (1 - w) * c50
    low, high = max(c50 - c10, min_spread[0]), max(c90 - c50, min_spread[1])
    return float(np.exp(mid - low) - 1), float(np.exp(mid) - 1), float(np.exp(mid + high) - 1)


def _outlook_rows(rows: list[dict], observed_daily: pd.DataFrame, issue_dates: set, *, widths,
                  days: int = SESSION_DAYS) -> list[dict]:
    """Outlook rows for the D+1..D+``days`` days without ensemble guidance (past the longest lead)."""
    from forecasting.correction.published import choose_range, exceedance  # lazy: sklearn

    have = {(r["issue_date"], r["district"], r["target_date"]) for r in rows
            if r["method"] == SUGGESTED and r["aqi_lo"] is not None}
    # the spreads on log(AQI + 1) of the last day with suggested model guidance, per issue date and district
    last_spread: dict = {}
    for r in sorted((r for r in rows if r["method"] == SUGGESTED
                     and all(r.get(k) is not None for k in ("aqi_q10", "aqi_q50", "aqi_q90"))),
                    key=lambda r: r["target_date"]):
        q10, q50, q90 = (np.log1p(max(r[k], 0.0)) for k in ("aqi_q10", "aqi_q50", "aqi_q90"))
        last_spread[(r["issue_date"], r["district"])] = (float(q50 - q10), float(q90 - q50))
    out = []
    if observed_daily.empty:
        return out
    for issue in sorted(issue_dates):
        day = pd.Timestamp(issue).date()
        for district, part in observed_daily.groupby("district"):
            known = part[(part["date"] < day) & (part["date"] >= day - timedelta(days=OUTLOOK_CLIMATE_DAYS))]
            known = known[np.isfinite(known["aqi"].astype(float))].sort_values("date")
            if len(known) < OUTLOOK_MIN_DAYS:
                continue
            prim = [p[0] for p in known["primary"] if p]  # in date order
            # the most frequent primary pollutant; max keeps the first of equals, so a tie goes to the most
            # recent (never to set order, which changes with the process's string hashing)
            common = max(reversed(prim), key=prim.count) if prim else "pm25"
            for k in range(1, days + 1):
                target = day + timedelta(days=k)
                if (day, district, target) in have:
                    continue
                q10, q50, q90 = outlook_distribution(known["aqi"].astype(float).tolist(), k,
                                                     min_spread=last_spread.get((day, district), (0.0, 0.0)))
                lo, hi = choose_range(q10, q50, q90, widths=widths)
                primary = [] if hi <= 50 or (q50 <= 50 and lo <= 50) else [common]
                out.append({"issue_date": day, "district": district, "target_date": target, "method": OUTLOOK,
                            "model": "", "edition": edition_for(target), "centre": q50, "aqi_lo": lo,
                            "aqi_hi": hi, "level_lo": int(level_of(lo)), "level_hi": int(level_of(hi)),
                            "primary": primary, "aqi_q10": q10, "aqi_q50": q50, "aqi_q90": q90,
                            "p_over_100": exceedance(100, q10, q50, q90),
                            "p_over_200": exceedance(200, q10, q50, q90), "outlook": True, "trained_until": None})
    return out


def _series_rows(frame: pd.DataFrame, issue_dates: set, method: str) -> list[dict]:
    part = frame[frame["issue_date"].isin(issue_dates)]
    if part.empty:
        return []
    lower = part["lower"] if "lower" in part else pd.Series(np.nan, index=part.index)
    upper = part["upper"] if "upper" in part else pd.Series(np.nan, index=part.index)

    def num(values):
        v = np.asarray(values, dtype=float)
        return np.where(np.isfinite(v), v, None).tolist()

    return [
        {"issue_date": i, "district": d, "method": method, "model": m, "pollutant": p,
         "valid_time": t, "central": c, "lower": lo, "upper": hi}
        for i, d, m, p, t, c, lo, hi in zip(pd.DatetimeIndex(part["issue_date"]).date.tolist(),
                                             part["district"].tolist(), part["model"].tolist(),
                                             part["pollutant"].tolist(),
                                             pd.DatetimeIndex(part["valid_time"]).to_pydatetime().tolist(),
                                             num(part["central"]), num(lower), num(upper))
    ]


def guidance_window(first: date, last: date | None = None, *, history_days: int = HISTORY_DAYS,
                    calibration_days: int = CALIBRATION_DAYS) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """``(since, start, cut)`` of the guidance of the issue dates ``first``..``last`` [UTC]: the history is
    loaded from ``since``, the correction runs from ``start`` (:data:`CALIBRATION_DAYS` before ``first``'s
    cut-off) and nothing after ``cut`` (``last``'s cut-off, :func:`issue_cutoff`) is used.

    Examples
    --------
    >>> since, start, cut = guidance_window(date(2026, 11, 20))
    >>> (cut - start).days, (cut - since).days, f"{cut:%Y-%m-%d %H:%M}"
    (97, 122, '2026-11-20 07:00')
    """
    cut = issue_cutoff(last or first)
    first_cut = issue_cutoff(first)
    return (first_cut - pd.Timedelta(days=history_days), first_cut - pd.Timedelta(days=calibration_days), cut)


def corrected_guidance(pairs: pd.DataFrame, observations: pd.DataFrame, first: date, method_of, *,
                       calibration_days: int = CALIBRATION_DAYS) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(raw, corrected, ensemble)`` hourly frames behind the guidance of the issue dates from ``first``.

    ``pairs`` and ``observations`` hold only what was known at the last issue date's cut-off
    (:func:`guidance_window`); ``method_of(day, district, pollutant)`` names the correction method of a
    series on an issue day (history before ``first`` uses ``first``'s). A series' models are corrected by
    its method, or for an ensemble method by its base methods
    (:func:`~forecasting.correction.engine.ensemble_bases`: ``ensemble`` Kalman-filtered models,
    ``ensemble_log`` ``kalman_log`` ones, ``ensemble_mix`` both ``kalman_log`` and ``mos_ridge``);
    ``corrected`` holds the first base's per-model rows and ``ensemble`` combines every (model, base)
    member (:func:`~forecasting.correction.ensemble.combine_method`), each group of series sharing its
    bases over its whole history. Every frame is computed from :func:`guidance_window`'s ``start`` on, so
    the rows of the issue dates carry intervals calibrated on a whole interval window
    (``calibration_days`` other than the default only to measure the difference,
    ``python -m bench served_guidance``).
    """
    from forecasting.correction import combine_method, correct  # lazy: sklearn
    from forecasting.correction.engine import ENSEMBLE_BASES, ensemble_bases

    start = guidance_window(first, calibration_days=calibration_days)[1]
    raw = correct(pairs, observations, method="raw")

    def bases(method):  # the single-model methods behind a series' guidance
        return ensemble_bases(method, {"base_method": DEFAULT_METHOD}) if method in ENSEMBLE_BASES else (method,)

    keys = pd.DataFrame({"day": pairs["issue_date"].dt.date.to_numpy(),
                         "district": pairs["district"].to_numpy(dtype=object),
                         "pollutant": pairs["pollutant"].to_numpy(dtype=object)})
    combos = keys.drop_duplicates(ignore_index=True)
    combos["bases"] = [bases(method_of(max(day, first), d, p))
                       for day, d, p in combos[["day", "district", "pollutant"]].itertuples(index=False)]
    bases_of = keys.merge(combos, on=["day", "district", "pollutant"], how="left")["bases"].to_numpy()
    key_of = pd.MultiIndex.from_frame(keys[["district", "pollutant"]])
    on_keys = {}  # bases -> the rows of the series that use them on some issue day (their whole history)
    for bs in sorted(set(combos["bases"])):
        used = combos.loc[[x == bs for x in combos["bases"]], ["district", "pollutant"]].drop_duplicates()
        on_keys[bs] = key_of.isin(pd.MultiIndex.from_frame(used))
    numbered = pairs.assign(_row=np.arange(len(pairs)))
    done: dict[str, pd.DataFrame] = {}  # base -> its corrections of every series needing it, by pair row
    for b in sorted({b for bs in on_keys for b in bs}):
        on = np.logical_or.reduce([on for bs, on in on_keys.items() if b in bs])
        done[b] = correct(numbered[on], observations, method=b, start=start).set_index("_row")
    corrected, ensemble = [], []
    for bs, on in on_keys.items():
        rows = np.flatnonzero(on)
        members = {b: done[b].loc[rows].reset_index(drop=True) for b in bs}
        corrected.append(members[bs[0]][[x == bs for x in bases_of[rows]]])
        combined = combine_method("ensemble", members, start=start)  # several bases: every (model, base) pair
        day_bases = combined[["issue_date", "district", "pollutant"]].assign(day=combined["issue_date"].dt.date).merge(
            combos, on=["day", "district", "pollutant"], how="left")["bases"]
        ensemble.append(combined[[x == bs for x in day_bases]])
    return raw, pd.concat(corrected, ignore_index=True), pd.concat(ensemble, ignore_index=True)


def compute_guidance(db: Database, actor: Actor | None, first: date, last: date | None = None, *,
                     history_days: int = HISTORY_DAYS, keep_series_days: int = KEEP_SERIES_DAYS,
                     config=None) -> int:
    """Compute and store the guidance of the issue dates ``first``..``last`` (replacing theirs).

    One pass over the history serves every issue date (:func:`corrected_guidance` over
    :func:`guidance_window`). Each issue date uses the corrections of the
    newest training whose window ended by its cut-off (:func:`corrections_for`; none yet: the
    Kalman filter, which learns as it goes); ranges obey the submission rules of ``config``
    (default :func:`forecasting.consultation.config.consultation_config`); target days of the
    session past the models' reach get a labelled outlook row (:func:`outlook_distribution`).
    Returns the number of guidance rows.
    """
    from forecasting.correction import newest_runs, pair_forecasts  # lazy: sklearn
    from forecasting.correction.daily import hourly_to_daily_aqi  # lazy: sklearn

    last = last or first
    with db.read() as s:
        require_role(current_actor(s, actor, "compute guidance"), "admin", action="compute guidance")
    cfg = config or consultation_config()
    rules = RangeRules(widths=tuple(cfg.widths))
    since, _, cut = guidance_window(first, last, history_days=history_days)
    forecasts = datastore.forecast_frame(db, cycle_since=since.to_pydatetime(), cycle_until=cut.to_pydatetime())
    # each hour as the first consultation that could see it knew it (QC flags without hindsight)
    observations = datastore.learning_observation_frame(db, since=(since - pd.Timedelta(days=2)).to_pydatetime(),
                                                        until=cut.to_pydatetime())
    day_list = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    dates = {pd.Timestamp(d) for d in day_list}
    series_dates = {d for d in dates if d >= pd.Timestamp(last - timedelta(days=keep_series_days))}
    per_day = corrections_for(db, day_list)
    trained_until = {d: (max(t for _, t in per_day[d].values()) if per_day[d] else None) for d in day_list}
    rows: list[dict] = []
    series: list[dict] = []
    if len(forecasts):
        pairs = pair_forecasts(forecasts.drop(columns=["lead_hours"]), observations)
        pairs = pairs[pairs["issue_time"] <= cut]
        raw, corrected, ensemble = corrected_guidance(
            pairs, observations, first,
            lambda day, d, p: per_day.get(day, per_day[first]).get((d, p), (DEFAULT_METHOD,))[0])
        # a model run twice a day has two runs on an issue date: the newer serves (the ensemble's rule)
        raw, corrected = newest_runs(raw), newest_runs(corrected)
        rows = (_daily_rows(raw, dates, "raw", rules=rules)
                + _daily_rows(corrected, dates, "corrected", rules=rules, trained=trained_until)
                + _daily_rows(ensemble, dates, SUGGESTED, rules=rules, trained=trained_until))
        rows += _direct_daily_rows(pairs, observations, day_list, widths=tuple(cfg.widths))
        if series_dates:
            series = (_series_rows(raw, series_dates, "raw") + _series_rows(corrected, series_dates, "corrected")
                      + _series_rows(ensemble, series_dates, SUGGESTED))
    if len(observations):
        obs_daily = hourly_to_daily_aqi(observations.rename(columns={"time": "valid_time", "value": "obs"}),
                                        "obs").reset_index()
        obs_daily["date"] = pd.to_datetime(obs_daily["date"]).dt.date
        obs_daily["aqi"] = obs_daily["aqi_computed"].where(np.isfinite(obs_daily["aqi_computed"]), obs_daily["aqi"])
        rows += _outlook_rows(rows, obs_daily, dates, widths=tuple(cfg.widths), days=int(cfg.days))
    with db.transaction() as s:
        actor = require_role(current_actor(s, actor, "compute guidance"), "admin", action="compute guidance")
        s.execute(delete(Guidance).where(Guidance.issue_date >= first, Guidance.issue_date <= last))
        s.execute(delete(GuidanceSeries).where(GuidanceSeries.issue_date >= first, GuidanceSeries.issue_date <= last))
        insert_rows(s, Guidance, rows)
        insert_rows(s, GuidanceSeries, series)
        audit.record(s, actor, "guidance.compute", object_type="guidance",
                     details={"from": first.isoformat(), "to": last.isoformat(), "rows": len(rows),
                              "series": len(series), "outlook": sum(1 for r in rows if r.get("outlook"))})
    return len(rows)


def guidance_for(db: Database, issue_date: date, *, district: str | None = None) -> list[GuidanceRow]:
    """The stored guidance of an issue date (every method and model), by district and target day."""
    # the columns, not ORM objects (a page and every demo consultation read ~100 rows: a third of the time)
    q = select(Guidance.issue_date, Guidance.district, Guidance.target_date, Guidance.method, Guidance.model,
               Guidance.edition, Guidance.centre, Guidance.aqi_lo, Guidance.aqi_hi, Guidance.level_lo,
               Guidance.level_hi, Guidance.primary, Guidance.aqi_q10, Guidance.aqi_q50, Guidance.aqi_q90,
               Guidance.p_over_100, Guidance.p_over_200, Guidance.outlook, Guidance.trained_until).where(
        Guidance.issue_date == issue_date).order_by(Guidance.district, Guidance.target_date, Guidance.method,
                                                    Guidance.model)
    if district:
        q = q.where(Guidance.district == district)
    with db.read() as s:
        return [GuidanceRow(*g[:11], tuple(g[11] or ()), *g[12:17], bool(g[17]), g[18]) for g in s.execute(q)]


def observed_daily_aqi(db: Database, first: date, last: date, *, district: str | None = None) -> pd.DataFrame:
    """Observed daily AQI per district and Beijing day ``first``..``last`` (HJ 633, the edition of
    each day) from the district observations: ``district date edition aqi level primary``
    (``primary`` as pollutant names; ``aqi`` NaN where the day is not published)."""
    from forecasting.aqi import daily_aqi  # lazy: xarray (forecasting.aqi.timerules)

    since = pd.Timestamp(first, tz=BEIJING).tz_convert("UTC")
    until = pd.Timestamp(last + timedelta(days=1), tz=BEIJING).tz_convert("UTC")
    obs = datastore.observation_frame(db, since=(since + pd.Timedelta(hours=1)).to_pydatetime(),
                                      until=until.to_pydatetime(), district=district)
    if obs.empty:
        return pd.DataFrame(columns=["district", "date", "edition", "aqi", "level", "primary"])
    wide = obs.pivot_table(index=["time", "district"], columns="pollutant", values="value", aggfunc="mean")
    wide = wide.reset_index().set_index("time")
    wide.columns.name = None
    daily = daily_aqi(wide).reset_index()
    daily["date"] = pd.to_datetime(daily["date"]).dt.date
    daily["primary"] = [tuple(dict.fromkeys(POLLUTANT_OF[k] for k in t)) for t in daily["primary_pollutants"]]
    keep = daily[(daily["date"] >= first) & (daily["date"] <= last)]
    return keep[["district", "date", "edition", "aqi", "level", "primary"]].reset_index(drop=True)


def observed_aqi(db: Database, district: str, day: date) -> float | None:
    """The observed daily AQI of one district and Beijing day, or ``None`` when not published."""
    frame = observed_daily_aqi(db, day, day, district=district)
    if frame.empty or not np.isfinite(frame["aqi"].iloc[0]):
        return None
    return float(frame["aqi"].iloc[0])


def latest_issue_date(db: Database, *, on_or_before: date) -> date | None:
    """The newest issue date with stored guidance, not after ``on_or_before``."""
    with db.read() as s:
        return s.scalar(select(func.max(Guidance.issue_date)).where(Guidance.issue_date <= on_or_before))


def guidance_series(db: Database, *, district: str, pollutant: str, issue_dates: list[date]) -> pd.DataFrame:
    """Hourly series behind the guidance: ``issue_date method model valid_time central lower upper``."""
    q = select(GuidanceSeries.issue_date, GuidanceSeries.method, GuidanceSeries.model, GuidanceSeries.valid_time,
               GuidanceSeries.central, GuidanceSeries.lower, GuidanceSeries.upper).where(
        GuidanceSeries.district == district, GuidanceSeries.pollutant == pollutant,
        GuidanceSeries.issue_date.in_(issue_dates))
    with db.read() as s:
        rows = list(s.execute(q))
    frame = pd.DataFrame(rows, columns=["issue_date", "method", "model", "valid_time", "central", "lower", "upper"])
    frame["valid_time"] = pd.to_datetime(frame["valid_time"], utc=True)
    return frame
