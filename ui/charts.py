"""Altair charts shared by pages: AQI colour bands, gridded fields with district outlines, meteograms.

Offline: no tiles, no fonts from the web; the district outlines come from the bundled GeoJSON.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from forecasting.aqi import BREAKPOINTS, EDITION_2026, IAQI_BREAKPOINTS, level_info
from forecasting.i18n import bracketed
from ui.maps import district_outlines, geojson_data
from forecasting.vocab import POLLUTANT_TEXT, unit_of

#: The hourly indicator whose breakpoints colour an hourly concentration of each pollutant.
HOURLY_INDICATOR = {"pm25": "pm25_1h", "pm10": "pm10_1h", "o3": "o3_1h", "no2": "no2_1h", "so2": "so2_1h",
                    "co": "co_1h"}

def category_thresholds(pollutant: str, edition: str = EDITION_2026) -> tuple[list[float], list[str], list[str]]:
    """Concentration bounds of the AQI categories for an hourly value of ``pollutant`` (HJ 633
    breakpoints at IAQI 50, 100, 150, 200, 300), their colours and category names (zh)."""
    bps = BREAKPOINTS[edition][HOURLY_INDICATOR[pollutant]]
    bounds = []
    for iaqi_value in (50, 100, 150, 200, 300):
        k = IAQI_BREAKPOINTS.index(iaqi_value)
        if k < len(bps):
            bounds.append(float(bps[k]))
    colours = [level_info(level=i + 1).hex for i in range(len(bounds) + 1)]
    names = [level_info(level=i + 1).category_zh for i in range(len(bounds) + 1)]
    return bounds, colours, names


def aqi_bands(pollutant: str, ymax: float, *, edition: str = EDITION_2026, lang: str = "zh") -> alt.Chart:
    """Horizontal colour bands of the AQI categories behind an hourly concentration chart."""
    bounds, colours, _ = category_thresholds(pollutant, edition)
    edges = [0.0, *bounds, max(ymax, (bounds[-1] if bounds else 0) * 1.05)]
    rows = []
    for i in range(len(edges) - 1):
        if edges[i] >= ymax:
            break
        info = level_info(level=i + 1)
        rows.append({"y0": edges[i], "y1": min(edges[i + 1], ymax), "colour": info.hex,
                     "category": info.category(lang)})
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_rect(opacity=0.18)
        .encode(y=alt.Y("y0:Q"), y2=alt.Y2("y1:Q"), color=alt.Color("colour:N", scale=None, legend=None),
                tooltip=[alt.Tooltip("category:N", title="")])
    )


def outlines(lang: str) -> alt.Chart:
    return alt.Chart(geojson_data(district_outlines())).mark_geoshape(filled=False, stroke="black", strokeWidth=1.2)


def field_map(cells: pd.DataFrame, pollutant: str, *, lang: str = "zh", edition: str = EDITION_2026,
              height: int = 460) -> alt.Chart:
    """A gridded field (``lon lat value`` per cell) as squares coloured by AQI category, with the
    district outlines, values on hover. Mercator projection, no base map."""
    bounds, colours, names = category_thresholds(pollutant, edition)
    label = bracketed(pollutant.upper().replace("PM25", "PM2.5"), unit_of(pollutant), lang)
    n_cols = max(int(np.sqrt(max(len(cells), 1) * 1.4)), 1)  # about as many columns as the grid has
    size = float(np.clip((580 / n_cols) ** 2, 4, 400))
    points = (
        alt.Chart(cells)
        .mark_square(size=size, opacity=0.85)
        .encode(
            longitude=alt.Longitude("lon:Q"),
            latitude=alt.Latitude("lat:Q"),
            color=alt.Color("value:Q", scale=alt.Scale(type="threshold", domain=bounds, range=colours),
                            legend=alt.Legend(title=label)),
            tooltip=[alt.Tooltip("value:Q", title=label, format=".1f"),
                     alt.Tooltip("lon:Q", format=".3f"), alt.Tooltip("lat:Q", format=".3f")],
        )
    )
    return (points + outlines(lang)).project(type="mercator").properties(height=height)


#: Model colours of the meteograms (never black: black is the observation).
MODEL_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
OBS_COLOUR = "#111111"
ENSEMBLE_COLOUR = "#6a1b9a"
#: Line widths: the observation is the thickest line of every chart, the suggested forecast next.
OBS_WIDTH, SUGGESTED_WIDTH, MODEL_WIDTH = 3.4, 2.4, 1.4


def model_colours(models) -> dict[str, str]:
    """One colour per model, the same on every page and whichever runs a chart shows: the sorted names of
    ``models`` (every model the database has, :func:`forecasting.datastore.model_names`) take
    :data:`MODEL_COLOURS` in turn.

    Examples
    --------
    >>> model_colours(["NAQPMS-SH", "CAMS", "CMAQ-YRD", "CAMS"])
    {'CAMS': '#1f77b4', 'CMAQ-YRD': '#ff7f0e', 'NAQPMS-SH': '#2ca02c'}
    """
    return {m: MODEL_COLOURS[i % len(MODEL_COLOURS)] for i, m in enumerate(sorted({str(m) for m in models}))}


def meteogram(frame: pd.DataFrame, pollutant: str, *, lang: str = "zh", edition: str = EDITION_2026,
              height: int = 340, title: str = "", now=None, issued=None, band: pd.DataFrame | None = None,
              band_label: str = "", colours: dict[str, str] | None = None) -> alt.Chart:
    """Hourly series over AQI bands, the truth first.

    ``frame``: ``time value series kind [model]`` with ``kind`` in ``observed`` (drawn black, thick, on
    top), ``raw`` (dashed, thin), ``corrected`` (solid) and ``ensemble`` (thick purple); one colour per
    ``model`` (raw and corrected of a model share it), ``series`` names the line in the tooltip.
    ``band``: ``time lower upper`` (the 80 % interval of the chosen correction), drawn as a grey band.
    ``now`` and ``issued``: naive Beijing times drawn as vertical rules ("now", the cycle/issue time).
    ``colours``: each model's colour (:func:`model_colours` of every model in the database, so that a model
    has one colour on every page); by default those of the models drawn.
    """
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"))
    if "kind" not in frame:
        frame = frame.assign(kind="raw")
    finite = frame["value"].to_numpy(dtype=float)
    if band is not None and not band.empty:
        finite = np.concatenate([finite, pd.to_numeric(band["upper"], errors="coerce").to_numpy(dtype=float)])
    ymax = float(np.nanmax(finite)) * 1.12 if np.isfinite(finite).any() else 100.0
    x = alt.X("time:T", title=None, axis=alt.Axis(format="%m-%d %H时" if lang == "zh" else "%b %d %H:00",
                                                   labelAngle=0, tickCount=6))
    y = alt.Y("value:Q", title=bracketed(pollutant_label(pollutant), unit_of(pollutant), lang),
              scale=alt.Scale(domain=[0, ymax], nice=False))
    if "model" not in frame:
        frame = frame.assign(model=frame["series"])
    models = sorted(frame.loc[frame["kind"].isin(["raw", "corrected"]), "model"].dropna().unique())
    ens = sorted(frame.loc[frame["kind"] == "ensemble", "model"].dropna().unique())
    palette = {**model_colours(models), **(colours or {})}
    scale = alt.Scale(domain=[*models, *ens], range=[*(palette[m] for m in models), *([ENSEMBLE_COLOUR] * len(ens))])
    # one entry a row: a meteogram is a third of the page (about 260 px), and a second column ran past its right
    # edge ("订正集合（建议" without its bracket, a tour at 1280 px)
    legend = alt.Legend(orient="bottom", direction="vertical", columns=1, labelLimit=0, symbolStrokeWidth=3,
                        labelFontSize=12)
    # one legend for the raw, corrected and ensemble layers (they share the scale): with a legend on each
    # layer, the independent colour scales drew two or three copies side by side, cut off at the right
    drawn = [k for k in ("raw", "corrected", "ensemble") if (frame["kind"] == k).any()]

    def colour(kind: str) -> alt.Color:
        return alt.Color("model:N", title=None, scale=scale, legend=legend if kind == drawn[0] else None)

    tip = [alt.Tooltip("series:N", title=""), alt.Tooltip("time:T", format="%Y-%m-%d %H:00"),
           alt.Tooltip("value:Q", format=".1f")]
    layers = [aqi_bands(pollutant, ymax, edition=edition, lang=lang)]
    if band is not None and not band.empty:
        b = band.assign(label=band_label)
        layers.append(alt.Chart(b).mark_area(opacity=0.28, color="#555555").encode(
            x=alt.X("time:T"), y=alt.Y("lower:Q"), y2=alt.Y2("upper:Q"),
            tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("lower:Q", format=".0f"),
                     alt.Tooltip("upper:Q", format=".0f")]))
    raw = frame[frame["kind"] == "raw"]
    cor = frame[frame["kind"] == "corrected"]
    ensemble = frame[frame["kind"] == "ensemble"]
    obs = frame[frame["kind"] == "observed"]
    if not raw.empty:
        layers.append(alt.Chart(raw).mark_line(strokeWidth=1.1, strokeDash=[4, 3], opacity=0.7)
                      .encode(x=x, y=y, color=colour("raw"), detail=alt.Detail("series:N"), tooltip=tip))
    if not cor.empty:
        layers.append(alt.Chart(cor).mark_line(strokeWidth=1.6, opacity=0.9)
                      .encode(x=x, y=y, color=colour("corrected"), detail=alt.Detail("series:N"), tooltip=tip))
    if not ensemble.empty:
        layers.append(alt.Chart(ensemble).mark_line(strokeWidth=SUGGESTED_WIDTH)
                      .encode(x=x, y=y, color=colour("ensemble"), tooltip=tip))
    for when, text, dash in ((issued, "issue", [2, 2]), (now, "now", [])):
        if when is None:
            continue
        label = {"issue": "起报" if lang == "zh" else "cycle", "now": "现在" if lang == "zh" else "now"}[text]
        rule = pd.DataFrame({"time": [pd.Timestamp(when)], "label": [label]})
        layers.append(alt.Chart(rule).mark_rule(color="#c62828" if text == "now" else "#555555", strokeWidth=1.6,
                                                strokeDash=dash).encode(x=alt.X("time:T")))
        # the cycle's label left of its rule, "now" right of its own: they never overlap (now follows the cycle)
        layers.append(alt.Chart(rule).mark_text(align="right" if text == "issue" else "left",
                                                dx=-3 if text == "issue" else 3, dy=-4, baseline="top", fontSize=12,
                                                fontWeight="bold", color="#c62828" if text == "now" else "#555555")
                      .encode(x=alt.X("time:T"), y=alt.YValue(2), text=alt.Text("label:N")))
    if not obs.empty:
        layers.append(alt.Chart(obs).mark_line(color=OBS_COLOUR, strokeWidth=OBS_WIDTH,
                                               point=alt.OverlayMarkDef(color=OBS_COLOUR, size=18))
                      .encode(x=x, y=y, tooltip=tip))
    return alt.layer(*layers).resolve_scale(color="independent").properties(height=height, title=title)


def pollutant_label(pollutant: str) -> str:
    """``PM2.5``, ``O₃`` ... (the one spelling of the UI: :data:`forecasting.vocab.POLLUTANT_TEXT`).

    Examples
    --------
    >>> pollutant_label("pm25"), pollutant_label("o3"), pollutant_label("t2")
    ('PM2.5', 'O₃', 'T2')
    """
    return POLLUTANT_TEXT.get(pollutant, pollutant.upper())


def reliability_chart(rel: pd.DataFrame, *, title: str, x_title: str, y_title: str, n_title: str,
                      height: int = 260) -> alt.Chart:
    """A reliability diagram: observed frequency against mean forecast probability per bin
    (``rel`` has ``mean_probability``, ``observed_frequency`` and ``n``), with the diagonal.

    Both axes run a little past 0 and 1 so that a bin at a probability of 0 or 1 (the commonest ones for a
    rare event) is drawn whole, not cut in half by the frame.

    Examples
    --------
    >>> rel = pd.DataFrame({"mean_probability": [0.0, 0.5, 1.0], "observed_frequency": [0.0, 0.4, 1.0], "n": [90, 8, 2]})
    >>> spec = reliability_chart(rel, title="P(AQI>100)", x_title="p", y_title="f", n_title="n").to_dict()
    >>> [layer["encoding"]["x"]["scale"]["domain"] for layer in spec["layer"]]
    [[-0.02, 1.02], [-0.02, 1.02], [-0.02, 1.02]]
    >>> spec["layer"][2]["encoding"]["size"]["field"]  # a dot's area: its bin's number of cases
    'n'
    """
    scale = alt.Scale(domain=[-0.02, 1.02], nice=False)
    axis = alt.Axis(values=[0, 0.2, 0.4, 0.6, 0.8, 1.0], format=".1f")
    diag = alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})).mark_line(strokeDash=[4, 4], color="#888").encode(
        x=alt.X("x:Q", scale=scale, axis=axis, title=x_title), y=alt.Y("y:Q", scale=scale, axis=axis, title=y_title))
    x = alt.X("mean_probability:Q", title=x_title, scale=scale, axis=axis)
    y = alt.Y("observed_frequency:Q", title=y_title, scale=scale, axis=axis)
    line = alt.Chart(rel).mark_line(color="#1f4e99", strokeWidth=1.2).encode(x=x, y=y)
    # each bin's dot as large as its number of cases (area): a bin of one or two days read as loudly as one of
    # sixty, and its 0 or 1 as a failure of the forecast (a tour of the verification page)
    dots = alt.Chart(rel).mark_circle(color="#1f4e99", opacity=0.9).encode(
        x=x, y=y, size=alt.Size("n:Q", scale=alt.Scale(type="sqrt", range=[12, 360], zero=True), legend=None),
        tooltip=[alt.Tooltip("mean_probability:Q", title=x_title, format=".2f"),
                 alt.Tooltip("observed_frequency:Q", title=y_title, format=".2f"), alt.Tooltip("n:Q", title=n_title)])
    return (diag + line + dots).properties(height=height, **({"title": title} if title else {}))  # "": titled beside it
