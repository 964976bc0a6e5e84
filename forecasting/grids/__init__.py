"""Model forecast grids: from a forecasting centre's NetCDF to one normalised, lazy grid.

Readers (detected automatically): CF lon/lat (CAMS, RAQMS, GEOS-CF, GEOS-Chem), CF on a projected,
rotated-pole or curvilinear grid (``grid_mapping``, 2-D lat/lon; :mod:`forecasting.grids.cfgrid`),
CMAQ IOAPI, WRF-Chem wrfout; anything else through a mapping file in ``data/models/``. See
``docs/grids.md``.
"""

from forecasting.grids.detect import detect_format, grid_description, inspect_grid, open_grid
from forecasting.grids.mapping import ModelMapping, list_models, load_mapping
from forecasting.grids.units import (
    AIR_DENSITY,
    CANONICAL_UNITS,
    MOLAR_MASS,
    MOLAR_VOLUME,
    POLLUTANTS,
    conversion_factor,
)

__all__ = [
    "open_grid",
    "inspect_grid",
    "grid_description",
    "detect_format",
    "ModelMapping",
    "load_mapping",
    "list_models",
    "POLLUTANTS",
    "CANONICAL_UNITS",
    "MOLAR_MASS",
    "MOLAR_VOLUME",
    "AIR_DENSITY",
    "conversion_factor",
]
