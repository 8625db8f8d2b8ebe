"""`tco sensitivity` and `tco uncertainty` move committed API capacity only by the ranges that describe it.

Billing (BILLING.md 1.8, Azure OpenAI PTU onboarding, ms.date 2026-04-07): $ per PTU-hour x deployed PTUs, billed
whether used or not; the capacity of a unit is the provider's stated input tokens per minute, output tokens weighted
(gpt-4.1: 3,000 TPM per PTU, weight 4). So a unit's price is the provider's, not a GPU rental, and its tokens per
minute are the provider's figure, not our throughput model's: the GPU price range, the throughput model's error and
the utilization cap (own replicas' latency headroom; the engine sizes units at the stated rate, cap 1) leave it at
base. Volume and growth move it (more units); the GPU price change per year moves units signed later, as the
README says the engine prices them (a renewed term is priced as a renewed GPU reservation). The 2 $ per unit-hour
is a test input (no primary price was found: BILLING.md "Not found").

Worked by hand: 9,150 requests a day = 0.10590 a second, 0.31771 in the busiest hour (peak / average 3); counted
tokens per call 1,000 input + 4 x 100 output = 1,400; busiest minute 0.31771 x 60 x 1,400 = 26,687.5 tokens ->
/ 3,000 = 8.90 -> 9 units; month 2 (growth 1 %) 26,954 -> 8.98 -> 9 units. Total: 9 units x 730 h x 2 $ x
2 months = 26,280 $. Before the fix, throughput x0.7 needed 26,687.5 / 2,100 -> 13 units, GPU price x0.7
cut the total to 18,396 $, and the utilization cap -0.15 needed 26,687.5 / 2,550 -> 11 units.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tco.cli import main

AS_OF = ["--as-of", "2026-11-27"]
SCENARIO = """
schema_version: 1
scenarios:
  - id: ptu
    workload: {requests_per_day: 9150, peak_to_average: 3.0, input_tokens: 1000, output_tokens: 100, monthly_growth: 0.01}
    finance: {horizon_months: 2, start_date: 2026-12-01}
    options:
      - kind: api-provisioned
        id: ptu
        provider: azure-openai
        model: gpt-4.1
        usd_per_unit_hour: 2.0            # ASSUMPTION (test input)
        tokens_per_minute_per_unit: 3000  # Azure gpt-4.1 input TPM per PTU (BILLING.md 1.8)
        output_token_weight: 4
        minimum_units: 1
        term_months: 1
        source: ASSUMPTION (test input)
"""
HOURS = 730.0


def units_cost(month_1_units: int, month_2_units: int) -> float:
    """Units x 730 h x 2 $ per unit-hour, month by month (BILLING.md 1.8: billed whether used or not)."""
    return (month_1_units + month_2_units) * HOURS * 2.0


BASE_USD = units_cost(9, 9)  # 26,280 $
SELF_HOSTED_RANGES = ("gpu_price", "throughput", "utilization_cap", "staff", "base_size")


@pytest.fixture()
def scenario(tmp_path):
    path = tmp_path / "ptu.yaml"
    path.write_text(textwrap.dedent(SCENARIO))
    return str(path)


def test_the_tornado_leaves_committed_capacity_at_base_under_the_gpu_ranges_and_moves_it_by_volume(scenario, capsys):
    assert main(["sensitivity", scenario, "--format", "json", *AS_OF]) == 0
    bars = {b["name"]: b for b in json.loads(capsys.readouterr().out)}
    for name in SELF_HOSTED_RANGES:
        bar = bars[name]
        assert (bar["total_low_usd"], bar["total_high_usd"]) == (pytest.approx(BASE_USD), pytest.approx(BASE_USD)), name
        assert (bar["low"], bar["high"], bar["applies"]) == ("not applied", "not applied", False), name
        assert bar["why"].startswith("not applied: committed API capacity runs no GPUs of its own"), name
    # volume x0.5: 13,343.75 TPM -> 4.45 -> 5 units (month 2: 13,477 -> 5); x1.5: 40,031 -> 13.34 -> 14 (month 2: 14)
    volume = bars["volume"]
    assert volume["total_low_usd"] == pytest.approx(units_cost(5, 5))    # 14,600 $
    assert volume["total_high_usd"] == pytest.approx(units_cost(14, 14))  # 40,880 $
    assert volume["applies"] is True and (volume["low"], volume["high"]) == ("x0.5", "x1.5")
    # growth +0.02 (3 % a month): month 2 26,687.5 x 1.03 = 27,488 -> 9.16 -> 10 units
    assert bars["growth"]["total_high_usd"] == pytest.approx(units_cost(9, 10))  # 27,740 $
    # the GPU price change moves the price of the term renewed in month 2 (README: renewed like a GPU reservation):
    # 9 x 730 x 2 x (1 + 0.15) ** (1 / 12) for month 2
    assert bars["gpu_price_change"]["total_high_usd"] == pytest.approx(9 * HOURS * 2 * (1 + 1.15 ** (1 / 12)))
    # the JSON fields kept (a contract), `applies` added
    assert set(volume) >= {"scenario", "option", "name", "label", "low", "high", "total_low_usd", "total_high_usd",
                           "swing_usd", "difference_low_usd", "difference_high_usd", "difference_swing_usd",
                           "base_total_usd", "base_difference_usd", "reference_option_id", "why", "applies"}


def test_the_monte_carlo_leaves_committed_capacity_at_base_under_the_gpu_spreads_and_moves_it_by_growth(scenario, capsys):
    import datetime as dt

    from tco.engine.uncertainty import DEFAULT_SPREADS, monte_carlo
    from tco.run import run_scenarios

    results = run_scenarios([scenario], today=dt.date(2026, 11, 27)).results
    by_name = {s.name: s for s in DEFAULT_SPREADS}
    gpu_only = monte_carlo(results, "ptu", draws=200, seed=0, spreads=tuple(by_name[n] for n in ("throughput", "utilization_cap", "gpu_price")))
    ptu = gpu_only.options[0]
    assert (ptu.p10_usd, ptu.p50_usd, ptu.p90_usd) == (pytest.approx(BASE_USD),) * 3
    assert ptu.throughput_factor_low is None and ptu.throughput_factor_source is None
    # growth drawn from 1 % + (-0.02, 0, +0.02): month 2 needs 10 units above 1.17 % growth (26,687.5 x 1.0117 > 27,000),
    # in about 42 % of draws ((0.0183 / 0.02)^2 / 2): P10 at 9 units, P90 at 10
    growth = monte_carlo(results, "ptu", draws=200, seed=0, spreads=(by_name["growth"],)).options[0]
    assert (growth.p10_usd, growth.p90_usd) == (pytest.approx(units_cost(9, 9)), pytest.approx(units_cost(9, 10)))
    # the command: the same option spreads, no throughput factor for it, the JSON fields kept and `kinds` added
    assert main(["uncertainty", scenario, "--draws", "200", "--seed", "0", "--format", "json", *AS_OF]) == 0
    printed = json.loads(capsys.readouterr().out)[0]
    option = printed["options"][0]
    assert set(option) >= {"option_id", "kind", "excluded", "p10_usd", "p50_usd", "p90_usd", "mean_usd", "throughput_factor_low",
                           "throughput_factor_mode", "throughput_factor_high", "throughput_factor_source", "rank_p50", "rank_p50_tied"}
    assert option["throughput_factor_low"] is None
    spreads = {s["name"]: s for s in printed["spreads"]}
    assert spreads["gpu_price"]["kinds"] == ["self-hosted", "hybrid"]
    assert spreads["growth"]["kinds"] == ["api", "self-hosted", "hybrid", "api-provisioned"]  # every kind, spelled out (was [])
    assert set(spreads["gpu_price"]) >= {"name", "label", "inputs", "how", "low", "mode", "high", "floor", "ceiling", "per_option"}
    # every spread at once: only growth and the GPU price change (renewal) move it; the GPU ranges would push the
    # P90 past 30,000 $ (throughput x0.7 alone: 13 units); growth and a 15-point price change stay under 28,000 $
    assert BASE_USD * 0.99 < option["p10_usd"] <= option["p90_usd"] < 28_000
