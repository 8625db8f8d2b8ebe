"""The answer for one replica: check the configuration, choose the split, size memory, find the
concurrency, and let measurements override the model where they apply."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import Callable, Sequence, TypeVar

from tco.engine.throughput.calibrate import calibrate_within_targets as calibrate_to, same_deployment_any_load
from tco.engine.throughput.config import (DEFAULT_ACCEPTANCE_LENGTH, ENGINE_EXPLOITS_SLIDING_WINDOW, ENGINES, MAX_ACCEPTANCE_LENGTH,
                                          MAX_CONCURRENCY, MAX_DRAFT_TOKENS, MAX_GPUS,
                                          PERCENTILES, RUNTIMES, SPEC_METHODS, STEP_TOKEN_BUDGET, ServingConfig, ThroughputResult,
                                          default_kv_precision, draft_tokens_of, engine_step_budget, engine_step_tokens, not_runnable,
                                          running_limit, runtime_problem)
from tco.engine.throughput.deployment import Deployment, build_deployment
from tco.engine.throughput.fitted import FITTED, FittedConstants
from tco.engine.throughput.gpu import precision_problem, weight_only
from tco.engine.throughput.lookup import apply_measurements, measurements_of, same_deployment
from tco.engine.throughput.memory import (RUNTIME_RESERVE_BYTES, activation_buffer_bytes, kv_bytes_per_token_per_gpu, kv_cache_budget_bytes,
                                          kv_cache_bytes_per_token, memory_bytes_of, released_precision, weights_bytes_per_gpu)
from tco.engine.throughput.parallel import (Split, attention_tp_problem, candidate_splits, offered_splits,
                                            tensor_parallel_options)
from tco.engine.throughput.gpu import link_bytes_per_s
from tco.engine.throughput.step import Point, evaluate, prefill_seconds, step_seconds
from tco.model.hardware import GpuType, OpenModel, ThroughputMeasurement

State = TypeVar("State")


def predict(model: OpenModel, gpu: GpuType, config: ServingConfig,
            measurements: Sequence[ThroughputMeasurement] = (), constants: FittedConstants = FITTED,
            calibrate: bool = False) -> ThroughputResult:
    """Throughput, latency and what limits them, for one replica of `config.gpus` GPUs.

    A matching measurement (same model, GPU, precision, GPU count and split, offline maximum
    throughput) overrides the model; neighbours at other request lengths are interpolated
    (see `tco.engine.throughput.lookup`). Pass no measurements to get the model alone. With
    `calibrate`, every measurement of the deployment (any lengths, any concurrency) scales the model
    (see `tco.engine.throughput.calibrate`).

    `disaggregated` None (auto): the better of the answers to false and to true, each as asked alone, so an
    aggregated replica gets its measurements as with false (they describe aggregated replicas only).
    """
    if config.disaggregated is None and measurements:
        together = predict(model, gpu, replace(config, disaggregated=False, prefill_gpus=None), measurements, constants, calibrate)
        if config.gpus < 2:
            return together
        apart = predict(model, gpu, replace(config, disaggregated=True), measurements, constants, calibrate)
        return apart if better_of_two(apart, together) else together
    modelled = predict_model(model, gpu, config, constants)
    if not modelled.runnable or not measurements:
        return modelled
    # Only this model's measurements on this GPU can match (every lookup compares the pair first): found once here,
    # not by a scan of all of them for each group and lookup. `measurements` itself stays what decides the path above.
    ours = measurements_of(measurements, model.id, gpu.id)
    if modelled.disaggregated or not modelled.tp:
        return _measured(modelled, model, gpu, config, ours, constants, calibrate)
    # A measurement describes one replica of tp x pp GPUs. Left open, each tensor-parallel group the model could pick
    # (`tensor_parallel_options`) is answered as its replicas, each with its own measurements: a TP1 measurement of
    # one GPU answers for eight GPUs as 8 x TP1, never as if it were a TP8 one. A group answered from measurements is
    # preferred to one the model alone answers (the fastest of each kind): what was measured on these GPUs outranks
    # the model's guess about another split, and an imported benchmark answers the question it was run for.
    groups = [modelled.tp] if config.tp is not None else sorted(
        {tp for tp, _ in tensor_parallel_options(model, config, max(config.gpus // config.pp, 1))}, reverse=True)
    best, best_measured = None, None
    for tp in groups:
        replicas = config.gpus // (tp * config.pp)
        if config.concurrency is not None and config.concurrency % replicas:
            # The requests do not share out evenly (fewer than the replicas, or a remainder): the model spreads them,
            # some replicas fuller, some idle (`spread_over_replicas`), which no one replica's measurement describes.
            # Before, each replica took max(C // replicas, 1): one request on 8 x TP1 was answered as 8 in flight.
            if tp == modelled.tp and (best is None or modelled.output_tokens_per_s > best.output_tokens_per_s * (1 + 1e-12)):
                best = modelled
            continue
        one = replace(config, gpus=tp * config.pp, tp=tp,
                      concurrency=None if config.concurrency is None else config.concurrency // replicas)
        if tp == modelled.tp:
            # One group of the model's own answer, asked again as the same split: a tp given alone narrows an MoE
            # model's splits to what a `TPn` benchmark header means (`offered_splits`), so 2 x TP8 of DeepSeek-V3 was
            # answered as 2 x DP8 attention where the model had found 2 x TP8 attention twice as fast.
            base = modelled if replicas == 1 else predict_model(
                model, gpu, replace(one, attention_dp=modelled.attention_dp, ep=modelled.ep), constants)
        elif any(same_deployment(m, model.id, gpu.id, one) or same_deployment_any_load(m, model.id, gpu.id, one)
                 for m in ours):
            base = predict_model(model, gpu, one, constants)
        else:
            continue
        if not base.runnable:
            continue
        answer = as_replicas(_measured(base, model, gpu, one, ours, constants, calibrate), replicas)
        if answer.basis != "model":
            if best_measured is None or answer.output_tokens_per_s > best_measured.output_tokens_per_s * (1 + 1e-12):
                best_measured = answer
        elif best is None or answer.output_tokens_per_s > best.output_tokens_per_s * (1 + 1e-12):
            best = answer
    return best_measured or best or modelled


def _measured(modelled: ThroughputResult, model: OpenModel, gpu: GpuType, config: ServingConfig,
              measurements: Sequence[ThroughputMeasurement], constants: FittedConstants, calibrate: bool) -> ThroughputResult:
    """The model's answer for one replica, replaced by or scaled to the replica's measurements where they apply."""
    if calibrate:
        return calibrate_to(modelled, model, gpu, config, measurements, partial(predict_model, constants=constants))
    return apply_measurements(modelled, model, gpu, config, measurements, partial(predict_model, constants=constants))


def as_replicas(one: ThroughputResult, replicas: int) -> ThroughputResult:
    """`replicas` copies of the one-replica answer `one`, sharing the requests: the same latencies and per-GPU rate."""
    if replicas == 1 or not one.runnable:
        return one
    return replace(one, output_tokens_per_s=one.output_tokens_per_s * replicas, requests_per_s=one.requests_per_s * replicas,
                   concurrency=one.concurrency * replicas, max_concurrency_fits=one.max_concurrency_fits * replicas,
                   data_parallel_replicas=one.data_parallel_replicas * replicas,
                   model_output_tokens_per_s=(None if one.model_output_tokens_per_s is None
                                              else one.model_output_tokens_per_s * replicas),
                   parallelism=f"{replicas} x {one.parallelism}")


def predict_model(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants = FITTED) -> ThroughputResult:
    """The physical model only (measurements ignored): what `tco bench accuracy` evaluates.

    `disaggregated` None (auto): aggregated or disaggregated, whichever serves more output tokens/s
    at the targets (the same GPUs, so the cheaper per token). A given `request_latency_ms` is the deployment's own
    stack's, in place of the fitted one."""
    if config.request_latency_ms is not None:
        constants = replace(constants, request_latency_s=config.request_latency_ms / 1e3)
    result = _predict_model(model, gpu, config, constants)
    return replace(result, request_latency_ms=constants.request_latency_s * 1e3) if result.runnable else result


def _predict_model(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants) -> ThroughputResult:
    if config.disaggregated is None:
        together = predict_model(model, gpu, replace(config, disaggregated=False, prefill_gpus=None), constants)
        if config.gpus < 2:
            return together
        apart = predict_disaggregated(model, gpu, replace(config, disaggregated=True), constants)
        return apart if better_of_two(apart, together) else together
    if config.disaggregated:
        return predict_disaggregated(model, gpu, config, constants)
    return predict_aggregated(model, gpu, config, constants)


def better_of_two(apart: ThroughputResult, together: ThroughputResult) -> bool:
    """Whether auto takes the disaggregated answer: it runs and serves more than the aggregated one (the same GPUs)."""
    return apart.runnable and (not together.runnable or apart.output_tokens_per_s > together.output_tokens_per_s)


def predict_at_rate(model: OpenModel, gpu: GpuType, config: ServingConfig, requests_per_s: float,
                    constants: FittedConstants = FITTED) -> ThroughputResult:
    """The replica offered `requests_per_s` requests a second whatever it does (an open loop: a benchmark run at a
    fixed request rate, or traffic arriving at an hour's rate), the model only.

    Why through the closed loop: by Little's law the replica then holds on average N = rate x the time a request
    spends in it, and a closed loop of N requests completes them at that rate; the latencies are the closed loop's
    at the concurrency whose completions equal the rate (between two whole concurrencies, blended in proportion).
    At or above the replica's capacity each request waits behind all those before it and the queue grows for as
    long as the arrivals last: the replica serves its capacity, and the latencies reported (those of its largest
    batch) are a lower bound."""
    @cache  # the bisection and the blend ask for some concurrencies twice
    def at(concurrency: int | None) -> ThroughputResult:
        return predict_model(model, gpu, replace(config, concurrency=concurrency, ttft_ms=None, tpot_ms=None), constants)

    top = at(None)
    if not top.runnable or requests_per_s <= 0:
        return top if not top.runnable else not_runnable(f"the request rate must be positive (got {requests_per_s:g})", config)
    if requests_per_s >= top.requests_per_s:
        return replace(top, limited_by=f"offered load above capacity ({requests_per_s:g} requests/s offered, "
                                       f"{top.requests_per_s:.4g} served; the queue grows while it lasts)")
    lo, hi = 1, max(top.concurrency, 1)
    low = at(lo)
    if low.requests_per_s >= requests_per_s:
        # fewer than one request in flight on average: each is served alone
        high, weight = low, 0.0
    else:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if at(mid).requests_per_s < requests_per_s else (lo, mid)
        low, high = at(lo), at(hi)
        span = high.requests_per_s - low.requests_per_s
        weight = min(max((requests_per_s - low.requests_per_s) / span, 0.0), 1.0) if span > 0 else 1.0

    def mix(a: float, b: float) -> float:
        return a + (b - a) * weight

    out = requests_per_s * config.output_tokens
    return replace(high if weight >= 0.5 else low, output_tokens_per_s=out, output_tokens_per_s_per_gpu=out / config.gpus,
                   requests_per_s=requests_per_s, ttft_ms=mix(low.ttft_ms, high.ttft_ms),
                   ttft_p90_ms=mix(low.ttft_p90_ms, high.ttft_p90_ms), ttft_p99_ms=mix(low.ttft_p99_ms, high.ttft_p99_ms),
                   tpot_ms=mix(low.tpot_ms, high.tpot_ms), tpot_p90_ms=mix(low.tpot_p90_ms, high.tpot_p90_ms),
                   limited_by="offered load")


def _run_output(steady: ThroughputResult, config: ServingConfig, output_tokens_per_s: float) -> ThroughputResult:
    """A finite run's answer: its output over its whole duration, the rest (latencies, batch, limits) its steady state's."""
    return replace(steady, output_tokens_per_s=output_tokens_per_s, output_tokens_per_s_per_gpu=output_tokens_per_s / config.gpus,
                   requests_per_s=output_tokens_per_s / config.output_tokens)


def predict_offline_run(model: OpenModel, gpu: GpuType, config: ServingConfig, requests: int,
                        constants: FittedConstants = FITTED) -> ThroughputResult:
    """`requests` requests queued at once and served to the last (an offline benchmark: trtllm-bench, SGLang's
    bench_serving at an infinite rate), the model only: the output tokens of the whole run over its whole duration.

    Why not the steady state: the replica holds at most B of them at once (the steady state's batch: its memory, its
    running limit, or the prompts its step budget admits), so N requests of equal lengths go through in waves: N // B
    batches of B at the steady state's pace, then the N mod B left over as one smaller batch, which goes at a smaller
    batch's pace (every step still reads all the weights); N <= B is a single batch of N. A published offline figure
    is that average. Scored against the steady state, runs of few waves read as a model too fast and runs of many
    as a model too slow (the TensorRT-LLM tables run 1,000-30,000 requests, 0.3 to 150 of the model's batches).
    `tco bench accuracy --finite-runs` scores the offline rows so; not the default, because the constants refitted
    that way predicted the held-out DeepSeek family worse (docs/throughput.md, "A published offline run is a run of N
    requests"). Limit: lengths that vary smear the waves; the run is taken at its mean lengths, as the steady state is."""
    if requests < 1:
        return not_runnable(f"an offline run needs at least one request (got {requests})", config)
    offline = replace(config, concurrency=None, ttft_ms=None, tpot_ms=None)
    top = predict_model(model, gpu, offline, constants)
    if not top.runnable:
        return top

    def output_per_s(batch: int) -> float:
        # every request of the batch is in the engine's steps from the start: nothing outside them holds a slot
        return predict_model(model, gpu, replace(offline, concurrency=batch, queued_at_once=True), constants).output_tokens_per_s

    batch = max(top.concurrency, 1)
    if requests <= batch:
        out = output_per_s(requests)
    else:
        full_batches, left_over = divmod(requests, batch)
        seconds = full_batches * batch * config.output_tokens / top.output_tokens_per_s
        if left_over:
            seconds += left_over * config.output_tokens / output_per_s(left_over)
        out = requests * config.output_tokens / seconds
    return _run_output(top, config, out)


def predict_closed_loop_run(model: OpenModel, gpu: GpuType, config: ServingConfig, requests: int,
                            constants: FittedConstants = FITTED) -> ThroughputResult:
    """`requests` requests sent by `config.concurrency` clients, each sending its next one when its last completes (a
    closed-loop benchmark: vLLM's and SGLang's bench_serving at a --max-concurrency, InferenceX), the model only: the
    output tokens of the whole run over its whole duration; the latencies are the steady state's.

    Why not the steady state: such a run starts in a burst and ends in a drain. In between each of the C clients has one
    request in the replica (running, or waiting for a prefill or a slot): the steady state, X output tokens/s, a
    request's life L = C x output / X. The last one sent has all its life ahead and the C - 1 others are at evenly
    spread points of theirs, so the clients have spent (N - C) lives and half a life each of the others: the last
    request goes out at (N - (C + 1) / 2) x output / X, less what the first lives were shorter than L. Those C were sent
    together: each waited for the prompts ahead of it in the burst, half of the others' at the replica's full prefill
    rate (a prompt's time p there; the prefill side's, disaggregated), on top of a lone request's TTFT t1, where a
    steady request waits its TTFT: shorter where the steady queue is longer (a saturated prefill side), longer where
    the replica is not saturated. The run ends with the last request, its TTFT (the steady one: the queue ahead of it
    is) and then its decode steps, while the others drop out: about 1 + (C - 1) (1 - TTFT / L) / 2 sequences decode
    beside it on average (at most the B the replica runs), each step the decode-only step of that batch. So

        seconds = (N - (C + 1) / 2) x output / X + t1 + (C - 1) / 2 x p + (output - 1) x TPOT(that batch)

    One client (C = 1) gives N lives exactly; many, at N = 10 C, mostly 1-5 % under the steady state. Where the steady
    state is a queue for the prefill side the formula gives what such a run is, N prompts at the prefill rate and the
    last request's decode (without the burst it took half the clients' prompts twice). A run of at most C requests is
    all sent at once: an offline run of them (`predict_offline_run`). The burst is taken in full once the first C have
    completed before the last is sent (N >= 2 C), in proportion below that; and left out where the replica runs fewer
    than the C (a running limit: the first ones beyond it wait for a slot, as steady ones do)."""
    if requests < 1:
        return not_runnable(f"a closed-loop run needs at least one request (got {requests})", config)
    top = predict_model(model, gpu, config, constants)
    if not top.runnable or config.concurrency is None:
        return top
    clients = config.concurrency
    if requests <= clients:  # every request is sent at once
        return predict_offline_run(model, gpu, config, requests, constants)
    tail_s = _last_request_s(model, gpu, config, top, clients, constants)
    if tail_s is None:  # not met on any calibration row: fewer sequences of the same decode always fit
        return top
    first_wave_s = first_wave_ttft_s(model, gpu, config, top, clients, constants)
    burst_s = 0.0 if first_wave_s is None else min(1.0, (requests - clients) / clients) * (first_wave_s - top.ttft_ms / 1e3)
    seconds = (requests - (clients + 1) / 2.0) * config.output_tokens / top.output_tokens_per_s + burst_s + tail_s
    return _run_output(top, config, requests * config.output_tokens / seconds)


def first_wave_ttft_s(model: OpenModel, gpu: GpuType, config: ServingConfig, top: ThroughputResult, clients: int,
                      constants: FittedConstants = FITTED) -> float | None:
    """The mean TTFT of a closed loop's first C requests, all sent at once: a lone request's TTFT and half the others'
    prompts at the full prefill rate (an offline run of one-token requests: the replica's, or the prefill side's where
    disaggregated). None where the replica runs fewer than the C (the burst then waits for slots)."""
    if top.concurrency < clients:
        return None
    alone = predict_model(model, gpu, replace(config, concurrency=1), constants)
    side = prefill_side_config(config, gpu, top.prefill_gpus) if top.disaggregated else config
    prompts = predict_model(model, gpu, replace(side, concurrency=None, ttft_ms=None, tpot_ms=None, output_tokens=1), constants)
    if not alone.runnable or not prompts.runnable:
        return None
    return alone.ttft_ms / 1e3 + (clients - 1) / 2.0 / prompts.requests_per_s


def predict_rate_run(model: OpenModel, gpu: GpuType, config: ServingConfig, requests_per_s: float, requests: int,
                     constants: FittedConstants = FITTED) -> ThroughputResult:
    """`requests` requests sent at `requests_per_s` a second whatever the replica does (vLLM's and SGLang's
    bench_serving at a --request-rate), the model only: the output tokens of the whole run over its whole duration,
    from the first request sent to the last completed; the latencies are the steady state's (`predict_at_rate`).

    Why not the rate itself: below the replica's capacity the steady state serves exactly what is offered, but a
    run ends after its last request is sent: it still has all its life ahead, beside the others in flight dropping
    out. The last one goes out (N - 1) / rate after the first, so

        seconds = (N - 1) / rate + TTFT + (output - 1) x TPOT(the batch left beside it)

    (the batch as in `predict_closed_loop_run`, from the requests in flight at that rate): above the rate offered
    where a life is shorter than the interval between requests (one request alone), under it otherwise. SGLang's
    run of Llama-3.3-70B on 4 H200 at 8 requests/s (2,400 requests, about 510 tokens out): 13 s after its 300 s of
    arrivals (docs/throughput.md, "A run at a request rate ends in a drain"). At or above capacity the answer stays
    the replica's capacity (`predict_at_rate`): the queue's run, its prompts admitted long after they were sent, is
    not modelled. Limit: lengths that vary lengthen the end (the last to finish is a long one), taken at the mean."""
    if requests < 1:
        return not_runnable(f"a run at a request rate needs at least one request (got {requests})", config)
    steady = predict_at_rate(model, gpu, config, requests_per_s, constants)
    if not steady.runnable or steady.requests_per_s < requests_per_s:  # above capacity: its capacity, as offered
        return steady
    tail_s = _last_request_s(model, gpu, config, steady, max(steady.concurrency, 1), constants)
    if tail_s is None:  # not met on any run: fewer sequences of the same decode always fit
        return steady
    seconds = (requests - 1) / requests_per_s + tail_s
    return _run_output(steady, config, requests * config.output_tokens / seconds)


def _last_request_s(model: OpenModel, gpu: GpuType, config: ServingConfig, top: ThroughputResult, in_flight: int,
                    constants: FittedConstants) -> float | None:
    """The life of a run's last request, sent when `in_flight` requests are in the replica at the steady state `top`:
    its TTFT (the steady one: the queue ahead of it is) and (output - 1) decode steps beside about
    1 + (in_flight - 1) (1 - TTFT / L) / 2 others dropping out (L a request's life; at most the B the replica runs), each
    the decode-only step of that batch (the decode side's, disaggregated). None where that decode cannot run."""
    life_s = in_flight * config.output_tokens / top.output_tokens_per_s
    beside = 1 + (in_flight - 1) * max(1.0 - top.ttft_ms / 1e3 / life_s, 0.0) / 2.0
    batch = min(max(round(beside), 1), max(top.concurrency, 1))
    if top.disaggregated:
        drain_config = replace(decode_side_config(config, top.decode_gpus), concurrency=batch)
    else:
        drain_config = replace(config, concurrency=batch, decode_only=True, ttft_ms=None, tpot_ms=None)
    drain = predict_model(model, gpu, drain_config, constants)
    if not drain.runnable:
        return None
    return top.ttft_ms / 1e3 + (config.output_tokens - 1) * drain.tpot_ms / 1e3


def _predict_aggregated(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants) -> ThroughputResult:
    precision = config.precision
    kv_precision = config.kv_precision or default_kv_precision(precision, weight_only(gpu, precision))
    config = replace(config, kv_precision=kv_precision)
    problem = config_problem(model, gpu, config)
    if problem:
        return not_runnable(problem, config)
    options = tensor_parallel_options(model, config, max(config.gpus // config.pp, 1))
    if len(options) == 1:
        return predict_split(model, gpu, config, *options[0], constants)
    # Several ways to split: the fastest at the operating point asked (the concurrency and the latency
    # targets), as an operator would choose. Why this keeps the model's promises: per split, throughput
    # never falls as a target loosens or the concurrency rises, and latency never falls as the
    # concurrency rises; the best of several such curves (the largest throughput, at a fixed concurrency
    # the shortest step) keeps both properties.
    best: ThroughputResult | None = None
    for tp, split in options:
        r = predict_split(model, gpu, config, tp, split, constants)
        if best is None or (r.runnable and (not best.runnable or r.output_tokens_per_s > best.output_tokens_per_s * (1 + 1e-12))):
            best = r
    return best


def predict_aggregated(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants = FITTED) -> ThroughputResult:
    """One replica whose GPUs do both prefill and decode (in-flight batching with chunked prefill)."""
    result = _predict_aggregated(model, gpu, config, constants)
    whole = max(config.gpus // config.pp, 1)
    if not result.runnable and config.tp is None and result.tp and result.tp < whole:
        # the whole group could not split the heads, and the narrower one did not run either: say both
        problem = attention_tp_problem(model, whole)
        return replace(result, reason=f"{problem}; as {whole // result.tp} replicas of TP{result.tp}: {result.reason}")
    return result


def prefill_candidates(gpus: int, tp: int, worker_tp: int | None = None) -> list[int]:
    """Prefill GPU counts worth trying when none is given: whole workers of `tp` GPUs, up to 3/4 of the GPUs; with
    the prefill workers' size given (`worker_tp`), only whole numbers of them that leave a decode GPU."""
    size = worker_tp or tp
    quarters = {gpus // 4, gpus // 2, 3 * gpus // 4} - {0}
    if worker_tp:
        quarters = {q for q in quarters if q % worker_tp == 0}
    workers = {n for n in range(size, gpus, size) if n <= 0.75 * gpus} if size > 1 else set()
    found = sorted(quarters | workers)[:8]
    return found or ([worker_tp] if worker_tp and worker_tp < gpus else [])


def predict_disaggregated(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants = FITTED) -> ThroughputResult:
    """A replica of P prefill GPUs and D decode GPUs, the KV cache sent from one to the other.

    Why this shape (NVIDIA Dynamo, SGLang PD, llm-d): decode steps carry no prompts, so TPOT is the
    decode side's step alone; the prefill side runs full step-budget chunks at its best rate. The
    replica serves what the slower side allows. TTFT = the prefill step in progress and the step the
    prompt rides in with the prompts that arrived meanwhile (`batched_prefill`), the wait for the prefill
    workers near their capacity (M/D/c), the KV transfer over the interconnect, and the decode side's
    first step.
    """
    if config.gpus < 2:
        return not_runnable("a disaggregated replica needs at least 2 GPUs (one prefill, one decode)", config)
    for name in ("tp", "prefill_tp"):  # 0 is not None: each side would take it as chosen
        if getattr(config, name) is not None and getattr(config, name) < 1:
            return not_runnable(f"{name} must be at least 1 (got {getattr(config, name)})", config)
    choices = ([config.prefill_gpus] if config.prefill_gpus is not None
               else prefill_candidates(config.gpus, config.tp or 1, config.prefill_tp))
    if not choices:
        return not_runnable(f"prefill workers of {config.prefill_tp} GPUs (prefill_tp) leave no GPU of the {config.gpus} "
                            "for the decode side", config)
    best: ThroughputResult | None = None
    for p in choices:
        r = _best_prefill_workers(model, gpu, config, p, constants)
        if best is None or (r.runnable and (not best.runnable or r.output_tokens_per_s > best.output_tokens_per_s)):
            best = r
    return best


def prefill_worker_sizes(config: ServingConfig, prefill_gpus: int) -> list[int]:
    """Tensor-parallel sizes of the prefill workers worth trying: the given one (`prefill_tp`), else every size that
    divides them, the widest last. `tp` is the decode workers' (2026-12-07: it was also taken for the prefill side
    where it divided it, so restating the decode split the model chose could halve the answer).

    Why: the engines run the prefill side as several workers (SGLang PD, Dynamo: N prefill workers of TP t each), and
    on GPUs with a slow all-reduce (PCIe) one group of all the prefill GPUs prefills no faster than half of them."""
    if config.prefill_tp:
        return [config.prefill_tp]
    return [t for t in range(1, prefill_gpus + 1) if prefill_gpus % t == 0]


def _best_prefill_workers(model: OpenModel, gpu: GpuType, config: ServingConfig, prefill_gpus: int,
                          constants: FittedConstants) -> ThroughputResult:
    """The disaggregated replica at `prefill_gpus` prefill GPUs with the prefill workers' size that serves the most
    output tokens/s at the request's targets and load (ties: the lower TTFT at its percentile), as the decode side
    chooses its groups. None runs: why the widest (one worker of all the prefill GPUs, the choice before 2026-12-07)
    does not."""
    sizes = prefill_worker_sizes(config, prefill_gpus)
    if len(sizes) == 1:
        return _disaggregated_at(model, gpu, config, prefill_gpus, constants)
    each = [_disaggregated_at(model, gpu, replace(config, prefill_tp=t), prefill_gpus, constants) for t in sizes]
    runnable = [r for r in each if r.runnable]
    ttft = TTFT_FIELD.get(config.percentile, "ttft_ms")  # an unknown percentile: no size runs, `config_problem` says why
    return max(runnable, key=lambda r: (r.output_tokens_per_s, -getattr(r, ttft))) if runnable else each[-1]


def prefill_side_config(config: ServingConfig, gpu: GpuType, prefill_gpus: int) -> ServingConfig:
    """The prefill GPUs of a disaggregated replica as a replica of their own: no decode concurrency, no latency target,
    no drafting (the draft runs where the tokens are generated), workers of `prefill_tp` GPUs (`_best_prefill_workers`
    sets it when none is given; else the replica's TP where it divides them, else one worker of them all), and the KV
    cache in the precision the decode side receives it in."""
    prefill_tp = prefill_worker_sizes(config, prefill_gpus)[-1]  # the given size, else one worker of them all
    kv_precision = config.kv_precision or default_kv_precision(config.precision, weight_only(gpu, config.precision))
    return replace(config, gpus=prefill_gpus, tp=prefill_tp, ep=config.prefill_ep, attention_dp=config.prefill_attention_dp,
                   disaggregated=False, prefill_gpus=None, concurrency=None, ttft_ms=None, tpot_ms=None, spec_method="none",
                   kv_precision=kv_precision)


def decode_side_config(config: ServingConfig, decode_gpus: int) -> ServingConfig:
    """The decode GPUs of a disaggregated replica as a replica of their own: no prompts in its steps, no TTFT
    target of its own (the replica's TTFT adds the prefill side), the replica's TP where it divides them."""
    return replace(config, gpus=decode_gpus, disaggregated=False, decode_only=True, prefill_gpus=None,
                   ttft_ms=None, tp=config.tp if config.tp and decode_gpus % config.tp == 0 else None)


def _disaggregated_at(model: OpenModel, gpu: GpuType, config: ServingConfig, prefill_gpus: int,
                      constants: FittedConstants) -> ThroughputResult:
    decode_gpus = config.gpus - prefill_gpus
    if prefill_gpus < 1 or decode_gpus < 1:
        return not_runnable(f"prefill_gpus must be between 1 and {config.gpus - 1} (got {prefill_gpus})", config)
    dec_config = decode_side_config(config, decode_gpus)
    pre_config = prefill_side_config(config, gpu, prefill_gpus)
    prefill_tp, kv_precision = pre_config.tp, pre_config.kv_precision
    problem = config_problem(model, gpu, pre_config)
    if problem:
        return not_runnable(f"prefill side: {problem}", config)
    prefill = prefill_rate(model, gpu, pre_config, constants)
    if isinstance(prefill, str):
        return not_runnable(f"prefill side: {prefill}", config)
    rate_tokens_s, chunk_tokens = prefill.rate_tokens_s, prefill.chunk_tokens
    workers = prefill_gpus // (prefill_tp * config.pp)
    worker = f"TP{prefill_tp}" + (f" x PP{config.pp}" if config.pp > 1 else "")
    prefill_workers = worker if workers <= 1 else f"{workers} x {worker}"
    prompt = config.input_tokens * (1.0 - config.prefix_hit_rate)
    prefill_parallel_prompts = chunk_tokens / max(prompt, 1.0)
    capacity_requests_s = rate_tokens_s / prompt if prompt > 0 else math.inf
    kv_bytes = kv_cache_bytes_per_token(model, kv_precision, config.input_tokens,
                                        ENGINE_EXPLOITS_SLIDING_WINDOW.get(config.engine, False)) * config.input_tokens
    link = link_bytes_per_s(gpu, constants) * max(min(prefill_tp, dec_config.tp or decode_gpus), 1)
    transfer_s = kv_bytes / link + constants.kv_handoff_s

    # A request of a closed loop of C finds the prefill side as the other C - 1 keep it busy (the arrival theorem of
    # closed queueing networks): at one request in flight nothing is ahead of it.
    others_share = (config.concurrency - 1) / config.concurrency if config.concurrency else 1.0

    def at(c: ServingConfig) -> tuple[ThroughputResult, float, float, float, float, float]:
        """(decode side, requests/s, TTFT p50, p90, p99, mean TTFT in s): the percentiles are reported, the mean is
        what the closed loop's request count needs (Little's law holds for means)."""
        dec = predict_model(model, gpu, c, constants)
        if not dec.runnable:
            return dec, math.inf, math.inf, math.inf, math.inf, math.inf
        requests_s = min(dec.requests_per_s, capacity_requests_s)
        seen_s = requests_s * others_share
        rho = min(seen_s / capacity_requests_s, 0.99) if capacity_requests_s < math.inf else 0.0
        # The prefill side works on `servers` prompts at once (a step-budget chunk on each worker): an
        # M/D/c queue, Allen-Cunneen's approximation of its mean wait (rho capped at 0.99: a closed loop
        # never lets the queue grow without bound).
        servers = max(prefill_parallel_prompts, 1.0)
        service = servers * prompt / rate_tokens_s if rate_tokens_s else 0.0
        wait = rho ** (math.sqrt(2.0 * (servers + 1.0)) - 1.0) / (servers * (1.0 - rho)) * service / 2.0 if rho > 0 else 0.0
        # A closed loop bounds that queue: a request that waits finds the prefill side busy with one of the other
        # C - 1 prompts, so at most C - 2 more are ahead of it (at the prefill side's capacity, `ahead_s`), where
        # the M/D/c queue's arrivals (independent, unbounded) would let its tail grow without that bound.
        ahead_s = max(config.concurrency - 2, 0) * prompt / rate_tokens_s if config.concurrency and rate_tokens_s else math.inf
        if rho > 0 and wait > 0 and ahead_s < math.inf:
            wait_capped = wait * -math.expm1(-ahead_s * rho / wait)  # the mean of min(W, ahead_s), W as `tail` reads it
        else:
            wait_capped = wait
        # The prompt's own prefill: the step in progress, then the step it rides in with the prompts that came
        # meanwhile (continuous batching on the prefill side; `batched_prefill`).
        step_s, busy = batched_prefill(prefill, prompt, seen_s)

        def base(q: float) -> float:
            return residual_quantile(busy, q) * step_s + step_s + transfer_s

        # M/D/c waits are near exponential: P(W > t) ~ rho exp(-t rho / mean wait); the q-quantile wait (none
        # below q = 1 - rho: that share of requests finds a free prefill slot).
        def tail(q: float) -> float:
            return min(wait * max(math.log(rho / (1.0 - q)), 0.0) / rho, ahead_s) if rho > 0 else 0.0
        mean = busy * step_s / 2.0 + step_s + transfer_s + wait_capped + dec.ttft_ms / 1e3
        return (dec, requests_s, base(0.5) + tail(0.5) + dec.ttft_ms / 1e3, base(0.9) + tail(0.9) + dec.ttft_p90_ms / 1e3,
                base(0.99) + tail(0.99) + dec.ttft_p99_ms / 1e3, mean)

    dec, requests_s, ttft50, ttft90, ttft99, _ = at(dec_config)
    if not dec.runnable:
        return not_runnable(f"decode side: {dec.reason}", config)
    if config.concurrency is not None:
        # A closed loop of C requests: those not yet decoding wait for or sit in the prefill side, so the
        # decode side holds c = C - X x TTFT of them (Little's law, X its completions per second). The
        # fixed point by bisection on c: more decoding means more completions, a busier prefill side and
        # a longer TTFT. The decode side holds no more than its memory holds and the prefill side feeds
        # (`decode_batch_limit`; beyond the latter, Little's law on the decode side, c = X x decode time,
        # empties the batch down again).
        def excess(c: int) -> tuple[float, tuple]:
            state = at(replace(dec_config, concurrency=c))
            return c + state[1] * (state[5] - state[0].tpot_ms / 1e3) - config.concurrency, state

        fed, memory_limit = decode_batch_limit(model, gpu, dec_config, constants, capacity_requests_s, config.concurrency)
        saturated = fed < config.concurrency
        state, gap = closed_loop_batch(excess, fed, blend_states, lambda s: s[0].runnable)
        if not state[0].runnable:
            return not_runnable(f"decode side: {state[0].reason}", config)
        dec, requests_s, ttft50, ttft90, ttft99, _ = state
        dec = replace(dec, concurrency=config.concurrency)
        if gap > 0:
            # Fewer than one request decoding on average (long TTFTs, short outputs): each request decodes alone, in
            # the decode side's time for one (decode_s), and spends the rest of its cycle outside the batch (its mean
            # TTFT but the first token's step), so the loop completes C / (decode_s + outside_s) a second, within the
            # prefill side's capacity. (The capacity caps that rate, not the decode side's pace at one request: capped
            # first, a loop of one request with a 9,746-token prompt and 16 output tokens on 1 + 1 H100 completed 0.36
            # requests a second where its own TTFT and decode allow 0.51.)
            decode_s = 1.0 / dec.requests_per_s
            outside_s = state[5] - dec.tpot_ms / 1e3
            loop_rate = config.concurrency / (decode_s + outside_s)
            requests_s = min(loop_rate, capacity_requests_s)
            dec = replace(dec, requests_per_s=loop_rate)
        if saturated and gap < 0 and requests_s > 0:
            # The decode side is full (its memory, or all the prefill side feeds): the -gap requests neither
            # decoding nor being prefilled queue, and by Little's law wait -gap / X more before their first token.
            queued_s = -gap / requests_s
            ttft50, ttft90, ttft99 = ttft50 + queued_s, ttft90 + queued_s, ttft99 + queued_s
            if memory_limit:
                dec = replace(dec, limited_by=memory_limit)
    if config.concurrency is None and dec.requests_per_s > capacity_requests_s and dec.concurrency > 1:
        # Prefill-bound: decode only as many sequences as the prefill side feeds (same throughput,
        # lower TPOT), the largest concurrency whose demand the prefill side still meets.
        lo, hi = 1, dec.concurrency
        while hi - lo > 1:
            mid = (lo + hi) // 2
            r = predict_model(model, gpu, replace(dec_config, concurrency=mid), constants)
            lo, hi = (mid, hi) if r.runnable and r.requests_per_s <= capacity_requests_s else (lo, mid)
        dec_config = replace(dec_config, concurrency=hi)
        dec, requests_s, ttft50, ttft90, ttft99, _ = at(dec_config)
    if config.ttft_ms is not None and config.concurrency is None and at(dec_config)[_TTFT_AT[config.percentile]] > config.ttft_ms / 1e3:
        # The TTFT target bounds the load too (a busier prefill side waits longer): the largest closed loop that meets
        # it. Why a loop of C requests and not the decode batch alone: at the maximum each request finds the prefill
        # side as busy as the whole load keeps it, while the load a smaller batch brings is that of its own loop, in
        # which the requests waiting or being prefilled number X x TTFT (Little's law): one request at a time is a loop
        # of one, with nothing ahead of its prompt.
        return _largest_loop_meeting_ttft(model, gpu, config, prefill_gpus, constants)
    if (config.ttft_ms is not None and config.concurrency is not None
            and (ttft50, ttft90, ttft99)[_TTFT_AT[config.percentile] - 2] > config.ttft_ms / 1e3):
        # A fixed loop whose TTFT misses the target: the largest loop up to it that meets it, as an aggregated replica
        # answers (the target was met on paper and missed in the answer before)
        return _largest_loop_meeting_ttft(model, gpu, config, prefill_gpus, constants, most=config.concurrency)
    out = requests_s * config.output_tokens
    limited = "prefill capacity" if requests_s < dec.requests_per_s else dec.limited_by
    return replace(dec, output_tokens_per_s=out, output_tokens_per_s_per_gpu=out / config.gpus, requests_per_s=requests_s,
                   ttft_ms=ttft50 * 1e3, ttft_p90_ms=ttft90 * 1e3, ttft_p99_ms=ttft99 * 1e3, limited_by=limited,
                   disaggregated=True, prefill_gpus=prefill_gpus, decode_gpus=decode_gpus,
                   parallelism=f"prefill {prefill_gpus} GPUs ({prefill_workers}), decode {decode_gpus} GPUs ({dec.parallelism})")


_TTFT_AT = {"p50": 2, "p90": 3, "p99": 4}
"""Where `_disaggregated_at`'s states hold the TTFT at each percentile."""
TTFT_FIELD = {"p50": "ttft_ms", "p90": "ttft_p90_ms", "p99": "ttft_p99_ms"}
"""The ThroughputResult field that holds the TTFT at each percentile."""


def _largest_loop_meeting_ttft(model: OpenModel, gpu: GpuType, config: ServingConfig, prefill_gpus: int,
                               constants: FittedConstants, most: int = 2**24) -> ThroughputResult:
    """The disaggregated replica at the largest closed loop of C <= `most` requests whose TTFT (at `config.percentile`)
    meets `config.ttft_ms`, C doubled then bisected (the TTFT rises with C: a busier prefill side, then a queue); or
    why not even one request at a time."""
    field = TTFT_FIELD[config.percentile]

    @cache
    def loop(requests: int) -> ThroughputResult:
        return _disaggregated_at(model, gpu, replace(config, concurrency=requests, ttft_ms=None), prefill_gpus, constants)

    def meets(requests: int) -> bool:
        r = loop(requests)
        return r.runnable and getattr(r, field) <= config.ttft_ms

    if not meets(1):
        alone = loop(1)
        if not alone.runnable:
            return alone
        return not_runnable(f"the {config.percentile} TTFT target of {config.ttft_ms:g} ms is not met even with one request at a "
                            f"time ({getattr(alone, field):.1f} ms)", config)
    lo, hi = 1, min(2, most + 1)
    while hi <= most and meets(hi):  # a saturated loop queues: its TTFT grows without bound, so this ends
        lo, hi = hi, min(hi * 2, most + 1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if meets(mid) else (lo, mid)
    return replace(loop(lo), limited_by="latency target (ttft)")


def closed_loop_batch(excess: Callable[[float], tuple[float, State]], most: float, blend: Callable[[State, State, float], State],
                      blendable: Callable[[State], bool] = lambda state: True) -> tuple[State, float]:
    """The decode batch a closed loop of C requests keeps, and the state there: (state, gap).

    Why: a request of the loop is in the decode batch, or not yet (overheads, queues, a prefill elsewhere); by
    Little's law C = b + X(b) x T(b), X the completions per second at b in the batch and T the time a request spends
    outside it (`excess(b)` returns that sum minus C, and the state). Whole batches by bisection, at most `most` (what memory holds, what the prefill side feeds);
    between two whole batches the loop spends part of the time at each (requests finish and start one by one), so
    the two states are blended in proportion. gap < 0: even `most` decoding leaves -gap requests queueing for a slot;
    gap > 0: even one decoding overshoots (the loop decodes fewer than one on average). `most` may be fractional (the
    time average the step budget sustains): the last interval is then from its whole part to it."""
    lo, hi = 1, max(most, 1)
    gap, state = excess(hi)
    if gap <= 0:
        return state, gap
    while math.ceil(hi) - lo > 1:
        mid = (lo + math.ceil(hi)) // 2  # a whole batch below hi
        lo, hi = (mid, hi) if excess(mid)[0] <= 0 else (lo, mid)
    gap, state = excess(lo)
    if gap <= 0 and hi > lo:
        gap_above, above = excess(hi)
        if gap_above > 0 and blendable(state) and blendable(above):
            return blend(state, above, -gap / (gap_above - gap)), 0.0
    return state, gap


def blend_states(low: tuple, high: tuple, weight: float) -> tuple:
    """(decode result, requests/s, TTFT p50, p90, p99, mean TTFT) a `weight` of the way from `low` to `high`."""
    def mix(a: float, b: float) -> float:
        return a + (b - a) * weight

    dec_low, dec_high = low[0], high[0]
    dec = replace(dec_low, requests_per_s=mix(dec_low.requests_per_s, dec_high.requests_per_s),
                  tpot_ms=mix(dec_low.tpot_ms, dec_high.tpot_ms), tpot_p90_ms=mix(dec_low.tpot_p90_ms, dec_high.tpot_p90_ms))
    return (dec, *(mix(a, b) for a, b in zip(low[1:], high[1:])))


def decode_batch_limit(model: OpenModel, gpu: GpuType, dec_config: ServingConfig, constants: FittedConstants,
                       capacity_requests_s: float, most: int) -> tuple[int, str | None]:
    """The largest decode batch (at most `most`) the decode side can keep: no more than its memory holds (beyond
    that, requests wait for a decode slot; counting them as decoding would break the loop's request count), and
    no more than the prefill side feeds (the largest batch whose completions it still meets, by bisection:
    completions rise with the batch). (batch, the decode side's `limited_by` when its memory sets the batch, else
    None.)"""
    top = predict_model(model, gpu, replace(dec_config, concurrency=most), constants)
    if not top.runnable:
        return most, None
    held = min(most, top.concurrency)
    if top.requests_per_s <= capacity_requests_s or held <= 1:
        return held, (top.limited_by if held < most else None)
    lo, hi = 1, held
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = predict_model(model, gpu, replace(dec_config, concurrency=mid), constants)
        lo, hi = (mid, hi) if r.runnable and r.requests_per_s <= capacity_requests_s else (lo, mid)
    return hi, None


@dataclass(frozen=True)
class PrefillSide:
    """The prefill workers of a disaggregated replica at their best split."""

    rate_tokens_s: float
    """Prompt tokens per second of all prefill GPUs running full step-budget chunks (their capacity)."""
    single_prompt_s: float
    """Seconds to prefill one prompt alone."""
    chunk_tokens: float
    """Prompt tokens in flight at once over all workers (one step-budget chunk each)."""
    deployment: Deployment
    """One prefill worker (`deployment.dp` of them), for the step time of a batch of prompts."""


def prefill_rate(model: OpenModel, gpu: GpuType, config: ServingConfig, constants: FittedConstants) -> PrefillSide | str:
    """The prefill GPUs at their best split (the one with the most prompt tokens per second), or why not."""
    tp = config.tp or config.gpus
    dp = config.gpus // (tp * config.pp)
    best: PrefillSide | None = None
    closest: tuple[float, float, int] | None = None  # (weights, buffers, attention DP) of the split closest to fitting
    for split in candidate_splits(model, config, tp):
        weights = weights_bytes_per_gpu(model, config.precision, tp, config.pp, split.attention_dp)
        step_tokens = engine_step_tokens(config.engine, gpu.name, memory_bytes_of(gpu), split.attention_dp, config.step_tokens)
        activation_bytes = activation_buffer_bytes(model, tp // split.attention_dp, step_tokens)
        if kv_cache_budget_bytes(memory_bytes_of(gpu), weights, activation_bytes) <= 0:
            if closest is None or weights + activation_bytes < closest[0] + closest[1]:
                closest = (weights, activation_bytes, split.attention_dp)
            continue
        d = build_deployment(model, gpu, config, tp, config.pp, dp, split, config.precision, config.kv_precision, constants)
        if isinstance(d, str):
            return d
        chunk = float(d.step_tokens * split.attention_dp)
        rate = chunk / step_seconds(d, 0.0, chunk)[0] * dp
        prompt = max(d.prefill_tokens_per_request, 1.0)
        single = prefill_seconds(d, 0.0, prompt)
        if best is None or rate > best.rate_tokens_s:
            best = PrefillSide(rate, single, chunk * dp, d)
    if best is None:  # candidate_splits gives at least one split, so a refused one was seen
        return weights_do_not_fit(gpu, *closest[:2], _released(model, config.precision, tp, config.pp, closest[2]))
    return best


def batched_prefill(side: PrefillSide, prompt_tokens: float, requests_s: float) -> tuple[float, float]:
    """(seconds of the prefill step a prompt rides in, share of time a prefill worker is busy) at `requests_s`.

    Why: a prefill worker batches continuously, like the aggregated engine's steps. A prompt that arrives
    while a step runs waits for that step to end, then is prefilled with every prompt that arrived during
    it: n = lambda x T prompts per step, T = step(n prompts), a fixed point (at most a step-budget chunk
    per step; beyond that the prompts queue, which the M/D/c wait covers). Below one prompt per step the
    worker runs single prompts and is busy lambda x T of the time. Prefilling a prompt alone, as before,
    holds only for an idle prefill side."""
    d = side.deployment
    workers = max(d.dp, 1)
    per_worker_s = requests_s / workers
    most = max(side.chunk_tokens / workers / max(prompt_tokens, 1.0), 1.0)
    step_s = side.single_prompt_s
    for _ in range(50):
        prompts = min(max(per_worker_s * step_s, 1.0), most)
        nxt = prefill_seconds(d, 0.0, prompts * prompt_tokens)
        if abs(nxt - step_s) <= 1e-9 * nxt:
            step_s = nxt
            break
        step_s = nxt
    return step_s, min(per_worker_s * step_s, 1.0)


def residual_quantile(busy: float, q: float) -> float:
    """The q-quantile of the wait for a step in progress, in steps: idle with probability 1 - busy (no wait),
    else uniform over the step (the aggregated engine's q x step when always busy)."""
    return max(0.0, (busy - (1.0 - q)) / busy) if busy > 0 else 0.0


def weights_do_not_fit(gpu: GpuType, weights_per_gpu: float, activation_bytes: float,
                       released: tuple[str, str, float] | None = None) -> str:
    """Why a split cannot run, in the sizes a user can act on: what one GPU must hold, and what it has; and, where the
    model is published in a smaller format than the one asked (`released`: model name, precision, weights per GPU at
    it), that format, since it is the one the model is served in (gpt-oss-120b: 118 GB at fp8, 69 GB as published)."""
    memory_bytes = memory_bytes_of(gpu)
    need = (weights_per_gpu + RUNTIME_RESERVE_BYTES + activation_bytes) / 1e9
    hint = (f" ({released[0]} as published is {released[1]}: {released[2] / 1e9:.1f} GB per GPU)"
            if released is not None and released[2] < weights_per_gpu else "")
    return (f"weights need {weights_per_gpu / 1e9:.1f} GB per GPU ({need:.1f} GB with runtime buffers); "
            f"the {gpu.name} has {gpu.memory_gb:g} GB"
            + (f" ({memory_bytes / 1e9:.1f} x 10^9 bytes)" if memory_bytes != gpu.memory_gb * 1e9 else "")
            + " - use more GPUs or a smaller precision" + hint)


def _released(model: OpenModel, precision: str, tp: int, pp: int, attention_dp: int) -> tuple[str, str, float] | None:
    """`weights_do_not_fit`'s `released`: the published format's weights on one GPU of the same split, where it is not
    the precision asked."""
    published = released_precision(model)
    if published is None or published == precision:
        return None
    return model.name, published, weights_bytes_per_gpu(model, published, tp, pp, attention_dp)


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
    if config.spec_method != "none":
        # The draft head (MTP module, EAGLE head): about one layer of the target, run again for each further drafted
        # token of the chain (SGLang and TensorRT-LLM reuse DeepSeek's one MTP module), so held once.
        weights_per_gpu *= 1.0 + 1.0 / model.num_layers
    memory_bytes = memory_bytes_of(gpu)
    attn_tp = tp // split.attention_dp
    step_tokens = engine_step_tokens(config.engine, gpu.name, memory_bytes, split.attention_dp, config.step_tokens)
    activation_bytes = activation_buffer_bytes(model, attn_tp, step_tokens)
    kv_budget = kv_cache_budget_bytes(memory_bytes, weights_per_gpu, activation_bytes)
    if kv_budget <= 0:
        return not_runnable(weights_do_not_fit(gpu, weights_per_gpu, activation_bytes,
                                               _released(model, precision, tp, pp, split.attention_dp)),
                            config, weights_per_gpu / 1e9, kv_whole)
    kv_per_gpu_per_token = kv_bytes_per_token_per_gpu(model, kv_whole, tp, pp, split.attention_dp)
    if config.prefix_hit_rate and config.prefix_shared:
        # A common prefix is cached once per attention group (each GPU holds its group's copy); each
        # sequence then holds only its own tokens. If the cache cannot hold the prefix with room for a
        # sequence, the hit rate is capped to what it can hold.
        own_tokens = config.input_tokens * (1.0 - config.prefix_hit_rate) + config.output_tokens
        prefix_bytes = config.input_tokens * config.prefix_hit_rate * kv_per_gpu_per_token * split.attention_dp
        room = kv_budget - kv_per_gpu_per_token * own_tokens
        if prefix_bytes > room > 0 and split.attention_dp > 1:
            # The largest hit rate whose copies leave room for one sequence: input x h x attention_dp + input x (1 - h)
            # + output tokens = what the budget holds, solved for h. (With one attention group the prefix is that
            # sequence's own, so it fits exactly when the sequence does, and a sequence that does not fit is refused below.)
            spare_tokens = kv_budget / kv_per_gpu_per_token - config.input_tokens - config.output_tokens
            if spare_tokens > 0:
                capped = min(config.prefix_hit_rate, spare_tokens / (config.input_tokens * (split.attention_dp - 1))) * (1 - 1e-9)
                return predict_split(model, gpu, replace(config, prefix_hit_rate=capped), tp, split, constants)
        max_fits = int((kv_budget - prefix_bytes) // (kv_per_gpu_per_token * own_tokens)) if kv_per_gpu_per_token > 0 else 10**6
    else:
        max_fits = int(kv_budget // (kv_per_gpu_per_token * seq_tokens)) if kv_per_gpu_per_token > 0 else 10**6
    if max_fits < 1:
        return not_runnable(
            f"one sequence of {seq_tokens:,} tokens needs {kv_per_gpu_per_token * seq_tokens * split.attention_dp / 1e9:.1f} GB of KV cache per GPU; "
            f"only {kv_budget / 1e9:.1f} GB are left after the weights", config, weights_per_gpu / 1e9, kv_whole)
    d = build_deployment(model, gpu, config, tp, pp, dp, split, precision, kv_precision, constants)
    if isinstance(d, str):
        return not_runnable(d, config, weights_per_gpu / 1e9, kv_whole)
    kv_tokens_per_group = kv_budget / kv_per_gpu_per_token / split.attention_dp if kv_per_gpu_per_token > 0 else None
    limit = running_limit(config, split.attention_dp, gpu.name, memory_bytes, kv_tokens_per_group, model.context_length_tokens)
    holds = min(max_fits, limit)  # the most a replica's steps hold at once
    engine_cap = limit  # the search for the best concurrency tries at most the limit
    budget_batch = None
    if STEP_TOKEN_BUDGET:
        # A step carries at most the engine's step budget (per attention group, per pipeline
        # microbatch): B decode tokens plus, in steady state, B x input/output prompt tokens. The B that fills it is a
        # time average, not a whole number: the engine fills every step with waiting prompts' chunks up to the budget.
        budget_batch = max(1.0, d.step_tokens * split.attention_dp * pp
                           / (d.tokens_per_decode_seq + d.prefill_tokens_per_request / d.steps_per_request))
        engine_cap = min(engine_cap, int(budget_batch))
    ceiling = min(max_fits, engine_cap)
    point, limited_by = choose_concurrency(d, config, ceiling, max_fits, engine_cap, holds, budget_batch)
    if point is None:
        first = evaluate(d, 1)
        missed = [(what, target, got) for what, target, got in (("ttft", config.ttft_ms, first.ttft_at(config.percentile)),
                                                                  ("tpot", config.tpot_ms, first.tpot_at(config.percentile)))
                  if target is not None and got * 1e3 > target]
        what, target, got = missed[0] if missed else ("latency", None, None)
        reason = (f"the {config.percentile} {what.upper()} target of {target:g} ms is not met even with one request at a time "
                  f"({got * 1e3:.1f} ms)") if missed else "no number of requests in flight meets the latency targets"
        return not_runnable(reason, config, weights_per_gpu / 1e9, kv_whole)
    out = point.output_tokens_per_s
    served = point.concurrency * dp if config.concurrency is None else min(point.concurrency * dp, config.concurrency, ceiling * dp)
    if config.decode_only and config.concurrency is not None and config.concurrency > served:
        # A decode side given more requests than it holds: the rest wait for a slot (Little's law: waiting
        # requests / completions per second). Elsewhere `loop_point` queues them.
        point = point.waiting_more((config.concurrency - served) / (out / config.output_tokens))
    return ThroughputResult(
        runnable=True, reason=None, output_tokens_per_s=out, output_tokens_per_s_per_gpu=out / config.gpus,
        requests_per_s=out / config.output_tokens, ttft_ms=point.ttft_s * 1e3, tpot_ms=point.tpot_s * 1e3,
        concurrency=served, max_concurrency_fits=max_fits * dp, limited_by=limited_by, basis="model",
        weights_gb_per_gpu=weights_per_gpu / 1e9, kv_cache_bytes_per_token=kv_whole, kv_cache_gb_per_gpu=kv_budget / 1e9,
        tp=tp, pp=pp, data_parallel_replicas=dp, precision=precision, kv_precision=kv_precision, engine=config.engine,
        runtime=config.runtime, parallelism=(f"{dp} x " if dp > 1 else "") + split.describe(tp) + (f" x PP{pp}" if pp > 1 else ""),
        ttft_p90_ms=point.ttft_p90_s * 1e3, ttft_p99_ms=point.ttft_p99_s * 1e3, tpot_p90_ms=point.tpot_p90_s * 1e3,
        prefix_hit_rate=config.prefix_hit_rate, spec_method=config.spec_method, acceptance_length=d.acceptance_length,
        draft_tokens=draft_tokens_of(config),
        attention_dp=split.attention_dp > 1, ep=split.ep, max_batch=limit,
        step_tokens=engine_step_budget(config.engine, gpu.name, memory_bytes, config.step_tokens))


def choose_concurrency(d: Deployment, config: ServingConfig, ceiling: int, max_fits: int, engine_cap: int,
                       holds: int, budget_batch: float | None = None) -> tuple[Point | None, str]:
    """The concurrency to report: the one asked for, or the largest that meets the targets. `holds`: the most
    sequences a replica's steps hold at a given concurrency (its memory, its engine's running limit); the rest wait.
    `budget_batch`: the sequences the step budget decodes at once on average (fractional; `engine_cap` its whole part).

    Why the largest: every term of the step time is a constant plus a part that grows at most
    linearly with the batch (and the host time is linear too), so output per second never falls
    as concurrency rises, while TTFT and TPOT never fall either. The best point under latency
    targets is therefore the largest concurrency that meets them (found by bisection), and a
    tighter target can only lower it.
    """
    def meets(p: Point) -> str | None:
        if config.ttft_ms is not None and p.ttft_at(config.percentile) * 1e3 > config.ttft_ms:
            return "latency target (ttft)"
        if config.tpot_ms is not None and p.tpot_at(config.percentile) * 1e3 > config.tpot_ms:
            return "latency target (tpot)"
        return None

    def regime(p: Point) -> str:
        if p.host_s > p.gpu_s:
            return "host overhead"
        return "memory bandwidth" if p.memory_s >= p.compute_s else "compute"

    dp = max(d.dp, 1)
    # Nor do the steps hold more than the step budget lets decode (`engine_cap`): beyond it the step has no room for
    # more prompts, so the rest wait for their prefill (docs/throughput.md, "One engine step"), as beyond memory or
    # the running limit they wait for a slot; a fixed concurrency never decodes more at once than the maximum does.
    # Where the budget binds, the steps decode its time average (fractional), full to the budget: a whole number below
    # it left them part empty, and output, TPOT and TTFT jumped each time a longer prompt took it down by one.
    slots = holds  # what memory and the running limit hold
    holds = min(holds, engine_cap)
    budget_binds = budget_batch is not None and budget_batch < slots
    most = budget_batch if budget_binds else holds  # the most decoding at once, on average
    if config.concurrency is not None:
        per_replica = max(config.concurrency // dp, 1)
        top = min(per_replica, holds)
    else:
        top = ceiling
    if config.concurrency is not None and not config.decode_only and not config.queued_at_once:
        # A closed loop of C requests (a decode side's batch is all decoding: its loop is closed in _disaggregated_at;
        # requests queued at once are all in the steps)
        p = spread_over_replicas(d, config.concurrency, partial(loop_point, most=most, budget_binds=budget_binds))
    else:
        p = replace(evaluate(d, min(per_replica, most) if config.concurrency is not None else most), concurrency=top)
        if config.concurrency is not None and config.concurrency % dp and config.concurrency // dp + 1 <= holds:
            p = spread_over_replicas(d, config.concurrency)
    failed = meets(p)
    if failed is None:
        if config.concurrency is not None:
            if per_replica > holds:
                if holds < slots:  # the step budget: its step is full, bound as the maximum's is
                    return p, regime(p)
                return p, ("kv cache capacity" if holds >= max_fits else "max batch")
            return p, regime(p)
        if top >= max_fits and max_fits < engine_cap:
            return p, "kv cache capacity"
        return p, ("max batch" if config.max_batch is not None and top >= config.max_batch else regime(p))
    # lo meets the targets (0 = none found yet), hi does not. The point that failed is `top` itself, except where more
    # requests were asked than the steps hold: that loop queued the rest, and `top` (all it holds) is still untried.
    lo, hi = 0, (top + 1 if config.concurrency is not None and per_replica > top else top)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(evaluate(d, mid)) is None:
            lo = mid
        else:
            hi = mid
    # the target that stops the search is the one the first concurrency above the answer misses (at `top` both may
    # miss, and the first checked was named: a TTFT target far from binding was blamed for the TPOT target's answer)
    binding = meets(evaluate(d, hi)) if hi <= top else None
    return (evaluate(d, lo) if lo else None), binding or failed


def loop_point(d: Deployment, requests: int, most: float, budget_binds: bool = False) -> Point:
    """The steady state of one replica in a closed loop of `requests`, at most `most` of them in its steps.

    Why not `evaluate(d, requests)`: that has every request in the engine's steps (its prefill step, then its
    decode steps), while each also spends `Point.waiting_s` before them (the client's and server's overheads, the
    step in progress). Where that is a good part of a request (short outputs, fast steps) fewer are in the steps, and
    a memory-bound step is no faster for it: the loop completes only C / (TTFT + (output - 1) x TPOT) a second
    (Little's law). A compute-bound step shortens with the batch, and the fixed point keeps that. Beyond `most` the
    rest wait for a slot (Little's law again); `concurrency` stays the batch the replica holds (its whole part). Where
    `most` is the step budget's (`budget_binds`), the rest wait for their prefill instead, and their prompts fill the
    held sequences' steps up to the budget (`evaluate`'s `queued`)."""
    def completions_s(p: Point) -> float:
        return p.output_tokens_per_s / max(d.dp, 1) / d.output_tokens

    def excess(b: int) -> tuple[float, Point]:
        p = evaluate(d, b)
        return b + completions_s(p) * p.waiting_s - requests, p

    holds = max(min(requests, most), 1)
    p, gap = closed_loop_batch(excess, holds, blend_points)
    if gap > 0:
        # fewer than one decoding on average: the replica decodes one sequence a share of the time
        p = replace(p, output_tokens_per_s=p.output_tokens_per_s * requests / (requests + gap))
    elif gap < 0:
        wait_s = -gap / completions_s(p)
        if budget_binds:
            # Waiting for the step budget, the -gap requests are the prompts queued and those being prefilled: their
            # wait (Little's law) is the time to the request's first-token step, its own prompt's earlier chunks
            # included, which its TTFT counts already. Only the rest is added (none while the queue is no longer).
            p = evaluate(d, holds, queued=-gap)
            wait_s = max(wait_s - p.prefill_over_step_s, 0.0)
        p = p.waiting_more(wait_s)
    return replace(p, concurrency=max(int(holds), 1))


def blend_points(low: Point, high: Point, weight: float) -> Point:
    """A steady state a `weight` of the way from `low` to `high` (a closed loop between two whole batches)."""
    names = ("output_tokens_per_s", "tpot_s", "ttft_s", "memory_s", "compute_s", "host_s", "gpu_s",
             "ttft_p90_s", "ttft_p99_s", "tpot_p90_s", "tpot_p99_s", "waiting_s", "prefill_over_step_s")
    return replace(low, **{n: getattr(low, n) + (getattr(high, n) - getattr(low, n)) * weight for n in names})


def spread_over_replicas(d: Deployment, concurrency: int, point_of: Callable[[Deployment, int], Point] = evaluate) -> Point:
    """`concurrency` requests over d.dp replicas when they do not divide evenly: r = C mod dp replicas hold one more
    than the others (a router balances them), and replicas without a request serve nothing.

    Why not C // dp on every replica: at small C it drops requests (3 over 2 workers served as 2, 3 over 4
    as 4); the measured InferenceX rows at 1-8 requests over several decode workers were under-predicted by
    that. Output adds up over the replicas; a latency is the mean over the requests (each replica's weighted by
    the requests it holds). `point_of`: one replica's steady state at n requests (`evaluate`; `loop_point` for a
    closed loop)."""
    dp = d.dp
    low, extra = divmod(concurrency, dp)
    if not extra:
        return point_of(d, low)
    high = point_of(d, low + 1)
    if low == 0:
        # only `extra` replicas are busy, one request each
        return replace(high, concurrency=1, output_tokens_per_s=high.output_tokens_per_s * extra / dp)
    base = point_of(d, low)
    w_low, w_high = low * (dp - extra), (low + 1) * extra  # requests on the evenly loaded and on the fuller replicas

    def mean(name: str) -> float:
        return (getattr(base, name) * w_low + getattr(high, name) * w_high) / (w_low + w_high)

    return replace(high, output_tokens_per_s=(base.output_tokens_per_s * (dp - extra) + high.output_tokens_per_s * extra) / dp,
                   **{name: mean(name) for name in ("tpot_s", "ttft_s", "ttft_p90_s", "ttft_p99_s", "tpot_p90_s", "tpot_p99_s")})


def config_problem(model: OpenModel, gpu: GpuType, config: ServingConfig) -> str | None:
    """Why the configuration cannot be evaluated (unknown values, splits that do not divide), or None."""
    if config.engine not in ENGINES:
        return f"unknown engine `{config.engine}` (choose one of {', '.join(ENGINES)})"
    if config.runtime not in RUNTIMES:
        return f"unknown runtime `{config.runtime}` (choose one of {', '.join(RUNTIMES)})"
    if runtime_problem(config.engine, config.runtime):
        return f"runtime {runtime_problem(config.engine, config.runtime)}"
    for name in ("gpus", "input_tokens", "output_tokens", "pp"):
        if getattr(config, name) < 1:
            return f"{name} must be at least 1 (got {getattr(config, name)})"
    if config.gpus > MAX_GPUS:
        got = str(config.gpus)
        return f"gpus must be at most {MAX_GPUS:,} in one replica (got {got if len(got) <= 24 else f'{len(got):,} digits'})"
    for name in ("tp", "prefill_tp"):  # None is chosen; 0 is not None (`config.tp or ...` would take it so)
        if getattr(config, name) is not None and getattr(config, name) < 1:
            return f"{name} must be at least 1 (got {getattr(config, name)})"
    problem = precision_problem(gpu, config.precision) or precision_problem(gpu, config.kv_precision or "bf16", "KV cache")
    if problem:
        return problem
    tp = config.tp or max(config.gpus // config.pp, 1)
    if tp < 1 or config.gpus % (tp * config.pp):
        return f"tp x pp = {tp} x {config.pp} does not divide the {config.gpus} GPUs"
    if config.pp > model.num_layers:
        return f"pp {config.pp} is more than the model's {model.num_layers} layers"
    if config.tp is not None:  # left open, a narrower group always divides the heads (`tensor_parallel_options`)
        heads_problems = [attention_tp_problem(model, tp // split.attention_dp) for split in offered_splits(model, config, tp)]
        if all(heads_problems):
            return heads_problems[0]
    # ep 1 is no expert parallelism, which is how a dense model runs anyway (an `ep` column filled for every row)
    if config.ep is not None and not (config.ep == 1 and model.arch_type != "moe"):
        if model.arch_type != "moe":
            return f"ep (expert parallelism) needs a mixture-of-experts model; {model.id} is dense (ep 1, none, is accepted)"
        if config.ep < 1 or config.ep > (model.num_routed_experts or 1) or (tp % config.ep):
            return (f"ep {config.ep} must divide the tensor-parallel group of {tp} GPUs (tp) and be at most the "
                    f"{model.num_routed_experts} experts")
    if config.attention_dp and model.arch_type != "moe":
        return f"attention_dp (attention data parallelism with expert parallelism) needs a mixture-of-experts model; {model.id} is dense"
    for name in ("ttft_ms", "tpot_ms"):
        value = getattr(config, name)
        if value is not None and not value > 0:
            return f"{name} must be a positive number of milliseconds (got {value})"
    if config.spec_method not in SPEC_METHODS:
        return f"unknown spec_method `{config.spec_method}` (choose one of {', '.join(SPEC_METHODS)})"
    if config.spec_method == "mtp" and not model.mtp_modules:
        return (f"spec_method mtp drafts with the model's own multi-token-prediction module, and the catalog records none "
                f"for {model.id} (DeepSeek-V3 / R1 ship one): use eagle or draft-model with an acceptance_length")
    if config.spec_method != "none":
        accepted = config.acceptance_length or DEFAULT_ACCEPTANCE_LENGTH.get(config.spec_method)
        if accepted is None:
            return f"spec_method {config.spec_method} has no sourced default acceptance_length: give one (mean tokens per step, > 1)"
        if config.draft_tokens is not None and not 1 <= config.draft_tokens <= MAX_DRAFT_TOKENS:
            return f"draft_tokens must be between 1 and {MAX_DRAFT_TOKENS} (got {config.draft_tokens})"
        if not 1.0 <= accepted <= MAX_ACCEPTANCE_LENGTH:  # before `draft_tokens_of`, which rounds it up (not a nan or inf)
            return f"acceptance_length must be between 1 and {MAX_ACCEPTANCE_LENGTH:g} tokens per step (got {accepted:g})"
        if not 1.0 <= accepted <= 1.0 + draft_tokens_of(config):
            return (f"acceptance_length must be between 1 and {1 + draft_tokens_of(config)}, 1 + the tokens drafted per step "
                    f"(got {accepted:g})")
    if config.percentile not in PERCENTILES:
        return f"unknown percentile `{config.percentile}` (choose one of {', '.join(PERCENTILES)})"
    if not 0.0 <= config.prefix_hit_rate < 1.0:
        return f"prefix_hit_rate must be at least 0 and below 1 (got {config.prefix_hit_rate})"
    if config.concurrency is not None and not 1 <= config.concurrency <= MAX_CONCURRENCY:
        got = str(config.concurrency)
        return f"concurrency must be between 1 and {MAX_CONCURRENCY:,} (got {got if len(got) <= 24 else f'{len(got):,} digits'})"
    if config.max_batch is not None and config.max_batch < 1:
        return f"max_batch must be at least 1 sequence (got {config.max_batch})"
    if config.step_tokens is not None and config.step_tokens < 1:
        return f"step_tokens must be at least 1 token (got {config.step_tokens})"
    if model.context_length_tokens and config.input_tokens + config.output_tokens > model.context_length_tokens:
        return (f"{config.input_tokens + config.output_tokens:,} tokens per request exceed {model.id}'s context of "
                f"{model.context_length_tokens:,} tokens")
    return None
