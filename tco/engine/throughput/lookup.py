"""Published measurements override the model where they apply.

Exact match (same model, GPU, precision, KV precision, engine, GPU count and split, engine limits, request
lengths, load: offline maximum throughput, or the query's fixed concurrency, there with the same stated request
latency; see measured_load)
-> the measured figure, basis "measurement". Same deployment at other request lengths -> the model scaled by the measured/model ratios of those neighbours,
interpolated in log(input) x log(output) by inverse distance, basis "interpolation": the model
gives the shape between points, the measurements its level.

Why the model comes in as an argument (`predictor`): the lookup needs the model's figure at the
neighbours' lengths, and the model calls the lookup; passing the predictor in (with whatever
fitted constants the caller chose) keeps the two modules from importing each other.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable, Sequence

from tco.engine.throughput.measured_load import same_load, same_request_latency
from tco.engine.throughput.config import ServingConfig, ThroughputResult, default_kv_precision, not_runnable
from tco.model.hardware import GpuType, OpenModel, ThroughputMeasurement

Predictor = Callable[[OpenModel, GpuType, ServingConfig], ThroughputResult]
"""The model alone for one configuration: `predict_model` (with the caller's fitted constants)."""


class MeasurementIndex(tuple):
    """Measurements grouped once by (model, GPU), the pair `same_deployment` and `same_deployment_any_load` compare
    first; still the tuple of all of them, in their order, for any caller that iterates.

    Why: each query scanned every measurement several times (a 1,000-row `tco throughput --batch`: 2.2 M comparisons,
    most of its time), though only the query's own model and GPU can match. A tuple cannot change after the grouping,
    so the groups stay true."""

    def __new__(cls, measurements: Sequence[ThroughputMeasurement] = ()):
        index = super().__new__(cls, measurements)
        groups: dict[tuple[str, str], list[ThroughputMeasurement]] = {}
        for m in index:
            groups.setdefault((m.model, m.gpu), []).append(m)
        index.by_model_and_gpu = {pair: tuple(group) for pair, group in groups.items()}
        return index

    def of(self, model_id: str, gpu_id: str) -> tuple[ThroughputMeasurement, ...]:
        """The measurements of this model on this GPU, in their order."""
        return self.by_model_and_gpu.get((model_id, gpu_id), ())


def measurements_of(measurements: Sequence[ThroughputMeasurement], model_id: str, gpu_id: str) -> Sequence[ThroughputMeasurement]:
    """The measurements of this model on this GPU, in their order: the only ones a query of them can use. From the
    groups of a `MeasurementIndex`, else by one pass over a plain sequence."""
    if isinstance(measurements, MeasurementIndex):
        return measurements.of(model_id, gpu_id)
    return [m for m in measurements if m.model == model_id and m.gpu == gpu_id]


def same_deployment(m: ThroughputMeasurement, model_id: str, gpu_id: str, config: ServingConfig) -> bool:
    if m.model != model_id or m.gpu != gpu_id:  # most measurements: decided before anything is computed
        return False
    if m.disaggregated or m.spec_method != "none" or m.length_min_ratio is not None:
        # Only like for like: an aggregated replica without speculative decoding at fixed request
        # lengths, which is what a query describes (the InferenceX rows are for the model's accuracy).
        return False
    tp = config.tp or max(config.gpus // config.pp, 1)
    kv = config.kv_precision or default_kv_precision(config.precision)
    m_kv = m.kv_cache_precision or default_kv_precision(m.precision)
    return (m.model == model_id and m.gpu == gpu_id and m.precision == config.precision and m_kv == kv
            and m.engine == config.engine and m.num_gpus == config.gpus and m.tp == tp and m.pp == config.pp
            and m.max_batch == config.max_batch and m.step_tokens == config.step_tokens and same_load(m, config)
            and same_request_latency(m, config))


def _applies(config: ServingConfig) -> bool:
    """Whether a measurement can answer as published: none is under a latency target, with prefix caching, drafting or
    disaggregated (a target or the cache: the model scaled to the measured level, `_at_the_measured_level`); the load
    must match too (`same_load`)."""
    return (config.ttft_ms is None and config.tpot_ms is None and not config.prefix_hit_rate and config.spec_method == "none"
            and config.disaggregated is False)


def interpolate(model: OpenModel, gpu: GpuType, config: ServingConfig, measurements: Sequence[ThroughputMeasurement],
                predictor: Predictor) -> tuple[float, tuple[str, ...]] | None:
    """(output tokens/s, ids used) from neighbours of the same deployment, or None without neighbours.

    The neighbours' measured/model ratios, with the model given by `predictor`.
    """
    if not _applies(config):
        return None
    neighbours = [m for m in measurements if same_deployment(m, model.id, gpu.id, config)
                  and (m.input_tokens, m.output_tokens) != (config.input_tokens, config.output_tokens)]
    if not neighbours:
        return None

    def modelled(i: int, o: int) -> float | None:
        r = predictor(model, gpu, replace(config, input_tokens=i, output_tokens=o))
        return r.output_tokens_per_s if r.runnable else None

    target = modelled(config.input_tokens, config.output_tokens)
    if not target:
        return None
    weights, log_ratio = 0.0, 0.0
    x, y = math.log(config.input_tokens), math.log(config.output_tokens)
    for m in neighbours:
        base = modelled(m.input_tokens, m.output_tokens)
        if not base:
            continue
        distance = math.hypot(math.log(m.input_tokens) - x, math.log(m.output_tokens) - y)
        w = 1.0 / max(distance, 1e-6) ** 2
        weights += w
        log_ratio += w * math.log(m.output_tokens_per_s / base)
    if not weights:
        return None
    return target * math.exp(log_ratio / weights), tuple(sorted(m.id for m in neighbours))


def apply_measurements(modelled: ThroughputResult, model: OpenModel, gpu: GpuType, config: ServingConfig,
                       measurements: Sequence[ThroughputMeasurement], predictor: Predictor) -> ThroughputResult:
    """The model's result `modelled`, replaced by a matching measurement or scaled to interpolated neighbours."""
    if (not _applies(config) and modelled.runnable
            and _applies(replace(config, prefix_hit_rate=0.0, ttft_ms=None, tpot_ms=None))):
        return _at_the_measured_level(modelled, model, gpu, config, measurements, predictor)
    if not _applies(config):
        return modelled
    exact = [m for m in measurements if same_deployment(m, model.id, gpu.id, config)
             and (m.input_tokens, m.output_tokens) == (config.input_tokens, config.output_tokens)]
    if exact:
        value = sum(m.output_tokens_per_s for m in exact) / len(exact)
        return with_measured_latencies(replace(scaled(modelled, value, "measurement", tuple(sorted(m.id for m in exact))),
                                               model_output_tokens_per_s=modelled.output_tokens_per_s), exact)
    found = interpolate(model, gpu, config, measurements, predictor)
    if found is None:
        return modelled
    return replace(scaled(modelled, found[0], "interpolation", found[1]), model_output_tokens_per_s=modelled.output_tokens_per_s)


def _at_the_measured_level(modelled: ThroughputResult, model: OpenModel, gpu: GpuType, config: ServingConfig,
                           measurements: Sequence[ThroughputMeasurement], predictor: Predictor) -> ThroughputResult:
    """A measured deployment asked with prefix caching or a latency target: the model's answer scaled by the measured /
    model ratio s of the same deployment without them (basis "calibrated", s its `calibration_scale`), or the model's
    where nothing of the deployment is measured. The model gives what the cache or the target changes, the
    measurements the level. A TPOT target is asked of the model as target x s, so that the scaled TPOT (the model's
    / s) meets it; the TTFT is the model's, as for any measured figure (`scaled`).

    Why: the published runs are at maximum throughput without prefix caching, so either left the model alone, and
    where the measurement ran below the model a target raised the figure, where above it the cache lowered it:
    Mixtral-8x7B on 8 L40S at 1,000 / 1,000 tokens served 10,503 tokens/s measured and 14,541 under a p99 TTFT target
    the measured replica could not have beaten; Llama-3.1-8B on one H100 served 15,232 measured and 13,527 with half
    of each prompt cached, and a scenario that turned prefix caching on needed 43 GPUs instead of 38."""
    plain = replace(config, prefix_hit_rate=0.0, ttft_ms=None, tpot_ms=None)
    without = apply_measurements(predictor(model, gpu, plain), model, gpu, plain, measurements, predictor)
    if not without.runnable or without.basis == "model" or not without.model_output_tokens_per_s:
        return modelled
    scale = without.output_tokens_per_s / without.model_output_tokens_per_s
    asked = modelled
    if config.tpot_ms is not None:
        # the same split as `modelled`, its TPOT target moved by the scale
        asked = predictor(model, gpu, replace(config, tpot_ms=config.tpot_ms * scale, tp=modelled.tp,
                                              attention_dp=modelled.attention_dp, ep=modelled.ep))
        if not asked.runnable:
            return not_runnable(f"the {config.percentile} TPOT target of {config.tpot_ms:g} ms is not met at the deployment's "
                                f"measured level (the model x {scale:.3g}, {', '.join(without.measurement_ids)}): not even "
                                "with one request at a time", config, modelled.weights_gb_per_gpu, modelled.kv_cache_bytes_per_token)
    return replace(scaled(asked, asked.output_tokens_per_s * scale, "calibrated", without.measurement_ids),
                   model_output_tokens_per_s=asked.output_tokens_per_s, calibration_scale=scale)


def with_measured_latencies(r: ThroughputResult, exact: Sequence[ThroughputMeasurement]) -> ThroughputResult:
    """A measured answer with the latencies its runs measured at a fixed number of requests in flight (the query's
    load), where every run gives them: the median (else the mean) TTFT and TPOT, and the p90 / p99 they published; a
    percentile they did not publish stays the model's, held between the median and the published p99.

    Why: the answer said basis `measurement` and showed the model's TTFT beside the measured tokens/s: 91 ms where
    the user's own AIPerf run measured 2.3 s at the same load; a TTFT target read against it was met on paper."""
    if any(m.scenario != "fixed_concurrency" for m in exact):
        return r  # an offline run's TTFT is its queue of every request at once; a rate's load is not a query's

    def measured(*names: str) -> float | None:
        per_run = [next((getattr(m, n) for n in names if getattr(m, n) is not None), None) for m in exact]
        return None if any(v is None for v in per_run) else sum(per_run) / len(per_run)

    ttft, tpot = measured("ttft_p50_ms", "ttft_ms"), measured("tpot_p50_ms", "tpot_ms")
    if ttft is None and tpot is None:
        return r
    def between(value: float, low: float, high: float | None) -> float:
        return max(low, value if high is None else min(value, max(high, low)))

    ttft = ttft if ttft is not None else r.ttft_ms
    ttft_p99_measured = measured("ttft_p99_ms")
    ttft_p90 = between(measured("ttft_p90_ms") or r.ttft_p90_ms, ttft, ttft_p99_measured)
    ttft_p99 = max(ttft_p99_measured or r.ttft_p99_ms, ttft_p90)
    tpot = tpot if tpot is not None else r.tpot_ms
    tpot_p90 = between(measured("tpot_p90_ms") or r.tpot_p90_ms, tpot, measured("tpot_p99_ms"))
    return replace(r, ttft_ms=ttft, ttft_p90_ms=ttft_p90, ttft_p99_ms=ttft_p99, tpot_ms=tpot, tpot_p90_ms=tpot_p90)


def scaled(r: ThroughputResult, tokens_per_s: float, basis: str, ids: tuple[str, ...]) -> ThroughputResult:
    """The model's result with the throughput replaced; TPOT follows it, its percentiles with it (scaled alike, so
    the median stays under the p90), TTFT stays the model's."""
    factor = tokens_per_s / r.output_tokens_per_s
    return replace(r, output_tokens_per_s=tokens_per_s, output_tokens_per_s_per_gpu=r.output_tokens_per_s_per_gpu * factor,
                   requests_per_s=r.requests_per_s * factor, tpot_ms=r.tpot_ms / factor, tpot_p90_ms=r.tpot_p90_ms / factor,
                   basis=basis, measurement_ids=ids)
