"""Demo model runs, observations, trained corrections and guidance (the science part of the demo world).

- Observations: :mod:`forecasting.demo.observations` (shapes from the real Dongsi record), imported
  through the real service (quality control, district means) up to the current hour.
- Model runs: three models with distinct, documented systematic errors
  (:func:`forecasting.correction.simulate.simulate_forecasts`): ``CMAQ-YRD`` (CMAQ-like errors),
  ``NAQPMS-SH`` (CAMx/NAQPMS-like) and ``CAMS`` (a coarse global model's errors); one cycle a day
  at 12 UTC, 120 hourly leads. The newest ``files_days`` cycles of every model are written as real
  files on a ~3 km grid (IOAPI for the two regional models, a CAMS-style CF file for CAMS) whose
  fields reproduce the simulated district values, and ingested through ``ingest_run`` like any
  centre's output; older cycles are stored as district series directly (their files would take
  ~0.6 GB and a minute to write for nothing the app shows).
  Each run is stored at the time it would have arrived (:func:`arrival_time`: 0.5-2.5 h before its
  mapping file's due time, never after the build's ``now``), so the data desk's board and the issued
  reports' arrival lines read as a working centre's would, not as "every run arrived late today".
- Trained corrections and guidance through the real services.

Everything is synthetic and labelled so (``ModelRun.synthetic``, the demo banner).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting import datastore
from forecasting.arrivals import schedules
from forecasting.correction.simulate import DEFAULT_MODELS, ModelErrors, simulate_forecasts
from forecasting.demo.observations import DEMO_STATIONS, demo_district_series, known_station_observations, stations_frame
from forecasting.permissions import Actor
from forecasting.plausibility import PLAUSIBLE_MAX
from forecasting.store.db import Database
from forecasting.store.types import clock_at
from forecasting.vocab import DISTRICT_ORDER, POLLUTANTS

QP, WJ, JS = DISTRICT_ORDER  # Qingpu, Wujiang, Jiashan

__all__ = ["DEMO_MODELS", "demo_model_runs", "seed_science", "arrival_time"]

_BY_NAME = {m.name: m for m in DEFAULT_MODELS}
#: (name, error model, file layout)
DEMO_MODELS = (
    ("CMAQ-YRD", _BY_NAME["cmaq"], "ioapi"),
    ("NAQPMS-SH", _BY_NAME["camx"], "ioapi"),
    ("CAMS", _BY_NAME["cams"], "cf"),
)
CYCLE_HOUR = 12
MAX_LEAD = 120
GRID = dict(nx=44, ny=32, dx=3000.0)  # 132 km × 96 km around the zone
_CENTROIDS = {QP: (121.08082, 31.12671), WJ: (120.63, 31.01), JS: (120.92, 30.88)}


def arrival_time(cycle: datetime, *, arrival_hours: float, now: datetime, rng: np.random.Generator) -> datetime:
    """When a demo run of ``cycle`` arrives: 0.5-2.5 h before its due time ``cycle + arrival_hours``,
    but never after ``now`` (a run the build stores has arrived by then) nor before its cycle.

    Examples
    --------
    >>> from datetime import timezone
    >>> c = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    >>> a = arrival_time(c, arrival_hours=10, now=c + timedelta(days=2), rng=np.random.default_rng(0))
    >>> c + timedelta(hours=7.5) <= a <= c + timedelta(hours=9.5)
    True
    >>> arrival_time(c, arrival_hours=10, now=c + timedelta(hours=4), rng=np.random.default_rng(0)) - c
    datetime.timedelta(seconds=14400)
    """
    early = timedelta(hours=float(rng.uniform(0.5, 2.5)))
    return max(cycle, min(cycle + timedelta(hours=arrival_hours) - early, now))


def _district_weights(lon: np.ndarray, lat: np.ndarray,
                      sigma_km: float = 22.0) -> tuple[np.ndarray, np.ndarray]:
    """The partition of unity of Gaussian weights around the district centroids (one layer per district
    of ``_CENTROIDS``) and the gentle texture (±6 %) of :func:`_district_field` on a grid."""
    weights = []
    for code, (clon, clat) in _CENTROIDS.items():
        dx = (lon - clon) * 111.32 * np.cos(np.radians(clat))
        dy = (lat - clat) * 110.57
        weights.append(np.exp(-(dx * dx + dy * dy) / (2 * sigma_km**2)) + 1e-9)
    w = np.stack(weights)
    w /= w.sum(axis=0)
    return w, 1 + 0.06 * np.sin(lon * 9.0) * np.cos(lat * 11.0)


def _district_field(values: dict[str, float], weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """A smooth field whose district means come close to ``values``: the district weights and texture of
    :func:`_district_weights` for the grid (a file's 720 fields share them)."""
    w, texture = weights
    field = sum(w[i] * values.get(code, np.nan) for i, code in enumerate(_CENTROIDS))
    return field * texture


def _write_files(folder: Path, model: str, layout: str, cycle: pd.Timestamp, part: pd.DataFrame) -> Path:
    from forecasting.grids.synthetic import write_cams_forecast, write_cmaq_aconc

    # one pivot, not a groupby of ~700 small frames (17 s of the demo build)
    wide = part.pivot_table(index=["variable", "valid_time"], columns="district", values="value", aggfunc="first")
    districts = [str(d) for d in wide.columns]
    lookup = {(str(v), pd.Timestamp(t)): {d: x for d, x in zip(districts, row) if x == x}
              for (v, t), row in zip(wide.index, wide.to_numpy(dtype=float))}

    grid: dict = {}  # the weights of the file's grid, made at its first field (one lon array per file)

    def field(species, valid_time, _lead, lon, lat):
        if grid.get("lon") is not lon:
            grid.update(lon=lon, weights=_district_weights(lon, lat))
        return _district_field(lookup.get((species, pd.Timestamp(valid_time)), {}), grid["weights"])

    stamp = cycle.strftime("%Y%m%d%H")
    if layout == "ioapi":
        path = folder / f"{model}.ACONC.{stamp}.nc"
        return write_cmaq_aconc(path, hours=MAX_LEAD, cycle=cycle.isoformat(), field=field, **GRID)
    path = folder / f"{model}.{stamp}.nc"
    return write_cams_forecast(path, hours=MAX_LEAD, cycle=cycle.isoformat(), field=field,
                               species=POLLUTANTS, nx=GRID["nx"], ny=GRID["ny"])


def _write_and_read(folder: Path, model: str, layout: str, cycle: pd.Timestamp,
                    part: pd.DataFrame) -> tuple[Path, datastore.RunRead]:
    """Write one run's file and read it back as :func:`datastore.ingest_run` does (:func:`datastore.read_run`),
    in a worker process when the build has them; the caller stores it."""
    path = _write_files(folder, model, layout, cycle, part)
    return path, datastore.read_run([path], model=model)


def demo_model_runs(obs: pd.DataFrame, *, first_cycle: pd.Timestamp, last_cycle: pd.Timestamp,
                    seed: int) -> pd.DataFrame:
    """The demo models' pollutant forecasts ``model cycle valid_time district variable value`` for the daily
    cycles ``first_cycle``..``last_cycle``, simulated from the district observations ``obs``.

    No value exceeds the ceiling the ingest checks (:data:`forecasting.plausibility.PLAUSIBLE_MAX`). Without
    that ceiling, the world of 18 of 53 weekly dates of the coming year (2026-12-06 to 2027-12-06, 60 days each)
    held a run the ingest refuses, for example CAMS O3 at 2,374 µg/m³ in January, and the build stopped
    there.
    """
    models = [ModelErrors(**{**err.__dict__, "name": name}) for name, err, _ in DEMO_MODELS]
    sim = simulate_forecasts(obs, models=models, cycle_hour=CYCLE_HOUR, max_lead=MAX_LEAD, seed=seed,
                             start=first_cycle, end=last_cycle, ceiling=PLAUSIBLE_MAX)
    return sim[sim["variable"].isin(list(POLLUTANTS))]


def seed_science(db: Database, *, today: date, now: datetime, days: int = 60, files_days: int = 7,
                 folder: Path, seed: int = 2026, log=print, withhold: str | None = None, pool=None) -> dict:
    """Observations, model runs, trained corrections and guidance for the ``days`` before ``today``.

    ``pool`` (an executor, e.g. the build's two worker processes): writes the model files and reads them
    back as ``ingest_run`` does (:func:`datastore.read_run`) while this process stores the observations
    and the older runs; this process stores them, in the same order as without it.

    ``withhold`` (default ``FORECASTING_DEMO_WITHHOLD``, e.g. ``NAQPMS-SH``): that model's newest
    cycle is written as a file but not ingested, so the data desk shows it late (issue #20) and the
    file can be uploaded from the browser.
    """
    withhold = withhold if withhold is not None else (os.environ.get("FORECASTING_DEMO_WITHHOLD") or None)
    op = Actor.system("demo-seed")
    first = today - timedelta(days=days + 2)
    obs, _met = demo_district_series(first, today, seed=seed)
    now_utc = pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else pd.Timestamp(now, tz="UTC")
    stations = known_station_observations(obs, now_utc, seed=seed + 1)

    last_cycle = pd.Timestamp(datetime.combine(today - timedelta(days=1), datetime.min.time()), tz="UTC") + pd.Timedelta(
        hours=CYCLE_HOUR)
    first_cycle = last_cycle - pd.Timedelta(days=days - 1)
    sim = demo_model_runs(obs, first_cycle=first_cycle, last_cycle=last_cycle, seed=seed + 2)
    folder.mkdir(parents=True, exist_ok=True)
    layouts = {name: layout for name, _, layout in DEMO_MODELS}
    n_files = 0
    due_after = {a.model: a.arrival_hours for a in schedules()}
    rng = np.random.default_rng(seed + 3)
    now_aware = now_utc.to_pydatetime()
    runs = [(model, pd.Timestamp(cycle), part) for (model, cycle), part in sim.groupby(["model", "cycle"], sort=True)]
    as_file = {(model, cycle) for model, cycle, _ in runs if cycle > last_cycle - pd.Timedelta(days=files_days)}
    written = {}
    if pool is not None:  # the files are written and read back by the workers while the older runs are stored here
        written = {(m, c): pool.submit(_write_and_read, folder, m, layouts[m], c, part)
                   for m, c, part in runs if (m, c) in as_file}
    # (after the files are handed to the workers: they write while this process stores)
    with clock_at(now):  # the world's clock: its observations end at its own "now", which the import checks
        datastore.store_observations(db, op, stations, stations=stations_frame())
    log(f"  observations: {len(stations)} station values, {len(DEMO_STATIONS)} stations")
    for model, cycle, part in runs:
        arrived = arrival_time(cycle.to_pydatetime(), arrival_hours=due_after.get(model, 10.0), now=now_aware, rng=rng)
        if (model, cycle) in as_file:
            # written and read as ingest_run reads it (by a worker when there is a pool), stored here, in order
            future = written.get((model, cycle))
            path, read = future.result() if future is not None else _write_and_read(folder, model, layouts[model],
                                                                                     cycle, part)
            if model == withhold and cycle == last_cycle:
                log(f"  withheld: {model} {cycle:%Y-%m-%d %H}Z (file {path}, not ingested)")
                continue
            with clock_at(arrived):
                read.store(db, op, synthetic=True)
            n_files += 1
        else:
            long = part[["district", "valid_time", "variable", "value"]].rename(columns={"valid_time": "time"})
            long["lead_hours"] = (long["time"] - cycle) / pd.Timedelta(hours=1)
            with clock_at(arrived):
                datastore.store_long_district_series(db, op, long, model=model, cycle=cycle.to_pydatetime(),
                                                     format="simulated", level="surface", synthetic=True)
    log(f"  model runs: {sim.groupby(['model', 'cycle']).ngroups} ({n_files} from files in {folder})")
    return {"first_cycle": first_cycle, "last_cycle": last_cycle}
