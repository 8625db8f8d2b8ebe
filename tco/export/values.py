"""The engine's value of every formula cell the workbook writes, stored as the cell's cached result.

Why: a file with formulas but no cached values shows empty totals in previews, pandas and
`openpyxl(data_only=True)` until a spreadsheet recalculates it. The values come from the same
specialised formula terms the cells are rendered from, evaluated with polars over the month rows
(the engine's renderer, `to_polars`), so a cached value is what the formula computes.
"""

from __future__ import annotations

import polars as pl

from tco.engine.expr import Named, Term, children, depends_on, to_polars, to_python


class MonthValues:
    """One option's month values as a function of a few inputs (`varying`), its polars plan built once.

    Why: the live break-even search evaluates an option's months at each of its points; building the
    expressions is most of the cost, so the varying inputs are frame columns, not literals, and the
    plan is reused. The parts are chained in one lazy plan, collected once per call.
    """

    def __init__(self, parts: list[Named], constant_parts: list[Named], values: dict[str, float], months: int,
                 varying: tuple[str, ...] = ()) -> None:
        self.parts, self.constant_parts, self.values, self.months = parts, constant_parts, dict(values), months
        self.varying = tuple(varying)
        self.moving_constants = [p for p in constant_parts if any(depends_on(p.term, v) for v in self.varying)]
        moving = {p.name for p in self.moving_constants}
        fixed = {p.name: to_python(p.term, self.values) for p in constant_parts if p.name not in moving}
        self.fixed_constants = fixed
        done: set[str] = set()

        def column_of(name: str) -> pl.Expr:
            if name == "month" or name in self.varying:
                return pl.col(name)
            return pl.lit(float(self.values[name]), dtype=pl.Float64)

        def named_column(name: str) -> pl.Expr | None:
            if name in done or name in moving:
                return pl.col(name)
            if name in fixed:
                return pl.lit(fixed[name], dtype=pl.Float64)
            return None

        # each part in the first stage after the parts it reads: one `with_columns` per stage, not per part
        # (a third less time per call than one per part, measured on the bundled examples)
        stage_of: dict[str, int] = {}
        stages: list[list[pl.Expr]] = []
        for p in parts:
            stage = 1 + max((stage_of[name] for name in _parts_read(p.term, stage_of)), default=-1)
            stage_of[p.name] = stage
            stages.extend([] for _ in range(stage + 1 - len(stages)))
            stages[stage].append(to_polars(p.term, column_of, named_column).cast(pl.Float64).alias(p.name))
            done.add(p.name)
        self.stages = stages

    def __call__(self, at: dict[str, float] | None = None) -> tuple[dict[str, list[float]], dict[str, float]]:
        return self.many([at or {}])[0]

    def many(self, ats: list[dict[str, float]]) -> list[tuple[dict[str, list[float]], dict[str, float]]]:
        """The month values at several input sets in one collect (one row group each): a collect's
        fixed cost is most of a small plan's time."""
        givens = [{**self.values, **at} for at in ats]
        constants = [dict(self.fixed_constants) for _ in givens]
        for given, own in zip(givens, constants):
            for p in self.moving_constants:
                own[p.name] = to_python(p.term, given)
        n = self.months

        def column(values: list[float]) -> pl.Series:
            return pl.Series([float(v) for v in values for _ in range(n)], dtype=pl.Float64)

        frame = pl.DataFrame({
            "month": pl.Series([float(m) for _ in givens for m in range(1, n + 1)], dtype=pl.Float64),
            "row": pl.Series([k for k in range(len(givens)) for _ in range(n)], dtype=pl.Int64),  # running totals per input set
            **{name: column([given[name] for given in givens]) for name in self.varying},
            **{p.name: column([own[p.name] for own in constants]) for p in self.moving_constants},
        })
        plan = frame.lazy()
        for stage in self.stages:
            plan = plan.with_columns(stage)
        frame = plan.collect()
        lists = {p.name: frame[p.name].to_list() for p in self.parts}
        return [({name: values[k * n:(k + 1) * n] for name, values in lists.items()},
                 {p.name: own[p.name] for p in self.constant_parts}) for k, own in enumerate(constants)]


def _parts_read(term: Term, computed: dict[str, int], _seen: dict[int, set[str]] | None = None) -> set[str]:
    """The names in `computed` that `term` reads as columns (a computed part is read, not entered)."""
    if isinstance(term, Named) and term.name in computed:
        return {term.name}
    seen = {} if _seen is None else _seen
    if id(term) not in seen:  # shared sub-terms are walked once
        seen[id(term)] = set().union(*(_parts_read(child, computed, seen) for child in children(term)))
    return seen[id(term)]
