"""`tco export [FILE...] --xlsx OUT.xlsx`: the finance workbook of scenario files (or the bundled examples)."""

from __future__ import annotations

import sys


def register(sub) -> None:
    from tco.commands.run import add_scenario_arguments

    p = sub.add_parser("export", help="write the finance workbook (live Excel formulas, sources, charts)",
                       description="Evaluate scenario files (or the bundled examples) and write an .xlsx workbook whose "
                                   "Calculations sheets recompute every figure from named input cells.")
    add_scenario_arguments(p)
    p.add_argument("--xlsx", metavar="OUT.xlsx", required=True, help="the workbook to write (an existing file is kept as OUT.xlsx.bak)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from tco.commands.run import evaluate_args
    from tco.export.excel import export_workbook

    run = evaluate_args(args)
    results = run.results
    written = export_workbook(run, Path(args.xlsx))
    scenarios = results.options["scenario"].n_unique()
    print(f"wrote {written} ({scenarios} scenario(s), {results.options.height} option(s))", file=sys.stderr)
    return 0
