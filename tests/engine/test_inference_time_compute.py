"""Inference-time compute on both sides: the tokens a workload sends reach the API bill and the own fleet alike.

Worked by hand. The API bills the input of samples that share their call once (the `n` parameter, BILLING.md:
input paid once per call); a self-hosted engine prefills that prompt once too and decodes the samples from the
cached prompt (SGLang caches the common prompt of a parallel-sampling request before running the copies; vLLM
V1 fans `n` out into requests that share the prompt's cached blocks), so the extra samples are prefix-cache hits.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from tco.engine.compare import evaluate_rows
from tco.engine.rows import build_rows
from tco.load.catalog import load_catalog, providers_of
from tco.load.scenarios import load_scenario_files

TODAY = dt.date(2026, 12, 1)

SCENARIO = """
schema_version: 1
scenarios:
  - id: samples
    workload:
      requests_per_day: 200000
      input_tokens: {input_tokens}
      context_growth_per_call_tokens: {growth}
      llm_calls_per_request: {calls}
      cacheable_prefix_share: {cacheable}
      output_tokens: 200
      samples_per_call: {samples}
      samples_share_input: {shared}
      ttft_ms: 3000
      tpot_ms: 50
    finance: {{horizon_months: 12, start_date: 2027-01-01}}
    options:
      - kind: self-hosted
        id: own
        model: llama-3.3-70b
        gpu: h100-sxm
        gpus_per_replica: 2
        precision: fp8
        engine: vllm
        payment: {{mode: on-demand, gpu_usd_per_hour: 2.0}}   # test input
"""


def build(tmp_path, **workload):
    """The rows of the scenario, and the prefix hit rate the throughput model was asked about."""
    fields = {"input_tokens": 8000, "growth": 0, "calls": 1, "cacheable": 0.0, "samples": 1, "shared": "true", **workload}
    path = tmp_path / "samples.yaml"
    path.write_text(textwrap.dedent(SCENARIO.format(**fields)))
    loaded = load_scenario_files([path])
    asked = []

    def predict(*args, **kwargs):
        from tco.engine.throughput import predict as model_predict

        asked.append(args[2].prefix_hit_rate)
        return model_predict(*args, **kwargs)

    rows, problems = build_rows(loaded.scenarios, load_catalog(providers_of(loaded.scenarios), [], []), TODAY, predict=predict)
    assert not problems, problems
    return rows, asked[-1]


def test_samples_sharing_their_prompt_are_prefix_cache_hits_on_the_own_fleet(tmp_path):
    # One call, half its 8,000-token prompt a cached system prompt (h = 0.5), 4 samples of one prompt:
    # the first sample prefills 4,000 tokens, the other 3 find all 8,000 cached.
    # Per generation: (0.5 + 3) / 4 = 0.875 of the input is a hit; as separate calls each one pays its 0.5.
    _, shared = build(tmp_path, cacheable=0.5, samples=4, shared="true")
    _, separate = build(tmp_path, cacheable=0.5, samples=4, shared="false")
    assert shared == pytest.approx(0.875)
    assert separate == pytest.approx(0.5)


def test_an_agent_loop_with_samples_adds_the_samples_hits_to_the_resent_history(tmp_path):
    # 3 calls of 1,000 + 500 k tokens (k = 0, 1, 2): 1,500 on average. Hits: call 0 its cached 20 % (200),
    # calls 1 and 2 the previous call's input (1,000 and 1,500): (200 + 1,000 + 1,500) / 3 = 900 -> h = 0.6.
    # Two samples sharing each call: (0.6 + 1) / 2 = 0.8.
    _, alone = build(tmp_path, input_tokens=1000, growth=500, calls=3, cacheable=0.2, samples=1)
    _, two = build(tmp_path, input_tokens=1000, growth=500, calls=3, cacheable=0.2, samples=2, shared="true")
    assert alone == pytest.approx(0.6)
    assert two == pytest.approx(0.8)


def test_a_fleet_serving_shared_samples_costs_less_than_one_serving_separate_calls(tmp_path):
    # 8 samples of an 8,000-token prompt and 200 output tokens: as separate calls the fleet prefills
    # 64,000 tokens per call, sharing one prompt 8,000. The API bill differs by the same input (x8 vs x1);
    # the own fleet must not price both alike.
    totals = {}
    for shared in ("true", "false"):
        rows, _ = build(tmp_path, samples=8, shared=shared)
        totals[shared] = evaluate_rows(rows, [], TODAY).options["total_cost_usd"][0]
    assert totals["true"] < 0.5 * totals["false"]
