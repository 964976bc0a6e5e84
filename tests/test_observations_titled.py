"""Observation exports with a title above the header, notes below the data or a notes sheet, as monitoring platforms and
district offices write them ("青浦区空气质量小时数据（2026年3月5日）", "单位：μg/m³"; "注：数据未经审核").

Before, the title was taken for the header: a CSV was refused at its first data line ("第 3 行应有 1 个字段"), a
workbook for want of a station column, and a note at the end was read as a station without a time. The
forecaster had to delete those rows by hand. Now they are named in the preview and not read; a first row that
is neither header nor title is still refused as before.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from forecasting import uploads
from forecasting.cli import main
from forecasting.errors import FormatError
from forecasting.i18n import row_references
from forecasting.observations import read_station_csv, read_stations
from locale_support import terminal_locale
from test_datadesk import STATIONS, data_dir  # noqa: F401 (data_dir: the data desk's fixture)

BEIJING = "Asia/Shanghai"
DATA = Path(__file__).resolve().parent / "data" / "observations"

TITLED = """青浦区空气质量小时数据（2026年3月5日）
单位：μg/m³（CO 为 mg/m³）
站点编码,监测时间,PM2.5,PM10,CO
QP1,2026-03-05 10:00,35,60,0.8
QP1,2026-03-05 11:00,41,66,0.9
注：数据未经审核
"""


def _csv(text: str, name: str = "青浦导出.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def test_a_csv_with_a_title_and_a_note_is_read_and_they_are_named():
    obs = read_station_csv(_csv(TITLED), timezone=BEIJING)
    got = {(t.strftime("%H:%M"), p): v for t, p, v in zip(obs["time"], obs["pollutant"], obs["value"])}
    assert got == {("02:00", "pm25"): 35.0, ("02:00", "pm10"): 60.0, ("02:00", "co"): 0.8,
                   ("03:00", "pm25"): 41.0, ("03:00", "pm10"): 66.0, ("03:00", "co"): 0.9}
    assert obs.attrs["skipped_rows"] == (("青浦导出.csv", 1, "青浦区空气质量小时数据（2026年3月5日）"),
                                         ("青浦导出.csv", 2, "单位：μg/m³（CO 为 mg/m³）"),
                                         ("青浦导出.csv", 6, "注：数据未经审核"))
    # a bad cell is still named by the line the file shows
    bad = TITLED.replace("QP1,2026-03-05 11:00,41", "QP1,2026-03-05 11:00,4l")
    with pytest.raises(Exception) as refused:
        read_station_csv(_csv(bad), timezone=BEIJING)
    assert "第 5 行" in refused.value.localized("zh") and "PM2.5" in refused.value.localized("zh")


def test_a_workbook_with_a_merged_title_and_a_signature_row_is_read():
    book = Workbook()
    sheet = book.active
    sheet.append(["吴江区环境空气质量监测日报"])
    sheet.merge_cells("A1:D1")  # the title across the columns, as exports write it
    sheet.append(["站点编码", "监测时间", "臭氧", "二氧化氮"])
    sheet.append(["WJ1", dt.datetime(2026, 3, 5, 14), 120, 30])
    sheet.append(["制表：王磊", None, "审核：赵敏", None])
    out = io.BytesIO()
    book.save(out)
    f = io.BytesIO(out.getvalue())
    f.name = "日报.xlsx"
    obs = read_station_csv(f, timezone=BEIJING)
    assert sorted(zip(obs["pollutant"], obs["value"])) == [("no2", 30.0), ("o3", 120.0)]
    assert [r[1:] for r in obs.attrs["skipped_rows"]] == [(1, "吴江区环境空气质量监测日报"), (4, "制表：王磊 审核：赵敏")]


def test_a_first_row_that_is_neither_header_nor_title_is_still_refused():
    # four cells: not a title; the header is not guessed further down
    with pytest.raises(FormatError) as refused:
        read_station_csv(_csv("a,b,c,d\nstation,time,pm25,pm10\nS1,2026-03-05T10:00+08:00,35,60\n"))
    assert refused.value.key == "obs.csv_header"
    # a last row that is data, not a note, is read as data (and refused here for its missing time)
    with pytest.raises(Exception) as data_row:
        read_station_csv(_csv("station,time,pm25\nS1,2026-03-05T10:00+08:00,35\nS2,,\n"))
    assert "第 3 行" in data_row.value.localized("zh")


def test_a_station_list_with_a_title_is_read():
    st = read_stations(_csv("示范区空气质量监测站点一览\n站点编码,站点名称,经度,纬度,区县\nQP1,青浦淀山湖,120.95,31.10,青浦区\n"))
    assert st["station"].tolist() == ["QP1"] and st["district"].tolist() == ["310118"]


def test_the_data_desk_preview_names_the_rows_it_leaves(db, users, data_dir):
    p = uploads.preview_observations(db, users["admin1"], TITLED.encode("utf-8"), "青浦导出.csv",
                                     stations=("st.csv", STATIONS.encode()), timezone_name=BEIJING)
    assert p.rows == 6 and p.stations == ("QP1",)
    assert row_references(p.skipped_rows, "zh") == ("青浦导出.csv 第 1 行“青浦区空气质量小时数据（2026年3月5日）”、"
                                                    "青浦导出.csv 第 2 行“单位：μg/m³（CO 为 mg/m³）”、"
                                                    "青浦导出.csv 第 6 行“注：数据未经审核”")
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 6


def test_obs_import_names_the_rows_it_leaves_in_the_terminals_language(monkeypatch, capsys, tmp_path, sqlite_url):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    (tmp_path / "st.csv").write_text(STATIONS, encoding="utf-8")
    (tmp_path / "导出.csv").write_text(TITLED, encoding="utf-8")
    terminal_locale(monkeypatch, "zh_CN.UTF-8")
    code = main(["obs", "import", str(tmp_path / "导出.csv"), "--stations", str(tmp_path / "st.csv"),
                 "--timezone", BEIJING])
    err = capsys.readouterr().err
    assert code == 0 and "警告：这些行不是数据（标题或备注），未读取：" in err and "第 6 行“注：数据未经审核”" in err, err


# -- a workbook's notes sheet ("说明") beside its table ---------------------------------------------------


def test_a_workbook_with_a_notes_sheet_is_read_from_its_table_and_the_notes_are_named():
    """Before, a notes sheet beside the data made the workbook refused: "有 2 个工作表含数据（小时数据、说明）"."""
    f = io.BytesIO((DATA / "with-notes.xls").read_bytes())
    f.name = "导出.xls"
    obs = read_station_csv(f, timezone=BEIJING)
    assert len(obs) == 6 and set(obs["station"]) == {"1142"}
    assert obs.attrs["skipped_sheets"] == ("导出.xls/说明",)
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表数据来自青浦区环境监测站"])
    data = book.create_sheet("数据")
    data.append(["station", "time", "pm25"])
    data.append(["QP1", "2026-03-05T10:00+08:00", 35])
    out = io.BytesIO()
    book.save(out)
    g = io.BytesIO(out.getvalue())
    g.name = "obs.xlsx"
    obs = read_station_csv(g)
    assert obs["value"].tolist() == [35.0] and obs.attrs["skipped_sheets"] == ("obs.xlsx/说明",)
    # two tables are still refused, naming them, and so are sheets of which none is a table
    two = io.BytesIO((DATA / "two-days.xls").read_bytes())
    two.name = "two-days.xls"
    with pytest.raises(FormatError) as refused:
        read_station_csv(two, timezone=BEIJING)
    assert refused.value.key == "obs.workbook_sheets" and "3月5日、3月6日" in refused.value.localized("zh")


def test_the_preview_and_obs_import_name_the_notes_sheet(db, users, data_dir, monkeypatch, capsys, tmp_path,
                                                         sqlite_url):
    data = (DATA / "with-notes.xls").read_bytes()
    stations = STATIONS + "1142,青浦淀山湖二,120.95,31.11,310118\n"
    p = uploads.preview_observations(db, users["admin1"], data, "导出.xls", stations=("st.csv", stations.encode()),
                                     timezone_name=BEIJING)
    assert p.rows == 6 and p.skipped_sheets == ("导出.xls/说明",)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    (tmp_path / "st.csv").write_text(stations, encoding="utf-8")
    (tmp_path / "导出.xls").write_bytes(data)
    terminal_locale(monkeypatch, "zh_CN.UTF-8")
    code = main(["obs", "import", str(tmp_path / "导出.xls"), "--stations", str(tmp_path / "st.csv"),
                 "--timezone", BEIJING])
    err = capsys.readouterr().err
    assert code == 0 and "警告：工作簿中这些工作表不是观测表格（如说明），未读取：" in err, err
    assert f"{tmp_path / '导出.xls'}/说明" in err  # the file as the command was given it
