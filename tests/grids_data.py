"""Tiny spatial fixtures with the answers drawn in comments (regionmask tests/utils.py style).

A 3 × 3 grid of 1 km cells in a projected plane (UTM 51N metres), cell centres at 500, 1500,
2500 m on both axes; cell (row j, col i) spans [1000 i, 1000 (i+1)] × [1000 j, 1000 (j+1)]::

      y=3000 +------+------+------+
             | 2,0  | 2,1  | 2,2 C|C
      y=2000 +------+---BBBBBBBBBB+
             | 1,0  | 1,1 B| 1,2  B
      y=1000 +--AAAAAAA----+------+
             | 0,0 A| 0,1  |      |
      y=0    +------+------+------+
           x=0    1000   2000   3000

Square A = [250, 1250] × [250, 1250] (1 km²):
  cell (0,0): 750 × 750 = 0.5625 km², (0,1): 250 × 750 = 0.1875, (1,0): 0.1875, (1,1): 250 × 250 = 0.0625
  -> weights 0.5625, 0.1875, 0.1875, 0.0625 (sum 1), coverage 1.
Square B = [1500, 3000] × [1500, 3000] (2.25 km²):
  (1,1): 500 × 500 = 0.25, (1,2): 1000 × 500 = 0.5, (2,1): 0.5, (2,2): 1.0
  -> weights 1/9, 2/9, 2/9, 4/9, coverage 1.
Square C = [2500, 3500] × [2500, 3500] (1 km²), half of each side outside the grid:
  (2,2): 500 × 500 = 0.25 -> weight 1, coverage 0.25.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

CRS_UTM = "EPSG:32651"
X = np.array([500.0, 1500.0, 2500.0])
Y = np.array([500.0, 1500.0, 2500.0])
SQUARES = {"A": (250.0, 250.0, 1250.0, 1250.0), "B": (1500.0, 1500.0, 3000.0, 3000.0),
           "C": (2500.0, 2500.0, 3500.0, 3500.0)}
#: expected weights {square: {(row, col): weight}} and coverage (hand-computed above)
EXPECTED_WEIGHTS = {
    "A": {(0, 0): 0.5625, (0, 1): 0.1875, (1, 0): 0.1875, (1, 1): 0.0625},
    "B": {(1, 1): 1 / 9, (1, 2): 2 / 9, (2, 1): 2 / 9, (2, 2): 4 / 9},
    "C": {(2, 2): 1.0},
}
EXPECTED_COVERAGE = {"A": 1.0, "B": 1.0, "C": 0.25}


def make_grid(x=X, y=Y, values=None, *, crs=CRS_UTM, kind="projected", times=None, name="pm25"):
    """A normalised grid as :func:`forecasting.grids.open_grid` returns it (no file involved)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    times = np.asarray(times if times is not None else ["2026-11-24T01:00"], "datetime64[ns]")
    if values is None:
        values = np.arange(len(y) * len(x), dtype=float).reshape(len(y), len(x))
    values = np.broadcast_to(values, (len(times), len(y), len(x))).copy()
    xx, yy = np.meshgrid(x, y)
    return xr.Dataset(
        {name: (("time", "y", "x"), values, {"units": "µg/m³"})},
        coords={"time": times, "lead_hours": ("time", np.arange(1.0, len(times) + 1)), "x": x, "y": y,
                "lon": (("y", "x"), xx), "lat": (("y", "x"), yy)},
        attrs={"crs": crs, "grid_kind": kind, "model": "fixture", "cycle": "2026-11-24T00:00:00Z",
               "format": "fixture", "level": "surface", "files": [], "conversions": []},
    )


def squares_frame(names=("A", "B", "C"), crs=CRS_UTM):
    import geopandas as gpd
    import shapely

    return gpd.GeoDataFrame({"adcode": list(names)},
                            geometry=[shapely.box(*SQUARES[n]) for n in names], crs=crs)
