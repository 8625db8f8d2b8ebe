"""The physical model scaled to a team's own measurements of a deployment (`--calibrate`).

Why: a benchmark run on rented hardware (imported with `tco measurements import`) measures the
level that this deployment reaches with this engine build; the model knows how that level moves
with request lengths and concurrency. So the answer at any operating point is the model's figure
there times the measured/model ratio of the deployment's measurements, each ratio weighted by
how close its point is (inverse squared distance in log input x log output x log concurrency).
A measurement at exactly the operating point is used as is.

Under a TPOT target the scale moves the TPOT too (`lookup.scaled`), so the point is chosen against the scaled
figures (`calibrate_within_targets`): a model point that met the target could miss it once scaled.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Sequence

from tco.engine.throughput.config import ServingConfig, ThroughputResult, default_kv_precision, not_runnable
from tco.engine.throughput.lookup import Predictor, scaled
from tco.engine.throughput.measured_load import FIXED_CONCURRENCY, OFFLINE, same_load
from tco.model.hardware import GpuType, OpenModel, ThroughputMeasurement


def same_deployment_any_load(m: ThroughputMeasurement, model_id: str, gpu_id: str, config: ServingConfig) -> bool:
    """Same model, GPU, precisions, engine, GPU count, split, layout (aggregated or disaggregated, and then the prefill
    pool) and speculative decoding; any lengths, any load but a fixed request rate. Why the layout and the drafting: a
    disaggregated or drafting replica runs other steps than the one measured, so its measured/model ratio says
    nothing of this one (an MTP row's ratio scaled a replica without MTP before)."""
    if m.model != model_id or m.gpu != gpu_id or m.scenario not in (OFFLINE, FIXED_CONCURRENCY):
        return False
    if bool(m.disaggregated) != bool(config.disaggregated) or m.spec_method != config.spec_method:
        return False
    if m.disaggregated and config.prefill_gpus is not None and m.prefill.gpus != config.prefill_gpus:
        return False
    tp = config.tp or max(config.gpus // config.pp, 1)
    kv = config.kv_precision or default_kv_precision(config.precision)
    m_kv = m.kv_cache_precision or default_kv_precision(m.precision)
    return (m.precision == config.precision and m_kv == kv and m.engine == config.engine
            and m.num_gpus == config.gpus and m.tp == tp and m.pp == config.pp)


def _point(input_tokens: float, output_tokens: float, concurrency: float) -> tuple[float, float, float]:
    return math.log(input_tokens), math.log(output_tokens), math.log(max(concurrency, 1))


def calibrate(modelled: ThroughputResult, model: OpenModel, gpu: GpuType, config: ServingConfig,
              measurements: Sequence[ThroughputMeasurement], predictor: Predictor) -> ThroughputResult:
    """`modelled` scaled to the deployment's measurements (basis "calibrated"), or replaced by one
    taken at exactly this operating point (basis "measurement"); unchanged when there is none."""
    same = [m for m in measurements if same_deployment_any_load(m, model.id, gpu.id, config)]
    if not same or not modelled.runnable:
        return modelled
    exact = [m for m in same if (m.input_tokens, m.output_tokens) == (config.input_tokens, config.output_tokens)
             and same_load(m, config) and m.max_batch == config.max_batch and m.step_tokens == config.step_tokens and config.ttft_ms is None and config.tpot_ms is None]
    if exact:
        value = sum(m.output_tokens_per_s for m in exact) / len(exact)
        return replace(scaled(modelled, value, "measurement", tuple(sorted(m.id for m in exact))),
                       model_output_tokens_per_s=modelled.output_tokens_per_s)
    target = _point(config.input_tokens, config.output_tokens, modelled.concurrency)
    weights = log_ratio = 0.0
    used = []
    for m in same:
        # the model at the measurement's own operating point, engine limit included
        at = replace(config, input_tokens=m.input_tokens, output_tokens=m.output_tokens, ttft_ms=None, tpot_ms=None,
                     concurrency=m.concurrency if m.scenario == FIXED_CONCURRENCY else None, max_batch=m.max_batch,
                     step_tokens=m.step_tokens)
        base = predictor(model, gpu, at)
        if not base.runnable or base.output_tokens_per_s <= 0:
            continue
        distance = math.dist(target, _point(m.input_tokens, m.output_tokens, m.concurrency or base.concurrency))
        w = 1.0 / max(distance, 1e-6) ** 2
        weights += w
        log_ratio += w * math.log(m.output_tokens_per_s / base.output_tokens_per_s)
        used.append(m.id)
    if not weights:
        return modelled
    scale = math.exp(log_ratio / weights)
    return replace(scaled(modelled, modelled.output_tokens_per_s * scale, "calibrated", tuple(sorted(used))),
                   model_output_tokens_per_s=modelled.output_tokens_per_s, calibration_scale=scale)


def calibrate_within_targets(modelled: ThroughputResult, model: OpenModel, gpu: GpuType, config: ServingConfig,
                             measurements: Sequence[ThroughputMeasurement], predictor: Predictor) -> ThroughputResult:
    """`calibrate`, with the concurrency chosen so that the scaled TPOT meets `config.tpot_ms` (at its percentile).

    Why: the reported TPOT is the model's divided by the scale s, so the model must meet target x s. The scale
    depends on the point chosen (its concurrency), so target x s is asked again until the point's own scale is at
    least the one asked with (then scaled TPOT <= target x s_asked / s_point <= target). Without such a point in a
    few rounds, the answer says the target is not met rather than report it as met."""
    result = calibrate(modelled, model, gpu, config, measurements, predictor)
    if config.tpot_ms is None or result.calibration_scale is None:
        return result
    met = result if result.calibration_scale >= 1.0 else None  # the model met the target itself (scale asked: 1)
    asked = 1.0
    for _ in range(8):
        scale = result.calibration_scale
        if scale is None or abs(scale / asked - 1.0) < 1e-9:
            break
        asked = scale
        tighter = predictor(model, gpu, replace(config, tpot_ms=config.tpot_ms * asked))
        if not tighter.runnable:
            break
        result = calibrate(tighter, model, gpu, config, measurements, predictor)
        if result.calibration_scale is None or result.calibration_scale >= asked * (1.0 - 1e-9):
            if met is None or result.output_tokens_per_s > met.output_tokens_per_s:
                met = result
    if met is not None:
        return met
    return not_runnable(f"the {config.percentile} TPOT target of {config.tpot_ms:g} ms is not met once the model is scaled to the "
                        f"deployment's measurements (x{scale:.3g} throughput): not even with one request at a time", config,
                        modelled.weights_gb_per_gpu, modelled.kv_cache_bytes_per_token)
