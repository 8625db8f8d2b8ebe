"""The reserved base of a mixed fleet with `replicas: auto`: the size with the lowest total cost.

Why a module of its own: `auto` is a decision, not an uncertain input. The row builder makes it at
the scenario's volume; break-even (another daily volume) and Monte Carlo (another state of the
world per draw) make it again, as a planner would, so their curves and spreads are those of the
best base at each point and not of a base fixed at the scenario's volume.

Which sizes are tried: the bases that fill their whole base instances, from none to the busiest
hour's fleet (at most AUTO_BASE_LIMIT), plus that fleet itself. Why that is exact: the base costs
its whole instances (`base_gpus`), so bases sharing an instance count cost the same, and a larger
base never rents more bursts (`burst_replicas_hNN` is max(fleet - base, 0)); nothing else depends
on the base. The largest base of each instance count is thus at least as cheap as the others, and
the smallest total of these candidates is the smallest total of every size (tests/engine/
test_base_size.py compares it with every size). Ties go to the smaller candidate (a
base may then be reported with a replica more than the smallest of equal cost: the instance holds it anyway).
"""

from __future__ import annotations

import polars as pl

from tco.engine import formulas as F
from tco.engine.evaluate import INPUT_NAMES, evaluate_totals, frame_at_volumes, inputs_table, per_request
from tco.engine.expr import to_polars

AUTO_BASE_LIMIT = 512
"""Largest base `auto` tries (replicas); a fleet larger than this is sized by hand."""


def _at_month(month: pl.Expr):
    return lambda name: month if name == "month" else pl.col(name)


def with_candidates(inputs: pl.DataFrame) -> pl.DataFrame:
    """Each row of `inputs` once per candidate base size (`base_replicas` set), keeping its `row` id.

    The busiest hour's fleet is the larger of the first and the last month's (volume grows or shrinks
    monotonically), as the row builder's exhaustive search took it.
    """
    peak = pl.max_horizontal(to_polars(F.replicas_static, column_of=_at_month(pl.lit(1.0))),
                             to_polars(F.replicas_static, column_of=_at_month(pl.col("horizon_months"))))
    capped = pl.min_horizontal(peak.floor(), pl.lit(float(AUTO_BASE_LIMIT))).clip(0.0)
    per_instance = pl.col("gpus_per_instance") / pl.col("gpus_per_replica").clip(1e-12)
    # instance counts 0..K, K the instances of the capped peak; each gives the largest base that fits
    instances = (capped / per_instance).ceil().cast(pl.Int64)
    framed = inputs.with_columns(capped.alias("_peak"), instances.alias("_instances"), per_instance.alias("_per_instance"))
    exploded = framed.with_columns(pl.int_ranges(0, pl.col("_instances") + 2).alias("_k")).explode("_k")
    base = pl.min_horizontal((pl.col("_k") * pl.col("_per_instance") + 1e-9).floor(), pl.col("_peak"))
    return (exploded.with_columns(base.alias("base_replicas"))
            .unique(subset=["row", "base_replicas"], maintain_order=True)
            .drop("_peak", "_instances", "_per_instance", "_k"))


def best_base_totals(inputs: pl.DataFrame) -> pl.DataFrame:
    """`row`, the best `base_replicas` and its `total_cost_usd`, for every row of `inputs` (one evaluation)."""
    expanded = with_candidates(inputs.select("row", *INPUT_NAMES))
    ids = expanded["row"]
    totals = evaluate_totals(expanded.with_columns(pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row")))
    scored = pl.DataFrame({"row": ids, "base_replicas": expanded["base_replicas"],
                           "total_cost_usd": totals.sort("row")["total_cost_usd"]})
    best = scored.sort(["row", pl.col("total_cost_usd").round(6), "base_replicas"]).group_by("row", maintain_order=True).first()
    order = inputs.select("row").with_row_index("_at")
    return order.join(best, on="row", how="left").sort("_at").drop("_at")


def best_base(values: dict[str, float]) -> tuple[int, float]:
    """(base replicas, total cost) of one option's inputs."""
    best = best_base_totals(inputs_table([values]))
    return int(best["base_replicas"][0]), float(best["total_cost_usd"][0])


def best_base_totals_at_volumes(requests: list[tuple[dict[str, float], list[float]]]) -> list[list[tuple[int, float]]]:
    """Like `totals_at_volumes`, the base re-chosen at each volume: (base replicas, total) per volume."""
    if not requests:
        return []
    best = best_base_totals(frame_at_volumes(requests))
    return per_request(list(zip(best["base_replicas"].cast(pl.Int64).to_list(), best["total_cost_usd"].to_list())), requests)


def totals_at_volumes_choosing_base(requests: list[tuple[dict[str, float], list[float], bool]]) -> list[list[float]]:
    """`totals_at_volumes` where each request says whether its base is `auto` (then chosen at each volume).

    For the cost-against-volume curves (the UI, the workbook's chart) to agree with the break-even.
    """
    from tco.engine.evaluate import totals_at_volumes

    fixed = [i for i, (_, _, auto) in enumerate(requests) if not auto]
    chosen = [i for i, (_, _, auto) in enumerate(requests) if auto]
    out: list[list[float]] = [[] for _ in requests]
    for i, totals in zip(fixed, totals_at_volumes([requests[i][:2] for i in fixed])):
        out[i] = totals
    for i, pairs in zip(chosen, best_base_totals_at_volumes([requests[i][:2] for i in chosen])):
        out[i] = [t for _, t in pairs]
    return out
