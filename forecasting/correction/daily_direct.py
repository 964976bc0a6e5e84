"""Daily quantities modelled directly: daily means and O3 MDA8 corrected as days, not re-aggregated hours.

The daily AQI (HJ 633) is decided by daily quantities: the 24-h means of PM2.5, PM10, SO2, NO2 and
CO, the O3 MDA8 (and, under HJ 633-2012, the O3 daily 1-h maximum). Correcting hourly values and
re-aggregating them carries hourly errors (timing, diurnal shape) into the day; here each daily
quantity is corrected on its own:

1. **Daily aggregates** (:func:`daily_quantities`) of each model's raw hourly forecast per issue
   date, district and Beijing day, with the rules of :mod:`forecasting.aqi.timerules` (mean of
   ≥ 20 valid hours; MDA8 the maximum of the 8-h windows ending 08:00-24:00, each with ≥ 6 of 8
   hours, with ≥ 14 valid windows or above 160 µg/m³), and the same aggregates of the observations.
2. **A regression in log space per quantity and lead day** (:func:`fit_daily`): ``log(O + c)`` on
   ``log(F_m + c)`` of every model ``m`` (a multi-model MOS; a model missing on a row takes the mean
   of the others' logs), the log of the observed quantity of the last complete day before the issue
   (persistence, known at issue time) and a district indicator; ridge-penalised (closed form,
   intercept free). Trained only on target days that ended by the issue time.
3. **Quantiles** 10/50/90 % from the regression's out-of-fold residuals (five blocked folds in time
   order) with the finite-sample level ``⌈(n + 1)·τ⌉/n`` of split conformal prediction (Romano et
   al. 2019), per quantity and lead day (pooled over leads below ``min_rows``).
4. **The day's AQI distribution** (:func:`daily_aqi_distribution`): the sub-index of each daily
   quantity at its 10/50/90 % quantile (HJ 633 IAQI) and their maximum. This is the quantile of the
   daily AQI when the quantities' errors are comonotone (one weather situation moves them together);
   under weaker dependence it is a slightly conservative upper tail. The published range and
   P(AQI > 100), P(AQI > 200) follow from it as for the hourly guidance
   (:mod:`forecasting.correction.published`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.aqi import POLLUTANT_OF, aqi_arrays, edition_for, level_of, level_span_text
from forecasting.aqi.core import resolve_edition
from forecasting.aqi.tables import USED_INDICATORS
from forecasting.correction.published import DEFAULT_WIDTHS, choose_range, exceedance
from forecasting.vocab import BEIJING_ZONE

__all__ = ["DAILY_QUANTITIES", "DAILY_LOG_OFFSET", "daily_quantities", "daily_training_table", "fit_daily", "predict_daily",
           "direct_daily", "daily_aqi_distribution"]

#: The daily quantities modelled, with their pollutant.
DAILY_QUANTITIES = {"pm25_24h": "pm25", "pm10_24h": "pm10", "so2_24h": "so2", "no2_24h": "no2", "co_24h": "co",
                    "o3_8h": "o3", "o3_1h": "o3"}
_MIN_HOURS, _MIN_WINDOW_HOURS, _MIN_WINDOWS, _O3_LIMIT = 20, 6, 14, 160.0
#: Offset of the daily quantities' log scale per pollutant [µg/m³; CO mg/m³]: the hourly intervals' offsets as
#: they were when this model was validated (rounds 3-4); O3's hourly offset moved to 20 later (round 8,
#: :data:`forecasting.correction.probabilistic.LOG_OFFSET`), which was validated for the hourly step only.
DAILY_LOG_OFFSET = {"pm25": 1.0, "pm10": 1.0, "o3": 1.0, "no2": 1.0, "so2": 1.0, "co": 0.05}


def _day_hour(times) -> tuple[np.ndarray, np.ndarray]:
    """Beijing natural day (naive midnight) and hour label 1..24 of hour-ending UTC stamps."""
    local = pd.DatetimeIndex(times).tz_convert(BEIJING_ZONE) - pd.Timedelta(hours=1)
    return local.tz_localize(None).normalize().to_numpy(), (local.hour + 1).to_numpy()


def daily_quantities(frame: pd.DataFrame, value: str, keys: list[str]) -> pd.DataFrame:
    """Daily quantities of a tidy hourly table ``valid_time pollutant <value> <keys…>``.

    Returns a long table ``<keys…> date quantity value`` (``date`` the naive midnight of the Beijing
    day); a quantity without enough valid hours is left out.

    Examples
    --------
    >>> t = pd.date_range("2026-06-01 17:00", periods=24, freq="h", tz="UTC")  # 2 June, Beijing
    >>> f = pd.DataFrame({"valid_time": t, "pollutant": "o3", "v": [10.0] * 16 + [90.0] * 8, "d": "x"})
    >>> daily_quantities(f, "v", ["d"]).set_index("quantity")["value"].round(1).to_dict()
    {'o3_8h': 90.0, 'o3_1h': 90.0}
    """
    f = frame[keys + ["valid_time", "pollutant", value]]
    f = f[np.isfinite(f[value].to_numpy(dtype=float))]
    day, hour = _day_hour(f["valid_time"])
    f = f.assign(date=day, _h=hour)
    parts = []
    means = f[f["pollutant"] != "o3"].groupby(keys + ["pollutant", "date"], sort=False)[value].agg(["mean", "count"])
    means = means[means["count"] >= _MIN_HOURS].reset_index()
    if len(means):
        means["quantity"] = means["pollutant"] + "_24h"
        parts.append(means.rename(columns={"mean": "value"})[keys + ["date", "quantity", "value"]])
    o3 = f[f["pollutant"] == "o3"]
    if len(o3):
        g = o3.groupby(keys + ["date"], sort=False)
        idx = g.ngroup().to_numpy()
        n = int(idx.max()) + 1
        m = np.full((n, 24), np.nan)
        m[idx, o3["_h"].to_numpy() - 1] = o3[value].to_numpy(dtype=float)
        ok = np.isfinite(m)
        cs = np.concatenate([np.zeros((n, 1)), np.cumsum(np.where(ok, m, 0.0), axis=1)], axis=1)
        cn = np.concatenate([np.zeros((n, 1)), np.cumsum(ok, axis=1)], axis=1)
        ends = np.arange(8, 25)  # windows ending 08:00 … 24:00 (hours end-7 … end)
        wsum, wn = cs[:, ends] - cs[:, ends - 8], cn[:, ends] - cn[:, ends - 8]
        with np.errstate(invalid="ignore", divide="ignore"):
            wmean = np.where(wn >= _MIN_WINDOW_HOURS, wsum / np.maximum(wn, 1), np.nan)
        nwin = np.isfinite(wmean).sum(axis=1)
        mda8 = np.where(nwin > 0, np.nanmax(np.where(np.isfinite(wmean), wmean, -np.inf), axis=1), np.nan)
        mda8 = np.where((nwin >= _MIN_WINDOWS) | (mda8 > _O3_LIMIT), mda8, np.nan)
        hmax = np.where(ok.sum(axis=1) >= _MIN_HOURS, np.nanmax(np.where(ok, m, -np.inf), axis=1), np.nan)
        head = g.size().reset_index()[keys + ["date"]]
        for name, v in (("o3_8h", mda8), ("o3_1h", hmax)):
            part = head.assign(quantity=name, value=v)
            parts.append(part[np.isfinite(v)])
    if not parts:
        return pd.DataFrame(columns=keys + ["date", "quantity", "value"])
    return pd.concat(parts, ignore_index=True)


def _offset(quantity) -> np.ndarray:
    return pd.Series(np.asarray(quantity)).map(lambda q: DAILY_LOG_OFFSET.get(DAILY_QUANTITIES.get(q, ""), 1.0)).to_numpy(float)


def daily_training_table(pairs: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """One row per issue date, district, target day and quantity: the log daily quantity of each
    model's raw forecast (``x:<model>``), the log observed quantity of the day before the issue date
    (``persist``), the log observed quantity of the target day (``y``, NaN when not observed), the
    lead day, the issue time (latest cycle's) and the end of the target day [UTC]."""
    p = pairs.sort_values("cycle").drop_duplicates(["model", "issue_date", "valid_time", "district", "pollutant"],
                                                   keep="last")
    fc = daily_quantities(p, "forecast", ["model", "issue_date", "district"])
    issue = p.groupby("issue_date")["issue_time"].max()
    obs = daily_quantities(observations.rename(columns={"time": "valid_time"}), "value", ["district"])
    off = _offset(fc["quantity"])
    fc["lx"] = np.log(np.maximum(fc["value"].to_numpy(float), 0) + off)
    wide = fc.pivot_table(index=["issue_date", "district", "date", "quantity"], columns="model", values="lx",
                          aggfunc="first")
    wide.columns = [f"x:{m}" for m in wide.columns]
    wide = wide.reset_index()
    oo = obs.set_index(["district", "date", "quantity"])["value"]
    oo = np.log(np.maximum(oo, 0) + _offset(oo.index.get_level_values("quantity")))
    key = pd.MultiIndex.from_arrays([wide["district"], wide["date"], wide["quantity"]])
    wide["y"] = oo.reindex(key).to_numpy()
    prev = pd.to_datetime(wide["issue_date"]).dt.tz_localize(None).dt.normalize() - pd.Timedelta(days=1)
    wide["persist"] = oo.reindex(pd.MultiIndex.from_arrays([wide["district"], prev.to_numpy(), wide["quantity"]])).to_numpy()
    idate = pd.to_datetime(wide["issue_date"]).dt.tz_localize(None).dt.normalize()
    wide["lead_day"] = ((pd.to_datetime(wide["date"]) - idate) / pd.Timedelta(days=1)).round().astype(int)
    wide["issue_time"] = wide["issue_date"].map(issue).to_numpy()
    day_end = (pd.to_datetime(wide["date"]) + pd.Timedelta(days=1)).dt.tz_localize(BEIJING_ZONE).dt.tz_convert("UTC")
    wide["day_end"] = day_end.to_numpy()
    return wide


def _design(table: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Design matrix ``[1, log F_m …, persistence, district indicators]`` of every row (a model missing on
    a row takes the mean of the row's other models' logs; persistence NaN, filled per fit) and the
    persistence column's index."""
    models = sorted(c for c in table.columns if c.startswith("x:"))
    x = table[models].to_numpy(float) if models else np.zeros((len(table), 0))
    fin = np.isfinite(x)
    row_mean = np.where(fin.any(axis=1), np.where(fin, x, 0).sum(axis=1) / np.maximum(fin.sum(axis=1), 1), np.nan)
    x = np.where(fin, x, row_mean[:, None])
    districts = sorted(table["district"].unique())
    dist = np.column_stack([(table["district"].to_numpy() == d).astype(float) for d in districts[1:]]) \
        if len(districts) > 1 else np.zeros((len(table), 0))
    return np.column_stack([np.ones(len(table)), x, table["persist"].to_numpy(float), dist]), 1 + len(models)


def _ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    pen = np.full(X.shape[1], alpha)
    pen[0] = 0.0  # intercept free
    return np.linalg.solve(X.T @ X + np.diag(pen), X.T @ y)


def _conformal_levels(n: int, taus=(0.1, 0.5, 0.9)) -> list[float]:
    """Finite-sample quantile levels: ``⌈(n + 1)τ⌉/n`` above the median, ``⌊(n + 1)τ⌋/n`` below (clipped)."""
    out = []
    for t in taus:
        if t > 0.5:
            out.append(min(1.0, float(np.ceil((n + 1) * t - 1e-9)) / n))
        elif t < 0.5:
            out.append(max(0.0, float(np.floor((n + 1) * t + 1e-9)) / n))
        else:
            out.append(0.5)
    return out


def _fit_one(X: np.ndarray, y: np.ndarray, pc: int, alpha: float, folds: int) -> dict:
    """Ridge fit, persistence fill and the conformal residual quantiles of rows in time order."""
    pers = X[:, pc]
    fill = float(pers[np.isfinite(pers)].mean()) if np.isfinite(pers).any() else float(y.mean())
    X = X.copy()
    X[~np.isfinite(pers), pc] = fill
    beta = _ridge(X, y, alpha)
    res = np.full(len(y), np.nan)
    k = min(folds, len(y) // 5)
    if k >= 2:  # out-of-fold residuals, folds blocked in time order
        for part in np.array_split(np.arange(len(y)), k):
            train = np.ones(len(y), dtype=bool)
            train[part] = False
            res[part] = y[part] - X[part] @ _ridge(X[train], y[train], alpha)
    if np.isfinite(res).sum() < 10:
        res = y - X @ beta
    res = res[np.isfinite(res)]
    return {"beta": beta, "fill": fill, "z": np.quantile(res, _conformal_levels(len(res))), "n": len(y)}


def fit_daily(table: pd.DataFrame, *, alpha: float = 1.0, min_rows: int = 30, folds: int = 5,
              design=None) -> dict:
    """Fit the direct daily model on the verified rows of ``table`` (:func:`daily_training_table`; the
    caller passes only rows whose target day ended by the issue time). Returns ``{(quantity, lead_day):
    state}`` and pooled ``(quantity, None)`` states (used for lead days with fewer than ``min_rows``)."""
    X, pc = design if design is not None else _design(table)
    y = table["y"].to_numpy(float)
    ok = np.isfinite(y) & np.isfinite(X[:, 1:pc]).all(axis=1)
    order = np.argsort(pd.to_datetime(table["date"]).to_numpy(), kind="stable")
    order = order[ok[order]]
    quantity, lead = table["quantity"].to_numpy()[order], table["lead_day"].to_numpy()[order]
    out = {"_pc": pc}
    for q in np.unique(quantity):
        mq = quantity == q
        keys = [((q, None), mq, 10)] + [((q, int(ld)), mq & (lead == ld), min_rows) for ld in np.unique(lead[mq])]
        for key, m, need in keys:
            if m.sum() >= need:
                rows = order[m]
                out[key] = _fit_one(X[rows], y[rows], pc, alpha, folds)
    return out


def predict_daily(state: dict, table: pd.DataFrame, *, design=None) -> np.ndarray:
    """``(n, 3)`` quantiles 10/50/90 % [concentration] of rows of :func:`daily_training_table`."""
    X, pc = design if design is not None else _design(table)
    got = np.full((len(table), 3), np.nan)
    quantity, lead = table["quantity"].to_numpy(), table["lead_day"].to_numpy()
    off = _offset(quantity)
    for q in np.unique(quantity):
        for ld in np.unique(lead[quantity == q]):
            s = state.get((q, int(ld))) or state.get((q, None))
            if s is None:
                continue
            idx = np.flatnonzero((quantity == q) & (lead == ld))
            Xi = X[idx].copy()
            Xi[~np.isfinite(Xi[:, pc]), pc] = s["fill"]
            mu = Xi @ s["beta"]
            got[idx] = np.sort(np.maximum(np.exp(mu[:, None] + s["z"][None, :]) - off[idx, None], 0.0), axis=1)
    return got


def direct_daily(pairs: pd.DataFrame, observations: pd.DataFrame, *, issue_dates=None, cutoff=None,
                 refit_days: int = 1, train_days: int = 730, lead_days=None, min_train_days: int = 14,
                 **fit_params) -> pd.DataFrame:
    """Direct daily quantiles for every issue date of ``pairs`` (or those in ``issue_dates``).

    Each issue date ``I`` is served by a fit on the rows whose target day ended by ``cutoff(I)``
    (default: the issue time of the issue date's latest cycle) and at most ``train_days`` before it;
    with ``refit_days > 1`` one fit serves the issue dates ``I … I + refit_days − 1`` (fitted at the
    first one's cut-off, so never later than any of them). Issue dates with fewer than
    ``min_train_days`` days of verified history get no rows.

    Returns ``issue_date district date lead_day quantity q10 q50 q90 observed`` (concentrations) and
    ``trained_until``, the cut-off of the fit that served the row [UTC].
    """
    table = daily_training_table(pairs, observations)
    if lead_days is not None:
        table = table[table["lead_day"].isin(list(lead_days))].reset_index(drop=True)
    design = _design(table)
    X, pc = design
    issue = pd.to_datetime(table["issue_date"]).to_numpy()
    dates = np.unique(issue)
    if issue_dates is not None:
        want = pd.to_datetime(pd.Index([pd.Timestamp(d) for d in issue_dates])).to_numpy()
        dates = dates[np.isin(dates, want)]
    day_end = pd.DatetimeIndex(table["day_end"])  # tz-naive when the table is empty (no verified day yet)
    day_end = (day_end.tz_localize("UTC") if day_end.tz is None else day_end.tz_convert("UTC")).as_unit("ns").asi8
    issue_time = table.groupby("issue_date")["issue_time"].max()
    got = np.full((len(table), 3), np.nan)
    served = np.zeros(len(table), dtype=bool)
    state, fitted_at, fit_cut = None, None, None
    until = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[ns]")
    span = pd.Timedelta(days=train_days).value
    for d in dates:
        d = pd.Timestamp(d)
        rows = np.flatnonzero(issue == d.to_datetime64())
        cut = pd.Timestamp(cutoff(d.date())) if cutoff is not None else pd.Timestamp(issue_time.loc[table["issue_date"].iloc[rows[0]]])
        if state is None or (d - fitted_at) >= pd.Timedelta(days=refit_days):
            c = cut.tz_convert("UTC").as_unit("ns").value if cut.tzinfo else cut.tz_localize("UTC").as_unit("ns").value
            hist = np.flatnonzero((day_end <= c) & (day_end > c - span))
            if pd.Series(table["date"].to_numpy()[hist]).nunique() < min_train_days:
                state = None
                continue
            sub = table.iloc[hist]
            state, fitted_at, fit_cut = fit_daily(sub, design=(X[hist], pc), **fit_params), d, c
        got[rows] = predict_daily(state, table.iloc[rows], design=(X[rows], pc))
        until[rows] = np.datetime64(fit_cut, "ns")
        served[rows] = True
    out = table.loc[served, ["issue_date", "district", "date", "lead_day", "quantity"]].copy()
    out["q10"], out["q50"], out["q90"] = got[served, 0], got[served, 1], got[served, 2]
    out["observed"] = np.exp(table["y"].to_numpy(float)[served]) - _offset(out["quantity"])
    out["trained_until"] = pd.DatetimeIndex(until[served]).tz_localize("UTC")
    return out.reset_index(drop=True)


def daily_aqi_distribution(quantiles: pd.DataFrame, *, edition=None, widths=None) -> pd.DataFrame:
    """The day's AQI distribution and published range from direct daily quantiles.

    ``quantiles``: ``issue_date district date quantity q10 q50 q90`` (:func:`direct_daily`). The AQI
    quantile ``k`` is the HJ 633 daily AQI of every quantity at its quantile ``k`` (the maximum of
    the sub-indices); the centre is the median's AQI. Returns one row per issue date, district and
    day: ``edition aqi aqi_q10 aqi_q50 aqi_q90 p_over_100 p_over_200 level primary range_lo range_hi
    range_text levels span_zh span_en`` (days without every quantity of the edition are left out).

    Examples
    --------
    HJ 633-2012 day (2016): PM2.5 75 → IAQI 100, O3 MDA8 180 → 119, O3 1-h 250 → 125 (the maximum);
    medians PM10 60 → 55 (the maximum), PM2.5 35 → 50; lows PM10 40 → 40:

    >>> q = pd.DataFrame({"issue_date": pd.Timestamp("2016-06-01"), "district": "x",
    ...                   "date": pd.Timestamp("2016-06-02"), "quantity": ["pm25_24h", "pm10_24h", "so2_24h",
    ...                   "no2_24h", "co_24h", "o3_8h", "o3_1h"], "q10": [20, 40, 5, 20, 0.5, 60, 100],
    ...                   "q50": [35, 60, 8, 30, 0.7, 100, 150], "q90": [75, 90, 10, 40, 0.9, 180, 250]})
    >>> d = daily_aqi_distribution(q)
    >>> d[["aqi_q10", "aqi_q50", "aqi_q90"]].iloc[0].tolist()
    [40.0, 55.0, 125.0]
    """
    widths = tuple(widths or DEFAULT_WIDTHS)
    keys = ["issue_date", "district", "date"]
    cols = ["edition", "aqi", "aqi_q10", "aqi_q50", "aqi_q90", "aqi_lower", "aqi_upper", "p_over_100", "p_over_200",
            "level", "primary", "range_lo", "range_hi", "range_text", "levels", "span_zh", "span_en"]
    if quantiles.empty:
        return pd.DataFrame(columns=keys + cols)
    wide = quantiles.pivot_table(index=keys, columns="quantity", values=["q10", "q50", "q90"], aggfunc="first")
    days = pd.to_datetime(wide.index.get_level_values("date"))
    eds = np.array([resolve_edition(edition) if edition else edition_for(d.date()) for d in days])
    rows = []
    for ed in np.unique(eds):
        need = USED_INDICATORS[(ed, "daily")]
        sel = np.flatnonzero(eds == ed)
        part = wide.iloc[sel]
        vals = {}
        for name in ("q10", "q50", "q90"):
            vals[name] = {n: (part[(name, n)].to_numpy(float) if (name, n) in part.columns else np.full(len(part), np.nan))
                          for n in need}
        complete = np.all([np.isfinite(vals[name][n]) for name in vals for n in need], axis=0)
        a = {name: aqi_arrays(vals[name], edition=ed, kind="daily") for name in vals}
        for i in np.flatnonzero(complete):
            k = part.index[i]
            q10, q50, q90 = (float(a[n].aqi_computed[i]) for n in ("q10", "q50", "q90"))
            q10, q90 = min(q10, q50), max(q90, q50)
            lo, hi = choose_range(q10, q50, q90, widths=widths)
            levels = tuple(range(level_of(lo), level_of(hi) + 1))
            prim = tuple(dict.fromkeys(POLLUTANT_OF[n] for n in need if a["q50"].primary[n][i]))
            if hi <= 50:
                prim = ()
            elif lo > 50 and not prim:
                prim = (POLLUTANT_OF[max(need, key=lambda n: int(a["q90"].iaqi[n][i]))],)
            rows.append({"issue_date": k[0], "district": k[1], "date": pd.Timestamp(k[2]).date(), "edition": ed,
                         "aqi": q50, "aqi_q10": q10, "aqi_q50": q50, "aqi_q90": q90, "aqi_lower": q10,
                         "aqi_upper": q90, "p_over_100": exceedance(100, q10, q50, q90),
                         "p_over_200": exceedance(200, q10, q50, q90), "level": int(level_of(q50)), "primary": prim,
                         "range_lo": lo, "range_hi": hi, "range_text": f"{lo}-{hi}", "levels": levels,
                         "span_zh": level_span_text(levels[0], levels[-1], "zh", edition=ed),
                         "span_en": level_span_text(levels[0], levels[-1], "en", edition=ed)})
    return pd.DataFrame(rows, columns=keys + cols)
