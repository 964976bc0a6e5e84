"""What a form (or an API client) is offered before anyone types: each district's guidance per target
day made to obey the submission rules, and the chief's combined grid prefilled from the districts.

The guidance rows belong to ``forecasting.guidance`` (read through
:func:`forecasting.consultation.guidance.guidance_rows`). Fields a newer guidance row may carry
(``p_aqi_over_100``, quantiles) are read with ``getattr`` and shown when present. Beyond the last
day with model guidance a day offers the labelled outlook row when there is one (``outlook=True``,
``from_models=False``: climatology and persistence, issue #13); only when there is none is the last guided
day carried forward (``from_models=False``), so the forecaster starts from something and sees that it is
not model output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from forecasting.aqi import level_of
from forecasting.consultation.config import ConsultationConfig
from forecasting.consultation.guidance import best_guidance, central_value

__all__ = ["PrefillDay", "fit_to_rules", "district_prefill", "guidance_ends", "combined_prefill"]


@dataclass(frozen=True)
class PrefillDay:
    district: str
    target_date: date
    aqi_lo: int
    aqi_hi: int
    level_lo: int
    level_hi: int
    primary: tuple[str, ...]
    median: float | None
    q_lo: float | None             # the guidance's 80 % range (10th and 90th percentiles), when given
    q_hi: float | None
    p_aqi_over_100: float | None
    from_models: bool
    method: str
    outlook: bool = False          # the labelled outlook past the models' reach (not model guidance)


def fit_to_rules(aqi_lo: float, aqi_hi: float, primary: Iterable[str] = (), *, config: ConsultationConfig,
                 centre: float | None = None) -> tuple[int, int, tuple[str, ...]]:
    """A range that passes :func:`forecasting.consultation.rules.check_forecast`: whole numbers in
    0..500, ``lo < hi``, no wider than the width rule allows around its centre (narrowed around
    ``centre``, default the middle of the range), and primary pollutants only when the range goes
    above 50 (HJ 633-2026 §4.3.1).

    Examples
    --------
    >>> from forecasting.consultation.config import ConsultationConfig
    >>> fit_to_rules(80, 115, ["pm25"], config=ConsultationConfig())   # centre 97.5: at most 20 wide
    (88, 108, ('pm25',))
    >>> fit_to_rules(20, 40, ["pm25"], config=ConsultationConfig())    # ≤ 50: no primary pollutant
    (20, 40, ())
    """
    c = float(centre) if centre is not None else (float(aqi_lo) + float(aqi_hi)) / 2.0
    lo, hi = int(round(float(aqi_lo))), int(round(float(aqi_hi)))
    lo, hi = max(0, min(lo, 499)), max(1, min(hi, 500))
    if hi <= lo:
        hi = lo + 1
    width = config.max_width((lo + hi) / 2.0)
    if hi - lo > width:
        width = config.max_width(c)
        lo = int(round(c - width / 2.0))
        lo = max(0, min(lo, 500 - width))
        hi = lo + width
        while hi - lo > config.max_width((lo + hi) / 2.0):  # the centre crossed into a narrower rule
            hi -= 1
    chosen = tuple(dict.fromkeys(p for p in primary or () if p))
    if hi <= 50:
        chosen = ()
    return lo, hi, chosen


def _get(row, name):
    return getattr(row, name, None)


def guidance_ends(rows, district: str) -> date | None:
    """The last target day with model guidance (a range, not the outlook) for ``district``."""
    days = [r.target_date for r in rows or () if r.district == district and r.aqi_lo is not None
            and r.aqi_hi is not None and not _get(r, "outlook")]
    return max(days) if days else None


def district_prefill(rows, target_dates: Iterable[date], district: str, *,
                     config: ConsultationConfig) -> list[PrefillDay]:
    """The prefill of one district for each target day (days before any guidance are left out)."""
    best = best_guidance(list(rows or []))
    out, last = [], None
    for day in target_dates:
        g = best.get((district, day))
        outlook = g is not None and bool(_get(g, "outlook"))
        from_models = g is not None and not outlook
        g = g or last
        if g is None:
            continue
        last = g
        median = central_value(g)  # the distribution's median (inside the range chosen from it), else the point AQI
        lo, hi, primary = fit_to_rules(g.aqi_lo, g.aqi_hi, g.primary, config=config, centre=median)
        if lo > 50 and not primary:
            primary = tuple(p for r in rows or () if r.district == district and r.target_date == g.target_date
                            for p in (r.primary or ()))[:1]
        p100 = _get(g, "p_aqi_over_100")
        if p100 is None:
            p100 = _get(g, "p_over_100")
        out.append(PrefillDay(district, day, lo, hi, level_of(lo), level_of(hi), tuple(primary),
                              None if median is None else float(median),
                              _get(g, "q10") if _get(g, "q10") is not None else _get(g, "aqi_q10"),
                              _get(g, "q90") if _get(g, "q90") is not None else _get(g, "aqi_q90"),
                              None if p100 is None else float(p100), from_models, g.method, outlook))
    return out


def combined_prefill(entries, finals, districts, target_dates, *, config: ConsultationConfig) -> list[dict]:
    """The chief's grid: per district and day the chief's entry when there is one, else the district's
    entry (the centre of its range kept, the rules applied), else empty.

    Returns rows ``{district, target_date, aqi_lo, aqi_hi, primary, version, source}``.
    """
    by_key = {(e.district, e.target_date): e for e in entries}
    fin = {(f.district, f.target_date): f for f in finals}
    rows = []
    for d in districts:
        for day in target_dates:
            f, e = fin.get((d, day)), by_key.get((d, day))
            if f is not None:
                rows.append(dict(district=d, target_date=day, aqi_lo=f.aqi_lo, aqi_hi=f.aqi_hi,
                                 primary=tuple(f.primary), version=f.version, source="final"))
            elif e is not None:
                lo, hi, primary = fit_to_rules(e.aqi_lo, e.aqi_hi, e.primary, config=config)
                rows.append(dict(district=d, target_date=day, aqi_lo=lo, aqi_hi=hi, primary=primary, version=0,
                                 source=e.source))
            else:
                rows.append(dict(district=d, target_date=day, aqi_lo=None, aqi_hi=None, primary=(), version=0,
                                 source="missing"))
    return rows
