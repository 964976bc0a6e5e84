"""Per-model mapping files: adding a model (NAQPMS, a local WRF-Chem set-up ...) without code.

A mapping file is YAML (``.yaml``/``.yml``) or TOML (``.toml``) in ``data/models/`` (or in the
folder named by ``FORECASTING_MODELS_DIR``, or any path given to ``--model``)::

    model: NAQPMS            # name stored with the grid
    format: cf               # reader for the layout: cf | ioapi | wrf (default: detected)
    variables:               # pollutant -> variable in the file; units override the file's
      pm25: {name: PM25, units: "ug m-3"}
      o3:   {name: O3, units: ppbV}
    level: {dim: lev, index: 0}      # or {dim: lev, value: 72}, {dim: lev, select: max},
                                     # or {pressure_variable: pdash}
    time: {label: start, step_hours: 1}  # stamps mark start | centre | end (=instant) of the hour
                                         # zone: Asia/Shanghai  (CF: local times written without an offset)
    cycles: [0, 12]          # data desk: the cycles (UTC hours) a centre delivers every day
    arrival_hours: 10        # data desk: files are expected this many hours after the cycle
    grid:                    # CF files that do not describe their grid (all keys optional)
      grid_mapping: crs      # variable holding the CF grid-mapping attributes
      x: x                   # 1-D projection coordinates [m or km] (or rlon/rlat in degree)
      y: y
      lon: nav_lon           # 2-D latitude/longitude (curvilinear grids, or centres of a projection)
      lat: nav_lat
      attributes: {grid_mapping_name: lambert_conformal_conic, standard_parallel: [25.0, 40.0],
                   longitude_of_central_meridian: 110.0, latitude_of_projection_origin: 34.0,
                   earth_radius: 6370000.0}   # when the file has no grid-mapping variable

Only ``model`` is required. Units given here win over the file's attribute (useful when a
file has none, such as GEOS-CF, or a wrong one).
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from forecasting.errors import FormatError
from forecasting.vocab import POLLUTANTS

__all__ = ["ModelMapping", "load_mapping", "models_dir", "list_models"]

_FORMATS = ("cf", "ioapi", "wrf")
_LABELS = ("start", "begin", "centre", "center", "middle", "end", "instant")


@dataclass(frozen=True)
class ModelMapping:
    """A parsed mapping file (see the module docstring)."""

    model: str
    format: str | None = None
    variables: dict = field(default_factory=dict)
    level: dict | None = None
    time: dict = field(default_factory=dict)
    path: str = ""
    #: Cycle hours [UTC h] delivered every day (data desk arrivals; empty = no schedule).
    cycles: tuple = ()
    #: Hours after the cycle by which the files are expected [h] (data desk arrivals).
    arrival_hours: float | None = None
    grid: dict = field(default_factory=dict)


def models_dir() -> Path:
    """Folder of shipped mapping files (``data/models``), or ``FORECASTING_MODELS_DIR``."""
    env = os.environ.get("FORECASTING_MODELS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data" / "models"


def list_models() -> list[str]:
    d = models_dir()
    return sorted(p.stem for p in d.glob("*") if p.suffix in (".yaml", ".yml", ".toml"))


def _find(name: str) -> Path | None:
    p = Path(name)
    if p.suffix in (".yaml", ".yml", ".toml") and p.exists():
        return p
    for suffix in (".yaml", ".yml", ".toml"):
        q = models_dir() / f"{name}{suffix}"
        if q.exists():
            return q
        q = models_dir() / f"{name.lower()}{suffix}"
        if q.exists():
            return q
    return None


def load_mapping(name_or_path) -> ModelMapping:
    """Read a mapping file by model name (``data/models/NAME.yaml``) or path; validate it."""
    if isinstance(name_or_path, ModelMapping):
        return name_or_path
    path = _find(str(name_or_path))
    if path is None:
        raise FormatError(f"no mapping file for model {name_or_path!r} in {models_dir()} "
                          f"(known: {', '.join(list_models()) or 'none'}); write {name_or_path}.yaml there",
                          key="grids.model_unknown", model=str(name_or_path))
    try:
        stat = path.stat()
    except OSError as exc:
        raise FormatError(f"{path}: cannot parse mapping file ({' '.join(str(exc).split())})") from None
    return _parse(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parse(name: str, mtime_ns: int, size: int) -> ModelMapping:
    """The parsed mapping file ``name``, once per version of the file (``mtime_ns``, ``size``): the
    arrival schedules read every model's file for every consultation snapshot."""
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise FormatError(f"{path}: cannot parse mapping file ({' '.join(str(exc).split())})") from None
    if not isinstance(raw, dict) or not raw.get("model"):
        raise FormatError(f"{path}: a mapping file needs at least 'model: NAME'")
    fmt = raw.get("format")
    if fmt is not None and fmt not in _FORMATS:
        raise FormatError(f"{path}: format {fmt!r} unknown; expected one of {', '.join(_FORMATS)}")
    variables = {}
    for pol, spec in (raw.get("variables") or {}).items():
        if pol not in POLLUTANTS:
            raise FormatError(f"{path}: variables.{pol}: unknown pollutant; expected one of {' '.join(POLLUTANTS)}")
        if isinstance(spec, str):
            spec = {"name": spec}
        if not isinstance(spec, dict) or "name" not in spec:
            raise FormatError(f"{path}: variables.{pol} needs a 'name' (and optionally 'units')")
        variables[pol] = {"name": str(spec["name"]), "units": spec.get("units")}
    level = raw.get("level")
    if level is not None and not isinstance(level, dict):
        raise FormatError(f"{path}: level must be a table such as {{dim: lev, index: 0}}")
    time = raw.get("time") or {}
    if time.get("label") is not None and time["label"] not in _LABELS:
        raise FormatError(f"{path}: time.label {time['label']!r} unknown; expected start, centre or end")
    if time.get("zone") is not None:  # CF files that write local time without an offset (Beijing time)
        try:
            ZoneInfo(str(time["zone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise FormatError(f"{path}: time.zone {time['zone']!r} is no time zone; expected a name such as "
                              "Asia/Shanghai") from None
    cycles, arrival_hours = _schedule(raw, path)
    grid = _grid_section(raw.get("grid"), path)
    return ModelMapping(model=str(raw["model"]), format=fmt, variables=variables, level=level, time=time,
                        path=str(path), cycles=cycles, arrival_hours=arrival_hours, grid=grid)


def _schedule(raw: dict, path: Path) -> tuple[tuple, float | None]:
    """``cycles`` (UTC hours 0..23) and ``arrival_hours`` (0 < h <= 96) of the data desk (issue #20)."""
    cycles = raw.get("cycles")
    if cycles is None:
        cycles = ()
    elif isinstance(cycles, bool) or not isinstance(cycles, (list, tuple, int)):
        raise FormatError(f"{path}: cycles must be a list of UTC hours such as [0, 12]")
    else:
        cycles = [cycles] if isinstance(cycles, int) else list(cycles)
        if not all(isinstance(h, int) and not isinstance(h, bool) and 0 <= h <= 23 for h in cycles):
            raise FormatError(f"{path}: cycles {cycles!r}: each must be a whole UTC hour 0..23, such as [0, 12]")
        cycles = tuple(sorted(set(cycles)))
    arrival = raw.get("arrival_hours")
    if arrival is not None:
        if isinstance(arrival, bool) or not isinstance(arrival, (int, float)) or not 0 < float(arrival) <= 96:
            raise FormatError(f"{path}: arrival_hours {arrival!r}: expected hours after the cycle, more than 0 "
                              f"and at most 96, such as 10")
        arrival = float(arrival)
    return cycles, arrival


_GRID_KEYS = ("grid_mapping", "x", "y", "lon", "lat", "attributes")


def _grid_section(grid, path) -> dict:
    """The optional ``grid:`` table naming a CF file's projection variables (see module docstring)."""
    if grid is None:
        return {}
    if not isinstance(grid, dict):
        raise FormatError(f"{path}: grid must be a table such as {{grid_mapping: crs, x: x, y: y}}",
                          key="grids19.mapping_grid_bad", path=str(path))
    unknown = sorted(set(grid) - set(_GRID_KEYS))
    if unknown:
        raise FormatError(f"{path}: grid.{unknown[0]}: unknown key; expected {', '.join(_GRID_KEYS)}",
                          key="grids19.mapping_grid_bad", path=str(path))
    out = {}
    for key in _GRID_KEYS[:-1]:
        if grid.get(key) is not None:
            if not isinstance(grid[key], str) or not grid[key].strip():
                raise FormatError(f"{path}: grid.{key} must be a variable name",
                                  key="grids19.mapping_grid_bad", path=str(path))
            out[key] = grid[key].strip()
    if grid.get("attributes") is not None:
        attrs = grid["attributes"]
        if not isinstance(attrs, dict) or not attrs.get("grid_mapping_name"):
            raise FormatError(f"{path}: grid.attributes must be a table with grid_mapping_name "
                              f"(e.g. lambert_conformal_conic) and its CF parameters",
                              key="grids19.mapping_grid_bad", path=str(path))
        out["attributes"] = dict(attrs)
    return out
