"""Vectorized evaluation of the formulas over many rows (scenario x option) and their months.

Why staged: every named intermediate becomes one column, computed once, level by level, with the
formulas specialised to each group of rows that share a structure (an API row carries no GPU
formulas). Monthly figures come from a frame with a row per month; totals over the horizon are
taken in closed form where the month enters geometrically (tco.engine.month_sums), month by month
only for what does not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import polars as pl

from tco.engine import formulas as F
from tco.engine.expr import (Const, Input, Named, Op, Term, depends_on, inputs_of, named_parts, running_totals, specialize_all,
                             to_polars, total)
from tco.engine.month_sums import constant_value, plan_sums, within_horizon

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
        # a running total changes with the month even where what it sums does not (the parts have their own flag)
        monthly[part.name] = (depends_on(part.term, "month") or any(monthly[c.name] for c in children)
                              or bool(running_totals(part.term)))
        steps.append(_Step(part, level[part.name], monthly[part.name]))
    return steps


INPUT_NAMES: tuple[str, ...] = tuple(
    i.name for i in inputs_of(total((*MONTHLY_TERMS, *F.HORIZON_RESULTS))) if i.name != "month" and not i.name.startswith("sum_")
)
"""Every input a row must carry (the month is added by the evaluation)."""


def inputs_table(value_rows: list[dict[str, float]], row_ids: list[int] | None = None) -> pl.DataFrame:
    """A frame of formula inputs, one row per dict of values, with its `row` id (default 0, 1, ...)."""
    frame = pl.DataFrame([[float(values[name]) for name in INPUT_NAMES] for values in value_rows],
                         schema={name: pl.Float64 for name in INPUT_NAMES}, orient="row")
    ids = list(range(len(value_rows))) if row_ids is None else row_ids
    return frame.with_columns(pl.Series("row", ids, dtype=pl.Int64))


def option_inputs(values: dict[str, float], over: pl.DataFrame, varied: dict[str, pl.Expr]) -> pl.DataFrame:
    """One option's inputs at every row of `over`: the `varied` ones computed from its columns,
    the others constants, which polars keeps as scalars (no memory or work per row)."""
    frame = over.select(varied[name].alias(name) if name in varied else pl.lit(float(values[name]), dtype=pl.Float64).alias(name)
                        for name in INPUT_NAMES)
    if frame.height != over.height:  # nothing varied: literals alone make one row, and the caller wants one per row of `over`
        frame = frame.select(pl.all().gather(pl.repeat(0, over.height, dtype=pl.Int64, eager=True)))
    return frame


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


def _groups(frame: pl.DataFrame, steady: bool = False):
    """(flags key, rows) pairs: rows that share a structure share specialised formulas.

    The fixed API share is folded too when it is all or nothing (pure API or pure self-hosted).
    With `steady`, rows without volume growth form groups of their own (their fleet is the same
    every month, which lets their sums over months be taken in closed form).
    """
    keys = frame.select(
        *FLAGS,
        pl.when(pl.col("api_share_fixed").is_in([0.0, 1.0])).then(pl.col("api_share_fixed")).otherwise(-1.0).alias("_share_key"),
        (pl.col("monthly_growth") == 0.0).cast(pl.Float64).alias("_steady") if steady else pl.lit(0.0).alias("_steady"))
    runs = (keys.with_row_index("_start").with_columns(pl.struct(keys.columns).rle_id().alias("_run"))
            .group_by("_run", maintain_order=True).agg(pl.col("_start").first(), pl.len().alias("_length"), *[pl.col(c).first() for c in keys.columns]))
    if runs.height <= MAX_RUNS:
        # rows of one structure lie together (a sweep builds them so): slices, no copying
        slices: dict[tuple[float, ...], list[pl.DataFrame]] = {}
        for run in runs.iter_rows(named=True):
            key = tuple(float(run[c]) for c in keys.columns)
            slices.setdefault(key, []).append(frame.slice(run["_start"], run["_length"]))
        for key, parts in slices.items():
            yield key, parts[0] if len(parts) == 1 else pl.concat(parts, rechunk=False)
        return
    keyed = pl.concat([frame, keys.select("_share_key", "_steady")], how="horizontal")
    for key, group in keyed.group_by([*FLAGS, "_share_key", "_steady"], maintain_order=True):
        yield tuple(float(v) for v in key), group.drop("_share_key", "_steady")


MAX_RUNS = 256
"""Up to this many runs of rows of one structure, groups are slices of the frame."""


FLAGS = ("has_self_hosted", "is_overflow", "is_autoscaled", "is_purchased", "has_api_price_history", "is_reserved", "is_mixed",
         "has_gpu_price_history")
"""Inputs that switch whole branches of the formulas on or off (a price history makes the API lines
change month by month in steps, and a backtest before a GPU offer's date holds the GPU price for its
first months: only rows that have one lose the closed forms)."""

_SUMMED = ("monthly_cost_usd", "discounted_cost_usd", "cash_cost_usd", "requests_in_month", "tokens_in_month",
           "energy_kwh_in_month", "self_hosted_tokens_in_month", "carbon_kg_co2e_in_month", "self_hosted_requests_in_month")
_LINES = tuple(line.name for line in F.COST_LINES)


@dataclass
class _Compiled:
    """The formulas specialised for one combination of flags, rendered to polars once."""

    fixed_stages: list[list[pl.Expr]]
    monthly_stages: list[list[pl.Expr]]
    outputs: dict[str, pl.Expr]


_COMPILED: dict[tuple[float, ...], _Compiled] = {}


def _fixed_inputs(flags: tuple[float, ...]) -> dict[str, float]:
    """The inputs a group key fixes: the flags, an all-or-nothing API share, no growth."""
    fixed = dict(zip(FLAGS, flags[:len(FLAGS)]))
    if flags[len(FLAGS)] >= 0:
        fixed["api_share_fixed"] = flags[len(FLAGS)]
    if flags[len(FLAGS) + 1] == 1.0:
        fixed["monthly_growth"] = 0.0
    return fixed


def _stages(steps: list[_Step], monthly: bool, done: set[str]) -> list[list[pl.Expr]]:
    """The named intermediates (fixed or monthly) as polars columns, level by level."""
    def ref(name: str):
        return pl.col(name) if name in done else None

    stages = []
    for lvl in sorted({st.level for st in steps if st.monthly == monthly}):
        level = [st for st in steps if st.monthly == monthly and st.level == lvl]
        stages.append([to_polars(st.named.term, named_column=ref).alias(st.named.name) for st in level])
        done.update(st.named.name for st in level)
    return stages


@dataclass
class _HorizonPlan:
    """How one group's sums over the horizon are computed (see tco.engine.month_sums).

    Closed forms need only the fixed stages and `sums`; kernels (named results that change
    from month to month in a way no closed form follows) are evaluated month by month and
    added to accumulators `_acc<k>`.
    """

    fixed_stages: list[list[pl.Expr]]
    monthly_steps: list[_Step]
    fixed_names: frozenset[str]
    increments: dict[str, tuple[str | None, tuple[str, ...]]]
    """accumulator -> (column of its ratio, or None for 1; kernel columns)."""
    sums: dict[str, pl.Expr]
    loop_columns: list[str]
    """The columns the months loop reads or writes."""

    gpus_term: Term | None = None
    running: tuple[str, ...] = ()
    """Named results whose running total the monthly steps read: the months loop carries each in a
    column `_running:<name>`, its sum over the months before the block."""
    _blocks: dict = field(default_factory=dict)

    @property
    def loops(self) -> bool:
        """Some sum needs the months one by one."""
        return bool(self.increments) or self.gpus_term is not None

    def block(self, months: tuple[int, ...], masked: bool) -> tuple[list[list[pl.Expr]], list[pl.Expr]]:
        """The stages and accumulator updates of several months at once.

        Why blocks: the months are independent given the fixed columns, so a block's formulas
        run side by side on both cores, where one month's are a chain of dependent steps.
        `masked`: some rows' horizons end inside the block.
        """
        key = (months, masked)
        if key in self._blocks:
            return self._blocks[key]
        monthly_names = {st.named.name for st in self.monthly_steps}

        def ref_in(month: int):
            def ref(name: str):
                if name in self.fixed_names:
                    return pl.col(name)
                return pl.col(f"{name}@{month}") if name in monthly_names else None
            return ref

        def column_in(month: int):
            return lambda name: pl.lit(float(month), dtype=pl.Float64) if name == "month" else pl.col(name)

        def running_until(month: int):
            # the months before the block, then this block's up to `month`, added in month order (as cum_sum does)
            def running_total(name: str) -> pl.Expr:
                value = pl.col(f"_running:{name}")
                for m in months:
                    if m <= month:
                        value = value + ref_in(m)(name)
                return value
            return running_total

        stages = []
        for lvl in sorted({st.level for st in self.monthly_steps}):
            stages.append([to_polars(st.named.term, column_of=column_in(m), named_column=ref_in(m),
                                     running_total=running_until(m)).alias(f"{st.named.name}@{m}")
                           for st in self.monthly_steps if st.level == lvl for m in months])

        def inside(month: int, value: pl.Expr) -> pl.Expr:
            return pl.when(pl.lit(float(month)) <= pl.col("horizon_months")).then(value).otherwise(0.0) if masked else value

        updates = []
        for name, (ratio, kernels) in self.increments.items():
            total = pl.col(name)
            for m in months:
                factors = ([pl.col(ratio).pow(float(m - 1))] if ratio is not None else []) + [pl.col(f"{k}@{m}") for k in kernels]
                value = factors[0]
                for f in factors[1:]:
                    value = value * f
                total = total + inside(m, value)
            updates.append(total.alias(name))
        if self.gpus_term is not None:
            updates.append(pl.max_horizontal("_peak", *[inside(m, to_polars(self.gpus_term, column_of=column_in(m), named_column=ref_in(m),
                                                                            running_total=running_until(m)))
                                                         for m in months]).alias("_peak"))
        updates.extend(running_until(months[-1])(name).alias(f"_running:{name}") for name in self.running)
        self._blocks[key] = (stages, updates)
        return stages, updates


MONTHS_PER_BLOCK = 6
"""Months evaluated side by side in one query of the months loop."""


_HORIZON_PLANS: dict[tuple[float, ...], _HorizonPlan] = {}
_SUM_NAMES = (*_SUMMED, *_LINES, "gpus_in_month", "utilization", "gpus_busiest_hour")


@functools.cache
def _summed_within_horizon() -> tuple[Term, ...]:
    """The summed terms (`_SUM_NAMES`) with the horizon test taken as true. Why once per process: the rewrite is the
    same for every structure, and done per structure it was a sixth of a cold `tco run` (0.5 of 3.2 s)."""
    by_name = {t.name: t for t in MONTHLY_TERMS}
    memo: dict = {}
    return tuple(within_horizon(by_name[n], memo) for n in _SUM_NAMES)


def _horizon_plan(flags: tuple[float, ...]) -> _HorizonPlan:
    if flags in _HORIZON_PLANS:
        return _HORIZON_PLANS[flags]
    special = dict(zip(_SUM_NAMES, specialize_all(_summed_within_horizon(), _fixed_inputs(flags))))
    gpus = special["gpus_in_month"]
    planned = plan_sums({
        **{f"sum_{n}": special[n] for n in _SUMMED},
        **{n: special[n] for n in _LINES},
        "_gpus": gpus,
        "_util_weight": Op("*", special["utilization"], gpus),
    }, Input("horizon_months", "horizon"))
    busiest = special["gpus_busiest_hour"]
    peak = constant_value(busiest)
    ratios = {f"_ratio{k}": ratio for k, (ratio, _) in enumerate(planned.accumulators)}
    terms = (*planned.sums.values(), *ratios.values(), *planned.kernels, *([busiest] if peak is None else []))
    steps = _plan(tuple(terms))
    done: set[str] = set()
    fixed_stages = _stages(steps, False, done)

    def ref(name: str):
        return pl.col(name) if name in done else None

    ratios = {name: r for name, r in ratios.items() if not (isinstance(r, Const) and r.value == 1.0)}
    if ratios:
        fixed_stages.append([to_polars(r, named_column=ref).alias(name) for name, r in ratios.items()])
    fixed_names = frozenset(done)
    monthly_steps = [st for st in steps if st.monthly]
    increments = {f"_acc{k}": (f"_ratio{k}" if f"_ratio{k}" in ratios else None, tuple(kernel.name for kernel in kernels))
                  for k, (_, kernels) in enumerate(planned.accumulators)}
    sums = {name: to_polars(term, named_column=ref) for name, term in planned.sums.items()}
    sums["gpus_peak"] = pl.col("_peak") if peak is None else to_polars(peak, named_column=ref)
    gpus_term = busiest if peak is None else None
    looped = [st.named.term for st in monthly_steps] + ([gpus_term] if gpus_term is not None else [])
    read = set(ratios) | {i.name for t in looped for i in inputs_of(t)} | {p.name for t in looped for p in named_parts(t) if p.name in fixed_names}
    running = tuple(sorted({n.name for st in monthly_steps for n in running_totals(st.named.term)}))
    loop_columns = sorted((read - {"month"}) | set(increments) | {"_peak", "horizon_months"} | {f"_running:{n}" for n in running})
    plan = _HorizonPlan(fixed_stages, monthly_steps, fixed_names, increments, sums, loop_columns, gpus_term, running=running)
    _HORIZON_PLANS[flags] = plan
    return plan


def _compile(flags: tuple[float, ...]) -> _Compiled:
    if flags in _COMPILED:
        return _COMPILED[flags]
    wanted = tuple(t.name for t in MONTHLY_TERMS)
    by_name = {t.name: t for t in MONTHLY_TERMS}
    special = dict(zip(wanted, specialize_all([by_name[n] for n in wanted], _fixed_inputs(flags))))
    steps = _plan(tuple(t for t in special.values() if isinstance(t, Named)))
    done: set[str] = set()
    fixed_stages = _stages(steps, False, done)
    monthly_stages = _stages(steps, True, done)
    outputs = {name: (pl.col(name) if isinstance(term, Named) else to_polars(term)) for name, term in special.items()}
    compiled = _Compiled(fixed_stages, monthly_stages, outputs)
    _COMPILED[flags] = compiled
    return compiled


def evaluate_totals(inputs: pl.DataFrame) -> pl.DataFrame:
    """Horizon results per row: sums of the monthly results, then the HORIZON_RESULTS formulas.

    Why not through the monthly frame: a sweep has up to millions of rows. Rows are grouped by
    their structure (an API row needs none of the GPU formulas, which then fold away). Where the
    month enters only through growth, price decline, discounting, the first month and the end
    of the horizon, the sums are taken in closed form (tco.engine.month_sums); what no closed
    form follows (a fleet of whole replicas under growing volume, a purchased fleet's book value,
    which is a running total) is added month by month, a few columns at a time, so memory stays at
    a few columns per row.
    """
    frame = inputs.with_columns(pl.col(n).cast(pl.Float64) for n in INPUT_NAMES)
    if frame.height == 0:
        names = (*[f"sum_{n}" for n in _SUMMED], *_LINES, "gpus_average", "gpus_peak",
                 *[t.name for t in F.HORIZON_RESULTS], "utilization_average")
        return pl.DataFrame(schema={"row": pl.Int64, **{n: pl.Float64 for n in names}})
    if frame.height * frame["horizon_months"].max() <= SMALL_ROW_MONTHS:
        # a few rows: one query over their months beats the closed forms' several
        return totals_from_monthly(evaluate_monthly(frame), frame)
    parts = [_totals_of_group(group, _horizon_plan(key)) for key, group in _groups(frame, steady=True)]
    out = pl.concat(parts, how="vertical_relaxed")
    return out if out["row"].is_sorted() else out.sort("row")


def _totals_of_group(frame: pl.DataFrame, plan: _HorizonPlan) -> pl.DataFrame:
    if plan.loops and frame.height * frame["horizon_months"].max() <= LOOPED_ROW_MONTHS:
        return totals_from_monthly(evaluate_monthly(frame), frame)
    lf = frame.lazy()
    for exprs in plan.fixed_stages:
        lf = lf.with_columns(exprs)
    if plan.loops:
        lf = lf.with_columns(pl.lit(0.0).alias(name) for name in (*plan.increments, "_peak", *[f"_running:{n}" for n in plan.running])
                             ).collect().lazy()
        # the months loop carries only what its formulas read: a narrow frame is a cheap query
        state = lf.select(plan.loop_columns).collect()
        keep = state.columns
        horizon, shortest = int(frame["horizon_months"].max()), int(frame["horizon_months"].min())
        for first in range(1, horizon + 1, MONTHS_PER_BLOCK):
            months = tuple(range(first, min(first + MONTHS_PER_BLOCK, horizon + 1)))
            stages, updates = plan.block(months, masked=months[-1] > shortest)
            current = state.lazy()
            for exprs in stages:
                current = current.with_columns(exprs)
            state = current.with_columns(updates).select(keep).collect()
        lf = lf.with_columns(state.select(*plan.increments, "_peak"))
    sums = lf.select("row", "horizon_months", "llm_calls_per_request", **plan.sums).collect()
    return _finish(sums)


def _finish(sums: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """From the per-row sums to the horizon results (the same step for both ways of summing)."""
    return sums.with_columns(
        (pl.col("_gpus") / pl.col("horizon_months")).alias("gpus_average"),
        *[to_polars(t.term).alias(t.name) for t in F.HORIZON_RESULTS],
        pl.when(pl.col("_gpus") > 0).then(pl.col("_util_weight") / pl.col("_gpus")).otherwise(None).alias("utilization_average"),
    ).drop("_util_weight", "_gpus", "horizon_months", "llm_calls_per_request")


def totals_at_volumes(requests: list[tuple[dict[str, float], list[float]]]) -> list[list[float]]:
    """Total cost of each option (its inputs) at each of its daily volumes, all in one evaluation.

    Break-even solving, the UI's cost curves and the workbook's volume grid all ask this.
    """
    if not requests:
        return []
    return per_request(evaluate_totals(frame_at_volumes(requests))["total_cost_usd"].to_list(), requests)


def frame_at_volumes(requests: list[tuple[dict[str, float], list[float]]]) -> pl.DataFrame:
    """One row of inputs per request, repeated once per volume, `row` numbered in that order.

    Why a frame and not literals: building a polars literal per input would cost more than the
    evaluation of a small frame."""
    inputs = inputs_table([values for values, _ in requests]).drop("row")
    which = pl.Series([i for i, (_, volumes) in enumerate(requests) for _ in volumes], dtype=pl.Int64)
    volumes = pl.Series("requests_per_day", [v for _, vs in requests for v in vs], dtype=pl.Float64)
    return inputs[which].with_columns(volumes, pl.int_range(0, pl.len(), dtype=pl.Int64).alias("row"))


def per_request(values: list, requests: list[tuple[dict[str, float], list[float]]]) -> list[list]:
    """`values` in `frame_at_volumes` order, cut back into one list per request."""
    out, i = [], 0
    for _, volumes in requests:
        out.append(values[i:i + len(volumes)])
        i += len(volumes)
    return out


SMALL_ROW_MONTHS = 200_000
"""Up to this many row-months, totals are sums of the monthly frame (a few queries in all, and
the same sums `tco run` shows); above, closed forms and blocks of months (less work per row)."""

LOOPED_ROW_MONTHS = 100_000
"""Up to this many row-months, a group of rows the months loop would sum (`_HorizonPlan.loops`) is summed from its
monthly frame instead. Why: the loop queries six months at a time whatever the rows, about a second in all for a
purchased fleet's dozens of monthly steps, which only pays off over many rows. Measured 2026-12-03 on 2 cores, every
option of the bundled examples at 430 volumes (10,320 rows, 48 months): 2.5 s all in closed forms (1 s once
compiled), 0.26 s summed from the monthly frame (+190 MB); rows without a loop keep their closed forms, which are
faster at any size (`tco bench engine`'s Monte Carlo)."""


def totals_from_monthly(monthly: pl.DataFrame | pl.LazyFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Horizon results from a monthly frame (the UI's and `tco run`'s case), in one query.

    Sums of the monthly figures in month order; `evaluate_totals`'s closed forms agree with them
    to about 1e-15 relative (tests/engine/test_month_sums.py).
    """
    m = monthly.lazy().sort("row", "month").with_columns((pl.col("utilization") * pl.col("gpus_in_month")).alias("_util_weight"))
    sums = m.group_by("row", maintain_order=True).agg(
        *[pl.col(n).cum_sum().last().alias(f"sum_{n}") for n in _SUMMED],
        *[pl.col(n).cum_sum().last() for n in _LINES],
        pl.col("gpus_busiest_hour").max().alias("gpus_peak"),
        pl.col("_util_weight").cum_sum().last(),
        pl.col("gpus_in_month").cum_sum().last().alias("_gpus"),
    )
    base = inputs.lazy().select("row", pl.col("horizon_months").cast(pl.Float64), pl.col("llm_calls_per_request").cast(pl.Float64))
    return _finish(sums.join(base, on="row", how="left")).sort("row").collect()
