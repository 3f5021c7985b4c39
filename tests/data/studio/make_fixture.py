"""Build the studio's small fixture community: ``piccola_cer.zip`` (a CER Studio bundle).

Five members in Bolzano under two cabine primarie, every load and production given as an hourly
``timestamp,kwh`` file (``cer_core.io.write_hourly_csv``), so the community simulates with the
foundation core alone (no profiles, no pvlib). The curves are synthetic and deterministic (seeded):
household evening peaks, an office-hours town hall, a bakery working from 4 a.m., and PV shaped by a
simple solar-elevation model with random daily cloudiness, scaled to ≈ 1,150 kWh/kWp.

Run from the repository root: ``python tests/data/studio/make_fixture.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from cer_core.bands import HOLIDAY, SATURDAY, day_type_of_hour  # noqa: E402
from cer_core.io import write_hourly_csv  # noqa: E402
from cer_core.timeaxis import hours_local, hours_utc  # noqa: E402
from cer_core.workspace import SCENARIO_SCHEMA_ID, Workspace  # noqa: E402

YEAR = 2024
LAT, LON = 46.49, 11.35
OUT = Path(__file__).resolve().parent / "piccola_cer.zip"


def solar_shape(year: int, rng: np.random.Generator) -> np.ndarray:
    """Relative PV output per hour: sin(solar elevation) at mid-hour × daily clearness."""
    utc = hours_utc(year) + np.timedelta64(30, "m")
    doy = utc.day_of_year.to_numpy()
    hour_utc = utc.hour.to_numpy() + utc.minute.to_numpy() / 60
    decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365)
    solar_time = hour_utc + LON / 15
    hour_angle = np.radians(15 * (solar_time - 12))
    lat = np.radians(LAT)
    sin_el = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(hour_angle)
    daily_clear = rng.beta(4, 1.6, size=367)[doy]
    return np.clip(sin_el, 0, None) ** 1.2 * daily_clear


def load_shape(kind: str, year: int, rng: np.random.Generator) -> np.ndarray:
    """Relative hourly load of a member type (local clock hours, day types, winter/summer)."""
    local = hours_local(year)
    hour = local.hour.to_numpy()
    month = local.month.to_numpy()
    day_type = day_type_of_hour(year)
    winter = np.isin(month, (1, 2, 11, 12))
    if kind == "household":
        base = 0.25 + 0.5 * ((hour >= 7) & (hour < 9)) + 1.0 * ((hour >= 18) & (hour < 23))
        base = base + 0.3 * ((day_type != 0) & (hour >= 10) & (hour < 18))
        base = base * np.where(winter, 1.25, 1.0)
    elif kind == "office":
        open_hours = (day_type == 0) & (hour >= 8) & (hour < 18)
        base = 0.15 + 1.0 * open_hours + 0.2 * ((day_type == SATURDAY) & (hour >= 8) & (hour < 13))
        base = base * np.where(winter, 1.2, np.where(np.isin(month, (6, 7, 8)), 1.15, 1.0))
    elif kind == "bakery":
        working = day_type != HOLIDAY
        base = 0.2 + 1.2 * (working & (hour >= 4) & (hour < 11)) + 0.4 * (working & (hour >= 11) & (hour < 19))
    else:
        raise ValueError(kind)
    return base * rng.lognormal(0.0, 0.15, size=len(base))


def scaled(shape: np.ndarray, annual_kwh: float) -> np.ndarray:
    return shape * (annual_kwh / shape.sum())


def build() -> Workspace:
    rng = np.random.default_rng(20241126)
    sun = solar_shape(YEAR, rng)
    members = [
        ("municipio", "Comune - Municipio", "prosumer", "public_body", "CP-NORD", "office", 25000, 46.4987, 11.3562),
        ("casa-1", "Famiglia Hofer", "consumer", "household", "CP-NORD", "household", 2700, 46.5021, 11.3490),
        ("casa-2", "Famiglia Rossi", "consumer", "household", "CP-NORD", "household", 3200, 46.5004, 11.3611),
        ("forno", "Panificio Bolzano", "prosumer", "sme", "CP-SUD", "bakery", 25000, 46.4862, 11.3320),
        ("casa-3", "Famiglia Pichler", "consumer", "household", "CP-SUD", "household", 2500, 46.4840, 11.3398),
    ]
    plants = [("fv-municipio", "Tetto municipio", "municipio", 60.0, "2024-02-01", 25, 170),
              ("fv-forno", "Tetto panificio", "forno", 20.0, "2023-05-10", 20, 200)]
    files: dict[str, bytes] = {}
    doc_members = []
    for i, (mid, name, kind, cat, cabina, shape, annual, lat, lon) in enumerate(members):
        path = f"series/load_{mid}.csv"
        files[path] = write_hourly_csv(scaled(load_shape(shape, YEAR, rng), annual), YEAR, decimals=3)
        doc_members.append({"id": mid, "name": name, "kind": kind, "category": cat, "cabina": cabina,
                            "lat": lat, "lon": lon, "pod": f"IT001E{90000000 + i * 1111:08d}",
                            "load": {"source": "file", "path": path}})
    doc_plants = []
    for pid, name, owner, kwp, date, tilt, azimuth in plants:
        path = f"series/prod_{pid}.csv"
        files[path] = write_hourly_csv(scaled(sun, 1150 * kwp), YEAR, decimals=3)
        doc_plants.append({"id": pid, "name": name, "member": owner, "kwp": kwp, "commissioning": date,
                           "tilt_deg": tilt, "azimuth_deg": azimuth, "production": {"source": "file", "path": path}})
    doc = {"schema": SCENARIO_SCHEMA_ID, "name": "Piccola CER di prova", "year": YEAR,
           "description": "Comunità di prova dei test dello studio: dati sintetici.",
           "site": {"comune": "Bolzano/Bozen"},
           "cabine": [{"id": "CP-NORD", "name": "Cabina primaria Nord"}, {"id": "CP-SUD", "name": "Cabina primaria Sud"}],
           "members": doc_members, "plants": doc_plants, "prices": {"source": "embedded"}}
    return Workspace(doc=doc, files=files, origin=OUT.name)


if __name__ == "__main__":
    OUT.write_bytes(build().to_bundle())
    print(f"{OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")
