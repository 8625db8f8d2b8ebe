"""Overflow is worked out hour by hour along the day's profile (formulas.self_hosted_served_share_overflow).

Without an hourly_profile the day is flat; a busiest hour above the average (peak_to_average > 1) then
contradicts it, and the fixed fleet would seem to serve a peak it cannot: a 10x hour over 2.5 completions a second of
fleet showed $0 of API spend. Such a scenario is refused at the overflow option; a flat day said as such runs."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from tco.engine.rows import build_rows
from tco.load.catalog import load_catalog, providers_of
from tco.load.scenarios import load_scenario_files

TODAY = dt.date(2026, 12, 1)

SCENARIO = """
schema_version: 1
scenarios:
  - id: peaky
    workload: {{requests_per_day: 100000, input_tokens: 1000, output_tokens: 200, {shape}}}
    finance: {{horizon_months: 2, start_date: 2026-12-01}}
    options:
      - {{kind: api, id: api, provider: openai, model: gpt-4.1-mini}}
      - kind: self-hosted
        id: own
        model: llama-3.1-8b
        gpu: h100-sxm
        gpus_per_replica: 1
        replica_output_tokens_per_s: 500   # ASSUMPTION (test input): 2.5 completions a second of 200 tokens
        payment: {{mode: on-demand, gpu_usd_per_hour: 2.0}}
      - {{kind: hybrid, id: ovf, self_hosted: own, api: api, mode: overflow, overflow_replicas: 1}}
      - kind: api-provisioned
        id: ptu
        provider: azure-openai
        model: gpt-4.1
        usd_per_unit_hour: 2.0            # ASSUMPTION (test input)
        tokens_per_minute_per_unit: 3000  # Azure gpt-4.1 input TPM per PTU (BILLING.md 1.8)
        output_token_weight: 4
        units: 5
        overflow_api: api
        source: ASSUMPTION (test input)
"""


def problems_for(tmp_path, shape: str) -> list:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(SCENARIO.format(shape=shape)))
    loaded = load_scenario_files([path])
    rows, problems = build_rows(loaded.scenarios, load_catalog(providers_of(loaded.scenarios), [], []), TODAY)
    return [(p.path, p.message) for p in problems]


def test_a_peak_above_the_average_without_hours_is_refused_at_each_overflow_option(tmp_path):
    found = problems_for(tmp_path, "peak_to_average: 10")
    assert [path for path, _ in found] == [("options", 2, "mode"), ("options", 3, "overflow_api")]
    assert all("peak_to_average 10" in message and "hourly_profile" in message for _, message in found)


@pytest.mark.parametrize("shape", ["peak_to_average: 1", "hourly_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
                                                        "10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"])
def test_a_flat_day_said_as_such_or_a_day_given_hour_by_hour_runs(tmp_path, shape):
    assert problems_for(tmp_path, shape) == []
