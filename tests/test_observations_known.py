"""District observations as the consultations knew them (forecasting.observations.known).

The expected means are worked by hand from the QC rules of forecasting.observations.qc's docstring: a
spike needs the hour after it, a flat run is flagged once it is 6 hours long.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.observations import district_observations, first_known, quality_control

# 15:00 Beijing on 2026-11-20: a consultation
CUT = pd.Timestamp("2026-11-20 07:00", tz="UTC")
HOURS = pd.date_range(CUT - pd.Timedelta(hours=30), CUT + pd.Timedelta(hours=30), freq="h")
STATIONS = pd.DataFrame({"station": ["A", "B", "C"], "district": ["310118", "310118", "320509"]})


def _stored(values: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Station PM2.5 series flagged as the store flags them (every hour known), and their district means."""
    station = pd.concat([pd.DataFrame({"station": s, "time": HOURS, "pollutant": "pm25", "value": v})
                         for s, v in values.items()], ignore_index=True)
    flagged = quality_control(station)
    district = district_observations(flagged, STATIONS)[["time", "district", "pollutant", "value"]]
    return flagged[["station", "time", "pollutant", "value", "qc_flags"]], district


def _wavy(base: float) -> np.ndarray:
    return base + np.arange(len(HOURS)) % 3  # never flat, never a spike


def _at(frame: pd.DataFrame, district: str, time: pd.Timestamp) -> list[float]:
    return frame.loc[(frame["district"] == district) & (frame["time"] == time), "value"].tolist()


def test_a_spike_at_the_consultation_hour_is_in_the_mean_it_was_known_in():
    """Station A reads 400 at 15:00 between 30 and 30: a spike once 16:00 is known, not at 15:00."""
    a = _wavy(30.0)
    a[HOURS == CUT] = 400.0
    station, district = _stored({"A": a, "B": _wavy(40.0), "C": _wavy(60.0)})
    assert station.loc[(station["station"] == "A") & (station["time"] == CUT), "qc_flags"].item() == "spike"
    b_at_cut = _wavy(40.0)[HOURS == CUT].item()
    assert _at(district, "310118", CUT) == [b_at_cut]  # stored: B alone
    known = first_known(district, station, STATIONS)
    assert _at(known, "310118", CUT) == [(400.0 + b_at_cut) / 2]
    # every other hour as stored
    rest = known[~((known["district"] == "310118") & (known["time"] == CUT))]
    pd.testing.assert_frame_equal(rest.reset_index(drop=True),
                                  district[~((district["district"] == "310118") & (district["time"] == CUT))]
                                  .reset_index(drop=True), check_dtype=False)


def test_a_flat_run_completed_after_the_consultation_is_not_flat_before_it():
    """A reads 55 from 13:00 to 18:00 (six hours: flagged flat once 18:00 is known). At the consultation
    of 15:00 it was three hours long: 13:00-15:00 were in Qingpu's mean; 16:00-18:00, first seen by the
    next day's consultation, were flagged by then."""
    a = _wavy(30.0)
    run = (HOURS > CUT - pd.Timedelta(hours=3)) & (HOURS <= CUT + pd.Timedelta(hours=3))
    a[run] = 55.0
    b = _wavy(40.0)
    station, district = _stored({"A": a, "B": b, "C": _wavy(60.0)})
    assert set(station.loc[(station["station"] == "A") & station["time"].isin(HOURS[run]), "qc_flags"]) == {"flat"}
    known = first_known(district, station, STATIONS)
    for t, bt in zip(HOURS[run], b[run]):
        expected = [(55.0 + bt) / 2] if t <= CUT else [bt]
        assert _at(known, "310118", t) == expected, t


def test_a_district_whose_only_station_was_flagged_in_hindsight_gets_its_hour_back():
    """Wujiang's only station C spikes at 15:00: stored, Wujiang has no value then; as known, 500."""
    c = _wavy(60.0)
    c[HOURS == CUT] = 500.0
    station, district = _stored({"A": _wavy(30.0), "B": _wavy(40.0), "C": c})
    assert _at(district, "320509", CUT) == []
    known = first_known(district, station, STATIONS)
    assert _at(known, "320509", CUT) == [500.0]
    assert len(known) == len(district) + 1


def test_without_hindsight_flags_the_stored_means_are_used_as_they_are():
    """A spike in the middle of the day (hours after it known by 15:00) was flagged then too."""
    a = _wavy(30.0)
    a[HOURS == CUT - pd.Timedelta(hours=8)] = 400.0
    station, district = _stored({"A": a, "B": _wavy(40.0), "C": _wavy(60.0)})
    assert (station["qc_flags"] != "").sum() == 1
    assert first_known(district, station, STATIONS) is district


def test_a_flag_that_looks_at_its_hour_alone_stays():
    """Station B's PM2.5 above its PM10 at 13:00 (both flagged, HJ 818's rule in the QC docstring) was known at
    15:00 as well: nothing changes, though the flag is in the hours before the consultation."""
    at = HOURS == CUT - pd.Timedelta(hours=2)
    b25, b10 = _wavy(40.0), _wavy(60.0)
    b25[at], b10[at] = 90.0, 70.0
    station = pd.concat([pd.DataFrame({"station": s, "time": HOURS, "pollutant": p, "value": v})
                         for s, p, v in (("A", "pm25", _wavy(30.0)), ("B", "pm25", b25), ("B", "pm10", b10),
                                         ("A", "pm10", _wavy(50.0)))], ignore_index=True)
    flagged = quality_control(station)
    assert sorted(set(flagged["qc_flags"])) == ["", "pm25_gt_pm10"]
    district = district_observations(flagged, STATIONS)[["time", "district", "pollutant", "value"]]
    assert first_known(district, flagged[["station", "time", "pollutant", "value", "qc_flags"]], STATIONS) is district
