"""Services that store science data: model runs → district series, station observations.

Each call is one unit of work. Reading and checking happen before the transaction opens, so a
bad file writes nothing; the writes themselves happen in one transaction, so a failure half-way
writes nothing either. Ingesting the same model cycle again replaces it atomically; importing
the same observations again changes nothing (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, delete, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError

from forecasting import audit
from forecasting.accounts import current_actor
from forecasting.errors import Conflict, FormatError, ValidationError
from forecasting.i18n import Notice, zone_districts
from forecasting.observations import (district_observations, first_known, quality_control, read_station_csv,
                                      read_stations)
from forecasting.observations.known import in_margin, recheck_window
from forecasting.observations.reading import fold
from forecasting.permissions import Actor, require_role
from forecasting.plausibility import PLAUSIBLE_MAX, TINY_MEDIAN
from forecasting.store.db import Database, insert_columns, insert_rows
from forecasting.store.models import AppMeta, District
from forecasting.store.science import DistrictObservation, DistrictSeries, ModelRun, Observation, Station
from forecasting.store.types import utcnow
from forecasting.vocab import BEIJING_ZONE

__all__ = [
    "IngestResult",
    "ObservationImport",
    "RunRead",
    "read_run",
    "cycle_in_future",
    "ingest_run",
    "store_district_series",
    "store_long_district_series",
    "check_station_districts",
    "import_observations",
    "store_observations",
    "list_runs",
    "model_names",
    "forecast_frame",
    "learning_observation_frame",
    "observation_frame",
    "RunInfo",
    "run_files",
]


@dataclass(frozen=True)
class IngestResult:
    run_id: int
    model: str
    cycle: datetime
    format: str
    level: str
    variables: tuple[str, ...]
    districts: tuple[str, ...]
    n_times: int
    n_values: int
    replaced: bool
    #: values dropped as missing (NaN) before storing
    dropped: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObservationImport:
    stations: int
    rows: int
    flagged: int
    district_hours: int
    first: datetime | None
    last: datetime | None
    #: stored values at the file's (station, pollutant, hour) keys that the import replaced
    replaced: int = 0
    #: values at keys that had none before
    added: int = 0
    #: stored values whose flags changed with the file's hours beside them (e.g. the previous file's
    #: newest hour, a spike once its next hour is known)
    reflagged: int = 0
    #: the file's columns that were not read (an AQI, an 8-hour ozone, a station's name), lower case
    ignored_columns: tuple[str, ...] = ()
    #: a national file's stations the app does not know (outside the zone), left out
    left_out_stations: tuple[str, ...] = ()
    #: rows that are no data, a title above the header and notes below the data: ``(file, line, text)``
    skipped_rows: tuple[tuple[str, int, str], ...] = ()
    #: a workbook's sheets beside its table that were not read (notes, "说明"), as ``file/sheet``
    skipped_sheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunInfo:
    id: int
    model: str
    cycle: datetime
    format: str
    level: str
    variables: tuple[str, ...]
    n_times: int
    synthetic: bool
    ingested_at: datetime


def _operator(s, actor: Actor | None, action: str) -> Actor:
    return require_role(current_actor(s, actor, action), "admin", action=action)


@dataclass(frozen=True)
class RunRead:
    """One model run read from its files and reduced to district series (:func:`read_run`), not stored yet:
    the keywords :func:`store_district_series` takes."""

    frame: pd.DataFrame  #: ``district time lead_hours`` and one column per variable
    model: str
    cycle: datetime
    format: str
    level: str
    files: list[str]
    conversions: list

    def store(self, db: Database, actor: Actor | None, *, synthetic: bool = False, force: bool = False) -> IngestResult:
        """Store the run (:func:`store_district_series`, permission checked there)."""
        return store_district_series(db, actor, self.frame, model=self.model, cycle=self.cycle, format=self.format,
                                     level=self.level, files=self.files, conversions=self.conversions,
                                     synthetic=synthetic, force=force)


def _utc_timestamp(value) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def cycle_in_future(cycle) -> bool:
    """Whether a run's initialisation time ``cycle`` (ISO text or a time; naive is UTC) is later than now
    (:func:`~forecasting.store.types.utcnow`): such a run's time is mislabelled and it is refused
    (:func:`read_run`); the data desk's preview says so before its confirm.

    Examples
    --------
    >>> cycle_in_future("2000-01-01T00:00Z"), cycle_in_future("2999-01-01T00:00")
    (False, True)
    """
    return _utc_timestamp(cycle) > pd.Timestamp(utcnow())


def read_run(paths, *, model: str | None = None, districts: str | Path | None = None, cycle=None) -> RunRead:
    """Read model output files of one cycle and extract their district series; touches no database
    (the parameters are :func:`ingest_run`'s)."""
    from forecasting.districts import (district_series, district_weights, hourly_series,  # lazy: xarray
                                       interpolation_note, load_districts)
    from forecasting.grids import open_grid  # lazy: xarray

    files = ", ".join(Path(str(p)).name for p in ([paths] if isinstance(paths, (str, Path)) else paths))
    grid = open_grid(paths, model=model, cycle=cycle)
    cycle_value = grid.attrs.get("cycle")
    if not cycle_value:
        raise FormatError(f"{files}: the run's initialisation time (cycle) is unknown; pass --cycle",
                          key="grids.cycle_unknown", file=files)
    start, now = _utc_timestamp(cycle_value), pd.Timestamp(utcnow())
    if cycle_in_future(start):  # a run cannot have started yet: its time is mislabelled (Beijing time as UTC)
        raise ValidationError(f"{files}: the run's initialisation time {start:%Y-%m-%d %H:%M}Z is later than now "
                              f"({now:%Y-%m-%d %H:%M}Z): the file's time is probably wrong (Beijing time written as "
                              "UTC?); nothing was stored", key="grids.cycle_future", file=files,
                              cycle=f"{start:%Y-%m-%d %H}Z", cycle_bj=f"{start.tz_convert(BEIJING_ZONE):%Y-%m-%d %H:%M}",
                              now_bj=f"{now.tz_convert(BEIJING_ZONE):%Y-%m-%d %H:%M}")
    weights = district_weights(grid, load_districts(districts) if districts else None)
    if not np.any(np.asarray(weights.coverage, float) > 0):
        lon, lat = np.asarray(grid["lon"].values, float), np.asarray(grid["lat"].values, float)
        extent = {"lon0": f"{np.nanmin(lon):.2f}", "lon1": f"{np.nanmax(lon):.2f}",
                  "lat0": f"{np.nanmin(lat):.2f}", "lat1": f"{np.nanmax(lat):.2f}"}
        raise ValidationError(f"{files}: the grid (lon {extent['lon0']}..{extent['lon1']}, lat {extent['lat0']}.."
                              f"{extent['lat1']}) covers none of the zone's districts; nothing was stored",
                              key="grids.outside_zone", file=files, **extent)
    # a run written every 3 or 6 hours is made hourly (a day's AQI needs 20 hourly values), and says so
    frame, step = hourly_series(district_series(grid, weights))
    conversions = list(grid.attrs.get("conversions", []))
    if step > 1:
        conversions.append(interpolation_note(step))
    # the mapping file's name when the given one found it ("cams" finds cams.yaml, whose model is CAMS: stored as
    # "cams" it was a fourth model beside CAMS), else the name given, else the format
    name = grid.attrs.get("model") or model or grid.attrs.get("format")
    return RunRead(frame, name, pd.Timestamp(cycle_value).to_pydatetime(), grid.attrs.get("format", ""),
                   str(grid.attrs.get("level", "")), [str(f) for f in grid.attrs.get("files", [])], conversions)


def ingest_run(
    db: Database,
    actor: Actor | None,
    paths,
    *,
    model: str | None = None,
    districts: str | Path | None = None,
    cycle=None,
    synthetic: bool = False,
    force: bool = False,
) -> IngestResult:
    """Read model output files of one cycle, extract district series and store them.

    Parameters
    ----------
    paths : path or list of paths
        NetCDF files of one model run (see :func:`forecasting.grids.open_grid`).
    model : str, optional
        Model name (and mapping file); default the name the reader finds, else the format.
    districts : path, optional
        A boundary GeoJSON (features with ``adcode``) instead of the bundled one.
    """
    with db.read() as s:  # check the permission before the (possibly long) reading
        _operator(s, actor, "ingest model runs")
    return read_run(paths, model=model, districts=districts, cycle=cycle).store(db, actor, synthetic=synthetic,
                                                                               force=force)


def store_district_series(
    db: Database,
    actor: Actor | None,
    frame: pd.DataFrame,
    *,
    model: str,
    cycle: datetime,
    format: str = "",
    level: str = "",
    files: list[str] | None = None,
    conversions: list | dict | None = None,
    synthetic: bool = False,
    force: bool = False,
) -> IngestResult:
    """Store one run's district series (a frame like :func:`forecasting.districts.district_series`
    returns: ``district time lead_hours`` and one column per variable), replacing that cycle.

    Pollutant values outside their plausible range (:data:`forecasting.plausibility.PLAUSIBLE_MAX`,
    below zero, or a median so small the unit label must be wrong) refuse the whole run. Missing
    values are dropped and counted (``dropped``, ``warnings``). A run with no values, or one that would
    replace a stored cycle while more than half of its values are missing, is refused unless
    ``force=True``.
    """
    if cycle.tzinfo is None:
        cycle = pd.Timestamp(cycle).tz_localize("UTC").to_pydatetime()
    variables = [c for c in frame.columns if c not in ("district", "time", "lead_hours", "model", "cycle")]
    if not variables:
        raise ValidationError(f"model {model} cycle {cycle:%Y-%m-%d %H:%M}Z: no variables to store")
    long = frame.melt(id_vars=["district", "time", "lead_hours"], value_vars=variables, var_name="variable")
    return _store_long(db, actor, long, variables, model=model, cycle=cycle, format=format, level=level, files=files,
                       conversions=conversions, synthetic=synthetic, force=force)


def store_long_district_series(db: Database, actor: Actor | None, long: pd.DataFrame, *, model: str, cycle: datetime,
                               **options) -> IngestResult:
    """:func:`store_district_series` for a long frame, one row per value (``district time lead_hours variable
    value``, as a simulation writes it), without making it wide first: what is stored is what the wide frame
    of the same values (``long.pivot_table(index=["district", "time"], columns="variable")`` with its
    ``lead_hours``) stores, in the same order (the variables sorted, then district and time).
    """
    if cycle.tzinfo is None:
        cycle = pd.Timestamp(cycle).tz_localize("UTC").to_pydatetime()
    if long.empty:
        raise ValidationError(f"model {model} cycle {cycle:%Y-%m-%d %H:%M}Z: no variables to store")
    long = _in_stored_order(long)
    return _store_long(db, actor, long, sorted(long["variable"].unique()), model=model, cycle=cycle, **options)


def _in_stored_order(long: pd.DataFrame) -> pd.DataFrame:
    """``long``'s rows in the order a wide frame's melt gives them: variable (sorted), district, time.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"district": ["320509", "310118", "310118"], "variable": ["pm25", "pm25", "o3"],
    ...                      "time": pd.to_datetime(["2026-12-03 01:00"] * 3, utc=True), "lead_hours": 1.0,
    ...                      "value": [35.0, 30.0, 60.0]})
    >>> _in_stored_order(long)[["variable", "district", "value"]].to_numpy().tolist()
    [['o3', '310118', 60.0], ['pm25', '310118', 30.0], ['pm25', '320509', 35.0]]
    """
    return long.sort_values(["variable", "district", "time"], kind="stable", ignore_index=True)[
        ["district", "time", "lead_hours", "variable", "value"]]


def _store_long(db: Database, actor: Actor | None, long: pd.DataFrame, variables: list[str], *, model: str,
                cycle: datetime, format: str = "", level: str = "", files: list[str] | None = None,
                conversions: list | dict | None = None, synthetic: bool = False, force: bool = False) -> IngestResult:
    """Store one run's values, ``long`` (``district time lead_hours variable value``, every value of the run
    with its missing ones as NaN), see :func:`store_district_series`."""
    districts = tuple(sorted(long["district"].unique()))
    n_times = int(pd.DatetimeIndex(long["time"]).nunique())
    finite = np.isfinite(long["value"].to_numpy(dtype=float))
    total, dropped = len(long), int((~finite).sum())
    long = long[finite]
    _check_plausible(long, model=model, cycle=cycle)
    label = f"model {model} cycle {cycle:%Y-%m-%d %H:%M}Z"
    warnings = []
    if dropped:
        warnings.append(Notice(f"{label}: {dropped} of {total} values are missing (NaN) and were dropped",
                               key="cli.values_dropped", model=model, cycle=f"{cycle:%Y-%m-%d %H:%M}Z",
                               dropped=dropped, total=total))
    if long.empty and not force:
        raise ValidationError(f"{label}: no values to store (all {total} missing); nothing was replaced — "
                              "pass --force to store an empty run", key="hard15.ingest_empty", model=model,
                              cycle=f"{cycle:%Y-%m-%d %H:%M}Z")
    times = pd.DatetimeIndex(long["time"])
    lead = long["lead_hours"].to_numpy(dtype=float)
    has_lead = np.isfinite(lead)
    # plain Python values column by column (numpy's per-element float()/round() took 2.4 s of the demo build)
    leads = np.rint(np.where(has_lead, lead, 0)).astype(np.int64).tolist()
    columns = {"district": long["district"].tolist(), "valid_time": list(times.to_pydatetime()),
               "variable": long["variable"].tolist(), "value": long["value"].to_numpy(dtype=float).tolist(),
               "lead_hours": [h if ok else None for h, ok in zip(leads, has_lead.tolist())]}
    with db.transaction() as s:
        actor = _operator(s, actor, "ingest model runs")
        known = set(s.scalars(select(District.adcode)))
        unknown = sorted(set(districts) - known)
        if unknown:
            raise ValidationError(f"districts {', '.join(unknown)} are not in the database; load their boundaries first")
        old = s.scalar(select(ModelRun).where(ModelRun.model == model, ModelRun.cycle == cycle))
        if old is not None and total and dropped / total > 0.5 and not force:
            raise ValidationError(f"{label}: {dropped} of {total} values are missing; refusing to replace the "
                                  "stored cycle with a mostly-empty one — pass --force to replace it anyway",
                                  key="hard15.ingest_mostly_empty", model=model, cycle=f"{cycle:%Y-%m-%d %H:%M}Z",
                                  dropped=dropped, total=total)
        if old is not None:
            s.execute(delete(DistrictSeries).where(DistrictSeries.run_id == old.id))
            s.delete(old)
            s.flush()
        run = ModelRun(model=model, cycle=cycle, format=format, level=level, files=files or [],
                       conversions={"applied": conversions} if isinstance(conversions, list) else (conversions or {}),
                       variables=variables, n_times=n_times,
                       synthetic=synthetic, ingested_by=actor.username)
        s.add(run)
        s.flush()
        values = len(columns["value"])
        insert_columns(s, DistrictSeries, {"run_id": [run.id] * values, **columns})
        audit.record(s, actor, "run.ingest", object_type="model_run", object_id=run.id,
                     details={"model": model, "cycle": cycle.isoformat(), "values": values,
                              "replaced": old is not None, "files": [Path(f).name for f in (files or [])]})
        return IngestResult(run.id, model, cycle, format, level, tuple(variables), districts, run.n_times,
                            values, old is not None, dropped=dropped, warnings=tuple(warnings))


def _check_plausible(long: pd.DataFrame, *, model: str, cycle: datetime) -> None:
    """Refuse physically impossible pollutant values and implausible unit magnitudes (issue #15:
    negative and 1e39 µg/m³ were stored; 1e-8 labelled µg/m³ is a kg/m³ or mixing-ratio field)."""
    for variable, part in long.groupby("variable"):
        top = PLAUSIBLE_MAX.get(str(variable))
        if top is None:
            continue
        values = part["value"].to_numpy(dtype=float)
        bad = (values < 0) | (values > top)
        unit = "mg/m³" if variable == "co" else "µg/m³"
        if bad.any():
            raise ValidationError(
                f"model {model} cycle {cycle:%Y-%m-%d %H:%M}Z: {int(bad.sum())} {variable} values outside the "
                f"plausible 0..{top:g} {unit} (e.g. {values[bad][0]:g}); check the file's units — nothing was stored",
                key="hard15.ingest_implausible", variable=variable, n=int(bad.sum()), top=f"{top:g}", unit=unit,
                example=f"{values[bad][0]:g}")
        positive = values[values > 0]
        if positive.size and float(np.median(positive)) < TINY_MEDIAN[str(variable)]:
            raise ValidationError(
                f"model {model} cycle {cycle:%Y-%m-%d %H:%M}Z: {variable} has a median of "
                f"{float(np.median(positive)):g} {unit}, implausibly small: the unit label is probably wrong "
                "(kg/m³ or a mixing ratio?) — nothing was stored",
                key="hard15.ingest_tiny_unit", variable=variable, median=f"{float(np.median(positive)):g}", unit=unit)


def import_observations(
    db: Database,
    actor: Actor | None,
    source,
    *,
    stations=None,
    timezone: str | None = None,
    hour_label: str = "end",
) -> ObservationImport:
    """Import hourly station observations from CSV (see :mod:`forecasting.observations`), with
    quality-control flags, and recompute the district observations of the hours touched."""
    obs = read_station_csv(source, timezone=timezone, hour_label=hour_label)
    meta = read_stations(stations) if stations is not None else None
    with db.read() as s:
        obs, left_out = known_stations_only(s, obs, meta)
    result = store_observations(db, actor, obs, stations=meta)
    return replace(result, ignored_columns=tuple(obs.attrs.get("ignored_columns", ())), left_out_stations=left_out,
                   skipped_rows=tuple(obs.attrs.get("skipped_rows", ())),
                   skipped_sheets=tuple(obs.attrs.get("skipped_sheets", ())))


def known_stations_only(s, obs: pd.DataFrame, meta: pd.DataFrame | None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A file listing more stations than the zone's without the stations neither the database nor the given
    station list knows, and those stations: a national site file (``date,hour,type,1001A,…``, a column for every
    station of the country) and a provincial export naming its stations (``点位名称,监测时间,…``, whose names are
    turned into the stations' codes here, compared as :func:`forecasting.observations.reading.fold` folds them).
    Any other file is returned as it is (a station it names without metadata is an error of the import). A file
    with none of the app's stations is refused, naming a few of its own."""
    by_name = bool(obs.attrs.get("station_names"))
    if not (obs.attrs.get("station_columns") or by_name):
        return obs, ()
    rows = list(s.execute(select(Station.station_id, Station.name)))
    if meta is not None:
        rows += list(zip(meta["station"].astype(str), meta["name"].astype(str)))
    ids = obs["station"].astype(str)
    if by_name:  # a name to its code (the station list's name wins over the stored one, as its metadata does)
        codes = {fold(name): code for code, name in rows if name}
        found = ids.map({n: codes.get(fold(n)) for n in pd.unique(ids.to_numpy(dtype=object))})
        keep = found.notna().to_numpy()
    else:
        keep = ids.isin({code for code, _name in rows}).to_numpy()
    left_out = tuple(sorted(set(ids[~keep])))
    if not keep.any():
        few = ", ".join(left_out[:5]) + (" …" if len(left_out) > 5 else "")
        raise ValidationError(f"none of the file's {len(left_out)} stations ({few}) is in the station list; import the "
                              "zone's stations first (--stations)", key="obs.no_known_station", n=len(left_out),
                              stations=few, stations_zh="、".join(left_out[:5]) + ("…" if len(left_out) > 5 else ""))
    attrs = dict(obs.attrs)
    kept = obs[keep].reset_index(drop=True)
    if by_name:
        kept["station"] = found[keep].to_numpy()
    kept.attrs = attrs
    return kept, left_out


#: ``app_meta`` key of the observations' version: every import that writes station values bumps it, so an
#: import whose checks were computed from an older state sees the change and computes them again.
OBSERVATIONS_VERSION = "observations_version"
#: how many times an import computes its checks again when other imports keep landing meanwhile
OBSERVATION_ATTEMPTS = 5
_KEY = ["station", "time", "pollutant"]


class _ObservationsChanged(Exception):
    """Another import wrote station values between this import's read and its write."""


@dataclass
class _ObservationPlan:
    """What an import writes, computed outside the write transaction from what it read."""

    ids: list
    stations: pd.DataFrame | None
    clean: pd.DataFrame
    #: the file's (station, time, pollutant) keys that hold a stored value (read with the window): the values
    #: the import replaces, deleted first
    replaced: pd.DataFrame
    redone: pd.DataFrame
    #: the station values to insert, column by column (``insert_columns``: no dict per row in the write)
    rows: dict[str, list]
    keys: pd.DataFrame
    drows: list
    flagged: int
    first: pd.Timestamp
    last: pd.Timestamp


def check_station_districts(s, stations: pd.DataFrame) -> None:
    """Refuse a station list (:func:`~forecasting.observations.read_stations`) that places a station in a
    district the database does not hold, naming the station and the zone's districts."""
    known = set(s.scalars(select(District.adcode)))
    for r in stations.itertuples(index=False):
        if r.district not in known:
            raise ValidationError(f"station {r.station}: district {r.district} is not one of {', '.join(sorted(known))}",
                                  key="obs.station_district", station=r.station, district=r.district,
                                  **zone_districts())


def store_observations(db: Database, actor: Actor | None, obs: pd.DataFrame, *, stations: pd.DataFrame | None = None
                       ) -> ObservationImport:
    """Store long station observations ``station time pollutant value`` (UTC, hour-ending).

    An hour that has not ended yet (its label after the clock) cannot have been observed: the whole file
    is refused, naming the first such line and hour.

    The quality control and the district means are computed between two short transactions, never
    while the database is locked for writing: the stored values they need are read first (the file's
    stations and every station of their districts, 24 h either side of the file), and the write
    commits only if no other import changed the observations meanwhile (:data:`OBSERVATIONS_VERSION`);
    otherwise they are computed again from the new state (at most :data:`OBSERVATION_ATTEMPTS` times).
    """
    if obs.empty:
        raise ValidationError("no observations in the file")
    for _ in range(OBSERVATION_ATTEMPTS):
        with db.read() as s:
            _operator(s, actor, "import observations")
            seen, meta, window = _observation_context(s, obs, stations)
        plan = _plan_observations(obs, stations, meta, window)
        try:
            return _write_observations(db, actor, plan, seen)
        except _ObservationsChanged:
            continue
    raise Conflict("other imports kept changing the observations while this file was checked; nothing was "
                   "imported: import it again", key="obs.busy")


def _refuse_unended_hours(obs: pd.DataFrame) -> None:
    now = pd.Timestamp(utcnow())
    future = (pd.to_datetime(obs["time"], utc=True) > now).to_numpy()
    if future.any():
        i = int(np.flatnonzero(future)[0])
        hour = pd.Timestamp(obs["time"].iloc[i]).tz_convert(BEIJING_ZONE).strftime("%Y-%m-%d %H:%M")
        line = int(obs["line"].iloc[i]) if "line" in obs else 0
        clock = now.tz_convert(BEIJING_ZONE).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(f"line {line}: the hour ending {hour} (Beijing) has not ended yet (now {clock}); "
                              f"nothing was imported", key="obs.future_hour", line=line, hour=hour, now=clock)


def _observation_context(s, obs: pd.DataFrame, stations: pd.DataFrame | None):
    """Read phase: the observations' version, the station metadata as it will be after the import (the
    file's stations applied) and the stored values of every station of the file's districts from 24 h
    before its first hour to 24 h after its last. The permission is checked before (an unauthorised
    user learns nothing of the file)."""
    _refuse_unended_hours(obs)
    if stations is not None:
        check_station_districts(s, stations)
    meta_rows = list(s.execute(select(Station.station_id, Station.name, Station.lon, Station.lat, Station.district)))
    meta = pd.DataFrame(meta_rows, columns=["station", "name", "lon", "lat", "district"])
    if stations is not None:
        given = pd.DataFrame({"station": stations["station"].astype(str), "name": stations["name"].astype(str),
                              "lon": stations["lon"].astype(float), "lat": stations["lat"].astype(float),
                              "district": stations["district"].astype(str)}).drop_duplicates("station", keep="last")
        meta = pd.concat([meta[~meta["station"].isin(given["station"])], given], ignore_index=True)
    unknown = sorted(set(obs["station"].astype(str)) - set(meta["station"]))
    if unknown:
        raise ValidationError(f"stations {', '.join(unknown[:5])} have no metadata (id, name, lon, lat, district): "
                              f"import them with --stations", key="obs.no_metadata", stations=", ".join(unknown[:5]),
                              stations_zh="、".join(unknown[:5]))
    ids = set(obs["station"].astype(str))
    districts = set(meta.loc[meta["station"].isin(ids), "district"])
    all_ids = sorted(meta.loc[meta["district"].isin(districts), "station"])
    first, last = pd.Timestamp(obs["time"].min()), pd.Timestamp(obs["time"].max())
    start, end = (first - pd.Timedelta(hours=24)).to_pydatetime(), (last + pd.Timedelta(hours=24)).to_pydatetime()
    window = pd.DataFrame(
        list(s.execute(select(Observation.station_id, Observation.time, Observation.pollutant, Observation.value,
                              Observation.qc_flags)
                       .where(Observation.station_id.in_(all_ids), Observation.time >= start,
                              Observation.time <= end))),
        columns=["station", "time", "pollutant", "value", "qc_flags"],
    )
    window["time"] = pd.to_datetime(window["time"], utc=True)
    window["value"] = window["value"].astype(float)
    seen = s.scalar(select(AppMeta.value).where(AppMeta.key == OBSERVATIONS_VERSION))
    return seen, meta, window


def _without(frame: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s rows whose (station, time, pollutant) is not among ``keys``'."""
    marked = frame.merge(keys[_KEY].drop_duplicates().assign(_drop=True), on=_KEY, how="left")
    return frame[marked["_drop"].isna().to_numpy()]


def _plan_observations(obs: pd.DataFrame, stations: pd.DataFrame | None, meta: pd.DataFrame,
                       window: pd.DataFrame) -> _ObservationPlan:
    """The checks of an import, outside any transaction: quality control of the file's values beside the
    stored ones, the stored neighbours whose flags change, and the district means of exactly the
    (district, pollutant, hour) keys touched, over the stored values as they will be after the write."""
    first, last = pd.Timestamp(obs["time"].min()), pd.Timestamp(obs["time"].max())
    ids = sorted(set(obs["station"].astype(str)))
    clean = obs.drop_duplicates(subset=_KEY, keep="first")
    clean_keys = clean[_KEY].assign(station=lambda f: f["station"].astype(str),
                                    time=lambda f: pd.to_datetime(f["time"], utc=True))
    # the stored values of the file's stations, without those the file replaces
    stored = _without(window[window["station"].isin(ids)], clean_keys).rename(columns={"qc_flags": "old_flags"})
    replaced = clean_keys.merge(window[_KEY].assign(station=window["station"].astype(str)), on=_KEY)
    both = (pd.concat([stored, clean.assign(_new=True)], ignore_index=True) if not stored.empty
            else clean.assign(_new=True))
    checked = quality_control(both[["station", "time", "pollutant", "value"]])
    checked["_new"] = both["_new"].fillna(False).to_numpy(dtype=bool)
    new = checked[checked["_new"]].drop_duplicates(subset=_KEY, keep="first")
    # the stored neighbours whose flags change now that the file's hours are beside them
    old = both["old_flags"].fillna("").to_numpy(dtype=object) if "old_flags" in both else None
    redone = (checked[~checked["_new"] & (checked["qc_flags"].to_numpy(dtype=object) != old)]
              if old is not None else checked.iloc[:0])
    values = new["value"].to_numpy(dtype=float)
    rows = {"station_id": [str(st) for st in new["station"]],
            "time": list(pd.DatetimeIndex(new["time"]).to_pydatetime()),
            "pollutant": list(new["pollutant"]),
            "value": [float(v) if np.isfinite(v) else None for v in values],
            "qc_flags": list(new["qc_flags"])}
    # district means of exactly the (district, pollutant, hour) keys the file touched and of the stored
    # neighbours whose flags changed (the previous file's newest hour is a spike only once its next
    # hour is known; a flat run may now reach its length), over every stored station of those districts
    touched_keys = (pd.concat([clean[_KEY], redone[_KEY]])
                    .assign(station=lambda f: f["station"].astype(str),
                            time=lambda f: pd.to_datetime(f["time"], utc=True))
                    .merge(meta[["station", "district"]], on="station")[["district", "time", "pollutant"]]
                    .drop_duplicates())
    touched = sorted(set(touched_keys["district"]))
    all_ids = set(meta.loc[meta["district"].isin(touched), "station"])
    # the stored values as the write leaves them: the file's keys replaced, the changed flags set
    after = _without(window, clean_keys)
    if len(redone):
        flags = (redone[_KEY + ["qc_flags"]]
                 .assign(station=lambda f: f["station"].astype(str), time=lambda f: pd.to_datetime(f["time"], utc=True))
                 .drop_duplicates(_KEY, keep="last").rename(columns={"qc_flags": "_flags"}))
        after = after.merge(flags, on=_KEY, how="left")
        after["qc_flags"] = after["_flags"].where(after["_flags"].notna(), after["qc_flags"])
        after = after.drop(columns="_flags")
    written = pd.DataFrame({"station": new["station"].astype(str).to_numpy(),
                            "time": pd.DatetimeIndex(pd.to_datetime(new["time"], utc=True)),
                            "pollutant": new["pollutant"].to_numpy(),
                            "value": new["value"].to_numpy(dtype=float),
                            "qc_flags": new["qc_flags"].to_numpy(dtype=object)})
    after = pd.concat([after, written], ignore_index=True) if len(after) else written
    span_from, span_to = touched_keys["time"].min(), touched_keys["time"].max()
    span = after[after["station"].isin(all_ids) & (after["time"] >= span_from) & (after["time"] <= span_to)].copy()
    span["valid"] = (span["qc_flags"] == "") & span["value"].notna()
    dist = district_observations(span, meta)
    keys = touched_keys
    dist = dist.merge(keys, on=["district", "time", "pollutant"], how="inner")
    drows = [
        {"district": d, "time": t, "pollutant": p, "value": (float(v) if np.isfinite(v) else None), "n_stations": int(n)}
        for d, t, p, v, n in zip(dist["district"], pd.DatetimeIndex(dist["time"]).to_pydatetime(), dist["pollutant"],
                                 dist["value"].to_numpy(dtype=float), dist["n_stations"])
    ]
    return _ObservationPlan(ids=ids, stations=stations, clean=clean, replaced=replaced, redone=redone, rows=rows, keys=keys,
                            drows=drows, flagged=int((new["qc_flags"] != "").sum()), first=first, last=last)


def _claim_observations(s, seen: str | None) -> None:
    """Bump the observations' version from ``seen``; :class:`_ObservationsChanged` when another import
    bumped it since it was read."""
    if seen is None:
        s.add(AppMeta(key=OBSERVATIONS_VERSION, value="1"))
        try:
            s.flush()
        except IntegrityError:  # another first import created it meanwhile
            raise _ObservationsChanged from None
        return
    bumped = s.execute(update(AppMeta).where(AppMeta.key == OBSERVATIONS_VERSION, AppMeta.value == seen)
                       .values(value=str(int(seen) + 1))).rowcount
    if bumped != 1:
        raise _ObservationsChanged


def _write_observations(db: Database, actor: Actor | None, plan: _ObservationPlan, seen: str | None
                        ) -> ObservationImport:
    """Write phase: one short transaction of deletes, updates and inserts computed beforehand."""
    with db.transaction() as s:
        actor = _operator(s, actor, "import observations")
        _claim_observations(s, seen)
        if plan.stations is not None:
            for r in plan.stations.itertuples(index=False):
                row = s.get(Station, str(r.station))
                if row is None:
                    s.add(Station(station_id=str(r.station), name=str(r.name), lon=float(r.lon), lat=float(r.lat),
                                  district=str(r.district)))
                else:
                    row.name, row.lon, row.lat, row.district = str(r.name), float(r.lon), float(r.lat), str(r.district)
            s.flush()
        # replace exactly the (station, pollutant, hour) values the file contains, nothing else
        replaced = _delete_observation_keys(s, plan.replaced)
        redone = plan.redone
        if len(redone):
            s.execute(update(Observation), [
                {"station_id": str(st), "time": t, "pollutant": p, "qc_flags": f}
                for st, t, p, f in zip(redone["station"], pd.DatetimeIndex(redone["time"]).to_pydatetime(),
                                       redone["pollutant"], redone["qc_flags"])])
        insert_columns(s, Observation, plan.rows)
        _delete_district_keys(s, plan.keys)
        insert_rows(s, DistrictObservation, plan.drows)
        audit.record(s, actor, "obs.import", object_type="observations",
                     details={"stations": len(plan.ids), "rows": len(plan.rows["time"]), "flagged": plan.flagged,
                              "replaced": replaced, "added": len(plan.rows["time"]) - replaced, "reflagged": len(redone),
                              "from": plan.first.isoformat(), "to": plan.last.isoformat()})
        return ObservationImport(len(plan.ids), len(plan.rows["time"]), plan.flagged, len(plan.drows),
                                 plan.first.to_pydatetime(), plan.last.to_pydatetime(), replaced=replaced,
                                 added=len(plan.rows["time"]) - replaced, reflagged=len(redone))


def _grouped_times(frame: pd.DataFrame, by: list[str]):
    """``(group key, [UTC datetimes])`` per group, in chunks small enough for an SQL ``IN`` list."""
    for key, part in frame.groupby(by, sort=True):
        times = sorted(set(pd.DatetimeIndex(pd.to_datetime(part["time"], utc=True)).to_pydatetime()))
        for i in range(0, len(times), 500):
            yield key, times[i:i + 500]


def _delete_observation_keys(s, replaced: pd.DataFrame) -> int:
    """Delete the stored station values at the file's (station, pollutant, hour) keys that hold one (read
    before the write; the observations' version makes sure nothing was added since); returns how many.

    Only those: a year of 30 stations, none stored before, held the write lock for 17.6 s, most of it in
    3,380 deletes of nothing (other writers wait for it, up to the 30 s busy timeout)."""
    n = 0
    if replaced.empty:
        return n
    for (station, pollutant), times in _grouped_times(replaced, ["station", "pollutant"]):
        n += s.execute(delete(Observation).where(Observation.station_id == station,
                                                 Observation.pollutant == pollutant,
                                                 Observation.time.in_(times))).rowcount or 0
    return n


def _delete_district_keys(s, keys: pd.DataFrame) -> None:
    if s.scalar(select(DistrictObservation.district).limit(1)) is None:  # none stored yet
        return
    for (district, pollutant), times in _grouped_times(keys, ["district", "pollutant"]):
        s.execute(delete(DistrictObservation).where(DistrictObservation.district == district,
                                                    DistrictObservation.pollutant == pollutant,
                                                    DistrictObservation.time.in_(times)))


# -- reading ------------------------------------------------------------------------------------


def list_runs(db: Database, *, model: str | None = None, limit: int = 500) -> list[RunInfo]:
    with db.read() as s:
        q = select(ModelRun).order_by(ModelRun.cycle.desc(), ModelRun.model).limit(limit)
        if model:
            q = q.where(ModelRun.model == model)
        return [RunInfo(r.id, r.model, r.cycle, r.format, r.level, tuple(r.variables or ()), r.n_times, r.synthetic,
                        r.ingested_at) for r in s.scalars(q)]


def model_names(db: Database) -> list[str]:
    """Every model with a stored run, by name (the pages give each one colour from this list, so a model
    keeps its colour whichever runs a chart shows)."""
    with db.read() as s:
        return sorted(s.scalars(select(ModelRun.model).distinct()))


def run_files(db: Database, run_id: int) -> list[str]:
    """The files a run was ingested from (the map reads them again)."""
    with db.read() as s:
        run = s.get(ModelRun, run_id)
        return list(run.files or []) if run is not None else []


def forecast_frame(db: Database, *, since: datetime | None = None, until: datetime | None = None,
                   district: str | None = None, model: str | None = None, cycle_since: datetime | None = None,
                   cycle_until: datetime | None = None) -> pd.DataFrame:
    """Stored district forecasts in the backtest layout ``model cycle valid_time district variable value``
    plus ``lead_hours``; filters on valid time, cycle, district, model."""
    q = select(ModelRun.model, ModelRun.cycle, DistrictSeries.valid_time, DistrictSeries.district,
               DistrictSeries.variable, DistrictSeries.value, DistrictSeries.lead_hours).join(
        ModelRun, ModelRun.id == DistrictSeries.run_id)
    conds = []
    if since is not None:
        conds.append(DistrictSeries.valid_time >= since)
    if until is not None:
        conds.append(DistrictSeries.valid_time <= until)
    if cycle_since is not None:
        conds.append(ModelRun.cycle >= cycle_since)
    if cycle_until is not None:
        conds.append(ModelRun.cycle <= cycle_until)
    if district:
        conds.append(DistrictSeries.district == district)
    if model:
        conds.append(ModelRun.model == model)
    if conds:
        q = q.where(and_(*conds))
    return _read_frame(db, q, ["model", "cycle", "valid_time", "district", "variable", "value", "lead_hours"],
                       times=("cycle", "valid_time"))


def observation_frame(db: Database, *, since: datetime | None = None, until: datetime | None = None,
                      district: str | None = None) -> pd.DataFrame:
    """District observations ``time district pollutant value`` (UTC, hour-ending)."""
    q = select(DistrictObservation.time, DistrictObservation.district, DistrictObservation.pollutant,
               DistrictObservation.value)
    if since is not None:
        q = q.where(DistrictObservation.time >= since)
    if until is not None:
        q = q.where(DistrictObservation.time <= until)
    if district:
        q = q.where(DistrictObservation.district == district)
    return _read_frame(db, q, ["time", "district", "pollutant", "value"], times=("time",))


def learning_observation_frame(db: Database, *, since: datetime | None = None,
                               until: datetime | None = None) -> pd.DataFrame:
    """District observations as guidance and trainings learn from them (:func:`observation_frame`'s
    columns): each hour as the first consultation that could see it knew it, its quality-control flags
    without hindsight (:func:`forecasting.observations.first_known`). ``until``: a consultation's time (the
    issue date's cut-off); no station value after it is read.

    Only the flagged station values of a consultation's margin (the 5 hours before it) can differ; the
    station values around them are read only when there are such flags (none: the stored frame)."""
    district = observation_frame(db, since=since, until=until)
    q = select(Observation.time).where(Observation.qc_flags != "").distinct()
    if since is not None:
        q = q.where(Observation.time >= since)
    if until is not None:
        q = q.where(Observation.time <= until)
    flagged = _read_frame(db, q, ["time"], times=("time",))["time"]
    if flagged.empty:
        return district
    cuts, inside = in_margin(flagged)
    cuts = sorted(set(cuts[inside]))
    if not cuts:
        return district
    reach = pd.Timedelta(recheck_window())
    names = ["station", "time", "pollutant", "value", "qc_flags"]
    parts = []
    for k in range(0, len(cuts), 200):  # a bounded OR per query
        spans = [and_(Observation.time > (c - reach).to_pydatetime(), Observation.time <= c.to_pydatetime(),
                      *([Observation.time <= until] if until is not None else []))
                 for c in cuts[k:k + 200]]
        parts.append(_read_frame(db, select(Observation.station_id, Observation.time, Observation.pollutant,
                                            Observation.value, Observation.qc_flags).where(or_(*spans)),
                                 names, times=("time",)))
    station = pd.concat(parts, ignore_index=True)
    station["value"] = station["value"].astype(float)
    with db.read() as s:
        meta = pd.DataFrame(list(s.execute(select(Station.station_id, Station.district))),
                            columns=["station", "district"])
    return first_known(district, station, meta)


def _read_frame(db: Database, query, names: list[str], *, times: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``query`` as a frame with columns ``names``; ``times`` become UTC datetimes.

    Built from the driver's tuples (``DataFrame.from_records``: ~400 000 Row objects put into a frame took
    2.5x as long, and column by column 2.3x as long), and on SQLite the
    stored naive-UTC text of the time columns is parsed by pandas in one vectorised pass instead of
    one Python datetime per value (:class:`forecasting.store.types.UTCDateTime`)."""
    text_times = db.engine.dialect.name == "sqlite"
    if text_times:
        query = query.with_only_columns(*[type_coerce(c, String).label(c.key or n) if n in times else c
                                          for c, n in zip(query.selected_columns, names)],
                                        maintain_column_froms=True)
    dialect = db.engine.dialect
    # SQLite with no column to convert on the way out (every time column read as text): the driver's
    # tuples as they come, without a Row object per row (a third of the read's time for ~400 000 rows)
    raw = text_times and all(c.type.dialect_impl(dialect).result_processor(dialect, None) is None
                             for c in query.selected_columns)
    with db.read() as s:
        result = s.connection().execute(query)
        rows = result.cursor.fetchall() if raw else result.all()
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for c in times:
        frame[c] = pd.to_datetime(frame[c], utc=True, format="ISO8601" if text_times else None)
    return frame
