"""`predict_rate_run`: N requests sent at a fixed rate whatever the replica does (vLLM's and SGLang's bench_serving at a
--request-rate), scored over the whole run as those tools report it: output tokens / (first request sent to last
completed). Below capacity the replica serves what is offered, so the run is the arrivals' span and then the last
request's life, beside the others in flight dropping out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tco.engine.throughput import ServingConfig, predict_at_rate, predict_model, predict_rate_run
from tco.load.hardware import load_hardware

OUTPUT = 200


@pytest.fixture(scope="module")
def setup():
    """Llama-3.1-8B FP8 on one H100 under vLLM, 1,000 in / 200 out: far below its capacity at 2 requests a second."""
    catalog = load_hardware()
    config = ServingConfig(gpus=1, precision="fp8", engine="vllm", input_tokens=1000, output_tokens=OUTPUT)
    return catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"], config


def _decode_step_ms(setup, batch):
    model, gpu, config = setup
    return predict_model(model, gpu, replace(config, concurrency=batch, decode_only=True)).tpot_ms


def test_the_run_is_the_arrivals_span_then_the_last_requests_life(setup):
    """300 requests at 2 a second: the last goes out 299 / 2 = 149.5 s after the first; it then has its TTFT and 199
    decode steps beside about 1 + (C - 1) (1 - TTFT / L) / 2 others (C the requests in flight at that rate, L a
    request's life C / rate)."""
    model, gpu, config = setup
    steady = predict_at_rate(model, gpu, config, 2.0)
    assert steady.output_tokens_per_s == 2.0 * OUTPUT and steady.limited_by == "offered load"
    in_flight = steady.concurrency
    life_s = in_flight / 2.0
    batch = round(1 + (in_flight - 1) * (1 - steady.ttft_ms / 1e3 / life_s) / 2)
    seconds = 299 / 2.0 + steady.ttft_ms / 1e3 + (OUTPUT - 1) * _decode_step_ms(setup, batch) / 1e3
    run = predict_rate_run(model, gpu, config, 2.0, 300)
    assert run.output_tokens_per_s == pytest.approx(300 * OUTPUT / seconds, rel=1e-12)
    assert run.requests_per_s == pytest.approx(run.output_tokens_per_s / OUTPUT, rel=1e-12)
    assert 0.95 * steady.output_tokens_per_s < run.output_tokens_per_s < steady.output_tokens_per_s
    assert (run.ttft_ms, run.tpot_ms, run.concurrency) == (steady.ttft_ms, steady.tpot_ms, steady.concurrency)


def test_one_request_is_its_own_life(setup):
    """N = 1: no span; the run is one request alone, its TTFT and then its decode steps at a batch of one."""
    model, gpu, config = setup
    steady = predict_at_rate(model, gpu, config, 0.5)
    seconds = steady.ttft_ms / 1e3 + (OUTPUT - 1) * _decode_step_ms(setup, 1) / 1e3
    assert predict_rate_run(model, gpu, config, 0.5, 1).output_tokens_per_s == pytest.approx(OUTPUT / seconds, rel=1e-12)


def test_a_long_run_tends_to_the_rate_offered(setup):
    """The end is one life whatever N (less the one interval the span of N arrivals lacks): its share falls as 1 / N."""
    model, gpu, config = setup
    offered = 2.0 * OUTPUT
    loss = {n: 1 - predict_rate_run(model, gpu, config, 2.0, n).output_tokens_per_s / offered for n in (300, 3000)}
    assert 0.001 < loss[300] < 0.05
    assert loss[300] / loss[3000] == pytest.approx(10, rel=0.05)


def test_above_capacity_the_answer_stays_the_replicas_capacity(setup):
    """Offered more than it serves, the replica serves its capacity while the queue grows (`predict_at_rate`)."""
    model, gpu, config = setup
    capacity = predict_model(model, gpu, config)
    flooded = 3 * capacity.requests_per_s
    run = predict_rate_run(model, gpu, config, flooded, 10_000)
    assert run == predict_at_rate(model, gpu, config, flooded)
    assert run.output_tokens_per_s == capacity.output_tokens_per_s


def test_a_run_that_cannot_start_says_why(setup):
    model, gpu, config = setup
    none = predict_rate_run(model, gpu, config, 2.0, 0)
    assert not none.runnable and "at least one request" in none.reason
    too_long = predict_rate_run(model, gpu, replace(config, input_tokens=2_000_000), 2.0, 300)
    assert not too_long.runnable and "KV cache" in too_long.reason
