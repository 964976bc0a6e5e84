"""Issued reports (会商报告) for managers and everyone signed in: the latest issue as three district cards,
the archive with search and filters, downloads of the stored files (the exact bytes issued), a
calendar of issued levels and the amendment trail."""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from forecasting.textlimits import markdown_escape  # names shown as typed, never as Markdown (#15)

from forecasting import reports
from forecasting.aqi import level_info
from forecasting.consultation import beijing_today
from forecasting.errors import ForecastingError
from forecasting.vocab import DISTRICT_ORDER
from ui import state
from ui.actions import call_service
from ui.consultation import bj, district_name, pollutants, text_width
from ui.i18n import error_text, join, tr

db = state.database()
actor = state.require_actor()
lang = state.language()

DISTRICTS = DISTRICT_ORDER  # Qingpu, Wujiang, Jiashan


def _badge(level: int, *, small: bool = False) -> str:
    """A level as a coloured badge; ``small`` (the table of days): smaller, and never broken inside ("轻度污/染"
    in a phone's column)."""
    info = level_info(level=level)
    size = "font-size:0.85em;white-space:nowrap;padding:0.05em 0.35em;" if small else "padding:0.1em 0.5em;"
    return (f'<span style="display:inline-block;{size}border-radius:0.3em;background:{info.hex};'
            f'color:{info.text_hex};font-weight:600;margin:0 0.2em 0.2em 0">{html.escape(info.category(lang))}</span>')


def _card(d: dict) -> None:
    name = d["name_en"] if lang == "en" else d["name_zh"]
    with st.container(border=True):
        st.markdown(f"**{html.escape(name)}**")  # the district by name (never its adcode)
        for e in d.get("days", []):
            primary = pollutants(e.get("primary") or []) if e.get("primary") else "—"
            badges = " ".join(_badge(k) for k in range(e["level_lo"], e["level_hi"] + 1))
            # the day as the table of days above writes it ("12月7日"; the cards said "12-07" under it)
            day = date.fromisoformat(e["target_date"])
            st.markdown(f"{html.escape(tr('rep18.day_label', m=day.month, d=day.day))} · "
                        f"AQI **{int(e['aqi_lo'])}–{int(e['aqi_hi'])}** "
                        f"{badges} {html.escape(primary)}", unsafe_allow_html=True)


st.title(tr("report.title"))
latest = reports.latest_report(db)
if latest is None:
    st.info(tr("report.none_issued"))
    st.stop()

st.subheader(tr("report.latest", title=latest.title_en if lang == "en" else latest.title_zh))
st.caption(f"{tr('report.col_issued_at')} {bj(latest.issued_at, '%Y-%m-%d %H:%M')} · "
           + tr("rep18.signed_line", signed=markdown_escape(latest.signed_by or "—"), by=markdown_escape(latest.issued_by or "—")))


def _download(where, summary, fmt: str, label: str, key: str, **style):
    """A download button for one file of ``summary``: the stored bytes, or (a file not stored yet) bytes
    rendered from the stored report data when the button is pressed (Streamlit calls ``data`` then).
    Returns the stored file (its name and SHA-256 for the details), or None when it is not stored yet."""
    if fmt not in summary.stored:
        where.download_button(label, data=lambda: reports.report_file(db, summary.id, fmt).content,
                              file_name=reports.report_filename(summary.issue_date, summary.revision, fmt),
                              mime=reports.MEDIA_TYPES[fmt], key=key, on_click="ignore", **style)
        return None
    try:
        stored = reports.report_file(db, summary.id, fmt)
    except ForecastingError as exc:
        st.error(error_text(exc))
        return None
    where.download_button(label, data=stored.content, file_name=stored.filename, mime=stored.media_type, key=key,
                          on_click="ignore", **style)
    return stored


def _model(summary) -> dict:
    """The stored report model (JSON) of an issued revision; the snapshot when it has no files."""
    try:
        data, _ = reports.report_json(db, summary.issue_date)
        return json.loads(data)
    except ForecastingError:
        return {}


def _reader(summary) -> None:
    """The issued forecast readable on screen (issue #18): zone headline, summary, table of days,
    conclusion, flags resolved, who signed; the PDF as a download; hash and revision in details."""
    model = _model(summary)
    zone = (summary.zone_summary or model.get("zone_summary") or "").strip()
    worst = max((e["level_hi"] for d in summary.districts for e in d.get("days", [])), default=0)
    if worst:
        st.markdown(tr("rep18.zone_headline", badge=_badge(worst)), unsafe_allow_html=True)
    if zone:
        st.markdown(f"**{tr('rep18.summary')}**")
        if lang == "en" and any(ord(ch) >= 0x2E80 for ch in zone):
            # the chief's own words stay as written; the English files say so, and so does the page now
            st.caption(tr("report.quoted_as_written"))
        st.text(zone)
    # one row per target day, one column per district (the zone at a glance)
    names = [d["name_en"] if lang == "en" else d["name_zh"] for d in summary.districts]
    by_day: dict[str, list[str]] = {}
    for i, d in enumerate(summary.districts):
        for e in d.get("days", []):
            primary = pollutants(e.get("primary") or []) if e.get("primary") else "—"
            badges = " ".join(_badge(k, small=True) for k in range(e["level_lo"], e["level_hi"] + 1))
            cells = by_day.setdefault(e["target_date"], [""] * len(names))
            # the range on one line ("AQI 55–" over "75" on a phone); "AQI" once, in the caption above: on a
            # phone the three districts' columns fit beside the dates (the third one was cut: "AQI 110–1")
            cells[i] = (f"<span style='white-space:nowrap;font-weight:600'>{int(e['aqi_lo'])}–{int(e['aqi_hi'])}</span> "
                        f"{badges} {html.escape(primary)}")
    head = [tr("rep18.col.date"), *names]
    st.caption(tr("rep18.days_caption"))

    def _day(iso: str) -> str:  # "12月1日" on one line (the ISO date wrapped as "2026-12-" / "01")
        d = date.fromisoformat(iso)
        return tr("rep18.day_label", m=d.month, d=d.day)

    cell = "padding:4px 5px;vertical-align:top"
    st.markdown("<div class='days-table' style='overflow-x:auto'><table style='width:100%;font-size:0.92em'><tr>"
                + "".join(f"<th style='{cell}'>{html.escape(h)}</th>" for h in head) + "</tr>"
                + "".join(f"<tr><td style='{cell};white-space:nowrap'>" + html.escape(_day(day)) + "</td>"
                          + "".join(f"<td style='{cell}'>{c}</td>" for c in cells) + "</tr>"
                          for day, cells in sorted(by_day.items())) + "</table></div>", unsafe_allow_html=True)
    conclusion = (summary.conclusion or model.get("conclusion") or "").strip()
    if conclusion:
        st.markdown(f"**{tr('rep18.conclusion')}**")
        st.text(conclusion)
    # what was resolved as issued (the revision's snapshot: one entry per flag), not today's discussion, where
    # one group acknowledgement is one note for many flags
    try:
        acks = reports.issued_acknowledgements(db, summary.id)
    except ForecastingError:
        acks = []
    st.markdown(f"**{tr('rep18.flags')}**")
    if acks:
        def kind_name(kind: str | None) -> str:
            text = tr(f"flag.kind.{kind}") if kind else ""
            return text if text and text != f"flag.kind.{kind}" else tr("rep18.flag_other")

        counts = Counter(a.get("kind") or "" for a in acks)
        st.text(tr("rep18.flags_count", n=len(acks),
                   kinds=join(tr("rep18.flag_kind_count", kind=kind_name(k), n=c) for k, c in counts.most_common())))
        with st.expander(tr("rep18.flags_list")):
            for a in acks:
                where = join(district_name(d) for d in a.get("districts") or [])
                st.text(f"· {kind_name(a.get('kind'))} · {where} {a.get('target_date') or ''} · "
                        f"{a.get('by') or '—'}{tr('common.colon')}{a.get('reason') or ''}")
    else:
        st.caption(tr("rep18.no_flags"))
    duty = model.get("duty") or {}
    st.markdown(f"**{tr('rep18.signed')}**")
    st.text(tr("rep18.signed_detail", signed=duty.get("signed_by") or summary.signed_by or "—",
               at=duty.get("signed_at_beijing") or "—", chief=duty.get("chief") or "—",
               deputy=duty.get("deputy") or "—", issued_by=summary.issued_by or "—"))
    if duty.get("chief_absent_reason"):  # the deputy signed: why, as on the report's sign-off (the page left it out)
        st.text(tr("report.chief_absent", reason=duty["chief_absent_reason"]))
    offered = None
    if "pdf" in summary.formats:
        # the reader's language when the report has it; a file not stored yet is rendered when clicked
        fmt = "en.pdf" if lang == "en" and "en.pdf" in summary.formats else "pdf"
        offered = _download(st, summary, fmt, tr("rep18.download_pdf"), f"rep18_pdf_{summary.id}", type="primary",
                            icon=":material/picture_as_pdf:")
    with st.expander(tr("rep18.details")):
        st.text(tr("rep18.revision", revision=summary.revision))
        st.text(tr("report.sha_line_on_demand" if summary.on_demand else "report.sha_line", sha=summary.sha256))
        if offered is not None and offered.sha256 != summary.sha256:
            # the English PDF (or any file that is not the archived record) has its own hash: say which is which
            st.text(tr("report.file_sha_line", name=offered.filename, sha=offered.sha256))
        if model.get("snapshot_sha256"):
            st.text(tr("rep18.snapshot_sha", sha=model["snapshot_sha256"]))


with st.container(border=True):
    _reader(latest)
for col, d in zip(st.columns(max(1, len(latest.districts))), latest.districts):
    with col:
        _card(d)

def _archive(found) -> None:
    """The listed reports in one ZIP file (a manager files a month at once, not one download each): a format,
    a button that packs them with a progress bar (files not rendered yet take about 2 s each), then the
    download. The packed file is kept for this selection only: another filter or format asks again."""
    with st.expander(tr("report.archive_zip")):
        st.caption(tr("report.archive_zip_caption", n=len(found)))
        fmt = st.selectbox(tr("report.archive_zip_format"), reports.FORMATS, key=state.language_key("rep_zip_fmt"),
                           format_func=lambda f, _labels={f: tr(f"report.fmt.{f}") for f in reports.FORMATS}: _labels[f])
        wanted = (fmt, tuple(r.id for r in found))
        if st.button(tr("report.archive_zip_prepare"), icon=":material/folder_zip:", key="rep_zip_go"):
            bar = st.progress(0.0, text=tr("report.archive_zip_progress", done=0, total=len(found)))
            packed = call_service(
                reports.reports_archive, db, found, fmt, lang=lang,
                progress=lambda done, total: bar.progress(done / total, text=tr("report.archive_zip_progress",
                                                                                  done=done, total=total)))
            bar.empty()
            if packed is not None:
                st.session_state["rep_zip"] = (wanted, packed, reports.archive_name(found, fmt))
        ready = st.session_state.get("rep_zip")
        if ready and ready[0] == wanted:
            _, packed, name = ready
            st.caption(tr("report.archive_zip_ready", n=len(found), size=f"{len(packed) / 1e6:.1f} MB"))
            st.download_button(tr("report.archive_zip_download"), data=packed, file_name=name,
                               mime="application/zip", key="rep_zip_dl", on_click="ignore",
                               icon=":material/download:")


# -- archive ---------------------------------------------------------------------------------------------
st.subheader(tr("report.archive"))
every = reports.list_reports(db)
chiefs = sorted({r.signed_by for r in every if r.signed_by})
today = beijing_today()
f1, f2, f3 = st.columns(3)
first = f1.date_input(tr("report.filter_from"), value=min(r.issue_date for r in every), key="rep_from")
last = f2.date_input(tr("report.filter_to"), value=max(today, max(r.issue_date for r in every)), key="rep_to")
text = f3.text_input(tr("report.search"), key="rep_text")
g1, g2, g3 = st.columns(3)
# labels resolved now, in this run's language (a format_func may be called outside the run)
all_label = tr("report.all")
district_labels = {a: (district_name(a) if a else all_label) for a in ("",) + DISTRICTS}
level_labels = {k: (level_info(level=k).category(lang) if k else all_label) for k in range(7)}
district = g1.selectbox(tr("report.filter_district"), ("",) + DISTRICTS, key=state.language_key("rep_district"),
                        format_func=district_labels.get)
level = g2.selectbox(tr("report.filter_level"), (0, 1, 2, 3, 4, 5, 6), key=state.language_key("rep_level"),
                     format_func=level_labels.get)
chief = g3.selectbox(tr("report.filter_chief"), [""] + chiefs, key=state.language_key("rep_chief"),
                     format_func=lambda c, _all=all_label: c or _all)
found = reports.list_reports(db, first=first, last=last, district=district or None, level=level or None,
                             chief=chief or None, text=text or None)
if last < first:  # "没有符合条件的报告" said a reversed range had no reports
    st.error(tr("common.dates_reversed", first=first.isoformat(), last=last.isoformat()), icon=":material/event_busy:")
elif not found:
    st.info(tr("report.no_match"))
else:
    # the report, its highest level and whether it is current first: a phone shows two columns (a tour saw
    # only the titles and times there)
    st.dataframe(pd.DataFrame([{
        tr("report.col_title"): r.title_en if lang == "en" else r.title_zh,
        tr("report.col_max_level"): level_info(level=r.max_level).category(lang) if r.max_level else "—",
        tr("report.col_state"): tr("report.superseded") if r.superseded else tr("report.current"),
        tr("report.col_issued_at"): bj(r.issued_at, "%Y-%m-%d %H:%M"),
        tr("report.filter_chief"): r.signed_by,
        tr("report.col_sha"): r.sha256[:16] + "…" + (tr("report.sha_kind_json") if r.on_demand else ""),
    } for r in found]), hide_index=True, placeholder="—", width="stretch",
        # the whole title ("2026年第325期（第2版·更正）" was cut); the hash only begins here anyway
        column_config={tr("report.col_title"): st.column_config.TextColumn(width=230),
                       tr("report.col_sha"): st.column_config.TextColumn(width=215),
                       # "superseded" whole (a tour read "supersedec")
                       tr("report.col_state"): st.column_config.TextColumn(width=text_width(
                           [tr("report.col_state"), tr("report.superseded"), tr("report.current")]))})

    _archive(found)

    labels = {r.id: f"{r.title_en if lang == 'en' else r.title_zh} · {bj(r.issued_at, '%Y-%m-%d %H:%M')}"
              + (f" · {tr('report.superseded')}" if r.superseded else "") for r in found}
    chosen_id = st.selectbox(tr("report.pick"), list(labels), format_func=labels.get, key=state.language_key("rep_pick"))
    chosen = next(r for r in found if r.id == chosen_id)
    st.markdown(f"**{tr('report.downloads')}**")
    if not chosen.formats:
        st.info(tr("report.no_files"))
    else:
        ok = reports.verify_report(db, chosen.id)
        (st.success if ok else st.error)(tr("report.verified") if ok else tr("report.tampered"))
        st.caption(tr("report.sha_line_on_demand" if chosen.on_demand else "report.sha_line", sha=chosen.sha256))
        cols = st.columns(4)
        files = []
        for i, fmt in enumerate(f for f in reports.FORMATS if f in chosen.formats):
            files.append((fmt, _download(cols[i % 4], chosen, fmt, tr("report.download", fmt=tr(f"report.fmt.{fmt}")),
                                         f"dl_{chosen.id}_{fmt}")))
        # every stored file's own hash, to check a download against (a tour found an older report's PDF,
        # rendered on demand and archived, with no hash on the page to compare it with)
        with st.expander(tr("report.file_hashes")):
            st.text("\n".join(
                tr("report.file_hash_row", name=stored.filename, sha=stored.sha256) if stored is not None
                else tr("report.file_hash_pending", name=reports.report_filename(chosen.issue_date, chosen.revision,
                                                                                 fmt))
                for fmt, stored in files))
        if "txt" in chosen.formats:
            # older issues carry the Chinese files only (the demo renders English for its newest week): the
            # preview falls back to the Chinese text and says so (asking for en.txt crashed the page)
            english = lang == "en" and "en.txt" in chosen.formats
            fmt = "en.txt" if english else "txt"
            with st.expander(tr("report.preview")):
                if lang == "en" and not english:
                    st.caption(tr("rep18.preview_chinese_only"))
                # a text not stored yet is rendered when asked for, never just because the report was chosen
                # (a tour's selection of an old report rendered its files unasked, behind a collapsed expander)
                if fmt in chosen.stored or st.button(tr("report.preview_render"), key=f"preview_{chosen.id}_{fmt}",
                                                     icon=":material/preview:"):
                    with st.spinner(tr("report.rendering"), show_time=True):
                        preview = reports.report_file(db, chosen.id, fmt).content.decode()
                    st.text(preview)
                else:
                    st.caption(tr("report.preview_on_demand"))

    st.markdown(f"**{tr('report.trail')}**")
    trail = reports.report_revisions(db, chosen.issue_date)
    st.markdown("\n".join(
        "- " + tr("rep18.timeline_item", revision=r.revision, at=bj(r.issued_at, "%Y-%m-%d %H:%M"),
                  by=html.escape(r.issued_by or "—"),
                  reason=html.escape(r.reason or tr("rep18.first_issue")),
                  state=tr("report.superseded") if r.superseded else tr("report.current"))
        for r in trail))
    st.dataframe(pd.DataFrame([{
        tr("report.col_revision"): r.revision,
        tr("report.col_issued_at"): bj(r.issued_at, "%Y-%m-%d %H:%M"),
        tr("report.col_issued_by"): r.issued_by,
        tr("report.col_reason"): r.reason or "—",
        tr("report.col_state"): tr("report.superseded") if r.superseded else tr("report.current"),
        tr("report.col_sha"): r.sha256 + (tr("report.sha_kind_json") if r.on_demand else ""),
    } for r in trail]), hide_index=True, placeholder="—", width="stretch")

# -- calendar of issued levels ---------------------------------------------------------------------------
st.subheader(tr("report.calendar"))
cal = reports.level_calendar(db, first=today - timedelta(days=90), last=today + timedelta(days=1))
if cal:
    frame = pd.DataFrame(cal)
    frame["issue_date"] = pd.to_datetime(frame["issue_date"])
    frame["district_name"] = [district_name(a) for a in frame["district"]]
    frame["category"] = [level_info(level=k).category(lang) for k in frame["level"]]
    # a column per forecast day (the first target day, D+1): the column after 11/28 once showed the levels
    # forecast for 11/30, issued on 11/29
    frame["target"] = frame["issue_date"] + pd.Timedelta(days=1)
    frame["day"] = [tr("rep18.day_label", m=d.month, d=d.day) for d in frame["target"]]
    order = list(dict.fromkeys(frame.sort_values("target")["day"]))
    chart = alt.Chart(frame).mark_rect(stroke="white").encode(
        x=alt.X("day:O", title=tr("rep18.cal_axis"), sort=order),
        y=alt.Y("district_name:N", title=None, sort=[district_name(a) for a in DISTRICTS]),
        color=alt.Color("hex:N", scale=None),
        tooltip=[alt.Tooltip("target:T", format="%Y-%m-%d", title=tr("rep18.cal_axis")),
                 alt.Tooltip("issue_date:T", format="%Y-%m-%d", title=tr("rep18.cal_issued")),
                 alt.Tooltip("district_name:N", title=tr("consult.col_district")),
                 alt.Tooltip("category:N", title=tr("consult.col_level"))],  # (title=None showed the field names)
    ).properties(height=150)
    st.altair_chart(chart, width="stretch", height=230)
    st.markdown(tr("rep18.legend") + " " + " ".join(_badge(k) for k in range(1, 7)), unsafe_allow_html=True)
