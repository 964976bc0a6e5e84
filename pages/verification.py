"""Verification (预报检验): how good were the issued forecasts, the corrected guidance, the raw models
and persistence, on the same days. Headline cards, rolling trends, scores by breakdown, value added,
the worst misses with their consultation notes, CSV export. For managers and forecasters."""

from __future__ import annotations

import math

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from forecasting import audit
from forecasting import verification as v
from forecasting.vocab import POLLUTANT_TEXT
from forecasting.consultation import beijing_today
from forecasting.errors import ForecastingError
from forecasting.i18n import signed, unbroken_ranges
from forecasting.store.db import get_database
from ui import state
from ui.charts import reliability_chart
from ui.consultation import header_width, notes_list
from ui.i18n import error_text, join, tr

#: Line colours of the trend chart, one per source in the page's source order (Vega's "tableau10").
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac")
CARDS = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "csi_100", "rmse", "composite")
#: The worst misses listed, and the most rows of the scores table shown without scrolling inside it.
WORST_SHOWN, SCORE_ROWS_IN_SIGHT = 20, 30
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
    return join(POLLUTANT_TEXT.get(p, p) for p in primary) if primary else tr("common.none")


def fmt(score: str, value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{100 * value:.0f} %" if score in PERCENT else f"{value:.1f}"


# -- controls ---------------------------------------------------------------------------------------
yesterday = beijing_today() - timedelta(days=1)
st.session_state.setdefault("verif_to", yesterday)
st.session_state.setdefault("verif_from", yesterday - timedelta(days=29))


def use_preset(name: str) -> None:
    """One click: the preset's dates go into the date inputs before they are drawn (issue #18)."""
    st.session_state["verif_from"], st.session_state["verif_to"] = v.preset_period(name, beijing_today())
    st.session_state["verif_preset"] = name


# one row that wraps (columns stacked the six buttons on a phone: a screen of buttons before the answer)
preset_row = st.container(horizontal=True, wrap=True)
for name in v.PRESETS:
    preset_row.button(tr(f"verif18.preset.{name}"), key=f"verif_preset_{name}", on_click=use_preset, args=(name,),
               width="stretch", type="primary" if st.session_state.get("verif_preset") == name else "secondary")
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
first = c1.date_input(tr("verif.from"), key="verif_from")
last = c2.date_input(tr("verif.to"), key="verif_to")
preset = st.session_state.get("verif_preset")
if preset and (first, last) != v.preset_period(preset, beijing_today()):
    preset = None
lead_options = [0, 1, 2, 3, 4, 5, 6, 7]
lead = c3.selectbox(tr("verif.lead"), lead_options, index=1, key="verif_lead",
                    format_func=lambda n: tr("verif.all_leads") if n == 0 else tr("verif.lead_n", n=n))
breakdown = c4.selectbox(tr("verif.breakdown"), list(v.BREAKDOWNS), key="verif_by",
                         format_func=lambda b: tr(f"verif.by.{b}"))
with st.expander(tr("verif.event_rule") + " · " + tr("verif.weights")):
    rule = st.radio(tr("verif.event_rule"), list(v.EVENT_RULES), key="verif_rule", horizontal=True,
                    format_func=lambda r: tr(f"verif.rule.{r}"))
    weights_text = st.text_input(tr("verif.weights"), value="0.2,0.5,0.3", key="verif_weights")



# -- the scores, computed once per period and state of the data --------------------------------------------
# Every widget on this page reruns it; verifying a month and its summary took 3.3-3.9 s on the demo world
# each time (the lead day or the breakdown changed nothing they depend on). They depend on the period, the
# rules and the stored data only, so they are cached on those, the data by the newest audit row's id (every
# service write adds one: a new issue, observation import or rota change computes afresh). Public to every
# user of the page, like the data; the ttl bounds how long any cache entry lives.


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _verified(database_url: str, first, last, rule: str, weights_text: str, data_version: int):
    return v.verify(get_database(database_url), first, last, event_rule=rule,
                    weights=v.CompositeWeights.parse(weights_text))


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _summary_pairs(database_url: str, first, last, data_version: int):
    return v.summary_pairs(get_database(database_url), first, last)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _summary(database_url: str, first, last, lead_day: int | None, data_version: int):
    return v.summarize(_summary_pairs(database_url, first, last, data_version), first, last, lead_day=lead_day)


with db.read() as s:
    data_version = audit.latest_id(s)
window = st.session_state.get("verif_window", 30)
try:
    weights = v.CompositeWeights.parse(weights_text)  # a bad weight is a message (never cached)
    # the trend needs the `window` days before the period too; everything else uses the period only
    # a few seconds for a quarter or a year: say so under the controls (the page looked empty meanwhile)
    with st.spinner(tr("verif.computing", first=first, last=last)):
        report = _verified(str(db.url), first, last, rule, weights_text, data_version)
        history = _verified(str(db.url), first - timedelta(days=window - 1), last, rule, weights_text, data_version)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()

# -- the monthly / annual assessment (issue #18) -------------------------------------------------------
def assessment_section() -> None:
    """The monthly / annual assessment reports: also under a period without data (it was hidden there)."""
    with st.expander(tr("assess18.section"), icon=":material/summarize:"):
        a1, a2, a3 = st.columns([1, 2, 2])
        kind = a1.radio(tr("assess18.section"), ["month", "year"], key="assess_kind", label_visibility="collapsed",
                        format_func=lambda k: tr(f"assess18.kind.{k}"))
        this_month = beijing_today().replace(day=1)
        months, y, m = [], this_month.year, this_month.month
        for _ in range(24):
            m -= 1
            if m == 0:
                y, m = y - 1, 12
            months.append(f"{y:04d}-{m:02d}")
        if kind == "month":
            chosen = a2.selectbox(tr("assess18.pick_month"), months, key="assess_month")
        else:
            chosen = str(a2.selectbox(tr("assess18.pick_year"), [this_month.year - k for k in range(5)],
                                      key="assess_year"))
        if a3.button(tr("assess18.generate"), key="assess_go", icon=":material/play_arrow:"):
            from forecasting import assessment

            try:
                kind_, a_first, a_last = assessment.parse_period(month=chosen if kind == "month" else None,
                                                                 year=chosen if kind == "year" else None)
                with st.spinner(tr("assess18.generate")):
                    result = assessment.assess(db, a_first, a_last, kind=kind_)
                    st.session_state["assess_files"] = {
                        "label": result.label, "html": assessment.to_html(result, lang).encode("utf-8"),
                        "csv": assessment.to_csv(result, lang), "pdf": assessment.to_pdf(result, lang)}
            except ForecastingError as exc:
                st.error(error_text(exc))
        files = st.session_state.get("assess_files")
        if files:
            b1, b2, b3 = st.columns(3)
            b1.download_button(tr("assess18.download_pdf"), files["pdf"], file_name=f"assessment-{files['label']}.pdf",
                               mime="application/pdf", key="assess_pdf", on_click="ignore")
            b2.download_button(tr("assess18.download_html"), files["html"],
                               file_name=f"assessment-{files['label']}.html", mime="text/html", key="assess_html",
                               on_click="ignore")
            b3.download_button(tr("assess18.download_csv"), files["csv"], file_name=f"assessment-{files['label']}.csv",
                               mime="text/csv", key="assess_csv", on_click="ignore")


if report.pairs.empty or not report.pairs["obs_aqi"].notna().any():
    st.info(tr("verif.no_data"))
    assessment_section()  # the reports of other months stay reachable
    st.stop()
if not report.has_issued:
    st.info(tr("verif.no_issued"), icon=":material/info:")

pairs = report.pairs if lead == 0 else report.pairs[report.pairs["lead_day"] == lead]
lead_text = tr("verif.all_leads") if lead == 0 else tr("verif.lead_n", n=lead)

# -- the answer (issue #18): one line, intervals, comparisons on the same cases ---------------------------
with st.spinner(tr("verif.computing", first=first, last=last)):
    summary = _summary(str(db.url), first, last, None if lead == 0 else lead, data_version)
period_name = tr(f"verif18.preset.{preset}") if preset else f"{first} – {last}"
# the headline names the lead day it counts (D+1 by default, the assessment report all of them together)
# the lead day is one piece ("（第" ended a line and "1 天）" began the next on a phone)
headline_period = tr("verif18.period_lead", period=period_name, lead=lead_text.replace(" ", "\u00a0"))
st.markdown("### " + unbroken_ranges(v.headline(summary, lang, period_name=headline_period)))
st.caption(tr("verif18.period_line", first=first, last=last, n=summary.n) + " · " + lead_text
           # the blocks behind the headline's interval, only when it gives one (never beside "未给区间")
           + (" · " + tr("verif18.blocks", blocks=summary.level.blocks)
              if summary.has_issued and math.isfinite(summary.level.lo) and math.isfinite(summary.level.hi) else ""))


def pct(x) -> str:
    """A rate or a skill score in per cent; a negative skill with the minus sign ("−45 %")."""
    return "—" if x is None or pd.isna(x) else f"{100 * x:.0f} %".replace("-", "\u2212")


def spct(x) -> str:
    """A difference of two rates in percentage points (the column header names the unit): "+48", "−4"."""
    return "—" if x is None or pd.isna(x) else signed(100 * x)


def interval(i, fmt) -> str:
    """ "（lo ~ hi）" (" (lo ~ hi)" in English) or nothing when there is no interval (fewer than three weekly
    blocks)."""
    return "" if pd.isna(i.lo) or pd.isna(i.hi) else tr("common.paren", text=f"{fmt(i.lo)} ~ {fmt(i.hi)}")


def ref_name(label: str) -> str:
    if label == summary.reference.get("label"):  # short: the table fits the page; the period is said below it
        return tr("verif18.ref.best", label=source_name(label))
    return tr(f"verif18.ref.{label}") if label in ("persistence", "climatology") else source_name(label)


if summary.has_issued:
    if not summary.reference.get("label"):
        st.caption(tr("verif18.ref.none"))
    rows = []
    for label, cmp_ in summary.comparisons.items():
        lv = cmp_["level_hit_rate"]
        # the two scores compared come first: a phone shows three columns, and with the cases second a
        # manager read the same "83 %" on every row, as if no reference differed
        rows.append({
            tr("verif18.col.reference"): ref_name(label),
            tr("verif18.col.issued_level"): pct(lv["issued"].value),
            tr("verif18.col.ref_level"): pct(lv["reference"].value),
            tr("verif18.col.delta_level"): spct(lv["difference"].value) + interval(lv["difference"], spct),
            tr("verif18.col.skill"): pct(cmp_["skill"].value) + interval(cmp_["skill"], pct),
            tr("verif18.col.cases"): cmp_["n"],
        })
    st.markdown(f"**{tr('verif18.compare')}**")
    # short headers (the table fits the page); what each difference means is in the header's tooltip
    st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="—", width="stretch", key="verif18_compare",
                 column_config={tr(f"verif18.col.{c}"): st.column_config.Column(help=tr(f"verif18.col.{c}_help"))
                                for c in ("delta_level", "skill")})
    best = summary.reference.get("label")
    st.caption((tr("verif18.ref.best_caption", label=source_name(best), first=summary.reference["first"],
                   last=summary.reference["last"]) + " " if best else "")
               + tr("verif18.delta_caption") + " " + tr("verif18.ci_caption"))

    def rate_chart(frame: pd.DataFrame, column: str, title: str, names) -> alt.Chart:
        f = frame.copy()
        f["name"] = [names(x) for x in f[column]]
        f["text"] = [pct(r) + tr("common.paren", text=str(int(n))) for r, n in zip(f["level_hit_rate"], f["n"])]
        f["pos"] = f["level_hi"].where(f["level_hi"].notna(), f["level_hit_rate"])  # label after the bar or interval
        # whole category names: the default label limit cut them ("Moderately pollut…")
        base = alt.Chart(f).encode(y=alt.Y("name:N", sort=list(f["name"]), title=None,
                                           axis=alt.Axis(labelLimit=0)))
        bars = base.mark_bar(color="#4c78a8").encode(
            # the same five ticks on every chart: a narrower one (long level names) dropped its "100%"
            x=alt.X("level_hit_rate:Q", title=tr("verif18.col.level"), scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1])),
            tooltip=[alt.Tooltip("name:N", title=title), alt.Tooltip("n:Q", title=tr("verif18.col.cases")),
                     alt.Tooltip("level_hit_rate:Q", format=".0%", title=tr("verif18.col.level")),
                     alt.Tooltip("level_lo:Q", format=".0%"), alt.Tooltip("level_hi:Q", format=".0%")])
        err = base.mark_rule(color="#222").encode(x=alt.X("level_lo:Q"), x2=alt.X2("level_hi:Q"))
        text = base.mark_text(align="left", dx=4, color="#222").encode(x=alt.X("pos:Q"), text=alt.Text("text:N"))
        return (bars + err + text).properties(height=max(90, 34 * len(f)), title=title)

    def show(col, chart, rows: int) -> None:
        col.altair_chart(chart, width="stretch", height=max(150, 40 * rows + 80))

    g1, g2, g3 = st.columns(3)
    ranking = summary.by_district.sort_values("level_hit_rate", ascending=False)
    show(g1, rate_chart(ranking, "district", tr("verif18.ranking"), district_name), len(ranking))
    show(g2, rate_chart(summary.by_class, "obs_class", tr("verif18.by_class"), lambda c: tr(f"verif18.class.{c}")),
         len(summary.by_class))
    show(g3, rate_chart(summary.by_lead, "lead_day", tr("verif18.by_lead"), lambda n: tr("verif18.lead_n", n=int(n))),
         len(summary.by_lead))
    st.caption(tr("verif18.event_rule_note"))
    # three reliability diagrams to a row under one heading, each titled by its source alone (seven sources, one
    # under another, were two screens of scrolling at 1366 px, and three of their titles were cut; a phone
    # stacks the columns)
    sources = list(summary.brier.items())
    if sources:
        st.markdown(f"##### {tr('verif18.reliability')}")
        st.caption(tr("verif18.reliability_note"))
    for start in range(0, len(sources), 3):
        for col, (label, b) in zip(st.columns(3), sources[start:start + 3]):
            with col:
                st.markdown(f"**{source_name(label)}**")
                st.caption(tr("verif18.brier", brier=f"{b['brier']:.3f}", n=b["n"]))
                rel = b["reliability"]
                if len(rel):
                    st.altair_chart(reliability_chart(
                        rel, title="", x_title=tr("verif18.rel.forecast"), y_title=tr("verif18.rel.observed"),
                        n_title=tr("verif18.col.cases")), width="stretch")

assessment_section()

# -- headline cards -----------------------------------------------------------------------------------
whole = v.score_table(pairs, by=["label"], event_rule=rule, weights=weights)
main_label = "issued" if report.has_issued else "ensemble"
st.subheader(tr("verif.headline" if report.has_issued else "verif.headline_objective", lead=lead_text))
mine = whole.set_index("label").loc[main_label] if main_label in set(whole["label"]) else None
cols = [c for _ in range(2) for c in st.columns(3)]
for col, score in zip(cols, CARDS):
    value = None if mine is None else mine[score]
    delta, help_text = None, None
    ref = summary.reference.get("label")
    cmp_ = summary.comparisons.get(ref) if ref else None
    if cmp_ and score in ("level_hit_rate", "range_hit_rate") and cmp_["n"]:
        d = cmp_[score]["difference"]
        if pd.notna(d.value):
            # short enough for a card (tours read "+1 pp vs. Corrected guidance (ensemble) (…" and, at 1366 px,
            # "-4 pp vs. Corrected guidance (ensemb…"); which guidance, and the cases, in the help
            # a hyphen here, not the minus sign of the tables: st.metric reads a leading "-" as a fall (red, down)
            delta = tr("verif18.delta_vs", delta=f"{100 * d.value:+.0f} {tr('verif18.pp')}")
            help_text = (tr("verif18.ref.best_caption", label=source_name(ref), first=summary.reference["first"],
                            last=summary.reference["last"]) + " " + tr("verif18.delta_cases", n=cmp_["n"]))
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
                        format_func=source_name, select_all=False)  # Streamlit's "Select all" is English only
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
        # one colour per source whatever the language or the choice (the colours followed the sorted
        # names: 会商发布 dark blue in Chinese, Issued light blue in English), names never cut in the legend
        # the legend lists the sources drawn, not every source the colours are fixed for
        color=alt.Color("source:N", title=None,
                        # below the chart: at the right it took half a phone's width from the lines
                        legend=alt.Legend(labelLimit=0, orient="bottom", direction="horizontal", columns=2,
                                          values=[source_name(x) for x in labels
                                                  if source_name(x) in set(roll["source"])]),
                        scale=alt.Scale(domain=[source_name(x) for x in labels],
                                        range=[PALETTE[i % len(PALETTE)] for i in range(len(labels))])),
        tooltip=[alt.Tooltip("source:N", title=tr("verif.source")), alt.Tooltip("date:T", format="%Y-%m-%d",
                                                                             title=tr("verif.date")),
                 alt.Tooltip("n:Q", title=tr("verif18.col.cases")),
                 alt.Tooltip(f"{trend_score}:Q", format=".2f", title=tr(f"verif.card.{trend_score}"))],
    ).properties(height=300)
    st.altair_chart(chart, width="stretch")
    st.caption(tr("verif.trend_caption", window=window))

# -- scores by breakdown, value added -----------------------------------------------------------------------
st.subheader(tr("verif.scores"))
by = [breakdown] if breakdown != "lead_day" or lead == 0 else ["lead_day"]
table = v.score_table(pairs, by=["label", *by], event_rule=rule, weights=weights)
shown = table.copy()
for c in PERCENT | {"r"}:
    if c in shown and c != "r":
        shown[c] = shown[c] * 100
shown.insert(0, "source", shown.pop("label").map(source_name))
if "obs_class" in shown:
    shown["obs_class"] = shown["obs_class"].map(lambda c: tr(f"verif18.class.{c}") if isinstance(c, str) else "—")
if "district" in shown:
    shown["district"] = shown["district"].map(district_name)
SCORES = ("range_hit_rate", "level_hit_rate", "primary_accuracy", "mb", "nmb", "nme", "rmse", "r", "pod_100",
          "far_100", "csi_100", "pod_200", "far_200", "csi_200", "composite")
COUNTS = ("hits_100", "false_alarms_100", "misses_100", "correct_negatives_100", "hits_200", "false_alarms_200",
          "misses_200", "correct_negatives_200")
heads = {c: tr(f"verif.head.{c}") if c in HEADS else tr(f"verif18.head.{c}") for c in (*SCORES, *COUNTS)}
config = {c: st.column_config.NumberColumn(heads[c], format="%.0f %%" if c in PERCENT else "%.2f",
                                           width=header_width(heads[c])) for c in SCORES}
config.update({c: st.column_config.NumberColumn(heads[c], format="%d", width=header_width(heads[c])) for c in COUNTS})
config.update({c: st.column_config.Column(tr(f"verif.head.{c}")) for c in ("source", "n", "n_primary", *v.BREAKDOWNS)})
# every row in sight up to SCORE_ROWS_IN_SIGHT (the default height shows ten: a breakdown by district and lead
# day has 21 for three sources)
st.dataframe(shown, hide_index=True, placeholder="—", width="stretch", key="verif_scores", column_config=config,
             height="content" if len(shown) <= SCORE_ROWS_IN_SIGHT else "auto")
d1, d2 = st.columns(2)
# the file keeps its codes (``label``: read back by from_csv) and names each source as the table does beside them
# (a manager read "corrected:CAMS" and "ensemble" in the spreadsheet)
# and each district by its name beside its code (a manager read 310118 in the spreadsheet)
def _with_names(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "district" in out:
        out.insert(list(out.columns).index("district") + 1, "district_name",
                   [district_name(d) if d else "" for d in out["district"]])
    return out


named = _with_names(table)
named.insert(0, "source_name", named["label"].map(source_name))
d1.download_button(tr("verif.download_scores"), v.to_csv(named), file_name=f"verification_{first}_{last}.csv",
                   mime="text/csv", key="verif_dl_scores", icon=":material/download:")
d2.download_button(tr("verif.download_pairs"),
                   v.to_csv(_with_names(pairs.drop(columns=["range_hit", "level_hit", "primary_hit"]))),
                   file_name=f"verification_pairs_{first}_{last}.csv", mime="text/csv", key="verif_dl_pairs",
                   icon=":material/download:")

# -- worst misses and their notes -----------------------------------------------------------------------------
st.subheader(tr("verif.worst"))
worst = report.worst_misses(len(report.pairs))
worst = (worst if lead == 0 else worst[worst["lead_day"] == lead]).head(WORST_SHOWN).reset_index(drop=True)
if worst.empty:
    st.caption(tr("verif.no_misses"))
else:
    st.container(key="verif_worst_table").dataframe(pd.DataFrame({  # the key names it for the browser tests
        tr("verif.col.issue_date"): worst["issue_date"].astype(str),
        tr("verif.col.district"): worst["district"].map(district_name),
        tr("verif.col.target_date"): worst["target_date"].astype(str),
        tr("verif.col.lead_day"): worst["lead_day"],
        tr("verif.col.forecast"): [f"{lo}–{hi}" for lo, hi in zip(worst["aqi_lo"], worst["aqi_hi"])],
        tr("verif.col.observed"): worst["obs_aqi"].round(0),
        tr("verif.col.error"): worst["error"].round(1),
        tr("verif.col.level_distance"): worst["level_distance"],
        tr("verif.col.primary"): worst["primary"].map(pollutants),
        tr("verif.col.obs_primary"): worst["obs_primary"].map(pollutants),
        tr("verif.col.duty_chief"): worst["duty_chief"],
    }), hide_index=True, placeholder="—", width="stretch", key="verif_worst", height="content")  # all 20 in sight
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
