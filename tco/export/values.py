"""The engine's value of every formula cell the workbook writes, stored as the cell's cached result.

Why: a file with formulas but no cached values shows empty totals in previews, pandas and
`openpyxl(data_only=True)` until a spreadsheet recalculates it. The values come from the same
specialised formula terms the cells are rendered from, evaluated with polars over the month rows
(the engine's renderer, `to_polars`), so a cached value is what the formula computes.
"""

from __future__ import annotations

import polars as pl

from tco.engine.expr import Named, to_polars, to_python


def month_values(parts: list[Named], constant_parts: list[Named], values: dict[str, float], months: int,
                 overrides: dict[str, float] | None = None) -> tuple[dict[str, list[float]], dict[str, float]]:
    """(monthly part -> value in months 1..`months`, constant part -> value) for one option.

    `overrides` replaces inputs (the break-even volume for the check blocks).
    """
    given = dict(values)
    given.update(overrides or {})
    constants: dict[str, float] = {}
    for p in constant_parts:
        constants[p.name] = to_python(p.term, given)
    done: set[str] = set()

    def column_of(name: str) -> pl.Expr:
        if name == "month":
            return pl.col("month")
        return pl.lit(float(given[name]), dtype=pl.Float64)

    def named_column(name: str) -> pl.Expr | None:
        if name in done:
            return pl.col(name)
        if name in constants:
            return pl.lit(constants[name], dtype=pl.Float64)
        return None

    frame = pl.DataFrame({"month": pl.Series([float(m) for m in range(1, months + 1)], dtype=pl.Float64),
                          "row": pl.Series([0] * months, dtype=pl.Int64)})  # one option: running totals sum over its months
    for p in parts:
        expr = to_polars(p.term, column_of, named_column)
        frame = frame.with_columns(expr.cast(pl.Float64).alias(p.name))
        done.add(p.name)
    return {p.name: frame[p.name].to_list() for p in parts}, constants
