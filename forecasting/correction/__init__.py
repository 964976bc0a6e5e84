"""Statistical correction of district model forecasts: the objective guidance forecasters start from.

Pure functions over pandas/numpy (no database). Data flow::

    forecasts (model, cycle, valid_time, district, variable, value)
    + district observations (time, district, pollutant, value)
        │ pair_forecasts         issue time = cycle + delay; lead_hours; lead day D+1.. (Beijing days)
        ▼
    pairs ──► correct(method=...) ──► central, lower, upper per row (only what was known at issue time)
        │ backtest / score_table / select_best      rolling origin, HJ 1130-style scores
        │ fit_correction ──► TrainedCorrection       serialisable; .apply(pairs, observations)
        ▼
    daily_forecast            corrected hourly series → daily AQI range, level span, primary pollutant

Methods (validated strings, :data:`METHODS`): ``raw``, ``persistence``, ``rolling_bias`` (Wilczak et
al. 2006), ``kalman_filter`` (Delle Monache et al. 2006), ``mos_ridge``, ``gradient_boosting``,
``analog_ensemble`` (Delle Monache et al. 2013), ``ensemble`` (skill-weighted mean) and
``ensemble_median``. Each gives 10/50/90 % quantiles (:mod:`forecasting.correction.probabilistic`);
the daily AQI distribution, level probabilities and the published range come from
:mod:`forecasting.correction.published`. See ``docs/correction.md``.
"""

from forecasting.correction.backtest import LEAD_DAYS, backtest, run_methods, score_table, score_tables, select_best
from forecasting.correction.bias import kalman_gains, kalman_steady_gain
from forecasting.correction.daily import daily_forecast, hourly_to_daily_aqi
from forecasting.correction.engine import DEFAULTS, METHODS, correct, validate_method
from forecasting.correction.ensemble import combine, combine_method, newest_runs, pool_bases
from forecasting.correction.probabilistic import coverage, crps_from_quantiles, quantile_members
from forecasting.correction.published import aqi_cdf, choose_range, exceedance, level_probabilities
from forecasting.correction.simulate import DEFAULT_MODELS, ModelErrors, simulate_forecasts
from forecasting.correction.pairing import (
    DEFAULT_ISSUE_DELAY_HOURS,
    POLLUTANTS,
    PREDICTORS,
    beijing_day,
    check_forecasts,
    check_observations,
    pair_forecasts,
)
from forecasting.correction.trained import CORRECTION_VERSION, TrainedCorrection, fit_correction

__all__ = [
    "CORRECTION_VERSION",
    "DEFAULTS",
    "DEFAULT_MODELS",
    "DEFAULT_ISSUE_DELAY_HOURS",
    "LEAD_DAYS",
    "METHODS",
    "ModelErrors",
    "POLLUTANTS",
    "PREDICTORS",
    "TrainedCorrection",
    "aqi_cdf",
    "backtest",
    "beijing_day",
    "check_forecasts",
    "check_observations",
    "choose_range",
    "combine",
    "combine_method",
    "correct",
    "coverage",
    "crps_from_quantiles",
    "daily_forecast",
    "exceedance",
    "fit_correction",
    "hourly_to_daily_aqi",
    "kalman_gains",
    "kalman_steady_gain",
    "level_probabilities",
    "newest_runs",
    "pair_forecasts",
    "pool_bases",
    "quantile_members",
    "run_methods",
    "score_table",
    "score_tables",
    "select_best",
    "simulate_forecasts",
    "validate_method",
]
