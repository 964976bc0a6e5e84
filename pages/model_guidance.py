"""Model guidance: a model run's field as a map with district outlines, and per district a
meteogram of every model for the same cycle (with observations when there are some)."""

from __future__ import annotations

import os
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import streamlit as st

from forecasting import datastore
from forecasting.errors import ForecastingError
from forecasting.zone import list_districts
from ui import state
from ui.charts import field_map, meteogram
from ui.i18n import error_text, tr

BEIJING = ZoneInfo("Asia/Shanghai")
POLLUTANTS = ["pm25", "o3", "pm10", "no2", "so2", "co"]
LABELS = {"pm25": "PM2.5", "pm10": "PM10", "o3": "O₃", "no2": "NO₂", "so2": "SO₂", "co": "CO"}

state.require_actor()
db = state.database()
lang = state.language()
st.title(tr("guid.title"))
st.caption(tr("guid.caption"))

runs = datastore.list_runs(db)
if not runs:
    st.info(tr("guid.no_runs"))
    st.stop()


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _field(files: tuple[str, ...], mtimes: tuple[float, ...], model: str, variable: str, step: int) -> pd.DataFrame:
    """One time step of one variable as ``lon lat value`` (cached by file identity, not by user)."""
    from forecasting.grids import open_grid

    grid = open_grid(list(files), model=model)
    da = grid[variable].isel(time=step)
    return pd.DataFrame({"lon": grid["lon"].values.ravel(), "lat": grid["lat"].values.ravel(),
                         "value": np.asarray(da.values, float).ravel()}).dropna()


models = sorted({r.model for r in runs})
c1, c2, c3 = st.columns([2, 2, 2])
model = c1.selectbox(tr("guid.model"), models, key="guid_model")
model_runs = [r for r in runs if r.model == model]
cycle = c2.selectbox(tr("guid.cycle"), [r.cycle for r in model_runs], key="guid_cycle",
                     format_func=lambda c: c.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + f" ({c:%H}Z)")
pollutant = c3.selectbox(tr("guid.pollutant"), POLLUTANTS, format_func=LABELS.get, key="guid_pollutant")
run = next(r for r in model_runs if r.cycle == cycle)
st.caption(tr("guid.provenance", format=run.format, level=run.level, n=run.n_times,
              synthetic=tr("guid.synthetic") if run.synthetic else ""))

series = datastore.forecast_frame(db, cycle_since=cycle, cycle_until=cycle)
series = series[series["variable"] == pollutant]
times = sorted(series.loc[series["model"] == model, "valid_time"].unique())

map_col, chart_col = st.columns([3, 2])
with map_col:
    if times:
        step = st.slider(tr("guid.time"), 0, len(times) - 1, 0, key="guid_step",
                         format="%d h")
        when = pd.Timestamp(times[step]).tz_convert(BEIJING)
        st.markdown(f"**{LABELS[pollutant]} · {when:%Y-%m-%d %H:00} ({tr('common.beijing_time')}) · "
                    f"{tr('guid.lead', h=step + 1)}**")
    run_files = [f for f in datastore.run_files(db, run.id) if os.path.exists(f)]
    if not run_files:
        st.info(tr("guid.no_files"))
    elif times:
        try:
            cells = _field(tuple(run_files), tuple(os.path.getmtime(f) for f in run_files), model, pollutant, step)
        except (ForecastingError, KeyError, IndexError) as exc:
            st.warning(error_text(exc) if isinstance(exc, ForecastingError) else tr("guid.no_variable"))
        else:
            st.altair_chart(field_map(cells, pollutant, lang=lang), width="stretch")

with chart_col:
    obs = datastore.observation_frame(db, since=cycle - timedelta(hours=24), until=cycle + timedelta(hours=168))
    observed = tr("guid.observed")
    for d in list_districts(db):
        rows = series[series["district"] == d.adcode][["valid_time", "value", "model"]].rename(
            columns={"valid_time": "time", "model": "series"})
        o = obs[(obs["district"] == d.adcode) & (obs["pollutant"] == pollutant)][["time", "value"]].assign(series=observed)
        frame = pd.concat([rows, o], ignore_index=True)
        if frame.empty:
            continue
        frame["time"] = pd.DatetimeIndex(frame["time"]).tz_convert(BEIJING).tz_localize(None)
        st.altair_chart(meteogram(frame, pollutant, lang=lang, title=d.name(lang), height=200), width="stretch")
