"""Analog ensemble (AnEn): Delle Monache et al. (2013, doi:10.1175/MWR-D-12-00281.1), applied to air
quality by Delle Monache et al. (2020, doi:10.1175/MWR-D-19-0155.1) and Djalalova et al. (2015).

For a forecast of model *m*, district *d*, pollutant *p* and lead hour *l*, the analogs are the
``k`` past forecasts of the same model, district, pollutant and lead hour (the "forecast hour",
eq. 1 of the 2013 paper, with a time window of ±``window_hours`` leads, here ±1 h) that were verified
by the refit origin and are closest in the predictor space; the observations that verified them are
the ensemble members. Distance (eq. 1, equal weights): the root of the sum over predictors of the
squared difference divided by the predictor's standard deviation in the training set, summed over
the window's three leads. Predictors: ``log(1 + forecast)`` and, when the run carries them, the wind
components ``u``/``v`` and ``t2``, ``rh``. The central value is the mean of the members; the 10/50/90 %
quantiles are the members' empirical quantiles (what the ensemble says, no residual calibration).

Fitted at rolling origins like the regressions (:func:`forecasting.correction.engine.correct`): an
origin ``T`` uses only pairs with valid time ≤ ``T`` and serves forecasts issued in its block.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["analog_ensemble", "DEFAULT_ANALOGS"]

DEFAULT_ANALOGS = 20


def _predictors(pairs: pd.DataFrame) -> np.ndarray:
    cols = [np.log1p(np.maximum(pairs["forecast"].to_numpy(dtype=float), 0.0))]
    if {"ws", "wd"} <= set(pairs.columns) and pairs["ws"].notna().any() and pairs["wd"].notna().any():
        from forecasting.districts import wind_components

        u, v = wind_components(pairs["ws"].to_numpy(dtype=float), pairs["wd"].to_numpy(dtype=float))
        cols += [u, v]
    for name in ("t2", "rh"):
        if name in pairs.columns and pairs[name].notna().any():
            cols.append(pairs[name].to_numpy(dtype=float))
    return np.column_stack(cols)


def analog_ensemble(pairs: pd.DataFrame, *, grid: pd.DatetimeIndex, block: np.ndarray, k: int = DEFAULT_ANALOGS,
                    train_window_days: int = 730, window_hours: int = 1) -> np.ndarray:
    """``(n, 4)`` array ``central q10 q50 q90`` per pair row (NaN where no analog is known yet).

    Parameters
    ----------
    pairs : DataFrame
        From :func:`forecasting.correction.pair_forecasts`.
    grid, block
        Refit origins and the origin block of each row (see :func:`forecasting.correction.engine.origins`).
    k : int
        Analogs per forecast [1].
    """
    out = np.full((len(pairs), 4), np.nan)
    X = _predictors(pairs)
    obs = pairs["observed"].to_numpy(dtype=float)
    vt = pd.DatetimeIndex(pairs["valid_time"]).tz_convert("UTC").as_unit("ns").asi8
    groups = pairs.reset_index(drop=True).groupby(["model", "district", "pollutant"], sort=False).indices
    lead = pairs["lead_hours"].to_numpy(dtype=int)
    cycle = pd.DatetimeIndex(pairs["cycle"]).tz_convert("UTC").as_unit("ns").asi8
    win_ns = pd.Timedelta(days=train_window_days).value
    grid_ns = pd.DatetimeIndex(grid).as_unit("ns").asi8
    for rows_all in groups.values():
        # a table (cycle × lead) per group so that the ±window leads of the same run line up
        cyc_codes, cyc_values = pd.factorize(cycle[rows_all], sort=True)
        leads = np.arange(lead[rows_all].min() - window_hours, lead[rows_all].max() + window_hours + 1)
        li = lead[rows_all] - leads[0]
        nf = X.shape[1]
        T = np.full((len(cyc_values), len(leads), nf), np.nan)
        T[cyc_codes, li] = X[rows_all]
        for j, t in enumerate(grid_ns):
            query = rows_all[block[rows_all] == j]
            if not len(query):
                continue
            train = rows_all[(vt[rows_all] <= t) & (vt[rows_all] > t - win_ns) & np.isfinite(obs[rows_all])]
            if len(train) < 5:
                continue
            sd = np.nanstd(X[train], axis=0)
            sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
            tpos = {int(r): i for i, r in enumerate(rows_all)}
            for l in np.unique(lead[query]):
                q = query[lead[query] == l]
                tr = train[lead[train] == l]
                if not len(tr):
                    continue
                qi = np.array([tpos[int(r)] for r in q])
                ti = np.array([tpos[int(r)] for r in tr])
                lw = slice(l - window_hours - leads[0], l + window_hours - leads[0] + 1)
                A = T[cyc_codes[qi], lw] / sd      # queries × window × predictors
                B = T[cyc_codes[ti], lw] / sd      # analogs × window × predictors
                diff = A[:, None] - B[None, :]
                d2 = np.nansum(diff * diff, axis=(2, 3))
                seen = np.isfinite(diff).any(axis=(2, 3))
                d2 = np.where(seen, d2, np.inf)
                kk = min(k, len(tr))
                nearest = np.argpartition(d2, kk - 1, axis=1)[:, :kk]
                members = obs[tr][nearest]
                out[q, 0] = members.mean(axis=1)
                out[q, 1:] = np.quantile(members, [0.1, 0.5, 0.9], axis=1).T
    return out
