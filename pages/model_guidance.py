"""Model guidance: a model run's field as a forecaster's map (native resolution, offline basemap,
districts, stations, wind; zoom presets; play through lead hours) and per district a meteogram
of every model for the same cycle, observations first."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pandas as pd
import streamlit as st

from forecasting import datastore, mapdata
from forecasting.errors import ForecastingError
from forecasting.fieldmap import Station
from forecasting.guidance import guidance_series
from forecasting.vocab import BEIJING, POLLUTANTS
from forecasting.zone import list_districts
from ui import state
from ui.charts import meteogram, model_colours, pollutant_label
from ui.i18n import error_text, format_name, level_text, paren, tr


state.require_actor()
db = state.database()
lang = state.language()
st.title(tr("guid.title"))
st.caption(tr("guid.caption"))

runs = datastore.list_runs(db)
if not runs:
    st.info(tr("guid.no_runs"))
    st.stop()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _grid_times(files: tuple[str, ...], mtimes: tuple[float, ...], model: str) -> tuple[list, list]:
    """Valid times [UTC, hour-ending] and lead hours of a run's grid (cached by file identity)."""
    return mapdata.run_times(list(files), model)


@st.cache_data(max_entries=48, ttl=3600, show_spinner=False)
def _map_png(files: tuple[str, ...], mtimes: tuple[float, ...], model: str, variable: str, step: int, scale: str,
             zoom: str, lang: str, stations: tuple, title: str, subtitle: str) -> bytes:
    """One map as PNG (cached by file identity and view, never by user)."""
    return mapdata.run_map_png(list(files), model, variable, step, scale=scale, zoom=zoom, lang=lang,
                               stations=[Station(*s) for s in stations], title=title, subtitle=subtitle)


def _lead_label(lead: int, when: pd.Timestamp) -> str:
    local = when.tz_convert(BEIJING)
    return f"+{lead} h · {local:%m-%d %H:00}"


models = sorted({r.model for r in runs})
# the cycle's label ("2026-12-07 20:00 (12Z)") is the longest: in three equal columns it was cut to "(12Z" at
# 1024 px; model names and pollutants are short
c1, c2, c3 = st.columns([2, 3, 2])
model = c1.selectbox(tr("guid.model"), models, key="guid_model")
model_runs = [r for r in runs if r.model == model]
cycle = c2.selectbox(tr("guid.cycle"), [r.cycle for r in model_runs], key="guid_cycle",
                     format_func=lambda c: c.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + f" ({c:%H}Z)")
pollutant = c3.selectbox(tr("guid.pollutant"), POLLUTANTS, format_func=pollutant_label, key="guid_pollutant")
run = next(r for r in model_runs if r.cycle == cycle)
st.caption(tr("guid.provenance", format=format_name(run.format), level=level_text(run.level), n=run.n_times,
              synthetic=tr("guid.synthetic") if run.synthetic else ""))

series = datastore.forecast_frame(db, cycle_since=cycle, cycle_until=cycle)
series = series[series["variable"] == pollutant]
run_files = [f for f in datastore.run_files(db, run.id) if os.path.exists(f)]
mtimes = tuple(os.path.getmtime(f) for f in run_files)

# valid times (hour-ending, UTC) and their lead hours: from the grid when its files are here, else the series
grid_times: list = []
grid_leads: list = []
if run_files:
    try:
        grid_times, grid_leads = _grid_times(tuple(run_files), mtimes, model)
    except ForecastingError as exc:
        st.warning(error_text(exc))
if grid_times:
    times = grid_times
    leads = [h if h is not None else int(round((t - pd.Timestamp(cycle)).total_seconds() / 3600))
             for t, h in zip(grid_times, grid_leads)]
else:
    times = sorted(pd.Timestamp(t) for t in series.loc[series["model"] == model, "valid_time"].unique())
    leads = [int(round((t - pd.Timestamp(cycle)).total_seconds() / 3600)) for t in times]

st.subheader(tr("map17.heading"))
if times:
    v1, v2, v3 = st.columns([3, 3, 2])
    scale = v1.radio(tr("map17.scale"), ["category", "continuous"], horizontal=True, key="guid_scale",
                     format_func=lambda s: tr(f"map17.scale_{s}"))
    zoom = v2.radio(tr("map17.zoom"), ["zone", "yrd", "grid"], horizontal=True, key="guid_zoom",
                    format_func=lambda z: tr(f"map17.zoom_{z}"))
    playing = v3.toggle(tr("map17.play"), key="guid_play")
    if st.session_state.get("guid_step", -1) not in range(len(times)):
        # the map opens at the current hour (a tour's opened nine hours in the past, at the run's first hour);
        # an older run, all of it past, at its first hour
        now = pd.Timestamp.now(tz="UTC")
        st.session_state["guid_step"] = next((j for j, when in enumerate(times) if when >= now), 0)

    @st.fragment(run_every=1.5 if playing else None)
    def _map_view():
        if st.session_state.get("guid_play") and st.session_state.get("_guid_tick_seen"):
            st.session_state["guid_step"] = (int(st.session_state.get("guid_step", 0)) + 1) % len(times)
        st.session_state["_guid_tick_seen"] = bool(st.session_state.get("guid_play"))
        k = st.select_slider(tr("guid.time"), options=list(range(len(times))), key="guid_step",
                             format_func=lambda j: _lead_label(leads[j], pd.Timestamp(times[j])),
                             help=tr("map17.step_help"))
        st.caption(tr("map17.hour_ending"))
        when = pd.Timestamp(times[k])
        lead = leads[k]
        local = when.tz_convert(BEIJING)
        heading = (f"{pollutant_label(pollutant)} · {paren(f'{local:%Y-%m-%d %H:00}', tr('common.beijing_time'))} · "
                   f"{tr('guid.lead', h=lead)}")
        # the heading is the picture's own title (it goes with the picture when saved), not printed above it too
        if not run_files:
            st.info(tr("guid.no_files"))
            return
        try:
            stations, seen = mapdata.latest_station_aqi(db, at=min(when.to_pydatetime(), datetime.now(timezone.utc)))
            sub = tr("map17.subtitle", model=model, cycle=pd.Timestamp(cycle).tz_convert(BEIJING).strftime("%m-%d %H:%M"),
                     obs=(pd.Timestamp(seen).tz_convert(BEIJING).strftime("%m-%d %H:00") if seen else "—"))
            png = _map_png(tuple(run_files), mtimes, model, pollutant, k, scale, zoom, lang,
                           tuple((s.lon, s.lat, s.name, s.aqi) for s in stations), heading, sub)
        except (ForecastingError, KeyError, IndexError) as exc:
            st.warning(error_text(exc) if isinstance(exc, ForecastingError) else tr("guid.no_variable"))
        else:
            st.image(png, width="stretch", caption=tr("map17.caption"))

    _map_view()
else:
    st.info(tr("guid.no_files"))

# meteograms: observations first (black, on top), raw (dashed) and corrected (solid) per model,
# the 80 % band of the suggested correction, the cycle and "now"
st.subheader(tr("map17.meteograms"))
now_utc = datetime.now(timezone.utc)
obs = datastore.observation_frame(db, since=cycle - timedelta(hours=24), until=cycle + timedelta(hours=168))
all_models = datastore.forecast_frame(db, cycle_since=cycle, cycle_until=cycle)
all_models = all_models[all_models["variable"] == pollutant]
issue_date = pd.Timestamp(cycle).tz_convert(BEIJING).date()


def _naive(col) -> pd.Series:
    return pd.DatetimeIndex(pd.to_datetime(col, utc=True)).tz_convert(BEIJING).tz_localize(None)


observed = tr("guid.observed")
palette = model_colours(datastore.model_names(db))  # one colour per model, as on the district forecast page
cols = st.columns(3)
for i, d in enumerate(list_districts(db)):
    raw = all_models[all_models["district"] == d.adcode][["valid_time", "value", "model"]].rename(
        columns={"valid_time": "time"}).assign(kind="raw")
    raw["series"] = raw["model"] + " " + tr("map17.raw")
    o = obs[(obs["district"] == d.adcode) & (obs["pollutant"] == pollutant)][["time", "value"]].assign(
        series=observed, model=observed, kind="observed")
    corrected = pd.DataFrame(columns=["time", "value", "series", "model", "kind"])
    band = None
    g = guidance_series(db, district=d.adcode, pollutant=pollutant, issue_dates=[issue_date])
    if not g.empty:
        c = g[g["method"] == "corrected"]
        corrected = pd.DataFrame({"time": c["valid_time"], "value": c["central"], "model": c["model"],
                                  "series": c["model"] + " " + tr("map17.corrected"), "kind": "corrected"})
        e = g[g["method"] == "ensemble"].sort_values("valid_time")
        if not e.empty:
            corrected = pd.concat([corrected, pd.DataFrame({
                "time": e["valid_time"], "value": e["central"], "series": tr("guid.suggested"),
                "model": tr("guid.suggested"), "kind": "ensemble"})], ignore_index=True)
            if e["lower"].notna().any():
                band = pd.DataFrame({"time": _naive(e["valid_time"]), "lower": e["lower"].to_numpy(float),
                                     "upper": e["upper"].to_numpy(float)})
    frame = pd.concat([raw, corrected, o], ignore_index=True)
    if frame.empty:
        continue
    frame["time"] = _naive(frame["time"])
    chart = meteogram(frame, pollutant, lang=lang, title=d.name(lang), height=360,
                      now=pd.Timestamp(now_utc).tz_convert(BEIJING).tz_localize(None),
                      issued=pd.Timestamp(cycle).tz_convert(BEIJING).tz_localize(None), band=band,
                      band_label=tr("map17.band"), colours=palette)
    with cols[i % 3]:
        st.altair_chart(chart, width="stretch")
st.caption(tr("map17.meteogram_caption"))
