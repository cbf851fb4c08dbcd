#!/usr/bin/env python3
"""Builds the bundled national geography from two real ONS/OS files.

    python3 data/lookups/build.py ../shared/data

reads partner/population/ons-mid-2019-lsoa-population-england-wales.csv and
boundaries/england/england_lad_2011_gen.geojson under that folder and writes,
beside this script:

  lsoa_lad.csv     every 2011 LSOA of England and Wales → its district
  districts.csv    every district: code, name, country, residents (mid-2019),
                   area (England only), LSOAs, police force, the names it was known by
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
# Police force areas (Police Act 1996, Schedule 1, as amended; the ONS "LAD
# to Community Safety Partnership to PFA" lookup), as police.uk force slugs.
FORCES = {
    "avon-and-somerset": ["Bath and North East Somerset", "Bristol", "North Somerset", "South Gloucestershire", "Somerset"],
    "bedfordshire": ["Bedford", "Central Bedfordshire", "Luton"],
    "cambridgeshire": ["Cambridge", "East Cambridgeshire", "Fenland", "Huntingdonshire", "South Cambridgeshire", "Peterborough"],
    "cheshire": ["Cheshire East", "Cheshire West and Chester", "Halton", "Warrington"],
    "city-of-london": ["City of London"],
    "cleveland": ["Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees"],
    "cumbria": ["Cumberland", "Westmorland and Furness"],
    "derbyshire": ["Derby", "Amber Valley", "Bolsover", "Chesterfield", "Derbyshire Dales", "Erewash", "High Peak", "North East Derbyshire", "South Derbyshire"],
    "devon-and-cornwall": ["Plymouth", "Torbay", "Cornwall", "Isles of Scilly", "East Devon", "Exeter", "Mid Devon", "North Devon", "South Hams", "Teignbridge", "Torridge", "West Devon"],
    "dorset": ["Dorset", "Bournemouth, Christchurch and Poole"],
    "durham": ["County Durham", "Darlington"],
    "dyfed-powys": ["Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys"],
    "essex": ["Basildon", "Braintree", "Brentwood", "Castle Point", "Chelmsford", "Colchester", "Epping Forest", "Harlow", "Maldon", "Rochford", "Tendring", "Uttlesford", "Southend-on-Sea", "Thurrock"],
    "gloucestershire": ["Cheltenham", "Cotswold", "Forest of Dean", "Gloucester", "Stroud", "Tewkesbury"],
    "greater-manchester": ["Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport", "Tameside", "Trafford", "Wigan"],
    "gwent": ["Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen"],
    "hampshire": ["Basingstoke and Deane", "East Hampshire", "Eastleigh", "Fareham", "Gosport", "Hart", "Havant", "New Forest", "Rushmoor", "Test Valley", "Winchester", "Portsmouth", "Southampton", "Isle of Wight"],
    "hertfordshire": ["Broxbourne", "Dacorum", "East Hertfordshire", "Hertsmere", "North Hertfordshire", "St Albans", "Stevenage", "Three Rivers", "Watford", "Welwyn Hatfield"],
    "humberside": ["East Riding of Yorkshire", "Kingston upon Hull", "North East Lincolnshire", "North Lincolnshire"],
    "kent": ["Ashford", "Canterbury", "Dartford", "Dover", "Folkestone and Hythe", "Gravesham", "Maidstone", "Sevenoaks", "Swale", "Thanet", "Tonbridge and Malling", "Tunbridge Wells", "Medway"],
    "lancashire": ["Burnley", "Chorley", "Fylde", "Hyndburn", "Lancaster", "Pendle", "Preston", "Ribble Valley", "Rossendale", "South Ribble", "West Lancashire", "Wyre", "Blackburn with Darwen", "Blackpool"],
    "leicestershire": ["Leicester", "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton", "North West Leicestershire", "Oadby and Wigston", "Rutland"],
    "lincolnshire": ["Boston", "East Lindsey", "Lincoln", "North Kesteven", "South Holland", "South Kesteven", "West Lindsey"],
    "merseyside": ["Knowsley", "Liverpool", "Sefton", "St. Helens", "Wirral"],
    "metropolitan": ["Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth", "Westminster"],
    "norfolk": ["Breckland", "Broadland", "Great Yarmouth", "King's Lynn and West Norfolk", "North Norfolk", "Norwich", "South Norfolk"],
    "north-wales": ["Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Wrexham"],
    "north-yorkshire": ["North Yorkshire", "York"],
    "northamptonshire": ["North Northamptonshire", "West Northamptonshire"],
    "northumbria": ["Northumberland", "Gateshead", "Newcastle upon Tyne", "North Tyneside", "South Tyneside", "Sunderland"],
    "nottinghamshire": ["Nottingham", "Ashfield", "Bassetlaw", "Broxtowe", "Gedling", "Mansfield", "Newark and Sherwood", "Rushcliffe"],
    "south-wales": ["Bridgend", "Cardiff", "Merthyr Tydfil", "Neath Port Talbot", "Rhondda Cynon Taf", "Swansea", "Vale of Glamorgan"],
    "south-yorkshire": ["Barnsley", "Doncaster", "Rotherham", "Sheffield"],
    "staffordshire": ["Stoke-on-Trent", "Cannock Chase", "East Staffordshire", "Lichfield", "Newcastle-under-Lyme", "South Staffordshire", "Stafford", "Staffordshire Moorlands", "Tamworth"],
    "suffolk": ["Babergh", "East Suffolk", "Ipswich", "Mid Suffolk", "West Suffolk"],
    "surrey": ["Elmbridge", "Epsom and Ewell", "Guildford", "Mole Valley", "Reigate and Banstead", "Runnymede", "Spelthorne", "Surrey Heath", "Tandridge", "Waverley", "Woking"],
    "sussex": ["Brighton and Hove", "Adur", "Arun", "Chichester", "Crawley", "Horsham", "Mid Sussex", "Worthing", "Eastbourne", "Hastings", "Lewes", "Rother", "Wealden"],
    "thames-valley": ["Bracknell Forest", "Reading", "Slough", "West Berkshire", "Windsor and Maidenhead", "Wokingham", "Milton Keynes", "Buckinghamshire", "Cherwell", "Oxford", "South Oxfordshire", "Vale of White Horse", "West Oxfordshire"],
    "warwickshire": ["North Warwickshire", "Nuneaton and Bedworth", "Rugby", "Stratford-on-Avon", "Warwick"],
    "west-mercia": ["Herefordshire", "Shropshire", "Telford and Wrekin", "Bromsgrove", "Malvern Hills", "Redditch", "Worcester", "Wychavon", "Wyre Forest"],
    "west-midlands": ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"],
    "west-yorkshire": ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"],
    "wiltshire": ["Swindon", "Wiltshire"],
}
FORCE_OF = {d: f for f, ds in FORCES.items() for d in ds}
assert len(FORCE_OF) == sum(len(ds) for ds in FORCES.values()), "a district in two forces"

# ONS's "Name, City of" style, shown as people write it; the ONS name stays a
# former name, so a feed that uses it still finds the district.
READABLE = {"Bristol, City of": "Bristol", "Kingston upon Hull, City of": "Kingston upon Hull", "Herefordshire, County of": "Herefordshire"}

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
            if name in READABLE:
                former.setdefault(READABLE[name], set()).add(name)
                name = READABLE[name]
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
    unforced = sorted(set(districts) ^ set(FORCE_OF))
    if unforced:
        sys.exit(f"districts without a police force, or forces naming no district: {unforced}")
    missing = [n for n, d in districts.items() if d["code"].startswith("E") and d["area"] == 0]
    if missing:
        sys.exit(f"English districts without a boundary: {missing}")

    with open(os.path.join(here, "lsoa_lad.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lsoa_code", "lsoa_name", "lad_code", "lad_name"])
        w.writerows(sorted(lsoas))
    with open(os.path.join(here, "districts.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lad_code", "lad_name", "country", "residents_2019", "area_km2", "lsoas_2011", "force", "former_names"])
        for name, d in sorted(districts.items(), key=lambda kv: kv[1]["code"]):
            country = "England" if d["code"].startswith("E") else "Wales"
            area = f"{d['area']:.2f}" if d["area"] else ""
            w.writerow([d["code"], name, country, d["residents"], area, d["lsoas"], FORCE_OF[name], "; ".join(sorted(former.get(name, ())))])
    with open(os.path.join(here, "..", "boundaries", "districts.geojson"), "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
