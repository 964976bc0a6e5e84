"""Helpers for Streamlit AppTest tests of the pages (a real script run, no browser)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "tests" / "app_entry.py")


_COMPONENTS = None


def _component_manager():
    """One Streamlit component registry for every AppTest of the process.

    Each new AppTest scans every installed distribution's metadata for Streamlit components on its
    first run (``BidiComponentManager.discover_and_register_components``): 0.3 s of a 1 s page test,
    for a result that cannot change while the tests run (the project ships no such component).
    """
    global _COMPONENTS
    if _COMPONENTS is None:
        from streamlit.components.v2.component_manager import BidiComponentManager
        _COMPONENTS = BidiComponentManager()
        _COMPONENTS.discover_and_register_components(start_file_watching=False)
    return _COMPONENTS


def new_app(timeout: float = PATIENCE_S) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    # AppTest keeps the registry it scanned in this attribute and scans only while it is None
    # (streamlit 1.67, testing/v1/app_test.py); a later Streamlit without it simply scans again.
    if hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _component_manager()
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click()  # the form's submit button is the only button on the sign-in page
    at.run()
    return at


def texts(at: AppTest) -> str:
    """All visible text of the run (markdown, titles, captions, alerts) joined."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    return "\n".join(parts)


def goto(at: AppTest, page_file: str) -> AppTest:
    """Switch to ``pages/<page_file>`` (must be in the user's navigation) and run."""
    return at.switch_page(f"../pages/{page_file}").run()
