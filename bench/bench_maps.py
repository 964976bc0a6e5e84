"""Benchmark: server time to draw one field map of a 400 × 400 grid (3 km Lambert conformal over the YRD,
the DESIGN.md scale) with :func:`forecasting.fieldmap.render_field_map` (PNG: native-resolution cells,
basemap, districts, stations, wind arrows), for the three zoom presets and both colour scales.

Baseline, measured in the same run: the previous map (one Altair square mark per cell, 160,000 marks),
timed to its Vega-Lite JSON (what the server had to build and send before the browser even started
drawing). Prints the times, the ratio and whether the 0.5 s target is met (no assertion).
"""

from __future__ import annotations

import json
import time

import numpy as np

N = 400
TARGET = 0.5  # seconds per map


def _grid(n: int = N):
    from pyproj import Transformer

    t = Transformer.from_crs("+proj=lcc +lat_1=25 +lat_2=40 +lat_0=31 +lon_0=120.9 +R=6370000", "EPSG:4326",
                             always_xy=True)
    x = (np.arange(n) - n / 2) * 3000.0
    xx, yy = np.meshgrid(x, x)
    lon, lat = t.transform(xx, yy)
    rng = np.random.default_rng(0)
    pm25 = 30 + 80 * np.exp(-((lon - 120.8) ** 2 + (lat - 31.0) ** 2) / 0.5) + rng.gamma(2, 4, lon.shape)
    u = 3 + np.sin(lat * 3)
    v = 2 * np.cos(lon * 2)
    return lon, lat, pm25, u, v


def _layers(u, v):
    from forecasting import fieldmap
    from forecasting.zone import DISTRICTS_GEOJSON

    stations = [fieldmap.Station(120.96, 31.10, "QP01", 63), fieldmap.Station(121.12, 31.15, "QP02", 88),
                fieldmap.Station(120.65, 31.16, "WJ01", 121), fieldmap.Station(120.80, 31.03, "WJ02", None),
                fieldmap.Station(120.92, 30.84, "JS01", 45), fieldmap.Station(120.89, 30.94, "JS02", 51)]
    return fieldmap.MapLayers(basemap=fieldmap.load_basemap(),
                              districts=json.loads(DISTRICTS_GEOJSON.read_text(encoding="utf-8")),
                              stations=stations, wind=(u, v))


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    from forecasting import fieldmap

    lon, lat, pm25, u, v = _grid()
    layers = _layers(u, v)
    views = {"zone": fieldmap.PRESETS["zone"], "yrd": fieldmap.PRESETS["yrd"], "grid": fieldmap.grid_extent(lon, lat)}

    t0 = time.perf_counter()
    png = fieldmap.render_field_map(lon, lat, pm25, pollutant="pm25", extent=views["zone"], layers=layers, width=960)
    first = time.perf_counter() - t0
    import os

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (times scale with it)")
    print(f"grid: {N} x {N} cells (3 km LCC), map width 960 px; first map (fonts, basemap load): {first:.3f} s, "
          f"{len(png) / 1024:.0f} KiB PNG")
    cold, warm = {}, {}
    for name, ext in views.items():
        for scale in ("category", "continuous"):
            def draw(field=pm25):
                return fieldmap.render_field_map(lon, lat, field, pollutant="pm25", scale=scale, extent=ext,
                                                 layers=layers, width=960)

            best_cold = float("inf")
            for _ in range(2):  # a new view: basemap, names and the pixel-to-cell map drawn from scratch
                fieldmap._STATIC.clear()
                fieldmap._PIXELS.clear()
                t0 = time.perf_counter()
                draw()
                best_cold = min(best_cold, time.perf_counter() - t0)
            cold[(name, scale)] = best_cold
            # the next lead hours in the same view (what "play" does): another field, same view
            warm[(name, scale)] = _best(lambda: draw(pm25 * 1.07))
            print(f"  {name:5s} {scale:10s}: new view {cold[(name, scale)]:.3f} s, next lead hour "
                  f"{warm[(name, scale)]:.3f} s (best of 2 / 3)")
    worst, worst_warm = max(cold.values()), max(warm.values())

    import pandas as pd

    from ui.charts import field_map

    cells = pd.DataFrame({"lon": lon.ravel(), "lat": lat.ravel(), "value": pm25.ravel()})
    t0 = time.perf_counter()
    import altair as alt

    with alt.data_transformers.disable_max_rows():
        spec = field_map(cells, "pm25").to_json()
    base = time.perf_counter() - t0
    print(f"baseline: Altair square marks, {len(cells):,} cells -> Vega-Lite JSON: {base:.3f} s, "
          f"{len(spec) / 1e6:.1f} MB to the browser (which then draws 160,000 marks)")
    print(f"slowest: {worst:.3f} s for a new view, {worst_warm:.3f} s for the next lead hour; "
          f"{base / worst:.1f}x faster than the baseline; target <= {TARGET} s per map: "
          f"{'met' if worst <= TARGET else 'NOT met'} for a new view, "
          f"{'met' if worst_warm <= TARGET else 'NOT met'} for the next lead hour, on this machine now")


if __name__ == "__main__":
    main()
