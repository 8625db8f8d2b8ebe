"""Issue 21 item 2: a reservation is a contract, worked by hand.

Convention: a committed term is owed in full whether used or not (EC2 Reserved Instances and Capacity
Blocks, BILLING.md 2 and 1.8: "billed whether used or not", "not cancellable mid-term"). Cash: the
upfront part when the term starts, the rest monthly; accounting: the term's price spread evenly over
its months (BILLING.md 4: accrual spreads what cash books when paid). A month is 730 hours.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import evaluate  # noqa: E402

# One GPU needed all the time (1 completion/s, 1 GPU per replica), reserved at 2 $/GPU-hour.
ONE_GPU = {
    "requests_per_day": 86_400.0, "api_share_fixed": 0.0, "has_self_hosted": 1.0, "is_reserved": 1.0,
    "replica_generations_per_s": 1.0, "max_utilization": 1.0, "gpus_per_replica": 1.0, "gpu_usd_per_hour": 2.0,
}


def column(results, option: str, name: str) -> list[float]:
    row = results.options.filter(pl.col("option") == option)["row"][0]
    return results.monthly.filter(pl.col("row") == row).sort("month")[name].to_list()


def totals(results, option: str) -> dict:
    return results.options.filter(pl.col("option") == option).to_dicts()[0]


def test_a_three_year_all_upfront_term_on_a_two_year_horizon():
    # The term: 2 $ x 730 h x 36 months = 52,560 $, all paid in month 1.
    # Accounting: 52,560 / 36 = 1,460 $ a month; 24 months inside the horizon = 35,040 $; 12 months past it
    # = 17,520 $: `owed` counts them as their own line in month 24 (total 52,560 $), `horizon-share` does not.
    three_years = {**ONE_GPU, "horizon_months": 24.0, "term_months": 36.0, "upfront_share": 1.0}
    r = evaluate(("owed", "self-hosted", {**three_years, "count_beyond_horizon": 1.0}),
                 ("share", "self-hosted", {**three_years, "count_beyond_horizon": 0.0}))
    assert column(r, "owed", "reserved_usd") == pytest.approx([1_460] * 24)
    assert column(r, "owed", "reserved_beyond_horizon_usd") == pytest.approx([0] * 23 + [17_520])
    assert column(r, "owed", "gpu_rental_usd") == pytest.approx([0] * 24)
    assert totals(r, "owed")["total_cost_usd"] == pytest.approx(52_560)
    assert totals(r, "share")["total_cost_usd"] == pytest.approx(35_040)
    # Cash: 52,560 $ in month 1 and nothing after (owed); horizon-share carries the prepaid 17,520 $ out
    # of the horizon as an inflow in month 24, like a resale at book value.
    assert column(r, "owed", "cash_cost_usd") == pytest.approx([52_560] + [0] * 23)
    assert column(r, "share", "cash_cost_usd") == pytest.approx([52_560] + [0] * 22 + [-17_520])
    assert totals(r, "owed")["total_cash_usd"] == pytest.approx(52_560)
    assert totals(r, "share")["total_cash_usd"] == pytest.approx(35_040)


def test_npv_discounts_the_upfront_payment_in_the_month_it_is_paid():
    # 10 % a year, flows at month ends: the 52,560 $ of month 1 is worth 52,560 / 1.1^(1/12).
    r = evaluate(("owed", "self-hosted", {**ONE_GPU, "horizon_months": 24.0, "term_months": 36.0,
                                          "upfront_share": 1.0, "discount_rate_per_year": 0.1}))
    assert totals(r, "owed")["npv_usd"] == pytest.approx(52_560 / 1.1 ** (1 / 12))


def test_a_capacity_block_shorter_than_the_horizon_is_renewed_at_the_then_current_price():
    # A 3-month block, no upfront, 7-month horizon; GPU prices rise 10 % a month ((1 + change)^(1/12) = 1.1).
    # Terms start in months 1, 4 and 7 at 2, 2 x 1.1^3 = 2.662 and 2 x 1.1^6 = 3.543122 $/GPU-hour:
    # contract values 2 x 730 x 3 = 4,380; 5,829.78; 7,759.43718 $.
    # Accounting: 1,460 $ a month in months 1-3, 1,943.26 in 4-6, 2,586.47906 in 7; the last term has
    # 2 months past the horizon: 5,172.95812 $ owed.
    r = evaluate(("block", "self-hosted", {**ONE_GPU, "horizon_months": 7.0, "term_months": 3.0,
                                           "upfront_share": 0.0, "gpu_price_change_per_year": 1.1 ** 12 - 1}))
    assert column(r, "block", "reserved_signed_usd") == pytest.approx([4_380, 0, 0, 5_829.78, 0, 0, 7_759.43718])
    assert column(r, "block", "reserved_usd") == pytest.approx([1_460] * 3 + [1_943.26] * 3 + [2_586.47906])
    assert column(r, "block", "reserved_beyond_horizon_usd") == pytest.approx([0] * 6 + [5_172.95812])
    # no upfront: cash is the monthly parts, plus in month 7 the two monthly parts still owed
    assert column(r, "block", "cash_cost_usd") == pytest.approx([1_460] * 3 + [1_943.26] * 3 + [2_586.47906 + 5_172.95812])


def test_a_growing_fleet_signs_new_terms_for_the_gpus_it_adds():
    # Volume doubles in month 2: 1 GPU, then 2. A 12-month term, no upfront, 2-month horizon.
    # Month 1: term of 1 GPU, 2 x 730 x 12 = 17,520 $; month 2: a second term, 17,520 $.
    # Past the horizon: the first term has 10 months left, the second 11: 21 x 1,460 = 30,660 $.
    r = evaluate(("grow", "self-hosted", {**ONE_GPU, "horizon_months": 2.0, "term_months": 12.0,
                                          "upfront_share": 0.0, "monthly_growth": 1.0}))
    assert column(r, "grow", "reserved_signed_usd") == pytest.approx([17_520, 17_520])
    assert column(r, "grow", "reserved_usd") == pytest.approx([1_460, 2_920])
    assert column(r, "grow", "reserved_beyond_horizon_usd") == pytest.approx([0, 30_660])


def test_reserved_gpus_kept_after_demand_falls_are_counted_as_paid_and_idle():
    # The whole term is owed whether used or not (BILLING.md 1.8 / 2; README "a reservation is a contract"):
    # 2 GPUs reserved in month 1 stay paid when the volume halves. Load 2, 1, 0.5 completions/s, 1/s per GPU:
    # GPUs serving 2, 1, ceil(0.5) = 1.
    shrinking = {**ONE_GPU, "requests_per_day": 2 * 86_400.0, "monthly_growth": -0.5, "horizon_months": 3.0,
                 "term_months": 12.0, "server_power_per_gpu_kw": 1.0, "idle_power_share": 0.3,
                 "software_usd_per_gpu_month": 100.0}
    r = evaluate(("rsv", "self-hosted", shrinking))
    # 2 GPUs x 2 $ x 730 h every month
    assert column(r, "rsv", "reserved_usd") == pytest.approx([2_920] * 3)
    assert column(r, "rsv", "gpus_in_month") == pytest.approx([2, 2, 2])
    assert column(r, "rsv", "idle_gpus_in_month") == pytest.approx([0, 1, 1])
    assert column(r, "rsv", "utilization") == pytest.approx([1, 0.5, 0.25])
    # software per GPU paid for: 2 x 100 $
    assert column(r, "rsv", "software_usd") == pytest.approx([200] * 3)
    # Energy (reported, not charged): a reserved GPU no replica needs is not started, so only the serving
    # GPUs draw: month 2: 1 x 730 x (0.3 + 0.7 x 1) = 730 kWh; month 3: 1 x 730 x 0.3 + 0.5 x 730 x 0.7 = 474.5 kWh.
    assert column(r, "rsv", "energy_kwh_in_month") == pytest.approx([1_460, 730, 474.5])
    assert totals(r, "rsv")["gpus_average"] == pytest.approx(2)
