"""Settings of the consultation (environment variables, read on every call so tests can change them).

| variable | meaning | default |
|---|---|---|
| ``FORECASTING_CONSULT_DAYS`` | target days D+1..D+N of a session (N ≥ 3, HJ 633-2026 §5.2) | 7 |
| ``FORECASTING_CONSULT_DEADLINE`` | consultation deadline, Beijing time ``HH:MM`` | 15:00 |
| ``FORECASTING_ISSUE_DEADLINE`` | issue deadline, Beijing time ``HH:MM`` (HJ 633-2026 §5.2: before 20:00) | 20:00 |
| ``FORECASTING_ROTA_CYCLE_DAYS`` | length of one rota turn [d] | 7 |
| ``FORECASTING_ROTA_ORDER`` | order of the chief seat, comma-separated adcodes | 310118,320509,330421 |
| ``FORECASTING_GUIDANCE_FLAG_THRESHOLD`` | flag a submission whose centre is this far from the guidance [AQI] | 25 |
| ``FORECASTING_RANGE_WIDTHS`` | width rules ``max_centre:width,...`` ("inf" for the rest) [AQI] | 100:20,inf:35 |
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from forecasting.errors import ValidationError
from forecasting.vocab import BEIJING, DISTRICT_ORDER  # the one vocabulary, re-exported

__all__ = ["BEIJING", "ConsultationConfig", "consultation_config", "beijing_today", "beijing_datetime",
           "DISTRICT_ORDER", "parse_day"]



def _hhmm(name: str, default: str) -> time:
    raw = (os.environ.get(name) or default).strip()
    try:
        h, m = raw.split(":")
        return time(int(h), int(m))
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r}: expected a Beijing time HH:MM such as {default}") from exc


def _widths(raw: str) -> tuple[tuple[float, int], ...]:
    try:
        pairs = []
        for part in raw.split(","):
            centre, width = part.split(":")
            pairs.append((math.inf if centre.strip() == "inf" else float(centre), int(width)))
        return tuple(pairs)
    except ValueError as exc:
        raise ValueError(f"FORECASTING_RANGE_WIDTHS={raw!r}: expected e.g. 100:20,inf:35") from exc


@dataclass(frozen=True)
class ConsultationConfig:
    """Rules of the consultation; every field has a documented default (module docstring)."""

    days: int = 7
    consult_deadline: time = time(15, 0)
    issue_deadline: time = time(20, 0)
    cycle_days: int = 7
    order: tuple[str, ...] = DISTRICT_ORDER
    guidance_threshold: float = 25.0
    widths: tuple[tuple[float, int], ...] = field(default=((100.0, 20), (math.inf, 35)))

    def max_width(self, centre: float) -> int:
        """Widest AQI range allowed for a range centred on ``centre`` [AQI]."""
        for max_centre, width in self.widths:
            if centre <= max_centre:
                return int(width)
        return int(self.widths[-1][1])


def consultation_config() -> ConsultationConfig:
    days = int(os.environ.get("FORECASTING_CONSULT_DAYS") or 7)
    if days < 3:
        raise ValueError(f"FORECASTING_CONSULT_DAYS={days}: HJ 633-2026 §5.2 asks for at least 3 days")
    order = tuple(x.strip() for x in (os.environ.get("FORECASTING_ROTA_ORDER") or ",".join(DISTRICT_ORDER)).split(","))
    return ConsultationConfig(
        days=days,
        consult_deadline=_hhmm("FORECASTING_CONSULT_DEADLINE", "15:00"),
        issue_deadline=_hhmm("FORECASTING_ISSUE_DEADLINE", "20:00"),
        cycle_days=int(os.environ.get("FORECASTING_ROTA_CYCLE_DAYS") or 7),
        order=order,
        guidance_threshold=float(os.environ.get("FORECASTING_GUIDANCE_FLAG_THRESHOLD") or 25),
        widths=_widths(os.environ.get("FORECASTING_RANGE_WIDTHS") or "100:20,inf:35"),
    )


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing (the day an issue date refers to)."""
    from forecasting.store.types import utcnow

    return (now or utcnow()).astimezone(BEIJING).date()


def beijing_datetime(day: date, at: time) -> datetime:
    """``day`` at Beijing wall time ``at``, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=BEIJING).astimezone(timezone.utc)


def parse_day(value) -> date:
    """A date from a ``date`` or an ISO string ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        raise ValidationError(f"expected a date, got a datetime {value!r}", key="consult.bad_date", value=str(value))
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"expected a date YYYY-MM-DD, got {value!r}", key="consult.bad_date",
                              value=str(value)) from None


