"""From hourly series to daily and hourly (real-time) AQI: Beijing natural days, validity, O3 MDA8.

Time conventions (spec §2.3; DESIGN.md):

- inputs are stamped in UTC and an hourly value is labelled by the **end** of its hour;
- a natural day D is Beijing time (UTC+8, no daylight saving): the hourly values labelled
  D 01:00 … D 24:00 (= D+1 00:00) Beijing, i.e. stamped UTC D−1 17:00 … D 16:00;
- daily means (GB 3095-2026 §3.10, Table 4): mean of the valid hours, valid with ≥ 20 of 24;
- O3 MDA8 (GB 3095-2026 §3.9; HJ 663 §6.1.2 as reported, spec §2.3): the maximum of the 17 8-h
  averages ending 08:00 … 24:00 of the day (never using the previous day), each valid with ≥ 6 of 8
  hours (mean of the valid hours); the MDA8 is valid with ≥ 14 valid windows, or with fewer when the
  maximum exceeds the limit (160 µg/m³, GB 3095 grade II; UNCONFIRMED which limit);
- O3 daily maximum 1-h (HJ 633-2012 daily report): maximum of the valid hours, required ≥ 20 valid
  hours like the daily means (our decision, spec open);
- real-time, HJ 633-2012 §5.1.3: PM10/PM2.5 24-h and O3 8-h **moving** averages ending at the hour
  (they may cross midnight); validity ≥ 20 of 24 and ≥ 6 of 8. The SO2 24-h moving average serves
  the SO2 1 h > 800 fallback. HJ 633-2026 §4.2.3 uses the 1-h values only.

Inputs: a pandas DataFrame indexed by a timezone-aware time (any zone; converted to UTC) with
columns ``pm25 pm10 o3 no2 so2 co`` [µg/m³; CO mg/m³] and optionally a ``district`` column; or an
xarray Dataset with a ``time`` dimension (naive datetime64 taken as UTC) and any other dimensions
(``district``, ``y``, ``x`` ...). Absent pollutants are missing. Outputs have the same type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.aqi.core import aqi_arrays, resolve_edition
from forecasting.aqi.levels import level_info
from forecasting.vocab import BEIJING_ZONE
from forecasting.aqi.tables import (
    INDICATORS,
    POLLUTANTS,
    AQIInputError,
    _as_date,
    edition_for,
)

__all__ = [
    "BEIJING_OFFSET",
    "beijing_day_bounds",
    "hour_labels",
    "beijing_day_of",
    "daily_indicators",
    "hourly_indicators",
    "daily_aqi",
    "hourly_aqi",
]

#: Beijing time is UTC+8 all year (no daylight saving since 1991).
BEIJING_OFFSET = pd.Timedelta(hours=8)
_HOUR = pd.Timedelta(hours=1)


def beijing_day_bounds(day) -> tuple[pd.Timestamp, pd.Timestamp]:
    """UTC start and end of the Beijing natural day ``day`` (spec §2.3, T50).

    2026-03-05 gives (2026-03-04 16:00 UTC, 2026-03-05 16:00 UTC). The hourly values of the day are
    those stamped (hour-ending) in ``(start, end]``.
    """
    start = pd.Timestamp(_as_date(day)).tz_localize("UTC") - BEIJING_OFFSET
    return start, start + pd.Timedelta(hours=24)


def hour_labels(day) -> pd.DatetimeIndex:
    """The 24 hour-ending labels of a Beijing natural day, in Beijing time: D 01:00 … D+1 00:00."""
    start, _ = beijing_day_bounds(day)
    return pd.date_range(start + _HOUR, periods=24, freq="h").tz_convert(BEIJING_ZONE)


def beijing_day_of(times) -> pd.DatetimeIndex:
    """Beijing natural day (naive midnight) of hour-ending stamps ``times`` (UTC, aware or naive)."""
    t = pd.DatetimeIndex(times)
    if t.tz is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return (t + BEIJING_OFFSET - _HOUR).normalize()


# --------------------------------------------------------------------------------------------- input


def _to_dataset(hourly) -> tuple[xr.Dataset, bool]:
    """Hourly input as a Dataset with dim ``time`` (naive UTC, sorted, unique); and whether it was pandas."""
    if isinstance(hourly, pd.Series):
        if hourly.name not in POLLUTANTS:
            raise AQIInputError(f"a Series must be named after a pollutant ({' '.join(POLLUTANTS)}), "
                                f"got {hourly.name!r}", key="aqi.error.input")
        hourly = hourly.to_frame()
    if isinstance(hourly, xr.DataArray):
        if hourly.name not in POLLUTANTS:
            raise AQIInputError(f"a DataArray must be named after a pollutant, got {hourly.name!r}",
                                key="aqi.error.input")
        hourly = hourly.to_dataset()
    if isinstance(hourly, pd.DataFrame):
        idx = hourly.index
        if not isinstance(idx, pd.DatetimeIndex):
            raise AQIInputError("hourly data must be indexed by time (a DatetimeIndex), got "
                                f"{type(idx).__name__}", key="aqi.error.input")
        if idx.tz is None:
            raise AQIInputError("hourly time index must be timezone-aware (UTC); "
                                "use df.tz_localize('UTC') if the stamps are UTC", key="aqi.error.input")
        cols = [p for p in POLLUTANTS if p in hourly.columns]
        if not cols:
            raise AQIInputError(f"no pollutant columns: expected some of {' '.join(POLLUTANTS)}",
                                key="aqi.error.input")
        frame = hourly[cols + (["district"] if "district" in hourly.columns else [])].copy()
        frame.index = idx.tz_convert("UTC").tz_localize(None).rename("time")
        if "district" in frame.columns:
            frame = frame.set_index("district", append=True)
            if frame.index.duplicated().any():
                raise AQIInputError("duplicate (time, district) rows in hourly data", key="aqi.error.input")
            ds = frame.to_xarray()
        else:
            if frame.index.duplicated().any():
                raise AQIInputError("duplicate times in hourly data", key="aqi.error.input")
            ds = frame.to_xarray()
        return _check_times(ds), True
    if isinstance(hourly, xr.Dataset):
        if "time" not in hourly.dims:
            raise AQIInputError("hourly Dataset needs a 'time' dimension", key="aqi.error.input")
        cols = [p for p in POLLUTANTS if p in hourly.data_vars]
        if not cols:
            raise AQIInputError(f"no pollutant variables: expected some of {' '.join(POLLUTANTS)}",
                                key="aqi.error.input")
        return _check_times(hourly[cols]), False
    raise AQIInputError(f"hourly data must be a pandas DataFrame/Series or an xarray Dataset, got "
                        f"{type(hourly).__name__}", key="aqi.error.input")


def _check_times(ds: xr.Dataset) -> xr.Dataset:
    t = pd.DatetimeIndex(ds["time"].values)
    if t.tz is not None:
        t = t.tz_convert("UTC").tz_localize(None)
        ds = ds.assign_coords(time=t)
    if t.has_duplicates:
        raise AQIInputError("duplicate times in hourly data", key="aqi.error.input")
    if len(t) and ((t.minute != 0) | (t.second != 0) | (t.nanosecond != 0) | (t.microsecond != 0)).any():
        raise AQIInputError("hourly stamps must fall on the full hour (hour-ending labels)",
                            key="aqi.error.input")
    if len(t) == 0:
        raise AQIInputError("hourly data is empty", key="aqi.error.input")
    ds = ds.sortby("time")
    template = ds[next(iter(ds.data_vars))]
    for p in POLLUTANTS:  # absent pollutants are missing
        if p not in ds.data_vars:
            ds[p] = xr.full_like(template, np.nan, dtype=np.float64)
    return ds.astype(np.float64)


# ------------------------------------------------------------------------------------ indicators


def _daily_from_dataset(ds: xr.Dataset, *, min_hours: int, min_window_hours: int, min_windows: int,
                        o3_limit: float) -> xr.Dataset:
    t = pd.DatetimeIndex(ds["time"].values)
    days = beijing_day_of(t)
    dates = pd.date_range(days.min(), days.max(), freq="D")
    full = pd.date_range(dates[0] - BEIJING_OFFSET + _HOUR, periods=24 * len(dates), freq="h")
    regular = ds.reindex(time=full).drop_vars("time")
    c = regular.coarsen(time=24).construct(time=("date", "hour")).assign_coords(date=dates)
    out = {}
    for p in POLLUTANTS:
        x = c[p]
        n = x.notnull().sum("hour")
        if p == "o3":
            windows = x.rolling(hour=8, min_periods=min_window_hours).mean().isel(hour=slice(7, None))
            n_win = windows.notnull().sum("hour")
            mda8 = windows.max("hour", skipna=True)
            out["o3_8h"] = mda8.where((n_win >= min_windows) | (mda8 > o3_limit))
            out["o3_1h"] = x.max("hour", skipna=True).where(n >= min_hours)
        else:
            out[f"{p}_24h"] = x.mean("hour", skipna=True).where(n >= min_hours)
    order = [k for k in INDICATORS if k in out]
    result = xr.Dataset({k: out[k] for k in order})
    result["date"].attrs["long_name"] = "Beijing natural day (hours labelled D 01:00 to D 24:00)"
    return result


def daily_indicators(hourly, *, min_hours: int = 20, min_window_hours: int = 6, min_windows: int = 14,
                     o3_limit: float = 160.0):
    """Daily AQI indicators of each Beijing natural day from hourly concentrations.

    ``pm25_24h pm10_24h so2_24h no2_24h co_24h`` (daily means, GB 3095-2026 §3.10 and Table 4),
    ``o3_8h`` (MDA8 of the windows ending 08:00-24:00, GB 3095-2026 §3.9) and ``o3_1h`` (daily maximum
    1-h, used by HJ 633-2012 only). Values are **not rounded** (rounding happens once, in the AQI).

    Parameters
    ----------
    hourly : DataFrame, Series or Dataset
        Hourly concentrations [µg/m³; CO mg/m³], hour-ending stamps in UTC (see module docstring).
    min_hours : int
        Valid hours needed for a daily mean or the O3 1-h maximum [h] (GB 3095 Table 4: 20).
    min_window_hours : int
        Valid hours needed in an 8-h O3 window [h] (GB 3095 Table 4: 6).
    min_windows : int
        Valid 8-h windows needed for the MDA8 (HJ 663 §6.1.2 as reported: 14 of 17).
    o3_limit : float
        With fewer windows the MDA8 is still valid when above this [µg/m³] (160, UNCONFIRMED).

    Returns
    -------
    DataFrame indexed by ``date`` (or ``district``, ``date``), or Dataset with dim ``date``; dates are
    naive midnights of the Beijing day.
    """
    ds, was_pandas = _to_dataset(hourly)
    out = _daily_from_dataset(ds, min_hours=min_hours, min_window_hours=min_window_hours,
                              min_windows=min_windows, o3_limit=o3_limit)
    return _to_frame(out, "date") if was_pandas else out


def _hourly_from_dataset(ds: xr.Dataset, *, min_hours: int, min_window_hours: int) -> xr.Dataset:
    t = pd.DatetimeIndex(ds["time"].values)
    full = pd.date_range(t.min(), t.max(), freq="h")
    x = ds.reindex(time=full)
    out = {f"{p}_1h": x[p] for p in POLLUTANTS}
    for p in ("pm25", "pm10", "so2"):
        out[f"{p}_24h"] = x[p].rolling(time=24, min_periods=min_hours).mean()
    out["o3_8h"] = x["o3"].rolling(time=8, min_periods=min_window_hours).mean()
    order = [k for k in INDICATORS if k in out]
    return xr.Dataset({k: out[k] for k in order})


def hourly_indicators(hourly, *, min_hours: int = 20, min_window_hours: int = 6):
    """Real-time indicators at every hour: the six 1-h values and the trailing moving averages.

    ``pm25_1h pm10_1h so2_1h no2_1h co_1h o3_1h`` (HJ 633-2026 §4.2.3) and, for HJ 633-2012 §5.1.3,
    ``pm25_24h pm10_24h`` (24-h moving means, ≥ ``min_hours`` valid), ``o3_8h`` (8-h moving mean,
    ≥ ``min_window_hours`` valid) and ``so2_24h`` (for the SO2 1 h > 800 fallback). Moving windows end
    at the hour and may cross midnight. The time axis is made regular (gaps become missing hours).
    """
    ds, was_pandas = _to_dataset(hourly)
    out = _hourly_from_dataset(ds, min_hours=min_hours, min_window_hours=min_window_hours)
    return _to_frame(out, "time") if was_pandas else out


# ---------------------------------------------------------------------------------------------- AQI


def _aqi_on_dataset(ind: xr.Dataset, *, dim: str, kind: str, editions: np.ndarray) -> xr.Dataset:
    keys = [k for k in INDICATORS if k in ind.data_vars]
    template = ind[keys[0]].transpose(dim, ...)
    dims, shape = template.dims, template.shape
    arrays = {k: np.asarray(ind[k].transpose(*dims).values, dtype=np.float64) for k in keys}
    out_f: dict[str, np.ndarray] = {}
    out_b: dict[str, np.ndarray] = {}

    def put(store, name, idx, values, fill, dtype):
        if name not in store:
            store[name] = np.full(shape, fill, dtype=dtype)
        store[name][idx] = values

    for ed in pd.unique(editions):
        idx = np.flatnonzero(editions == ed)
        res = aqi_arrays({k: a[idx] for k, a in arrays.items()}, edition=ed, kind=kind)
        put(out_f, "aqi", idx, np.where(res.aqi >= 0, res.aqi, np.nan), np.nan, np.float64)
        put(out_f, "aqi_computed", idx, np.where(res.aqi_computed >= 0, res.aqi_computed, np.nan), np.nan,
            np.float64)
        put(out_f, "level", idx, np.where(res.level > 0, res.level, np.nan), np.nan, np.float64)
        for k in keys:
            put(out_f, k, idx, res.rounded[k], np.nan, np.float64)
        for k, v in res.iaqi.items():
            put(out_f, f"iaqi_{k}", idx, np.where(v >= 0, v, np.nan), np.nan, np.float64)
            put(out_b, f"primary_{k}", idx, res.primary[k], False, bool)
            put(out_b, f"above_range_{k}", idx, res.above_range[k], False, bool)
            put(out_b, f"missing_{k}", idx, res.missing[k], False, bool)
    coords = {d: ind[d] for d in dims if d in ind.coords}
    result = xr.Dataset({name: (dims, arr) for name, arr in {**out_f, **out_b}.items()}, coords=coords)
    result["edition"] = ((dim,), np.asarray(editions, dtype=object))
    return result


def _editions_along(labels: pd.DatetimeIndex, edition) -> np.ndarray:
    if edition is not None:
        return np.full(len(labels), resolve_edition(edition), dtype=object)
    return np.array([edition_for(d.date()) for d in labels], dtype=object)


def daily_aqi(hourly, *, edition=None, min_hours: int = 20, min_window_hours: int = 6,
              min_windows: int = 14, o3_limit: float = 160.0):
    """Daily AQI of each Beijing natural day (HJ 633-2026 §4.2.2, §4.2.5; HJ 633-2012 §5.1.2).

    Indicators from :func:`daily_indicators`, then :func:`~forecasting.aqi.aqi_arrays` with
    ``kind="daily"``. The edition is chosen per day by :func:`~forecasting.aqi.edition_for` unless
    ``edition`` is given.

    Returns
    -------
    pandas input: a DataFrame indexed by ``date`` (or ``district``, ``date``) with columns ``edition``,
    ``aqi``, ``level``, ``category_zh``, ``category_en``, ``color``, ``primary_pollutants`` (tuple of
    indicators), ``above_range``, ``missing`` (tuples), ``aqi_computed``, the rounded indicator
    concentrations and ``iaqi_<indicator>``; NaN where not published.
    xarray input: a Dataset with dim ``date`` and variables ``aqi``, ``aqi_computed``, ``level``,
    ``<indicator>`` (rounded), ``iaqi_<indicator>``, ``primary_<indicator>``, ``above_range_<indicator>``,
    ``missing_<indicator>``, ``edition``.
    """
    ds, was_pandas = _to_dataset(hourly)
    ind = _daily_from_dataset(ds, min_hours=min_hours, min_window_hours=min_window_hours,
                              min_windows=min_windows, o3_limit=o3_limit)
    eds = _editions_along(pd.DatetimeIndex(ind["date"].values), edition)
    out = _aqi_on_dataset(ind, dim="date", kind="daily", editions=eds)
    return _aqi_frame(out, "date") if was_pandas else out


def hourly_aqi(hourly, *, edition=None, min_hours: int = 20, min_window_hours: int = 6):
    """Hourly (real-time) AQI at every hour (HJ 633-2026 §4.2.3; HJ 633-2012 §5.1.3, Table 4).

    The edition is chosen per hour from the Beijing natural day the hour belongs to (the hour ending
    2026-03-01 00:00 Beijing belongs to 2026-02-28, HJ 633-2012) unless ``edition`` is given. Returns the
    same layout as :func:`daily_aqi` with ``time`` (UTC) instead of ``date``.
    """
    ds, was_pandas = _to_dataset(hourly)
    ind = _hourly_from_dataset(ds, min_hours=min_hours, min_window_hours=min_window_hours)
    t = pd.DatetimeIndex(ind["time"].values)
    eds = _editions_along(beijing_day_of(t), edition)
    out = _aqi_on_dataset(ind, dim="time", kind="hourly", editions=eds)
    return _aqi_frame(out, "time") if was_pandas else out


# ------------------------------------------------------------------------------------------- output


def _to_frame(ds: xr.Dataset, dim: str) -> pd.DataFrame:
    order = ["district", dim] if "district" in ds.dims else [dim]
    df = ds.to_dataframe(dim_order=order)
    if dim == "time":
        df = df.reset_index()
        df["time"] = df["time"].dt.tz_localize("UTC")
        df = df.set_index(order)
    return df


def _aqi_frame(ds: xr.Dataset, dim: str) -> pd.DataFrame:
    df = _to_frame(ds, dim)
    keys = [k for k in INDICATORS if f"iaqi_{k}" in df.columns]

    def tuples(prefix):
        # each row's flags as one integer (bit j: keys[j]), so each distinct combination is spelt once
        m = np.column_stack([df[f"{prefix}_{k}"].to_numpy(dtype=bool) for k in keys])
        codes, where = np.unique(m.astype(np.int64) @ (1 << np.arange(len(keys), dtype=np.int64)),
                                 return_inverse=True)
        spelt = [tuple(k for j, k in enumerate(keys) if int(code) >> j & 1) for code in codes]
        return [spelt[i] for i in where.ravel()]

    levels = df["level"].to_numpy()
    pairs = list(zip(np.where(np.isfinite(levels), levels, 0).astype(int).tolist(), df["edition"].tolist()))
    known = {pair: level_info(level=pair[0], edition=pair[1]) if pair[0] else None for pair in set(pairs)}
    infos = [known[pair] for pair in pairs]
    df["category_zh"] = [i.category_zh if i else None for i in infos]
    df["category_en"] = [i.category_en if i else None for i in infos]
    df["color"] = [i.hex if i else None for i in infos]
    df["primary_pollutants"] = tuples("primary")
    df["above_range"] = tuples("above_range")
    df["missing"] = tuples("missing")
    df = df.drop(columns=[c for c in df.columns if c.startswith(("primary_", "above_range_", "missing_"))
                          and c != "primary_pollutants"])
    front = ["edition", "aqi", "level", "category_zh", "category_en", "color", "primary_pollutants",
             "above_range", "missing", "aqi_computed"]
    rest = [c for c in df.columns if c not in front]
    return df[front + rest]
