"""Models for science data: model runs and their district series, stations and observations,
trained corrections and the objective guidance (daily AQI ranges per district and target day).

Values are in canonical units (µg/m³; CO mg/m³); times are UTC, hour-ending.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from forecasting.store.models import Base
from forecasting.store.types import UTCDateTime, utcnow

__all__ = [
    "ModelRun",
    "DistrictSeries",
    "Station",
    "Observation",
    "DistrictObservation",
    "TrainedCorrectionRecord",
    "Guidance",
    "GuidanceSeries",
]


class ModelRun(Base):
    """One ingested model cycle (``model`` × ``cycle``). Re-ingesting replaces it atomically."""

    __tablename__ = "model_runs"
    __table_args__ = (UniqueConstraint("model", "cycle", name="uq_model_runs_model_cycle"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    cycle: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    format: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(128), default="")
    files: Mapped[list] = mapped_column(JSON, default=list)
    conversions: Mapped[dict] = mapped_column(JSON, default=dict)
    variables: Mapped[list] = mapped_column(JSON, default=list)
    n_times: Mapped[int] = mapped_column(Integer, default=0)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(64), default="system")


class DistrictSeries(Base):
    """A district's hourly value of one variable in one model run (long format)."""

    __tablename__ = "district_series"
    run_id: Mapped[int] = mapped_column(ForeignKey("model_runs.id", ondelete="CASCADE"), primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), primary_key=True)
    valid_time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    variable: Mapped[str] = mapped_column(String(16), primary_key=True)
    lead_hours: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)


class Station(Base):
    """A monitoring station and the district it counts for."""

    __tablename__ = "stations"
    station_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"), index=True)


class Observation(Base):
    """One hourly station value with its quality-control flags (flags, never deletion)."""

    __tablename__ = "observations"
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.station_id"), primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    qc_flags: Mapped[str] = mapped_column(String(64), default="")


class DistrictObservation(Base):
    """The district observation: the mean of its valid stations for one hour and pollutant."""

    __tablename__ = "district_observations"
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    n_stations: Mapped[int] = mapped_column(Integer, default=0)


class TrainedCorrectionRecord(Base):
    """A trained correction: method, window, predictors, scores, version and its serialised state."""

    __tablename__ = "trained_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"))
    pollutant: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(32))
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    train_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    train_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    predictors: Mapped[list] = mapped_column(JSON, default=list)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(255), default="")
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class Guidance(Base):
    """Objective guidance for one district and target day, from one method (``raw`` per model,
    a correction method, or ``best``): daily AQI centre and range, level span, primary pollutant(s)."""

    __tablename__ = "guidance"
    __table_args__ = (
        UniqueConstraint("issue_date", "district", "target_date", "method", "model", name="uq_guidance_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"))
    target_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(64), default="")
    edition: Mapped[str] = mapped_column(String(16))
    centre: Mapped[float | None] = mapped_column(Float)
    aqi_lo: Mapped[int | None] = mapped_column(Integer)
    aqi_hi: Mapped[int | None] = mapped_column(Integer)
    level_lo: Mapped[int | None] = mapped_column(Integer)
    level_hi: Mapped[int | None] = mapped_column(Integer)
    primary: Mapped[list] = mapped_column(JSON, default=list)
    indicators: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # issue #13: the day's AQI distribution, level probabilities, outlook flag, training window end
    aqi_q10: Mapped[float | None] = mapped_column(Float)
    aqi_q50: Mapped[float | None] = mapped_column(Float)
    aqi_q90: Mapped[float | None] = mapped_column(Float)
    p_over_100: Mapped[float | None] = mapped_column(Float)
    p_over_200: Mapped[float | None] = mapped_column(Float)
    outlook: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    trained_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GuidanceSeries(Base):
    """Corrected hourly district series behind the guidance of an issue date (and the raw model
    series they came from): ``central`` with its interval ``lower``..``upper``."""

    __tablename__ = "guidance_series"
    issue_date: Mapped[date] = mapped_column(Date, primary_key=True)
    district: Mapped[str] = mapped_column(ForeignKey("districts.adcode"), primary_key=True)
    method: Mapped[str] = mapped_column(String(32), primary_key=True)
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    pollutant: Mapped[str] = mapped_column(String(8), primary_key=True)
    valid_time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    central: Mapped[float | None] = mapped_column(Float)
    lower: Mapped[float | None] = mapped_column(Float)
    upper: Mapped[float | None] = mapped_column(Float)
