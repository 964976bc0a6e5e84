"""The ``python -m forecasting backtest`` contract, run as a subprocess on small CSVs."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.correction_data import hourly_observations, model_forecasts

ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "forecasting", "backtest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


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
        assert set(d1) == {"n", "mb", "nmb", "nme", "rmse", "r"} and isinstance(d1["n"], int) and d1["n"] > 0
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
