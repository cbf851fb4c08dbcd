#!/usr/bin/env python3
"""Builds the bundled national geography from two real ONS/OS files.

    python3 data/lookups/build.py ../shared/data

reads partner/population/ons-mid-2019-lsoa-population-england-wales.csv and
boundaries/england/england_lad_2011_gen.geojson under that folder and writes,
beside this script:

  lsoa_lad.csv     every 2011 LSOA of England and Wales → its district
  districts.csv    every district: code, name, country, residents (mid-2019),
                   area (England only), LSOAs, the names it was known by
  ../boundaries/districts.geojson  generalised district outlines (England)

Districts are those in force from April 2023 (see data/README.md); the ONS
file gives 2020 districts, and the mergers of 2021 and 2023 are applied here.
"""
import csv, json, math, os, sys

# Mergers after the ONS file's 2020 boundaries: new district → (code, old).
MERGERS = {
    "North Northamptonshire": ("E06000061", 2021, ["Corby", "East Northamptonshire", "Kettering", "Wellingborough"]),
    "West Northamptonshire": ("E06000062", 2021, ["Daventry", "Northampton", "South Northamptonshire"]),
    "Cumberland": ("E06000063", 2023, ["Allerdale", "Carlisle", "Copeland"]),
    "Westmorland and Furness": ("E06000064", 2023, ["Barrow-in-Furness", "Eden", "South Lakeland"]),
    "North Yorkshire": ("E06000065", 2023, ["Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale", "Scarborough", "Selby"]),
    "Somerset": ("E06000066", 2023, ["Mendip", "Sedgemoor", "Somerset West and Taunton", "South Somerset"]),
}
SUCCESSOR = {old: new for new, (_, _, olds) in MERGERS.items() for old in olds}


def lad_from_lsoa_name(name):
    head, _, tail = name.strip().rpartition(" ")
    return head if len(tail) == 4 and tail[:3].isdigit() and tail[3].isupper() else ""


def ring_area_km2(ring):
    """Area of a lon/lat ring on the sphere of the GRS80 authalic radius."""
    r = 6371.0072
    s = 0.0
    for (l1, p1), (l2, p2) in zip(ring, ring[1:] + ring[:1]):
        s += math.radians(l2 - l1) * (2 + math.sin(math.radians(p1)) + math.sin(math.radians(p2)))
    return abs(s) * r * r / 2


def polygons(geom):
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def simplify(ring, tol):
    """Douglas-Peucker on a closed ring, keeping at least four points."""
    def dp(pts):
        if len(pts) < 3:
            return pts
        (x1, y1), (x2, y2) = pts[0], pts[-1]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1e-12
        best, idx = -1, 0
        for i, (x, y) in enumerate(pts[1:-1], 1):
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if (dx or dy) else math.hypot(x - x1, y - y1)
            if d > best:
                best, idx = d, i
        if best <= tol:
            return [pts[0], pts[-1]]
        return dp(pts[: idx + 1])[:-1] + dp(pts[idx:])
    half = len(ring) // 2
    out = dp(ring[: half + 1])[:-1] + dp(ring[half:])
    return out if len(out) >= 4 else ring


def main(shared):
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(shared, "partner/population/ons-mid-2019-lsoa-population-england-wales.csv")
    lsoas, districts, former = [], {}, {}
    with open(src, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code, name = row["LA Code (2020 boundaries)"], row["LA name (2020 boundaries)"]
            if name in SUCCESSOR:
                former.setdefault(SUCCESSOR[name], set()).add(name)
                name = SUCCESSOR[name]
                code = MERGERS[name][0]
            d = districts.setdefault(name, {"code": code, "residents": 0, "lsoas": 0, "area": 0.0})
            assert d["code"] == code, (name, code)
            d["residents"] += int(row["All Ages"].replace(",", ""))
            d["lsoas"] += 1
            for old in (lad_from_lsoa_name(row["LSOA Name"]), row["LA name (2019 boundaries)"], row["LA name (2020 boundaries)"]):
                if old and old != name:
                    prev = former.setdefault(name, set())
                    prev.add(old)
            lsoas.append((row["LSOA Code"], row["LSOA Name"], code, name))
    owner = {}
    for name, olds in former.items():
        for old in olds:
            assert owner.get(old, name) == name, (old, owner.get(old), name)
            owner[old] = name

    geo = json.load(open(os.path.join(shared, "boundaries/england/england_lad_2011_gen.geojson")))
    feats = []
    for ft in geo["features"]:
        old = ft["properties"]["name"]
        name = old if old in districts else owner.get(old)
        if name is None:
            sys.exit(f"boundary {old} ({ft['properties']['label']}) matches no district")
        area = 0.0
        parts = []
        for poly in polygons(ft["geometry"]):
            area += ring_area_km2(poly[0]) - sum(ring_area_km2(h) for h in poly[1:])
            outer = simplify(poly[0], 0.004)
            if ring_area_km2(outer) > 2 or len(parts) == 0:
                parts.append([[[round(x, 4), round(y, 4)] for x, y in outer]])
        districts[name]["area"] += area
        feats.append({"type": "Feature", "properties": {"code": districts[name]["code"], "name": name, "boundary_2011": old},
                      "geometry": {"type": "MultiPolygon", "coordinates": parts}})
    missing = [n for n, d in districts.items() if d["code"].startswith("E") and d["area"] == 0]
    if missing:
        sys.exit(f"English districts without a boundary: {missing}")

    with open(os.path.join(here, "lsoa_lad.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lsoa_code", "lsoa_name", "lad_code", "lad_name"])
        w.writerows(sorted(lsoas))
    with open(os.path.join(here, "districts.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lad_code", "lad_name", "country", "residents_2019", "area_km2", "lsoas_2011", "former_names"])
        for name, d in sorted(districts.items(), key=lambda kv: kv[1]["code"]):
            country = "England" if d["code"].startswith("E") else "Wales"
            area = f"{d['area']:.2f}" if d["area"] else ""
            w.writerow([d["code"], name, country, d["residents"], area, d["lsoas"], "; ".join(sorted(former.get(name, ())))])
    with open(os.path.join(here, "..", "boundaries", "districts.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
