"""Data desk (issue #20): what has arrived, and loading a model run or observations from the browser.

Thin: every decision (permissions, validation, the ingest path) is in ``forecasting.arrivals`` and
``forecasting.uploads``; this page shows and asks.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from forecasting import accounts, arrivals, uploads
from forecasting.errors import ForecastingError
from forecasting.grids import list_models, load_mapping
from forecasting.i18n import row_references, t
from forecasting.vocab import BEIJING, BEIJING_ZONE
from forecasting.zone import list_districts
from ui import state
from ui.charts import field_map
from ui.consultation import text_width
from ui.datadesk import LABELS, arrivals_line, observation_preview_table, qc_word, uploader_in_language
from ui.i18n import error_text, format_name, join, level_text, tr, tr_or, who

actor = state.require_actor()
db = state.database()
lang = state.language()
now = datetime.now(timezone.utc)
districts = list_districts(db)
district_name = {d.adcode: d.name(lang) for d in districts}


def _bj(value, fmt: str = "%m-%d %H:%M") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).tz_convert(BEIJING).strftime(fmt) if pd.Timestamp(value).tzinfo else \
        pd.Timestamp(value).tz_localize("UTC").tz_convert(BEIJING).strftime(fmt)


#: The upload history's reason column [px]: beside the time, kind and status it leaves the files column in
#: sight on a desktop page at 1280 px (820 px beside the sidebar).
HISTORY_REASON_PX = 300


def _cycle(value) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return f"{ts:%Y-%m-%d %H}Z"


def _reason(view) -> str:
    if view.reason_key:
        return t(view.reason_key, lang, **view.reason_params)
    return view.reason


st.title(tr("dd20.title"))
st.caption(tr("dd20.caption"))
can_run = actor.role in uploads.RUN_ROLES
can_obs = actor.role in uploads.OBS_ROLES
uploader_in_language()
tab_arr, tab_run, tab_obs, tab_hist = st.tabs([tr("dd20.tab.arrivals"), tr("dd20.tab.run"), tr("dd20.tab.obs"),
                                              tr("dd20.tab.history")])

# -- arrivals ---------------------------------------------------------------------------------------
with tab_arr:
    today = now.astimezone(BEIJING).date()
    arrivals_line(db, issue_date=today, now=now, link=False)
    if can_run and arrivals.stale_guidance(db, today) and st.button(tr("dd20.recompute"), key="dd20_recompute"):
        try:
            with st.spinner(tr("dd20.recompute")):
                rows = uploads.recompute_guidance(db, actor, today)
        except ForecastingError as exc:
            st.error(error_text(exc))
        else:
            st.success(tr("dd20.recomputed_rows", date=today.isoformat(), rows=rows))
    plan = arrivals.schedules()
    if not plan:
        st.info(tr("dd20.no_schedule"))
    else:
        st.subheader(tr("dd20.models_heading", days=arrivals.WINDOW_DAYS))
        rows = []
        board = arrivals.model_arrivals(db, now=now, plan=plan) + arrivals.unscheduled_runs(db, now=now, plan=plan)
        people = accounts.display_names(db, actor, [a.ingested_by for a in board])  # names, not logins
        for a in sorted(board, key=lambda a: (a.model, a.cycle)):
            status = tr(f"dd20.status.{a.status}") + (tr("dd20.arrived_late") if a.arrived_late else "")
            rows.append({tr("dd20.col.model"): a.model, tr("dd20.col.cycle"): _cycle(a.cycle),
                         tr("dd20.col.due"): _bj(a.expected_at), tr("dd20.col.status"): status,
                         tr("dd20.col.arrived_at"): _bj(a.arrived_at), tr("dd20.col.by"): who(a.ingested_by, people),
                         tr("dd20.col.variables"): str(a.n_variables or ""), tr("dd20.col.hours"): str(a.n_times or ""),
                         tr("dd20.col.hash"): a.sha256[:12], tr("dd20.col.reason"): a.reason})
        st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="—", width="stretch", key="dd20_models")
    st.subheader(tr("dd20.obs_heading"))
    obs = arrivals.observation_arrivals(db, now=now)
    if not obs:
        st.info(tr("dd20.no_obs"))
    else:
        # the station's newest hour in a column of its own, each pollutant's valid share in its column (with
        # the pollutant's own newest hour only when it is older): six cells of "12-02 02:00 · 96%" needed 900 px,
        # and a desktop page at 1280 px has 820 beside the sidebar (a tour read "12-0" in the CO column)
        frame = pd.DataFrame([{"station": o.station, "name": o.name, "district": o.district or "",
                               "pollutant": o.pollutant, "newest": o.newest,
                               "share": f"{round(100 * o.valid_share_24h)}%"} for o in obs])
        station_newest = frame.groupby("station")["newest"].max()
        frame["cell"] = [share if newest == station_newest[station] else tr("dd20.obs.behind", share=share, at=_bj(newest))
                         for station, newest, share in zip(frame["station"], frame["newest"], frame["share"])]
        order = {d.adcode: i for i, d in enumerate(districts)}
        frame["_o"] = frame["district"].map(order).fillna(99)
        wide = frame.pivot_table(index=["_o", "district", "station", "name"], columns="pollutant", values="cell",
                                 aggfunc="first").reset_index().sort_values(["_o", "station"])
        wide["district"] = wide["district"].map(lambda c: district_name.get(c, c))
        wide["newest"] = wide["station"].map(lambda code: _bj(station_newest[code]))
        cols = [p for p in LABELS if p in wide.columns]
        wide = wide[["district", "station", "name", "newest", *cols]].rename(
            columns={"district": tr("dd20.col.district"), "station": tr("dd20.col.station"),
                     "name": tr("dd20.col.station_name"), "newest": tr("dd20.col.newest"),
                     **{p: LABELS[p] for p in cols}})
        st.dataframe(wide, hide_index=True, placeholder="—", width="stretch", key="dd20_obs",
                     column_config={LABELS[p]: st.column_config.TextColumn(help=tr("dd20.col.share_help")) for p in cols})
    st.caption(tr("dd20.times_note"))

# -- upload a model run -------------------------------------------------------------------------------
with tab_run:
    if not can_run:
        st.info(tr("dd20.run.forbidden"))
    else:
        for kind, text in st.session_state.pop("dd20_run_flash", []):
            getattr(st, kind)(text)
        mb = uploads.max_run_bytes() // (1024 * 1024)
        files = st.file_uploader(tr("dd20.run.files", mb=mb), accept_multiple_files=True,
                                 key=f"dd20_run_files_{st.session_state.get('dd20_run_round', 0)}")

        names = [""] + sorted({load_mapping(m).model for m in list_models()})
        model = st.selectbox(tr("dd20.run.model"), names, key="dd20_run_model",
                             format_func=lambda m: m or tr("dd20.run.model_detect"))
        if st.button(tr("dd20.run.inspect"), key="dd20_run_inspect", disabled=not files):
            st.session_state.pop("dd20_run_preview", None)
            try:
                with st.spinner(tr("dd20.run.inspect")):
                    preview = uploads.preview_run(db, actor, [(f.name, f.getvalue()) for f in files],
                                                  model=model or None)
            except ForecastingError as exc:
                st.error(tr("dd20.refused", reason=error_text(exc)), icon=":material/block:")
            else:
                st.session_state["dd20_run_preview"] = preview
        preview = st.session_state.get("dd20_run_preview")
        if preview is not None:
            info = preview.description
            st.subheader(tr("dd20.run.description"))
            left, right = st.columns([3, 2])
            with left:
                st.markdown(tr("dd20.run.format", format=format_name(info["format"]), model=preview.model or "—",
                               cycle=_cycle(preview.cycle) if preview.cycle else "—", level=level_text(info["level"])))
                for held in preview.unpacked:  # an archive's NetCDF members (text: underscores are no markdown)
                    st.text(tr("dd20.run.unpacked", archive=held.archive, members=join(held.members))
                            + (tr("dd20.run.unpacked_skipped", skipped=join(held.skipped)) if held.skipped else ""))
                t0, t1 = info["time"]["first"], info["time"]["last"]
                st.text(tr("dd20.run.times", first=_bj(t0, "%Y-%m-%d %H:%M") if t0 else "—",
                           last=_bj(t1, "%Y-%m-%d %H:%M") if t1 else "—", steps=info["time"]["steps"]))
                g = info["grid"]
                st.text(tr("dd20.run.grid", ny=g["shape"][0], nx=g["shape"][1], lon0=g["lon_min"] or 0,
                           lon1=g["lon_max"] or 0, lat0=g["lat_min"] or 0, lat1=g["lat_max"] or 0))
                st.text(tr("dd20.run.coverage") + tr("common.colon") + "  ".join(
                    tr("dd20.run.coverage_value", name=d.name(lang), pct=round(100 * preview.coverage.get(d.adcode, 0)))
                    for d in districts))
                var_rows = [{tr("dd20.run.variable"): LABELS.get(v, v), tr("dd20.run.units"): a.get("units"),
                             tr("dd20.run.source"): f"{a.get('source_name')} ({a.get('source_units')})",
                             **{tr(f"dd20.run.{k}"): (round(a[k], 2 if v == "co" else 1) if a.get(k) is not None
                                                      else None) for k in ("min", "mean", "max")}}
                            for v, a in info["variables"].items()]
                st.dataframe(pd.DataFrame(var_rows), hide_index=True, placeholder="—", width="stretch", key="dd20_run_vars")
                if info.get("conversions"):
                    with st.expander(tr("dd20.run.conversions")):
                        for c in info["conversions"]:
                            st.text(c)
            with right:
                st.caption(tr("dd20.run.map", variable=LABELS.get(preview.field_variable, preview.field_variable),
                              when=_bj(preview.field_time, "%Y-%m-%d %H:%M") if preview.field_time else "—"))
                if preview.field_variable in LABELS and len(preview.field):
                    st.altair_chart(field_map(preview.field, preview.field_variable, lang=lang, height=300),
                                    width="stretch")
            if preview.replaces:
                st.warning(tr("dd20.run.replaces", model=preview.model, cycle=_cycle(preview.cycle)))
            if not preview.model:
                st.warning(tr("dd20.err.no_model"))
            if not preview.cycle:
                st.warning(tr("dd20.err.no_cycle"))
            outside = bool(preview.coverage) and not any(v > 0 for v in preview.coverage.values())
            if outside:
                st.warning(tr("dd20.err.no_coverage"))
            # a run that cannot have started yet: its time is mislabelled (the confirm would refuse it)
            ahead = preview.cycle_future
            if ahead:
                st.warning(tr("dd20.err.cycle_future", cycle=_cycle(preview.cycle),
                              cycle_bj=_bj(preview.cycle, "%Y-%m-%d %H:%M")))
            recompute = st.checkbox(tr("dd20.run.recompute"), value=True, key="dd20_run_recompute")
            c1, c2 = st.columns([1, 1])
            storable = bool(preview.model and preview.cycle) and not outside and not ahead
            if c1.button(tr("dd20.run.confirm"), type="primary", key="dd20_run_confirm", disabled=not storable):
                try:
                    with st.spinner(tr("dd20.run.confirm")):
                        out = uploads.confirm_run(db, actor, preview.token, recompute=recompute)
                except ForecastingError as exc:
                    st.session_state.pop("dd20_run_preview", None)
                    st.error(tr("dd20.refused", reason=error_text(exc)), icon=":material/block:")
                else:
                    st.session_state.pop("dd20_run_preview", None)
                    st.session_state["dd20_run_round"] = st.session_state.get("dd20_run_round", 0) + 1  # empty uploader
                    verb = tr("dd20.status.replaced" if out.replaced else "dd20.status.stored")
                    flash = [("success", tr("dd20.run.done", verb=verb, model=out.model, cycle=_cycle(out.cycle),
                                            hours=out.n_times, variables=out.n_variables, values=out.n_values))]
                    if out.recomputed:
                        flash.append(("info", tr("dd20.run.recomputed",
                                                 dates=join(d.isoformat() for d in out.recomputed))))
                    if out.stale:
                        flash.append(("warning", tr("dd20.run.stale", dates=join(d.isoformat() for d in out.stale))))
                    st.session_state["dd20_run_flash"] = flash
                    st.rerun()
            if c2.button(tr("dd20.run.cancel"), key="dd20_run_cancel"):
                st.session_state.pop("dd20_run_preview", None)
                st.rerun()

# -- upload observations ------------------------------------------------------------------------------
with tab_obs:
    if not can_obs:
        st.info(tr("dd20.obs.forbidden"))
    else:
        if "dd20_obs_flash" in st.session_state:
            st.success(st.session_state.pop("dd20_obs_flash"))
        round_ = st.session_state.get("dd20_obs_round", 0)
        # several files at once (a week of daily exports chosen together) are read as a ZIP of them would be
        chosen = st.file_uploader(tr("dd20.obs.file", mb=uploads.MAX_OBS_BYTES // (1024 * 1024)),
                                  type=["csv", "txt", "xlsx", "xls", "zip"], accept_multiple_files=True,
                                  key=f"dd20_obs_file_{round_}")
        meta = st.file_uploader(tr("dd20.obs.stations"), type=["csv", "txt", "xlsx", "xls"],
                                key=f"dd20_obs_stations_{round_}")
        c1, c2 = st.columns(2)
        # Beijing time first and by default: China's monitoring records are kept in it (a naive "10:00" read as UTC
        # was stored 8 h late unless the admin changed the choice)
        tz_name = c1.radio(tr("dd20.obs.timezone"), [BEIJING_ZONE, "UTC"], horizontal=True, key="dd20_obs_tz",
                           format_func=lambda z: tr("dd20.obs.tz_utc") if z == "UTC" else tr("dd20.obs.tz_beijing"))
        label = c2.radio(tr("dd20.obs.hour_label"), ["end", "begin"], horizontal=True, key="dd20_obs_label",
                         format_func=lambda x: tr(f"dd20.obs.label_{x}"))
        if st.button(tr("dd20.obs.preview"), key="dd20_obs_preview", disabled=not chosen):
            st.session_state.pop("dd20_obs_preview_data", None)
            try:  # a year of 30 stations (1.6 million values) takes about 20 s: the spinner says why the page waits
                with st.spinner(tr("dd20.obs.reading", mb=f"{sum(f.size for f in chosen) / 1e6:.1f}")):
                    data, name = uploads.observation_upload([(f.name, f.getvalue()) for f in chosen])
                    p = uploads.preview_observations(db, actor, data, name,
                                                     stations=(meta.name, meta.getvalue()) if meta else None,
                                                     timezone_name=tz_name,  # the zone of times written without an offset
                                                     hour_label=label)
            except ForecastingError as exc:
                st.error(tr("dd20.refused", reason=error_text(exc)), icon=":material/block:")
            else:
                st.session_state["dd20_obs_preview_data"] = p
        p = st.session_state.get("dd20_obs_preview_data")
        if p is not None:
            st.markdown(tr("dd20.obs.summary", rows=p.rows, stations=len(p.stations),
                           first=_bj(p.first, "%Y-%m-%d %H:%M"), last=_bj(p.last, "%Y-%m-%d %H:%M"),
                           flagged=p.flagged))
            if p.reflagged:
                st.text(tr("dd20.obs.reflag_preview", n=p.reflagged))
            if p.flag_counts:
                st.text(tr("dd20.obs.flags", flags=join(f"{qc_word(k, lang)} {v}" for k, v in sorted(p.flag_counts.items()))))
            if p.ignored_columns:
                st.warning(tr("dd20.obs.ignored", columns=join(p.ignored_columns)), icon=":material/info:")
            if p.skipped_files:
                st.warning(tr("dd20.obs.skipped_files", files=join(p.skipped_files)), icon=":material/info:")
            if p.skipped_sheets:  # a workbook's notes ("说明") beside its table
                st.info(tr("dd20.obs.skipped_sheets", sheets=join(p.skipped_sheets)), icon=":material/info:")
            if p.skipped_rows:  # an export's title above its header, its notes below the data
                st.info(tr("dd20.obs.skipped_rows", rows=row_references(p.skipped_rows, lang)), icon=":material/info:")
            if p.left_out_stations:  # a national file: every station of the country, the zone's imported
                more = len(p.left_out_stations) - 8
                few = join(p.left_out_stations[:8]) + (tr("dd20.obs.left_out_more", n=more) if more > 0 else "")
                st.info(tr("dd20.obs.left_out", n=len(p.left_out_stations), stations=few), icon=":material/info:")
            if p.unknown_stations:
                st.error(tr("dd20.obs.unknown", ids=join(p.unknown_stations[:10])))
            table = observation_preview_table(p.table, lang)  # the value's unit beside it, QC codes in words
            st.dataframe(table, hide_index=True, placeholder="—", width="stretch", height=260, key="dd20_obs_table")
            if st.button(tr("dd20.obs.confirm"), type="primary", key="dd20_obs_confirm",
                         disabled=bool(p.unknown_stations)):
                try:
                    with st.spinner(tr("dd20.obs.importing", rows=p.rows)):  # 1.6 million values: about 30 s
                        result, _attempt = uploads.confirm_observations(db, actor, p.token)
                except ForecastingError as exc:
                    st.session_state.pop("dd20_obs_preview_data", None)
                    st.error(tr("dd20.refused", reason=error_text(exc)), icon=":material/block:")
                else:
                    st.session_state.pop("dd20_obs_preview_data", None)
                    st.session_state["dd20_obs_round"] = st.session_state.get("dd20_obs_round", 0) + 1  # empty uploader
                    done = tr("dd20.obs.done", rows=result.rows, stations=result.stations, flagged=result.flagged,
                              hours=result.district_hours)
                    if result.reflagged:
                        done += " " + tr("dd20.obs.reflagged", n=result.reflagged)
                    st.session_state["dd20_obs_flash"] = done
                    st.rerun()

# -- history ------------------------------------------------------------------------------------------
with tab_hist:
    views = uploads.list_attempts(db, actor, limit=200)
    if not views:
        st.info(tr("dd20.history.empty"))
    else:
        files_col, reason_col = tr("dd20.col.files"), tr("dd20.col.reason")
        reasons = {v.id: _reason(v) for v in views}
        people = accounts.display_names(db, actor, [v.actor_username for v in views])  # names, not logins
        # the reason beside the status (a refusal's why was past the table's right edge at 1280 px, behind
        # a 400 px files column); the file names as wide as the longest; a reason longer than its column
        # is under the table in full
        st.dataframe(pd.DataFrame([{
            "#": v.id, tr("dd20.col.at"): _bj(v.at, "%Y-%m-%d %H:%M"), tr("dd20.col.kind"): tr(f"dd20.kind.{v.kind}"),
            tr("dd20.col.status"): tr(f"dd20.status.{v.status}"), reason_col: reasons[v.id],
            files_col: ", ".join(v.files), tr("dd20.col.via"): tr_or(f"audit18.value.{v.via}", v.via),
            tr("dd20.col.by"): who(v.actor_username, people), tr("dd20.col.model"): v.model or "",
            tr("dd20.col.cycle"): _cycle(v.cycle) if v.cycle else "",
            tr("dd20.col.values"): v.n_values or None, tr("dd20.col.hash"): v.sha256[:12]} for v in views]),
            hide_index=True, placeholder="—", width="stretch",
            column_config={reason_col: st.column_config.TextColumn(width=HISTORY_REASON_PX, help=tr("dd20.col.reason_help")),
                           files_col: st.column_config.TextColumn(width=min(400, text_width(
                               [files_col, *(", ".join(v.files) for v in views)])))},
            key="dd20_hist")
        told = [v for v in views if reasons[v.id]]
        if told:
            with st.expander(tr("dd20.history.reasons", n=len(told)), icon=":material/notes:"):
                for v in told:
                    st.text(tr("dd20.history.reason_line", id=v.id, at=_bj(v.at, "%Y-%m-%d %H:%M"),
                            files=", ".join(v.files), reason=reasons[v.id]))  # plain text, wrapped
        again = [v for v in views if v.can_reingest]
        if can_run and again:
            pick = st.selectbox(tr("dd20.history.pick"), [v.id for v in again], key="dd20_reingest_pick",
                                format_func=lambda i: next(f"#{v.id} {v.model} {_cycle(v.cycle)} · {', '.join(v.files)}"
                                                           for v in again if v.id == i))
            if st.button(tr("dd20.history.reingest"), key="dd20_reingest"):
                try:
                    with st.spinner(tr("dd20.history.reingest")):
                        out = uploads.reingest_run(db, actor, pick)
                except ForecastingError as exc:
                    st.error(tr("dd20.refused", reason=error_text(exc)), icon=":material/block:")
                else:
                    verb = tr("dd20.status.replaced" if out.replaced else "dd20.status.stored")
                    st.success(tr("dd20.run.done", verb=verb, model=out.model, cycle=_cycle(out.cycle),
                                  hours=out.n_times, variables=out.n_variables, values=out.n_values))
