"""Consultation room (会商室): the districts' forecasts side by side, flags, notes; forecasters
submit for their own district; managers read. The status board refreshes itself; the forms sit
outside it, so what a user is typing survives the refresh."""

import uuid

import pandas as pd
import streamlit as st

from forecasting import consultation as c
from forecasting.aqi import POLLUTANT_LABELS, POLLUTANTS
from forecasting.errors import ForecastingError
from forecasting.verification import yesterday_summary
from ui import consultation as w
from ui import state
from ui.datadesk import arrivals_line
from ui.i18n import error_text, tr

REFRESH_SECONDS = 10
db = state.database()
actor = state.require_actor()

st.title(tr("consult.room_title"))
flash = st.session_state.pop("room_flash", None)
if flash:
    st.success(flash)

issue_date = w.issue_date_picker("room_issue_date")
room = c.room_view(db, actor, issue_date)
arrivals_line(db, issue_date=issue_date)  # data desk (#20): late or missing runs, stale guidance

if room.session is None:
    st.info(tr("consult.no_session", day=issue_date.isoformat()))
    if actor.is_admin or room.seat is not None:
        if st.button(tr("consult.open_session"), key="room_open", icon=":material/add:"):
            try:
                c.open_session(db, actor, issue_date)
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.rerun()
    st.stop()

session = room.session
head = st.columns([3, 2])
with head[0]:
    w.state_badge(session.state)
    st.caption(tr("consult.session_line", day=session.issue_date.isoformat(), revision=session.revision,
                  first=session.target_dates[0].strftime("%m-%d"), last=session.target_dates[-1].strftime("%m-%d"),
                  chief=room.duty.chief_name or "—", deputy=room.duty.deputy_name or "—"))
    if session.amendment_reason:
        st.text(tr("consult.amendment_line", reason=session.amendment_reason))
with head[1]:
    w.deadline_notes(session, room.now)
if session.locked:
    st.info(tr("consult.read_only", state=tr(f"consult.state.{session.state}")), icon=":material/lock:")
elif actor.role != "forecaster":
    st.info(tr("consult.manager_read_only"), icon=":material/visibility:")


@st.fragment(run_every=REFRESH_SECONDS)
def live_board():
    live = c.room_view(db, actor, issue_date)
    if live.session is None:
        return
    st.subheader(tr("consult.live_title"))
    st.dataframe(w.status_table(live), hide_index=True, width="stretch")
    st.markdown(f"**{tr('consult.flags_title')}**")
    w.flags_table(live.flags)
    st.markdown(f"**{tr('consult.submissions_title')}**")
    if live.submissions:
        st.dataframe(w.submissions_table(live), hide_index=True, width="stretch")
    else:
        st.caption(tr("consult.no_submissions"))
    st.markdown(f"**{tr('consult.notes_title')}**")
    w.notes_list(live.notes)
    st.caption(tr("consult.refreshed", time=w.bj(live.now, "%H:%M:%S")))


live_board()

with st.expander(tr("consult.guidance_title"), expanded=False):
    rows = c.guidance_rows(db, issue_date)
    w.guidance_panel(rows, c.yesterday_check(db, issue_date))

with st.expander(tr("room.yesterday_title"), expanded=False):
    summary = yesterday_summary(db, issue_date)
    table = [
        {
            tr("room.y_district"): w.district_name(r.district),
            tr("room.y_source"): tr(f"room.y_source.{r.source}"),
            tr("room.y_forecast"): f"{r.aqi_lo}-{r.aqi_hi}" if r.aqi_lo is not None else "—",
            tr("room.y_observed"): "—" if r.observed_aqi is None else f"{r.observed_aqi:.0f}",
            tr("room.y_hit"): "—" if r.range_hit is None else ("✓" if r.range_hit else "✗"),
        }
        for source in ("issued", "ensemble", "persistence")
        for r in summary.of(source, lead_day=1)
    ]
    if table:
        hits, n = summary.hit_count("issued")
        st.caption(tr("room.y_caption", day=summary.day.isoformat(), hits=hits, n=n))
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    else:
        st.caption(tr("room.y_none", day=summary.day.isoformat()))

# -- the district form (outside the fragment) ---------------------------------------------------------

if room.can_submit:
    district = actor.district
    prefix = f"sub_{issue_date.isoformat()}_{district}_"
    seen_key = prefix + "seen"
    guidance = c.best_guidance(rows or [])
    if seen_key not in st.session_state:  # a fresh load: remember the versions seen and prefill the form
        seen = {}
        last_g = None
        for day in session.target_dates:
            sub = room.submission(district, day)
            # beyond the models' reach, start from the last day with guidance (the forecaster adjusts)
            g = last_g = guidance.get((district, day)) or last_g
            seen[day.isoformat()] = sub.version if sub else 0
            k = prefix + day.isoformat()
            st.session_state[k + "_lo"] = sub.aqi_lo if sub else (g.aqi_lo if g else None)
            st.session_state[k + "_hi"] = sub.aqi_hi if sub else (g.aqi_hi if g else None)
            st.session_state[k + "_primary"] = list(sub.primary) if sub else list(g.primary if g else [])
            st.session_state[k + "_pm25"] = sub.concentrations.get("pm25") if sub else None
            st.session_state[k + "_o3"] = sub.concentrations.get("o3") if sub else None
        first = room.submission(district, session.target_dates[0])
        st.session_state[prefix + "analysis"] = first.analysis if first else ""
        st.session_state[seen_key] = seen

    st.subheader(tr("consult.form_title", district=w.district_name(district)))
    with st.form(prefix + "form", clear_on_submit=False):
        for day in session.target_dates:
            k = prefix + day.isoformat()
            lead = (day - issue_date).days
            cols = st.columns([1.2, 1, 1, 2.4, 1, 1])
            cols[0].markdown(f"**D+{lead}** {day.strftime('%m-%d')}")
            cols[1].number_input(tr("consult.aqi_lo"), min_value=0, max_value=500, step=5, key=k + "_lo")
            cols[2].number_input(tr("consult.aqi_hi"), min_value=0, max_value=500, step=5, key=k + "_hi")
            cols[3].multiselect(tr("consult.primary"), list(POLLUTANTS), key=k + "_primary",
                                format_func=lambda p: POLLUTANT_LABELS[p])
            cols[4].number_input("PM2.5 µg/m³", min_value=0.0, step=1.0, key=k + "_pm25")
            cols[5].number_input("O3 µg/m³", min_value=0.0, step=1.0, key=k + "_o3")
        st.text_area(tr("consult.analysis"), key=prefix + "analysis", height=100)
        b1, b2 = st.columns(2)
        save = b1.form_submit_button(tr("consult.save_draft"), icon=":material/save:")
        submit = b2.form_submit_button(tr("consult.submit"), type="primary", icon=":material/send:")
    if save or submit:
        seen = st.session_state[seen_key]
        entries = []
        for day in session.target_dates:
            k = prefix + day.isoformat()
            conc = {p: st.session_state.get(k + "_" + p) for p in ("pm25", "o3")}
            entries.append(c.SubmissionInput(day, st.session_state[k + "_lo"], st.session_state[k + "_hi"],
                                             tuple(st.session_state[k + "_primary"] or ()),
                                             {p: v for p, v in conc.items() if v is not None},
                                             st.session_state[prefix + "analysis"] or "", seen[day.isoformat()]))
        if any(e.aqi_lo is None or e.aqi_hi is None for e in entries):
            st.error(tr("consult.fill_all_days"))
        else:
            try:
                c.save_submissions(db, actor, issue_date, district, entries, submit=bool(submit))
            except ForecastingError as exc:
                st.error(error_text(exc))  # the typed values stay in the form
                if getattr(exc, "key", None) == "consult.changed_meanwhile":
                    st.session_state["room_conflict"] = True
            else:
                del st.session_state[seen_key]
                st.session_state.pop("room_conflict", None)
                st.session_state["room_flash"] = tr("consult.submitted" if submit else "consult.saved")
                st.rerun()
    if st.session_state.get("room_conflict"):
        if st.button(tr("consult.load_latest"), key=prefix + "reload", icon=":material/refresh:"):
            st.session_state.pop(seen_key, None)
            st.session_state.pop("room_conflict", None)
            st.rerun()

# -- notes (outside the fragment) ---------------------------------------------------------------------

if room.can_note:
    st.subheader(tr("consult.note_form_title"))
    token_key = f"note_token_{issue_date.isoformat()}"
    st.session_state.setdefault(token_key, uuid.uuid4().hex)
    mine = [n for n in room.notes if n.author_id == actor.user_id and n.kind != "acknowledgement"]
    with st.form("note_form", clear_on_submit=False):
        body = st.text_area(tr("consult.note_body"), key="note_body", height=90)
        n1, n2, n3 = st.columns(3)
        note_district = n1.selectbox(tr("consult.note_district"), [None, *room.districts], key="note_district",
                                     format_func=lambda d: tr("consult.any") if d is None else w.district_name(d))
        note_day = n2.selectbox(tr("consult.note_day"), [None, *session.target_dates], key="note_day",
                                format_func=lambda d: tr("consult.any") if d is None else d.strftime("%m-%d"))
        revises = n3.selectbox(tr("consult.note_revises_pick"), [None, *[n.id for n in mine]], key="note_revises",
                               format_func=lambda i: tr("consult.none_new") if i is None else f"#{i}")
        if st.form_submit_button(tr("consult.add_note"), icon=":material/edit_note:"):
            try:
                c.add_note(db, actor, issue_date, body, district=note_district, target_date=note_day,
                           revises_id=revises, client_token=st.session_state[token_key])
            except ForecastingError as exc:
                st.error(error_text(exc))
            else:
                st.session_state[token_key] = uuid.uuid4().hex
                for k in ("note_body", "note_district", "note_day", "note_revises"):
                    st.session_state.pop(k, None)
                st.session_state["room_flash"] = tr("consult.note_added")
                st.rerun()

