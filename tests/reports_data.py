"""Test data for the report tests: today's consultation of the demo world, driven to issue.

The demo world (``conftest._demo_template``) is seeded for today (Beijing) with accounts (password
``demo-2026-yrd``), the rota, guidance, observations, the issued consultations of the past days
(with their reports) and today's session open for 7 target days. Here one forecaster per district
submits, notes and the conclusion are written, the flags acknowledged, the duty chief signs and
issues with the report.

Issued ranges (the same for every target day, D+1..D+7):

    Qingpu  310118   60–80   良           PM2.5
    Wujiang 320509   90–110  良至轻度污染  PM2.5, O3
    Jiashan 330421   40–55   优至良        PM2.5
"""

from __future__ import annotations

from datetime import date, timedelta

from forecasting.vocab import POLLUTANTS

DEMO_PASSWORD = "demo-2026-yrd"
QP, WJ, JS = "310118", "320509", "330421"
RANGES = {QP: (60, 80, ("pm25",)), WJ: (90, 110, ("pm25", "o3")), JS: (40, 55, ("pm25",))}
AUTHORS = {QP: "qp_xu", WJ: "wj_wang", JS: "js_zhou"}
#: How a forecaster names their district in free text (never its adcode)
SHORT_NAMES = {QP: "青浦", WJ: "吴江", JS: "嘉善"}
NOTE_WITH_MARKUP = "<script>alert('x')</script> 吴江午后臭氧偏高 & 需关注"
CONCLUSION = "三地一致：未来一周以良为主，吴江午后可能出现轻度污染（测试会商）。"


def demo_actor(db, username: str | None = None, *, user_id: int | None = None):
    from sqlalchemy import select

    from forecasting.permissions import Actor
    from forecasting.store.models import User

    with db.read() as s:
        u = s.get(User, user_id) if user_id else s.scalar(select(User).where(User.username == username))
        return Actor(u.id, u.username, u.role, u.district_adcode, u.display_name)


def open_issue_date(db) -> date:
    """Today's open session of the demo world (the newest issue date)."""
    from sqlalchemy import func, select

    from forecasting.store.consultation import ConsultationSession

    with db.read() as s:
        return s.scalar(select(func.max(ConsultationSession.issue_date)))


def chief_of(db, day: date):
    from forecasting import consultation as c

    return demo_actor(db, user_id=c.duty_for(db, day).chief_id)


def prepare_signed(db, issue: date | None = None, *, absent_reason: str = ""):
    """Submissions, notes, conclusion, flags acknowledged, signed (by the deputy when the chief's
    ``absent_reason`` is given). Returns ``(chief, issue_date)``."""
    from forecasting import consultation as c

    issue = issue or open_issue_date(db)
    chief = chief_of(db, issue)
    view = c.open_session(db, chief, issue)
    if view.state == "open":
        c.start_consultation(db, chief, issue, expected_version=view.version)
    view = c.get_session(db, issue)
    seen = {(v.district, v.target_date): v.version for v in c.list_submissions(db, issue)}
    for district, (lo, hi, primary) in RANGES.items():
        who = chief if chief.district == district else demo_actor(db, AUTHORS[district])
        entries = [c.SubmissionInput(day, lo, hi, primary, {}, f"{SHORT_NAMES[district]}受弱冷空气影响，扩散条件一般",
                                     seen.get((district, day), 0))
                   for day in view.target_dates]
        c.save_submissions(db, who, issue, district, entries, submit=True)
    c.add_note(db, demo_actor(db, "wj_wang"), issue, NOTE_WITH_MARKUP, district=WJ)
    c.add_note(db, demo_actor(db, "js_zhou"), issue, "嘉善同意青浦意见。", district=JS)
    c.add_note(db, chief, issue, CONCLUSION, kind="conclusion")
    for fs in c.session_flags(db, issue):
        if not fs.acknowledged:
            c.acknowledge_flag(db, chief, issue, fs.flag.key, note="经会商确认")
    c.save_final(db, chief, issue, [], zone_summary="受弱冷空气影响，示范区未来一周空气质量以良为主。",
                 expected_session_version=c.get_session(db, issue).version)
    signer = demo_actor(db, user_id=c.duty_for(db, issue).deputy_id) if absent_reason else chief
    c.sign_session(db, signer, issue, password=DEMO_PASSWORD, expected_version=c.get_session(db, issue).version,
                   chief_absent_reason=absent_reason)
    return chief, issue


def issue_demo_report(db, issue: date | None = None, *, absent_reason: str = ""):
    """Drive today's consultation to issue with the report (signed by the deputy when the chief's
    ``absent_reason`` is given); returns ``(chief, issue_date, IssuedView)``."""
    from forecasting.reports import issue_with_report

    chief, issue = prepare_signed(db, issue, absent_reason=absent_reason)
    return chief, issue, issue_with_report(db, chief, issue)


def title_zh(issue: date, revision: int = 1) -> str:
    n = issue.timetuple().tm_yday
    return f"{issue.year}年第{n}期" + (f"（第{revision}版·更正）" if revision > 1 else "")


def targets(issue: date, days: int = 7) -> list[date]:
    return [issue + timedelta(days=k) for k in range(1, days + 1)]


def valid_hours(db, day: date) -> dict[str, dict[str, int]]:
    """Hours of the Beijing ``day`` (ending 01:00 to 24:00) with a district value, per district and pollutant."""
    from sqlalchemy import func, select

    from forecasting.store.science import DistrictObservation
    from forecasting.vocab import beijing_day_start

    since = beijing_day_start(day) + timedelta(hours=1)  # hour-ending labels 01:00 .. 24:00 Beijing
    until = since + timedelta(hours=23)
    q = (select(DistrictObservation.district, DistrictObservation.pollutant, func.count())
         .where(DistrictObservation.time >= since, DistrictObservation.time <= until,
                DistrictObservation.value.is_not(None))
         .group_by(DistrictObservation.district, DistrictObservation.pollutant))
    out: dict[str, dict[str, int]] = {}
    with db.read() as s:
        for district, pollutant, n in s.execute(q):
            out.setdefault(district, {})[pollutant] = n
    return out


def day_publishable(hours: dict[str, int]) -> bool:
    """Enough hours for a daily AQI (GB 3095-2012 Table 4, read by HJ 633-2026 §4.2.2): every 24-hour mean with at
    least 20 hourly values, and O3 in all 24 hours (then all 17 of its 8-hour windows have their 8 hours; 14 are
    needed)."""
    return hours.get("o3", 0) == 24 and all(hours.get(p, 0) >= 20 for p in POLLUTANTS if p != "o3")


def day_short(hours: dict[str, int]) -> bool:
    """A 24-hour mean with fewer than 20 hourly values (GB 3095-2012 Table 4): no daily AQI is published."""
    return any(hours.get(p, 0) < 20 for p in POLLUTANTS if p != "o3")
