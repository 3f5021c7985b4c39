"""Hourly AC production of PV plants from a site's weather year (pvlib, vectorised over orientations).

The chain, per site and then per orientation (``docs/pv.md``):

1. once per weather year: the sun's position at each hour's irradiance instant
   (``hour start + irradiance_offset_h``: PVGIS irradiance is a satellite snapshot about 10 minutes
   past the hour), extraterrestrial irradiance and relative airmass;
2. per orientation, all orientations of a batch at once (weather ``(hours, 1)`` broadcast against
   tilt/azimuth ``(1, N)``): angle of incidence, Perez transposition (sky diffuse), isotropic ground
   reflection (albedo 0.2), Martin-Ruiz incidence-angle modifier on beam, sky and ground parts,
   Faiman cell temperature, PVWatts DC with Marion's low-irradiance correction; the snapshots are then
   turned into means over each hour (:func:`to_hour_means`). The result, DC power per kWp before
   system losses, is cached per rounded orientation (1°) and technology;
3. per plant: the faces' DC profiles scaled by their kWp and summed, system losses, degradation with
   age, then one PVWatts inverter (AC rating = kWp / DC-AC ratio) relative to its nominal efficiency,
   because ``losses_pct`` already includes the inverter's nominal loss as in PVGIS.

Values are kW averaged over the hour, i.e. kWh per hour, on the axis of
:func:`cer_core.timeaxis.hours_utc`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from cachetools import LRUCache, cached

from ..errors import error
from ..timeaxis import local_month
from .weather import WeatherYear

#: Temperature coefficient of power per technology [1/°C]; keys are lower-case names and aliases.
TECHNOLOGIES: dict[str, tuple[str, float]] = {
    "crystsi": ("crystSi", -0.0037), "c-si": ("crystSi", -0.0037), "csi": ("crystSi", -0.0037),
    "mono": ("crystSi", -0.0037), "poly": ("crystSi", -0.0037), "monocrystalline": ("crystSi", -0.0037),
    "polycrystalline": ("crystSi", -0.0037), "unknown": ("crystSi", -0.0037),
    "cis": ("CIS", -0.0036), "cigs": ("CIS", -0.0036),
    "cdte": ("CdTe", -0.0025),
}
#: Marion's low-irradiance correction: relative efficiency 5 % lower at 200 W/m² (k = 0.01) [-].
LOW_IRRADIANCE_K = 0.01
#: Ground reflectance [-].
ALBEDO = 0.2
#: Martin-Ruiz angular loss coefficient (PVGIS uses 0.16) [-].
IAM_A_R = 0.16
#: Faiman heat-loss coefficients for free-standing modules with 10 m wind (as in PVGIS):
#: U0 [W/(m²·K)], U1 [W·s/(m³·K)].
FAIMAN_U0, FAIMAN_U1 = 26.9, 6.2
#: Nominal inverter efficiency of the PVWatts inverter curve [-].
INVERTER_ETA_NOM = 0.96
#: Orientations are rounded to this step before caching [deg].
ORIENTATION_STEP_DEG = 1.0
#: Orientations computed together (memory ~ hours × batch × 8 bytes per temporary array).
_BATCH = 96
_PROFILE_CACHE_MAX = 2048

_LOCK = threading.RLock()


@dataclass(frozen=True)
class SiteGeometry:
    """Solar geometry of a weather year, at each hour's irradiance instant (read-only arrays)."""

    zenith_deg: np.ndarray
    azimuth_deg: np.ndarray
    dni_extra_w_m2: np.ndarray
    airmass: np.ndarray
    day: np.ndarray  # rows with any irradiance


#: Geometry per weather year, and DC profiles per (weather, tilt, azimuth, technology); least recently used
#: dropped first.
_GEOMETRY: LRUCache = LRUCache(maxsize=16)
_PROFILES: LRUCache = LRUCache(maxsize=_PROFILE_CACHE_MAX)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _weather_key(weather: WeatherYear) -> str:
    """Cache identity of a weather year: its digest, or a content hash for hand-built ones."""
    if weather.digest:
        return weather.digest
    import hashlib

    h = hashlib.sha1(np.ascontiguousarray(weather.data.to_numpy(dtype=float)).tobytes())
    h.update(f"{weather.lat},{weather.lon},{weather.irradiance_offset_h},{weather.year}".encode())
    return "content:" + h.hexdigest()[:16]


@cached(_GEOMETRY, key=_weather_key, lock=_LOCK)
def site_geometry(weather: WeatherYear) -> SiteGeometry:
    """Sun position, extraterrestrial irradiance and airmass for the weather year (cached per year)."""
    from pvlib import atmosphere, irradiance, solarposition

    instants = weather.data.index + pd.Timedelta(hours=weather.irradiance_offset_h)
    pressure = weather.data["pressure"].to_numpy() if "pressure" in weather.data.columns else 101325.0
    sp = solarposition.get_solarposition(instants, weather.lat, weather.lon,
                                         altitude=0.0 if np.isnan(weather.elevation_m) else weather.elevation_m,
                                         pressure=pressure, temperature=weather.data["temp_air"].to_numpy(),
                                         method="nrel_numpy")
    airmass = atmosphere.get_relative_airmass(sp["apparent_zenith"].to_numpy(), model="kastenyoung1989")
    return SiteGeometry(
        zenith_deg=_readonly(sp["zenith"].to_numpy(dtype=float)),
        azimuth_deg=_readonly(sp["azimuth"].to_numpy(dtype=float)),
        dni_extra_w_m2=_readonly(np.asarray(irradiance.get_extra_radiation(instants), dtype=float)),
        airmass=_readonly(np.nan_to_num(np.asarray(airmass, dtype=float), nan=40.0)),
        day=_readonly(weather.data["ghi"].to_numpy() > 0.0),
    )


def technology_gamma(technology: str, where: str = "technology") -> tuple[str, float]:
    """Canonical technology name and temperature coefficient [1/°C].

    Raises
    ------
    CerInputError
        For a technology the model does not know.
    """
    key = str(technology or "crystSi").strip().lower()
    if key not in TECHNOLOGIES:
        raise error(where, "problems.plant.technology", "plant.technology", technology=technology)
    return TECHNOLOGIES[key]


def _round_orientation(tilt_deg: float, azimuth_deg: float) -> tuple[float, float]:
    step = ORIENTATION_STEP_DEG
    tilt = float(np.clip(round(float(tilt_deg) / step) * step, 0.0, 90.0))
    az = (round(float(azimuth_deg) / step) * step) % 360.0
    if tilt == 0.0:
        az = 180.0  # a horizontal plane has no azimuth
    return tilt, az


def dc_per_kwp(weather: WeatherYear, tilt_deg: np.ndarray, azimuth_deg: np.ndarray,
               gamma_pdc: float) -> np.ndarray:
    """DC power per kWp before system losses for many orientations at once [kW/kWp].

    Parameters
    ----------
    weather : WeatherYear
    tilt_deg, azimuth_deg : array_like, shape (N,)
        Plane tilt from horizontal and azimuth (180 = south, 90 = east) [deg].
    gamma_pdc : float
        Temperature coefficient of power [1/°C].

    Returns
    -------
    numpy.ndarray
        Shape (hours, N), float64.
    """
    from pvlib import iam, irradiance, pvsystem, temperature

    tilt = np.atleast_1d(np.asarray(tilt_deg, dtype=float))[None, :]
    az = np.atleast_1d(np.asarray(azimuth_deg, dtype=float))[None, :]
    geo = site_geometry(weather)
    rows = np.flatnonzero(geo.day)
    df = weather.data
    ghi = df["ghi"].to_numpy()[rows, None]
    dni = df["dni"].to_numpy()[rows, None]
    dhi = df["dhi"].to_numpy()[rows, None]
    zen = geo.zenith_deg[rows, None]
    saz = geo.azimuth_deg[rows, None]
    up = zen < 89.5  # sun above the horizon at the irradiance instant

    aoi = irradiance.aoi(tilt, az, zen, saz)
    beam = np.where(up, np.maximum(dni * np.cos(np.radians(aoi)), 0.0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        perez = irradiance.perez(tilt, az, dhi, dni, geo.dni_extra_w_m2[rows, None], zen, saz,
                                 geo.airmass[rows, None])
    isotropic = dhi * (1.0 + np.cos(np.radians(tilt))) / 2.0
    sky = np.where(up, np.nan_to_num(np.asarray(perez, dtype=float), nan=0.0), isotropic)
    ground = ghi * ALBEDO * (1.0 - np.cos(np.radians(tilt))) / 2.0
    poa = beam + sky + ground
    diffuse_iam = iam.martin_ruiz_diffuse(tilt, a_r=IAM_A_R)
    effective = (beam * iam.martin_ruiz(aoi, a_r=IAM_A_R) + sky * diffuse_iam["sky"]
                 + ground * np.nan_to_num(diffuse_iam["ground"]))
    t_cell = temperature.faiman(poa, df["temp_air"].to_numpy()[rows, None], df["wind_speed"].to_numpy()[rows, None],
                                u0=FAIMAN_U0, u1=FAIMAN_U1)
    pdc = pvsystem.pvwatts_dc(effective, t_cell, 1.0, gamma_pdc, k=LOW_IRRADIANCE_K, cap_adjustment=True)
    out = np.zeros((len(df), tilt.shape[1]))
    out[rows] = np.maximum(np.asarray(pdc, dtype=float), 0.0)
    return to_hour_means(out, weather.irradiance_offset_h)


def hour_mean_weights(offset_h: float) -> tuple[float, float, float]:
    """Weights turning instantaneous values at ``k + offset_h`` into means over the hours ``[h, h+1)``.

    The mean over the hour of the piecewise-linear curve through the samples is
    ``a·y[h-1] + b·y[h] + c·y[h+1]`` with ``a = o²/2``, ``c = (1-o)²/2``, ``b = 1 - a - c``
    (``o`` = offset in hours). Each sample's weights add up to 1, so annual energy is unchanged.
    """
    o = float(offset_h) % 1.0
    a, c = o * o / 2.0, (1.0 - o) ** 2 / 2.0
    return a, 1.0 - a - c, c


def to_hour_means(values: np.ndarray, offset_h: float) -> np.ndarray:
    """Hourly means from samples taken at ``hour start + offset_h`` along axis 0 (the year wraps round).

    With ``offset_h`` = 0.5 the values are taken to be hourly means already (ERA5-style, centred on
    the half hour) and are returned unchanged. SARAH-based PVGIS irradiance is a snapshot about
    10 minutes past the hour: taking it as the hour's value would move production about 20 minutes
    earlier than the sun (a morning bias in every hour).
    """
    if abs((float(offset_h) % 1.0) - 0.5) < 1e-9:
        return values
    a, b, c = hour_mean_weights(offset_h)
    return a * np.roll(values, 1, axis=0) + b * values + c * np.roll(values, -1, axis=0)


def dc_per_kwp_from_plane(temp_air: np.ndarray, wind_speed: np.ndarray, tilt_deg: float, aoi_deg: np.ndarray,
                          gamma_pdc: float, *, poa_global: np.ndarray | None = None,
                          poa_direct: np.ndarray | None = None, poa_sky_diffuse: np.ndarray | None = None,
                          poa_ground_diffuse: np.ndarray | None = None) -> np.ndarray:
    """DC power per kWp before system losses from irradiance already on the plane [kW/kWp].

    For PVGIS hourly series without ``P``. With the components (``Gb(i)``, ``Gd(i)``, ``Gr(i)``) each
    gets its Martin-Ruiz modifier; with the global ``G(i)`` only, the modifier is the larger of the
    beam one at ``aoi_deg`` and the sky-diffuse one (direct light dominates at small incidence angles,
    diffuse at large ones), an approximation within about 1 % of the annual yield.

    Parameters
    ----------
    temp_air, wind_speed : numpy.ndarray
        Air temperature [°C] and 10 m wind speed [m/s].
    tilt_deg : float
        Plane tilt [deg].
    aoi_deg : numpy.ndarray
        Angle of incidence of the sun on the plane [deg].
    gamma_pdc : float
        Temperature coefficient of power [1/°C].
    poa_global, poa_direct, poa_sky_diffuse, poa_ground_diffuse : numpy.ndarray, optional
        Plane-of-array irradiance [W/m²]: the global value, or the three components.
    """
    from pvlib import iam, pvsystem, temperature

    diffuse_iam = iam.martin_ruiz_diffuse(tilt_deg, a_r=IAM_A_R)
    beam_iam = np.asarray(iam.martin_ruiz(np.asarray(aoi_deg, dtype=float), a_r=IAM_A_R), dtype=float)
    if poa_direct is not None:
        sky = np.zeros_like(poa_direct) if poa_sky_diffuse is None else poa_sky_diffuse
        ground = np.zeros_like(poa_direct) if poa_ground_diffuse is None else poa_ground_diffuse
        poa = poa_direct + sky + ground
        effective = (poa_direct * beam_iam + sky * float(diffuse_iam["sky"])
                     + ground * float(np.nan_to_num(diffuse_iam["ground"])))
    else:
        poa = np.asarray(poa_global, dtype=float)
        effective = poa * np.maximum(beam_iam, float(diffuse_iam["sky"]))
    t_cell = temperature.faiman(poa, temp_air, wind_speed, u0=FAIMAN_U0, u1=FAIMAN_U1)
    pdc = pvsystem.pvwatts_dc(effective, t_cell, 1.0, gamma_pdc, k=LOW_IRRADIANCE_K, cap_adjustment=True)
    return np.maximum(np.asarray(pdc, dtype=float), 0.0)


def _dc_profiles(weather: WeatherYear, orientations: Sequence[tuple[float, float]], technology: str,
                 where: str = "technology") -> list[np.ndarray]:
    """DC per kWp [kW/kWp] of each (tilt, azimuth), from the cache or computed in batches."""
    tech, gamma = technology_gamma(technology, where)
    wkey = _weather_key(weather)
    keys = [(wkey, *_round_orientation(t, a), tech) for t, a in orientations]
    found: dict[tuple, np.ndarray] = {}
    with _LOCK:
        for k in dict.fromkeys(keys):
            prof = _PROFILES.get(k)  # a hit becomes the most recently used
            if prof is not None:
                found[k] = prof
    missing = [k for k in dict.fromkeys(keys) if k not in found]
    # computed outside the lock; kept in ``found`` too, so that profiles evicted by a later batch of the
    # same request (more orientations than the cache holds) are not computed again
    for start in range(0, len(missing), _BATCH):
        chunk = missing[start:start + _BATCH]
        dc = dc_per_kwp(weather, np.array([k[1] for k in chunk]), np.array([k[2] for k in chunk]), gamma)
        with _LOCK:
            for j, k in enumerate(chunk):
                found[k] = _PROFILES[k] = _readonly(dc[:, j].astype(np.float32))
    return [found[k] for k in keys]


def ac_from_dc(dc_kw: np.ndarray, kwp: float, losses_pct: float, dc_ac_ratio: float,
               degradation: float = 1.0) -> np.ndarray:
    """AC output [kW] of one inverter fed by ``dc_kw`` (DC before system losses).

    Parameters
    ----------
    dc_kw : numpy.ndarray
        DC power of the array before system losses [kW]; shape (hours,) or (hours, plants).
    kwp : float or numpy.ndarray
        Array power at STC [kWp]; the AC rating is ``kwp / dc_ac_ratio`` [kW]. Zero gives zeros.
    losses_pct : float or numpy.ndarray
        System losses, PVGIS-style (cables, mismatch, soiling, inverter at nominal efficiency) [%].
    dc_ac_ratio : float or numpy.ndarray
        DC/AC ratio [-].
    degradation : float or numpy.ndarray
        Output factor for the modules' age [-].
    (Arrays are per plant, broadcast against the columns of ``dc_kw``.)

    Returns
    -------
    numpy.ndarray
        AC power [kW], clipped at the AC rating.
    """
    from pvlib import inverter

    kwp = np.asarray(kwp, dtype=float)
    if not (kwp > 0).any():
        return np.zeros_like(np.asarray(dc_kw), dtype=float)
    dc = np.asarray(dc_kw, dtype=float) * ((1.0 - np.asarray(losses_pct) / 100.0) * np.asarray(degradation))
    pac0 = np.where(kwp > 0, kwp, 1.0) / np.asarray(dc_ac_ratio, dtype=float)
    # pvlib's curve with pdc0 = pac0 gives eta(zeta)·pdc capped at eta_nom·pac0; dividing by eta_nom keeps
    # the part-load shape and clipping while the nominal loss stays inside losses_pct.
    ac = np.asarray(inverter.pvwatts(dc, pac0, INVERTER_ETA_NOM), dtype=float) / INVERTER_ETA_NOM
    return np.where(kwp > 0, ac, 0.0)


def degradation_factor(plant, year: int) -> float:
    """Linear output loss with age: ``1 − rate × (year − commissioning year)``, age clipped at 0 [-]."""
    age = max(0, int(year) - plant.commissioning.year) if plant.commissioning else 0
    return max(0.0, 1.0 - plant.degradation_pct_per_year / 100.0 * age)


def specific_profile(weather: WeatherYear, tilt_deg: float, azimuth_deg: float, *, losses_pct: float = 14.0,
                     dc_ac_ratio: float = 1.1, technology: str = "crystSi") -> np.ndarray:
    """AC production of 1 kWp facing one way [kWh per hour per kWp], new modules.

    Parameters
    ----------
    weather : WeatherYear
    tilt_deg : float
        Tilt from horizontal [deg] (0 flat, 90 wall).
    azimuth_deg : float
        Azimuth [deg] (180 = south, 90 = east, 270 = west).
    losses_pct, dc_ac_ratio, technology
        As for a plant (defaults: 14 %, 1.1, crystalline silicon).

    Returns
    -------
    numpy.ndarray
        One value per hour of ``weather.year``.
    """
    dc = _dc_profiles(weather, [(tilt_deg, azimuth_deg)], technology)[0].astype(float)
    return ac_from_dc(dc, 1.0, losses_pct, dc_ac_ratio)


def pv_production_kwh(plants: Sequence, weather: WeatherYear, year: int) -> np.ndarray:
    """Hourly AC production of PV plants [kWh per hour].

    Parameters
    ----------
    plants : sequence of cer_core.scenario.Plant
        Each with ``faces`` (kWp, tilt, azimuth), ``kwp``, ``losses_pct``, ``dc_ac_ratio``,
        ``degradation_pct_per_year``, ``commissioning`` and ``technology``.
    weather : WeatherYear
        The site's weather for ``year``.
    year : int
        Simulated year (for the modules' age).

    Returns
    -------
    numpy.ndarray
        Shape (hours, len(plants)).

    Raises
    ------
    CerInputError
        For a plant whose technology is unknown.
    ValueError
        If ``weather`` is for another year.
    """
    if int(weather.year) != int(year):
        raise ValueError(f"weather is for {weather.year}, not {year}")
    out = np.zeros((len(weather.data), len(plants)))
    by_tech: dict[str, list[tuple[int, int]]] = {}
    orientations: dict[str, list[tuple[float, float]]] = {}
    for j, plant in enumerate(plants):
        for f, face in enumerate(plant.faces):
            if face.kwp > 0 and plant.kwp > 0:
                tech = getattr(plant, "technology", "crystSi") or "crystSi"
                by_tech.setdefault(tech, []).append((j, f))
                orientations.setdefault(tech, []).append((face.tilt_deg, face.azimuth_deg))
    faces: list[list[tuple[float, np.ndarray]]] = [[] for _ in plants]  # per plant, (face kWp, profile) in order
    for tech, members in by_tech.items():
        where = f"plants[{members[0][0]}].technology"
        profiles = _dc_profiles(weather, orientations[tech], tech, where)
        for (j, f), prof in zip(members, profiles):
            faces[j].append((plants[j].faces[f].kwp, prof))
    if not plants or not any(faces):
        return out
    return _ac_by_blocks(out, faces, plants, year)


#: Plants whose AC output is computed together (a block's temporaries stay in the CPU cache).
_AC_BLOCK = 48


def _ac_by_blocks(out: np.ndarray, faces: list[list[tuple[float, np.ndarray]]], plants: Sequence,
                  year: int) -> np.ndarray:
    """Fill ``out`` (hours, plants) with :func:`ac_from_dc` of each plant's summed face profiles.

    Only the hours where some profile is non-zero are computed (a plant with no DC power gives exactly
    0.0 through the inverter model, as ``out`` already holds), a block of plants at a time, with the
    same operations per value as one call over the whole matrix: the result is bit for bit the same
    (``tests/test_pv.py``), without the (hours × plants) temporaries of the whole-matrix call.
    """
    lit = np.zeros(out.shape[0], dtype=bool)
    seen: dict[int, np.ndarray] = {}
    for plant_faces in faces:
        for _, prof in plant_faces:
            if id(prof) not in seen:
                seen[id(prof)] = prof
                lit |= prof != 0
    rows = np.flatnonzero(lit)
    lit_profiles = {key: prof[rows].astype(float) for key, prof in seen.items()}
    kwp = np.array([p.kwp for p in plants], dtype=float)
    losses = np.array([p.losses_pct for p in plants], dtype=float)
    ratio = np.array([p.dc_ac_ratio for p in plants], dtype=float)
    degradation = np.array([degradation_factor(p, year) for p in plants], dtype=float)
    for start in range(0, len(plants), _AC_BLOCK):
        stop = min(start + _AC_BLOCK, len(plants))
        dc_kw = np.zeros((len(rows), stop - start), order="F")  # a plant's hours contiguous
        for k in range(start, stop):
            for face_kwp, prof in faces[k]:
                dc_kw[:, k - start] += face_kwp * lit_profiles[id(prof)]
        out[rows, start:stop] = ac_from_dc(dc_kw, kwp[start:stop], losses[start:stop], ratio[start:stop],
                                           degradation[start:stop])
    return out


def monthly_production(production_kwh: np.ndarray, year: int, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Monthly sums of hourly production, by local (Europe/Rome) month.

    Parameters
    ----------
    production_kwh : numpy.ndarray
        Shape (hours,) or (hours, n) [kWh per hour].
    year : int
        Simulated year.
    names : sequence of str, optional
        Column names (plant ids); default ``kwh`` for 1-D input and ``0..n-1`` otherwise.

    Returns
    -------
    pandas.DataFrame
        Index ``month`` 1..12, one column per series [kWh].
    """
    values = np.asarray(production_kwh, dtype=float)
    two_d = values.reshape(len(values), -1)
    cols = list(names) if names is not None else (["kwh"] if values.ndim == 1 else list(range(two_d.shape[1])))
    frame = pd.DataFrame(two_d, columns=cols)
    frame["month"] = local_month(year)
    return frame.groupby("month").sum().reindex(range(1, 13), fill_value=0.0)


def optimal_tilt_deg(weather: WeatherYear, azimuth_deg: float = 180.0, *, technology: str = "crystSi",
                     max_tilt_deg: int = 70) -> tuple[float, float]:
    """Tilt [deg] maximising the annual DC yield for an azimuth, and that yield [kWh/kWp, before losses]."""
    tilts = list(range(0, int(max_tilt_deg) + 1))
    profiles = _dc_profiles(weather, [(t, azimuth_deg) for t in tilts], technology)
    yields = np.array([p.sum(dtype=float) for p in profiles])
    best = int(np.argmax(yields))
    return float(tilts[best]), float(yields[best])


def clear_caches() -> None:
    """Forget cached geometry and profiles (tests, benchmarks)."""
    with _LOCK:
        _GEOMETRY.clear()
        _PROFILES.clear()
