"""A trained correction: a serialisable object (method, training window, predictors, scores, version).

``fit_correction`` trains a method on the pairs verified up to ``until``; ``TrainedCorrection.apply``
corrects forecasts issued at or after ``until``. Storage saves :meth:`TrainedCorrection.to_bytes`
(a pickle: only load bytes the application wrote itself) and the JSON-safe :meth:`metadata`.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sklearn

from forecasting.correction import bias as _bias
from forecasting.correction.backtest import score_table
from forecasting.correction.engine import DEFAULTS, correct, validate_method
from forecasting.correction.features import ObservationIndex, persistence_times, regression_features
from forecasting.correction.pairing import check_observations
from forecasting.correction.probabilistic import apply_log_quantiles, fit_log_quantiles, log_offsets
from forecasting.correction.regression import fit_regression, predict_regression
from forecasting.errors import FormatError, ValidationError

__all__ = ["CORRECTION_VERSION", "TrainedCorrection", "fit_correction"]

#: Bumped whenever a change makes stored corrections incompatible or differently computed.
# 2: mos_ridge fits in log space (Duan smearing); 3: log-space quantiles per lead and level bin; 4: O3's log
# scale offset 20 µg/m³ (the stored quantile tables are residuals on that scale)
CORRECTION_VERSION = "4"
_KEY = ["model", "district", "pollutant", "cycle_hour", "lead_hours"]


@dataclass
class TrainedCorrection:
    """One trained method. ``state`` holds bias tables, fitted estimators and interval quantiles."""

    method: str
    trained_from: pd.Timestamp
    trained_until: pd.Timestamp
    predictors: list[str]
    params: dict
    scores: dict = field(default_factory=dict)
    version: str = CORRECTION_VERSION
    sklearn_version: str = sklearn.__version__
    state: dict = field(default_factory=dict, repr=False)

    def metadata(self) -> dict:
        """JSON-safe description (no fitted state)."""
        return {
            "method": self.method,
            "trained_from": self.trained_from.isoformat(),
            "trained_until": self.trained_until.isoformat(),
            "predictors": list(self.predictors),
            "params": {k: v for k, v in self.params.items() if isinstance(v, (int, float, str, bool))},
            "scores": self.scores,
            "version": self.version,
            "sklearn_version": self.sklearn_version,
            # mos_ridge: the space (log or linear) each model and pollutant was fitted in
            **({"spaces": {f"{m}|{pol}": sp for (m, pol), sp in self.state["regression"].get("spaces", {}).items()}}
               if "regression" in self.state else {}),
        }

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(data: bytes) -> TrainedCorrection:
        obj = pickle.loads(data)
        if not isinstance(obj, TrainedCorrection):
            raise FormatError("stored bytes are not a TrainedCorrection")
        if obj.version != CORRECTION_VERSION:
            raise FormatError(f"stored correction has version {obj.version}, this code reads {CORRECTION_VERSION}; retrain it")
        return obj

    def apply(self, pairs: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
        """Corrected ``central lower upper`` for ``pairs`` (from :func:`pair_forecasts`).

        Uses the state frozen at ``trained_until`` plus observations known at each row's issue
        time (persistence, recent-observation predictors). Rows without a state fall back to raw.
        """
        obs = check_observations(observations)
        f = pairs["forecast"].to_numpy(dtype=float)
        if self.method == "raw":
            central = f.copy()
        elif self.method == "persistence":
            central = ObservationIndex(obs).value(pairs["district"].to_numpy(), pairs["pollutant"].to_numpy(),
                                                  persistence_times(pairs))
        elif self.method in ("rolling_bias", "kalman_filter", "kalman_log"):
            keys = _keys(pairs)
            table = self.state["bias"]
            b = np.asarray([table.get(k, np.nan) for k in keys.itertuples(index=False, name=None)], dtype=float)
            if self.method == "kalman_log":  # a log ratio: (F + c)·exp(−b) − c
                c = log_offsets(pairs["pollutant"])
                central = (f + c) * np.exp(-b) - c
            else:
                central = f - b
        else:
            X = regression_features(pairs, ObservationIndex(obs))
            central = predict_regression(self.state["regression"], pairs, X)
        fallback = ~np.isfinite(central) & np.isfinite(f)
        central = np.maximum(np.where(fallback, f, central), 0.0)
        out = pairs.copy()
        out["method"], out["central"], out["fallback"] = self.method, central, fallback
        q = apply_log_quantiles(out, self.state.get("quantiles", {}))
        out["q10"], out["q50"], out["q90"] = q[:, 0], q[:, 1], q[:, 2]
        out["lower"], out["upper"] = out["q10"], out["q90"]
        return out


def _py(x):
    return x.item() if isinstance(x, np.generic) else x


def _keys(pairs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "model": pairs["model"].to_numpy(), "district": pairs["district"].to_numpy(),
        "pollutant": pairs["pollutant"].to_numpy(), "cycle_hour": pairs["cycle"].dt.hour.to_numpy(),
        "lead_hours": pairs["lead_hours"].to_numpy(),
    }).astype({"cycle_hour": int, "lead_hours": int})


def fit_correction(pairs: pd.DataFrame, observations: pd.DataFrame, *, method: str, until=None,
                   **params) -> TrainedCorrection:
    """Train ``method`` (not the ensembles) on pairs verified up to ``until`` (default: all).

    The 10/50/90 % quantiles come from the out-of-sample log residuals of the last
    ``interval_window_days`` before ``until`` (a rolling-origin run), per pollutant, lead day and
    forecast-level bin (:func:`forecasting.correction.probabilistic.fit_log_quantiles`).
    """
    validate_method(method)
    if method.startswith("ensemble"):
        raise ValidationError("train the ensemble's base method; combine with forecasting.correction.combine")
    if method == "analog_ensemble":
        raise ValidationError("analog_ensemble searches the whole verified history at each run; use "
                              "forecasting.correction.correct (rolling origin) rather than a frozen correction")
    p = {**DEFAULTS, **params}
    until = pd.Timestamp(until) if until is not None else pairs["valid_time"].max()
    known = pairs[(pairs["valid_time"] <= until) & pairs["observed"].notna()]
    if not len(known):
        raise ValidationError(f"no verified pairs up to {until}; cannot train {method}")
    state: dict = {}
    predictors = ["forecast"]
    if method in ("rolling_bias", "kalman_filter", "kalman_log"):
        code, day, n_days, table = _bias.bias_keys(known)
        if method == "kalman_log":  # errors as log ratios (forecasting.correction.engine.kalman_log_central)
            c = log_offsets(known["pollutant"])
            err = np.log(known["forecast"].to_numpy(float) + c) - np.log(known["observed"].to_numpy(float) + c)
        else:
            err = (known["forecast"] - known["observed"]).to_numpy(float)
        Y = _bias.error_matrix(code, day, err, n_days, len(table))
        if method in ("kalman_filter", "kalman_log"):
            S, _ = _bias.kalman_states(Y, ratio=p["kalman_ratio"], p0=p["kalman_p0"])
        else:
            S = _bias.rolling_states(Y, window_days=p["window_days"])
        # Each key's state after its own latest verified run (a long lead's window ends earlier).
        has = np.isfinite(Y)
        last_day = np.where(has.any(axis=0), Y.shape[0] - 1 - np.argmax(has[::-1], axis=0), 0)
        last = S[last_day, np.arange(S.shape[1])]
        state["bias"] = {tuple(_py(x) for x in k): float(v)
                         for k, v in zip(table.itertuples(index=False, name=None), last) if np.isfinite(v)}
    elif method in ("mos_ridge", "gradient_boosting"):
        obs = check_observations(observations)
        obs = obs[obs["time"] <= until]
        X = regression_features(known, ObservationIndex(obs))
        start = known["valid_time"].max() - pd.Timedelta(days=p["train_window_days"])
        sel = (known["valid_time"] > start).to_numpy()
        state["regression"] = fit_regression(known[sel], X[sel], method=method, params=p)
        predictors = list(X.columns)
    elif method == "persistence":
        predictors = ["observation"]
    # Interval quantiles from a leak-free run over the last window.
    recent_from = until - pd.Timedelta(days=p["interval_window_days"])
    window = pairs[pairs["valid_time"] <= until]
    obs_known = check_observations(observations)
    obs_known = obs_known[obs_known["time"] <= until]
    run = correct(window, obs_known, method=method, start=recent_from,
                  **{**params, "refit_days": max(int(p["interval_window_days"]), int(p["refit_days"]))})
    run = run[run["valid_time"] > recent_from]
    state["quantiles"] = fit_log_quantiles(run[run["observed"].notna()], coverage=p["coverage"])
    sc = score_table(run.assign(lead_day=run["lead_day"]), since=recent_from)
    return TrainedCorrection(
        method=method, trained_from=known["valid_time"].min(), trained_until=until, predictors=predictors,
        params=p, scores={str(k): v for k, v in sc.items()}, state=state,
    )
