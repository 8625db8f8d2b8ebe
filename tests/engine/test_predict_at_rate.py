"""`predict_at_rate`: a replica offered a fixed request rate (an open loop), through the closed loop at the concurrency
whose completions equal the rate (Little's law)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tco.engine.throughput import ServingConfig, predict_at_rate, predict_model
from tco.load.hardware import load_hardware


@pytest.fixture(scope="module")
def setup():
    catalog = load_hardware()
    config = ServingConfig(gpus=1, precision="fp8", engine="vllm", input_tokens=1024, output_tokens=1024)
    return catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"], config


def _at(setup, concurrency):
    model, gpu, config = setup
    return predict_model(model, gpu, replace(config, concurrency=concurrency))


def test_below_capacity_it_serves_the_offered_rate_with_the_latencies_between_the_bracketing_concurrencies(setup):
    """Offered exactly what 3.5 requests in flight complete (halfway between the completions at 3 and 4 in flight):
    output = rate x 1,024 tokens, and each latency halfway between those at 3 and at 4."""
    model, gpu, config = setup
    three, four = _at(setup, 3), _at(setup, 4)
    rate = (three.requests_per_s + four.requests_per_s) / 2
    r = predict_at_rate(model, gpu, config, rate)
    assert r.runnable and r.limited_by == "offered load"
    assert r.output_tokens_per_s == pytest.approx(rate * 1024, rel=1e-12)
    assert r.requests_per_s == rate
    for field in ("ttft_ms", "tpot_ms", "ttft_p90_ms", "ttft_p99_ms", "tpot_p90_ms"):
        assert getattr(r, field) == pytest.approx((getattr(three, field) + getattr(four, field)) / 2, rel=1e-9), field
    # exactly the completions of 4 in flight: 4's latencies
    at_four = predict_at_rate(model, gpu, config, four.requests_per_s)
    assert (at_four.tpot_ms, at_four.ttft_ms) == pytest.approx((four.tpot_ms, four.ttft_ms), rel=1e-9)


def test_latency_never_falls_as_the_offered_rate_rises(setup):
    model, gpu, config = setup
    capacity = predict_model(model, gpu, config).requests_per_s
    results = [predict_at_rate(model, gpu, config, capacity * share) for share in (0.01, 0.1, 0.3, 0.6, 0.9, 0.99)]
    assert all(r.limited_by == "offered load" for r in results)
    for low, high in zip(results, results[1:]):
        assert high.tpot_ms >= low.tpot_ms * (1 - 1e-9) and high.ttft_ms >= low.ttft_ms * (1 - 1e-9)
        assert high.output_tokens_per_s > low.output_tokens_per_s


def test_fewer_than_one_request_in_flight_is_served_alone(setup):
    model, gpu, config = setup
    one = _at(setup, 1)
    r = predict_at_rate(model, gpu, config, one.requests_per_s / 10)
    assert (r.tpot_ms, r.ttft_ms) == (one.tpot_ms, one.ttft_ms)
    assert r.output_tokens_per_s == pytest.approx(one.requests_per_s / 10 * 1024, rel=1e-12)


def test_at_or_above_capacity_it_serves_its_capacity_and_says_the_queue_grows(setup):
    model, gpu, config = setup
    top = predict_model(model, gpu, config)
    r = predict_at_rate(model, gpu, config, top.requests_per_s * 2)
    assert r.output_tokens_per_s == top.output_tokens_per_s and r.concurrency == top.concurrency
    assert r.limited_by.startswith("offered load above capacity") and "queue grows" in r.limited_by
    assert not predict_at_rate(model, gpu, config, 0.0).runnable
