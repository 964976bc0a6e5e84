"""Model runs delivered in an archive: a ZIP of NetCDF files (the Copernicus Atmosphere Data Store's delivery,
here the real one of ``tests/data/grids``) or a gzip-compressed NetCDF file.

Before, such an upload was refused as "not a readable NetCDF model run", and so was the command line's
``ingest cams.zip``: a forecaster had to unpack it first, then found that the archive's surface file
(``levtype_sfc.nc``, surface pressure only) made the pair refused ("no chemistry found").
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from forecasting import datastore, uploads
from forecasting.archives import unpack, unpacked_paths
from forecasting.errors import FormatError, ValidationError
from forecasting.grids import inspect_grid, open_grid
from forecasting.store.science import ModelRun
from patience import PATIENCE_S
from test_datadesk import _science_counts, data_dir, run_file  # noqa: F401 (the data desk's fixtures)

ROOT = Path(__file__).resolve().parent.parent
ADS_ZIP = ROOT / "tests" / "data" / "grids" / "97da7a58-674a-4a1f-a92b-534cb95d07bb.zip"
LIMITS = {"max_bytes": 200 * 1024 * 1024, "max_files": 8}


def _zip(members: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return raw.getvalue()


def test_the_data_stores_zip_gives_its_netcdf_files_as_zipfile_reads_them():
    files, held = unpack([(ADS_ZIP.name, ADS_ZIP.read_bytes())], **LIMITS)
    with zipfile.ZipFile(ADS_ZIP) as z:
        expected = {i.filename: z.read(i) for i in z.infolist()}
    assert dict(files) == expected and set(expected) == {"levtype_ml.nc", "levtype_sfc.nc"}
    assert held[0].archive == ADS_ZIP.name and held[0].skipped == ()


def test_the_zip_reads_as_its_extracted_files_and_its_surface_file_is_left_out_with_a_word(tmp_path):
    with zipfile.ZipFile(ADS_ZIP) as z:
        z.extractall(tmp_path)
    alone = inspect_grid([tmp_path / "levtype_ml.nc"])
    with unpacked_paths([ADS_ZIP], **LIMITS) as (paths, _held):
        both = inspect_grid(paths)
    assert both["variables"] == alone["variables"] and both["time"] == alone["time"]
    assert both["conversions"] == [*alone["conversions"], "levtype_sfc.nc: no pollutant in it, not used"]
    # a file without chemistry alone, or files none of which has any, are still refused
    with pytest.raises(FormatError, match="no chemistry"):
        open_grid([tmp_path / "levtype_sfc.nc", tmp_path / "levtype_sfc.nc"])


def test_the_command_line_inspects_the_zip_naming_its_members(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "forecasting", "inspect", str(ADS_ZIP)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=PATIENCE_S)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["files"] == [f"{ADS_ZIP.name}/levtype_ml.nc"] and set(out["variables"]) == {"o3"}


def test_a_forecaster_uploads_a_zipped_run_and_a_gzipped_one(db, users, data_dir, run_file):
    name, data = run_file
    bundle = _zip({name: data, "README.txt": b"CMAQ run of 2026-11-24 00Z"})
    preview = uploads.preview_run(db, users["fc_wj"], [("run.zip", bundle)], model="cmaq-test")
    assert preview.files == (name,) and preview.sha256 == (hashlib.sha256(data).hexdigest(),)
    assert [(h.archive, h.members, h.skipped) for h in preview.unpacked] == [("run.zip", (name,), ("README.txt",))]
    assert preview.description["time"]["steps"] == 6 and _science_counts(db) == (0, 0, 0, 0)
    out = uploads.confirm_run(db, users["fc_wj"], preview.token, recompute=False)
    assert out.n_times == 6
    kept = data_dir / "uploads" / hashlib.sha256(data).hexdigest() / name
    assert kept.read_bytes() == data  # the member is kept content-addressed, as an uploaded file is
    with db.read() as s:
        assert s.scalar(select(ModelRun)).files == [str(kept)]
    stored = datastore.forecast_frame(db, model="cmaq-test")
    # the same file gzipped gives the same run (it replaces the cycle with identical values)
    preview = uploads.preview_run(db, users["fc_wj"], [(f"{name}.gz", gzip.compress(data))], model="cmaq-test")
    assert preview.files == (name,) and preview.replaces
    uploads.confirm_run(db, users["fc_wj"], preview.token, recompute=False)
    again = datastore.forecast_frame(db, model="cmaq-test")
    np.testing.assert_array_equal(again["value"].to_numpy(), stored["value"].to_numpy())


@pytest.mark.parametrize("build, key, zh", [
    (lambda: _zip({"README.txt": b"x", "notes.pdf": b"%PDF"}), "archive.no_netcdf",
     "run.zip 中没有 NetCDF 文件（其中有：README.txt、notes.pdf）"),
    (lambda: _zip({"a.nc": b"CDF\x01" + bytes(3 * 1024 * 1024)}), "archive.too_large",
     "run.zip 解压后超过 2 MB（一次起报的上限）"),
    (lambda: _zip({"a.nc": b"CDF\x01" + bytes(64)})[:40], "archive.damaged", "run.zip 是损坏的压缩文件"),
    (lambda: _zip({f"d{i}.nc": b"CDF\x01" + bytes(64) for i in range(9)}), "archive.too_many",
     "解压后共 9 个文件；一次起报最多 8 个文件"),
    (lambda: _zip({"day1/run.nc": b"CDF\x01" + bytes(64), "day2/run.nc": b"CDF\x02" + bytes(64)}),
     "archive.same_name", "解压后有同名文件：run.nc"),
    (lambda: _zip({f"page{i}.txt": b"" for i in range(101)}), "archive.too_many_members",
     "run.zip 中有 101 个文件；压缩包最多读取 100 个文件"),
], ids=["no-netcdf", "too-large", "damaged", "too-many", "same-name", "too-many-members"])
def test_a_bad_archive_is_refused_by_name_and_writes_nothing(db, users, data_dir, monkeypatch, build, key, zh):
    monkeypatch.setenv("FORECASTING_UPLOAD_MAX_MB", "2")  # a 3 MB member compresses to a few kB: read, not trusted
    with pytest.raises(ValidationError) as refused:
        uploads.preview_run(db, users["fc_wj"], [("run.zip", build())])
    assert refused.value.key == key and refused.value.localized("zh").startswith(zh), refused.value.localized("zh")
    assert _science_counts(db) == (0, 0, 0, 0)
    assert not list((data_dir / "uploads").rglob("*.nc"))


def test_a_members_folders_never_reach_the_disk(tmp_path):
    evil = tmp_path / "evil.zip"
    evil.write_bytes(_zip({"../../escaped.nc": b"CDF\x01" + bytes(64)}))
    with unpacked_paths([evil], **LIMITS) as (paths, _held):
        assert [p.name for p in paths] == ["escaped.nc"] and paths[0].parent.name.startswith("forecasting-unpacked-")
        folder = paths[0].parent
    assert not folder.exists()  # removed on exit
    assert not (tmp_path.parent / "escaped.nc").exists() and not (tmp_path / "escaped.nc").exists()


def test_a_gzip_cut_short_is_refused_and_one_of_several_members_is_read_whole(db, users, data_dir, run_file):
    """A download that did not finish was read as far as it went; ``cat a.gz b.gz`` gave its first part only."""
    name, data = run_file
    packed = gzip.compress(data)
    with pytest.raises(ValidationError) as refused:
        uploads.preview_run(db, users["fc_wj"], [(f"{name}.gz", packed[: len(packed) // 2])], model="cmaq-test")
    assert refused.value.key == "archive.damaged"
    half = len(data) // 2
    files, _held = unpack([(f"{name}.gz", gzip.compress(data[:half]) + gzip.compress(data[half:]))], **LIMITS)
    assert files == [(name, data)]
