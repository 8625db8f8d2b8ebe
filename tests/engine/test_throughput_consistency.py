"""Answers of `predict` that must agree with each other: a fixed load against the maximum, scaled figures against
their percentiles and targets, auto against the mode it picks, one request against a loop of one."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from tco.engine.throughput import ServingConfig, predict, predict_model


@pytest.fixture(scope="module")
def catalog(bundled_hardware):
    return bundled_hardware


# --- A fixed concurrency within the step budget ---------------------------------------------------------------------

def test_a_fixed_concurrency_beyond_the_step_budget_queues_and_never_beats_the_maximum(catalog):
    # Qwen3-30B-A3B on 2 H200 with SGLang, 2,048 tokens in and 16 out: each decoding sequence brings 2,048 / 16 = 128
    # prompt tokens a step besides its own token, so the step budget decodes about 63 at once (docs/throughput.md,
    # "One engine step"). 1,000 requests in flight cannot decode more: the rest wait for their prefill.
    model, gpu = catalog.models["qwen3-30b-a3b"], catalog.gpus["h200"]
    base = ServingConfig(gpus=2, input_tokens=2048, output_tokens=16, engine="sglang")
    top = predict_model(model, gpu, base)
    many = predict_model(model, gpu, replace(base, concurrency=1000))
    assert top.concurrency == 63
    assert many.output_tokens_per_s <= top.output_tokens_per_s * (1 + 1e-9)  # was 1,560.7 against 1,254.6
    assert many.concurrency == top.concurrency  # decoding at once; the others wait
    # Little's law: 1,000 requests at X requests/s spend 1,000 / X s each in the replica, about the TTFT plus 15 TPOTs
    life_s = 1000 / many.requests_per_s
    assert many.ttft_ms / 1e3 + 15 * many.tpot_ms / 1e3 == pytest.approx(life_s, rel=0.02)
