"""The page boundary (issue #15): a database that is down, locked or failing its disk shows a
translated, retryable message instead of Streamlit's crash page. Widgets keep their keys, so what
the user typed is still there when they retry."""

from __future__ import annotations

import sqlite3
from typing import Callable

import streamlit as st
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from forecasting.i18n import t

__all__ = ["DATABASE_ERRORS", "run_guarded"]

#: Failures of the database itself (unreachable, locked, disk I/O), not bugs in a query.
DATABASE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, sqlite3.OperationalError)


def run_guarded(run: Callable[[], object], lang: str, *, where: str = "page"):
    """Call ``run()``; on a database failure show the retryable message and return ``None``
    (``where`` names the call site, so several guarded parts of one run keep distinct widgets)."""
    try:
        return run()
    except DATABASE_ERRORS as exc:
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:160]
        st.error(t("hard15.db_unavailable", lang), icon=":material/cloud_off:")
        st.caption(detail)
        if st.button(t("hard15.retry", lang), key=f"_db_retry_{where}", icon=":material/refresh:"):
            st.rerun()
        return None
