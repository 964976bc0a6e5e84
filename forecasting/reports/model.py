"""The report model's shape: the typed dict that :func:`forecasting.reports.content.build_report`
returns and the HTML, PDF, text and JSON writers read.

Plain ``TypedDict`` (a ``dict`` at run time): the JSON file and every stored hash keep the bytes they
had, while a type checker (and a reader) sees which keys exist and what they hold. Rows that change
with the data (a district's days, guidance rows, notes) stay ``dict`` where their keys come straight
from the issue snapshot.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = ["LevelCell", "ReportDay", "ReportDistrict", "ReportDuty", "Headline", "HealthRow",
           "SensitiveGroup", "GuidanceRow", "YesterdayRow", "HistoryRow", "Report"]


class LevelCell(TypedDict):
    """One AQI level as shown (HJ 633-2026 Table 1): number, names, colour."""

    level: int
    level_zh: str
    category_zh: str
    category_en: str
    color_zh: str
    color_en: str
    hex: str
    text_hex: str


class ReportDay(TypedDict, total=False):
    """One district's forecast of one day: the snapshot's entry (``target_date``, ``aqi_lo``,
    ``aqi_hi``, ``level_lo``, ``level_hi``, ``primary``, ``edition`` ...) plus what is shown."""

    target_date: str
    aqi_lo: int
    aqi_hi: int
    level_lo: int
    level_hi: int
    primary: list[str]
    edition: str
    levels: list[LevelCell]
    primary_label: str
    primary_label_en: str
    weekday: int


class ReportDistrict(TypedDict):
    adcode: str
    name_zh: str
    name_en: str
    days: list[ReportDay]
    trend_zh: str
    trend_en: str
    participants: list[dict[str, Any]]


class ReportDuty(TypedDict):
    district: str | None
    district_zh: str
    district_en: str
    chief: str
    deputy: str
    signed_by: str
    signed_seat: str
    signed_at_beijing: str
    chief_absent_reason: str


class Headline(TypedDict):
    """Tomorrow for each district and the zone's level span."""

    target_date: str | None
    districts: list[dict[str, Any]]
    level_lo: int | None
    level_hi: int | None


class HealthRow(LevelCell):
    effect_zh: str
    effect_en: str
    advice_zh: str
    advice_en: str


class SensitiveGroup(TypedDict):
    pollutant: str
    label: str
    groups_zh: str
    groups_en: str
    districts_zh: str
    districts_en: str


class GuidanceRow(TypedDict):
    district: str
    target_date: str
    method: str
    model: str
    centre: float | None
    aqi_lo: int | None
    aqi_hi: int | None


class YesterdayRow(TypedDict):
    district: str
    name_zh: str
    name_en: str
    day: str
    issued_lo: int | None
    issued_hi: int | None
    observed_aqi: int | None
    observed_level: int | None
    observed: LevelCell | None
    hit: bool | None


class HistoryRow(TypedDict):
    revision: int
    issued_at: str
    issued_by: str
    reason: str
    sha256: str | None
    superseded: bool


class Report(TypedDict):
    """Everything one issued revision says (keys as in the JSON file, ``schema`` first)."""

    schema: str
    issue_date: str
    revision: int
    issue_year: int
    issue_number: int
    issue_number_rule: str
    title_zh: str
    title_en: str
    issuing_body_zh: str
    issuing_body_en: str
    issued_at_utc: str | None
    issued_at_beijing: str
    issued_by: str
    valid_days: list[str]
    duty: ReportDuty
    districts: list[ReportDistrict]
    zone_summary: str
    conclusion: str
    met_analysis: list[dict[str, Any]]
    met_analysis_by_district: list[dict[str, Any]]
    headline: Headline
    notes_digest: list[dict[str, Any]]
    health: list[HealthRow]
    sensitive_groups: list[SensitiveGroup]
    guidance: list[GuidanceRow]
    yesterday: list[YesterdayRow]
    history: list[HistoryRow]
    amendment_reason: str
    deadlines: dict[str, Any]
    snapshot_sha256: str
    snapshot: dict[str, Any]
    pdf_sha256: str | None
    standard: str
    #: ``"json"`` for a report issued with its files on demand (its hash is the JSON file's); absent otherwise
    report_hash: NotRequired[str]
