"""Joint consultation (issue #6): rota of the chief seat, sessions, district submissions,
consistency flags, notes, the combined forecast, sign-off and issue.

Every function that changes state takes ``(db, actor, ...)``, is one unit of work, checks
permissions itself and writes its audit row in the same transaction. See ``docs/consultation.md``.
"""

from forecasting.consultation.common import Duty
from forecasting.consultation.config import (
    BEIJING,
    ConsultationConfig,
    beijing_datetime,
    beijing_today,
    consultation_config,
    parse_day,
)
from forecasting.consultation.flags import SEVERITY, Flag, FlagGroup, ForecastEntry, compute_flags, group_flags
from forecasting.consultation.acknowledgements import acknowledge_groups, group_sentence, session_flag_groups
from forecasting.consultation.guidance import (
    GuidanceRow,
    Verification,
    best_guidance,
    guidance_centres,
    guidance_rows,
    yesterday_check,
)
from forecasting.consultation.notes import NoteView, add_note, list_notes
from forecasting.consultation.rota import (
    ROTA_LOOKAHEAD_DAYS,
    TurnView,
    district_forecasters,
    duty_for,
    first_day_without_duty,
    generate_rota,
    list_turns,
    substitute,
    swap_turns,
    update_turn,
)
from forecasting.consultation.rules import CheckedForecast, check_forecast, span_text
from forecasting.consultation.sessions import (
    TRANSITIONS,
    SessionView,
    get_session,
    open_session,
    session_history,
    start_consultation,
)
from forecasting.consultation.issue import (
    IssuedView,
    StandingForecast,
    amend_session,
    canonical_json,
    issue_session,
    issue_snapshot,
    issued_forecasts,
    latest_issued_before,
    may_amend,
    standing_forecast,
    verify_issued,
)
from forecasting.consultation.signoff import (
    FinalInput,
    FlagState,
    acknowledge_flag,
    effective_entries,
    save_final,
    session_flags,
    sign_session,
)
from forecasting.consultation.submissions import (
    SubmissionInput,
    SubmissionView,
    list_submissions,
    save_submission,
    save_submissions,
    submission_history,
)
from forecasting.consultation.views import (
    FinalView,
    RoomView,
    guidance_document,
    latest_issue_dates,
    room_view,
    session_document,
)

__all__ = [
    "BEIJING", "ConsultationConfig", "beijing_datetime", "beijing_today", "consultation_config", "parse_day",
    "Duty", "TurnView", "district_forecasters", "duty_for", "generate_rota", "list_turns", "substitute",
    "swap_turns", "update_turn", "first_day_without_duty", "ROTA_LOOKAHEAD_DAYS",
    "TRANSITIONS", "SessionView", "get_session", "open_session", "session_history", "start_consultation",
    "SubmissionInput", "SubmissionView", "list_submissions", "save_submission", "save_submissions",
    "submission_history",
    "CheckedForecast", "check_forecast", "span_text",
    "SEVERITY", "Flag", "ForecastEntry", "compute_flags",
    "FlagGroup", "group_flags", "acknowledge_groups", "group_sentence", "session_flag_groups",
    "NoteView", "add_note", "list_notes",
    "GuidanceRow", "Verification", "best_guidance", "guidance_centres", "guidance_rows", "yesterday_check",
    "FinalInput", "FlagState", "IssuedView", "acknowledge_flag", "amend_session", "may_amend", "canonical_json",
    "effective_entries", "issue_session", "issued_forecasts", "latest_issued_before", "standing_forecast", "StandingForecast", "save_final", "session_flags",
    "sign_session", "verify_issued", "issue_snapshot",
    "FinalView", "RoomView", "latest_issue_dates", "room_view", "session_document", "guidance_document",
]
