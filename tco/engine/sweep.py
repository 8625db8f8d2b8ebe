"""Sweeps: the same options over a grid of assumptions, evaluated as one vectorized frame.

Why map scenario paths to formula inputs: most things people vary (volume, growth, a GPU price,
a discount) are one input column, so a grid point is a column edit, not a rebuild of the rows.
Paths that change a lookup (a GPU id, token counts that feed the throughput model, the start
date that picks a price) are not simple inputs: `input_targets` returns None for them and the
caller rebuilds the rows for each of their values.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable

import polars as pl

from tco.engine.evaluate import evaluate_totals, option_inputs
from tco.engine.fields import Field, find, option_scope
from tco.engine.rows import Row
from tco.model.scenario import ApiProvisionedOption, HybridOption, Scenario

CHUNK_ROWS = 1_000_000
"""Grid points x options per chunk. Each option's points are one frame whose unvaried inputs are
scalars; a frame whose months are added in blocks holds a few dozen columns per point, so a
chunk of one growing self-hosted option peaks under 1 GB (measured: 2 M points, 0.85 GB)."""

RESULT_COLUMNS = ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd", "gpus_peak",
                  "utilization_average", "energy_kwh", "carbon_kg_co2e")


@dataclass(frozen=True)
class InputTarget:
    """Setting a path to `value` sets input `input_name` of these rows to `offset + scale x value`."""

    rows: tuple[int, ...]
    input_name: str
    offset: float = 0.0
    scale: float = 1.0


@dataclass(frozen=True)
class Axis:
    """One `--vary`: a column name (the path), its values, and the inputs it sets."""

    name: str
    values: tuple[float, ...]
    targets: tuple[InputTarget, ...]


def input_targets(path: str, scenarios: list[Scenario], rows: list[Row]) -> tuple[InputTarget, ...] | None:
    """The inputs a scenario path sets (same path syntax as `--set`), or None if it is not a simple input.

    Read from the field map (tco.engine.fields), the same declaration the rows builder applies, so
    a swept value lands where `--set` would put it. An empty tuple means the path exists but has no
    effect on any row (e.g. a spot overhead on an on-demand option), exactly as the rows builder
    would ignore it.
    """
    chosen, parts = split_scenario_prefix(path, scenarios)
    targets: list[InputTarget] = []
    for scenario in chosen:
        found = _targets_in(scenario, parts, [r for r in rows if r.scenario_id == scenario.id])
        if found is None:
            return None
        targets.extend(found)
    return tuple(targets)


def split_scenario_prefix(path: str, scenarios: list[Scenario]) -> tuple[list[Scenario], list[str]]:
    """The scenarios a path addresses and the path inside them: `support.workload.x` names one scenario."""
    parts = [p for p in path.split(".") if p]
    ids = [s.id for s in scenarios]
    prefix = next((k for k in range(len(parts), 0, -1) if ".".join(parts[:k]) in ids), 0)
    if prefix and parts[0] not in ("workload", "finance", "options"):
        return [s for s in scenarios if s.id == ".".join(parts[:prefix])], parts[prefix:]
    return list(scenarios), parts


def resolve_path(scenario: Scenario, parts: list[str]) -> tuple[Field | None, Any, Any]:
    """(field, the option it belongs to or None, the object `applies` is asked about) for a path.

    Options are addressed by id (ids may hold dots: the longest id that matches wins) or by index.
    The option is None for an option path whose option this scenario does not have.
    """
    if len(parts) >= 2 and parts[0] in ("workload", "finance"):
        return find(parts[0], parts[1:]), None, scenario
    if len(parts) < 3 or parts[0] != "options":
        return None, None, None
    by_id = {o.id: o for o in scenario.options}
    for k in range(len(parts) - 1, 1, -1):
        option = by_id.get(".".join(parts[1:k]))
        if option is not None:
            return find(option_scope(option), parts[k:]), option, option
    if parts[1].isdigit() and int(parts[1]) < len(scenario.options):
        option = scenario.options[int(parts[1])]  # `--set` also takes a list index
        return find(option_scope(option), parts[2:]), option, option
    return None, None, None


def _targets_in(scenario: Scenario, parts: list[str], rows: list[Row]) -> list[InputTarget] | None:
    row_of = {r.option_id: r.row for r in rows}
    field, option, owner = resolve_path(scenario, parts)
    if field is None:
        if parts and parts[0] == "options" and owner is None:
            return []  # like --set: a scenario without this option is left alone
        return None
    if field.input is None or field.rebuild:
        return None
    if not field.applies(owner):
        return []
    if option is None:
        users = tuple(r.row for r in rows)
    else:
        users = tuple([row_of[option.id], *[row_of[o.id] for o in scenario.options if isinstance(o, HybridOption)
                                            and option.id in (o.api, o.self_hosted) and o.id in row_of],
                       *[row_of[o.id] for o in scenario.options if isinstance(o, ApiProvisionedOption)
                         and o.overflow_api == option.id and o.id in row_of]])
        if isinstance(option, HybridOption):
            users = (row_of[option.id],)
    return [InputTarget(users, field.input, field.offset, field.scale_for(scenario))]


def grid_size(axes: list[Axis]) -> int:
    size = 1
    for axis in axes:
        size *= len(axis.values)
    return size


def sweep_rows(rows: list[Row], axes: list[Axis], fixed: dict[str, object] | None = None,
               on_progress: Callable[[int, int], None] | None = None, chunk_rows: int = CHUNK_ROWS) -> pl.DataFrame:
    """One output row per grid point x row: the axis values, `fixed` columns, and the totals.

    `fixed` adds constant columns (the values of rebuilt paths for this batch of rows). Output
    in grid point order, then row order.
    """
    fixed = fixed or {}
    rows = sorted(rows, key=lambda r: r.row)
    points = list(itertools.product(*[a.values for a in axes])) if axes else [()]
    n_rows = len(rows)
    total_rows = len(points) * n_rows
    chunks = -(-len(points) // max(1, chunk_rows // max(n_rows, 1)))
    points_per_chunk = -(-len(points) // chunks)  # even chunks: a last sliver costs a whole months loop
    out = []
    done = 0
    for start in range(0, len(points), points_per_chunk):
        chunk = points[start:start + points_per_chunk]
        grid = pl.DataFrame({
            "point": pl.int_range(start, start + len(chunk), dtype=pl.Int64, eager=True),
            **{a.name: pl.Series([p[k] for p in chunk], dtype=pl.Float64) for k, a in enumerate(axes)},
        })
        results = []
        for row in rows:
            totals = evaluate_totals(_with_auto_base(row, axes, _row_frame(row, axes, grid))).select(*RESULT_COLUMNS)
            grid_swept = any(t.input_name == "grid_gco2e_per_kwh" and row.row in t.rows for a in axes for t in a.targets)
            if not (row.carbon_known or grid_swept):  # no grid intensity (or an API): not known, null as `tco run` says
                totals = totals.with_columns(pl.lit(None, dtype=pl.Float64).alias("carbon_kg_co2e"))
            results.append(pl.concat([grid.with_columns(pl.lit(row.row, dtype=pl.Int64).alias("source_row")), totals], how="horizontal"))
            done += len(chunk)
            if on_progress:
                on_progress(done, total_rows)
        result = pl.concat(results)
        result = result.with_columns(_ranks(rows, result["total_cost_usd"], len(chunk)))
        out.append(result[_point_major(len(chunk), n_rows)])  # row by row -> grid point by grid point
    result = pl.concat(out)
    position = pl.int_range(0, result.height, dtype=pl.Int64, eager=True) % n_rows
    for name, values in (("scenario", [r.scenario_id for r in rows]), ("option", [r.option_id for r in rows]),
                         ("kind", [r.kind for r in rows])):
        result = result.with_columns(pl.Series(name, values, dtype=pl.String).gather(position))
    for name, value in fixed.items():
        result = result.with_columns(pl.lit(value).alias(name))
    ordered = ["point", *fixed, *[a.name for a in axes], "scenario", "option", "kind", "rank", *RESULT_COLUMNS]
    return result.select(ordered)


def _point_major(points: int, n_rows: int) -> pl.Series:
    """Positions that reorder a chunk held row after row into grid point after grid point."""
    k = pl.int_range(0, points * n_rows, dtype=pl.Int64, eager=True)
    return (k % n_rows) * points + k // n_rows


def _row_frame(row: Row, axes: list[Axis], grid: pl.DataFrame) -> pl.DataFrame:
    """One option at every grid point of the chunk: the inputs an axis sets vary, the rest are scalars."""
    varied: dict[str, pl.Expr] = {}
    for axis in axes:
        for target in axis.targets:
            if row.row in target.rows:
                varied[target.input_name] = target.offset + target.scale * pl.col(axis.name)
    return option_inputs(row.values, grid, varied).with_columns(pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row"))


def _with_auto_base(row: Row, axes: list[Axis], frame: pl.DataFrame) -> pl.DataFrame:
    """A mixed fleet with `replicas: auto` gets its base chosen again at every grid point, as `--set` does.

    Unless an axis sets the base itself: then the swept size is the point of the sweep.
    """
    if not row.base_auto or any(t.input_name == "base_replicas" and row.row in t.rows for a in axes for t in a.targets):
        return frame
    from tco.engine.base_size import best_base_totals

    return frame.with_columns(best_base_totals(frame)["base_replicas"].cast(pl.Float64))


def _ranks(rows: list[Row], totals: pl.Series, points: int) -> pl.Series:
    """Rank of each option among the allowed options of its scenario at the same grid point.

    The chunk holds row after row, `points` values each, so the options to compare are aligned
    slices; ties go to the earlier row. Excluded options get no rank.
    """
    totals = totals.round(2)  # to the cent, as `compare` ranks: equal to the cent is a tie, the earlier row first
    slices = [totals.slice(i * points, points) for i in range(len(rows))]
    ranks = []
    for i, row in enumerate(rows):
        if row.excluded_reason is not None:
            ranks.append(pl.Series([None] * points, dtype=pl.Int32))
            continue
        rank = pl.repeat(1, points, dtype=pl.Int32, eager=True)
        for j, other in enumerate(rows):
            if j == i or other.scenario_id != row.scenario_id or other.excluded_reason is not None:
                continue
            ahead = (slices[j] < slices[i]) | ((slices[j] == slices[i]) & (other.row < row.row))
            rank = rank + ahead.cast(pl.Int32)
        ranks.append(rank)
    return pl.concat(ranks).alias("rank")
