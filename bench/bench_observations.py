"""Benchmark: reading one day of a national site file (``date,hour,type,1001A,…``: 24 hours × 15 types × 1,651
stations, 1.8 MB), as the data desk's preview and import each do.

Measures :func:`forecasting.observations.read_station_csv` (header folding, the station-per-column layout made
long, times, numbers) and, in the same run, the plain pandas reading of the same file as a baseline
(``read_csv``, the hourly types kept, ``melt``, times parsed): the ratio says what the app's checks cost on top.
No target is set by an issue; 2026-12-07: 11.3 s for the app's reading before the layout was made long with
plain arrays (each of 1,600 columns taken as a Series deep-copied the header's 1,600 names) and each
pollutant spelling folded once, 1.39 s after (ratio 3.18 to the plain pandas reading).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from forecasting.observations import read_station_csv

STATIONS = 1651
TYPES = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h", "O3", "O3_24h",
         "O3_8h", "O3_8h_24h", "CO", "CO_24h")
HOURLY = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "O3": "o3", "CO": "co"}


def _write(path: Path) -> None:
    ids = [f"{1001 + k}A" for k in range(STATIONS)]
    rows = ["date,hour,type," + ",".join(ids)]
    for hour in range(24):
        for kind in TYPES:
            rows.append(f"20261206,{hour},{kind}," + ",".join(str(20 + (hour + k) % 80) for k in range(STATIONS)))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _plain(path: Path) -> pd.DataFrame:
    wide = pd.read_csv(path, dtype={"date": str})
    wide = wide[wide["type"].isin(HOURLY)]
    long = wide.melt(id_vars=["date", "hour", "type"], var_name="station", value_name="value")
    day = pd.to_datetime(long["date"], format="%Y%m%d")
    long["time"] = (day + pd.to_timedelta(long["hour"], unit="h")).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    long["pollutant"] = long["type"].map(HOURLY)
    return long[["station", "time", "pollutant", "value"]]


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "china_sites_20261206.csv"
        _write(path)
        ours_s, ours = _best(lambda: read_station_csv(path, timezone="Asia/Shanghai"))
        base_s, base = _best(lambda: _plain(path))
        assert len(ours) == len(base) == STATIONS * 24 * len(HOURLY), (len(ours), len(base))
        print(f"national site file, one day: {path.stat().st_size / 1e6:.1f} MB, {len(ours):,} hourly values")
        print(f"  read_station_csv  {ours_s:7.3f} s")
        print(f"  plain pandas      {base_s:7.3f} s (read_csv, melt, times; no checks)")
        print(f"  ratio ours / plain pandas: {ours_s / base_s:.2f}")


if __name__ == "__main__":
    main()
