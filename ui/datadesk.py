"""The data desk's one-line arrivals summary (issue #20), for the home page, the consultation
room and the chief desk: ``arrivals_line(db)``; and the observation upload's preview table."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from forecasting.arrivals import arrival_summary, consultation_cutoff, stale_guidance, summary_text
from forecasting.errors import ForecastingError
from forecasting.i18n import has_key, t
from forecasting.vocab import BEIJING, POLLUTANT_TEXT, unit_of
from ui.state import language

#: Pollutants as the data desk's tables write them: the UI's one spelling (forecasting.vocab).
LABELS = POLLUTANT_TEXT

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "data_desk.py")


def arrivals_line(db, *, issue_date: date | None = None, now: datetime | None = None, link: bool = True) -> None:
    """One line: models arrived / expected, those late, missing or refused, newest observations;
    a warning when something is not in, else a caption; a second warning when the guidance of
    ``issue_date`` was computed before a run that feeds it arrived; a link to the data desk.

    For a past ``issue_date`` the line shows the state at that day's 15:00 Beijing cut-off."""
    lang = language()
    now = now or datetime.now(timezone.utc)
    if issue_date is not None and issue_date < now.astimezone(BEIJING).date():
        now = consultation_cutoff(issue_date)
    try:
        summary = arrival_summary(db, now=now)
    except ForecastingError as exc:  # e.g. a broken mapping file: say so, keep the room usable
        st.warning(exc.localized(lang), icon=":material/cloud_off:")
        return
    text = summary_text(summary, lang)
    if summary.not_in:
        st.warning(text, icon=":material/cloud_off:")
    else:
        st.caption(text)
    if issue_date is not None:
        stale = stale_guidance(db, issue_date)
        if stale:
            st.warning(t("dd20.stale", lang, date=issue_date.isoformat(),
                         runs=t("common.list_sep", lang).join(f"{m} {c:%H}Z" for m, c in stale)), icon=":material/update:")
    if not link:
        return
    try:
        st.page_link(PAGE, label=t("dd20.summary.link", lang), icon=":material/inventory:")
    except StreamlitAPIException:  # the page is not in this user's navigation (AppTest of a single page)
        pass


def uploader_in_language() -> None:
    """Streamlit's file uploader writes its button ("Upload") and a size line ("200MB per file • CSV")
    in English only, and that 200 MB is Streamlit's limit, not ours (an observations CSV may have 20 MB).
    The size line is hidden in both languages: each uploader's own label states its limit. In the
    Chinese UI the button says 上传文件. CSS only: the uploader itself is unchanged."""
    rules = '[data-testid="stFileUploaderDropzoneInstructions"]{display:none}'
    if language() == "zh":
        label = t("dd20.upload_button", "zh").replace('"', "")
        # only the button that carries Streamlit's word (not a chosen file's remove button), on one line
        rules += ('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]{display:none}'
                  '[data-testid="stFileUploaderDropzone"] button:has([data-testid="stMarkdownContainer"])::after'
                  f'{{content:"{label}";margin-left:0.4rem;font-size:0.875rem;white-space:nowrap}}')
    st.html(f"<style>{rules}</style>")


def qc_word(code: str, lang: str) -> str:
    """A QC code (``forecasting.observations.qc``) in words; an unknown code as it is.

    Examples
    --------
    >>> qc_word("pm25_gt_pm10", "zh"), qc_word("made_up", "en")
    ('PM2.5 大于 PM10', 'made_up')
    """
    return t(f"dd20.qc.{code}", lang) if has_key(f"dd20.qc.{code}") else code


def observation_preview_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The observation upload's preview rows (``station time pollutant value qc_flags``, times in UTC) as
    the page shows them: Beijing time, the pollutant's label, the value with its unit beside it (CO mg/m³,
    the rest µg/m³: the units the import stores) and the QC codes in words, under the tab's headings.

    Examples
    --------
    >>> rows = pd.DataFrame({"station": ["QP01", "QP01"], "time": pd.to_datetime(["2026-11-30T02:00Z"] * 2),
    ...                      "pollutant": ["pm25", "co"], "value": [41.0, 0.8], "qc_flags": ["pm25_gt_pm10", ""]})
    >>> observation_preview_table(rows, "en").to_dict("records")[1]
    {'Station': 'QP01', 'When': '2026-11-30 10:00', 'Pollutant': 'CO', 'Value': 0.8, 'Unit': 'mg/m³', 'QC flags': ''}
    """
    def flags(cell) -> str:
        return t("common.list_sep", lang).join(qc_word(c, lang) for c in str(cell).split("|") if c)

    times = pd.to_datetime(table["time"], utc=True).dt.tz_convert(BEIJING).dt.strftime("%Y-%m-%d %H:%M")
    return pd.DataFrame({
        t("dd20.col.station", lang): table["station"].to_numpy(),
        t("dd20.col.at", lang): times.to_numpy(),
        t("dd20.col.pollutant", lang): [LABELS.get(p, p) for p in table["pollutant"]],
        t("dd20.col.value", lang): table["value"].to_numpy(),
        t("dd20.col.unit", lang): [unit_of(p) for p in table["pollutant"]],
        t("dd20.col.flags", lang): [flags(c) for c in table["qc_flags"]],
    })
