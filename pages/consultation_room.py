"""Consultation room (会商室): the districts' forecasts side by side, flags, notes; forecasters
submit for their own district; managers read. The status board refreshes itself; the forms sit
outside it, so what a user is typing survives the refresh."""

import re
import uuid
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from forecasting import consultation as c
from forecasting.aqi import POLLUTANTS
from forecasting.consultation.config import DISTRICT_ORDER
from forecasting.consultation.notes import MAX_NOTE_CHARS
from forecasting.consultation.prefill import district_prefill, guidance_ends
from forecasting.errors import ForecastingError
from forecasting.textlimits import TEXT_LIMITS
from forecasting.vocab import POLLUTANT_TEXT
from ui import consultation as w
from ui import state
from ui.actions import call_service, set_flash, show_flash
from ui.datadesk import arrivals_line
from ui.i18n import error_text, join, tr

REFRESH_SECONDS = 10
db = state.database()
actor = state.require_actor()

st.title(tr("consult.room_title"))
show_flash("room")
if st.session_state.pop("room_analysis_missing", False):  # submitted without its reasons: say so, once
    st.warning(tr("consult.analysis_missing"), icon=":material/edit_note:")

issue_date = w.issue_date_picker("room_issue_date")
room = c.room_view(db, actor, issue_date)
arrivals_line(db, issue_date=issue_date)  # data desk (#20): late or missing runs, stale guidance
if issue_date >= c.beijing_today() and (room.session is None or not room.session.locked):
    w.rota_notice(db, actor, issue_date, room.duty)  # nobody holds the chief seat: nobody can sign

if room.session is None:
    st.info(tr("consult.no_session", day=issue_date.isoformat()))
    if actor.is_admin or room.seat is not None:
        if st.button(tr("consult.open_session"), key="room_open", icon=":material/add:"):
            call_service(c.open_session, db, actor, issue_date, flash="room")
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
    w.deadline_notes(session, room.now)  # warnings and misses; the countdown is on the live board
if session.locked:
    st.info(tr("consult.read_only", state=tr(f"consult.state.{session.state}")), icon=":material/lock:")
elif actor.role != "forecaster":
    st.info(tr("consult.manager_read_only"), icon=":material/visibility:")


cfg = c.consultation_config()
guidance_rows = c.guidance_rows(db, issue_date) or []
prefill = {}
guidance_end = {}
for d in room.districts:
    for p in district_prefill(guidance_rows, session.target_dates, d, config=cfg):
        prefill[(d, p.target_date)] = p
    guidance_end[d] = guidance_ends(guidance_rows, d)
checks = w.yesterday_checks(db, issue_date)
observed = {v.district: v.observed_aqi for v in checks}
# the forecast issued before this one: today's D+1 was its D+2 (keep in line with it, or change it on purpose)
standing = c.standing_forecast(db, issue_date)


@st.fragment(run_every=REFRESH_SECONDS)
def live_board():
    live = c.room_view(db, actor, issue_date)
    if live.session is None:
        return
    w.deadline_strip(live.session, live.now, alerts=False)  # the alert is above, once (it showed twice)
    st.subheader(tr("grid14.title"))
    groups = c.group_flags(live.flags, order=cfg.order)
    st.markdown(w.comparison_grid_html(live, prefill, observed, groups, guidance_end), unsafe_allow_html=True)
    st.caption(tr("grid14.caption"))
    st.markdown(f"**{tr('consult.flags_title')}**")
    w.flag_groups_table(groups, live.entries, issue_date)
    st.caption(tr("consult.refreshed", time=w.bj(live.now, "%H:%M:%S")))


live_board()

# -- a cell: that district-day's analysis and discussion --------------------------------------------------

with st.expander(tr("grid14.open_cell"), expanded=False):
    pick = st.columns(2)
    own = list(room.districts).index(actor.district) if actor.district in room.districts else 0
    cell_d = pick[0].selectbox(tr("consult.col_district"), list(room.districts), format_func=w.district_name,
                               key="cell_district", index=own)  # a forecaster's own district first (notes to them)
    cell_day = pick[1].selectbox(tr("consult.col_day"), list(session.target_dates), key="cell_day",
                                 format_func=lambda d: w.lead_label(issue_date, d))
    sub = room.submission(cell_d, cell_day)
    st.markdown(f"**{tr('grid14.analysis_of', district=w.district_name(cell_d))}**")
    st.text(sub.analysis if sub and sub.analysis else tr("grid14.no_analysis"))
    st.markdown(f"**{tr('grid14.cell_notes')}**")
    w.threaded_notes([n for n in room.notes if (n.district == cell_d and (n.target_date in (None, cell_day)))
                      or cell_d in getattr(n, "mentions", ())])

with st.expander(tr("room.yesterday_title"), expanded=False):
    summary = w.yesterday_summary_cached(db, issue_date)
    table = [
        {
            tr("room.y_district"): w.district_name(r.district),
            tr("room.y_source"): tr(f"room.y_source.{r.source}"),
            tr("room.y_forecast"): f"{r.aqi_lo}–{r.aqi_hi}" if r.aqi_lo is not None else "—",
            tr("room.y_observed"): "—" if r.observed_aqi is None else f"{r.observed_aqi:.0f}",
            tr("room.y_hit"): "—" if r.range_hit is None else ("✓" if r.range_hit else "✗"),
        }
        for source in ("issued", "ensemble", "persistence")
        for r in sorted(summary.of(source, lead_day=1), key=lambda r: DISTRICT_ORDER.index(r.district)
                        if r.district in DISTRICT_ORDER else 9)
    ]
    if table:
        hits, n = summary.hit_count("issued")
        st.caption(tr("room.y_caption", day=summary.day.isoformat(), hits=hits, n=n))
        st.dataframe(pd.DataFrame(table), hide_index=True, placeholder="—", width="stretch")
    else:
        st.caption(tr("room.y_none", day=summary.day.isoformat()))

with st.expander(tr("consult.guidance_title"), expanded=False):
    w.guidance_panel(guidance_rows)

# -- the district form: a whole row of days, the level chip and the rule live ------------------------------

LABELS = POLLUTANT_TEXT  # pollutants as people write them (forecasting.vocab)


#: Seven days side by side leave each primary-pollutant box about 120 px: Streamlit shrank its tags to "P…"
#: (PM2.5 or PM10?). The tags keep their full text, the "clear all" button (each tag has its own ×) and
#: the fade at the end go, and the typing field takes only the room that is left (an empty box keeps its
#: placeholder). CSS only.
_READABLE_TAGS = ("<style>"
                  '[data-testid="stMultiSelect"] button[aria-label="Clear all"]{display:none}'
                  '[data-testid="stMultiSelectTagsContainer"]:has([data-tag]){overflow:visible;mask-image:none;'
                  "-webkit-mask-image:none;flex:0 1 auto;min-width:0}"
                  '[data-testid="stMultiSelectTagsContainer"] > span[role="group"]{flex-wrap:wrap}'
                  '[data-testid="stMultiSelectTagsContainer"] [data-tag]{flex-shrink:0;max-width:none;'
                  "padding-left:0.3rem;padding-right:0.2rem}"
                  '[data-testid="stMultiSelectTagsContainer"] [data-tag] > span{max-width:none;overflow:visible;'
                  "text-overflow:clip}"
                  '[data-testid="stMultiSelect"]:has([data-tag]) input[role="combobox"]{min-width:0;width:0;flex:1 1 0}'
                  # a box that may be empty gets a clear button, which left "10(" of 100 in a day's narrow
                  # column: deleting the number empties the box as well
                  '[data-testid="stNumberInputClearButton"]{display:none}'
                  "</style>")


def _saved_key(views, seen: dict, submit: bool) -> str:
    """What a save did, in words: "草稿已保存" only when a draft was saved (a tour saved a submitted forecast
    unchanged and read "草稿已保存", as if it had gone back to draft)."""
    if submit:
        return "consult.submitted"
    if all(v.version == seen.get(v.target_date.isoformat()) for v in views):
        return "consult.saved_unchanged"
    return "consult.saved_still_submitted" if any(v.status == "submitted" for v in views) else "consult.saved"


def _split_range(kept_key: str, day_key: str, end: str) -> None:
    """A box's ``on_change``: a range typed whole in one box ("80-100", full-width "８０～１００", "80至100", as
    forecasters write a range) puts its ends in both boxes; then the change is kept (:func:`state.keep_widget`).
    Anything else stays as typed, for the rules to judge."""
    typed = w.typed(st.session_state.get(day_key + end))
    m = RANGE_TYPED.fullmatch(typed) if isinstance(typed, str) else None
    if m:
        st.session_state[day_key + "_lo"], st.session_state[day_key + "_hi"] = m["lo"], m["hi"]
        state.keep_widget(kept_key, day_key + ("_hi" if end == "_lo" else "_lo"))
    state.keep_widget(kept_key, day_key + end)


def _take_standing(kept_key: str, boxes: dict[str, tuple[int, int]]) -> None:
    """The "fill in what was issued" button's ``on_click``: the issued range into both AQI boxes of every day it
    covers (``boxes``: day key -> range), kept at once as typed values are; the other boxes stay as they are."""
    for day_key, (lo, hi) in boxes.items():
        for end, value in (("_lo", lo), ("_hi", hi)):
            st.session_state[day_key + end] = str(value)
            state.keep_widget(kept_key, day_key + end)


#: a range as forecasters type it in one box (after NFKC: full-width digits and "～" are plain)
RANGE_TYPED = re.compile(r"(?P<lo>\d{1,3})\s*(?:-|–|—|~|至|到)\s*(?P<hi>\d{1,3})")


def _whole(value) -> int | None:
    """A box's whole number (full-width digits too), or ``None`` (empty, or not a whole number)."""
    text = w.typed(value)
    try:
        return int(text) if text is not None else None
    except (TypeError, ValueError):
        return None


def _chip(lo, hi) -> tuple[str, str | None]:
    """The live level chip and the width rule of one day (``None`` error when it passes)."""
    if lo is None or hi is None:
        return "", None
    try:
        above_50 = float(lo) > 50
    except ValueError:
        above_50 = False  # refused below as not a whole AQI
    try:
        checked = c.check_forecast(lo, hi, ["pm25"] if above_50 else [], config=cfg)
    except ForecastingError as exc:
        return "", error_text(exc)
    width, limit = checked.aqi_hi - checked.aqi_lo, cfg.max_width(checked.centre)
    colour = w.level_colour(checked.level_hi)
    # one block, so a chip of two lines ("Good to Lightly / Polluted" in a 1366 px column) is one rounded box
    chip = (f"<span style='background:{colour};color:{w.text_on(checked.level_hi)};padding:1px 6px;"
            "border-radius:8px;display:inline-block;max-width:100%'>"
            # a span breaks only between its ends ("良至" / "轻度污染"; it read "良至轻度污" / "染" at 1280 px)
            f"{w.span_html(w.span(checked.level_lo, checked.level_hi))}</span><br>"
            # the width on its own line whatever the chip's length: beside a short chip ("良") it stood on the
            # chip's line (a 1366 px tour)
            f"<span style='font-size:0.8em;white-space:nowrap'>{w.esc(tr('grid14.width_ok', w=width, max=limit))}</span>")
    return chip, None


if room.can_submit:
    district = actor.district
    prefix = f"sub_{issue_date.isoformat()}_{district}_"
    seen_key = prefix + "seen"
    errors_key = prefix + "errors"
    kept_key = prefix + "kept"
    form_keys = [prefix + d.isoformat() + field for d in session.target_dates
                 for field in ("_lo", "_hi", "_primary", "_pm25", "_o3")] + [prefix + "analysis"]

    def kept(key: str) -> dict:
        """A change is kept as it arrives, even in the run that switches to another page (its value reaches the
        server with the switch, and no run of this page follows to keep it)."""
        return {"on_change": state.keep_widget, "args": (kept_key, key)}

    if seen_key in st.session_state:  # back from another page: the form as it was left (Streamlit emptied it)
        state.restore_widgets(kept_key)
    else:  # a fresh load: remember the versions seen and prefill the form
        seen = {}
        for day in session.target_dates:
            sub = room.submission(district, day)
            g = prefill.get((district, day))
            seen[day.isoformat()] = sub.version if sub else 0
            k = prefix + day.isoformat()
            st.session_state[k + "_lo"] = w.box_text(sub.aqi_lo if sub else (g.aqi_lo if g else None))
            st.session_state[k + "_hi"] = w.box_text(sub.aqi_hi if sub else (g.aqi_hi if g else None))
            st.session_state[k + "_primary"] = list(sub.primary) if sub else list(g.primary if g else [])
            st.session_state[k + "_pm25"] = w.box_text(sub.concentrations.get("pm25") if sub else None)
            st.session_state[k + "_o3"] = w.box_text(sub.concentrations.get("o3") if sub else None)
        first = room.submission(district, session.target_dates[0])
        st.session_state[prefix + "analysis"] = first.analysis if first else ""
        st.session_state[seen_key] = seen
        st.session_state.pop(errors_key, None)

    # The choice boxes and the analysis box show the server's value on every run. After a forecaster left two
    # AQI boxes quickly on a loaded server (a run cut short by the next), these boxes came back empty while
    # the AQI boxes kept their values, and the next click sent them empty: a submit was refused for want of
    # the primary pollutants the draft had (a CI run; 6 of 22 runs of the browser test beside a busy core,
    # 0 of 10 after this). A value set here travels with the box; it is what the user chose: nothing is lost.
    for key in [prefix + d.isoformat() + "_primary" for d in session.target_dates] + [prefix + "analysis"]:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]

    def day_values(k: str) -> tuple:
        """What a day's inputs hold now (a saving error stands only while they hold what was refused)."""
        return (st.session_state.get(k + "_lo"), st.session_state.get(k + "_hi"),
                tuple(st.session_state.get(k + "_primary") or ()), st.session_state.get(k + "_pm25"),
                st.session_state.get(k + "_o3"))

    st.subheader(tr("consult.form_title", district=w.district_name(district)))
    a, b = cfg.widths[0][1], cfg.widths[-1][1]
    rule = tr("grid14.rule", a=a, b=b)
    beyond = [(day - issue_date).days for day in session.target_dates
              if (g := prefill.get((district, day))) is not None and not g.from_models]
    if beyond:  # the outlook days once, above the form, instead of a third line under each
        days = (tr("dfc.lead", n=beyond[0]) if len(beyond) == 1
                else tr("consult.lead_span", a=beyond[0], b=beyond[-1]))
        rule += tr("grid14.outlook_days", days=days)
    st.caption(rule)
    # Today's D+1 was yesterday's D+2: a forecaster who keeps the issued ranges and changes a day or two on
    # purpose had to type them over the guidance the boxes are prefilled with, day by day
    issued = {prefix + day.isoformat(): standing.ranges[(district, day)] for day in session.target_dates
              if (district, day) in standing.ranges}
    if issued:
        said_day = (tr("grid14.take_yesterday") if standing.issue_date == issue_date - timedelta(days=1)
                    else tr("grid14.take_on", day=standing.issue_date.strftime("%m-%d")))
        st.button(said_day, key=prefix + "take_standing", icon=":material/content_copy:", on_click=_take_standing,
                  args=(kept_key, issued), help=tr("grid14.take_help"))
    # a day's error from the last save goes once its values change (a tour corrected 40-70 to 40-60 and still
    # read "AQI 范围 40-70 过宽" and "未保存任何一天……请先修改：第 1 天" under the valid range); the live check below
    # still says what is wrong with the new values
    errors = {d: e for d, e in st.session_state.get(errors_key, {}).items()
              if e["values"] == day_values(prefix + d)}
    if errors_key in st.session_state:
        st.session_state[errors_key] = errors
    st.html(_READABLE_TAGS)
    cols = w.day_columns(len(session.target_dates), key=prefix + "day_columns")
    for col, day in zip(cols, session.target_dates):
        k = prefix + day.isoformat()
        with col:
            st.markdown(f"**{w.lead_label(issue_date, day, with_date=False)}** {day.strftime('%m-%d')}")
            g = prefill.get((district, day))
            if g is not None:
                # "尚无概率" where the guidance has none yet (a short record), as the grid says: without it the
                # modelled days' captions took one line and the outlook days' two, and their boxes sat lower
                extra = (f" · {w.probability_over_100(g.p_aqi_over_100)}" if g.p_aqi_over_100 is not None
                         else f" · {tr('grid14.no_probability')}")
                label = tr("dfc13.outlook_badge") if g.outlook else tr("grid14.guidance")
                # an outlook day says so by its label ("展望"; the rule line above says why): a third line
                # ("超出模式时效") put its boxes lower than the modelled days' in the same row (a 1366 px tour)
                st.caption(f"{label} {g.aqi_lo}–{g.aqi_hi}{extra}")
            # text boxes, read by the rules: a cleared box is empty ("fill in"), not 0 (a tour saw "AQI 范围 60-0
            # 无效"); a typed -10 is refused in words (a number box with min_value kept the last valid value behind
            # it and said so in English); a typed "9e" or "50.5" is refused by name (a number box handed the page
            # None for it, read as empty, or rounded it); full-width digits from an input method are digits
            # a range typed whole in either box ("80-100", "80～100", "80至100") fills both
            for end, label in (("_lo", tr("consult.aqi_lo")), ("_hi", tr("consult.aqi_hi"))):
                st.text_input(label, key=k + end, placeholder="0–500", on_change=_split_range,
                              args=(kept_key, k, end))
            st.multiselect(tr("consult.primary"), list(POLLUTANTS), key=k + "_primary", **kept(k + "_primary"),
                           format_func=lambda p: LABELS.get(p, p), placeholder=tr("grid14.choose"),
                           select_all=False)  # Streamlit's "Select all" is English only, and no day has six primaries
            st.text_input("PM2.5 µg/m³", key=k + "_pm25", placeholder=tr("grid14.optional"), **kept(k + "_pm25"))
            st.text_input("O₃ µg/m³", key=k + "_o3", placeholder=tr("grid14.optional"), **kept(k + "_o3"))
            # what varies in height from day to day comes last, under every box, so the boxes stay in line across
            # the days: a two-level chip in English ("Good to Lightly Polluted") takes two lines in a 1366 px
            # column, "Good" one, and an error or the primaries in words a few more (a tour in both languages)
            chosen = st.session_state.get(k + "_primary") or []
            if len(chosen) > 1:  # a narrow column clips the second chip: the whole choice in words
                st.caption(tr("grid14.chosen", items=join(LABELS.get(p, p) for p in chosen)))
            chip, problem = _chip(w.typed(st.session_state.get(k + "_lo")), w.typed(st.session_state.get(k + "_hi")))
            if chip:
                st.markdown(chip, unsafe_allow_html=True)
            if standing.issue_date is not None:  # under the chip, as what varies: the boxes stay in line
                said = w.standing_text(standing, issue_date, district, day)
                lo, hi = _whole(st.session_state.get(k + "_lo")), _whole(st.session_state.get(k + "_hi"))
                if w.standing_jumps(standing, [(district, day, lo, hi)]):
                    # a jump from the issued forecast is said where it is typed: changed on purpose, with reasons
                    st.markdown(f":orange[{said} · {tr('grid14.standing_jump')}]")
                else:
                    st.caption(said)
            problem = errors.get(day.isoformat(), {}).get("text") or problem
            if problem:
                st.error(problem, icon=":material/error:")
    st.text_area(tr("consult.analysis"), key=prefix + "analysis", height=100, **kept(prefix + "analysis"),
                 help=tr("common.limit_help", n=TEXT_LIMITS["analysis"][0]))
    state.keep_widgets(kept_key, form_keys)
    b1, b2, _ = st.columns([1, 1, 4])
    save = b1.button(tr("consult.save_draft"), icon=":material/save:", key=prefix + "save")
    submit = b2.button(tr("consult.submit"), type="primary", icon=":material/send:", key=prefix + "submit")
    if save or submit:
        seen = st.session_state[seen_key]
        entries, problems = [], {}
        for day in session.target_dates:
            k = prefix + day.isoformat()
            conc = {p: w.typed(st.session_state.get(k + "_" + p)) for p in ("pm25", "o3")}
            conc = {p: v for p, v in conc.items() if v is not None}
            lo, hi = w.typed(st.session_state[k + "_lo"]), w.typed(st.session_state[k + "_hi"])
            primary = tuple(st.session_state[k + "_primary"] or ())
            if lo is None or hi is None:
                problems[day.isoformat()] = {"text": tr("consult.fill_all_days"), "values": day_values(k)}
                continue
            try:
                checked = c.check_forecast(lo, hi, primary, conc, config=cfg)
            except ForecastingError as exc:
                problems[day.isoformat()] = {"text": error_text(exc), "values": day_values(k)}  # next to its day
                continue
            entries.append(c.SubmissionInput(day, checked.aqi_lo, checked.aqi_hi, primary, checked.concentrations,
                                             st.session_state[prefix + "analysis"] or "", seen[day.isoformat()]))
        if problems:
            st.session_state[errors_key] = problems
            st.rerun()
        try:
            views = c.save_submissions(db, actor, issue_date, district, entries, submit=bool(submit))
        except ForecastingError as exc:
            st.error(error_text(exc))  # the typed values stay in the form
            if getattr(exc, "key", None) == "consult.changed_meanwhile":
                st.session_state["room_conflict"] = True
        else:
            del st.session_state[seen_key]
            st.session_state.pop(errors_key, None)
            st.session_state.pop("room_conflict", None)
            set_flash("room", tr(_saved_key(views, seen, submit)))
            if submit and not (st.session_state[prefix + "analysis"] or "").strip():
                st.session_state["room_analysis_missing"] = True
            st.rerun()
    if errors:
        st.error(tr("grid14.errors_title") + join(
            w.lead_label(issue_date, date.fromisoformat(d)) for d in sorted(errors)), icon=":material/error:")
    if st.session_state.get("room_conflict"):
        if st.button(tr("consult.load_latest"), key=prefix + "reload", icon=":material/refresh:"):
            st.session_state.pop(seen_key, None)
            st.session_state.pop("room_conflict", None)
            st.rerun()

# -- discussion: threads, replies, @mentions, a cell; the boxes clear after a save ------------------------

st.subheader(tr("note14.discussion"))
reply_key = f"room_reply_{issue_date.isoformat()}"
if room.can_note:
    n_key = f"note_form_n_{issue_date.isoformat()}"
    n = st.session_state.setdefault(n_key, 0)
    token_key = f"note_token_{issue_date.isoformat()}_{n}"
    st.session_state.setdefault(token_key, uuid.uuid4().hex)  # a fresh token per form (double click = one note)
    parent_id = st.session_state.get(reply_key)
    parent = next((x for x in room.notes if x.id == parent_id), None)
    st.markdown(f"**{tr('consult.note_form_title')}**")
    if parent is not None:
        r1, r2 = st.columns([4, 1])
        r1.info(tr("note14.reply_to", id=parent.id, author=parent.author_name), icon=":material/reply:")
        if r2.button(tr("note14.cancel_reply"), key=f"cancel_reply_{n}"):
            st.session_state.pop(reply_key, None)
            st.rerun()
    with st.form(f"note_form_{n}", clear_on_submit=False):
        body = st.text_area(tr("consult.note_body"), key=f"note_body_{n}", height=90,
                            help=tr("note14.mention_help") + tr("common.clause_sep") + tr("common.limit_help", n=MAX_NOTE_CHARS),
                            placeholder=tr("note14.mention_help"))
        n1, n2 = st.columns(2)
        note_district = n1.selectbox(tr("consult.note_district"), [None, *room.districts], key=f"note_district_{n}",
                                     format_func=lambda d: tr("consult.any") if d is None else w.district_name(d))
        note_day = n2.selectbox(tr("consult.note_day"), [None, *session.target_dates], key=f"note_day_{n}",
                                format_func=lambda d: tr("consult.any") if d is None else w.lead_label(issue_date, d))
        if st.form_submit_button(tr("consult.add_note"), icon=":material/edit_note:"):
            def fresh_widgets(_):  # new, empty widgets and a new token
                st.session_state[n_key] = n + 1
                st.session_state.pop(reply_key, None)

            call_service(c.add_note, db, actor, issue_date, body, district=note_district, target_date=note_day,
                         client_token=st.session_state[token_key], parent_id=parent.id if parent else None,
                         flash="room", then=fresh_widgets, success=tr("consult.note_added"))


@st.fragment(run_every=REFRESH_SECONDS)
def live_notes():
    """The discussion refreshes itself like the board: a note written in another process (or by a
    neighbour) appears without a reload."""
    w.threaded_notes(c.list_notes(db, issue_date), reply_key=reply_key if room.can_note else None)


live_notes()
