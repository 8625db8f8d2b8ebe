"""Vectorized evaluation of the formulas over many rows (scenario x option) and their months.

Why staged: every named intermediate becomes one column, computed once, level by level, so
that a million-row sweep is a few hundred column operations rather than a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tco.engine import formulas as F
from tco.engine.expr import Input, Named, Term, depends_on, inputs_of, named_parts, specialize_all, to_polars, total

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


FLAGS = ("has_self_hosted", "is_overflow", "is_autoscaled", "is_purchased")
"""Inputs that switch whole branches of the formulas on or off."""

_SUMMED = ("monthly_cost_usd", "discounted_cost_usd", "requests_in_month", "tokens_in_month")
_LINES = tuple(line.name for line in F.COST_LINES)


@dataclass
class _Compiled:
    """The formulas specialised for one combination of flags, rendered to polars once."""

    fixed_stages: list[list[pl.Expr]]
    monthly_stages: list[list[pl.Expr]]
    outputs: dict[str, pl.Expr]


_COMPILED: dict[tuple[float, ...], _Compiled] = {}


def _compile(flags: tuple[float, ...]) -> _Compiled:
    if flags in _COMPILED:
        return _COMPILED[flags]
    wanted = (*_LINES, "monthly_cost_usd", "discounted_cost_usd", "requests_in_month", "tokens_in_month",
              "gpus_in_month", "utilization")
    by_name = {t.name: t for t in MONTHLY_TERMS}
    fixed = dict(zip(FLAGS, flags[:len(FLAGS)]))
    if flags[len(FLAGS)] >= 0:
        fixed["api_share_fixed"] = flags[len(FLAGS)]
    special = dict(zip(wanted, specialize_all([by_name[n] for n in wanted], fixed)))
    steps = _plan(tuple(t for t in special.values() if isinstance(t, Named)))
    done: set[str] = set()

    def ref(name: str):
        return pl.col(name) if name in done else None

    stages: dict[bool, list[list[pl.Expr]]] = {False: [], True: []}
    for monthly in (False, True):
        for lvl in sorted({st.level for st in steps if st.monthly == monthly}):
            level = [st for st in steps if st.monthly == monthly and st.level == lvl]
            stages[monthly].append([to_polars(st.named.term, named_column=ref).alias(st.named.name) for st in level])
            done.update(st.named.name for st in level)
    outputs = {name: (pl.col(name) if isinstance(term, Named) else to_polars(term)) for name, term in special.items()}
    compiled = _Compiled(stages[False], stages[True], outputs)
    _COMPILED[flags] = compiled
    return compiled


def evaluate_totals(inputs: pl.DataFrame) -> pl.DataFrame:
    """Horizon results per row: sums of the monthly results, then the HORIZON_RESULTS formulas.

    Why not through the monthly frame: a sweep has up to millions of rows. Rows are grouped by
    their flags (an API row needs none of the GPU formulas, which then fold away), and months are
    added one at a time to running sums, so memory stays at a few columns per row. Month by month
    in order, the sums are the same bits wherever they are computed.
    """
    frame = inputs.with_columns(pl.col(n).cast(pl.Float64) for n in INPUT_NAMES)
    if frame.height == 0:
        names = (*[f"sum_{n}" for n in _SUMMED], *_LINES, "gpus_average", "gpus_peak",
                 *[t.name for t in F.HORIZON_RESULTS], "utilization_average")
        return pl.DataFrame(schema={"row": pl.Int64, **{n: pl.Float64 for n in names}})
    # The fixed API share is folded too when it is all or nothing (pure API or pure self-hosted).
    frame = frame.with_columns(
        pl.when(pl.col("api_share_fixed").is_in([0.0, 1.0])).then(pl.col("api_share_fixed")).otherwise(-1.0).alias("_share_key"))
    parts = [_totals_of_group(group.drop("_share_key"), tuple(float(v) for v in key))
             for key, group in frame.group_by([*FLAGS, "_share_key"], maintain_order=True)]
    out = pl.concat(parts, how="vertical_relaxed") if parts else pl.DataFrame()
    return out.sort("row")


def _totals_of_group(frame: pl.DataFrame, flags: tuple[float, ...]) -> pl.DataFrame:
    compiled = _compile(flags)
    for exprs in compiled.fixed_stages:
        frame = frame.with_columns(exprs)
    horizon = int(frame["horizon_months"].max())
    shortest = int(frame["horizon_months"].min())
    n = frame.height
    zeros = pl.Series([0.0] * n, dtype=pl.Float64) if n else pl.Series([], dtype=pl.Float64)
    sums = {name: zeros for name in (*_SUMMED, *_LINES, "_gpus", "_util_weight")}
    peak = zeros
    base_columns = frame.columns
    for month in range(1, horizon + 1):
        current = frame.with_columns(pl.lit(float(month)).alias("month"))
        for exprs in compiled.monthly_stages:
            current = current.with_columns(exprs)
        o = current.select(**compiled.outputs)
        if month > shortest:  # a row with a shorter horizon adds nothing after its last month
            inside = pl.lit(frame["horizon_months"] >= month)
            o = o.select(pl.when(inside).then(pl.col(c)).otherwise(0.0).alias(c) for c in o.columns)
        for name in (*_SUMMED, *_LINES):
            sums[name] = sums[name] + o[name]
        gpus = o["gpus_in_month"]
        sums["_gpus"] = sums["_gpus"] + gpus
        sums["_util_weight"] = sums["_util_weight"] + o["utilization"] * gpus
        peak = pl.select(pl.max_horizontal(peak, gpus)).to_series()
    result = pl.DataFrame({
        "row": frame["row"],
        **{f"sum_{name}": sums[name] for name in _SUMMED},
        **{name: sums[name] for name in _LINES},
        "gpus_average": sums["_gpus"] / frame["horizon_months"],
        "gpus_peak": peak,
        "_util_weight": sums["_util_weight"],
        "_gpu_months": sums["_gpus"],
        "llm_calls_per_request": frame["llm_calls_per_request"],
    })
    return result.with_columns(
        *[to_polars(t.term).alias(t.name) for t in F.HORIZON_RESULTS],
        pl.when(pl.col("_gpu_months") > 0).then(pl.col("_util_weight") / pl.col("_gpu_months")).otherwise(None).alias("utilization_average"),
    ).drop("_util_weight", "_gpu_months", "llm_calls_per_request")
