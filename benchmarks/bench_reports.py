"""Report speed on the embedded demo (40 members): the set of member sheets (target ≤ 10 s), one sheet,
the community report and the workbook.

The demo is simulated once (not timed); the first sheet also pays the one-off font subsetting of the
process, reported separately. Run: `.venv/bin/python benchmarks/bench_reports.py`.
"""

from __future__ import annotations

import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cer_core.api import demo_workspace, run  # noqa: E402
from cer_core.export.xlsx import results_workbook  # noqa: E402
from cer_core.export.report import community_report_pdf, member_sheet_pdf, member_sheets_zip  # noqa: E402

TARGET_SHEETS_S = 10.0


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> int:
    outcome = run(demo_workspace())
    n = len(outcome.summary["members"])
    first, _ = timed(member_sheet_pdf, outcome, outcome.summary["members"][0]["id"], "it")
    print(f"first sheet (includes font subsetting, once per process): {first:.2f} s")
    one, pdf = timed(member_sheet_pdf, outcome, outcome.summary["members"][3]["id"], "it")
    print(f"one member sheet: {one:.3f} s, {len(pdf) / 1024:.0f} KiB")
    all_s, zipped = timed(member_sheets_zip, outcome, "it")
    with zipfile.ZipFile(BytesIO(zipped)) as zf:
        assert len(zf.namelist()) == n
    verdict = "OK" if all_s <= TARGET_SHEETS_S else "OVER TARGET"
    print(f"{n} member sheets in a zip: {all_s:.2f} s ({all_s / n * 1000:.0f} ms/sheet), {len(zipped) / 1024:.0f} KiB"
          f" — target ≤ {TARGET_SHEETS_S:.0f} s: {verdict}")
    rep, pdf = timed(community_report_pdf, outcome, "it")
    print(f"community report: {rep:.2f} s, {len(pdf) / 1024:.0f} KiB")
    wb, data = timed(results_workbook, outcome.results, "it", outcome.scenario)
    print(f"workbook with inputs and hourly sheets: {wb:.2f} s, {len(data) / 1024:.0f} KiB")
    return 0 if all_s <= TARGET_SHEETS_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
