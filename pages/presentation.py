"""Presentation mode for the video consultation: one screen per district and target day, large type,
keyboard navigation (← → days, ↑ ↓ districts), readable on a projector at 1920 × 1080.

Reads only: the consultation room of an issue date (guidance, submissions, flags) through the same
service the consultation room uses (:func:`forecasting.consultation.room_view`)."""

from __future__ import annotations

import html

import streamlit as st

from forecasting.aqi import level_info
from forecasting.consultation import best_guidance, beijing_today, guidance_rows, room_view, standing_forecast
from forecasting.consultation.views import latest_issue_dates
from forecasting.errors import ForecastingError
from forecasting.vocab import DISTRICT_ORDER
from ui import consultation as w
from ui import state
from ui.charts import pollutant_label
from ui.i18n import error_text, join, tr

state.require_actor()
db = state.database()
lang = state.language()
actor = state.current_actor()

# On a 1024 × 768 projector beside the sidebar "轻度污染" broke as "轻度污/染" and "客观预报指导" as "…指/导" (a
# tour): level chips and card headings take their size from the width (clamp), and never break inside a word
st.html("""<style>
.pres-head{font-size:3.2rem;font-weight:800;line-height:1.15;margin:0 0 .2rem 0}
.pres-sub{font-size:1.5rem;color:#444;margin-bottom:1rem}
.pres-card{border:2px solid #ccc;border-radius:12px;padding:1rem 1.2rem;margin-bottom:1rem;background:#fff}
.pres-card h3{font-size:clamp(1.1rem,1.5vw,1.5rem);margin:0 0 .5rem 0;color:#333;word-break:keep-all}
.pres-big{font-size:clamp(2rem,2.6vw,3.4rem);font-weight:800;line-height:1.1;white-space:nowrap}
.pres-big small{font-size:.55em;font-weight:700;margin-right:.2em}
.pres-final{font-size:1.35rem;margin:.4rem 0;padding:.3rem .5rem;border-left:4px solid #6a1b9a;background:#f6f0fa}
.pres-level{display:inline-block;font-size:clamp(1.1rem,1.6vw,1.6rem);font-weight:700;padding:.15rem .8rem;
  border-radius:8px;margin:.3rem .4rem .3rem 0;border:1px solid #888;word-break:keep-all}
.pres-text{font-size:1.35rem;line-height:1.5;white-space:pre-wrap}
.pres-flag{font-size:1.3rem;margin:.2rem 0}
.pres-foot{font-size:1.1rem;color:#555}
@media (max-width: 700px){.pres-head{font-size:2rem}.pres-big{font-size:2.2rem}.pres-level{font-size:1.1rem}
  .pres-text,.pres-flag{font-size:1.05rem}}
</style>""")

dates = latest_issue_dates(db, limit=30)
today = beijing_today()
if today not in dates:
    dates = [today, *dates]
top = st.columns([3, 2, 2, 2])
w.remember_for_today("pres_issue_date", today)  # a screen left on overnight shows the new day's session
issue_date = top[0].selectbox(tr("pres17.issue_date"), dates, key="pres_issue_date")
try:
    room = room_view(db, actor, issue_date)
except ForecastingError as exc:
    st.error(error_text(exc))
    st.stop()
if room.session is None:
    st.markdown(f"<div class='pres-head'>{html.escape(tr('pres17.title'))}</div>", unsafe_allow_html=True)
    st.info(tr("pres17.no_session"))
    st.stop()

days = list(room.session.target_dates)
districts = list(room.districts)  # Qingpu, Wujiang, Jiashan: the zone's one order
n = len(days) * len(districts)
st.session_state.setdefault("pres_day", 0)
st.session_state.setdefault("pres_district", 0)


def _move(dd: int, dk: int) -> None:
    st.session_state["pres_day"] = (st.session_state["pres_day"] + dd) % len(days)
    st.session_state["pres_district"] = (st.session_state["pres_district"] + dk) % len(districts)


top[1].button(tr("pres17.prev"), key="pres_prev", shortcut="Left", on_click=_move, args=(-1, 0),
              width="stretch")
top[2].button(tr("pres17.next"), key="pres_next", shortcut="Right", on_click=_move, args=(1, 0), width="stretch")
with top[3]:
    st.button(tr("pres17.up"), key="pres_up", shortcut="Up", on_click=_move, args=(0, -1), width="stretch")
    st.button(tr("pres17.down"), key="pres_down", shortcut="Down", on_click=_move, args=(0, 1), width="stretch")

k_day = st.session_state["pres_day"] % len(days)
k_dist = st.session_state["pres_district"] % len(districts)
day, district = days[k_day], districts[k_dist]
name = tr(f"district.{district}")
edition = "HJ 633-2026"


def level_chip(level: int) -> str:
    info = level_info(level=level, edition=edition)
    text = info.category_en if lang == "en" else info.category_zh
    fg = "#fff" if level >= 4 else "#000"
    return f"<span class='pres-level' style='background:{info.hex};color:{fg}'>{html.escape(text)}</span>"


def range_block(lo, hi, level_lo, level_hi, primary) -> str:
    chips = "".join(level_chip(lv) for lv in range(level_lo, level_hi + 1)) if level_lo and level_hi else ""
    prim = join(pollutant_label(p) for p in primary) if primary else ""
    prim_text = f"<div class='pres-text'>{html.escape(tr('pres17.primary', p=prim))}</div>"
    # "AQI" small, the range big and whole inside its card (a tour's "AQI 105–135" ran past the border)
    return (f"<div class='pres-big'><small>AQI</small>{int(lo)}–{int(hi)}</div><div>{chips}</div>"
            + (prim_text if prim else ""))


lead = (day - issue_date).days
st.markdown(
    f"<div class='pres-head'>{html.escape(name)} · {html.escape(tr('pres17.day', date=day.strftime('%m-%d'), lead=lead))}</div>"
    f"<div class='pres-sub'>{html.escape(tr('pres17.title'))} · {issue_date:%Y-%m-%d} · "
    f"{html.escape(tr('pres17.page', k=k_day * len(districts) + k_dist + 1, n=n))}</div>",
    unsafe_allow_html=True)

left, middle, right = st.columns([1, 1, 1])
rows = guidance_rows(db, issue_date) or []
best = best_guidance(rows).get((district, day))
with left:
    body = (range_block(best.aqi_lo, best.aqi_hi, best.level_lo, best.level_hi, best.primary)
            if best is not None and best.aqi_lo is not None else
            f"<div class='pres-text'>{html.escape(tr('pres17.no_guidance'))}</div>")
    # past the models' reach the value is a climatology and persistence outlook: said so, never as model guidance
    outlook = best is not None and best.outlook
    if outlook:
        body += f"<div class='pres-foot'>{html.escape(tr('dfc13.outlook_note'))}</div>"
    title = tr("dfc13.outlook_badge") if outlook else tr("pres17.guidance")
    st.markdown(f"<div class='pres-card'><h3>{html.escape(title)}</h3>{body}</div>", unsafe_allow_html=True)
sub = room.submission(district, day)
# the chief's combined value (issued as it stands once the session is issued) where it is not the district's own:
# a tour read "嘉善 105–135" on the page after the chief had issued 95–120
combined = room.final(district, day)
if combined is not None and sub is not None and (combined.aqi_lo, combined.aqi_hi) == (sub.aqi_lo, sub.aqi_hi):
    combined = None
with middle:
    if sub is None:
        body = f"<div class='pres-text'>{html.escape(tr('pres17.no_submission'))}</div>"
    else:
        body = range_block(sub.aqi_lo, sub.aqi_hi, sub.level_lo, sub.level_hi, sub.primary)
        body += (f"<div class='pres-foot'>{html.escape(sub.author_name or '')} · "
                 f"{html.escape(tr(f'consult.status.{sub.status}'))}</div>")
        if combined is not None:
            label = tr("pres17.issued_as" if room.session.state in ("issued", "superseded") else "pres17.combined_as")
            body += (f"<div class='pres-final'>{html.escape(label)} "
                     f"<b style='white-space:nowrap'>AQI {combined.aqi_lo}–{combined.aqi_hi}</b> "
                     + "".join(level_chip(lv) for lv in range(combined.level_lo, combined.level_hi + 1)) + "</div>")
        if sub.analysis:
            body += f"<div class='pres-text'>{html.escape(sub.analysis[:600])}</div>"
    # what the forecast issued before this one said for the district and day (today's D+1 was yesterday's D+2)
    said = w.standing_text(standing_forecast(db, issue_date), issue_date, district, day)
    if said:
        body += f"<div class='pres-foot'>{html.escape(said)}</div>"
    # the district's name whole ("青浦" / "区" at 1280 px)
    st.markdown(f"<div class='pres-card'><h3>{html.escape(tr('pres17.submissions'))} · "
                f"<span style='white-space:nowrap'>{html.escape(name)}</span></h3>"
                f"{body}</div>", unsafe_allow_html=True)
with right:
    mine = [fs for fs in room.flags if fs.flag.target_date == day and district in (fs.flag.district_a, fs.flag.district_b)]
    saved = {e.district for e in room.entries}
    if not mine and len(saved) < 2:  # fewer than two districts saved: nothing to compare, not "all consistent"
        body = f"<div class='pres-text'>{html.escape(tr('flag.nothing_yet', n=len(saved), total=len(DISTRICT_ORDER)))}</div>"
    elif not mine:
        body = f"<div class='pres-flag'>✓ {html.escape(tr('pres17.no_flags'))}</div>"
    else:
        items = []
        for fs in mine:
            f = fs.flag
            # each district name whole on its line ("吴江区", never "吴" / "江区")
            pair = " / ".join(f"<span style='white-space:nowrap'>{html.escape(tr(f'district.{d}'))}</span>"
                              for d in (f.district_a, f.district_b) if d)
            mark = "✓" if fs.acknowledged else "⚠"
            items.append(f"<div class='pres-flag'>{mark} {html.escape(tr(f'flag.kind.{f.kind}'))} · "
                         f"{pair} · {html.escape(w.severity_phrase(f.severity))}</div>")
        body = "".join(items)
    st.markdown(f"<div class='pres-card'><h3>{html.escape(tr('pres17.flags'))}</h3>{body}</div>",
                unsafe_allow_html=True)

# the three districts of this day side by side, small, so the room sees the whole zone at once
overview = []
for j, d in enumerate(districts):
    s = room.submission(d, day)
    g = best_guidance(rows).get((d, day))
    final = room.final(d, day)
    # the combined value where the chief set one, else the district's own, else the guidance; each says which
    # it is (the room read three "AQI 85–120" and could not tell a district's forecast from the guidance)
    issued = room.session.state in ("issued", "superseded")
    cell, source = ((final, "pres17.src_issued" if issued else "pres17.src_final") if final is not None else
                    (s, f"consult.status.{s.status}") if s is not None else
                    (g, "dfc13.outlook_badge" if g is not None and g.outlook else "pres17.guidance"))
    if cell is not None and getattr(cell, "aqi_lo", None) is not None:
        chips = "".join(level_chip(lv) for lv in range(cell.level_lo, cell.level_hi + 1))
        txt = f"AQI {cell.aqi_lo}–{cell.aqi_hi}"
        src = f"<span style='font-size:1rem;font-weight:400;color:#555'> · {html.escape(tr(source))}</span>"
    else:
        chips, txt, src = "", "—", ""
    bold = "font-weight:800;" if j == k_dist else ""
    overview.append(f"<td style='padding:.3rem 1rem;font-size:1.3rem;{bold}'>{html.escape(tr(f'district.{d}'))}{src}<br>"
                    f"{html.escape(txt)}<br>{chips}</td>")
st.markdown(f"<table style='width:100%;border-collapse:collapse'><tr>{''.join(overview)}</tr></table>",
            unsafe_allow_html=True)
st.markdown(f"<div class='pres-foot'>{html.escape(tr('pres17.nav'))}</div>", unsafe_allow_html=True)
