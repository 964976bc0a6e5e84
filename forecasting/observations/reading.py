"""Read hourly station observations and station metadata from CSV (all-or-nothing).

Time convention: an hourly value is labelled by the **end** of its hour (HJ 663 Table A.1 as
quoted in spec ``china-aqi.md`` §2.3): the value labelled 10:00 is the mean over 09:00-10:00.
Data labelled by the beginning of the hour (``hour_label="begin"``, e.g. the PRSA files) are
shifted by +1 h. Times carry an explicit UTC offset (``2026-03-05T10:00+08:00``); times without
one are read in ``timezone`` when the caller gives it (``"Asia/Shanghai"`` for Beijing time) and
are an error otherwise. Everything returned is UTC, tz-aware.

Layouts: *wide*, one row per station and hour (``station,time,pm25,pm10,o3,no2,so2,co``, any
non-empty subset of the pollutants), or *long*, one row per station, hour and pollutant
(``station,time,pollutant,value`` and optionally ``unit``). Units are canonical (µg/m³, CO
mg/m³); a long file's ``unit`` column may also say ``ug/m3`` for CO (divided by 1000). Empty,
``NA``, ``NaN``, ``-`` and ``—`` are missing values. Text is UTF-8 (Excel's byte-order mark allowed) or GB18030, which
covers GBK, what Excel on a Chinese Windows writes as "CSV"; a header may write ``PM2.5`` for ``pm25``.
Columns the layout does not read (``aqi``, ``o3_8h``, a station's name) are named in the result's
``attrs["ignored_columns"]`` so that the importer can say so; an Excel workbook is refused. A malformed row raises
:class:`~forecasting.errors.ValidationError` naming the line, the column and what was expected,
and nothing is returned.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.errors import FormatError, UnitError, ValidationError
from forecasting.vocab import POLLUTANTS, ZONE_DISTRICTS, adcode_of

__all__ = ["POLLUTANTS", "MISSING", "read_station_csv", "read_stations"]

# POLLUTANTS: the vocabulary's (forecasting.vocab), re-exported.
MISSING = ("", "NA", "NaN", "nan", "-", "—", "null")
_UNITS = {  # accepted spellings → factor to canonical
    "pm25": {"µg/m³": 1.0, "ug/m3": 1.0, "μg/m³": 1.0, "µg/m3": 1.0, "μg/m3": 1.0},
    "co": {"mg/m³": 1.0, "mg/m3": 1.0, "µg/m³": 0.001, "ug/m3": 0.001, "μg/m³": 0.001, "µg/m3": 0.001},
}
for _p in ("pm10", "o3", "no2", "so2"):
    _UNITS[_p] = _UNITS["pm25"]


#: the first bytes of what is not a CSV file but is often uploaded as one: an Excel workbook (.xlsx is a ZIP
#: file, .xls an OLE2 compound file)
_SPREADSHEET = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _decode(raw: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 (with or without Excel's byte-order mark), else GB18030, which
    covers GBK and GB2312, the encoding Excel on a Chinese Windows writes for "CSV (逗号分隔)".
    A workbook, or bytes that are neither (a NUL in them: NetCDF, HDF5, an image), are refused."""
    if raw.startswith(_SPREADSHEET):
        raise FormatError(f"{name}: an Excel workbook, not a CSV file; save it as CSV (UTF-8) first",
                          key="obs.spreadsheet", file=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" not in raw:
            try:
                return raw.decode("gb18030")
            except UnicodeDecodeError:
                pass
        raise FormatError(f"{name}: not a text file in UTF-8 or GB18030 (byte {exc.start + 1} cannot be read)",
                          key="obs.not_text", file=name, byte=exc.start + 1) from None


#: header spellings read as the canonical pollutant name (a monitoring export writes "PM2.5")
_HEADER_ALIASES = {"pm2.5": "pm25", "pm2_5": "pm25"}


def _once(header: list[str], name: str) -> None:
    """Refuse a header that names a column twice (after reading ``PM2.5`` as ``pm25``)."""
    header = [_HEADER_ALIASES.get(c, c) for c in header]
    twice = sorted({c for c in header if c and header.count(c) > 1})  # Excel's trailing empty columns are no names
    if twice:
        raise FormatError(f"{name}: the header names {', '.join(twice)} more than once",
                          key="obs.csv_duplicate_column", file=name, columns=", ".join(twice),
                          columns_zh="、".join(twice))


def _read_text(source) -> tuple[pd.DataFrame, str]:
    """All cells as stripped text; every line must have as many fields as the header, and no two header
    names the same."""
    name = str(source) if isinstance(source, (str, Path)) else getattr(source, "name", "<stream>")
    if isinstance(source, (str, Path)):
        try:
            text = _decode(Path(source).read_bytes(), name)
        except FileNotFoundError as exc:
            raise FormatError(f"{source}: file not found", key="obs.file_not_found", file=str(source)) from exc
    else:
        text = source.read()
        text = _decode(text, name) if isinstance(text, bytes) else text
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    rows, header, lines = [], None, []
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            continue
        if len(row) != len(header):
            raise ValidationError(
                f"{name}: line {reader.line_num}: expected {len(header)} fields ({', '.join(header)}), got {len(row)}",
                key="correction.csv_field_count", file=name, line=reader.line_num, expected=len(header), got=len(row),
            )
        rows.append([c.strip() for c in row])
        lines.append(reader.line_num)
    if header is None:
        raise FormatError(f"{name}: the file is empty; expected a header line", key="obs.csv_empty", file=name)
    _once(header, name)
    frame = pd.DataFrame(rows, columns=header, dtype=object).astype(str) if rows else pd.DataFrame(columns=header)
    frame.index = pd.Index(np.asarray(lines, dtype=int) - 2)  # so that index + 2 is the line number
    return frame, name


#: Observation times the app accepts (UTC): a monitoring record, not a calendar of all time.
_FIRST_TIME = pd.Timestamp("1970-01-01", tz="UTC")
_END_TIME = pd.Timestamp("2100-01-01", tz="UTC")


def _bad(name: str, i: int, column: str, expected: str, got, expected_zh: str) -> ValidationError:
    """The refusal of one cell: file, line (1 = the header), column, what was expected (English and
    Chinese, for the CLI and the pages) and what was found."""
    return ValidationError(f"{name}: line {i + 2}, column {column!r}: expected {expected}, got {got!r}",
                           key="correction.csv_bad_value", file=name, line=i + 2, column=column,
                           expected=expected, expected_zh=expected_zh, got=str(got))


def _numbers(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    text = frame[column].str.strip()
    missing = text.isin(MISSING)
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), column, "a number or an empty/NA cell", frame[column].iloc[i],
                   "数值，或空白/NA")
    return values.to_numpy(dtype=float)


#: "24:00", the end of a day (ISO 8601; HJ 663 labels a day's last hour "D 24:00"): read as 00:00 of the next day
_END_OF_DAY = r"(?<=[T ])24:00(?::00)?(?=$|[zZ+-])"


def _times(frame: pd.DataFrame, column: str, name: str, timezone: str | None, hour_label: str) -> pd.Series:
    text = frame[column].str.strip()
    end_of_day = text.str.contains(_END_OF_DAY, regex=True).to_numpy()
    if end_of_day.any():
        text = text.str.replace(_END_OF_DAY, "00:00", regex=True)
    next_day = pd.to_timedelta(end_of_day.astype(int), unit="D")
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601") + next_day
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _bad(name, int(frame.index[i]), column, "an ISO-8601 time such as 2026-03-05T10:00+08:00", frame[column].iloc[i],
                   "ISO-8601 时间，如 2026-03-05T10:00+08:00")
    has_offset = text.str.contains(r"(?:[zZ]|[+-]\d\d:?\d\d)$", regex=True).to_numpy()
    if not has_offset.all():
        if timezone is None:
            i = int(np.flatnonzero(~has_offset)[0])
            raise _bad(name, int(frame.index[i]), column, "a time with a UTC offset (such as +08:00), or a time zone chosen first for times without "
                       "one (such as Beijing time; --timezone Asia/Shanghai on the command line)",
                       frame[column].iloc[i], "带 UTC 偏移的时间（如 +08:00），或先指定无偏移时间的时区（如北京时间）")
        naive = pd.to_datetime(text[~has_offset], format="ISO8601") + next_day[~has_offset]
        try:
            local = naive.dt.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
        except (KeyError, ValueError) as exc:  # unknown zone name (ZoneInfoNotFoundError), ambiguous or missing hour
            raise ValidationError(f"{name}: cannot read times in time zone {timezone!r}: {exc}",
                                  key="obs.bad_timezone", file=name, zone=timezone, reason=str(exc)) from exc
        parsed = parsed.copy()
        parsed[~has_offset] = local.dt.tz_convert("UTC")
    outside = ((parsed < _FIRST_TIME) | (parsed >= _END_TIME)).to_numpy()
    if outside.any():  # e.g. 9999-12-31T23:00: readable, but no hour of it can be stored or labelled
        i = int(np.flatnonzero(outside)[0])
        raise _bad(name, int(frame.index[i]), column, "a time from 1970 to 2099", frame[column].iloc[i],
                   "1970 至 2099 年之间的时间")
    whole = (parsed.dt.minute == 0) & (parsed.dt.second == 0)
    if not whole.all():
        i = int(np.flatnonzero(~whole.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), column, "a whole hour (hourly values)", frame[column].iloc[i],
                   "整点时间（小时值）")
    if hour_label == "begin":
        parsed = parsed + pd.Timedelta(hours=1)
    elif hour_label != "end":
        raise ValidationError(f"hour_label must be 'end' or 'begin', got {hour_label!r}")
    return parsed


def read_station_csv(source, *, timezone: str | None = None, hour_label: str = "end") -> pd.DataFrame:
    """Station observations as a long table ``station time pollutant value line`` (UTC, hour-ending).

    ``line`` is the file line each value came from (for QC reports).

    Parameters
    ----------
    source : path or file-like
        Wide or long CSV (see the module docstring); the layout is detected from the header.
    timezone : str, keyword-only, optional
        Zone of times written without an offset, e.g. ``"Asia/Shanghai"`` (Beijing time).
    hour_label : {"end", "begin"}
        Whether the file labels an hour by its end (our convention) or its beginning (+1 h).

    Raises
    ------
    ValidationError
        A malformed row: message names the line, the column and what was expected.
    FormatError
        A header with neither layout.
    """
    frame, name = _read_text(source)
    cols = set(frame.columns)
    if "time" not in cols and {"lon", "lat", "district"} <= cols:  # the station list, chosen in the wrong place
        raise FormatError(f"{name}: a station list (station, name, lon, lat, district), not observations; "
                          "give it as the station metadata (--stations)", key="obs.stations_not_observations",
                          file=name)
    if not {"station", "time"} <= cols:
        raise FormatError(f"{name}: header must include 'station' and 'time'; got {', '.join(frame.columns)}",
                          key="obs.csv_header", file=name, got=", ".join(frame.columns))
    frame = frame.rename(columns=_HEADER_ALIASES)  # _read_text refused a header naming one twice (PM2.5, pm25)
    cols = set(frame.columns)
    station = frame["station"].str.strip()
    if (station == "").any():
        i = int(np.flatnonzero((station == "").to_numpy())[0])
        raise _bad(name, int(frame.index[i]), "station", "a station id", "", "站点编号")
    times = _times(frame, "time", name, timezone, hour_label)
    if {"pollutant", "value"} <= cols:
        pol = frame["pollutant"].str.strip().str.lower().replace({"pm2.5": "pm25", "pm2_5": "pm25"})
        unknown = ~pol.isin(POLLUTANTS)
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise _bad(name, int(frame.index[i]), "pollutant", f"one of {', '.join(POLLUTANTS)}", frame["pollutant"].iloc[i],
                       f"{'、'.join(POLLUTANTS)} 之一")
        values = _numbers(frame, "value", name)
        if "unit" in cols:
            factor = np.ones(len(frame))
            for i, (p, u) in enumerate(zip(pol, frame["unit"].str.strip())):
                f = _UNITS[p].get(u)
                if f is None:
                    raise UnitError(f"{name}: line {int(frame.index[i]) + 2}, column 'unit': unit {u!r} is not accepted for {p}; "
                                    f"expected one of {', '.join(sorted(_UNITS[p]))} (convert ppb first)",
                                    key="obs.bad_unit", file=name, line=int(frame.index[i]) + 2, unit=u, pollutant=p,
                                    accepted=", ".join(sorted(_UNITS[p])),
                                    accepted_zh="、".join(sorted(_UNITS[p])))
                factor[i] = f
            values = values * factor
        out = pd.DataFrame({"station": station.to_numpy(), "time": times.to_numpy(), "pollutant": pol.to_numpy(),
                            "value": values})
    else:
        present = [p for p in POLLUTANTS if p in cols]
        if not present:
            raise FormatError(f"{name}: header must name pollutant columns ({', '.join(POLLUTANTS)}) "
                              f"or 'pollutant' and 'value'; got {', '.join(frame.columns)}",
                              key="obs.no_pollutants", file=name, pollutants=", ".join(POLLUTANTS),
                              pollutants_zh="、".join(POLLUTANTS),
                              got=", ".join(frame.columns))
        parts = [pd.DataFrame({"station": station.to_numpy(), "time": times.to_numpy(), "pollutant": p,
                               "value": _numbers(frame, p, name)}) for p in present]
        out = pd.concat(parts, ignore_index=True)
    out["time"] = pd.to_datetime(out["time"], utc=True)
    out["line"] = np.tile(frame.index.to_numpy(dtype=int) + 2, len(out) // max(len(frame), 1)) if len(frame) else []
    out = out.sort_values(["station", "pollutant", "time"], kind="stable").reset_index(drop=True)
    read = {"station", "time", "pollutant", "value", "unit"} if {"pollutant", "value"} <= cols else {"station", "time", *POLLUTANTS}
    out.attrs["ignored_columns"] = tuple(c for c in frame.columns if c and c not in read)
    return out


def read_stations(source) -> pd.DataFrame:
    """Station metadata ``station name lon lat district`` (``id`` accepted for ``station``).

    ``lon`` [degrees east] in −180..180, ``lat`` [degrees north] in −90..90, ``district`` a
    six-digit adcode or a zone district's name (:func:`forecasting.vocab.adcode_of`; returned as its adcode).
    A malformed row raises :class:`ValidationError` with its line number.
    """
    frame, name = _read_text(source)
    if "id" in frame.columns and "station" not in frame.columns:
        frame = frame.rename(columns={"id": "station"})
    need = ["station", "name", "lon", "lat", "district"]
    missing = [c for c in need if c not in frame.columns]
    if missing and "time" in frame.columns:  # the observations, chosen in the station list's place
        raise FormatError(f"{name}: observations (with a time column), not a station list; give them as the "
                          "observations CSV", key="obs.observations_not_stations", file=name)
    if missing:
        raise FormatError(f"{name}: station metadata misses column(s) {', '.join(missing)}; expected {', '.join(need)}",
                          key="obs.stations_columns", file=name, missing=", ".join(missing), expected=", ".join(need),
                          missing_zh="、".join(missing), expected_zh="、".join(need))
    lon, lat = _numbers(frame, "lon", name), _numbers(frame, "lat", name)
    for col, v, lim in (("lon", lon, 180), ("lat", lat, 90)):
        bad = ~np.isfinite(v) | (np.abs(v) > lim)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _bad(name, int(frame.index[i]), col, f"a number between -{lim} and {lim}", frame[col].iloc[i],
                       f"-{lim} 至 {lim} 之间的数值")
    # an adcode, or a zone district's name as people write it in a station list (青浦区, 吴江, Jiashan)
    district = frame["district"].map(adcode_of)
    bad = district.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), "district",
                   "a six-digit adcode such as 310118, or a district's name ("
                   + ", ".join(d.short_en for d in ZONE_DISTRICTS) + ")", frame["district"].iloc[i],
                   "六位行政区划代码（如 310118）或区县名称（" + "、".join(d.name_zh for d in ZONE_DISTRICTS) + "）")
    station = frame["station"].str.strip()
    dup = station.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), "station", "a station id not listed before", frame["station"].iloc[i],
                   "未重复的站点编号")
    return pd.DataFrame({"station": station, "name": frame["name"].str.strip(), "lon": lon, "lat": lat,
                         "district": district}).reset_index(drop=True)
