"""Widgets shared by the consultation pages (room, chief desk, rota). Text typed by users is
always shown as plain text (``st.text``/dataframes), never as markdown or HTML."""

from __future__ import annotations

import html as _html
import math
import unicodedata
from datetime import date, datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from forecasting.aqi import level_info
from forecasting.consultation import (BEIJING, ROTA_LOOKAHEAD_DAYS, beijing_today, first_day_without_duty, span_text,
                                      yesterday_check)
from forecasting.consultation.acknowledgements import POLLUTANT_TEXT
from forecasting.consultation.acknowledgements import group_values as _group_values
from forecasting.consultation.notes import thread_order
from forecasting.store.db import get_database
from forecasting.verification import yesterday_summary
from forecasting.vocab import DISTRICT_ORDER
from ui.i18n import join, tr
from ui.maps import district_outlines, geojson_data
from ui.state import language

WARN_BEFORE = timedelta(minutes=60)


def bj(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(BEIJING).strftime(fmt) if moment else ""


def district_name(adcode: str | None) -> str:
    return tr(f"district.{adcode}") if adcode else ""


def pollutants(primary) -> str:
    return join(POLLUTANT_TEXT.get(p, p) for p in primary) if primary else tr("common.none")


def lead_label(issue_date: date, day: date, *, with_date: bool = True) -> str:
    """A target day as every page names it: "第 1 天 12-02" (English "D+1 12-02"), the lead counted from the
    issue date (the room and the desk said "D+1" in Chinese while the manager pages said "第 1 天")."""
    text = tr("dfc.lead", n=(day - issue_date).days)
    return f"{text} {day:%m-%d}" if with_date else text


def days_label(issue_date: date | None, first: date, last: date) -> str:
    """The target days of a flag group: "第 1 天 12-02", "第 1–2 天 12-02–12-03" (English "D+1–D+2 …");
    the dates alone without an issue date.

    Examples
    --------
    >>> days_label(date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 4))
    '第 1–3 天 12-02–12-04'
    >>> days_label(None, date(2026, 12, 2), date(2026, 12, 2))
    '12-02'
    """
    if issue_date is None:
        return f"{first:%m-%d}" if first == last else f"{first:%m-%d}–{last:%m-%d}"
    if first == last:
        return lead_label(issue_date, first)
    leads = tr("consult.lead_span", a=(first - issue_date).days, b=(last - issue_date).days)
    return f"{leads} {first:%m-%d}–{last:%m-%d}"


def probability_over_100(p: float) -> str:
    """P(AQI > 100) as the guidance says it: "AQI>100 概率 12%" ("P(AQI>100) 12%")."""
    return tr("dfc13.p100", p=f"{100 * p:.0f}%")


TYPED_MAX = 16  # characters of a number box that reach the rules (and the message that refuses them)


def typed(value):
    """What a number box holds, as the rules should read it: ``None`` when empty, else the text as typed.

    Full-width digits from a Chinese input method are read as digits; text that is not a number stays text,
    so the rules refuse it by name ("AQI 应为整数：9e") instead of the box reading as empty. A number set by the
    page (``int``/``float``) passes unchanged.

    Examples
    --------
    >>> typed(None), typed("  "), typed(" 60 "), typed("６５"), typed("9e"), typed(75)
    (None, None, '60', '65', '9e', 75)
    >>> typed("1" * 40)
    '1111111111111111…'
    """
    if value is None or isinstance(value, (int, float)):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    return text if len(text) <= TYPED_MAX else text[:TYPED_MAX] + "…"


def box_text(value) -> str:
    """A stored number as a box shows it: ``60`` not ``60.0``, empty for ``None``.

    Examples
    --------
    >>> box_text(None), box_text(60), box_text(35.0), box_text(35.5), box_text("72")
    ('', '60', '35', '35.5', '72')
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return str(value)


def span(level_lo: int, level_hi: int) -> str:
    return span_text(level_lo, level_hi, language())


def span_html(text: str) -> str:
    """A level span (:func:`span`) as HTML that breaks only between its ends: a narrow grid cell read
    "轻度至中度污" / "染"; now "轻度至" / "中度污染". A single category never breaks; English breaks between words.

    Examples
    --------
    >>> span_html("轻度至中度污染")
    "<span style='white-space:nowrap'>轻度至</span><wbr><span style='white-space:nowrap'>中度污染</span>"
    >>> span_html("良"), span_html("Good to Lightly Polluted")
    ("<span style='white-space:nowrap'>良</span>", 'Good to Lightly Polluted')
    """
    if text.isascii():
        return _html.escape(text)
    ends = text.split("至")
    return "<wbr>".join(f"<span style='white-space:nowrap'>{_html.escape(part)}{'至' if i < len(ends) - 1 else ''}</span>"
                        for i, part in enumerate(ends))


def issue_date_picker(key: str) -> date:
    """The issue date (Beijing), remembered per page for the day it was chosen: a tab left open over midnight
    starts the new day at the new day's session (signed in again next morning, a forecaster read yesterday's
    issued session, locked, as if today's were done)."""
    remember_for_today(key, beijing_today())
    return st.date_input(tr("consult.issue_date"), key=key)


def remember_for_today(key: str, today: date, default=None) -> None:
    """Keep the widget value ``key`` while the Beijing day is the one it was chosen on; on a later day (or
    when there is none) set it to ``default`` (``today`` when not given)."""
    day_key = f"{key}__day"
    if key not in st.session_state or st.session_state.get(day_key) != today:
        st.session_state[key] = today if default is None else default
    st.session_state[day_key] = today


def standing_text(standing, issue_date: date, district: str, day: date) -> str:
    """What the forecast issued before ``issue_date`` (:func:`~forecasting.consultation.standing_forecast`)
    said for ``district`` on ``day``: "昨日发布 90–125", "12-05 发布 …" when it is older, "—" for a day it did
    not reach; empty when nothing was issued before."""
    if standing.issue_date is None:
        return ""
    was = standing.ranges.get((district, day))
    return tr("grid14.standing_yesterday" if standing.issue_date == issue_date - timedelta(days=1)
              else "grid14.standing_on", day=standing.issue_date.strftime("%m-%d"),
              range=f"{was[0]}–{was[1]}" if was else "—")


def standing_jumps(standing, ranges) -> list[tuple[str, date, tuple[int, int], tuple[int, int]]]:
    """``(district, day, issued before, now)`` of the ``ranges`` (``(district, day, lo, hi)``, ``None`` ends
    skipped) that do not overlap what the forecast issued before said for the same district and day.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> before = SimpleNamespace(ranges={("310118", date(2026, 12, 8)): (90, 125)})
    >>> standing_jumps(before, [("310118", date(2026, 12, 8), 60, 80), ("310118", date(2026, 12, 9), 60, 80)])
    [('310118', datetime.date(2026, 12, 8), (90, 125), (60, 80))]
    >>> standing_jumps(before, [("310118", date(2026, 12, 8), 60, 90)])  # touching: in line
    []
    """
    out = []
    for district, day, lo, hi in ranges:
        was = standing.ranges.get((district, day))
        if was is not None and lo is not None and hi is not None and (hi < was[0] or lo > was[1]):
            out.append((district, day, was, (lo, hi)))
    return out


def rota_notice(db, actor, day: date, duty, *, ahead: bool = False) -> bool:
    """Say when nobody is on duty (:func:`~forecasting.consultation.first_day_without_duty`): on ``day``
    as an error to everyone, since nobody can sign that day's forecast and only an admin can fill the
    seat then; with ``ahead``, the first such day of the next :data:`ROTA_LOOKAHEAD_DAYS` as a warning to
    those who may fill the rota (an admin, the duty chief of ``day``, whose ``duty`` it is). Returns
    whether anything was said."""
    if first_day_without_duty(db, day, 1) == day:
        st.error(tr("rota.gap_day", day=day.isoformat()), icon=":material/event_busy:")
        return True
    may_fill = actor.is_admin or (actor.user_id is not None and actor.user_id == duty.chief_id)
    if not ahead or not may_fill:
        return False
    gap = first_day_without_duty(db, day + timedelta(days=1), ROTA_LOOKAHEAD_DAYS - 1)
    if gap is None:
        return False
    n = (gap - day).days
    st.warning(tr("rota.gap_tomorrow" if n == 1 else "rota.gap_ahead", day=gap.isoformat(), n=n),
               icon=":material/event_busy:")
    return True


def state_badge(state: str) -> None:
    colours = {"open": "blue", "consulting": "orange", "signed": "violet", "issued": "green", "superseded": "gray"}
    st.badge(badge_label(tr(f"consult.state.{state}")), color=colours.get(state, "gray"))


def badge_label(text: str) -> str:
    """A badge stands alone: its first letter is upper case ("Signed", not "signed"; Chinese unchanged).

    Examples
    --------
    >>> badge_label("in consultation"), badge_label("已签发")
    ('In consultation', '已签发')
    """
    return text[:1].upper() + text[1:]


def deadline_notes(session, now: datetime) -> None:
    """Warn as the deadlines approach; say when they were missed (the record keeps it)."""
    for name, deadline, done in (("consult", session.consult_deadline, session.signed_at),
                                 ("issue", session.issue_deadline, session.issued_at)):
        if session.state == "superseded":
            return
        when = bj(deadline, "%H:%M")
        if done is not None:
            if done > deadline:
                st.warning(tr(f"consult.deadline.{name}_missed", time=when, done=bj(done)), icon=":material/schedule:")
        elif now > deadline:
            st.error(tr(f"consult.deadline.{name}_passed", time=when), icon=":material/alarm:")
        elif deadline - now <= WARN_BEFORE:
            minutes = int((deadline - now).total_seconds() // 60)
            st.warning(tr(f"consult.deadline.{name}_soon", time=when, minutes=minutes), icon=":material/alarm:")


def status_table(room) -> pd.DataFrame:
    """Who has submitted: one row per district."""
    rows = []
    states = room.submitted_districts()
    for d in room.districts:
        subs = [s for s in room.submissions if s.district == d]
        latest = max(subs, key=lambda s: s.updated_at) if subs else None
        rows.append({
            tr("consult.col_district"): district_name(d),
            tr("consult.col_status"): tr(f"consult.status.{states.get(d, 'none')}"),
            tr("consult.col_author"): latest.author_name if latest else "",
            tr("consult.col_time"): bj(latest.updated_at) if latest else "",
        })
    return pd.DataFrame(rows)


def submissions_table(room) -> pd.DataFrame:
    rows = []
    for s in room.submissions:
        rows.append({
            tr("consult.col_district"): district_name(s.district),
            tr("consult.col_day"): s.target_date.strftime("%m-%d"),
            tr("consult.col_aqi"): f"{s.aqi_lo}–{s.aqi_hi}",
            tr("consult.col_level"): span(s.level_lo, s.level_hi),
            tr("consult.col_primary"): pollutants(s.primary),
            tr("consult.col_status"): tr(f"consult.status.{s.status}"),
            tr("consult.col_version"): s.version,
            tr("consult.col_author"): s.author_name,
            tr("consult.col_time"): bj(s.updated_at),
        })
    return pd.DataFrame(rows)


def notes_list(notes) -> None:
    """Each note as plain text with its author and time (never markdown/HTML)."""
    if not notes:
        st.caption(tr("consult.notes_empty"))
        return
    for n in reversed(notes):
        with st.container(border=True):
            tags = [tr(f"consult.note_kind.{n.kind}")]
            if n.district:
                tags.append(district_name(n.district))
            if n.target_date:
                tags.append(n.target_date.strftime("%m-%d"))
            if n.revises_id:
                tags.append(tr("consult.note_revises", id=n.revises_id))
            if n.revised_by:
                tags.append(tr("consult.note_revised"))
            st.text(f"#{n.id} · {n.author_name} · {bj(n.created_at)} · {' · '.join(tags)}")
            note_body(n.body_in(language()))


#: A note longer than this shows its beginning, and the whole text in an expander: one 5,000-character
#: note filled the discussion for several screens.
NOTE_PREVIEW_CHARS = 600


def note_body(body: str) -> None:
    """A note's text, plain (never Markdown or HTML); a long one as its beginning and the whole in a fold."""
    if len(body) <= NOTE_PREVIEW_CHARS:
        st.text(body)
        return
    st.text(body[:NOTE_PREVIEW_CHARS].rstrip() + "…")
    with st.expander(tr("note14.whole", n=len(body))):
        st.text(body)


_METHOD_ORDER = {"ensemble": 0, "corrected": 1, "raw": 2}


def method_label(method: str) -> str:
    """"ensemble:ensemble" → 订正集合 (建议), "corrected:CAMS" → 订正 · CAMS, "raw:CAMS" → 原始模式 · CAMS."""
    kind, _, model = method.partition(":")
    name = tr("guid.suggested") if kind == "ensemble" else tr(f"method.{kind}")
    return f"{name} · {model}" if model and model != kind else name


def guidance_panel(rows) -> None:
    """Objective guidance of every method (the suggested ensemble first). Yesterday's check has its own
    panel in the room (a tour read it twice, here and there)."""
    if not rows:
        st.info(tr("consult.no_guidance"), icon=":material/info:")
        return
    rows = sorted(rows, key=lambda r: (r.district, r.target_date,
                                       _METHOD_ORDER.get(r.method.partition(":")[0], 3), r.method))
    st.dataframe(pd.DataFrame([{
        tr("consult.col_district"): district_name(r.district),
        tr("consult.col_day"): r.target_date.strftime("%m-%d"),
        tr("consult.col_method"): method_label(r.method),
        tr("consult.col_aqi"): f"{r.aqi_lo}–{r.aqi_hi}" if r.aqi_lo is not None else "—",
        tr("consult.col_level"): span(r.level_lo, r.level_hi) if r.level_lo else "—",
        tr("consult.col_primary"): pollutants(r.primary),
        tr("consult.col_centre"): None if r.central is None else round(r.central),
    } for r in rows]), hide_index=True, placeholder="—", width="stretch")


# -- the consultation day (issue #14) ------------------------------------------------------------------

STATE_COLOURS = {"none": "#E0E0E0", "draft": "#FFE9A8", "submitted": "#B7E4C7"}
#: A flagged cell's frame on the comparison grid, whose cells are filled with the AQI level colours (yellow,
#: orange, red): dark enough to show on every one of them, dashed for a yellow notice.
SEVERITY_BORDER = {"red": "4px solid #7A0010", "amber": "3px dashed #6B4200"}
#: ... and a white ring inside the frame, so that it also shows on the dark fills (red, purple, maroon: a tour
#: could hardly see the dark frame on a red cell).
FLAG_RING = "box-shadow:inset 0 0 0 2px #FFFFFF"


def esc(value) -> str:
    return _html.escape("" if value is None else str(value))


def ptext(primary) -> str:
    """Primary pollutants written one way (PM2.5, O₃, NO₂ …)."""
    return join(POLLUTANT_TEXT.get(p, p) for p in primary) if primary else "—"


def level_colour(level: int | None) -> str:
    if not level:
        return "#EEEEEE"
    return level_info(level=int(level)).hex


def text_on(level: int | None) -> str:
    return "#FFFFFF" if level and int(level) >= 4 else "#000000"


def countdown(deadline: datetime, now: datetime, done: datetime | None) -> str:
    """"还剩 2 小时 5 分" / "已过 …" / "已完成（15:02）" / "逾期完成" (a card's value: short enough for a
    phone; :func:`lateness` says when and by how much)."""
    if done is not None:
        if done <= deadline:
            return tr("today14.done_at", time=bj(done, "%H:%M"))
        return tr("today14.done_late")
    delta = deadline - now
    minutes = int(abs(delta.total_seconds()) // 60)
    key = "today14.left" if delta.total_seconds() >= 0 else "today14.passed"
    if minutes < 60:  # "还剩 57 分钟", as the deadline alert beside it says, not "还剩 0 小时 57 分"
        key += "_min"
    return tr(key, h=minutes // 60, m=minutes % 60)


def lateness(deadline: datetime, done: datetime | None) -> str:
    """"21:47 完成，晚 6 小时 47 分" for a deadline met late, else ""."""
    if done is None or done <= deadline:
        return ""
    minutes = int((done - deadline).total_seconds() // 60)
    late = tr("today14.late_min" if minutes < 60 else "today14.late_hm", h=minutes // 60, m=minutes % 60)
    return tr("today14.late_line", time=bj(done, "%H:%M"), late=late)


def columns_that_wrap(spec, *, key: str, min_rem):
    """``st.columns(spec)`` in a container ``key`` whose columns wrap onto the next row when the page is too
    narrow for each to have its ``min_rem`` rem (one number for all, or one per column) instead of squeezing.
    On a phone they then sit as many a row as fit rather than one under the other. CSS only."""
    n = spec if isinstance(spec, int) else len(spec)
    mins = [min_rem] * n if isinstance(min_rem, (int, float)) else list(min_rem)
    # its own row of columns only (directly inside, or inside Streamlit's layout wrapper), never columns nested in
    # them: the home page's two deadlines sit in columns inside the board's first column
    block = (f":is(.st-key-{key} > [data-testid='stHorizontalBlock'],"
             f" .st-key-{key} > [data-testid='stLayoutWrapper'] > [data-testid='stHorizontalBlock'])")
    rules = "".join(f"{block} > [data-testid='stColumn']:nth-child({i + 1}){{min-width:min({m}rem,100%)}}"
                    for i, m in enumerate(mins))
    st.html(f"<style>{block}{{flex-wrap:wrap}}{rules}</style>")
    return st.container(key=key).columns(spec)


def day_columns(n: int, *, key: str, min_rem: float = 6.0):
    """``n`` columns of days (one card or one form column a day) that wrap onto a second row when the page is
    too narrow for ``n`` of at least ``min_rem`` rem each, instead of squeezing: at 1024 px seven cards were
    64 px wide, "首要污染物" broke after each character and "轻度污染" stuck out of its card (a tour). From a
    1280 px screen up the seven stay on one row (6.5 rem put the seventh alone on a second row there); at
    1024 px five and two; on a phone three a row instead of seven stacked."""
    return columns_that_wrap(n, key=key, min_rem=min_rem)


#: A countdown is read whole: Streamlit's metric cut "还剩 14 小时 23 分" to "还剩 14 小时 2…" in a half-width
#: column (a tour). In the strip its value wraps instead, a little smaller than a metric's 2.25rem.
_WHOLE_COUNTDOWN = ("<style>.st-key-deadline_strip [data-testid='stMetricValue'],"
                    ".st-key-deadline_strip [data-testid='stMetricValue'] *"
                    "{white-space:normal;overflow:visible;text-overflow:clip;font-size:1.9rem;line-height:1.25;"
                    "word-break:keep-all}"
                    "</style>")


def deadline_strip(session, now: datetime, *, alerts: bool = True) -> None:
    """Both deadlines with a countdown (the fragment that calls this refreshes it); with ``alerts``, a
    passed deadline also as an alert (the room says it once, above, with :func:`deadline_notes`)."""
    st.html(_WHOLE_COUNTDOWN)
    cols = st.container(key="deadline_strip").columns(2)
    for col, name, deadline, done in ((cols[0], "consult", session.consult_deadline, session.signed_at),
                                      (cols[1], "issue", session.issue_deadline, session.issued_at)):
        label = tr(f"today14.deadline_{name}", time=bj(deadline, "%H:%M"))
        text = countdown(deadline, now, done)
        late = done is None and now > deadline
        col.metric(label, text, delta=None)
        late_by = lateness(deadline, done)
        if late_by:  # the card's value is "逾期完成"; when and by how much beneath it
            col.caption(late_by)
        if late and alerts:
            col.error(tr(f"consult.deadline.{name}_passed", time=bj(deadline, "%H:%M")), icon=":material/alarm:")


def status_strip_html(room) -> str:
    """Districts × target days: not started / draft / submitted, by whom, when."""
    days = room.session.target_dates
    # whole words on a phone: the heads broke as "第 1 / 天 / 12- / 02" and the cells as "已提 / 交"
    head = "".join(f"<th style='padding:4px 6px;white-space:nowrap'>"
                   f"{esc(lead_label(room.session.issue_date, d, with_date=False))}<br>"
                   f"<span style='font-weight:normal'>{d:%m-%d}</span></th>" for d in days)
    rows = []
    for dist in room.districts:
        cells = []
        for day in days:
            sub = room.submission(dist, day)
            state = sub.status if sub else "none"
            tip = f"{sub.author_name} {bj(sub.updated_at)}" if sub else ""
            # a submission after the consultation's cut-off says so here too, as the room's grid does (a tour read
            # "已提交 王磊 15:23" here and "已提交 · 逾期 15:23" in the room)
            late = bool(sub and sub.status == "submitted" and sub.submitted_at
                        and sub.submitted_at > room.session.consult_deadline)
            when = tr("consult.late", time=bj(sub.submitted_at, "%H:%M")) if late else \
                (bj(sub.updated_at, "%H:%M") if sub else "")
            who = f"<br><span style='font-size:0.75em'>{esc(sub.author_name)} {esc(when)}</span>" if sub else ""
            cells.append(f"<td title='{esc(tip)}' style='background:{STATE_COLOURS[state]};padding:3px 4px;"
                         f"text-align:center;border:1px solid #fff;white-space:nowrap'>"
                         f"{esc(tr(f'today14.cell_{state}'))}{who}</td>")
        rows.append(f"<tr><th style='text-align:left;padding:4px 6px;white-space:nowrap'>{esc(district_name(dist))}</th>"
                    f"{''.join(cells)}</tr>")
    # a scrolling box: in English ("submitted") the seventh day ran past the column and was cut ("submitte")
    return (f"<div class='status-strip' style='overflow-x:auto'><table style='border-collapse:collapse;width:100%;"
            f"font-size:0.85em'><tr><th></th>{head}</tr>{''.join(rows)}</table></div>")


def group_values(group) -> str:
    """Each day's values when they differ (:func:`forecasting.consultation.acknowledgements.group_values`)."""
    return _group_values(group, language())


def group_label(group, issue_date: date | None = None) -> str:
    a = district_name(group.district_a)
    who = a if not group.district_b else tr("ack14.pair", a=a, b=district_name(group.district_b))
    days = days_label(issue_date, group.first, group.last)
    return f"{severity_phrase(group.severity)} · {who} · {days} · {tr('flag.kind.' + group.kind)} · {group_values(group)}"


def severity_phrase(severity: str) -> str:
    """A flag's severity as words that stand alone in a line ("黄色提醒", not a bare "黄")."""
    return tr("ack14.severity.info") if severity == "info" else tr(f"flag.severity_phrase.{severity}")


def severity_text(severity: str) -> str:
    return tr("ack14.severity.info") if severity == "info" else tr(f"flag.severity.{severity}")


def flag_groups_frame(groups, issue_date: date | None = None) -> pd.DataFrame:
    rows = []
    for g in groups:
        a = district_name(g.district_a)
        m = g.lead  # an information-only day of the group has no acknowledgement of its own
        rows.append({
            tr("flag.col_severity"): severity_text(g.severity),
            tr("ack14.col_days"): days_label(issue_date, g.first, g.last),
            tr("flag.col_pair"): a if not g.district_b else tr("ack14.pair", a=a, b=district_name(g.district_b)),
            tr("flag.col_kind"): tr(f"flag.kind.{g.kind}"),
            tr("ack14.col_values"): group_values(g),
            tr("flag.col_state"): ("—" if not g.needs_ack else
                                   tr("flag.acknowledged", by=getattr(m, "by", "")) if g.acknowledged
                                   else tr("flag.open")),
            tr("flag.col_note"): getattr(m, "note", "") if g.acknowledged and g.needs_ack else "",
        })
    return pd.DataFrame(rows)


#: A table cell's text: width of one Latin character (a CJK character is two) [px].
_UNIT_PX = 7.5


def units(text) -> int:
    """Width of ``text`` in Latin-character units (a CJK character is about two).

    Examples
    --------
    >>> units("PM2.5"), units("已确认（陈静）")
    (5, 14)
    """
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in str(text))


def header_width(header: str, *, least: int = 72) -> int:
    """A table column as wide as its header [px] (a tour read "Normalised mean err": Streamlit sizes a
    column to its numbers).

    Examples
    --------
    >>> header_width("RMSE"), header_width("Normalised mean error"), header_width("标准化平均误差")
    (72, 185, 133)
    """
    return max(least, int(units(header) * _UNIT_PX) + 28)


def text_width(texts, *, least: int = 72) -> int:
    """A table column as wide as the longest of ``texts`` (its header and its cells) [px]: a tour read
    "轻度污染至中度污" and "采用区县(" in columns sized for shorter values.

    Examples
    --------
    >>> text_width(["级别", "良至轻度污染", "轻度至中度污染"]) == header_width("轻度至中度污染")
    True
    """
    return max([least] + [header_width(str(t), least=least) for t in texts if t is not None])


#: Width of a desktop page's content beside the sidebar at 1366 px [px] (the narrowest common laptop screen).
PAGE_CONTENT_PX = 905
#: The same at 1280 px (a 1280 × 1024 office screen, or a window beside another) [px], measured in Chromium.
PAGE_CONTENT_1280_PX = 820


#: The flag table's severity colours (HJ 633's red and the amber of a notice; grey: information only).
SEVERITY_COLOURS = {"red": "#FF0000", "amber": "#FFBF00", "info": "#E0E0E0"}


def flag_table_html(groups, issue_date: date | None = None) -> str:
    """The flag groups as an HTML table (:func:`flag_groups_frame`'s columns and words, every cell escaped: a
    chief's reason is shown as text). Each row is as tall as its own text: in Streamlit's table every row took
    the height of the longest (a week's values made five rows of 185 px each), and a cell's text was cut
    wherever the estimate of its lines fell short (a 1366 px tour). Under 760 px (a phone) the table scrolls
    sideways in its box instead of squeezing its columns to a character."""
    frame = flag_groups_frame(groups, issue_date)
    colour = {severity_text(k): v for k, v in SEVERITY_COLOURS.items()}
    cell = "padding:4px 6px;border:1px solid #E6E6E6;vertical-align:top;text-align:left"
    head = "".join(f"<th style='{cell};background:#F7F7F7;font-weight:600;white-space:nowrap'>{esc(col)}</th>"
                   for col in frame.columns)
    days, pair, state = frame.columns[1], frame.columns[2], frame.columns[5]
    names = [esc(district_name(d)) for d in DISTRICT_ORDER]

    def whole_names(text) -> str:  # "吴江区与嘉善县" broke as "吴江区与" / "嘉善" / "县" on a phone
        out = esc(text)
        for name in names:
            out = out.replace(name, f"<span style='white-space:nowrap'>{name}</span>")
        return out

    def words(text) -> str:  # the lead days, then their dates: "12-08–12-14" broke after its first hyphen
        return " ".join(f"<span style='white-space:nowrap'>{esc(w)}</span>" for w in str(text).rpartition(" ")[::2] if w)

    rows = []
    for values in frame.to_dict("records"):
        sev = values.pop(frame.columns[0])
        tint = f";background:{colour[sev]};color:#000" if sev in colour else ""
        cells = {col: words(v) if col == days else whole_names(v) if col == pair else esc(v)
                 for col, v in values.items()}
        cells[state] = f"<span style='white-space:nowrap'>{esc(values[state])}</span>"  # "待处" / "理" (a tour)
        rows.append(f"<tr><td style='{cell};white-space:nowrap{tint}'>{esc(sev)}</td>"
                    + "".join(f"<td style='{cell}'>{v}</td>" for v in cells.values()) + "</tr>")
    return (f"<div class='flag-table' style='overflow-x:auto'><table style='border-collapse:collapse;width:100%;"
            f"min-width:760px;font-size:0.85em'><tr>{head}</tr>{''.join(rows)}</table></div>")


def flag_groups_table(groups, entries=(), issue_date: date | None = None) -> None:
    """The flag groups; with none, what that means given the forecasts there are (``entries``, the
    room's): "the three districts agree" only when all three have a forecast, "no disagreement between
    the districts in so far" with two, and "nothing to compare yet" with fewer (a tour read "三地预报一致"
    when only Jiashan had submitted)."""
    if not groups:
        districts = {e.district for e in entries}  # a draft, a submission or the chief's combined entry
        n, total = len(districts), len(DISTRICT_ORDER)
        if n >= total:
            st.success(tr("flag.none"), icon=":material/check_circle:")
        elif n >= 2:
            st.success(tr("flag.none_so_far", names=join(district_name(d) for d in DISTRICT_ORDER if d in districts),
                          n=n, total=total), icon=":material/check_circle:")
        else:
            st.info(tr("flag.nothing_yet", n=n, total=total), icon=":material/hourglass_empty:")
        return
    st.markdown(flag_table_html(groups, issue_date), unsafe_allow_html=True)
    if any(g.severity == "info" for g in groups):
        st.caption(tr("ack14.info_caption"))


def comparison_grid_html(room, prefill: dict, observed: dict, groups, guidance_end: dict) -> str:
    """District rows × target-day columns in AQI colours: each district's range, level, primary and
    state; the guidance (median, 80 % range, P(AQI>100)) beneath; a red/amber top border where the
    cell disagrees with the row above (a flag between neighbours)."""
    session = room.session
    days = session.target_dates
    flagged: dict[tuple[str, object], str] = {}
    rank = {"red": 0, "amber": 1, "info": 2}
    for g in groups:
        if not g.district_b:
            continue
        for m in g.members:
            f = m.flag
            for d in (f.district_a, f.district_b):
                k = (d, f.target_date)
                if k not in flagged or rank[f.severity] < rank[flagged[k]]:
                    flagged[k] = f.severity
    head = "".join(f"<th style='padding:4px'>{esc(lead_label(session.issue_date, d))}</th>" for d in days)
    obs_head = tr("grid14.observed", aqi="")
    rows = []
    for dist in room.districts:
        cells = []
        obs = observed.get(dist)
        for day in days:
            sub = room.submission(dist, day)
            g = prefill.get((dist, day))
            sev = flagged.get((dist, day))
            # dark, and dashed for yellow: a tour could not see the yellow border on yellow and orange cells
            border = SEVERITY_BORDER.get(sev, "1px solid #ddd")
            final = room.final(dist, day)
            changed = final is not None and (sub is None or (final.aqi_lo, final.aqi_hi, tuple(final.primary))
                                             != (sub.aqi_lo, sub.aqi_hi, tuple(sub.primary)))
            if sub is not None:
                colour = level_colour(sub.level_hi)
                state = tr('consult.status.' + sub.status)
                if final is not None and not changed and session.state in ("issued", "superseded"):
                    # published as the district submitted it (a tour read "已提交" on an issued forecast's cell)
                    state = tr("grid14.issued_as_submitted")
                if sub.status == "submitted" and sub.submitted_at and sub.submitted_at > session.consult_deadline:
                    # taken, as the room is still open, but the chief sees it came after the consultation's cut-off
                    state += " · " + tr("consult.late", time=bj(sub.submitted_at, "%H:%M"))
                main = (f"<b>{sub.aqi_lo}–{sub.aqi_hi}</b><br>{span_html(span(sub.level_lo, sub.level_hi))}<br>"
                        f"{esc(ptext(sub.primary))}<br><span style='font-size:0.75em'>{esc(state)}</span>")
                style = f"background:{colour};color:{text_on(sub.level_hi)}"
            else:
                main = f"<span style='color:#777'>{esc(tr('today14.cell_none'))}</span>"
                style = "background:#F7F7F7"
            if changed:
                if session.state in ("issued", "superseded"):
                    # what was published leads, in its level's colour; the district's own value beneath (a
                    # tour read a district's 60–80 in large type over the small "已发布 70–90")
                    own = (f"{esc(tr('grid14.district_value'))} <b>{sub.aqi_lo}–{sub.aqi_hi}</b> {esc(ptext(sub.primary))}"
                           if sub is not None else esc(tr("today14.cell_none")))
                    main = (f"<span style='font-size:0.8em'>{esc(tr('grid14.final_issued'))}</span><br>"
                            f"<b>{final.aqi_lo}–{final.aqi_hi}</b><br>{span_html(span(final.level_lo, final.level_hi))}<br>"
                            f"{esc(ptext(final.primary))}"
                            f"<div style='background:#fff;color:#333;border:1px dashed #777;border-radius:3px;"
                            f"margin-top:3px;padding:1px 3px;font-size:0.8em'>{own}</div>")
                    style = f"background:{level_colour(final.level_hi)};color:{text_on(final.level_hi)}"
                else:
                    # the chief's combined value where it differs from the district's (a tour read the
                    # district's 210–245 in the grid of an issued forecast that said 180–215)
                    main += (f"<div style='background:{level_colour(final.level_hi)};color:{text_on(final.level_hi)};"
                             f"border:1px solid #333;border-radius:3px;margin-top:3px;padding:1px 3px;font-size:0.8em'>"
                             f"{esc(tr('grid14.final'))} <b>{final.aqi_lo}–{final.aqi_hi}</b> {esc(ptext(final.primary))}"
                             f"</div>")
            guide = ""
            if g is not None:
                label = tr("dfc13.outlook_badge") if g.outlook else tr("grid14.guidance")
                bits = [f"{esc(label)} {g.aqi_lo}–{g.aqi_hi}"]
                if g.median is not None:
                    bits.append(f"≈{g.median:.0f}")
                if g.q_lo is not None and g.q_hi is not None:
                    bits.append(esc(tr("grid14.q80", lo=f"{float(g.q_lo):.0f}", hi=f"{float(g.q_hi):.0f}")))
                if g.p_aqi_over_100 is not None:
                    bits.append(esc(probability_over_100(g.p_aqi_over_100)))
                elif g.q_lo is None:  # too little history to calibrate yet (see the district forecast page)
                    bits.append(esc(tr("grid14.no_probability")))
                # an outlook day says so by its label ("展望", the caption says what it is): a fifth piece,
                # "beyond the models", widened the English grid past a 1366 px page
                # each piece on one line ("80% 区间 43–142", never "80% 区间 43–" / "142")
                guide = ("<div style='background:#fff;color:#333;font-size:0.8em;margin-top:3px;padding:1px 3px;"
                         "border-radius:3px'>"
                         # the separator ends the piece before it: no line begins with "·" or holds a lone "·"
                         # (two tours saw both on a phone)
                         + " ".join(f"<span style='white-space:nowrap'>{b}{' ·' if i < len(bits) - 1 else ''}</span>"
                                    for i, b in enumerate(bits)) + "</div>")
            ring = f";{FLAG_RING}" if sev in SEVERITY_BORDER else ""
            cells.append(f"<td style='{style};border:{border}{ring};padding:4px;text-align:center;vertical-align:top;"
                         f"min-width:92px'>{main}{guide}</td>")
        obs_text = "—" if obs is None else f"{obs:.0f}"
        end = guidance_end.get(dist)
        # the note under the name may wrap before its date ("模式指导止于" / "12-11"): on one line it made the
        # grid 859 px wide at 1280 px, where the page has 820 (the district's name itself never breaks)
        when = end.strftime("%m-%d") if end else ""
        note = esc(tr("grid14.guidance_end", day=when)).replace(when, f"<span style='white-space:nowrap'>{when}</span>")
        end_text = (f"<br><span style='font-size:0.72em;font-weight:normal;white-space:normal'>{note}</span>"
                    if end else "")
        # the district stays in view when a phone scrolls the grid to D+5..D+7 (a tour's rows lost their names)
        rows.append(f"<tr><th style='text-align:left;padding:4px;white-space:nowrap;position:sticky;left:0;"
                    f"background:#fff;z-index:1'>{esc(district_name(dist))}"
                    f"{end_text}</th><td style='text-align:center;padding:4px'>{esc(obs_text)}</td>{''.join(cells)}</tr>")
    return (f"<div class='comparison-grid' style='overflow-x:auto'><table style='border-collapse:separate;border-spacing:2px;width:100%;"
            f"font-size:0.85em'><tr><th style='position:sticky;left:0;background:#fff;z-index:1'></th>"
            f"<th style='padding:4px;font-size:0.8em;min-width:4.6em'>{esc(obs_head)}</th>{head}</tr>"
            f"{''.join(rows)}</table></div>")


def _remember(key: str, value) -> None:
    st.session_state[key] = value


def threaded_notes(notes, *, reply_key: str | None = None, limit: int = 60) -> None:
    """Notes as threads (replies indented under their note), plain text, newest thread first.
    With ``reply_key`` each note gets a reply button that stores its id in that session key."""
    if not notes:
        st.caption(tr("consult.notes_empty"))
        return
    ordered = thread_order(notes)
    threads: list[list] = []
    for depth, n in ordered:
        if depth == 0:
            threads.append([])
        threads[-1].append((depth, n))
    shown = 0
    for thread in reversed(threads):
        for depth, n in thread:
            if shown >= limit:
                return
            shown += 1
            pad = min(depth, 4)
            box = st.columns([0.04 * pad, 1])[1] if pad else st
            with box.container(border=True):
                tags = [tr(f"consult.note_kind.{n.kind}")]
                if n.district:
                    tags.append(district_name(n.district))
                if n.target_date:
                    tags.append(n.target_date.strftime("%m-%d"))
                if getattr(n, "mentions", ()):
                    tags.append(" ".join("@" + district_name(m) for m in n.mentions))
                if n.revises_id:
                    tags.append(tr("consult.note_revises", id=n.revises_id))
                if n.revised_by:
                    tags.append(tr("consult.note_revised"))
                st.caption(f"#{n.id} · {n.author_name} · {bj(n.created_at)} · {' · '.join(tags)}")
                note_body(n.body_in(language()))
                if reply_key and n.kind == "note":
                    if st.button(tr("note14.reply"), key=f"{reply_key}_btn_{n.id}", icon=":material/reply:",
                                 type="tertiary"):
                        _remember(reply_key, n.id)
                        st.rerun()  # the whole page (also from a self-refreshing fragment): the form shows the reply


def level_map(levels: dict, lang: str, *, height: int = 360):
    """The three districts coloured by an AQI level (HJ 633 colours; grey = no forecast), with a
    legend of the levels shown. Offline: the bundled outlines, no tiles."""
    data = district_outlines()
    none_label = tr("today14.legend_none")
    features = []
    for f in data["features"]:
        props = dict(f["properties"])
        # the name every table beside it uses ("Qingpu", never "Qingpu District" on the map and "Qingpu" next to it)
        props["label"] = district_name(props.get("adcode")) or (props["name_en"] if lang == "en" else props["name"])
        level = levels.get(props.get("adcode"))
        props["level_text"] = level_info(level=level).category(lang) if level else none_label
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    values = geojson_data({"type": "FeatureCollection", "features": features})  # given once to the layer
    shown = sorted({lv for lv in levels.values() if lv})
    # "无预报" in the legend only when a district has none (a tour read it under three coloured districts)
    missing = [none_label] if any(not levels.get(f["properties"].get("adcode")) for f in data["features"]) else []
    domain = [level_info(level=lv).category(lang) for lv in shown] + missing
    colours = [level_info(level=lv).hex for lv in shown] + ["#D9D9D9"] * len(missing)
    shapes = (alt.Chart().mark_geoshape(stroke="#333", strokeWidth=1)
              .encode(color=alt.Color("properties.level_text:N", scale=alt.Scale(domain=domain, range=colours),
                                      legend=alt.Legend(title=None, orient="bottom")),
                      tooltip=[alt.Tooltip("properties.label:N", title=""),
                               alt.Tooltip("properties.level_text:N", title="")]))
    labels = (alt.Chart()
              .transform_calculate(lon="datum.properties.centroid_lon", lat="datum.properties.centroid_lat")
              .mark_text(fontSize=14, fontWeight="bold", color="black")
              .encode(alt.Longitude("lon:Q"), alt.Latitude("lat:Q"), alt.Text("properties.label:N")))
    return alt.layer(shapes, labels, data=values).project(type="mercator").properties(height=height)


# -- yesterday's observation, shared by every user for a few minutes (public data, never workflow state) --


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _yesterday_checks(database_url: str, issue_date: date) -> list:
    return yesterday_check(get_database(database_url), issue_date)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _yesterday_summary(database_url: str, issue_date: date):
    return yesterday_summary(get_database(database_url), issue_date)


def yesterday_checks(db, issue_date: date) -> list:
    """Yesterday's issued forecast against the observed AQI (cached 10 min: observations and issued
    reports are the same for every user; computing the observed daily AQI takes ~1 s)."""
    return _yesterday_checks(str(db.url), issue_date)


def yesterday_summary_cached(db, issue_date: date):
    return _yesterday_summary(str(db.url), issue_date)
