"""Daily district forecast: corrected hourly series → daily AQI, AQI range, level span, primary pollutant.

The AQI itself comes from the AQI engine (:mod:`forecasting.aqi`, HJ 633-2012/2026 chosen by the
target date): daily indicators of each Beijing natural day (daily means, O3 MDA8) from the hourly
central values, then the AQI, level and primary pollutants. The uncertainty of the day is carried
by the daily AQI of the hourly lower and of the hourly upper bounds (every pollutant at its bound:
a conservative envelope, since the AQI is monotone in each concentration, not a quantile of the
daily AQI); :func:`forecasting.aqi.aqi_range` turns point and envelope into the published range
and level span. Days with fewer than 20 forecast hours (D+7 of a 168-h run) have no AQI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.aqi import POLLUTANT_OF, level_of, level_span_text
from forecasting.correction.pairing import POLLUTANTS
from forecasting.correction.published import DEFAULT_WIDTHS, choose_range, exceedance
from forecasting.errors import ValidationError
from forecasting.vocab import BEIJING_ZONE

__all__ = ["daily_aqi_of_columns", "daily_forecast", "daily_forecasts", "hourly_to_daily_aqi", "published_daily",
           "finish_daily", "calibrate_daily", "DAILY_CONFORMAL_MIN_COUNT", "DAILY_CONFORMAL_WINDOW_DAYS"]


def hourly_to_daily_aqi(frame: pd.DataFrame, value: str = "central", *, edition=None) -> pd.DataFrame:
    """Daily AQI per district and Beijing day of a tidy hourly table (``valid_time district pollutant <value>``).

    Returns the AQI engine's daily table indexed by ``district, date`` (see
    :func:`forecasting.aqi.daily_aqi`) with ``primary`` = the primary pollutants as pollutant names.
    """
    from forecasting.aqi import daily_aqi  # lazy: xarray (forecasting.aqi.timerules)

    wide = frame.pivot_table(index=["valid_time", "district"], columns="pollutant", values=value,
                             aggfunc="mean").reset_index()
    wide.columns.name = None
    wide = wide.set_index("valid_time")
    wide.index = pd.DatetimeIndex(wide.index).rename("time")
    cols = [p for p in POLLUTANTS if p in wide.columns]
    out = daily_aqi(wide[cols + ["district"]], edition=edition)
    out["primary"] = [tuple(dict.fromkeys(POLLUTANT_OF[k] for k in t)) for t in out["primary_pollutants"]]
    return out


_TAG = "\x1f"  # joins a district and a column name into one key (never in an adcode)
_GROUP = "\x1e"  # joins a district and a (model, issue date) group number (never in an adcode)


def _tag(districts: pd.Series, labels, sep: str) -> pd.Series:
    """District keys carrying a label, so that one pass of the AQI engine serves several tables."""
    return districts.astype(str) + sep + labels


def _untag(keys, sep: str) -> tuple[list[str], list[str]]:
    """``(districts, labels)`` of keys made by :func:`_tag` with ``sep`` (split at its first ``sep``)."""
    parts = pd.Index(keys).str.split(sep, n=1)
    return [k[0] for k in parts], [k[1] for k in parts]


def daily_aqi_of_columns(frame: pd.DataFrame, columns, *, edition=None) -> dict[str, pd.DataFrame]:
    """:func:`hourly_to_daily_aqi` of several value columns of one table in one pass of the AQI engine.

    Each column is computed exactly as ``hourly_to_daily_aqi(frame, column)`` would (the districts
    are keyed by district and column for the one pass, then split again); the engine's fixed cost
    (≈0.1 s a call) is paid once instead of once per column.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.date_range("2026-05-01 17:00", periods=24, freq="h", tz="UTC")  # 2 May, Beijing
    >>> f = pd.DataFrame({"valid_time": t, "district": "310118", "pollutant": "pm25",
    ...                   "low": 35.0, "high": 115.0})
    >>> out = daily_aqi_of_columns(f, ["low", "high"])
    >>> float(out["low"]["aqi_computed"].iloc[0]), float(out["high"]["aqi_computed"].iloc[0])  # HJ 633 Table 1
    (50.0, 150.0)
    """
    columns = list(dict.fromkeys(columns))
    if len(columns) == 1:
        return {columns[0]: hourly_to_daily_aqi(frame, columns[0], edition=edition)}
    parts = []
    for col in columns:
        part = frame[["valid_time", "district", "pollutant", col]].rename(columns={col: "_value"})
        part["district"] = _tag(part["district"], col, _TAG)
        parts.append(part)
    both = hourly_to_daily_aqi(pd.concat(parts, ignore_index=True), "_value", edition=edition)
    district, column = _untag(both.index.get_level_values("district"), _TAG)
    column = np.array(column)
    both.index = pd.MultiIndex.from_arrays([district, both.index.get_level_values("date")],
                                           names=["district", "date"])
    return {col: both[column == col] for col in columns}


def published_daily(frame: pd.DataFrame, *, edition=None, rules=None) -> pd.DataFrame:
    """Daily AQI, its distribution, published range and level span per district and Beijing day.

    ``frame`` holds ``valid_time district pollutant central [q10 q50 q90 | lower upper]`` of **one**
    forecast per district and day (one model or the ensemble, one issue per day: e.g. every D+1 day
    of a backtest, or one run's D+1..D+7). The day's AQI quantiles ``aqi_q10 aqi_q50 aqi_q90`` are
    the daily AQI of the hourly quantiles (:mod:`forecasting.correction.published`); the range is
    chosen from that distribution by :func:`forecasting.correction.published.choose_range` under
    the width rules of ``rules`` (a :class:`forecasting.aqi.RangeRules` or anything with
    ``widths``; default 20 up to a centre of 100, 35 above) and so always obeys them. Without
    quantiles (no verified history yet) the point AQI is taken as the whole distribution and the
    probabilities are NaN.

    Returns
    -------
    DataFrame
        Indexed by ``district, date``: ``edition aqi aqi_lower aqi_upper aqi_q10 aqi_q50 aqi_q90 level
        primary_point primary_upper p_over_100 p_over_200 primary range_lo range_hi range_text levels span_zh
        span_en``; range columns missing when the day has no AQI.
    """
    widths = tuple(getattr(rules, "widths", None) or DEFAULT_WIDTHS)

    def source(name, fallback=None):
        use = name if name in frame.columns and frame[name].notna().any() else fallback
        if use is None or use not in frame.columns or not frame[use].notna().any():
            return None
        return use

    sources = {"central": "central", "q10": source("q10", "lower"), "q50": source("q50", "central"),
               "q90": source("q90", "upper")}
    tables = daily_aqi_of_columns(frame, ["central", *(c for c in sources.values() if c)], edition=edition)
    central = tables["central"]
    t10, t50, t90 = (tables[sources[k]] if sources[k] else None for k in ("q10", "q50", "q90"))
    out = pd.DataFrame(index=central.index)
    out["edition"] = central["edition"]
    out["aqi"] = central["aqi_computed"].where(np.isfinite(central["aqi_computed"]), central["aqi"])
    for name, t in (("aqi_q10", t10), ("aqi_q50", t50), ("aqi_q90", t90)):
        out[name] = t["aqi_computed"].reindex(central.index) if t is not None else np.nan
    out["aqi_lower"], out["aqi_upper"] = out["aqi_q10"], out["aqi_q90"]
    out["level"] = central["level"]
    # the point's primary pollutants and the upper quantile's dominant one, kept for the primary rule
    # when the distribution is recalibrated (:func:`calibrate_daily`)
    out["primary_point"] = [p if isinstance(p, tuple) else () for p in central["primary"]]
    out["primary_upper"] = ([p if isinstance(p, tuple) else () for p in t90["primary"].reindex(central.index)]
                            if t90 is not None else [()] * len(out))
    return finish_daily(out, widths=widths)


_RANGE_COLUMNS = ["range_lo", "range_hi", "range_text", "levels", "span_zh", "span_en"]


def finish_daily(out: pd.DataFrame, *, widths=DEFAULT_WIDTHS) -> pd.DataFrame:
    """``p_over_100 p_over_200 primary`` and the range columns of daily rows from their ``aqi aqi_q10
    aqi_q50 aqi_q90 edition primary_point primary_upper`` (:func:`published_daily`'s last step, shared with
    :func:`calibrate_daily`)."""
    out = out.drop(columns=[c for c in _RANGE_COLUMNS if c in out.columns])
    primary = [tuple(p or ()) for p in out["primary_point"]]
    dominant = list(out["primary_upper"])
    ranges, p100, p200 = [], [], []
    for i, (aqi, q10, q50, q90, ed) in enumerate(zip(out["aqi"], out["aqi_q10"], out["aqi_q50"], out["aqi_q90"],
                                                    out["edition"])):
        if not np.isfinite(aqi):
            ranges.append({})
            p100.append(np.nan)
            p200.append(np.nan)
            continue
        if np.isfinite(q10) and np.isfinite(q90) and np.isfinite(q50):
            lo, hi = choose_range(float(q10), float(q50), float(q90), widths=widths)
            p100.append(exceedance(100, q10, q50, q90))
            p200.append(exceedance(200, q10, q50, q90))
        else:
            lo, hi = choose_range(float(aqi), float(aqi), float(aqi), widths=widths)  # a point: no spread known
            p100.append(np.nan)
            p200.append(np.nan)
        levels = tuple(range(level_of(lo), level_of(hi) + 1))
        span_zh, span_en = (level_span_text(levels[0], levels[-1], lang, edition=ed) for lang in ("zh", "en"))
        # the submission rules: no primary pollutant when the whole range is ≤ 50, one when it is above 50
        if hi <= 50:
            primary[i] = ()
        elif lo > 50 and not primary[i]:
            primary[i] = tuple(dominant[i] or ()) or ("pm25",)
        ranges.append({"range_lo": lo, "range_hi": hi, "range_text": f"{lo}-{hi}", "levels": levels,
                       "span_zh": span_zh, "span_en": span_en})
    out["p_over_100"], out["p_over_200"] = p100, p200
    out["primary"] = primary
    extra = pd.DataFrame(ranges, index=out.index, columns=_RANGE_COLUMNS)
    return out.join(extra)


#: District-days of one (model, lead day) a daily conformal shift needs (else the row keeps its quantiles).
DAILY_CONFORMAL_MIN_COUNT = 60
#: [d] The daily conformal step's window of verified target days.
DAILY_CONFORMAL_WINDOW_DAYS = 90


def calibrate_daily(table: pd.DataFrame, observed: pd.Series, *, coverage: float = 0.8,
                    window_days: int = DAILY_CONFORMAL_WINDOW_DAYS, min_count: int = DAILY_CONFORMAL_MIN_COUNT,
                    widths=DEFAULT_WIDTHS, ends: str = "both") -> pd.DataFrame:
    """The day's AQI distribution calibrated on past verified days (a daily conformal step).

    The hourly route's ``aqi_q10``/``aqi_q90`` are the daily AQI of every hour at its 10 or 90 % quantile:
    exact only if a day's hourly errors were perfectly correlated, and otherwise too wide (the demo world's
    D+1 interval covered 0.92 of the days). Per ``model`` and ``lead_day``, each row issued on day ``D`` is
    recalibrated on the rows of the same model and lead whose target day ended before ``D`` (``target_date
    < D``, so its observed daily AQI is known at the issue time) within ``window_days``, in ``log(AQI + 1)``
    as the hourly step (:func:`forecasting.correction.probabilistic.conformalize`, asymmetric): scores
    ``E_lo = log(q10 + 1) − log(O + 1)`` and ``E_hi = log(O + 1) − log(q90 + 1)``, each end shifted by its own
    ``⌈(n + 1)(1 − α/2)⌉/n`` empirical quantile (``α = 1 − coverage``; negative shifts narrow, never past the
    median). Then the probabilities, the range and the primary pollutant follow from the new distribution
    (:func:`finish_daily`). Rows with fewer than ``min_count`` scores keep their quantiles. ``ends="lower"``
    shifts the lower end only (the upper keeps its quantile): the demo world's validation PIT of the days
    showed the comonotone distribution too wide below (0.6 and 1.2 % of the days in the two lowest tenths)
    and about right above (11.7 % in the top tenth).

    ``table``: :func:`daily_forecasts` rows (``model issue_date target_date lead_day aqi aqi_q10 aqi_q50
    aqi_q90 edition primary_point primary_upper``); ``observed``: observed daily AQI indexed by ``district,
    date`` (dates as midnight timestamps).
    """
    out = table.copy()
    if out.empty:
        return out
    issue = pd.DatetimeIndex(pd.to_datetime(out["issue_date"])).as_unit("ns").to_numpy()
    target = pd.DatetimeIndex(pd.to_datetime(out["target_date"])).as_unit("ns").to_numpy()
    known = pd.Series(np.asarray(observed, dtype=float), index=pd.MultiIndex.from_arrays(
        [observed.index.get_level_values(0).astype(str),
         pd.DatetimeIndex(pd.to_datetime(observed.index.get_level_values(1))).as_unit("ns")]))
    known = known[~known.index.duplicated(keep="last")]
    obs = known.reindex(pd.MultiIndex.from_arrays([out["district"].astype(str).to_numpy(),
                                                   pd.DatetimeIndex(target)])).to_numpy(float)
    q10, q50, q90 = (out[c].to_numpy(float) for c in ("aqi_q10", "aqi_q50", "aqi_q90"))
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.log(np.maximum(obs, 0) + 1.0)
        lo, hi = np.log(np.maximum(q10, 0) + 1.0), np.log(np.maximum(q90, 0) + 1.0)
    e_lo, e_hi = lo - y, y - hi
    level = 1.0 - (1.0 - coverage) / 2
    window = np.timedelta64(window_days, "D")
    if ends not in ("both", "lower"):
        raise ValueError(f"ends must be 'both' or 'lower', got {ends!r}")
    new_lo, new_hi = q10.copy(), q90.copy()
    for _, idx in out.groupby(["model", "lead_day"]).indices.items():
        ok = idx[np.isfinite(e_lo[idx]) & np.isfinite(e_hi[idx])]
        for day in np.unique(issue[idx]):
            rows = idx[(issue[idx] == day) & np.isfinite(lo[idx]) & np.isfinite(hi[idx])]
            if not len(rows):
                continue
            cal = ok[(target[ok] < day) & (target[ok] >= day - window)]
            n = len(cal)
            if n < min_count:
                continue
            at = min(1.0, np.ceil((n + 1) * level - 1e-9) / n)
            s_lo, s_hi = np.quantile(e_lo[cal], at), np.quantile(e_hi[cal], at)
            new_lo[rows] = np.minimum(np.maximum(np.exp(lo[rows] - s_lo) - 1.0, 0.0), q50[rows])
            if ends == "both":
                new_hi[rows] = np.maximum(np.exp(hi[rows] + s_hi) - 1.0, q50[rows])
    out["aqi_q10"], out["aqi_q90"] = new_lo, new_hi
    out["aqi_lower"], out["aqi_upper"] = new_lo, new_hi
    return finish_daily(out, widths=widths)


def daily_forecast(corrected: pd.DataFrame, *, edition=None, rules=None, lead_days=range(1, 8)) -> pd.DataFrame:
    """Daily forecast per district and target day from one model's (or the ensemble's) corrected run.

    Parameters
    ----------
    corrected : DataFrame
        Rows of :func:`forecasting.correction.correct` for **one** model and **one** issue date, all
        six pollutants: ``valid_time district pollutant central lower upper lead_day issue_date``.
    edition : str, optional
        Force an AQI edition; default: by target date (HJ 633-2026 from 2026-03-01).
    rules : forecasting.aqi.RangeRules, optional
        Width rules of the published range.
    lead_days : iterable of int
        Lead days kept (D+1..D+7).

    Returns
    -------
    DataFrame
        One row per ``district, target_date``: ``lead_day edition aqi aqi_lower aqi_upper level
        primary range_lo range_hi range_text levels span_zh span_en``; AQI columns NaN (and no range)
        when the day lacks valid hours.
    """
    if corrected["model"].nunique() > 1 or corrected["issue_date"].nunique() > 1:
        raise ValidationError("daily_forecast takes one model and one issue date; filter the corrected rows first")
    if corrected.empty:
        return pd.DataFrame()
    out = daily_forecasts(corrected, edition=edition, rules=rules, lead_days=lead_days)
    return out.drop(columns=["model", "issue_date"]).reset_index(drop=True)


def daily_forecasts(corrected: pd.DataFrame, *, edition=None, rules=None, lead_days=range(1, 8)) -> pd.DataFrame:
    """:func:`daily_forecast` of every (model, issue date) of ``corrected`` in one pass of the AQI engine.

    Each group is computed exactly as :func:`published_daily` of its own rows would (the districts are
    keyed by district and group for the one pass, then split again); the engine's fixed cost is paid
    once instead of once per group. Returns ``model issue_date`` and ``daily_forecast``'s columns.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.date_range("2026-05-01 16:00", periods=48, freq="h", tz="UTC")  # 2 and 3 May, Beijing
    >>> rows = [pd.DataFrame({"valid_time": t, "district": "310118", "pollutant": p, "central": v,
    ...                       "model": m, "issue_date": pd.Timestamp("2026-05-01")})
    ...         for m, v0 in (("a", 35.0), ("b", 115.0)) for p, v in (("pm25", v0), ("pm10", 20.0), ("o3", 20.0),
    ...                                                           ("no2", 10.0), ("so2", 5.0), ("co", 0.3))]
    >>> out = daily_forecasts(pd.concat(rows, ignore_index=True))
    >>> out[["model", "lead_day", "aqi"]].values.tolist()  # PM2.5 35 and 115 µg/m³: IAQI 50 and 150
    [['a', 1, 50.0], ['a', 2, 50.0], ['b', 1, 150.0], ['b', 2, 150.0]]
    """
    if corrected.empty:
        return pd.DataFrame()
    issue = pd.to_datetime(corrected["issue_date"])
    # (model, issue date) groups numbered in order of first appearance, from one code per column (a
    # factorised MultiIndex builds a tuple per row: 0.7 s of a demo guidance pass)
    model_code, models = pd.factorize(corrected["model"].astype(str))
    issue_code, issues = pd.factorize(issue)
    n = len(issues)
    group, pair = pd.factorize(model_code.astype(np.int64) * n + issue_code)
    keys = [(models[p // n], issues[p % n]) for p in pair.tolist()]
    number = pd.Series(group, index=corrected.index).astype(str)
    tagged = corrected.assign(district=_tag(corrected["district"], number, _GROUP))
    # published_daily falls back from a quantile column to its stand-in when the column is empty; a run
    # without quantiles (no verified history yet) gets the same fallback here as when alone
    for name, stand_in in (("q10", "lower"), ("q50", "central"), ("q90", "upper")):
        if name in tagged.columns and stand_in in tagged.columns:
            has = tagged[name].notna().groupby(group).transform("any").to_numpy()
            tagged[name] = tagged[name].where(has, tagged[stand_in])
    daily = published_daily(tagged, edition=edition, rules=rules).reset_index()
    # the one pass spans every group's days: keep each group's own days (those with forecast hours)
    local = pd.DatetimeIndex(tagged["valid_time"]).tz_convert(BEIJING_ZONE).tz_localize(None).normalize()
    own = pd.MultiIndex.from_arrays([tagged["district"], local]).unique()
    daily = daily[pd.MultiIndex.from_arrays([daily["district"], pd.to_datetime(daily["date"])]).isin(own)]
    daily["district"], labels = _untag(daily["district"], _GROUP)
    number = np.array(labels, dtype=int)
    daily.insert(0, "model", [keys[n][0] for n in number])
    daily.insert(1, "issue_date", pd.DatetimeIndex([keys[n][1] for n in number]))
    daily = daily.rename(columns={"date": "target_date"})
    daily["target_date"] = pd.to_datetime(daily["target_date"])
    lead = ((daily["target_date"] - daily["issue_date"]) / pd.Timedelta(days=1)).round().astype(int)
    daily.insert(4, "lead_day", lead)
    daily = daily[daily["lead_day"].isin(set(lead_days))]
    cols = ["model", "issue_date", "district", "target_date", "lead_day", "edition", "aqi", "aqi_lower", "aqi_upper",
            "aqi_q10", "aqi_q50", "aqi_q90", "p_over_100", "p_over_200", "level", "primary", "range_lo", "range_hi",
            "range_text", "levels", "span_zh", "span_en", "primary_point", "primary_upper"]
    return daily.sort_values(["model", "issue_date", "district", "target_date"], kind="stable")[
        [c for c in cols if c in daily.columns]].reset_index(drop=True)
