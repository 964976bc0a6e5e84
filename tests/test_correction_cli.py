"""The ``python -m forecasting backtest`` contract, run as a subprocess on small CSVs."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.correction_data import hourly_observations, model_forecasts
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "forecasting", "backtest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=PATIENCE_S)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("backtest")
    obs = pd.concat([hourly_observations(24, pollutant=p, noise=2.0, seed=i) for i, p in enumerate(("pm25", "o3"))])
    fc = pd.concat([model_forecasts(obs, days=24, model=m, bias=b, max_lead=72) for m, b in (("A", 8.0), ("B", -6.0))])
    fc = pd.concat([fc, fc[fc["variable"] == "pm25"].assign(variable="t2", value=12.0)])
    for frame, col in ((fc, "cycle"), (fc, "valid_time"), (obs, "time")):
        frame[col] = frame[col].dt.tz_convert("Asia/Shanghai").map(lambda t: t.isoformat())
    f, o = d / "F.csv", d / "O.csv"
    fc.to_csv(f, index=False)
    obs[["time", "district", "pollutant", "value"]].to_csv(o, index=False)
    return f, o


def test_backtest_prints_the_json_contract(files):
    f, o = files
    res = _run("--forecasts", str(f), "--observations", str(o), "--test-from", "2026-01-18",
               "--methods", "raw,rolling_bias,kalman_filter")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert set(report) == {"test_from", "methods", "best"}
    assert report["test_from"] == "2026-01-18"
    assert set(report["methods"]) == {"raw", "rolling_bias", "kalman_filter"}
    for method, by_pollutant in report["methods"].items():
        assert set(by_pollutant) == {"pm25", "o3"}
        d1 = by_pollutant["pm25"]["D+1"]
        assert set(d1) == {"n", "mb", "nmb", "nme", "rmse", "r", "coverage80", "crps", "pit10"}
        assert isinstance(d1["n"], int) and d1["n"] > 0
        assert set(by_pollutant["pm25"]) <= {f"D+{k}" for k in range(1, 8)}
    raw = report["methods"]["raw"]["pm25"]["D+1"]
    assert raw["mb"] == pytest.approx(1.0, abs=0.01)   # models +8 and −6 pooled: mean bias +1
    assert report["methods"]["rolling_bias"]["pm25"]["D+1"]["rmse"] < 0.2 * raw["rmse"]
    assert report["best"]["pm25"] in ("rolling_bias", "kalman_filter")


@pytest.mark.parametrize("args,match", [
    (["--methods", "raw,magic"], "unknown correction method 'magic'"),
    (["--test-from", "18/01/2026"], "expected a date YYYY-MM-DD"),
    (["--test-from", "2030-01-01"], "no forecast is valid on or after"),
])
def test_user_errors_are_one_line_exit_2(files, args, match):
    f, o = files
    base = {"--forecasts": str(f), "--observations": str(o), "--test-from": "2026-01-18"}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    res = _run(*[x for kv in base.items() for x in kv])
    assert res.returncode == 2
    assert match in res.stderr and res.stderr.count("\n") == 1 and res.stdout == ""


def test_missing_file_and_naive_times(tmp_path, files):
    f, o = files
    res = _run("--forecasts", str(tmp_path / "nope.csv"), "--observations", str(o), "--test-from", "2026-01-18")
    assert res.returncode == 2 and "not found" in res.stderr
    bad = tmp_path / "O.csv"
    bad.write_text("time,district,pollutant,value\n2026-01-01 10:00,310118,pm25,3\n")
    res = _run("--forecasts", str(f), "--observations", str(bad), "--test-from", "2026-01-18")
    assert res.returncode == 2 and "line 2, column 'time'" in res.stderr


Z90 = stats.norm.ppf(0.9)


def _members(q10, q50, q90, offset, k=20):
    """Independent transcription of the documented distribution (docs/correction.md): the two-piece
    normal on log(x + c) through the three quantiles, sampled at the levels (i − ½)/k."""
    from scipy.stats import norm

    z = norm.ppf((np.arange(k) + 0.5) / k)
    mu = np.log(q50 + offset)
    lo = (mu - np.log(q10 + offset)) / norm.ppf(0.9)
    hi = (np.log(q90 + offset) - mu) / norm.ppf(0.9)
    return np.maximum(np.exp(mu[:, None] + z[None, :] * np.where(z[None, :] < 0, lo[:, None], hi[:, None])) - offset[:, None],
                      0.0)


def test_scores_are_reproduced_from_the_pairs_file(files, tmp_path):
    """--pairs writes the contract's columns; RMSE, coverage80 (recomputed here), CRPS (via the
    independent ``scoringrules`` package) and the PIT histogram (scipy) per method, pollutant and lead day
    agree with the JSON."""
    import scoringrules

    f, o = files
    out = tmp_path / "pairs.csv"
    res = _run("--forecasts", str(f), "--observations", str(o), "--test-from", "2026-01-18",
               "--methods", "raw,kalman_filter,ensemble", "--pairs", str(out))
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    pairs = pd.read_csv(out, dtype={"district": str})
    assert list(pairs.columns) == ["method", "model", "district", "pollutant", "cycle", "valid_time", "lead_day",
                                   "forecast", "q10", "q50", "q90", "observed"]
    assert set(pairs["model"][pairs["method"] == "ensemble"]) == {"ensemble"}
    assert set(pairs["model"][pairs["method"] == "raw"]) == {"A", "B"}
    assert (pd.to_datetime(pairs["valid_time"], utc=True) >= pd.Timestamp("2026-01-18", tz="Asia/Shanghai")).all()
    checked = 0
    for (method, pol, lead), g in pairs.groupby(["method", "pollutant", "lead_day"]):
        want = report["methods"][method][pol][f"D+{lead}"]
        both = g.dropna(subset=["forecast", "observed"])
        assert want["n"] == len(both)
        assert want["rmse"] == pytest.approx(float(np.sqrt(((both["forecast"] - both["observed"]) ** 2).mean())),
                                             rel=1e-6)
        prob = g.dropna(subset=["q10", "q50", "q90", "observed"])
        if not len(prob):
            assert want["coverage80"] is None
            continue
        inside = ((prob["observed"] >= prob["q10"]) & (prob["observed"] <= prob["q90"])).mean()
        assert want["coverage80"] == pytest.approx(inside, abs=1e-9)
        # the log scale's offsets of docs/correction.md §3: CO 0.05 mg/m³, O3 20 µg/m³, the others 1 µg/m³
        offset = prob["pollutant"].map({"co": 0.05, "o3": 20.0}).fillna(1.0).to_numpy(float)
        members = _members(*(prob[q].to_numpy(float) for q in ("q10", "q50", "q90")), offset)
        crps = scoringrules.crps_ensemble(prob["observed"].to_numpy(float), members, estimator="nrg")
        assert want["crps"] == pytest.approx(float(np.mean(crps)), rel=1e-5)
        # the PIT histogram: scipy's normal CDF of the two-piece log-normal through the quantiles, ten bins
        q10, q50, q90, y = (prob[q].to_numpy(float) for q in ("q10", "q50", "q90", "observed"))
        mu = np.log(q50 + offset)
        d = np.log(np.maximum(y, 0) + offset) - mu
        s_lo, s_hi = (mu - np.log(q10 + offset)) / Z90, (np.log(q90 + offset) - mu) / Z90
        with np.errstate(divide="ignore", invalid="ignore"):
            pit = np.where(d < 0, stats.norm.cdf(d / s_lo), np.where(d > 0, stats.norm.cdf(d / s_hi), 0.5))
        assert (y > 0).all()
        counts = np.histogram(pit, bins=np.linspace(0, 1, 11))[0]  # numpy's last bin is closed, as ours
        assert want["pit10"] == pytest.approx((counts / len(pit)).tolist(), abs=1e-12)
        checked += 1
    assert checked >= 6
