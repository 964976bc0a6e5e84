"""Verification (预报检验): how good were the issued forecasts, the corrected guidance, the raw models
and persistence, on the same days. Headline cards, rolling trends, scores by breakdown, value added,
the worst misses with their consultation notes, CSV export. For managers and forecasters."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from forecasting import verification as v
from forecasting.aqi import POLLUTANT_LABELS
from forecasting.consultation import beijing_today
from forecasting.errors import ForecastingError
from ui import state
from ui.consultation import notes_list
from ui.i18n import error_text, tr

CARDS = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "csi_100", "rmse", "composite")
HEADS = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "rmse", "composite")
PERCENT = {"range_hit_rate", "level_hit_rate", "primary_accuracy", "csi_100", "pod_100", "far_100", "csi_200",
           "pod_200", "far_200", "nmb", "nme"}

actor = state.require_actor()
db = state.database()
lang = state.language()

st.title(tr("verif.title"))
st.caption(tr("verif.intro"))


def source_name(label: str) -> str:
    source, _, model = label.partition(":")
    if model:
        return tr(f"verif.source.{source}", model=model)
    return tr(f"verif.source.{source}") if source in ("issued", "ensemble", "persistence") else label


def district_name(adcode: str) -> str:
    return tr(f"district.{adcode}")


def pollutants(primary) -> str:
    return "、".join(POLLUTANT_LABELS.get(p, p) for p in primary) if primary else tr("common.none")


def fmt(score: str, value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{100 * value:.0f} %" if score in PERCENT else f"{value:.1f}"


# -- controls ---------------------------------------------------------------------------------------
yesterday = beijing_today() - timedelta(days=1)
st.session_state.setdefault("verif_to", yesterday)
st.session_state.setdefault("verif_from", yesterday - timedelta(days=29))
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
first = c1.date_input(tr("verif.from"), key="verif_from")
last = c2.date_input(tr("verif.to"), key="verif_to")
lead_options = [0, 1, 2, 3, 4, 5, 6, 7]
lead = c3.selectbox(tr("verif.lead"), lead_options, index=1, key="verif_lead",
                    format_func=lambda n: tr("verif.all_leads") if n == 0 else tr("verif.lead_n", n=n))
breakdown = c4.selectbox(tr("verif.breakdown"), list(v.BREAKDOWNS), key="verif_by",
                         format_func=lambda b: tr(f"verif.by.{b}"))
with st.expander(tr("verif.event_rule") + " · " + tr("verif.weights")):
    rule = st.radio(tr("verif.event_rule"), list(v.EVENT_RULES), key="verif_rule", horizontal=True,
                    format_func=lambda r: tr(f"verif.rule.{r}"))
    weights_text = st.text_input(tr("verif.weights"), value="0.2,0.5,0.3", key="verif_weights")

window = st.session_state.get("verif_window", 30)
try:
    weights = v.CompositeWeights.parse(weights_text)
    # the trend needs the `window` days before the period too; everything else uses the period only
    report = v.verify(db, first, last, event_rule=rule, weights=weights)
    history = v.verify(db, first - timedelta(days=window - 1), last, event_rule=rule, weights=weights)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()

if report.pairs.empty or not report.pairs["obs_aqi"].notna().any():
    st.info(tr("verif.no_data"))
    st.stop()
if not report.has_issued:
    st.info(tr("verif.no_issued"), icon=":material/info:")

pairs = report.pairs if lead == 0 else report.pairs[report.pairs["lead_day"] == lead]
lead_text = tr("verif.all_leads") if lead == 0 else tr("verif.lead_n", n=lead)

# -- headline cards -----------------------------------------------------------------------------------
whole = v.score_table(pairs, by=["label"], event_rule=rule, weights=weights)
added = v.value_added(whole, by=[]).set_index("score") if len(whole) else pd.DataFrame()
main_label = "issued" if report.has_issued else "ensemble"
st.subheader(tr("verif.headline" if report.has_issued else "verif.headline_objective", lead=lead_text))
mine = whole.set_index("label").loc[main_label] if main_label in set(whole["label"]) else None
cols = [c for _ in range(2) for c in st.columns(3)]
for col, score in zip(cols, CARDS):
    value = None if mine is None else mine[score]
    delta, help_text = None, None
    if report.has_issued and score in added.index and pd.notna(added.loc[score, "value_added"]):
        va = added.loc[score, "value_added"]
        delta = f"{100 * va:+.0f} %" if score in PERCENT else f"{va:+.1f}"
        help_text = tr("verif.delta_help", label=source_name(added.loc[score, "best_label"]))
    col.metric(tr(f"verif.card.{score}"), fmt(score, value), delta=delta, help=help_text,
               delta_color="inverse" if score == "rmse" else "normal", border=True)
st.caption(tr("verif.n_days", n=int(mine["n"]) if mine is not None else 0) + " · " + tr("verif.rules_caption"))

# -- trends -------------------------------------------------------------------------------------------
t1, t2, t3 = st.columns([1, 2, 3])
window = t1.radio(tr("verif.window"), [30, 90], key="verif_window", horizontal=True)
trend_score = t2.selectbox(tr("verif.trend_score"), ["range_hit_rate", "level_hit_rate", "rmse", "composite"],
                           key="verif_trend_score", format_func=lambda s: tr(f"verif.card.{s}"))
labels = report.labels
default = [x for x in labels if x in ("issued", "ensemble", "persistence")] or labels[:3]
chosen = t3.multiselect(tr("verif.trend_sources"), labels, default=default, key="verif_trend_sources",
                        format_func=source_name)
st.subheader(tr("verif.trend", window=window))
trend_pairs = history.pairs if lead == 0 else history.pairs[history.pairs["lead_day"] == lead]
roll = v.rolling_scores(trend_pairs[trend_pairs["label"].isin(chosen)], window=window, columns=[trend_score],
                        event_rule=rule, weights=weights)
roll = roll[roll["date"] >= first] if len(roll) else roll
if len(roll):
    roll["source"] = roll["label"].map(source_name)
    roll["date"] = pd.to_datetime(roll["date"].astype(str))
    chart = alt.Chart(roll).mark_line(point=True).encode(
        x=alt.X("date:T", title=None,
                axis=alt.Axis(format="%m-%d", labelOverlap=True,
                              tickCount={"interval": "day", "step": max(1, (last - first).days // 10)})),
        y=alt.Y(f"{trend_score}:Q", title=tr(f"verif.card.{trend_score}"),
                axis=alt.Axis(format="%" if trend_score in PERCENT else "")),
        color=alt.Color("source:N", title=None),
        tooltip=[alt.Tooltip("source:N"), alt.Tooltip("date:T", format="%Y-%m-%d"), alt.Tooltip("n:Q"),
                 alt.Tooltip(f"{trend_score}:Q", format=".2f")],
    ).properties(height=300)
    st.altair_chart(chart, width="stretch")
    st.caption(tr("verif.trend_caption", window=window))

# -- scores by breakdown, value added -----------------------------------------------------------------------
st.subheader(tr("verif.scores"))
by = [breakdown] if breakdown != "lead_day" or lead == 0 else ["lead_day"]
table = v.score_table(pairs, by=["label", *by], event_rule=rule, weights=weights)
shown = table.copy()
shown.insert(0, "source", shown.pop("label").map(source_name))
if "district" in shown:
    shown["district"] = shown["district"].map(district_name)
config = {c: st.column_config.NumberColumn(tr(f"verif.head.{c}") if c in HEADS else c, format="%.2f") for c in
          ("range_hit_rate", "level_hit_rate", "primary_accuracy", "mb", "nmb", "nme", "rmse", "r", "pod_100",
           "far_100", "csi_100", "pod_200", "far_200", "csi_200", "composite")}
config.update({c: st.column_config.Column(tr(f"verif.head.{c}")) for c in ("source", "n", "n_primary", *v.BREAKDOWNS)})
st.dataframe(shown, hide_index=True, width="stretch", key="verif_scores", column_config=config)
d1, d2 = st.columns(2)
d1.download_button(tr("verif.download_scores"), v.to_csv(table), file_name=f"verification_{first}_{last}.csv",
                   mime="text/csv", key="verif_dl_scores", icon=":material/download:")
d2.download_button(tr("verif.download_pairs"),
                   v.to_csv(pairs.drop(columns=["range_hit", "level_hit", "primary_hit"])),
                   file_name=f"verification_pairs_{first}_{last}.csv", mime="text/csv", key="verif_dl_pairs",
                   icon=":material/download:")

if report.has_issued:
    st.subheader(tr("verif.value_added"))
    va = v.value_added(table, by=by)
    va["best_label"] = va["best_label"].map(lambda x: source_name(x) if x else "—")
    if "district" in va:
        va["district"] = va["district"].map(district_name)
    va["score"] = va["score"].map(lambda s: tr(f"verif.card.{s}"))
    va_config = {c: st.column_config.NumberColumn(tr(f"verif.head.{c}"), format="%.3f")
                 for c in ("issued", "best", "value_added")}
    va_config.update({c: st.column_config.Column(tr(f"verif.head.{c}"))
                      for c in ("score", "best_label", *v.BREAKDOWNS)})
    st.dataframe(va, hide_index=True, width="stretch", key="verif_value_added", column_config=va_config)
    st.caption(tr("verif.value_added_caption"))

# -- worst misses and their notes -----------------------------------------------------------------------------
st.subheader(tr("verif.worst"))
worst = report.worst_misses(len(report.pairs))
worst = (worst if lead == 0 else worst[worst["lead_day"] == lead]).head(20).reset_index(drop=True)
if worst.empty:
    st.caption(tr("verif.no_misses"))
else:
    st.dataframe(pd.DataFrame({
        tr("verif.col.issue_date"): worst["issue_date"].astype(str),
        tr("verif.col.district"): worst["district"].map(district_name),
        tr("verif.col.target_date"): worst["target_date"].astype(str),
        tr("verif.col.lead_day"): worst["lead_day"],
        tr("verif.col.forecast"): [f"{lo}-{hi}" for lo, hi in zip(worst["aqi_lo"], worst["aqi_hi"])],
        tr("verif.col.observed"): worst["obs_aqi"].round(0),
        tr("verif.col.error"): worst["error"].round(1),
        tr("verif.col.level_distance"): worst["level_distance"],
        tr("verif.col.primary"): worst["primary"].map(pollutants),
        tr("verif.col.obs_primary"): worst["obs_primary"].map(pollutants),
        tr("verif.col.duty_chief"): worst["duty_chief"],
    }), hide_index=True, width="stretch", key="verif_worst")
    items = list(range(len(worst)))

    def miss_text(i: int) -> str:
        r = worst.iloc[i]
        return tr("verif.worst_item", issue=r["issue_date"], district=district_name(r["district"]),
                  target=r["target_date"], lead=tr("verif.lead_n", n=int(r["lead_day"])), lo=r["aqi_lo"],
                  hi=r["aqi_hi"], obs=f"{r['obs_aqi']:.0f}")

    pick = st.selectbox(tr("verif.worst_pick"), items, format_func=miss_text, key="verif_miss")
    row = worst.iloc[pick]
    with st.container(border=True):
        st.caption(tr("verif.session_line", issue=row["issue_date"], revision=row["revision"],
                      signed=row["signed_by"] or "—", chief=row["duty_chief"] or "—"))
        notes_list(v.session_notes(db, row["issue_date"]))
        if st.button(tr("verif.open_room"), key="verif_open_room", icon=":material/forum:"):
            st.session_state["room_issue_date"] = row["issue_date"]
            st.switch_page("pages/consultation_room.py")
