"""Apply a correction method to paired forecasts, strictly in time order (rolling origin).

Every method returns, for each pair row, a central value and an interval ``[lower, upper]`` using
only observations known at the row's issue time:

- ``raw``: the model value; ``persistence``: yesterday's observation at the same hour known at
  issue time (:func:`forecasting.correction.features.persistence_times`);
- ``rolling_bias`` / ``kalman_filter``: the model value minus the bias estimated from earlier runs
  (:mod:`forecasting.correction.bias`); ``kalman_log``: the same Kalman filter on the log-ratio errors
  ``log(F + c) − log(O + c)`` (a multiplicative bias; ``c`` the pollutant's
  :data:`~forecasting.correction.probabilistic.LOG_OFFSET`), the model value divided by the estimated ratio;
- ``mos_ridge`` / ``gradient_boosting``: regressions refitted every ``refit_days`` on the pairs
  verified before the refit origin (rolling origin, expanding window up to ``train_window_days``),
  applied to forecasts issued in the following block;
- ``analog_ensemble``: the mean of the observations that verified the ``analogs`` most similar past
  forecasts (Delle Monache et al. 2013; :mod:`forecasting.correction.analog`), the members' quantiles
  as its distribution;
- ``ensemble`` (inverse-MSE weighted mean) / ``ensemble_median``: combinations over the models of
  their ``base_method`` corrections (:mod:`forecasting.correction.ensemble`).

Distributions: 10/50/90 % quantiles ``q10 q50 q90`` learned in log space per pollutant, lead day and
forecast-level bin from the residuals of the last ``interval_window_days`` of verified rows at each
origin (:mod:`forecasting.correction.probabilistic`); ``lower``/``upper`` are ``q10``/``q90`` (the
80 % interval). Concentrations are clipped at zero. Rows a method cannot yet correct (no verified history) fall
back to the raw value and are marked ``fallback``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.correction import bias as _bias
from forecasting.correction.analog import analog_ensemble
from forecasting.correction.features import ObservationIndex, persistence_times, regression_features
from forecasting.correction.pairing import check_observations
from forecasting.correction.probabilistic import add_quantiles, conformalize, log_offsets
from forecasting.correction.regression import fit_regression, predict_regression
from forecasting.errors import ValidationError

__all__ = ["METHODS", "ENSEMBLE_BASES", "ensemble_bases", "DEFAULTS", "validate_method", "correct", "origins",
           "origin_block", "times_ns", "add_intervals"]

METHODS = ("raw", "persistence", "rolling_bias", "kalman_filter", "kalman_log", "mos_ridge", "gradient_boosting",
           "analog_ensemble", "ensemble", "ensemble_median", "ensemble_log", "ensemble_mix")
#: The single-model methods an ensemble combines (``None``: the ``base_method`` parameter, ``kalman_filter``
#: unless given). ``ensemble_log`` is the weighted ensemble over ``kalman_log`` corrections;
#: ``ensemble_mix`` weighs every (model, base) pair of ``kalman_log`` and ``mos_ridge`` as one member
#: (:func:`forecasting.correction.ensemble.pool_bases`; round 11 of docs/correction.md §8), so that the
#: weekly trainings can choose them as they choose the others.
ENSEMBLE_BASES = {"ensemble": None, "ensemble_median": None, "ensemble_log": ("kalman_log",),
                  "ensemble_mix": ("kalman_log", "mos_ridge")}
DEFAULTS = {
    "refit_days": 30,           # [d] rolling-origin step for regressions, intervals and ensemble weights
    "min_train_days": 14,       # [d] verified history before the first origin
    "train_window_days": 730,   # [d] regressions train on at most this much history
    "interval_window_days": 90, # [d] residual pool for the quantiles (log space, per lead and level bin)
    "coverage": 0.8,            # central probability of the interval
    "kalman_ratio": _bias.DEFAULT_KALMAN_RATIO,
    "kalman_p0": _bias.DEFAULT_KALMAN_P0,
    "window_days": _bias.DEFAULT_ROLLING_DAYS,
    "base_method": "kalman_filter",
    "conformal": True,          # CQR of the quantiles on the out-of-sample scores of the last window
    # [d] the CQR step's origins: refreshed daily with the scores verified by then (was refit_days)
    "conformal_refit_days": 1,
    # ACI rate of the CQR step per (pollutant, lead day, bin); both chosen on the Dongsi validation
    # year only (python -m bench.interval_validation 3, docs/correction.md §7)
    "conformal_adapt": 0.1,
    # each end of the interval calibrated on its own misses (one shift per end at 1 − α/2): chosen on the
    # Dongsi validation year by a rule fixed before the run (python -m bench.interval_validation 4)
    "conformal_asymmetric": True,
    # how one origin moves ACI's α: by the key's missed hours over its mean hours per origin, so that the
    # guarantee holds for hours (python -m bench.interval_validation 5, rule fixed before the run)
    "conformal_aci_step": "rows",
}


def ensemble_bases(method: str, params: dict | None = None) -> tuple[str, ...]:
    """The single-model methods the ensemble ``method`` combines, in order (the first is the one whose
    per-model corrections the guidance shows).

    Examples
    --------
    >>> ensemble_bases("ensemble"), ensemble_bases("ensemble_log"), ensemble_bases("ensemble_mix")
    (('kalman_filter',), ('kalman_log',), ('kalman_log', 'mos_ridge'))
    >>> ensemble_bases("ensemble", {"base_method": "mos_ridge"})
    ('mos_ridge',)
    >>> ensemble_bases("ensemble", {"base_method": "ensemble_log"})
    Traceback (most recent call last):
    ...
    forecasting.errors.ValidationError: base_method of an ensemble must be a single-model method, got 'ensemble_log'
    """
    bases = ENSEMBLE_BASES[method] or (validate_method({**DEFAULTS, **(params or {})}["base_method"]),)
    for b in bases:
        if b in ENSEMBLE_BASES:
            raise ValidationError(f"base_method of an ensemble must be a single-model method, got {b!r}")
    return bases


def validate_method(method: str) -> str:
    """``method`` if known, else :class:`ValidationError` listing the choices."""
    if method not in METHODS:
        raise ValidationError(
            f"unknown correction method {method!r}; choose one of {', '.join(METHODS)}",
            key="correction.unknown_method", method=str(method), choices=", ".join(METHODS),
        )
    return method


def kalman_log_central(pairs: pd.DataFrame, *, ratio: float = _bias.DEFAULT_KALMAN_RATIO,
                       p0: float = _bias.DEFAULT_KALMAN_P0) -> np.ndarray:
    """``kalman_log``: the Kalman filter of :mod:`forecasting.correction.bias` (same keys, gains and time
    discipline) on the log-ratio errors ``y = log(F + c) − log(O + c)``, so that a bias proportional to
    the level (a model 40 % high at 20 and at 200 µg/m³) is one number; the corrected value is
    ``(F + c)·exp(−x) − c``. ``c`` is the pollutant's :data:`~forecasting.correction.probabilistic.LOG_OFFSET` (O3's 20 µg/m³ keeps night hours
    near zero from dominating). NaN where no error was verified yet (the caller falls back to the raw value).

    Examples
    --------
    A model always 1.5 times the truth plus the offset's share: after the first verified day the
    ratio is known exactly and the truth comes back.

    >>> cycle = pd.date_range("2026-11-01 12:00", periods=4, freq="D", tz="UTC")
    >>> obs = np.array([40.0, 80.0, 20.0, 60.0])
    >>> pairs = pd.DataFrame({"model": "A", "district": "310118", "pollutant": "pm25", "cycle": cycle,
    ...     "issue_time": cycle, "valid_time": cycle + pd.Timedelta(hours=12), "lead_hours": 12,
    ...     "forecast": 1.5 * (obs + 1.0) - 1.0, "observed": obs})
    >>> kalman_log_central(pairs, p0=1e12).round(6).tolist()
    [nan, 80.0, 20.0, 60.0]
    """
    c = log_offsets(pairs["pollutant"])
    f = pairs["forecast"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        logged = pairs.assign(forecast=np.log(f + c), observed=np.log(pairs["observed"].to_numpy(dtype=float) + c))
        x = _bias.bias_estimate(logged, method="kalman_filter", ratio=ratio, p0=p0)
        return (f + c) * np.exp(-x) - c


def origins(pairs: pd.DataFrame, *, refit_days: int, min_train_days: int, start=None) -> pd.DatetimeIndex:
    """Refit origins: UTC midnights every ``refit_days`` from the first issue day + ``min_train_days``.

    With ``start`` (a tz-aware time), origins begin at the last grid point not after ``start`` so
    that rows issued from ``start`` on are covered; the grid itself never depends on observations.
    """
    if not len(pairs):
        return pd.DatetimeIndex([], tz="UTC")
    first = pairs["issue_time"].min().floor("D") + pd.Timedelta(days=min_train_days)
    last = pairs["issue_time"].max()
    grid = pd.date_range(first, last + pd.Timedelta(days=refit_days), freq=f"{refit_days}D")
    if start is not None and len(grid):  # empty: less history than min_train_days (and a short step)
        keep = grid[grid <= pd.Timestamp(start)]
        lo = keep[-1] if len(keep) else grid[0]
        grid = grid[grid >= lo]
    return grid


def times_ns(times) -> np.ndarray:
    """Nanoseconds since the epoch (pandas may store µs or ns)."""
    return pd.DatetimeIndex(times).tz_convert("UTC").as_unit("ns").asi8


def origin_block(issue: pd.Series, grid: pd.DatetimeIndex) -> np.ndarray:
    """Index of the origin block of each row (−1 before the first origin)."""
    return np.searchsorted(times_ns(grid), times_ns(issue), side="right") - 1


def add_intervals(frame: pd.DataFrame, *, grid: pd.DatetimeIndex, coverage: float,
                  window_days: int, min_count: int = 30) -> pd.DataFrame:
    """Set ``q10 q50 q90`` and ``lower``/``upper`` (= q10/q90) from past log-space residual quantiles per
    pollutant, lead day and forecast-level bin (:func:`forecasting.correction.probabilistic.add_quantiles`)."""
    return add_quantiles(frame, grid=grid, window_days=window_days, min_count=min_count, coverage=coverage)


def correct(pairs: pd.DataFrame, observations: pd.DataFrame, *, method: str, start=None, **params) -> pd.DataFrame:
    """Corrected forecasts for every pair row, each using only what was known at its issue time.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`forecasting.correction.pair_forecasts`.
    observations : DataFrame
        Tidy district observations ``time district pollutant value`` (for persistence and the
        recent-observation predictors).
    method : str, keyword-only
        One of :data:`METHODS`.
    start : tz-aware time, optional
        Regressions are refitted only for rows issued from this time on (speeds up backtests);
        earlier rows fall back to raw.
    **params
        Overrides of :data:`DEFAULTS` and of
        :data:`forecasting.correction.regression.DEFAULT_REGRESSION_PARAMS`.

    Returns
    -------
    DataFrame
        The pair columns plus ``method central lower upper fallback``.
    """
    validate_method(method)
    p = {**DEFAULTS, **params}
    if method in ENSEMBLE_BASES:
        from forecasting.correction.ensemble import combine_method  # cycle: engine -> ensemble -> engine

        return combine_method(method, {b: correct(pairs, observations, method=b, start=start, **params)
                                       for b in ensemble_bases(method, params)}, start=start, **params)
    obs = check_observations(observations)
    f = pairs["forecast"].to_numpy(dtype=float)
    grid = origins(pairs, refit_days=p["refit_days"], min_train_days=p["min_train_days"], start=start)
    if method == "raw":
        central = f.copy()
    elif method == "persistence":
        central = ObservationIndex(obs).value(pairs["district"].to_numpy(), pairs["pollutant"].to_numpy(),
                                              persistence_times(pairs))
    elif method in ("rolling_bias", "kalman_filter"):
        central = f - _bias.bias_estimate(pairs, method=method, ratio=p["kalman_ratio"], p0=p["kalman_p0"],
                                          window_days=p["window_days"])
    elif method == "kalman_log":
        central = kalman_log_central(pairs, ratio=p["kalman_ratio"], p0=p["kalman_p0"])
    elif method == "analog_ensemble":
        anen = analog_ensemble(pairs, grid=grid, block=origin_block(pairs["issue_time"], grid),
                               k=int(p.get("analogs", 20)), train_window_days=p["train_window_days"])
        central = anen[:, 0]
    else:
        central = _rolling_regression(pairs, obs, method=method, grid=grid, params=p)
    fallback = ~np.isfinite(central) & np.isfinite(f)
    central = np.where(fallback, f, central)
    out = pairs.copy()
    out["method"] = method
    out["central"] = np.maximum(central, 0.0)
    out["fallback"] = fallback
    out = add_intervals(out, grid=grid, coverage=p["coverage"], window_days=p["interval_window_days"])
    if method == "analog_ensemble":  # the members' own quantiles where the analogs exist
        has = np.isfinite(anen[:, 1:]).all(axis=1) & ~fallback
        for i, name in enumerate(("q10", "q50", "q90"), start=1):
            out[name] = np.where(has, np.maximum(anen[:, i], 0.0), out[name].to_numpy(dtype=float))
        out["lower"], out["upper"] = out["q10"], out["q90"]
    if p.get("conformal", True):
        cgrid = origins(pairs, refit_days=p["conformal_refit_days"], min_train_days=p["min_train_days"], start=start)
        out = conformalize(out, grid=cgrid, window_days=p["interval_window_days"], coverage=p["coverage"],
                           adapt=p["conformal_adapt"], asymmetric=p["conformal_asymmetric"],
                           aci_step=p["conformal_aci_step"])
    return out


def _rolling_regression(pairs, obs, *, method, grid, params) -> np.ndarray:
    X = regression_features(pairs, ObservationIndex(obs))
    central = np.full(len(pairs), np.nan)
    block = origin_block(pairs["issue_time"], grid)
    vt = pairs["valid_time"]
    for j, t in enumerate(grid):
        rows = np.flatnonzero(block == j)
        if not len(rows):
            continue
        train = ((vt <= t) & (vt > t - pd.Timedelta(days=params["train_window_days"]))).to_numpy()
        train = train & pairs["observed"].notna().to_numpy()
        if train.sum() < 10:
            continue
        state = fit_regression(pairs[train], X[train], method=method, params=params)
        central[rows] = predict_regression(state, pairs.iloc[rows], X.iloc[rows])
    return central
