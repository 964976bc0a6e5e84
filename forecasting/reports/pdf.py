"""PDF rendering with WeasyPrint. The CJK font (Noto Sans CJK from Debian ``fonts-noto-cjk``) is
embedded as a subset, so files stay small and rendering fast."""

from __future__ import annotations

import subprocess

__all__ = ["render_pdf", "cjk_font_installed", "CJK_FONT"]

CJK_FONT = "Noto Sans CJK SC"


def cjk_font_installed() -> bool:
    """Whether fontconfig knows Noto Sans CJK (``bash scripts/sysdeps.sh`` installs it)."""
    try:
        out = subprocess.run(["fc-list", ":family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Noto Sans CJK" in out


def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document made by :func:`forecasting.reports.html.render_html` (``for_pdf=True``)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
