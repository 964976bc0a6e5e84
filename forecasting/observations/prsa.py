"""Reader for the PRSA hourly files (UCI "Beijing Multi-Site Air-Quality", Zhang et al. 2017).

Columns ``No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station``;
``NA`` is missing; times are Beijing local time; every concentration is in µg/m³, CO included.
We read the ``hour`` field as the **beginning** of the averaging hour (row ``hour = 0`` is
00:00-01:00), so it is labelled 01:00 in our hour-ending convention (+1 h), then converted to UTC.
CO is divided by 1000 (mg/m³). Meteorology: ``t2`` = TEMP [°C], ``rh`` from TEMP and DEWP with the
Magnus formula (Alduchov and Eskridge 1996, doi:10.1175/1520-0450(1996)035<0601:IMFAOS>2.0.CO;2)
[%], ``ws`` = WSPM [m/s], ``wd`` the 16-point compass direction in degrees, ``pres`` [hPa], ``rain`` [mm].

Zhang, S., Guo, B., Dong, A., He, J., Xu, Z. and Chen, S. X. (2017), Cautionary tales on
air-quality improvement in Beijing, Proc. R. Soc. A 473: 20170457, doi:10.1098/rspa.2017.0457.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.errors import FormatError, ValidationError
from forecasting.vocab import BEIJING_ZONE

__all__ = ["COMPASS", "read_prsa", "prsa_long", "relative_humidity"]

COMPASS = {d: 22.5 * i for i, d in enumerate(
    ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"])}
_POLLUTANTS = {"PM2.5": "pm25", "PM10": "pm10", "SO2": "so2", "NO2": "no2", "CO": "co", "O3": "o3"}
_NEEDED = ["year", "month", "day", "hour", *_POLLUTANTS, "TEMP", "PRES", "DEWP", "RAIN", "wd", "WSPM", "station"]


def relative_humidity(t2, dewpoint):
    """RH [%] from temperature and dew point [°C] (Magnus, Alduchov and Eskridge 1996 eq. 21)."""
    def es(t):
        return 6.1094 * np.exp(17.625 * t / (t + 243.04))
    return np.clip(100.0 * es(np.asarray(dewpoint, float)) / es(np.asarray(t2, float)), 0.0, 100.0)


def read_prsa(source) -> pd.DataFrame:
    """One PRSA file as a wide frame indexed by hour-ending UTC time.

    Columns ``station pm25 pm10 o3 no2 so2 co t2 rh ws wd pres rain`` (canonical units).
    """
    try:
        raw = pd.read_csv(source, na_values=["NA"], keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise FormatError(f"{source}: not a PRSA CSV file: {exc}") from exc
    missing = [c for c in _NEEDED if c not in raw.columns]
    if missing:
        raise FormatError(f"{source}: not a PRSA file, missing column(s) {', '.join(missing)}")
    for c in ["year", "month", "day", "hour"]:
        if raw[c].isna().any() or not pd.api.types.is_numeric_dtype(raw[c]):
            i = int(np.flatnonzero(pd.to_numeric(raw[c], errors="coerce").isna().to_numpy())[0])
            raise ValidationError(f"{source}: line {i + 2}, column {c!r}: expected a whole number, got {raw[c].iloc[i]!r}")
    local = pd.to_datetime(raw[["year", "month", "day", "hour"]].astype(int), errors="coerce")
    if local.isna().any():
        i = int(np.flatnonzero(local.isna().to_numpy())[0])
        raise ValidationError(f"{source}: line {i + 2}: expected a valid date and hour, got "
                              f"{raw.loc[i, ['year', 'month', 'day', 'hour']].tolist()}")
    time = (local + pd.Timedelta(hours=1)).dt.tz_localize(BEIJING_ZONE).dt.tz_convert("UTC")
    out = pd.DataFrame({"station": raw["station"].astype(str).to_numpy()}, index=pd.DatetimeIndex(time, name="time"))
    for src, dst in _POLLUTANTS.items():
        v = pd.to_numeric(raw[src], errors="coerce").to_numpy(dtype=float)
        out[dst] = v / 1000.0 if dst == "co" else v
    out["t2"] = raw["TEMP"].to_numpy(dtype=float)
    out["rh"] = relative_humidity(raw["TEMP"].to_numpy(float), raw["DEWP"].to_numpy(float))
    out["ws"] = raw["WSPM"].to_numpy(dtype=float)
    out["wd"] = raw["wd"].map(COMPASS).to_numpy(dtype=float)
    out["pres"] = raw["PRES"].to_numpy(dtype=float)
    out["rain"] = raw["RAIN"].to_numpy(dtype=float)
    return out


def prsa_long(wide: pd.DataFrame, *, district: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations, met) as tidy tables from :func:`read_prsa`.

    With ``district`` the tables are district-level (``time district pollutant value`` and
    ``time district variable value``); otherwise station-level (``station`` instead of ``district``).
    """
    who = "district" if district is not None else "station"
    ident = district if district is not None else wide["station"].to_numpy()
    frame = wide.reset_index().assign(**{who: ident})
    obs = frame.melt(id_vars=["time", who], value_vars=list(_POLLUTANTS.values()), var_name="pollutant",
                     value_name="value")
    met = frame.melt(id_vars=["time", who], value_vars=["t2", "rh", "ws", "wd"], var_name="variable",
                     value_name="value")
    return obs.dropna(subset=["value"]).reset_index(drop=True), met.dropna(subset=["value"]).reset_index(drop=True)
