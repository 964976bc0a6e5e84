"""How the Excel 97-2003 workbooks (.xls) beside this file were written: by xlwt 1.3.0 (BSD licence), a writer
independent of the app's reader (xlrd), as monitoring platforms' "导出 Excel" buttons write them (BIFF8).
Not run by the tests (xlwt is not a requirement); to write them again::

    python3 -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt==1.3.0
    /tmp/xlwt/bin/python tests/data/observations/make_xls.py

The expected values of tests/test_observations_xls.py are the cells written here.
"""

import datetime as dt
from pathlib import Path

import xlwt

HERE = Path(__file__).resolve().parent
TIME = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm")


def write(name: str, sheets: list[tuple[str, list[list]]]) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in sheets:
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write(r, c, value, TIME)
                else:
                    sheet.write(r, c, value)
    book.save(str(HERE / name))


EXPORT = [
    ["站点编码", "站点名称", "监测时间", "PM2.5(μg/m3)", "PM10(μg/m3)", "CO(mg/m3)", "AQI"],
    [1142, "青浦淀山湖", dt.datetime(2026, 3, 5, 10, 0), 35, 60.5, 0.8, 50],
    [1142, "青浦淀山湖", dt.datetime(2026, 3, 5, 11, 0), 41.0, None, 0.9, 57],
]

write("monitoring-export.xls", [("Sheet1", EXPORT)])
write("two-days.xls", [("3月5日", EXPORT), ("3月6日", EXPORT)])
write("with-notes.xls", [("小时数据", EXPORT), ("说明", [["本表为实时监测数据，未经审核"], ["单位：μg/m³（CO 为 mg/m³）"]])])
write("stations.xls", [("站点", [["站点编码", "站点名称", "经度", "纬度", "区县"],
                                 [1142, "青浦淀山湖", 120.95, 31.10, "青浦区"],
                                 ["WJ01", "吴江开发区", 120.64, 31.16, 320509]])])
write("data-desk.xls", [("Sheet1", [["station", "time", "pm25", "pm10"],
                                    *[["QP1", dt.datetime(2026, 11, 20, h), 40 + h, 70 + h] for h in range(1, 7)]])])
