"""Limits and cleaning of user-supplied texts (issue #15).

Every text a user types is stored stripped, without bidi override characters or other control
characters, and no longer than its field's limit, so a report stays a few pages and an issue a
few seconds however much is typed. :mod:`forecasting.consultation.rules` re-exports these names.
"""

from __future__ import annotations

from forecasting.errors import ValidationError

__all__ = ["TEXT_LIMITS", "clean_text", "strip_bidi", "csv_safe", "markdown_escape"]

#: Longest accepted user text per field [characters], after stripping. A report stays a few pages
#: and an issue a few seconds however much is typed (issue #15: a 300,000-character analysis made
#: a 563-page PDF). The names are those the messages show.
TEXT_LIMITS = {
    "analysis": (4_000, "分析", "analysis"),
    "zone_summary": (4_000, "区域综述", "zone summary"),
    "note": (10_000, "会商意见", "note"),
    "amendment_reason": (1_000, "更正原因", "amendment reason"),
    "flag_note": (1_000, "确认说明", "acknowledgement note"),
    "chief_absent_reason": (500, "首席缺席原因", "reason the chief is absent"),
    "display_name": (64, "显示名称", "display name"),
    "token_name": (128, "令牌名称", "token name"),
    "rota_reason": (500, "值班调整原因", "rota change reason"),
}

#: Bidirectional embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069): they can make a
#: stored text display differently from what it says, so stored text never carries them.
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def strip_bidi(text: str) -> str:
    """``text`` without bidi override and isolate characters.

    Examples
    --------
    >>> strip_bidi("abc\u202edef")
    'abcdef'
    """
    return text.translate(_BIDI)


def clean_text(value, *, field: str, required: bool = False) -> str:
    """A user text ready to store: stripped, without bidi controls or other control characters
    (newlines and tabs kept), at most ``TEXT_LIMITS[field]`` characters, else :class:`ValidationError`
    naming the field, its limit and the length given.

    Examples
    --------
    >>> clean_text("  平稳  ", field="zone_summary")
    '平稳'
    >>> clean_text("x" * 4001, field="analysis")
    Traceback (most recent call last):
    ...
    forecasting.errors.ValidationError: analysis may have at most 4000 characters (4001 given)
    """
    limit, _zh, en = TEXT_LIMITS[field]
    text = strip_bidi(str(value or ""))
    text = "".join(ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0)).strip()
    if len(text) > limit:
        raise ValidationError(f"{en} may have at most {limit} characters ({len(text)} given)",
                              key=f"hard15.too_long.{field}", limit=limit, n=len(text))
    if required and not text:
        raise ValidationError(f"{en} is required", key=f"hard15.required.{field}")
    return text


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A CSV cell that a spreadsheet will not run as a formula: text starting with ``= + - @`` (or a
    tab or carriage return) gets a leading apostrophe (OWASP "CSV injection"); anything else is
    returned unchanged.

    Examples
    --------
    >>> csv_safe("=1+2")
    "'=1+2"
    >>> csv_safe("青浦"), csv_safe(-3)
    ('青浦', -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=\"'")


def markdown_escape(text) -> str:
    r"""``text`` escaped so that Markdown (``st.markdown``, ``st.caption``, ``st.write``) shows it as
    typed: no images fetched, no links, no emphasis, no LaTeX, no emoji shortcodes; newlines become
    spaces. For user-supplied names and texts placed inside Markdown.

    Examples
    --------
    >>> print(markdown_escape("![x](u)"))
    \!\[x\]\(u\)
    """
    out = []
    for ch in strip_bidi(str(text or "")).replace("\r", " ").replace("\n", " "):
        out.append("\\" + ch if ch in _MARKDOWN_SPECIAL else ch)
    return "".join(out)
