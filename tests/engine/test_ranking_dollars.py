"""The run's sentence rounds dollars as the workbook's TEXT(ROUND(x, cent_decimals), "$#,##0") does, so the two agree."""

from __future__ import annotations

from tco.engine.ranking import dollars, recommendation_text


def test_a_total_of_a_half_dollar_summed_a_hair_under_it_reads_as_the_workbook_reads_it():
    # $875,817.50 summed in floating point as 875,817.4999999999: to the cent it is .50, and a half goes up in Excel
    assert dollars(875_817.4999999999) == "$875,818"
    # Python's own f"{x:,.0f}" sends halves to the even dollar; TEXT sends them away from zero
    assert f"{875_816.5:,.0f}" == "875,816" and dollars(875_816.5) == "$875,817"
    assert dollars(1_234.494999) == "$1,234" and dollars(37_390.0) == "$37,390"


def test_the_sentence_uses_that_rounding():
    base = {"scenario": "s", "excluded_reason": None, "breakeven_requests_per_day": None}
    records = [{**base, "option": "a", "kind": "api", "rank": 1, "total_cost_usd": 875_817.4999999999},
               {**base, "option": "b", "kind": "api", "rank": 2, "total_cost_usd": 875_818.0}]
    assert recommendation_text(records).startswith("a (api) is cheapest at $875,818 over the horizon, $1 less than b")
