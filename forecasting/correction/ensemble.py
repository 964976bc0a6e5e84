"""Multi-model combinations of corrected forecasts: ``ensemble``, ``ensemble_median``, ``ensemble_log``
and ``ensemble_mix``.

For each issue date, valid time, district and pollutant, each model contributes its latest cycle
issued that day, already corrected by a base method (Kalman filter by default: Delle Monache et
al. 2006 showed that the mean of individually KF-corrected members beats each member).

- ``ensemble_median``: the median of the members.
- ``ensemble`` (skill-weighted mean): weights ``w_m ∝ 1/MSE_m``, the mean squared error of member
  ``m`` over the last ``window_days`` of verified rows before each refit origin, per district and
  pollutant (equal weights until a member has history). Inverse-MSE weighting is the optimal
  linear combination of unbiased forecasts with independent errors (Bates and Granger 1969,
  doi:10.1057/jors.1969.103).
- ``ensemble_log`` and ``ensemble_mix``: the skill-weighted mean over the ``kalman_log`` corrections, and
  over every (model, base) pair of the ``kalman_log`` and ``mos_ridge`` corrections (:func:`pool_bases`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.correction.engine import DEFAULTS, ENSEMBLE_BASES, add_intervals, origin_block, origins, times_ns
from forecasting.correction.pairing import beijing_day
from forecasting.correction.probabilistic import conformalize

__all__ = ["combine", "combine_method", "newest_runs", "pool_bases"]


def newest_runs(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows of :func:`~forecasting.correction.correct`) with each model's newest run per issue
    date, valid hour, district and pollutant: a model run twice a day (00 and 12 UTC) has two runs on an
    issue date, the 12 UTC run of the day before (in hand at 02:00 Beijing) and the issue date's 00 UTC
    run (14:00); the forecaster at 15:00 uses the newer.

    Examples
    --------
    >>> t = pd.Timestamp("2026-11-20 12:00", tz="UTC")
    >>> rows = pd.DataFrame({"model": "A", "cycle": [t - pd.Timedelta(hours=12), t - pd.Timedelta(hours=24)],
    ...     "issue_date": pd.Timestamp("2026-11-20"), "valid_time": t, "district": "310118",
    ...     "pollutant": "pm25", "central": [30.0, 50.0]})
    >>> newest_runs(rows)[["cycle", "central"]].values.tolist()
    [[Timestamp('2026-11-20 00:00:00+0000', tz='UTC'), 30.0]]
    """
    keys = ["issue_date", "valid_time", "district", "pollutant", "model"]
    return frame.sort_values("cycle").drop_duplicates(subset=keys, keep="last").reset_index(drop=True)


def pool_bases(corrected: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The members of a multi-method ensemble: every (model, base method) pair of ``corrected``
    (``{base method: correct(...)}``) as one member named ``model·method``, for :func:`combine`.

    :func:`combine` then weights each member by its own recent error, so a model corrected by two methods
    counts twice only where both corrections verify well. The raw ``forecast`` column stays the model's,
    so the combined ``forecast`` is still the mean of the raw models.

    Examples
    --------
    >>> a = pd.DataFrame({"model": ["cmaq", "cams"], "central": [10.0, 12.0]})
    >>> pool_bases({"kalman_log": a, "mos_ridge": a.assign(central=[11.0, 13.0])})["model"].tolist()
    ['cmaq·kalman_log', 'cams·kalman_log', 'cmaq·mos_ridge', 'cams·mos_ridge']
    """
    if len(corrected) < 2:
        raise ValueError(f"a multi-method ensemble needs at least two base methods, got {list(corrected)}")
    return pd.concat([c.assign(model=c["model"].astype(str) + "·" + base) for base, c in corrected.items()],
                     ignore_index=True)


def combine_method(method: str, corrected: dict[str, pd.DataFrame], *, start=None, **params) -> pd.DataFrame:
    """The ensemble ``method`` (one of :data:`~forecasting.correction.engine.ENSEMBLE_BASES`) from its base
    methods' corrections ``{base: correct(...)}``: one base's models are the members, several bases'
    (model, base) pairs are (:func:`pool_bases`); ``params`` as for
    :func:`~forecasting.correction.engine.correct`. The rows are labelled ``method``.

    Examples
    --------
    Two models, one base: the members' mean until they have a verified history.

    >>> t = pd.Timestamp("2026-11-20 04:00", tz="UTC")
    >>> rows = pd.DataFrame({"model": ["A", "B"], "cycle": t, "issue_time": t,
    ...     "issue_date": pd.Timestamp("2026-11-20"), "valid_time": t + pd.Timedelta(hours=20),
    ...     "lead_hours": 20, "lead_day": 1, "hour": 8, "district": "310118", "pollutant": "pm25",
    ...     "forecast": [30.0, 50.0], "observed": np.nan, "central": [32.0, 44.0], "fallback": False})
    >>> out = combine_method("ensemble_log", {"kalman_log": rows})
    >>> out[["model", "method", "central", "n_members"]].values.tolist()
    [['ensemble', 'ensemble_log', 38.0, 2]]
    """
    if method not in ENSEMBLE_BASES:
        raise ValueError(f"{method!r} is not an ensemble method; choose one of {', '.join(ENSEMBLE_BASES)}")
    p = {**DEFAULTS, **params}
    members = next(iter(corrected.values())) if len(corrected) == 1 else pool_bases(corrected)
    return combine(members, kind="median" if method == "ensemble_median" else "weighted",
                   refit_days=p["refit_days"], min_train_days=p["min_train_days"], coverage=p["coverage"],
                   window_days=p["interval_window_days"], start=start).assign(method=method)


def combine(corrected: pd.DataFrame, *, kind: str = "weighted", refit_days: int = 30, min_train_days: int = 14,
            coverage: float = 0.8, window_days: int = DEFAULTS["interval_window_days"], start=None,
            conformal: bool = True, conformal_refit_days: int = DEFAULTS["conformal_refit_days"],
            conformal_adapt: float = DEFAULTS["conformal_adapt"],
            conformal_asymmetric: bool = DEFAULTS["conformal_asymmetric"],
            conformal_aci_step: str = DEFAULTS["conformal_aci_step"]) -> pd.DataFrame:
    """Combine the models of ``corrected`` (output of :func:`correct`) into model ``"ensemble"``.

    ``window_days`` (the members' weights and the ensemble's intervals) is the single-model methods'
    interval window, 90 days (it was 60; chosen on the Dongsi validation year by
    ``python -m bench.interval_validation``, docs/correction.md §7). The ensemble's conformal step has
    its own origins, every ``conformal_refit_days`` (daily), and ACI rate ``conformal_adapt``
    (:func:`forecasting.correction.probabilistic.conformalize`), chosen there too (part 3), each end of the
    interval calibrated on its own (``conformal_asymmetric``, part 4), ACI stepped per hour
    (``conformal_aci_step``, part 5)."""
    group = ["issue_date", "valid_time", "district", "pollutant"]
    c = newest_runs(corrected)
    grid = origins(c, refit_days=refit_days, min_train_days=min_train_days, start=start)
    w = np.ones(len(c))
    if kind == "weighted" and len(grid):
        err2 = ((c["central"] - c["observed"]) ** 2).to_numpy(dtype=float)
        vt = times_ns(c["valid_time"])
        block = origin_block(c["issue_time"], grid)
        win = pd.Timedelta(days=window_days).value
        # one integer per (model, district, pollutant), numbered once (grouping the strings again at every
        # origin cost more than the means)
        key = c.groupby(["model", "district", "pollutant"], sort=False).ngroup().to_numpy()  # −1: a key missing
        for j, t in enumerate(times_ns(grid)):
            rows = np.flatnonzero(block == j)
            if not len(rows):
                continue
            pool = (vt > t - win) & (vt <= t) & np.isfinite(err2) & (key >= 0)
            if not pool.any():
                continue
            mse = pd.Series(err2[pool]).groupby(key[pool]).mean()
            m = mse.reindex(key[rows]).to_numpy(dtype=float)
            w[rows] = np.where(np.isfinite(m) & (m > 0), 1.0 / np.maximum(m, 1e-12), np.nan)
        # Members without history get the mean weight of the others in their group.
        wg = pd.Series(w).groupby([c[g] for g in group]).transform("mean").to_numpy()
        w = np.where(np.isfinite(w), w, np.where(np.isfinite(wg), wg, 1.0))
    c["_w"] = w
    c["_wc"] = w * c["central"]
    c["_wf"] = c["forecast"]
    g = c.groupby(group, sort=False)
    agg = g.agg(central_median=("central", "median"), wc=("_wc", "sum"), w=("_w", "sum"),
                forecast=("_wf", "mean"), observed=("observed", "first"), cycle=("cycle", "max"),
                issue_time=("issue_time", "max"), hour=("hour", "first"), n_members=("model", "size"),
                fallback=("fallback", "any")).reset_index()
    agg["central"] = agg["central_median"] if kind == "median" else agg["wc"] / agg["w"]
    agg["model"] = "ensemble"
    agg["method"] = "ensemble_median" if kind == "median" else "ensemble"
    agg["lead_hours"] = ((agg["valid_time"] - agg["cycle"]) / pd.Timedelta(hours=1)).round().astype(int)
    agg["lead_day"] = ((beijing_day(agg["valid_time"]) - agg["issue_date"]) / pd.Timedelta(days=1)).round().astype(int)
    cols = ["model", "cycle", "issue_time", "issue_date", "valid_time", "lead_hours", "lead_day", "hour",
            "district", "pollutant", "forecast", "observed", "method", "central", "fallback", "n_members"]
    out = agg[cols].sort_values(["valid_time", "district", "pollutant"]).reset_index(drop=True)
    out = add_intervals(out, grid=grid, coverage=coverage, window_days=window_days)
    if not conformal:
        return out
    cgrid = origins(c, refit_days=conformal_refit_days, min_train_days=min_train_days, start=start)
    return conformalize(out, grid=cgrid, window_days=window_days, coverage=coverage, adapt=conformal_adapt,
                        asymmetric=conformal_asymmetric, aci_step=conformal_aci_step)
