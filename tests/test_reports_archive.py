"""Many issued reports in one ZIP file (``forecasting.reports.archive``): each file exactly as archived, an
index, the same bytes twice, limits, and a tampered file stops the archive."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile

import pytest
from sqlalchemy import text

from forecasting.errors import ValidationError


@pytest.fixture
def demo_db(demo_url):
    from forecasting.store.db import Database

    db = Database(demo_url)
    yield db
    db.dispose()


def _three(db):
    """The two newest issues (files stored at issue) and the oldest (files on demand: rendered when packed)."""
    from forecasting.reports import list_reports

    every = list_reports(db)
    chosen = every[:2] + every[-1:]
    assert [r.on_demand for r in chosen] == [False, False, True]
    return chosen


def test_the_listed_reports_in_one_zip_each_as_archived_with_an_index(demo_db):
    from forecasting.reports import archive_name, report_file, reports_archive

    chosen = _three(demo_db)
    seen = []
    packed = reports_archive(demo_db, chosen, "pdf", lang="zh", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    z = zipfile.ZipFile(io.BytesIO(packed))
    oldest_first = sorted(chosen, key=lambda r: r.issue_date)
    names = [f"aq-report-{r.issue_date.isoformat()}-r{r.revision}.pdf" for r in oldest_first]
    assert z.namelist() == names + ["index.csv"]
    for r, name in zip(oldest_first, names):
        content = z.read(name)
        stored = report_file(demo_db, r.id, "pdf")  # what a single download hands out
        assert content == stored.content and content.startswith(b"%PDF-")
        assert hashlib.sha256(content).hexdigest() == stored.sha256
        if not r.on_demand:  # a PDF stored at issue: the report's own hash
            assert stored.sha256 == r.sha256
    rows = list(csv.reader(io.StringIO(z.read("index.csv").decode("utf-8"))))
    assert z.read("index.csv").startswith("\ufeff".encode())  # Excel reads the Chinese
    assert rows[0][0] == "\ufeff报告" and rows[0][1:] == ["发布日期", "版本", "状态", "发布时间（北京）", "签发人",
                                                         "最高级别", "文件", "文件 SHA-256", "报告 SHA-256"]
    assert [row[1] for row in rows[1:]] == [r.issue_date.isoformat() for r in oldest_first]
    assert [row[7] for row in rows[1:]] == names
    assert rows[1][9].endswith("（报告数据）") and rows[3][9] == oldest_first[-1].sha256
    # the same reports give the same bytes (a manager's two downloads compare equal)
    assert reports_archive(demo_db, list(reversed(chosen)), "pdf", lang="zh") == packed
    assert archive_name(chosen, "pdf") == (f"aq-reports-{oldest_first[0].issue_date.isoformat()}_"
                                           f"{oldest_first[-1].issue_date.isoformat()}-pdf.zip")


def test_an_archive_is_refused_empty_too_large_or_in_no_format(demo_db):
    from forecasting.reports import MAX_ARCHIVE_REPORTS, list_reports, reports_archive

    one = list_reports(demo_db)[:1]
    with pytest.raises(ValidationError) as empty:
        reports_archive(demo_db, [], "pdf")
    assert empty.value.localized("zh") == "没有可打包的报告：请放宽筛选条件。"
    with pytest.raises(ValidationError) as many:
        reports_archive(demo_db, one * (MAX_ARCHIVE_REPORTS + 1), "pdf")
    assert many.value.localized("zh") == (f"筛选出 {MAX_ARCHIVE_REPORTS + 1} 期报告，一个 ZIP 文件最多 "
                                          f"{MAX_ARCHIVE_REPORTS} 期：请缩小日期范围后分批下载。")
    with pytest.raises(ValidationError) as fmt:
        reports_archive(demo_db, one, "docx")
    assert fmt.value.key == "report.archive_format"


def test_a_file_that_no_longer_matches_its_hash_stops_the_archive(demo_db):
    from forecasting.errors import IntegrityFailure
    from forecasting.reports import reports_archive

    chosen = _three(demo_db)
    with demo_db.engine.begin() as conn:  # an operator with owner rights bypasses the trigger
        conn.execute(text("DROP TRIGGER issued_reports_no_update"))
        conn.execute(text("UPDATE issued_reports SET content = :forged "
                          "WHERE issued_forecast_id = :id AND format = 'pdf'"),
                     {"id": chosen[1].id, "forged": b"%PDF-1.7 another report"})
    with pytest.raises(IntegrityFailure) as refused:
        reports_archive(demo_db, chosen, "pdf")
    assert refused.value.key == "hard15.integrity_failed"
    assert f"签发报告 {chosen[1].id} 未通过完整性校验" in refused.value.localized("zh")


def test_the_command_line_exports_a_period_to_one_zip(demo_url, tmp_path, monkeypatch, capsys):
    from forecasting.cli import main
    from forecasting.reports import list_reports
    from forecasting.store.db import get_database

    monkeypatch.setenv("DATABASE_URL", demo_url)
    every = list_reports(get_database(demo_url))
    first, last = every[1].issue_date, every[0].issue_date  # the two newest issue dates
    out = tmp_path / "two-days.zip"
    assert main(["reports", "export", "--from", first.isoformat(), "--to", last.isoformat(), "--out", str(out)]) == 0
    z = zipfile.ZipFile(out)
    assert z.namelist() == [f"aq-report-{first.isoformat()}-r1.pdf", f"aq-report-{last.isoformat()}-r1.pdf",
                            "index.csv"]
    assert f"{out}: 2 reports" in capsys.readouterr().err
    one = tmp_path / "one-day.zip"  # "1 reports" before
    assert main(["reports", "export", "--from", last.isoformat(), "--to", last.isoformat(), "--out", str(one)]) == 0
    assert f"{one}: 1 report, " in capsys.readouterr().err
    assert not list(tmp_path.glob("*.part"))
    # refusals: one line, exit code 2, nothing written
    bad = tmp_path / "bad.zip"
    for args, says in [(["--from", last.isoformat(), "--to", first.isoformat()], "is before --from"),
                       (["--from", first.isoformat()], "--from needs --to"),
                       (["--month", "2001-01"], "no issued report from 2001-01-01 to 2001-01-31"),
                       (["--month", "2026-13"], "expected YYYY-MM")]:
        assert main(["reports", "export", *args, "--out", str(bad)]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1, err
        assert not bad.exists()
