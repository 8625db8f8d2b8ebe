"""`predict_offline_run`: N requests queued at once and served to the last (trtllm-bench's runs of the TensorRT-LLM
tables, SGLang's bench_serving at an infinite rate) go through a replica in waves of its steady-state batch B: N // B
batches of B at the steady state's pace, then the N mod B left over at a smaller batch's pace."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tco.engine.throughput import ServingConfig, predict_model, predict_offline_run
from tco.load.hardware import load_hardware


@pytest.fixture(scope="module")
def setup():
    """Llama-3.1-8B FP8 on one H100 under TensorRT-LLM, 128 in / 2,048 out: a decode-heavy request whose steady state
    holds as many sequences as its KV cache (the shape of the v1.0 table's row M0757, a 3,000-request run)."""
    catalog = load_hardware()
    config = ServingConfig(gpus=1, precision="fp8", engine="trtllm", input_tokens=128, output_tokens=2048)
    return catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"], config


def _batch_of(setup, batch):
    """The replica at `batch` requests all in its steps from the start (nothing outside the steps holds a slot)."""
    model, gpu, config = setup
    return predict_model(model, gpu, replace(config, concurrency=batch, queued_at_once=True))


def test_a_run_of_two_and_a_half_batches_takes_two_full_batches_and_a_half_one(setup):
    """N = 2.5 B: two batches of B take 2 x B x 2,048 / X(B) seconds, the 0.5 B left over 0.5 B x 2,048 / X(0.5 B);
    the run's output is 2.5 B x 2,048 tokens over the sum."""
    model, gpu, config = setup
    steady = predict_model(model, gpu, config)
    batch = steady.concurrency
    assert steady.limited_by == "kv cache capacity" and batch > 100  # the memory sets B here
    half = batch // 2
    seconds = 2 * batch * 2048 / steady.output_tokens_per_s + half * 2048 / _batch_of(setup, half).output_tokens_per_s
    run = predict_offline_run(model, gpu, config, 2 * batch + half)
    assert run.runnable
    assert run.output_tokens_per_s == pytest.approx((2 * batch + half) * 2048 / seconds, rel=1e-12)
    assert run.requests_per_s == pytest.approx(run.output_tokens_per_s / 2048, rel=1e-12)
    assert run.output_tokens_per_s_per_gpu == run.output_tokens_per_s
    # the half batch reads the same weights per step for half the tokens: the run averages below the steady state
    assert run.output_tokens_per_s < 0.99 * steady.output_tokens_per_s
    assert (run.concurrency, run.tpot_ms) == (steady.concurrency, steady.tpot_ms)  # the rest is the steady state's


def test_whole_batches_run_at_the_steady_state_and_fewer_requests_than_a_batch_run_as_one(setup):
    model, gpu, config = setup
    steady = predict_model(model, gpu, config)
    assert predict_offline_run(model, gpu, config, 3 * steady.concurrency).output_tokens_per_s == pytest.approx(
        steady.output_tokens_per_s, rel=1e-12)
    assert predict_offline_run(model, gpu, config, 300).output_tokens_per_s == _batch_of(setup, 300).output_tokens_per_s


def test_the_left_over_batch_weighs_less_the_more_full_batches_come_before_it(setup):
    """k full batches and the same 100 requests left over: the average rises towards the steady state with k. (In N
    alone it need not: a run whose left-over batch is nearly full averages more than a longer one's with a small one.)"""
    model, gpu, config = setup
    steady = predict_model(model, gpu, config)
    averages = [predict_offline_run(model, gpu, config, k * steady.concurrency + 100).output_tokens_per_s
                for k in (1, 2, 10, 100)]
    assert averages == sorted(averages) and averages[0] < 0.95 * steady.output_tokens_per_s
    assert averages[-1] == pytest.approx(steady.output_tokens_per_s, rel=0.01)


def test_a_run_that_cannot_start_says_why(setup):
    model, gpu, config = setup
    assert not predict_offline_run(model, gpu, config, 0).runnable
    too_long = predict_offline_run(model, gpu, replace(config, input_tokens=2_000_000), 3000)
    assert not too_long.runnable and "KV cache" in too_long.reason
