"""``tr(key, **params)``: the translation table in the tab's language."""

from __future__ import annotations

from forecasting.i18n import t
from ui.state import language


def tr(key: str, **params) -> str:
    return t(key, language(), **params)


def error_text(exc: Exception) -> str:
    """A domain error in the user's language (never a traceback)."""
    localized = getattr(exc, "localized", None)
    return localized(language()) if localized else str(exc)
