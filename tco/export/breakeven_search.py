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
3. bracketing steps (points 3 to 6, then the last step's volume through point 6). Once a point
   where the option costs more (below) and one where it costs no more (above) are known, the step is
   the Illinois variant of regula falsi between them (the end kept twice in a row has its cost
   difference halved, so the bracket shrinks from both sides), but never short of the Newton step
   from the costlier end: while the self-hosted total does not fall with volume, no crossing lies
   between that end and its Newton step. Before a bracket is known, a secant step through the last
   two points, again never short of the Newton step on the side the last point lies.
4. a look-back: three points 0.5 %, 3 % and 10 % below the last step's volume. If the option already
   costs no more at one of them, a lower crossing lies below it (a staircase that crosses the API line
   several times, its teeth 0.5 % to several % wide); a Newton step down from the farthest such point
   finds the crossing just below it (exact on a flat stretch of the staircase: it never passes a
   costlier stretch going down).
5. two safe steps up from the middle look-back point (3 % below), where the option costs more there:
   a Newton step up from a costlier point passes no crossing (the self-hosted total stays at least
   what it is there, the reference's grows as b v), so the first such step where the option costs no
   more IS the lowest crossing above that point. It becomes the result when it lies more than 0.5 %
   below the look-back's (a tooth of the staircase too narrow for the look-back points to fall in).

Each step moves the volume by at most a factor `STEP_LIMIT` and never below `LOWEST`; a step whose
cost difference is already below `CONVERGED_SHARE` of the reference's total stays put (so an
unchanged file keeps the exported figure exactly). Two more blocks then CERTIFY the result: the
option must cost more than its reference at `CERTIFICATE_SHARE` below the result and no more at
`CERTIFICATE_SHARE` above it (or at the result itself, when a safe step up found it), so a crossing
lies within +/-0.5 % of the shown volume and the live value agrees with `tco breakeven` within 1 %
(the engine's volume lies in the same bracket when the crossing is unique there). When the crossing
is not found in these steps (it moved across more replica steps than the steps can follow, or it is
not there at all), the cell says "not found" and the Checks sheet turns red rather than showing a
wrong number. Measured on the bundled examples (tests/export/test_live_breakeven.py): after GPU price
+25 % / -20 %, horizon halved / +50 % and an API price decline of 60 %/year, all 30 searches are
certified, all within 1 % of `tco breakeven` (without the safe steps up, 29: a 70B fleet whose lowest
crossing is a tooth of the staircase 0.25 % wide, 1 % below the search's, said "not found"). The sheet
does not prove the crossing is the lowest one (the engine scans 0.01 to 10^10 requests/day for that, and the grid step
below its first crossing finely, for a tooth narrower than the grid: `breakeven.TOOTH_SCAN_POINTS`):
with a staircase that crosses the API line again below what the look-back and the safe steps up reach
(10 % below the last step; 3 % for a tooth narrower than the look-back's spacing), the two may name
different crossings.

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

SEARCH_BLOCKS = 6
"""Search points with a block of month columns each (the exported volume, the Newton step, then bracketing
steps). Measured on the 30 changed cases of tests/export/test_live_breakeven.py (2026-12-02, before the
throughput model's changes of that day), with one look-back point: 4 blocks certify 26, 5 certify 29, 6 certify
all 30; without it, 5 certify 28 and 6 certify 29. The secant steps this replaced certified 28 with 5 blocks
and no look-back."""
LOOK_BACK_SHARES = (0.005, 0.03, 0.1)
"""How far below the last step the look-back points lie. Measured on the same 30 cases after the throughput
model's changes of 2026-12-02: one point (0.5 %) certifies 29, two of them at a crossing 5.7 % and 6.9 %
above the engine's (an 8B spot fleet whose staircase's teeth are ~5 % wide); these three certify 29, all
within 1 %, the same as four (0.5, 2, 5, 10 %) and five (.., 20 %)."""
LOOK_BACK_CONSTANTS = ("breakeven_look_back_near_share", "breakeven_look_back_middle_share", "breakeven_look_back_far_share")
SEARCH_POINTS = tuple(str(k) for k in range(1, SEARCH_BLOCKS + 1))
LOOK_BACK_POINTS = tuple(f"back_{k}" for k in range(1, len(LOOK_BACK_SHARES) + 1))
ASCENT_START = "back_2"
"""The ascent starts at the middle look-back point (3 % below the last step)."""
ASCENT_POINTS = ("up_1", "up_2")
"""Safe steps up from ASCENT_START. Measured on the 30 changed cases of tests/export/test_live_breakeven.py
(2026-12-02, late): without them 29 are certified (not the 70B fleet whose lowest crossing is a tooth 1 % below
the search's, narrower than the certificate); with two, all 30, within 1 % of `tco breakeven`. A prototype that
took them only where the look-back kept the last step certified 29 with one step, 30 with two or three."""
CERTIFICATE_POINTS = ("low", "high")
POINTS = SEARCH_POINTS + LOOK_BACK_POINTS + ASCENT_POINTS + CERTIFICATE_POINTS
POINT_TITLES = {
    "1": "start: the exported break-even volume (the scenario's volume when there is none)",
    "2": "Newton step from point 1",
    **{k: f"bracketing step after point {last}" for last, k in zip(SEARCH_POINTS[1:], SEARCH_POINTS[2:])},
    **{k: f"look-back: {share * 100:g} % below the last step's volume" for k, share in zip(LOOK_BACK_POINTS, LOOK_BACK_SHARES)},
    **{k: f"safe step up from point {before} (where that point costs more: no crossing lies in between)"
       for before, k in zip((ASCENT_START,) + ASCENT_POINTS, ASCENT_POINTS)},
    "low": "certificate: 0.5 % below the result",
    "high": "certificate: 0.5 % above the result (the result itself when a safe step up found it)",
}
LAST_STEP_TITLE = f"last step: bracketing step after point {SEARCH_POINTS[-1]}"
LOOK_BACK_RESULT_TITLE = ("look-back result: the last step, or a Newton step down from the farthest look-back point where "
                          "the option costs no more")
RESULT_TITLE = ("search result: the first safe step up that costs no more, where it lies more than 0.5 % below the "
                "look-back result; else the look-back result")
BRACKET_ENDS = ("costlier", "cheaper")
"""The bracket after each point: the latest point where the option costs more than its reference
(`costlier`) and the latest where it costs no more (`cheaper`); volume 0 while there is none."""


# The step rules, written once as terms and rendered to floats (the cells' cached values) and to
# Excel (the cells' formulas). Inputs: the last two points (x0, d0), (x1, d1), the bracket's ends
# (xc, dc) costlier and (xn, dn) cheaper, and the reference's total per request/day b; the constants
# are the workbook's named constants of the same names.
_X0, _D0, _X1, _D1, _B = (E.Input(n, "") for n in ("x0", "d0", "x1", "d1", "b"))
_XC, _DC, _XN, _DN = (E.Input(n, "") for n in ("xc", "dc", "xn", "dn"))
_LIMIT, _CONVERGED, _LOWEST, _HALF = (E.Input(n, "") for n in (
    "breakeven_search_step_limit", "breakeven_converged_share", "lowest_requests_per_day", "one_half"))
_CONSTANTS = {"breakeven_search_step_limit": STEP_LIMIT, "breakeven_converged_share": CONVERGED_SHARE,
              "lowest_requests_per_day": LOWEST, "one_half": 0.5, "breakeven_certificate_share": CERTIFICATE_SHARE,
              **dict(zip(LOOK_BACK_CONSTANTS, LOOK_BACK_SHARES))}


def _step(raw: E.Term) -> E.Term:
    """Stay put once the costs meet; else `raw`, moved by at most a factor STEP_LIMIT and never below LOWEST."""
    clamped = E.minimum(E.maximum(raw, _X1 / _LIMIT, _LOWEST), _X1 * _LIMIT)
    return E.where(E.Func("abs", (_D1,)).le(_CONVERGED * _B * _X1), _X1, clamped)


_NEWTON_TERM = _X1 + _D1 / _B
NEWTON = _step(_NEWTON_TERM)
"""A Newton step that treats the self-hosted total as flat: x1 + d1 / b."""
_SECANT_TERM = E.where(_D1.eq(_D0), _NEWTON_TERM, _X1 - _D1 * (_X1 - _X0) / (_D1 - _D0))
_SECANT = E.where(_D1.gt(0), E.maximum(_NEWTON_TERM, _SECANT_TERM), E.minimum(_NEWTON_TERM, _SECANT_TERM))
_REGULA_FALSI = E.maximum(_XC + _DC / _B, _XC - _DC * (_XN - _XC) / (_DN - _DC))
STEP = _step(E.where(_DC.gt(0), E.where(_XN.gt(_XC), _REGULA_FALSI, _SECANT), _SECANT))
"""Regula falsi between the bracket's ends once the costlier lies below the cheaper, never short of the
costlier end's Newton step; else a secant step never short of the Newton step on the last point's side."""

# The bracket after a new point (x1, d1), from the bracket before it (xc, dc, xn, dn) and the point before (d0).
COSTLIER_VOLUME = E.where(_D1.gt(0), _X1, _XC)
COSTLIER_DIFFERENCE = E.where(_D1.gt(0), _D1, E.where(_D0.le(0), _DC * _HALF, _DC))
CHEAPER_VOLUME = E.where(_D1.le(0), _X1, _XN)
CHEAPER_DIFFERENCE = E.where(_D1.le(0), _D1, E.where(_D0.gt(0), _DN * _HALF, _DN))
BRACKET_TERMS = {("costlier", "requests_per_day"): COSTLIER_VOLUME, ("costlier", "difference_usd"): COSTLIER_DIFFERENCE,
                 ("cheaper", "requests_per_day"): CHEAPER_VOLUME, ("cheaper", "difference_usd"): CHEAPER_DIFFERENCE}

_BACK = [(E.Input(f"x{k}", ""), E.Input(f"d{k}", "")) for k in range(1, len(LOOK_BACK_SHARES) + 1)]


def _look_back_term() -> E.Term:
    """The result from the last step's volume (x0) and the look-back points (x1, d1) ... nearest first: a
    Newton step down from the farthest point where the option costs no more, else the last step."""
    term: E.Term = _X0
    for x, d in _BACK:  # nearest first, so the farthest ends up outermost (asked first)
        term = E.where(d.le(0), E.maximum(x + d / _B, x / _LIMIT, _LOWEST), term)
    return term


LOOK_BACK = _look_back_term()

ASCENT_STEP = E.where(_D1.gt(0), E.minimum(_X1 + _D1 / _B, _X1 * _LIMIT), _X1)
"""A safe step up from a point (x1, d1) where the option costs more: x1 + d1 / b. While the self-hosted total does
not fall with volume, the option costs more all the way there (its total stays at least S(x1), the reference's
is b x), so no crossing is passed; on a flat stretch the step lands exactly on the crossing. At most a factor
STEP_LIMIT; a point that costs no more stays put."""
_UP = [(E.Input(f"x{k}", ""), E.Input(f"d{k}", "")) for k in range(1, len(ASCENT_POINTS) + 1)]
_CERTIFICATE = E.Input("breakeven_certificate_share", "")


def _ascent_term() -> E.Term:
    """The result from the look-back result (x0) and the safe steps up (x1, d1) ...: the first step that costs no
    more, where it lies more than the certificate's share below x0 (nearer, x0 stands: an unchanged file keeps
    the exported figure exactly); else x0."""
    term: E.Term = _X0
    for x, d in reversed(_UP):  # the first step ends up outermost (asked first)
        term = E.where(d.le(0), E.where(x.lt(_X0 * (1 - _CERTIFICATE)), x, _X0), term)
    return term


ASCENT_RESULT = _ascent_term()
_SHARE = E.Input("share", "")
BELOW = _X1 * (1 - _SHARE)
"""A point a share below a volume x1 (the look-back points, the low certificate); the share is a named constant."""
HIGH_CERTIFICATE = E.where(_X1.lt(_X0), _X1, _X1 * (1 + _CERTIFICATE))
"""The high certificate point from the look-back result (x0) and the result (x1): 0.5 % above the result, or the
result itself when a safe step up found it (that step's point costs no more: the crossing is there)."""


def _value(term: E.Term, **points: float) -> float:
    return E.to_python(term, {**_CONSTANTS, **points})


def _formula(term: E.Term, **cells: str) -> str:
    return E.to_excel(term, lambda name: cells.get(name, name))


def newton(x1: float, d1: float, b: float) -> float:
    return _value(NEWTON, x1=x1, d1=d1, b=b)


def newton_formula(x1: str, d1: str, b: str) -> str:
    return _formula(NEWTON, x1=x1, d1=d1, b=b)


def step(**values: float) -> float:
    """`STEP` at (x0, d0, x1, d1, xc, dc, xn, dn, b)."""
    return _value(STEP, **values)


def step_formula(**cells: str) -> str:
    return _formula(STEP, **cells)


def bracket(**values: float) -> dict[tuple[str, str], float]:
    """The bracket's ends after a point: `BRACKET_TERMS` at (d0, x1, d1, xc, dc, xn, dn)."""
    return {key: _value(term, **values) for key, term in BRACKET_TERMS.items()}


def bracket_formulas(**cells: str) -> dict[tuple[str, str], str]:
    return {key: _formula(term, **cells) for key, term in BRACKET_TERMS.items()}


def look_back(x0: float, points: list[tuple[float, float]], b: float) -> float:
    """`LOOK_BACK` at the last step x0 and the look-back points' (volume, difference), nearest first."""
    return _value(LOOK_BACK, x0=x0, b=b, **{f"{n}{k}": v for k, p in enumerate(points, 1) for n, v in zip("xd", p)})


def look_back_formula(x0: str, points: list[tuple[str, str]], b: str) -> str:
    return _formula(LOOK_BACK, x0=x0, b=b, **{f"{n}{k}": v for k, p in enumerate(points, 1) for n, v in zip("xd", p)})


def ascent_step(x1: float, d1: float, b: float) -> float:
    return _value(ASCENT_STEP, x1=x1, d1=d1, b=b)


def ascent_step_formula(x1: str, d1: str, b: str) -> str:
    return _formula(ASCENT_STEP, x1=x1, d1=d1, b=b)


def ascent(x0: float, points: list[tuple[float, float]]) -> float:
    """`ASCENT_RESULT` at the look-back result x0 and the safe steps' (volume, difference), in the order taken."""
    return _value(ASCENT_RESULT, x0=x0, **{f"{n}{k}": v for k, p in enumerate(points, 1) for n, v in zip("xd", p)})


def ascent_formula(x0: str, points: list[tuple[str, str]]) -> str:
    return _formula(ASCENT_RESULT, x0=x0, **{f"{n}{k}": v for k, p in enumerate(points, 1) for n, v in zip("xd", p)})


def below(x1: float, share_constant: str) -> float:
    """`BELOW` at x1 and the named constant `share_constant` (e.g. breakeven_certificate_share)."""
    return _value(BELOW, x1=x1, share=_CONSTANTS[share_constant])


def below_formula(x1: str, share_constant: str) -> str:
    return _formula(BELOW, x1=x1, share=share_constant)


def high_certificate(look_back_result: float, result: float) -> float:
    return _value(HIGH_CERTIFICATE, x0=look_back_result, x1=result)


def high_certificate_formula(look_back_result: str, result: str) -> str:
    return _formula(HIGH_CERTIFICATE, x0=look_back_result, x1=result)


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
    brackets: dict[str, dict[tuple[str, str], float]]
    """Search point -> the bracket's ends after it (BRACKET_TERMS' keys)."""
    last_step: float
    look_back_result: float
    result: float
    certified: bool

    @property
    def live(self) -> float | str:
        return self.result if self.certified else NOT_FOUND


def bracket_inputs(ends: dict[tuple[str, str], object]) -> dict[str, object]:
    """The bracket's ends (values, or the cells holding them) as the step terms' inputs xc, dc, xn, dn."""
    return {"xc": ends[("costlier", "requests_per_day")], "dc": ends[("costlier", "difference_usd")],
            "xn": ends[("cheaper", "requests_per_day")], "dn": ends[("cheaper", "difference_usd")]}


NO_BRACKET = {key: 0.0 for key in BRACKET_TERMS}
"""The bracket before point 1: no end known (volume 0)."""


def run_search(start: float, b: float, totals_at: Callable[[list[tuple[str, float]]], list[float]]) -> Search:
    """`totals_at([(point, volume), ...])` is the option's total over the horizon at each (the blocks' sums).

    The look-back and the certificate are asked for together, guessing that the look-back keeps the last
    step (then the low certificate is the nearest look-back point itself): one evaluation instead of three.
    """
    points: dict[str, SearchPoint] = {}
    brackets: dict[str, dict[tuple[str, str], float]] = {}

    def visit(*asked: tuple[str, float]) -> list[SearchPoint]:
        for (name, volume), total in zip(asked, totals_at(list(asked))):
            points[name] = SearchPoint(volume, total, total - b * volume)
        return [points[name] for name, _ in asked]

    def next_step(k: int) -> float:
        """The bracketing step after search point k (0-based), through it and the point before."""
        p0, p1 = points[SEARCH_POINTS[k - 1]], points[SEARCH_POINTS[k]]
        return step(x0=p0.volume, d0=p0.difference_usd, x1=p1.volume, d1=p1.difference_usd, b=b,
                    **bracket_inputs(brackets[SEARCH_POINTS[k]]))

    ends, d0 = NO_BRACKET, 0.0
    for k, name in enumerate(SEARCH_POINTS):
        if k == 0:
            volume = start
        elif k == 1:
            volume = newton(points["1"].volume, points["1"].difference_usd, b)
        else:
            volume = next_step(k - 1)
        [p] = visit((name, volume))
        ends = brackets[name] = bracket(d0=d0, x1=p.volume, d1=p.difference_usd, **bracket_inputs(ends))
        d0 = p.difference_usd
    last_step = next_step(len(SEARCH_POINTS) - 1)
    back = visit(*((name, below(last_step, share)) for name, share in zip(LOOK_BACK_POINTS, LOOK_BACK_CONSTANTS)),
                 ("low", below(last_step, "breakeven_certificate_share")), ("high", high_certificate(last_step, last_step)))
    low, high = back[-2:]
    looked_back = look_back(last_step, [(p.volume, p.difference_usd) for p in back[:-2]], b)
    before = points[ASCENT_START]
    for name in ASCENT_POINTS:
        [before] = visit((name, ascent_step(before.volume, before.difference_usd, b)))
    result = ascent(looked_back, [(points[k].volume, points[k].difference_usd) for k in ASCENT_POINTS])
    if result != last_step:
        [low, high] = visit(("low", below(result, "breakeven_certificate_share")), ("high", high_certificate(looked_back, result)))
    return Search(start, b, points, brackets, last_step, looked_back, result,
                  low.difference_usd > 0 and high.difference_usd <= 0)
