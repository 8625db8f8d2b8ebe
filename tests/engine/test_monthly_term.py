"""A 1-month term (the default of committed API capacity, a monthly reservation) over any horizon: all of a fleet's
terms are signed again each month at that month's price, so no renewal lags are needed and the 10-renewal limit of
longer terms does not apply (it refused every horizon over 11 months)."""

from __future__ import annotations

import json

import pytest

from tco.cli import main

SCENARIO = """\
schema_version: 1
scenarios:
  - id: s
    workload: {requests_per_day: 100000, input_tokens: 1000, output_tokens: 100, reasoning_tokens: 200, peak_to_average: 2}
    finance: {horizon_months: 36, start_date: 2027-01-01}
    options:
      - {kind: api, id: api, provider: openai, model: gpt-4.1, input_usd_per_million_tokens: 2, output_usd_per_million_tokens: 10}
      - kind: self-hosted
        id: own
        model: llama-3.1-8b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 1000
        max_utilization: 0.8
        payment: PAYMENT
      - kind: api-provisioned
        id: ptu
        provider: azure-openai
        model: gpt-4.1
        usd_per_unit_hour: 1
        tokens_per_minute_per_unit: 10000
        output_token_weight: 4
        minimum_units: 15
        source: test input
"""


def run(tmp_path, capsys, payment: str, *sets: str) -> dict:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("PAYMENT", payment))
    capsys.readouterr()
    args = ["run", str(path), "--format", "json", "--no-breakeven", "--as-of", "2026-11-27"]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 0, capsys.readouterr().err
    return {r["option"]: r for r in json.loads(capsys.readouterr().out)}


def test_a_monthly_term_costs_what_on_demand_costs_at_that_price_while_the_fleet_only_grows(tmp_path, capsys):
    # Renewed each month at that month's price, kept once taken: a growing fleet pays each month for the GPUs it
    # holds at that month's price, as on-demand at the same price does (a reserved price is owed per
    # hour of the term, used or not; BILLING.md 1.8: Azure PTU 1-month reservations, billed whether used or not)
    sets = ("workload.monthly_growth=0.05", "finance.gpu_price_change_per_year=-0.2", "finance.discount_rate_per_year=0.1")
    monthly = run(tmp_path, capsys, "{mode: reserved, gpu_usd_per_hour: 2, term_months: 1}", *sets)["own"]
    on_demand = run(tmp_path, capsys, "{mode: on-demand, gpu_usd_per_hour: 2}", *sets)["own"]
    assert monthly["gpus_peak"] > 1  # the fleet grows over the horizon (else this proves little)
    assert monthly["total_cost_usd"] == pytest.approx(on_demand["total_cost_usd"], rel=1e-12)
    assert monthly["npv_usd"] == pytest.approx(on_demand["npv_usd"], rel=1e-12)


def test_committed_api_capacity_with_its_default_monthly_term_runs_over_36_months(tmp_path, capsys):
    # by hand: peak 100,000 x 2 / 86,400 = 2.3148 calls/s; (1,000 + 4 x 300) x 2.3148 x 60 / 10,000 = 30.56 -> 31 units
    # at $1 an hour: 31 x 1 x 730 x 36 = $814,680
    rows = run(tmp_path, capsys, "{mode: on-demand, gpu_usd_per_hour: 2}")
    assert rows["ptu"]["gpus_peak"] == 31
    assert rows["ptu"]["total_cost_usd"] == pytest.approx(31 * 730 * 36)


def test_a_longer_term_renewed_more_than_ten_times_is_still_refused_at_its_line(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("PAYMENT", "{mode: reserved, gpu_usd_per_hour: 2, term_months: 3}").replace(
        "horizon_months: 36", "horizon_months: 48"))
    assert main(["run", str(path), "--no-breakeven", "--as-of", "2026-11-27"]) == 2
    err = capsys.readouterr().err
    assert "payment.term_months" in err and "a 3-month term renews more than 10 times in 48 months" in err
    assert "use a 1-month term, or one of at least 5 months" in err
