"""District observations as the consultations knew them: quality-control flags without hindsight.

The stored flags of :func:`forecasting.observations.quality_control` look at both sides of an hour: the
``spike`` test compares hour t with hours t−1 and **t+1**, and a ``flat`` run is flagged over its whole
length once it reaches ``flat_hours``. An hour's flags are final :func:`lookahead_margin` after it (5 h by
default): the spike test needs one later hour, and a flat run through an hour reaches ``flat_hours`` within
``flat_hours − 1`` hours of it or never involves it. The other checks look at the hour alone.

Guidance and trainings are computed at the consultation (15:00 Beijing, :data:`CONSULTATION_HOUR`) with
what was stored then. Recomputed later, the district means of the last hours before a consultation carry
flags set by hours after it: a value that was in the mean at 15:00 is out of it now (a flat run completed at
18:00, a spike whose next hour came at 16:00). :func:`first_known` gives every hour as the first
consultation that could see it knew it: the hours of the margin before each consultation with their flags as
of that consultation, every other hour as stored. A learner that reads the series at a later consultation
sees such an hour as it was known before (never as it became known after), so a guidance recomputed for a
past issue date uses what was known at its issue time, and the live system reads the same series.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from forecasting.observations.district import district_observations
from forecasting.observations.qc import quality_control
from forecasting.vocab import BEIJING_ZONE

__all__ = ["CONSULTATION_HOUR", "consultation_after", "first_known", "in_margin", "lookahead_margin",
           "recheck_window"]

#: The consultation's hour (Beijing): observations up to it are known when a forecast is issued [h].
CONSULTATION_HOUR = 15

_KEY = ["district", "time", "pollutant"]


def lookahead_margin(*, flat_hours: int = 6) -> timedelta:
    """How long after an hour its flags are final (see the module docstring) [h].

    Examples
    --------
    >>> lookahead_margin()
    datetime.timedelta(seconds=18000)
    """
    return timedelta(hours=max(1, flat_hours - 1))


def recheck_window(*, flat_hours: int = 6) -> timedelta:
    """The hours before a consultation whose station values :func:`first_known` reads to recompute the
    flags of its margin: the margin, and twice the flat-run length before it (a run through the margin's
    first hour that began before the window is longer than ``flat_hours`` inside it) [h].

    Examples
    --------
    >>> recheck_window()
    datetime.timedelta(seconds=61200)
    """
    return lookahead_margin(flat_hours=flat_hours) + timedelta(hours=2 * flat_hours)


def consultation_after(times) -> pd.DatetimeIndex:
    """The first consultation (:data:`CONSULTATION_HOUR` Beijing, as UTC) at or after each hour-ending
    time of ``times`` (UTC).

    Examples
    --------
    >>> t = pd.to_datetime(["2026-11-20 06:00", "2026-11-20 07:00", "2026-11-20 08:00"], utc=True)
    >>> [f"{c:%m-%d %H:%M}" for c in consultation_after(t)]
    ['11-20 07:00', '11-20 07:00', '11-21 07:00']
    """
    local = pd.DatetimeIndex(pd.to_datetime(times, utc=True)).tz_convert(BEIJING_ZONE)
    cut = local.normalize() + pd.Timedelta(hours=CONSULTATION_HOUR)
    return cut.where(local <= cut, cut + pd.Timedelta(days=1)).tz_convert("UTC")


def in_margin(times, *, flat_hours: int = 6) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """``(cuts, inside)``: each hour's first consultation (:func:`consultation_after`) and whether the hour is
    in that consultation's margin (:func:`lookahead_margin` before it), where its flags may still change.

    Examples
    --------
    >>> t = pd.to_datetime(["2026-11-20 01:00", "2026-11-20 03:00", "2026-11-20 07:00"], utc=True)
    >>> in_margin(t)[1].tolist()
    [False, True, True]
    """
    times = pd.DatetimeIndex(pd.to_datetime(times, utc=True))
    cuts = consultation_after(times)
    return cuts, np.asarray((cuts - times) < pd.Timedelta(lookahead_margin(flat_hours=flat_hours)))


def first_known(district: pd.DataFrame, station: pd.DataFrame, stations: pd.DataFrame, *,
                flat_hours: int = 6) -> pd.DataFrame:
    """``district`` with the hours of each consultation's margin as that consultation knew them.

    Parameters
    ----------
    district : DataFrame
        Stored district observations ``time district pollutant value`` (UTC).
    station : DataFrame
        The stored station observations ``station time pollutant value qc_flags`` behind them: at least
        the ``flat_hours − 1`` hours before each margin hour that carries a flag and every station of its
        district in those hours (the flags of a margin hour are recomputed from them).
    stations : DataFrame
        Station metadata ``station district``.
    flat_hours : int, keyword-only
        The QC's flat-run length (the stored flags' setting).

    Returns
    -------
    DataFrame
        ``district``'s rows, where a margin hour's flags as known at its consultation differ from the
        stored ones its district mean recomputed over the values valid then (a key no station was valid
        for then is left out; a key the stored flags left out is added).
    """
    if station.empty:
        return district
    margin = pd.Timedelta(lookahead_margin(flat_hours=flat_hours))
    times = pd.DatetimeIndex(pd.to_datetime(station["time"], utc=True))
    cuts, inside = in_margin(times, flat_hours=flat_hours)
    # stored flags that may be hindsight: only a flagged hour of a margin can lose its flag (the checks
    # known at a consultation are those of the stored flags, on fewer later hours)
    suspect = (station["qc_flags"].to_numpy(dtype=object) != "") & inside
    reach = pd.Timedelta(recheck_window(flat_hours=flat_hours))
    ids = station["station"].to_numpy(dtype=object)
    columns = ["station", "time", "pollutant", "value"]
    replaced = []
    for cut in sorted(set(cuts[suspect])):
        in_window = np.asarray((times > cut - reach) & (times <= cut))
        # the stations of the suspect values, all their pollutants (PM2.5 above PM10 looks at two), checked again
        again = np.isin(ids, list(set(ids[suspect & np.asarray(cuts == cut)])))
        part = station[in_window & again]
        known = quality_control(part[columns].assign(time=pd.to_datetime(part["time"], utc=True)),
                                flat_hours=flat_hours)
        known["stored"] = part["qc_flags"].to_numpy(dtype=object)
        recent = known[known["time"] > cut - margin]
        changed = recent[recent["qc_flags"].to_numpy(dtype=object) != recent["stored"].to_numpy(dtype=object)]
        if changed.empty:
            continue
        keys = changed[["station", "time", "pollutant"]].merge(stations[["station", "district"]], on="station")
        keys = keys[_KEY].drop_duplicates()
        # the margin's values of every station: those checked again with their flags as known, the others as stored
        others = station[in_window & ~again & np.asarray(times > cut - margin)]
        others = others[columns].assign(time=pd.to_datetime(others["time"], utc=True),
                                        valid=(others["qc_flags"] == "").to_numpy())
        both = pd.concat([recent[columns + ["valid"]], others], ignore_index=True)
        means = district_observations(both[both["station"].isin(stations["station"])], stations)
        replaced.append((keys, keys.merge(means[_KEY + ["value"]], on=_KEY, how="inner")))
    if not replaced:
        return district
    keys = pd.concat([k for k, _ in replaced], ignore_index=True)
    values = pd.concat([v for _, v in replaced], ignore_index=True)
    frame = district.assign(time=pd.to_datetime(district["time"], utc=True))
    marked = frame.merge(keys.assign(_drop=True), on=_KEY, how="left")
    kept = frame[marked["_drop"].isna().to_numpy()]
    out = pd.concat([kept, values[list(frame.columns)]], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out
