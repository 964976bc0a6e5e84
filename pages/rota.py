"""Rota (值班表): the calendar of the cross-district chief seat; admin and today's duty chief edit
future turns, record swaps and substitutions (代班); admin fills a range from the cycle."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from forecasting.textlimits import markdown_escape  # names shown as typed, never as Markdown (#15)

from forecasting import consultation as c
from forecasting.zone import list_districts
from ui import consultation as w
from ui import state
from ui.actions import call_service, show_flash
from ui.i18n import tr, who

#: The date boxes' bounds (Streamlit's default of ±10 years refuses a date with an English message).
DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)

db = state.database()
actor = state.require_actor()

st.title(tr("rota.title"))
show_flash("rota")

today = c.beijing_today()
if "rota_from" not in st.session_state:
    st.session_state["rota_from"] = today - timedelta(days=today.weekday())
    st.session_state["rota_to"] = st.session_state["rota_from"] + timedelta(days=27)
r1, r2 = st.columns(2)
start = r1.date_input(tr("rota.from"), key="rota_from")
end = r2.date_input(tr("rota.to"), key="rota_to")
if end < start:  # "该时段尚无值班安排" said a reversed range had no rota
    st.error(tr("common.dates_reversed", first=start.isoformat(), last=end.isoformat()), icon=":material/event_busy:")

duty_today = c.duty_for(db, today)
st.caption(tr("rota.today_line", day=today.isoformat(), district=w.district_name(duty_today.district) or "—",
              chief=markdown_escape(duty_today.chief_name or "—"), deputy=markdown_escape(duty_today.deputy_name or "—")))
w.rota_notice(db, actor, today, duty_today, ahead=True)  # a day ahead that nobody holds the chief seat


def _person(name: str, substituted: bool) -> str:
    """A name never broken inside (a 1024 px page read "陈/静" in the calendar's narrow cells), its substitution mark
    beside it."""
    mark = f" ({w.esc(tr('rota.sub'))})" if substituted else ""
    return f"<span style='white-space:nowrap'>{w.esc(name)}</span>{mark}"


# calendar: one row per week, one column per weekday; each cell "district · chief / deputy"
days = []
day = start
while day <= end and len(days) < 120:
    days.append(c.duty_for(db, day))
    day += timedelta(days=1)
weeks: dict = {}
for d in days:
    monday = d.day - timedelta(days=d.day.weekday())
    cell = "—"
    if d.chief_id:
        cell = f"{w.esc(w.district_name(d.district))} · {_person(d.chief_name, d.chief_substituted)}"
        if d.deputy_name:
            cell += f" / {_person(d.deputy_name, d.deputy_substituted)}"
    weeks.setdefault(monday, {})[tr(f"weekday.{d.day.weekday()}") + f" {d.day:%m-%d}"] = cell
st.subheader(tr("rota.calendar"))
if weeks:
    # an HTML calendar that wraps inside the page width (a dataframe ran off the right edge) and marks today
    head = "".join(f"<th style='padding:4px;width:13%'>{w.esc(tr(f'weekday.{k}'))}</th>" for k in range(7))
    body = []
    for monday, cells in sorted(weeks.items()):
        tds = []
        for weekday in range(7):
            current = monday + timedelta(days=weekday)
            text = cells.get(tr(f"weekday.{weekday}") + f" {current:%m-%d}", "")
            is_today = current == today
            style = ("background:#FFF3C4;border:2px solid #E65100;" if is_today else "border:1px solid #ddd;")
            mark = f" <b>{w.esc(tr('rota14.today'))}</b>" if is_today else ""
            tds.append(f"<td style='{style}padding:4px;vertical-align:top;word-break:break-word;font-size:0.85em'>"
                       f"<div style='color:#666'>{current:%m-%d}{mark}</div>{text}</td>")  # escaped above
        body.append("<tr>" + "".join(tds) + "</tr>")
    st.markdown("<table style='table-layout:fixed;width:100%;border-collapse:collapse'>"
                f"<tr>{head}</tr>{''.join(body)}</table>", unsafe_allow_html=True)

turns = c.list_turns(db, start, end)
st.subheader(tr("rota.turns"))
if turns:
    st.dataframe(pd.DataFrame([{
        tr("rota.from"): t.start_date.isoformat(),
        tr("rota.to"): t.end_date.isoformat(),
        tr("consult.col_district"): w.district_name(t.district),
        tr("rota.chief"): t.chief_name,
        tr("rota.deputy"): t.deputy_name or "—",
        tr("rota.updated_by"): who(t.updated_by, {t.updated_by: t.updated_by_name} if t.updated_by_name else None),
    } for t in turns]), hide_index=True, placeholder="—", width="stretch")
elif end >= start:
    st.info(tr("rota.empty"))

may_edit = actor.is_admin or (actor.role == "forecaster" and duty_today.chief_id == actor.user_id)

if actor.is_admin:
    with st.form("rota_generate"):
        st.markdown(f"**{tr('rota.generate')}**")
        g1, g2 = st.columns(2)
        # wide bounds: Streamlit's own (±10 years) refuse a date in English; the service limits the span, in words
        g_from = g1.date_input(tr("rota.from"), value=start, key="gen_from", min_value=DATE_MIN, max_value=DATE_MAX)
        g_to = g2.date_input(tr("rota.to"), value=end, key="gen_to", min_value=DATE_MIN, max_value=DATE_MAX)
        if st.form_submit_button(tr("rota.generate_submit"), icon=":material/autorenew:"):
            call_service(c.generate_rota, db, actor, g_from, g_to, flash="rota",
                         success=lambda created: tr("rota.generated", n=len(created)) if created else
                         tr("rota.generated_none", first=g_from, last=g_to))  # never "0 created" without a reason

future = [t for t in turns if t.start_date > today]
if may_edit and future:
    labels = {t.id: f"{t.start_date:%m-%d}–{t.end_date:%m-%d} · {w.district_name(t.district)} · {t.chief_name}"
              for t in future}
    st.subheader(tr("rota.edit"))
    turn_id = st.selectbox(tr("rota.pick_turn"), list(labels), format_func=labels.get, key="edit_turn")
    turn = next(t for t in future if t.id == turn_id)
    people = dict(c.district_forecasters(db, turn.district))
    with st.form("rota_edit"):
        ids = list(people)
        chief = st.selectbox(tr("rota.chief"), ids, index=ids.index(turn.chief_id) if turn.chief_id in ids else 0,
                             format_func=people.get, key=f"edit_chief_{turn.id}")
        deputy = st.selectbox(tr("rota.deputy"), [None, *ids],
                              index=([None, *ids].index(turn.deputy_id) if turn.deputy_id in ids else 0),
                              format_func=lambda i: "—" if i is None else people[i], key=f"edit_deputy_{turn.id}")
        reason = st.text_input(tr("rota.reason"), key="edit_reason")
        if st.form_submit_button(tr("common.save")):
            call_service(c.update_turn, db, actor, turn.id, expected_version=turn.version, chief_id=chief, deputy_id=deputy,
                         reason=reason, flash="rota",
                         success=tr("rota.updated"))
    if len(future) > 1:
        with st.form("rota_swap"):
            st.markdown(f"**{tr('rota.swap')}**")
            a = st.selectbox(tr("rota.turn_a"), list(labels), format_func=labels.get, key="swap_a")
            b = st.selectbox(tr("rota.turn_b"), list(labels), index=1, format_func=labels.get, key="swap_b")
            reason = st.text_input(tr("rota.reason"), key="swap_reason")
            if st.form_submit_button(tr("rota.swap_submit")):
                call_service(c.swap_turns, db, actor, a, b, reason=reason, flash="rota",
                             success=tr("rota.swapped"))

if actor.role == "forecaster" or actor.is_admin:
    with st.expander(tr("rota.substitute")):
        with st.form("rota_sub"):
            s_day = st.date_input(tr("rota.sub_day"), value=today, key="sub_day")
            seat = st.selectbox(tr("rota.seat"), ["chief", "deputy"], format_func=lambda x: tr(f"consult.seat.{x}"),
                                key="sub_seat")
            everyone = {}
            for d in list_districts(db):
                everyone.update(dict(c.district_forecasters(db, d.adcode)))
            substitute_id = st.selectbox(tr("rota.sub_user"), list(everyone), format_func=everyone.get,
                                         key="sub_user", index=None, placeholder=tr("rota.pick_substitute"))
            reason = st.text_input(tr("rota.reason"), key="sub_reason")
            if st.form_submit_button(tr("rota.sub_submit")):
                call_service(c.substitute, db, actor, s_day, seat=seat, user_id=substitute_id, reason=reason,
                             flash="rota", success=tr("rota.substituted"))
