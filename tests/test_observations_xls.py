"""Observations and station lists as Excel 97-2003 workbooks (.xls), as many monitoring platforms' "导出 Excel"
buttons still write them.

Before, an .xls was refused ("请在 Excel 中“另存为”“Excel 工作簿（.xlsx）”"): a forecaster had to open each export
in Excel and save it again. The workbooks in tests/data/observations were written by xlwt 1.3.0, a writer
independent of the reader (xlrd), by ``make_xls.py`` beside them; the expected values are the cells written there.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from forecasting import uploads
from forecasting.errors import FormatError, ValidationError
from forecasting.observations import read_station_csv, read_stations
from forecasting.store.science import Observation
from patience import PATIENCE_S
from test_datadesk import STATIONS, _count, data_dir  # noqa: F401 (data_dir: the data desk's fixture)

DATA = Path(__file__).resolve().parent / "data" / "observations"
ROOT = Path(__file__).resolve().parent.parent
BEIJING = "Asia/Shanghai"


def _file(name: str, data: bytes | None = None, as_name: str | None = None) -> io.BytesIO:
    f = io.BytesIO((DATA / name).read_bytes() if data is None else data)
    f.name = as_name or name
    return f


def test_a_monitoring_export_xls_is_read_as_its_csv_would_be():
    obs = read_station_csv(_file("monitoring-export.xls"), timezone=BEIJING)
    # the station code a number cell holds is the code, not "1142.0"; Beijing 10:00 is 02:00 UTC
    assert set(obs["station"]) == {"1142"}
    got = {(t.strftime("%m-%d %H:%M"), p): v for t, p, v in zip(obs["time"], obs["pollutant"], obs["value"])}
    assert pd.isna(got.pop(("03-05 03:00", "pm10")))  # an empty cell is a missing value, as an empty CSV field is
    assert got == {("03-05 02:00", "pm25"): 35.0, ("03-05 02:00", "pm10"): 60.5, ("03-05 02:00", "co"): 0.8,
                   ("03-05 03:00", "pm25"): 41.0, ("03-05 03:00", "co"): 0.9}
    assert str(obs["time"].dt.tz) == "UTC"
    assert list(obs.attrs["ignored_columns"]) == ["站点名称", "AQI"]


def test_a_station_list_xls_is_read():
    st = read_stations(_file("stations.xls"))
    assert st["station"].tolist() == ["1142", "WJ01"]
    assert st["name"].tolist() == ["青浦淀山湖", "吴江开发区"]
    assert st["district"].tolist() == ["310118", "320509"]
    assert st["lon"].tolist() == [120.95, 120.64] and st["lat"].tolist() == [31.10, 31.16]


def test_data_on_two_sheets_of_an_xls_is_refused_naming_them():
    with pytest.raises(FormatError) as refused:
        read_station_csv(_file("two-days.xls"), timezone=BEIJING)
    assert refused.value.key == "obs.workbook_sheets"
    assert refused.value.localized("zh") == ("two-days.xls 有 2 个工作表含数据（3月5日、3月6日）：请只保留观测所在的一个"
                                             "工作表")


def test_a_damaged_xls_is_refused_naming_the_file_and_a_bad_cell_names_its_row():
    raw = (DATA / "monitoring-export.xls").read_bytes()
    with pytest.raises(FormatError) as refused:
        read_station_csv(_file("", raw[:1500], "导出.xls"), timezone=BEIJING)  # a download cut short
    assert refused.value.key == "obs.bad_xls"
    assert refused.value.localized("zh").startswith("导出.xls 不是可读取的 Excel 97-2003 工作簿（.xls）")
    assert refused.value.localized("en").startswith("导出.xls is not a readable Excel 97-2003 workbook (.xls)")
    # without a time zone, the export's times (no offset) are refused naming the row Excel shows
    with pytest.raises(ValidationError) as naive:
        read_station_csv(_file("monitoring-export.xls"))
    assert "第 2 行" in naive.value.localized("zh") and "监测时间" in naive.value.localized("zh")


def test_a_zip_of_daily_xls_exports_is_read_as_their_union():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("2026-03-05.xls", (DATA / "monitoring-export.xls").read_bytes())
        z.writestr("2026-03-05 again.xlsx.txt", b"README")
    obs = read_station_csv(_file("", raw.getvalue(), "一周观测.zip"), timezone=BEIJING)
    assert len(obs) == 6 and set(obs["pollutant"]) == {"pm25", "pm10", "co"}


def test_the_data_desk_previews_and_imports_an_xls(db, users, data_dir):
    data = (DATA / "data-desk.xls").read_bytes()
    p = uploads.preview_observations(db, users["admin1"], data, "obs.xls", stations=("st.csv", STATIONS.encode()),
                                     timezone_name=BEIJING)
    assert p.rows == 12 and p.stations == ("QP1",)
    result, _ = uploads.confirm_observations(db, users["admin1"], p.token)
    assert result.rows == 12 and _count(db, Observation) == 12
    with db.read() as s:
        values = sorted((o.time.hour, o.pollutant, o.value) for o in s.query(Observation))
    # the cells: 2026-11-20 01:00 ... 06:00 Beijing (11-19 17:00 ... 22:00 UTC), PM2.5 41 ... 46, PM10 71 ... 76
    assert values == sorted([(16 + h, "pm25", 40.0 + h) for h in range(1, 7)] +
                            [(16 + h, "pm10", 70.0 + h) for h in range(1, 7)])


@pytest.mark.slow
def test_obs_import_reads_an_xls_and_writes_nothing_on_standard_output(tmp_path):
    """xlrd writes its warnings to standard output unless told otherwise; `obs import` keeps it clean."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "FORECASTING_DATA_DIR": str(tmp_path), "LANG": "C.UTF-8"}
    py = [sys.executable, "-m", "forecasting"]
    subprocess.run([*py, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=PATIENCE_S)
    stations = tmp_path / "st.csv"
    stations.write_text(STATIONS, encoding="utf-8")
    padded = tmp_path / "导出.xls"  # some exporters pad the file: xlrd then warns "file size (…) not 512 + …"
    padded.write_bytes((DATA / "data-desk.xls").read_bytes() + bytes(100))
    done = subprocess.run([*py, "obs", "import", str(padded), "--stations", str(stations),
                           "--timezone", BEIJING], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=PATIENCE_S)
    assert done.returncode == 0, done.stderr
    assert "12" in done.stdout and "WARNING" not in done.stdout + done.stderr, done.stdout
