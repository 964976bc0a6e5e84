"""PDF rendering with WeasyPrint. The CJK font (Noto Sans CJK from Debian ``fonts-noto-cjk``) is
embedded as a subset, so files stay small and rendering fast."""

from __future__ import annotations

import re
import subprocess

__all__ = ["render_pdf", "cjk_font_installed", "strip_emoji", "CJK_FONT"]

CJK_FONT = "Noto Sans CJK SC"


def cjk_font_installed() -> bool:
    """Whether fontconfig knows Noto Sans CJK (``bash scripts/sysdeps.sh`` installs it)."""
    try:
        out = subprocess.run(["fc-list", ":family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Noto Sans CJK" in out


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
    glyphs for them; a box would misquote the author)."""
    from weasyprint import HTML

    html, n = strip_emoji(html)
    if n:
        lang = "en" if re.search(r"<html[^>]*\blang=\"en\"", html) else "zh"
        notice = f'<p class="small" style="margin-top: 8pt">{_NOTICE[lang].format(n=n)}</p>'
        html = html.replace("</body>", notice + "</body>", 1) if "</body>" in html else html + notice
    return HTML(string=html).write_pdf()
