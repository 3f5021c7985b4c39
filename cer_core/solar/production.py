"""Hourly production of every plant of a scenario: pvlib on the site's weather, or a file.

A plant's ``production`` is ``{"source": "pvlib"}`` (the default: :mod:`cer_core.solar.pv` on the site's
weather year from :mod:`cer_core.solar.weather`) or ``{"source": "file", "path": ...}``. A file is either
the scenario's own ``timestamp,kwh`` CSV or a PVGIS hourly "seriescalc" export (CSV or JSON):

* with ``P`` [W]: kWh per hour = ``P / 1000 / kWp_file × kWp_plant × degradation`` (PVGIS already
  applied the system losses stated in the file, so the plant's own losses are not applied again; PVGIS
  models new modules, so the plant's age-related degradation is, as for pvlib plants);
* without ``P``: the plane-of-array irradiance ``G(i)`` (or its components), air temperature and wind
  go through the same module, temperature, loss and inverter model as pvlib plants;
* stamps are UTC with a minute offset (``:10`` for SARAH): each row goes to the UTC hour that
  contains it; a file of several years gives the simulated year when it has it, otherwise its most
  recent complete year re-stamped onto the simulated one (said in the plant's metadata).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CerInputError, ProblemList, error, located, render_pair
from ..scenario import Plant, Scenario
from ..timeaxis import n_hours
from ..workspace import Workspace


def plants_production(sc: Scenario, ws: Workspace) -> tuple[np.ndarray, dict]:
    """Hourly AC production [kWh] of each plant, shape (hours, plants), and where it came from.

    Returns
    -------
    (numpy.ndarray, dict)
        Production, and ``{"weather": WeatherYear.describe() or None, "plants": {id: {...}}}`` where each
        plant's entry has ``source``, ``annual_kwh`` and ``yield_kwh_kwp`` plus source details.

    Raises
    ------
    CerInputError
        With every plant's problem, located at ``plants[j].…`` (and ``site.weather.path``).
    """
    from .pv import degradation_factor, technology_gamma

    out = np.zeros((n_hours(sc.year), len(sc.plants)))
    meta: dict = {"weather": None, "plants": {}}
    problems = ProblemList()
    pv_idx = [j for j, p in enumerate(sc.plants) if p.production.get("source", "pvlib") == "pvlib"]
    for j in list(pv_idx):
        try:
            technology_gamma(sc.plants[j].technology, f"plants[{j}].technology")
        except CerInputError as exc:
            problems.extend(exc.problems)
            pv_idx.remove(j)
    if pv_idx:
        try:
            production, meta["weather"], label = _pvlib_plants(sc, ws, [sc.plants[j] for j in pv_idx])
        except CerInputError as exc:
            problems.extend(exc.problems)
        else:
            out[:, pv_idx] = production
            for j in pv_idx:
                p = sc.plants[j]
                meta["plants"][p.id] = {"source": "pvlib", "faces": len(p.faces), "weather": label,
                                        "degradation_factor": round(degradation_factor(p, sc.year), 4),
                                        **_totals(out[:, j], p.kwp)}
    for j, p in enumerate(sc.plants):
        if p.production.get("source", "pvlib") == "pvlib":
            continue
        where = f"plants[{j}].production.path"
        path = p.production.get("path", "")
        try:
            data = ws.read_file(path)
        except (FileNotFoundError, ValueError, OSError):
            problems.add(where, "problems.file.missing.2", code="file.missing", path=path)
            continue
        try:
            out[:, j], info = _production_from_file(data, path, sc.year, p)
        except CerInputError as exc:
            problems.extend(located(exc, where).problems)
            continue
        meta["plants"][p.id] = {"source": "file", "path": path, **info, **_totals(out[:, j], p.kwp)}
    problems.raise_if_errors()
    return out, meta


#: The code whose source is part of the disk cache's key for pvlib plants (paths inside ``cer_core``).
_PV_CODE = ("solar/production.py", "solar/pv.py", "solar/weather.py", "io/pvgis.py", "timeaxis.py")


def _pvlib_plants(sc: Scenario, ws: Workspace, plants: list[Plant]) -> tuple[np.ndarray, dict, str]:
    """Production of the pvlib plants on the site's weather, the weather's description and label.

    Reading the typical year and the PV chain need pvlib and SciPy, whose import is most of a cold
    start; for weather that depends on nothing but the scenario's files (``embedded``, ``file``) the
    three results are kept in the disk cache of derived data (:mod:`cer_core.derived_cache`), keyed by the
    plants, the site, the year, the weather's bytes, the library versions and this code's source.
    ``auto`` and ``pvgis`` depend on the network and on the PVGIS cache, so they are always computed.

    Raises
    ------
    CerInputError
        For the weather (``site.weather.…``).
    """
    import json

    from .. import derived_cache

    key = _pv_cache_key(sc, ws, plants)
    hit = derived_cache.load(key) if key else None
    if hit is not None:
        return (hit["production"], json.loads(derived_cache.array_text(hit["weather"])),
                derived_cache.array_text(hit["label"]))
    from .pv import pv_production_kwh
    from .weather import site_weather

    weather = site_weather(sc.site.lat, sc.site.lon, sc.year, sc.weather, ws.read_file)
    production, described = pv_production_kwh(plants, weather, sc.year), weather.describe()
    if key:
        derived_cache.store(key, {"production": production,
                                  "weather": derived_cache.text_array(json.dumps(described)),
                                  "label": derived_cache.text_array(weather.label)})
    return production, described, weather.label


def _pv_cache_key(sc: Scenario, ws: Workspace, plants: list[Plant]) -> str | None:
    """The disk cache key of :func:`_pvlib_plants`, or None when the weather is not cacheable."""
    from .. import derived_cache
    from ..paths import ASSETS

    spec = sc.weather or {"source": "auto"}
    source = spec.get("source", "auto")
    if not derived_cache.enabled() or sc.site.lat is None or sc.site.lon is None:
        return None
    if source == "embedded":
        weather_bytes = [p.name.encode() + b"\0" + p.read_bytes()
                         for p in sorted((ASSETS / "weather").glob("pvgis_tmy_*.csv"))]
    elif source == "file":
        try:
            weather_bytes = [ws.read_file(spec.get("path", ""))]
        except (FileNotFoundError, KeyError, ValueError, OSError):
            return None  # the computation says why
    else:
        return None
    inputs = (sc.year, float(sc.site.lat), float(sc.site.lon), sorted(spec.items()), *weather_bytes,
              *(repr(p) for p in plants))
    return derived_cache.entry_key("pv_production", inputs, code=_PV_CODE, libraries=("pvlib", "pandas", "scipy"))


def _totals(values: np.ndarray, kwp: float) -> dict:
    annual = float(values.sum())
    return {"annual_kwh": round(annual, 3), "yield_kwh_kwp": round(annual / kwp, 2) if kwp > 0 else 0.0}


def _production_from_file(data: bytes, path: str, year: int, plant: Plant) -> tuple[np.ndarray, dict]:
    """Hourly kWh of a plant from a file: PVGIS hourly series, or the scenario's ``timestamp,kwh`` CSV."""
    from ..io.pvgis import read_hourly, sniff_pvgis

    kind = sniff_pvgis(data)
    if kind in ("hourly_csv", "hourly_json"):
        return _from_pvgis_hourly(data, path, year, plant)
    if kind is not None:
        read_hourly(data, path)  # raises the message for a TMY or an EPW given as production
    from ..io import read_hourly_series

    values = read_hourly_series(data, path, year, kind="production")
    kwp = plant.kwp
    if values.max(initial=0.0) > 1.2 * max(kwp, 1e-9) and kwp > 0:
        raise error(path, "problems.production.implausible", "production.implausible", values_max=values.max(), kwp=kwp)
    return values, {"format": "timestamp,kwh"}


def _pick_year(index: pd.DatetimeIndex, year: int, name: str) -> tuple[int, str, str]:
    """The UTC year of a PVGIS series to use, with a note in Italian and English."""
    counts = pd.Series(1, index=index).groupby(index.year).sum()
    complete = [int(y) for y, c in counts.items()
                if c >= (8784 if pd.Timestamp(year=int(y), month=1, day=1).is_leap_year else 8760)]
    if year in complete:
        return year, "", ""
    if not complete:
        first, last = index.min(), index.max()
        raise error(name, "problems.pvgis.partial", "pvgis.partial", first=first, last=last, n_index=len(index))
    chosen = max(complete)
    years = f"{min(complete)}–{max(complete)}" if len(complete) > 1 else str(chosen)
    return chosen, *render_pair("notes.production.other_year", years=years, year=year, chosen=chosen)


def _from_pvgis_hourly(data: bytes, path: str, year: int, plant: Plant) -> tuple[np.ndarray, dict]:
    from ..io.pvgis import read_hourly
    from .pv import degradation_factor
    from .weather import coerce_to_year

    series = read_hourly(data, path)
    frame = series.data
    chosen, note_it, note_en = _pick_year(frame.index, year, path)
    sub = frame[frame.index.year == chosen]
    minutes = sorted({int(m) for m in sub.index.minute})
    info = {"format": "pvgis_seriescalc", "file_year": chosen, "minute_offsets": minutes,
            "radiation_db": series.radiation_db}
    if note_it:
        info.update(note_it=note_it, note_en=note_en)
    if series.has_power:
        if not series.kwp or series.kwp <= 0:
            raise error(path, "problems.pvgis.no_kwp", "pvgis.no_kwp")
        ageing = degradation_factor(plant, year)
        kwh = sub["P"].to_numpy(dtype=float) / 1000.0 / series.kwp * plant.kwp
        info.update(method="P", file_kwp=series.kwp, file_losses_pct=series.losses_pct,
                    scale=round(plant.kwp / series.kwp, 6), degradation_factor=round(ageing, 4))
        if kwh.max(initial=0.0) > 1.3 * plant.kwp and plant.kwp > 0:
            raise error(path, "problems.pvgis.implausible", "pvgis.implausible")
        kwh = kwh * ageing
    else:
        kwh = _kwh_from_plane(series, sub, plant, path, year)
        info.update(method="G(i)", tilt_deg=series.tilt_deg, azimuth_deg=series.azimuth_deg,
                    degradation_factor=round(degradation_factor(plant, year), 4))
    try:
        values, fill = coerce_to_year(pd.DataFrame({"kwh": kwh}, index=sub.index), year)
    except ValueError as exc:
        raise error(path, "problems.pvgis.hours", "pvgis.hours", exc=exc)
    info["feb29_filled_h"] = fill["feb29_filled_h"]
    return values["kwh"].to_numpy(dtype=float), info


def _kwh_from_plane(series, sub: pd.DataFrame, plant: Plant, path: str, year: int) -> np.ndarray:
    """Production from plane-of-array irradiance when the PVGIS file has no ``P``."""
    from pvlib import irradiance, solarposition

    from .pv import ac_from_dc, dc_per_kwp_from_plane, degradation_factor, technology_gamma

    has_parts = "poa_direct" in sub.columns
    if not has_parts and "poa_global" not in sub.columns:
        raise error(path, "problems.pvgis.no_power", "pvgis.no_power")
    for col in ("temp_air", "wind_speed"):
        if col not in sub.columns:
            raise error(path, "problems.pvgis.columns", "pvgis.columns", t2m='T2m' if col == 'temp_air' else 'WS10m')
    if not (np.isfinite(series.lat) and np.isfinite(series.lon)):
        raise error(path, "problems.pvgis.location", "pvgis.location")
    face = plant.faces[0] if plant.faces else None
    tilt = series.tilt_deg if series.tilt_deg is not None else (face.tilt_deg if face else plant.tilt_deg)
    azimuth = series.azimuth_deg if series.azimuth_deg is not None else (face.azimuth_deg if face else
                                                                         plant.azimuth_deg)
    sp = solarposition.get_solarposition(sub.index, series.lat, series.lon, method="nrel_numpy")
    aoi = np.asarray(irradiance.aoi(tilt, azimuth, sp["zenith"].to_numpy(), sp["azimuth"].to_numpy()), dtype=float)
    _, gamma = technology_gamma(plant.technology)
    col = {c: sub[c].to_numpy(dtype=float) for c in sub.columns}
    dc = dc_per_kwp_from_plane(col["temp_air"], col["wind_speed"], tilt, aoi, gamma,
                               poa_global=col.get("poa_global"), poa_direct=col.get("poa_direct"),
                               poa_sky_diffuse=col.get("poa_sky_diffuse"),
                               poa_ground_diffuse=col.get("poa_ground_diffuse"))
    return ac_from_dc(dc * plant.kwp, plant.kwp, plant.losses_pct, plant.dc_ac_ratio,
                      degradation_factor(plant, year))
