"""`predict_closed_loop_run`: N requests sent by C clients, each sending its next when its last completes (vLLM's and
SGLang's bench_serving at a --max-concurrency, InferenceX at 10 x C requests): the steady state until the last request
is sent, then that request's life while the others drop out (the drain)."""

from __future__ import annotations

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


def _beside(steady, clients):
    """Sequences decoding beside the last request on average: the others drop out evenly over a life."""
    life_s = clients * OUTPUT / steady.output_tokens_per_s
    return 1 + (clients - 1) * (1 - steady.ttft_ms / 1e3 / life_s) / 2


def _first_wave_ttft_s(setup, config):
    """The first C requests' mean TTFT: a lone request's, and half the other prompts at the full prefill rate (an
    offline run of one-token requests)."""
    _, model, gpu, _ = setup
    alone = predict_model(model, gpu, replace(config, concurrency=1)).ttft_ms / 1e3
    prompts_per_s = predict_model(model, gpu, replace(config, concurrency=None, output_tokens=1)).requests_per_s
    return alone + (config.concurrency - 1) / 2 / prompts_per_s


def test_the_run_is_the_burst_then_the_steady_state_to_its_last_request_then_that_requests_life(setup):
    """N = 640 = 10 x C: the last request goes out once the clients have spent 576 lives and the 63 others half of one
    each, at (640 - 32.5) x 500 / X seconds, plus what the first 64 lives, sent together, took longer than steady ones
    (their TTFT: a lone one's and 31.5 prompts at the full prefill rate, against the steady TTFT); the run ends with the
    last request: its TTFT, then 499 steps beside about 32 others."""
    _, model, gpu, config = setup
    steady = predict_model(model, gpu, config)
    assert steady.concurrency == 64
    batch = round(_beside(steady, 64))
    assert batch == 32  # the TTFT is a small part of a life here
    first_wave_s = _first_wave_ttft_s(setup, config)
    assert first_wave_s > steady.ttft_ms / 1e3  # a burst of 64 prompts waits longer than a steady request
    seconds = ((640 - 32.5) * OUTPUT / steady.output_tokens_per_s + (first_wave_s - steady.ttft_ms / 1e3)
               + steady.ttft_ms / 1e3 + 499 * _decode_step_ms(setup, batch) / 1e3)
    run = predict_closed_loop_run(model, gpu, config, 640)
    assert run.output_tokens_per_s == pytest.approx(640 * OUTPUT / seconds, rel=1e-12)
    assert run.requests_per_s == pytest.approx(run.output_tokens_per_s / OUTPUT, rel=1e-12)
    assert run.output_tokens_per_s_per_gpu == run.output_tokens_per_s
    # the drain's steps still read every weight for fewer tokens: the run averages a few per cent under the steady state
    assert 0.95 * steady.output_tokens_per_s < run.output_tokens_per_s < 0.995 * steady.output_tokens_per_s
    assert (run.ttft_ms, run.tpot_ms, run.concurrency) == (steady.ttft_ms, steady.tpot_ms, steady.concurrency)


def test_one_client_sends_its_requests_one_after_another_so_the_run_is_the_steady_state(setup):
    """C = 1: no drain, N lives back to back (the InferenceX rows at one request measure 1.00 of Little's law)."""
    _, model, gpu, config = setup
    one = replace(config, concurrency=1)
    steady = predict_model(model, gpu, one).output_tokens_per_s
    assert predict_closed_loop_run(model, gpu, one, 10).output_tokens_per_s == pytest.approx(steady, rel=0.002)


def test_the_drain_batch_is_the_others_dropping_out_summed_step_by_step(setup):
    """Of the 63 others, those with less left than the last request's TTFT are gone when it starts decoding (a share
    TTFT / L); the rest have their tokens evenly spread over an output, so at its k-th decode step 1 + 63 (1 - TTFT / L)
    (1 - k / 500) still decode. Summing each step at its own batch gives the drain; the closed form takes them all at
    the mean batch. A step is a fixed part plus a part per sequence, so the two agree."""
    _, model, gpu, config = setup
    steady = predict_model(model, gpu, config)
    staying = 1 - steady.ttft_ms / 1e3 / (64 * OUTPUT / steady.output_tokens_per_s)
    step_ms = {b: _decode_step_ms(setup, b) for b in range(1, 65)}
    summed_ms = sum(step_ms[round(1 + 63 * staying * (1 - k / OUTPUT))] for k in range(1, OUTPUT))
    assert summed_ms == pytest.approx((OUTPUT - 1) * step_ms[round(_beside(steady, 64))], rel=0.01)
    assert step_ms[1] < step_ms[32] < step_ms[64]  # the steps do shrink with the batch


def test_the_loss_falls_as_the_run_lengthens(setup):
    """The drain costs about the step's fixed share x C / 2N: ten times the requests, about a tenth of the loss."""
    _, model, gpu, config = setup
    steady = predict_model(model, gpu, config).output_tokens_per_s
    loss = {n: 1 - predict_closed_loop_run(model, gpu, config, n).output_tokens_per_s / steady for n in (640, 6400)}
    assert 0.005 < loss[640] < 0.05
    assert loss[640] / loss[6400] == pytest.approx(10, rel=0.05)


def test_a_run_of_no_more_requests_than_clients_is_sent_at_once_an_offline_run_of_them(setup):
    """Up to C requests all go out at the start: the replica serves them as an offline run (in waves of what it runs at
    once: 20 requests on an engine capped at 8 are batches of 8, 8 and 4)."""
    _, model, gpu, config = setup
    for requests in (1, 40, 64):
        assert (predict_closed_loop_run(model, gpu, config, requests).output_tokens_per_s
                == predict_offline_run(model, gpu, config, requests).output_tokens_per_s)
    capped = replace(config, concurrency=32, max_batch=8)
    run = predict_closed_loop_run(model, gpu, capped, 20)
    assert run.runnable and run.output_tokens_per_s == predict_offline_run(model, gpu, capped, 20).output_tokens_per_s


def test_clients_beyond_the_engines_batch_wait_and_the_drain_is_at_most_the_batch(setup):
    """vLLM capped at 8 sequences (--max-num-seqs 8), 32 clients: 24 wait for a slot, so a life is mostly that wait (the
    TTFT) and the last request's TTFT is the steady one; beside it at most the 8 the engine runs."""
    _, model, gpu, config = setup
    capped = replace(config, concurrency=32, max_batch=8)
    steady = predict_model(model, gpu, capped)
    assert (steady.concurrency, steady.limited_by) == (8, "max batch")
    batch = min(round(_beside(steady, 32)), 8)
    assert batch < 8  # the others are mostly waiting, not decoding, when the last one decodes
    # no burst term: the first 32 do not all start together, 24 of them wait for a slot as steady ones do
    seconds = (320 - 16.5) * OUTPUT / steady.output_tokens_per_s + steady.ttft_ms / 1e3 + 499 * _decode_step_ms(setup, batch) / 1e3
    run = predict_closed_loop_run(model, gpu, capped, 320)
    assert run.output_tokens_per_s == pytest.approx(320 * OUTPUT / seconds, rel=1e-12)


def test_a_disaggregated_run_drains_on_its_decode_side(setup):
    """DeepSeek-R1 FP4 on 12 GB200, prefill 4 GPUs and decode 8 (an InferenceX layout), 1k / 1k, 64 clients: the drain
    is the decode side's step; the prompts were all prefilled before it."""
    catalog, _, _, _ = setup
    model, gpu = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=12, prefill_gpus=4, disaggregated=True, precision="fp4", engine="sglang",
                           input_tokens=1000, output_tokens=900, concurrency=64)
    steady = predict_model(model, gpu, config)
    assert steady.disaggregated and (steady.prefill_gpus, steady.decode_gpus, steady.concurrency) == (4, 8, 64)
    life_s = 64 * 900 / steady.output_tokens_per_s
    batch = round(1 + 63 * (1 - steady.ttft_ms / 1e3 / life_s) / 2)
    decode = predict_model(model, gpu, ServingConfig(gpus=8, decode_only=True, precision="fp4", engine="sglang",
                                                     input_tokens=1000, output_tokens=900, concurrency=batch))
    # the burst: the 64 first prompts queue at the prefill side's full rate (its 4 GPUs alone as one worker, as
    # `prefill_side_config` runs them, one-token requests)
    prefill_side = ServingConfig(gpus=4, tp=4, precision="fp4", engine="sglang", input_tokens=1000, output_tokens=1, kv_precision="fp8")
    prompts_per_s = predict_model(model, gpu, prefill_side).requests_per_s
    first_wave_s = predict_model(model, gpu, replace(config, concurrency=1)).ttft_ms / 1e3 + 63 / 2 / prompts_per_s
    seconds = ((640 - 32.5) * 900 / steady.output_tokens_per_s + first_wave_s + 899 * decode.tpot_ms / 1e3)
    run = predict_closed_loop_run(model, gpu, config, 640)
    assert run.output_tokens_per_s == pytest.approx(640 * 900 / seconds, rel=1e-12)
    assert run.output_tokens_per_s < steady.output_tokens_per_s


def test_where_the_prefill_side_is_the_queue_the_run_is_every_prompt_at_its_rate_then_the_last_decode(setup):
    """Llama-3.1-8B FP8 disaggregated on 4 H100 (1 prefill GPU, 3 decode), 8,000 in / 50 out, 64 clients: the prefill
    GPU is the limit, so a steady request waits for about all the others' prompts (a TTFT of seconds) while the first 64
    waited for half of them. The run is then its 640 prompts at the prefill GPU's rate, then the last request's TTFT
    alone and its 49 decode steps: the formula gives that, within the one prompt it counts twice."""
    catalog, model, gpu, _ = setup
    config = ServingConfig(gpus=4, prefill_gpus=1, disaggregated=True, precision="fp8", engine="vllm", input_tokens=8000,
                           output_tokens=50, concurrency=64)
    steady = predict_model(model, gpu, config)
    assert steady.limited_by == "prefill capacity" and steady.ttft_ms > 5000
    prompts_per_s = predict_model(model, gpu, ServingConfig(gpus=1, precision="fp8", engine="vllm", input_tokens=8000,
                                                            output_tokens=1, kv_precision="fp8")).requests_per_s
    assert steady.requests_per_s == pytest.approx(prompts_per_s, rel=0.01)
    alone_s = predict_model(model, gpu, replace(config, concurrency=1)).ttft_ms / 1e3
    run = predict_closed_loop_run(model, gpu, config, 640)
    run_s = 640 * 50 / run.output_tokens_per_s
    last_decode_s = run_s - 640 / prompts_per_s - alone_s
    assert 0 < last_decode_s < 49 * steady.tpot_ms / 1e3 + 1 / prompts_per_s
    assert run_s < 640 * 50 / steady.output_tokens_per_s + alone_s + 49 * steady.tpot_ms / 1e3


def test_a_run_that_cannot_start_says_why(setup):
    _, model, gpu, config = setup
    assert not predict_closed_loop_run(model, gpu, config, 0).runnable
    too_long = predict_closed_loop_run(model, gpu, replace(config, input_tokens=2_000_000), 640)
    assert not too_long.runnable and "KV cache" in too_long.reason
