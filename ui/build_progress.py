"""The first run's progress page: while ``make run`` builds the demo world of this app's database, the
app answers at once and shows the build (stage, share done, time left) instead of the sign-in form,
then moves on by itself when the world is complete (issue #16). The build writes its status file
(:mod:`forecasting.demo.status`); this page only reads it."""

from __future__ import annotations

import streamlit as st

from forecasting.config import settings
from forecasting.demo import demo_state
from forecasting.demo.status import live_build, read_status, refresh_after_build, status_path
from forecasting.i18n import t
from ui import state

__all__ = ["show_if_building"]

#: How often the page reads the status file again [s].
POLL_S = 1.0


def _stage_label(key: str, lang: str) -> str:
    return t("dev16.stage." + key.replace(" ", "_"), lang) if key else t("dev16.stage.done", lang)


def _minutes_seconds(seconds: float, lang: str) -> str:
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return t("dev16.seconds", lang, s=seconds)
    return t("dev16.minutes_seconds", lang, m=seconds // 60, s=seconds % 60)


@st.fragment(run_every=POLL_S)
def _progress(lang: str) -> None:
    status = live_build(settings().database_url)
    if status is None:  # finished or stopped: the whole app decides what comes next
        st.rerun()
    left = (t("dev16.build.left", lang, left=_minutes_seconds(status.eta, lang)) if status.eta is not None
            else t("dev16.build.estimating", lang))
    st.progress(status.fraction, text=f"{_stage_label(status.stage, lang)} · {round(100 * status.fraction)} %")
    st.caption(t("dev16.build.elapsed", lang, elapsed=_minutes_seconds(status.elapsed, lang), left=left))


def show_if_building(lang: str) -> None:
    """Show the build's progress and stop the script run while a live build works on this app's
    database; otherwise return (after closing connections that still point at the file a finished
    SQLite build renamed away). One reading of the status file per script run."""
    status = read_status(status_path(), settings().database_url)
    if status is None:
        return
    refresh_after_build(state.database(), status=status)
    if status.live:
        st.title(t("dev16.build.title", lang))
        st.write(t("dev16.build.intro", lang))
        _progress(lang)
        st.stop()
    if status.state in ("building", "stopped") and demo_state(state.database()) in ("empty", "partial"):
        st.warning(t("dev16.build.stopped", lang), icon=":material/error:")  # its process is gone
        st.stop()
