"""`tco validate FILE...`: every problem of every file at once, `file:line: field: message`."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("validate", help="check scenario, hardware and pricing files; list every problem",
                       description="Check files and report every problem at once as file:line: field: message. "
                                   "With no FILE: the bundled examples and catalogs. Exit 0 when every file is valid "
                                   "(warnings alone do not fail), 4 when every problem is a configuration that cannot "
                                   "run (e.g. weights larger than GPU memory), else 2.")
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--hardware-dir", action="append", default=[], metavar="DIR",
                   help="extra hardware catalog folder to check and use (overrides bundled records; repeatable)")
    p.add_argument("--pricing-dir", action="append", default=[], metavar="DIR",
                   help="your own price sheets to check and use (override bundled ones; repeatable)")
    p.set_defaults(func=run)


def kind_of(data) -> str:
    if isinstance(data, dict):
        if "scenarios" in data or "workload" in data or "options" in data:
            return "scenario"
        if "id" in data and "models" in data:
            return "pricing"
        if any(k in data for k in ("gpus", "models", "offers", "cost_figures", "measurements")):
            return "hardware"
        if "scores" in data or "quality_models" in data:
            return "quality"
    return "scenario"


def run(args) -> int:
    from pathlib import Path

    from tco.errors import DataProblem, TcoUserError, exit_code_of
    from tco.load.yaml_source import load_yaml, validate_as

    problems: list[DataProblem] = []
    warnings: list[DataProblem] = []
    scenario_paths: list[Path] = []
    files = [Path(f) for f in args.files]
    if not files:
        from tco.run import example_files

        files = example_files()
        try:
            from tco.load.catalog import load_catalog

            load_catalog(None, [Path(d) for d in args.hardware_dir], [Path(d) for d in args.pricing_dir])
        except TcoUserError as e:
            problems.extend(e.problems)
    for path in files:
        try:
            data, lines = load_yaml(path)
        except TcoUserError as e:
            problems.extend(e.problems)
            continue
        kind = kind_of(data)
        try:
            if kind == "scenario":
                scenario_paths.append(path)
            elif kind == "hardware":
                from tco.model.hardware import HardwareFile

                validate_as(HardwareFile, data, str(path), lines)
            elif kind == "pricing":
                from tco.model.pricing import ApiProvider

                validate_as(ApiProvider, data, str(path), lines)
                from tco.load.plausibility import price_sheet_warnings

                warnings.extend(price_sheet_warnings(data, lines, str(path)))
        except TcoUserError as e:
            problems.extend(e.problems)
    if scenario_paths:
        problems.extend(_check_scenarios(args, scenario_paths, warnings))
    # One problem found by several checks (a --hardware-dir file is read once per scenario file) is said once.
    problems, warnings = list(dict.fromkeys(problems)), list(dict.fromkeys(warnings))
    for w in sorted(warnings):
        print(w.render(), file=sys.stderr)
    if problems:
        for p in sorted(problems, key=lambda p: (p.file, p.line or 0, p.field)):
            print(p.render(), file=sys.stderr)
        n_files = len({p.file for p in problems})
        print(f"{len(problems)} problem(s) in {n_files} file(s)", file=sys.stderr)
        return exit_code_of(problems)
    print(f"ok: {len(files)} file(s) valid", file=sys.stderr)
    return 0


def _check_scenarios(args, paths, warnings) -> list:
    """Schema, then references into the catalogs (unknown ids, configurations that cannot run)."""
    import datetime as dt
    from pathlib import Path

    from tco.errors import TcoUserError
    from tco.load.scenarios import load_scenario_files

    from tco.load.scenarios import duplicate_scenario_ids

    problems = []
    every = None
    for path in paths:
        try:
            loaded = load_scenario_files([path])
            every = loaded if every is None else _joined(every, loaded)
        except TcoUserError as e:
            problems.extend(e.problems)
            continue
        try:
            from tco.run import run_scenarios

            run = run_scenarios(loaded=loaded, hardware_dirs=[Path(d) for d in args.hardware_dir],
                                pricing_dirs=[Path(d) for d in args.pricing_dir], with_breakeven=False)
            warnings.extend(run.problems)
        except TcoUserError as e:
            problems.extend(e.problems)
    if every is not None:
        problems.extend(duplicate_scenario_ids(every))
    return problems


def _joined(a, b):
    """Two loaded sets as one, to find a scenario id used in two files."""
    from tco.load.scenarios import LoadedScenarios

    return LoadedScenarios(a.scenarios + b.scenarios, a.files + b.files, a.hashes | b.hashes, a.locations + b.locations)
