"""PDF rendering with WeasyPrint. The CJK font (Noto Sans CJK from Debian ``fonts-noto-cjk``) is
embedded as a subset, so files stay small and rendering fast."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from forecasting.errors import ValidationError

__all__ = ["render_pdf", "cjk_font_installed", "require_cjk_font", "strip_emoji", "CJK_FONT", "FONT_DIRS"]

CJK_FONT = "Noto Sans CJK SC"

#: Where fonts are installed when fontconfig's ``fc-list`` is not (Debian's ``fontconfig`` package holds the
#: tool; WeasyPrint needs only the library).
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
#: What decides where fontconfig (or the fallback) looks; :func:`cjk_font_installed` remembers a font found
#: per value of these.
_FONT_ENV = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "PATH", "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME")
_FOUND: set[tuple] = set()
#: Chinese, Japanese and Korean text: the characters a PDF cannot draw without a CJK font.
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def cjk_font_installed() -> bool:
    """Whether Noto Sans CJK is installed (``bash scripts/sysdeps.sh`` installs it): what fontconfig's
    ``fc-list`` knows, or, without that tool, a font file of that name in :data:`FONT_DIRS`. A font found is
    remembered for the environment that found it (a bulk build renders a hundred PDFs); one missing is looked
    for again each time, so installing it needs no restart."""
    where = tuple(os.environ.get(k) for k in _FONT_ENV)
    if where in _FOUND:
        return True
    try:
        out = subprocess.run(["fc-list", ":family"], capture_output=True, text=True, timeout=20).stdout
        found = "Noto Sans CJK" in out
    except (OSError, subprocess.SubprocessError):
        found = any(next(Path(d).expanduser().glob("**/NotoSansCJK*"), None) for d in FONT_DIRS)
    if found:
        _FOUND.add(where)
    return found


def require_cjk_font(html: str | None = None) -> None:
    """Refuse to draw a document with Chinese text when no CJK font is installed: WeasyPrint would fall back
    to a font without those glyphs and print boxes, and an issued report cannot be replaced. Without
    ``html``: refuse work that will draw Chinese (the demo world's reports) before it starts.

    Raises
    ------
    ValidationError
        Naming the font and how to install it (key ``report.cjk_font_missing``); nothing is written.
    """
    if (html is None or _CJK.search(html)) and not cjk_font_installed():
        raise ValidationError("the report's Chinese font (Noto Sans CJK) is not installed: its Chinese would "
                              "print as boxes; install fonts-noto-cjk (make sysdeps as root) and try again",
                              key="report.cjk_font_missing")


# Pictographs the shipped fonts (Noto Sans CJK) have no glyph for, and the joiners and selectors that
# build emoji sequences: Unicode blocks "Miscellaneous Symbols and Pictographs" .. "Symbols and
# Pictographs Extended-A" (U+1F000-U+1FAFF), Dingbats (U+2700-U+27BF), variation selector-16,
# zero-width joiner and the tag characters of flag sequences.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2700-\u27BF\uFE0F\u200D\U000E0020-\U000E007F]")

_NOTICE = {
    "zh": "注：原文中的 {n} 个表情符号无法以报告字体显示，PDF 中已省略；HTML 与文本版保留原文。",
    "en": "Note: {n} emoji of the original text cannot be drawn with the report's fonts and are left out of "
          "the PDF; the HTML and text versions keep them.",
}


def strip_emoji(html: str) -> tuple[str, int]:
    """``html`` without emoji (which would print as empty boxes), and how many were removed.

    Examples
    --------
    >>> strip_emoji("<p>好天气\U0001F600\u2705</p>")
    ('<p>好天气</p>', 2)
    """
    out, n = _EMOJI.subn("", html)
    return out, n


def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document made by :func:`forecasting.reports.html.render_html` (``for_pdf=True``).

    Emoji are left out, with a notice at the end of the document saying how many (the CJK font has no
    glyphs for them; a box would misquote the author). Without a CJK font a document with Chinese text is
    refused (:func:`require_cjk_font`)."""
    from weasyprint import HTML

    require_cjk_font(html)

    html, n = strip_emoji(html)
    if n:
        lang = "en" if re.search(r"<html[^>]*\blang=\"en\"", html) else "zh"
        notice = f'<p class="small" style="margin-top: 8pt">{_NOTICE[lang].format(n=n)}</p>'
        html = html.replace("</body>", notice + "</body>", 1) if "</body>" in html else html + notice
    return HTML(string=html).write_pdf()
