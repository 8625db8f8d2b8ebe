"""The live break-even volume of the workbook: a short search written as formulas, and its mirror here.

Why this method. The reference of a break-even is an API option, whose total is exactly
proportional to the daily volume (every API cost line is requests x tokens x price; checked in
tests/export/test_live_breakeven.py), so its total at any volume is one multiplication: the
reference's total per request/day of volume (`b`) times the volume. Only the self-hosted side needs
its months recomputed, one block of columns per search point (Calculations sheet). Its total is a
staircase (whole replicas, month by month) with a slope, so a closed form per replica step would need
a block per step and per month; instead the sheet takes a few steps from the exported break-even:

1. the exported volume (after an input change, no longer the crossing);
2. a Newton step that treats the self-hosted total as flat: v + (S(v) - b v) / b;
3. secant steps through the last two points (`SECANT_STEPS` of them, points 3 to 5, then the result
   through points 4 and 5; exact when both lie on the same step of the staircase, where the total is
   a straight line).
   A secant step goes at least as far as the Newton step from its last point: while the self-hosted
   total does not fall with volume, the Newton step never passes the crossing, so a secant step
   that falls short of it (the points straddle a replica step) is a wasted block.

Each step moves the volume by at most a factor `STEP_LIMIT` and never below `LOWEST`; a step whose
cost difference is already below `CONVERGED_SHARE` of the reference's total stays put (so an
unchanged file keeps the exported figure exactly). Two more blocks then CERTIFY the result: the
option must cost more than its reference at `CERTIFICATE_SHARE` below the result and no more at
`CERTIFICATE_SHARE` above it, so a crossing lies within +/-0.5 % of the shown volume and the live
value agrees with `tco breakeven` within 1 % (the engine's volume lies in the same bracket when the
crossing is unique there). When the crossing is not found in these steps (it moved across
more replica steps than the steps can follow, or it is not there at all), the cell says "not
found" and the Checks sheet turns red rather than showing a wrong number. Measured on the bundled
examples (tests/export/test_live_breakeven.py): after GPU price +25 % / -20 %, horizon halved /
+50 % and an API price decline of 60 %/year, 28 of 30 searches are certified, all within 1 % of
`tco breakeven`; the 2 others say "not found" (a growing hybrid after a longer horizon and a growing
70B fleet after a steeper API price decline, whose totals climb in many small steps). The sheet does not prove the crossing is the lowest
one (the engine scans 0.01 to 10^10 requests/day for that); with a staircase that crosses the API
line several times the two may name different crossings, and the Checks row comparing with the
exported figure turns red.

The Python functions below compute the same numbers in the same order, for the cells' cached values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tco.engine import expr as E
from tco.engine.breakeven import LOWEST_REQUESTS_PER_DAY

STEP_LIMIT = 10.0
CERTIFICATE_SHARE = 0.005
CONVERGED_SHARE = 1e-9
LOWEST = LOWEST_REQUESTS_PER_DAY
AGREEMENT_SHARE = 2 * CERTIFICATE_SHARE
"""The stated tolerance: the live volume is within this share of `tco breakeven`'s (unique crossing)."""
NOT_FOUND = "not found"

SECANT_STEPS = 4
"""Secant steps after the Newton step, the last one giving the result (one block of month columns each,
but the last). Measured on the 30 changed cases of tests/export/test_live_breakeven.py: 2 steps certify 24,
3 certify 25, 4 certify 28, 6 and 9 certify 29."""
SEARCH_POINTS = tuple(str(k) for k in range(1, SECANT_STEPS + 2))
CERTIFICATE_POINTS = ("low", "high")
POINTS = SEARCH_POINTS + CERTIFICATE_POINTS
POINT_TITLES = {
    "1": "start: the exported break-even volume (the scenario's volume when there is none)",
    "2": "Newton step from point 1",
    **{k: f"secant step through points {before} and {last}" for before, last, k in zip(SEARCH_POINTS, SEARCH_POINTS[1:], SEARCH_POINTS[2:])},
    "low": "certificate: 0.5 % below the result",
    "high": "certificate: 0.5 % above the result",
}
RESULT_TITLE = f"search result: secant step through points {SEARCH_POINTS[-2]} and {SEARCH_POINTS[-1]}"


# The step rules, written once as terms and rendered to floats (the cells' cached values) and to
# Excel (the cells' formulas). Inputs: the last two points (x0, d0), (x1, d1) and the reference's
# total per request/day b; the constants are the workbook's named constants of the same names.
_X0, _D0, _X1, _D1, _B = (E.Input(n, "") for n in ("x0", "d0", "x1", "d1", "b"))
_LIMIT, _CONVERGED, _LOWEST = (E.Input(n, "") for n in (
    "breakeven_search_step_limit", "breakeven_converged_share", "lowest_requests_per_day"))
_CONSTANTS = {"breakeven_search_step_limit": STEP_LIMIT, "breakeven_converged_share": CONVERGED_SHARE,
              "lowest_requests_per_day": LOWEST}


def _step(raw: E.Term) -> E.Term:
    """Stay put once the costs meet; else `raw`, moved by at most a factor STEP_LIMIT and never below LOWEST."""
    clamped = E.minimum(E.maximum(raw, _X1 / _LIMIT, _LOWEST), _X1 * _LIMIT)
    return E.where(E.Func("abs", (_D1,)).le(_CONVERGED * _B * _X1), _X1, clamped)


_NEWTON_TERM = _X1 + _D1 / _B
NEWTON = _step(_NEWTON_TERM)
"""A Newton step that treats the self-hosted total as flat: x1 + d1 / b."""
_SECANT_TERM = E.where(_D1.eq(_D0), _NEWTON_TERM, _X1 - _D1 * (_X1 - _X0) / (_D1 - _D0))
SECANT = _step(E.where(_D1.gt(0), E.maximum(_NEWTON_TERM, _SECANT_TERM), E.minimum(_NEWTON_TERM, _SECANT_TERM)))
"""A secant step, but never short of the Newton step on the side the last point lies (see the module)."""


def _value(term: E.Term, **points: float) -> float:
    return E.to_python(term, {**_CONSTANTS, **points})


def _formula(term: E.Term, **cells: str) -> str:
    return E.to_excel(term, lambda name: cells.get(name, name))


def newton(x1: float, d1: float, b: float) -> float:
    return _value(NEWTON, x1=x1, d1=d1, b=b)


def newton_formula(x1: str, d1: str, b: str) -> str:
    return _formula(NEWTON, x1=x1, d1=d1, b=b)


def secant(x0: float, d0: float, x1: float, d1: float, b: float) -> float:
    return _value(SECANT, x0=x0, d0=d0, x1=x1, d1=d1, b=b)


def secant_formula(x0: str, d0: str, x1: str, d1: str, b: str) -> str:
    return _formula(SECANT, x0=x0, d0=d0, x1=x1, d1=d1, b=b)


@dataclass
class SearchPoint:
    volume: float
    total_usd: float
    difference_usd: float


@dataclass
class Search:
    """The engine-side mirror of one option's search: the cached values of its cells."""

    start: float
    reference_usd_per_daily_request: float
    points: dict[str, SearchPoint]
    result: float
    certified: bool

    @property
    def live(self) -> float | str:
        return self.result if self.certified else NOT_FOUND


def run_search(start: float, b: float, total_at: Callable[[str, float], float]) -> Search:
    """`total_at(point, volume)` is the option's total over the horizon at that volume (the block's sum)."""
    points: dict[str, SearchPoint] = {}

    def visit(name: str, volume: float) -> SearchPoint:
        total = total_at(name, volume)
        points[name] = SearchPoint(volume, total, total - b * volume)
        return points[name]

    p1 = visit("1", start)
    last = [p1, visit("2", newton(p1.volume, p1.difference_usd, b))]
    for k in SEARCH_POINTS[2:]:
        last = [last[1], visit(k, secant(last[0].volume, last[0].difference_usd, last[1].volume, last[1].difference_usd, b))]
    result = secant(last[0].volume, last[0].difference_usd, last[1].volume, last[1].difference_usd, b)
    low = visit("low", result * (1 - CERTIFICATE_SHARE))
    high = visit("high", result * (1 + CERTIFICATE_SHARE))
    return Search(start, b, points, result, low.difference_usd > 0 and high.difference_usd <= 0)
