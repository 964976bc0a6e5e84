"""Duty chief desk (首席工作台): start the consultation, resolve or acknowledge flags, compose the
combined forecast and the conclusion, sign (password again) and issue. Visible to forecasters;
the services decide who may act (the duty chief, or the deputy when the chief is absent)."""

import hashlib

import pandas as pd
import streamlit as st

from forecasting import consultation as c
from forecasting.reports import issue_with_report
from forecasting.aqi import POLLUTANT_LABELS, POLLUTANTS
from forecasting.errors import ForecastingError
from ui import consultation as w
from ui import state
from ui.datadesk import arrivals_line
from ui.i18n import error_text, tr

db = state.database()
actor = state.require_actor()

st.title(tr("consult.desk_title"))
flash = st.session_state.pop("desk_flash", None)
if flash:
    st.success(flash)

issue_date = w.issue_date_picker("desk_issue_date")
room = c.room_view(db, actor, issue_date)
arrivals_line(db, issue_date=issue_date)  # data desk (#20): late or missing runs, stale guidance
duty = room.duty
st.caption(tr("consult.duty_line", day=issue_date.isoformat(), district=w.district_name(duty.district) or "—",
              chief=duty.chief_name or "—", deputy=duty.deputy_name or "—"))
if room.seat is None:
    st.info(tr("consult.not_on_duty_info"), icon=":material/info:")

if room.session is None:
    st.info(tr("consult.no_session", day=issue_date.isoformat()))
    if room.seat is not None or actor.is_admin:
        if st.button(tr("consult.open_session"), key="desk_open", icon=":material/add:"):
            try:
                c.open_session(db, actor, issue_date)
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.rerun()
    st.stop()

session = room.session
w.state_badge(session.state)
w.deadline_notes(session, room.now)
if session.signed_at:
    seat = tr(f"consult.seat.{session.signed_seat}") if session.signed_seat else ""
    st.text(tr("consult.signed_line", time=w.bj(session.signed_at), seat=seat))
    if session.chief_absent_reason:
        st.text(tr("consult.absent_line", reason=session.chief_absent_reason))
if session.locked:
    st.info(tr("consult.read_only", state=tr(f"consult.state.{session.state}")), icon=":material/lock:")

if session.state == "open" and room.seat is not None:
    if st.button(tr("consult.start"), key="desk_start", type="primary", icon=":material/play_arrow:"):
        try:
            c.start_consultation(db, actor, issue_date, expected_version=session.version)
        except ForecastingError as exc:
            st.error(error_text(exc))
        else:
            st.session_state["desk_flash"] = tr("consult.started")
            st.rerun()

# -- flags ---------------------------------------------------------------------------------------------

st.subheader(tr("consult.flags_title"))
w.flags_table(room.flags)
open_flags = [fs for fs in room.flags if not fs.acknowledged]
if room.can_chair and open_flags:
    with st.form("ack_form"):
        labels = {fs.flag.key: f"{tr('flag.severity.' + fs.flag.severity)} · {fs.flag.target_date:%m-%d} · "
                                f"{w.district_name(fs.flag.district_a)}"
                                f"{' / ' + w.district_name(fs.flag.district_b) if fs.flag.district_b else ''} · "
                                f"{tr('flag.kind.' + fs.flag.kind)}" for fs in open_flags}
        key = st.selectbox(tr("flag.pick"), list(labels), format_func=labels.get, key="ack_flag")
        note = st.text_input(tr("flag.ack_note"), key="ack_note")
        if st.form_submit_button(tr("flag.acknowledge"), icon=":material/done:"):
            try:
                c.acknowledge_flag(db, actor, issue_date, key, note=note)
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.session_state.pop("ack_note", None)
                st.session_state["desk_flash"] = tr("flag.acknowledged_ok")
                st.rerun()

# -- combined forecast -----------------------------------------------------------------------------------

st.subheader(tr("consult.final_title"))
entries = {(e.district, e.target_date): e for e in room.entries}
final_rows = []
for d in room.districts:
    for day in session.target_dates:
        e = entries.get((d, day))
        f = room.final(d, day)
        final_rows.append({
            tr("consult.col_district"): w.district_name(d),
            tr("consult.col_day"): day.strftime("%m-%d"),
            tr("consult.col_aqi"): f"{e.aqi_lo}-{e.aqi_hi}" if e else "—",
            tr("consult.col_level"): w.span(e.level_lo, e.level_hi) if e else "—",
            tr("consult.col_primary"): w.pollutants(e.primary) if e else "—",
            tr("consult.col_source"): tr(f"consult.source.{e.source}") if e else tr("consult.source.missing"),
            tr("consult.col_version"): f.version if f else "",
        })
st.dataframe(pd.DataFrame(final_rows), hide_index=True, width="stretch")
if session.zone_summary:
    st.caption(tr("consult.zone_summary"))
    st.text(session.zone_summary)

if room.can_chair:
    st.markdown(f"**{tr('consult.compose')}**")
    pick = st.columns(2)
    fd = pick[0].selectbox(tr("consult.col_district"), list(room.districts), format_func=w.district_name,
                           key="final_district")
    fday = pick[1].selectbox(tr("consult.col_day"), list(session.target_dates), key="final_day",
                             format_func=lambda d: d.strftime("%m-%d"))
    current = entries.get((fd, fday))
    suffix = f"{fd}_{fday.isoformat()}"
    with st.form("final_form"):
        cols = st.columns(3)
        lo = cols[0].number_input(tr("consult.aqi_lo"), 0, 500, value=current.aqi_lo if current else None, step=5,
                                  key="final_lo_" + suffix)
        hi = cols[1].number_input(tr("consult.aqi_hi"), 0, 500, value=current.aqi_hi if current else None, step=5,
                                  key="final_hi_" + suffix)
        prim = cols[2].multiselect(tr("consult.primary"), list(POLLUTANTS),
                                   default=list(current.primary) if current else [],
                                   format_func=lambda p: POLLUTANT_LABELS[p], key="final_primary_" + suffix)
        summary = st.text_area(tr("consult.zone_summary"), value=session.zone_summary, key="final_summary")
        if st.form_submit_button(tr("consult.save_final"), icon=":material/save:"):
            f = room.final(fd, fday)
            try:
                items = [] if lo is None or hi is None else [
                    c.FinalInput(fd, fday, lo, hi, tuple(prim), f.version if f else 0)]
                c.save_final(db, actor, issue_date, items, zone_summary=summary,
                             expected_session_version=session.version)
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.session_state["desk_flash"] = tr("consult.final_saved")
                st.rerun()
    with st.form("conclusion_form"):
        text = st.text_area(tr("consult.conclusion"), key="conclusion_body")
        if st.form_submit_button(tr("consult.save_conclusion"), icon=":material/gavel:"):
            try:
                c.add_note(db, actor, issue_date, text, kind="conclusion",
                           client_token=hashlib.sha256(f"{session.id}:{text}".encode()).hexdigest())
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.session_state["desk_flash"] = tr("consult.conclusion_saved")
                st.rerun()

conclusions = [n for n in room.notes if n.kind == "conclusion"]
if conclusions:
    st.caption(tr("consult.conclusion"))
    st.text(conclusions[-1].body)

# -- sign and issue (dialogs, opened from session state) --------------------------------------------------


def _close_dialog():
    st.session_state.pop("desk_dialog", None)


@st.dialog(tr("consult.sign_title"), on_dismiss=_close_dialog)
def sign_dialog():
    st.write(tr("consult.sign_explain"))
    password = st.text_input(tr("consult.password"), type="password", key="sign_password",
                             autocomplete="current-password")
    reason = ""
    if room.seat == "deputy":
        reason = st.text_input(tr("consult.absent_reason"), key="sign_absent_reason")
    if st.button(tr("consult.sign_confirm"), type="primary", key="sign_confirm"):
        try:
            c.sign_session(db, actor, issue_date, password=password, expected_version=session.version,
                           chief_absent_reason=reason)
        except ForecastingError as exc:
            st.error(error_text(exc))
        else:
            _close_dialog()
            st.session_state.pop("sign_password", None)
            st.session_state["desk_flash"] = tr("consult.signed_ok")
            st.rerun()


@st.dialog(tr("consult.issue_title"), on_dismiss=_close_dialog)
def issue_dialog():
    st.write(tr("consult.issue_explain"))
    if st.button(tr("consult.issue_confirm"), type="primary", key="issue_confirm"):
        try:
            issued = issue_with_report(db, actor, issue_date)
        except ForecastingError as exc:
            st.error(error_text(exc))
        else:
            _close_dialog()
            st.session_state["desk_flash"] = tr("consult.issued_ok", sha=issued.sha256[:16])
            st.rerun()


if room.seat is not None:
    b1, b2 = st.columns(2)
    if session.state == "consulting" and b1.button(tr("consult.sign"), key="desk_sign", type="primary",
                                                    icon=":material/draw:"):
        st.session_state["desk_dialog"] = "sign"
    if session.state == "signed" and b2.button(tr("consult.issue"), key="desk_issue", type="primary",
                                                icon=":material/publish:"):
        st.session_state["desk_dialog"] = "issue"
    if st.session_state.get("desk_dialog") == "sign" and session.state == "consulting":
        sign_dialog()
    elif st.session_state.get("desk_dialog") == "issue" and session.state == "signed":
        issue_dialog()

# -- issued record and amendments ------------------------------------------------------------------------

issued = c.issued_forecasts(db, issue_date)
if issued:
    st.subheader(tr("consult.issued_title"))
    st.dataframe(pd.DataFrame([{
        tr("consult.col_revision"): i.revision,
        tr("consult.col_time"): w.bj(i.issued_at),
        tr("consult.col_author"): i.issued_by_name,
        "SHA-256": i.sha256,
        tr("consult.col_superseded"): tr("common.yes") if i.superseded else tr("common.no"),
        tr("consult.col_reason"): i.reason,
    } for i in issued]), hide_index=True, width="stretch")
if session.state == "issued" and actor.role == "forecaster":
    with st.form("amend_form"):
        reason = st.text_input(tr("consult.amend_reason"), key="amend_reason")
        if st.form_submit_button(tr("consult.amend"), icon=":material/edit:"):
            try:
                c.amend_session(db, actor, issue_date, reason=reason)
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.session_state["desk_flash"] = tr("consult.amended")
                st.rerun()
