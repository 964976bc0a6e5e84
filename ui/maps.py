"""Offline maps with Altair: district outlines from the bundled GeoJSON, no base map."""

from __future__ import annotations

from functools import lru_cache

import altair as alt

from forecasting.vocab import DISTRICT_ORDER, read_geojson
from forecasting.zone import DISTRICTS_GEOJSON

#: One colour per district, in the display order (Qingpu, Wujiang, Jiashan).
DISTRICT_COLOURS = dict(zip(DISTRICT_ORDER, ("#4C78A8", "#59A14F", "#E15759")))


@lru_cache(maxsize=4)
def _geojson(path: str) -> dict:
    return read_geojson(path)


def district_map(lang: str, *, height: int = 420, path: str | None = None) -> alt.Chart:
    """The three districts, coloured, with names on hover (Mercator, no tiles)."""
    data = _geojson(str(path or DISTRICTS_GEOJSON))
    features = []
    for f in data["features"]:
        props = dict(f["properties"])
        props["label"] = props["name_en"] if lang == "en" else props["name"]
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    values = alt.InlineData(values={"type": "FeatureCollection", "features": features},
                            format=alt.DataFormat(property="features", type="json"))
    codes = [f["properties"]["adcode"] for f in features]
    colour = alt.Color(
        "properties.adcode:N",
        scale=alt.Scale(domain=codes, range=[DISTRICT_COLOURS.get(c, "#888") for c in codes]),
        legend=None,
    )
    shapes = (
        alt.Chart(values)
        .mark_geoshape(stroke="white", strokeWidth=1.5, opacity=0.85)
        .encode(color=colour, tooltip=[alt.Tooltip("properties.label:N", title="")])
    )
    labels = (
        alt.Chart(values)
        .transform_calculate(lon="datum.properties.centroid_lon", lat="datum.properties.centroid_lat")
        .mark_text(fontSize=14, fontWeight="bold", color="black")
        .encode(longitude="lon:Q", latitude="lat:Q", text="properties.label:N")
    )
    return (shapes + labels).project(type="mercator").properties(height=height)
