"""Offline maps with Altair: district outlines from the bundled GeoJSON, no base map."""

from __future__ import annotations

from functools import lru_cache

from forecasting.vocab import read_geojson
from forecasting.zone import DISTRICTS_GEOJSON

__all__ = ["district_outlines", "geojson_data"]


@lru_cache(maxsize=4)
def _geojson(path: str) -> dict:
    return read_geojson(path)


def district_outlines() -> dict:
    """The bundled district outlines (a GeoJSON FeatureCollection), read once a process. Callers must
    not change it: copy a feature's properties before adding to them."""
    return _geojson(str(DISTRICTS_GEOJSON))


def geojson_data(collection: dict) -> dict:
    """A Vega-Lite inline data dict of a FeatureCollection's features.

    A plain dict, not ``alt.InlineData``: Altair checks every coordinate of an ``InlineData`` against the
    Vega-Lite schema when it is built (0.14 s for the three outlines, on every rerun of a page)."""
    return {"values": collection, "format": {"property": "features", "type": "json"}}
