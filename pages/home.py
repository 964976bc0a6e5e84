"""Today (首页): per role, the day's consultation at a glance — who holds the chief seat, both
deadlines with a live countdown, which districts have submitted, the open flags, yesterday's
verification in one line, and the next step as a button. Managers also see the latest issued
forecast and last month's accuracy. The map is coloured by tomorrow's issued (or draft) level; before
today's entries, by the last issued forecast's."""

import json
from datetime import timedelta

import streamlit as st

from forecasting import consultation as c
from forecasting.errors import ForecastingError
from forecasting.verification import annotate, verification_pairs
from ui import consultation as w
from ui import state
from ui.i18n import error_text, signed_in_name, tr
from ui.navigation import PAGES

db = state.database()
actor = state.require_actor()
lang = state.language()
today = c.beijing_today()
cfg = c.consultation_config()

st.title(tr("today14.title"))
st.subheader(tr("home.welcome", name=signed_in_name(actor)))
st.caption(tr("home.role_line", role=tr("role." + actor.role),
              district=f" · {w.district_name(actor.district)}" if actor.district else ""))
room = c.room_view(db, actor, today)
duty = room.duty
if room.seat == "chief":
    st.success(tr("today14.you_chief"), icon=":material/gavel:")
elif room.seat == "deputy":
    st.info(tr("today14.you_deputy"), icon=":material/gavel:")
elif actor.role == "forecaster" and actor.district:
    st.info(tr("today14.you_forecaster", district=w.district_name(actor.district)), icon=":material/edit:")
else:
    st.info(tr("today14.you_manager"), icon=":material/visibility:")
st.caption(f"{today.isoformat()} {tr(f'weekday.{today.weekday()}')} · "
           + tr("today14.duty", chief=duty.chief_name or "—", deputy=duty.deputy_name or "—"))

ROOM, DESK, REPORTS, ROTA = (str(PAGES / "consultation_room.py"), str(PAGES / "chief_desk.py"),
                             str(PAGES / "reports.py"), str(PAGES / "rota.py"))
# a day nobody holds the chief seat: today (everyone), or soon (whoever may fill the rota)
if w.rota_notice(db, actor, today, duty, ahead=True) and (actor.is_admin or room.seat == "chief"):
    st.page_link(ROTA, label=tr("rota.nav"), icon=":material/calendar_month:")


def next_step(room):
    """(label, page) of the actor's next action."""
    session = room.session
    if session is None:
        return (tr("today14.next_open"), DESK) if room.seat else (tr("today14.no_session"), None)
    if session.state == "issued":
        return tr("today14.next_report"), REPORTS
    if actor.role == "forecaster" and actor.district and session.state in ("open", "consulting"):
        missing = [d for d in session.target_dates if (room.submission(actor.district, d) is None
                                                       or room.submission(actor.district, d).status != "submitted")]
        if missing and room.seat is None:
            key = "today14.next_fill" if len(missing) == len(session.target_dates) else "today14.next_fix"
            return tr(key, district=w.district_name(actor.district), n=len(missing)), ROOM
        if missing and room.seat is not None and len(missing) == len(session.target_dates):
            return tr("today14.next_fill", district=w.district_name(actor.district)), ROOM
    if room.seat is None:
        return tr("today14.next_room"), ROOM
    open_groups = [g for g in c.group_flags(room.flags, order=cfg.order) if g.open]
    if session.state == "open":
        return tr("today14.next_start"), DESK
    if session.state == "consulting":
        if any(s != "submitted" for s in room.submitted_districts().values()):
            return tr("today14.next_wait"), DESK
        if open_groups:
            return tr("today14.next_flags", n=len(open_groups)), DESK
        if not (session.zone_summary or any(n.kind == "conclusion" for n in room.notes)):
            return tr("today14.next_compose"), DESK
        return tr("today14.next_sign"), DESK
    if session.state == "signed":
        return tr("today14.next_issue"), DESK
    return tr("today14.next_room"), ROOM


label, page = next_step(room)
with st.container(border=True):
    st.markdown(f"**{tr('today14.next')}**")
    if page:
        st.page_link(page, label=label, icon=":material/arrow_forward:")
    else:
        st.caption(label)
    # the duty chief filling their own district's forecast still has the consultation to start
    if room.seat is not None and room.session is not None and room.session.state == "open" \
            and label != tr("today14.next_start"):
        st.page_link(DESK, label=tr("today14.next_start"), icon=":material/arrow_forward:")

if actor.role in ("manager", "admin"):
    try:
        dates = [d for d in c.latest_issue_dates(db, limit=10) if c.issued_forecasts(db, d)]
    except ForecastingError as exc:
        st.error(error_text(exc))
        dates = []
    if dates:
        latest = c.issued_forecasts(db, dates[0])[-1]
        snap = json.loads(latest.snapshot)
        headline = (snap.get("zone_summary") or snap.get("conclusion") or "").strip().splitlines()
        st.text(tr("today14.manager_latest", day=dates[0].isoformat(), revision=latest.revision,
                   headline=headline[0][:200] if headline else "—"))  # user text: plain
    else:
        st.caption(tr("today14.manager_none"))
    try:
        last = today.replace(day=1) - timedelta(days=1)
        pairs = annotate(verification_pairs(db, last.replace(day=1), last, sources=("issued",)))
        pairs = pairs[(pairs["lead_day"] == 1) & pairs["range_hit"].notna()] if len(pairs) else pairs
        if len(pairs):
            hits, n = int(pairs["range_hit"].astype(bool).sum()), len(pairs)
            st.caption(tr("today14.manager_month", hits=hits, n=n, rate=f"{100 * hits / n:.0f}%",
                          month=f"{last.year}-{last.month:02d}"))
    except ForecastingError as exc:
        st.caption(error_text(exc))
    st.divider()

# the board beside the map while it has room for seven days (at 1024 px the status table was cut after the
# fifth and the countdown broke inside "小时"); below it on a narrower page
left, right = w.columns_that_wrap([3, 2], key="today_board", min_rem=(29, 16))
with left:
    if room.session is None:
        st.info(tr("today14.no_session"), icon=":material/info:")
    else:
        @st.fragment(run_every=30)
        def board():
            live = c.room_view(db, actor, today)
            if live.session is None:
                return
            w.state_badge(live.session.state)
            w.deadline_strip(live.session, live.now)
            st.markdown(f"**{tr('today14.strip_title')}**")
            st.markdown(w.status_strip_html(live), unsafe_allow_html=True)
            groups = [g for g in c.group_flags(live.flags, order=cfg.order) if g.open]
            if groups:
                st.warning(tr("today14.open_flags", n=len(groups)), icon=":material/flag:")
                for g in groups[:5]:
                    st.text("• " + w.group_label(g, live.session.issue_date))
                if len(groups) > 5:  # the count above says 6: the list says where the sixth went
                    st.caption(tr("today14.more_flags", n=len(groups) - 5))
            else:
                st.caption(tr("today14.no_open_flags"))

        board()
    checks = [v for v in w.yesterday_checks(db, today) if v.hit is not None]
    if checks:
        st.caption(tr("today14.yesterday", hits=sum(v.hit for v in checks), n=len(checks),
                      day=(today - timedelta(days=1)).isoformat()))
    else:
        st.caption(tr("today14.yesterday_none", day=(today - timedelta(days=1)).isoformat()))

with right:
    st.markdown(f"#### {tr('today14.map_title')}")
    tomorrow = today + timedelta(days=1)
    levels, caption, earlier = {}, "today14.map_caption_none", None

    def issued_levels(view) -> dict[str, int]:
        """Tomorrow's level (the range's upper end) per district in an issued forecast's snapshot."""
        return {d["adcode"]: day["level_hi"] for d in json.loads(view.snapshot).get("districts", [])
                for day in d.get("days", []) if day["target_date"] == tomorrow.isoformat()}

    issued = c.issued_forecasts(db, today) if room.session is not None else []
    if issued:
        levels, caption = issued_levels(issued[-1]), "today14.map_caption_issued"
    elif room.session is not None:
        for e in room.entries:
            if e.target_date == tomorrow:
                levels[e.district] = e.level_hi
        caption = "today14.map_caption_draft" if levels else caption
    if not levels:  # before today's drafts: the forecast that stands, the last one issued (yesterday's D+2)
        earlier = c.latest_issued_before(db, today)
        levels = issued_levels(earlier) if earlier is not None else {}
        caption = "today14.map_caption_earlier" if levels else caption
    st.altair_chart(w.level_map(levels, lang), width="stretch")
    st.caption(tr(caption, date=earlier.issue_date.isoformat() if earlier is not None else ""))

