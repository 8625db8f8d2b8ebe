"""Vectorized evaluation of the formulas over many rows (scenario x option) and their months.

Why staged: every named intermediate becomes one column, computed once, level by level, so
that a million-row sweep is a few hundred column operations rather than a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tco.engine import formulas as F
from tco.engine.expr import Input, Named, Term, depends_on, inputs_of, named_parts, to_polars, total

MONTHLY_TERMS: tuple[Named, ...] = (*F.COST_LINES, *F.MONTHLY_RESULTS)


@dataclass(frozen=True)
class _Step:
    named: Named
    level: int
    monthly: bool


def _plan(terms: tuple[Named, ...]) -> list[_Step]:
    parts = named_parts(total(terms))
    level: dict[str, int] = {}
    monthly: dict[str, bool] = {}
    steps = []
    for part in parts:
        children = [p for p in named_parts(part.term)]
        level[part.name] = 1 + max((level[c.name] for c in children), default=0)
        monthly[part.name] = depends_on(part.term, "month") or any(monthly[c.name] for c in children)
        steps.append(_Step(part, level[part.name], monthly[part.name]))
    return steps


_STEPS = _plan(MONTHLY_TERMS)

INPUT_NAMES: tuple[str, ...] = tuple(
    i.name for i in inputs_of(total((*MONTHLY_TERMS, *F.HORIZON_RESULTS))) if i.name != "month" and not i.name.startswith("sum_")
)
"""Every input a row must carry (the month is added by the evaluation)."""


def _stage_exprs(monthly: bool) -> list[list[pl.Expr]]:
    """The polars expressions of each stage, rendered once (they do not depend on the data)."""
    done = {s.named.name for s in _STEPS if not s.monthly} if monthly else set()

    def ref(name: str):
        return pl.col(name) if name in done else None

    stages = []
    for lvl in sorted({s.level for s in _STEPS if s.monthly == monthly}):
        exprs = [to_polars(s.named.term, named_column=ref).alias(s.named.name)
                 for s in _STEPS if s.monthly == monthly and s.level == lvl]
        stages.append(exprs)
        done.update(s.named.name for s in _STEPS if s.monthly == monthly and s.level == lvl)
    return stages


_STAGES: dict[bool, list[list[pl.Expr]]] = {}


def _with_steps(lf: pl.LazyFrame, monthly: bool) -> pl.LazyFrame:
    if monthly not in _STAGES:
        _STAGES[monthly] = _stage_exprs(monthly)
    for exprs in _STAGES[monthly]:
        lf = lf.with_columns(exprs)
    return lf


def evaluate_monthly(inputs: pl.DataFrame | pl.LazyFrame, keep: tuple[str, ...] | None = None) -> pl.LazyFrame:
    """One row per input row and month of its horizon, with the cost lines and monthly results."""
    lf = inputs.lazy() if isinstance(inputs, pl.DataFrame) else inputs
    lf = lf.with_columns(pl.col(n).cast(pl.Float64) for n in INPUT_NAMES)
    lf = _with_steps(lf, monthly=False)
    lf = lf.with_columns(pl.int_ranges(1, pl.col("horizon_months").cast(pl.Int64) + 1).alias("month")).explode("month")
    lf = lf.with_columns(pl.col("month").cast(pl.Float64))
    lf = _with_steps(lf, monthly=True)
    keep = keep or tuple(t.name for t in MONTHLY_TERMS)
    return lf.select("row", pl.col("month").cast(pl.Int32), *keep)


def evaluate_horizon(monthly: pl.LazyFrame, inputs: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Totals per row: sums of the monthly results, then the HORIZON_RESULTS formulas."""
    # Gather each row's months as a list in month order, then sum the lists: the result does not
    # depend on how polars chunked or partitioned the frame, so every view gets identical bits.
    summed = [*(F.monthly_cost_usd, F.discounted_cost_usd, F.requests_in_month, F.tokens_in_month)]
    lines = [line.name for line in F.COST_LINES]
    sums = monthly.sort("row", "month").with_columns(
        (pl.col("utilization") * pl.col("gpus_in_month")).alias("_util_weight"),
    ).group_by("row", maintain_order=True).agg(
        *[pl.col(t.name) for t in summed], *[pl.col(n) for n in lines],
        pl.col("gpus_in_month"), pl.col("_util_weight"),
    ).with_columns(
        *[pl.col(t.name).list.sum().alias(f"sum_{t.name}") for t in summed],
        *[pl.col(n).list.sum() for n in lines],
        pl.col("gpus_in_month").list.mean().alias("gpus_average"),
        pl.col("gpus_in_month").list.max().alias("gpus_peak"),
        pl.col("_util_weight").list.sum(),
        pl.col("gpus_in_month").list.sum().alias("_gpu_months"),
    ).drop(*[t.name for t in summed], "gpus_in_month")
    base = (inputs.lazy() if isinstance(inputs, pl.DataFrame) else inputs).select("row", pl.col("llm_calls_per_request").cast(pl.Float64))
    lf = sums.join(base, on="row", how="left")
    lf = lf.with_columns(
        *[to_polars(t.term).alias(t.name) for t in F.HORIZON_RESULTS],
        pl.when(pl.col("_gpu_months") > 0).then(pl.col("_util_weight") / pl.col("_gpu_months")).otherwise(None).alias("utilization_average"),
    )
    return lf.drop("_util_weight", "_gpu_months", "llm_calls_per_request").sort("row")


def evaluate_totals(inputs: pl.DataFrame) -> pl.DataFrame:
    """Fast path for sweeps: only the horizon results per row (no monthly frame kept)."""
    monthly = evaluate_monthly(inputs)
    return evaluate_horizon(monthly, inputs).collect()
