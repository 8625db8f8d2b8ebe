"""Issue 21 item 4: committed API capacity sized for the busiest hour, worked by hand.

Billing (BILLING.md 1.8, Azure OpenAI PTU onboarding, ms.date 2026-04-07): $ per PTU-hour x deployed PTUs,
billed whether used or not; throughput is stated as input tokens per minute per PTU, output tokens
weighted by the model's output:input ratio (gpt-4.1: 3,000 TPM per PTU, weight 4); a minimum deployment.
The 2 $ per unit-hour below is a test input (no primary price was found: BILLING.md "Not found").
"""

from __future__ import annotations

import datetime as dt
import textwrap

import polars as pl
import pytest

from tco.engine.compare import evaluate_rows
from tco.engine.rows import build_rows
from tco.errors import TcoUserError
from tco.load.catalog import load_catalog, providers_of
from tco.load.scenarios import load_scenario_files

TODAY = dt.date(2026, 12, 1)

# 8,640 requests a day = 0.1 a second on average, 0.3 in the busiest hour (peak / average 3).
# Counted tokens per call: 1,000 input + 4 x 100 output = 1,400. Busiest minute: 0.3 x 60 x 1,400 = 25,200
# tokens -> 25,200 / 3,000 = 8.4 -> 9 units.
SCENARIO = """
schema_version: 1
scenarios:
  - id: ptu
    workload: {{requests_per_day: 8640, peak_to_average: 3.0, input_tokens: 1000, output_tokens: 100}}
    finance: {{horizon_months: 2, start_date: 2026-12-01}}
    options:
      - kind: api-provisioned
        id: ptu
        provider: azure-openai
        model: gpt-4.1
        usd_per_unit_hour: 2.0            # ASSUMPTION (test input)
        tokens_per_minute_per_unit: 3000  # Azure gpt-4.1 input TPM per PTU (BILLING.md 1.8)
        output_token_weight: 4
        minimum_units: {minimum}
        source: ASSUMPTION (test input)
"""


def run(tmp_path, minimum: int):
    path = tmp_path / "ptu.yaml"
    path.write_text(textwrap.dedent(SCENARIO.format(minimum=minimum)))
    loaded = load_scenario_files([path])
    rows, problems = build_rows(loaded.scenarios, load_catalog(providers_of(loaded.scenarios), [], []), TODAY)
    assert not problems, problems
    results = evaluate_rows(rows, [], TODAY)
    return results.monthly.filter(pl.col("month") == 1).to_dicts()[0]


def test_units_are_sized_for_the_busiest_hour(tmp_path):
    # 9 units x 730 h x 2 $ = 13,140 $ a month, owed whether used or not
    month = run(tmp_path, minimum=1)
    assert month["gpus_busiest_hour"] == pytest.approx(9)
    assert month["reserved_usd"] == pytest.approx(13_140)
    assert month["api_input_usd"] == 0


def test_the_minimum_deployment_applies(tmp_path):
    # the provider sells at least 15 units: 15 x 730 x 2 = 21,900 $
    month = run(tmp_path, minimum=15)
    assert month["gpus_busiest_hour"] == pytest.approx(15)
    assert month["reserved_usd"] == pytest.approx(21_900)


def test_overflow_needs_a_fixed_number_of_units(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(SCENARIO.format(minimum=1)) + "        overflow_api: somewhere\n")
    with pytest.raises(TcoUserError, match="overflow_api needs a fixed number of units"):
        load_scenario_files([path])
