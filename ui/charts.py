"""Altair charts shared by pages: AQI colour bands, gridded fields with district outlines, meteograms.

Offline: no tiles, no fonts from the web; the district outlines come from the bundled GeoJSON.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from forecasting.aqi import BREAKPOINTS, EDITION_2026, IAQI_BREAKPOINTS, level_info
from ui.maps import _geojson
from forecasting.zone import DISTRICTS_GEOJSON

#: The hourly indicator whose breakpoints colour an hourly concentration of each pollutant.
HOURLY_INDICATOR = {"pm25": "pm25_1h", "pm10": "pm10_1h", "o3": "o3_1h", "no2": "no2_1h", "so2": "so2_1h",
                    "co": "co_1h"}
UNITS = {"co": "mg/m³"}


def unit_of(pollutant: str) -> str:
    return UNITS.get(pollutant, "µg/m³")


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
        .encode(y="y0:Q", y2="y1:Q", color=alt.Color("colour:N", scale=None, legend=None),
                tooltip=[alt.Tooltip("category:N", title="")])
    )


def outlines(lang: str) -> alt.Chart:
    data = _geojson(str(DISTRICTS_GEOJSON))
    values = alt.InlineData(values=data, format=alt.DataFormat(property="features", type="json"))
    return alt.Chart(values).mark_geoshape(filled=False, stroke="black", strokeWidth=1.2)


def field_map(cells: pd.DataFrame, pollutant: str, *, lang: str = "zh", edition: str = EDITION_2026,
              height: int = 460) -> alt.Chart:
    """A gridded field (``lon lat value`` per cell) as squares coloured by AQI category, with the
    district outlines, values on hover. Mercator projection, no base map."""
    bounds, colours, names = category_thresholds(pollutant, edition)
    label = f"{pollutant.upper().replace('PM25', 'PM2.5')} ({unit_of(pollutant)})"
    n_cols = max(int(np.sqrt(max(len(cells), 1) * 1.4)), 1)  # about as many columns as the grid has
    size = float(np.clip((580 / n_cols) ** 2, 4, 400))
    points = (
        alt.Chart(cells)
        .mark_square(size=size, opacity=0.85)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.Color("value:Q", scale=alt.Scale(type="threshold", domain=bounds, range=colours),
                            legend=alt.Legend(title=label)),
            tooltip=[alt.Tooltip("value:Q", title=label, format=".1f"),
                     alt.Tooltip("lon:Q", format=".3f"), alt.Tooltip("lat:Q", format=".3f")],
        )
    )
    return (points + outlines(lang)).project(type="mercator").properties(height=height)


def meteogram(frame: pd.DataFrame, pollutant: str, *, lang: str = "zh", edition: str = EDITION_2026,
              height: int = 260, title: str = "") -> alt.Chart:
    """Hourly series (``time value series``; ``series`` = model or "observed") over AQI bands."""
    frame = frame.assign(value=pd.to_numeric(frame["value"], errors="coerce"))
    finite = frame["value"].to_numpy(dtype=float)
    ymax = float(np.nanmax(finite)) * 1.15 if np.isfinite(finite).any() else 100.0
    lines = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("time:T", title=None, axis=alt.Axis(format="%m-%d %H时" if lang == "zh" else "%b %d %H:00")),
            y=alt.Y("value:Q", title=f"{pollutant.upper().replace('PM25', 'PM2.5')} ({unit_of(pollutant)})",
                    scale=alt.Scale(domain=[0, ymax], nice=False)),
            color=alt.Color("series:N", title=None),
            strokeDash=alt.condition(alt.datum.series == ("观测" if lang == "zh" else "observed"),
                                     alt.value([1, 0]), alt.value([5, 3])),
            tooltip=[alt.Tooltip("series:N"), alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("value:Q", format=".1f")],
        )
    )
    return (aqi_bands(pollutant, ymax, edition=edition, lang=lang) + lines).resolve_scale(
        color="independent", strokeDash="independent").properties(height=height, title=title)
