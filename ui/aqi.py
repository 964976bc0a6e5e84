"""Streamlit display components for the AQI: badge, range badge, legend, IAQI table.

The HTML is built only from our own constants (level colours, category names from
:mod:`forecasting.aqi.levels`, translations) and integers, and escaped anyway; no user text is ever
put into HTML. Functions take ``lang`` ("zh" or "en").
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from forecasting.aqi import (
    EDITION_2026,
    INDICATOR_LABELS,
    AQIRange,
    AQIResult,
    level_info,
    levels,
    normalize_edition,
)
from forecasting.i18n import bracketed, t
from forecasting.vocab import unit_of

__all__ = ["badge_html", "range_badge_html", "legend_html", "iaqi_frame", "aqi_badge", "aqi_range_badge",
           "aqi_legend", "iaqi_table"]

_SPAN = ('<span style="display:inline-block;white-space:{wrap};max-width:100%;box-sizing:border-box;'
         'padding:0.15em 0.45em;border-radius:0.4em;background:{bg};color:{fg};font-weight:600;margin:0 0.2em 0.2em 0'
         '{extra}">{text}</span>')
#: A badge in a narrow day card: smaller, and a level name never broken inside a word. Seven cards beside the
#: sidebar at 1280 px are 71 px wide inside, and at the page's 16 px "轻度污染" (78 px with its padding) broke
#: as "轻度污/染", "Lightly Polluted" as "Lightly Pollute/d"; at 0.8 em with narrower padding the widest word,
#: "Moderately", takes 70 px (measured in Chromium with the app's font).
_COMPACT = ";font-size:0.8em;padding:0.15em 0.3em;word-break:keep-all;overflow-wrap:normal"
_GREY = ("#E0E0E0", "#000000")


def _span(text: str, bg: str, fg: str, *, wrap: bool = False, compact: bool = False) -> str:
    """A coloured badge; ``wrap``: its words may break onto a second line inside the badge when its box is
    narrower than the text (a level name in a day card: "Lightly Polluted" ran past the card's border);
    ``compact``: :data:`_COMPACT`."""
    return _SPAN.format(bg=html.escape(bg), fg=html.escape(fg), text=html.escape(text),
                        wrap="normal" if wrap else "nowrap", extra=_COMPACT if compact else "")


def badge_html(aqi: int | None, *, edition: str = EDITION_2026, lang: str = "zh") -> str:
    """Coloured badge "AQI 107 · 轻度污染"; grey "AQI NA" when not published."""
    if aqi is None:
        return _span(f"{t('aqi.aqi', lang)} {t('aqi.na', lang)}", *_GREY)
    info = level_info(int(aqi), edition=normalize_edition(edition))
    return _span(f"{t('aqi.aqi', lang)} {int(aqi)} · {info.category(lang)}", info.hex, info.text_hex)


def range_badge_html(rng: AQIRange, *, lang: str = "zh", compact: bool = False) -> str:
    """The published range "AQI 90–110" followed by one badge per level it spans; ``compact`` for a narrow day
    card (:data:`_COMPACT`)."""
    # "AQI 95–130" in both languages (空气质量指数 95-130 took three lines in a day card); the numbers never
    # break, but "AQI" may stand above them in a card narrower than the badge (seven day cards beside the
    # sidebar at 1440 px: "AQI 105–125" ran past the card's border)
    numbers = f'<span style="white-space:nowrap">{int(rng.lo)}–{int(rng.hi)}</span>'
    parts = [_SPAN.format(bg=_GREY[0], fg=_GREY[1], text=f"AQI {numbers}", wrap="normal",
                          extra=_COMPACT if compact else "")]
    for k in rng.levels:
        info = level_info(level=k, edition=rng.edition)
        parts.append(_span(info.category(lang), info.hex, info.text_hex, wrap=True, compact=compact))
    return " ".join(parts)  # a space between badges: copied text and screen readers read "良 轻度污染", not "良轻度污染"


def legend_html(*, edition: str = EDITION_2026, lang: str = "zh") -> str:
    """Six level badges with their AQI spans (HJ 633 Table 1/2, Appendix A colours)."""
    out = []
    for info in levels(normalize_edition(edition)):
        span = f"{info.aqi_low}–{info.aqi_high}" if info.level < 6 else f">{info.aqi_low - 1}"
        out.append(_span(f"{span} {info.category(lang)}", info.hex, info.text_hex))
    return " ".join(out)


def iaqi_frame(result: AQIResult, *, lang: str = "zh") -> pd.DataFrame:
    """Rows per indicator: label, concentration, unit, IAQI, primary mark (plain data, no HTML)."""
    rows = []
    for key, conc in result.concentrations.items():
        rows.append({
            t("aqi.indicator", lang): INDICATOR_LABELS[key],
            t("aqi.concentration", lang): conc,
            t("aqi.unit", lang): unit_of(key),
            t("aqi.iaqi", lang): result.iaqi.get(key),
            t("aqi.primary", lang): "✓" if key in result.primary_pollutants else "",
        })
    for key in result.missing:
        rows.append({t("aqi.indicator", lang): INDICATOR_LABELS[key], t("aqi.concentration", lang): None,
                     t("aqi.unit", lang): "", t("aqi.iaqi", lang): None,
                     t("aqi.primary", lang): t("aqi.missing", lang)})
    return pd.DataFrame(rows)


def aqi_badge(aqi: int | None, *, edition: str = EDITION_2026, lang: str = "zh") -> None:
    """Show the AQI badge."""
    st.markdown(badge_html(aqi, edition=edition, lang=lang), unsafe_allow_html=True)


def aqi_range_badge(rng: AQIRange, *, lang: str = "zh") -> None:
    """Show a published AQI range with its level span."""
    st.markdown(range_badge_html(rng, lang=lang), unsafe_allow_html=True)


def aqi_legend(*, edition: str = EDITION_2026, lang: str = "zh") -> None:
    """Show the level legend with its caption."""
    st.caption(bracketed(t("aqi.legend", lang), normalize_edition(edition), lang))
    st.markdown(legend_html(edition=edition, lang=lang), unsafe_allow_html=True)


def iaqi_table(result: AQIResult, *, lang: str = "zh") -> None:
    """Show the IAQI table of one result, its badge and primary pollutant line."""
    aqi_badge(result.aqi, edition=result.edition, lang=lang)
    primary = ", ".join(INDICATOR_LABELS[k] for k in result.primary_pollutants) or t("aqi.none", lang)
    st.caption(f"{t('aqi.primary', lang)}: {primary} · {result.edition}")
    st.dataframe(iaqi_frame(result, lang=lang), hide_index=True, placeholder="—")
