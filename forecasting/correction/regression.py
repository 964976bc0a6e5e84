"""Model output statistics: ``mos_ridge`` and ``gradient_boosting``.

``mos_ridge``: linear MOS in the sense of Glahn and Lowry (1972, doi:10.1175/1520-0450(1972)011<1203:TUOMOS>2.0.CO;2),
fitted with an L2 penalty (Hoerl and Kennard 1970; scikit-learn ``Ridge``), one regression per
model and pollutant (districts pooled, with a district indicator). Target: the observation.
Predictors (:func:`forecasting.correction.features.regression_features`): the model value and its
diurnal interactions, meteorology when present, hour of day, day of week, lead and recent
observations. Missing predictors are replaced by their training median; all are standardised.
The regression is fitted either on the concentrations (``mos_space="linear"``) or on
``log(1 + ·)`` of the observation and of the concentration predictors (the model value, its diurnal
interactions and the recent observations; ``"log"``). Model errors of concentrations are mostly
multiplicative and their spread grows with the level, so a linear fit is dominated by the
high-concentration hours of its window and can carry their level into a lower-concentration
season (demo data, summer to autumn: D+1 O3 RMSE 47 µg/m³ linear, 29 log, 36 raw), while additive
offsets near zero (night-time O3) suit the linear fit better (Dongsi O3: 23 linear, 32 log). The
default ``"auto"`` chooses per model and pollutant, in time order: both are fitted on the older
three quarters of the training window, the one with the lower RMSE on the newest quarter is refitted
on the whole window. The log back-transform multiplies by Duan's (1983,
doi:10.1080/01621459.1983.10478017) smearing factor, the mean of ``exp(residual)`` on the training
rows, so the central value estimates the mean, not the median.

``gradient_boosting``: histogram gradient-boosted trees (Ke et al. 2017 LightGBM-style histograms;
scikit-learn ``HistGradientBoostingRegressor``), one per pollutant with model and district as
categorical predictors, trained on the error ``O − F`` so that high values are not capped at the
largest training observation (``gbm_target="log_ratio"``: on ``log(1 + O) − log(1 + F)``, for
multiplicative errors). Missing predictors are handled natively. Ivatt and Evans (2020,
doi:10.5194/acp-20-8063-2020) used gradient-boosted trees the same way to correct GEOS-Chem ozone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["REGRESSION_METHODS", "fit_regression", "predict_regression", "DEFAULT_REGRESSION_PARAMS"]

REGRESSION_METHODS = ("mos_ridge", "gradient_boosting")
DEFAULT_REGRESSION_PARAMS = {
    "alpha": 1.0,              # Ridge penalty (on standardised predictors)
    "max_iter": 150,           # boosting iterations (early stopping on a 10 % split when > 10 000 rows)
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "max_train_rows": 50_000,  # random subsample of a training set beyond this size (seeded)
    "seed": 0,
    "gbm_target": "difference", # "difference": O − F; "log_ratio": log(1 + O) − log(1 + F)
    "mos_space": "auto",       # "log": fit log(1 + O) on log-transformed concentrations; "linear": O on F;
                               # "auto": per model and pollutant, the space with the lower RMSE on the
                               # newest quarter of the training window (fitted on the older three quarters)
}

_CONCENTRATIONS = ("forecast", "obs_last", "obs_mean24", "obs_persistence")


def _log_space(X: pd.DataFrame) -> pd.DataFrame:
    """The concentration predictors as ``log(1 + max(x, 0))``, the diurnal interactions rebuilt on them."""
    X = X.copy()
    for c in _CONCENTRATIONS:
        if c in X.columns:
            X[c] = np.log1p(np.maximum(X[c].to_numpy(dtype=float), 0.0))
    for k in ("sin1", "cos1"):
        if f"forecast_{k}" in X.columns and f"hour_{k}" in X.columns:
            X[f"forecast_{k}"] = X["forecast"] * X[f"hour_{k}"]
    return X


def _medians(X: np.ndarray) -> np.ndarray:
    """Column medians of the finite values (0 for a column without any), the imputation values.

    What ``SimpleImputer(strategy="median", keep_empty_features=True)`` computes, without its
    masked-array sort, which took 5 of the 16 s of a two-year ``mos_ridge`` retraining.
    """
    finite = np.isfinite(X)
    med = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        col = X[finite[:, j], j]
        if len(col):
            med[j] = np.median(col)
    return med


def _fill(X: np.ndarray, med: np.ndarray) -> np.ndarray:
    """``X`` with each missing value replaced by its column's training median."""
    missing = ~np.isfinite(X)
    if not missing.any():
        return X
    X = X.copy()
    X[missing] = np.broadcast_to(med, X.shape)[missing]
    return X


def _ridge_fit(X: np.ndarray, y: np.ndarray, space: str, alpha: float):
    """A standardised ridge on ``y`` (``log(1 + y)`` in log space), missing predictors set to their
    training medians. Returns ``(estimator, smearing factor (1 if linear), medians)``."""
    target = np.log1p(np.maximum(y, 0.0)) if space == "log" else y
    med = _medians(X)
    Xf = _fill(X, med)
    est = make_pipeline(StandardScaler(), Ridge(alpha=alpha))
    est.fit(Xf, target)
    smear = float(np.mean(np.exp(target - est.predict(Xf)))) if space == "log" else 1.0
    return est, smear, med


def _ridge_predict(fitted, X: np.ndarray, space: str) -> np.ndarray:
    est, smear, med = fitted
    pred = est.predict(_fill(X, med))
    return np.maximum(np.expm1(pred) * smear, 0.0) if space == "log" else pred


def _rmse(fitted, X: np.ndarray, y: np.ndarray, space: str) -> float:
    return float(np.sqrt(np.mean((_ridge_predict(fitted, X, space) - y) ** 2)))


def _codes(values, categories) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(categories)}
    return np.array([lookup.get(v, -1) for v in values], dtype=float)


def _subsample(n: int, max_rows: int, seed: int) -> np.ndarray:
    if n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


def fit_regression(pairs: pd.DataFrame, X: pd.DataFrame, *, method: str, params: dict | None = None) -> dict:
    """Fit ``method`` on verified rows (``observed`` present). Returns the fitted state (picklable)."""
    p = {**DEFAULT_REGRESSION_PARAMS, **(params or {})}
    ok = pairs["observed"].notna().to_numpy() & pairs["forecast"].notna().to_numpy()
    pairs, X = pairs[ok], X[ok]
    districts = sorted(pairs["district"].unique())
    state = {"method": method, "columns": list(X.columns), "districts": districts, "estimators": {}}
    if method == "mos_ridge":
        if p["mos_space"] not in ("auto", "log", "linear"):
            raise ValueError(f"mos_space must be 'auto', 'log' or 'linear', got {p['mos_space']!r}")
        spaces = ("log", "linear") if p["mos_space"] == "auto" else (p["mos_space"],)
        state["spaces"], state["smearing"], state["medians"] = {}, {}, {}
        vt = pd.DatetimeIndex(pairs["valid_time"]).asi8
        for (model, pollutant), idx in pairs.groupby(["model", "pollutant"]).indices.items():
            if len(idx) < 10:
                continue
            idx = idx[_subsample(len(idx), p["max_train_rows"], p["seed"])]
            y = pairs["observed"].iloc[idx].to_numpy(dtype=float)
            base = _with_districts(X.iloc[idx], pairs["district"].iloc[idx], districts)
            Xm = {sp: (_log_space(base) if sp == "log" else base).to_numpy(dtype=float) for sp in spaces}
            space = spaces[0]
            if len(spaces) > 1 and len(idx) >= 200:
                # time-ordered holdout: fit on the older 75 %, score on the newest 25 % of the window
                t = vt[idx]
                old = t < np.quantile(t, 0.75)
                if old.any() and (~old).any():
                    err = {sp: _rmse(_ridge_fit(Xm[sp][old], y[old], sp, p["alpha"]), Xm[sp][~old], y[~old], sp)
                           for sp in spaces}
                    space = min(spaces, key=lambda sp: err[sp])
            est, smear, med = _ridge_fit(Xm[space], y, space, p["alpha"])
            state["estimators"][(model, pollutant)] = est
            state["spaces"][(model, pollutant)] = space
            state["smearing"][(model, pollutant)] = smear
            state["medians"][(model, pollutant)] = med
    elif method == "gradient_boosting":
        models = sorted(pairs["model"].unique())
        state["models"] = models
        for pollutant, idx in pairs.groupby("pollutant").indices.items():
            if len(idx) < 20:
                continue
            idx = idx[_subsample(len(idx), p["max_train_rows"], p["seed"])]
            sub = pairs.iloc[idx]
            Xm = _with_categories(X.iloc[idx], sub, models, districts)
            est = HistGradientBoostingRegressor(
                max_iter=p["max_iter"], learning_rate=p["learning_rate"], max_leaf_nodes=p["max_leaf_nodes"],
                categorical_features=[Xm.columns.get_loc("model_code"), Xm.columns.get_loc("district_code")],
                random_state=p["seed"],
            )
            o, f = sub["observed"].to_numpy(dtype=float), sub["forecast"].to_numpy(dtype=float)
            y = np.log1p(np.maximum(o, 0)) - np.log1p(np.maximum(f, 0)) if p["gbm_target"] == "log_ratio" else o - f
            est.fit(Xm.to_numpy(dtype=float), y)
            state["estimators"][pollutant] = est
        state["gbm_target"] = p["gbm_target"]
    else:  # pragma: no cover - validated by the caller
        raise ValueError(method)
    return state


def _with_districts(X: pd.DataFrame, district: pd.Series, districts) -> pd.DataFrame:
    X = X.copy()
    for d in districts[1:]:
        X[f"district_{d}"] = (district.to_numpy() == d).astype(float)
    return X


def _with_categories(X: pd.DataFrame, pairs: pd.DataFrame, models, districts) -> pd.DataFrame:
    X = X.copy()
    X["model_code"] = _codes(pairs["model"].to_numpy(), models)
    X["district_code"] = _codes(pairs["district"].to_numpy(), districts)
    X.loc[X["model_code"] < 0, "model_code"] = np.nan
    X.loc[X["district_code"] < 0, "district_code"] = np.nan
    return X


def predict_regression(state: dict, pairs: pd.DataFrame, X: pd.DataFrame) -> np.ndarray:
    """Corrected central values (NaN where no estimator fits the row: caller falls back to raw)."""
    out = np.full(len(pairs), np.nan)
    X = X.reindex(columns=state["columns"])
    if state["method"] == "mos_ridge":
        for (model, pollutant), idx in pairs.groupby(["model", "pollutant"]).indices.items():
            est = state["estimators"].get((model, pollutant))
            if est is not None:
                space = state.get("spaces", {}).get((model, pollutant), "linear")
                Xm = _with_districts(X.iloc[idx], pairs["district"].iloc[idx], state["districts"])
                Xm = _log_space(Xm) if space == "log" else Xm
                out[idx] = _ridge_predict((est, state["smearing"][(model, pollutant)], state["medians"][(model, pollutant)]),
                                          Xm.to_numpy(dtype=float), space)
    else:
        for pollutant, idx in pairs.groupby("pollutant").indices.items():
            est = state["estimators"].get(pollutant)
            if est is not None:
                sub = pairs.iloc[idx]
                Xm = _with_categories(X.iloc[idx], sub, state["models"], state["districts"])
                f = sub["forecast"].to_numpy(dtype=float)
                pred = est.predict(Xm.to_numpy(dtype=float))
                if state.get("gbm_target") == "log_ratio":
                    out[idx] = np.expm1(np.log1p(np.maximum(f, 0)) + pred)
                else:
                    out[idx] = f + pred
    return out
