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


def test_npv_discounts_the_upfront_payment_from_the_day_it_is_paid():
    # 10 % a year. An upfront part is paid when the term is signed, on its month's first day: month 1's 52,560 $ is
    # the t = 0 outlay BILLING.md 4 keeps outside Excel's NPV(), worth 52,560 $ (it was discounted one month, as a
    # month-end flow: 52,560 / 1.1^(1/12) = 52,144.19 $).
    r = evaluate(("owed", "self-hosted", {**ONE_GPU, "horizon_months": 24.0, "term_months": 36.0,
                                          "upfront_share": 1.0, "discount_rate_per_year": 0.1}))
    assert totals(r, "owed")["npv_usd"] == pytest.approx(52_560)
    # A 12-month term (17,520 $) half upfront, renewed in month 13: upfront 8,760 $ on day one and 8,760 $ twelve
    # months in (8,760 / 1.1); the other half monthly at month ends, 730 $ at the end of each month m.
    r = evaluate(("owed", "self-hosted", {**ONE_GPU, "horizon_months": 24.0, "term_months": 12.0,
                                          "upfront_share": 0.5, "discount_rate_per_year": 0.1}))
    monthly_parts = sum(730 / 1.1 ** (m / 12) for m in range(1, 25))
    assert totals(r, "owed")["npv_usd"] == pytest.approx(8_760 + 8_760 / 1.1 + monthly_parts)


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


ONE_RESERVED_GPU_YAML = """\
schema_version: 1
scenarios:
  - id: one
    workload:
      requests_per_day: 10
      hourly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
      input_tokens: 100
      output_tokens: 100
    finance: {horizon_months: 6, start_date: 2026-01-01, discount_rate_per_year: 0.1}
    options:
      - {kind: self-hosted, id: owed, model: llama-3.1-8b, gpu: h100-sxm, gpus_per_replica: 1, replica_output_tokens_per_s: 4000,
         payment: {mode: reserved, gpu_usd_per_hour: 2.0, term_months: 12, upfront_share: 0.0}}
      - {kind: self-hosted, id: half-upfront, model: llama-3.1-8b, gpu: h100-sxm, gpus_per_replica: 1, replica_output_tokens_per_s: 4000,
         payment: {mode: reserved, gpu_usd_per_hour: 2.0, term_months: 12, upfront_share: 0.5}}
      - {kind: self-hosted, id: share, model: llama-3.1-8b, gpu: h100-sxm, gpus_per_replica: 1, replica_output_tokens_per_s: 4000,
         payment: {mode: reserved, gpu_usd_per_hour: 2.0, term_months: 12, upfront_share: 0.0, beyond_horizon: horizon-share}}
"""


def test_npv_discounts_each_payment_owed_past_the_horizon_at_the_month_it_falls_due(tmp_path, capsys):
    # Every monthly payment is discounted at the end of the month it is paid, an upfront part from the day it is
    # paid (README "Cash and accounting views"; BILLING.md 4, NPV timing: Excel NPV puts flows at period ends, and a
    # t = 0 outlay outside it). One GPU (a 10-request/day load, min 1 replica),
    # a 12-month term at 2 $/GPU-hour: 2 x 730 x 12 = 17,520 $, 1,460 $ a month; horizon 6 months, 10 %/year,
    # so month k is worth 1.1^(-k/12).
    import json

    from tco.cli import main

    path = tmp_path / "one.yaml"
    path.write_text(ONE_RESERVED_GPU_YAML)
    assert main(["run", str(path), "--format", "json", "--as-of", "2026-11-27"]) == 0
    by_option = {r["option"]: r for r in json.loads(capsys.readouterr().out)}

    def at(k: int) -> float:
        return 1.1 ** (-k / 12)

    # owed, no upfront: the 12 monthly payments of 1,460 $ in months 1..12, each at its own month; months 7..12
    # are still shown as one amount in month 6 in the cash view, so the cash total stays the nominal 17,520 $.
    owed_npv = sum(1_460 * at(k) for k in range(1, 13))
    assert by_option["owed"]["npv_usd"] == pytest.approx(owed_npv, rel=1e-12)
    assert by_option["owed"]["total_cash_usd"] == pytest.approx(17_520)
    # the old figure, months 7..12 (8,760 $) discounted at month 6, was higher
    assert sum(1_460 * at(k) for k in range(1, 6)) + 10_220 * at(6) > owed_npv + 100
    # half upfront: 8,760 $ on signing (month 1's first day: t = 0), then 730 $ at the end of each of months 1..12
    half_npv = 8_760 + sum(730 * at(k) for k in range(1, 13))
    assert by_option["half-upfront"]["npv_usd"] == pytest.approx(half_npv, rel=1e-12)
    assert by_option["half-upfront"]["total_cash_usd"] == pytest.approx(17_520)
    # horizon-share is unchanged: only months 1..6 count, nothing is owed past the horizon
    assert by_option["share"]["npv_usd"] == pytest.approx(sum(1_460 * at(k) for k in range(1, 7)), rel=1e-12)
    assert by_option["share"]["total_cash_usd"] == pytest.approx(8_760)


def test_without_discounting_the_owed_payments_count_at_their_nominal_amount():
    # At 0 % a year, discounting at the months the payments fall due changes nothing: NPV is the cash total.
    r = evaluate(("owed", "self-hosted", {**ONE_GPU, "horizon_months": 6.0, "term_months": 12.0, "upfront_share": 0.25}))
    assert column(r, "owed", "discounted_cost_usd") == column(r, "owed", "cash_cost_usd")
    assert totals(r, "owed")["npv_usd"] == pytest.approx(17_520)


def test_a_horizon_share_takes_the_upfront_for_later_months_off_where_it_was_paid():
    """Billing hunt: with `beyond_horizon: horizon-share` the upfront for the months after the horizon was taken off as
    an inflow at the horizon's end, discounted more than the payment it undoes: the NPV came out above the cash paid.
    10 % a year. A 36-month term all upfront on a 24-month horizon: only the horizon's 35,040 $ counts, paid at t = 0.
    A 12-month term half upfront on an 18-month horizon, renewed in month 13: upfront 8,760 $ on day one and 8,760 $
    at the start of month 13, of which 6 of 12 months (4,380 $) fall after the horizon; monthly parts of 730 $ at the
    ends of months 1..18."""
    r = evaluate(("share", "self-hosted", {**ONE_GPU, "horizon_months": 24.0, "term_months": 36.0, "upfront_share": 1.0,
                                           "count_beyond_horizon": 0.0, "discount_rate_per_year": 0.1}))
    assert totals(r, "share")["total_cash_usd"] == pytest.approx(35_040)
    assert totals(r, "share")["npv_usd"] == pytest.approx(35_040)
    r = evaluate(("share", "self-hosted", {**ONE_GPU, "horizon_months": 18.0, "term_months": 12.0, "upfront_share": 0.5,
                                           "count_beyond_horizon": 0.0, "discount_rate_per_year": 0.1}))
    monthly_parts = sum(730 / 1.1 ** (m / 12) for m in range(1, 19))
    assert totals(r, "share")["npv_usd"] == pytest.approx(8_760 + (8_760 - 4_380) / 1.1 + monthly_parts)
    assert totals(r, "share")["npv_usd"] < totals(r, "share")["total_cash_usd"]
