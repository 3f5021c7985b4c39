"""The bills file: a CSV/XLSX with one row per bill period, or per month (``docs/formats.md`` §3).

:func:`read_bills` turns it into :class:`Bill` records and the contract powers it states;
:func:`parse_date` reads a bill's date the same way for the file and for the scenario's own
``load.bills`` list. Spreading bills over the hours of a year is :mod:`cer_core.loads.bills`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import ProblemList, error
from .detect import is_bills_header
from .numbers import PLAUSIBLE_YEARS, Where, parse_numbers
from .source import document_rows, open_documents

#: Band groups: F1/F2/F3, F1/F23, or everything.
BANDS_3, BANDS_2, BANDS_1 = "F1/F2/F3", "F1/F23", "F0"
MONTHS_IT = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
             "ottobre", "novembre", "dicembre")


@dataclass(frozen=True)
class Bill:
    """One bill period [local dates, inclusive] with its energies [kWh]."""

    start: dt.date
    end: dt.date
    f1_kwh: float | None = None
    f2_kwh: float | None = None
    f3_kwh: float | None = None
    f23_kwh: float | None = None
    total_kwh: float | None = None
    estimated: bool = False
    adjustment: bool = False
    where: str = ""
    pod: str = ""

    @property
    def kind(self) -> str:
        if self.f1_kwh is not None and self.f2_kwh is not None and self.f3_kwh is not None:
            return BANDS_3
        if self.f1_kwh is not None and self.f23_kwh is not None:
            return BANDS_2
        return BANDS_1

    @property
    def energies(self) -> tuple[float, ...]:
        """Energy of each band group of :attr:`kind` [kWh]."""
        if self.kind == BANDS_3:
            return (self.f1_kwh, self.f2_kwh, self.f3_kwh)
        if self.kind == BANDS_2:
            return (self.f1_kwh, self.f23_kwh)
        return (self.total_kwh,)

    @property
    def total(self) -> float:
        return float(sum(self.energies))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


@dataclass
class BillsFile:
    """A bills CSV/XLSX (``docs/formats.md`` §3 template): bills by POD and the contract powers it states."""

    bills: list[Bill]
    pods: list[str]
    contract_kw: float | None
    available_kw: float | None
    warnings: list = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------------

def parse_date(value, where: str, field: str, problems: ProblemList) -> dt.date | None:
    """A bill's date (``gg/mm/aaaa``, ISO, Excel serial day, …), or None with a problem at ``where``."""
    text = str(value).strip()
    place = f"{where}.{field}" if not where.count(":") else where
    if re.fullmatch(r"\d{5}(\.0+)?", text) and 20000 <= float(text) <= 80000:  # Excel serial day (from 1899-12-30)
        text = (dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))).isoformat()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]:
            problems.add(place, "problems.bills.date", code="bills.date", field=field, text=text,
                         plausible_years_0=PLAUSIBLE_YEARS[0], plausible_years_1=PLAUSIBLE_YEARS[1])
            return None
        return day
    problems.add(place, "problems.bills.date.2", code="bills.date", field=field, text=text)
    return None



_COLUMNS = {
    "pod": ("pod",),
    "start": ("periodo_inizio", "inizio", "dal", "data_inizio", "start", "inizio_periodo"),
    "end": ("periodo_fine", "fine", "al", "data_fine", "end", "fine_periodo"),
    "month": ("mese", "month"),
    "year": ("anno", "year"),
    "f1_kwh": ("f1_kwh", "f1"), "f2_kwh": ("f2_kwh", "f2"), "f3_kwh": ("f3_kwh", "f3"),
    "f23_kwh": ("f23_kwh", "f23", "f2+f3", "f2_f3_kwh"),
    "total_kwh": ("totale_kwh", "totale", "total_kwh", "total", "f0_kwh", "f0", "consumo_kwh"),
    "contract_kw": ("potenza_impegnata_kw", "potenza_impegnata"),
    "available_kw": ("potenza_disponibile_kw", "potenza_disponibile"),
    "reading": ("tipo_lettura", "lettura", "reading"),
    "adjustment": ("conguaglio", "adjustment", "rettifica"),
}
_YES = {"si", "sì", "s", "yes", "y", "true", "1", "x", "vero"}
_ESTIMATED = {"stimata", "stimato", "stima", "estimated", "s"}


def _month_period(text: str, year_text: str) -> tuple[dt.date, dt.date] | None:
    t = text.strip().lower()
    m = re.fullmatch(r"(\d{1,2})[/\-.](\d{4})", t) or None
    first = (re.fullmatch(r"(\d{4})-(\d{2})-01(?: 00:00:00)?", t)  # Excel turned '01/2024' into a date
             or re.fullmatch(r"01/(\d{1,2})/(\d{4})", t))
    if m:
        month, year = int(m.group(1)), int(m.group(2))
    elif first and t[:2] == "01":
        month, year = int(first.group(1)), int(first.group(2))
    elif first:
        year, month = int(first.group(1)), int(first.group(2))
    elif re.fullmatch(r"\d{4}-\d{1,2}", t):
        year, month = (int(x) for x in t.split("-"))
    elif re.fullmatch(r"\d{1,2}", t) and re.fullmatch(r"\d{4}", year_text.strip()):
        month, year = int(t), int(year_text)
    else:
        parts = t.replace("-", " ").split()
        names = [n for n in MONTHS_IT if parts and n.startswith(parts[0][:3])]
        if not names or len(parts) < 2 and not re.fullmatch(r"\d{4}", year_text.strip()):
            return None
        month = MONTHS_IT.index(names[0]) + 1
        ytxt = parts[1] if len(parts) > 1 else year_text.strip()
        year = int(ytxt) + (2000 if len(ytxt) == 2 else 0) if ytxt.isdigit() else None
        if year is None:
            return None
    if not 1 <= month <= 12 or not PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]:
        return None
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    return dt.date(year, month, 1), last


def read_bills(data: bytes, name: str) -> BillsFile:
    """Bills from the CSV/XLSX template (one row per period; or a ``mese`` column: one row per month).

    Raises
    ------
    CerInputError
        Naming the file and the line.
    """
    docs = open_documents(data, name)
    if len(docs) != 1:
        raise error(name, "problems.bills.file", "bills.file")
    doc = docs[0]
    rows, lines, delim = document_rows(doc)
    head = next((i for i, r in enumerate(rows[:30]) if is_bills_header(r)), None)
    if head is None:
        raise error(f"{name}:1", "problems.bills.header", "bills.header")
    header = [h.strip().lower().replace(" ", "_") for h in rows[head]]
    col = {}
    for key, names in _COLUMNS.items():
        col[key] = next((header.index(n) for n in names if n in header), None)
    body, body_lines = rows[head + 1:], lines[head + 1:]
    if not body:
        raise error(name, "problems.bills.empty", "bills.empty")

    def cells(key):
        j = col[key]
        return [r[j] if j is not None and j < len(r) else "" for r in body]

    notes: list = []
    nums = {k: parse_numbers(cells(k), Where(name, body_lines, header[col[k]] if col[k] is not None else k), delim,
                             None, notes)
            for k in ("f1_kwh", "f2_kwh", "f3_kwh", "f23_kwh", "total_kwh", "contract_kw", "available_kw")}
    problems = ProblemList()
    bills = []
    for i in range(len(body)):
        w = f"{name}:{body_lines[i]}"
        if col["start"] is not None and col["end"] is not None:
            start = parse_date(cells("start")[i], w, "periodo_inizio", problems)
            end = parse_date(cells("end")[i], w, "periodo_fine", problems)
        elif col["month"] is not None:
            period = _month_period(cells("month")[i], cells("year")[i])
            if period is None:
                problems.add(w, "problems.bills.month", code="bills.month", cells=cells('month')[i])
                continue
            start, end = period
        else:
            raise error(f"{name}:{lines[head]}", "problems.bills.header.2", "bills.header")
        if start is None or end is None:
            continue
        energy = {k: (None if np.isnan(nums[k][i]) else float(nums[k][i]))
                  for k in ("f1_kwh", "f2_kwh", "f3_kwh", "f23_kwh", "total_kwh")}
        reading = cells("reading")[i].strip().lower()
        adjust = cells("adjustment")[i].strip().lower() in _YES or reading == "conguaglio"
        bills.append(Bill(start=start, end=end, estimated=reading in _ESTIMATED, adjustment=adjust, where=w,
                          pod=cells("pod")[i].replace(" ", "").upper(), **energy))
    problems.raise_if_errors()
    contract = _first(nums["contract_kw"])
    avail = _first(nums["available_kw"])
    return BillsFile(bills=bills, pods=list(dict.fromkeys(b.pod for b in bills if b.pod)), contract_kw=contract,
                     available_kw=avail, warnings=notes)


def _first(arr: np.ndarray) -> float | None:
    ok = arr[~np.isnan(arr)]
    return float(ok[0]) if len(ok) else None


def bills_template_csv() -> bytes:
    """The bills CSV template (``docs/formats.md`` §3) with one example row."""
    return ("pod;periodo_inizio;periodo_fine;f1_kwh;f2_kwh;f3_kwh;totale_kwh;potenza_impegnata_kw;"
            "potenza_disponibile_kw;tipo_lettura\nIT001E00000000;01/01/2024;31/01/2024;120;95;110;325;3;3,3;"
            "effettiva\n").encode()
