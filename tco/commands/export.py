"""`tco export [FILE...] --xlsx OUT.xlsx`: the finance workbook of scenario files (or the bundled examples)."""

from __future__ import annotations

import sys


def register(sub) -> None:
    from tco.commands.run import add_scenario_arguments

    p = sub.add_parser("export", help="write the finance workbook (live Excel formulas, sources, charts)",
                       description="Evaluate scenario files (or the bundled examples) and write an .xlsx workbook whose "
                                   "Calculations sheets recompute every figure from named input cells.")
    add_scenario_arguments(p)
    p.add_argument("--xlsx", metavar="OUT.xlsx", required=True,
                   help="the workbook to write; an existing file is kept as OUT.xlsx.bak or OUT.xlsx.<date-time>.bak (the 5 newest "
                        "dated backups are kept, a plain OUT.xlsx.bak never deleted); "
                        "never one of the input files")
    p.add_argument("--mkdir", action="store_true", help="create OUT.xlsx's folder if it is missing (otherwise that is an error)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from tco.commands.run import evaluate_args
    from tco.export.excel import export_workbook, input_files
    from tco.files import InputFolder, refuse_unsafe_target
    from tco.load.yaml_source import YAML_SUFFIXES
    from tco.run import resolve_files

    if not args.xlsx.strip():
        from tco.errors import DataProblem, TcoUserError

        raise TcoUserError(DataProblem("--xlsx", None, "", "the file name is empty", hint="give the workbook's file name"))
    target = Path(args.xlsx)
    # Checked before the (possibly long) evaluation, and again when writing (then with every data file read).
    folders = [InputFolder(Path(d), YAML_SUFFIXES) for d in [*args.pricing_dir, *args.hardware_dir]]
    refuse_unsafe_target(target, [*resolve_files(args.files), *folders], args.mkdir, label=f"--xlsx {args.xlsx}",
                         parents_hint="create it first, or pass --mkdir")
    run = evaluate_args(args)
    results = run.results
    for warning in run.problems:  # the same plausibility warnings `tco run` prints
        print(warning.render(), file=sys.stderr)
    kept: list = []
    written = export_workbook(run, target, make_parents=args.mkdir, inputs=input_files(run), on_backup=kept.append)
    scenarios = results.options["scenario"].n_unique()
    print(f"wrote {written} ({scenarios} scenario(s), {results.options.height} option(s))"
          + (f" (previous file kept as {kept[0]})" if kept else ""), file=sys.stderr)
    return 0
