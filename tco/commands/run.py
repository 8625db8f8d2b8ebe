"""`tco run [FILE...]`: evaluate scenarios and print the ranked comparison."""

from __future__ import annotations

import argparse
import sys


def add_scenario_arguments(p: argparse.ArgumentParser, files: bool = True) -> None:
    if files:
        p.add_argument("files", nargs="*", metavar="FILE", help="scenario files (default: the bundled examples)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override an input, e.g. workload.requests_per_day=5000 or options.ID.payment.gpu_usd_per_hour=2.5 (repeatable)")
    p.add_argument("--hardware-dir", action="append", default=[], metavar="DIR", help="extra hardware catalog folder (overrides bundled records)")
    p.add_argument("--pricing-dir", action="append", default=[], metavar="DIR", help="your own price sheets (override bundled ones)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date that picks prices in force (default: today)")


def register(sub) -> None:
    p = sub.add_parser("run", help="compare the options of scenario files (ranked, per scenario)",
                       description="Evaluate scenario files (or the bundled examples) and print the options ranked by total cost.")
    add_scenario_arguments(p)
    p.add_argument("--format", choices=("table", "csv", "json", "parquet", "focus"), default="table",
                   help="focus: FOCUS 1.2 cost rows (CSV; parquet when --output ends in .parquet)")
    p.add_argument("--output", "-o", metavar="PATH", help="write to PATH instead of stdout (parquet needs it)")
    p.add_argument("--xlsx", metavar="OUT.xlsx", help="also write the finance workbook")
    p.add_argument("--no-breakeven", action="store_true", help="skip solving the break-even volume (faster)")
    p.set_defaults(func=run)


def as_of(args):
    import datetime as dt

    from tco.errors import DataProblem, TcoUserError

    if not getattr(args, "as_of", None):
        return None
    try:
        return dt.date.fromisoformat(args.as_of)
    except ValueError:
        raise TcoUserError(DataProblem("--as-of", None, "", f"not a date: {args.as_of!r} (write YYYY-MM-DD)")) from None


def evaluate_args(args, with_breakeven: bool = True):
    """The command line's files, --set, catalog folders and --as-of, through the one pipeline: a `tco.run.Run`."""
    from pathlib import Path

    from tco.run import resolve_files, run_scenarios

    return run_scenarios(resolve_files(getattr(args, "files", None)), today=as_of(args), overrides=args.overrides,
                         hardware_dirs=[Path(d) for d in args.hardware_dir], pricing_dirs=[Path(d) for d in args.pricing_dir],
                         with_breakeven=with_breakeven)


def run(args) -> int:
    from tco.report.table import print_rows
    from tco.report.results import TABLE_COLUMNS, result_records

    run = evaluate_args(args, with_breakeven=not args.no_breakeven)
    results = run.results
    for warning in run.problems:
        print(warning.render(), file=sys.stderr)
    records = result_records(results)
    if args.xlsx:
        from pathlib import Path

        from tco.export.excel import export_workbook

        written = export_workbook(run, Path(args.xlsx))
        print(f"wrote {written}", file=sys.stderr)
    if args.format == "focus":
        from tco.report.focus_write import write_focus

        write_focus(results, args.output)
        return 0
    write_records(records, args.format, args.output, TABLE_COLUMNS, results)
    return 0


def write_records(records, fmt: str, output: str | None, columns, results=None) -> None:
    import io
    from pathlib import Path

    from tco.report.table import print_rows
    from tco.commands._common import write_parquet

    if fmt == "parquet":
        import polars as pl

        write_parquet(pl.DataFrame([{k: v for k, v in r.items() if k != "breakdown_usd"} for r in records]), output)
        return
    buffer = io.StringIO()
    if fmt == "table":
        _print_table(records, columns, buffer, results)
    else:
        print_rows(records, fmt, columns if fmt == "csv" else None, out=buffer)
    if output:
        from tco.files import files_read, write_atomic

        write_atomic(Path(output), buffer.getvalue(), inputs=files_read())
    else:
        sys.stdout.write(buffer.getvalue())


def _print_table(records, columns, out, results) -> None:
    from tco.report.table import print_rows

    scenarios = list(dict.fromkeys(r["scenario"] for r in records))
    for i, sid in enumerate(scenarios):
        rows = [r for r in records if r["scenario"] == sid]
        if i:
            out.write("\n")
        title = rows[0]["scenario"]
        out.write(f"== {title}\n")
        shown = [{
            "rank": r["rank"] if r["rank"] is not None else "excl.",
            "option": r["option"], "kind": r["kind"],
            "total $": _money(r["total_cost_usd"]), "NPV $": _money(r["npv_usd"]),
            "$/M tokens": f"{r['cost_per_million_tokens_usd']:.3f}",
            "$/request": f"{r['cost_per_request_usd']:.5f}",
            "GPUs": "" if r["kind"] == "api" else f"{r['gpus_peak']:g}",
            "util": "" if r["utilization_average"] is None else f"{r['utilization_average']:.0%}",
            "break-even req/day": _breakeven(r),
            "BE month": "" if r["breakeven_month"] is None else str(r["breakeven_month"]),
            **({"capability": _capability(r)} if any(x.get("capability_verdict") for x in rows) else {}),
        } for r in rows]
        print_rows(shown, "table", out=out)
        if results is not None:
            from tco.engine.compare import recommendation

            out.write(recommendation(results, sid) + "\n")
        for r in rows:
            if r["excluded_reason"]:
                out.write(f"  {r['option']}: excluded: {r['excluded_reason']}\n")
    if any(r["breakeven_at_step"] for r in records):
        out.write("\n* the costs never meet exactly there: one more replica makes self-hosting jump above the API line.\n")


def _breakeven(r) -> str:
    if r["kind"] == "api" or r["breakeven_reference_option"] is None:
        return ""
    if r["breakeven_requests_per_day"] is None:
        return "never"
    return _money(r["breakeven_requests_per_day"]) + ("*" if r["breakeven_at_step"] else "")


def _capability(r) -> str:
    verdict = r.get("capability_verdict")
    if not verdict:
        return ""
    score = r.get("capability_score")
    text = verdict if score is None else f"{score:.1f} {verdict}"
    if r.get("on_capability_frontier"):
        text += " (frontier)"
    if r.get("rank_below_requirement"):
        text += f" #{r['rank_below_requirement']} below"
    return text


def _money(value) -> str:
    return "" if value is None else f"{value:,.0f}"
