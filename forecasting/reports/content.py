"""The report model: everything an issued combined report (会商报告) says, as one JSON-ready dict.

Built once at issue time from the issue snapshot (:func:`forecasting.consultation.signoff.issue_session`
passes it to the renderer) and from what the database knew then (participants, meteorological
analysis, notes, guidance, observations, earlier revisions). The HTML, PDF, text and JSON files are
all rendered from this one dict, so they cannot disagree; its shape is
:class:`forecasting.reports.model.Report` (a ``TypedDict``: the JSON bytes are those of the dict).

Minimum content of an issued forecast: HJ 633-2026 §5.1.1 (AQI, primary pollutant, level, category,
colour), for at least the next 3 days (§5.2). Health effects and advice: HJ 633-2026 Table 1 /
HJ 633-2012 Table 2; sensitive groups: HJ 633-2026 Table 2 (shown for a primary pollutant of a day
whose forecast range reaches above AQI 100, i.e. that pollutant's IAQI may exceed 100).

The consultation package has no public accessor for the participants or the notes of one revision,
so this module reads ``consultation_sessions``, ``consultation_submissions`` and
``consultation_notes`` directly (read-only).
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime, timedelta

from sqlalchemy import select

from forecasting.aqi import level_info, sensitive_groups
from forecasting.aqi.tables import POLLUTANT_LABELS
from forecasting.consultation import duty_for, yesterday_check
from forecasting.guidance import guidance_for
from forecasting.reports.model import GuidanceRow, Headline, LevelCell, Report, ReportDistrict, YesterdayRow
from forecasting.store.consultation import ConsultationNote, ConsultationSession, IssuedForecast, Submission
from forecasting.store.db import Database
from forecasting.store.models import User
from forecasting.vocab import BEIJING, canonical_json

__all__ = ["build_report", "analysis_by_district", "zone_headline", "issue_number", "issuing_body", "DEFAULT_ISSUING_BODY", "DEFAULT_ISSUING_BODY_EN",
           "SCHEMA", "NOTES_IN_DIGEST", "DIGEST_NOTE_CHARS", "digest_body", "beijing"]

SCHEMA = "forecasting.report/1"
DEFAULT_ISSUING_BODY = "长三角生态绿色一体化发展示范区 空气质量联合预报会商组"
DEFAULT_ISSUING_BODY_EN = ("Joint Air-Quality Forecast Consultation Group, Yangtze River Delta "
                           "Ecological Green Integrated Development Demonstration Zone")
#: The newest notes quoted in the report's digest (the full record stays in the consultation).
NOTES_IN_DIGEST = 8
#: A quoted note longer than this is cut in the digest, which says how long the full note is.
DIGEST_NOTE_CHARS = 300
#: Guidance methods drawn in the chart (``forecasting.guidance``: raw and corrected per model, ensemble).
CHART_METHODS = ("raw", "corrected", "ensemble")


def digest_body(body: str, limit: int = DIGEST_NOTE_CHARS) -> dict:
    """A note as the report's digest quotes it: ``body`` (cut after ``limit`` characters, with "…") and
    ``full_chars``, the length of the whole note when it was cut (else 0).

    Examples
    --------
    >>> digest_body("同意。")
    {'body': '同意。', 'full_chars': 0}
    >>> digest_body("长" * 5, limit=3)
    {'body': '长长长…', 'full_chars': 5}
    """
    if len(body) <= limit:
        return {"body": body, "full_chars": 0}
    return {"body": body[:limit].rstrip() + "…", "full_chars": len(body)}


def issuing_body(lang: str = "zh") -> str:
    """The issuing body: ``FORECASTING_ISSUING_BODY`` (``FORECASTING_ISSUING_BODY_EN``) or the default."""
    if lang == "en":
        return os.environ.get("FORECASTING_ISSUING_BODY_EN") or DEFAULT_ISSUING_BODY_EN
    return os.environ.get("FORECASTING_ISSUING_BODY") or DEFAULT_ISSUING_BODY


def issue_number(issue_date: date) -> int:
    """The issue number (期号): the day of the year of the issue date (1 January = 第1期).

    One consultation per day gives one number per day; an amendment keeps the number and adds its
    revision ("第329期（第2版）").
    """
    return issue_date.timetuple().tm_yday


def beijing(at: datetime | str | None) -> str:
    """``YYYY-MM-DD HH:MM`` in Beijing time ("" for none)."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _label(p: str) -> str:
    return POLLUTANT_LABELS.get(p, p.upper())


def _level_cell(level: int, edition: str) -> LevelCell:
    info = level_info(level=level, edition=edition)
    return {"level": level, "level_zh": info.level_zh, "category_zh": info.category_zh,
            "category_en": info.category_en, "color_zh": info.color_name_zh, "color_en": info.color_name_en,
            "hex": info.hex, "text_hex": info.text_hex}


#: A change of the range centre smaller than this [AQI] is "steady".
TREND_STEP = 15


def _moves(centres: list[float], step: float = TREND_STEP) -> list[int]:
    """The significant moves of a series: +1 up, −1 down, each at least ``step`` from the turning point
    before it (a zigzag filter: smaller wiggles are no move).

    Examples
    --------
    >>> _moves([135, 60, 102.5, 117.5, 80, 80, 80]), _moves([60, 64, 70]), _moves([60, 70, 190, 120, 65])
    ([-1, 1, -1], [], [1, -1])
    """
    moves: list[int] = []
    trend, ext = 0, centres[0]
    for x in centres[1:]:
        if trend == 0:
            if abs(x - ext) >= step:
                trend, ext = (1 if x > ext else -1), x
        elif (x - ext) * trend > 0:  # further the same way
            ext = x
        elif abs(x - ext) >= step:  # turned
            moves.append(trend)
            trend, ext = -trend, x
    return moves + ([trend] if trend else [])


def _trend(days: list[dict]) -> tuple[str, str]:
    """The shape of the forecast days' range centres, from their significant moves (:func:`_moves`, at
    least :data:`TREND_STEP`): none "steady", one "rising"/"falling", two "rising, then falling" /
    "falling, then rising", more "fluctuating" with the net direction from the first day to the last. A
    tour read "下降" for a forecast rising to 180–215 and falling back, and then "先降后升" for one that fell,
    rose and fell again.

    Examples
    --------
    >>> def days(*centres):
    ...     return [{"aqi_lo": c - 10, "aqi_hi": c + 10} for c in centres]
    >>> _trend(days(60, 70, 190, 120, 65)), _trend(days(190, 150, 90)), _trend(days(60, 64, 70))
    (('先升后降', 'rising, then falling'), ('下降', 'falling'), ('平稳', 'steady'))
    >>> _trend(days(120, 60, 115)), _trend(days(50, 80))
    (('先降后升', 'falling, then rising'), ('上升', 'rising'))
    >>> _trend(days(135, 60, 102.5, 117.5, 80, 80, 80)), _trend(days(80, 55, 102.5, 75, 80))
    (('波动下降', 'fluctuating, falling overall'), ('波动', 'fluctuating'))
    """
    if len(days) < 2:
        return "平稳", "steady"
    centres = [(d["aqi_lo"] + d["aqi_hi"]) / 2 for d in days]
    moves = _moves(centres)
    if len(moves) > 2:
        net = centres[-1] - centres[0]
        if net >= TREND_STEP:
            return "波动上升", "fluctuating, rising overall"
        if net <= -TREND_STEP:
            return "波动下降", "fluctuating, falling overall"
        return "波动", "fluctuating"
    return {(): ("平稳", "steady"), (1,): ("上升", "rising"), (-1,): ("下降", "falling"),
            (1, -1): ("先升后降", "rising, then falling"), (-1, 1): ("先降后升", "falling, then rising")}[tuple(moves)]


def _session_of(s, snapshot: dict) -> ConsultationSession | None:
    day = date.fromisoformat(snapshot["issue_date"])
    return s.scalar(select(ConsultationSession).where(ConsultationSession.issue_date == day,
                                                      ConsultationSession.revision == snapshot["revision"]))


def _context(db: Database, snapshot: dict) -> dict:
    """What the snapshot does not carry: participants, analysis texts, notes, earlier revisions."""
    issue_date = date.fromisoformat(snapshot["issue_date"])
    out = {"participants": {}, "analysis": [], "notes": [], "history": [], "duty": None}
    duty = duty_for(db, issue_date)
    out["duty"] = duty
    with db.read() as s:
        session = _session_of(s, snapshot)
        if session is not None:
            subs = list(s.scalars(select(Submission).where(Submission.session_id == session.id)
                                  .order_by(Submission.district, Submission.target_date)))
            # the day's discussion: an amendment continues it, so its report quotes the earlier revisions' notes
            day_sessions = select(ConsultationSession.id).where(ConsultationSession.issue_date == issue_date,
                                                                ConsultationSession.revision <= session.revision)
            notes = list(s.scalars(select(ConsultationNote).where(ConsultationNote.session_id.in_(day_sessions))
                                   .order_by(ConsultationNote.created_at, ConsultationNote.id)))
            author_ids = {x.author_id for x in subs + notes if x.author_id is not None}
            users = ({u.id: u for u in s.scalars(select(User).where(User.id.in_(author_ids)))}
                     if author_ids else {})
            people: dict[str, list[str]] = {}
            # the duty chief and deputy are named in the report's duty line; their notes (acknowledgements, the
            # conclusion) do not make them their district's forecasters (a tour read the chief among 青浦区预报员
            # without a forecast of hers): only a submission does
            seats = {duty.chief_id, duty.deputy_id} - {None}
            for x in subs + [n for n in notes if n.author_id not in seats]:
                u = users.get(x.author_id)
                district = (u.district_adcode if u else None) or getattr(x, "district", None)
                if district:
                    name = x.author_name or (u.display_name if u else "")
                    if name and name not in people.setdefault(district, []):
                        people[district].append(name)
            out["participants"] = people
            out["analysis"] = [{"district": x.district, "target_date": x.target_date.isoformat(),
                                "author": x.author_name, "text": x.analysis}
                               for x in subs if (x.analysis or "").strip()]
            revised = {n.revises_id for n in notes if n.revises_id}
            digest = [n for n in notes if n.kind == "note" and n.id not in revised]
            out["notes"] = [{"at": beijing(n.created_at), "author": n.author_name, "district": n.district or "",
                             "kind": n.kind, **digest_body(n.body)} for n in digest[-NOTES_IN_DIGEST:]]
        for r in s.scalars(select(IssuedForecast).where(IssuedForecast.issue_date == issue_date)
                           .order_by(IssuedForecast.revision)):
            if r.revision < snapshot["revision"]:
                out["history"].append({"revision": r.revision, "issued_at": beijing(r.issued_at),
                                       "issued_by": r.issued_by_name, "reason": r.reason, "sha256": r.sha256,
                                       "superseded": True})
    return out


def _guidance(db: Database, issue_date: date) -> list[GuidanceRow]:
    # no guidance is an empty list; a failure is a bug that must stop the issue, never a report
    # silently issued (immutably) without its guidance chart
    rows = guidance_for(db, issue_date)
    return [{"district": g.district, "target_date": g.target_date.isoformat(), "method": g.method,
             "model": g.model, "centre": None if g.centre is None else round(float(g.centre), 1),
             "aqi_lo": g.aqi_lo, "aqi_hi": g.aqi_hi} for g in rows if g.method in CHART_METHODS]


def _yesterday(db: Database, issue_date: date, names: dict[str, tuple[str, str]],
               observed=None) -> list[YesterdayRow]:
    # a failure stops the issue (no silently missing section)
    checks = yesterday_check(db, issue_date, observed=observed)
    out = []
    for v in checks:
        obs = None if v.observed_aqi is None else int(round(v.observed_aqi))
        level = level_info(aqi=obs).level if obs is not None else None
        zh, en = names.get(v.district, (v.district, v.district))
        out.append({"district": v.district, "name_zh": zh, "name_en": en, "day": v.day.isoformat(),
                    "issued_lo": v.issued_lo, "issued_hi": v.issued_hi, "observed_aqi": obs,
                    "observed_level": level,
                    "observed": _level_cell(level, "HJ 633-2026") if level else None, "hit": v.hit})
    return out


def analysis_by_district(analysis: list[dict], districts: list[dict]) -> list[dict]:
    """The meteorological analysis once per district: consecutive days with the same text are merged
    into one paragraph that names its days (a forecaster usually writes one analysis for the week).

    Examples
    --------
    >>> rows = [{"district": "310118", "target_date": d, "author": "徐", "text": "静稳"}
    ...         for d in ("2026-11-30", "2026-12-01")]
    >>> out = analysis_by_district(rows, [{"adcode": "310118", "name_zh": "青浦区", "name_en": "Qingpu"}])
    >>> [(p["days"], p["text"]) for p in out[0]["paragraphs"]]
    [(['2026-11-30', '2026-12-01'], '静稳')]

    A district that wrote none is listed with an empty paragraph (the report says so, instead of
    leaving the district out):

    >>> analysis_by_district([], [{"adcode": "330421", "name_zh": "嘉善县", "name_en": "Jiashan"}])[0]["paragraphs"]
    [{'days': [], 'text': '', 'authors': []}]
    """
    out = []
    for d in districts:
        rows = sorted((a for a in analysis if a["district"] == d["adcode"]), key=lambda a: a["target_date"])
        paragraphs: list[dict] = []
        for a in rows:
            text = (a.get("text") or "").strip()
            if paragraphs and paragraphs[-1]["text"] == text:
                paragraphs[-1]["days"].append(a["target_date"])
                if a.get("author") and a["author"] not in paragraphs[-1]["authors"]:
                    paragraphs[-1]["authors"].append(a["author"])
            else:
                paragraphs.append({"days": [a["target_date"]], "text": text,
                                   "authors": [a["author"]] if a.get("author") else []})
        paragraphs = [p for p in paragraphs if p["text"]] or [{"days": [], "text": "", "authors": []}]
        out.append({"district": d["adcode"], "name_zh": d["name_zh"], "name_en": d["name_en"],
                    "paragraphs": paragraphs})
    return out


def zone_headline(districts: list[ReportDistrict]) -> Headline:
    """Tomorrow (the first target day) for each district: AQI range, level span with colours, primary
    pollutants; and the zone's span (lowest to highest level of the three)."""
    rows = []
    for d in districts:
        if not d["days"]:
            continue
        e = d["days"][0]
        rows.append({"district": d["adcode"], "name_zh": d["name_zh"], "name_en": d["name_en"],
                     "target_date": e["target_date"], "aqi_lo": e["aqi_lo"], "aqi_hi": e["aqi_hi"],
                     "level_lo": e["level_lo"], "level_hi": e["level_hi"], "levels": e["levels"],
                     "category_zh": e.get("category_zh", ""), "category_en": e.get("category_en", ""),
                     "primary_label": e["primary_label"], "primary_label_en": e["primary_label_en"]})
    return {"target_date": rows[0]["target_date"] if rows else None, "districts": rows,
            "level_lo": min((r["level_lo"] for r in rows), default=None),
            "level_hi": max((r["level_hi"] for r in rows), default=None)}


def build_report(db: Database, snapshot: dict, *, observed=None) -> Report:
    """The report model of one issued revision (see the module docstring); JSON-serialisable.

    Parameters
    ----------
    snapshot : dict
        The issue snapshot of :func:`forecasting.consultation.issue_session` (``issue_date``,
        ``revision``, ``districts`` with ``days``, ``zone_summary``, ``conclusion``, signatures).
    observed : callable, optional
        ``observed(db, district, day)``, the observed daily AQI for yesterday's check (see
        :func:`forecasting.consultation.yesterday_check`; by default computed from the observations).
    """
    issue_date = date.fromisoformat(snapshot["issue_date"])
    number = issue_number(issue_date)
    revision = int(snapshot.get("revision") or 1)
    ctx = _context(db, snapshot)
    duty = ctx["duty"]
    districts, health_levels, sensitive = [], {}, {}
    names = {}
    valid_days: list[str] = []
    for d in snapshot.get("districts", []):
        names[d["adcode"]] = (d["name_zh"], d["name_en"])
        days = []
        for e in d.get("days", []):
            edition = e.get("edition") or "HJ 633-2026"
            cells = [_level_cell(k, edition) for k in range(e["level_lo"], e["level_hi"] + 1)]
            for k in range(e["level_lo"], e["level_hi"] + 1):
                health_levels.setdefault(k, edition)
            primary = list(e.get("primary") or [])
            if e["aqi_hi"] > 100:
                for p in primary:
                    sensitive.setdefault(p, set()).add(d["adcode"])
            if e["target_date"] not in valid_days:
                valid_days.append(e["target_date"])
            days.append({**e, "levels": cells, "primary_label": "、".join(_label(p) for p in primary) or "—",
                         "primary_label_en": ", ".join(_label(p) for p in primary) or "—",
                         "weekday": date.fromisoformat(e["target_date"]).weekday()})
        trend_zh, trend_en = _trend(days)
        districts.append({"adcode": d["adcode"], "name_zh": d["name_zh"], "name_en": d["name_en"], "days": days,
                          "trend_zh": trend_zh, "trend_en": trend_en,
                          "participants": ctx["participants"].get(d["adcode"], [])})
    valid_days.sort()
    health = []
    for k in sorted(health_levels):
        info = level_info(level=k, edition=health_levels[k])
        health.append({**_level_cell(k, health_levels[k]), "effect_zh": info.health_effect_zh,
                       "effect_en": info.health_effect_en, "advice_zh": info.advice_zh,
                       "advice_en": info.advice_en})
    groups = [{"pollutant": p, "label": _label(p), "groups_zh": sensitive_groups(p, "zh"),
               "groups_en": sensitive_groups(p, "en"),
               "districts_zh": "、".join(names.get(a, (a, a))[0] for a in sorted(where)),
               "districts_en": ", ".join(names.get(a, (a, a))[1] for a in sorted(where))}
              for p, where in sorted(sensitive.items())]
    snapshot_text = canonical_json(snapshot)
    issued_at = snapshot.get("issued_at")
    history = ctx["history"] + [{"revision": revision, "issued_at": beijing(issued_at),
                                 "issued_by": snapshot.get("issued_by", ""),
                                 "reason": snapshot.get("amendment_reason", ""), "sha256": None,
                                 "superseded": False}]
    title_rev_zh = f"（第{revision}版·更正）" if revision > 1 else ""
    title_rev_en = f" (revision {revision}, amended)" if revision > 1 else ""
    return {
        "schema": SCHEMA,
        "issue_date": issue_date.isoformat(),
        "revision": revision,
        "issue_year": issue_date.year,
        "issue_number": number,
        "issue_number_rule": "day of the year of the issue date (1 January = 1)",
        "title_zh": f"{issue_date.year}年第{number}期 示范区空气质量联合预报会商报告{title_rev_zh}",
        "title_en": f"Joint Air-Quality Forecast Report, {issue_date.year} No. {number}{title_rev_en}",
        "issuing_body_zh": issuing_body("zh"),
        "issuing_body_en": issuing_body("en"),
        "issued_at_utc": issued_at,
        "issued_at_beijing": beijing(issued_at),
        "issued_by": snapshot.get("issued_by", ""),
        "valid_days": valid_days,
        "duty": {
            "district": duty.district if duty else None,
            "district_zh": names.get(duty.district, ("", ""))[0] if duty and duty.district else "",
            "district_en": names.get(duty.district, ("", ""))[1] if duty and duty.district else "",
            "chief": duty.chief_name if duty else "", "deputy": duty.deputy_name if duty else "",
            "signed_by": snapshot.get("signed_by", ""), "signed_seat": snapshot.get("signed_seat", ""),
            "signed_at_beijing": beijing(snapshot.get("signed_at")),
            "chief_absent_reason": snapshot.get("chief_absent_reason", ""),
        },
        "districts": districts,
        "zone_summary": snapshot.get("zone_summary", ""),
        "conclusion": snapshot.get("conclusion", ""),
        "met_analysis": ctx["analysis"],
        "met_analysis_by_district": analysis_by_district(ctx["analysis"], districts),
        "headline": zone_headline(districts),
        "notes_digest": ctx["notes"],
        "health": health,
        "sensitive_groups": groups,
        "guidance": _guidance(db, issue_date),
        "yesterday": _yesterday(db, issue_date, names, observed),
        "history": history,
        "amendment_reason": snapshot.get("amendment_reason", ""),
        "deadlines": snapshot.get("deadlines", {}),
        "snapshot_sha256": hashlib.sha256(snapshot_text.encode("utf-8")).hexdigest(),
        "snapshot": snapshot,
        "pdf_sha256": None,
        "standard": "HJ 633-2026 §5.1.1",
    }


def day_label(day: str, lang: str = "zh") -> str:
    d = date.fromisoformat(day)
    return f"{d.month}月{d.day}日" if lang != "en" else d.strftime("%d %b")


def previous_day(day: date) -> date:
    return day - timedelta(days=1)
