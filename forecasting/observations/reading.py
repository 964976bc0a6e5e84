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
mg/m³); a long file's ``unit`` column may also say ``ug/m3`` for CO (divided by 1000); CO that is plainly
µg/m³ without a unit written is refused. Empty, ``NA``, ``NaN``, ``-``, ``—`` and the marks Chinese exports
write for a gap (``--``, ``/``, ``缺测``, ``无效`` …, :data:`MISSING`) are missing values. Text is UTF-8 (Excel's byte-order mark allowed) or GB18030, which
covers GBK, what Excel on a Chinese Windows writes as "CSV". An Excel workbook (.xlsx) is read as the CSV its
one worksheet would be (row numbers are line numbers; date-time cells are times without an offset), and so
is an Excel 97-2003 workbook (.xls, read with xlrd). A header may name its columns as Chinese
monitoring exports and station lists do (``站点编码``, ``监测时间``, ``PM2.5``, ``臭氧``, ``经度``, ``区县`` …,
:data:`_HEADER_ALIASES`; full-width letters and subscripts fold, ``PM₂.₅`` is ``pm25``) and may carry a
pollutant's unit in brackets (``PM2.5(μg/m³)``, ``CO（mg/m3）``; converted as a ``unit`` column is, a unit
the app cannot convert is refused). Messages name the columns as the file does. A title above the header and
notes below the data are left out and named (``attrs["skipped_rows"]``), and so is a workbook's notes sheet
beside its table (``attrs["skipped_sheets"]``).
Columns the layout does not read (``aqi``, ``o3_8h``, a station's name) are named in the result's
``attrs["ignored_columns"]`` so that the importer can say so. A malformed row raises
:class:`~forecasting.errors.ValidationError` naming the line, the column and what was expected,
and nothing is returned.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.archives import read_zip
from forecasting.errors import FormatError, UnitError, ValidationError
from forecasting.observations.qc import PLAUSIBLE_MAX
from forecasting.vocab import POLLUTANT_TEXT, POLLUTANTS, ZONE_DISTRICTS, adcode_of

__all__ = ["POLLUTANTS", "MISSING", "read_station_csv", "read_stations", "fold"]

# POLLUTANTS: the vocabulary's (forecasting.vocab), re-exported.
#: how a missing hourly value is written, compared case-blind: as CSV and Excel leave it, and as Chinese monitoring
#: exports mark a value not measured or invalidated ("--", "——", "/", "缺测", "无效"). "未检出" (below the detection
#: limit) is a measurement, not a missing value, and is refused as not a number.
MISSING = ("", "NA", "NaN", "nan", "-", "—", "null", "--", "——", "/", "N/A", "None", "无", "无数据", "缺测", "缺数",
           "无效", "无效数据")
_MISSING_FOLDED = frozenset(m.casefold() for m in MISSING)
_UNITS = {  # accepted spellings → factor to canonical
    "pm25": {"µg/m³": 1.0, "ug/m3": 1.0, "μg/m³": 1.0, "µg/m3": 1.0, "μg/m3": 1.0, "微克/立方米": 1.0},
    "co": {"mg/m³": 1.0, "mg/m3": 1.0, "µg/m³": 0.001, "ug/m3": 0.001, "μg/m³": 0.001, "µg/m3": 0.001,
           "μg/m3": 0.001, "毫克/立方米": 1.0, "微克/立方米": 0.001},
}
for _p in ("pm10", "o3", "no2", "so2"):
    _UNITS[_p] = _UNITS["pm25"]


#: the first bytes of an Excel workbook: .xlsx is a ZIP file, .xls (Excel 97-2003) an OLE2 compound file
_XLSX, _XLS = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
#: at most this many cells are read from a workbook (a month of the national platform's all-station file, about
#: 4 million, fits; a ZIP file expands, so its size on disk does not bound them)
MAX_WORKBOOK_CELLS = 20_000_000


def _cell_text(value) -> str:
    """A workbook cell as a CSV file would hold it: whole numbers without ".0" (station codes, hours), times
    to the nearest second without an offset (Excel keeps none), line breaks as spaces.

    Examples
    --------
    >>> [_cell_text(v) for v in (None, 1142.0, 35.5, "青浦 淀山湖", dt.datetime(2026, 3, 5, 9, 59, 59, 999_500))]
    ['', '1142', '35.5', '青浦 淀山湖', '2026-03-05 10:00']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):  # Excel keeps a day's fraction: 10:00 may come back as 09:59:59.9995
        value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat(timespec="minutes") if isinstance(value, dt.time) else value.isoformat()
    return " ".join(str(value).splitlines())


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    """A sheet's rows without the empty rows at its end, as wide as its widest row less the columns empty in
    every row (a sheet's formatted but empty cells are no data)."""
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return rows
    width = max(len(r) for r in rows)
    while width and not any(len(r) >= width and r[width - 1] for r in rows):
        width -= 1
    return [(r + [""] * width)[:width] for r in rows]


def _too_big(name: str) -> FormatError:
    return FormatError(f"{name}: more than {MAX_WORKBOOK_CELLS:,} cells; split the workbook",
                       key="obs.workbook_too_big", file=name, n=f"{MAX_WORKBOOK_CELLS:,}")


def _xlsx_sheets(raw: bytes, name: str) -> list[tuple[str, list[list[str]]]]:
    """The sheets of an .xlsx workbook that hold data, ``[(title, rows of cell texts)]``."""
    from openpyxl import load_workbook  # lazy: read only when a workbook is uploaded
    from openpyxl.utils.exceptions import InvalidFileException

    sheets, cells = [], 0
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:  # read_only: the rows are parsed as they are read
                rows = []
                for row in sheet.iter_rows(min_row=1, values_only=True):
                    cells += len(row)
                    if cells > MAX_WORKBOOK_CELLS:
                        raise _too_big(name)
                    rows.append([_cell_text(v) for v in row])
                if rows := _trimmed(rows):
                    sheets.append((sheet.title, rows))
        finally:
            book.close()
    except FormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, ValueError, TypeError, OSError, EOFError,
            SyntaxError) as exc:  # SyntaxError: the XML parser's ParseError
        raise FormatError(f"{name}: not a readable Excel workbook (.xlsx): {type(exc).__name__}: {exc}",
                          key="obs.bad_workbook", file=name) from None
    return sheets


def _xls_value(cell, datemode: int):
    """An Excel 97-2003 cell's value as :func:`_cell_text` takes it (what openpyxl gives for the same cell of
    an .xlsx): a date cell as a ``datetime`` (a ``time`` when it holds no day), an empty cell as ``None``, an
    error cell as Excel shows it ("#N/A")."""
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    if kind == xlrd.XL_CELL_DATE:
        try:
            if 0 <= value < 1:  # a time of day without a day
                return dt.time(*xlrd.xldate_as_tuple(value, datemode)[3:])
            return xlrd.xldate.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return value  # a number formatted as a date that is none: the number, as Excel's cell holds it
    return value


def _xls_sheets(raw: bytes, name: str) -> list[tuple[str, list[list[str]]]]:
    """The sheets of an Excel 97-2003 workbook (.xls, BIFF, read by xlrd) that hold data, as
    :func:`_xlsx_sheets`. xlrd's warnings go to a buffer, never to standard output (``extract`` and
    ``obs import`` write their results there)."""
    import xlrd  # lazy: read only when such a workbook is uploaded
    from xlrd.compdoc import CompDocError

    sheets, cells = [], 0
    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=True, logfile=io.StringIO())
        try:
            for index in range(book.nsheets):
                sheet = book.sheet_by_index(index)
                cells += sheet.nrows * sheet.ncols
                if cells > MAX_WORKBOOK_CELLS:
                    raise _too_big(name)
                rows = [[_cell_text(_xls_value(c, book.datemode)) for c in sheet.row(r)] for r in range(sheet.nrows)]
                if rows := _trimmed(rows):
                    sheets.append((sheet.name, rows))
                book.unload_sheet(index)
        finally:
            book.release_resources()
    except FormatError:
        raise
    except (xlrd.XLRDError, CompDocError, struct.error, IndexError, KeyError, ValueError, TypeError, AssertionError,
            UnicodeDecodeError, LookupError, OverflowError, EOFError, OSError) as exc:
        raise FormatError(f"{name}: not a readable Excel 97-2003 workbook (.xls): {type(exc).__name__}: {exc}",
                          key="obs.bad_xls", file=name) from None
    return sheets


def _is_table(rows: list[list[str]]) -> bool:
    """Whether a sheet's rows hold a table of the app's columns (a header naming at least two, perhaps under a
    title), not notes ("说明": what the export's columns mean)."""
    table = [(i, r) for i, r in enumerate(rows, 1) if any(c.strip() for c in r)]
    header = table[_header_row(table)][1] if table else []
    return sum(_header_cell(c)[0] in _KNOWN_COLUMNS for c in _filled(header)) >= 2


def _workbook_text(raw: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """The one worksheet of an Excel workbook (.xlsx, or .xls of Excel 97-2003) holding a table as CSV text, a
    line per row (so that messages name the rows Excel shows), and the titles of the other sheets with data,
    left out (notes: "说明"). Formulas give the values Excel saved with them. A workbook with a table on more
    than one sheet is refused, naming the sheets: which one holds the observations is not ours to guess."""
    sheets = _xls_sheets(raw, name) if raw.startswith(_XLS) else _xlsx_sheets(raw, name)
    tables = [sheet for sheet in sheets if _is_table(sheet[1])] if len(sheets) > 1 else sheets
    if len(tables) != 1 and len(sheets) > 1:
        titles = [t for t, _ in (tables or sheets)]
        raise FormatError(f"{name}: data on {len(titles)} sheets ({', '.join(titles)}); keep the observations on one",
                          key="obs.workbook_sheets", file=name, n=len(titles), sheets=", ".join(titles),
                          sheets_zh="、".join(titles))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(tables[0][1] if tables else [])
    return out.getvalue(), tuple(t for t, _ in sheets if not tables or t != tables[0][0])


def _decode(raw: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """The text of a CSV file: UTF-8 (with or without Excel's byte-order mark), else GB18030, which
    covers GBK and GB2312, the encoding Excel on a Chinese Windows writes for "CSV (逗号分隔)" and
    "文本文件 (制表符分隔)", or UTF-16 with its byte-order mark, as Excel writes "Unicode 文本"; an .xlsx
    or .xls workbook's worksheet as CSV text. Bytes that are neither (a NUL in them: NetCDF, HDF5, an image)
    are refused. With the text, a workbook's sheets left out (notes beside the table; none for a CSV)."""
    if raw.startswith(_XLSX) or raw.startswith(_XLS):
        return _workbook_text(raw, name)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode 文本 (*.txt)"
        try:
            return raw.decode("utf-16"), ()
        except UnicodeDecodeError as exc:  # named as what it claims to be (it was "not UTF-8 or GB18030")
            raise FormatError(f"{name}: starts as UTF-16 text (Excel's Unicode text) but byte {exc.start + 1} cannot "
                              f"be read as UTF-16 ({exc.reason}): the file may be damaged or cut short",
                              key="obs.utf16_broken", file=name, byte=exc.start + 1) from None
    try:
        return raw.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        if b"\x00" not in raw:
            try:
                return raw.decode("gb18030"), ()
            except UnicodeDecodeError:
                pass
        raise FormatError(f"{name}: not a text file in UTF-8 or GB18030 (byte {exc.start + 1} cannot be read)",
                          key="obs.not_text", file=name, byte=exc.start + 1) from None


#: Header names read as the app's columns, as Chinese monitoring exports and station lists write them
#: (compared after :func:`fold`: NFKC, so full-width letters, "（）" and subscripts such as "PM₂.₅" fold, and
#: lower case). A name not listed is kept as written, lower-cased (an ignored column, e.g. ``aqi``).
_HEADER_ALIASES = {
    # pollutants
    "pm2.5": "pm25", "pm2_5": "pm25", "细颗粒物": "pm25", "可吸入颗粒物": "pm10",
    "臭氧": "o3", "二氧化氮": "no2", "二氧化硫": "so2", "一氧化碳": "co",
    # observations
    "站点": "station", "站点编码": "station", "站点编号": "station", "站点代码": "station", "站号": "station",
    "点位编码": "station", "点位编号": "station", "点位代码": "station", "监测点编码": "station",
    "监测点位编码": "station", "station_id": "station", "station id": "station", "station code": "station",
    "时间": "time", "监测时间": "time", "日期时间": "time", "时间点": "time", "数据时间": "time",
    "datetime": "time", "date_time": "time",
    # a day and its hour in two columns (日期 2026-03-05, 小时 10), read as one time
    "日期": "date", "监测日期": "date", "小时": "hour", "时": "hour", "时段": "hour", "时次": "hour",
    # or in four (年 月 日 时; the PRSA files' year,month,day,hour)
    "年": "year", "年份": "year", "月": "month", "月份": "month", "日": "day",
    "污染物": "pollutant", "监测项目": "pollutant", "监测因子": "pollutant",
    "浓度": "value", "监测值": "value", "数值": "value",
    "单位": "unit",
    # station list
    "站点名称": "name", "点位名称": "name", "监测点位": "name", "监测点名称": "name", "站名": "name",
    "经度": "lon", "longitude": "lon", "纬度": "lat", "latitude": "lat",
    "区县": "district", "所属区县": "district", "行政区": "district", "区县代码": "district",
    "行政区划代码": "district",
}
#: the app's column names a header may carry (a row naming two of them is a header, not a title)
_KNOWN_COLUMNS = frozenset(_HEADER_ALIASES.values()) | frozenset(POLLUTANTS) | {
    "station", "time", "name", "lon", "lat", "district", "pollutant", "value", "unit", "date", "hour", "type", "id",
    "year", "month", "day"}

#: a unit in brackets at the end of a header name: ``PM2.5(μg/m3)``, ``CO[mg/m3]`` (after :func:`fold`)
_HEADER_UNIT = re.compile(r"^(?P<base>.+?)\s*[(\[]\s*(?P<unit>[^()\[\]]*?)\s*[)\]]$")
#: a pollutant's name said to be hourly (after :func:`fold`): ``pm2.5_1h``, ``o3-1h``, ``o3(1h)``, ``pm2.5(1小时)``,
#: ``pm2.5小时`` (``小时浓度`` once ``浓度`` is taken off), ``o3一小时``, ``pm10小时均值``
_HOURLY = re.compile(r"^(?P<base>.+?)[\s_\-]*(?:[(\[]\s*(?:1\s*h|1?\s*小时)\s*[)\]]|1\s*h|(?:1|一)?\s*小时(?:均值|值)?)$")
#: what reads as a unit in those brackets (``O3(8h)`` is a name: the 8-hour ozone column, not imported)
_LOOKS_LIKE_UNIT = re.compile(r"g/|/m|立方米|^pp[bm]v?$")


def fold(text: str) -> str:
    """A header cell, unit or station name as compared: NFKC (full-width letters and brackets, subscripts),
    trimmed and lower-cased.

    Examples
    --------
    >>> fold("  ＰＭ₂.₅（μg/m³）")
    'pm2.5(μg/m3)'
    """
    return unicodedata.normalize("NFKC", text).strip().lower()


def _header_cell(cell: str) -> tuple[str, str | None]:
    """``(column, unit)`` of a header cell: the app's column name (:data:`_HEADER_ALIASES`) and the unit
    written in brackets after it (``None`` when none).

    Examples
    --------
    >>> _header_cell("PM2.5(μg/m3)"), _header_cell("一氧化碳（mg/m³）"), _header_cell("监测时间")
    (('pm25', 'μg/m3'), ('co', 'mg/m3'), ('time', None))
    >>> _header_cell("O3(8h)"), _header_cell("PM2.5浓度"), _header_cell("AQI")
    (('o3(8h)', None), ('pm25', None), ('aqi', None))
    >>> _header_cell("PM2.5_1h"), _header_cell("O3(1小时)"), _header_cell("NO2小时浓度(μg/m3)"), _header_cell("O3_8h")
    (('pm25', None), ('o3', None), ('no2', 'μg/m3'), ('o3_8h', None))
    """
    folded, unit = fold(cell), None
    m = _HEADER_UNIT.match(folded)
    if m and _LOOKS_LIKE_UNIT.search(m.group("unit")):
        folded, unit = m.group("base").strip(), m.group("unit")
    if folded.endswith("浓度") and len(folded) > 2:  # "PM2.5浓度", "臭氧浓度"
        folded = folded[:-2].strip()
    m = _HOURLY.match(folded)  # "PM2.5_1h", "O3(1小时)", "PM2.5小时": the hourly value, said so (never O3_8h)
    if m and _HEADER_ALIASES.get(m.group("base").strip(), m.group("base").strip()) in POLLUTANTS:
        folded = m.group("base").strip()
    return _HEADER_ALIASES.get(folded, folded), unit


def _unit_factor(pollutant: str, unit: str) -> float | None:
    """The factor from ``unit`` (as written, or folded) to ``pollutant``'s canonical unit; ``None`` when the
    app cannot convert it (ppb: the conversion depends on temperature and pressure)."""
    accepted = _UNITS[pollutant]
    return accepted.get(unit.strip(), accepted.get(fold(unit)))


def _once(header: list[str], original: list[str], name: str) -> None:
    """Refuse a header that names a column twice (``PM2.5`` and ``pm25``, ``站点`` and ``站点编码``): the message
    names the cells as the file writes them."""
    twice = [c for c in dict.fromkeys(header) if c and header.count(c) > 1]  # Excel's trailing empty columns are no names
    if twice:
        cells = [o for c, o in zip(header, original) if c in twice]
        raise FormatError(f"{name}: the header names {', '.join(cells)} as one column more than once",
                          key="obs.csv_duplicate_column", file=name, columns=", ".join(cells),
                          columns_zh="、".join(cells))


def _delimiter(text: str, lines: int = 10) -> str:
    """The fields' separator of a text table: a tab where its first ``lines`` lines hold more tabs than
    commas (Excel's "文本文件 (制表符分隔)" and "Unicode 文本" save a sheet so, as .txt), else a comma.

    Examples
    --------
    >>> _delimiter("站点编码\\t监测时间\\tPM2.5\\nQP01\\t2026-03-05 10:00\\t41\\n")
    '\\t'
    >>> _delimiter("station,time,pm25\\nQP01,2026-03-05T10:00+08:00,41\\n")
    ','
    """
    head = text[:20_000].splitlines()[:lines]
    tabs, commas = sum(line.count("\t") for line in head), sum(line.count(",") for line in head)
    return "\t" if tabs > commas else ","


def _read_text(source) -> tuple[pd.DataFrame, str]:
    """All cells as stripped text; every line must have as many fields as the header, and no two header
    names the same."""
    name = str(source) if isinstance(source, (str, Path)) else getattr(source, "name", "<stream>")
    if isinstance(source, (str, Path)):
        try:
            text, left_sheets = _decode(Path(source).read_bytes(), name)
        except FileNotFoundError as exc:
            raise FormatError(f"{source}: file not found", key="obs.file_not_found", file=str(source)) from exc
    else:
        text = source.read()
        text, left_sheets = _decode(text, name) if isinstance(text, bytes) else (text, ())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), skipinitialspace=True)
    table = [(reader.line_num, row) for row in reader if row and any(c.strip() for c in row)]
    if not table:
        raise FormatError(f"{name}: the file is empty; expected a header line", key="obs.csv_empty", file=name)
    start, end = _header_row(table), len(table)
    while end > start + 1 and _is_note(table[end - 1][1]):
        end -= 1
    original = [c.strip() for c in table[start][1]]
    header, units = (list(x) for x in zip(*(_header_cell(c) for c in original)))
    rows, lines = [], []
    for line, row in table[start + 1:end]:
        if len(row) != len(header):
            raise ValidationError(
                f"{name}: line {line}: expected {len(header)} fields ({', '.join(header)}), got {len(row)}",
                key="correction.csv_field_count", file=name, line=line, expected=len(header), got=len(row),
            )
        rows.append([c.strip() for c in row])
        lines.append(line)
    _once(header, original, name)
    frame = pd.DataFrame(rows, columns=header, dtype=object).astype(str) if rows else pd.DataFrame(columns=header)
    frame.index = pd.Index(np.asarray(lines, dtype=int) - 2)  # so that index + 2 is the line number
    # the header as the file writes it (messages name its columns so) and the units written in it
    frame.attrs["original"] = dict(zip(header, original))
    frame.attrs["units"] = {c: u for c, u in zip(header, units) if u is not None}
    # a title above the header and notes below the data, as exports carry them: named, not read
    frame.attrs["skipped_rows"] = tuple((name, line, _row_text(row)) for line, row in table[:start] + table[end:])
    frame.attrs["skipped_sheets"] = tuple(f"{name}/{title}" for title in left_sheets)  # notes beside the table
    return frame, name


#: at most this many rows above the header are taken for a title ("青浦区空气质量小时数据", "单位：μg/m³")
_MAX_TITLE_ROWS = 3
#: how a note below the data starts ("注：数据未经审核", "数据来源：…", "制表：… 审核：…"), folded
_NOTE_STARTS = ("注", "备注", "说明", "数据来源", "来源", "制表", "审核", "填报", "note", "source", "remark", "*", "※")


def _filled(row: list[str]) -> list[str]:
    return [c.strip() for c in row if c.strip()]


def _row_text(row: list[str], limit: int = 40) -> str:
    text = " ".join(_filled(row))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header_row(table: list[tuple[int, list[str]]]) -> int:
    """Index in ``table`` (the non-empty rows) of the header: the first row naming at least two of the app's
    columns, when the rows above it (at most :data:`_MAX_TITLE_ROWS`, none with more than two cells) read as a
    title; else the first row, as before (its own messages say what it lacks).

    Examples
    --------
    >>> _header_row([(1, ["青浦区空气质量小时数据", "", ""]), (2, ["站点编码", "监测时间", "PM2.5"])])
    1
    >>> _header_row([(1, ["station", "time", "pm25"]), (2, ["S1", "2026-03-05T10:00+08:00", "35"])])
    0
    >>> _header_row([(1, ["S1", "x", "y", "z"]), (2, ["station", "time", "pm25", "pm10"])])  # not a title: 4 cells
    0
    """
    for i, (_, row) in enumerate(table[: _MAX_TITLE_ROWS + 1]):
        if sum(_header_cell(c)[0] in _KNOWN_COLUMNS for c in _filled(row)) >= 2:
            return i
        if len(_filled(row)) > 2:
            return 0
    return 0


def _is_note(row: list[str]) -> bool:
    """Whether a row below the data is a note: one or two cells, the first starting as notes do.

    Examples
    --------
    >>> _is_note(["注：数据未经审核", "", ""]), _is_note(["制表：张三", "审核：李四", ""]), _is_note(["S1", "", ""])
    (True, True, False)
    """
    cells = _filled(row)
    return 0 < len(cells) <= 2 and fold(cells[0]).startswith(_NOTE_STARTS)


def _label(frame: pd.DataFrame, column: str) -> str:
    """``column`` as the file's header writes it (``监测时间`` for ``time``)."""
    return frame.attrs.get("original", {}).get(column, column)


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
    missing = text.str.casefold().isin(_MISSING_FOLDED)
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), _label(frame, column), "a number or an empty/NA cell",
                   frame[column].iloc[i], "数值，或空白/NA")
    return values.to_numpy(dtype=float)


#: "24:00", the end of a day (ISO 8601; HJ 663 labels a day's last hour "D 24:00"): read as 00:00 of the next day
_END_OF_DAY = r"(?<=[T ])24:00(?::00)?(?=$|[zZ+-])"


#: a time as Chinese monitoring platforms write it: "2026年11月20日 05时", "2026年11月20日5点", "…05时30分"
_CHINESE_TIME = (r"^(?P<y>\d{4})\s*年\s*(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*(?P<h>\d{1,2})\s*[时点]"
                 r"(?:\s*(?P<mi>\d{1,2})\s*分)?$")


def _chinese_time(m) -> str:
    """``2026-11-20 05:00`` of a :data:`_CHINESE_TIME` match (a time without an offset: the file's zone applies).

    Examples
    --------
    >>> import re
    >>> _chinese_time(re.match(_CHINESE_TIME, "2026年3月5日 24时"))
    '2026-03-05 24:00'
    """
    return f"{m['y']}-{int(m['mo']):02d}-{int(m['d']):02d} {int(m['h']):02d}:{int(m['mi'] or 0):02d}"


#: a date as Chinese exports write it: "2026年3月5日"
_CHINESE_DATE = r"^(?P<y>\d{4})\s*年\s*(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$"


def _date_from_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``date`` column ("2013-3-1") made of its ``year``, ``month`` and ``day`` columns (a day
    that is none is refused with the hour, naming the columns as the file writes them)."""
    out = frame.copy()
    out["date"] = (frame["year"].str.strip() + "-" + frame["month"].str.strip() + "-" + frame["day"].str.strip())
    labels = "/".join(_label(frame, c) for c in ("year", "month", "day"))
    out.attrs = {**frame.attrs, "original": {**frame.attrs["original"], "date": labels}}
    return out


def _time_from_date_and_hour(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with a ``time`` column made of its ``date`` and ``hour`` columns ("2026-03-05" or "20260305" or
    "2026年3月5日", and "10", "10时", "10:00"; hour 0-24), as many exports write a day and its hour apart. The
    hour is labelled as the file labels it (the caller's ``hour_label``). An hour that is none is refused by line."""
    hour_text = frame["hour"].map(lambda v: unicodedata.normalize("NFKC", v).strip())
    hours = pd.to_numeric(hour_text.str.replace(r"\s*(?:[时点]|:00(?::00)?)$", "", regex=True), errors="coerce")
    bad = (hours.isna() | (hours < 0) | (hours > 24) | (hours != hours.round())).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _bad(name, int(frame.index[i]), _label(frame, "hour"), "a whole hour from 0 to 24",
                   frame["hour"].iloc[i], "整点小时（0 至 24）")
    day = frame["date"].str.strip().str.replace(
        _CHINESE_DATE, lambda m: f"{m['y']}-{int(m['mo']):02d}-{int(m['d']):02d}", regex=True)
    out = frame.copy()
    out["time"] = day + " " + hours.astype(int).map("{:02d}:00".format)
    out.attrs = {**frame.attrs, "original": {**frame.attrs["original"],
                                             "time": f"{_label(frame, 'date')}+{_label(frame, 'hour')}"}}
    return out


def _stations_from_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The long layout (``station time pollutant value``) of a file with a row per hour and ``type`` and a
    column per station, as the national monitoring platform's site files are written
    (``date,hour,type,1001A,1002A,…``; types ``PM2.5``, ``PM10``, ``SO2``, ``NO2``, ``O3``, ``CO`` hourly, and
    ``AQI``, ``PM2.5_24h``, ``O3_8h`` … that are not hourly concentrations and are left out). Rows keep their
    file lines."""
    stations = [c for c in frame.columns if c and c not in {"date", "hour", "time", "type"}]
    original = frame.attrs["original"]
    # as plain arrays: a national file has 1,600 station columns, and every column taken from the frame as a
    # Series deep-copies its attrs (the header of 1,600 names): one day's file read in 11.3 s, 1.4 s now (bench)
    spelled = {v: _header_cell(v)[0] for v in pd.unique(frame["type"].to_numpy(dtype=object))}  # "PM2.5", "O3_1h"
    kinds = np.array([spelled[v] for v in frame["type"].to_numpy(dtype=object)], dtype=object)
    rows = np.flatnonzero(np.isin(kinds, POLLUTANTS))
    n, m = len(rows), len(stations)
    values = frame[stations].to_numpy(dtype=object)[rows] if m else np.empty((n, 0), dtype=object)
    long = pd.DataFrame({"station": np.repeat(np.array([original.get(c, c) for c in stations], dtype=object), n),
                         "time": np.tile(frame["time"].to_numpy(dtype=object)[rows], m),
                         "pollutant": np.tile(kinds[rows], m), "value": values.T.ravel()},
                        index=np.tile(frame.index.to_numpy()[rows], m))
    long.attrs = {**frame.attrs, "units": {},
                  "original": {**original, "station": "station", "pollutant": original.get("type", "type"),
                               "value": "value"}}
    return long


#: a time as some platforms' exports and feeds write it, the day and hour run together: "2026030510" (YYYYMMDDHH)
_COMPACT_TIME = r"^(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})(?P<h>\d{2})$"


def _times(frame: pd.DataFrame, column: str, name: str, timezone: str | None, hour_label: str) -> pd.Series:
    text = frame[column].str.strip().str.replace(_CHINESE_TIME, _chinese_time, regex=True)
    text = text.str.replace(_COMPACT_TIME, r"\g<y>-\g<mo>-\g<d> \g<h>:00", regex=True)
    end_of_day = text.str.contains(_END_OF_DAY, regex=True).to_numpy()
    if end_of_day.any():
        text = text.str.replace(_END_OF_DAY, "00:00", regex=True)
    next_day = pd.to_timedelta(end_of_day.astype(int), unit="D")
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601") + next_day
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _bad(name, int(frame.index[i]), _label(frame, column), "an ISO-8601 time such as 2026-03-05T10:00+08:00 "
                   "(or 2026-03-05 10:00, 2026/3/5 10:00, 2026年3月5日10时)", frame[column].iloc[i],
                   "时间，如 2026-03-05T10:00+08:00、2026-03-05 10:00、2026/3/5 10:00 或 2026年3月5日10时")
    has_offset = text.str.contains(r"(?:[zZ]|[+-]\d\d:?\d\d)$", regex=True).to_numpy()
    if not has_offset.all():
        if timezone is None:
            i = int(np.flatnonzero(~has_offset)[0])
            raise _bad(name, int(frame.index[i]), _label(frame, column), "a time with a UTC offset (such as +08:00), or a time zone chosen first for times without "
                       "one (such as Beijing time; --timezone Asia/Shanghai on the command line)",
                       frame[column].iloc[i], "带 UTC 偏移的时间（如 +08:00），或先指定无偏移时间的时区（如北京时间）")
        naive = pd.to_datetime(text[~has_offset], format="ISO8601") + next_day[~has_offset]
        try:
            local = naive.dt.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
        except (KeyError, ValueError) as exc:  # unknown zone name (ZoneInfoNotFoundError), ambiguous or missing hour
            unknown = isinstance(exc, KeyError)
            raise ValidationError(f"{name}: cannot read times in time zone {timezone!r}: {exc}",
                                  key="obs.bad_timezone", file=name, zone=timezone,
                                  reason="unknown time zone" if unknown else str(exc),
                                  reason_zh="未知的时区名称" if unknown else
                                  "有时刻在夏令时切换时重复或不存在（北京 1986–1991 年曾实行夏令时），请写明 UTC 偏移") from exc
        parsed = parsed.copy()
        parsed[~has_offset] = local.dt.tz_convert("UTC")
    outside = ((parsed < _FIRST_TIME) | (parsed >= _END_TIME)).to_numpy()
    if outside.any():  # e.g. 9999-12-31T23:00: readable, but no hour of it can be stored or labelled
        i = int(np.flatnonzero(outside)[0])
        raise _bad(name, int(frame.index[i]), _label(frame, column), "a time from 1970 to 2099", frame[column].iloc[i],
                   "1970 至 2099 年之间的时间")
    whole = (parsed.dt.minute == 0) & (parsed.dt.second == 0)
    if not whole.all():
        i = int(np.flatnonzero(~whole.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), _label(frame, column), "a whole hour (hourly values)", frame[column].iloc[i],
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
        Wide or long CSV (see the module docstring); the layout is detected from the header. An Excel
        workbook (.xlsx) is read as its worksheet's CSV, a ZIP of such files (a week of daily exports) as
        their union (:func:`_read_archive`).
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
    if isinstance(source, (str, Path)):
        try:
            with open(source, "rb") as fh:
                head = fh.read(4)
        except OSError:  # the reader names a missing file
            head = b""
        if head == _XLSX:
            data = Path(source).read_bytes()
            if not _is_workbook(data):
                return _read_archive(str(source), data, timezone=timezone, hour_label=hour_label)
    else:
        name = getattr(source, "name", "<stream>")
        data = source.read()
        if isinstance(data, bytes) and data.startswith(_XLSX) and not _is_workbook(data):
            return _read_archive(name, data, timezone=timezone, hour_label=hour_label)
        source = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
        source.name = name
    return _read_station_file(source, timezone=timezone, hour_label=hour_label)


#: a ZIP of observation files is read up to this many bytes once expanded (a ZIP's size does not bound it)
MAX_ARCHIVE_BYTES = 100 * 1024 * 1024
#: the members of such a ZIP that are read (others, a README, are named and left out)
_READABLE = (".csv", ".xlsx", ".xls", ".txt")  # a .txt is read when it is a tab-separated table (_is_tab_table)


def _is_tab_table(body: bytes, name: str) -> bool:
    """Whether a .txt member is a sheet Excel saved as tab-separated text, rather than the README beside the
    exports (left out and named)."""
    try:
        text, _sheets = _decode(body, name)
    except FormatError:
        return False
    return _delimiter(text) == "\t"


def _is_workbook(data: bytes) -> bool:
    """Whether a ZIP file is an Excel workbook (its parts list) rather than an archive of files; a ZIP that
    cannot be opened is taken for a damaged workbook (the workbook reader says so)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return True


def _read_archive(name: str, data: bytes, *, timezone: str | None, hour_label: str) -> pd.DataFrame:
    """The union of the observation files in a ZIP (a week of a platform's daily exports), each read as it
    would be alone, so that a message names the member and its line ("obs.zip/2026-12-01.csv 第 5 行").
    A station-hour-pollutant two members give alike, or one of them as missing, is kept once; two
    different values are refused, naming both files."""

    def too_large():
        limit = f"{MAX_ARCHIVE_BYTES / 1e6:.0f}"
        return FormatError(f"{name}: expands to more than {limit} MB", key="obs.archive_too_large", file=name,
                           limit=limit)

    members, skipped = read_zip(name, data, budget=MAX_ARCHIVE_BYTES, too_large=too_large,
                                wanted=lambda member: member.lower().endswith(_READABLE))
    frames, skipped = [], list(skipped)
    for member, body in members:
        if member.lower().endswith(".txt") and not _is_tab_table(body, member):
            skipped.append(member)  # a README beside the exports
            continue
        part = io.BytesIO(body)
        part.name = f"{Path(name).name}/{member}"
        frames.append(_read_station_file(part, timezone=timezone, hour_label=hour_label).assign(_file=part.name))
    if not frames:
        listed = ", ".join(skipped) or "—"
        raise FormatError(f"{name}: no CSV or Excel file in the archive (it holds: {listed})",
                          key="obs.archive_empty", file=name, members=listed, members_zh="、".join(skipped) or "—")
    both = pd.concat(frames, ignore_index=True)
    conflict = _first_conflict(both, ["station", "pollutant", "time", "_file"])
    if conflict is not None:
        a, b, when, pollutant = conflict
        raise ValidationError(
            f"{a['_file']} and {b['_file']} give station {a['station']} at {when} (Beijing) different "
            f"{pollutant} values ({a['value']:g} and {b['value']:g}): keep one of them",
            key="obs.archive_conflict", first=a["_file"], second=b["_file"], station=a["station"], when=when,
            pollutant=pollutant, a=f"{a['value']:g}", b=f"{b['value']:g}")
    out = _one_row_a_key(both, "_file").drop(columns="_file")
    ignored = dict.fromkeys(c for f in frames for c in f.attrs.get("ignored_columns", ()))
    out.attrs["ignored_columns"] = tuple(ignored)
    for flag in ("station_columns", "station_names"):
        if all(f.attrs.get(flag) for f in frames):
            out.attrs[flag] = True
    out.attrs["skipped_members"] = tuple(skipped)
    out.attrs["skipped_rows"] = tuple(r for f in frames for r in f.attrs.get("skipped_rows", ()))
    out.attrs["skipped_sheets"] = tuple(r for f in frames for r in f.attrs.get("skipped_sheets", ()))
    return out


def _read_station_file(source, *, timezone: str | None, hour_label: str) -> pd.DataFrame:
    """One observations file (CSV text or a workbook): :func:`read_station_csv` without archives."""
    frame, name = _read_text(source)
    cols = set(frame.columns)
    from_parts = not cols & {"time", "date"} and {"year", "month", "day", "hour"} <= cols
    if from_parts:  # "year,month,day,hour" (年,月,日,时): the day's date in three columns
        frame = _date_from_parts(frame)
        cols = set(frame.columns)
    from_date_and_hour = "time" not in cols and {"date", "hour"} <= cols
    if from_date_and_hour:
        frame = _time_from_date_and_hour(frame, name)
        cols = set(frame.columns)
    stations_as_columns = "station" not in cols and {"time", "type"} <= cols
    if stations_as_columns:  # the national platform's site files: a row per hour and type, a column per station
        frame = _stations_from_columns(frame)
        cols = set(frame.columns)
    if "time" not in cols and {"lon", "lat", "district"} <= cols:  # the station list, chosen in the wrong place
        raise FormatError(f"{name}: a station list (station, name, lon, lat, district), not observations; "
                          "give it as the station metadata (--stations)", key="obs.stations_not_observations",
                          file=name)
    written = ", ".join(frame.attrs["original"].get(c, c) for c in frame.columns  # the header as the file writes it
                        if not (from_date_and_hour and c == "time"))
    by_name = "station" not in cols and "name" in cols and "time" in cols
    if by_name:  # "点位名称,监测时间,PM2.5": a provincial export names its stations, the importer finds their codes
        frame = frame.rename(columns={"name": "station"})
        frame.attrs["original"] = {**frame.attrs["original"], "station": frame.attrs["original"].get("name", "name")}
        cols = set(frame.columns)
    if not {"station", "time"} <= cols:
        raise FormatError(f"{name}: header must include 'station' (or the stations' names) and 'time'; got {written}",
                          key="obs.csv_header", file=name, got=written)
    header_units = frame.attrs["units"]
    station = frame["station"].str.strip()
    if (station == "").any():
        i = int(np.flatnonzero((station == "").to_numpy())[0])
        raise _bad(name, int(frame.index[i]), _label(frame, "station"), "a station id", "", "站点编号")
    times = _times(frame, "time", name, timezone, hour_label)
    if {"pollutant", "value"} <= cols:
        names = frame["pollutant"]  # "PM2.5", "臭氧", "O₃": each spelling folded once (a national file: 237,744 rows)
        pol = names.map({v: _header_cell(v)[0] for v in pd.unique(names.to_numpy(dtype=object))})  # as a header
        unknown = ~pol.isin(POLLUTANTS)
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise _bad(name, int(frame.index[i]), _label(frame, "pollutant"), f"one of {', '.join(POLLUTANTS)}", frame["pollutant"].iloc[i],
                       f"{'、'.join(POLLUTANTS)} 之一")
        values = _numbers(frame, "value", name)
        if "unit" in cols:
            factor = np.ones(len(frame))
            for i, (p, u) in enumerate(zip(pol, frame["unit"].str.strip())):
                f = _unit_factor(p, u)
                if f is None:
                    raise UnitError(f"{name}: line {int(frame.index[i]) + 2}, column 'unit': unit {u!r} is not accepted for {p}; "
                                    f"expected one of {', '.join(sorted(_UNITS[p]))} (convert ppb first)",
                                    key="obs.bad_unit", file=name, line=int(frame.index[i]) + 2, unit=u, pollutant=p,
                                    accepted=", ".join(sorted(_UNITS[p])),
                                    accepted_zh="、".join(sorted(_UNITS[p])))
                factor[i] = f
            values = values * factor
        elif "value" in header_units:  # "监测值(μg/m3)": the unit of every row (CO's converted to mg/m³)
            factor = np.array([_header_factor(frame, "value", p, name) for p in pol], dtype=float)
            values = values * factor
        out = pd.DataFrame({"station": station.to_numpy(), "time": times.to_numpy(), "pollutant": pol.to_numpy(),
                            "value": values})
    else:
        present = [p for p in POLLUTANTS if p in cols]
        if not present:
            raise FormatError(f"{name}: header must name pollutant columns ({', '.join(POLLUTANTS)}) "
                              f"or 'pollutant' and 'value'; got {written}",
                              key="obs.no_pollutants", file=name, pollutants=", ".join(POLLUTANTS),
                              pollutants_zh="、".join(POLLUTANTS), got=written)
        parts = [pd.DataFrame({"station": station.to_numpy(), "time": times.to_numpy(), "pollutant": p,
                               "value": _numbers(frame, p, name) * _header_factor(frame, p, p, name)})
                 for p in present]
        out = pd.concat(parts, ignore_index=True)
    long = {"pollutant", "value"} <= cols
    unit_written = "unit" in cols or "value" in header_units if long else "co" in header_units
    if not unit_written:
        _check_co_unit(out, name, "unit" if long else _label(frame, "co") if "co" in cols else "CO")
    out["time"] = pd.to_datetime(out["time"], utc=True)
    out["line"] = np.tile(frame.index.to_numpy(dtype=int) + 2, len(out) // max(len(frame), 1)) if len(frame) else []
    out = _one_value_an_hour(out, name)
    read = {"station", "time", "pollutant", "value", "unit"} if {"pollutant", "value"} <= cols else {"station", "time", *POLLUTANTS}
    read |= {"date", "hour"} if from_date_and_hour else set()
    read |= {"year", "month", "day"} if from_parts else set()
    out.attrs["skipped_rows"] = frame.attrs.get("skipped_rows", ())  # a title, notes: (file, line, text)
    out.attrs["skipped_sheets"] = frame.attrs.get("skipped_sheets", ())
    if by_name:
        out.attrs["station_names"] = True  # forecasting.datastore.known_stations_only turns them into codes
    if stations_as_columns:
        out.attrs["ignored_columns"] = ()  # every column but the day, hour and type is a station
        # a national file lists every station of the country: those the app does not know are the importer's to
        # leave out (forecasting.datastore.known_stations_only), not stations whose metadata is missing
        out.attrs["station_columns"] = True
        return out
    out.attrs["ignored_columns"] = tuple(_label(frame, c) for c in frame.columns if c and c not in read)
    return out


_KEY = ["station", "time", "pollutant"]


def _first_conflict(frame: pd.DataFrame, order: list[str]):
    """The first two rows (in ``order``) that give one station, hour and pollutant different values, with the hour
    in Beijing time and the pollutant's name: ``(a, b, when, pollutant)``; ``None`` when no values differ."""
    given = frame[frame["value"].notna()]
    differ = given[given.groupby(_KEY, sort=False)["value"].transform("nunique") > 1]
    if not len(differ):
        return None
    differ = differ.sort_values(order, kind="stable")
    a = differ.iloc[0]
    same = differ[(differ["station"] == a["station"]) & (differ["time"] == a["time"])
                  & (differ["pollutant"] == a["pollutant"])]
    b = same[same["value"] != a["value"]].iloc[0]
    when = pd.Timestamp(a["time"]).tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
    return a, b, when, POLLUTANT_TEXT.get(a["pollutant"], a["pollutant"])


def _one_row_a_key(frame: pd.DataFrame, tiebreak: str) -> pd.DataFrame:
    """One row per station, hour and pollutant (a given value before a missing one, then the first by
    ``tiebreak``), sorted by station, pollutant and time."""
    out = frame.assign(_missing=frame["value"].isna()).sort_values([*_KEY, "_missing", tiebreak], kind="stable")
    out = out.drop_duplicates(_KEY).drop(columns="_missing")
    return out.sort_values(["station", "pollutant", "time"], kind="stable").reset_index(drop=True)


def _one_value_an_hour(out: pd.DataFrame, name: str) -> pd.DataFrame:
    """One row per station, hour and pollutant of one file. A file that gives one station's hour twice with
    different values is refused naming both lines (as two files of a ZIP that differ are, ``obs.archive_conflict``):
    the import kept the first silently, while the data desk's preview had flagged both as duplicates. The same
    value twice (overlapping exports) is read once; a given value comes before a missing one."""
    conflict = _first_conflict(out, ["line"])
    if conflict is not None:
        a, b, when, pollutant = conflict
        raise ValidationError(
            f"{name}: lines {int(a['line'])} and {int(b['line'])} give station {a['station']} at {when} "
            f"(Beijing) different {pollutant} values ({a['value']:g} and {b['value']:g}): keep one of them",
            key="obs.line_conflict", file=name, first=int(a["line"]), second=int(b["line"]),
            station=a["station"], when=when, pollutant=pollutant, a=f"{a['value']:g}", b=f"{b['value']:g}")
    return _one_row_a_key(out, "line")


def _check_co_unit(out: pd.DataFrame, name: str, column: str) -> None:
    """Refuse CO values that are plainly µg/m³ where the file does not say its unit (CO is in mg/m³, GB 3095):
    their median above :data:`~forecasting.observations.qc.PLAUSIBLE_MAX` (60 mg/m³, never met in ambient air;
    typical hourly CO is 0.3-3 mg/m³). Read as mg/m³ they would be a thousand times too high (the PRSA files'
    CO, 300-10,000 µg/m³)."""
    co = out.loc[out["pollutant"] == "co", "value"].to_numpy(dtype=float)
    if co.size and np.isfinite(co).any() and np.nanmedian(co) > PLAUSIBLE_MAX["co"]:
        median = f"{np.nanmedian(co):g}"
        raise UnitError(f"{name}: the CO values (median {median}) look like µg/m³, but CO is in mg/m³ without a unit "
                        f"written: write it in the header, e.g. {column}(μg/m3) (or ug/m3 in a unit column), or convert "
                        "them first", key="obs.co_unit", file=name, median=median, column=column)


def _header_factor(frame: pd.DataFrame, column: str, pollutant: str, name: str) -> float:
    """The factor to ``pollutant``'s canonical unit from the unit ``column``'s header writes in brackets (1 when
    it writes none); a unit the app cannot convert (ppb) is refused, naming the column as written."""
    unit = frame.attrs["units"].get(column)
    if unit is None:
        return 1.0
    factor = _unit_factor(pollutant, unit)
    if factor is None:
        accepted = sorted(_UNITS[pollutant])
        raise UnitError(f"{name}: column {_label(frame, column)!r}: unit {unit!r} is not accepted for {pollutant}; "
                        f"expected one of {', '.join(accepted)} (convert ppb first)",
                        key="obs.bad_header_unit", file=name, column=_label(frame, column), unit=unit,
                        pollutant=pollutant, accepted=", ".join(accepted), accepted_zh="、".join(accepted))
    return factor


#: a station list's columns as the Chinese message names them (either name is read)
_STATION_COLUMNS_ZH = {"station": "station（站点编码）", "name": "name（站点名称）", "lon": "lon（经度）",
                       "lat": "lat（纬度）", "district": "district（区县）"}


def read_stations(source) -> pd.DataFrame:
    """Station metadata ``station name lon lat district`` (``id`` accepted for ``station``).

    ``lon`` [degrees east] in −180..180, ``lat`` [degrees north] in −90..90, ``district`` a
    six-digit adcode or a zone district's name (:func:`forecasting.vocab.adcode_of`; returned as its adcode).
    A malformed row raises :class:`ValidationError` with its line number.
    """
    frame, name = _read_text(source)
    if "id" in frame.columns and "station" not in frame.columns:
        attrs = frame.attrs
        frame = frame.rename(columns={"id": "station"})
        frame.attrs = {**attrs, "original": {**attrs["original"], "station": attrs["original"]["id"]}}
    need = ["station", "name", "lon", "lat", "district"]
    missing = [c for c in need if c not in frame.columns]
    if missing and "time" in frame.columns:  # the observations, chosen in the station list's place
        raise FormatError(f"{name}: observations (with a time column), not a station list; give them as the "
                          "observations CSV", key="obs.observations_not_stations", file=name)
    if missing:
        raise FormatError(f"{name}: station metadata misses column(s) {', '.join(missing)}; expected {', '.join(need)}",
                          key="obs.stations_columns", file=name, missing=", ".join(missing), expected=", ".join(need),
                          missing_zh="、".join(_STATION_COLUMNS_ZH[c] for c in missing),
                          expected_zh="、".join(_STATION_COLUMNS_ZH[c] for c in need))
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
        raise _bad(name, int(frame.index[i]), _label(frame, "district"),
                   "a six-digit adcode such as 310118, or a district's name ("
                   + ", ".join(d.short_en for d in ZONE_DISTRICTS) + ")", frame["district"].iloc[i],
                   "六位行政区划代码（如 310118）或区县名称（" + "、".join(d.name_zh for d in ZONE_DISTRICTS) + "）")
    station = frame["station"].str.strip()
    dup = station.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise _bad(name, int(frame.index[i]), _label(frame, "station"), "a station id not listed before", frame["station"].iloc[i],
                   "未重复的站点编号")
    return pd.DataFrame({"station": station, "name": frame["name"].str.strip(), "lon": lon, "lat": lat,
                         "district": district}).reset_index(drop=True)
