"""Where self-hosting starts to pay: the daily volume, and the month.

Why numeric and not closed-form: the self-hosted cost is a staircase (whole replicas) with a
slope (power follows utilization), so the crossing is found by bracketing and refining on the
same vectorized formulas everything else uses. When the crossing falls on a step (one more
replica makes self-hosting jump above the API again), we say so instead of pretending equality.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from tco.engine.evaluate import INPUT_NAMES, evaluate_totals

LOWEST_REQUESTS_PER_DAY = 1e-2
HIGHEST_REQUESTS_PER_DAY = 1e10


@dataclass(frozen=True)
class BreakEven:
    requests_per_day: float
    self_hosted_total_usd: float
    api_total_usd: float
    at_step: bool
    """True when the costs do not meet exactly: the self-hosted staircase jumps over the API line."""


def _totals(values: dict[str, float], volumes: list[float]) -> list[float]:
    frame = pl.DataFrame({name: [values[name]] * len(volumes) for name in INPUT_NAMES if name != "requests_per_day"})
    frame = frame.with_columns(pl.Series("requests_per_day", volumes, dtype=pl.Float64),
                               pl.Series("row", range(len(volumes)), dtype=pl.Int64))
    return evaluate_totals(frame)["total_cost_usd"].to_list()


def solve_breakeven(self_hosted: dict[str, float], api: dict[str, float],
                    lo: float = LOWEST_REQUESTS_PER_DAY, hi: float = HIGHEST_REQUESTS_PER_DAY) -> BreakEven | None:
    """The lowest daily volume from which the self-hosted option costs no more than the API one."""
    decades = math.log10(hi) - math.log10(lo)
    grid = [lo * 10 ** (decades * i / 240) for i in range(241)]
    diff = _diffs(self_hosted, api, grid)
    bracket = None
    for i in range(len(grid) - 1):
        if diff[i] > 0 and diff[i + 1] <= 0:
            bracket = (grid[i], grid[i + 1])
            break
    if bracket is None:
        return None
    a, b = bracket
    for _ in range(12):
        points = [a + (b - a) * k / 32 for k in range(33)]
        d = _diffs(self_hosted, api, points)
        for k in range(32):
            if d[k] > 0 and d[k + 1] <= 0:
                a, b = points[k], points[k + 1]
                break
        if (b - a) <= 1e-12 * b:
            break
    s_total, = _totals(self_hosted, [b])
    a_total, = _totals(api, [b])
    at_step = abs(s_total - a_total) > 1e-6 * max(abs(a_total), 1.0)
    return BreakEven(b, s_total, a_total, at_step)


def _diffs(self_hosted: dict[str, float], api: dict[str, float], volumes: list[float]) -> list[float]:
    s = _totals(self_hosted, volumes)
    a = _totals(api, volumes)
    return [x - y for x, y in zip(s, a)]


def breakeven_month(self_hosted_monthly: list[float], api_monthly: list[float]) -> int | None:
    """The first month in which cumulative self-hosted cost is at or below the API's."""
    cum_s = cum_a = 0.0
    for m, (s, a) in enumerate(zip(self_hosted_monthly, api_monthly), start=1):
        cum_s += s
        cum_a += a
        if cum_s <= cum_a:
            return m
    return None
