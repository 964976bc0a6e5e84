"""The report's chart: objective guidance (raw, corrected per model, ensemble) against the issued AQI
ranges, per district and target day. Altair → SVG with ``vl-convert-python`` (offline, no browser).
"""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from forecasting.aqi import level_info
from forecasting.i18n import t
from forecasting.reports.model import Report
from forecasting.vocab import read_geojson
from forecasting.zone import DISTRICTS_GEOJSON

__all__ = ["guidance_chart", "chart_svg", "zone_map_png", "FONT"]

FONT = "Noto Sans CJK SC"
_KINDS = ("raw", "corrected", "ensemble")
_KIND_COLOURS = ("#9E9E9E", "#1565C0", "#000000")
_KIND_SHAPES = ("circle", "triangle", "diamond")


def guidance_chart(report: Report, *, lang: str = "zh") -> alt.Chart | None:
    """One panel per district: issued range (bar in the colour of its upper level) and the guidance
    centres as points (grey raw per model, blue corrected per model, black ensemble)."""
    issued = []
    for d in report["districts"]:
        name = d["name_en"] if lang == "en" else d["name_zh"]
        for e in d["days"]:
            issued.append({"district": name, "day": e["target_date"][5:], "lo": e["aqi_lo"], "hi": e["aqi_hi"],
                           "hex": e["levels"][-1]["hex"]})
    if not issued:
        return None
    names = {d["adcode"]: (d["name_en"] if lang == "en" else d["name_zh"]) for d in report["districts"]}
    days = {e["day"] for e in issued}
    points = [{"district": names.get(g["district"], g["district"]), "day": g["target_date"][5:],
               "aqi": g["centre"], "kind": t(f"report.chart_{g['method']}", lang), "model": g["model"]}
              for g in report["guidance"]
              if g["centre"] is not None and g["target_date"][5:] in days and g["district"] in names]
    kinds = [t(f"report.chart_{k}", lang) for k in _KINDS]
    frame_i = pd.DataFrame(issued)
    frame_p = pd.DataFrame(points, columns=["district", "day", "aqi", "kind", "model"])
    panels = []
    angle = 0 if len(days) <= 4 else -45
    # one AQI axis for the three panels, so the districts compare by height (Qingpu's 0–150 beside Wujiang's
    # 0–200 drew its 120 as tall as their 125; the panels' titles stood at different heights too), with
    # headroom above the highest range or point: a range ending on the axis's top (130–160 on a 0–160 axis)
    # read as cut off
    top = max([float(frame_i["hi"].max()), float(frame_p["aqi"].max()) if len(frame_p) else 0.0]) * 1.08 + 5
    for adcode, name in names.items():
        x = alt.X("day:O", title=None, axis=alt.Axis(labelAngle=angle))
        mine = frame_i[frame_i["district"] == name]
        sub = frame_p[frame_p["district"] == name]
        # translucent by fill-opacity, not opacity: WeasyPrint draws every SVG element with an opacity below 1
        # as a transparency group, and the 105 groups of a 7-day chart took a PDF viewer (poppler) 1.1 s to
        # draw the chart's page (0.4 s with fill-opacity; the rest is the rotated day labels)
        bars = alt.Chart(mine).mark_bar(size=26 if len(days) <= 4 else 14, fillOpacity=0.55).encode(
            x=x, y=alt.Y("lo:Q", title="AQI", scale=alt.Scale(domain=[0, top], nice=True)), y2=alt.Y2("hi:Q"),
            color=alt.Color("hex:N", scale=None))
        layer = [bars]
        if not sub.empty:
            layer.append(alt.Chart(sub).mark_point(filled=True, size=36, fillOpacity=0.85).encode(
                x=x, y=alt.Y("aqi:Q"),
                color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=list(_KIND_COLOURS)), legend=None),
                shape=alt.Shape("kind:N", scale=alt.Scale(domain=kinds, range=list(_KIND_SHAPES)), legend=None)))
        panels.append(alt.layer(*layer).resolve_scale(color="independent").properties(
            title=name, width=165, height=160))
    # no title of its own: the report's section heading above it names it (a tour read the same line twice)
    chart = alt.hconcat(*panels)
    return chart.configure(font=FONT).configure_view(strokeWidth=0.5)


def chart_svg(report: Report, *, lang: str = "zh") -> str:
    """The chart as SVG text ("" when there is nothing to draw)."""
    import vl_convert as vlc

    chart = guidance_chart(report, lang=lang)
    if chart is None:
        return ""
    # Altair's schema validation costs about a tenth of a report's rendering and the spec's shape is
    # fixed by this module: tests validate it (``test_reports_layout``), issuing does not.
    return vlc.vegalite_to_svg(chart.to_dict(validate=False))


def zone_map_png(report: Report, *, lang: str = "zh", width: int = 640) -> bytes:
    """The zone on the offline basemap, each district filled with the colour of the upper level of its
    first target day's range (HJ 633 Appendix A colours), its name and AQI range written on it.
    Deterministic PNG bytes for the same report (the PDF and the HTML of one report share one drawing)."""
    head = report.get("headline") or {}
    fills, notes = {}, {}
    for h in head.get("districts", []):
        fills[h["district"]] = tuple(level_info(level=h["level_hi"]).rgb)
        notes[h["district"]] = f"{h['aqi_lo']}–{h['aqi_hi']}"
    return _zone_map_png(tuple(sorted(fills.items())), tuple(sorted(notes.items())), lang, width)


@lru_cache(maxsize=16)
def _zone_map_png(fills: tuple, notes: tuple, lang: str, width: int) -> bytes:
    from forecasting import fieldmap  # lazy: matplotlib

    districts = read_geojson(DISTRICTS_GEOJSON)
    layers = fieldmap.MapLayers(basemap=fieldmap.load_basemap(), districts=districts, lang=lang, fills=dict(fills),
                                notes=dict(notes))
    return fieldmap.render_field_map(None, None, None, pollutant="pm25", extent=fieldmap.PRESETS["zone"],
                                     layers=layers, width=width, legend=False)
