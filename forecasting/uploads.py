"""Upload services of the data desk (issue #20): a model run or observations from the browser.

Both go in two steps. *Preview* reads the uploaded bytes from a staging folder and describes them
(for a run: ``inspect``'s description, the zone's coverage and the first field; for observations:
the rows and the quality-control flags the import would set) without touching the database.
*Confirm* then runs the very path the command line runs (:func:`forecasting.datastore.ingest_run`,
:func:`forecasting.datastore.import_observations`): the same validation, one transaction, the
same replace rules. A bad file is refused with a message naming file and problem, writes no
science data, and leaves one ``ingest_attempts`` row (status ``refused``, the reason) and one
audit row.

Files are kept content-addressed under ``FORECASTING_DATA_DIR/uploads/<sha256>/<name>``, so a run
can be ingested again (:func:`reingest_run`) and the model-guidance map can read its field.

Permissions (checked here, not in the pages): model runs — forecasters and admins; observations —
admins; managers read only (the arrivals board). A forecaster's run is stored by the ingest
operator acting on the verified user's behalf (``ModelRun.ingested_by`` and the audit row name the
user).

Size limits: :data:`MAX_RUN_BYTES` for the files of one run together (``FORECASTING_UPLOAD_MAX_MB``,
default 200 MB, Streamlit's own ``server.maxUploadSize``), :data:`MAX_OBS_BYTES` for an observations CSV (20 MB), at most
:data:`MAX_FILES` files per run (:data:`forecasting.archives.MAX_RUN_FILES`).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from forecasting import audit
from forecasting.accounts import current_actor
from forecasting.archives import MAX_RUN_FILES as MAX_FILES  # the limits of one run, where archives read too
from forecasting.archives import Unpacked, bundle, max_run_bytes, unpack
from forecasting.arrivals import BEIJING, GUIDANCE_REACH_DAYS, consultation_cutoff
from forecasting.config import settings
from forecasting.datastore import (check_station_districts, cycle_in_future, import_observations, ingest_run,
                                   known_stations_only)
from forecasting.errors import ForecastingError, NotFound, PermissionDenied, ValidationError
from forecasting.guidance import compute_guidance
from forecasting.observations import quality_control, read_station_csv, read_stations
from forecasting.permissions import Actor, require_role
from forecasting.store.consultation import IssuedForecast
from forecasting.store.datadesk import IngestAttempt
from forecasting.store.db import Database
from forecasting.store.science import ModelRun, Observation, Station

__all__ = [
    "MAX_FILES",
    "MAX_OBS_BYTES",
    "RUN_ROLES",
    "OBS_ROLES",
    "RunPreview",
    "ObservationPreview",
    "UploadOutcome",
    "AttemptView",
    "max_run_bytes",
    "preview_run",
    "confirm_run",
    "reingest_run",
    "preview_observations",
    "confirm_observations",
    "ingest_recorded",
    "import_recorded",
    "list_attempts",
    "affected_issue_dates",
    "recompute_guidance",
    "uploads_dir",
]

MAX_OBS_BYTES = 20 * 1024 * 1024
RUN_ROLES = ("forecaster", "admin")
OBS_ROLES = ("admin",)
#: what an uploaded file's name may keep: letters and digits of any script (a Chinese name is a name), ``.``,
#: ``_`` and ``-``; anything else (a path separator, a space, a control character) becomes ``_``
_NAME = re.compile(r"[^\w.-]+")
#: the longest name kept, in UTF-8 bytes (a file system allows 255; a Chinese character takes 3)
_NAME_BYTES = 120
_REASON_MAX = 500
_PREVIEW_ROWS = 200


@dataclass(frozen=True)
class RunPreview:
    """What an uploaded run holds, before anything is stored."""

    token: str                    # staging id (SHA-256 over the files' hashes)
    files: tuple[str, ...]        # file names as uploaded (cleaned), an archive's NetCDF members in its place
    sha256: tuple[str, ...]       # per file
    size: int                     # [bytes] as uploaded
    description: dict             # forecasting.grids.inspect_grid's JSON
    coverage: dict                # adcode -> share of the district inside the grid [1]
    field_variable: str
    field_time: str               # ISO UTC of the first step
    field: pd.DataFrame = field(repr=False)  # lon lat value of the first field
    model: str | None = None
    cycle: str | None = None
    replaces: bool = False        # a run of this model and cycle is stored already
    #: its initialisation time is later than now: mislabelled, refused at the confirm (datastore.read_run)
    cycle_future: bool = False
    #: what each uploaded archive (a ZIP of NetCDF files, a .nc.gz) held (forecasting.archives)
    unpacked: tuple[Unpacked, ...] = ()


@dataclass(frozen=True)
class ObservationPreview:
    token: str
    file: str
    sha256: str
    rows: int
    stations: tuple[str, ...]
    unknown_stations: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    flag_counts: dict             # flag -> rows that would get it
    flagged: int                  # rows that would get at least one flag
    table: pd.DataFrame = field(repr=False)  # the first rows: station time pollutant value qc_flags
    #: stored values whose flags the file's hours would change (e.g. a spike at the previous file's newest hour)
    reflagged: int = 0
    #: the file's columns that are not read (an AQI, an 8-hour ozone, a station's name), lower case
    ignored_columns: tuple[str, ...] = ()
    #: a ZIP's files that are not read (neither CSV nor Excel: a README)
    skipped_files: tuple[str, ...] = ()
    #: a national file's stations the app does not know (outside the zone), not imported
    left_out_stations: tuple[str, ...] = ()
    #: rows that are no data, a title above the header and notes below the data: ``(file, line, text)``
    skipped_rows: tuple[tuple[str, int, str], ...] = ()
    #: a workbook's sheets beside its table that were not read (notes, "说明"), as ``file/sheet``
    skipped_sheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class UploadOutcome:
    attempt_id: int
    run_id: int | None
    model: str
    cycle: datetime
    replaced: bool
    n_variables: int
    n_times: int
    n_values: int
    recomputed: tuple[date, ...]  # issue dates whose guidance was recomputed
    stale: tuple[date, ...]       # issue dates whose guidance is now stale (not recomputed)


@dataclass(frozen=True)
class AttemptView:
    id: int
    at: datetime
    kind: str
    status: str
    via: str
    actor_username: str
    model: str | None
    cycle: datetime | None
    files: tuple[str, ...]
    sha256: str
    size: int
    n_variables: int
    n_times: int
    n_values: int
    reason: str
    reason_key: str | None
    reason_params: dict
    can_reingest: bool


# -- helpers --------------------------------------------------------------------------------------


def uploads_dir() -> Path:
    """``FORECASTING_DATA_DIR/uploads`` (stored files in ``<sha256>/``, previews in ``staging/``)."""
    return settings().data_dir / "uploads"


def _check(db: Database, actor: Actor | None, roles: tuple[str, ...], action: str) -> Actor:
    """The re-read actor if it has one of ``roles``; a refusal is audited, then raised."""
    try:
        with db.read() as s:
            return require_role(current_actor(s, actor, action), *roles, action=action)
    except PermissionDenied as exc:
        if actor is not None:
            with db.transaction() as s:
                audit.record(s, actor, "datadesk.denied", object_type="datadesk",
                             details={"action": action, "role": actor.role, "reason": str(exc)[:_REASON_MAX]})
        raise


def _on_behalf(actor: Actor) -> Actor:
    """The ingest operator acting for a verified user (the store and the audit name the user)."""
    if actor.role == "system":
        return actor
    return Actor(user_id=actor.user_id, username=actor.username, role="system", district=actor.district,
                 display_name=actor.display_name)


def _clean_name(name: str, index: int) -> str:
    base = Path(str(name).replace("\\", "/")).name
    base = _NAME.sub("_", base).strip("._").encode("utf-8")[:_NAME_BYTES].decode("utf-8", "ignore")
    return base or f"upload-{index + 1}.nc"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _token(hashes) -> str:
    return _sha("\n".join(sorted(hashes)).encode())


def _staging(token: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", token or ""):
        raise NotFound("that upload is no longer waiting; upload the file again", key="dd20.err.no_staging")
    return uploads_dir() / "staging" / token


def _reason(exc: Exception) -> tuple[str, str | None, dict]:
    params = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v))
              for k, v in (getattr(exc, "params", None) or {}).items()}
    return " ".join(str(exc).split())[:_REASON_MAX], getattr(exc, "key", None), params


def _record(db: Database, actor: Actor, *, kind: str, status: str, via: str, action: str, files=(), sha256: str = "",
            size: int = 0, model: str | None = None, cycle: datetime | None = None, run_id: int | None = None,
            n_variables: int = 0, n_times: int = 0, n_values: int = 0, exc: Exception | None = None,
            details: dict | None = None) -> int:
    """One ``ingest_attempts`` row and one audit row, in one transaction; returns the attempt id."""
    reason, key, params = _reason(exc) if exc is not None else ("", None, {})
    extra = dict(details or {})
    if key:
        extra.update({"reason_key": key, "reason_params": params})
    with db.transaction() as s:
        row = IngestAttempt(kind=kind, status=status, via=via, actor_username=actor.username, model=model,
                            cycle=cycle, run_id=run_id, files=list(files), sha256=sha256, size=int(size),
                            n_variables=n_variables, n_times=n_times, n_values=n_values, reason=reason,
                            details=extra)
        s.add(row)
        s.flush()
        audit.record(s, actor, action, object_type="ingest_attempt", object_id=row.id,
                     details={"kind": kind, "status": status, "via": via, "files": list(files), "sha256": sha256,
                              "model": model, "cycle": cycle.isoformat() if cycle else None, "run_id": run_id,
                              "reason": reason, **({"reason_key": key, "reason_params": params} if key else {})})
        return row.id


#: Previews nobody confirmed are removed after this long [s].
STAGING_TTL_SECONDS = 24 * 3600


def _sweep_staging() -> None:
    """Remove previews older than :data:`STAGING_TTL_SECONDS` (nobody confirmed them)."""
    root = uploads_dir() / "staging"
    if not root.is_dir():
        return
    limit = time.time() - STAGING_TTL_SECONDS
    for d in root.iterdir():
        try:
            if d.is_dir() and d.stat().st_mtime < limit:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass


def _without_folder(exc: Exception, folder: Path) -> Exception:
    """The same error naming the uploaded file only (never the server's staging path)."""
    prefix = str(folder) + os.sep
    if not isinstance(exc, ForecastingError) or prefix not in str(exc) + repr(getattr(exc, "params", {})):
        return exc
    params = {k: (v.replace(prefix, "") if isinstance(v, str) else v) for k, v in (exc.params or {}).items()}
    clean = type(exc)(str(exc).replace(prefix, ""), key=exc.key, **params)
    return clean


def _store_files(staged: list[Path], hashes: list[str]) -> tuple[list[Path], list[Path]]:
    """Copy staged files to ``uploads/<sha256>/<name>``; returns (stored paths, paths newly created)."""
    stored, created = [], []
    for path, digest in zip(staged, hashes):
        folder = uploads_dir() / digest
        existing = sorted(folder.glob("*")) if folder.is_dir() else []
        if existing:
            stored.append(existing[0])
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        tmp = folder / f".{path.name}.part"
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
        stored.append(target)
        created.append(target)
    return stored, created


def _remove(paths) -> None:
    for p in paths:
        p = Path(p)
        p.unlink(missing_ok=True)
        try:
            p.parent.rmdir()
        except OSError:
            pass


# -- model runs ----------------------------------------------------------------------------------


def preview_run(db: Database, actor: Actor | None, files: list[tuple[str, bytes]], *,
                model: str | None = None) -> RunPreview:
    """Stage uploaded NetCDF files of one run and describe them (nothing is stored yet).

    Raises
    ------
    PermissionDenied
        Not a forecaster or an admin.
    ValidationError, FormatError, UnitError
        Too many or too large files, not a readable model run (recorded as a refused attempt).
    """
    from forecasting.districts import district_weights, interpolation_note, load_districts, output_step  # lazy: xarray
    from forecasting.grids import inspect_grid, open_grid  # lazy: xarray
    actor = _check(db, actor, RUN_ROLES, "upload model runs")
    names = [_clean_name(n, i) for i, (n, _b) in enumerate(files)]
    size = sum(len(b) for _n, b in files)
    hashes = [_sha(b) for _n, b in files]
    try:
        if not files:
            raise ValidationError("no file uploaded", key="dd20.err.no_file")
        if len(files) > MAX_FILES:
            raise ValidationError(f"{len(files)} files uploaded; at most {MAX_FILES} files make one run",
                                  key="dd20.err.too_many", n=len(files), max=MAX_FILES)
        if len(set(names)) != len(names):
            raise ValidationError("two uploaded files have the same name", key="dd20.err.same_name")
        if size > max_run_bytes():
            raise ValidationError(f"{size / 1e6:.1f} MB uploaded; the limit for one run is "
                                  f"{max_run_bytes() / 1e6:.0f} MB", key="dd20.err.too_large",
                                  size=f"{size / 1e6:.1f}", limit=f"{max_run_bytes() / 1e6:.0f}")
        for n, (_name, b) in zip(names, files):
            if not b:
                raise ValidationError(f"{n}: the file is empty", key="dd20.err.empty", file=n)
        # a ZIP of NetCDF files (the Atmosphere Data Store's delivery) or a .nc.gz: its members are the run's files
        files, unpacked = unpack(list(files), max_bytes=max_run_bytes(), max_files=MAX_FILES)
        if unpacked:
            names = [_clean_name(n, i) for i, (n, _b) in enumerate(files)]
            hashes = [_sha(b) for _n, b in files]
            if len(set(names)) != len(names):
                raise ValidationError("two uploaded files have the same name", key="dd20.err.same_name")
    except ValidationError as exc:
        _record(db, actor, kind="model_run", status="refused", via="upload", action="datadesk.refused", files=names,
                sha256=_token(hashes) if hashes else "", size=size, exc=exc)
        raise
    token = _token(hashes)
    _sweep_staging()
    folder = uploads_dir() / "staging" / token
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (_name, b) in zip(names, files):
        p = folder / n
        p.write_bytes(b)
        paths.append(p)
    try:
        info = inspect_grid(paths, model=model)
        grid = open_grid(paths, model=model)
        try:
            weights = district_weights(grid, load_districts())
            coverage = {a: float(c) for a, c in zip(weights.adcodes, np.asarray(weights.coverage, float))}
        except ForecastingError:
            coverage = {}
        from forecasting.grids import POLLUTANTS  # lazy: xarray

        variable = next((v for v in POLLUTANTS if v in grid.data_vars), next(iter(grid.data_vars)))
        da = grid[variable].isel(time=0)
        cells = pd.DataFrame({"lon": np.asarray(grid["lon"].values, float).ravel(),
                              "lat": np.asarray(grid["lat"].values, float).ravel(),
                              "value": np.asarray(da.values, float).ravel()}).dropna()
        first_time = str(info["time"]["first"] or "")
        step = output_step(grid["time"].values)
        if step > 1:  # stored hourly (read_run): the preview says so among the conversions
            info["conversions"] = [*info.get("conversions", []), interpolation_note(step)]
    except ForecastingError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        clean = _without_folder(exc, folder)
        _record(db, actor, kind="model_run", status="refused", via="upload", action="datadesk.refused", files=names,
                sha256=token, size=size, model=model, exc=clean)
        if clean is exc:
            raise
        raise clean from None
    except Exception as exc:  # an unreadable file can fail deep inside netCDF4/HDF5
        shutil.rmtree(folder, ignore_errors=True)
        err = ValidationError(f"{', '.join(names)}: not a readable NetCDF model run ({type(exc).__name__}: "
                              f"{' '.join(str(exc).split())[:200]})", key="dd20.err.unreadable", file=", ".join(names))
        _record(db, actor, kind="model_run", status="refused", via="upload", action="datadesk.refused", files=names,
                sha256=token, size=size, model=model, exc=err)
        raise err from None
    name = model or info.get("model") or None  # never the layout's name ("ioapi") as a model
    cycle = info.get("cycle")
    replaces = False
    if name and cycle:
        with db.read() as s:
            replaces = s.scalar(select(ModelRun.id).where(
                ModelRun.model == name, ModelRun.cycle == pd.Timestamp(cycle).to_pydatetime())) is not None
    (folder / "model.txt").write_text(name or "", encoding="utf-8")
    return RunPreview(token, tuple(names), tuple(hashes), size, info, coverage, variable, first_time, cells,
                      model=name, cycle=cycle, replaces=replaces,
                      cycle_future=bool(cycle) and cycle_in_future(cycle), unpacked=tuple(unpacked))


def affected_issue_dates(cycle: datetime, *, today: date) -> list[date]:
    """Issue dates (up to ``today``, at most three back) whose guidance a run of ``cycle`` feeds:
    its cycle is before the date's 15:00 Beijing cut-off and at most 5 days older.

    Examples
    --------
    >>> affected_issue_dates(datetime(2026, 11, 28, 12, tzinfo=timezone.utc), today=date(2026, 11, 29))
    [datetime.date(2026, 11, 29)]
    >>> affected_issue_dates(datetime(2026, 11, 28, 0, tzinfo=timezone.utc), today=date(2026, 11, 29))
    [datetime.date(2026, 11, 28), datetime.date(2026, 11, 29)]
    """
    out = []
    for back in range(2, -1, -1):
        d = today - timedelta(days=back)
        cut = consultation_cutoff(d)
        if cycle <= cut and cut - cycle <= timedelta(days=GUIDANCE_REACH_DAYS):
            out.append(d)
    return out


def _open_dates(db: Database, dates: list[date]) -> list[date]:
    """The dates among ``dates`` with no issued forecast (issued history is not recomputed)."""
    if not dates:
        return []
    with db.read() as s:
        issued = set(s.scalars(select(IssuedForecast.issue_date).where(IssuedForecast.issue_date.in_(dates))))
    return [d for d in dates if d not in issued]


def _after_ingest(db: Database, actor: Actor, cycle: datetime, *, recompute: bool, today: date | None) -> tuple:
    today = today or datetime.now(timezone.utc).astimezone(BEIJING).date()
    dates = _open_dates(db, affected_issue_dates(cycle, today=today))
    if not dates:
        return (), ()
    if not recompute:
        return (), tuple(dates)
    compute_guidance(db, _on_behalf(actor), min(dates), max(dates))
    return tuple(dates), ()


def recompute_guidance(db: Database, actor: Actor | None, issue_date: date) -> int:
    """Recompute the guidance of one open issue date (after a late run came in); forecasters and
    admins. Issued dates keep their guidance (the issued report never changes). Returns rows."""
    actor = _check(db, actor, RUN_ROLES, "recompute guidance")
    if not _open_dates(db, [issue_date]):
        raise ValidationError(f"{issue_date}: already issued; its guidance is kept as it was",
                              key="dd20.err.issued", date=issue_date.isoformat())
    rows = compute_guidance(db, _on_behalf(actor), issue_date, issue_date)
    with db.transaction() as s:
        audit.record(s, actor, "datadesk.recompute", object_type="guidance", object_id=issue_date.isoformat(),
                     details={"rows": rows})
    return rows


def ingest_recorded(db: Database, actor: Actor | None, paths, *, via: str, model: str | None = None,
                    cycle=None, districts=None, sha256: str = "", size: int = 0, action: str = "datadesk.ingest",
                    names=None, **kwargs):
    """:func:`forecasting.datastore.ingest_run` with its attempt recorded, stored or refused (the
    command line and the browser both go through here). Extra keywords reach ``ingest_run``
    (e.g. ``force=`` once it has it)."""
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    names = list(names or [p.name for p in paths])
    if not sha256:
        hashes = []
        for p in paths:
            if p.is_file():
                h = hashlib.sha256()
                with open(p, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
                hashes.append(h.hexdigest())
        sha256 = hashes[0] if len(hashes) == 1 else (_token(hashes) if hashes else "")
        size = size or sum(p.stat().st_size for p in paths if p.is_file())
    operator = actor if actor is not None else Actor.system(via)
    try:
        result = ingest_run(db, actor, [str(p) for p in paths], model=model, cycle=cycle, districts=districts,
                            **kwargs)
    except (ForecastingError, OSError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        err = exc if isinstance(exc, ForecastingError) else ValidationError(f"{', '.join(names)}: {exc}")
        _record(db, operator, kind="model_run", status="refused", via=via, action="datadesk.refused", files=names,
                sha256=sha256, size=size, model=model, exc=err)
        raise
    attempt = _record(db, operator, kind="model_run", status="replaced" if result.replaced else "stored", via=via,
                      action=action, files=names, sha256=sha256, size=size, model=result.model,
                      cycle=result.cycle, run_id=result.run_id, n_variables=len(result.variables),
                      n_times=result.n_times, n_values=result.n_values,
                      details={"paths": [str(p) for p in paths]})
    return result, attempt


def confirm_run(db: Database, actor: Actor | None, token: str, *, recompute: bool = True,
                today: date | None = None) -> UploadOutcome:
    """Ingest a previewed upload through the command line's path; keep its files content-addressed;
    recompute the guidance of the open issue dates it feeds (or report them stale)."""
    actor = _check(db, actor, RUN_ROLES, "upload model runs")
    folder = _staging(token)
    if not folder.is_dir():
        raise NotFound("that upload is no longer waiting; upload the file again", key="dd20.err.no_staging")
    model = (folder / "model.txt").read_text(encoding="utf-8").strip() if (folder / "model.txt").exists() else ""
    if not model:
        raise ValidationError("the files do not name their model; choose the model (mapping file) and inspect again",
                              key="dd20.err.no_model")
    staged = sorted(p for p in folder.iterdir() if p.name != "model.txt" and not p.name.startswith("."))
    hashes = [_sha(p.read_bytes()) for p in staged]
    stored, created = _store_files(staged, hashes)
    try:
        result, attempt = ingest_recorded(db, _on_behalf(actor), stored, via="upload", model=model or None,
                                          sha256=hashes[0] if len(hashes) == 1 else _token(hashes),
                                          size=sum(p.stat().st_size for p in staged), action="datadesk.upload",
                                          names=[p.name for p in staged])
    except ForecastingError:
        _remove(created)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    recomputed, stale = _after_ingest(db, actor, result.cycle, recompute=recompute, today=today)
    return UploadOutcome(attempt, result.run_id, result.model, result.cycle, result.replaced, len(result.variables),
                         result.n_times, result.n_values, recomputed, stale)


def reingest_run(db: Database, actor: Actor | None, attempt_id: int, *, recompute: bool = True,
                 today: date | None = None) -> UploadOutcome:
    """Ingest the kept files of an earlier stored attempt again (after a mapping fix, say)."""
    actor = _check(db, actor, RUN_ROLES, "re-ingest model runs")
    with db.read() as s:
        row = s.get(IngestAttempt, int(attempt_id))
        if row is None or row.kind != "model_run" or row.status == "refused":
            raise NotFound(f"no stored model-run upload #{attempt_id}", key="dd20.err.no_attempt", id=attempt_id)
        paths = [Path(p) for p in (row.details or {}).get("paths", [])]
        model, names, sha, size = row.model, list(row.files or []), row.sha256, row.size
    if not paths or not all(p.is_file() for p in paths):
        raise NotFound(f"the files of upload #{attempt_id} are no longer kept", key="dd20.err.files_gone",
                       id=attempt_id)
    result, attempt = ingest_recorded(db, _on_behalf(actor), paths, via="reingest", model=model, sha256=sha,
                                      size=size, action="datadesk.reingest", names=names)
    recomputed, stale = _after_ingest(db, actor, result.cycle, recompute=recompute, today=today)
    return UploadOutcome(attempt, result.run_id, result.model, result.cycle, result.replaced, len(result.variables),
                         result.n_times, result.n_values, recomputed, stale)


# -- observations --------------------------------------------------------------------------------


def _named(data: bytes, name: str) -> io.BytesIO:
    """``data`` as a file the CSV readers name in their messages."""
    buf = io.BytesIO(data)
    buf.name = name
    return buf


def observation_upload(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """What is previewed and kept of an upload of observation files: one file as it is; several (a week of daily
    exports chosen together) as one ZIP of them (:func:`forecasting.archives.bundle`), named for how many they
    are, which the readers take as a ZIP uploaded so would be (their union, each file named in messages).

    Examples
    --------
    >>> observation_upload([("a.csv", b"x")])
    (b'x', 'a.csv')
    >>> observation_upload([("a.csv", b"x"), ("b.csv", b"y")])[1]
    'observations-2-files.zip'
    """
    if len(files) == 1:
        return files[0][1], files[0][0]
    return bundle(files), f"observations-{len(files)}-files.zip"


def _read_obs(data: bytes, name: str, timezone_name: str | None, hour_label: str) -> pd.DataFrame:
    return read_station_csv(_named(data, name), timezone=timezone_name, hour_label=hour_label)


def preview_observations(db: Database, actor: Actor | None, data: bytes, name: str, *,
                         stations: tuple[str, bytes] | None = None, timezone_name: str | None = None,
                         hour_label: str = "end") -> ObservationPreview:
    """Stage an observations CSV and show its rows with the quality-control flags the import would
    set (against the stored neighbouring hours), without storing anything."""
    actor = _check(db, actor, OBS_ROLES, "import observations")
    clean = _clean_name(name, 0)
    digest = _sha(data)
    try:
        if not data:
            raise ValidationError(f"{clean}: the file is empty", key="dd20.err.empty", file=clean)
        if len(data) > MAX_OBS_BYTES:
            raise ValidationError(f"{len(data) / 1e6:.1f} MB uploaded; the limit for observations is "
                                  f"{MAX_OBS_BYTES / 1e6:.0f} MB", key="dd20.err.too_large",
                                  size=f"{len(data) / 1e6:.1f}", limit=f"{MAX_OBS_BYTES / 1e6:.0f}")
        if hour_label not in ("end", "begin"):
            raise ValidationError(f"hour label {hour_label!r}: expected end or begin")
        obs = _read_obs(data, clean, timezone_name, hour_label)
        if obs.empty:
            raise ValidationError(f"{clean}: no observations in the file", key="dd20.err.no_rows", file=clean)
        meta = read_stations(_named(stations[1], _clean_name(stations[0], 1))) if stations else None
        with db.read() as s:
            if meta is not None:
                check_station_districts(s, meta)  # a station outside the zone, before the preview says all is well
            obs, left_out = known_stations_only(s, obs, meta)  # a national file: the zone's stations only
    except ForecastingError as exc:
        _record(db, actor, kind="observations", status="refused", via="upload", action="datadesk.refused",
                files=[clean], sha256=digest, size=len(data), exc=exc)
        raise
    ids = sorted(set(obs["station"].astype(str)))
    first, last = pd.Timestamp(obs["time"].min()), pd.Timestamp(obs["time"].max())
    with db.read() as s:
        known = set(s.scalars(select(Station.station_id)))
        stored = pd.DataFrame(list(s.execute(
            select(Observation.station_id, Observation.time, Observation.pollutant, Observation.value,
                   Observation.qc_flags)
            .where(Observation.station_id.in_(ids), Observation.time >= (first - pd.Timedelta(hours=24)).to_pydatetime(),
                   Observation.time <= (last + pd.Timedelta(hours=24)).to_pydatetime()))),
            columns=["station", "time", "pollutant", "value", "old_flags"])
    if meta is not None:
        known |= set(meta["station"].astype(str))
    unknown = tuple(i for i in ids if i not in known)
    new = obs[["station", "time", "pollutant", "value"]].copy()
    new["station"] = new["station"].astype(str)
    if not stored.empty:
        stored["time"] = pd.to_datetime(stored["time"], utc=True)
        # the stored values the file replaces do not count as neighbours
        key = set(zip(new["station"], pd.DatetimeIndex(new["time"]), new["pollutant"]))
        keep = [k not in key for k in zip(stored["station"], pd.DatetimeIndex(stored["time"]), stored["pollutant"])]
        stored = stored[keep]
    both = pd.concat([stored.assign(_new=False), new.assign(_new=True)], ignore_index=True)
    checked = quality_control(both[["station", "time", "pollutant", "value"]])
    checked["_new"] = both["_new"].to_numpy(dtype=bool)
    old_flags = both["old_flags"].fillna("").to_numpy(dtype=object)
    reflagged = int((~checked["_new"] & (checked["qc_flags"].to_numpy(dtype=object) != old_flags)).sum())
    flagged = checked[checked["_new"]].assign(_clean=lambda f: f["qc_flags"] == "").sort_values(
        ["_clean", "time", "station", "pollutant"])  # flagged rows first
    counts: dict[str, int] = {}
    for f in flagged["qc_flags"]:
        for code in filter(None, str(f).split("|")):
            counts[code] = counts.get(code, 0) + 1
    _sweep_staging()
    folder = uploads_dir() / "staging" / digest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / clean).write_bytes(data)
    if stations:
        (folder / "stations.csv.meta").write_bytes(stations[1])
    (folder / "options.txt").write_text(f"{timezone_name or ''}\n{hour_label}\n", encoding="utf-8")
    table = flagged[["station", "time", "pollutant", "value", "qc_flags"]].head(_PREVIEW_ROWS).reset_index(drop=True)
    return ObservationPreview(digest, clean, digest, int(len(obs)), tuple(ids), unknown, first.to_pydatetime(),
                              last.to_pydatetime(), counts,
                              int((flagged["qc_flags"] != "").sum()), table, reflagged=reflagged,
                              ignored_columns=tuple(obs.attrs.get("ignored_columns", ())),
                              skipped_files=tuple(obs.attrs.get("skipped_members", ())), left_out_stations=left_out,
                              skipped_rows=tuple(obs.attrs.get("skipped_rows", ())),
                              skipped_sheets=tuple(obs.attrs.get("skipped_sheets", ())))


def confirm_observations(db: Database, actor: Actor | None, token: str):
    """Import a previewed CSV through the command line's path (:func:`forecasting.datastore.import_observations`);
    the file is kept content-addressed. Returns ``(ObservationImport, attempt id)``."""
    actor = _check(db, actor, OBS_ROLES, "import observations")
    folder = _staging(token)
    if not folder.is_dir():
        raise NotFound("that upload is no longer waiting; upload the file again", key="dd20.err.no_staging")
    tz_name, hour_label = ((folder / "options.txt").read_text(encoding="utf-8").split("\n") + ["", "end"])[:2]
    meta = folder / "stations.csv.meta"
    csv_path = next(p for p in sorted(folder.iterdir()) if p.name not in ("options.txt", "stations.csv.meta"))
    digest = _sha(csv_path.read_bytes())
    size = csv_path.stat().st_size
    stored, created = _store_files([csv_path], [digest])
    try:
        result = import_observations(db, actor, stored[0], stations=meta if meta.exists() else None,
                                     timezone=tz_name or None, hour_label=hour_label or "end")
    except ForecastingError as exc:
        _remove(created)
        shutil.rmtree(folder, ignore_errors=True)
        if not isinstance(exc, PermissionDenied):
            _record(db, actor, kind="observations", status="refused", via="upload", action="datadesk.refused",
                    files=[csv_path.name], sha256=digest, size=size, exc=exc)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    attempt = _record(db, actor, kind="observations", status="stored", via="upload", action="datadesk.obs_upload",
                      files=[csv_path.name], sha256=digest, size=stored[0].stat().st_size, n_values=result.rows,
                      details={"paths": [str(stored[0])], "stations": result.stations, "flagged": result.flagged,
                               "from": result.first.isoformat() if result.first else None,
                               "to": result.last.isoformat() if result.last else None})
    return result, attempt


def import_recorded(db: Database, actor: Actor | None, source, *, via: str, stations=None, timezone: str | None = None,
                    hour_label: str = "end"):
    """:func:`forecasting.datastore.import_observations` with its attempt recorded, stored or refused
    (the command line's ``obs import``)."""
    path = Path(source)
    data = path.read_bytes() if path.is_file() else b""
    operator = actor if actor is not None else Actor.system(via)
    try:
        result = import_observations(db, actor, source, stations=stations, timezone=timezone, hour_label=hour_label)
    except ForecastingError as exc:
        if not isinstance(exc, PermissionDenied):
            _record(db, operator, kind="observations", status="refused", via=via, action="datadesk.refused",
                    files=[path.name], sha256=_sha(data) if data else "", size=len(data), exc=exc)
        raise
    attempt = _record(db, operator, kind="observations", status="stored", via=via, action="datadesk.obs_import",
                      files=[path.name], sha256=_sha(data) if data else "", size=len(data), n_values=result.rows,
                      details={"stations": result.stations, "flagged": result.flagged})
    return result, attempt


# -- reading -------------------------------------------------------------------------------------


def list_attempts(db: Database, actor: Actor | None, *, kind: str | None = None, limit: int = 100) -> list[AttemptView]:
    """The newest attempts first (anyone signed in may read them: the arrivals board shows them)."""
    with db.read() as s:
        current_actor(s, actor, "read the data desk")
        q = select(IngestAttempt).order_by(IngestAttempt.id.desc()).limit(max(1, min(int(limit), 1000)))
        if kind:
            q = q.where(IngestAttempt.kind == kind)
        out = []
        for r in s.scalars(q):
            d = r.details or {}
            paths = d.get("paths") or []
            out.append(AttemptView(r.id, r.at, r.kind, r.status, r.via, r.actor_username, r.model, r.cycle,
                                   tuple(r.files or ()), r.sha256, r.size, r.n_variables, r.n_times, r.n_values,
                                   r.reason, d.get("reason_key"), dict(d.get("reason_params") or {}),
                                   r.kind == "model_run" and r.status != "refused" and bool(paths)
                                   and all(Path(p).is_file() for p in paths)))
        return out
