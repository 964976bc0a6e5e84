"""Domain errors. Each subclasses the matching built-in so callers may catch either.

A message says what was expected, what came, and how to fix it. Errors that reach a user
carry a translation ``key`` and ``params`` so pages can show them in the user's language
(see :mod:`forecasting.i18n`); ``str(exc)`` is the English text for logs and the CLI.
"""

from __future__ import annotations

__all__ = [
    "ForecastingError",
    "ValidationError",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "AuthenticationFailed",
    "UnitError",
    "FormatError",
]


class ForecastingError(Exception):
    """Base of every domain error.

    Parameters
    ----------
    message : str
        English text (logs, CLI).
    key : str, optional
        Translation key in :mod:`forecasting.i18n`; the page shows ``t(key, lang, **params)``.
    **params
        Values substituted into the translated text.
    """

    def __init__(self, message: str, *, key: str | None = None, **params):
        super().__init__(message)
        self.key = key
        self.params = params

    def localized(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en"), falling back to the English text."""
        if self.key:
            from forecasting.i18n import t

            return t(self.key, lang, **self.params)
        return str(self)


class ValidationError(ForecastingError, ValueError):
    """Input that breaks a rule (bad value, malformed row, policy violation)."""


class PermissionDenied(ForecastingError, PermissionError):
    """The acting user may not do this (checked in the services)."""


class NotFound(ForecastingError, LookupError):
    """The named object does not exist."""


class Conflict(ForecastingError):
    """Someone else changed the object first, or the object is in a state that forbids it."""


class AuthenticationFailed(ForecastingError):
    """Sign-in refused. The message never says whether the user exists."""


class IntegrityFailure(ForecastingError):
    """A stored report whose bytes no longer hash to its stored SHA-256: never handed out (the API answers
    500, the archive of many reports is not made)."""


class UnitError(ValidationError):
    """A unit that is missing, unknown or impossible for the variable."""


class FormatError(ValidationError):
    """A file that is not in a format we can read, or misses what we need."""
