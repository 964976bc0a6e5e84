"""Widgets shared by the consultation pages (room, chief desk, rota). Text typed by users is
always shown as plain text (``st.text``/dataframes), never as markdown or HTML."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from forecasting.aqi import POLLUTANT_LABELS
from forecasting.consultation import BEIJING, beijing_today, span_text
from ui.i18n import tr
from ui.state import language

WARN_BEFORE = timedelta(minutes=60)
SEVERITY_COLOURS = {"red": "#FF0000", "amber": "#FFBF00"}


def bj(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(BEIJING).strftime(fmt) if moment else ""


def district_name(adcode: str | None) -> str:
    return tr(f"district.{adcode}") if adcode else ""


def pollutants(primary) -> str:
    return "、".join(POLLUTANT_LABELS.get(p, p) for p in primary) if primary else tr("common.none")


def span(level_lo: int, level_hi: int) -> str:
    return span_text(level_lo, level_hi, language())


def issue_date_picker(key: str) -> date:
    """The issue date (Beijing), remembered per page."""
    if key not in st.session_state:
        st.session_state[key] = beijing_today()
    return st.date_input(tr("consult.issue_date"), key=key)


def state_badge(state: str) -> None:
    colours = {"open": "blue", "consulting": "orange", "signed": "violet", "issued": "green", "superseded": "gray"}
    st.badge(tr(f"consult.state.{state}"), color=colours.get(state, "gray"))


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
            tr("consult.col_aqi"): f"{s.aqi_lo}-{s.aqi_hi}",
            tr("consult.col_level"): span(s.level_lo, s.level_hi),
            tr("consult.col_primary"): pollutants(s.primary),
            tr("consult.col_status"): tr(f"consult.status.{s.status}"),
            tr("consult.col_version"): s.version,
            tr("consult.col_author"): s.author_name,
            tr("consult.col_time"): bj(s.updated_at),
        })
    return pd.DataFrame(rows)


def flags_frame(flags) -> pd.DataFrame:
    rows = []
    for fs in flags:
        f = fs.flag
        pair = district_name(f.district_a) + (f" / {district_name(f.district_b)}" if f.district_b else "")
        rows.append({
            tr("flag.col_severity"): tr(f"flag.severity.{f.severity}"),
            tr("flag.col_day"): f.target_date.strftime("%m-%d"),
            tr("flag.col_pair"): pair,
            tr("flag.col_kind"): tr(f"flag.kind.{f.kind}"),
            tr("flag.col_state"): (tr("flag.acknowledged", by=fs.by) if fs.acknowledged else tr("flag.open")),
            tr("flag.col_note"): fs.note,
        })
    return pd.DataFrame(rows)


def flags_table(flags) -> None:
    if not flags:
        st.success(tr("flag.none"), icon=":material/check_circle:")
        return
    frame = flags_frame(flags)
    sev = tr("flag.col_severity")
    colours = {tr(f"flag.severity.{k}"): v for k, v in SEVERITY_COLOURS.items()}
    styled = frame.style.map(lambda v: f"background-color: {colours.get(v, '')}; color: #000" if v in colours else "",
                             subset=[sev])
    st.dataframe(styled, hide_index=True, width="stretch", key=None)


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
            st.text(n.body)


_METHOD_ORDER = {"ensemble": 0, "corrected": 1, "raw": 2}


def method_label(method: str) -> str:
    """"ensemble:ensemble" → 订正集合 (建议), "corrected:CAMS" → 订正 · CAMS, "raw:CAMS" → 原始模式 · CAMS."""
    kind, _, model = method.partition(":")
    name = tr("guid.suggested") if kind == "ensemble" else tr(f"method.{kind}")
    return f"{name} · {model}" if model and model != kind else name


def guidance_panel(rows, checks) -> None:
    """Objective guidance (the suggested ensemble first) and yesterday's issued forecast against the observation."""
    if rows is None:
        st.info(tr("consult.no_guidance"), icon=":material/info:")
    elif not rows:
        st.info(tr("consult.no_guidance"), icon=":material/info:")
    else:
        rows = sorted(rows, key=lambda r: (r.district, r.target_date,
                                           _METHOD_ORDER.get(r.method.partition(":")[0], 3), r.method))
        st.dataframe(pd.DataFrame([{
            tr("consult.col_district"): district_name(r.district),
            tr("consult.col_day"): r.target_date.strftime("%m-%d"),
            tr("consult.col_method"): method_label(r.method),
            tr("consult.col_aqi"): f"{r.aqi_lo}-{r.aqi_hi}" if r.aqi_lo is not None else "NA",
            tr("consult.col_level"): span(r.level_lo, r.level_hi) if r.level_lo else "NA",
            tr("consult.col_primary"): pollutants(r.primary),
            tr("consult.col_centre"): r.centre,
        } for r in rows]), hide_index=True, width="stretch")
    st.caption(tr("consult.yesterday"))
    st.dataframe(pd.DataFrame([{
        tr("consult.col_district"): district_name(v.district),
        tr("consult.col_day"): v.day.strftime("%m-%d"),
        tr("consult.col_issued"): f"{v.issued_lo}-{v.issued_hi}" if v.issued_lo is not None else "—",
        tr("consult.col_observed"): "—" if v.observed_aqi is None else f"{v.observed_aqi:.0f}",
        tr("consult.col_hit"): {True: "✓", False: "✗", None: "—"}[v.hit],
    } for v in checks]), hide_index=True, width="stretch")
