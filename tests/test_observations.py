"""Station CSV reading (line-numbered errors, all-or-nothing), QC flags, district means, PRSA reader."""

import io

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import FormatError, UnitError, ValidationError
from forecasting.observations import (
    district_observations,
    prsa_long,
    quality_control,
    read_prsa,
    read_station_csv,
    read_stations,
    relative_humidity,
)

STATIONS = """id,name,lon,lat,district
S1,Qingpu-A,121.12,31.15,310118
S2,Qingpu-B,121.05,31.10,310118
S3,Wujiang-A,120.64,31.16,320509
"""


def csv(text):
    return io.StringIO(text)


def test_wide_csv_with_offsets_is_read_as_utc_hour_ending():
    obs = read_station_csv(csv("station,time,pm25,o3\nS1,2026-03-05T10:00+08:00,35,NA\nS1,2026-03-05T03:00Z,36,80\n"))
    assert set(obs["pollutant"]) == {"pm25", "o3"}
    pm = obs[obs["pollutant"] == "pm25"].sort_values("time")
    assert list(pm["time"]) == [pd.Timestamp("2026-03-05 02:00", tz="UTC"), pd.Timestamp("2026-03-05 03:00", tz="UTC")]
    assert obs[obs["pollutant"] == "o3"]["value"].isna().sum() == 1


def test_beijing_time_and_hour_beginning_labels():
    """'2026-03-05 00:00' Beijing, hour-beginning → the hour 00-01 Beijing → labelled 01:00 Beijing
    = 2026-03-04 17:00 UTC (spec china-aqi.md §2.3, T50)."""
    obs = read_station_csv(csv("station,time,pm25\nS1,2026-03-05 00:00,35\n"), timezone="Asia/Shanghai",
                           hour_label="begin")
    assert obs["time"].iloc[0] == pd.Timestamp("2026-03-04 17:00", tz="UTC")


def test_long_csv_with_units_converts_co():
    text = "station,time,pollutant,value,unit\nS1,2026-03-05T10:00+08:00,co,1200,ug/m3\nS1,2026-03-05T10:00+08:00,PM2.5,40,µg/m³\n"
    obs = read_station_csv(csv(text))
    assert obs.set_index("pollutant").loc["co", "value"] == pytest.approx(1.2)
    assert obs.set_index("pollutant").loc["pm25", "value"] == 40


@pytest.mark.parametrize("text,match", [
    ("station,time,pm25\nS1,2026-03-05T10:00+08:00,35\nS1,2026-03-05T11:00+08:00,abc\n",
     r"line 3, column 'pm25': expected a number"),
    ("station,time,pm25\nS1,2026-03-05T10:00+08:00,35\nS1,yesterday,1\n",
     r"line 3, column 'time': expected an ISO-8601 time"),
    ("station,time,pm25\nS1,2026-03-05 10:00,35\n",
     r"line 2, column 'time': expected a time with a UTC offset"),
    ("station,time,pm25\nS1,2026-03-05T10:30+08:00,35\n", r"line 2, column 'time': expected a whole hour"),
    ("station,time,pm25\nS1,2026-03-05T10:00+08:00\n", r"line 2: expected 3 fields"),
    ("station,time,pm25\nS1,2026-03-05T10:00+08:00,1,2,3\n", r"fields"),
    ("station,time,pollutant,value\nS1,2026-03-05T10:00+08:00,pm1,3\n", r"line 2, column 'pollutant': expected one of"),
    ("station,time,pm25\n,2026-03-05T10:00+08:00,3\n", r"line 2, column 'station'"),
])
def test_malformed_rows_name_line_and_column(text, match):
    with pytest.raises(ValidationError, match=match):
        read_station_csv(csv(text))


def test_unknown_unit_is_a_unit_error():
    with pytest.raises(UnitError, match=r"line 2, column 'unit': unit 'ppb' is not accepted for o3"):
        read_station_csv(csv("station,time,pollutant,value,unit\nS1,2026-03-05T10:00+08:00,o3,40,ppb\n"))


def test_header_without_pollutants_is_a_format_error():
    with pytest.raises(FormatError, match="pollutant columns"):
        read_station_csv(csv("station,time,temp\nS1,2026-03-05T10:00+08:00,3\n"))


def test_station_metadata_and_its_errors():
    st = read_stations(csv(STATIONS))
    assert list(st["station"]) == ["S1", "S2", "S3"] and st["district"].iloc[2] == "320509"
    with pytest.raises(ValidationError, match=r"line 3, column 'lat': expected a number between -90 and 90"):
        read_stations(csv("id,name,lon,lat,district\nS1,a,121,31,310118\nS2,b,121,95,310118\n"))
    with pytest.raises(ValidationError, match=r"line 2, column 'district': expected a six-digit adcode") as bad:
        read_stations(csv("id,name,lon,lat,district\nS1,a,121,31,Songjiang\n"))
    assert "或区县名称（青浦区、吴江区、嘉善县），实际为 Songjiang" in bad.value.localized("zh")


def test_a_station_list_may_name_its_districts():
    """A station list as people write it names the district ("青浦区", "吴江", "Jiashan"; a Chinese input method's
    full-width letters too): it was refused as "应为六位行政区划代码". Each name is read as its adcode."""
    st = read_stations(csv("station,name,lon,lat,district\nA,a,121.1,31.1,青浦区\nB,b,120.6,31.1,吴江\n"
                           "C,c,120.9,30.9,Jiashan County\nD,d,121.0,31.2,ｑｉｎｇｐｕ\nE,e,120.9,30.8,330421\n"))
    assert list(st["district"]) == ["310118", "320509", "330421", "310118", "330421"]


def _series(values, pollutant="pm25", station="S1", start="2026-03-05T00:00Z"):
    t = pd.date_range(start, periods=len(values), freq="h")
    return pd.DataFrame({"station": station, "time": t, "pollutant": pollutant, "value": np.asarray(values, float)})


def _flags(frame):
    return list(quality_control(frame)["qc_flags"])


def test_qc_negative_missing_implausible():
    assert _flags(_series([10, -1, np.nan, 2000])) == ["", "negative", "missing", "implausible"]


def test_qc_flat_run_of_six_hours_but_not_five():
    six = _flags(_series([20, 30, 30, 30, 30, 30, 30, 25]))
    assert six == ["", "flat", "flat", "flat", "flat", "flat", "flat", ""]
    five = _flags(_series([20, 30, 30, 30, 30, 30, 25, 26]))
    assert five == [""] * 8


def test_qc_flat_at_the_detection_limit_is_not_flagged():
    assert _flags(_series([2] * 8, pollutant="so2")) == [""] * 8


def test_qc_spike():
    # 300 − max(40, 50) = 250 > max(100, 2·50): spike; 150 − 50 = 100 is not > 100: no spike
    assert _flags(_series([40, 300, 50, 150, 50])) == ["", "spike", "", "", ""]


def test_qc_pm25_above_pm10_flags_both():
    frame = pd.concat([_series([30, 60]), _series([40, 50], pollutant="pm10")])
    q = quality_control(frame).set_index(["pollutant", "time"]).sort_index()
    assert list(q["qc_flags"]) == ["", "pm25_gt_pm10", "", "pm25_gt_pm10"]


def test_qc_duplicates_are_flagged_not_dropped():
    frame = pd.concat([_series([30, 31]), _series([30])])
    q = quality_control(frame)
    assert len(q) == 3 and q["qc_flags"].tolist().count("duplicate") == 2
    assert q["valid"].sum() == 1


def test_district_mean_of_valid_stations_and_new_station():
    """Hour 1: S1 = 30, S2 = 50 → 40. Hour 2: S2 negative (invalid) → S1 = 32 alone. S3 is a
    Wujiang station that first reports at hour 2."""
    frame = pd.concat([_series([30, 32]), _series([50, -5], station="S2"),
                       _series([70], station="S3", start="2026-03-05T01:00Z")])
    out = district_observations(quality_control(frame), read_stations(csv(STATIONS)))
    q = out[out["district"] == "310118"].set_index("time")
    assert list(q["value"]) == [40.0, 32.0] and list(q["n_stations"]) == [2, 1]
    w = out[out["district"] == "320509"]
    assert list(w["value"]) == [70.0]


def test_unknown_station_is_an_error():
    with pytest.raises(ValidationError, match="S9 missing from the station metadata"):
        district_observations(_series([1], station="S9"), read_stations(csv(STATIONS)))


PRSA = """"No","year","month","day","hour","PM2.5","PM10","SO2","NO2","CO","O3","TEMP","PRES","DEWP","RAIN","wd","WSPM","station"
1,2013,3,1,0,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,"NNW",5.7,"Dongsi"
2,2013,3,1,1,4,4,NA,16,300,88,10,1025.1,10,0,"E",3.9,"Dongsi"
"""


def test_prsa_reader_shifts_hour_and_converts_units():
    """Row hour 0 on 2013-03-01 Beijing = the hour 00-01 → labelled 01:00 Beijing = 2013-02-28 17 UTC."""
    w = read_prsa(io.StringIO(PRSA))
    assert w.index[0] == pd.Timestamp("2013-02-28 17:00", tz="UTC")
    assert w["co"].iloc[0] == pytest.approx(0.3)          # 300 µg/m³ → 0.3 mg/m³
    assert np.isnan(w["so2"].iloc[1])
    assert w["wd"].tolist() == [337.5, 90.0]
    assert w["rh"].iloc[1] == pytest.approx(100.0)          # dew point = temperature
    obs, met = prsa_long(w, district="110101")
    assert set(obs["pollutant"]) == {"pm25", "pm10", "so2", "no2", "co", "o3"} and len(obs) == 11
    assert set(met["variable"]) == {"t2", "rh", "ws", "wd"}


def test_relative_humidity_magnus():
    # es(20 °C) = 6.1094·exp(17.625·20/263.04) = 23.37 hPa; es(10 °C) = 12.27 hPa → 52.5 %
    assert relative_humidity(20.0, 10.0) == pytest.approx(52.5, abs=0.2)


def test_prsa_reader_refuses_other_files():
    with pytest.raises(FormatError, match="not a PRSA file"):
        read_prsa(io.StringIO("a,b\n1,2\n"))


def test_line_numbers_count_blank_lines():
    text = "station,time,pm25\n\nS1,2026-03-05T10:00+08:00,35\nS1,2026-03-05T11:00+08:00,x\n"
    with pytest.raises(ValidationError, match=r"line 4, column 'pm25'"):
        read_station_csv(csv(text))


def test_error_carries_a_translation_key():
    with pytest.raises(ValidationError) as info:
        read_station_csv(csv("station,time,pm25\nS1,2026-03-05T10:00+08:00,x\n"))
    assert info.value.key == "correction.csv_bad_value"
    assert "第 2 行" in info.value.localized("zh")


@pytest.mark.parametrize("row, zh", [
    ("S1,2026-03-05T10:00+08:00,x", "第 2 行 pm25 列：应为数值，或空白/NA，实际为 x"),
    ("S1,2026-03-05T10:30+08:00,35", "第 2 行 time 列：应为整点时间（小时值），实际为 2026-03-05T10:30+08:00"),
    ("S1,9999-12-31T23:00+08:00,35", "第 2 行 time 列：应为1970 至 2099 年之间的时间，实际为 9999-12-31T23:00+08:00"),
    ("S1,2026-03-05T10:00,35", "第 2 行 time 列：应为带 UTC 偏移的时间（如 +08:00），或先指定无偏移时间的时区（如北京时间）"),
])
def test_the_chinese_message_is_chinese_throughout(row, zh):
    """The Chinese UI says what was expected in Chinese too (no English phrase inside a Chinese sentence)."""
    with pytest.raises(ValidationError) as info:
        read_station_csv(csv("station,time,pm25\n" + row + "\n"))
    assert zh in info.value.localized("zh")
    assert "expected" not in info.value.localized("zh")


# -- what monitoring exports and Excel write (round forty-three) ---------------------------------------------


def test_a_csv_excel_saved_on_a_chinese_windows_is_read():
    """Excel on a Chinese Windows saves "CSV (逗号分隔)" in GBK: the station names were refused as "not UTF-8
    text" in English. GB18030 (which covers GBK) is read; the name is the file's."""
    gbk = "station,name,lon,lat,district\nS1,青浦淀山湖,121.0,31.1,310118\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    st = read_stations(io.BytesIO(gbk))
    assert st["name"].tolist() == ["青浦淀山湖"] and st["district"].tolist() == ["310118"]
    obs = read_station_csv(io.BytesIO("station,time,pm25\n青浦1,2026-03-05T10:00+08:00,35\n".encode("gb18030")))
    assert obs["station"].tolist() == ["青浦1"] and obs["value"].tolist() == [35.0]
    bom = read_station_csv(io.BytesIO("\ufeffstation,time,pm25\nS1,2026-03-05T10:00+08:00,35\n".encode("utf-8")))
    assert bom["value"].tolist() == [35.0]


# Excel's "文本文件 (制表符分隔)" (GBK) and "Unicode 文本" (UTF-16 LE with its byte-order mark, CRLF) save a sheet as
# tab-separated .txt, which the data desk's picker offers; both were refused ("header must include 'station'",
# "not a text file in UTF-8 or GB18030 (byte 1 …)")
TAB_TEXT = "站点编码\t监测时间\tPM2.5\tO3\r\nS1\t2026-03-05 10:00\t41\t60\r\nS3\t2026-03-05 10:00\t55\t--\r\n"


@pytest.mark.parametrize("encoded", [TAB_TEXT.encode("gbk"), b"\xff\xfe" + TAB_TEXT.encode("utf-16-le"),
                                     b"\xfe\xff" + TAB_TEXT.encode("utf-16-be"), TAB_TEXT.encode("utf-8")],
                         ids=["gbk", "utf-16-le", "utf-16-be", "utf-8"])
def test_a_sheet_excel_saved_as_tab_separated_text_is_read(encoded):
    obs = read_station_csv(io.BytesIO(encoded), timezone="Asia/Shanghai")
    got = {(r.station, r.pollutant): r.value for r in obs.itertuples()}
    assert got[("S1", "pm25")] == 41 and got[("S1", "o3")] == 60 and got[("S3", "pm25")] == 55
    assert np.isnan(got[("S3", "o3")])
    assert set(obs["time"]) == {pd.Timestamp("2026-03-05 02:00", tz="UTC")}


def test_a_tab_separated_file_names_the_line_of_a_bad_value_and_a_station_list_reads_so_too():
    bad = TAB_TEXT.replace("\t55\t", "\t5 5\t")
    with pytest.raises(ValidationError, match=r"line 3, column 'PM2.5': expected a number"):
        read_station_csv(io.BytesIO(b"\xff\xfe" + bad.encode("utf-16-le")), timezone="Asia/Shanghai")
    short = TAB_TEXT.replace("\t41\t60", "\t41")
    with pytest.raises(ValidationError, match=r"line 2: expected 4 fields"):
        read_station_csv(io.BytesIO(short.encode("gbk")), timezone="Asia/Shanghai")
    listed = "station\tname\tlon\tlat\tdistrict\r\nS1\t青浦淀山湖\t121.0\t31.1\t上海市青浦区\r\n"
    st = read_stations(io.BytesIO(b"\xff\xfe" + listed.encode("utf-16-le")))
    assert st["name"].tolist() == ["青浦淀山湖"] and st["district"].tolist() == ["310118"]


def test_one_station_hour_given_twice_is_refused_when_the_values_differ_and_read_once_when_they_agree():
    """A file with QP01's 07:00 twice (PM2.5 45 on line 3, 47 on line 4) was imported keeping 45 without a word, and
    the data desk's preview had said both would be flagged as duplicates. Differing values are refused naming both
    lines, as two files of a ZIP that differ are; the same value twice (overlapping exports) is read once, and a
    given value wins over a blank one, in the wide and the long layout."""
    wide = "station,time,PM2.5,O3\nQP01,2026-12-08 06:00,41,60\nQP01,2026-12-08 07:00,45,62\nQP01,2026-12-08 07:00,47,62\n"
    with pytest.raises(ValidationError) as refused:
        read_station_csv(io.StringIO(wide), timezone="Asia/Shanghai")
    assert refused.value.key == "obs.line_conflict"
    assert refused.value.localized("zh").endswith(
        "第 3 行与第 4 行对站点 QP01 2026-12-08 07:00（北京时间）的 PM2.5 给出不同的值（45 与 47）：请只保留其一")
    assert "lines 3 and 4 give station QP01 at 2026-12-08 07:00 (Beijing) different PM2.5 values (45 and 47)" in \
        refused.value.localized("en")
    long = ("station,time,pollutant,value\nQP01,2026-12-08 07:00,PM2.5,45\nQP01,2026-12-08 07:00,O3,62\n"
            "QP01,2026-12-08 07:00,PM2.5,\nQP01,2026-12-08 07:00,PM2.5,45\nQP01,2026-12-08 08:00,PM2.5,50\n")
    for text in (wide.replace(",47,62", ",45,"), long):
        obs = read_station_csv(io.StringIO(text), timezone="Asia/Shanghai")
        assert not obs.duplicated(["station", "time", "pollutant"]).any(), obs
        at7 = obs[obs["time"] == pd.Timestamp("2026-12-07 23:00", tz="UTC")].set_index("pollutant")["value"]
        assert at7.to_dict() == {"pm25": 45.0, "o3": 62.0}, obs


def test_a_damaged_utf16_export_is_named_as_utf16_at_the_byte_that_cannot_be_read(tmp_path):
    """A "Unicode 文本" export cut short (an odd number of bytes) or holding a lone surrogate was refused as "not a
    text file in UTF-8 or GB18030 (byte 9 …)": the wrong encoding, and a byte two past the bad one. It is named as
    UTF-16 at the bad byte (1-based, counting the byte-order mark), in both languages; nothing is read."""
    body = b"\xff\xfe" + TAB_TEXT.encode("utf-16-le")
    for raw, byte in ((body[:-1], len(body) - 1),  # cut short: the last character has its first byte only
                      (b"\xff\xfe" + "站点".encode("utf-16-le") + b"\x00\xdc" + "\t".encode("utf-16-le"), 7)):
        path = tmp_path / "导出.txt"
        path.write_bytes(raw)
        with pytest.raises(FormatError) as refused:
            read_station_csv(path, timezone="Asia/Shanghai")
        assert refused.value.key == "obs.utf16_broken", refused.value
        assert f"导出.txt 以 UTF-16 文本开头（Excel 的“Unicode 文本”），但第 {byte} 字节起" in refused.value.localized("zh")
        assert f"from byte {byte}:" in refused.value.localized("en")


def test_tab_separated_exports_chosen_together_or_zipped_are_read_and_a_readme_beside_them_is_named():
    """Several .txt exports chosen together on the data desk (read as one ZIP of them) were refused as "no CSV or
    Excel file in the archive (it holds: d1.txt, d2.txt)": a .txt in a ZIP was taken for a README."""
    from forecasting.uploads import observation_upload

    second = TAB_TEXT.replace("10:00", "11:00").replace("\t41\t", "\t42\t")
    data, name = observation_upload([("d1.txt", TAB_TEXT.encode("gbk")),
                                     ("d2.txt", b"\xff\xfe" + second.encode("utf-16-le")),
                                     ("README.txt", "说明：一周数据，单位 μg/m³，北京时间。".encode())])
    chosen = io.BytesIO(data)
    chosen.name = name
    obs = read_station_csv(chosen, timezone="Asia/Shanghai")
    pm = obs[(obs["station"] == "S1") & (obs["pollutant"] == "pm25")].sort_values("time")
    assert pm["value"].tolist() == [41, 42]
    assert obs.attrs["skipped_members"] == ("README.txt",)


def test_a_comma_file_with_a_tab_in_a_value_stays_comma_separated():
    obs = read_station_csv(csv("station,time,pm25,o3\nS1,2026-03-05T10:00+08:00,35,40\nS1\t,2026-03-05T11:00+08:00,36,41\n"))
    assert sorted(obs["value"]) == [35, 36, 40, 41]


@pytest.mark.parametrize("data, key, zh", [
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(64), "obs.bad_workbook",  # a workbook's start, the rest lost
     "obs.xlsx 不是可读取的 Excel 工作簿（.xlsx）：文件损坏，或是其他 ZIP 文件；请在 Excel 中重新保存后再上传"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "obs.bad_xls",  # an Excel 97-2003 workbook's start
     "obs.xlsx 不是可读取的 Excel 97-2003 工作簿（.xls）：文件损坏、已加密，或是其他 Office 文件"),
    (b"CDF\x01\x00\x00\x00\x00\xff\xfe\x00", "obs.not_text",
     "obs.xlsx 不是 UTF-8 或 GB18030（GBK）编码的文本文件（第 9 字节无法读取）；请上传 CSV 文件或 Excel 工作簿（.xlsx 或 .xls）"),  # \xff
], ids=["damaged-xlsx", "xls", "netcdf"])
def test_a_workbook_or_a_binary_file_is_named_as_such(data, key, zh):
    """An .xlsx was read as CSV and refused as a header "pk<NUL>…" without station and time."""
    f = io.BytesIO(data)
    f.name = "obs.xlsx"
    with pytest.raises(FormatError) as refused:
        read_station_csv(f)
    assert refused.value.key == key and refused.value.localized("zh").startswith(zh)


def test_a_pm25_column_written_pm2_5_is_read_and_the_columns_not_read_are_named():
    """A monitoring export's header "PM2.5" was dropped without a word, as were "O3_8h" and "AQI": only PM10
    was imported."""
    obs = read_station_csv(csv("station,time,PM2.5,PM10,O3_8h,AQI,,\nS1,2026-03-05T10:00+08:00,35,60,100,50,,\n"))
    assert dict(zip(obs["pollutant"], obs["value"])) == {"pm25": 35.0, "pm10": 60.0}
    assert obs.attrs["ignored_columns"] == ("O3_8h", "AQI")  # as written; Excel's empty trailing columns are none
    long = read_station_csv(csv("station,time,pollutant,value,remark\nS1,2026-03-05T10:00+08:00,PM2.5,35,ok\n"))
    assert long["pollutant"].tolist() == ["pm25"] and long.attrs["ignored_columns"] == ("remark",)
    assert read_station_csv(csv("station,time,pm25\nS1,2026-03-05T10:00+08:00,35\n")).attrs["ignored_columns"] == ()
    with pytest.raises(FormatError) as twice:
        read_station_csv(csv("station,time,PM2.5,pm25\nS1,2026-03-05T10:00+08:00,35,36\n"))
    assert twice.value.localized("zh") == "<stream>：表头中的 PM2.5、pm25 是同一列，出现了不止一次"


def test_a_header_as_chinese_monitoring_exports_write_it_is_read():
    """Chinese column names, full-width letters and brackets, subscripts, and units in the header: read as the
    canonical columns; a unit in the header converts as a unit column does (CO in µg/m³ is divided by 1000,
    HJ 633 reports CO in mg/m³)."""
    obs = read_station_csv(csv("站点编码,监测时间,ＰＭ₂.₅（μg/m³）,PM10浓度,臭氧(ug/m3),二氧化氮,SO2[微克/立方米],"
                               "一氧化碳(μg/m3),O3(8h),首要污染物\n"
                               "S1,2026-03-05T10:00+08:00,35,60,100,40,8,800,120,PM10\n"))
    assert dict(zip(obs["pollutant"], obs["value"])) == pytest.approx(
        {"pm25": 35.0, "pm10": 60.0, "o3": 100.0, "no2": 40.0, "so2": 8.0, "co": 0.8}, rel=1e-12)
    assert obs.attrs["ignored_columns"] == ("O3(8h)", "首要污染物")  # 8-hour ozone is not an hourly value
    long = read_station_csv(csv("站点,时间,污染物,监测值(μg/m³)\nS1,2026-03-05T10:00+08:00,臭氧,90\n"
                                "S1,2026-03-05T10:00+08:00,CO,700\n"))
    assert dict(zip(long["pollutant"], long["value"])) == pytest.approx({"co": 0.7, "o3": 90.0}, rel=1e-12)
    # times as Chinese platforms write them, in the zone chosen for times without an offset (Beijing)
    times = read_station_csv(csv("站点编码,监测时间,PM2.5\nS1,2026年3月5日 10时,35\nS1,2026年3月5日11点,36\n"
                                 "S1,2026年03月05日24时,37\n"), timezone="Asia/Shanghai")
    assert times["time"].dt.strftime("%Y-%m-%dT%H:%MZ").tolist() == ["2026-03-05T02:00Z", "2026-03-05T03:00Z",
                                                                     "2026-03-05T16:00Z"]
    stations = read_stations(csv("站点编码,站点名称,经度,纬度,所属区县\nQP01,青浦 淀山湖,120.96,31.10,青浦区\n"))
    assert stations.iloc[0].to_dict() == {"station": "QP01", "name": "青浦 淀山湖", "lon": 120.96, "lat": 31.1,
                                          "district": "310118"}


@pytest.mark.parametrize("text, zh", [
    ("站点编码,监测时间,O3(ppb)\nS1,2026-03-05T10:00+08:00,40\n",
     "<stream> 的 O3(ppb) 列：o3 不接受表头中的单位 ppb，可用 ug/m3、µg/m3、µg/m³、μg/m3、μg/m³、微克/立方米（ppb 须先换算）"),
    ("站点编码,监测时间,PM2.5\nS1,2026-03-05 10:00:00,35\n",
     "<stream> 第 2 行 监测时间 列：应为带 UTC 偏移的时间（如 +08:00），或先指定无偏移时间的时区（如北京时间），实际为 "
     "2026-03-05 10:00:00"),
    ("站点编码,监测时间,PM2.5\nS1,2026-03-05T10:00+08:00,三十五\n",
     "<stream> 第 2 行 PM2.5 列：应为数值，或空白/NA，实际为 三十五"),
    ("站点,站点编码,时间,PM2.5\nS1,S1,2026-03-05T10:00+08:00,35\n",
     "<stream>：表头中的 站点、站点编码 是同一列，出现了不止一次"),
])
def test_a_chinese_header_is_named_as_written_when_its_file_is_refused(text, zh):
    with pytest.raises(ValidationError) as refused:  # UnitError, FormatError
        read_station_csv(csv(text))
    assert refused.value.localized("zh") == zh


@pytest.mark.parametrize("read, text, zh", [
    (read_station_csv, "\n\n", "<stream> 是空文件：第一行应为表头"),
    (read_station_csv, "station,time,temp\nS1,2026-03-05T10:00+08:00,3\n",
     "<stream>：表头中没有可读取的污染物列：应有 pm25、pm10、o3、no2、so2、co 中的至少一列，或 pollutant 与 value 两列；"
     "实际为 station, time, temp"),
    (read_station_csv, "station,time,pollutant,value,unit\nS1,2026-03-05T10:00+08:00,o3,40,ppb\n",
     "<stream> 第 2 行 unit 列：o3 不接受单位 ppb，可用 ug/m3、µg/m3、µg/m³、μg/m3、μg/m³、微克/立方米（ppb 须先换算）"),
    (read_stations, "station,name,lon\nS1,a,121\n",
     "<stream>：站点信息缺少列 lat（纬度）、district（区县）；应有 station（站点编码）、name（站点名称）、lon（经度）、"
     "lat（纬度）、district（区县）"),
])
def test_a_refused_file_is_explained_in_chinese(read, text, zh):
    """These read "…: the file is empty; expected a header line", "…header must name pollutant columns…",
    "…unit 'ppb' is not accepted…" and "…station metadata misses column(s)…" on the Chinese data desk."""
    with pytest.raises(ValidationError) as refused:  # FormatError, UnitError
        read(csv(text))
    assert refused.value.localized("zh") == zh


def test_a_day_labelled_01_00_to_24_00_is_read_as_that_day():
    """HJ 663 labels a natural day's hours D 01:00 … D 24:00 (spec §2.3), and ISO 8601 allows 24:00 as the end of a
    day; a file written so was refused at its last hour ("应为ISO-8601 时间…实际为 2026-12-06 24:00")."""
    rows = "".join(f"S1,2026-12-06 {h:02d}:00,{h}\n" for h in range(1, 25))
    obs = read_station_csv(csv("station,time,pm25\n" + rows), timezone="Asia/Shanghai")
    # 01:00 Beijing = 17:00 UTC the day before; 24:00 Beijing = 00:00 Beijing of 12-07 = 16:00 UTC of 12-06
    assert obs["time"].iloc[0] == pd.Timestamp("2026-12-05T17:00Z") and obs["time"].iloc[-1] == pd.Timestamp("2026-12-06T16:00Z")
    assert obs["time"].diff().dropna().eq(pd.Timedelta(hours=1)).all() and obs["value"].iloc[-1] == 24.0
    with_offset = read_station_csv(csv("station,time,pm25\nS1,2026-12-31T24:00+08:00,5\n"))
    assert with_offset["time"].tolist() == [pd.Timestamp("2026-12-31T16:00Z")]  # 2027-01-01 00:00 Beijing
    with pytest.raises(ValidationError, match="line 2, column 'time'"):
        read_station_csv(csv("station,time,pm25\nS1,2026-12-06T24:30+08:00,5\n"))


def test_a_station_list_given_as_observations_is_named_as_such():
    """The station list uploaded in the observations' place was refused as a header without pollutant columns."""
    with pytest.raises(FormatError) as refused:
        read_station_csv(csv(STATIONS.replace("id,", "station,")))
    assert refused.value.localized("zh") == ("<stream> 是站点信息（含 lon、lat、district 列），不是观测数据：请在“站点信息 CSV”处上传"
                                             "（命令行用 --stations）")
    with pytest.raises(FormatError) as swapped:  # and the observations in the station list's place
        read_stations(csv("station,time,pm25\nS1,2026-03-05T10:00+08:00,35\n"))
    assert swapped.value.localized("zh") == "<stream> 是观测数据（含 time 列），不是站点信息：请在“观测 CSV”处上传"


@pytest.mark.parametrize("zone, when, zh", [
    ("Asia/Shanghi", "2026-03-05 10:00", "<stream>：无法按时区 Asia/Shanghi 读取无偏移的时间（未知的时区名称）"),
    # Beijing kept summer time 1986-1991: 1988-09-11 01:30 happened twice
    ("Asia/Shanghai", "1988-09-11 01:30",
     "<stream>：无法按时区 Asia/Shanghai 读取无偏移的时间（有时刻在夏令时切换时重复或不存在（北京 1986–1991 年曾实行"
     "夏令时），请写明 UTC 偏移）"),
])
def test_a_time_zone_that_cannot_read_the_times_is_explained_in_chinese(zone, when, zh):
    """The reason was pandas' English ("No time zone found with key …", "Cannot infer dst time …") inside the
    Chinese message."""
    with pytest.raises(ValidationError) as refused:
        read_station_csv(csv(f"station,time,pm25\nS1,{when},35\n"), timezone=zone)
    assert refused.value.localized("zh") == zh


def test_a_day_and_its_hour_in_two_columns_are_read_as_one_time():
    """Many exports write 日期 and 小时 apart (20260305 and 0, as the national platform's daily files do): such a file
    was refused for want of a time column. Hours label their end by default, as the data desk asks."""
    obs = read_station_csv(csv("站点编码,日期,小时,PM2.5\nS1,2026-03-05,10,35\nS1,2026/3/5,24,36\n"
                               "S1,2026年3月5日,11时,37\nS1,20260305,0,38\n"), timezone="Asia/Shanghai")
    assert dict(zip(obs["time"].dt.strftime("%Y-%m-%dT%H:%MZ"), obs["value"])) == {
        "2026-03-04T16:00Z": 38.0, "2026-03-05T02:00Z": 35.0, "2026-03-05T03:00Z": 37.0, "2026-03-05T16:00Z": 36.0}
    assert obs.attrs["ignored_columns"] == ()
    begin = read_station_csv(csv("date,hour,station,pm25\n2026-03-05,0,S1,35\n"), timezone="Asia/Shanghai",
                             hour_label="begin")  # the hour 00:00-01:00
    assert begin["time"].dt.strftime("%Y-%m-%dT%H:%MZ").tolist() == ["2026-03-04T17:00Z"]
    with pytest.raises(ValidationError) as refused:
        read_station_csv(csv("站点编码,日期,小时,PM2.5\nS1,2026-03-05,25,35\n"), timezone="Asia/Shanghai")
    assert refused.value.localized("zh") == "<stream> 第 2 行 小时 列：应为整点小时（0 至 24），实际为 25"


def test_a_file_with_a_column_per_station_and_a_row_per_type_is_read():
    """The national platform's site files (date,hour,type,1142A,1143A,…): a row per hour and type, a column per
    station. The hourly concentrations are read; AQI, 24-hour and 8-hour rows are not concentrations of the hour
    and are left out; an empty cell is a missing value."""
    obs = read_station_csv(csv("date,hour,type,1142A,1143A\n20261207,0,AQI,80,90\n20261207,0,PM2.5,59,66\n"
                               "20261207,0,PM2.5_24h,50,55\n20261207,0,PM10,70,\n20261207,0,O3_8h,30,33\n"
                               "20261207,0,CO,0.8,0.9\n20261207,1,PM2.5,61,67\n"), timezone="Asia/Shanghai")
    got = {(r.station, r.time.strftime("%dT%H"), r.pollutant): (r.value, r.line) for r in obs.itertuples()}
    assert set(got) == {(s, t, p) for s in ("1142A", "1143A") for t, p in
                        (("06T16", "pm25"), ("06T16", "pm10"), ("06T16", "co"), ("06T17", "pm25"))}
    assert got[("1142A", "06T16", "pm25")] == (59.0, 3) and got[("1143A", "06T17", "pm25")] == (67.0, 8)
    assert got[("1142A", "06T16", "co")] == (0.8, 7) and np.isnan(got[("1143A", "06T16", "pm10")][0])
    assert obs.attrs["ignored_columns"] == ()


@pytest.mark.parametrize("header", ["PM2.5_1h", "PM2.5-1h", "PM2.5(1小时)", "PM2.5小时浓度", "PM2.5一小时",
                                    "PM2.5小时均值(μg/m3)"])
def test_a_pollutant_said_to_be_hourly_is_read_and_eight_hour_and_daily_ones_are_not(header):
    """Provincial exports name the hourly value so ("PM2.5_1h" beside "PM2.5_24h"); the file was refused as
    naming no pollutant column."""
    text = f"站点编码,监测时间,{header},O3_8h,PM2.5_24h\nQP01,2026-12-01 10:00,35,120,40\n"
    obs = read_station_csv(csv(text), timezone="Asia/Shanghai")
    assert obs[["pollutant", "value"]].values.tolist() == [["pm25", 35.0]]
    assert list(obs.attrs["ignored_columns"]) == ["O3_8h", "PM2.5_24h"]
    long = read_station_csv(csv("站点编码,监测时间,污染物,监测值\nQP01,2026-12-01 10:00,O3_1h,120\n"),
                            timezone="Asia/Shanghai")
    assert long[["pollutant", "value"]].values.tolist() == [["o3", 120.0]]


def test_missing_values_as_chinese_exports_mark_them_are_missing():
    """"--", "——", "/", "缺测", "无效" (and "N/A" in any case) mark a value not measured or invalidated in Chinese
    monitoring exports; they were refused as not numbers, so a day with one gap could not be imported."""
    rows = ["station,time,pm25,pm10,o3", "S1,2026-03-05T10:00+08:00,--,——,/", "S1,2026-03-05T11:00+08:00,缺测,无效,n/a",
            "S1,2026-03-05T12:00+08:00,35,60,N/A"]
    obs = read_station_csv(csv("\n".join(rows) + "\n"))
    given = obs.dropna(subset=["value"])
    assert sorted(zip(given["pollutant"], given["value"])) == [("pm10", 60.0), ("pm25", 35.0)]
    assert obs["value"].isna().sum() == 7
    with pytest.raises(ValidationError) as refused:  # below the detection limit is a measurement, not a gap
        read_station_csv(csv("station,time,so2\nS1,2026-03-05T10:00+08:00,未检出\n"))
    assert "未检出" in refused.value.localized("zh") and "第 2 行" in refused.value.localized("zh")


def test_a_time_written_day_and_hour_together_is_read():
    """"2026030510" (YYYYMMDDHH), as some platforms' exports write the hour, was refused as not a time."""
    obs = read_station_csv(csv("station,time,pm25\nS1,2026030510,35\nS1,2026030524,36\n"), timezone="Asia/Shanghai")
    # Beijing 10:00 is 02:00 UTC; "24" is the day's last hour, 00:00 of the next day (HJ 663's "D 24:00")
    assert [t.strftime("%Y-%m-%d %H:%M") for t in obs["time"]] == ["2026-03-05 02:00", "2026-03-05 16:00"]
    with pytest.raises(ValidationError) as refused:  # month 13: no time
        read_station_csv(csv("station,time,pm25\nS1,2026133110,35\n"), timezone="Asia/Shanghai")
    assert "2026133110" in refused.value.localized("zh")


def test_a_station_list_naming_districts_under_their_province_and_city_is_read():
    """Official station lists write the district with its province and city ("上海市青浦区", "江苏省苏州市吴江区");
    such a list was refused as placing every station outside the zone."""
    st = read_stations(csv("站点编码,站点名称,经度,纬度,所属区县\nQP1,青浦淀山湖,120.95,31.10,上海市青浦区\n"
                           "WJ1,吴江开发区,120.65,31.15,江苏省苏州市吴江区\nJS1,嘉善城区,120.92,30.84,嘉兴市嘉善县\n"))
    assert st["district"].tolist() == ["310118", "320509", "330421"]


PRSA_FILE = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "samples" / "beijing_prsa" / \
    "PRSA_Data_Dongsi_20130301-20170228.csv"


def test_the_prsa_layout_is_read_and_its_co_in_micrograms_must_say_so():
    """The UCI PRSA files write the day in three columns (year,month,day,hour) and CO in µg/m³ without saying so:
    the layout was refused for want of a time column, and CO read as mg/m³ would be 1000 times too high."""
    head = PRSA_FILE.read_bytes().split(b"\n")[:25]  # the header and the first 24 hours of 2013-03-01
    f = io.BytesIO(b"\n".join(head))
    f.name = "PRSA_Dongsi.csv"
    with pytest.raises(UnitError) as refused:
        read_station_csv(f, timezone="Asia/Shanghai", hour_label="begin")
    assert refused.value.key == "obs.co_unit"
    assert refused.value.localized("zh").startswith("PRSA_Dongsi.csv 的 CO 数值（中位数 ")
    assert "如 CO(μg/m3)" in refused.value.localized("zh")
    said = io.BytesIO(b"\n".join([head[0].replace(b'"CO"', b'"CO(ug/m3)"'), *head[1:]]))
    said.name = "PRSA_Dongsi.csv"
    obs = read_station_csv(said, timezone="Asia/Shanghai", hour_label="begin")
    first = obs[obs["time"] == obs["time"].min()]
    # the file's first row: 2013-03-01 hour 0 (Beijing, labelling the hour's start), PM2.5 9, PM10 9, SO2 3, NO2 17,
    # CO 300 µg/m³, O3 89; the hour ends 01:00 Beijing, 2013-02-28 17:00 UTC
    assert str(first["time"].iloc[0]) == "2013-02-28 17:00:00+00:00"
    assert dict(zip(first["pollutant"], first["value"])) == {"pm25": 9.0, "pm10": 9.0, "so2": 3.0, "no2": 17.0,
                                                             "co": 0.3, "o3": 89.0}
    assert set(obs["station"]) == {"Dongsi"}
    assert obs.attrs["ignored_columns"] == ("No", "TEMP", "PRES", "DEWP", "RAIN", "wd", "WSPM")


def test_a_day_in_chinese_year_month_day_hour_columns_is_read_and_one_odd_co_value_is_only_flagged():
    obs = read_station_csv(csv("站点编码,年,月,日,时,PM2.5,CO\nS1,2026,3,5,10,35,0.8\nS1,2026,3,5,11,41,70\n"
                               "S1,2026,3,5,12,44,0.9\n"), timezone="Asia/Shanghai")
    assert [t.strftime("%m-%d %H:%M") for t in sorted(set(obs["time"]))] == ["03-05 02:00", "03-05 03:00",
                                                                             "03-05 04:00"]
    # one CO value of 70 mg/m³ among 0.8 and 0.9 is a value for QC to flag, not a file in the wrong unit
    assert sorted(obs.loc[obs["pollutant"] == "co", "value"]) == [0.8, 0.9, 70.0]
    with pytest.raises(ValidationError) as refused:  # 2 月 30 日: no day
        read_station_csv(csv("站点编码,年,月,日,时,PM2.5\nS1,2026,2,30,10,35\n"), timezone="Asia/Shanghai")
    assert "年/月/日" in refused.value.localized("zh") and "第 2 行" in refused.value.localized("zh")
