"""Benchmark: daily AQI of a 400 × 400 grid for 7 days, all six pollutants (HJ 633-2026).

Measures :func:`forecasting.aqi.aqi_arrays` (vectorised, integer arithmetic) and, in the same run, a
plain per-element Python loop doing the same arithmetic (GB/T 8170 rounding, breakpoint search, exact
integer ceiling) timed on a subsample and scaled to the grid. Prints throughput in IAQI per second,
the ratio, and whether the 20 million IAQI/s target is reached on this machine (no assertion).
"""

from __future__ import annotations

import time

import numpy as np

from forecasting.aqi import BREAKPOINTS, EDITION_2026, IAQI_BREAKPOINTS, USED_INDICATORS, aqi_arrays

NY, NX, NDAYS = 400, 400, 7
TARGET = 20e6  # IAQI per second on one core
SUBSAMPLE = 20_000  # cells for the Python loop

_RANGES = {"pm25_24h": (5, 250), "pm10_24h": (10, 400), "so2_24h": (1, 60), "no2_24h": (5, 120),
           "co_24h": (0.2, 3.0), "o3_8h": (20, 300)}


def _grid(seed=0):
    rng = np.random.default_rng(seed)
    shape = (NDAYS, NY, NX)
    data = {k: rng.uniform(lo, hi, shape) for k, (lo, hi) in _RANGES.items()}
    data["pm25_24h"][rng.random(shape) < 0.01] = np.nan  # a few missing days
    return data


def _python_loop(values: dict[str, np.ndarray], n: int) -> list[int]:
    """The obvious per-element implementation, same rules, exact integers."""
    out = []
    keys = list(values)
    cols = {k: values[k].ravel()[:n].tolist() for k in keys}
    for i in range(n):
        best = -1
        for k in keys:
            c = cols[k][i]
            if c != c or c < 0:
                continue
            scale = 10 if k.startswith("co_") else 1
            q = round(c * scale)  # half-to-even
            bps = [b * scale for b in BREAKPOINTS[EDITION_2026][k]]
            if q > bps[-1]:
                v = 500
            else:
                j = 0
                while j < len(bps) - 2 and q > bps[j + 1]:
                    j += 1
                num = (IAQI_BREAKPOINTS[j + 1] - IAQI_BREAKPOINTS[j]) * (q - bps[j])
                v = IAQI_BREAKPOINTS[j] + -(-num // (bps[j + 1] - bps[j]))
            best = max(best, v)
        out.append(best)
    return out


def main() -> None:
    data = _grid()
    n_ind = len(USED_INDICATORS[(EDITION_2026, "daily")])
    n_iaqi = NY * NX * NDAYS * n_ind
    aqi_arrays(data, edition=EDITION_2026, kind="daily")  # warm-up (lookup tables)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        res = aqi_arrays(data, edition=EDITION_2026, kind="daily")
        best = min(best, time.perf_counter() - t0)
    rate = n_iaqi / best

    t0 = time.perf_counter()
    loop = _python_loop(data, SUBSAMPLE)
    t_loop = time.perf_counter() - t0
    loop_rate = SUBSAMPLE * n_ind / t_loop
    t_loop_full = t_loop * (NY * NX * NDAYS) / SUBSAMPLE
    agree = np.array_equal(np.asarray(loop), res.aqi_computed.ravel()[:SUBSAMPLE])

    print(f"grid: {NY} x {NX} cells x {NDAYS} days x {n_ind} indicators = {n_iaqi:,} IAQI ({EDITION_2026}, daily)")
    print(f"vectorised aqi_arrays: {best:.3f} s (best of 3)  ->  {rate / 1e6:.1f} million IAQI/s")
    print(f"python loop: {t_loop:.2f} s on a subsample of {SUBSAMPLE:,} cells, scaled to the grid: "
          f"{t_loop_full:.1f} s  ->  {loop_rate / 1e6:.2f} million IAQI/s")
    print(f"ratio vectorised / loop: {rate / loop_rate:.0f}x; results agree on the subsample: {agree}")
    verdict = "reached" if rate >= TARGET else "NOT reached"
    print(f"target {TARGET / 1e6:.0f} million IAQI/s on one core: {verdict} ({rate / 1e6:.1f} million IAQI/s)")


if __name__ == "__main__":
    main()
