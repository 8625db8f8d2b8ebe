"""The answer for one replica: check the configuration, choose the split, size memory, find the
concurrency, and let measurements override the model where they apply."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Sequence

from tco.engine.throughput.calibrate import calibrate as calibrate_to
from tco.engine.throughput.config import (ENGINE_EXPLOITS_SLIDING_WINDOW, ENGINE_MAX_BATCH, ENGINES, MAX_TOKENS_PER_STEP, RUNTIMES,
                                          STEP_TOKEN_BUDGET, ServingConfig, ThroughputResult, default_kv_precision, not_runnable)
from tco.engine.throughput.deployment import Deployment, build_deployment
from tco.engine.throughput.fitted import FITTED, FittedConstants
from tco.engine.throughput.gpu import precision_problem
from tco.engine.throughput.lookup import apply_measurements
from tco.engine.throughput.memory import (RUNTIME_RESERVE_BYTES, activation_buffer_bytes, kv_bytes_per_token_per_gpu, kv_cache_budget_bytes,
                                          kv_cache_bytes_per_token, memory_bytes_of, weights_bytes_per_gpu)
from tco.engine.throughput.parallel import Split, candidate_splits, fastest_split
from tco.engine.throughput.step import Point, evaluate
from tco.model.hardware import GpuType, OpenModel, ThroughputMeasurement


def predict(model: OpenModel, gpu: GpuType, config: ServingConfig,
            measurements: Sequence[ThroughputMeasurement] = (), constants: FittedConstants = FITTED,
            calibrate: bool = False) -> ThroughputResult:
    """Throughput, latency and what limits them, for one replica of `config.gpus` GPUs.

    A matching measurement (same model, GPU, precision, GPU count and split, offline maximum
    throughput) overrides the model; neighbours at other request lengths are interpolated
    (see `tco.engine.throughput.lookup`). Pass no measurements to get the model alone. With
    `calibrate`, every measurement of the deployment (any lengths, any concurrency) scales the model
    (see `tco.engine.throughput.calibrate`).
    """
    modelled = predict_model(model, gpu, config, constants)
    if not modelled.runnable or not measurements:
        return modelled
    if calibrate:
        return calibrate_to(modelled, model, gpu, config, measurements, partial(predict_model, constants=constants))
    return apply_measurements(modelled, model, gpu, config, measurements, partial(predict_model, constants=constants))


def predict_model(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants = FITTED) -> ThroughputResult:
    """The physical model only (measurements ignored): what `tco bench accuracy` evaluates."""
    precision = config.precision
    kv_precision = config.kv_precision or default_kv_precision(precision)
    config = replace(config, kv_precision=kv_precision)
    problem = config_problem(model, gpu, config)
    if problem:
        return not_runnable(problem, config)
    tp = config.tp or max(config.gpus // config.pp, 1)
    splits = candidate_splits(model, config, tp)
    if len(splits) == 1:
        return predict_split(model, gpu, config, tp, splits[0], constants)
    # Several ways to split: the one with the best offline throughput, chosen once, whatever the
    # concurrency and latency targets (so that neither can switch the split and break the rule
    # that a tighter target never raises throughput, nor more concurrency lowers latency).
    offline = replace(config, concurrency=None, ttft_ms=None, tpot_ms=None)

    def offline_tokens_per_s(split: Split) -> float | None:
        r = predict_split(model, gpu, offline, tp, split, constants)
        return r.output_tokens_per_s if r.runnable else None

    return predict_split(model, gpu, config, tp, fastest_split(splits, offline_tokens_per_s), constants)


def predict_split(model: OpenModel, gpu: GpuType, config: ServingConfig, tp: int, split: Split,
                  constants: FittedConstants = FITTED) -> ThroughputResult:
    """The model for one way of splitting the GPUs: memory first (does it fit, how many sequences),
    then the concurrency to report (`choose_concurrency`)."""
    precision, kv_precision, pp = config.precision, config.kv_precision, config.pp
    dp = config.gpus // (tp * pp)
    config = replace(config, tp=tp)
    exploit = ENGINE_EXPLOITS_SLIDING_WINDOW.get(config.engine, False)
    seq_tokens = config.input_tokens + config.output_tokens
    kv_whole = kv_cache_bytes_per_token(model, kv_precision, seq_tokens, exploit)
    weights_per_gpu = weights_bytes_per_gpu(model, precision, tp, pp, split.attention_dp)
    memory_bytes = memory_bytes_of(gpu)
    attn_tp = tp // split.attention_dp
    activation_bytes = activation_buffer_bytes(model, attn_tp)
    kv_budget = kv_cache_budget_bytes(memory_bytes, weights_per_gpu, activation_bytes)
    if kv_budget <= 0:
        need = (weights_per_gpu + RUNTIME_RESERVE_BYTES + activation_bytes) / 1e9
        return not_runnable(
            f"weights need {weights_per_gpu / 1e9:.1f} GB per GPU ({need:.1f} GB with runtime buffers); "
            f"the {gpu.name} has {gpu.memory_gb:g} GB"
            + (f" ({memory_bytes / 1e9:.1f} x 10^9 bytes)" if memory_bytes != gpu.memory_gb * 1e9 else "")
            + " - use more GPUs or a smaller precision", config, weights_per_gpu / 1e9, kv_whole)
    kv_per_gpu_per_token = kv_bytes_per_token_per_gpu(model, kv_whole, tp, pp, split.attention_dp)
    max_fits = int(kv_budget // (kv_per_gpu_per_token * seq_tokens)) if kv_per_gpu_per_token > 0 else 10**6
    if max_fits < 1:
        return not_runnable(
            f"one sequence of {seq_tokens:,} tokens needs {kv_per_gpu_per_token * seq_tokens * split.attention_dp / 1e9:.1f} GB of KV cache per GPU; "
            f"only {kv_budget / 1e9:.1f} GB are left after the weights", config, weights_per_gpu / 1e9, kv_whole)
    d = build_deployment(model, gpu, config, tp, pp, dp, split, precision, kv_precision, constants)
    if isinstance(d, str):
        return not_runnable(d, config, weights_per_gpu / 1e9, kv_whole)
    engine_cap = ENGINE_MAX_BATCH.get(config.engine, 1024) * split.attention_dp
    if STEP_TOKEN_BUDGET:
        # A step carries at most MAX_TOKENS_PER_STEP tokens (per attention group, per pipeline
        # microbatch): B decode tokens plus, in steady state, B x input/output prompt tokens.
        engine_cap = min(engine_cap, max(1, int(MAX_TOKENS_PER_STEP * split.attention_dp * pp
                                                 / (1.0 + config.input_tokens / config.output_tokens))))
    ceiling = min(max_fits, engine_cap)
    point, limited_by = choose_concurrency(d, config, ceiling, max_fits, engine_cap)
    if point is None:
        first = evaluate(d, 1)
        what = "ttft" if config.ttft_ms is not None and first.ttft_s * 1e3 > config.ttft_ms else "tpot"
        got = first.ttft_s if what == "ttft" else first.tpot_s
        target = config.ttft_ms if what == "ttft" else config.tpot_ms
        return not_runnable(f"the {what.upper()} target of {target:g} ms is not met even with one request at a time "
                            f"({got * 1e3:.1f} ms)", config, weights_per_gpu / 1e9, kv_whole)
    out = point.output_tokens_per_s
    return ThroughputResult(
        runnable=True, reason=None, output_tokens_per_s=out, output_tokens_per_s_per_gpu=out / config.gpus,
        requests_per_s=out / config.output_tokens, ttft_ms=point.ttft_s * 1e3, tpot_ms=point.tpot_s * 1e3,
        concurrency=point.concurrency * dp, max_concurrency_fits=max_fits * dp, limited_by=limited_by, basis="model",
        weights_gb_per_gpu=weights_per_gpu / 1e9, kv_cache_bytes_per_token=kv_whole, kv_cache_gb_per_gpu=kv_budget / 1e9,
        tp=tp, pp=pp, data_parallel_replicas=dp, precision=precision, kv_precision=kv_precision, engine=config.engine,
        runtime=config.runtime, parallelism=split.describe(tp) + (f" x PP{pp}" if pp > 1 else ""))


def choose_concurrency(d: Deployment, config: ServingConfig, ceiling: int, max_fits: int, engine_cap: int) -> tuple[Point | None, str]:
    """The concurrency to report: the one asked for, or the largest that meets the targets.

    Why the largest: every term of the step time is a constant plus a part that grows at most
    linearly with the batch (and the host time is linear too), so output per second never falls
    as concurrency rises, while TTFT and TPOT never fall either. The best point under latency
    targets is therefore the largest concurrency that meets them (found by bisection), and a
    tighter target can only lower it.
    """
    def meets(p: Point) -> str | None:
        if config.ttft_ms is not None and p.ttft_s * 1e3 > config.ttft_ms:
            return "latency target (ttft)"
        if config.tpot_ms is not None and p.tpot_s * 1e3 > config.tpot_ms:
            return "latency target (tpot)"
        return None

    def regime(p: Point) -> str:
        if p.host_s > p.gpu_s:
            return "host overhead"
        return "memory bandwidth" if p.memory_s >= p.compute_s else "compute"

    dp = max(d.dp, 1)
    if config.concurrency is not None:
        per_replica = max(config.concurrency // dp, 1)
        top = min(per_replica, max_fits)
    else:
        top = ceiling
    p = evaluate(d, top)
    failed = meets(p)
    if failed is None:
        if config.concurrency is not None:
            return p, ("kv cache capacity" if per_replica > max_fits else regime(p))
        return p, ("kv cache capacity" if top >= max_fits and max_fits < engine_cap else regime(p))
    lo, hi = 0, top  # lo meets the targets (0 = none found yet), hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(evaluate(d, mid)) is None:
            lo = mid
        else:
            hi = mid
    return (evaluate(d, lo) if lo else None), failed


def config_problem(model: OpenModel, gpu: GpuType, config: ServingConfig) -> str | None:
    """Why the configuration cannot be evaluated (unknown values, splits that do not divide), or None."""
    if config.engine not in ENGINES:
        return f"unknown engine `{config.engine}` (choose one of {', '.join(ENGINES)})"
    if config.runtime not in RUNTIMES:
        return f"unknown runtime `{config.runtime}` (choose one of {', '.join(RUNTIMES)})"
    for name in ("gpus", "input_tokens", "output_tokens", "pp"):
        if getattr(config, name) < 1:
            return f"{name} must be at least 1 (got {getattr(config, name)})"
    problem = precision_problem(gpu, config.precision) or precision_problem(gpu, config.kv_precision or "bf16", "KV cache")
    if problem:
        return problem
    tp = config.tp or max(config.gpus // config.pp, 1)
    if tp < 1 or config.gpus % (tp * config.pp):
        return f"tp x pp = {tp} x {config.pp} does not divide the {config.gpus} GPUs"
    if config.pp > model.num_layers:
        return f"pp {config.pp} is more than the model's {model.num_layers} layers"
    if config.ep is not None:
        if model.arch_type != "moe":
            return f"ep (expert parallelism) needs a mixture-of-experts model; {model.id} is dense"
        if config.ep < 1 or config.ep > (model.num_routed_experts or 1) or (tp % config.ep):
            return (f"ep {config.ep} must divide the tensor-parallel group of {tp} GPUs (tp) and be at most the "
                    f"{model.num_routed_experts} experts")
    if config.attention_dp and model.arch_type != "moe":
        return f"attention_dp (attention data parallelism with expert parallelism) needs a mixture-of-experts model; {model.id} is dense"
    for name in ("ttft_ms", "tpot_ms"):
        value = getattr(config, name)
        if value is not None and not value > 0:
            return f"{name} must be a positive number of milliseconds (got {value})"
    if config.concurrency is not None and config.concurrency < 1:
        return f"concurrency must be at least 1 (got {config.concurrency})"
    if model.context_length_tokens and config.input_tokens + config.output_tokens > model.context_length_tokens:
        return (f"{config.input_tokens + config.output_tokens:,} tokens per request exceed {model.id}'s context of "
                f"{model.context_length_tokens:,} tokens")
    return None
