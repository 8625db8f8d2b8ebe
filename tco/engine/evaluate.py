"""Vectorized evaluation of the formulas over many rows (scenario x option) and their months.

Why staged: every named intermediate becomes one column, computed once, level by level, with the
formulas specialised to each group of rows that share a structure (an API row carries no GPU
formulas). Small evaluations go through a monthly frame; large sweeps add months one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tco.engine import formulas as F
from tco.engine.expr import Named, depends_on, inputs_of, named_parts, specialize_all, to_polars, total

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


INPUT_NAMES: tuple[str, ...] = tuple(
    i.name for i in inputs_of(total((*MONTHLY_TERMS, *F.HORIZON_RESULTS))) if i.name != "month" and not i.name.startswith("sum_")
)
"""Every input a row must carry (the month is added by the evaluation)."""


def evaluate_monthly(inputs: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One row per input row and month of its horizon, with the cost lines and monthly results.

    Rows are grouped by their flags and evaluated with the same specialised formulas as
    `evaluate_totals`, so a monthly figure is the same bits whichever way it was computed.
    """
    frame = inputs.collect() if isinstance(inputs, pl.LazyFrame) else inputs
    frame = frame.with_columns(pl.col(n).cast(pl.Float64) for n in INPUT_NAMES)
    names = tuple(t.name for t in MONTHLY_TERMS)
    if frame.height == 0:
        return pl.LazyFrame(schema={"row": pl.Int64, "month": pl.Int32, **{n: pl.Float64 for n in names}})
    parts = []
    for key, group in _groups(frame):
        compiled = _compile(key)
        lf = group.lazy()
        for exprs in compiled.fixed_stages:
            lf = lf.with_columns(exprs)
        lf = lf.with_columns(pl.int_ranges(1, pl.col("horizon_months").cast(pl.Int64) + 1).alias("month")).explode("month")
        lf = lf.with_columns(pl.col("month").cast(pl.Float64))
        for exprs in compiled.monthly_stages:
            lf = lf.with_columns(exprs)
        parts.append(lf.select("row", pl.col("month").cast(pl.Int32), **{n: compiled.outputs[n].cast(pl.Float64) for n in names}))
    return pl.concat(parts, how="vertical_relaxed").sort("row", "month")


def _groups(frame: pl.DataFrame):
    """(flags key, rows) pairs: rows that share a structure share specialised formulas.

    The fixed API share is folded too when it is all or nothing (pure API or pure self-hosted).
    """
    keyed = frame.with_columns(
        pl.when(pl.col("api_share_fixed").is_in([0.0, 1.0])).then(pl.col("api_share_fixed")).otherwise(-1.0).alias("_share_key"))
    for key, group in keyed.group_by([*FLAGS, "_share_key"], maintain_order=True):
        yield tuple(float(v) for v in key), group.drop("_share_key")


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
    wanted = tuple(t.name for t in MONTHLY_TERMS)
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
    if frame.height and frame.height * frame["horizon_months"].max() <= SMALL_ROW_MONTHS:
        return totals_from_monthly(evaluate_monthly(frame).collect(), frame)
    if frame.height == 0:
        names = (*[f"sum_{n}" for n in _SUMMED], *_LINES, "gpus_average", "gpus_peak",
                 *[t.name for t in F.HORIZON_RESULTS], "utilization_average")
        return pl.DataFrame(schema={"row": pl.Int64, **{n: pl.Float64 for n in names}})
    parts = [_totals_of_group(group, key) for key, group in _groups(frame)]
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
    for month in range(1, horizon + 1):
        current = frame.lazy().with_columns(pl.lit(float(month)).alias("month"))
        for exprs in compiled.monthly_stages:
            current = current.with_columns(exprs)
        o = current.select(**compiled.outputs).collect()
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
        "gpus_peak": peak,
        "_util_weight": sums["_util_weight"],
        "_gpus": sums["_gpus"],
        "horizon_months": frame["horizon_months"],
        "llm_calls_per_request": frame["llm_calls_per_request"],
    })
    return _finish(result)


def _finish(sums: pl.DataFrame) -> pl.DataFrame:
    """From the per-row sums to the horizon results (the same step for both ways of summing)."""
    return sums.with_columns(
        (pl.col("_gpus") / pl.col("horizon_months")).alias("gpus_average"),
        *[to_polars(t.term).alias(t.name) for t in F.HORIZON_RESULTS],
        pl.when(pl.col("_gpus") > 0).then(pl.col("_util_weight") / pl.col("_gpus")).otherwise(None).alias("utilization_average"),
    ).drop("_util_weight", "_gpus", "horizon_months", "llm_calls_per_request")


SMALL_ROW_MONTHS = 500_000
"""Below this many row-months the monthly frame is cheaper than the month-by-month loop."""


def totals_from_monthly(monthly: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Horizon results from a monthly frame already computed (the UI's and `tco run`'s case).

    Sums are running sums in month order, exactly as the month-by-month loop adds them, so both
    ways give the same bits.
    """
    m = monthly.sort("row", "month").with_columns((pl.col("utilization") * pl.col("gpus_in_month")).alias("_util_weight"))
    sums = m.group_by("row", maintain_order=True).agg(
        *[pl.col(n).cum_sum().last().alias(f"sum_{n}") for n in _SUMMED],
        *[pl.col(n).cum_sum().last() for n in _LINES],
        pl.col("gpus_in_month").max().alias("gpus_peak"),
        pl.col("_util_weight").cum_sum().last(),
        pl.col("gpus_in_month").cum_sum().last().alias("_gpus"),
    )
    base = inputs.select("row", pl.col("horizon_months").cast(pl.Float64), pl.col("llm_calls_per_request").cast(pl.Float64))
    return _finish(sums.join(base, on="row", how="left")).sort("row")
