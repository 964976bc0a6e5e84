"""The demo build's status file: what the app shows while ``make run`` builds the world beside it.

``make run`` (``python -m forecasting demo run``) starts the app at once and builds the demo world in a
second process. The build's progress (:class:`forecasting.demo.progress.BuildProgress`) writes this
small JSON file about once a second; the app reads it on every script run and, while a live build is
working on *its* database, shows the stage, the share done and the time left instead of the sign-in
form. The file names the database (password hidden) and the building process, so a status left by a
killed build (``kill -9``, a power cut) is recognised: its process is gone.

SQLite builds into a temporary file and renames it over the database when complete, so an engine that
opened the database during the build still reads the old, empty file: :func:`refresh_after_build`
closes its connections once after each finished build.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from forecasting.config import settings

__all__ = ["BuildStatus", "status_path", "write_status", "read_status", "live_build", "refresh_after_build",
           "STATUS_NAME"]

STATUS_NAME = "build-status.json"


@dataclass(frozen=True)
class BuildStatus:
    """One reading of the status file."""

    state: str  #: ``building``, ``complete`` or ``stopped`` (an error or Ctrl-C)
    database: str  #: the database URL, password hidden
    pid: int  #: the building process
    stage: str  #: key of the current stage (:data:`forecasting.demo.progress.STAGES`), "" when done
    fraction: float  #: share of the work done, 0-1
    eta: float | None  #: seconds left (None before the first stage is done)
    elapsed: float  #: seconds since the build started
    updated: str  #: ISO time of this reading (UTC)

    @property
    def alive(self) -> bool:
        """Whether the building process still runs (a status whose process is gone is stale)."""
        if self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # another user's process: it exists
            return True
        return True

    @property
    def live(self) -> bool:
        """A build that is running now."""
        return self.state == "building" and self.alive


def _database_name(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def status_path(data_dir: Path | None = None) -> Path:
    """``FORECASTING_DATA_DIR/demo/build-status.json``."""
    if data_dir is None:
        data_dir = settings().data_dir
    return Path(data_dir) / "demo" / STATUS_NAME


def write_status(path: Path, *, state: str, url: str, stage: str = "", fraction: float = 0.0,
                 eta: float | None = None, elapsed: float = 0.0, pid: int | None = None) -> None:
    """Replace the status file atomically (a reader never sees half a file)."""
    status = BuildStatus(state, _database_name(url), os.getpid() if pid is None else pid, stage,
                         round(min(max(fraction, 0.0), 1.0), 4), None if eta is None else round(eta, 1),
                         round(elapsed, 1), datetime.now(timezone.utc).isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(asdict(status), ensure_ascii=False), encoding="utf-8")
    os.replace(temp, path)


def read_status(path: Path, url: str) -> BuildStatus | None:
    """The status of the build of the database at ``url``, or ``None`` (no file, another database,
    an unreadable file)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        status = BuildStatus(**{k: raw[k] for k in BuildStatus.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return status if status.database == _database_name(url) else None


def live_build(url: str, path: Path | None = None) -> BuildStatus | None:
    """The status of a build of ``url`` that is running now, or ``None``."""
    status = read_status(path or status_path(), url)
    return status if status is not None and status.live else None


_refreshed: dict[str, str] = {}
_refresh_lock = threading.Lock()


def refresh_after_build(db, path: Path | None = None, *, status: BuildStatus | None = None) -> bool:
    """Close ``db``'s pooled connections once after each finished build of its database (SQLite: they
    still point at the file the build renamed away). Returns True when it closed them. ``status``: a
    reading of the file the caller already made (the app reads it once per script run)."""
    if status is None:
        status = read_status(path or status_path(), db.url)
    if status is None or status.state != "complete":
        return False
    with _refresh_lock:
        if _refreshed.get(db.url) == status.updated:
            return False
        _refreshed[db.url] = status.updated
    db.dispose()
    return True
