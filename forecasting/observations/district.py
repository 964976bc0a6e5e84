"""District observations: the mean of a district's valid stations for each hour."""

from __future__ import annotations

import pandas as pd

from forecasting.errors import ValidationError

__all__ = ["district_observations"]


def district_observations(obs: pd.DataFrame, stations: pd.DataFrame, *, min_stations: int = 1) -> pd.DataFrame:
    """Tidy district observations ``time district pollutant value n_stations``.

    Parameters
    ----------
    obs : DataFrame
        Quality-controlled station observations (``station time pollutant value`` and ``valid``
        from :func:`forecasting.observations.quality_control`; without ``valid`` every finite
        value counts).
    stations : DataFrame
        Station metadata from :func:`forecasting.observations.read_stations`.
    min_stations : int, keyword-only
        Fewer valid stations than this in an hour gives no district value for that hour.

    A station new in the metadata simply joins the mean from its first valid hour; a station in
    ``obs`` but not in ``stations`` is an error (add it to the metadata).
    """
    known = set(stations["station"])
    unknown = sorted(set(obs["station"]) - known)
    if unknown:
        raise ValidationError(
            f"observations name station(s) {', '.join(map(str, unknown[:5]))} missing from the station metadata; "
            "add them with their district adcode"
        )
    ok = obs["value"].notna()
    if "valid" in obs.columns:
        ok &= obs["valid"].astype(bool)
    good = obs[ok].drop_duplicates(subset=["station", "pollutant", "time"])
    good = good.merge(stations[["station", "district"]], on="station", how="left")
    out = good.groupby(["time", "district", "pollutant"], as_index=False).agg(
        value=("value", "mean"), n_stations=("station", "nunique"))
    out = out[out["n_stations"] >= min_stations]
    return out.sort_values(["district", "pollutant", "time"]).reset_index(drop=True)
