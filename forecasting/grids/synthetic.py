"""Synthetic model output in the layouts no real sample has (tests, benchmark, demo world).

Writers: :func:`write_wrfchem` (WRF-Chem ``wrfout``), :func:`write_cmaq_aconc` (hourly multi-step
CMAQ ``ACONC`` in IOAPI), :func:`write_cams_forecast` (CAMS-style CF forecast, int16 packed,
``pm2p5`` in kg m**-3), :func:`write_cf_projected` (CF-1.8 on a projected grid: a
``grid_mapping`` variable — Lambert, polar stereographic, Mercator, transverse Mercator or
rotated pole —, x/y in metres, 2-D lat/lon, optional bounds; or a curvilinear file with only
2-D lat/lon). Each writes one time step at a time, so a 400 × 400 × 168 h × 6-species
file never sits in memory.

Recipe (:func:`synthetic_field`), in canonical units (µg/m³, CO mg/m³) at valid time *t*
(hour-ending, UTC), Beijing local hour *h* = (t + 8 h) mod 24, cell centre (x, y) [km from the
domain centre]::

    c = bias × base_s × (1 + amp_s·cos(2π(h − peak_s)/24)) × (1 + 0.1·x/L)
        + bias × plume_s × exp(−((x − xp(t))² + y²) / (2·15²))  ,  xp(t) = −60 + 5·lead km
    then × exp(0.05·ε − 0.05²/2), ε ~ N(0, 1) from numpy default_rng((seed, step))

with ``L`` the domain half-width [km]; the plume drifts east at 5 km/h. Lambert grid: standard
parallels 25° and 40° N, central meridian 110° E, origin 34° N (a usual China CMAQ set-up),
3 km cells centred on the demonstration zone (120.84° E, 31.03° N). The CAMS-style file uses a
regular 0.03° lon/lat grid (latitude descending, like CAMS).
"""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from forecasting.grids.cfgrid import grid_mapping_crs
from forecasting.grids.units import conversion_factor
from forecasting.vocab import POLLUTANTS

__all__ = [
    "synthetic_field",
    "SYNTHETIC_BASE",
    "ZONE_CENTRE",
    "lambert_grid",
    "write_wrfchem",
    "write_cmaq_aconc",
    "write_cams_forecast",
    "write_cf_projected",
    "CF_PROJECTIONS",
]

ZONE_CENTRE = (120.84, 31.03)  #: lon, lat of the demonstration zone [degree]
#: species -> (base, diurnal amplitude, local peak hour, plume amplitude), canonical units
SYNTHETIC_BASE = {
    "pm25": (45.0, 0.25, 7.0, 60.0),
    "pm10": (70.0, 0.25, 7.0, 80.0),
    "o3": (90.0, 0.5, 15.0, 20.0),
    "no2": (35.0, 0.35, 20.0, 30.0),
    "so2": (8.0, 0.15, 11.0, 10.0),
    "co": (0.8, 0.2, 8.0, 0.5),
}
LAMBERT = {"P_ALP": 25.0, "P_BET": 40.0, "P_GAM": 110.0, "XCENT": 110.0, "YCENT": 34.0}
_R = 6370000.0


def lambert_grid(nx: int, ny: int, dx: float = 3000.0):
    """Cell centres of the synthetic Lambert grid: (proj string, x [m], y [m], xorig, yorig)."""
    proj = (f"+proj=lcc +lat_1={LAMBERT['P_ALP']} +lat_2={LAMBERT['P_BET']} +lat_0={LAMBERT['YCENT']} "
            f"+lon_0={LAMBERT['P_GAM']} +R={_R:.0f} +units=m +no_defs")
    t = Transformer.from_crs(CRS("OGC:CRS84"), CRS(proj), always_xy=True)
    xc, yc = t.transform(*ZONE_CENTRE)
    xorig = round(xc - nx / 2 * dx, -3)
    yorig = round(yc - ny / 2 * dx, -3)
    x = xorig + (np.arange(nx) + 0.5) * dx
    y = yorig + (np.arange(ny) + 0.5) * dx
    return proj, x, y, xorig, yorig


def synthetic_field(species: str, valid_time, lead_hours: float, xkm: np.ndarray, ykm: np.ndarray, *,
                    seed: int = 0, step: int = 0, bias: float = 1.0, noise: float = 0.05) -> np.ndarray:
    """The recipe above for one species and one valid time [µg/m³; CO mg/m³], float64 (ny, nx).

    ``xkm``, ``ykm`` are 2-D distances from the domain centre [km].
    """
    base, amp, peak, plume = SYNTHETIC_BASE[species]
    hour = (pd.Timestamp(valid_time).hour + 8) % 24
    half = max(float(np.abs(xkm).max()), 1.0)
    c = base * (1 + amp * np.cos(2 * np.pi * (hour - peak) / 24)) * (1 + 0.1 * xkm / half)
    xp = -60.0 + 5.0 * lead_hours
    c = bias * (c + plume * np.exp(-((xkm - xp) ** 2 + ykm**2) / (2 * 15.0**2)))
    if noise:
        k = POLLUTANTS.index(species)
        eps = np.random.default_rng([seed, step, k]).standard_normal(c.shape)
        c = c * np.exp(noise * eps - noise**2 / 2)
    return c


def _field_at(field, species, when, lead, xkm, ykm, lon, lat, seed, step, bias):
    """The recipe's field, or ``field(species, valid_time, lead_hours, lon, lat)`` when a caller
    (the demo world) supplies its own values [canonical units]."""
    if field is not None:
        return np.asarray(field(species, when, lead, lon, lat), dtype=float)
    return synthetic_field(species, when, lead, xkm, ykm, seed=seed, step=step, bias=bias)


def _blocks(n: int, size: int = 24) -> list[slice]:
    """Steps ``0..n-1`` in blocks of ``size``, written at once (the fields of a block are computed in
    step order per species; each field depends only on its own species and step)."""
    return [slice(k, min(k + size, n)) for k in range(0, n, size)]


def _times(cycle, hours):
    cycle = pd.Timestamp(cycle)
    cycle = cycle.tz_localize("UTC") if cycle.tzinfo is None else cycle.tz_convert("UTC")
    return cycle, [cycle + pd.Timedelta(hours=k) for k in range(1, hours + 1)]


def _per_unit(species, units):
    """Value in ``units`` of one canonical unit (inverse of the reader's conversion)."""
    return 1.0 / conversion_factor(species, units, variable=species, file="synthetic")[0]


def _km(x, y):
    xx, yy = np.meshgrid((x - x.mean()) / 1000.0, (y - y.mean()) / 1000.0)
    return xx, yy


def write_wrfchem(path, *, nx: int = 20, ny: int = 16, hours: int = 6, species=POLLUTANTS,
                  cycle="2026-11-24T00:00Z", seed: int = 0, bias: float = 1.0, dx: float = 3000.0,
                  nlev: int = 2, field=None) -> Path:
    """A WRF-Chem wrfout: ``PM2_5_DRY``/``PM10`` [ug m^-3], ``o3 no2 so2 co`` [ppmv] on ``nlev``
    levels (level k holds the surface field × 0.8**k), T2 U10 V10 PSFC PBLH Q2, Lambert MAP_PROJ=1."""
    path = Path(path)
    cycle, times = _times(cycle, hours)
    proj, x, y, _, _ = lambert_grid(nx, ny, dx)
    xx, yy = np.meshgrid(x, y)
    lon, lat = Transformer.from_crs(CRS(proj), CRS("OGC:CRS84"), always_xy=True).transform(xx, yy)
    xkm, ykm = _km(x, y)
    cen_lon, cen_lat = Transformer.from_crs(CRS(proj), CRS("OGC:CRS84"), always_xy=True).transform(
        x.mean(), y.mean())
    names = {"pm25": ("PM2_5_DRY", "ug m^-3"), "pm10": ("PM10", "ug m^-3"), "o3": ("o3", "ppmv"),
             "no2": ("no2", "ppmv"), "so2": ("so2", "ppmv"), "co": ("co", "ppmv")}
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.setncatts({
            "TITLE": " OUTPUT FROM WRF V4.4 MODEL (synthetic WRF-Chem, forecasting.grids.synthetic)",
            "START_DATE": cycle.strftime("%Y-%m-%d_%H:%M:%S"),
            "SIMULATION_START_DATE": cycle.strftime("%Y-%m-%d_%H:%M:%S"),
            "WEST-EAST_GRID_DIMENSION": np.int32(nx + 1), "SOUTH-NORTH_GRID_DIMENSION": np.int32(ny + 1),
            "BOTTOM-TOP_GRID_DIMENSION": np.int32(nlev + 1),
            "DX": np.float32(dx), "DY": np.float32(dx), "MAP_PROJ": np.int32(1),
            "MAP_PROJ_CHAR": "Lambert Conformal", "TRUELAT1": np.float32(LAMBERT["P_ALP"]),
            "TRUELAT2": np.float32(LAMBERT["P_BET"]), "STAND_LON": np.float32(LAMBERT["P_GAM"]),
            "MOAD_CEN_LAT": np.float32(LAMBERT["YCENT"]), "CEN_LAT": np.float32(cen_lat),
            "CEN_LON": np.float32(cen_lon), "POLE_LAT": np.float32(90.0), "POLE_LON": np.float32(0.0),
            "CHEM_OPT": np.int32(202),
        })
        nc.createDimension("Time", None)
        nc.createDimension("DateStrLen", 19)
        nc.createDimension("west_east", nx)
        nc.createDimension("south_north", ny)
        nc.createDimension("bottom_top", nlev)
        tv = nc.createVariable("Times", "S1", ("Time", "DateStrLen"))
        two = ("Time", "south_north", "west_east")
        three = ("Time", "bottom_top", "south_north", "west_east")
        for name, desc, units in (("XLAT", "LATITUDE, SOUTH IS NEGATIVE", "degree_north"),
                                  ("XLONG", "LONGITUDE, WEST IS NEGATIVE", "degree_east")):
            v = nc.createVariable(name, "f4", two)
            v.setncatts({"FieldType": np.int32(104), "MemoryOrder": "XY ", "description": desc,
                         "units": units, "stagger": ""})
        met = {"T2": ("K", "TEMP at 2 M"), "U10": ("m s-1", "U at 10 M"), "V10": ("m s-1", "V at 10 M"),
               "PSFC": ("Pa", "SFC PRESSURE"), "PBLH": ("m", "PBL HEIGHT"), "Q2": ("kg kg-1", "QV at 2 M")}
        for name, (units, desc) in met.items():
            v = nc.createVariable(name, "f4", two)
            v.setncatts({"FieldType": np.int32(104), "MemoryOrder": "XY ", "description": desc,
                         "units": units, "stagger": "", "coordinates": "XLONG XLAT XTIME"})
        for s in species:
            name, units = names[s]
            v = nc.createVariable(name, "f4", three)
            v.setncatts({"FieldType": np.int32(104), "MemoryOrder": "XYZ", "units": units, "stagger": "",
                         "description": f"{s} (synthetic)", "coordinates": "XLONG XLAT XTIME"})
        for k, when in enumerate(times):
            tv[k] = netCDF4.stringtochar(np.array([when.strftime("%Y-%m-%d_%H:%M:%S")], "S19"))
            nc["XLAT"][k] = lat
            nc["XLONG"][k] = lon
            h = (when.hour + 8) % 24
            nc["T2"][k] = 283.0 + 6.0 * np.cos(2 * np.pi * (h - 15) / 24) + 0.0 * xkm
            nc["U10"][k] = 3.0 + 0.0 * xkm
            nc["V10"][k] = 1.0 + 0.0 * xkm
            nc["PSFC"][k] = 101000.0 + 0.0 * xkm
            nc["PBLH"][k] = 300.0 + 900.0 * max(0.0, np.cos(2 * np.pi * (h - 14) / 24)) + 0.0 * xkm
            nc["Q2"][k] = 0.008 + 0.0 * xkm
            for s in species:
                name, units = names[s]
                f = _field_at(field, s, when, k + 1, xkm, ykm, lon, lat, seed, k, bias) * _per_unit(s, units)
                nc[name][k] = np.stack([f * 0.8**lev for lev in range(nlev)]).astype("f4")
    return path


def _pad(s, n=16):
    return f"{s:<{n}}"


def write_cmaq_aconc(path, *, nx: int = 20, ny: int = 16, hours: int = 6, species=POLLUTANTS,
                     cycle="2026-11-24T00:00Z", seed: int = 0, bias: float = 1.0, dx: float = 3000.0, field=None) -> Path:
    """An hourly multi-step CMAQ ACONC in IOAPI netCDF (64-bit offset): gases ``O3 NO2 SO2 CO``
    [ppmV] (CMAQ's ACONC unit), ``PM25_TOT PM10`` [ug m-3] (as added by the combine step).
    TFLAG marks the *start* of each hourly average (step k covers cycle + k h .. + 1 h)."""
    path = Path(path)
    cycle, times = _times(cycle, hours)
    proj, x, y, xorig, yorig = lambert_grid(nx, ny, dx)
    xkm, ykm = _km(x, y)
    lon, lat = Transformer.from_crs(CRS(proj), CRS("OGC:CRS84"), always_xy=True).transform(*np.meshgrid(x, y))
    names = {"pm25": ("PM25_TOT", "ug m-3"), "pm10": ("PM10", "ug m-3"), "o3": ("O3", "ppmV"),
             "no2": ("NO2", "ppmV"), "so2": ("SO2", "ppmV"), "co": ("CO", "ppmV")}
    species = [s for s in POLLUTANTS if s in species]
    starts = [when - pd.Timedelta(hours=1) for when in times]

    def ymd(ts):
        return ts.year * 1000 + ts.day_of_year, ts.hour * 10000 + ts.minute * 100 + ts.second

    sdate, stime = ymd(starts[0])
    with netCDF4.Dataset(path, "w", format="NETCDF3_64BIT_OFFSET") as nc:
        nc.setncatts({
            "IOAPI_VERSION": _pad("ioapi-3.2 (synthetic, forecasting.grids.synthetic)", 80),
            "EXEC_ID": _pad("CCTM_v54 synthetic", 80), "FTYPE": np.int32(1),
            "CDATE": np.int32(sdate), "CTIME": np.int32(stime), "WDATE": np.int32(sdate), "WTIME": np.int32(stime),
            "SDATE": np.int32(sdate), "STIME": np.int32(stime), "TSTEP": np.int32(10000),
            "NTHIK": np.int32(1), "NCOLS": np.int32(nx), "NROWS": np.int32(ny), "NLAYS": np.int32(1),
            "NVARS": np.int32(len(species)), "GDTYP": np.int32(2),
            **{k: np.float64(v) for k, v in LAMBERT.items()},
            "XORIG": np.float64(xorig), "YORIG": np.float64(yorig), "XCELL": np.float64(dx), "YCELL": np.float64(dx),
            "VGTYP": np.int32(7), "VGTOP": np.float32(5000.0), "VGLVLS": np.array([1.0, 0.9975], "f4"),
            "GDNAM": _pad("YRD3KM"), "UPNAM": _pad("OPACONC"),
            "VAR-LIST": "".join(_pad(names[s][0]) for s in species),
            "FILEDESC": _pad("Synthetic hourly average concentrations (ACONC)", 80), "HISTORY": "",
        })
        nc.createDimension("TSTEP", None)
        nc.createDimension("DATE-TIME", 2)
        nc.createDimension("LAY", 1)
        nc.createDimension("VAR", len(species))
        nc.createDimension("ROW", ny)
        nc.createDimension("COL", nx)
        tflag = nc.createVariable("TFLAG", "i4", ("TSTEP", "VAR", "DATE-TIME"))
        tflag.setncatts({"units": "<YYYYDDD,HHMMSS>", "long_name": _pad("TFLAG"),
                         "var_desc": _pad("Timestep-valid flags:  (1) YYYYDDD or (2) HHMMSS", 80)})
        for s in species:
            name, units = names[s]
            v = nc.createVariable(name, "f4", ("TSTEP", "LAY", "ROW", "COL"))
            v.setncatts({"long_name": _pad(name), "units": _pad(units), "var_desc": _pad(f"{name} synthetic", 80)})
        # a day of steps per write: one write per step cost more than the fields
        for steps in _blocks(len(times)):
            tflag[steps] = np.stack([np.tile(np.array(ymd(starts[k]), "i4"), (len(species), 1))
                                     for k in range(steps.start, steps.stop)])
            for s in species:
                name, units = names[s]
                f = np.stack([_field_at(field, s, times[k], k + 1, xkm, ykm, lon, lat, seed, k, bias)
                              for k in range(steps.start, steps.stop)]) * _per_unit(s, units)
                nc[name][steps, 0] = f.astype("f4")
    return path


def write_cams_forecast(path, *, nx: int = 20, ny: int = 16, hours: int = 6, species=("pm25", "pm10", "o3"),
                        cycle="2026-11-24T00:00Z", seed: int = 0, bias: float = 1.0, dlon: float = 0.03, field=None) -> Path:
    """A CAMS-style CF forecast (netCDF4): ``pm2p5``/``pm10`` [kg m**-3], ``go3 no2 so2 co``
    [kg kg**-1] at the surface, int16 packed (scale_factor/add_offset/_FillValue), dims
    ``(valid_time, latitude, longitude)`` with latitude descending, ``forecast_reference_time``
    and ``forecast_period`` [hours]."""
    path = Path(path)
    cycle, times = _times(cycle, hours)
    lon = ZONE_CENTRE[0] + (np.arange(nx) - (nx - 1) / 2) * dlon
    lat = (ZONE_CENTRE[1] + (np.arange(ny) - (ny - 1) / 2) * dlon)[::-1]
    xkm = (lon[None, :] - ZONE_CENTRE[0]) * 111.2 * np.cos(np.radians(ZONE_CENTRE[1])) + 0 * lat[:, None]
    ykm = (lat[:, None] - ZONE_CENTRE[1]) * 111.2 + 0 * lon[None, :]
    glon, glat = np.meshgrid(lon, lat)
    names = {"pm25": ("pm2p5", "kg m**-3", "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"),
             "pm10": ("pm10", "kg m**-3", "mass_concentration_of_pm10_ambient_aerosol_particles_in_air"),
             "o3": ("go3", "kg kg**-1", "mass_fraction_of_ozone_in_air"),
             "no2": ("no2", "kg kg**-1", "mass_fraction_of_nitrogen_dioxide_in_air"),
             "so2": ("so2", "kg kg**-1", "mass_fraction_of_sulfur_dioxide_in_air"),
             "co": ("co", "kg kg**-1", "mass_fraction_of_carbon_monoxide_in_air")}
    epoch = pd.Timestamp("1970-01-01", tz="UTC")
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.setncatts({"Conventions": "CF-1.7", "institution": "synthetic (forecasting.grids.synthetic)",
                      "title": "CAMS-style global forecast subset"})
        nc.createDimension("valid_time", None)
        nc.createDimension("latitude", ny)
        nc.createDimension("longitude", nx)
        v = nc.createVariable("longitude", "f8", ("longitude",))
        v.setncatts({"units": "degrees_east", "standard_name": "longitude"})
        v[:] = np.mod(lon, 360.0)
        v = nc.createVariable("latitude", "f8", ("latitude",))
        v.setncatts({"units": "degrees_north", "standard_name": "latitude"})
        v[:] = lat
        vt = nc.createVariable("valid_time", "i8", ("valid_time",))
        vt.setncatts({"units": "seconds since 1970-01-01", "calendar": "proleptic_gregorian",
                      "standard_name": "time"})
        ref = nc.createVariable("forecast_reference_time", "i8", ())
        ref.setncatts({"units": "seconds since 1970-01-01", "calendar": "proleptic_gregorian",
                       "standard_name": "forecast_reference_time"})
        ref.assignValue(int((cycle - epoch).total_seconds()))
        fp = nc.createVariable("forecast_period", "f4", ("valid_time",))
        fp.setncatts({"units": "hours", "standard_name": "forecast_period"})
        for s in species:
            name, units, std = names[s]
            top = 1000.0 / conversion_factor(s, units, variable=name, file="synthetic")[0]  # 1000 canonical units
            v = nc.createVariable(name, "i2", ("valid_time", "latitude", "longitude"), fill_value=np.int16(-32767))
            v.setncatts({"units": units, "standard_name": std, "scale_factor": top / 65532.0,
                         "add_offset": top / 2.0, "missing_value": np.int16(-32767)})
        for steps in _blocks(len(times)):
            vt[steps] = [int((times[k] - epoch).total_seconds()) for k in range(steps.start, steps.stop)]
            fp[steps] = np.arange(steps.start + 1, steps.stop + 1)
            for s in species:
                name, units, _ = names[s]
                f = np.stack([_field_at(field, s, times[k], k + 1, xkm, ykm, glon, glat, seed, k, bias)
                              for k in range(steps.start, steps.stop)])
                nc[name][steps] = f * _per_unit(s, units)
    return path



#: CF grid-mapping attributes used by :func:`write_cf_projected` (centred on the zone).
CF_PROJECTIONS = {
    "lambert_conformal_conic": {"grid_mapping_name": "lambert_conformal_conic",
                                "standard_parallel": [LAMBERT["P_ALP"], LAMBERT["P_BET"]],
                                "longitude_of_central_meridian": LAMBERT["P_GAM"],
                                "latitude_of_projection_origin": LAMBERT["YCENT"],
                                "false_easting": 0.0, "false_northing": 0.0, "earth_radius": _R},
    "polar_stereographic": {"grid_mapping_name": "polar_stereographic",
                            "straight_vertical_longitude_from_pole": 120.0,
                            "latitude_of_projection_origin": 90.0, "standard_parallel": 60.0,
                            "false_easting": 0.0, "false_northing": 0.0,
                            "semi_major_axis": 6378137.0, "inverse_flattening": 298.257223563},
    "mercator": {"grid_mapping_name": "mercator", "longitude_of_projection_origin": 120.0,
                 "standard_parallel": 30.0, "false_easting": 0.0, "false_northing": 0.0,
                 "semi_major_axis": 6378137.0, "inverse_flattening": 298.257223563},
    "transverse_mercator": {"grid_mapping_name": "transverse_mercator", "scale_factor_at_central_meridian": 0.9996,
                            "longitude_of_central_meridian": 123.0, "latitude_of_projection_origin": 0.0,
                            "false_easting": 500000.0, "false_northing": 0.0,
                            "semi_major_axis": 6378137.0, "inverse_flattening": 298.257223563},
    "rotated_latitude_longitude": {"grid_mapping_name": "rotated_latitude_longitude",
                                   "grid_north_pole_latitude": 90.0 - ZONE_CENTRE[1],
                                   "grid_north_pole_longitude": ZONE_CENTRE[0] - 180.0},
}
_CF_UNITS = {"pm25": ("pm25", "ug m-3", "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"),
             "pm10": ("pm10", "ug m-3", "mass_concentration_of_pm10_ambient_aerosol_particles_in_air"),
             "o3": ("o3", "ppb", "mole_fraction_of_ozone_in_air"),
             "no2": ("no2", "ppb", "mole_fraction_of_nitrogen_dioxide_in_air"),
             "so2": ("so2", "ppb", "mole_fraction_of_sulfur_dioxide_in_air"),
             "co": ("co", "ppm", "mole_fraction_of_carbon_monoxide_in_air")}


def write_cf_projected(path, *, projection: str = "lambert_conformal_conic", nx: int = 20, ny: int = 16,
                       hours: int = 6, species=POLLUTANTS, cycle="2026-11-24T00:00Z", seed: int = 0,
                       bias: float = 1.0, dx: float = 3000.0, bounds: bool = False, latlon: bool = True,
                       grid_mapping: bool = True, y_descending: bool = False, units_km: bool = False,
                       xy: bool = True,
                       field=None, title: str = "synthetic CF projected grid (forecasting.grids.synthetic)") -> Path:
    """A CF-1.8 chemistry file on a projected grid, as regional-model post-processors write it.

    ``pm25 pm10`` [ug m-3], ``o3 no2 so2`` [ppb], ``co`` [ppm] on ``(time, y, x)``; ``x``/``y``
    (``projection_x_coordinate``) [m, or km with ``units_km``; ``rlon``/``rlat`` in degree for
    the rotated pole, spacing ``dx``/111 km], cells ``dx`` wide centred on the zone; a grid-mapping
    variable ``crs`` from :data:`CF_PROJECTIONS` (``grid_mapping=False`` leaves it out: a
    curvilinear file with only 2-D ``lat``/``lon``); 2-D ``lat``/``lon`` named by each variable's
    ``coordinates`` (``latlon=False`` leaves them out); with ``bounds`` also ``x_bnds``/``y_bnds``
    (and ``lat_bnds``/``lon_bnds`` (y, x, 4), the exact projected corners, for the curvilinear
    case); ``xy=False`` leaves out the projection coordinates (only their dimensions remain).
    ``field(species, valid_time, lead_hours, lon, lat)`` replaces the recipe [canonical
    units]. Time ``hours since`` the cycle, ``forecast_reference_time`` scalar.
    """
    path = Path(path)
    cycle, times = _times(cycle, hours)
    attrs = CF_PROJECTIONS[projection]
    crs = grid_mapping_crs(attrs, where=projection)
    rotated = projection == "rotated_latitude_longitude"
    step = dx / 111_000.0 if rotated else dx
    to_grid = Transformer.from_crs(CRS("OGC:CRS84"), crs, always_xy=True)
    xc, yc = to_grid.transform(*ZONE_CENTRE)
    if not rotated:
        xc, yc = round(xc, -3), round(yc, -3)
    x = xc + (np.arange(nx) - (nx - 1) / 2) * step
    y = yc + (np.arange(ny) - (ny - 1) / 2) * step
    to_ll = Transformer.from_crs(crs, CRS("OGC:CRS84"), always_xy=True)
    lon, lat = to_ll.transform(*np.meshgrid(x, y))
    xkm, ykm = _km(x, y) if not rotated else np.meshgrid((x - x.mean()) * 111.0, (y - y.mean()) * 111.0)
    if y_descending:
        y, lon, lat, ykm = y[::-1], lon[::-1], lat[::-1], ykm[::-1]
    sign = -1.0 if y_descending else 1.0
    scale = 1000.0 if units_km and not rotated else 1.0
    xname, yname = ("rlon", "rlat") if rotated else ("x", "y")
    epoch = cycle
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.setncatts({"Conventions": "CF-1.8", "title": title,
                      "institution": "synthetic (forecasting.grids.synthetic.write_cf_projected)",
                      "source": f"synthetic recipe, {projection}, {nx} x {ny} cells of {dx / 1000:g} km"})
        nc.createDimension("time", None)
        nc.createDimension(yname, ny)
        nc.createDimension(xname, nx)
        tv = nc.createVariable("time", "f8", ("time",))
        tv.setncatts({"units": f"hours since {cycle.strftime('%Y-%m-%d %H:%M:%S')}", "calendar": "standard",
                      "standard_name": "time", "axis": "T"})
        ref = nc.createVariable("forecast_reference_time", "f8", ())
        ref.setncatts({"units": f"hours since {cycle.strftime('%Y-%m-%d %H:%M:%S')}",
                       "standard_name": "forecast_reference_time"})
        ref.assignValue(0.0)
        for name, dim, values, std in ((xname, xname, x, "grid_longitude" if rotated else "projection_x_coordinate"),
                                       (yname, yname, y, "grid_latitude" if rotated else "projection_y_coordinate")):
            if not xy:
                continue
            v = nc.createVariable(name, "f8", (dim,))
            v.setncatts({"standard_name": std, "axis": "X" if dim == xname else "Y",
                         "units": "degrees" if rotated else ("km" if units_km else "m")})
            v[:] = values / scale
            if bounds:
                nc.createDimension("nv", 2) if "nv" not in nc.dimensions else None
                b = nc.createVariable(f"{name}_bnds", "f8", (dim, "nv"))
                half = step / 2 * (sign if dim == yname else 1.0)
                b[:] = np.stack([values - half, values + half], axis=1) / scale
                v.bounds = f"{name}_bnds"
        if grid_mapping:
            gm = nc.createVariable("crs", "i4", ())
            gm.setncatts({k: (np.asarray(v, "f8") if isinstance(v, list) else v) for k, v in attrs.items()})
            gm.crs_wkt = crs.to_wkt()
        coords = ""
        if latlon:
            coords = "lat lon"
            for name, values, std, units in (("lat", lat, "latitude", "degrees_north"),
                                             ("lon", lon, "longitude", "degrees_east")):
                v = nc.createVariable(name, "f8", (yname, xname))
                v.setncatts({"standard_name": std, "units": units})
                v[:] = values
            if bounds and not grid_mapping:
                nc.createDimension("nv4", 4)
                xs = np.stack([x - step / 2, x + step / 2, x + step / 2, x - step / 2], axis=-1)
                ys = np.stack([y - sign * step / 2, y - sign * step / 2, y + sign * step / 2, y + sign * step / 2],
                              axis=-1)
                vx = np.broadcast_to(xs[None, :, :], (ny, nx, 4))
                vy = np.broadcast_to(ys[:, None, :], (ny, nx, 4))
                blon, blat = to_ll.transform(vx, vy)
                for name, values in (("lon_bnds", blon), ("lat_bnds", blat)):
                    nc.createVariable(name, "f8", (yname, xname, "nv4"))[:] = values
                nc["lon"].bounds = "lon_bnds"
                nc["lat"].bounds = "lat_bnds"
        for s_ in species:
            name, units, std = _CF_UNITS[s_]
            v = nc.createVariable(name, "f4", ("time", yname, xname), fill_value=np.float32(-9999.0))
            v.setncatts({"units": units, "standard_name": std, "long_name": f"{s_} at the surface (synthetic)"})
            if coords:
                v.coordinates = coords
            if grid_mapping:
                v.grid_mapping = "crs"
        for k, when in enumerate(times):
            tv[k] = (when - epoch).total_seconds() / 3600.0
            for s_ in species:
                name, units, _ = _CF_UNITS[s_]
                f = _field_at(field, s_, when, k + 1, xkm, ykm, lon, lat, seed, k, bias) * _per_unit(s_, units)
                nc[name][k] = f.astype("f4")
    return path
