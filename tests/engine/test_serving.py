"""Issue 16: prefix caching, speculative decoding, latency percentiles and disaggregation in the throughput model.

The prefix-caching test is worked by hand from the architecture (Llama-3.1-8B config.json: 32 layers, hidden
4,096, MLP 14,336, 32 query heads, 8 KV heads of 128) and the catalog's H100 SXM figures, with the shipped
efficiency constants read, not the model's results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
import math
import re

import pytest
import yaml

from tco.engine.throughput import FITTED, ServingConfig, predict_model
from tco.load.hardware import load_hardware

LAYERS, HIDDEN, MLP, HEADS, KV_HEADS, HEAD_DIM = 32, 4096, 14336, 32, 8, 128
LINEAR_FLOPS_PER_TOKEN = 2 * LAYERS * (2 * HIDDEN * HIDDEN + 2 * HIDDEN * KV_HEADS * HEAD_DIM + 3 * HIDDEN * MLP)
"""q and o (h x h), k and v (h x 8 x 128), gate/up/down (3 x h x 14,336); 2 FLOPs per weight per token."""
ATTENTION_FLOPS_PER_PAIR = 4 * HEADS * HEAD_DIM * LAYERS
"""QK^T and PV: 2 x 2 FLOPs per head dimension per (query, cached token) pair."""
KV_BYTES_PER_TOKEN = 2 * LAYERS * KV_HEADS * HEAD_DIM * 1
"""K and V, FP8 cache: 65,536 bytes."""
PROMPT, OUTPUT, SHARED = 10_000, 200, 0.8


@pytest.fixture(scope="module")
def catalog():
    return load_hardware()


def _llama8b(catalog, **kw):
    config = ServingConfig(gpus=1, input_tokens=PROMPT, output_tokens=OUTPUT, precision="fp8", **kw)
    return predict_model(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"], config)


def test_prefix_caching_fits_more_sequences_by_the_kv_it_no_longer_copies(catalog):
    without, cached = _llama8b(catalog), _llama8b(catalog, prefix_hit_rate=SHARED)
    assert without.kv_cache_bytes_per_token == KV_BYTES_PER_TOKEN
    budget = without.kv_cache_gb_per_gpu * 1e9
    # Without caching each sequence reserves its 10,200 tokens; with it, the 8,000-token prefix is held once
    # and each sequence its own 2,000 + 200.
    assert without.max_concurrency_fits == math.floor(budget / (KV_BYTES_PER_TOKEN * (PROMPT + OUTPUT)))
    prefix_bytes = SHARED * PROMPT * KV_BYTES_PER_TOKEN
    own = (1 - SHARED) * PROMPT + OUTPUT
    assert cached.max_concurrency_fits == math.floor((budget - prefix_bytes) / (KV_BYTES_PER_TOKEN * own))
    assert cached.max_concurrency_fits > 4 * without.max_concurrency_fits


def test_prefix_caching_lowers_ttft_by_the_prefill_it_skips(catalog):
    """One request in flight: TTFT is compute-bound prefill. Caching 80 % skips (a) the linear layers of 8,000
    tokens, (b) their attention: the full prompt has 10,000 x 5,000 (query, key) pairs, the uncached 2,000 tokens
    attend to the 8,000 cached plus half of their own, 2,000 x 9,000, and (c) the activations' memory passes of
    8,000 tokens. The weights read and the per-layer overheads are paid either way and cancel."""
    gpu = load_hardware().gpus["h100-sxm"]
    matmul = gpu.dense_fp8_tflops * 1e12 * FITTED.matmul_efficiency.for_gpu(gpu)  # FP8 weights and FP8 KV cache
    bandwidth = gpu.memory_bandwidth_tb_per_s * 1e12 * FITTED.memory_bandwidth_efficiency.for_gpu(gpu)
    saved_tokens = SHARED * PROMPT
    # GEMM shape: the dense GEMMs' narrower side is the hidden size (4,096 < 14,336): 4,096 / (4,096 + a x ridge / 2)
    # of the share, the ridge the FP8 rate over the bandwidth
    shape = HIDDEN / (HIDDEN + FITTED.gemm_activation_bytes * matmul / bandwidth / 2)
    linear_s = saved_tokens * LINEAR_FLOPS_PER_TOKEN / (matmul * shape)
    pairs_full = PROMPT * PROMPT / 2
    pairs_cached = (1 - SHARED) * PROMPT * (SHARED * PROMPT + (1 - SHARED) * PROMPT / 2)
    attention_s = (pairs_full - pairs_cached) * ATTENTION_FLOPS_PER_PAIR / matmul
    activations_s = FITTED.activation_passes_per_layer * saved_tokens * HIDDEN * 2 * LAYERS / bandwidth
    expected_saving_ms = (linear_s + attention_s + activations_s) * 1e3  # about 125 ms
    without = _llama8b(catalog, concurrency=1)
    cached = _llama8b(catalog, concurrency=1, prefix_hit_rate=SHARED)
    assert without.ttft_ms - cached.ttft_ms == pytest.approx(expected_saving_ms, rel=0.02)
    assert cached.tpot_ms == pytest.approx(without.tpot_ms)  # decode reads the same cache either way


SCENARIO = {
    "schema_version": 1,
    "scenarios": [{
        "id": "shared-prefix", "name": "80 % shared prompt",
        "workload": {"requests_per_day": 2_000_000, "input_tokens": PROMPT, "cacheable_prefix_share": SHARED,
                     "output_tokens": OUTPUT, "ttft_ms": 2000},
        "finance": {"horizon_months": 12, "start_date": "2026-12-01"},
        "options": [
            {"kind": "self-hosted", "id": name, "model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus_per_replica": 1,
             "precision": "fp8", "engine": "vllm", "prefix_caching": flag,
             "payment": {"mode": "on-demand", "gpu_usd_per_hour": 2.0}}
            for name, flag in (("cached", True), ("uncached", False))],
    }],
}


def test_a_shared_prefix_needs_fewer_gpus_with_prefix_caching(tmp_path, catalog):
    from tco.engine.throughput import predict
    from tco.run import run_scenarios

    path = tmp_path / "prefix.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    frame = run_scenarios([path], today=dt.date(2026, 12, 1)).results.options
    gpus = dict(zip(frame["option"].to_list(), frame["gpus_peak"].to_list()))
    # Replicas for the busiest hour (peak = average here): ceil(requests per second / a replica's requests per
    # second), one GPU each; a replica's rate from the throughput model at the 2 s TTFT target.
    demand_per_s = 2_000_000 / 86_400
    for name, hit in (("cached", SHARED), ("uncached", 0.0)):
        config = ServingConfig(gpus=1, input_tokens=PROMPT, output_tokens=OUTPUT, precision="fp8", engine="vllm",
                               ttft_ms=2000, prefix_hit_rate=hit)
        replica = predict(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"], config, catalog.measurements)
        assert gpus[name] == math.ceil(demand_per_s / replica.requests_per_s)
    assert gpus["cached"] < gpus["uncached"]


def test_prefix_caching_on_a_measured_deployment_keeps_the_measured_level(catalog):
    """Llama-3.1-8B FP8 on one H100 with TensorRT-LLM, 1,000 / 1,000 tokens, is measured (trtllm-v0.17:M0022 and
    trtllm-v1.0:M0763, averaged). The runs are without prefix caching, so with half of each prompt cached the model
    tells what the cache changes and the measurement the level: the model's figure at that hit rate times measured /
    model without it (basis `calibrated`). Before, the hit rate dropped the measurement and the model alone answered
    13,527 tokens/s against the measured 15,232: turning the cache on lowered the replica's throughput."""
    from tco.engine.throughput import predict

    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    plain = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp8", engine="trtllm")
    cached = replace(plain, prefix_hit_rate=0.5)
    measured = [m.output_tokens_per_s for m in catalog.measurements if m.id in ("trtllm-v0.17:M0022", "trtllm-v1.0:M0763")]
    level = sum(measured) / len(measured) / predict_model(model, gpu, plain).output_tokens_per_s  # measured / model
    answer = predict(model, gpu, cached, catalog.measurements)
    assert answer.basis == "calibrated" and answer.calibration_scale == pytest.approx(level)
    assert answer.output_tokens_per_s == pytest.approx(predict_model(model, gpu, cached).output_tokens_per_s * level)
    assert answer.output_tokens_per_s > predict(model, gpu, plain, catalog.measurements).output_tokens_per_s
    assert set(answer.measurement_ids) == {"trtllm-v0.17:M0022", "trtllm-v1.0:M0763"}


def test_turning_prefix_caching_on_never_adds_gpus_on_a_measured_deployment(tmp_path):
    """The same deployment in a scenario without a latency target (where the measurement applies): 50 million
    requests a day of 1,000 / 1,000 tokens, half of each prompt a shared prefix. Before, the cached option needed 43
    GPUs and the uncached one 38."""
    from tco.run import run_scenarios

    scenario = {"schema_version": 1, "scenarios": [{
        "id": "measured", "name": "prefix caching on a measured deployment",
        "workload": {"requests_per_day": 50_000_000, "input_tokens": 1000, "cacheable_prefix_share": 0.5, "output_tokens": 1000},
        "finance": {"horizon_months": 12, "start_date": "2026-12-01"},
        "options": [{"kind": "self-hosted", "id": name, "model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus_per_replica": 1,
                     "precision": "fp8", "engine": "trtllm", "prefix_caching": flag,
                     "payment": {"mode": "on-demand", "gpu_usd_per_hour": 2.0}}
                    for name, flag in (("cached", True), ("uncached", False))]}]}
    path = tmp_path / "measured.yaml"
    path.write_text(yaml.safe_dump(scenario))
    frame = run_scenarios([path], today=dt.date(2026, 12, 1)).results.options
    gpus = dict(zip(frame["option"].to_list(), frame["gpus_peak"].to_list()))
    # uncached: ceil(50e6 / 86,400 requests/s / (15,232.4 tokens/s / 1,000 tokens per request)) = ceil(578.7 / 15.23) = 38
    assert gpus["uncached"] == 38
    assert gpus["cached"] <= gpus["uncached"]


def test_mtp_default_acceptance_and_its_speedup_at_one_sequence(catalog):
    """At one sequence decode is bound by reading the weights: MTP verifies 2 tokens for about the read of
    one, and emits 1.85 on average (DeepSeek-V3 report), so TPOT falls by nearly that factor."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["b200"]
    base = ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, precision="fp4", concurrency=1)
    plain = predict_model(m, g, base)
    mtp = predict_model(m, g, ServingConfig(**{**base.__dict__, "spec_method": "mtp"}))
    assert mtp.acceptance_length == 1.85
    assert 1.3 < plain.tpot_ms / mtp.tpot_ms <= 1.85


def test_mtp_needs_the_models_own_module(catalog):
    """`mtp` drafts with the checkpoint's multi-token-prediction module: DeepSeek-R1 ships one (its README: the 685B
    download holds a 14B MTP module), Llama-3.3-70B none, so there it is refused and EAGLE, with the acceptance length
    given, runs."""
    base = ServingConfig(gpus=2, input_tokens=1000, output_tokens=1000, concurrency=1)
    llama, h100 = catalog.models["llama-3.3-70b"], catalog.gpus["h100-sxm"]
    refused = predict_model(llama, h100, replace(base, spec_method="mtp"))
    assert not refused.runnable and "multi-token-prediction module" in refused.reason and "eagle" in refused.reason
    assert predict_model(llama, h100, replace(base, spec_method="eagle", acceptance_length=1.85)).runnable
    assert catalog.models["deepseek-r1"].mtp_modules == 1 and llama.mtp_modules is None


def test_attention_is_split_by_whole_heads(catalog):
    """Llama-3.3-70B has 64 query heads and 8 KV heads (config.json), and the engines split attention by whole heads
    (SGLang 0.5.5.post2 `LlamaAttention`: heads % tp == 0; KV heads % tp == 0, or tp % KV heads == 0 where they are
    fewer). On 3 GPUs, TP3 is refused when asked for, and left open the GPUs run as 3 replicas of TP1; on 6, as 3 of
    TP2; on 16, TP16 divides the 64 heads and replicates each of the 8 KV heads twice. Phi-4 (40 heads, 10 KV heads):
    TP4 divides the heads but not the KV heads, and 4 is no multiple of 10, so it is refused."""
    llama, h100 = catalog.models["llama-3.3-70b"], catalog.gpus["h100-sxm"]
    base = ServingConfig(gpus=3, input_tokens=1000, output_tokens=1000, precision="fp8")
    asked = predict_model(llama, h100, replace(base, tp=3))
    assert not asked.runnable and "64 attention heads" in asked.reason
    left_open = predict_model(llama, h100, base)
    assert left_open.runnable and (left_open.tp, left_open.data_parallel_replicas) == (1, 3)
    six = predict_model(llama, h100, replace(base, gpus=6))
    assert (six.tp, six.data_parallel_replicas) == (2, 3)
    assert predict_model(llama, h100, replace(base, gpus=16, tp=16)).runnable
    phi = predict_model(catalog.models["phi-4"], h100, replace(base, gpus=4, tp=4))
    assert not phi.runnable and "10 KV heads" in phi.reason


def test_eagle_without_acceptance_length_is_refused(catalog):
    r = predict_model(catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"],
                      ServingConfig(gpus=1, input_tokens=100, output_tokens=100, spec_method="eagle"))
    assert not r.runnable and "acceptance_length" in r.reason


def test_percentiles_are_ordered_and_a_p99_target_costs_throughput(catalog):
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    r = predict_model(m, g, ServingConfig(gpus=2, input_tokens=2000, output_tokens=300, ttft_ms=500))
    assert r.ttft_ms <= r.ttft_p90_ms <= r.ttft_p99_ms and r.tpot_ms <= r.tpot_p90_ms
    p99 = predict_model(m, g, ServingConfig(gpus=2, input_tokens=2000, output_tokens=300, ttft_ms=500, percentile="p99"))
    assert p99.ttft_p99_ms <= 500 and p99.output_tokens_per_s < r.output_tokens_per_s


def test_disaggregated_decode_steps_carry_no_prompts(catalog):
    m, g = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    common = dict(gpus=16, input_tokens=8000, output_tokens=1000, precision="fp4", concurrency=64)
    apart = predict_model(m, g, ServingConfig(disaggregated=True, prefill_gpus=8, **common))
    together = predict_model(m, g, ServingConfig(tp=16, **common))  # one group, all 64 requests in its steps
    assert apart.disaggregated and (apart.prefill_gpus, apart.decode_gpus) == (8, 8)
    assert apart.tpot_ms < together.tpot_ms  # prompts of 8,000 tokens no longer ride in the decode steps
    auto = predict_model(m, g, ServingConfig(disaggregated=None, **common))
    # auto tries the prefill sizes (a quarter, half, three quarters) and the aggregated replica: the best of them
    assert auto.output_tokens_per_s >= max(apart.output_tokens_per_s, together.output_tokens_per_s)


def _deepseek_deployment(catalog, input_tokens: int, output_tokens: int):
    """DeepSeek-R1 FP8 on one MI355X TP8 replica (an InferenceX layout), its step model's inputs."""
    from tco.engine.throughput.deployment import build_deployment
    from tco.engine.throughput.parallel import candidate_splits

    m, g = catalog.models["deepseek-r1"], catalog.gpus["mi355x"]
    config = ServingConfig(gpus=8, tp=8, input_tokens=input_tokens, output_tokens=output_tokens, precision="fp8",
                           kv_precision="fp8", engine="sglang", attention_dp=False)
    split = candidate_splits(m, config, 8)[0]
    return build_deployment(m, g, config, 8, 1, 1, split, "fp8", "fp8", FITTED)


def test_a_step_carries_no_more_prompts_than_the_other_sequences_can_start(catalog):
    """2 sequences, 2,000-token prompts, 4 output tokens: the other sequence starts 1 x 1 / 4 = 0.25 prompts a step
    (Poisson), whose 0.99-quantile is 2 (P(N <= 1) = e^-0.25 x 1.25 = 0.974). But only one other sequence exists, so
    the p99 TTFT is 0.99 of the mean step (the one in progress) + the step that prefills the two prompts, its own and
    the other's, + the request's fixed latency."""
    from tco.engine.throughput.step import evaluate, mean_step_seconds, poisson_quantile, prefill_seconds

    d = _deepseek_deployment(catalog, 2000, 4)
    assert poisson_quantile(0.25, 0.99) == 2.0
    step_avg = mean_step_seconds(d, 2.0, 2.0 / 4)[0]
    expected_s = 0.99 * step_avg + prefill_seconds(d, 2.0, 2 * 2000) + d.constants.request_latency_s
    assert evaluate(d, 2).ttft_p99_s == pytest.approx(expected_s, rel=1e-12)


def test_prompts_arrive_in_whole_chunks_not_as_a_fluid(catalog):
    """4 sequences, 8,000-token prompts, 1,000 output tokens: 4 / 1,000 prompts start per step, so 0.004 of the steps
    carry one 8,000-token chunk (the step budget holds it whole) and the rest decode only. The mean step is that
    mixture; the step of the fluid average (32 prompt tokens in every step) reads the experts those 32 tokens touch
    in every step and is longer (the step is concave in its tokens)."""
    from tco.engine.throughput.step import mean_step_seconds, step_seconds

    d = _deepseek_deployment(catalog, 8000, 1000)
    share = 4 / 1000
    expected = (1 - share) * step_seconds(d, 4, 0.0)[0] + share * step_seconds(d, 4, 8000.0)[0]
    assert mean_step_seconds(d, 4, share)[0] == pytest.approx(expected, rel=1e-12)
    assert expected < step_seconds(d, 4, share * 8000)[0]
    # many prompts per step: 2.5 chunks on average land as 2 or 3 whole chunks, half the steps each
    many = (step_seconds(d, 512, 2 * 8000.0)[0] + step_seconds(d, 512, 3 * 8000.0)[0]) / 2
    assert mean_step_seconds(d, 512, 2.5)[0] == pytest.approx(many, rel=1e-12)


def test_a_saturated_prefill_side_queues_the_rest_of_a_closed_loop(catalog):
    """Disaggregated DeepSeek-R1 on GB200, 4 prefill and 12 decode GPUs, 8,000-token prompts, 2,048 requests in flight:
    the prefill side cannot feed the decode batch all of them would make. Every request is somewhere (Little's law):
    decoding (output tokens/s x TPOT / tokens per request, rounded to a whole batch) or waiting for its first token
    (completions/s x TTFT), and the TTFT is then seconds of queue, not the M/D/c wait of an unsaturated side."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=16, input_tokens=8000, output_tokens=1000, precision="fp4", disaggregated=True,
                           prefill_gpus=4, tp=4, concurrency=2048)
    r = predict_model(m, g, config)
    assert r.limited_by == "prefill capacity"
    decoding = r.requests_per_s * 1000 * r.tpot_ms / 1e3
    waiting = r.requests_per_s * (r.ttft_ms - r.tpot_ms) / 1e3
    assert decoding < 2048 / 2  # the prefill side feeds a decode batch well short of 2,048
    assert decoding + waiting == pytest.approx(2048, rel=0.01)
    assert r.ttft_ms > 10_000


def test_requests_that_do_not_divide_over_the_replicas_are_all_served(catalog):
    """3 requests on 2 data-parallel replicas: one holds 2, the other 1 (not 1 each, which dropped one). Output adds
    up over the replicas: half the replica rate at 1 sequence plus half at 2 (evaluate reports dp x one replica)."""
    from tco.engine.throughput.predict import spread_over_replicas
    from tco.engine.throughput.step import evaluate

    d = _deepseek_deployment(catalog, 1000, 1000)
    d = replace(d, dp=2)
    mixed = spread_over_replicas(d, 3)
    one, two = evaluate(d, 1), evaluate(d, 2)
    assert mixed.output_tokens_per_s == pytest.approx((one.output_tokens_per_s + two.output_tokens_per_s) / 2, rel=1e-12)
    # the mean TPOT over the 3 requests: 1 on the replica at 1, 2 on the one at 2
    assert mixed.tpot_s == pytest.approx((one.tpot_s + 2 * two.tpot_s) / 3, rel=1e-12)
    # 1 request on 2 replicas: one busy, one idle
    assert spread_over_replicas(d, 1).output_tokens_per_s == pytest.approx(one.output_tokens_per_s / 2, rel=1e-12)


def test_a_small_closed_loop_keeps_all_its_requests(catalog):
    """4 requests on a disaggregated GB200 replica of 4 decode workers: every request is decoding or waiting for its
    first token (C = X x decode time + X x TTFT, Little's law), not 3 of them (the fixed point between whole batches)."""
    m, g = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=36, input_tokens=921, output_tokens=921, precision="fp4", disaggregated=True,
                           prefill_gpus=4, tp=8, prefill_tp=4, concurrency=4)
    r = predict_model(m, g, config)
    assert r.concurrency == 4
    in_flight = r.requests_per_s * (921 * r.tpot_ms + r.ttft_ms - r.tpot_ms) / 1e3
    assert in_flight == pytest.approx(4, rel=0.02)


def test_a_busy_prefill_worker_batches_the_prompts_that_arrive_during_its_step(catalog):
    """Disaggregated prefill, DeepSeek-R1 FP4 on 4 GB200 (one worker), 921-token prompts. Idle, a prompt is prefilled
    alone and waits for nothing. At 40 prompts/s the worker is always busy: each step carries the n = 40 x T prompts
    that came during the one before, T = step(n prompts) (the fixed point), and at the median a prompt waits half a
    step for the one in progress, as the aggregated engine's steps do."""
    from tco.engine.throughput.config import default_kv_precision
    from tco.engine.throughput.predict import batched_prefill, prefill_rate, residual_quantile
    from tco.engine.throughput.step import step_seconds

    m, g = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    config = ServingConfig(gpus=4, tp=4, input_tokens=921, output_tokens=921, precision="fp4",
                           kv_precision=default_kv_precision("fp4"))
    side = prefill_rate(m, g, config, FITTED)
    d = side.deployment
    assert d.dp == 1
    alone, busy = batched_prefill(side, 921, 1e-6)
    assert alone == pytest.approx(side.single_prompt_s, rel=1e-9) and busy < 1e-6
    assert residual_quantile(busy, 0.5) == 0.0
    step, busy = batched_prefill(side, 921, 40.0)
    prompts = 40.0 * step
    assert 1.0 < prompts < side.chunk_tokens / 921  # several prompts per step, below the step budget
    assert step == pytest.approx(step_seconds(d, 0.0, prompts * 921)[0], rel=1e-6)
    assert busy == 1.0 and residual_quantile(busy, 0.5) == 0.5 and residual_quantile(busy, 0.9) == pytest.approx(0.9)
    # a batch of n prompts takes longer than one prompt, less than n prompts one after another
    assert side.single_prompt_s < step < prompts * side.single_prompt_s


def test_a_small_closed_loop_bounds_the_prefill_queue_by_the_prompts_ahead(catalog):
    """Llama-3.1-70B FP8 disaggregated on 2 H100 (1 prefill + 1 decode), 4,730-token prompts, 16 output tokens: the
    prefill GPU is the bottleneck. Alone, a request's p99 TTFT is T1 (its own prefill, the handoff, the first decode
    step). In a closed loop of C, a request that waits finds one of the other C - 1 prompts in its step (at most one
    prompt alone, `single_prompt_s`) and at most C - 2 more queued, each cleared at the prefill side's capacity
    (`rate_tokens_s`): p99 <= T1 + single_prompt_s + (C - 2) x 4,730 / rate_tokens_s. The M/D/c queue of independent
    arrivals has no such bound: it gave 3,301 ms at C = 2, where 842 + 606 = 1,448 ms is the most one other prompt
    can add."""
    from tco.engine.throughput.predict import prefill_rate, prefill_side_config

    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    config = ServingConfig(gpus=2, input_tokens=4730, output_tokens=16, precision="fp8", disaggregated=True,
                           prefill_gpus=1)
    side = prefill_rate(m, g, prefill_side_config(config, g, 1), FITTED)
    alone = predict_model(m, g, replace(config, concurrency=1))
    for concurrency in (2, 3, 4):
        r = predict_model(m, g, replace(config, concurrency=concurrency))
        assert r.requests_per_s * 4730 / side.rate_tokens_s > 0.8  # the prefill GPU is busy most of the time
        bound_ms = alone.ttft_p99_ms + (side.single_prompt_s + (concurrency - 2) * 4730 / side.rate_tokens_s) * 1e3
        assert r.ttft_p99_ms <= bound_ms, concurrency
        assert r.ttft_p99_ms > alone.ttft_p99_ms + 0.5 * side.single_prompt_s * 1e3  # the queue is there, bounded


def test_one_request_in_flight_completes_once_per_ttft_and_decode_even_where_the_prefill_side_is_the_slower(catalog):
    """Llama-3.1-70B FP8 on 1 + 1 H100, 9,746-token prompts, 16 output tokens, one request in flight: it is prefilled,
    then decodes alone, then the next starts, so it completes 1 / (TTFT + 15 x TPOT) a second, exactly (Little's law
    with C = 1). The prefill side's capacity (its full-chunk pace, below the decode side's pace at one request here)
    bounds the rate but is not reached by one request at a time. Capping the decode side's pace by it before sharing
    it out gave 0.36 requests a second, 0.70 of that (Hypothesis found it). Two requests: the prefill side is the limit."""
    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    config = ServingConfig(gpus=2, input_tokens=9746, output_tokens=16, precision="fp8", disaggregated=True, prefill_gpus=1)
    one = predict_model(m, g, replace(config, concurrency=1))
    assert one.requests_per_s * (one.ttft_ms + 15 * one.tpot_ms) / 1e3 == pytest.approx(1.0, rel=1e-9)
    assert one.requests_per_s == pytest.approx(0.5115, abs=1e-4)  # 1 / (1,527.2 ms + 15 x 28.52 ms)
    two = predict_model(m, g, replace(config, concurrency=2))
    assert two.limited_by == "prefill capacity" and one.requests_per_s < two.requests_per_s < 2 * one.requests_per_s


def test_a_closed_loop_longer_than_the_decode_memory_queues_for_a_decode_slot(catalog):
    """Llama-3.1-70B FP8, one prefill and one decode H100, 8,192-token prompts, 64 requests in flight: the decode GPU
    holds the KV cache of only a few sequences after its 70 GB of weights. The others wait for a slot, so every
    request is decoding (the decode side's batch, X x output x TPOT) or waiting for its first token (X x TTFT):
    64 = X x (TTFT + (output - 1) x TPOT), Little's law. Counting the waiting requests as decoding gave a TTFT about
    half that (X x latency / C = 0.55)."""
    from tco.engine.throughput.predict import decode_side_config

    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["h100-sxm"]
    config = ServingConfig(gpus=2, input_tokens=8192, output_tokens=1024, precision="fp8", engine="trtllm",
                           disaggregated=True, prefill_gpus=1, concurrency=64)
    r = predict_model(m, g, config)
    fits = predict_model(m, g, replace(decode_side_config(config, 1), concurrency=64)).max_concurrency_fits
    assert fits < 16 and r.limited_by == "kv cache capacity"
    assert r.requests_per_s * 1024 * r.tpot_ms / 1e3 == pytest.approx(fits, rel=0.02)  # a full decode batch
    assert r.requests_per_s * (r.ttft_ms + 1023 * r.tpot_ms) / 1e3 == pytest.approx(64, rel=0.01)
    assert r.ttft_ms / 1e3 > (64 - fits) / r.requests_per_s * 0.95


@pytest.mark.parametrize("model_id, gpu_id, gpus, prompt", [("llama-3.1-8b", "h100-sxm", 2, 8192),
                                                            ("llama-3.1-70b", "h200", 8, 8192),
                                                            ("deepseek-r1", "gb200", 16, 1024)])
def test_disaggregated_ttft_percentiles_are_ordered_at_every_load(catalog, model_id, gpu_id, gpus, prompt):
    """p50 <= p90 <= p99 of TTFT: each part of it (the step in progress, the queue for the prefill side, the decode
    side's first step) is taken at the same quantile. The p50 had the mean M/D/c wait while the p90 had its 0.9-quantile,
    which is zero when fewer than one request in ten waits: p90 fell below p50 (319.2 and 318.8 ms here at one request
    in flight, where nothing is ahead of a request at all)."""
    m, g = catalog.models[model_id], catalog.gpus[gpu_id]
    precision = "fp4" if gpu_id == "gb200" else "fp8"
    for concurrency in (1, 2, 4, 16, 64, 256):
        r = predict_model(m, g, ServingConfig(gpus=gpus, input_tokens=prompt, output_tokens=1024, precision=precision,
                                              disaggregated=True, concurrency=concurrency))
        assert r.runnable
        assert r.ttft_ms <= r.ttft_p90_ms <= r.ttft_p99_ms, concurrency


def test_an_acceptance_length_above_two_drafts_the_tokens_it_needs(catalog):
    """EAGLE-3-like acceptance of 3.5 tokens per step needs at least 3 drafted (a step emits at most 1 + drafted): the
    step verifies 1 + 3 = 4 tokens per sequence and runs the layer-sized draft head 3 times on one token each. At one
    sequence nothing else shares the step, so TPOT = that step / 3.5. Drafting more for the same acceptance only adds
    work; drafting fewer than the acceptance needs is refused."""
    from tco.engine.throughput.deployment import build_deployment
    from tco.engine.throughput.fitted import FITTED
    from tco.engine.throughput.parallel import Split
    from tco.engine.throughput.step import step_seconds

    m, g = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    cfg = ServingConfig(gpus=1, input_tokens=1000, output_tokens=500, spec_method="eagle", acceptance_length=3.5, concurrency=1)
    r = predict_model(m, g, cfg)
    assert r.runnable and r.draft_tokens == 3 and r.acceptance_length == 3.5
    d = build_deployment(m, g, cfg, 1, 1, 1, Split(1, 1), "fp8", "fp8", FITTED)
    assert d.tokens_per_decode_seq == 4.0 and d.draft_layer_equivalents == 3.0
    assert r.tpot_ms == pytest.approx(step_seconds(d, 1.0, 0.0)[0] / 3.5 * 1e3, rel=1e-3)
    more = predict_model(m, g, ServingConfig(**{**cfg.__dict__, "draft_tokens": 5}))
    assert more.draft_tokens == 5 and more.tpot_ms > r.tpot_ms
    fewer = predict_model(m, g, ServingConfig(**{**cfg.__dict__, "draft_tokens": 2}))
    assert not fewer.runnable and "between 1 and 3" in fewer.reason


def run_options(tmp_path, scenario: dict) -> tuple[dict, dict]:
    """A scenario (as a dict) run as `tco run` runs it: (option id -> its replica's throughput result, option id -> its
    GPUs at the busiest hour)."""
    from tco.run import run_scenarios

    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario))
    results = run_scenarios([path], today=dt.date(2026, 12, 1)).results
    return ({row.option_id: row.throughput for row in results.rows},
            dict(zip(results.options["option"].to_list(), results.options["gpus_peak"].to_list())))


def vllm_options(workload: dict, variants: dict[str, dict]) -> dict:
    """A one-scenario file whose options are Llama-3.1-8B FP8 on one rented H100 under vLLM, each with its extra fields."""
    return {"schema_version": 1, "scenarios": [{
        "id": "variants", "workload": workload, "finance": {"horizon_months": 12, "start_date": "2026-12-01"},
        "options": [{"kind": "self-hosted", "id": name, "model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus_per_replica": 1,
                     "precision": "fp8", "engine": "vllm", "payment": {"mode": "on-demand", "gpu_usd_per_hour": 2.0}, **extra}
                    for name, extra in variants.items()]}]}


def test_a_scenario_option_drafts_what_its_acceptance_needs_or_what_it_gives(tmp_path, catalog):
    """A scenario's self-hosted option with EAGLE at 3.5 accepted tokens per step runs (3 drafted), as does one that gives
    draft_tokens; each costs the GPUs its replica rate asks (the same ceil(demand / rate) as without speculation)."""
    scenario = {**SCENARIO, "scenarios": [{
        **SCENARIO["scenarios"][0], "id": "eagle",
        "options": [{**SCENARIO["scenarios"][0]["options"][0], "id": name, "spec_method": "eagle", "acceptance_length": 3.5,
                     **extra} for name, extra in (("inferred", {}), ("given", {"draft_tokens": 5}))]}]}
    rates, gpus = run_options(tmp_path, scenario)
    assert rates["inferred"].draft_tokens == 3 and rates["given"].draft_tokens == 5
    assert rates["given"].output_tokens_per_s < rates["inferred"].output_tokens_per_s
    demand_per_s = 2_000_000 / 86_400
    for name in ("inferred", "given"):
        assert gpus[name] == math.ceil(demand_per_s / rates[name].requests_per_s)


def test_a_scenario_option_with_an_engine_limit_needs_more_gpus(tmp_path):
    """The same self-hosted option with max_batch 8 (vLLM --max-num-seqs 8): each replica serves what 8 sequences serve,
    so the busiest hour needs ceil(demand / rate) replicas at that lower rate."""
    scenario = vllm_options({"requests_per_day": 2_000_000, "input_tokens": 500, "output_tokens": 200},
                            {"free": {}, "capped": {"max_batch": 8}})
    rates, gpus = run_options(tmp_path, scenario)
    assert rates["capped"].concurrency == 8 and rates["capped"].max_batch == 8 and rates["free"].max_batch == 1024
    assert rates["capped"].requests_per_s < rates["free"].requests_per_s
    assert gpus["capped"] > gpus["free"]
    assert gpus["capped"] == math.ceil(2_000_000 / 86_400 / rates["capped"].requests_per_s)


def test_a_scenario_option_gives_the_engines_step_budget(tmp_path):
    """A self-hosted option with step_tokens 2048 (vLLM --max-num-batched-tokens 2048) on an H100, whose default is
    8,192: the replica runs the given budget, and with prompts of 6,000 tokens it serves less and needs more GPUs."""
    # 60 million requests a day: enough replicas that a few per cent less per replica shows as whole GPUs
    scenario = vllm_options({"requests_per_day": 60_000_000, "input_tokens": 6000, "output_tokens": 200},
                            {"default": {}, "small-steps": {"step_tokens": 2048}})
    rates, gpus = run_options(tmp_path, scenario)
    assert rates["default"].step_tokens == 8192 and rates["small-steps"].step_tokens == 2048
    assert rates["small-steps"].requests_per_s < rates["default"].requests_per_s
    assert gpus["small-steps"] > gpus["default"]
    for name in ("default", "small-steps"):
        assert gpus[name] == math.ceil(60_000_000 / 86_400 / rates[name].requests_per_s)


def test_the_prefill_side_runs_as_the_workers_that_serve_the_most(catalog):
    """Llama-3.1-70B FP8 on 12 L40S (PCIe: a slow all-reduce), 8 prefill + 4 decode GPUs, 4,000 / 300 tokens. As one
    TP8 group the 8 prefill GPUs prefill no faster than 4 GPUs as TP4; the engines run the prefill side as N workers of
    TP t (SGLang PD, Dynamo), so with no tp given the model tries every t dividing 8 (TP1 cannot hold the 70 GB of
    weights in 48 GB) and keeps the one serving the most output tokens/s. Prefill-bound, the replica completes what the
    prefill side clears: requests/s = prompt tokens/s of its workers / 4,000 tokens a prompt."""
    from tco.engine.throughput.predict import _disaggregated_at, prefill_rate, prefill_side_config

    m, g = catalog.models["llama-3.1-70b"], catalog.gpus["l40s"]
    config = ServingConfig(gpus=12, input_tokens=4000, output_tokens=300, precision="fp8", disaggregated=True, prefill_gpus=8)

    def capacity_tokens_s(c: ServingConfig, prefill_gpus: int) -> float:
        side = prefill_rate(m, g, prefill_side_config(c, g, prefill_gpus), FITTED)
        return math.inf if isinstance(side, str) else side.rate_tokens_s

    each = {t: _disaggregated_at(m, g, replace(config, prefill_tp=t), 8, FITTED) for t in (1, 2, 4, 8)}
    assert not each[1].runnable and "weights need" in each[1].reason
    best_tp = max((t for t in each if each[t].runnable), key=lambda t: each[t].output_tokens_per_s)
    r = predict_model(m, g, config)
    assert r.output_tokens_per_s == each[best_tp].output_tokens_per_s
    assert r.parallelism.startswith(f"prefill 8 GPUs ({8 // best_tp} x TP{best_tp}), decode 4 GPUs")
    # one TP8 group is no faster than 4 GPUs as TP4 (the all-reduce over PCIe); the chosen workers are about twice that
    four_gpus = capacity_tokens_s(replace(config, prefill_gpus=4), 4)  # one TP4 worker, as before
    assert capacity_tokens_s(replace(config, prefill_tp=8), 8) < 1.1 * four_gpus
    chosen = capacity_tokens_s(replace(config, prefill_tp=best_tp), 8)
    assert chosen >= 1.9 * four_gpus
    assert r.limited_by == "prefill capacity"
    assert r.requests_per_s == pytest.approx(chosen / 4000, rel=1e-9)
    # a given prefill tp is kept (the InferenceX rows state theirs); `tp` is the decode workers': restating the decode
    # split the model chose leaves the prefill side's choice as it was (it once forced 2 x TP4 here, half the output)
    one_group = predict_model(m, g, replace(config, prefill_tp=8))
    assert one_group.parallelism.startswith("prefill 8 GPUs (TP8), ")
    assert one_group.output_tokens_per_s == each[8].output_tokens_per_s < r.output_tokens_per_s
    assert r.parallelism.endswith("decode 4 GPUs (TP4)")
    assert predict_model(m, g, replace(config, tp=4)) == r
    # with pipeline stages and no tp, a group of all 8 prefill GPUs x PP2 did not fit in 8 GPUs; the workers now do
    staged = predict_model(m, g, replace(config, gpus=16, pp=2))
    assert staged.runnable and re.match(r"prefill 8 GPUs \((\d+ x )?TP\d+ x PP2\), decode 8 GPUs ", staged.parallelism)


def test_a_prefill_side_that_cannot_hold_the_weights_says_by_how_much(catalog):
    """DeepSeek-R1 FP8 with 2 of 12 GB200s prefilling: its refusal gives the sizes to act on, as the aggregated one
    does. The prefill side runs TP2 with MLA attention data-parallel (each GPU keeps the whole attention), so one GPU
    must hold the weights of that split; the GB200's memory is what the driver reports, 189,471 MiB x 2^20 bytes."""
    from tco.engine.throughput.memory import weights_bytes_per_gpu

    m, g = catalog.models["deepseek-r1"], catalog.gpus["gb200"]
    r = predict_model(m, g, ServingConfig(gpus=12, input_tokens=8000, output_tokens=1000, precision="fp8", engine="sglang",
                                          disaggregated=True, prefill_gpus=2))
    weights_gb = weights_bytes_per_gpu(m, "fp8", 2, 1, 2) / 1e9
    assert weights_gb > 189_471 * 2**20 / 1e9  # about 346 GB against 198.7: no buffer arithmetic decides it
    assert not r.runnable
    assert r.reason.startswith(f"prefill side: weights need {weights_gb:.1f} GB per GPU (")
    assert f"has 186 GB ({189_471 * 2**20 / 1e9:.1f} x 10^9 bytes)" in r.reason and r.reason.endswith("a smaller precision")
    # with 4 of them prefilling the same weights fit (TP4: a quarter of the experts each) and the replica runs
    assert predict_model(m, g, ServingConfig(gpus=12, input_tokens=8000, output_tokens=1000, precision="fp8", engine="sglang",
                                             disaggregated=True, prefill_gpus=4)).runnable


def test_a_prefix_the_cache_cannot_hold_in_every_attention_group_is_capped_to_what_fits(catalog):
    """Issue 16: the hit rate is capped when the cache cannot hold the prefix. Llama-4-Maverick FP8 on 8 H200 with data-
    parallel attention (DP8, experts EP8) and a 1,000,000-token prompt 90 % shared: each of the 8 attention groups keeps
    its own copy of the shared prefix, 900,000 tokens x 98,304 B = 88 GB, more than the GPU's KV budget (76.2 GB). The
    rate falls to the largest whose copies leave room for one sequence: 1,000,000 x h x 8 + 1,000,000 x (1 - h) + 1,000
    tokens at 98,304 / 8 B a token per GPU = the budget, h = 0.743; one sequence fits. Tensor-parallel attention keeps one
    copy over the 8 GPUs: the 90 % is held. (Before, the cap recursed without end where a sequence could not fit.)"""
    model, gpu = catalog.models["llama-4-maverick"], catalog.gpus["h200"]
    base = ServingConfig(gpus=8, tp=8, ep=8, precision="fp8", input_tokens=1_000_000, output_tokens=1_000,
                         prefix_hit_rate=0.9, concurrency=8)
    grouped = predict_model(model, gpu, replace(base, attention_dp=True))
    assert grouped.runnable and grouped.max_concurrency_fits == 1
    h = grouped.prefix_hit_rate
    assert 0.70 < h < 0.9
    tokens_held = 1_000_000 * h * 8 + 1_000_000 * (1 - h) + 1_000
    assert tokens_held * 98_304 / 8 == pytest.approx(grouped.kv_cache_gb_per_gpu * 1e9, rel=1e-6)
    shared = predict_model(model, gpu, replace(base, attention_dp=False))
    assert shared.runnable and shared.prefix_hit_rate == 0.9
