"""Demo observations: three districts' hourly series derived from a real record.

The shapes (diurnal cycles, synoptic episodes, missing hours) come from the real Beijing Dongsi
record (UCI PRSA, CC BY 4.0) shipped in ``data/samples/beijing_prsa/``: the demo day D takes the
record's values of the same calendar day in a year the record covers, scaled towards Yangtze
River Delta levels, with a district-specific lag, scale and noise, so the three districts are
correlated but not identical. Two stations per district scatter around their district.
Deterministic (seeded). Labelled synthetic wherever shown.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from forecasting.config import DATA_DIR_BUNDLED
from forecasting.vocab import BEIJING_ZONE, DISTRICT_ORDER

QP, WJ, JS = DISTRICT_ORDER  # Qingpu, Wujiang, Jiashan

__all__ = ["PRSA_FILE", "DEMO_STATIONS", "DISTRICT_STYLE", "demo_district_series", "demo_station_observations",
           "known_station_observations"]

PRSA_FILE = DATA_DIR_BUNDLED / "samples" / "beijing_prsa" / "PRSA_Data_Dongsi_20130301-20170228.csv"
_RECORD = (date(2013, 3, 2), date(2017, 2, 27))

#: Scale from Beijing Dongsi to the zone's typical levels, per pollutant [1].
ZONE_SCALE = {"pm25": 0.55, "pm10": 0.55, "o3": 1.5, "no2": 0.75, "so2": 0.45, "co": 0.65}

#: Per district: (lag [h], scale [1], noise sd [log units]).
DISTRICT_STYLE = {QP: (0, 1.00, 0.06), WJ: (2, 1.06, 0.07), JS: (-2, 0.94, 0.07)}

#: Two stations per district: id, name, lon, lat, district.
DEMO_STATIONS = (
    ("QP01", "青浦 淀山湖", 120.96, 31.10, QP),
    ("QP02", "青浦 城区", 121.12, 31.15, QP),
    ("WJ01", "吴江 开发区", 120.65, 31.16, WJ),
    ("WJ02", "吴江 汾湖", 120.80, 31.03, WJ),
    ("JS01", "嘉善 城区", 120.92, 30.84, JS),
    ("JS02", "嘉善 西塘", 120.89, 30.94, JS),
)


def _source_offset(first: date, last: date) -> int:
    """Whole years to subtract so [first, last] falls inside the record."""
    for years in range(0, 40):
        try:
            a, b = first.replace(year=first.year - years), last.replace(year=last.year - years)
        except ValueError:  # 29 February
            continue
        if _RECORD[0] <= a and b <= _RECORD[1]:
            return years
    raise ValueError(f"no year of the record covers {first}..{last}")


def demo_district_series(first: date, last: date, *, seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations ``time district pollutant value``, met ``time district variable value``) for
    the Beijing days ``first``..``last``, hour-ending UTC times."""
    from forecasting.observations import prsa_long, read_prsa

    years = _source_offset(first - timedelta(days=1), last + timedelta(days=1))
    wide = read_prsa(PRSA_FILE)
    start = pd.Timestamp(datetime.combine(first, datetime.min.time()), tz=BEIJING_ZONE).tz_convert("UTC")
    end = pd.Timestamp(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz=BEIJING_ZONE).tz_convert("UTC")
    shift = pd.DateOffset(years=years)
    rng = np.random.default_rng(seed)
    obs_frames, met_frames = [], []
    for adcode, (lag, scale, sd) in DISTRICT_STYLE.items():
        src = wide.loc[(start - shift - pd.Timedelta(hours=lag + 3)):(end - shift - pd.Timedelta(hours=lag - 3))].copy()
        src.index = src.index + shift + pd.Timedelta(hours=lag)
        src = src[~src.index.duplicated()].reindex(pd.date_range(start + pd.Timedelta(hours=1), end, freq="h"))
        noises = {}
        for pol, k in ZONE_SCALE.items():
            noises[pol] = np.exp(sd * rng.standard_normal(len(src)) - sd * sd / 2)
            # PM2.5 is part of PM10: one air mass, one departure from the record for both sizes (a draw
            # of their own made PM2.5 exceed PM10 in a fifth of the hours; the stations' quality control
            # removed those, and 200 of a year's 1,113 district-days had no daily AQI); PM10's own draw
            # is still made, so every other series is as it was
            src[pol] = src[pol] * k * scale * noises["pm25" if pol == "pm10" else pol]
        src["co"] = src["co"].round(2)
        src["station"] = adcode
        o, m = prsa_long(src.rename_axis("time"), district=adcode)
        obs_frames.append(o)
        met_frames.append(m)
    return pd.concat(obs_frames, ignore_index=True), pd.concat(met_frames, ignore_index=True)


def demo_station_observations(district_obs: pd.DataFrame, *, seed: int = 7) -> pd.DataFrame:
    """Station observations ``station time pollutant value`` scattered ±4 % around their district.

    A station's PM2.5 and PM10 of one hour share their factor (one inlet, one air sample), so a station
    reports PM2.5 above PM10 only where its district does. The factors are drawn for the rows given:
    a build passes its whole series and keeps the hours it knows (:func:`known_station_observations`),
    so that the past does not depend on the hour the world was built.
    """
    rng = np.random.default_rng(seed)
    frames = []
    for sid, _name, _lon, _lat, adcode in DEMO_STATIONS:
        part = district_obs[district_obs["district"] == adcode]
        factor = np.exp(0.04 * rng.standard_normal(len(part)))
        pollutant = part["pollutant"].to_numpy()
        pm25 = pollutant == "pm25"
        shared = pd.Series(factor[pm25], index=pd.DatetimeIndex(part["time"].to_numpy()[pm25]))
        shared = shared[~shared.index.duplicated()]
        pm10 = pollutant == "pm10"
        same = shared.reindex(pd.DatetimeIndex(part["time"].to_numpy()[pm10])).to_numpy()
        factor[pm10] = np.where(np.isfinite(same), same, factor[pm10])  # its own where the hour has no PM2.5
        values = part["value"].to_numpy(float) * factor
        values = np.where(part["pollutant"].to_numpy() == "co", np.round(values, 2), np.round(values, 0))
        frames.append(pd.DataFrame({"station": sid, "time": part["time"].to_numpy(), "pollutant": part["pollutant"],
                                    "value": values}))
    out = pd.concat(frames, ignore_index=True)
    out["time"] = pd.to_datetime(out["time"], utc=True)
    return out


def known_station_observations(district_obs: pd.DataFrame, now, *, seed: int = 7) -> pd.DataFrame:
    """The station observations of the hours ended by ``now`` (UTC; hour-ending labels up to its hour).

    Drawn over the whole of ``district_obs`` and then cut: a world built at 07:23 and one built at 08:02
    of the same day have the same values for every hour both know (drawn over the known hours only, every
    station after the first took other random numbers, and yesterday's quality control and daily AQI
    changed with the hour of the build).
    """
    stations = demo_station_observations(district_obs, seed=seed)
    cut = pd.Timestamp(now)
    cut = (cut.tz_convert("UTC") if cut.tzinfo else cut.tz_localize("UTC")).floor("h")
    return stations[stations["time"] <= cut].reset_index(drop=True)


def stations_frame() -> pd.DataFrame:
    return pd.DataFrame(DEMO_STATIONS, columns=["station", "name", "lon", "lat", "district"])
