"""`tco run [FILE...]`: evaluate scenarios and print the ranked comparison."""

from __future__ import annotations

import argparse
import os
import sys


def add_scenario_arguments(p: argparse.ArgumentParser, files: bool = True) -> None:
    if files:
        p.add_argument("files", nargs="*", metavar="FILE", help="scenario files (default: the bundled examples)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override an input, e.g. workload.requests_per_day=5000 or options.ID.payment.gpu_usd_per_hour=2.5 (repeatable)")
    p.add_argument("--hardware-dir", action="append", default=[], metavar="DIR", help="extra hardware catalog folder (overrides bundled records)")
    p.add_argument("--pricing-dir", action="append", default=[], metavar="DIR", help="your own price sheets (override bundled ones)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the run's date: the start of scenarios without finance.start_date (default: today); a scenario "
                   "with one pays the prices in force from its own start")


def register(sub) -> None:
    p = sub.add_parser("run", help="compare the options of scenario files (ranked, per scenario)",
                       description="Evaluate scenario files (or the bundled examples) and print the options ranked by total cost.")
    add_scenario_arguments(p)
    p.add_argument("--format", choices=("table", "csv", "json", "parquet", "focus"), default="table",
                   help="focus: FOCUS 1.2 cost rows (CSV; parquet when --output ends in .parquet)")
    p.add_argument("--output", "-o", metavar="PATH", help="write to PATH instead of stdout (parquet needs it)")
    p.add_argument("--xlsx", metavar="OUT.xlsx", help="also write the finance workbook")
    p.add_argument("--no-breakeven", action="store_true", help="skip solving the break-even volume (faster)")
    p.add_argument("--skip-unrunnable", action="store_true",
                   help="leave out, with a warning, an option that cannot run (weights larger than its GPUs, a latency "
                        "target it cannot meet) instead of stopping every file with exit 4 (batch evaluation)")
    p.set_defaults(func=run)


def as_of(args):
    """The `--as-of` date, held to the bounds of `finance.start_date`.

    Why the bounds: the date stands in for a scenario's start, and the engine walks up to 120 months from it;
    a year like 9990 overflowed the calendar (a traceback) and 1990 priced a scenario with today's models.
    """
    import datetime as dt

    from tco.errors import DataProblem, TcoUserError
    from tco.model.base import EARLIEST_DATE, LATEST_DATE

    if not getattr(args, "as_of", None):
        return None
    try:
        day = dt.date.fromisoformat(args.as_of)
    except ValueError:
        raise TcoUserError(DataProblem("--as-of", None, "", f"not a date: {args.as_of!r} (write YYYY-MM-DD)")) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise TcoUserError(DataProblem("--as-of", None, "", f"must be between {EARLIEST_DATE.isoformat()} and "
                                       f"{LATEST_DATE.isoformat()}, got {day.isoformat()}"))
    return day


def evaluate_args(args, with_breakeven: bool = True):
    """The command line's files, --set, catalog folders and --as-of, through the one pipeline: a `tco.run.Run`."""
    from pathlib import Path

    from tco.run import resolve_files, run_scenarios

    return run_scenarios(resolve_files(getattr(args, "files", None)), today=as_of(args), overrides=args.overrides,
                         hardware_dirs=[Path(d) for d in args.hardware_dir], pricing_dirs=[Path(d) for d in args.pricing_dir],
                         with_breakeven=with_breakeven, skip_unrunnable=getattr(args, "skip_unrunnable", False))


def run(args) -> int:
    from tco.errors import DataProblem, TcoUserError
    from tco.report.results import CSV_COLUMNS, result_records

    from tco.commands._common import refuse_bad_output_names, say_backup

    refuse_bad_output_names(args.output, args.format, args.xlsx)
    _refuse_one_file_for_two_outputs(args.output, args.xlsx)
    if args.no_breakeven and args.xlsx:
        # the workbook shows the solved break-even and checks its live search against it: unsolved, it said "never"
        # and its own checks were red the moment it was written
        raise TcoUserError(DataProblem("--no-breakeven", None, "", "the workbook (--xlsx) needs the break-even volume: "
                                       "it shows it and checks the sheet's own search against it",
                                       hint="drop --no-breakeven, or write the workbook in a run of its own"))
    run = evaluate_args(args, with_breakeven=not args.no_breakeven)
    results = run.results
    for warning in run.problems:
        print(warning.render(), file=sys.stderr)
    records = result_records(results, breakeven_solved=not args.no_breakeven)
    _refuse_output_before_the_workbook(args.output, args.format, bool(args.xlsx))
    if args.xlsx:
        from pathlib import Path

        from tco.export.excel import export_workbook

        written = export_workbook(run, Path(args.xlsx), on_backup=lambda kept: say_backup(args.xlsx, kept))
        print(f"wrote {written}", file=sys.stderr)
    if args.format == "focus":
        from tco.report.focus_write import write_focus

        kept = write_focus(results, args.output)
        say_backup(args.output, kept)
        return 0
    write_records(records, args.format, args.output, CSV_COLUMNS, results, wide=getattr(args, "wide", False))
    return 0


def _refuse_output_before_the_workbook(output: str | None, fmt: str, with_workbook: bool) -> None:
    """The table's output, checked as writing it will check it, before the workbook is written (exit 2 or 3).

    Why: the inputs read are known only once the scenarios are loaded, so `--output` naming one of them (or a file
    of a `--pricing-dir`) was refused only after `--xlsx` had written (or replaced) the workbook; a refused command
    writes nothing."""
    from pathlib import Path

    from tco.commands._common import refuse_parquet_without_output
    from tco.files import files_read, refuse_unsafe_target

    if not with_workbook:
        return
    if fmt == "parquet":
        refuse_parquet_without_output(output)
    if output:
        refuse_unsafe_target(Path(output), files_read())


def _refuse_one_file_for_two_outputs(output: str | None, xlsx: str | None) -> None:
    """`--output X --xlsx X`: refused before any work (exit 2).

    Why: the workbook was written, then replaced by the table (a text file named .xlsx), the workbook pushed into a
    backup. A device (`/dev/null`) takes both, as a shell's `>` would.
    """
    from pathlib import Path

    from tco.errors import DataProblem, TcoUserError
    from tco.files import writes_in_place

    if not output or not xlsx or writes_in_place(Path(output)):
        return
    if os.path.realpath(output) == os.path.realpath(xlsx):
        raise TcoUserError(DataProblem("--output", None, "", f"{output} is also the --xlsx workbook; the two outputs need two files",
                                       hint="give the table (--output) and the workbook (--xlsx) different names"))


def write_records(records, fmt: str, output: str | None, columns=None, results=None, wide: bool = False) -> None:
    """The records in one format of the one output schema (tco.report.results): JSON as they are,
    CSV with every flat column at full precision, parquet and the table from the same names."""
    import io
    from pathlib import Path

    from tco.commands._common import write_parquet
    from tco.report.results import CSV_COLUMNS, frame_records, results_frame
    from tco.report.table import print_rows

    if fmt == "parquet":
        write_parquet(results_frame(records), output)
        return
    buffer = io.StringIO()
    if fmt == "table":
        from tco.report.run_table import write_run_table

        write_run_table(records, buffer, results, wide=wide)
    elif fmt == "csv":
        print_rows(frame_records(records), fmt, columns or CSV_COLUMNS, out=buffer)
    else:
        print_rows(records, fmt, out=buffer)
    if output:
        from tco.commands._common import write_output

        write_output(output, buffer.getvalue())
    else:
        sys.stdout.write(buffer.getvalue())
