"""The guidance panel's protocol: rows from ``forecasting.guidance`` (or any object with the same
fields), "no guidance yet" without it, the preferred method, and yesterday's check."""

from __future__ import annotations

from datetime import timedelta

from consultation_data import ISSUE, QP, TARGETS, WJ
from forecasting.consultation import GuidanceRow, best_guidance, guidance_centres, guidance_rows
from forecasting.guidance import GuidanceRow as TheirRow  # the rows forecasting.guidance stores


ROWS = [
    TheirRow(ISSUE, QP, TARGETS[0], "raw", "cmaq", "HJ 633-2026", 130.0, 115, 150, 3, 3, ("o3",)),
    TheirRow(ISSUE, QP, TARGETS[0], "corrected", "cmaq", "HJ 633-2026", 96.0, 85, 105, 2, 3, ("o3",)),
    TheirRow(ISSUE, QP, TARGETS[0], "ensemble", "", "HJ 633-2026", 90.0, 80, 100, 2, 2, ("o3",)),
    TheirRow(ISSUE, WJ, TARGETS[0], "raw", "wrfchem", "HJ 633-2026", None, None, None, None, None, ()),
]


def test_rows_are_converted_and_the_ensemble_is_preferred():
    rows = guidance_rows(None, ISSUE, source=lambda db, day: ROWS)
    assert rows[0] == GuidanceRow(QP, TARGETS[0], "raw:cmaq", 115, 150, 3, 3, ["o3"], 130.0)
    best = best_guidance(rows)
    assert list(best) == [(QP, TARGETS[0])] and best[(QP, TARGETS[0])].method == "ensemble"
    assert guidance_centres(rows) == {(QP, TARGETS[0]): 90.0}


def test_no_guidance_means_no_rows_and_no_centres():
    assert guidance_rows(None, ISSUE, source=lambda db, day: None) == []
    assert guidance_centres([]) == {} and guidance_centres(None) == {}


def test_yesterday_check_compares_the_issued_forecast_with_the_observation(db, users):
    from consultation_data import make_rota, open_consulting, submit_all
    from db_support import PASSWORD
    from forecasting import consultation as c

    make_rota(db, ISSUE - timedelta(days=7), ISSUE + timedelta(days=7))
    issue = ISSUE - timedelta(days=7)  # the first turn of the generated rota (Qingpu: fc_qp)
    chief = {u.user_id: u for u in users.values()}[c.duty_for(db, issue).chief_id]
    open_consulting(db, chief, issue)
    for u in ("fc_qp", "fc_wj", "fc_js"):
        submit_all(db, users[u], 60, 80, issue=issue)
    c.sign_session(db, chief, issue, password=PASSWORD, expected_version=c.get_session(db, issue).version)
    c.issue_session(db, chief, issue)
    observed = {QP: 75.0, WJ: 95.0}
    checks = c.yesterday_check(db, issue + timedelta(days=2),
                               observed=lambda _db, district, day: observed.get(district))
    assert [(v.district, v.day, v.issued_lo, v.observed_aqi, v.hit) for v in checks] == [
        (QP, issue + timedelta(days=1), 60, 75.0, True),
        (WJ, issue + timedelta(days=1), 60, 95.0, False),
        ("330421", issue + timedelta(days=1), 60, None, None),
    ]
