"""Duty chief desk (首席工作台): start the consultation, resolve or acknowledge flags, compose the
combined forecast and the conclusion, sign (password again) and issue. Visible to forecasters;
the services decide who may act (the duty chief, or the deputy when the chief is absent)."""

import uuid
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from forecasting import consultation as c
from forecasting.aqi import POLLUTANTS, level_of
from forecasting.consultation.acknowledgements import MAX_ACK_CHARS
from forecasting.consultation.notes import MAX_NOTE_CHARS
from forecasting.consultation.prefill import combined_prefill
from forecasting.errors import ForecastingError
from forecasting.reports import issue_with_report, report_file
from forecasting.textlimits import TEXT_LIMITS, markdown_escape  # names shown as typed, never as Markdown (#15)
from forecasting.vocab import POLLUTANT_TEXT
from ui import consultation as w
from ui import state
from ui.actions import call_service, show_flash
from ui.datadesk import arrivals_line
from ui.i18n import error_text, join, tr
from ui.navigation import PAGES

db = state.database()
actor = state.require_actor()
LABELS = POLLUTANT_TEXT  # pollutants as people write them (forecasting.vocab)
_ALIASES = {**{v.lower(): k for k, v in LABELS.items()}, **{k: k for k in POLLUTANTS}, "o3": "o3", "no2": "no2",
            "so2": "so2", "pm2.5": "pm25", "pm₂.₅": "pm25"}


def parse_primary(text) -> tuple[tuple[str, ...], str]:
    """"PM2.5, O₃" → ("pm25", "o3"); the unknown part (or "") for the error message."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return (), ""
    out = []
    for part in str(text).replace("，", ",").replace("、", ",").replace("/", ",").split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part not in _ALIASES:
            return (), str(text).strip()  # as the chief typed it (the tour saw "pm3" lower-cased)
        out.append(_ALIASES[part])
    return tuple(dict.fromkeys(out)), ""


st.title(tr("consult.desk_title"))
show_flash("desk")

issue_date = w.issue_date_picker("desk_issue_date")
room = c.room_view(db, actor, issue_date)
arrivals_line(db, issue_date=issue_date)  # data desk (#20): late or missing runs, stale guidance
duty = room.duty
st.caption(tr("consult.duty_line", day=issue_date.isoformat(), district=w.district_name(duty.district) or "—",
              chief=markdown_escape(duty.chief_name or "—"), deputy=markdown_escape(duty.deputy_name or "—")))
if not (issue_date >= c.beijing_today() and w.rota_notice(db, actor, issue_date, duty)) and room.seat is None:
    st.info(tr("consult.not_on_duty_info"), icon=":material/info:")

if room.session is None:
    st.info(tr("consult.no_session", day=issue_date.isoformat()))
    if room.seat is not None or actor.is_admin:
        if st.button(tr("consult.open_session"), key="desk_open", icon=":material/add:"):
            call_service(c.open_session, db, actor, issue_date, flash="desk")
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

# -- the stepper: where we are and what blocks the next step ------------------------------------------------

cfg = c.consultation_config()
groups = c.group_flags(room.flags, order=cfg.order)
open_groups = [g for g in groups if g.open]
conclusions = [n for n in room.notes if n.kind == "conclusion"]
entries = {(e.district, e.target_date): e for e in room.entries}
missing = {}
for d in room.districts:
    days = [day for day in session.target_dates
            if (d, day) not in entries or entries[(d, day)].source not in ("submitted", "final")]
    if days:
        missing[d] = days
blockers = []
if session.state == "open":
    blockers.append(tr("desk14.block.not_started"))
# a district that has submitted none of the days is named once, not with every day of the session (a tour
# read "青浦区 D+1 12-08、D+2 12-09、…、D+7 12-14 尚未提交" three times before the first submission)
if missing and all(len(missing.get(d, ())) == len(session.target_dates) for d in room.districts):
    blockers.append(tr("desk14.block.none_submitted"))
else:
    for d, days in missing.items():
        blockers.append(tr("desk14.block.missing_all", district=w.district_name(d), n=len(days))
                        if len(days) == len(session.target_dates) else
                        tr("desk14.block.missing", district=w.district_name(d),
                           days=join(w.lead_label(issue_date, day) for day in days)))
if open_groups:
    blockers.append(tr("desk14.block.flags", n=len(open_groups)))
if not (session.zone_summary or conclusions):
    blockers.append(tr("desk14.block.conclusion"))
if room.seat is None:
    blockers.append(tr("desk14.block.not_chair"))
# a save of the combined grid refused by the rules: the grid shows values that are not saved, and signing
# would sign the saved ones (a tour read "可以签发" right above "青浦区 12-02：AQI 范围 85-200 过宽")
unsaved_key = f"desk_unsaved_{issue_date.isoformat()}"
unsaved = st.session_state.get(unsaved_key)
if unsaved and unsaved["n"] != st.session_state.get("compose_n", 0):
    unsaved = None
if unsaved:
    blockers.append(tr("desk14.block.unsaved"))

STEPS = ("start", "flags", "compose", "conclude", "sign", "issue")
if session.state == "open":
    current = "start"
elif session.state == "consulting":
    composed = any(e.source == "final" for e in room.entries)  # the chief saved the combined grid
    if missing or open_groups:
        current = "flags"
    elif not (composed or session.zone_summary or conclusions):
        current = "compose"  # a tour saw "✓ 3. 合成" before anything was composed
    elif not (session.zone_summary or conclusions):
        current = "conclude"
    else:
        current = "sign"
elif session.state == "signed":
    current = "issue"
else:
    current = None  # issued / superseded: every step done
done_upto = STEPS.index(current) if current else len(STEPS)
chips = []
for i, step in enumerate(STEPS):
    mark, colour = ("✓", "#2E7D32") if i < done_upto else (("●", "#E65100") if i == done_upto else ("○", "#9E9E9E"))
    chips.append(f"<span style='color:{colour};font-weight:{'bold' if i == done_upto else 'normal'};"
                 f"margin-right:14px'>{mark} {i + 1}. {w.esc(tr('desk14.step.' + step))}</span>")
st.markdown("<div style='font-size:1.05em;margin:6px 0 10px 0'>" + "".join(chips) + "</div>", unsafe_allow_html=True)
if session.state in ("open", "consulting") and blockers:
    st.warning(tr("desk14.blocked_by", what=join(blockers, clauses=True)), icon=":material/block:")
elif session.state == "consulting":
    st.success(tr("desk14.ready_sign"), icon=":material/check_circle:")
# groups raised by the chief's own combined values: the step bar went back to 处理分歧 after composing, and a tour
# read it as a step backwards
after_compose = [g for g in open_groups
                 if any(f.district in (g.district_a, g.district_b) and g.first <= f.target_date <= g.last
                        for f in room.finals)]
if session.state == "consulting" and after_compose:
    st.info(tr("desk14.flags_after_compose", n=len(after_compose)), icon=":material/info:")

issued_early = c.issued_forecasts(db, issue_date) if session.state == "issued" else []
if issued_early:
    newest = issued_early[-1]
    l1, l2 = st.columns(2)
    l1.page_link(str(PAGES / "reports.py"), label=tr("desk14.open_report"), icon=":material/description:")
    try:
        pdf = report_file(db, newest.id, "pdf")
    except ForecastingError:
        pdf = None
    if pdf is not None:
        l2.download_button(tr("desk14.download_pdf"), data=pdf.content, mime="application/pdf",
                           file_name=pdf.filename,  # the name the reports page gives the same file
                           key="desk_pdf", icon=":material/download:")

if session.state == "open" and room.seat is not None:
    if st.button(tr("consult.start"), key="desk_start", type="primary", icon=":material/play_arrow:"):
        call_service(c.start_consultation, db, actor, issue_date, expected_version=session.version, flash="desk",
                     success=tr("consult.started"))

# -- flags, grouped, across the whole width (the table's words and both sides' values are never cut) -----
st.subheader(tr("ack14.groups_title"))
w.flag_groups_table(groups, room.entries, issue_date)

# one reason acknowledges a group, a kind, or all; the discussion beside it is what the reason draws on
acking = bool(room.can_chair and open_groups and session.state == "consulting")  # never before the start
work, talk = st.columns([3, 2]) if acking else (st.container(), st.container())

with talk:
    st.subheader(tr("note14.discussion"))
    # a scrolling box once the thread is long; a short or empty one takes only its own height
    with st.container(height=520 if len(room.notes) > 3 else "content", border=True):
        w.threaded_notes(room.notes)

with work:
    if acking:
        ack_n = st.session_state.setdefault("ack_form_n", 0)
        labels = {g.key: w.group_label(g, issue_date) for g in open_groups}
        chosen = st.multiselect(tr("ack14.pick"), list(labels), format_func=labels.get, key=f"ack_groups_{ack_n}",
                                placeholder=tr("grid14.choose"), select_all=False)  # "Select all" is English only
        note = st.text_input(tr("ack14.reason"), key=f"ack_note_{ack_n}",
                             help=tr("common.limit_help", n=MAX_ACK_CHARS))
        kinds = {}
        for g in open_groups:
            kinds.setdefault(g.kind, []).append(g)
        # one row that wraps: every button keeps its whole label (six columns cut them to "确认全...")
        buttons = st.container(horizontal=True, wrap=True, key="ack_buttons")
        action = None
        if buttons.button(tr("ack14.ack_all", n=len(open_groups), groups_zh="组",
                             groups_en="group" if len(open_groups) == 1 else "groups"),
                          key="ack_all", type="primary",
                          icon=":material/done_all:"):
            action = dict(kind="*")
        if chosen and buttons.button(tr("ack14.ack_selected"), key="ack_selected", icon=":material/done:"):
            action = dict(group_keys=chosen)
        for kind, members in kinds.items():
            if len(kinds) > 1 and buttons.button(tr("ack14.ack_kind", kind=tr("flag.kind." + kind), n=len(members),
                                                        groups_zh="组", groups_en="group" if len(members) == 1 else "groups"),
                                                 key=f"ack_kind_{kind}"):
                action = dict(kind=kind)
        if action is not None:
            call_service(c.acknowledge_groups, db, actor, issue_date, note=note, lang=state.language(), **action,
                         flash="desk", then=lambda _: st.session_state.update(ack_form_n=ack_n + 1),  # empty boxes
                         success=lambda done: tr("ack14.done", n=len(done)) if done else tr("ack14.already"))


# -- compose: the whole combined forecast in one grid, the summary and the conclusion (whole width) ------
st.subheader(tr("consult.final_title"))
if room.can_chair:  # a reader is not told how to edit a grid they cannot edit
    st.caption(tr("desk14.compose_help"))
rows = combined_prefill(room.entries, room.finals, room.districts, session.target_dates, config=cfg)


def _source(row: dict, sub) -> str:
    """Where a combined value comes from; a saved one says whether the chief kept the district's value or
    changed it (a tour read "首席合成" on all 21 rows after one change)."""
    if row["source"] != "final" or sub is None:
        return row["source"]
    same = (row["aqi_lo"], row["aqi_hi"], tuple(row["primary"])) == (sub.aqi_lo, sub.aqi_hi, tuple(sub.primary))
    return "final_kept" if same else "final_changed"


# the grid is a form: its level column is that of the saved values until 保存 (a tour typed 150 and still read
# 良), and its heading says so
LEVEL_COL = tr("desk14.col_level_saved")
# the forecast issued before this one, for the same district and day: today's D+1 was yesterday's D+2
standing = c.standing_forecast(db, issue_date)
STANDING_COL = (tr("desk14.col_standing_yesterday") if standing.issue_date == issue_date - timedelta(days=1)
                else tr("desk14.col_standing_on", day=standing.issue_date.strftime("%m-%d")) if standing.issue_date
                else None)
frame = pd.DataFrame([{
    "district": r["district"],
    "day": r["target_date"].isoformat(),
    tr("consult.col_district"): w.district_name(r["district"]),
    tr("consult.col_day"): w.lead_label(issue_date, r["target_date"]),
    tr("desk14.col_submitted"): (lambda e: f"{e.aqi_lo}–{e.aqi_hi} {w.ptext(e.primary)}" if e else "—")(
        room.submission(r["district"], r["target_date"])),
    **({STANDING_COL: (lambda was: f"{was[0]}–{was[1]}" if was else "—")(
        standing.ranges.get((r["district"], r["target_date"])))} if STANDING_COL else {}),
    tr("desk14.col_lo"): r["aqi_lo"],
    tr("desk14.col_hi"): r["aqi_hi"],
    tr("desk14.col_primary"): join(LABELS.get(p, p) for p in r["primary"]),  # "PM2.5、O₃" in Chinese
    LEVEL_COL: (w.span(level_of(r["aqi_lo"]), level_of(r["aqi_hi"]))
                              if r["aqi_lo"] is not None and r["aqi_hi"] is not None else "—"),
    tr("consult.col_source"): tr(f"consult.source.{_source(r, room.submission(r['district'], r['target_date']))}"),
    "version": int(r["version"]),
} for r in rows])
locked_cols = [tr("consult.col_district"), tr("consult.col_day"), tr("desk14.col_submitted"),
               *([STANDING_COL] if STANDING_COL else []), LEVEL_COL, tr("consult.col_source")]
grid_key = f"final_grid_{issue_date.isoformat()}_{session.version}"
# the level span whole ("良至轻度污染", once cut to "良至轻度污…" beside the wide primary-pollutant column)
# each as wide as its longest text ("轻度污染至中度污染" and "采用区县值" were cut; in English two tours read
# "district submissio…")
level_column = {col: st.column_config.TextColumn(width=w.text_width([col, *frame[col]]) if len(frame) else None)
                for col in (LEVEL_COL, tr("consult.col_source"))}
if room.can_chair:
    compose_n = st.session_state.setdefault("compose_n", 0)
    with st.form(f"compose_form_{compose_n}"):
        # every row in sight (3 districts × 7 days: 21 rows); the default height showed 10 and the chief
        # scrolled inside the grid for Wujiang's later days and Jiashan
        edited = st.data_editor(
            frame, key=grid_key, hide_index=True, placeholder="—", width="stretch", height="content",
            disabled=locked_cols, num_rows="fixed",
            column_order=[col for col in frame.columns if col not in ("district", "day", "version")],
            column_config={
                tr("desk14.col_lo"): st.column_config.NumberColumn(min_value=0, max_value=500, step=1),
                tr("desk14.col_hi"): st.column_config.NumberColumn(min_value=0, max_value=500, step=1),
                # the example in the heading's help: "首要污染物（如 PM2.5、O₃）" made the column 220 px wide
                # for "PM2.5" and pushed the source column off the table's edge at 1366 px ("区县提")
                tr("desk14.col_primary"): st.column_config.TextColumn(
                    max_chars=40, help=tr("desk14.col_primary_help"),
                    width=w.text_width([tr("desk14.col_primary"), *frame[tr("desk14.col_primary")]], least=96)
                    if len(frame) else None),
                **level_column,
            })
        summary = st.text_area(tr("desk14.summary"), value=session.zone_summary, key=f"final_summary_{compose_n}",
                               help=tr("desk14.summary_help_limit", n=TEXT_LIMITS["zone_summary"][0]))
        conclusion = st.text_area(tr("desk14.conclusion"), value=conclusions[-1].body if conclusions else "",
                                  key=f"conclusion_body_{compose_n}",
                                  help=tr("desk14.summary_help_limit", n=MAX_NOTE_CHARS))
        saved = st.form_submit_button(tr("desk14.save_all"), type="primary", icon=":material/save:")
    if saved:
        problems, items = [], []
        for _i, r in edited.iterrows():
            name, day = w.district_name(r["district"]), date.fromisoformat(r["day"])
            lo, hi = r[tr("desk14.col_lo")], r[tr("desk14.col_hi")]
            if pd.isna(lo) or pd.isna(hi):
                problems.append(tr("desk14.missing_value", district=name, day=f"{day:%m-%d}"))
                continue
            primary, bad = parse_primary(r[tr("desk14.col_primary")])
            if bad:
                problems.append(tr("desk14.bad_primary", district=name, day=f"{day:%m-%d}", value=bad,
                                   allowed=join(LABELS[p] for p in POLLUTANTS)))
                continue
            try:
                c.check_forecast(int(lo), int(hi), primary, config=cfg)
            except ForecastingError as exc:
                problems.append(tr("desk14.row_error", district=name, day=f"{day:%m-%d}", message=error_text(exc)))
                continue
            items.append(c.FinalInput(r["district"], day, int(lo), int(hi), primary, int(r["version"])))
        if problems:
            st.session_state[unsaved_key] = {"n": compose_n, "problems": problems}
            st.rerun()  # the stepper above says the grid is not saved, and there is no sign button
        else:
            def save_and_conclude():
                c.save_final(db, actor, issue_date, items, zone_summary=summary,
                             expected_session_version=session.version)
                text = (conclusion or "").strip()
                if text and (not conclusions or conclusions[-1].body != text):
                    c.add_note(db, actor, issue_date, text, kind="conclusion",
                               client_token=st.session_state.setdefault(f"conclusion_token_{compose_n}",
                                                                        uuid.uuid4().hex))

            def saved_all(_):
                st.session_state.pop(unsaved_key, None)
                st.session_state["compose_n"] = compose_n + 1

            call_service(save_and_conclude, flash="desk", success=tr("desk14.saved"), then=saved_all)
    if unsaved:
        for p in unsaved["problems"]:
            st.error(p, icon=":material/error:")
        if st.button(tr("desk14.discard"), key=f"desk_discard_{compose_n}", icon=":material/undo:"):
            st.session_state.pop(unsaved_key, None)
            st.session_state["compose_n"] = compose_n + 1  # a fresh form: the saved values
            st.rerun()
else:
    st.dataframe(frame.drop(columns=["district", "day", "version"]), hide_index=True, placeholder="—", width="stretch",
                 height="content", column_config=level_column)
# the combined ranges that do not overlap what was issued before for the same day: changed on purpose (said in the
# consultation), or a slip the chief sees before signing
jumps = w.standing_jumps(standing, [(r["district"], r["target_date"], r["aqi_lo"], r["aqi_hi"]) for r in rows])
if jumps:
    st.warning(tr("desk14.jumps", column=STANDING_COL, items=join(
        tr("desk14.jump_item", district=w.district_name(d), day=f"{day:%m-%d}", was=f"{was[0]}–{was[1]}",
           now=f"{now[0]}–{now[1]}") for d, day, was, now in jumps)), icon=":material/swap_vert:")
if not room.can_chair:
    if session.zone_summary:
        st.caption(tr("desk14.summary"))
        st.text(session.zone_summary)
    if conclusions:
        st.caption(tr("desk14.conclusion"))
        st.text(conclusions[-1].body)

# -- sign and issue (dialogs, opened from session state) --------------------------------------------------


def _close_dialog():
    st.session_state.pop("desk_dialog", None)


@st.dialog(tr("consult.sign_title"), on_dismiss=_close_dialog)
def sign_dialog():
    st.write(tr("consult.sign_explain"))
    # a form: its button sends what the fields hold. Alone, a password typed and left with Tab (onto the
    # field's own "show password" eye) was never sent, and "Sign now" said "请输入密码后再签发" over a full field
    with st.form("sign_form", border=False, enter_to_submit=True):
        password = st.text_input(tr("consult.password"), type="password", key="sign_password",
                                 autocomplete="current-password")
        reason = ""
        if room.seat == "deputy":
            reason = st.text_input(tr("consult.absent_reason"), key="sign_absent_reason")
        confirmed = st.form_submit_button(tr("consult.sign_confirm"), type="primary", key="sign_confirm")
    if confirmed:
        def signed(_):
            _close_dialog()
            st.session_state.pop("sign_password", None)

        call_service(c.sign_session, db, actor, issue_date, password=password, expected_version=session.version,
                     chief_absent_reason=reason, flash="desk", then=signed, success=tr("consult.signed_ok"))


@st.dialog(tr("consult.issue_title"), on_dismiss=_close_dialog)
def issue_dialog():
    st.write(tr("consult.issue_explain"))
    if st.button(tr("consult.issue_confirm"), type="primary", key="issue_confirm"):
        with st.spinner(tr("desk14.issuing")):  # rendering the files takes seconds: say so
            call_service(issue_with_report, db, actor, issue_date, flash="desk", then=lambda _: _close_dialog(),
                         success=lambda issued: tr("desk14.issued_link", revision=issued.revision))


if room.seat is not None:
    b1, b2 = st.columns(2)
    if session.state == "consulting" and not blockers and b1.button(tr("consult.sign"), key="desk_sign",
                                                                    type="primary", icon=":material/draw:"):
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
        tr("consult.col_issuer"): i.issued_by_name,
        "SHA-256": i.sha256[:16] + "…",
        tr("consult.col_superseded"): tr("common.yes") if i.superseded else tr("common.no"),
        tr("consult.col_reason"): i.reason,
    } for i in issued]), hide_index=True, placeholder="—", width="stretch")
if session.state == "issued" and c.may_amend(db, actor, issue_date):  # the service checks it again
    with st.form("amend_form"):
        reason = st.text_input(tr("consult.amend_reason"), key="amend_reason")
        if st.form_submit_button(tr("consult.amend"), icon=":material/edit:"):
            call_service(c.amend_session, db, actor, issue_date, reason=reason, flash="desk",
                         success=tr("consult.amended"))
