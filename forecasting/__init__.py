"""Joint air-quality forecasting for the Yangtze River Delta demonstration zone.

The domain package: science modules (grids, districts, aqi, observations, correction,
verification) and the services that change state (accounts, consultation, reports).
Nothing here imports ``streamlit``; pages call these functions.
"""

__version__ = "0.1.0"
