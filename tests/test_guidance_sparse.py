"""Guidance on a database with one model run and a few observations, as a new installation has on its first day.

Before, ``guidance compute`` stopped with "TypeError: Cannot convert tz-naive timestamps": the direct daily model's
training table was empty (no verified day yet) and its empty time column had no time zone.
"""

from __future__ import annotations

from forecasting.cli import main
from forecasting.grids.synthetic import write_cmaq_aconc


def test_guidance_of_a_first_day_with_no_verified_history_is_computed(monkeypatch, capsys, tmp_path, sqlite_url):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    run = write_cmaq_aconc(tmp_path / "CCTM_ACONC.nc", nx=40, ny=30, hours=6, cycle="2026-11-24T00:00Z", seed=3)
    (tmp_path / "st.csv").write_text("station,name,lon,lat,district\nQP1,青浦淀山湖,120.95,31.10,310118\n",
                                     encoding="utf-8")
    (tmp_path / "obs.csv").write_text("station,time,pm25\nQP1,2026-11-20T01:00+08:00,40\n"
                                      "QP1,2026-11-20T02:00+08:00,42\n", encoding="utf-8")
    assert main(["ingest", str(run), "--model", "cmaq-test"]) == 0
    assert main(["obs", "import", str(tmp_path / "obs.csv"), "--stations", str(tmp_path / "st.csv")]) == 0
    capsys.readouterr()
    code = main(["guidance", "compute", "--from", "2026-11-24"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.startswith("guidance for 2026-11-24..2026-11-24: "), captured.out
