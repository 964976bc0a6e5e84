"""Benchmarks: ``make bench`` runs every ``bench/bench_*.py`` module's ``main()``.

Each benchmark measures a baseline in the same run and prints ratios, never absolute
pass/fail thresholds inside tests. ``make bench BENCH_ARGS="aqi grids"`` runs a subset.
"""
