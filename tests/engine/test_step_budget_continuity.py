"""A closed loop held by the step budget: a slightly longer prompt changes its figures slightly.

Why: with long prompts and short outputs a replica decodes only the few sequences its step budget leaves room for
(docs/throughput.md, "One engine step"), and the other requests of the loop wait for their prefill. A chunked-prefill
engine (vLLM max_num_batched_tokens, TensorRT-LLM max_num_tokens, SGLang chunked_prefill_size) fills every step with
the waiting prompts' chunks up to its budget, so the decoding sequences share every step with a nearly full chunk
and the replica prefills at its budget's pace. The model used to hold the whole number of sequences below the
budget's time average, in steps that carried only their own share of prompts: each time a longer prompt took that
number down by one, TPOT fell (to a decode-only step at one sequence, where the GPU prefills back to back) and the
requests/s fell by more than the prompt grew (hunt-1 finding 1: Llama-3.1-8B on one L40S, 16,000 -> 17,612 tokens
in, TPOT 57.9 -> 13.9 ms, requests/s -19 %).

The bounds, physically:
- TPOT never falls: a decoding request's steps are full to the budget either way, and the longer prompt only lengthens
  the context its own and the others' attention reads;
- requests/s fall at most as the square of the prompt's growth: a prefill-bound replica completes requests at the
  pace it prefills them, and a prompt's prefill costs at most quadratically in its length (attention over the prompt
  so far; every other kernel, and the decode steps' cache reads, grow at most linearly);
- Little's law holds: the loop's C requests are each in one of a request's lives, C = X (TTFT + (output - 1) TPOT).
"""

from __future__ import annotations

import pytest

from tco.engine.throughput import ServingConfig, predict_model
from tco.engine.throughput.fitted import FITTED
from tco.load.hardware import load_hardware

CASES = {
    "8B on an L40S, vLLM, 16 out, 8 in flight": ("llama-3.1-8b", "l40s", dict(gpus=1, engine="vllm", output_tokens=16, concurrency=8), 16000, 17612),
    "gpt-oss-120b FP4 on an H100, 16 out, 16 in flight": ("gpt-oss-120b", "h100-sxm", dict(gpus=1, precision="fp4", output_tokens=16, concurrency=16), 63488, 65536),
    "8B on an H100, 4 out, 8 in flight": ("llama-3.1-8b", "h100-sxm", dict(gpus=1, output_tokens=4, concurrency=8), 8100, 8192),
}
"""The repro configurations of the finding: (model, GPU, configuration, prompt, the slightly longer prompt it gave)."""


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


def _prompts(start: int, finding: int) -> list[int]:
    # the finding's pair and prompts 1 % apart up to 10 % longer: each whole-number step of the old cap is in between
    return sorted({start, finding, *(round(start * (1 + 0.01 * k)) for k in range(1, 11))})


@pytest.mark.parametrize("case", CASES)
def test_a_slightly_longer_prompt_never_shortens_tpot_nor_drops_requests_by_more_than_its_cost(catalog, case):
    name, gpu, config, start, finding = CASES[case]
    model, gpu = catalog.models[name], catalog.gpus[gpu]
    results = [(p, predict_model(model, gpu, ServingConfig(input_tokens=p, **config))) for p in _prompts(start, finding)]
    for (p, r), (longer_p, longer) in zip(results, results[1:]):
        assert r.runnable and longer.runnable
        assert r.limited_by not in ("kv cache capacity", "max batch") and longer.limited_by == r.limited_by
        assert longer.tpot_ms >= r.tpot_ms, (p, longer_p)  # was 57.9 -> 13.9 ms on the L40S
        growth = longer_p / p
        assert longer.requests_per_s >= r.requests_per_s / growth ** 2 * (1 - 1e-9), (p, longer_p)  # was -19 % for +10 %
    for p, r in results:
        life_s = (r.ttft_ms + (config["output_tokens"] - 1) * r.tpot_ms) / 1e3
        assert r.requests_per_s * life_s == pytest.approx(config["concurrency"], rel=0.02), p


def test_the_decoding_requests_share_full_steps_with_the_queued_prompts(catalog):
    """One sequence decoding at a time (the L40S's 2,048-token budget over 1 + 17,612 / 16 tokens a step per sequence:
    1.86 on average): its steps are not decode-only, they carry the queued prompts' chunks up to the budget, so TPOT is
    a full step's, as long as one chunk step of a lone request's prefill, and far above a lone request's TPOT."""
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["l40s"]
    config = dict(gpus=1, engine="vllm", output_tokens=16, input_tokens=17612)
    loop = predict_model(model, gpu, ServingConfig(concurrency=8, **config))
    alone = predict_model(model, gpu, ServingConfig(concurrency=1, **config))
    assert loop.concurrency == 1  # the whole part of 1.86
    assert loop.tpot_ms > 5 * alone.tpot_ms  # was equal: 13.9 ms, a decode-only step
    # the budget's steps and the prefill of one lone prompt (9 chunks of at most 2,048 tokens, after the request latency
    # and half a step in progress) go at about the same pace: 104.4 against 102.3 ms
    chunk_step_ms = (alone.ttft_ms - FITTED.request_latency_s * 1e3 - alone.tpot_ms / 2) / 9
    assert loop.tpot_ms == pytest.approx(chunk_step_ms, rel=0.1)
