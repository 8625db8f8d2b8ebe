"""The break-even, the tornado and the Monte Carlo weigh self-hosting against an API that meets the scenario's
capability requirement, never against one the run table ranks apart as below it (a like-for-like comparison)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tco.cli import main

AS_OF = ["--as-of", "2026-11-27"]
SCENARIO = """\
schema_version: 1
scenarios:
- id: coding-agent
  workload:
    requests_per_day: 2000
    input_tokens: 6000
    context_growth_per_call_tokens: 1000
    cacheable_prefix_share: 0.7
    cache_write_share: 0.3
    output_tokens: 400
    reasoning_tokens: 1500
    llm_calls_per_request: 25
    ttft_ms: 5000
    tpot_ms: 60
  capability: {category: coding, comparable_to: gpt-4.1, margin_points: 3}
  finance: {horizon_months: 24, start_date: 2026-12-01}
  options:
  - {kind: api, id: gpt-4o-mini, provider: openai, model: gpt-4o-mini}
  - {kind: api, id: gpt-5, provider: openai, model: gpt-5}
  - kind: self-hosted
    id: qwen3-coder
    model: qwen3-coder-480b-a35b
    gpu: h200
    gpus_per_replica: 8
    precision: fp8
    engine: sglang
    payment: {mode: on-demand, offer: "gcp:a3-ultragpu-8g"}
"""


def run_json(capsys, *argv):
    capsys.readouterr()
    assert main([*argv, *AS_OF]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture()
def scenario(tmp_path) -> Path:
    path = tmp_path / "cap.yaml"
    path.write_text(SCENARIO)
    return path


def test_the_reference_api_is_the_cheapest_that_meets_the_requirement(capsys, scenario):
    rows = {r["option"]: r for r in run_json(capsys, "run", str(scenario), "--format", "json")}
    # the cheaper API is below the bar (the run table ranks it apart), the dearer one qualifies
    assert rows["gpt-4o-mini"]["capability_verdict"] == "below" and rows["gpt-5"]["capability_verdict"] == "qualifies"
    assert rows["gpt-4o-mini"]["total_cost_usd"] < rows["gpt-5"]["total_cost_usd"]
    own = rows["qwen3-coder"]
    assert own["breakeven_reference_option"] == "gpt-5"
    # the break-even volume is where the option meets gpt-5's line: plugged back in, the two totals agree
    volume = own["breakeven_requests_per_day"]
    assert volume is not None
    at = {r["option"]: r for r in run_json(capsys, "run", str(scenario), "--format", "json", "--no-breakeven",
                                           "--set", f"workload.requests_per_day={volume!r}")}
    assert at["qwen3-coder"]["total_cost_usd"] == pytest.approx(at["gpt-5"]["total_cost_usd"], rel=1e-3)
    tornado = run_json(capsys, "sensitivity", str(scenario), "--option", "qwen3-coder", "--format", "json")
    assert {d["reference_option_id"] for d in tornado} == {"gpt-5"}


def test_monte_carlo_ranks_a_below_bar_api_apart_and_weighs_self_hosting_against_the_qualifying_one(capsys, scenario):
    outcome = run_json(capsys, "uncertainty", str(scenario), "--draws", "200", "--format", "json")[0]
    options = {o["option_id"]: o for o in outcome["options"]}
    assert options["gpt-4o-mini"]["below_capability_requirement"] is True
    assert options["gpt-4o-mini"]["rank_p50"] is None
    assert {options["gpt-5"]["rank_p50"], options["qwen3-coder"]["rank_p50"]} == {1, 2}
    assert outcome["self_hosting_wins_share"] is not None


def test_with_no_api_meeting_the_requirement_there_is_no_break_even_and_a_note_says_why(capsys, tmp_path):
    path = tmp_path / "only-mini.yaml"
    path.write_text(SCENARIO.replace("  - {kind: api, id: gpt-5, provider: openai, model: gpt-5}\n", ""))
    own = {r["option"]: r for r in run_json(capsys, "run", str(path), "--format", "json")}["qwen3-coder"]
    assert own["breakeven_reference_option"] is None and own["breakeven_requests_per_day"] is None
    assert "every API option falls below the scenario's capability requirement" in own["notes"]
    outcome = run_json(capsys, "uncertainty", str(path), "--draws", "50", "--format", "json")[0]
    assert outcome["self_hosting_wins_share"] is None
