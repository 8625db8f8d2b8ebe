"""`predict_closed_loop_run`: N requests sent by C clients, each sending its next when its last completes (vLLM's and
SGLang's bench_serving at a --max-concurrency, InferenceX at 10 x C requests): the steady state until the last request
is sent, then a drain in which the batch falls from B to none over one output's decode steps."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from tco.engine.throughput import ServingConfig, predict_closed_loop_run, predict_model, predict_offline_run
from tco.load.hardware import load_hardware

OUTPUT = 500


@pytest.fixture(scope="module")
def setup():
    """Llama-3.1-8B FP8 on one H100 under vLLM, 1,000 in / 500 out, 64 clients: every one of them in the engine's
    steps (the KV cache holds hundreds), so B = C = 64."""
    catalog = load_hardware()
    config = ServingConfig(gpus=1, precision="fp8", engine="vllm", input_tokens=1000, output_tokens=OUTPUT, concurrency=64)
    return catalog, catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"], config


def _decode_step_ms(setup, batch):
    """The decode-only step per output token at `batch` sequences (no prompt in the step)."""
    _, model, gpu, config = setup
    return predict_model(model, gpu, replace(config, concurrency=batch, decode_only=True)).tpot_ms


def test_the_run_is_the_steady_state_to_its_last_request_then_a_drain_at_half_the_batch(setup):
    """N = 640 = 10 x C: the steady state's X carries the run through all of it but the 64 half-finished requests,
    (640 - 32) x 500 / X seconds; then 500 steps at the decode step of 32 sequences."""
    _, model, gpu, config = setup
    steady = predict_model(model, gpu, config)
    assert steady.concurrency == 64
    seconds = (640 - 32) * OUTPUT / steady.output_tokens_per_s + OUTPUT * _decode_step_ms(setup, 32) / 1e3
    run = predict_closed_loop_run(model, gpu, config, 640)
    assert run.output_tokens_per_s == pytest.approx(640 * OUTPUT / seconds, rel=1e-12)
    assert run.requests_per_s == pytest.approx(run.output_tokens_per_s / OUTPUT, rel=1e-12)
    assert run.output_tokens_per_s_per_gpu == run.output_tokens_per_s
    # the drain's steps still read every weight for fewer tokens: the run averages a few per cent under the steady state
    assert 0.95 * steady.output_tokens_per_s < run.output_tokens_per_s < 0.995 * steady.output_tokens_per_s
    assert (run.ttft_ms, run.tpot_ms, run.concurrency) == (steady.ttft_ms, steady.tpot_ms, steady.concurrency)


def test_the_drain_at_half_the_batch_is_the_falling_batch_summed_step_by_step(setup):
    """In the drain the B requests have 500 x (j / B) tokens left, j = 1..B (evenly spread over their lives): at its
    k-th step ceil(B (1 - k / 500)) still decode. Summing each step at its own batch gives the drain's time; the
    closed form takes all 500 at B / 2. A step is a fixed part plus a part per sequence, so the two agree."""
    _, model, gpu, config = setup
    batch = 64
    step_ms = {b: _decode_step_ms(setup, b) for b in range(1, batch + 1)}
    summed = sum(step_ms[math.ceil(batch * (1 - k / OUTPUT))] for k in range(OUTPUT))
    assert summed == pytest.approx(OUTPUT * step_ms[batch // 2], rel=0.02)
    assert step_ms[1] < step_ms[batch // 2] < step_ms[batch]  # the steps do shrink with the batch


def test_the_loss_falls_as_the_run_lengthens(setup):
    """The drain costs about the step's fixed share x B / 2N: ten times the requests, about a tenth of the loss."""
    _, model, gpu, config = setup
    steady = predict_model(model, gpu, config).output_tokens_per_s
    loss = {n: 1 - predict_closed_loop_run(model, gpu, config, n).output_tokens_per_s / steady for n in (640, 6400)}
    assert 0.005 < loss[640] < 0.05
    assert loss[640] / loss[6400] == pytest.approx(10, rel=0.05)


def test_a_run_the_engine_holds_at_once_is_an_offline_run_of_it(setup):
    _, model, gpu, config = setup
    for requests in (1, 40, 64):
        assert (predict_closed_loop_run(model, gpu, config, requests).output_tokens_per_s
                == predict_offline_run(model, gpu, config, requests).output_tokens_per_s)


def test_clients_beyond_the_engines_batch_wait_and_the_drain_starts_from_the_batch(setup):
    """vLLM capped at 8 sequences (--max-num-seqs 8), 32 clients: 24 wait for a slot, and they keep the batch full
    until the last request is in; the drain goes from 8, at 4 on average, not at 16."""
    _, model, gpu, config = setup
    capped = replace(config, concurrency=32, max_batch=8)
    steady = predict_model(model, gpu, capped)
    assert (steady.concurrency, steady.limited_by) == (8, "max batch")
    seconds = (320 - 4) * OUTPUT / steady.output_tokens_per_s + OUTPUT * _decode_step_ms(setup, 4) / 1e3
    run = predict_closed_loop_run(model, gpu, capped, 320)
    assert run.output_tokens_per_s == pytest.approx(320 * OUTPUT / seconds, rel=1e-12)


def test_a_disaggregated_run_drains_on_its_decode_side(setup):
    """DeepSeek-R1 FP4 on 12 GB200, prefill 4 GPUs and decode 8 (an InferenceX layout), 1k / 1k, 64 clients: the drain
    is the decode side's step at 32 sequences; the prompts were all prefilled before it."""
    catalog, _, _, _ = setup
    model, gpu = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=12, prefill_gpus=4, disaggregated=True, precision="fp4", engine="sglang",
                           input_tokens=1000, output_tokens=900, concurrency=64)
    steady = predict_model(model, gpu, config)
    assert steady.disaggregated and (steady.prefill_gpus, steady.decode_gpus, steady.concurrency) == (4, 8, 64)
    decode = predict_model(model, gpu, ServingConfig(gpus=8, decode_only=True, precision="fp4", engine="sglang",
                                                     input_tokens=1000, output_tokens=900, concurrency=32))
    seconds = (640 - 32) * 900 / steady.output_tokens_per_s + 900 * decode.tpot_ms / 1e3
    run = predict_closed_loop_run(model, gpu, config, 640)
    assert run.output_tokens_per_s == pytest.approx(640 * 900 / seconds, rel=1e-12)
    assert run.output_tokens_per_s < steady.output_tokens_per_s


def test_a_run_that_cannot_start_says_why(setup):
    _, model, gpu, config = setup
    assert not predict_closed_loop_run(model, gpu, config, 0).runnable
    too_long = predict_closed_loop_run(model, gpu, replace(config, input_tokens=2_000_000), 640)
    assert not too_long.runnable and "KV cache" in too_long.reason
