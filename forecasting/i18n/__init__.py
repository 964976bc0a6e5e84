"""One translation table for every string a user sees (Chinese default, English).

The table is assembled from fragments: each module in this package (``core``, ``aqi``,
``grids`` ...) defines ``MESSAGES = {key: (zh, en)}``. Keys are unique across fragments
(checked at import and in tests), so the table behaves as one. ``t(key, lang, **params)``
formats with :meth:`str.format`.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "t", "table", "default_language"]

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


def default_language() -> str:
    """``FORECASTING_LANGUAGE`` from the environment ("zh" or "en"), else Chinese."""
    lang = os.environ.get("FORECASTING_LANGUAGE", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, /, **params) -> str:
    """The text for ``key`` in ``lang``; an unknown key is returned as itself (and tested against)."""
    pair = _TABLE.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**params) if params else text
