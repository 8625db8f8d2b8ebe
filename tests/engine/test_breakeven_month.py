"""The break-even month: the month from which the cumulative cost stays at or below the reference's."""

from __future__ import annotations

import pytest

from tco.engine.breakeven import breakeven_month
from tco.export.calc_sheet import _month_it_stays_at_or_below, _month_it_stays_at_or_below_value

# Cumulative own costs against the API's, worked by hand:
CASES = [
    # 100, 200, 300, 400 against 150, 270, 330, 370: below in months 1-3, above in month 4, where the horizon ends.
    # Falling API bills make the costs cross back; the totals say the API is cheaper: never (it said month 1).
    ([100, 100, 100, 100], [150, 120, 60, 40], None),
    # 100, 200, 300, 400, 500 against 150, 190, 290, 490, 590: below, above, above, then below to the end: month 4.
    ([100, 100, 100, 100, 100], [150, 40, 100, 200, 100], 4),
    # a purchase paid back: 300, 310, 320, 330, 340 against 100, 200, 300, 400, 500: month 4
    ([300, 10, 10, 10, 10], [100] * 5, 4),
    # equal is at or below: month 1
    ([100, 100], [100, 100], 1),
]


@pytest.mark.parametrize("own, api, month", CASES)
def test_the_month_is_the_one_from_which_the_cumulative_cost_stays_at_or_below_the_apis(own, api, month):
    assert breakeven_month(own, api) == month


@pytest.mark.parametrize("own, api, month", CASES)
def test_the_workbook_finds_the_same_month_from_its_flags(own, api, month):
    """The workbook's month rows flag each month at or below the reference (1) or not (0), rows past the horizon
    masked out; its formula takes the month after the last flag 0 inside the horizon."""
    flags, cum_own, cum_api = [], 0.0, 0.0
    for mine, theirs in zip(own, api):
        cum_own, cum_api = cum_own + mine, cum_api + theirs
        flags.append(1.0 if cum_own <= cum_api else 0.0)
    rows_past_the_horizon = 3
    in_months = [1.0] * len(own) + [0.0] * rows_past_the_horizon
    value = _month_it_stays_at_or_below_value(flags + [0.0] * rows_past_the_horizon, in_months)
    assert value == ("never" if month is None else month)
    assert _month_it_stays_at_or_below("F5:F12", "$A$5:$A$12", "$C$5:$C$12") == (
        'IF(SUMPRODUCT(MAX((F5:F12=0)*$C$5:$C$12*$A$5:$A$12))>=SUMPRODUCT(MAX($C$5:$C$12*$A$5:$A$12)),"never",'
        'SUMPRODUCT(MAX((F5:F12=0)*$C$5:$C$12*$A$5:$A$12))+1)')
