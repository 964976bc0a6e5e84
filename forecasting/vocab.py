"""The project's vocabulary (``DESIGN.md`` "Words we use"), defined once: import it, never redefine it.

- :data:`POLLUTANTS` and :data:`INDICATORS`: the pollutant and AQI-indicator keys.
- :data:`ZONE_DISTRICTS`: the demonstration zone's three districts, one table in the one order the
  UI uses (Qingpu 青浦, Wujiang 吴江, Jiashan 嘉善). The ``districts`` table, loaded from the boundary
  file, is the source of names at run time; this table is for code that needs the zone before or
  without a database (defaults, demo data, benches).
- Beijing time: :data:`BEIJING`, :func:`beijing_today`, :func:`beijing_date`, :func:`beijing_datetime`,
  :func:`beijing_day_start`.
- :func:`canonical_json`: the one serialisation of a value whose hash is stored (report snapshots).
- :func:`read_geojson`: the one reader of a GeoJSON FeatureCollection (boundary files), and
  :func:`read_district_geojson`, the same with each feature's 6-digit ``adcode`` checked (the
  ``districts`` table and the grid-to-district weights both read boundaries through it).

Imports nothing heavier than the standard library.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = [
    "POLLUTANTS",
    "POLLUTANT_TEXT",
    "INDICATORS",
    "District",
    "ZONE_DISTRICTS",
    "DISTRICT_ORDER",
    "district_by_adcode",
    "adcode_of",
    "BEIJING",
    "BEIJING_ZONE",
    "beijing_today",
    "beijing_date",
    "beijing_datetime",
    "beijing_day_start",
    "day_runs",
    "canonical_json",
    "POLLUTANT_UNITS",
    "unit_of",
    "read_geojson",
    "read_district_geojson",
]

#: Pollutants of hourly series, in the order tables show them.
POLLUTANTS = ("pm25", "pm10", "o3", "no2", "so2", "co")
#: Pollutants as people write them, with subscripts (the same in both languages).
POLLUTANT_TEXT = {"pm25": "PM2.5", "pm10": "PM10", "o3": "O₃", "no2": "NO₂", "so2": "SO₂", "co": "CO"}
#: Canonical units of the pollutants' concentrations (gases at 298.15 K, 1013.25 hPa; GB 3095-2026).
POLLUTANT_UNITS = {"pm25": "µg/m³", "pm10": "µg/m³", "o3": "µg/m³", "no2": "µg/m³", "so2": "µg/m³", "co": "mg/m³"}


def unit_of(pollutant: str) -> str:
    """The canonical unit of a pollutant's concentration (an AQI indicator key works too).

    Examples
    --------
    >>> unit_of("pm25"), unit_of("co"), unit_of("co_24h")
    ('µg/m³', 'mg/m³', 'mg/m³')
    """
    return POLLUTANT_UNITS.get(pollutant.split("_", 1)[0], "µg/m³")

#: AQI indicators (pollutant + averaging period), HJ 633: daily ones first, then hourly ones.
INDICATORS = (
    "pm25_24h", "pm10_24h", "so2_24h", "no2_24h", "co_24h", "o3_8h",
    "o3_1h", "so2_1h", "no2_1h", "co_1h", "pm25_1h", "pm10_1h",
)


@dataclass(frozen=True)
class District:
    """One district of the zone: administrative code, slug, names."""

    adcode: str
    slug: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def short_en(self) -> str:
        """The English name without "District"/"County", as messages use it.

        >>> ZONE_DISTRICTS[2].short_en
        'Jiashan'
        """
        return self.name_en.split()[0]

    @property
    def both_names(self) -> str:
        """The Chinese and the short English name, for a reader of either language (the terminal).

        >>> ZONE_DISTRICTS[0].both_names
        '青浦区 Qingpu'
        """
        return f"{self.name_zh} {self.short_en}"


#: The zone's districts in display order (names as in ``data/districts.geojson``).
ZONE_DISTRICTS = (
    District("310118", "qingpu", "青浦区", "Qingpu District"),
    District("320509", "wujiang", "吴江区", "Wujiang District"),
    District("330421", "jiashan", "嘉善县", "Jiashan County"),
)

#: The adcodes in display order.
DISTRICT_ORDER = tuple(d.adcode for d in ZONE_DISTRICTS)


#: the names a zone district may follow in an address: its province-level division and city, together or alone
#: (Qingpu is a district of the municipality of Shanghai)
_PARENTS = {
    "310118": ("上海市", "上海"),
    "320509": ("江苏省苏州市", "江苏苏州市", "江苏省苏州", "江苏苏州", "江苏省", "苏州市", "苏州"),
    "330421": ("浙江省嘉兴市", "浙江嘉兴市", "浙江省嘉兴", "浙江嘉兴", "浙江省", "嘉兴市", "嘉兴"),
}


def adcode_of(text: str) -> str | None:
    """The adcode a station list's ``district`` cell names: six digits as they are, or a zone district's
    name in Chinese or English, whole or short (青浦区, 青浦, Qingpu District, qingpu; full-width letters and
    spaces as a Chinese input method types them), also under its province and city (上海市青浦区); None for
    anything else.

    Examples
    --------
    >>> [adcode_of(x) for x in ("310118", "青浦区", "吴江", "Jiashan County", " qingpu ", "ｗｕｊｉａｎｇ", "松江区")]
    ['310118', '310118', '320509', '330421', '310118', '320509', None]
    >>> adcode_of("110101")  # any six digits: whether the zone has it is checked where the districts are stored
    '110101'

    Under its province and city, as official lists write it (another city's district of the same name is none):

    >>> [adcode_of(x) for x in ("上海市青浦区", "江苏省苏州市吴江区", "苏州市吴江区", "嘉兴市 嘉善县", "杭州市嘉善县")]
    ['310118', '320509', '320509', '330421', None]
    """
    key = unicodedata.normalize("NFKC", str(text)).strip()
    if re.fullmatch(r"\d{6}", key):
        return key
    key = key.casefold()
    for d in ZONE_DISTRICTS:
        names = {d.name_zh, d.name_zh[:-1], d.name_en, d.short_en, d.slug}
        if key in {n.casefold() for n in names}:
            return d.adcode
        # the district under its province and city, as official lists write it: 上海市青浦区, 江苏省苏州市吴江区
        for prefix in _PARENTS.get(d.adcode, ()):
            if key.startswith(prefix) and key[len(prefix):].strip() in {d.name_zh, d.name_zh[:-1]}:
                return d.adcode
    return None



def district_by_adcode(adcode: str) -> District:
    """The zone district with this adcode.

    Examples
    --------
    >>> district_by_adcode("320509").name("en")
    'Wujiang District'
    >>> district_by_adcode("110000")
    Traceback (most recent call last):
    ...
    KeyError: '110000 is not a district of the zone (310118, 320509, 330421)'
    """
    for d in ZONE_DISTRICTS:
        if d.adcode == str(adcode):
            return d
    raise KeyError(f"{adcode} is not a district of the zone ({', '.join(DISTRICT_ORDER)})")


#: Beijing time (China Standard Time, UTC+8, no daylight saving).
BEIJING_ZONE = "Asia/Shanghai"
BEIJING = ZoneInfo(BEIJING_ZONE)


def beijing_date(moment: datetime) -> date:
    """The Beijing calendar date of an aware ``moment``.

    Examples
    --------
    >>> beijing_date(datetime(2026, 3, 1, 16, 0, tzinfo=timezone.utc))   # 00:00 in Beijing
    datetime.date(2026, 3, 2)
    >>> beijing_date(datetime(2026, 3, 1, 15, 59, tzinfo=timezone.utc))
    datetime.date(2026, 3, 1)
    """
    if moment.tzinfo is None:
        raise ValueError(f"expected a timezone-aware time, got {moment!r}")
    return moment.astimezone(BEIJING).date()


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing (``now`` defaults to the clock)."""
    return beijing_date(now or datetime.now(timezone.utc))


def beijing_datetime(day: date, at: time) -> datetime:
    """``day`` at Beijing wall time ``at``, as an aware UTC datetime.

    Examples
    --------
    >>> beijing_datetime(date(2026, 11, 29), time(17, 30))
    datetime.datetime(2026, 11, 29, 9, 30, tzinfo=datetime.timezone.utc)
    """
    return datetime.combine(day, at, tzinfo=BEIJING).astimezone(timezone.utc)


def beijing_day_start(day: date) -> datetime:
    """The start of Beijing day ``day`` in UTC; the day's hourly values are labelled by the ends of
    its hours, ``start + 1 h`` .. ``start + 24 h``.

    Examples
    --------
    >>> beijing_day_start(date(2026, 3, 1))
    datetime.datetime(2026, 2, 28, 16, 0, tzinfo=datetime.timezone.utc)
    >>> from datetime import timedelta
    >>> beijing_day_start(date(2026, 3, 1)) + timedelta(hours=24)
    datetime.datetime(2026, 3, 1, 16, 0, tzinfo=datetime.timezone.utc)
    """
    return beijing_datetime(day, time(0, 0))


def day_runs(items) -> list[tuple[date, date, object]]:
    """Consecutive days with the same value as one run ``(first, last, value)``; ``items`` are ``(day, value)``
    in date order (a flag group's values, the report chart's days without guidance).

    Examples
    --------
    >>> [(f"{a:%m-%d}", f"{b:%m-%d}", v) for a, b, v in day_runs(
    ...     [(date(2026, 12, 3), "x"), (date(2026, 12, 4), "x"), (date(2026, 12, 5), "y"), (date(2026, 12, 7), "y")])]
    [('12-03', '12-04', 'x'), ('12-05', '12-05', 'y'), ('12-07', '12-07', 'y')]
    """
    runs: list[list] = []
    for day, value in items:
        if runs and runs[-1][2] == value and (day - runs[-1][1]).days == 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, value])
    return [tuple(r) for r in runs]


def canonical_json(value, *, default=None, ascii_only: bool = False, indent: int | None = None) -> str:
    """The canonical text of a JSON value, for hashing: keys sorted, no spaces, UTF-8 characters kept.

    Two equal values give the same text whatever their key order, so a stored hash can be checked
    again later. ``default`` is passed to :func:`json.dumps` for values JSON does not know.

    Two variants exist because hashes of their bytes are stored and must keep verifying:
    ``ascii_only`` writes non-ASCII characters as ``\\uXXXX`` (the consultation flags' fingerprints),
    ``indent`` indents for people with ``": "`` after keys (the issued report's JSON file).

    Examples
    --------
    >>> canonical_json({"b": 1, "a": ["青浦", 2.5]})
    '{"a":["青浦",2.5],"b":1}'
    >>> canonical_json({"a": 1, "b": 2}) == canonical_json({"b": 2, "a": 1})
    True
    >>> canonical_json(["青浦", 1], ascii_only=True)
    '["\\\\u9752\\\\u6d66",1]'
    >>> print(canonical_json({"b": [1], "a": "青浦"}, indent=1))
    {
     "a": "青浦",
     "b": [
      1
     ]
    }
    """
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, sort_keys=True, ensure_ascii=ascii_only, separators=separators, indent=indent,
                      default=default)


def read_geojson(path: str | Path) -> dict:
    """A GeoJSON FeatureCollection read from ``path``, checked to have features with geometries.

    Raises :class:`forecasting.errors.FormatError` naming the file and what is wrong.
    """
    from forecasting.errors import FormatError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(f"{path}: boundary file not found", key="grids.file_missing", file=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: not a GeoJSON file ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not features:
        raise FormatError(f"{path}: a FeatureCollection with at least one feature is needed")
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
            raise FormatError(f"{path}: feature {i} has no geometry")
    return data


def read_district_geojson(path: str | Path) -> dict:
    """A district boundary file (:func:`read_geojson`) whose every feature carries a 6-digit
    ``adcode`` property (a number or a text).

    Raises :class:`forecasting.errors.FormatError` naming the file and the feature.
    """
    from forecasting.errors import FormatError

    data = read_geojson(path)
    for i, feat in enumerate(data["features"]):
        adcode = str((feat.get("properties") or {}).get("adcode", ""))
        if not (adcode.isdigit() and len(adcode) == 6):
            raise FormatError(f"{path}: feature {i} has no 6-digit 'adcode' property (e.g. \"310118\"; "
                              f"got {adcode!r})")
    return data
