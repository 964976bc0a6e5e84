"""Settings from the environment, read once per call (cheap) so tests can change them.

| variable | meaning | default |
|---|---|---|
| ``DATABASE_URL`` | SQLAlchemy URL (``postgresql+psycopg://...`` or ``sqlite:///...``) | SQLite file ``forecasting.sqlite3`` in the data directory |
| ``FORECASTING_DATA_DIR`` | where the SQLite file, caches and generated files live | ``var/`` beside the project |
| ``FORECASTING_LANGUAGE`` | default UI language, ``zh`` or ``en`` | ``zh`` |
| ``FORECASTING_SESSION_TIMEOUT_MINUTES`` | sign-in ends after this much inactivity [min] | 60 |
| ``FORECASTING_LOCKOUT_ATTEMPTS`` | failed sign-ins before the account locks | 5 |
| ``FORECASTING_LOCKOUT_MINUTES`` | how long a lock lasts [min] | 15 |
| ``FORECASTING_PASSWORD_MIN_LENGTH`` | password policy: minimum length | 10 |
| ``FORECASTING_DEMO`` | ``1`` = demo mode (demo accounts, banner); set by ``make run`` on an empty database | unset |
| ``FORECASTING_COOKIE_SECURE`` | ``1`` when served over HTTPS (cookie gets ``Secure``) | unset |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "settings", "PROJECT_ROOT", "DATA_DIR_BUNDLED"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_BUNDLED = PROJECT_ROOT / "data"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a whole number") from exc
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be positive")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    language: str
    session_timeout_minutes: int
    lockout_attempts: int
    lockout_minutes: int
    password_min_length: int
    cookie_secure: bool


def settings() -> Settings:
    """The current settings (see the module docstring for the variables)."""
    data_dir = Path(os.environ.get("FORECASTING_DATA_DIR") or PROJECT_ROOT / "var")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'forecasting.sqlite3'}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    lang = os.environ.get("FORECASTING_LANGUAGE", "zh")
    return Settings(
        data_dir=data_dir,
        database_url=url,
        language=lang if lang in ("zh", "en") else "zh",
        session_timeout_minutes=_int("FORECASTING_SESSION_TIMEOUT_MINUTES", 60),
        lockout_attempts=_int("FORECASTING_LOCKOUT_ATTEMPTS", 5),
        lockout_minutes=_int("FORECASTING_LOCKOUT_MINUTES", 15),
        password_min_length=_int("FORECASTING_PASSWORD_MIN_LENGTH", 10),
        cookie_secure=os.environ.get("FORECASTING_COOKIE_SECURE") == "1",
    )
