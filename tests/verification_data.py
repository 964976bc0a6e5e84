"""Test data for the verification tests: hand-made pairs with their answers worked out in comments,
and issued consultations made through the consultation services on the demo world."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

QP, WJ, JS = "310118", "320509", "330421"
DAY = date(2026, 11, 1)


def pair(source="issued", model="", *, lo, hi, obs, centre=None, level_lo=None, level_hi=None, primary=(),
         obs_primary=(), lead=1, district=QP, target=DAY, obs_level=None):
    """One (forecast, observation) pair row as :func:`forecasting.verification.verification_pairs` gives."""
    from forecasting.aqi import level_of

    return {
        "source": source, "model": model, "label": f"{source}:{model}" if model else source,
        "issue_date": target - timedelta(days=lead), "district": district, "target_date": target, "lead_day": lead,
        "aqi_lo": lo, "aqi_hi": hi, "centre": (lo + hi) / 2 if centre is None else centre,
        "level_lo": level_of(lo) if level_lo is None else level_lo,
        "level_hi": level_of(hi) if level_hi is None else level_hi,
        "primary": tuple(primary), "obs_aqi": obs, "obs_level": level_of(obs) if obs_level is None else obs_level,
        "obs_primary": tuple(obs_primary), "duty_chief": "", "signed_by": "",
    }


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


# A hand contingency table for AQI > 100 and > 200, eight days (range lo-hi, centre, observed):
#
#   day  range     centre  obs   | upper > 100  centre > 100  obs > 100 | upper > 200  obs > 200
#   1    110-145   127.5   130   |  yes          yes           yes       |  no           no
#   2     90-110   100     95    |  yes          no            no        |  no           no
#   3     60-80     70     120   |  no           no            yes       |  no           no
#   4     40-60     50     45    |  no           no            no        |  no           no
#   5     85-105    95     140   |  yes          no            yes       |  no           no
#   6    190-225   207.5   230   |  yes          yes           yes       |  yes          yes
#   7    170-205   187.5   180   |  yes          yes           yes       |  yes          no
#   8    150-185   167.5   210   |  yes          yes           yes       |  no           yes
#
# AQI > 100, rule "upper":  hits a = {1,5,6,7,8} = 5, false alarms b = {2} = 1, misses c = {3} = 1, cn d = {4} = 1
#   POD = 5/6, FAR = 1/6, CSI = 5/7
# AQI > 100, rule "centre": a = {1,6,7,8} = 4, b = 0, c = {3,5} = 2, d = {2,4} = 2 → POD 4/6, FAR 0, CSI 4/6
# AQI > 200, rule "upper":  a = {6} = 1, b = {7} = 1, c = {8} = 1, d = 5 → POD 1/2, FAR 1/2, CSI 1/3
CONTINGENCY_DAYS = [(110, 145, 130), (90, 110, 95), (60, 80, 120), (40, 60, 45), (85, 105, 140), (190, 225, 230),
                    (170, 205, 180), (150, 185, 210)]


def contingency_pairs() -> pd.DataFrame:
    return frame([pair(lo=lo, hi=hi, obs=o, target=DAY + timedelta(days=i), primary=("pm25",),
                       obs_primary=("pm25",)) for i, (lo, hi, o) in enumerate(CONTINGENCY_DAYS)])


# -- issued consultations on the demo world, made through the consultation services --------------------


def _actor(db, user_id):
    from forecasting.permissions import Actor
    from forecasting.store.models import User

    with db.read() as s:
        u = s.get(User, user_id)
        return Actor(u.id, u.username, u.role, u.district_adcode, u.display_name or "")


def _entry_for(district, day, issue, guidance, observed_aqi, observed_primary):
    """Qingpu forecasts the observed AQI ± 10 (a perfect forecaster: every range hits); Wujiang and
    Jiashan take the suggested guidance (``ensemble``) of the issue date."""
    from forecasting.consultation import FinalInput

    if district == QP and observed_aqi is not None:
        lo = max(0, int(round(observed_aqi)) - 10)
        hi = lo + 20
        prim = tuple(observed_primary) or ("pm25",)
    else:
        g = guidance.get((district, day))
        lo, hi = (g.aqi_lo, g.aqi_hi) if g is not None and g.aqi_lo is not None else (60, 80)
        if hi - lo > 35 or (hi - lo > 20 and (lo + hi) / 2 <= 100):
            hi = lo + 20
        prim = tuple(g.primary) if g is not None and g.primary else ("pm25",)
    if hi <= 50:
        prim = ()
    return FinalInput(district, day, lo, hi, prim)


def issue_consultations(db, issue_dates, *, days: int = 3, password: str = "demo-2026-yrd") -> list:
    """Issue a consultation for each date (rota, open, consult, combined forecast, flags acknowledged,
    signed, issued) as the rota's duty chief. Returns the issued views."""
    from forecasting import consultation as c
    from forecasting.guidance import guidance_for, observed_aqi
    from forecasting.permissions import Actor

    op = Actor.system("test")
    first, last = min(issue_dates), max(issue_dates)
    c.generate_rota(db, op, first, last + timedelta(days=1))
    out = []
    for issue in issue_dates:
        chief = _actor(db, c.duty_for(db, issue).chief_id)
        view = c.open_session(db, op, issue, days=days)
        view = c.start_consultation(db, chief, issue, expected_version=view.version)
        guidance = {(g.district, g.target_date): g for g in guidance_for(db, issue) if g.method == "ensemble"}
        entries = []
        for k in range(1, days + 1):
            day = issue + timedelta(days=k)
            for d in (QP, WJ, JS):
                obs = observed_aqi(db, d, day) if d == QP else None
                from forecasting.guidance import observed_daily_aqi

                prim = ()
                if obs is not None:
                    o = observed_daily_aqi(db, day, day, district=d)
                    prim = tuple(o["primary"].iloc[0]) if len(o) else ()
                entries.append(_entry_for(d, day, issue, guidance, obs, prim))
        c.save_final(db, chief, issue, entries)
        c.add_note(db, chief, issue, f"会商记录 {issue}: 以 PM2.5 为主", district=QP, target_date=issue + timedelta(days=1))
        for fs in c.session_flags(db, issue):
            if not fs.acknowledged:
                c.acknowledge_flag(db, chief, issue, fs.flag.key, note="已讨论")
        c.sign_session(db, chief, issue, password=password, expected_version=c.get_session(db, issue).version)
        out.append(c.issue_session(db, chief, issue))
    return out


def has_issued(db) -> bool:
    from sqlalchemy import func, select

    from forecasting.store.consultation import IssuedForecast

    with db.read() as s:
        return bool(s.scalar(select(func.count()).select_from(IssuedForecast)))


# -- a tiny hand-made world (any database): observations, guidance and one issued consultation ----------
#
# Issue date 2027-01-04 (HJ 633-2026), target days D+1..D+3; every district has the same constant hourly
# concentrations all day [µg/m³, CO mg/m³] (PM10 50, SO2 5, NO2 20, CO 0.5, O3 60 → IAQIs 50, 2, 25, 13, 30)
# and PM2.5 per day:
#
#   day          PM2.5  PM2.5 IAQI (2026 Table 3)            AQI  level  primary
#   01-03 (D−1)   50    50+50·15/25 = 80                       80   2      pm25   (persistence: 70-90)
#   01-05 (D+1)   76    100+50·16/55 = 114.5 → 115            115   3      pm25
#   01-06 (D+2)   60    100                                   100   2      pm25
#   01-07 (D+3)   30    50·30/35 = 42.9 → 43; PM10 gives 50    50   1      none (AQI ≤ 50)
#
#   source    D+1              D+2              D+3
#   issued    105-125 (hit)    90-110 (hit)     55-75 (miss, level gap 1)
#   ensemble  90-110 c100      90-110 c100      35-55 c45
#             (miss, lvl hit)  (hit)            (hit)
HAND_ISSUE = date(2027, 1, 4)
HAND_PM25 = {date(2027, 1, 3): 50.0, date(2027, 1, 5): 76.0, date(2027, 1, 6): 60.0, date(2027, 1, 7): 30.0}
HAND_OTHERS = {"pm10": 50.0, "so2": 5.0, "no2": 20.0, "co": 0.5, "o3": 60.0}
HAND_ISSUED = {1: (105, 125, ("pm25",)), 2: (90, 110, ("pm25",)), 3: (55, 75, ("pm25",))}
HAND_ENSEMBLE = {1: (90, 110, 100.0, ("pm25",)), 2: (90, 110, 100.0, ("pm25",)), 3: (35, 55, 45.0, ())}


def hand_world(db, users, password):
    """Store the hand world above and issue its consultation (``users``: the conftest cast)."""
    from datetime import datetime, time, timezone
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert

    from forecasting import consultation as c
    from forecasting.aqi import level_of
    from forecasting.permissions import Actor
    from forecasting.store.science import DistrictObservation, Guidance

    bj = ZoneInfo("Asia/Shanghai")
    obs = []
    for day, pm25 in HAND_PM25.items():
        start = datetime.combine(day, time(0, 0), tzinfo=bj)
        for h in range(1, 25):  # hour-ending labels 01:00 .. 24:00 of the Beijing day
            t = (start + timedelta(hours=h)).astimezone(timezone.utc)
            for d in (QP, WJ, JS):
                for p, value in {"pm25": pm25, **HAND_OTHERS}.items():
                    obs.append({"district": d, "time": t, "pollutant": p, "value": value, "n_stations": 1})
    guidance = []
    for lead, (lo, hi, centre, prim) in HAND_ENSEMBLE.items():
        for d in (QP, WJ, JS):
            guidance.append({"issue_date": HAND_ISSUE, "district": d, "target_date": HAND_ISSUE + timedelta(days=lead),
                             "method": "ensemble", "model": "", "edition": "HJ 633-2026", "centre": centre,
                             "aqi_lo": lo, "aqi_hi": hi, "level_lo": level_of(lo), "level_hi": level_of(hi),
                             "primary": list(prim), "indicators": {}})
    with db.transaction() as s:
        s.execute(insert(DistrictObservation), obs)
        s.execute(insert(Guidance), guidance)
    op = Actor.system("test")
    c.generate_rota(db, op, HAND_ISSUE, HAND_ISSUE + timedelta(days=6))
    chief = users["fc_qp"]  # Qingpu holds the first turn; its only forecaster is chief
    view = c.open_session(db, op, HAND_ISSUE, days=3)
    c.start_consultation(db, chief, HAND_ISSUE, expected_version=view.version)
    c.save_final(db, chief, HAND_ISSUE, [c.FinalInput(d, HAND_ISSUE + timedelta(days=lead), lo, hi, prim)
                                         for lead, (lo, hi, prim) in HAND_ISSUED.items() for d in (QP, WJ, JS)])
    for fs in c.session_flags(db, HAND_ISSUE, guidance_source=lambda *_: []):
        c.acknowledge_flag(db, chief, HAND_ISSUE, fs.flag.key, note="ok", guidance_source=lambda *_: [])
    c.sign_session(db, chief, HAND_ISSUE, password=password, expected_version=c.get_session(db, HAND_ISSUE).version,
                   guidance_source=lambda *_: [])
    return c.issue_session(db, chief, HAND_ISSUE)


def demo_today(db) -> date:
    """The demo world's "today": its newest guidance issue date (the demo is seeded for the real today)."""
    from forecasting.guidance import latest_issue_date

    return latest_issue_date(db, on_or_before=date(2100, 1, 1))
