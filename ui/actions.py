"""One way for a page to call a service: a translated error, or a success flash that survives a rerun.

Pages repeated ``try: service(...) except ForecastingError: st.error(...) else: flash; st.rerun()``.
Use instead::

    from ui.actions import call_service, show_flash

    show_flash("users")                      # at the top of the page: shows a pending flash once
    ...
    if st.form_submit_button(tr("users.create")):
        created = call_service(accounts.create_user, db, actor, username=..., flash="users",
                               success=lambda user: tr("users.created", username=user.username))

Only :class:`forecasting.errors.ForecastingError` (a domain error, with a translation) is caught and
shown; any other exception is a bug and propagates (Streamlit shows it; it is never swallowed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from forecasting.errors import ForecastingError
from ui.i18n import error_text

__all__ = ["call_service", "show_flash", "set_flash", "FLASH_PREFIX"]

T = TypeVar("T")
FLASH_PREFIX = "flash:"
_FAILED: Any = None


def show_flash(name: str) -> str | None:
    """Show (once) and return the success text a previous run left under ``name``."""
    text = st.session_state.pop(FLASH_PREFIX + name, None)
    if text:
        st.success(text)
        # also where the user is looking: the line above sits at the page's top, screens away from a button
        # pressed at the bottom of a long page (on a phone, 5,000 px above the 提交 button)
        st.toast(text, icon=":material/check_circle:")
    return text


def set_flash(name: str, text: str) -> None:
    """Keep ``text`` to show once on the next run under ``name`` (see :func:`show_flash`)."""
    st.session_state[FLASH_PREFIX + name] = text


def call_service(service: Callable[..., T], *args, success: str | Callable[[T], str] | None = None,
                 flash: str | None = None, rerun: bool = True, then: Callable[[T], object] | None = None,
                 **kwargs) -> T | None:
    """``service(*args, **kwargs)``; on a domain error show it translated and return ``None``.

    On success, ``then(result)`` runs first when given (close a dialog, empty a form), then
    ``success`` (a text, or a function of the result giving one) is shown: with ``flash``
    it is kept for the next run under that name (see :func:`show_flash`) and, unless ``rerun`` is
    false, the script reruns at once (so the page shows the new state); without ``flash`` it is
    shown now. Returns the service's result.
    """
    try:
        result = service(*args, **kwargs)
    except ForecastingError as exc:
        st.error(error_text(exc))
        return _FAILED
    if then is not None:
        then(result)
    text = success(result) if callable(success) else success
    if flash is not None:
        if text:
            set_flash(flash, text)
        if rerun:
            st.rerun()
    elif text:
        st.success(text)
    return result
