"""Command line: ``python -m cer_core simulate|validate|report|load|forecast``.

Exit codes: 0 success, 2 invalid input (the message, one line per problem, on stderr), 1 an internal error
(one line, no traceback), 141 standard output closed by its reader (`... | head`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .errors import CerInputError, excerpt
from .i18n import text

EXIT_OK, EXIT_INVALID = 0, 2
#: An unexpected error (a bug): one line on stderr, no traceback.
EXIT_INTERNAL = 1
#: Standard output closed by its reader (``python -m cer_core validate | head -0``): 128 + SIGPIPE, as a shell
#: reports a command ended by a broken pipe.
EXIT_BROKEN_PIPE = 141


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush does not fail again (Python's
    documentation, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _lang(args) -> str:
    if getattr(args, "lang", None):
        return args.lang
    env = os.environ.get("CER_LANG") or os.environ.get("LANG", "")
    return "en" if env.lower().startswith("en") else "it"


def _open(path: str | None):
    from .api import demo_workspace
    from .workspace import open_workspace

    return demo_workspace() if path is None else open_workspace(path)


def cmd_simulate(args) -> int:
    from .api import run
    from .export.files import write_results

    outcome = run(_open(args.scenario))
    paths = write_results(outcome.results, args.out, hourly_format=args.format)
    lang = _lang(args)
    for w in outcome.warnings:
        print(text("cli.warning_prefix", lang) + excerpt(w.message(lang), 300), file=sys.stderr)
    t = outcome.summary["totals"]
    print(text("cli.simulate.headline", lang, name=outcome.scenario.name, year=outcome.scenario.year,
               production_mwh=t["production_kwh"] / 1000, shared_mwh=t["shared_kwh"] / 1000,
               incentives_eur=t["cer_incentives_eur"], cer_money_eur=t["cer_money_eur"]))
    for p in paths:
        print(p)
    return EXIT_OK


def cmd_validate(args) -> int:
    from .api import validate

    sc, problems = validate(_open(args.scenario))
    lang = _lang(args)
    for p in problems:
        print(excerpt(p.message(lang), 300), file=sys.stderr)
    if sc is None:
        return EXIT_INVALID
    print(text("cli.validate.ok", lang))
    return EXIT_OK


def cmd_load(args) -> int:
    from .io.report import load_command

    return load_command(args, _lang(args))


def cmd_report(args) -> int:
    """Simulate and write the community report, the member sheets and the workbook (``cer_core.export.report``)."""
    from .api import run
    from .export.report import write_reports

    lang = _lang(args)
    outcome = run(_open(args.scenario))
    for w in outcome.warnings:
        print(text("cli.warning_prefix", lang) + w.message(lang), file=sys.stderr)
    for p in write_reports(outcome, args.out, lang):
        print(p)
    return EXIT_OK


def cmd_forecast(args) -> int:
    """The community's next 72 hours (``cer_core.forecast``): the source line, the hourly table, each member's windows."""
    from .api import run
    from .forecast import community_forecast, table_text, window_text

    lang = _lang(args)
    forecast = None
    if args.from_file:
        from .io.openmeteo import read_forecast

        with open(args.from_file, "rb") as fh:
            forecast = read_forecast(fh.read(), os.path.basename(args.from_file))
    if args.offline:
        os.environ["CER_STUDIO_OFFLINE"] = "1"  # the typical year too: no PVGIS download
    ws = _open(args.scenario)
    outcome = run(ws, shapley=False)
    fc = community_forecast(outcome.scenario, outcome.results, forecast=forecast, offline=args.offline,
                            read_file=ws.read_file)
    print("# " + text("notes.forecast.source_line", "it" if lang == "it" else "en", note=fc.note(lang)))
    print(table_text(fc, lang))
    today = fc.hours_utc[0].tz_convert("Europe/Rome").date()
    for member_id, name in zip(fc.member_ids, fc.member_names):
        for w in fc.member_windows(member_id):
            print(f"{name}: {window_text(w, today, lang)}")
    return EXIT_OK


def cmd_batch(args) -> int:
    """Simulate every scenario of a folder in parallel (``cer_core.batch``); 2 when any of them failed."""
    from .batch import SUMMARY_FILE, find_scenarios, run_batch

    lang = _lang(args)
    paths = find_scenarios(args.scenarios_dir)
    if not paths:
        print(text("cli.batch.none", lang, folder=excerpt(args.scenarios_dir, 120)), file=sys.stderr)
        return EXIT_INVALID
    results = run_batch(paths, args.out, workers=args.workers, scheduler=args.scheduler, lang=lang,
                        progress=False if args.no_progress else None)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"{r.label}: {r.row['error']}", file=sys.stderr)
    done = len(results) - len(failed)
    print(text("cli.batch.done", lang, done=done, failed=len(failed), table=str(Path(args.out) / SUMMARY_FILE)))
    return EXIT_INVALID if failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cer_core", description="CER Studio calculation core")
    parser.add_argument("--lang", choices=["it", "en"], help="language of messages (default: it, or CER_LANG)")
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="simulate a scenario (default: the embedded demo) and write the results")
    sim.add_argument("scenario", nargs="?", help="scenario JSON or .zip bundle (default: embedded demo)")
    sim.add_argument("--out", required=True, help="output folder")
    sim.add_argument("--format", choices=["csv", "parquet"], default="csv",
                     help="format of the hourly tables (default csv; parquet: columnar, compressed)")
    sim.set_defaults(func=cmd_simulate)
    val = sub.add_parser("validate", help="check a scenario file without simulating")
    val.add_argument("scenario", nargs="?", help="scenario JSON or .zip bundle (default: embedded demo)")
    val.set_defaults(func=cmd_validate)
    rep = sub.add_parser("report", help="write the community report, member sheets (PDF) and the workbook")
    rep.add_argument("scenario", nargs="?", help="scenario JSON or .zip bundle (default: embedded demo)")
    rep.add_argument("--out", required=True, help="output folder")
    rep.add_argument("--lang", choices=["it", "en"], default=argparse.SUPPRESS, help="language of the reports")
    rep.set_defaults(func=cmd_report)
    load = sub.add_parser("load", help="import a meter export or bills and write the hourly series")
    load.add_argument("file", help="meter export, bills CSV, Chain 2 log, ...")
    load.add_argument("--year", type=int, help="simulated year (default: the year the file covers most)")
    load.add_argument("--out", help="write the hourly series here (timestamp,kwh)")
    load.set_defaults(func=cmd_load)
    fc = sub.add_parser("forecast", help="the community's next 72 hours: production, load, shared energy, surplus")
    fc.add_argument("scenario", nargs="?", help="scenario JSON or .zip bundle (default: embedded demo)")
    fc.add_argument("--offline", action="store_true", help="no network: the labelled clear-sky fallback")
    fc.add_argument("--from-file", metavar="RESPONSE.json", help="a saved Open-Meteo answer instead of asking")
    fc.set_defaults(func=cmd_forecast)


    bat = sub.add_parser("batch", help="simulate every scenario of a folder in parallel (local cores or Dask)")
    bat.add_argument("scenarios_dir", help="folder of scenario JSON files and .zip bundles")
    bat.add_argument("--out", required=True, help="output folder (batch_summary.csv and one summary.json each)")
    bat.add_argument("--workers", type=int, help="local worker processes (default: the machine's cores)")
    bat.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: local cores)")
    bat.add_argument("--no-progress", action="store_true", help="no progress bar")
    bat.set_defaults(func=cmd_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CerInputError as exc:
        print("\n".join(excerpt(line, 300) for line in exc.message(_lang(args)).splitlines()), file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (`... | head`): nothing to say, like other commands
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        print(f"{excerpt(exc.filename or '', 120)}: {excerpt(exc.strerror or exc, 200)}", file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:
        print("JSON annidato troppo in profondità / JSON nested too deeply", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback (docs/limits.md)
        print(f"errore interno / internal error: {type(exc).__name__}: {excerpt(exc, 200)}", file=sys.stderr)
        return EXIT_INTERNAL


def leave(rc: int) -> NoReturn:
    """End the ``python -m cer_core`` process with exit code ``rc``, skipping the interpreter's teardown.

    After a command, a normal exit spends about 0.2 s tearing down the ~1,000 modules pandas, pvlib,
    SciPy and holidays bring (clearing each module, collecting garbage), with nothing to show for it:
    every file the command writes is closed by then. So when no other thread runs, the process runs
    what a normal exit would (the ``atexit`` handlers: logging, Dask), flushes standard output and
    error, and ends with :func:`os._exit` (the technique of Instagram's "Dismissing Python garbage
    collection", 2017). With another thread alive (a Dask client, a progress bar), or when the output
    cannot be flushed, it exits normally; ``CER_STUDIO_FULL_EXIT=1`` asks for a normal exit always.
    Never called by the studio or the tests' in-process calls of :func:`main`.
    """
    import atexit
    import threading

    if threading.active_count() > 1 or os.environ.get("CER_STUDIO_FULL_EXIT") == "1":
        raise SystemExit(rc)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: let the interpreter report it as it does
        raise SystemExit(rc)
    atexit._run_exitfuncs()  # what Py_Finalize would run first (it runs them once; os._exit skips the rest)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(rc)


if __name__ == "__main__":
    leave(main())
