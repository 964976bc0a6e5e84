"""Beijing natural days, validity rules, O3 MDA8 windows and hourly AQI (spec §2, T37-T42, T50)."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecasting.aqi import (
    AQIInputError,
    beijing_day_bounds,
    daily_aqi,
    daily_indicators,
    hour_labels,
    hourly_aqi,
    hourly_indicators,
)

DAY = "2026-03-05"


def day_index(day=DAY, days=1):
    """Hour-ending UTC stamps of ``days`` Beijing days from ``day``: D 01:00 … D 24:00 Beijing."""
    start, _ = beijing_day_bounds(day)
    return pd.date_range(start + pd.Timedelta(hours=1), periods=24 * days, freq="h")


def frame(o3=50.0, pm25=30.0, pm10=40.0, so2=5.0, no2=20.0, co=0.5, day=DAY, days=1):
    t = day_index(day, days)
    return pd.DataFrame({"pm25": pm25, "pm10": pm10, "o3": o3, "no2": no2, "so2": so2, "co": co}, index=t)


def test_t50_beijing_day_bounds_and_labels():
    start, end = beijing_day_bounds(DAY)
    assert start == pd.Timestamp("2026-03-04 16:00", tz="UTC") and end == pd.Timestamp("2026-03-05 16:00", tz="UTC")
    labels = hour_labels(DAY)
    assert labels[0] == pd.Timestamp("2026-03-05 01:00", tz="Asia/Shanghai")
    assert labels[-1] == pd.Timestamp("2026-03-06 00:00", tz="Asia/Shanghai")
    assert len(labels) == 24


def test_t50_hours_assigned_to_the_natural_day():
    """The hour stamped 2026-03-04 16:00 UTC (= 03-05 00:00 Beijing) belongs to 03-04; 03-05 16:00 UTC to 03-05."""
    t = pd.date_range("2026-03-04 16:00", "2026-03-05 16:00", freq="h", tz="UTC")  # 25 stamps
    pm = np.full(len(t), 10.0)
    pm[0] = 1000.0  # belongs to the previous day
    out = daily_indicators(pd.DataFrame({"pm25": pm}, index=t))
    assert out.loc[pd.Timestamp(DAY), "pm25_24h"] == 10.0
    assert np.isnan(out.loc[pd.Timestamp("2026-03-04"), "pm25_24h"])  # only 1 valid hour


def test_t37_mda8():
    """Hours 01-24 = 60 except 12-17 = 200: windows ending 17, 18, 19 give (6·200 + 2·60)/8 = 165 → IAQI 105."""
    o3 = np.full(24, 60.0)
    o3[11:17] = 200.0  # labels 12:00 … 17:00
    ind = daily_indicators(frame(o3=o3))
    assert ind["o3_8h"].iloc[0] == 165.0
    assert ind["o3_1h"].iloc[0] == 200.0
    res = daily_aqi(frame(o3=o3))
    assert res["iaqi_o3_8h"].iloc[0] == 105 and res["aqi"].iloc[0] == 105
    assert res["primary_pollutants"].iloc[0] == ("o3_8h",)


def test_t38_mda8_never_uses_the_previous_day():
    """Day D all 50, previous day hours 18-24 = 300: MDA8(D) = 50 (a trailing window ending 01:00 gives 269)."""
    o3 = np.full(48, 50.0)
    o3[17:24] = 300.0  # previous day labels 18:00 … 24:00
    ind = daily_indicators(frame(o3=o3, day="2026-03-04", days=2))
    assert ind.loc[pd.Timestamp(DAY), "o3_8h"] == 50.0


def test_t39_window_with_5_valid_hours_is_invalid():
    o3 = np.full(24, 80.0)
    o3[:3] = np.nan  # the window ending 08:00 has 5 valid hours
    hourly = hourly_indicators(frame(o3=o3))
    assert np.isnan(hourly["o3_8h"].iloc[7])   # ends 08:00 Beijing: hours 01-08, 5 valid
    assert hourly["o3_8h"].iloc[8] == 80.0     # ends 09:00: 6 valid


def test_t40_19_valid_hours_no_daily_mean():
    pm = np.full(24, 40.0)
    pm[:5] = np.nan
    res = daily_aqi(frame(pm25=pm))
    assert np.isnan(res["pm25_24h"].iloc[0])
    assert res["missing"].iloc[0] == ("pm25_24h",)
    assert np.isnan(res["aqi"].iloc[0])  # others give ≤ 100: not published (§5.3.1)
    pm[4] = 40.0  # 20 valid hours
    assert daily_aqi(frame(pm25=pm))["pm25_24h"].iloc[0] == 40.0


def _o3_with_13_windows(value):
    o3 = np.full(24, value)
    o3[18:] = np.nan  # valid hours 01-18: windows ending 08-20 valid (13), 21-24 invalid
    return o3


def test_t41_13_windows_above_limit_valid():
    assert daily_indicators(frame(o3=_o3_with_13_windows(170.0)))["o3_8h"].iloc[0] == 170.0


def test_t42_13_windows_below_limit_invalid():
    assert np.isnan(daily_indicators(frame(o3=_o3_with_13_windows(150.0)))["o3_8h"].iloc[0])


def test_14_windows_valid():
    o3 = np.full(24, 150.0)
    o3[19:] = np.nan  # valid hours 01-19: windows ending 08-21 (14)
    assert daily_indicators(frame(o3=o3))["o3_8h"].iloc[0] == 150.0


def test_districts_and_edition_switch_by_day():
    """PM2.5 70 on 02-28 (2012: 94) and 03-01 (2026: 110), per district."""
    a = frame(pm25=70.0, day="2026-02-28", days=2).assign(district="310118")
    b = frame(pm25=10.0, day="2026-02-28", days=2).assign(district="320509")
    res = daily_aqi(pd.concat([a, b]))
    q = res.loc["310118"]
    assert q.loc[pd.Timestamp("2026-02-28"), "edition"] == "HJ 633-2012"
    assert q.loc[pd.Timestamp("2026-02-28"), "aqi"] == 94
    assert q.loc[pd.Timestamp("2026-02-28"), "category_zh"] == "良"
    assert q.loc[pd.Timestamp("2026-03-01"), "edition"] == "HJ 633-2026"
    assert q.loc[pd.Timestamp("2026-03-01"), "aqi"] == 110
    assert q.loc[pd.Timestamp("2026-03-01"), "color"] == "#FF7E00"
    assert "o3_1h" not in q.loc[pd.Timestamp("2026-03-01"), "primary_pollutants"]
    assert res.loc[("320509", pd.Timestamp("2026-03-01")), "primary_pollutants"] == ()
    forced = daily_aqi(pd.concat([a, b]), edition=2026)
    assert set(forced["edition"]) == {"HJ 633-2026"}


def test_xarray_grid_matches_pandas():
    rng = np.random.default_rng(1)
    t = day_index(DAY, 2)
    data = {p: rng.uniform(0, 200, (48, 2, 3)) for p in ("pm25", "pm10", "o3", "no2", "so2")}
    data["co"] = rng.uniform(0, 5, (48, 2, 3))
    ds = xr.Dataset({p: (("time", "y", "x"), v) for p, v in data.items()},
                    coords={"time": t.tz_localize(None)})
    grid = daily_aqi(ds)
    assert grid["aqi"].dims == ("date", "y", "x")
    cell = pd.DataFrame({p: v[:, 1, 2] for p, v in data.items()}, index=t)
    one = daily_aqi(cell)
    np.testing.assert_array_equal(grid["aqi"].values[:, 1, 2], one["aqi"].to_numpy())
    np.testing.assert_array_equal(grid["iaqi_o3_8h"].values[:, 1, 2], one["iaqi_o3_8h"].to_numpy())


def test_hourly_2026_uses_1h_values_and_2012_moving_means():
    pm = np.full(48, 40.0)
    pm[-1] = 100.0
    df = frame(pm25=pm, day="2026-03-04", days=2)
    h26 = hourly_aqi(df, edition=2026)
    assert h26["iaqi_pm25_1h"].iloc[-1] == 137  # T24: 1-h value on the daily table
    h12 = hourly_aqi(df, edition=2012)
    # 24-h moving mean at the last hour: (23·40 + 100)/24 = 42.5 → rounds to 42 → 50 + 50·7/40 = 58.75 → 59
    assert h12["pm25_24h"].iloc[-1] == 42
    assert h12["iaqi_pm25_24h"].iloc[-1] == 59
    assert np.isnan(h12["iaqi_pm25_24h"].iloc[18])  # only 19 hours so far


def test_hourly_edition_switch_at_beijing_midnight():
    """The hour ending 2026-03-01 00:00 Beijing belongs to 02-28 (HJ 633-2012); the next to 03-01."""
    t = pd.date_range("2026-02-28 15:00", periods=3, freq="h", tz="UTC")  # 23:00, 24:00, 01:00 Beijing
    res = hourly_aqi(pd.DataFrame({"pm25": 10.0, "o3": 10.0}, index=t))
    assert res["edition"].tolist() == ["HJ 633-2012", "HJ 633-2012", "HJ 633-2026"]


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"pm25": [1.0]}, index=pd.DatetimeIndex(["2026-03-05 01:00"])), "timezone-aware"),
    (pd.DataFrame({"pm25": [1.0, 2.0]}, index=pd.DatetimeIndex(["2026-03-05 01:00"] * 2, tz="UTC")), "duplicate"),
    (pd.DataFrame({"pm25": [1.0]}, index=pd.DatetimeIndex(["2026-03-05 01:30"], tz="UTC")), "full hour"),
    (pd.DataFrame({"foo": [1.0]}, index=pd.DatetimeIndex(["2026-03-05 01:00"], tz="UTC")), "no pollutant"),
    ([1, 2, 3], "DataFrame"),
])
def test_bad_hourly_input(bad, message):
    with pytest.raises(AQIInputError, match=message):
        daily_aqi(bad)
