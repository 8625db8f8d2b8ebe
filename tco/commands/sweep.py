"""`tco sweep FILE --vary PATH=V1,V2,...`: every option over the grid of the varied assumptions."""

from __future__ import annotations

import argparse
import sys

from tco.commands.run import add_scenario_arguments


def register(sub) -> None:
    p = sub.add_parser("sweep", help="evaluate every option over a grid of assumptions (--vary path=v1,v2,...)",
                       description="The cartesian grid over scenario paths (same syntax as --set): one output row per "
                                   "grid point x scenario x option, with the varied values as columns and the totals.")
    add_scenario_arguments(p)
    p.add_argument("--vary", action="append", default=[], metavar="PATH=V1,V2,...", required=True,
                   help="a scenario path and its values, e.g. workload.requests_per_day=1000,10000,100000 (repeatable)")
    p.add_argument("--format", choices=("table", "csv", "json", "parquet"), default="table")
    p.add_argument("--output", "-o", metavar="PATH", help="write to PATH instead of stdout (parquet needs it)")
    p.add_argument("--progress", choices=("auto", "always", "never"), default="auto",
                   help="progress bar on stderr (auto: when stderr is a terminal)")
    p.set_defaults(func=run)


def parse_vary(text: str) -> tuple[str, list[str], list[object]]:
    """`path=v1,v2` -> (path, raw texts, parsed values); values parse as in `--set` (YAML scalars)."""
    from tco.errors import DataProblem, TcoUserError

    if "=" not in text:
        raise TcoUserError(DataProblem("--vary", None, text, "expected PATH=V1,V2,..., e.g. workload.requests_per_day=1000,5000"))
    path, raw = text.split("=", 1)
    path = path.strip()
    texts = [t.strip() for t in raw.split(",")]
    if not path or not texts or any(not t for t in texts):
        raise TcoUserError(DataProblem("--vary", None, path or text, "give a path and at least one value, separated by commas"))
    from tco.load.scenarios import override_value

    # each value read exactly as `--set PATH=VALUE` reads it (`012` is 12, `1:30` stays text): one reader
    values = [override_value(t) for t in texts]
    return path, texts, values


def _refuse_overlapping_axes(paths: list[str], scenarios) -> None:
    """`--vary a.workload.x=... --vary workload.x=...`: two axes on one field of scenario `a` (exit 2).

    Why: the grid showed `a`'s rows at the first axis's value while the second's was computed."""
    from tco.engine.sweep import split_scenario_prefix
    from tco.errors import DataProblem, TcoUserError

    varied: dict[tuple[str, str], str] = {}
    for path in paths:
        chosen, parts = split_scenario_prefix(path, scenarios)
        # the volume per day and per month are one field: a file gives one of them, and the later --vary replaced
        # the other, so the rows showed a value that had no effect
        field = ".".join(parts).replace("workload.requests_per_month", "workload.requests_per_day")
        for scenario in chosen:
            earlier = varied.setdefault((scenario.id, field), path)
            if earlier != path:
                raise TcoUserError(DataProblem("--vary", None, path, f"varies `{'.'.join(parts)}` of scenario `{scenario.id}`, "
                                               f"which --vary {earlier} varies too", hint="give each field of a scenario one --vary"))


class _Progress:
    """A one-line bar on stderr; stdout stays data."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def run(args) -> int:
    import datetime as dt
    from pathlib import Path

    from tco.commands.run import as_of
    from tco.run import resolve_files

    from tco.commands._common import refuse_bad_output_names

    refuse_bad_output_names(args.output, args.format)
    progress = _Progress(args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty()))
    result = sweep(resolve_files(args.files), args.overrides, [parse_vary(t) for t in args.vary],
                   as_of(args) or dt.date.today(), [Path(d) for d in args.hardware_dir],
                   [Path(d) for d in args.pricing_dir], on_progress=progress)
    progress.finish()
    _write(result, args.format, args.output)
    return 0


def sweep(files, overrides: list[str], varies: list[tuple[str, list[str], list[object]]], today,
          hardware_dirs=(), pricing_dirs=(), catalog=None, on_progress=None):
    """Every option over the grid of `varies` ((path, texts, values) as `parse_vary` gives them).

    The files are read and validated once. A path the field map (tco.engine.fields) maps to one
    formula input by a linear rule is a column of the vectorized grid; each of its values is first
    checked by the scenario schema in memory, as `--set` would. A path that feeds a lookup (token
    counts, a GPU id, the start date) re-resolves the options for each of its values, through the
    same `--set` path that `tco run` takes. `catalog`: an already loaded catalog to use (tests).
    """
    import itertools

    import polars as pl

    from tco.engine.rows import build_rows
    from tco.engine.sweep import Axis, grid_size, input_targets, sweep_rows
    from tco.errors import DataProblem, TcoUserError
    from tco.load.catalog import load_catalog, providers_of
    from tco.load.scenarios import load_scenario_files, problems_from_rows

    paths = [v[0] for v in varies]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise TcoUserError(DataProblem("--vary", None, repeated[0], "this path is varied twice; give all its values in one --vary"))
    catalogs: dict[tuple, object] = {}

    def rows_for(extra: list[str], what: str):
        try:
            loaded = load_scenario_files(files, [*overrides, *extra])
        except TcoUserError as e:
            raise TcoUserError([_about(p, what, extra) for p in e.problems], e.exit_code) from None
        key = tuple(sorted(providers_of(loaded.scenarios)))
        if catalog is not None:
            catalogs[key] = catalog
        if key not in catalogs:
            catalogs[key] = load_catalog(set(key), list(hardware_dirs), list(pricing_dirs))
        rows, problems = build_rows(loaded.scenarios, catalogs[key], today)
        if problems:
            raise TcoUserError([_about(p, what, extra) for p in problems_from_rows(loaded, problems)])
        return loaded, rows

    base_loaded, base_rows = rows_for([], "")
    _refuse_overlapping_axes(paths, base_loaded.scenarios)
    fast, slow = [], []
    for path, texts, values in varies:
        targets = input_targets(path, base_loaded.scenarios, base_rows)
        if targets is not None and not targets:
            # nothing to vary: a mistyped option id would sweep the base figures under the varied column; --set says
            # why (no scenario has this path) or, where it takes the path, this axis changes nothing, as --set would not
            rows_for([f"{path}={texts[0]}"], f"--vary {path}={texts[0]}")
        (fast if targets is not None else slow).append((path, texts, values))
    for path, texts, values in fast:
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise TcoUserError(DataProblem("--vary", None, path, f"expected numbers, got {', '.join(texts)}"))
        for t, v in zip(texts, values):
            if not _schema_accepts(base_loaded.scenarios, path, v):
                rows_for([f"{path}={t}"], f"--vary {path}={t}")  # raises with the file, line and field, as --set does
    slow_grid = list(itertools.product(*[list(zip(texts, values)) for _, texts, values in slow]))
    fast_size = grid_size([Axis(p, tuple(v), ()) for p, _, v in fast])
    frames = []
    point_offset = 0
    for n, combo in enumerate(slow_grid):
        extra = [f"{path}={t}" for (path, _, _), (t, _) in zip(slow, combo)]
        loaded, rows = (base_loaded, base_rows) if not extra else rows_for(extra, "--vary " + " ".join(extra))
        axes = [Axis(path, tuple(float(v) for v in values), input_targets(path, loaded.scenarios, rows) or ())
                for path, _, values in fast]
        fixed = {path: _column_value(value, all_values) for (path, _, all_values), (_, value) in zip(slow, combo)}
        total_rows = len(slow_grid) * fast_size * len(rows)

        def report(done, _total, n=n, per=fast_size * len(rows)):
            if on_progress:
                on_progress(n * per + done, total_rows)

        frame = sweep_rows(rows, axes, fixed, on_progress=report)
        frames.append(frame.with_columns(pl.col("point") + point_offset))
        point_offset += fast_size
    return pl.concat(frames, how="vertical_relaxed")


def _schema_accepts(scenarios, path: str, value) -> bool:
    """Whether every scenario the path reaches accepts `value` there (checked in memory by the schema)."""
    from pydantic import ValidationError

    from tco.engine.fields import with_value
    from tco.engine.sweep import resolve_path, split_scenario_prefix

    from tco.load.scenarios import MAX_SCENARIO_NUMBER, MIN_SCENARIO_NUMBER

    if isinstance(value, (int, float)) and value != 0 and not MIN_SCENARIO_NUMBER <= abs(value) <= MAX_SCENARIO_NUMBER:
        return False  # the loader's limits on any number of a file, as --set meets them
    chosen, parts = split_scenario_prefix(path, scenarios)
    for scenario in chosen:
        field, option, _ = resolve_path(scenario, parts)
        if field is None:
            continue
        owner = option if option is not None else getattr(scenario, field.scope)
        try:
            changed = with_value(owner, field, value)
            # the scenario's own checks too (a horizon longer than the commitment terms the engine follows)
            data = scenario.model_dump()
            if option is not None:
                data["options"] = [changed.model_dump() if o is option else o.model_dump() for o in scenario.options]
            else:
                data[field.scope] = changed.model_dump()
            type(scenario).model_validate(data)
        except (ValidationError, ValueError):
            return False
    return True


def _about(problem, what: str, varied: list[str] = ()):
    """The problem with the grid point that raised it named; everything else kept as it was, except that a value the
    sweep set (`varied`, applied through --set's path) is said to come from --vary, the flag the user gave.

    Why `replace`: rebuilding the problem dropped its `cannot_run` and `severity`, so a --vary value that makes a
    configuration that cannot run exited 2 (bad input) where the same value given with --set exits 4.
    """
    from dataclasses import replace

    if not what:
        return problem
    paths = {text.split("=", 1)[0].strip() for text in varied}
    if problem.file == "--set" and problem.field.split("=", 1)[0].strip() in paths:
        problem = replace(problem, file="--vary")
    if problem.hint:
        hint = problem.hint
        for text in varied:
            shown = text if len(text) <= 80 else text[:77] + "..."
            hint = hint.replace(f"the value comes from --set {shown}", f"the value comes from --vary {shown}")
        problem = replace(problem, hint=hint)
    return replace(problem, message=f"{problem.message} (with {what})")


def _column_value(value, all_values):
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in all_values)
    return float(value) if numeric else str(value)


def _write(frame, fmt: str, output: str | None) -> None:
    import io
    from pathlib import Path

    from tco.commands._common import write_output, write_parquet
    from tco.engine.sweep import RESULT_COLUMNS
    from tco.report.table import print_rows

    if fmt == "parquet":
        write_parquet(frame, output)
        return
    text = io.StringIO()
    if fmt == "csv":
        frame.write_csv(text)
    elif fmt == "table":
        from tco.report.run_table import write_sweep_table

        fixed = ("point", "scenario", "option", "kind", "rank", *RESULT_COLUMNS)
        write_sweep_table(frame.to_dicts(), [c for c in frame.columns if c not in fixed], text)
    else:
        print_rows(frame.to_dicts(), fmt, out=text)
    if output:
        write_output(output, text.getvalue())
    else:
        sys.stdout.write(text.getvalue())
