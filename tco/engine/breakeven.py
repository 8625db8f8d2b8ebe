"""Where self-hosting starts to pay: the daily volume, and the month.

Why numeric and not closed-form: the self-hosted cost is a staircase (whole replicas) with a
slope (power follows utilization), so the crossing is found by bracketing and refining on the
same vectorized formulas everything else uses. When the crossing falls on a step (one more
replica makes self-hosting jump above the API again), we say so instead of pretending equality.

A mixed fleet whose base is `replicas: auto` has its base chosen again at every volume tried
(tco.engine.base_size): `auto` means the best base for the traffic, so its curve is the cheapest
base's at each volume, not that of the base chosen at the scenario's volume. The base used at the
break-even volume is returned with it.
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
    base_replicas: int | None = None
    """The reserved base chosen at the break-even volume (a mixed fleet with `replicas: auto`), else None."""
    stays_requests_per_day: float | None = None
    """The lowest volume from which the option costs no more at every higher volume scanned (to 10^10 a day): above
    `requests_per_day` one more replica can put it above the API line again, tooth after tooth of the staircase, until
    the replicas' lower cost per request outruns the step. Equal to `requests_per_day` where the costs do not cross
    back; None where they end above (a window of volumes, not a threshold)."""


TOOTH_SCAN_POINTS = 256
"""Points per grid step of the fine scan around the first crossing the grid finds (0.05 % apart): the step below it,
for teeth of the staircase narrower than a grid step, which the grid steps over, and the step it is in
(`solve_breakevens`)."""
TEETH_SCAN_STEPS_ABOVE = 6
"""Grid steps (12 % each: a factor 2 in all) scanned finely above the last crossing the grid finds, for the teeth of
the staircase above it that fall between grid points: the volume from which the option stays no costlier lies above
the last of them. A tooth narrower than the scan's spacing (TEETH_SCAN_POINTS) puts self-hosting at most about that
share above the API; teeth more than a factor 2 above the grid's last crossing are not looked for."""
TEETH_SCAN_POINTS = 64
"""Points per grid step of that scan: 0.18 % apart. A tooth narrower than that puts self-hosting at most about 0.2 %
above the API, where 256 points (0.05 %) made `tco run` a third of a second slower on the bundled examples."""
SAME_CROSSING_SHARE = 1e-6
"""The first and the last crossing closer than this share of the volume are one crossing (both brackets end within
VOLUME_PRECISION of it, refined on different points)."""
REFINE_POINTS = 32
"""Intervals each refinement round cuts a bracket into."""
VOLUME_PRECISION = 1e-9
"""Brackets stop narrowing at this share of the volume (a request a day at a billion a day)."""


def solve_breakeven(self_hosted: dict[str, float], api: dict[str, float],
                    lo: float = LOWEST_REQUESTS_PER_DAY, hi: float = HIGHEST_REQUESTS_PER_DAY,
                    auto_base: bool = False) -> BreakEven | None:
    """The lowest daily volume from which the self-hosted option costs no more than the API one.

    `auto_base`: the self-hosted option is a mixed fleet with `replicas: auto` (its base is chosen at each volume).
    """
    return solve_breakevens([(self_hosted, api)], lo, hi, [auto_base])[0]


def _first_crossing(diffs: list[float]) -> int | None:
    """Index of the first step where the self-hosted option goes from costing more to costing no more, or None."""
    return next((i for i in range(len(diffs) - 1) if diffs[i] > 0 and diffs[i + 1] <= 0), None)


def _last_crossing(diffs: list[float]) -> int | None:
    """Index of the step after which the self-hosted option never costs more again, or None (it ends costing more, or
    never costs more at all)."""
    last_above = max((i for i, d in enumerate(diffs) if d > 0), default=None)
    return None if last_above is None or last_above == len(diffs) - 1 else last_above


def _steps(ends: list[float] | tuple[float, ...], points: int = TOOTH_SCAN_POINTS) -> list[float]:
    """`points` evenly spaced intervals between each two consecutive `ends`, the ends themselves kept exactly (a
    crossing found on the grid is found again between them)."""
    out = [ends[0]]
    for a, b in zip(ends, ends[1:]):
        out += [a + (b - a) * j / points for j in range(1, points)] + [b]
    return out


PAIRS_AT_ONCE = 256
"""Break-evens solved together, at most: one evaluation a round for all of them shares the queries' overhead, but
its frames grow with them, about 4 MB a pair (2026-12-07: 120 scenarios of two self-hosted options each, 240 pairs,
took 1.2 GB and 17 s; in parts of 64 pairs 0.62 GB and 24 s), so 1,000 such scenarios took about 8 GB. Parts of
256 keep a run near 1.5 GB at about 2 s a part more."""


def solve_breakevens(pairs: list[tuple[dict[str, float], dict[str, float]]],
                     lo: float = LOWEST_REQUESTS_PER_DAY, hi: float = HIGHEST_REQUESTS_PER_DAY,
                     auto_base: list[bool] | None = None) -> list[BreakEven | None]:
    """`solve_breakeven` for many (self-hosted, API) pairs at once: one evaluation per refinement round.

    Two crossings are searched side by side on the same evaluations: the first (the break-even volume) and the last,
    from which the option stays no costlier (`BreakEven.stays_requests_per_day`)."""
    auto = list(auto_base) if auto_base is not None else [False] * len(pairs)
    if len(pairs) > PAIRS_AT_ONCE:  # each pair's search is its own: in parts, memory stays that of one part
        return [found for start in range(0, len(pairs), PAIRS_AT_ONCE)
                for found in solve_breakevens(pairs[start:start + PAIRS_AT_ONCE], lo, hi, auto[start:start + PAIRS_AT_ONCE])]
    searches = [(k, crossing) for crossing in (_first_crossing, _last_crossing) for k in range(len(pairs))]
    """Search s looks for crossing `searches[s][1]` of pair `searches[s][0]`."""
    at_upper: dict[int, tuple[float, float, int | None]] = {}
    """(self-hosted total, API total, base) at the upper end of each search's bracket, kept from the evaluation that
    set the bracket, so the break-even's totals need no evaluation of their own."""

    def _diffs_many(keys, volume_lists):
        totals = _pair_totals([pairs[searches[k][0]] for k in keys], volume_lists, [auto[searches[k][0]] for k in keys])
        return [([s - a for s, a in zip(sv, av)], list(zip(sv, av, bv))) for sv, av, bv in totals]

    decades = math.log10(hi) - math.log10(lo)
    grid = [lo * 10 ** (decades * i / 240) for i in range(241)]
    brackets: list[tuple[float, float] | None] = [None] * len(searches)
    fine: dict[int, list[float]] = {}
    for k, (diff, totals) in enumerate(_diffs_many(range(len(pairs)), [grid] * len(pairs))):
        for s, (pair, crossing) in enumerate(searches):
            if pair != k:
                continue
            i = crossing(diff)
            if i is None:
                continue
            brackets[s], at_upper[s] = (grid[i], grid[i + 1]), totals[i + 1]
            # A tooth of the staircase (a stretch where one replica fewer makes self-hosting no costlier, or one more
            # puts it above again, 0.5 % to a few % wide) can sit between two grid points, 12 % apart: scan finely the
            # grid step beside the crossing on the side of the teeth the search must not miss (below the first
            # crossing, above the last) and the step of the crossing itself, so the refinement starts from a bracket
            # 0.05 % wide.
            fine[s] = (_steps(grid[max(i - 1, 0):i + 2]) if crossing is _first_crossing
                       else _steps(grid[i:min(i + 2 + TEETH_SCAN_STEPS_ABOVE, len(grid))], TEETH_SCAN_POINTS))
    if fine:
        keys = list(fine)
        for s, (d, totals) in zip(keys, _diffs_many(keys, [fine[s] for s in keys])):
            j = searches[s][1](d)
            if j is not None:
                brackets[s], at_upper[s] = (fine[s][j], fine[s][j + 1]), totals[j + 1]
    for _ in range(12):
        open_ = [s for s, b in enumerate(brackets) if b is not None and (b[1] - b[0]) > VOLUME_PRECISION * b[1]]
        if not open_:
            break
        points = {s: _steps(brackets[s], REFINE_POINTS) for s in open_}
        for s, (d, totals) in zip(open_, _diffs_many(open_, [points[s] for s in open_])):
            j = searches[s][1](d)
            if j is not None:
                brackets[s], at_upper[s] = (points[s][j], points[s][j + 1]), totals[j + 1]
    out: list[BreakEven | None] = [None] * len(pairs)
    for s, b in enumerate(brackets[:len(pairs)]):
        if b is not None:
            s_total, a_total, base = at_upper[s]
            stays = brackets[len(pairs) + s]
            # the two searches refine on different points: within SAME_CROSSING_SHARE they found one crossing
            stays_at = None if stays is None else b[1] if abs(stays[1] - b[1]) <= SAME_CROSSING_SHARE * b[1] else stays[1]
            out[s] = BreakEven(b[1], s_total, a_total, abs(s_total - a_total) > 1e-6 * max(abs(a_total), 1.0), base, stays_at)
    return out


def _pair_totals(pairs, volume_lists, auto) -> list[tuple]:
    """(self-hosted totals, API totals, bases) of each pair at its volumes, in one evaluation of each kind.

    A self-hosted side with an `auto` base takes the best base at each volume (tco.engine.base_size).
    """
    from tco.engine.base_size import best_base_totals_at_volumes

    fixed = [i for i, a in enumerate(auto) if not a]
    chosen = [i for i, a in enumerate(auto) if a]
    plain = totals_at_volumes([(pairs[i][0], volume_lists[i]) for i in fixed] + [(a, v) for (_, a), v in zip(pairs, volume_lists)])
    best = best_base_totals_at_volumes([(pairs[i][0], volume_lists[i]) for i in chosen])
    own: dict[int, tuple[list[float], list[int | None]]] = {i: (plain[j], [None] * len(volume_lists[i])) for j, i in enumerate(fixed)}
    own.update({i: ([t for _, t in best[j]], [b for b, _ in best[j]]) for j, i in enumerate(chosen)})
    api = plain[len(fixed):]
    return [(own[i][0], api[i], own[i][1]) for i in range(len(pairs))]


def breakeven_month(self_hosted_monthly: list[float], api_monthly: list[float]) -> int | None:
    """The month from which the cumulative self-hosted cost stays at or below the API's to the horizon's end.

    Why "stays": with falling volume or API prices the cumulative costs can cross back; an option that ends the
    horizon above the API has not broken even, whatever it did in month 1 (the month agrees with the totals).
    Given accounting months it is the break-even month; given cash months (purchases and upfront parts when paid,
    resale and book value at the end as inflows) it is the cash payback month."""
    cum_s = cum_a = 0.0
    last_month_above = 0
    for m, (s, a) in enumerate(zip(self_hosted_monthly, api_monthly), start=1):
        cum_s += s
        cum_a += a
        if cum_s > cum_a:
            last_month_above = m
    months = min(len(self_hosted_monthly), len(api_monthly))
    return None if last_month_above == months else last_month_above + 1
