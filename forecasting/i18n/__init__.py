"""One translation table for every string a user sees (Chinese default, English).

The table is assembled from fragments: each module in this package (``core``, ``aqi``,
``grids`` ...) defines ``MESSAGES = {key: (zh, en)}``. Keys are unique across fragments
(checked at import and in tests), so the table behaves as one. ``t(key, lang, **params)``
formats with :meth:`str.format`; an English noun that follows a count is written
``{n:plural|flag|flags}`` (the singular when ``n`` is 1).
"""

from __future__ import annotations

import re

import importlib
import os
import pkgutil

from forecasting.vocab import DISTRICT_ORDER

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "t", "has_key", "table", "default_language", "bracketed", "signed",
           "unbroken_ranges", "zone_districts", "row_references", "Notice"]

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, pair in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise RuntimeError(f"translation key {key!r} defined twice (again in {info.name})")
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise RuntimeError(f"translation {key!r} in {info.name} must be a (zh, en) tuple")
            merged[key] = pair
    return merged


_TABLE = _load()


def table() -> dict[str, tuple[str, str]]:
    """A copy of the whole table ``{key: (zh, en)}``."""
    return dict(_TABLE)


def has_key(key: str) -> bool:
    """Whether the table has ``key`` (for labels that fall back to a code the table does not know).

    Examples
    --------
    >>> has_key("nav.home"), has_key("nav.made_up")
    (True, False)
    """
    return key in _TABLE


def default_language() -> str:
    """``FORECASTING_LANGUAGE`` from the environment ("zh" or "en"), else Chinese."""
    lang = os.environ.get("FORECASTING_LANGUAGE", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class Notice(str):
    """A warning as text (English, for logs and callers that want a string) that can also say itself in another
    language, as a :class:`forecasting.errors.ForecastingError` does.

    Examples
    --------
    >>> n = Notice("42 values dropped", key="cli.interrupted")
    >>> str(n), n.localized("zh")
    ('42 values dropped', '已中断')
    """

    def __new__(cls, text: str, *, key: str | None = None, **params):
        self = super().__new__(cls, text)
        self.key, self.params = key, params
        return self

    def localized(self, lang: str) -> str:
        """The text in ``lang`` ("zh" or "en"; English is the text itself)."""
        return t(self.key, lang, **self.params) if self.key and lang != "en" else str(self)


def t(key: str, lang: str | None = None, /, **params) -> str:
    """The text for ``key`` in ``lang``; an unknown key is returned as itself (and tested against).

    A parameter may carry a value per language: ``expected_zh=...`` replaces ``{expected}`` in the
    Chinese text (for a phrase that is itself part of the message, such as what a CSV cell should hold).
    ``{n:plural|flag|flags}`` is the first word when ``n`` is 1, else the second ("Resolve 1 flags" was
    on the English home page).

    Examples
    --------
    >>> t("nav.home", "en")
    'Home'
    >>> t("correction.csv_bad_value", "zh", file="a.csv", line=2, column="pm25", expected="a number",
    ...   expected_zh="数值", got="x")
    'a.csv 第 2 行 pm25 列：应为数值，实际为 x'
    >>> t("today14.next_flags", "en", n=1), t("today14.next_flags", "en", n=2), t("today14.next_flags", "zh", n=1)
    ('Resolve 1 flag', 'Resolve 2 flags', '处理 1 个分歧')
    """
    pair = _TABLE.get(key)
    if pair is None:
        return key
    lang = "en" if lang == "en" else "zh"
    text = pair[1] if lang == "en" else pair[0]
    if not params:
        return text
    suffix = "_" + lang
    local = {name[: -len(suffix)]: value for name, value in params.items() if name.endswith(suffix)}
    merged = {**params, **local}
    if "plural|" in text:
        text = _PLURAL.sub(lambda m: m.group(2) if _is_one(merged.get(m.group(1))) else m.group(3), text)
    return text.format(**merged)


#: ``{n:plural|singular|plural}`` in a text: the noun after a count (:func:`t`).
_PLURAL = re.compile(r"\{(\w+):plural\|([^{}|]*)\|([^{}|]*)\}")


def _is_one(value) -> bool:
    try:
        return float(value) == 1.0
    except (TypeError, ValueError):
        return False


def zone_districts(name: str = "known") -> dict[str, str]:
    """The zone's districts, in their one order, each with its code, as a message's parameters in each
    language (``known_zh``, ``known_en``): what a refusal of a code that is none of them lists.

    Examples
    --------
    >>> zone_districts()["known_zh"]
    '青浦区 310118、吴江区 320509、嘉善县 330421'
    """
    return {f"{name}_{lang}": t("common.list_sep", lang).join(f"{t(f'district.{a}', lang)} {a}" for a in DISTRICT_ORDER)
            for lang in ("zh", "en")}


def bracketed(text: str, note: str, lang: str | None = None) -> str:
    """``text`` with ``note`` in brackets as each language sets them: full-width in Chinese, a space and
    half-width in English (a title, an axis, a legend's unit).

    Examples
    --------
    >>> bracketed("PM2.5", "µg/m³", "zh"), bracketed("PM2.5", "µg/m³", "en")
    ('PM2.5（µg/m³）', 'PM2.5 (µg/m³)')
    """
    return f"{text} ({note})" if lang == "en" else f"{text}（{note}）"


def signed(value: float, digits: int = 0) -> str:
    """A difference as people read it: "+48", "−4" with the minus sign (U+2212; a hyphen is short and reads as a
    dash beside "~" and "–"), "0" without a sign.

    Examples
    --------
    >>> signed(48.2), signed(-4.4), signed(-0.2), signed(1.25, 1)
    ('+48', '−4', '0', '+1.2')
    """
    text = f"{value:+.{digits}f}"
    if float(text) == 0:
        return text[1:]
    return text.replace("-", "\u2212")


_RANGE_DASH = re.compile(r"(?<=\d)–(?=\d)")


def row_references(rows, lang: str | None = None, limit: int = 6) -> str:
    """Rows of files for a message, ``[(file, line, text)]`` → "a.csv 第 1 行“标题”、…" in ``lang``, at most
    ``limit`` of them and then how many more.

    Examples
    --------
    >>> rows = [("a.xls", 1, "青浦区空气质量"), ("a.xls", 9, "注：数据未经审核")]
    >>> row_references(rows, "zh")
    'a.xls 第 1 行“青浦区空气质量”、a.xls 第 9 行“注：数据未经审核”'
    >>> row_references(rows, "en", limit=1)
    'a.xls line 1 “青浦区空气质量” and 1 more'
    """
    parts = [t("obs.row_ref", lang, file=file, line=line, text=text) for file, line, text in list(rows)[:limit]]
    out = ("、" if lang != "en" else ", ").join(parts)
    return out + (t("dd20.obs.left_out_more", lang, n=len(rows) - limit) if len(rows) > limit else "")


def unbroken_ranges(text: str) -> str:
    """``text`` with each number or day range ("71–92", "12-12–12-14") held on one line: a word joiner
    (U+2060) on both sides of the en dash, where a browser or the PDF would otherwise break between "71–" and
    "92 %". For text people read on a page or in a PDF; the JSON and CSV keep the plain dash.

    Examples
    --------
    >>> unbroken_ranges("95 % 区间 71–92 %，2026-11-07 – 2026-12-06")
    '95 % 区间 71\\u2060–\\u206092 %，2026-11-07 – 2026-12-06'
    """
    return _RANGE_DASH.sub("\u2060–\u2060", text)
