"""Reports to hand over: the member sheet (scheda socio), the community report (PDF) and the workbook.

``python -m cer_core report [SCENARIO] --out DIR [--lang it|en]`` writes all three with
:func:`write_reports`; the studio offers them on Risultati. See ``docs/reports.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...api import Outcome
from ..xlsx import results_workbook
from .community import community_report_pdf
from .member import MemberFigures, member_sheet_pdf, member_sheets_zip

__all__ = ["community_report_pdf", "member_sheet_pdf", "member_sheets_zip", "write_reports", "report_basename"]


def report_basename(name: str) -> str:
    """A file-name stem from the community's name: ``"CER Naviglio Sud (demo)"`` → ``"cer_naviglio_sud_demo"``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "cer"


def write_reports(outcome: Outcome, out_dir: str | Path, lang: str = "it") -> list[Path]:
    """Write the community report, one member sheet per member (and all of them in a zip) and the workbook.

    Returns the paths written: ``<name>_relazione.pdf`` (``_report`` in English), ``<name>_risultati.xlsx``,
    ``<name>_schede.zip`` and ``schede/scheda_<nn>_<id>.pdf``.
    """
    out = Path(out_dir)
    sheets_dir = out / ("schede" if lang == "it" else "sheets")
    sheets_dir.mkdir(parents=True, exist_ok=True)
    base = report_basename(outcome.scenario.name)
    words = ("relazione", "risultati", "schede", "scheda") if lang == "it" else ("report", "results", "sheets", "sheet")
    paths = []
    path = out / f"{base}_{words[0]}.pdf"
    path.write_bytes(community_report_pdf(outcome, lang))
    paths.append(path)
    path = out / f"{base}_{words[1]}.xlsx"
    path.write_bytes(results_workbook(outcome.results, lang, outcome.scenario))
    paths.append(path)
    figures = MemberFigures(outcome)
    for n, m in enumerate(outcome.summary.get("members", []), start=1):
        path = sheets_dir / f"{words[3]}_{n:02d}_{report_basename(m['id'])}.pdf"
        path.write_bytes(member_sheet_pdf(outcome, m["id"], lang, figures))
        paths.append(path)
    path = out / f"{base}_{words[2]}.zip"
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in paths[2:]:
            zf.write(p, arcname=p.name)
    paths.append(path)
    return paths
