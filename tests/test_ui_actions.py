"""``ui.actions.call_service``: a translated error or a flash, never a swallowed bug (issue #16)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from patience import PATIENCE_S


def _page():
    import streamlit as st

    from forecasting.errors import FormatError
    from ui.actions import call_service, show_flash

    def service(x):
        if x < 0:
            raise FormatError("x.nc: not found", key="grids.file_missing", file="x.nc")
        if x == 13:
            raise RuntimeError("a bug")
        return x * 2

    show_flash("demo")
    x = st.number_input("x", value=1, key="x")
    if st.button("go"):
        result = call_service(service, x, success=lambda r: f"doubled: {r}", flash="demo")
        st.write(f"not reached: {result}")
    if st.button("now"):
        st.write(f"result {call_service(service, x, success='done now')}")


def test_success_is_flashed_after_the_rerun_and_shown_once():
    at = AppTest.from_function(_page).run(timeout=PATIENCE_S)
    at.button[0].click().run(timeout=PATIENCE_S)
    assert [s.value for s in at.success] == ["doubled: 2"] and not at.error
    assert not [m for m in at.markdown if "not reached" in m.value]  # the rerun happened at once
    at.run(timeout=PATIENCE_S)
    assert not at.success  # shown once


def test_a_domain_error_is_shown_in_the_users_language_and_nothing_flashes():
    at = AppTest.from_function(_page)
    at.run(timeout=PATIENCE_S)
    at.number_input(key="x").set_value(-1)
    at.button[1].click().run(timeout=PATIENCE_S)
    assert [e.value for e in at.error] == ["找不到文件：x.nc"] and not at.success  # i18n/grids.py, zh
    assert "result None" in [m.value for m in at.markdown]


def test_a_bug_is_not_swallowed():
    at = AppTest.from_function(_page).run(timeout=PATIENCE_S)
    at.number_input(key="x").set_value(13)
    at.button[1].click().run(timeout=PATIENCE_S)
    assert len(at.exception) == 1 and not at.error  # the page stops with the bug (details in the log)
