"""`python -m forecasting inspect|extract` as subprocesses: JSON keys, CSV header, errors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from forecasting.grids.synthetic import write_cmaq_aconc
from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "grids"


def run(*args):
    return subprocess.run([sys.executable, "-m", "forecasting", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=PATIENCE_S)


@pytest.fixture(scope="module")
def aconc(tmp_path_factory):
    return write_cmaq_aconc(tmp_path_factory.mktemp("cli") / "CCTM_ACONC.nc", nx=40, ny=26, hours=3)


def test_inspect_json_contract():
    r = run("inspect", DATA / "uwhyb_06_01_2017_18Z.chem.assim.nc")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"format", "model", "level", "variables", "grid", "time"} <= out.keys()
    assert out["format"] == "cf" and out["model"] is None
    o3 = out["variables"]["o3"]
    assert o3["units"] == "µg/m³" and o3["source_name"] == "o3vmr" and o3["source_units"] == "ppv"
    assert o3["min"] <= o3["mean"] <= o3["max"]
    assert out["grid"]["shape"] == [181, 360] and out["grid"]["crs"]
    assert {"lon_min", "lon_max", "lat_min", "lat_max"} <= out["grid"].keys()
    assert out["time"] == {"first": "2017-06-01T18:00:00Z", "last": "2017-06-01T18:00:00Z", "steps": 1}


def test_inspect_with_model_mapping():
    r = run("inspect", DATA / "geoscf_mcx_tavg_1hr_g1440x721_v36_2023-07-15T1230Z.nc", "--model", "geos-cf")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["model"] == "GEOS-CF" and "72" in out["level"]


def test_extract_csv_contract(aconc):
    r = run("extract", aconc)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["district", "time", "lead_hours", "pm25", "pm10", "o3", "no2", "so2", "co"]
    assert len(rows) == 1 + 3 * 3
    assert rows[1][:3] == ["310118", "2026-11-24T01:00:00Z", "1"]
    assert all(float(v) > 0 for row in rows[1:] for v in row[3:])


def test_extract_with_operator_districts(aconc, tmp_path):
    gj = tmp_path / "d.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"adcode": "999999"},
        "geometry": {"type": "Polygon", "coordinates": [[[120.8, 31.0], [120.9, 31.0], [120.9, 31.1],
                                                         [120.8, 31.1], [120.8, 31.0]]]}}]}))
    r = run("extract", aconc, "--districts", gj)
    assert r.returncode == 0, r.stderr
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["999999"] * 3


def test_extract_unknown_lead_is_empty():
    r = run("extract", DATA / "uwhyb_06_01_2017_18Z.chem.assim.nc")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].split(",")[:3] == ["310118", "2017-06-01T18:00:00Z", ""]


@pytest.mark.parametrize("command", ["inspect", "extract"])
def test_corrupt_file_exit_2_one_line(tmp_path, command):
    bad = tmp_path / "broken.nc"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    r = run(command, bad)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.nc" in lines[0] and lines[0].startswith("error:")


def test_missing_units_exit_2_names_variable():
    r = run("inspect", DATA / "geoscf_mcx_tavg_1hr_g1440x721_v36_2023-07-15T1230Z.nc")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "'o3'" in r.stderr and "geoscf_mcx" in r.stderr and "mapping file" in r.stderr


def test_wrfout_without_chemistry_exit_2():
    r = run("extract", DATA / "ci_test_file.nc")
    assert r.returncode == 2 and "without chemistry" in r.stderr
