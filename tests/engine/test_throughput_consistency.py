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
    base = ServingConfig(gpus=2, tp=2, input_tokens=2048, output_tokens=16, engine="sglang")  # one group of two
    top = predict_model(model, gpu, base)
    many = predict_model(model, gpu, replace(base, concurrency=1000))
    assert top.concurrency == 63
    assert many.output_tokens_per_s <= top.output_tokens_per_s * (1 + 1e-9)  # was 1,560.7 against 1,254.6
    assert many.concurrency == top.concurrency  # decoding at once; the others wait
    # Little's law: 1,000 requests at X requests/s spend 1,000 / X s each in the replica, about the TTFT plus 15 TPOTs
    life_s = 1000 / many.requests_per_s
    assert many.ttft_ms / 1e3 + 15 * many.tpot_ms / 1e3 == pytest.approx(life_s, rel=0.02)


# --- Measured and calibrated figures: percentiles and targets scaled alike ------------------------------------------

MIXTRAL = ServingConfig(gpus=4, tp=4, input_tokens=2048, output_tokens=128)  # the measured TP4 deployment


def test_a_measured_result_scales_the_tpot_percentiles_with_the_median(catalog):
    # TensorRT-LLM v0.17 published Mixtral-8x7B on 4 H100 at 2,048 / 128: the figure replaces the model's, and the
    # TPOT follows it (TPOT = model TPOT x model / measured). Its p90 must follow by the same factor, or the median
    # ends above the p90 (it was 335.09 ms against a p90 left at the model's 257.36).
    model, gpu = catalog.models["mixtral-8x7b"], catalog.gpus["h100-sxm"]
    alone = predict_model(model, gpu, MIXTRAL)
    measured = predict(model, gpu, MIXTRAL, catalog.measurements)
    assert measured.basis == "measurement"
    factor = measured.output_tokens_per_s / alone.output_tokens_per_s
    assert measured.tpot_ms == pytest.approx(alone.tpot_ms / factor)
    assert measured.tpot_p90_ms == pytest.approx(alone.tpot_p90_ms / factor)
    assert measured.tpot_ms <= measured.tpot_p90_ms
    assert measured.ttft_ms == alone.ttft_ms  # the throughput says nothing of the first token


@pytest.mark.parametrize("percentile", ["p50", "p90"])
@pytest.mark.parametrize("tpot_ms", [10.0, 50.0, 100.0, 200.0])
def test_a_calibrated_result_meets_its_tpot_target_once_scaled(catalog, tpot_ms, percentile):
    # The measurements of this deployment run at about 0.75-0.86 of the model's throughput, so a calibrated TPOT is
    # the model's / 0.75-0.86: the point must be chosen against that (at 100 ms it was 124.13 ms, "latency target
    # (tpot)" reported as met).
    model, gpu = catalog.models["mixtral-8x7b"], catalog.gpus["h100-sxm"]
    config = replace(MIXTRAL, tpot_ms=tpot_ms, percentile=percentile)
    r = predict(model, gpu, config, catalog.measurements, calibrate=True)
    assert r.runnable and r.basis == "calibrated" and r.calibration_scale < 1
    assert (r.tpot_ms if percentile == "p50" else r.tpot_p90_ms) <= tpot_ms * (1 + 1e-9)
    assert r.tpot_ms <= r.tpot_p90_ms
    # and no needless loss: about the model's own answer at the scaled target, scaled (the scale moves a little with
    # the point chosen, hence not exactly)
    unscaled = predict_model(model, gpu, replace(config, tpot_ms=tpot_ms * r.calibration_scale))
    assert r.output_tokens_per_s == pytest.approx(unscaled.output_tokens_per_s * r.calibration_scale, rel=0.01)


def test_a_tpot_target_the_calibrated_model_cannot_meet_is_refused_not_reported_as_met(catalog):
    # The model alone meets 5 ms with one request (4.83 ms); scaled by the measurements' ~0.86 that is about 5.6 ms.
    model, gpu = catalog.models["mixtral-8x7b"], catalog.gpus["h100-sxm"]
    config = replace(MIXTRAL, tpot_ms=5.0)
    assert predict_model(model, gpu, config).runnable
    r = predict(model, gpu, config, catalog.measurements, calibrate=True)
    assert not r.runnable and "TPOT target of 5 ms is not met once the model is scaled" in r.reason


# --- Auto takes the answer of the mode it picks, measurements included ----------------------------------------------

@pytest.mark.parametrize("gpus", [1, 4])
def test_auto_that_picks_aggregated_answers_as_false_does_measurements_included(catalog, gpus):
    # TensorRT-LLM v0.17 measured Llama-3.1-70B on 4 H100 at 128 / 2,048 (11,511.9 tokens/s; the model says 10,105.2)
    # and Llama-3.1-8B on 1 H100: auto picks the aggregated replica, so it must report the measurement as false does.
    model = catalog.models["llama-3.1-70b" if gpus == 4 else "llama-3.1-8b"]
    gpu = catalog.gpus["h100-sxm"]
    config = ServingConfig(gpus=gpus, input_tokens=128, output_tokens=2048)
    false = predict(model, gpu, config, catalog.measurements)
    auto = predict(model, gpu, replace(config, disaggregated=None), catalog.measurements)
    assert false.basis == "measurement" and not auto.disaggregated
    assert auto == false


# --- A disaggregated replica under a TTFT target: a closed loop, one request at a time included ---------------------

DISAGGREGATED_8B = ServingConfig(gpus=2, input_tokens=8192, output_tokens=16, engine="vllm", disaggregated=True)


def test_a_ttft_target_one_request_meets_is_not_refused_on_a_disaggregated_replica(catalog):
    # One request at a time on 1 + 1 H100 has a TTFT of about 310 ms (nothing ahead of its prompt); the refusal said
    # 4,649.7 ms, the TTFT of a prefill side kept near full by the whole maximum load.
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    alone = predict_model(model, gpu, replace(DISAGGREGATED_8B, concurrency=1))
    assert alone.ttft_ms < 400
    r = predict_model(model, gpu, replace(DISAGGREGATED_8B, ttft_ms=2000))
    assert r.runnable, r.reason
    assert r.ttft_ms <= 2000 and r.limited_by == "latency target (ttft)"
    assert r.output_tokens_per_s >= alone.output_tokens_per_s
    # A target one request misses is refused with one request's TTFT
    refused = predict_model(model, gpu, replace(DISAGGREGATED_8B, ttft_ms=200))
    assert not refused.runnable and f"one request at a time ({alone.ttft_ms:.1f} ms)" in refused.reason


@pytest.mark.parametrize("ttft_ms", [500.0, 1000.0, 2000.0])
def test_the_point_a_disaggregated_ttft_target_allows_is_the_closed_loop_of_its_concurrency(catalog, ttft_ms):
    # The answer is a loop of C requests: the same as asking for that concurrency, so by Little's law C = X x the
    # time a request spends in the replica (its mean TTFT and 15 decode steps; the mean TTFT, not reported, lies
    # between the median and the p90 of these right-skewed waits).
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    r = predict_model(model, gpu, replace(DISAGGREGATED_8B, ttft_ms=ttft_ms))
    fixed = predict_model(model, gpu, replace(DISAGGREGATED_8B, concurrency=r.concurrency))
    assert r.ttft_ms <= ttft_ms and fixed.ttft_ms == r.ttft_ms
    assert r.output_tokens_per_s == fixed.output_tokens_per_s
    decode_s = 15 * r.tpot_ms / 1e3
    assert r.requests_per_s * (r.ttft_ms / 1e3 + decode_s) <= r.concurrency <= r.requests_per_s * (r.ttft_p90_ms / 1e3 + decode_s)
    # and one more request would miss the target
    assert predict_model(model, gpu, replace(DISAGGREGATED_8B, concurrency=r.concurrency + 1)).ttft_ms > ttft_ms


def test_a_measurement_answers_for_its_own_replica_only_and_replicas_multiply_it(catalog):
    """A measurement describes one replica of tp x pp GPUs. Llama-3.1-8B FP8 on one H100 at 1,000 / 1,000 tokens is
    measured (TensorRT-LLM tables, trtllm-v0.17:M0022 and trtllm-v1.0:M0763, averaged). Left open, 8 GPUs are 8
    replicas of TP1 (the fastest split, `tensor_parallel_options`), so they serve 8 x the measured figure; before, the
    lookup read the 8-GPU question as TP8 and scaled the 8 x TP1 model by nothing (basis "model")."""
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    one = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp8")
    single = predict(model, gpu, one, catalog.measurements)
    measured = [m.output_tokens_per_s for m in catalog.measurements
                if m.id in ("trtllm-v0.17:M0022", "trtllm-v1.0:M0763")]
    assert single.basis == "measurement" and single.output_tokens_per_s == pytest.approx(sum(measured) / 2)
    eight = predict(model, gpu, replace(one, gpus=8), catalog.measurements)
    assert eight.basis == "measurement" and eight.parallelism == "8 x TP1" and eight.data_parallel_replicas == 8
    assert eight.output_tokens_per_s == pytest.approx(8 * single.output_tokens_per_s)
    assert eight.output_tokens_per_s_per_gpu == pytest.approx(single.output_tokens_per_s_per_gpu)
    assert eight.tpot_ms == pytest.approx(single.tpot_ms) and eight.concurrency == 8 * single.concurrency
    # a TP8 group asked for is answered as TP8: never with the TP1 measurement
    tp8 = predict(model, gpu, replace(one, gpus=8, tp=8), catalog.measurements)
    assert tp8.parallelism == "TP8" and not set(tp8.measurement_ids or ()) & {"trtllm-v0.17:M0022", "trtllm-v1.0:M0763"}
    # calibration, too, scales each replica by its own deployment's measurements
    calibrated = predict(model, gpu, replace(one, gpus=8), catalog.measurements, calibrate=True)
    assert calibrated.output_tokens_per_s == pytest.approx(8 * predict(model, gpu, one, catalog.measurements, calibrate=True).output_tokens_per_s)


def test_a_replica_beyond_a_million_gpus_is_refused_and_one_of_a_million_is_answered(catalog):
    """Left open, every group that divides the GPUs is tried (`tensor_parallel_options`), so a 31-digit GPU count hung
    the search; a replica names at most MAX_GPUS (1,000,000, several times the largest clusters built). A million
    H100 serving Llama-3.1-8B run as a million TP1 replicas: a million times one GPU's figure."""
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    base = ServingConfig(gpus=1, input_tokens=100, output_tokens=100)
    refused = predict_model(model, gpu, replace(base, gpus=10**30))
    assert not refused.runnable and refused.reason == "gpus must be at most 1,000,000 in one replica (got 31 digits)"
    one, million = predict_model(model, gpu, base), predict_model(model, gpu, replace(base, gpus=10**6))
    assert million.parallelism == "1000000 x TP1"
    assert million.output_tokens_per_s == pytest.approx(10**6 * one.output_tokens_per_s)


# --- A replica of several data-parallel groups, measurements at hand -------------------------------------------------

@pytest.mark.parametrize("concurrency", [1, 3, 9])
def test_requests_that_do_not_share_out_evenly_over_the_groups_are_served_as_asked(catalog, concurrency):
    """Llama-3.1-8B FP8 on 8 H100 at 1,000 / 1,000 tokens is a measured deployment (8 x TP1), so `predict` answers each
    group it could run as replicas. C requests in flight on 8 groups: C mod 8 groups hold one more than the others (a
    router balances them) and the rest idle, so the replica holds exactly C. Before, each group took max(C // 8, 1):
    one request was answered as 8 in flight at about 8 x the throughput (as 3 and 9 were)."""
    model, gpu = catalog.models["llama-3.1-8b"], catalog.gpus["h100-sxm"]
    config = ServingConfig(gpus=8, input_tokens=1000, output_tokens=1000, concurrency=concurrency)
    answer = predict(model, gpu, config, catalog.measurements)
    assert answer.concurrency == concurrency
    # Little's law: C requests, each in the replica for TTFT + 999 TPOTs, complete at C / that time
    life_s = answer.ttft_ms / 1e3 + 999 * answer.tpot_ms / 1e3
    assert answer.requests_per_s == pytest.approx(concurrency / life_s, rel=0.02)
    # no measurement is at a fixed concurrency of this deployment, so the model answers: as without them
    assert answer.output_tokens_per_s == pytest.approx(predict_model(model, gpu, config).output_tokens_per_s)


def test_twice_the_gpus_of_an_moe_model_serve_twice_as_much_with_the_split_the_model_found(catalog):
    """DeepSeek-V3 FP8 on H200, 8,000 / 500 tokens, a p99 TTFT of 1 s: on 8 GPUs the fastest split is attention
    tensor-parallel with experts EP8. 16 GPUs can run that twice (2 x TP8), so they serve twice as much. Before, the
    measurement lookup asked each group again with only its tp given, which for an MLA model means attention
    data-parallel (what a `TPn` benchmark header says, `offered_splits`): 2 x DP8 served 1,455.5 tokens/s, less than
    the 1,487.8 of 8 GPUs and half the model's own 2,975.5."""
    model, gpu = catalog.models["deepseek-v3"], catalog.gpus["h200"]
    eight = ServingConfig(gpus=8, input_tokens=8000, output_tokens=500, ttft_ms=1000, percentile="p99")
    sixteen = replace(eight, gpus=16)
    on_eight = predict(model, gpu, eight, catalog.measurements)
    on_sixteen = predict(model, gpu, sixteen, catalog.measurements)
    assert on_eight.parallelism == "TP8 attention, experts EP8"
    assert on_sixteen.parallelism == "2 x TP8 attention, experts EP8"
    assert on_sixteen.output_tokens_per_s == pytest.approx(2 * on_eight.output_tokens_per_s)
    assert on_sixteen.output_tokens_per_s == pytest.approx(predict_model(model, gpu, sixteen).output_tokens_per_s)


# --- A latency target on a measured deployment -----------------------------------------------------------------------

SCOUT = ServingConfig(gpus=1, input_tokens=1000, output_tokens=1000, precision="fp4", engine="trtllm")
"""Llama-4-Scout FP4 on one GB200 with TensorRT-LLM: published at maximum throughput below the model's figure."""


def test_a_latency_target_never_raises_a_measured_deployments_throughput(catalog):
    """The published run (TensorRT-LLM's table, maximum throughput) serves 7,738 tokens/s where the model says 12,879:
    the measurement answers without a target. A target the replica meets at that point anyway (TTFT 10 s) must not
    answer more: before, any target left the model alone, 12,879 tokens/s, so a looser question got a larger figure
    and a scenario with a latency target fewer GPUs than one without. Now the model under the target is scaled by
    the deployment's measured / model ratio s (basis `calibrated`), a TPOT target asked of the model as target x s."""
    model, gpu = catalog.models["llama-4-scout"], catalog.gpus["gb200"]
    free = predict(model, gpu, SCOUT, catalog.measurements)
    assert free.basis == "measurement"
    scale = free.output_tokens_per_s / predict_model(model, gpu, SCOUT).output_tokens_per_s  # about 7,738 / 12,879
    assert scale < 1
    loose = predict(model, gpu, replace(SCOUT, ttft_ms=10_000), catalog.measurements)
    assert loose.basis == "calibrated" and loose.calibration_scale == pytest.approx(scale)
    assert loose.output_tokens_per_s == pytest.approx(free.output_tokens_per_s)  # the target does not bind
    previous = loose.output_tokens_per_s
    for tpot_ms in (200.0, 100.0, 50.0, 20.0):  # tighter and tighter: never more
        tight = predict(model, gpu, replace(SCOUT, tpot_ms=tpot_ms), catalog.measurements)
        asked = predict_model(model, gpu, replace(SCOUT, tpot_ms=tpot_ms * scale))  # the model at target x s
        assert tight.output_tokens_per_s == pytest.approx(asked.output_tokens_per_s * scale)
        assert tight.tpot_ms <= tpot_ms * (1 + 1e-9)  # the scaled TPOT (the model's / s) meets the target
        assert tight.output_tokens_per_s <= previous * (1 + 1e-9)
        previous = tight.output_tokens_per_s
