"""Verification (issue #8): how good were the issued forecasts, the corrections and the models.

Pure rules and scores in :mod:`forecasting.verification.rules` (range, level and primary pollutant
hits, POD/FAR/CSI, HJ 1130 continuous scores of the range centre, the Shanghai composite score);
the read-only service over stored data in :mod:`forecasting.verification.service` (issued vs
corrected guidance vs raw models vs persistence, breakdowns, rolling windows, value added,
yesterday's summary for the consultation room). Rules and sources: ``docs/verification.md``.
"""

from forecasting.verification.rules import (
    EVENT_RULES,
    HIGHER_IS_BETTER,
    SCORE_COLUMNS,
    THRESHOLDS,
    VALUE_ADDED_SCORES,
    CompositeWeights,
    annotate,
    composite_score,
    event_forecast,
    level_distance,
    level_hit,
    primary_hit,
    range_hit,
    rolling_scores,
    score_pairs,
    score_table,
    season_of,
    value_added,
)
from forecasting.verification.service import (
    BREAKDOWNS,
    MAX_LEAD_DAYS,
    SOURCES,
    VerificationReport,
    YesterdayRow,
    YesterdaySummary,
    from_csv,
    session_notes,
    to_csv,
    verification_pairs,
    verify,
    yesterday_summary,
)

__all__ = [
    "EVENT_RULES", "HIGHER_IS_BETTER", "SCORE_COLUMNS", "THRESHOLDS", "VALUE_ADDED_SCORES", "CompositeWeights",
    "annotate", "composite_score", "event_forecast", "level_distance", "level_hit", "primary_hit", "range_hit",
    "rolling_scores", "score_pairs", "score_table", "season_of", "value_added",
    "BREAKDOWNS", "MAX_LEAD_DAYS", "SOURCES", "VerificationReport", "YesterdayRow", "YesterdaySummary", "from_csv",
    "session_notes", "to_csv", "verification_pairs", "verify", "yesterday_summary",
]

# issue #18: like-with-like comparisons, intervals, the manager's summary
from forecasting.verification.compare import (  # noqa: E402
    OBSERVED_CLASSES,
    Interval,
    block_bootstrap,
    brier_score,
    choose_reference,
    compare_with,
    observed_class,
    paired,
    preceding_period,
    rate_interval,
    reliability_table,
    skill_score,
)
from forecasting.verification.summary import (  # noqa: E402
    PRESETS,
    PeriodSummary,
    climatology_pairs,
    headline,
    period_summary,
    preset_period,
    summarize,
    summary_pairs,
)

__all__ += [
    "OBSERVED_CLASSES", "Interval", "block_bootstrap", "brier_score", "choose_reference", "compare_with",
    "observed_class", "paired", "preceding_period", "rate_interval", "reliability_table", "skill_score",
    "PRESETS", "PeriodSummary", "climatology_pairs", "headline", "period_summary", "preset_period", "summarize",
    "summary_pairs",
]
from forecasting.verification.known import lookahead_margin, quality_control_known_at  # noqa: E402

__all__ += ["lookahead_margin", "quality_control_known_at"]
