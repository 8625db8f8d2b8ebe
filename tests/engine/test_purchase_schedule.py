"""Issue 15 item 9: purchased GPUs are committed, worked by hand month by month.

Accounting convention (BILLING.md 4, IAS 16.55 / ASC 360): straight-line (cost - residual) / life from
the month the asset is placed in service, continuing while idle; book value falls monthly; at the end
of life the GPU is sold for its residual value and replaced at that month's price; at the horizon's
end the fleet is valued at its book value. The cash view books the purchase when paid and the sales
as inflows; NPV is taken on cash (Excel NPV convention: flows at month ends, BILLING.md 4).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import evaluate  # noqa: E402

# 1 completion per second per GPU, no headroom, one GPU per replica: GPUs needed = completions/s.
# 2 x 86,400 requests a day = 2 completions per second in month 1.
FLEET = {
    "requests_per_day": 2 * 86_400.0, "api_share_fixed": 0.0, "has_self_hosted": 1.0, "is_purchased": 1.0,
    "replica_generations_per_s": 1.0, "max_utilization": 1.0, "gpus_per_replica": 1.0,
    "purchase_usd_per_gpu": 1_200.0, "depreciation_years": 0.25, "residual_value_share": 0.2,
    "cost_of_capital_per_year": 0.12, "horizon_months": 4.0,
    # purchase prices rise 10 % a month: (1 + change)^(1/12) = 1.1
    "gpu_price_change_per_year": 1.1 ** 12 - 1,
}


def column(results, option: str, name: str) -> list[float]:
    row = results.options.filter(pl.col("option") == option)["row"][0]
    return results.monthly.filter(pl.col("row") == row).sort("month")[name].to_list()


def test_a_growing_fleet_buys_when_first_needed_and_replaces_at_end_of_life():
    # Volume +50 % a month: GPUs needed 2, 3, ceil(4.5) = 5, ceil(6.75) = 7.
    # Price per GPU in month m: 1,200 x 1.1^(m-1) = 1,200; 1,320; 1,452; 1,597.2.
    # New GPUs: 2 x 1,200 = 2,400; 1 x 1,320; 2 x 1,452 = 2,904; 2 x 1,597.2 = 3,194.4.
    # Life 0.25 year = 3 months: month 1's two GPUs retire after month 3 and are replaced in month 4
    # at 2 x 1,597.2 = 3,194.4, so month 4 pays 6,388.8.
    r = evaluate(("bought", "self-hosted", {**FLEET, "monthly_growth": 0.5}))
    assert column(r, "bought", "gpus_owned") == pytest.approx([2, 3, 5, 7])
    assert column(r, "bought", "gpu_capex_usd") == pytest.approx([2_400, 1_320, 2_904, 6_388.8])
    # Depreciation = purchase value in service x (1 - 0.2) / 3:
    # in service 2,400; 3,720; 6,624; 6,624 - 2,400 + 6,388.8 = 10,612.8
    assert column(r, "bought", "depreciation_usd") == pytest.approx([640, 992, 1_766.4, 2_830.08])
    # Book value, cohort by cohort at the end of month 4: month 1's GPUs sold at 480 (20 %);
    # month 2's 1,320 - 3 x 352 = 264; month 3's 2,904 - 2 x 774.4 = 1,355.2;
    # month 4's new and replacement GPUs 2 x (3,194.4 - 851.84) = 4,685.12 -> 6,304.32.
    assert column(r, "bought", "gpu_book_value_usd") == pytest.approx([1_760, 2_088, 3_225.6, 6_304.32])
    # Resale: 480 at end of life plus the fleet at book value when the horizon ends.
    assert column(r, "bought", "gpu_resale_usd") == pytest.approx([0, 0, 0, 480 + 6_304.32])
    # Cost of capital, 1 % a month on the month's book value before its depreciation:
    # (1,760 + 640) x 1 % = 24; (2,088 + 992) = 30.8; (3,225.6 + 1,766.4) = 49.92; (6,304.32 + 2,830.08) = 91.344
    assert column(r, "bought", "cost_of_capital_usd") == pytest.approx([24, 30.8, 49.92, 91.344])


def test_cash_and_accounting_views_agree_in_total_and_differ_in_timing():
    # Cash: purchases when paid, sales as inflows, no depreciation, no cost of capital.
    # Over the horizon: 2,400 + 1,320 + 2,904 + 6,388.8 - 6,784.32 = 6,228.48 = the sum of the depreciation.
    r = evaluate(("bought", "self-hosted", {**FLEET, "monthly_growth": 0.5, "cost_of_capital_per_year": 0.0}))
    assert column(r, "bought", "cash_cost_usd") == pytest.approx([2_400, 1_320, 2_904, 6_388.8 - 6_784.32])
    opt = r.options.filter(pl.col("option") == "bought")
    assert opt["total_cost_usd"][0] == pytest.approx(6_228.48)
    assert opt["total_cash_usd"][0] == pytest.approx(6_228.48)


def test_a_shrinking_fleet_keeps_and_depreciates_what_it_bought():
    # Volume halves each month: needed 2, 1, 0.5 -> 1, ... but the 2 GPUs bought in month 1 are kept.
    r = evaluate(("bought", "self-hosted", {**FLEET, "monthly_growth": -0.5, "horizon_months": 3.0,
                                            "gpu_price_change_per_year": 0.0}))
    assert column(r, "bought", "gpus_owned") == pytest.approx([2, 2, 2])
    assert column(r, "bought", "gpu_capex_usd") == pytest.approx([2_400, 0, 0])
    # 2,400 x 0.8 / 3 = 640 each month of the life
    assert column(r, "bought", "depreciation_usd") == pytest.approx([640, 640, 640])


def test_gpus_kept_after_demand_falls_are_counted_powered_at_idle_and_licensed():
    # BILLING.md 4 (IAS 16.55): an owned asset keeps depreciating while idle, so the fleet still holds
    # 2 GPUs when the volume halves; README: idle GPUs draw idle power; software is per GPU-month
    # (operations.software_usd_per_gpu_month; the regulated example's is DGX support per system-year / 8 / 12).
    # Load 2, 1, 0.5 completions/s; 1/s per GPU: GPUs serving 2, 1, ceil(0.5) = 1; owned 2, 2, 2.
    owned = {**FLEET, "monthly_growth": -0.5, "horizon_months": 3.0, "gpu_price_change_per_year": 0.0,
             "server_power_per_gpu_kw": 1.0, "idle_power_share": 0.3, "pue": 1.5, "usd_per_kwh": 0.1,
             "software_usd_per_gpu_month": 100.0}
    r = evaluate(("bought", "self-hosted", owned))
    assert column(r, "bought", "gpus_in_month") == pytest.approx([2, 2, 2])
    assert column(r, "bought", "idle_gpus_in_month") == pytest.approx([0, 1, 1])
    # busy share of the GPUs paid for: 2/2, 1/2, 0.5/2
    assert column(r, "bought", "utilization") == pytest.approx([1, 0.5, 0.25])
    # Every owned GPU draws idle 0.3 kW, the load adds 0.7 kW per GPU-hour it keeps busy; x PUE 1.5:
    # month 1: 2 x 730 x (0.3 + 0.7)             = 1,460 kWh  x 1.5 = 2,190 kWh
    # month 2: 2 x 730 x 0.3 + 1 x 730 x 0.7     = 949 kWh    x 1.5 = 1,423.5 kWh
    # month 3: 2 x 730 x 0.3 + 0.5 x 730 x 0.7   = 693.5 kWh  x 1.5 = 1,040.25 kWh
    assert column(r, "bought", "energy_kwh_in_month") == pytest.approx([2_190, 1_423.5, 1_040.25])
    assert column(r, "bought", "power_usd") == pytest.approx([219, 142.35, 104.025])
    # software 2 GPUs x 100 $ every month, not 2, 1, 1 GPUs
    assert column(r, "bought", "software_usd") == pytest.approx([200, 200, 200])
    opt = r.options.filter(pl.col("option") == "bought")
    assert opt["gpus_average"][0] == pytest.approx(2)
    # GPU-weighted: (1 + 0.5 + 0.25) x 2 / (3 x 2)
    assert opt["utilization_average"][0] == pytest.approx(1.75 / 3)


def test_npv_discounts_the_cash_flows_not_the_depreciation():
    # One month, 12 % a year: the purchase of 2,400 is paid when the GPUs arrive, on the first day (the t = 0 outlay
    # BILLING.md 4 keeps outside Excel's NPV(), undiscounted), and the fleet is sold at its book value 1,760 at the
    # end of the month, discounted by 1.12^(1/12). (As one month-end flow, net 640 / 1.12^(1/12), it was 634.0.)
    r = evaluate(("bought", "self-hosted", {**FLEET, "horizon_months": 1.0, "discount_rate_per_year": 0.12,
                                            "cost_of_capital_per_year": 0.0, "monthly_growth": 0.0}))
    opt = r.options.filter(pl.col("option") == "bought")
    assert opt["npv_usd"][0] == pytest.approx(2_400 - 1_760 / 1.12 ** (1 / 12))


def test_explain_adds_up_the_running_totals_of_the_months_before():
    # `tco explain` of month 3: purchase value in service 6,624 $ (2,400 + 1,320 + 2,904) x 0.8 / 3 = 1,766.4 $
    from tco.engine.explanation import explain_quantity

    r = evaluate(("bought", "self-hosted", {**FLEET, "monthly_growth": 0.5}))
    e = explain_quantity(r, "s", "bought", "depreciation_usd", 3)
    assert e.value == pytest.approx(1_766.4)
    assert {p.name: p.value for p in e.parts}["gpu_capex_in_service_usd"] == pytest.approx(6_624)


def test_the_cash_payback_month_comes_when_the_purchase_is_paid_back_not_when_its_depreciation_is():
    # The payback period of capital budgeting, on the cash view (BILLING.md 4: the purchase booked when paid, sales
    # as inflows): the first month in which the cash paid so far for the own GPUs is at or below the API bills paid so far.
    # Own fleet: 2 GPUs bought in month 1 at 1,200 each, no other cost, no price change, no cost of capital; life
    # 1 year, no residual: depreciation 2,400 / 12 = 200 a month; the fleet's book value at the end of month 6,
    # 2,400 - 6 x 200 = 1,200, comes back in month 6 (the horizon's end).
    # API: 1 output token a request, priced so that the 2 x 86,400 x 365 / 12 requests of a month cost 500.
    requests_in_month = 2 * 86_400.0 * 365 / 12
    own = {**FLEET, "gpu_price_change_per_year": 0.0, "cost_of_capital_per_year": 0.0, "depreciation_years": 1.0,
           "residual_value_share": 0.0, "horizon_months": 6.0}
    api = {"requests_per_day": 2 * 86_400.0, "input_tokens": 0.0, "output_tokens": 1.0,
           "output_usd_per_million_tokens": 500.0 / requests_in_month * 1e6, "horizon_months": 6.0}
    r = evaluate(("bought", "self-hosted", own), ("api", "api", api))
    assert column(r, "api", "cash_cost_usd") == pytest.approx([500.0] * 6)
    assert column(r, "bought", "cash_cost_usd") == pytest.approx([2_400, 0, 0, 0, 0, -1_200])
    rec = r.options.filter(pl.col("option") == "bought").row(0, named=True)
    assert rec["breakeven_month"] == 1  # accounting: 200 a month against 500
    # Cash, cumulative: own 2,400 until month 6; API 500 x m: 2,400 <= 2,500 first in month 5.
    assert rec["breakeven_month_cash"] == 5
    # At 1,600 a GPU (3,200 paid) only the resale pays it back: month 5, 3,200 > 2,500; month 6, 3,200 - 1,600 (the
    # book value, 3,200 - 6 x 3,200 / 12) = 1,600 <= 3,000.
    r = evaluate(("bought", "self-hosted", {**own, "purchase_usd_per_gpu": 1_600.0}), ("api", "api", api))
    assert r.options.filter(pl.col("option") == "bought")["breakeven_month_cash"][0] == 6
    # At 3,100 a GPU: month 6, 6,200 - 3,100 = 3,100 > 3,000: never within the horizon; accounting never either
    # (6,200 / 12 = 516.67 a month against 500).
    r = evaluate(("bought", "self-hosted", {**own, "purchase_usd_per_gpu": 3_100.0}), ("api", "api", api))
    rec = r.options.filter(pl.col("option") == "bought").row(0, named=True)
    assert (rec["breakeven_month_cash"], rec["breakeven_month"]) == (None, None)
