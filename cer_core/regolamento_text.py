"""The chosen rules written out as the economic section of a regolamento draft (Italian; English option).

The text follows :class:`cer_core.money.allocation.Regolamento` option by option, so what the draft says is
what the split computes (``docs/allocation.md``). It is a draft for the CER's lawyer, not a legal text.
"""

from __future__ import annotations

from .money.allocation import Regolamento

CATEGORY_WORDS = {
    "household": ("famiglie", "households"), "sme": ("PMI", "SMEs"),
    "large_enterprise": ("grandi imprese", "large enterprises"), "public_body": ("enti pubblici", "public bodies"),
    "third_sector": ("enti del terzo settore", "third-sector bodies"),
    "religious_body": ("enti religiosi", "religious bodies"), "research_body": ("enti di ricerca", "research bodies"),
    "other": ("altri", "others"),
}


def _n(value: float, lang: str) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "it" else text


def _consumers_it(r: Regolamento) -> str:
    if r.consumers_key == "contribution":
        return ("in proporzione al contributo di ciascun membro all'energia condivisa, calcolato per ogni ora e "
                "per ogni cabina primaria come prelievo del membro × energia condivisa ÷ prelievo di tutti i membri "
                "della cabina")
    if r.consumers_key == "equal":
        return "in parti uguali tra i membri consumatori"
    weights = ", ".join(f"{CATEGORY_WORDS.get(k, (k, k))[0]} {_n(v, 'it')}" for k, v in sorted(r.category_weights.items()))
    return f"in proporzione ai pesi per categoria ({weights or 'tutti 1'}; categorie non indicate: peso 1)"


def _consumers_en(r: Regolamento) -> str:
    if r.consumers_key == "contribution":
        return ("in proportion to each member's contribution to shared energy, computed for every hour and every "
                "primary substation as the member's withdrawal × shared energy ÷ all members' withdrawal there")
    if r.consumers_key == "equal":
        return "in equal parts among the consumer members"
    weights = ", ".join(f"{CATEGORY_WORDS.get(k, (k, k))[1]} {_n(v, 'en')}" for k, v in sorted(r.category_weights.items()))
    return f"in proportion to per-category weights ({weights or 'all 1'}; categories not listed: weight 1)"


def _costs(r: Regolamento, lang: str) -> list[str]:
    it = lang == "it"
    items = []
    if r.gse_fees:
        items.append("i corrispettivi dovuti al GSE per il servizio CACER" if it else "the fees due to GSE for the "
                     "CACER service")
    if r.platform_eur_per_member_year:
        items.append(f"il compenso della piattaforma di gestione, {_n(r.platform_eur_per_member_year, lang)} € per "
                     "membro all'anno" if it else f"the management platform fee, {_n(r.platform_eur_per_member_year, lang)}"
                     " € per member per year")
    if r.platform_pct:
        items.append(f"una commissione di gestione pari al {_n(r.platform_pct, lang)} % degli incentivi" if it else
                     f"a management commission of {_n(r.platform_pct, lang)} % of the incentives")
    if r.insurance_eur_year:
        items.append(f"l'assicurazione, {_n(r.insurance_eur_year, lang)} € all'anno" if it else
                     f"insurance, {_n(r.insurance_eur_year, lang)} € per year")
    if r.referent_eur_year:
        items.append(f"il compenso del referente, {_n(r.referent_eur_year, lang)} € all'anno" if it else
                     f"the referent's fee, {_n(r.referent_eur_year, lang)} € per year")
    return items


def draft(rules: Regolamento, lang: str = "it") -> str:
    """The economic articles of a regolamento implementing ``rules``, as Markdown."""
    return _draft_it(rules) if lang == "it" else _draft_en(rules)


def _draft_it(r: Regolamento) -> str:
    sh = r.shares_pct
    costs = _costs(r, "it")
    producers = ("in proporzione all'energia incentivata di ciascun impianto" if r.producers_key == "incentivised"
                 else "in proporzione all'energia immessa in rete da ciascun impianto")
    lines = [
        "## Titolo V — Ripartizione dei benefici economici",
        "",
        "**Art. 1 — Risorse da ripartire.** Sono ripartiti tra i membri la tariffa premio (TIP) e il corrispettivo "
        "di valorizzazione dell'energia condivisa riconosciuti dal GSE alla Comunità. Non sono oggetto di "
        "ripartizione i ricavi della vendita dell'energia immessa, che restano del produttore, né i risparmi in "
        "bolletta dell'autoconsumo fisico, che restano di ciascun membro.",
        "",
        "**Art. 2 — Costi.** Prima di ogni ripartizione la Comunità sostiene "
        + ("; ".join(costs) if costs else "i soli costi deliberati dall'assemblea") + ".",
        "",
        "**Art. 3 — Vincolo sulla tariffa premio.** La quota di tariffa premio eccedente la soglia del 55 % (45 % per "
        "gli impianti con contributo in conto capitale) dell'energia immessa, come definita dal DM 414/2023 e dalle "
        "Regole Operative del GSE, è destinata "
        + ("ai soli membri consumatori diversi dalle imprese (famiglie, enti pubblici, enti del terzo settore, enti "
           "religiosi, enti di ricerca), con lo stesso criterio dell'art. 5; in mancanza, al fondo sociale"
           if r.restricted_to == "consumers" else "al fondo sociale, per finalità sociali nel territorio degli impianti")
        + ". In nessun caso è attribuita a imprese.",
        "",
        f"**Art. 4 — Quote.** Quanto resta è ripartito così: {_n(sh.get('producers', 0), 'it')} % ai produttori, "
        f"{_n(sh.get('consumers', 0), 'it')} % ai consumatori, {_n(sh.get('social_fund', 0), 'it')} % al fondo sociale, "
        f"{_n(sh.get('running_costs', 0), 'it')} % alla riserva per le spese di funzionamento.",
        "",
        f"**Art. 5 — Consumatori.** La quota dei consumatori è ripartita {_consumers_it(r)}.",
        "",
        f"**Art. 6 — Produttori.** La quota dei produttori è ripartita {producers}"
        + (f"; ai produttori terzi è riconosciuto invece un corrispettivo fisso di "
           f"{_n(r.third_party_eur_mwh, 'it')} €/MWh della stessa energia, dedotto dalla quota dei produttori"
           if r.third_party_eur_mwh is not None else "") + ".",
        "",
        "**Art. 7 — Ingresso e recesso.** Un membro partecipa alla ripartizione per i soli mesi di appartenenza alla "
        "Comunità. Le quote prive di destinatari in un mese confluiscono nel fondo sociale.",
        "",
        "**Art. 8 — Liquidazione.** Le quote sono calcolate mensilmente sugli acconti del GSE e conguagliate dopo il "
        "conguaglio annuale del GSE; il vincolo dell'art. 3 è annuale e il suo riparto mensile è provvisorio. Gli "
        "importi sono arrotondati al centesimo con il metodo dei resti maggiori.",
    ]
    return "\n".join(lines)


def _draft_en(r: Regolamento) -> str:
    sh = r.shares_pct
    costs = _costs(r, "en")
    producers = ("in proportion to each plant's incentivised energy" if r.producers_key == "incentivised"
                 else "in proportion to each plant's energy injected into the grid")
    lines = [
        "## Title V — Sharing of the economic benefits",
        "",
        "**Art. 1 — What is shared.** The premium tariff (TIP) and the valorisation of shared energy paid by GSE to "
        "the Community are shared among the members. The sale of injected energy, which stays the producer's, and "
        "the bill savings of physical self-consumption, which stay each member's, are not shared.",
        "",
        "**Art. 2 — Costs.** Before any sharing, the Community pays "
        + ("; ".join(costs) if costs else "only the costs the assembly decides") + ".",
        "",
        "**Art. 3 — Restriction on the premium tariff.** The part of the premium tariff above the threshold of 55 % "
        "(45 % for plants with a capital grant) of the injected energy, as defined by DM 414/2023 and GSE's "
        "Operating Rules, goes "
        + ("only to consumer members that are not enterprises (households, public bodies, third-sector, religious "
           "and research bodies), by the same key as Art. 5; failing them, to the social fund"
           if r.restricted_to == "consumers" else "to the social fund, for social purposes in the plants' territory")
        + ". It never goes to an enterprise.",
        "",
        f"**Art. 4 — Shares.** What remains is split: {_n(sh.get('producers', 0), 'en')} % to producers, "
        f"{_n(sh.get('consumers', 0), 'en')} % to consumers, {_n(sh.get('social_fund', 0), 'en')} % to the social "
        f"fund, {_n(sh.get('running_costs', 0), 'en')} % to the running-costs reserve.",
        "",
        f"**Art. 5 — Consumers.** The consumers' share is split {_consumers_en(r)}.",
        "",
        f"**Art. 6 — Producers.** The producers' share is split {producers}"
        + (f"; third-party producers get instead a fixed {_n(r.third_party_eur_mwh, 'en')} €/MWh of the same energy, "
           "taken from the producers' share" if r.third_party_eur_mwh is not None else "") + ".",
        "",
        "**Art. 7 — Joining and leaving.** A member takes part in the sharing only for the months it belongs to the "
        "Community. Shares with nobody to receive them in a month go to the social fund.",
        "",
        "**Art. 8 — Payment.** Shares are computed monthly on GSE's advances and settled after GSE's yearly "
        "settlement; the restriction of Art. 3 is yearly and its monthly split is provisional. Amounts are rounded "
        "to the cent by the largest-remainder method.",
    ]
    return "\n".join(lines)
