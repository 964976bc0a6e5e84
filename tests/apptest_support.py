"""Helpers for Streamlit AppTest tests of the pages (a real script run, no browser)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from patience import PATIENCE_S

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "tests" / "app_entry.py")


def new_app(timeout: float = PATIENCE_S) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
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
