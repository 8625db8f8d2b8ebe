"""Where self-hosting starts to pay: the daily volume, and the month.

Why numeric and not closed-form: the self-hosted cost is a staircase (whole replicas) with a
slope (power follows utilization), so the crossing is found by bracketing and refining on the
same vectorized formulas everything else uses. When the crossing falls on a step (one more
replica makes self-hosting jump above the API again), we say so instead of pretending equality.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tco.engine.evaluate import totals_at_volumes

LOWEST_REQUESTS_PER_DAY = 1e-2
HIGHEST_REQUESTS_PER_DAY = 1e10


@dataclass(frozen=True)
class BreakEven:
    requests_per_day: float
    self_hosted_total_usd: float
    api_total_usd: float
    at_step: bool
    """True when the costs do not meet exactly: the self-hosted staircase jumps over the API line."""


VOLUME_PRECISION = 1e-9
"""Brackets stop narrowing at this share of the volume (a request a day at a billion a day)."""


def solve_breakeven(self_hosted: dict[str, float], api: dict[str, float],
                    lo: float = LOWEST_REQUESTS_PER_DAY, hi: float = HIGHEST_REQUESTS_PER_DAY) -> BreakEven | None:
    """The lowest daily volume from which the self-hosted option costs no more than the API one."""
    return solve_breakevens([(self_hosted, api)], lo, hi)[0]


def solve_breakevens(pairs: list[tuple[dict[str, float], dict[str, float]]],
                     lo: float = LOWEST_REQUESTS_PER_DAY, hi: float = HIGHEST_REQUESTS_PER_DAY) -> list[BreakEven | None]:
    """`solve_breakeven` for many (self-hosted, API) pairs at once: one evaluation per refinement round."""
    decades = math.log10(hi) - math.log10(lo)
    grid = [lo * 10 ** (decades * i / 240) for i in range(241)]
    brackets: list[tuple[float, float] | None] = []
    for diff in _diffs_many(pairs, [grid] * len(pairs)):
        found = None
        for i in range(len(grid) - 1):
            if diff[i] > 0 and diff[i + 1] <= 0:
                found = (grid[i], grid[i + 1])
                break
        brackets.append(found)
    for _ in range(12):
        open_ = [k for k, b in enumerate(brackets) if b is not None and (b[1] - b[0]) > VOLUME_PRECISION * b[1]]
        if not open_:
            break
        points = {k: [brackets[k][0] + (brackets[k][1] - brackets[k][0]) * j / 32 for j in range(33)] for k in open_}
        diffs = _diffs_many([pairs[k] for k in open_], [points[k] for k in open_])
        for k, d in zip(open_, diffs):
            pts = points[k]
            for j in range(32):
                if d[j] > 0 and d[j + 1] <= 0:
                    brackets[k] = (pts[j], pts[j + 1])
                    break
    solved = [k for k, b in enumerate(brackets) if b is not None]
    finals = totals_at_volumes([(pairs[k][0], [brackets[k][1]]) for k in solved] + [(pairs[k][1], [brackets[k][1]]) for k in solved])
    out: list[BreakEven | None] = [None] * len(pairs)
    for i, k in enumerate(solved):
        s_total, a_total = finals[i][0], finals[len(solved) + i][0]
        at_step = abs(s_total - a_total) > 1e-6 * max(abs(a_total), 1.0)
        out[k] = BreakEven(brackets[k][1], s_total, a_total, at_step)
    return out


def _diffs_many(pairs, volume_lists) -> list[list[float]]:
    totals = totals_at_volumes([(s, v) for (s, _), v in zip(pairs, volume_lists)] + [(a, v) for (_, a), v in zip(pairs, volume_lists)])
    n = len(pairs)
    return [[x - y for x, y in zip(totals[i], totals[n + i])] for i in range(n)]


def breakeven_month(self_hosted_monthly: list[float], api_monthly: list[float]) -> int | None:
    """The first month in which cumulative self-hosted cost is at or below the API's."""
    cum_s = cum_a = 0.0
    for m, (s, a) in enumerate(zip(self_hosted_monthly, api_monthly), start=1):
        cum_s += s
        cum_a += a
        if cum_s <= cum_a:
            return m
    return None
