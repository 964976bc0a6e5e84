"""The monthly and annual assessment of the zone (issue #18): observed air quality of each district
and the zone by HJ 663 (valid days, days and share per level, 优良天数比例, statistical percentiles,
period means, the same period a year before) and the accuracy of the issued forecasts; HTML, PDF, CSV.
Rules and their clauses: ``docs/assessment.md``."""

from forecasting.assessment.hj663 import (
    LEVELS,
    MEAN_INDICATORS,
    PERCENTILE_RULES,
    air_quality_statistics,
    hj663_percentile,
)
from forecasting.assessment.render import area_name, csv_cell, rows, to_csv, to_html, to_pdf
from forecasting.assessment.service import (
    AREAS,
    ZONE,
    ZONE_MIN_DISTRICTS,
    Assessment,
    assess,
    daily_air_quality,
    parse_period,
    zone_daily,
)

__all__ = ["LEVELS", "MEAN_INDICATORS", "PERCENTILE_RULES", "air_quality_statistics", "hj663_percentile",
           "area_name", "csv_cell", "rows", "to_csv", "to_html", "to_pdf", "AREAS", "ZONE", "ZONE_MIN_DISTRICTS",
           "Assessment", "assess", "daily_air_quality", "parse_period", "zone_daily"]
