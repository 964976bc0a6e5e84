"""Observation exports with a title above the header and notes below the data, as monitoring platforms and
district offices write them ("青浦区空气质量小时数据（2026年3月5日）", "单位：μg/m³"; "注：数据未经审核").

Before, the title was taken for the header: a CSV was refused at its first data line ("第 3 行应有 1 个字段"), a
workbook for want of a station column, and a note at the end was read as a station without a time. The
forecaster had to delete those rows by hand. Now they are named in the preview and not read; a first row that
is neither header nor title is still refused as before.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from forecasting import uploads
from forecasting.cli import main
from forecasting.errors import FormatError
from forecasting.i18n import row_references
from forecasting.observations import read_station_csv, read_stations
from test_datadesk import STATIONS, data_dir  # noqa: F401 (data_dir: the data desk's fixture)

BEIJING = "Asia/Shanghai"

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
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code = main(["obs", "import", str(tmp_path / "导出.csv"), "--stations", str(tmp_path / "st.csv"),
                 "--timezone", BEIJING])
    err = capsys.readouterr().err
    assert code == 0 and "警告：这些行不是数据（标题或备注），未读取：" in err and "第 6 行“注：数据未经审核”" in err, err
