"""``tr(key, **params)``: the translation table in the tab's language."""

from __future__ import annotations

import re

from forecasting.i18n import bracketed, has_key, t
from forecasting.permissions import SYSTEM_ACTORS
from ui.state import language


def tr(key: str, **params) -> str:
    return t(key, language(), **params)


def tr_or(key: str, default: str, **params) -> str:
    """:func:`tr` of ``key`` when the table has it, else ``default`` (a code the table does not know yet)."""
    return tr(key, **params) if has_key(key) else default


def paren(text: str, note: str) -> str:
    """``text（note）`` in Chinese, ``text (note)`` in English (:func:`forecasting.i18n.bracketed`)."""
    return bracketed(text, note, language())


def join(items, *, clauses: bool = False) -> str:
    """``items`` as one list in the tab's language: 青浦、吴江 / Qingpu, Wujiang (``clauses``: …；… / …; …)."""
    return tr("common.clause_sep" if clauses else "common.list_sep").join(str(i) for i in items)


def error_text(exc: Exception) -> str:
    """A domain error in the user's language (never a traceback)."""
    localized = getattr(exc, "localized", None)
    return localized(language()) if localized else str(exc)


_REASON = re.compile(r"lowest mean hourly RMSE over D\+1\.\.D\+3 on (?P<start>[\d-]+)\.\.(?P<end>[\d-]+): "
                     r"(?P<score>[\d.]+|nan|inf) \(raw (?P<raw>[\d.]+|nan|inf); next (?P<next>\w+) (?P<next_score>[\d.]+|nan|inf)\)")


def correction_reason(reason: str) -> str:
    """The stored reason for a trained correction's choice of method (written in English by
    :mod:`forecasting.training`) in the user's language; an unknown text is shown as it is."""
    if reason == "only method":
        return tr("polish.reason_only")
    m = _REASON.fullmatch(reason or "")
    if not m:
        return reason
    parts = m.groupdict()
    parts["next"] = tr(f"method.{parts['next']}")
    return tr("polish.reason_best", **parts)


_LEVELS = (
    (re.compile(r"LAY (?P<lay>\d+) of (?P<n>\d+) \(IOAPI layer 1 = surface layer\)"), "polish.level_ioapi"),
    (re.compile(r"bottom_top (?P<k>\d+) \(lowest model half-level\)"), "polish.level_wrf"),
    (re.compile(r"single level"), "polish.level_single"),
    (re.compile(r"(?P<dim>\S+) = (?P<v>\S+) \(the only level\)"), "polish.level_only"),
    (re.compile(r"(?P<dim>\S+) = (?P<v>\S+) (?P<units>\S+) \(largest pressure\)"), "polish.level_pressure"),
    (re.compile(r"(?P<dim>\S+) = (?P<v>\S+) \(highest model level number: .*\)"), "polish.level_top_count"),
    (re.compile(r"(?P<dim>\S+) = (?P<v>\S+) \(largest sigma/hybrid coordinate, nearest the surface\)"),
     "polish.level_sigma"),
)


def level_text(level: str) -> str:
    """A grid reader's sentence on the chosen vertical level in the user's language (the readers
    write it in English for the command line); an unknown sentence is shown as it is."""
    if not level:
        return level
    return join((_level_part(part) for part in level.split("; ")), clauses=True)


def _level_part(part: str) -> str:
    for pattern, key in _LEVELS:
        m = pattern.fullmatch(part)
        if m:
            return tr(key, **m.groupdict())
    return part


def who(name: str | None, people: dict[str, str] | None = None) -> str:
    """Who acted, as a page names them: a system job in words (``daily-job`` → 每日定时任务; the names are
    reserved, :data:`forecasting.permissions.SYSTEM_ACTORS`); a person by the name in ``people``
    (user name → display name) with the user name in parentheses ("陈静（qp_chen）", what the
    user filter takes), else by the user name."""
    if name in SYSTEM_ACTORS:
        return tr(f"actor.{name}")
    shown = (people or {}).get(name or "")
    if shown and shown != name:
        return shown + tr("common.paren", text=name)
    return name or "—"


#: A stored run's format as centres name it (the readers record ``ioapi``, ``cf``, ``wrf``; the demo's older
#: cycles ``simulated``).
FORMAT_NAMES = {"ioapi": "CMAQ IOAPI", "cf": "CF-NetCDF", "wrf": "WRF-Chem wrfout"}


def format_name(fmt: str | None) -> str:
    """``cf`` → CF-NetCDF, ``ioapi`` → CMAQ IOAPI, ``simulated`` → 模拟区县序列 / simulated district series;
    others as they are."""
    if fmt == "simulated":
        return tr("guid.format_simulated")
    return FORMAT_NAMES.get(fmt or "", fmt or "—")



def signed_in_name(actor, lang: str | None = None) -> str:
    """The signed-in person as the sidebar and the greeting name them: the display name (or user name) and,
    for a forecaster, the district once ("陈静（青浦区）", "陈静 (Qingpu)"). The demo's names carried the district
    themselves, so English pages read "王磊 (吴江) (Wujiang)"."""
    lang = lang or language()
    name = actor.display_name or actor.username
    if actor.district and has_key(f"district.{actor.district}"):
        name += t("common.paren", lang, text=t(f"district.{actor.district}", lang))
    return name
