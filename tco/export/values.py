"""The engine's value of every formula cell the workbook writes, stored as the cell's cached result.

Why: a file with formulas but no cached values shows empty totals in previews, pandas and
`openpyxl(data_only=True)` until a spreadsheet recalculates it. The values come from the same
specialised formula terms the cells are rendered from, evaluated with polars over the month rows
(the engine's renderer, `to_polars`), so a cached value is what the formula computes.
"""

from __future__ import annotations

import polars as pl

from tco.engine.expr import Named, depends_on, to_polars, to_python


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

        self.columns = []
        for p in parts:
            self.columns.append(to_polars(p.term, column_of, named_column).cast(pl.Float64).alias(p.name))
            done.add(p.name)

    def __call__(self, at: dict[str, float] | None = None) -> tuple[dict[str, list[float]], dict[str, float]]:
        given = {**self.values, **(at or {})}
        constants = dict(self.fixed_constants)
        for p in self.moving_constants:
            constants[p.name] = to_python(p.term, given)
        frame = pl.DataFrame({
            "month": pl.Series([float(m) for m in range(1, self.months + 1)], dtype=pl.Float64),
            "row": pl.Series([0] * self.months, dtype=pl.Int64),  # one option: running totals sum over its months
            **{name: pl.Series([float(given[name])] * self.months, dtype=pl.Float64) for name in self.varying},
            **{p.name: pl.Series([constants[p.name]] * self.months, dtype=pl.Float64) for p in self.moving_constants},
        })
        plan = frame.lazy()
        for column in self.columns:
            plan = plan.with_columns(column)
        frame = plan.collect()
        return {p.name: frame[p.name].to_list() for p in self.parts}, {p.name: constants[p.name] for p in self.constant_parts}
