"""One engine step as a per-kernel roofline, and the steady state it gives at a concurrency.

Why a per-kernel roofline: time = bytes / bandwidth or FLOPs / peak, whichever is larger, summed
over the kernels of one step, is what the engines' profiles show; the fitted constants
(`Deployment.constants`) say how far from the peaks the kernels run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from tco.engine.throughput.collectives import (allreduce_s, busiest_gpu_experts, busiest_group_prefill_tokens, load_imbalance,
                                               moe_exchange_s)
from tco.engine.throughput.config import FUSED_ALLREDUCE_MAX_TOKENS
from tco.engine.throughput.deployment import Deployment
from tco.engine.throughput.memory import moe_dispatch_bytes_per_routed_copy


def expected_experts_touched(experts: int, experts_per_token: int, tokens: float) -> float:
    """Distinct experts a batch of `tokens` routes to in one layer: E x (1 - (1 - k/E)^tokens)."""
    if experts <= 0:
        return 0.0
    return experts * (1.0 - (1.0 - experts_per_token / experts) ** max(tokens, 0.0))


def shape_efficiency(width: float, half_width: float) -> float:
    """Share of the large-GEMM efficiency a GEMM of narrower weight dimension `width` (per GPU) reaches."""
    return width / (width + half_width) if half_width > 0 else 1.0


def gemm_half_efficiency_width(d: Deployment, matmul_flops_per_s: float | None = None) -> float:
    """The narrower weight dimension at which a GEMM reaches half its large-GEMM efficiency on this GPU, in this precision.

    Why it grows with the ridge point: each activation value a GEMM moves (inputs read, outputs written) serves 2 n
    FLOPs, n its narrower weight dimension, so the activations take a / (2 n) x FLOPs / bandwidth next to FLOPs / rate:
    the GEMM runs at n / (n + a R / 2) of its rate, R = rate / bandwidth (FLOPs per byte, at the fitted shares) and a
    the bytes moved per activation value (`FittedConstants.gemm_activation_bytes`). The faster the math against the
    memory (FP4 against FP8, Blackwell against Hopper), the wider a GEMM must be to hide its activations."""
    rate = d.matmul_flops_per_s if matmul_flops_per_s is None else matmul_flops_per_s
    return d.constants.gemm_activation_bytes * rate / d.bandwidth_bytes_per_s / 2.0


def add_kernel(total: list[float], mem_s: float, cmp_s: float, sharpness: float) -> None:
    """Add one kernel to [total, memory, compute]: about the longer of its memory and compute time,
    a little more where the two are close (a kernel near the ridge point overlaps its loads and its
    math imperfectly; `sharpness` is FittedConstants.roofline_sharpness)."""
    p = sharpness
    hi = max(mem_s, cmp_s)
    total[0] += hi * ((mem_s / hi) ** p + (cmp_s / hi) ** p) ** (1.0 / p) if hi > 0 else 0.0
    if mem_s >= cmp_s:
        total[1] += mem_s
    else:
        total[2] += cmp_s


def step_seconds(d: Deployment, decode_seqs: float, prefill_tokens: float) -> tuple[float, float, float, float]:
    """One engine step on one GPU of one pipeline stage: (seconds, memory-bound s, compute-bound s, host s).

    The step carries `decode_seqs` sequences generating one token each and `prefill_tokens` prompt
    tokens (chunked prefill rides along with decode), over the whole replica. Kernels run one after
    another, so their times add; each kernel takes the longer of its memory and its compute time.
    The scheduler's CPU work overlaps the GPU, all but host_exposed_share of the shorter of the two (none of it
    where the engine turns its overlap off: SGLang under speculative decoding).
    """
    c = d.constants
    pp, tp, adp, ep = d.pp, d.tp, d.attention_dp, d.ep
    attn_tp = tp // adp
    split = d.split
    bw, mm = d.bandwidth_bytes_per_s, d.matmul_flops_per_s
    decode_tokens = decode_seqs * d.tokens_per_decode_seq  # speculative decoding verifies 1 + drafted tokens
    stage_tokens = (decode_tokens + prefill_tokens) / pp  # one microbatch of one stage
    # With attention data parallelism the group with the most prompt tokens sets the pace.
    prompt = d.prefill_tokens_per_request or d.input_tokens
    rank_prefill = busiest_group_prefill_tokens(prefill_tokens / pp, prompt, adp, d.step_tokens)
    rank_tokens = decode_tokens / pp / adp + rank_prefill  # the tokens the busiest attention group works on
    acc = [0.0, 0.0, 0.0]
    # Dense linear layers (attention projections, dense MLPs, shared experts) and the LM head:
    # split over the attention TP group, replicated over attention data-parallel groups.
    # With pipeline parallelism the whole LM head sits on the last stage, which sets the pace; it
    # multiplies only that stage's microbatch of decode_seqs / pp tokens.
    # The LM head computes in 16 bits (its weights stay 16-bit in the quantized checkpoints): at the 16-bit rate; so do
    # the dense layers of a checkpoint that quantizes only its experts.
    dense_bytes = split.dense_linear * d.dense_weight_bytes_per_param / (attn_tp * pp) + split.lm_head * 2.0 / attn_tp
    dense_flops = 2.0 * split.dense_linear * rank_tokens / (attn_tp * pp)
    head_flops = 2.0 * split.lm_head * decode_tokens / adp / (attn_tp * pp)
    model = d.model
    dense_width = min(model.hidden_size, (model.ffn_intermediate_size or 4 * model.hidden_size) / attn_tp)
    dense_mm = d.dense_matmul_flops_per_s
    dense_cmp_s = (dense_flops / (dense_mm * shape_efficiency(dense_width, gemm_half_efficiency_width(d, dense_mm)))
                   + head_flops / (d.lm_head_flops_per_s * shape_efficiency(model.hidden_size, gemm_half_efficiency_width(d, d.lm_head_flops_per_s))))
    add_kernel(acc, dense_bytes / bw, dense_cmp_s, c.roofline_sharpness)
    moe_layers_per_stage = split.moe_layers / pp
    if split.moe_layers:
        # Routed experts: every token of the stage meets the experts. Only the experts the batch
        # touches are read; small per-expert GEMMs run less efficiently; with expert parallelism the
        # busiest GPU sets the pace: it reads the most touched experts and gets the most routed rows.
        k = split.experts_per_token
        touched = expected_experts_touched(split.experts, k, stage_tokens)
        exp_bytes = (busiest_gpu_experts(split.experts, touched, ep) * split.routed_expert * moe_layers_per_stage
                     * d.weight_bytes_per_param / (tp // ep))
        imbalance = load_imbalance(stage_tokens * k, ep)
        # The busiest GPU multiplies imbalance x its share of the routed tokens, plus the padding of
        # each touched expert's rows to a tile (m rows per expert run at m / (m + half) efficiency): the
        # padding does not grow with the imbalance, so the time never falls as tokens rise.
        padded_rows = stage_tokens * k * imbalance + d.expert_padding_rows * touched
        exp_flops = 2.0 * split.routed_expert * moe_layers_per_stage * padded_rows / tp
        expert_width = min(model.hidden_size, (model.moe_expert_intermediate_size or model.hidden_size) / (tp // ep))
        add_kernel(acc, exp_bytes / bw, exp_flops / (mm * shape_efficiency(expert_width, gemm_half_efficiency_width(d))),
                   c.roofline_sharpness)
        # Dispatch and combine: each routed copy of a token moves its hidden vector and the
        # expert's intermediate activations through memory (on the GPU that holds the expert).
        moe_tp = tp // ep
        inter = (d.model.moe_expert_intermediate_size or 0) / moe_tp
        per_copy = moe_dispatch_bytes_per_routed_copy(d.model.hidden_size, inter, d.computes_in)
        moe_act_s = moe_layers_per_stage * stage_tokens * k / ep * imbalance * per_copy / bw
        acc[0] += moe_act_s
        acc[1] += moe_act_s
    # Attention: decode reads each sequence's cache; prefill is quadratic in the prompt.
    context = d.input_tokens + d.output_tokens / 2.0
    kv_bytes = decode_seqs / pp * context * d.kv_bytes_per_token_per_gpu
    attn_s = (decode_tokens * context * d.attention_flops_per_pair_decode / d.attention_flops_per_s
              + rank_prefill * pp * adp * d.prefill_context_per_token * d.attention_flops_per_pair_prefill
              / d.prefill_attention_flops_per_s) / (tp * pp * pp)
    add_kernel(acc, kv_bytes / bw, attn_s, c.roofline_sharpness)
    # Elementwise kernels (norms, residuals, RoPE, quantization): memory traffic of the activations.
    act_s = c.activation_passes_per_layer * stage_tokens * d.model.hidden_size * 2.0 * d.model.num_layers / (tp * pp) / bw
    acc[0] += act_s
    acc[1] += act_s
    # Communication. Attention TP: an all-reduce after attention and one after every MLP. MoE
    # layers with attention data parallelism: all-to-all dispatch and combine instead.
    layers_per_stage = d.model.num_layers / pp
    dense_layers_per_stage = layers_per_stage - moe_layers_per_stage
    comm = layers_per_stage * allreduce_s(d, attn_tp, rank_tokens)
    comm += dense_layers_per_stage * allreduce_s(d, attn_tp, rank_tokens)
    if split.moe_layers:
        if adp > 1:
            comm += moe_layers_per_stage * moe_exchange_s(d, stage_tokens / adp)
        else:
            comm += moe_layers_per_stage * allreduce_s(d, tp, rank_tokens)
    comm -= fused_allreduces(d, layers_per_stage, stage_tokens) * c.fused_allreduce_saving_s
    acc[0] += comm + layers_per_stage * c.layer_overhead_s
    if d.draft_layer_equivalents and decode_seqs > 0:
        # Drafting: a layer-sized head (MTP, EAGLE) run once per drafted token on one token per sequence.
        plain = replace(d, tokens_per_decode_seq=1.0, draft_layer_equivalents=0.0)
        acc[0] += d.draft_layer_equivalents / d.model.num_layers * step_seconds(plain, decode_seqs, 0.0)[0]
    host = d.host_s_per_sequence * decode_seqs / pp / adp
    exposed = c.host_exposed_share if d.host_overlapped else 1.0
    return max(acc[0], host) + exposed * min(acc[0], host), acc[1], acc[2], host


def fused_allreduces(d: Deployment, layers_per_stage: float, stage_tokens: float) -> float:
    """All-reduces of one stage's step that run fused with the residual add and RMSNorm after them
    (`Deployment.fuses_allreduce_norm`): both of every layer's (after attention, after the MLP or MoE) but the last
    layer's second, while the step holds at most FUSED_ALLREDUCE_MAX_TOKENS tokens; 0 otherwise."""
    if not d.fuses_allreduce_norm or stage_tokens > FUSED_ALLREDUCE_MAX_TOKENS:
        return 0.0
    return max(2.0 * layers_per_stage - 1.0, 0.0)


def mean_step_seconds(d: Deployment, decode_seqs: float, prompts_per_step: float) -> tuple[float, float, float, float]:
    """The mean step when `prompts_per_step` prompts start per step on average: (seconds, memory s, compute s, host s).

    Why not `step_seconds(d, B, prompts x prompt tokens)`: prompts do not arrive as a fluid spread over
    every step. The engines prefill a prompt in whole chunks of up to the step budget (chunked prefill:
    vLLM max_num_batched_tokens, SGLang chunked_prefill_size, TensorRT-LLM max_num_tokens), so a few steps
    carry a chunk and the rest decode only. The step time is concave in its tokens (the experts a step
    reads saturate, fixed latencies do not grow), so the time of the average step overstates the average
    of the steps: at low concurrency with long prompts (8k tokens, 4 requests) by 1.4-1.8x. The mean
    chunks per step m lands as evenly as it can (floor(m) chunks in some steps, one more in the others):
    the average of the step times at the two neighbouring whole numbers of chunks. With many chunks per
    step it is the old figure again."""
    prompt = d.prefill_tokens_per_request
    if prompt <= 0 or prompts_per_step <= 0:
        return step_seconds(d, decode_seqs, 0.0)
    # One chunk enters one pipeline microbatch: in step_seconds' whole-replica terms, chunk x pp tokens.
    unit = min(prompt, d.step_tokens) * d.pp
    chunks = prompts_per_step * prompt / unit
    whole = math.floor(chunks)
    part = chunks - whole
    lo = step_seconds(d, decode_seqs, whole * unit)
    if part <= 0:
        return lo
    hi = step_seconds(d, decode_seqs, (whole + 1) * unit)
    return tuple((1.0 - part) * a + part * b for a, b in zip(lo, hi))


Z90, Z99 = 1.2816, 2.3263
"""Standard normal quantiles at 0.90 and 0.99."""


def poisson_quantile(mean: float, q: float) -> float:
    """Smallest n with P(N <= n) >= q for N ~ Poisson(mean) (normal approximation above a mean of 50)."""
    if mean <= 0:
        return 0.0
    if mean > 50:
        return mean + (Z90 if q == 0.9 else Z99 if q == 0.99 else 0.0) * math.sqrt(mean)
    term = total = math.exp(-mean)
    n = 0
    while total < q:
        n += 1
        term *= mean / n
        total += term
    return float(n)


@dataclass(frozen=True)
class Point:
    """The steady state at one concurrency; latencies in seconds, at the median (`ttft_s`, `tpot_s`) and
    at the 90th / 99th percentile of the requests."""

    concurrency: int
    output_tokens_per_s: float
    tpot_s: float
    ttft_s: float
    memory_s: float
    compute_s: float
    host_s: float
    gpu_s: float
    ttft_p90_s: float = 0.0
    ttft_p99_s: float = 0.0
    tpot_p90_s: float = 0.0
    tpot_p99_s: float = 0.0
    waiting_s: float = 0.0
    """The mean time of a request before the step that carries its prompt (the client's and server's overheads,
    the step in progress): outside the engine's steps, which a closed loop's request count needs."""
    prefill_over_step_s: float = 0.0
    """The median TTFT's prefill beyond one mean step: its own prompt's chunks before the one that gives its first token
    (`prefill_seconds`) and the prompts started with it. Where a closed loop queues for the step budget, the queue's
    wait (Little's law) is the time to the request's first-token step, and this is already in it (`predict.loop_point`)."""

    def waiting_more(self, seconds: float) -> "Point":
        """The same state with every TTFT percentile `seconds` longer (requests queued for a slot)."""
        return replace(self, ttft_s=self.ttft_s + seconds, ttft_p90_s=self.ttft_p90_s + seconds,
                       ttft_p99_s=self.ttft_p99_s + seconds)

    def ttft_at(self, percentile: str) -> float:
        return {"p50": self.ttft_s, "p90": self.ttft_p90_s, "p99": self.ttft_p99_s}[percentile]

    def tpot_at(self, percentile: str) -> float:
        return {"p50": self.tpot_s, "p90": self.tpot_p90_s, "p99": self.tpot_p99_s}[percentile]


def prompt_chunks(d: Deployment) -> int:
    """Steps one prompt takes to prefill: a prompt longer than the step budget goes in budget-sized chunks, one a
    step (vLLM chunked prefill, SGLang chunked_prefill_size, TensorRT-LLM max_num_tokens)."""
    return max(1, math.ceil(d.prefill_tokens_per_request / d.step_tokens - 1e-9))


def prefill_seconds(d: Deployment, decode_seqs: float, prefill_tokens: float) -> float:
    """Seconds until one whole prompt among `prefill_tokens` (whole-replica terms, as `step_seconds`) is prefilled:
    `prompt_chunks` steps, each carrying the decode batch and its share of the tokens. Why: each chunk step reads the
    weights and runs the running sequences again; one step of all the tokens would count that once."""
    chunks = prompt_chunks(d)
    return chunks * step_seconds(d, decode_seqs, prefill_tokens / chunks)[0]


def evaluate(d: Deployment, concurrency: float, queued: float = 0.0) -> Point:
    """Steady state at `concurrency` sequences per replica (in-flight batching); a fractional batch is the time average
    the step budget sustains (`predict.choose_concurrency`).

    A request is in the batch for `Deployment.steps_per_request` steps, S: its prompt's step gives its first token,
    each later one `acceptance_length` tokens a (1 without speculative decoding). So B / S requests finish per step and
    as many prompts start: N ~ Poisson(B / S) per step (arrivals in a closed loop follow the completions), each
    computing its uncached prompt tokens. Output per second is B x output / S / step time, B x a / step time for long
    outputs (a pipeline of pp stages finishes B/pp sequences' tokens per stage step).

    Latency of one request (why percentiles): it arrives during a step and waits for it to end (uniform,
    half a step at the median), then its first token comes with a step that carries its own prompt and
    the N other prompts started with it: TTFT at percentile q = q x step + step(B, N_q others + own).
    TPOT is the step with the others' prompts, divided by a; a request's TPOT averages the prompts of its S
    steps, so its spread shrinks with the square root of that count.

    `queued`: requests waiting for the step budget (a closed loop of more than the budget decodes at once). Their
    prompts fill the steps up to the budget, so a decoding request's steps carry the prompts of all B slots' starts,
    B / S, and not only the other B - 1 slots': once at least one waits (in proportion below one), the share its own
    slot's next prompt would take is a waiting prompt's chunk. Why: a chunked-prefill engine fills every step with
    waiting prompts up to its budget; without it, a loop capped at one decoding request decoded alone while the GPU
    prefilled the others back to back.
    """
    b = float(concurrency)
    a = d.acceptance_length
    prompt = d.prefill_tokens_per_request
    steps_per_request = d.steps_per_request
    starts = b / steps_per_request  # prompts started per step (mean)
    step_avg, mem_s, cmp_s, host_s = mean_step_seconds(d, b, starts)
    stage_tokens_per_s = (b / d.pp) * d.output_tokens / steps_per_request / step_avg
    out_per_s = stage_tokens_per_s * d.dp
    others = (b - 1.0) / steps_per_request  # the other sequences' prompts started per step (mean)
    beside = (b - 1.0 + min(max(queued, 0.0), 1.0)) / steps_per_request  # prompts in a decoding request's steps
    step_others = mean_step_seconds(d, b, beside)[0]

    def ttft(q: float, n_others: float) -> float:
        return (q * step_avg + prefill_seconds(d, b, n_others * prompt + prompt * d.pp)) * d.pp + d.constants.request_latency_s

    ttft50 = ttft(0.5, others)
    # no more prompts than the other sequences can start with it (a Poisson count has no such bound)
    ttft90 = max(ttft(0.9, min(poisson_quantile(others, 0.9), b - 1.0)), ttft50)
    ttft99 = max(ttft(0.99, min(poisson_quantile(others, 0.99), b - 1.0)), ttft90)
    tpot = step_others * d.pp / a
    per_prompt_s = (step_seconds(d, b, (beside + 1.0) * prompt)[0] - step_others) if prompt else 0.0
    spread = math.sqrt(beside / max(steps_per_request, 1.0)) * per_prompt_s * d.pp / a
    gpu_s = mem_s + cmp_s
    return Point(concurrency, out_per_s, tpot, ttft50, mem_s, cmp_s, host_s, gpu_s,
                 ttft90, ttft99, tpot + Z90 * spread, tpot + Z99 * spread,
                 waiting_s=0.5 * step_avg * d.pp + d.constants.request_latency_s,
                 prefill_over_step_s=max(ttft50 - d.constants.request_latency_s - 1.5 * step_avg * d.pp, 0.0))
