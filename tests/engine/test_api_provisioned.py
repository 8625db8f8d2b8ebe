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


# BILLING.md 1.8's own example: gpt-5.2, 3,400 input TPM per PTU, output weight 8; 1,000 calls a minute
# (1,440,000 a day, a flat day) of 100 in / 50 out count (100 + 8 x 50) x 1,000 = 500,000 TPM -> 147.06 -> 148 units.
PTU_EXAMPLE = """
schema_version: 1
scenarios:
  - id: ptu
    workload: {{requests_per_day: 1440000, peak_to_average: 1.0, input_tokens: 100, output_tokens: 50, {workload}}}
    finance: {{horizon_months: 1, start_date: 2026-12-01}}
    options:
      - kind: api-provisioned
        id: ptu
        provider: azure-openai
        model: gpt-5.2
        usd_per_unit_hour: 1.0            # ASSUMPTION (test input)
        tokens_per_minute_per_unit: 3400  # Azure gpt-5.2 input TPM per PTU (BILLING.md 1.8)
        output_token_weight: 8
        minimum_units: 15
        source: ASSUMPTION (test input)
"""


def units_for(tmp_path, workload: str) -> float:
    path = tmp_path / "ptu_example.yaml"
    path.write_text(textwrap.dedent(PTU_EXAMPLE.format(workload=workload)))
    loaded = load_scenario_files([path])
    rows, problems = build_rows(loaded.scenarios, load_catalog(providers_of(loaded.scenarios), [], []), TODAY)
    assert not problems, problems
    return evaluate_rows(rows, [], TODAY).monthly.filter(pl.col("month") == 1).to_dicts()[0]["gpus_busiest_hour"]


def test_cached_input_is_not_counted_against_provisioned_capacity(tmp_path):
    """"Cached tokens are 100 % deducted from utilisation" (BILLING.md 1.8, Azure PTU onboarding): with half the
    input cached, (50 + 8 x 50) x 1,000 = 450,000 TPM / 3,400 = 132.35 -> 133 units (counting it: 148)."""
    assert units_for(tmp_path, "cacheable_prefix_share: 0.0") == pytest.approx(148)
    assert units_for(tmp_path, "cacheable_prefix_share: 0.5") == pytest.approx(133)


def test_samples_sharing_a_calls_input_count_it_once(tmp_path):
    """2 samples per call sharing the input: the call sends its 100 input tokens once (as the API bill counts them,
    tco.engine.formulas.input_tokens_per_request) and gets 2 x 50 out: (100 + 8 x 100) x 1,000 = 900,000 TPM / 3,400
    = 264.7 -> 265 units (input counted per sample: 295). Sent as separate calls, each sample sends it:
    (200 + 800) x 1,000 / 3,400 = 294.1 -> 295."""
    assert units_for(tmp_path, "samples_per_call: 2") == pytest.approx(265)
    assert units_for(tmp_path, "samples_per_call: 2, samples_share_input: false") == pytest.approx(295)


def test_a_capability_requirement_assesses_committed_capacity_as_an_api_model(tmp_path, capsys):
    """Output hunt: `capability:` with an api-provisioned option crashed `tco run` and `tco validate` with a traceback
    (the option had no quality_model). It is assessed as the API model it serves: by its provider and model ids, or by
    the quality_model it names."""
    import json

    from tco.cli import main

    path = tmp_path / "ptu-cap.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        scenarios:
          - id: ptu-cap
            workload: {requests_per_day: 100000, input_tokens: 1000, output_tokens: 200}
            finance: {horizon_months: 12, start_date: 2026-12-01}
            capability: {category: chat, comparable_to: gpt-4.1}
            options:
              - {kind: api, id: gpt-4.1, provider: openai, model: gpt-4.1}
              - {kind: api-provisioned, id: ptu, provider: azure-openai, model: gpt-4.1, usd_per_unit_hour: 0.3027,
                 tokens_per_minute_per_unit: 3000, source: "test figures", QUALITY}
        """).replace(", QUALITY", ""))
    assert main(["run", str(path), "--format", "json", "--as-of", "2026-11-27"]) == 0
    ptu = next(r for r in json.loads(capsys.readouterr().out) if r["option"] == "ptu")
    assert ptu["capability_verdict"] == "unknown" and "set quality_model" in ptu["capability_note"]
    path.write_text(path.read_text().replace('source: "test figures"}', 'source: "test figures", quality_model: gpt-4.1}'))
    assert main(["run", str(path), "--format", "json", "--as-of", "2026-11-27"]) == 0
    ptu = next(r for r in json.loads(capsys.readouterr().out) if r["option"] == "ptu")
    assert (ptu["capability_model"], ptu["capability_verdict"]) == ("gpt-4.1", "qualifies")
    assert main(["validate", str(path)]) == 0
