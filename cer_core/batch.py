"""Many scenarios at once: ``python -m cer_core batch SCENARIOS_DIR --out DIR``.

Every ``*.json`` and ``*.zip`` scenario of the folder is simulated, in parallel on the local cores
(:class:`concurrent.futures.ProcessPoolExecutor`) or on a Dask cluster when given its scheduler's address
(``--scheduler tcp://host:8786``; the same code, nothing to change in the scenarios). Each scenario is opened
here and sent with the files it references, so the cluster's workers need no shared folder. Results come
back as ``summary.json`` documents, written under ``DIR/<scenario>/summary.json``, and one table of
headline figures, ``DIR/batch_summary.csv`` (one row per scenario, failures included with their reason).
A scenario that fails is reported and the others go on.
"""

from __future__ import annotations

import csv
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CerInputError, error, excerpt
from .textsafe import neutralise_formula

#: Columns of ``batch_summary.csv``: the scenario, its size, its energy and the CER's money.
HEADLINE_COLUMNS = ("scenario", "status", "name", "year", "members", "plants", "kwp", "production_kwh",
                    "consumption_kwh", "shared_kwh", "self_sufficiency_ratio", "tip_eur", "valorisation_eur",
                    "cer_incentives_eur", "energy_sale_eur", "bill_savings_eur", "net_benefit_eur", "seconds",
                    "error")
SUMMARY_FILE = "batch_summary.csv"


@dataclass
class ScenarioResult:
    """What one scenario gave: its headline row and its ``summary.json`` document (None when it failed)."""

    label: str
    row: dict
    summary: dict | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.summary is not None


def find_scenarios(folder: str | Path) -> list[Path]:
    """The scenario files of ``folder`` (``*.json`` and ``*.zip``, not recursive), sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise error(excerpt(str(folder), 120), "problems.batch.no_folder", "batch.no_folder")
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".zip"))


def scenario_label(path: Path, taken: set[str]) -> str:
    """The scenario's output folder name: its file name without ``.json`` / ``.cerstudio.zip`` / ``.zip``."""
    name = path.name
    for suffix in (".cerstudio.zip", ".zip", ".json"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    label = name or path.name
    if label in taken:
        label = path.name
    taken.add(label)
    return label


def _failure(label: str, message: str, seconds: float = 0.0) -> ScenarioResult:
    row = {key: "" for key in HEADLINE_COLUMNS}
    row.update(scenario=label, status="error", seconds=round(seconds, 3), error=message)
    return ScenarioResult(label, row, None, [message])


def open_scenario(path: Path, lang: str = "it"):
    """The workspace of ``path`` with every file it references read into memory (for remote workers),
    or a one-line reason it cannot be opened."""
    from .workspace import normalise_relpath, open_workspace

    try:
        ws = open_workspace(path)
    except CerInputError as exc:
        return None, exc.message(lang).splitlines()[0]
    except (OSError, ValueError) as exc:
        return None, excerpt(f"{type(exc).__name__}: {exc}", 200)
    for rel in ws.referenced_paths():
        try:
            key = normalise_relpath(rel)
            if key not in ws.files and ws.has_file(rel):
                ws.files[key] = ws.read_file(rel)
        except (CerInputError, OSError, ValueError):
            continue  # the simulation reports it, with its JSON path
    return ws, None


def simulate_one(label: str, ws, lang: str = "it") -> ScenarioResult:
    """Simulate one opened scenario (in a worker): its headline row and summary, or why it failed. Never raises."""
    from .api import run
    from .export.files import summary_document

    start = time.perf_counter()
    try:
        outcome = run(ws, shapley=False)
    except CerInputError as exc:
        lines = exc.message(lang).splitlines()
        result = _failure(label, excerpt("; ".join(lines[:3]), 300), time.perf_counter() - start)
        result.problems = lines
        return result
    except Exception as exc:  # noqa: BLE001 - one failed scenario must not stop the batch
        return _failure(label, excerpt(f"internal error: {type(exc).__name__}: {exc}", 300),
                        time.perf_counter() - start)
    seconds = time.perf_counter() - start
    summary = summary_document(outcome.results)
    totals = summary.get("totals", {})
    row = {key: totals.get(key, "") for key in HEADLINE_COLUMNS}
    row.update(scenario=label, status="ok", name=outcome.scenario.name, year=outcome.scenario.year,
               seconds=round(seconds, 3), error="")
    return ScenarioResult(label, row, summary)


def _simulate_path(label: str, path: str, lang: str) -> ScenarioResult:
    """Open and simulate (a local worker process reads the file itself)."""
    ws, why = open_scenario(Path(path), lang)
    if ws is None:
        return _failure(label, why)
    return simulate_one(label, ws, lang)


def _progress(total: int, show: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, unit="scenario", desc="batch", disable=(None if show is None else not show))


def run_batch(paths: list[Path], out_dir: str | Path, *, workers: int | None = None, scheduler: str | None = None,
              lang: str = "it", progress: bool | None = None) -> list[ScenarioResult]:
    """Simulate ``paths`` in parallel and write their summaries and the headline table into ``out_dir``.

    Parameters
    ----------
    paths : list of Path
        Scenario files (JSON or bundles).
    out_dir : str or Path
        Output folder (created): ``batch_summary.csv`` and ``<scenario>/summary.json``.
    workers : int, optional
        Local worker processes (default: the machine's cores). Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): the scenarios run on its workers.
    progress : bool or None
        Show a progress bar (None: only on a terminal).

    Returns
    -------
    list of ScenarioResult
        In the order of ``paths``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    labels = [scenario_label(p, taken) for p in paths]
    if scheduler:
        results = _run_dask(paths, labels, scheduler, lang, progress)
    else:
        results = _run_local(paths, labels, workers, lang, progress)
    ordered = [results[label] for label in labels]
    write_outputs(ordered, out)
    return ordered


def _run_local(paths, labels, workers, lang, progress) -> dict[str, ScenarioResult]:
    results: dict[str, ScenarioResult] = {}
    workers = max(1, min(workers or os.cpu_count() or 1, len(paths) or 1))
    bar = _progress(len(paths), progress)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_simulate_path, label, str(path), lang): label for label, path in zip(labels, paths)}
        for future in as_completed(futures):
            label = futures[future]
            try:
                results[label] = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died: that scenario fails, the rest go on
                results[label] = _failure(label, excerpt(f"worker failed: {type(exc).__name__}: {exc}", 300))
            bar.update(1)
            bar.set_postfix_str(label, refresh=False)
    bar.close()
    return results


def _run_dask(paths, labels, scheduler, lang, progress) -> dict[str, ScenarioResult]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    results: dict[str, ScenarioResult] = {}
    bar = _progress(len(paths), progress)
    with Client(scheduler) as client:
        futures = {}
        for label, path in zip(labels, paths):
            ws, why = open_scenario(path, lang)
            if ws is None:
                results[label] = _failure(label, why)
                bar.update(1)
                continue
            futures[client.submit(simulate_one, label, ws, lang, pure=False, key=f"cer-{label}-{time.time_ns()}")] = label
        for future in dask_completed(list(futures)):
            label = futures[future]
            try:
                results[label] = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: that scenario fails, the rest go on
                results[label] = _failure(label, excerpt(f"worker failed: {type(exc).__name__}: {exc}", 300))
            bar.update(1)
            bar.set_postfix_str(label, refresh=False)
    bar.close()
    return results


def write_outputs(results: list[ScenarioResult], out: Path) -> list[Path]:
    """``<scenario>/summary.json`` of each successful scenario and ``batch_summary.csv`` of them all."""
    import json

    paths = []
    for r in results:
        if r.summary is not None:
            folder = out / r.label
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "summary.json"
            path.write_text(json.dumps(r.summary, indent=1, ensure_ascii=False), encoding="utf-8")
            paths.append(path)
    table = out / SUMMARY_FILE
    with open(table, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADLINE_COLUMNS)
        for r in results:
            writer.writerow([_cell(r.row.get(key, "")) for key in HEADLINE_COLUMNS])
    return [table, *paths]


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""
    if isinstance(value, (int, bool)):
        return str(value)
    return neutralise_formula(value)
