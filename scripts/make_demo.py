"""Build the embedded demo community (assets/demo/) deterministically.

"CER Naviglio Sud" is a realistic industrial CER south of Milan modelled on the Lombardy CER projects:
a wastewater treatment plant with a PV field, SMEs on 1-, 2- and 3-shift profiles, a school and the
town hall, 30 households, one third-party producer, two cabine primarie (areas traced as unions of
comuni boundaries: a placeholder until GSE's areas are imported), about 1 MWp with no plant above
1 MW, one plant with a 20 % capital grant and one pre-2021 plant.

Run: ``.venv/bin/python scripts/make_demo.py`` (rewrites assets/demo/scenario.json).
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

from shapely.geometry import Point, mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo"
COMUNI = ROOT / "assets" / "geo" / "comuni_cm_milano.geojson"
SAMPLES = ROOT / "tests" / "data" / "samples"

CABINE = {
    "CP-ROZZANO": ("Cabina primaria Rozzano", ["Rozzano", "Assago", "Zibido San Giacomo"]),
    "CP-PIEVE": ("Cabina primaria Pieve Emanuele", ["Pieve Emanuele", "Basiglio", "Opera", "Locate di Triulzi"]),
}


def cabina_areas() -> dict:
    feats = json.loads(COMUNI.read_text(encoding="utf-8"))["features"]
    by_name = {f["properties"]["name"]: shape(f["geometry"]) for f in feats}
    areas = {}
    for cid, (_, names) in CABINE.items():
        union = unary_union([by_name[n] for n in names]).simplify(0.0005)
        areas[cid] = union
    # the two areas must not overlap: trim the second by the first
    areas["CP-PIEVE"] = areas["CP-PIEVE"].difference(areas["CP-ROZZANO"]).buffer(0)
    return areas


def point_in(area, rng: random.Random, near: tuple[float, float] | None = None, spread: float = 0.01):
    minx, miny, maxx, maxy = area.bounds
    for _ in range(10_000):
        if near:
            lon, lat = near[1] + rng.uniform(-spread, spread), near[0] + rng.uniform(-spread, spread)
        else:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if area.contains(Point(lon, lat)):
            return round(lat, 5), round(lon, 5)
    raise RuntimeError("no point found")


def roof_around(member: dict, kwp: float, m2_per_kwp: float = 7.0) -> dict:
    """A rectangular roof (GeoJSON, lon/lat) centred on the member, sized for ``kwp`` (2:1, east-west long side)."""
    area_m2 = kwp * m2_per_kwp
    half_w, half_h = (2 * area_m2) ** 0.5 / 2, (area_m2 / 2) ** 0.5 / 2
    dlat = half_h / 111_320
    dlon = half_w / (111_320 * math.cos(math.radians(member["lat"])))
    lat, lon = member["lat"], member["lon"]
    ring = [[lon - dlon, lat - dlat], [lon + dlon, lat - dlat], [lon + dlon, lat + dlat], [lon - dlon, lat + dlat],
            [lon - dlon, lat - dlat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def main() -> None:
    rng = random.Random(414)
    areas = cabina_areas()
    members, plants = [], []

    def member(mid, name, kind, category, cabina, load, near=None, spread=0.004, **extra):
        lat, lon = point_in(areas[cabina], rng, near, spread)
        rec = {"id": mid, "name": name, "kind": kind, "category": category, "cabina": cabina, "lat": lat,
               "lon": lon, "pod": f"IT001E{rng.randrange(10**7, 10**8)}"}
        if load:
            rec["load"] = load
        rec.update(extra)
        members.append(rec)
        return rec

    def plant(pid, name, owner, kwp, commissioning, tilt, azimuth, **extra):
        rec = {"id": pid, "name": name, "member": owner, "kwp": kwp, "commissioning": commissioning,
               "grant_pct": 0, "tilt_deg": tilt, "azimuth_deg": azimuth, "losses_pct": 14,
               "roof": roof_around(next(m for m in members if m["id"] == owner), kwp),
               "production": {"source": "pvlib"}}
        rec.update(extra)
        plants.append(rec)

    prof = lambda name, kwh, **kw: {"source": "profile", "profile": name, "annual_kwh": kwh, **kw}  # noqa: E731

    # --- CP Pieve Emanuele: the treatment plant and its neighbours ---------------------------------
    member("depuratore", "Depuratore di Pieve Emanuele (gestore idrico)", "prosumer", "public_body", "CP-PIEVE",
           prof("wastewater_treatment", 2_400_000), near=(45.3420, 9.2080), facility="wastewater_treatment")
    plant("fv-depuratore", "Campo FV depuratore", "depuratore", 420.0, "2024-03-15", 20, 180, grant_pct=20,
          dc_ac_ratio=1.2)
    member("plastiche-sud", "Plastiche Sud S.r.l. (3 turni)", "consumer", "sme", "CP-PIEVE",
           prof("industry_3_shifts", 520_000), near=(45.3560, 9.2180))
    member("logistica-naviglio", "Logistica Naviglio S.r.l.", "prosumer", "sme", "CP-PIEVE",
           prof("industry_1_shift", 85_000), near=(45.3600, 9.1950))
    plant("fv-logistica", "Tetto magazzino Logistica Naviglio", "logistica-naviglio", 180.0, "2022-10-03", 10, 180,
          faces=[{"name": "falda est", "kwp": 90.0, "tilt_deg": 10, "azimuth_deg": 90},
                 {"name": "falda ovest", "kwp": 90.0, "tilt_deg": 10, "azimuth_deg": 270}])
    member("scuola-pieve", "Istituto Comprensivo Pieve Emanuele", "prosumer", "public_body", "CP-PIEVE",
           prof("school", 110_000), near=(45.3520, 9.2000))
    plant("fv-scuola", "Tetto palestra scuola", "scuola-pieve", 60.0, "2024-09-02", 15, 165)
    member("parrocchia", "Parrocchia San Giovanni (ente del terzo settore)", "consumer", "third_sector", "CP-PIEVE",
           prof("office", 18_000), near=(45.3500, 9.1960))

    # --- CP Rozzano ------------------------------------------------------------------------------
    member("municipio", "Comune di Rozzano - Municipio", "prosumer", "public_body", "CP-ROZZANO",
           prof("municipal_building", 160_000), near=(45.3820, 9.1560))
    plant("fv-municipio", "Tetto municipio (2019)", "municipio", 45.0, "2019-05-20", 25, 200)
    member("officine-rossi", "Officine Meccaniche Rossi S.r.l. (2 turni)", "prosumer", "sme", "CP-ROZZANO",
           prof("industry_2_shifts", 190_000), near=(45.3900, 9.1700))
    plant("fv-rossi", "Tetto capannone Officine Rossi", "officine-rossi", 150.0, "2023-06-12", 10, 190)
    member("panificio", "Panificio Bianchi", "consumer", "sme", "CP-ROZZANO", prof("industry_1_shift", 42_000),
           near=(45.3800, 9.1600))
    member("studio-verdi", "Studio Tecnico Verdi (curva e-distribuzione)", "consumer", "sme", "CP-ROZZANO",
           {"source": "file", "path": "series/studio_verdi_edistribuzione_2024.csv"}, near=(45.3850, 9.1550),
           contract_kw=15)
    member("solare-lombarda", "Solare Lombarda S.p.A. (produttore terzo)", "producer", "large_enterprise",
           "CP-ROZZANO", None, near=(45.3700, 9.1450), third_party_producer=True)
    plant("fv-terzo", "Impianto a terra produttore terzo", "solare-lombarda", 99.0, "2023-11-20", 25, 180)

    # --- households --------------------------------------------------------------------------------
    households = [
        ("Famiglia Brambilla", 2700), ("Famiglia Colombo", 3400), ("Famiglia Ferrari", 1900),
        ("Famiglia Galli", 4200), ("Famiglia Fumagalli", 2300), ("Famiglia Villa", 3100),
        ("Famiglia Sala", 2600), ("Famiglia Cattaneo", 1700), ("Famiglia Mauri", 3800),
        ("Famiglia Riva", 2200), ("Famiglia Longoni", 2900), ("Famiglia Pirovano", 1600),
        ("Famiglia Bassi", 3300), ("Famiglia Conti", 2500), ("Famiglia Moretti", 2000),
        ("Famiglia Fontana", 4500), ("Famiglia Marchetti", 2400), ("Famiglia Rinaldi", 2800),
        ("Famiglia Barbieri", 1800), ("Famiglia Testa", 3000), ("Famiglia Carminati", 2100),
        ("Famiglia Radaelli", 3600), ("Famiglia Porta", 2700), ("Famiglia Zanetti", 2300),
        ("Famiglia Caprioli", 1950), ("Famiglia Mariani", 3200), ("Famiglia Beretta", 2650),
        ("Famiglia Tagliabue", 2450), ("Famiglia Viganò", 3900), ("Famiglia Crippa", 2150),
    ]
    prosumer_kwp = {1: 4.5, 3: 6.0, 8: 3.0, 15: 6.0, 21: 4.0, 28: 5.0}
    for k, (name, kwh) in enumerate(households):
        cabina = "CP-ROZZANO" if k % 2 == 0 else "CP-PIEVE"
        center = (45.3830, 9.1640) if cabina == "CP-ROZZANO" else (45.3510, 9.1920)
        hid = f"casa-{k + 1:02d}"
        kind = "prosumer" if k in prosumer_kwp else "consumer"
        load = prof("household", kwh, contract_kw=4.5 if kwh > 3500 else 3.0)
        if k == 4:  # one family brought its bimonthly bills (F1 / F23) instead
            load = {"source": "bills", "bills": [
                {"start": "2024-01-01", "end": "2024-02-29", "f1_kwh": 150, "f23_kwh": 290},
                {"start": "2024-03-01", "end": "2024-04-30", "f1_kwh": 128, "f23_kwh": 252},
                {"start": "2024-05-01", "end": "2024-06-30", "f1_kwh": 118, "f23_kwh": 236},
                {"start": "2024-07-01", "end": "2024-08-31", "f1_kwh": 140, "f23_kwh": 300},
                {"start": "2024-09-01", "end": "2024-10-31", "f1_kwh": 124, "f23_kwh": 246},
                {"start": "2024-11-01", "end": "2024-12-31", "f1_kwh": 142, "f23_kwh": 284},
            ]}
        member(hid, name, kind, "household", cabina, load, near=center, spread=0.012)
        if k in prosumer_kwp:
            plant(f"fv-{hid}", f"Tetto {name}", hid, prosumer_kwp[k], f"202{2 + k % 3}-0{1 + k % 9}-15",
                  30, [180, 150, 210, 170, 195, 180][k % 6])

    doc = {
        "schema": "cer-studio/scenario@1",
        "name": "CER Naviglio Sud (demo)",
        "description": "Comunità energetica industriale dimostrativa a sud di Milano: depuratore, PMI, scuola, "
                       "municipio, 30 famiglie, un produttore terzo, due cabine primarie. Dati inventati ma realistici.",
        "year": 2024,
        "site": {"comune": "Rozzano", "weather": {"source": "embedded"}},
        "cabine": [{"id": cid, "name": CABINE[cid][0], "area": mapping(areas[cid])} for cid in CABINE],
        "members": members,
        "plants": plants,
        "prices": {"source": "embedded"},
        "rules": {"attribution": "chronological", "valorisation_eur_mwh": 10.57},
    }
    DEMO.mkdir(parents=True, exist_ok=True)
    (DEMO / "series").mkdir(exist_ok=True)
    shutil.copyfile(SAMPLES / "edistribuzione_wide_quartorario_2024_piccola_impresa.csv",
                    DEMO / "series" / "studio_verdi_edistribuzione_2024.csv")

    def rounded(obj):
        if isinstance(obj, float):
            return round(obj, 6)
        if isinstance(obj, (list, tuple)):
            return [rounded(x) for x in obj]
        if isinstance(obj, dict):
            return {k: rounded(v) for k, v in obj.items()}
        return obj

    (DEMO / "scenario.json").write_text(json.dumps(rounded(doc), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum(p["kwp"] for p in plants)
    print(f"demo: {len(members)} members, {len(plants)} plants, {total:.1f} kWp")


if __name__ == "__main__":
    main()
