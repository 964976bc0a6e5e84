"""The zone's districts as data: loaded from a boundary GeoJSON into the ``districts`` table.

The bundled file is ``data/districts.geojson`` (Qingpu 310118, Wujiang 320509, Jiashan 330421);
an operator may load their own file (features with an ``adcode`` property) instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from forecasting import audit
from forecasting.config import DATA_DIR_BUNDLED
from forecasting.store.db import Database
from forecasting.store.models import District
from forecasting.vocab import read_district_geojson

__all__ = ["DISTRICTS_GEOJSON", "DistrictInfo", "read_district_features", "sync_districts", "list_districts"]

DISTRICTS_GEOJSON = DATA_DIR_BUNDLED / "districts.geojson"


@dataclass(frozen=True)
class DistrictInfo:
    adcode: str
    slug: str
    name_zh: str
    name_en: str
    parent_zh: str
    parent_en: str
    area_km2: float | None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


def _slug(props: dict) -> str:
    name_en = (props.get("name_en") or "").strip()
    if props.get("slug"):
        return str(props["slug"])
    if name_en:
        return name_en.split()[0].lower()
    return str(props["adcode"])


def read_district_features(path: str | Path | None = None) -> list[dict]:
    """The GeoJSON features of a boundary file, each with a 6-digit ``adcode``
    (:func:`forecasting.vocab.read_district_geojson`)."""
    return read_district_geojson(Path(path or DISTRICTS_GEOJSON))["features"]


def sync_districts(db: Database, path: str | Path | None = None) -> int:
    """Insert or update the districts of a boundary file. Returns how many were added or changed."""
    features = read_district_features(path)
    changed = 0
    with db.transaction() as s:
        for order, feat in enumerate(features):
            p = feat["properties"]
            values = dict(
                slug=_slug(p),
                name_zh=p.get("name") or p["adcode"],
                name_en=(p.get("name_en") or p["adcode"]).replace(" District", "").replace(" County", ""),
                parent_zh=" ".join(dict.fromkeys(x for x in (p.get("province"), p.get("city")) if x and x != p.get("name"))),
                parent_en=p.get("parent_en") or "",
                area_km2=p.get("area_km2"),
                sort_order=order,
            )
            row = s.get(District, str(p["adcode"]))
            if row is None:
                s.add(District(adcode=str(p["adcode"]), **values))
                changed += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed += 1
        if changed:
            audit.record(s, None, "district.sync", object_type="districts", details={"file": str(path or DISTRICTS_GEOJSON), "changed": changed})
    return changed


def list_districts(db: Database) -> list[DistrictInfo]:
    """The districts in their file order."""
    with db.read() as s:
        rows = s.scalars(select(District).order_by(District.sort_order, District.adcode))
        return [
            DistrictInfo(r.adcode, r.slug, r.name_zh, r.name_en, r.parent_zh, r.parent_en, r.area_km2) for r in rows
        ]
