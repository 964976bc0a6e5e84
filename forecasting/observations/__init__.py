"""Station observations: reading (CSV, PRSA), quality control flags, district means.

Convention: hourly values are labelled by the end of their hour, times are UTC tz-aware (see
:mod:`forecasting.observations.reading`). Typical use::

    obs = read_station_csv("obs.csv", timezone="Asia/Shanghai")     # station time pollutant value
    stations = read_stations("stations.csv")                         # station name lon lat district
    district = district_observations(quality_control(obs), stations) # time district pollutant value
"""

from forecasting.observations.district import district_observations
from forecasting.observations.known import first_known
from forecasting.observations.prsa import COMPASS, prsa_long, read_prsa, relative_humidity
from forecasting.observations.qc import FLAGS, FLAT_MIN, PLAUSIBLE_MAX, SPIKE_ABS, quality_control
from forecasting.observations.reading import MISSING, POLLUTANTS, read_station_csv, read_stations

__all__ = [
    "COMPASS",
    "FLAGS",
    "FLAT_MIN",
    "MISSING",
    "PLAUSIBLE_MAX",
    "POLLUTANTS",
    "SPIKE_ABS",
    "district_observations",
    "first_known",
    "prsa_long",
    "quality_control",
    "read_prsa",
    "read_station_csv",
    "read_stations",
    "relative_humidity",
]
