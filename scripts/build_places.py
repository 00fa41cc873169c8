"""Build ``mappings/vocabularies/data/places.json``: French places with their official code and bounding box.

Usage (no network: both sources are read from local copies)::

    npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-decoupage-administratif-6.0.0.tgz
    git clone https://github.com/gregoiredavid/france-geojson   # commit 5d34ee6d0140c29f785fdb047d9329f1aab58833
    python scripts/build_places.py package/data france-geojson mappings/vocabularies/data/places.json

Sources, both public data:

* names and codes of regions, departments, communes and EPCI (with their member
  communes): the npm package ``@etalab/decoupage-administratif`` 6.0.0 (MIT, Etalab;
  INSEE's Code officiel géographique and the DGCL's EPCI list);
* outlines: ``gregoiredavid/france-geojson`` at commit 5d34ee6 (IGN Admin Express COG
  2018, Licence Ouverte, simplified with mapshaper): ``departements/*/communes-*.geojson``
  and ``departements-avec-outre-mer.geojson``, ``regions-avec-outre-mer.geojson``,
  ``metropole.geojson``.

A commune created after 2018 gets the box around its former communes
(``anciensCodes``); an EPCI the box around its members; a department or region its own
outline. Boxes are rounded outwards to 0.001° (about 100 m). Places without an outline
keep their code and name, without a box.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Iterable, Iterator

Box = tuple[float, float, float, float]


def main(decoupage: Path, geojson: Path, output: Path) -> None:
    """Read both sources and write the compact table."""
    communes = json.loads((decoupage / "communes.json").read_text(encoding="utf-8"))
    commune_boxes = _feature_boxes(sorted((geojson / "departements").glob("*/communes-*.geojson")))
    department_boxes = _feature_boxes([geojson / "departements-avec-outre-mer.geojson"])
    region_boxes = _feature_boxes([geojson / "regions-avec-outre-mer.geojson"])
    table = {
        "description": "French places (communes, EPCI, departments, regions, France) with their official code, name"
        " and bounding box (west, south, east, north in WGS 84 degrees), for mappings/places.py.",
        "source": __doc__.split("Sources, both public data:")[1].split("A commune created")[0].strip().replace("\n", " "),
        "columns": {"communes": "code: [name, department, west, south, east, north]",
                    "departements": "code: [name, region, west, south, east, north]",
                    "regions": "code: [name, west, south, east, north]",
                    "epci": "siren: [name, west, south, east, north]",
                    "france": "[name, west, south, east, north]"},
        "regions": {r["code"]: [r["nom"], *_rounded(region_boxes.get(r["code"]))]
                    for r in _load(decoupage, "regions")},
        "departements": {d["code"]: [d["nom"], d["region"], *_rounded(department_boxes.get(d["code"]))]
                         for d in _load(decoupage, "departements")},
    }
    current = [c for c in communes if c.get("type") == "commune-actuelle"]
    boxes = {c["code"]: _commune_box(c, commune_boxes) for c in current}
    table["communes"] = {c["code"]: [c["nom"], c.get("departement", ""), *_rounded(boxes[c["code"]])] for c in current}
    table["epci"] = {e["code"]: [e["nom"], *_rounded(_union(boxes.get(m["code"]) for m in e["membres"]))]
                     for e in _load(decoupage, "epci")}
    table["france"] = {
        "metropole": ["France métropolitaine", *_rounded(_feature_union(geojson / "metropole.geojson"))],
        "entiere": ["France entière", *_rounded(_union(region_boxes.values()))],
    }
    output.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{output}: {len(table['communes'])} communes ({sum(1 for v in table['communes'].values() if len(v) > 2)} with a box),"
          f" {len(table['epci'])} EPCI, {len(table['departements'])} departments, {len(table['regions'])} regions")


def _load(decoupage: Path, name: str) -> list[dict]:
    return json.loads((decoupage / f"{name}.json").read_text(encoding="utf-8"))


def _commune_box(commune: dict, boxes: dict[str, Box]) -> Box | None:
    if commune["code"] in boxes:
        return boxes[commune["code"]]
    return _union(boxes.get(code) for code in commune.get("anciensCodes", ()))


def _feature_boxes(paths: Iterable[Path]) -> dict[str, Box]:
    found: dict[str, Box] = {}
    for path in paths:
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            box = _geometry_box(feature["geometry"])
            code = feature["properties"]["code"]
            found[code] = _union([found.get(code), box])
    return found


def _feature_union(path: Path) -> Box | None:
    data = json.loads(path.read_text(encoding="utf-8"))
    features = data["features"] if data["type"] == "FeatureCollection" else [data]
    return _union(_geometry_box(feature["geometry"]) for feature in features)


def _geometry_box(geometry: dict) -> Box | None:
    points = list(_points(geometry["coordinates"]))
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _points(coordinates) -> Iterator[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], (int, float)):
        yield coordinates[0], coordinates[1]
        return
    for part in coordinates:
        yield from _points(part)


def _union(boxes: Iterable[Box | None]) -> Box | None:
    present = [b for b in boxes if b]
    if not present:
        return None
    return min(b[0] for b in present), min(b[1] for b in present), max(b[2] for b in present), max(b[3] for b in present)


def _rounded(box: Box | None) -> list[float]:
    if box is None:
        return []
    west, south, east, north = box
    return [math.floor(west * 1000) / 1000, math.floor(south * 1000) / 1000, math.ceil(east * 1000) / 1000, math.ceil(north * 1000) / 1000]


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
