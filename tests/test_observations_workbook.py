"""Observations and station lists as Excel workbooks (.xlsx), as monitoring platforms export them.

Before, a workbook was refused ("请在 Excel 中另存为 CSV") and the data desk's file picker did not even offer
one: a forecaster had to open each export in Excel and save it again. The workbooks here are written by
openpyxl, as a real .xlsx; the expected values are the cells written into them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from forecasting import uploads
from forecasting.errors import FormatError, ValidationError
from forecasting.observations import read_station_csv, read_stations
from forecasting.store.science import Observation
from test_datadesk import STATIONS, _count, data_dir  # noqa: F401 (data_dir: the data desk's fixture)

BEIJING = "Asia/Shanghai"


def _workbook(*sheets: tuple[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "监测数据.xlsx"
    return out


EXPORT = [
    ["站点编码", "站点名称", "监测时间", "PM2.5(μg/m3)", "PM10(μg/m3)", "CO(mg/m3)", "AQI"],
    [1142, "青浦淀山湖", dt.datetime(2026, 3, 5, 10, 0), 35, 60.5, 0.8, 50],
    # Excel keeps a time as a day's fraction: 11:00 may come back a hair early
    [1142, "青浦淀山湖", dt.datetime(2026, 3, 5, 10, 59, 59, 999_600), 41.0, None, 0.9, 57],
]


def test_a_monitoring_export_workbook_is_read_as_its_csv_would_be():
    obs = read_station_csv(_workbook(("Sheet1", EXPORT)), timezone=BEIJING)
    # the station code a number cell holds is the code, not "1142.0"; Beijing 10:00 is 02:00 UTC
    assert set(obs["station"]) == {"1142"}
    got = {(t.strftime("%H:%M"), p): v for t, p, v in zip(obs["time"], obs["pollutant"], obs["value"])}
    assert pd.isna(got.pop(("03:00", "pm10")))  # an empty cell is a missing value, as an empty CSV field is
    assert got == {("02:00", "pm25"): 35.0, ("02:00", "pm10"): 60.5, ("02:00", "co"): 0.8,
                   ("03:00", "pm25"): 41.0, ("03:00", "co"): 0.9}
    assert str(obs["time"].dt.tz) == "UTC"
    assert list(obs.attrs["ignored_columns"]) == ["站点名称", "AQI"]


def test_a_bad_cell_is_named_by_the_row_excel_shows():
    rows = [*EXPORT, [1142, "青浦淀山湖", dt.datetime(2026, 3, 5, 12, 0), "缺测?", 61, 0.8, 52]]
    book = _workbook(("Sheet1", [[], *rows]))  # an empty first row: the header is on row 2, the bad cell on row 5
    with pytest.raises(ValidationError) as refused:
        read_station_csv(book, timezone=BEIJING)
    assert "第 5 行" in refused.value.localized("zh") and "PM2.5(μg/m3)" in refused.value.localized("zh")


def test_a_station_list_workbook_is_read():
    st = read_stations(_workbook(("站点", [["站点编码", "站点名称", "经度", "纬度", "区县"],
                                          [1142, "青浦淀山湖", 120.95, 31.10, "青浦区"],
                                          ["WJ01", "吴江开发区", 120.64, 31.16, 320509]])))
    assert st["station"].tolist() == ["1142", "WJ01"]
    assert st["district"].tolist() == ["310118", "320509"]
    assert st["lon"].tolist() == [120.95, 120.64]


def test_data_on_two_sheets_is_refused_naming_them_and_an_empty_sheet_is_no_data():
    with pytest.raises(FormatError) as refused:
        read_station_csv(_workbook(("3月5日", EXPORT), ("3月6日", EXPORT)), timezone=BEIJING)
    assert refused.value.key == "obs.workbook_sheets"
    assert refused.value.localized("zh") == ("监测数据.xlsx 有 2 个工作表含数据（3月5日、3月6日）：请只保留观测所在的一个"
                                             "工作表")
    obs = read_station_csv(_workbook(("Sheet1", EXPORT), ("说明", [[None], []])), timezone=BEIJING)
    assert len(obs) == 6


def test_a_zip_without_observations_and_a_damaged_xls_are_refused_by_name():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("说明.pdf", b"%PDF-1.7")
    f = io.BytesIO(raw.getvalue())
    f.name = "obs.zip"
    with pytest.raises(FormatError) as refused:
        read_station_csv(f)
    assert refused.value.key == "obs.archive_empty"
    assert refused.value.localized("zh") == "obs.zip 中没有 CSV 或 Excel 文件（其中有：说明.pdf）"
    xls = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    xls.name = "obs.xls"
    with pytest.raises(FormatError) as refused:
        read_station_csv(xls)
    assert refused.value.key == "obs.bad_xls" and refused.value.localized("zh").startswith(
        "obs.xls 不是可读取的 Excel 97-2003 工作簿（.xls）")


def test_the_data_desk_previews_and_imports_a_workbook(db, users, data_dir):
    rows = [["station", "time", "pm25", "pm10"]]
    rows += [["QP1", dt.datetime(2026, 11, 20, h), 40 + h, 70 + h] for h in range(1, 7)]
    data = _workbook(("Sheet1", rows)).getvalue()
    p = uploads.preview_observations(db, users["admin1"], data, "obs.xlsx", stations=("st.csv", STATIONS.encode()),
                                     timezone_name=BEIJING)
    assert p.rows == 12 and p.stations == ("QP1",)
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 12 and _count(db, Observation) == 12
    with db.read() as s:
        first = min(o.time for o in s.query(Observation))
    assert first == dt.datetime(2026, 11, 19, 17, tzinfo=dt.timezone.utc)  # 01:00 Beijing


# -- a ZIP of observation files (a week of a platform's daily exports) ------------------------------


def _zip_of(members: dict[str, bytes]) -> io.BytesIO:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    raw.seek(0)
    raw.name = "一周观测.zip"
    return raw


def _day(day: int, pm25: int) -> bytes:
    return "".join(["站点编码,监测时间,PM2.5\n", *(f"QP01,2026-12-0{day} {h:02d}:00,{pm25 + h}\n" for h in (1, 2))]
                   ).encode("gb18030")


def test_a_zip_of_daily_exports_is_read_as_their_union():
    book = _workbook(("Sheet1", [["站点编码", "监测时间", "PM2.5"], ["QP01", dt.datetime(2026, 12, 3, 1), 60]]))
    obs = read_station_csv(_zip_of({"2026-12-01.csv": _day(1, 30), "2026-12-02.csv": _day(2, 40),
                                    "2026-12-03.xlsx": book.getvalue(), "说明.txt": b"",
                                    "__MACOSX/._2026-12-01.csv": b"\x00\x05"}), timezone=BEIJING)
    got = {t.tz_convert(BEIJING).strftime("%m-%d %H"): v for t, v in zip(obs["time"], obs["value"])}
    assert got == {"12-01 01": 31, "12-01 02": 32, "12-02 01": 41, "12-02 02": 42, "12-03 01": 60}


def test_two_members_that_disagree_are_refused_naming_both_and_alike_ones_kept_once():
    obs = read_station_csv(_zip_of({"a.csv": _day(1, 30), "b.csv": _day(1, 30)}), timezone=BEIJING)
    assert len(obs) == 2  # the same day exported twice
    with pytest.raises(ValidationError) as refused:
        read_station_csv(_zip_of({"a.csv": _day(1, 30), "b.csv": _day(1, 35)}), timezone=BEIJING)
    assert refused.value.localized("zh") == ("一周观测.zip/a.csv 与 一周观测.zip/b.csv 对站点 QP01 2026-12-01 01:00（北京时间）"
                                             "的 PM2.5 给出不同的值（31 与 36）：请只保留其一")


def test_a_bad_member_is_named_with_its_line():
    bad = "站点编码,监测时间,PM2.5\nQP01,2026-12-02 01:00,abc\n".encode()
    with pytest.raises(ValidationError) as refused:
        read_station_csv(_zip_of({"2026-12-01.csv": _day(1, 30), "2026-12-02.csv": bad}), timezone=BEIJING)
    assert refused.value.localized("zh").startswith("一周观测.zip/2026-12-02.csv 第 2 行 PM2.5 列")


def test_the_data_desk_imports_a_zip_of_daily_files(db, users, data_dir):
    data = _zip_of({"2026-11-20.csv": b"station,time,pm25\n" + b"".join(
        f"QP1,2026-11-20 {h:02d}:00,{40 + h}\n".encode() for h in range(1, 4)),
        "2026-11-21.csv": b"station,time,pm25\nQP1,2026-11-21 01:00,50\n", "readme.txt": b"exported 11-22"}).getvalue()
    p = uploads.preview_observations(db, users["admin1"], data, "week.zip", stations=("st.csv", STATIONS.encode()),
                                     timezone_name=BEIJING)
    assert p.rows == 4 and p.skipped_files == ("readme.txt",)
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 4 and _count(db, Observation) == 4


# -- a national site file: a column for every station of the country --------------------------------


def _national(ids: list[str]) -> bytes:
    rows = ["date,hour,type," + ",".join(ids)]
    for h in (1, 2):
        for kind in ("AQI", "PM2.5", "PM2.5_24h", "PM10"):
            rows.append(f"20261120,{h},{kind}," + ",".join(str(40 + h + 10 * k) for k in range(len(ids))))
    return ("\n".join(rows) + "\n").encode()


def test_a_national_file_imports_the_zones_stations_and_names_the_others(db, users, data_dir):
    """A national file holds 1,600 stations; only the zone's are in the app. Before, its import was refused:
    "stations 1001A, … have no metadata: import them with --stations"."""
    data = _national(["1001A", "QP1", "1002A"])
    p = uploads.preview_observations(db, users["admin1"], data, "china_sites_20261120.csv",
                                     stations=("st.csv", STATIONS.encode()), timezone_name=BEIJING)
    assert p.stations == ("QP1",) and p.unknown_stations == () and p.left_out_stations == ("1001A", "1002A")
    assert p.rows == 4  # QP1's PM2.5 and PM10 at two hours; AQI and the 24-hour mean are no hourly values
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 4 and result.left_out_stations == ("1001A", "1002A")
    with db.read() as s:
        assert {(o.station_id, o.pollutant, o.value) for o in s.query(Observation)} == {
            ("QP1", "pm25", 51.0), ("QP1", "pm25", 52.0), ("QP1", "pm10", 51.0), ("QP1", "pm10", 52.0)}


def test_a_national_file_without_any_of_the_zones_stations_is_refused(db, users, data_dir):
    with pytest.raises(ValidationError) as refused:
        uploads.preview_observations(db, users["admin1"], _national(["1001A", "1002A"]), "china_sites.csv",
                                     timezone_name=BEIJING)
    assert refused.value.localized("zh") == ("文件中的 2 个站点（1001A、1002A）都不在站点表中：请先导入示范区站点信息"
                                             "（站点信息文件）")
    # a file of another layout naming a station without metadata is still refused at the import, as before
    p = uploads.preview_observations(db, users["admin1"], b"station,time,pm25\n1001A,2026-11-20 01:00,40\n",
                                     "obs.csv", timezone_name=BEIJING)
    assert p.unknown_stations == ("1001A",) and p.left_out_stations == ()


def test_a_provincial_export_naming_its_stations_is_imported_by_their_codes(db, users, data_dir):
    """"点位名称,监测时间,PM2.5" (no codes), a province's stations: before, refused for want of a station column."""
    text = ("点位名称,监测时间,PM2.5\n"
            "青浦淀山湖,2026-11-20 01:00,41\n"
            "吴江开发区\u3000,2026-11-20 01:00,43\n"  # an ideographic space after it, as some exports pad: folded
            "苏州工业园区,2026-11-20 01:00,55\n").encode()
    p = uploads.preview_observations(db, users["admin1"], text, "江苏省站点.csv", stations=("st.csv", STATIONS.encode()),
                                     timezone_name=BEIJING)
    assert p.stations == ("QP1", "WJ1") and p.left_out_stations == ("苏州工业园区",) and p.unknown_stations == ()
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 2 and result.left_out_stations == ("苏州工业园区",)
    with db.read() as s:
        assert {(o.station_id, o.value) for o in s.query(Observation)} == {("QP1", 41.0), ("WJ1", 43.0)}
    with pytest.raises(ValidationError) as refused:
        uploads.preview_observations(db, users["admin1"], "点位名称,监测时间,PM2.5\n苏州工业园区,2026-11-20 01:00,55\n"
                                     .encode(), "江苏省站点.csv", timezone_name=BEIJING)
    assert refused.value.key == "obs.no_known_station" and "苏州工业园区" in refused.value.localized("zh")


def test_several_files_chosen_together_are_read_as_one_upload(db, users, data_dir, tmp_path, monkeypatch, sqlite_url):
    """A week of daily exports chosen together on the data desk (the picker takes several now), or given together
    to ``obs import``: their union, each file named in messages, as a ZIP of them is read."""
    files = [("2026-11-20.csv", b"station,time,pm25\nQP1,2026-11-20 01:00,41\n"),
             ("2026-11-21.csv", b"station,time,pm25\nQP1,2026-11-21 01:00,50\n")]
    data, name = uploads.observation_upload(files)
    p = uploads.preview_observations(db, users["admin1"], data, name, stations=("st.csv", STATIONS.encode()),
                                     timezone_name=BEIJING)
    assert p.rows == 2 and name == "observations-2-files.zip"
    bad = [files[0], ("2026-11-22.csv", b"station,time,pm25\nQP1,2026-11-22 01:00,x\n")]
    with pytest.raises(ValidationError) as refused:
        uploads.preview_observations(db, users["admin1"], *uploads.observation_upload(bad), timezone_name=BEIJING)
    assert refused.value.localized("zh").startswith("observations-2-files.zip/2026-11-22.csv 第 2 行 pm25 列")
    # the command line: several paths
    from forecasting.cli import main

    for n, body in files:
        (tmp_path / n).write_bytes(body)
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["obs", "import", *(str(tmp_path / n) for n, _b in files), "--stations", str(tmp_path / "st.csv"),
                 "--timezone", BEIJING]) == 0
    from forecasting.store.db import Database

    with Database(sqlite_url).read() as s:
        assert sorted(o.value for o in s.query(Observation)) == [41.0, 50.0]


def test_a_workbook_carrying_an_entity_bomb_is_refused_at_once():
    """A worksheet whose XML defines entities that expand a billion-fold ("billion laughs") is refused as a
    workbook that cannot be read, without expanding them (defusedxml, which openpyxl uses when present, forbids
    the DTD; Python's expat would stop the expansion too)."""
    plain = _workbook(("Sheet1", [["station", "time", "pm25"], ["QP1", "2026-11-20 01:00", 1]])).getvalue()
    entities = '<!ENTITY a0 "aaaaaaaaaa">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("QP1", "&a9;")
                doctype = f"<!DOCTYPE worksheet [{entities}]>"
                text = text.replace("?>", "?>" + doctype, 1) if text.startswith("<?xml") else doctype + text
                assert "<!DOCTYPE" in text
                data = text.encode()
            dst.writestr(name, data)
    bomb = io.BytesIO(out.getvalue())
    bomb.name = "bomb.xlsx"
    with pytest.raises(FormatError) as refused:
        read_station_csv(bomb)
    assert refused.value.key == "obs.bad_workbook"
