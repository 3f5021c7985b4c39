"""``python -m cer_core load FILE [--year Y] [--out series.csv]``: import a file, print its report, write the hours.

Meter exports of every supported format and bills files are accepted. Bills are spread with a default
shape (an ARERA household for contracts up to 6 kW and up to 10 MWh a year, else the office profile;
the report says which). Exit code 2 with the message (file, line or day, expected value) on bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import CerInputError, error
from ..i18n import text
from .source import size_guard

EXIT_OK, EXIT_INVALID = 0, 2


def _num(x: float, lang: str, decimals: int = 1) -> str:
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "it" else text


def _pct(bands: dict, lang: str) -> str:
    return "  ".join(f"{k} {_num(v, lang)}%" for k, v in bands.items())


def format_import_report(rep: dict, lang: str = "it") -> list[str]:
    """Lines describing one imported series (see :func:`cer_core.io.summary.series_report`)."""
    p = rep["period"]
    lines = [
        text("cli.import.format", lang, format=rep["format_en" if lang == "en" else "format_it"]),
        f"POD: {rep['pod'] or '-'}",
        text("cli.import.period", lang, start=p["from"], end=p["to"], days=_num(p["days"], lang),
             interval_min=rep["interval_min"]),
        text("cli.import.intervals", lang, intervals=rep["intervals"], measured=rep["measured"],
             estimated=rep["estimated"], filled=rep["filled"], missing=rep["missing"],
             longest_gap_h=_num(rep["longest_gap_h"], lang)),
        text("cli.import.consumption", lang, total_kwh=_num(rep["total_kwh"], lang),
             annual_kwh=_num(rep["annual_kwh"], lang, 0),
             annualised=text("cli.import.annualised", lang) if rep["annualised"] else "",
             bands=_pct(rep["bands_pct"], lang)),
        text("cli.import.peak", lang, peak_kw=_num(rep["peak_kw"], lang, 2), peak_at=rep["peak_at"]),
    ]
    if "export_kwh" in rep:
        lines.append(text("cli.import.export", lang, export_kwh=_num(rep["export_kwh"], lang)))
    if rep.get("unit_assumed"):
        lines.append(text("cli.import.unit_assumed", lang))
    return lines


def format_year_report(rep: dict, lang: str = "it") -> list[str]:
    """Lines describing an hourly year (see :func:`cer_core.io.hourly.hourly_report`)."""
    out = [text("cli.year.line", lang, year=rep["year"], annual_kwh=_num(rep["annual_kwh"], lang), hours=rep["hours"],
                bands=_pct(rep["bands_pct"], lang))]
    if "measured_hours" in rep:
        out.append(text("cli.year.hours", lang, measured=rep["measured_hours"], estimated=rep["estimated_hours"],
                        filled=rep["filled_hours"], extended=rep["extended_hours"]))
    out.append(text("cli.year.monthly", lang, months=" ".join(_num(m, lang, 0) for m in rep["monthly_kwh"])))
    return out


def _default_bills_shape(bf, bills) -> str:
    days = sum(b.days for b in bills if not b.adjustment) or 1
    annual = sum(b.total for b in bills if not b.adjustment) * 365 / days
    contract = bf.contract_kw or (bf.available_kw / 1.1 if bf.available_kw else None)
    return "household" if (contract is None or contract <= 6) and annual <= 10_000 else "office"


def _bills(data: bytes, name: str, year: int | None, lang: str):
    from ..loads.bills import bills_to_hourly
    from ..loads.profiles import profile_shape
    from .bills import read_bills

    bf = read_bills(data, name)
    bills = bf.bills
    if len(bf.pods) > 1:
        raise error(name, "problems.bills.several_pods", "bills.several_pods", n_pods=len(bf.pods),
                    pods=', '.join(bf.pods))
    if year is None:
        days: dict[int, int] = {}
        for b in bills:
            days[b.start.year] = days.get(b.start.year, 0) + b.days
        year = max(days, key=days.get)
    shape = _default_bills_shape(bf, bills)
    result = bills_to_hourly(bills, year, lambda y: profile_shape(shape, y, contract_kw=bf.contract_kw),
                             contract_kw=bf.contract_kw, household=shape == "household")
    lines = [text("cli.bills.format", lang), text("cli.bills.count", lang, n_bills=len(bills), shape=shape)]
    worst = max((abs(v - b["spread_kwh"][k]) for b in result.report["bills"] for k, v in b["kwh"].items()),
                default=0.0)
    lines.append(text("cli.bills.reproduced", lang, worst_kwh=_num(worst, lang, 4)))
    return year, result.kwh, result.report, list(bf.warnings) + list(result.warnings), lines


def load_command(args, lang: str) -> int:
    """Run ``load``: print the report of ``args.file`` and write ``args.out`` (``timestamp,kwh``).

    Returns
    -------
    int
        0, or 2 with the message on stderr when the input is bad.
    """
    from . import best_year, read_meter_files, to_hourly_year, write_hourly_csv

    path = Path(args.file)
    try:
        if not path.is_file():
            raise error(str(path), "problems.file.missing", "file.missing")
        size_guard(path.stat().st_size, path.name)  # before reading anything
        data = path.read_bytes()
        year = getattr(args, "year", None)
        out_lines = [f"File: {path.name}"]
        try:
            result = read_meter_files([(path.name, data)])
        except CerInputError as exc:
            if exc.problems[0].code != "file.is_bills":
                raise
            year, kwh, rep, warnings, lines = _bills(data, path.name, year, lang)
            out_lines += lines + format_year_report(rep, lang)
        else:
            for s in result.series:
                out_lines += format_import_report(s.report, lang)
            if len(result.series) > 1 and getattr(args, "out", None):
                raise error(path.name, "problems.file.several_pods.2", "file.several_pods",
                            n_series=len(result.series), pods=', '.join(result.pods))
            year = year or best_year(result.series[0])
            hourly = to_hourly_year(result.series[0], year)
            kwh, warnings = hourly.kwh, list(result.warnings) + list(hourly.warnings)
            if len(result.series) > 1:  # say which POD the year below is
                out_lines.append(f"POD {result.series[0].pod}:")
            out_lines += format_year_report(hourly.report, lang)
        for line in out_lines:
            print(line)
        for w in warnings:
            print(text("cli.warning_prefix", lang) + w.message(lang), file=sys.stderr)
        if getattr(args, "out", None):
            try:
                Path(args.out).write_bytes(write_hourly_csv(kwh, year))
            except OSError as exc:
                raise error(str(args.out), "problems.file.write", "file.write", strerror=exc.strerror or exc)
            print(args.out)
        return EXIT_OK
    except CerInputError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_INVALID
