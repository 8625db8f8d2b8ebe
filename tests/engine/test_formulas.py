"""Each cost line against arithmetic written out by hand, on rows built without any file.

Constants: a month is 365/12 = 30.41666 days and 8760/12 = 730 hours; prices are per million tokens.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rows_by_hand import AGENT_API, PURCHASED, RENTED, evaluate  # noqa: E402

DAYS = 365 / 12
HOURS = 730.0


def month_line(results, option: str, line: str, month: int = 1) -> float:
    row = results.options.filter(pl.col("option") == option)["row"][0]
    m = results.monthly.filter((pl.col("row") == row) & (pl.col("month") == month))
    return m[line][0]


def total(results, option: str, column: str) -> float:
    return results.options.filter(pl.col("option") == option)[column][0]


@pytest.fixture(scope="module")
def agent():
    return evaluate(("agent", "api", AGENT_API))


# The agent request: calls carry 1000, 1200 and 1400 input tokens = 3600; two separate samples
# pay that twice = 7200 input tokens; output 3 calls x 2 samples x 100 = 600; reasoning x 50 = 300.
REQUESTS = 1000 * DAYS                       # 30,416.67 requests in month 1
M_INPUT = REQUESTS * 7200 / 1e6              # 219.0 million input tokens
M_OUTPUT = REQUESTS * 600 / 1e6              # 18.25 million output tokens
M_REASONING = REQUESTS * 300 / 1e6           # 9.125 million reasoning tokens
BLENDED_INPUT = 0.8 * 2.0 + 0.2 * 1.0        # 20 % of requests at the batch price: 1.8 $/M
BLENDED_OUTPUT = 0.8 * 8.0 + 0.2 * 4.0       # 7.2 $/M
DISCOUNT = 1 - 0.1


def test_the_agent_loop_resends_its_growing_context_and_pays_input_per_sample(agent):
    assert M_INPUT == pytest.approx(219.0)
    assert total(agent, "agent", "sum_tokens_in_month") == pytest.approx(REQUESTS * (7200 + 600 + 300))


def test_api_uncached_input_is_the_share_neither_read_nor_written_at_the_blended_price(agent):
    # 219 M x (1 - 0.5 - 0.1) x 1.8 $/M x 0.9 = 141.912 $
    assert month_line(agent, "agent", "api_input_usd") == pytest.approx(M_INPUT * 0.4 * BLENDED_INPUT * DISCOUNT)
    assert M_INPUT * 0.4 * BLENDED_INPUT * DISCOUNT == pytest.approx(141.912)


def test_api_cache_reads_and_writes_have_their_own_prices(agent):
    # reads: 219 x 0.5 x 0.5 $/M x 0.9 = 49.275 $; writes: 219 x 0.1 x 2.5 $/M x 0.9 = 49.275 $
    assert month_line(agent, "agent", "api_cache_read_usd") == pytest.approx(49.275)
    assert month_line(agent, "agent", "api_cache_write_usd") == pytest.approx(49.275)


def test_api_output_and_reasoning_are_billed_at_the_blended_output_price(agent):
    # output: 18.25 M x 7.2 $/M x 0.9 = 118.26 $; reasoning: 9.125 M x 7.2 x 0.9 = 59.13 $
    assert month_line(agent, "agent", "api_output_usd") == pytest.approx(118.26)
    assert month_line(agent, "agent", "api_reasoning_usd") == pytest.approx(59.13)


def test_api_prices_decline_smoothly_by_month():
    results = evaluate(("a", "api", {**AGENT_API, "horizon_months": 13.0, "api_price_decline_per_year": 0.3}))
    # month 13 is twelve months after month 1: prices are 70 % of today's
    assert month_line(results, "a", "api_output_usd", 13) == pytest.approx(118.26 * 0.7)
    assert month_line(results, "a", "api_output_usd", 2) == pytest.approx(118.26 * 0.7 ** (1 / 12))


@pytest.fixture(scope="module")
def rented():
    return evaluate(("rented", "self-hosted", RENTED))


# 864,000 requests/day = 10 completions/s, 15 at the busiest hour; a replica may serve 4 x 0.75 = 3/s:
# ceil(15 / 3) = 5 replicas + 1 spare = 6 replicas x 2 GPUs = 12 GPUs, 6 x 730 x 2 = 8,760 GPU-hours.
GPU_HOURS = 6 * HOURS * 2


def test_gpu_rental_pays_every_gpu_hour_plus_the_spot_overhead(rented):
    # 8,760 GPU-hours x 1.1 x 2.5 $ = 24,090 $
    assert month_line(rented, "rented", "gpus_in_month") == 12
    assert month_line(rented, "rented", "gpu_rental_usd") == pytest.approx(GPU_HOURS * 1.1 * 2.5)
    assert GPU_HOURS * 1.1 * 2.5 == pytest.approx(24_090)


def test_staff_software_and_setup(rented):
    # staff 0.5 FTE x 240,000 $ / 12 x 50 % = 5,000 $; software 12 GPUs x 100 $ = 1,200 $;
    # setup 30,000 $ in month 1 only
    assert month_line(rented, "rented", "staff_usd") == pytest.approx(5_000)
    assert month_line(rented, "rented", "software_usd") == pytest.approx(1_200)
    assert month_line(rented, "rented", "setup_cost_usd", 1) == pytest.approx(30_000)
    assert month_line(rented, "rented", "setup_cost_usd", 2) == 0


def test_a_rented_fleet_pays_no_power_hosting_or_depreciation(rented):
    for line in ("power_usd", "hosting_usd", "depreciation_usd", "cost_of_capital_usd", "api_input_usd"):
        assert month_line(rented, "rented", line) == 0


def test_total_is_the_sum_of_both_months(rented):
    month = 24_090 + 5_000 + 1_200
    assert total(rented, "rented", "total_cost_usd") == pytest.approx(2 * month + 30_000)


@pytest.fixture(scope="module")
def purchased():
    return evaluate(("bought", "self-hosted", PURCHASED))


def test_depreciation_is_straight_line_to_the_residual_value(purchased):
    # 12 GPUs x 30,000 $ x (1 - 0.2) / 48 months = 6,000 $
    assert month_line(purchased, "bought", "depreciation_usd") == pytest.approx(6_000)


def test_cost_of_capital_is_charged_on_the_month_book_value(purchased):
    # month 1: the 12 x 30,000 $ = 360,000 $ bought this month, before its depreciation: 360,000 x 10 % / 12 = 3,000 $
    assert month_line(purchased, "bought", "cost_of_capital_usd") == pytest.approx(3_000)


def test_power_follows_utilization_above_the_idle_draw(purchased):
    # utilization = 10/s served / (6 replicas x 4/s) = 5/12; draw = 0.3 + 0.7 x 5/12 of the server's
    # 1.2 kW per GPU (power comes from the server, as colocation does, issue 15 item 10)
    utilization = 10 / 24
    assert month_line(purchased, "bought", "utilization") == pytest.approx(utilization)
    expected = GPU_HOURS * 1.2 * (0.3 + 0.7 * utilization) * 1.2 * 0.1
    assert expected == pytest.approx(8760 * 1.2 * (0.3 + 0.7 * 5 / 12) * 0.12)
    assert month_line(purchased, "bought", "power_usd") == pytest.approx(expected)


def test_hosting_is_paid_per_provisioned_kilowatt(purchased):
    # 12 GPUs x 1.2 kW x 150 $/kW-month = 2,160 $
    assert month_line(purchased, "bought", "hosting_usd") == pytest.approx(2_160)
    assert month_line(purchased, "bought", "gpu_rental_usd") == 0


def test_npv_discounts_each_month_at_its_end():
    results = evaluate(("r", "self-hosted", {**RENTED, "discount_rate_per_year": 0.1, "setup_usd": 0.0}))
    month = 24_090 + 5_000 + 1_200
    assert total(results, "r", "npv_usd") == pytest.approx(month / 1.1 ** (1 / 12) + month / 1.1 ** (2 / 12))
