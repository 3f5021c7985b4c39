"""Regulatory and economic constants, each with its source and status.

Status marks follow ``docs/regulation.md``:
**[C]** confirmed by an official or quasi-official source, **[S]** secondary source only,
**[D]** a project decision where the rules are unclear. Every [S]/[D] value is a user-editable
parameter: it has a field in :class:`Parameters`, and the scenario's ``rules`` / ``economics``
sections override it. Nothing in a formula elsewhere in the core is a bare regulatory literal.

Legal basis: ARERA TIAD (delibera 727/2022/R/eel); DM MASE 7 Dec 2023 n. 414 ("Decreto CER");
GSE *Regole Operative* CACER (Feb 2024, updated by DD MASE 17 Jul 2025 n. 228);
D.Lgs. 199/2021 art. 31.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field, fields, replace

# --------------------------------------------------------------------------------------------------
# Tariffa premio (TIP), DM 414/2023 Allegato 1 [C]
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TipClass:
    """One power class of the TIP table [C] (DM 414/2023, Allegato 1).

    ``rate = min(fixed + max(0, reference - Pz), cap)`` in €/MWh, for plants with power ≤ ``max_kw``.
    """

    max_kw: float
    fixed_eur_mwh: float
    cap_eur_mwh: float


#: Power classes, fixed part and cap [C] (DM 414/2023 Allegato 1, tab. 1).
TIP_CLASSES: tuple[TipClass, ...] = (
    TipClass(max_kw=200.0, fixed_eur_mwh=80.0, cap_eur_mwh=120.0),
    TipClass(max_kw=600.0, fixed_eur_mwh=70.0, cap_eur_mwh=110.0),
    TipClass(max_kw=math.inf, fixed_eur_mwh=60.0, cap_eur_mwh=100.0),
)
#: The variable part is max(0, 180 − Pz) €/MWh [C] (DM 414/2023 Allegato 1).
TIP_VARIABLE_REFERENCE_EUR_MWH = 180.0
#: PV regional correction, added after the cap, by macro-area [C] (DM 414/2023 Allegato 1, art. 2).
PV_REGIONAL_CORRECTION_EUR_MWH = {"Nord": 10.0, "Centro": 4.0, "Sud": 0.0}
#: Regions of each macro-area for the PV correction [C] (DM 414/2023 Allegato 1).
REGIONS_NORD = frozenset({
    "Emilia-Romagna", "Friuli-Venezia Giulia", "Liguria", "Lombardia", "Piemonte",
    "Trentino-Alto Adige", "Valle d'Aosta", "Veneto",
})
REGIONS_CENTRO = frozenset({"Lazio", "Marche", "Toscana", "Umbria", "Abruzzo"})
#: Capital grant above this share of the eligible cost excludes the tariff [C] (DM 414/2023 art. 7).
GRANT_MAX_PCT = 40.0
#: Tariff reduction factor F = 0.5 × g / 0.4 at grant share g [C] (DM 414/2023 art. 7 c. 2).
GRANT_REDUCTION_AT_MAX = 0.5
#: Plants commissioned from this date are "new" and may get the tariff [C] (D.Lgs. 199/2021 art. 31).
NEW_PLANT_FROM = dt.date(2021, 12, 16)
#: Maximum plant power for the tariff [C] (DM 414/2023 art. 3).
MAX_PLANT_KW = 1000.0
#: Old (pre-16/12/2021) plants may be at most this share of the configuration's power [C]/[S]
#: (TIAD art. 4; GSE Regole Operative §1.2.1.2).
OLD_PLANTS_MAX_POWER_SHARE = 0.30
#: The tariff lasts 20 years from commissioning [C] (DM 414/2023 art. 6); the ARERA valorisation has no
#: such term and keeps running [D] (docs/regulation.md §4).
TARIFF_YEARS = 20
#: 55 % / 45 % rule thresholds: above them the excess TIP goes to non-enterprise members or social
#: purposes [C] (DM 414/2023 art. 3 c. 2 lett. g); the formula
#: ``restricted = Σ_j max(0, r_j − threshold_j) × TIP_j`` is GSE's [C] (Regole Operative 2025, p. 42).
RESTRICTED_THRESHOLD_NO_GRANT = 0.55
RESTRICTED_THRESHOLD_WITH_GRANT = 0.45
#: PNRR capital grant, after DM MASE 16 May 2025 n. 127 [S]: only in comuni with fewer inhabitants than this,
#: and the plant in service by this date (docs/regulation.md §3).
PNRR_MAX_INHABITANTS = 50_000
PNRR_IN_SERVICE_BY = dt.date(2027, 12, 31)
#: How a simulated year treats plants commissioned during it [D] (docs/regulation.md §3): "reference" = every
#: plant runs the whole year; "calendar" = a plant produces and earns only from its commissioning.
YEAR_MODES = ("reference", "calendar")

# --------------------------------------------------------------------------------------------------
# ARERA valorisation (TIAD art. 8) [C]
# --------------------------------------------------------------------------------------------------
#: TRAS_E, variable transmission tariff for LV users, €/MWh [C] for 2024 (ARERA TIT 2024).
TRAS_E_EUR_MWH_BY_YEAR: dict[int, float] = {2024: 10.57}
#: Year whose TRAS_E is used when the simulated year is not in the table [D].
TRAS_E_DEFAULT_YEAR = 2024

# --------------------------------------------------------------------------------------------------
# Energy sale: GSE Ritiro Dedicato (RID)
# --------------------------------------------------------------------------------------------------
#: RID yearly fee, €/kWp by plant power class (upper bound kW, rate) [S] (GSE, RID fees page).
RID_FEE_EUR_KWP: tuple[tuple[float, float], ...] = ((20.0, 0.70), (200.0, 0.65), (math.inf, 0.60))
#: Plants below this power pay no RID fee [S].
RID_FEE_MIN_KW = 1.0
#: Yearly cap of the RID fee per plant, € [S].
RID_FEE_CAP_EUR = 10_000.0
#: Minimum guaranteed price for small PV plants in RID, €/MWh, 2026 [C] (ARERA, prezzi minimi garantiti).
RID_MIN_PRICE_EUR_MWH = 47.5
#: The minimum price applies to the first MWh of each year up to this amount [C].
RID_MIN_PRICE_MAX_MWH = 1500.0
#: ... and only to plants up to this power, kW [S].
RID_MIN_PRICE_MAX_KW = 100.0

# --------------------------------------------------------------------------------------------------
# Bills, GSE fees, emissions (defaults, all editable)
# --------------------------------------------------------------------------------------------------
#: Avoided price of physically self-consumed energy, €/kWh, by member category.
#: Households: mean of ARERA's 2025 reference quarters (31.28, 30.54, 31.12, 28.75 c€/kWh) [S];
#: everyone else: non-household 2024 average 0.265 €/kWh [S].
AVOIDED_PRICE_EUR_KWH: dict[str, float] = {
    "household": 0.3042,
    "sme": 0.265,
    "large_enterprise": 0.265,
    "public_body": 0.265,
    "third_sector": 0.265,
    "religious_body": 0.265,
    "research_body": 0.265,
    "other": 0.265,
}
#: Avoided price of self-consumed energy for a large medium-voltage user (a GWh-a-year wastewater plant),
#: €/kWh [S, to confirm against the year's table]: Eurostat's non-household band ID (2,000–20,000 MWh a year),
#: Italy, 2024, prices excluding VAT and recoverable taxes (dataset nrg_pc_205), of the order of 0.18 €/kWh;
#: the 0.265 €/kWh non-household average is a low-voltage small-business figure. Editable per member.
AVOIDED_PRICE_MV_EUR_KWH = 0.18
#: GSE CACER fees, two secondary readings [S] (docs/regulation.md §5), both selectable and editable:
#: "decree" (default) = the fees decree DM MASE 106/2024: 0 up to 3 kW, 15 €/yr for 3–20 kW,
#: 15 € + 1 €/kW for each kW above 20 kW, nothing per member;
#: "rse" = RSE's configuration: 30 €/yr per plant of 3–1000 kW + 1 €/kWp (whole power) above 20 kW,
#: 4 € per member per year.
GSE_FEE_SCHEMES = ("decree", "rse")
GSE_FEE_SCHEME_DEFAULT = "decree"
GSE_FEE_DEFAULTS: dict[str, dict[str, float]] = {
    "decree": {"gse_fee_plant_eur": 15.0, "gse_fee_per_kwp_eur": 1.0, "gse_fee_member_eur": 0.0},
    "rse": {"gse_fee_plant_eur": 30.0, "gse_fee_per_kwp_eur": 1.0, "gse_fee_member_eur": 4.0},
}
#: The RSE reading's values (kept under their old names).
GSE_FEE_PLANT_EUR = GSE_FEE_DEFAULTS["rse"]["gse_fee_plant_eur"]
#: No fee up to this power, kW [S] (both readings).
GSE_FEE_PLANT_MIN_KW = 3.0
#: Extra GSE fee per kWp for plants above 20 kW, €/kWp·yr [S].
GSE_FEE_PER_KWP_EUR = 1.0
GSE_FEE_PER_KWP_FROM_KW = 20.0
#: GSE fee per member (POD) per year, € [S] (RSE's reading).
GSE_FEE_MEMBER_EUR = GSE_FEE_DEFAULTS["rse"]["gse_fee_member_eur"]
#: Grid emission factor of electricity consumption, kg CO2/kWh [S, to confirm against ISPRA's table].
CO2_KG_PER_KWH = 0.25

#: Member categories allowed by D.Lgs. 199/2021 art. 31 [S] (a large enterprise may only be a
#: third-party producer). ``public_body`` = local authorities and bodies like them (a publicly owned company
#: is ``sme`` or ``large_enterprise``); ``third_sector`` includes environmental bodies.
MEMBER_CATEGORIES = ("household", "sme", "large_enterprise", "public_body", "third_sector", "religious_body",
                     "research_body", "other")
ENTERPRISE_CATEGORIES = frozenset({"sme", "large_enterprise"})
#: Categories whose withdrawals are exempt from the grant cut (1 − F) [C for the categories, S for
#: households] (GSE Regole Operative 2025 p. 41; DM MASE 127/2025): natural persons, local authorities,
#: religious, third-sector and environmental bodies.
GRANT_CUT_EXEMPT_CATEGORIES = frozenset({"household", "public_body", "third_sector", "religious_body"})
#: Names used before the 2025 categories, mapped on load so older scenarios keep working [D].
CATEGORY_ALIASES = {"natural_person": "household", "person": "household", "public": "public_body",
                    "local_authority": "public_body", "nonprofit": "third_sector", "non_profit": "third_sector",
                    "environmental_body": "third_sector", "church": "religious_body", "religious": "religious_body",
                    "research": "research_body", "enterprise": "sme", "company": "sme"}
MEMBER_KINDS = ("consumer", "producer", "prosumer")
MARKET_ZONES = ("NORD", "CNOR", "CSUD", "SUD", "CALA", "SICI", "SARD")

#: EU Urban Wastewater Treatment Directive (EU) 2024/3019 art. 11, energy neutrality: renewable energy equal
#: to 20 / 40 / 70 / 100 % of the plant's use by 2030 / 2035 / 2040 / 2045 [S]; up to 35 % of it may be
#: bought from outside (co-legislators' agreement of 29 Jan 2024) [S] (the directive sets the target
#: nationally; this per-plant reading is the project's [D]).
WWTP_MILESTONES: tuple[tuple[int, float], ...] = ((2030, 0.20), (2035, 0.40), (2040, 0.70), (2045, 1.00))
WWTP_NEUTRALITY_TARGET_2045 = 1.0
WWTP_MAX_EXTERNAL_SHARE = 0.35
WWTP_NEUTRALITY_MIN_OWN_SHARE = 1.0 - WWTP_MAX_EXTERNAL_SHARE


def macro_area(region: str) -> str:
    """Macro-area of the PV regional correction for an Italian region name.

    Parameters
    ----------
    region : str
        ISTAT region name (e.g. ``"Lombardia"``).

    Returns
    -------
    str
        ``"Nord"``, ``"Centro"`` or ``"Sud"``.
    """
    name = region.split("/")[0].strip()  # ISTAT's bilingual names: "Valle d'Aosta/Vallée d'Aoste"
    if name in REGIONS_NORD:
        return "Nord"
    if name in REGIONS_CENTRO:
        return "Centro"
    return "Sud"


@dataclass(frozen=True)
class Parameters:
    """Every editable number the engine uses, with the documented default.

    Build with :meth:`from_overrides` from the scenario's ``rules`` and ``economics`` sections; the
    results record the parameters used so that every figure can be recomputed.
    """

    # rules
    attribution: str = "chronological"  # [D] "chronological" | "pro_rata"
    non_incentivised_last: bool = False  # [D] RSE's reading of the rules, as an option
    valorisation_eur_mwh: float | None = None  # None = TRAS_E of the simulated year
    grant_scales_regional_correction: bool = True  # [D]
    tip_classes: tuple[TipClass, ...] = TIP_CLASSES
    tip_variable_reference_eur_mwh: float = TIP_VARIABLE_REFERENCE_EUR_MWH
    pv_regional_correction_eur_mwh: dict = field(default_factory=lambda: dict(PV_REGIONAL_CORRECTION_EUR_MWH))
    restricted_threshold_no_grant: float = RESTRICTED_THRESHOLD_NO_GRANT
    restricted_threshold_with_grant: float = RESTRICTED_THRESHOLD_WITH_GRANT
    # economics
    avoided_price_eur_kwh: dict = field(default_factory=lambda: dict(AVOIDED_PRICE_EUR_KWH))
    co2_kg_per_kwh: float = CO2_KG_PER_KWH
    co2_basis: str = "shared_and_self_consumed"  # or "production"
    rid_min_price: bool = False
    rid_min_price_eur_mwh: float = RID_MIN_PRICE_EUR_MWH
    rid_fee: bool = True
    gse_fee_scheme: str = GSE_FEE_SCHEME_DEFAULT  # [S] "decree" | "rse"
    gse_fee_plant_eur: float | None = None  # None = the scheme's default
    gse_fee_per_kwp_eur: float | None = None
    gse_fee_member_eur: float | None = None
    year_mode: str = "reference"  # [D] "reference" | "calendar"
    grant_cut_exemption: bool = True  # [C] exempt members' share escapes (1 − F)

    def fee(self, name: str) -> float:
        """A GSE fee parameter: the user's value, else the selected scheme's default."""
        value = getattr(self, name)
        if value is not None:
            return float(value)
        return GSE_FEE_DEFAULTS.get(self.gse_fee_scheme, GSE_FEE_DEFAULTS[GSE_FEE_SCHEME_DEFAULT])[name]

    def valorisation_rate(self, year: int) -> float:
        """TRAS_E in €/MWh used for ``year``: the override, else the table, else the default year."""
        if self.valorisation_eur_mwh is not None:
            return float(self.valorisation_eur_mwh)
        return TRAS_E_EUR_MWH_BY_YEAR.get(year, TRAS_E_EUR_MWH_BY_YEAR[TRAS_E_DEFAULT_YEAR])

    @classmethod
    def from_overrides(cls, rules: dict | None = None, economics: dict | None = None) -> "Parameters":
        """Defaults updated with the scenario's ``rules`` and ``economics`` (unknown keys ignored)."""
        base = cls()
        names = {f.name for f in fields(cls)}
        updates: dict = {}
        for section in (rules or {}, economics or {}):
            for key, value in section.items():
                if key not in names or key == "tip_classes":
                    continue
                if key in ("avoided_price_eur_kwh", "pv_regional_correction_eur_mwh"):
                    merged = dict(getattr(base, key))
                    merged.update(value or {})
                    value = merged
                updates[key] = value
        return replace(base, **updates)

    def to_dict(self, year: int) -> dict:
        """JSON-ready record of the parameters, with the valorisation rate actually used."""
        out = asdict(self)
        out["tip_classes"] = [
            {"max_kw": (None if math.isinf(c.max_kw) else c.max_kw), "fixed_eur_mwh": c.fixed_eur_mwh,
             "cap_eur_mwh": c.cap_eur_mwh}
            for c in self.tip_classes
        ]
        out["valorisation_eur_mwh"] = self.valorisation_rate(year)
        for name in ("gse_fee_plant_eur", "gse_fee_per_kwp_eur", "gse_fee_member_eur"):
            out[name] = self.fee(name)
        return out

# -------------------------------------------------------------------------------------------------
# the split among members (regolamento), see docs/allocation.md
# -------------------------------------------------------------------------------------------------
#: Member categories that may receive the 55 % / 45 % restricted amount: consumers that are not
#: enterprises [C] (DM 414/2023 art. 3 c. 2 lett. g; GSE Regole Operative; docs/allocation.md).
#: "other" is left out on purpose [D]: it may be an enterprise.
RESTRICTED_ELIGIBLE_CATEGORIES = frozenset({"household", "public_body", "third_sector", "religious_body",
                                            "research_body"})
#: Default shares of the pot after costs and the restricted amount, % [D] (a project default: most of
#: the money to the consumers who make the shared energy, a part to the plant owners, a small social fund).
REGOLAMENTO_DEFAULT_SHARES_PCT = {"producers": 40.0, "consumers": 55.0, "social_fund": 5.0, "running_costs": 0.0}
#: Sampled Shapley values: permutations per cabina [D] (the sampling error is reported beside the values).
SHAPLEY_PERMUTATIONS = 200
#: Exact Shapley values up to this many members in a cabina (2^n coalitions) [D].
SHAPLEY_EXACT_MAX_MEMBERS = 15

# -------------------------------------------------------------------------------------------------
# investment economics (cer_core/investment.py, docs/economics.md); scenario ``economics.investment``
# -------------------------------------------------------------------------------------------------
#: PV capex by size class, €/kWp [S] (docs/regulation.md §7: ≤ 20 kW ≈ 1,500; 20–200 kW ≈ 1,100–1,200;
#: 200 kW–1 MW ≈ 900–1,050; the middle of each range).
CAPEX_EUR_KWP: tuple[tuple[float, float], ...] = ((20.0, 1500.0), (200.0, 1150.0), (math.inf, 975.0))
#: PNRR eligible-cost caps, €/kW [S] (DM MASE 127/2025; docs/regulation.md §3): ≤ 20 / ≤ 200 / ≤ 600 / ≤ 1,000 kW.
PNRR_ELIGIBLE_CAP_EUR_KW: tuple[tuple[float, float], ...] = ((20.0, 1500.0), (200.0, 1200.0), (600.0, 1100.0),
                                                              (math.inf, 1050.0))
#: Operation and maintenance, €/kWp per year at year-1 prices [S] (docs/regulation.md §7: 15–20).
OM_EUR_KWP_YEAR = 17.5
#: Insurance, % of the capex per year at year-1 prices [D] (typical all-risk PV policies 0.3–0.6 %).
INSURANCE_PCT_CAPEX_YEAR = 0.4
#: Inverter replacement: year and cost, €/kWp at year-1 prices [D] (inverters last 10–15 years).
INVERTER_REPLACEMENT_YEAR = 12
INVERTER_REPLACEMENT_EUR_KWP = 100.0
#: Cost inflation (O&M, insurance, inverter, fees), % per year [D] (ECB medium-term target).
INFLATION_PCT_YEAR = 2.0
#: Escalation of energy prices (sale at the zonal price, avoided bill price), % per year [D].
PRICE_ESCALATION_PCT_YEAR = 1.0
#: Nominal discount rate, % per year [D] (a cost of capital for small PV investors).
DISCOUNT_RATE_PCT = 5.0
#: Years of cash flows [D]: the 20-year tariff window, then energy sale and savings only.
INVESTMENT_HORIZON_YEARS = 25
#: Loan defaults [D]: share of the net capex borrowed, rate, term.
LOAN_SHARE_PCT = 70.0
LOAN_RATE_PCT = 4.5
LOAN_YEARS = 10
#: Third-party producer (ESCO) financing [D]: the investor's rate and term of the yearly fee it charges
#: the host (an annuity of the net capex, plus O&M and insurance it bears).
THIRD_PARTY_RATE_PCT = 7.0
THIRD_PARTY_YEARS = 15

# -------------------------------------------------------------------------------------------------
# member selection (cer_core/selection.py)
# -------------------------------------------------------------------------------------------------
#: Share of a plant's injection the "how many consumers" answer aims at [D].
SELECTION_TARGET_SHARED = 0.8

# --------------------------------------------------------------------------------------------------
# Studio defaults that must agree with the embedded data [D]
# --------------------------------------------------------------------------------------------------

#: The year the embedded data describe: the RSE reference prices track 2024 (``cer_core.prices``), the
#: ARERA TRAS_E default is 2024's (above) and the sample meter and bill files are of 2024. A new community
#: simulates this year and a drawn roof is commissioned on its 1 January (running the whole reference
#: year, ``docs/regulation.md``), so a fresh workshop carries no warning about years that the user did not
#: cause [D].
REFERENCE_YEAR = 2024


def default_commissioning(year: int) -> dt.date:
    """The commissioning date a new plant gets in a scenario simulating ``year``: its 1 January [D]
    (in service the whole simulated year: no «after the simulated year» warning)."""
    return dt.date(int(year), 1, 1)


#: Typical yearly consumption [kWh] of a member by category, offered (and shown) when a member is created
#: without its own data, until bills or a meter curve replace it [S]/[D]. Keyed by the scenario's
#: member categories (``docs/scenario.md``); one place for the studio's map form and members table.
#:
#: - ``household``: 2,700 kWh, ARERA's reference household (3 kW, resident) used in its price
#:   comparisons [S];
#: - ``sme``: 30,000 kWh, a small shop, bakery or office (ENEA/Confcommercio figures for small
#:   commercial users range 10–60 MWh; a bakery with electric ovens sits at the top) [D];
#: - ``large_enterprise``: 100,000 kWh, the lower end of a medium-voltage industrial user [D];
#: - ``public_body``: 50,000 kWh, a school or town hall of 2–3,000 m² at ≈ 20 kWh/m² of electricity
#:   (ENEA benchmarks for schools and offices of public administrations) [S];
#: - ``third_sector``: 15,000 kWh, an association's premises or a small social facility [D];
#: - ``religious_body``: 10,000 kWh, a parish church with its hall [D];
#: - ``research_body``: 150,000 kWh, a research laboratory building [D];
#: - ``other``: 10,000 kWh [D].
TYPICAL_ANNUAL_KWH: dict[str, float] = {
    "household": 2700.0, "sme": 30000.0, "large_enterprise": 100000.0, "public_body": 50000.0,
    "third_sector": 15000.0, "religious_body": 10000.0, "research_body": 150000.0, "other": 10000.0,
}
