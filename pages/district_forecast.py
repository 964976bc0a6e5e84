"""District forecast: the last 14 days and the next 7 of one district and pollutant: observations,
raw models, the corrected (suggested) forecast with its interval over AQI colour bands; daily AQI
cards of the guidance; the skill of each correction method and which one is in use, and why."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import altair as alt
import pandas as pd
import streamlit as st

from forecasting import datastore
from forecasting.aqi import edition_for
from forecasting.guidance import OUTLOOK, SUGGESTED, guidance_for, guidance_series, latest_issue_date, model_guidance_ends
from forecasting.training import active_corrections
from forecasting.vocab import BEIJING, POLLUTANT_TEXT, POLLUTANTS, unit_of
from forecasting.zone import list_districts
from ui import state
from ui.aqi import range_badge_html
from ui.charts import (ENSEMBLE_COLOUR, MODEL_COLOURS, MODEL_WIDTH, OBS_COLOUR, OBS_WIDTH, SUGGESTED_WIDTH,
                       aqi_bands, model_colours)
from ui.consultation import day_columns, text_width
from ui.i18n import correction_reason, join, paren, tr
from ui.skill import skill_frame

LABELS = POLLUTANT_TEXT  # pollutants as people write them (forecasting.vocab)

actor = state.require_actor()
db = state.database()
lang = state.language()
st.title(tr("dfc.title"))

districts = list_districts(db)
codes = [d.adcode for d in districts]
names = {d.adcode: d.name(lang) for d in districts}
c1, c2, c3 = st.columns([2, 2, 3])
district = c1.selectbox(tr("dfc.district"), codes, format_func=names.get, key="dfc_district",
                        index=codes.index(actor.district) if actor.district in codes else 0)
pollutant = c2.selectbox(tr("guid.pollutant"), POLLUTANTS, format_func=LABELS.get, key="dfc_pollutant")
today = datetime.now(BEIJING).date()

latest = latest_issue_date(db, on_or_before=today)  # normally today
if latest is None:
    st.info(tr("dfc.no_guidance"))
    st.stop()
guidance = guidance_for(db, latest, district=district)
c3.markdown(f"**{tr('dfc.issue_date', date=latest.isoformat())}**")
if latest < today:
    c3.warning(tr("dfc.stale", date=latest.isoformat()))

# -- daily AQI cards of the suggested guidance ------------------------------------------------
st.subheader(tr("dfc.daily_cards"))
# one card a day: the model guidance where it has an AQI, else the outlook past the models' reach, else the
# guidance that says why it has none (a day a run reached for a few hours had two cards: "too few hours" and
# the outlook)
by_day: dict = {}
for g in sorted((g for g in guidance if g.method in (SUGGESTED, OUTLOOK) and g.target_date > latest),
                key=lambda g: (g.target_date, g.aqi_lo is None, g.outlook)):
    by_day.setdefault(g.target_date, g)
suggested = [by_day[day] for day in sorted(by_day)]
ends = model_guidance_ends([g for g in guidance if g.method == SUGGESTED], district)
if ends is not None:
    n_days = max((g.lead_day for g in suggested), default=0)
    if any(g.outlook for g in suggested):
        st.info(tr("dfc13.model_ends", date=ends.isoformat(), n=(ends - latest).days))
    else:
        st.caption(tr("dfc13.model_ends_all", n=n_days))
cols = day_columns(max(len(suggested), 1), key="dfc_day_cards")
for col, g in zip(cols, suggested):
    with col.container(border=True):
        # the day and its date on two lines: seven cards side by side on a 1366-1440 px screen broke "12-08"
        # after its hyphen (a tour)
        head = f"**{tr('dfc.lead', n=g.lead_day)}**  \n{g.target_date:%m-%d}"
        st.markdown(head + (f" :orange-badge[{tr('dfc13.outlook_badge')}]" if g.outlook else ""))
        if g.aqi_lo is None:
            st.caption(tr("dfc.no_aqi"))
            continue
        levels = tuple(range(g.level_lo, g.level_hi + 1))
        st.markdown(range_badge_html(SimpleNamespace(lo=g.aqi_lo, hi=g.aqi_hi, levels=levels, edition=g.edition),
                                     lang=lang, compact=True), unsafe_allow_html=True)
        prim = join(LABELS.get(p, p) for p in g.primary) if g.primary else tr("common.none")
        st.caption(tr("dfc.primary", p=prim))
        if g.p_over_100 is not None:
            st.caption(tr("dfc13.p100", p=f"{100 * g.p_over_100:.0f}%") + " · "
                       + tr("dfc13.p200", p=f"{100 * (g.p_over_200 or 0):.0f}%"))
        if g.aqi_q10 is not None and g.aqi_q90 is not None:
            # a word joiner on each side of the dash: a narrow card broke "68–130" after the dash (a tour)
            st.caption(tr("dfc13.quantiles", lo=f"{g.aqi_q10:.0f}\u2060", hi=f"\u2060{g.aqi_q90:.0f}",
                          mid=f"{g.aqi_q50:.0f}"))
        elif g.p_over_100 is None:  # a new installation: the calibration has too little history yet
            st.caption(tr("dfc13.no_probability"))
        if g.outlook:
            st.caption(tr("dfc13.outlook_note"))
trained = [g.trained_until for g in guidance if g.method == SUGGESTED and g.trained_until is not None]
if trained:
    st.caption(tr("dfc13.trained_until",
                  when=pd.Timestamp(max(trained)).tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")))

# -- hourly chart: 14 days back, 7 ahead --------------------------------------------------------
st.subheader(tr("dfc.chart_title", p=LABELS[pollutant], unit=unit_of(pollutant)))
past_dates = [latest - timedelta(days=k) for k in range(1, 15)]
series = guidance_series(db, district=district, pollutant=pollutant, issue_dates=[latest, *past_dates])
obs = datastore.observation_frame(db, district=district,
                                  since=(pd.Timestamp(latest, tz=BEIJING) - pd.Timedelta(days=14)).to_pydatetime())
obs = obs[obs["pollutant"] == pollutant]
frames = []
if len(obs):
    frames.append(pd.DataFrame({"time": obs["time"], "value": obs["value"], "series": tr("guid.observed")}))
ahead = series[series["issue_date"] == latest]
for model, part in ahead[ahead["method"] == "raw"].groupby("model"):
    frames.append(pd.DataFrame({"time": part["valid_time"], "value": part["central"],
                                "series": tr("dfc.raw", model=model)}))
# the past: each day's D+1 suggested forecast (issued the day before), then the newest issue
past = series[(series["method"] == SUGGESTED) & (series["issue_date"] != latest)].copy()
if len(past):
    day = past["valid_time"].dt.tz_convert(BEIJING).dt.date
    past = past[(day - past["issue_date"]).map(lambda d: d.days) == 1]
corrected = pd.concat([past, ahead[ahead["method"] == SUGGESTED]], ignore_index=True)
band = corrected.rename(columns={"valid_time": "time"})
if len(corrected):
    frames.append(pd.DataFrame({"time": corrected["valid_time"], "value": corrected["central"],
                                "series": tr("dfc.corrected")}))
lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["time", "value", "series"])
# one colour per model, as on the model guidance page (by every model the database has); the observation
# black and the thickest line, the suggested forecast in the suggestion's purple (a tour read a pink
# observation thinner than the models, and CAMS blue here but another colour on the guidance page)
palette = model_colours(datastore.model_names(db))
colours = {tr("guid.observed"): OBS_COLOUR, tr("dfc.corrected"): ENSEMBLE_COLOUR,
           **{tr("dfc.raw", model=m): palette.get(m, MODEL_COLOURS[-1])
              for m in sorted(ahead.loc[ahead["method"] == "raw", "model"].unique())}}
widths = {name: OBS_WIDTH if name == tr("guid.observed") else SUGGESTED_WIDTH if name == tr("dfc.corrected")
          else MODEL_WIDTH for name in colours}
for f in (lines, band):
    if len(f):
        f["time"] = pd.DatetimeIndex(f["time"]).tz_convert(BEIJING).tz_localize(None)
if len(lines):
    ymax = float(pd.to_numeric(pd.concat([lines["value"], band.get("upper", pd.Series(dtype=float))]),
                               errors="coerce").max() or 100) * 1.1
    edition = edition_for(latest)
    layers = [aqi_bands(pollutant, ymax, edition=edition, lang=lang)]
    if len(band):
        layers.append(alt.Chart(band).mark_area(opacity=0.25, color="#555").encode(
            x=alt.X("time:T"), y=alt.Y("lower:Q"), y2=alt.Y2("upper:Q"),
            tooltip=[alt.Tooltip("time:T", format="%m-%d %H:%M"), alt.Tooltip("lower:Q", format=".0f"),
                     alt.Tooltip("upper:Q", format=".0f")]))
    layers.append(alt.Chart(lines).mark_line().encode(
        x=alt.X("time:T", title=None),
        y=alt.Y("value:Q", title=paren(LABELS[pollutant], unit_of(pollutant)), scale=alt.Scale(domain=[0, ymax])),
        # fixed colours by role (they followed the sorted names: the two key lines were two blues in English)
        # the legend below the chart: at the right it took 45 % of a phone's width from a 14-day history
        color=alt.Color("series:N", title=None,
                        legend=alt.Legend(labelLimit=0, orient="bottom", direction="horizontal", columns=2),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        strokeWidth=alt.StrokeWidth("series:N", legend=None,
                                    scale=alt.Scale(domain=list(widths), range=list(widths.values()))),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"),
                 alt.Tooltip("value:Q", format=".1f")]))
    now_rule = alt.Chart(pd.DataFrame({"t": [pd.Timestamp(datetime.now(BEIJING)).tz_localize(None)]})).mark_rule(
        strokeDash=[4, 4], color="black").encode(x=alt.X("t:T"))
    layers.append(now_rule)
    if len(ahead):  # where model guidance ends: the last hour any model of the newest issue reaches
        reach = pd.Timestamp(ahead["valid_time"].max()).tz_convert(BEIJING).tz_localize(None)
        layers.append(alt.Chart(pd.DataFrame({"t": [reach]})).mark_rule(strokeDash=[1, 3], color="#b45309",
                                                                        size=2).encode(x=alt.X("t:T")))
    chart = alt.layer(*layers).resolve_scale(color="independent").properties(height=340)
    st.altair_chart(chart.configure_axisX(format="%m-%d" if lang == "zh" else "%b %d"), width="stretch")
    st.caption(tr("dfc.chart_caption"))  # one caption for the band (a tour read it explained twice)

# -- skill of the methods and the one in use ----------------------------------------------------
st.subheader(tr("dfc.skill_title"))
info = [c for c in active_corrections(db, district=district) if c.pollutant == pollutant]
if not info:
    st.info(tr("dfc.no_training"))
else:
    c = info[0]
    skill = skill_frame(c.scores, c.method, lang)
    coverage_head = skill.columns[-1]
    config = {col: st.column_config.TextColumn(width=text_width([col, *skill[col]]), alignment="left" if k == 0 else "right")
              for k, col in enumerate(skill.columns[:-1])}
    config[coverage_head] = st.column_config.NumberColumn(format="%.0f%%", help=tr("dfc.coverage_help"),
                                                          width=text_width([coverage_head]))
    st.dataframe(skill, hide_index=True, placeholder="—", column_config=config)
    st.caption(tr("dfc.skill_cells"))
    st.markdown(tr("dfc.in_use", method=tr(f"method.{c.method}")))
    st.caption(tr("dfc.why", reason=correction_reason(c.reason), when=pd.Timestamp(c.trained_at).tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")))
    # the PIT histogram of the method in use at D+1: where the observations fell in its forecast distributions
    pit = ((c.scores.get(c.method) or {}).get("D+1") or {}).get("pit10")
    if pit:
        bars = pd.DataFrame({"tenth": [f"{k / 10:.1f}–{(k + 1) / 10:.1f}" for k in range(10)],
                             "share": [100.0 * f for f in pit]})
        top = max(25.0, max(bars["share"]) * 1.1)
        x = alt.X("tenth:N", sort=None, title=tr("dfc.pit_x"), axis=alt.Axis(labelAngle=0))
        y = alt.Y("share:Q", title=tr("dfc.pit_y"), scale=alt.Scale(domain=[0, top]))
        tooltip = [alt.Tooltip("tenth:N", title=tr("dfc.pit_x")),
                   alt.Tooltip("share:Q", title=tr("dfc.pit_y"), format=".1f")]
        flat = alt.Chart(pd.DataFrame({"share": [10.0]})).mark_rule(strokeDash=[4, 4], color="black").encode(
            y="share:Q")  # a calibrated forecast: 10 % in every tenth
        st.markdown(f"**{tr('dfc.pit_title', method=tr(f'method.{c.method}'))}**")
        bars_chart = alt.Chart(bars).mark_bar(color=ENSEMBLE_COLOUR).encode(x=x, y=y, tooltip=tooltip)
        st.altair_chart(alt.layer(bars_chart, flat).properties(height=200), width="stretch")
        st.caption(tr("dfc.pit_caption"))
