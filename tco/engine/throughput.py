"""How many tokens per second one replica of an open model serves on a GPU type: the physics.

Why a model and not a lookup table: published measurements cover a few hundred configurations; a
TCO question asks about any model, GPU, precision, split and request shape. The model is a
per-kernel roofline (time = bytes / bandwidth or FLOPs / peak, whichever is larger, summed over
the kernels of one engine step), with in-flight batching of prefill and decode, and a handful of
efficiency constants fitted on the calibration set (see `tco/bench/fit_throughput.py` and
docs/throughput.md). Measurements, when they match, override it (`tco.engine.throughput_lookup`).

Pure: no I/O. Units are in the names; bytes and FLOPs are plain floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

from tco.model.hardware import GpuType, OpenModel, ThroughputMeasurement

ENGINES = ("trtllm", "vllm", "sglang")
PRECISIONS = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")

BYTES_PER_WEIGHT = {
    "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0,
    "fp4": 0.5 + 1.0 / 16,    # NVFP4: 4-bit values plus one FP8 scale per block of 16
    "int4": 0.5 + 4.0 / 128,  # AWQ/GPTQ: 4-bit values plus an FP16 scale and zero point per group of 128
}
"""Stored bytes per parameter of the quantized linear layers (embeddings and LM head stay 16-bit)."""

BYTES_PER_KV_ELEMENT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5 + 1.0 / 16, "int4": 0.5 + 4.0 / 128}

FP8_ARCHITECTURES = frozenset({"ada", "hopper", "blackwell", "cdna3", "gaudi"})
"""FP8 tensor cores: NVIDIA Ada/Hopper/Blackwell, AMD CDNA3, Intel Gaudi 3 (gpus.csv lists its FP8 TFLOPS)."""
FP4_ARCHITECTURES = frozenset({"blackwell"})
"""FP4 (NVFP4/MXFP4) tensor cores: Blackwell only."""

# --- Engine behaviour (documented defaults of each engine, not fitted) -----------------------------
ENGINE_MAX_BATCH = {"trtllm": 2048, "vllm": 1024, "sglang": 1024}
"""Sequences an engine schedules at once by default (TensorRT-LLM BuildConfig max_batch_size 2048;
vLLM V1 max_num_seqs 1024 on data-centre GPUs; SGLang: no fixed cap, 1024 assumed)."""
ENGINE_EXPLOITS_SLIDING_WINDOW = {"trtllm": True, "vllm": True, "sglang": True}
"""All three keep only a window-sized cache for sliding-window layers (TensorRT-LLM variable sliding
window attention, vLLM's hybrid KV cache manager, SGLang's SWA memory pool)."""
KV_CACHE_MEMORY_FRACTION = 0.9
"""Share of the memory left after weights and buffers that becomes KV cache (TensorRT-LLM's
free_gpu_memory_fraction default 0.9; vLLM's gpu_memory_utilization 0.9 is a share of the whole
GPU, which leaves a little less for the cache when weights are small)."""
RUNTIME_RESERVE_BYTES = 1.0e9
"""CUDA context, cuBLAS workspaces and the engine's own buffers, per GPU (order of magnitude)."""
MAX_TOKENS_PER_STEP = 8192
"""Tokens one engine step processes at most (TensorRT-LLM max_num_tokens default 8192); sizes the
activation buffers that are subtracted from the KV cache budget."""
PCIE_GB_PER_S_PER_DIRECTION = 31.5
"""PCIe 4.0 x16 (16 GT/s x 16 lanes, 128b/130b): used for GPUs without NVLink when the catalog gives
no interconnect figure."""
MLA_HEAD_DIM = 128
"""qk_nope_head_dim and v_head_dim of DeepSeek-V3 and Kimi-K2 (models.csv attention_notes): the MLA
prefill attention width when the catalog gives no head_dim."""

# --- Fitted efficiency constants ------------------------------------------------------------------
# Fitted by `python -m tco.bench.fit_throughput` on the bundled calibration measurements (TensorRT-LLM
# v0.17 and v1.0 perf overviews, 631 rows): minimise the median absolute log error, model only.
# Each is a physical quantity; none is per model, per GPU or per row.
MEMORY_BANDWIDTH_EFFICIENCY = 0.8
"""Achievable fraction of peak memory bandwidth for streaming weights and KV cache."""
MATMUL_EFFICIENCY = 0.6
"""Achievable fraction of the dense tensor-core peak for large GEMMs and attention."""
FP4_MATMUL_EFFICIENCY = 0.7405
"""Achievable FP4 GEMM throughput relative to MATMUL_EFFICIENCY x the FP4 peak (block-scale handling
and activation quantization make NVFP4 GEMMs reach a smaller share of their doubled peak)."""
EXPERT_GEMM_HALF_EFFICIENCY_TOKENS = 151.4
"""Tokens per expert at which a grouped expert GEMM reaches half its large-GEMM efficiency."""
LAYER_OVERHEAD_S = 6.55e-05
"""Fixed time per layer per engine step (kernel launches, synchronisation, norms, routing)."""
ACTIVATION_PASSES_PER_LAYER = 20.82
"""Times each token's hidden vector crosses memory per layer outside the GEMMs (norms, residuals,
RoPE, activation quantization; MoE dispatch and combine repeat it for each of the k experts)."""
ALLREDUCE_LATENCY_S = 3.42e-05
"""Fixed latency of one tensor-parallel all-reduce."""
LINK_EFFICIENCY = 0.7154
"""Achieved all-reduce bus bandwidth as a fraction of the per-direction link bandwidth."""
NVLINK_ALLREDUCE_BYTES_PER_S = 2.367e+11
"""Achieved all-reduce bus bandwidth of NVLink-class GPUs whose catalog entry has no interconnect
figure (fitted, since the catalog does not yet carry NVLink figures)."""


@dataclass(frozen=True)
class ServingConfig:
    """How one replica is deployed and what its requests look like."""

    gpus: int
    input_tokens: int
    output_tokens: int
    tp: int | None = None
    """Tensor-parallel degree; None = gpus / pp (the whole replica in one TP group)."""
    pp: int = 1
    ep: int | None = None
    """Expert-parallel degree (MoE); it changes no number in this model beyond being checked."""
    precision: str = "fp8"
    kv_precision: str | None = None
    """None: same as the weights (FP8 weights use an FP8 cache; 16-bit for int4/int8 and FP4)."""
    engine: str = "trtllm"
    concurrency: int | None = None
    """Sequences in flight; None = the best that fits in memory (and meets the latency targets)."""
    ttft_ms: float | None = None
    tpot_ms: float | None = None


@dataclass(frozen=True)
class ThroughputResult:
    runnable: bool
    reason: str | None
    output_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    requests_per_s: float
    ttft_ms: float
    tpot_ms: float
    concurrency: int
    max_concurrency_fits: int
    limited_by: str
    """memory bandwidth | compute | kv cache capacity | latency target (ttft) | latency target (tpot)."""
    basis: str
    """measurement | interpolation | model."""
    weights_gb_per_gpu: float
    kv_cache_bytes_per_token: float
    """KV cache of one token of one sequence, whole model (all layers, all GPUs)."""
    kv_cache_gb_per_gpu: float = 0.0
    """Memory left for the KV cache on each GPU."""
    tp: int = 1
    pp: int = 1
    data_parallel_replicas: int = 1
    precision: str = ""
    kv_precision: str = ""
    engine: str = ""
    measurement_ids: tuple[str, ...] = ()
    """The measurements the figure comes from when basis is not `model`."""


def not_runnable(reason: str, config: ServingConfig, weights_gb_per_gpu: float = 0.0, kv_bytes: float = 0.0) -> ThroughputResult:
    return ThroughputResult(
        runnable=False, reason=reason, output_tokens_per_s=0.0, output_tokens_per_s_per_gpu=0.0,
        requests_per_s=0.0, ttft_ms=math.inf, tpot_ms=math.inf, concurrency=0, max_concurrency_fits=0,
        limited_by="", basis="model", weights_gb_per_gpu=weights_gb_per_gpu, kv_cache_bytes_per_token=kv_bytes,
        tp=config.tp or 0, pp=config.pp, precision=config.precision, kv_precision=config.kv_precision or "", engine=config.engine)


# --- Architecture arithmetic ----------------------------------------------------------------------

def default_kv_precision(precision: str) -> str:
    """FP8 and FP4 checkpoints come with an FP8 cache (TensorRT-LLM sets it for FP8 builds; the
    ModelOpt FP4 checkpoints quantize the cache to FP8); weight-only int4/int8 keep a 16-bit cache."""
    return "fp8" if precision in ("fp8", "fp4") else ("fp16" if precision == "fp16" else "bf16")


@dataclass(frozen=True)
class ParamSplit:
    """Parameter counts the roofline needs, from the architecture (all in parameters, not bytes)."""

    embedding: float
    """Input embedding table: stored, never multiplied."""
    lm_head: float
    dense_linear: float
    """Attention, dense MLPs and shared experts: read and multiplied for every token."""
    routed_expert: float
    """One routed expert of one MoE layer."""
    moe_layers: int
    experts: int
    experts_per_token: int

    @property
    def routed_total(self) -> float:
        return self.routed_expert * self.experts * self.moe_layers


def param_split(model: OpenModel) -> ParamSplit:
    total = model.total_params_b * 1e9
    vocab_rows = (model.vocab_size or 0) * model.hidden_size
    embedding, lm_head = float(vocab_rows), float(vocab_rows)
    routed_expert, moe_layers, experts, k = 0.0, 0, 0, 0
    if model.arch_type == "moe" and model.num_routed_experts and model.moe_expert_intermediate_size:
        moe_layers = model.num_moe_layers if model.num_moe_layers is not None else model.num_layers
        experts = model.num_routed_experts
        k = model.experts_per_token or 1
        routed_expert = 3.0 * model.hidden_size * model.moe_expert_intermediate_size  # gate, up, down
        if routed_expert * experts * moe_layers > total:  # inconsistent figures: trust the total
            routed_expert = 0.9 * total / (experts * moe_layers)
    dense_linear = max(total - embedding - lm_head - routed_expert * experts * moe_layers, 0.0)
    return ParamSplit(embedding, lm_head, dense_linear, routed_expert, moe_layers, experts, k)


def weight_bytes(model: OpenModel, precision: str) -> float:
    """Whole-model weights in memory: quantized linear layers, 16-bit embedding and LM head.

    MoE: every expert is resident, whatever the number active per token.
    """
    split = param_split(model)
    quantized = split.dense_linear + split.routed_total
    return quantized * BYTES_PER_WEIGHT[precision] + (split.embedding + split.lm_head) * 2.0


def kv_cache_elements_per_token(model: OpenModel, context_tokens: float, exploit_sliding_window: bool = True) -> float:
    """Cached elements per token of one sequence (all layers), averaged over a context of that length.

    GQA/MHA: K and V, 2 x kv_heads x head_dim per layer. MLA: one latent of kv_lora_rank +
    qk_rope_head_dim per layer, no factor 2. Sliding-window layers hold at most `window` tokens,
    so per token of a long context they cost window / context of a full layer.
    """
    if model.attention == "mla":
        per_layer = float((model.mla_kv_lora_rank or 0) + (model.mla_qk_rope_head_dim or 0))
    else:
        per_layer = 2.0 * (model.num_kv_heads or model.num_attention_heads) * (model.head_dim or model.hidden_size // model.num_attention_heads)
    layers = float(model.num_layers)
    window, local = model.sliding_window_tokens, model.num_sliding_window_layers or 0
    if exploit_sliding_window and window and local and context_tokens > window:
        layers = (model.num_layers - local) + local * window / context_tokens
    return per_layer * layers


def kv_cache_bytes_per_token(model: OpenModel, kv_precision: str, context_tokens: float = 0.0, exploit_sliding_window: bool = True) -> float:
    return kv_cache_elements_per_token(model, context_tokens, exploit_sliding_window) * BYTES_PER_KV_ELEMENT[kv_precision]


def expected_experts_touched(experts: int, experts_per_token: int, tokens: float) -> float:
    """Distinct experts a batch of `tokens` routes to in one layer: E x (1 - (1 - k/E)^tokens)."""
    if experts <= 0:
        return 0.0
    return experts * (1.0 - (1.0 - experts_per_token / experts) ** max(tokens, 0.0))


def peak_tflops(gpu: GpuType, precision: str) -> float | None:
    """The tensor-core peak a precision's GEMMs run at (weight-only int4/int8 compute in 16-bit)."""
    if precision == "fp4":
        return gpu.dense_fp4_tflops
    if precision == "fp8":
        return gpu.dense_fp8_tflops
    return gpu.dense_bf16_tflops


ARCHITECTURE_NAMES = {"ampere": "Ampere", "ada": "Ada", "hopper": "Hopper", "blackwell": "Blackwell", "cdna3": "CDNA3", "gaudi": "Gaudi"}


def precision_problem(gpu: GpuType, precision: str, what: str = "weights") -> str | None:
    if precision not in BYTES_PER_WEIGHT:
        return f"unknown precision `{precision}` (choose one of {', '.join(PRECISIONS)})"
    if precision == "fp8" and gpu.architecture not in FP8_ARCHITECTURES:
        return f"FP8 {what} need an Ada, Hopper, Blackwell or CDNA3 GPU; {gpu.name} is {ARCHITECTURE_NAMES.get(gpu.architecture, gpu.architecture)}"
    if precision == "fp4" and gpu.architecture not in FP4_ARCHITECTURES:
        return f"FP4 {what} need a Blackwell GPU; {gpu.name} is {ARCHITECTURE_NAMES.get(gpu.architecture, gpu.architecture)}"
    return None


# --- The step model -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Deployment:
    """Everything about a (model, GPU, config) that does not depend on the concurrency."""

    model: OpenModel
    split: ParamSplit
    tp: int
    pp: int
    dp: int
    input_tokens: int
    output_tokens: int
    weight_bytes_per_param: float
    kv_bytes_per_token_per_gpu: float
    """Per sequence-token, for the layers one GPU holds, at the average decode context."""
    bandwidth_bytes_per_s: float
    matmul_flops_per_s: float
    attention_flops_per_s: float
    link_bytes_per_s: float | None
    attention_flops_per_pair_decode: float
    """FLOPs per (query token, cached token) pair, summed over heads and layers, whole model."""
    attention_flops_per_pair_prefill: float


def _step_seconds(d: _Deployment, decode_seqs: float, prefill_tokens: float) -> tuple[float, float, float]:
    """One engine step on one GPU of one pipeline stage: (seconds, memory-bound s, compute-bound s).

    The step carries `decode_seqs` sequences generating one token each and `prefill_tokens` prompt
    tokens (chunked prefill rides along with decode). Kernels run one after another, so their
    times add; each kernel takes the longer of its memory and its compute time.
    """
    n_split = d.tp * d.pp
    tokens = decode_seqs + prefill_tokens
    split = d.split
    bw, mm = d.bandwidth_bytes_per_s, d.matmul_flops_per_s
    # Dense linear layers (attention projections, dense MLP, shared experts) and the LM head.
    dense_bytes = split.dense_linear * d.weight_bytes_per_param / n_split + split.lm_head * 2.0 / n_split
    dense_flops = 2.0 * split.dense_linear * tokens / n_split / d.pp + 2.0 * split.lm_head * decode_seqs / n_split
    mem_s, cmp_s = dense_bytes / bw, dense_flops / mm
    total = max(mem_s, cmp_s)
    memory_part, compute_part = (mem_s, 0.0) if mem_s >= cmp_s else (0.0, cmp_s)
    # Routed experts: only the experts the batch touches are read; small per-expert GEMMs run less efficiently.
    if split.moe_layers:
        tokens_per_stage = tokens / d.pp
        touched = expected_experts_touched(split.experts, split.experts_per_token, tokens_per_stage)
        exp_bytes = touched * split.routed_expert * split.moe_layers * d.weight_bytes_per_param / n_split
        per_expert = tokens_per_stage * split.experts_per_token / max(touched, 1e-9)
        efficiency = per_expert / (per_expert + EXPERT_GEMM_HALF_EFFICIENCY_TOKENS)
        exp_flops = 2.0 * split.routed_expert * split.experts_per_token * split.moe_layers * tokens_per_stage / n_split
        mem_s, cmp_s = exp_bytes / bw, exp_flops / (mm * efficiency)
        total += max(mem_s, cmp_s)
        if mem_s >= cmp_s:
            memory_part += mem_s
        else:
            compute_part += cmp_s
    # Attention: decode reads each sequence's cache; prefill is quadratic in the prompt.
    context = d.input_tokens + d.output_tokens / 2.0
    kv_bytes = decode_seqs / d.pp * context * d.kv_bytes_per_token_per_gpu
    attn_flops = (decode_seqs * context * d.attention_flops_per_pair_decode
                  + prefill_tokens * d.input_tokens / 2.0 * d.attention_flops_per_pair_prefill) / n_split / d.pp
    mem_s, cmp_s = kv_bytes / bw, attn_flops / d.attention_flops_per_s
    total += max(mem_s, cmp_s)
    if mem_s >= cmp_s:
        memory_part += mem_s
    else:
        compute_part += cmp_s
    # Elementwise kernels: memory traffic of the activations themselves.
    routed_copies = split.experts_per_token if split.moe_layers else 0
    act_bytes = ACTIVATION_PASSES_PER_LAYER * tokens / d.pp * d.model.hidden_size * 2.0 * (1 + routed_copies) * d.model.num_layers / n_split
    act_s = act_bytes / bw
    total += act_s
    memory_part += act_s
    # Tensor-parallel all-reduces: two per layer (after attention and after the MLP).
    layers_per_stage = d.model.num_layers / d.pp
    if d.tp > 1:
        message_bytes = tokens / d.pp * d.model.hidden_size * 2.0
        per_allreduce = ALLREDUCE_LATENCY_S
        if d.link_bytes_per_s:
            per_allreduce += 2.0 * (d.tp - 1) / d.tp * message_bytes / d.link_bytes_per_s
        total += 2.0 * layers_per_stage * per_allreduce
    total += layers_per_stage * LAYER_OVERHEAD_S
    return total, memory_part, compute_part


@dataclass(frozen=True)
class _Point:
    concurrency: int
    output_tokens_per_s: float
    tpot_s: float
    ttft_s: float
    memory_s: float
    compute_s: float


def _evaluate(d: _Deployment, concurrency: int) -> _Point:
    """Steady state at `concurrency` sequences per replica (in-flight batching).

    On average each step carries `B x input/output` prompt tokens besides the B decode tokens,
    so output per second is B / step time (x pipeline stages' microbatches, / pp for the
    stage count: a pipeline of pp stages finishes B/pp sequences' tokens per stage step).
    TPOT is what a decoding sequence waits between tokens: the step with the others' prefill.
    TTFT: a step that also carries this request's whole prompt.
    """
    b = float(concurrency)
    ratio = d.input_tokens / d.output_tokens
    step_avg, mem_s, cmp_s = _step_seconds(d, b, b * ratio)
    stage_tokens_per_s = (b / d.pp) / step_avg
    out_per_s = stage_tokens_per_s * d.dp
    step_others, _, _ = _step_seconds(d, b, (b - 1.0) * ratio)
    step_first, _, _ = _step_seconds(d, b, (b - 1.0) * ratio + d.input_tokens * d.pp)
    return _Point(concurrency, out_per_s, step_others * d.pp, step_first * d.pp, mem_s, cmp_s)


def predict(model: OpenModel, gpu: GpuType, config: ServingConfig,
            measurements: Sequence[ThroughputMeasurement] = ()) -> ThroughputResult:
    """Throughput, latency and what limits them, for one replica of `config.gpus` GPUs.

    A matching measurement (same model, GPU, precision, GPU count and split, offline maximum
    throughput) overrides the model; neighbours at other request lengths are interpolated
    (see `tco.engine.throughput_lookup`). Pass no measurements to get the model alone.
    """
    modelled = predict_model(model, gpu, config)
    if not modelled.runnable or not measurements:
        return modelled
    from tco.engine.throughput_lookup import apply_measurements

    return apply_measurements(modelled, model, gpu, config, measurements)


def predict_model(model: OpenModel, gpu: GpuType, config: ServingConfig) -> ThroughputResult:
    """The physical model only (measurements ignored): what `tco bench accuracy` evaluates."""
    precision = config.precision
    kv_precision = config.kv_precision or default_kv_precision(precision)
    config = replace(config, kv_precision=kv_precision)
    problem = _config_problem(model, gpu, config)
    if problem:
        return not_runnable(problem, config)
    pp = config.pp
    tp = config.tp or max(config.gpus // pp, 1)
    dp = config.gpus // (tp * pp)
    config = replace(config, tp=tp)
    exploit = ENGINE_EXPLOITS_SLIDING_WINDOW.get(config.engine, False)
    seq_tokens = config.input_tokens + config.output_tokens
    kv_whole = kv_cache_bytes_per_token(model, kv_precision, seq_tokens, exploit)
    weights_per_gpu = weight_bytes(model, precision) / (tp * pp)
    memory_bytes = gpu.memory_gb * 1e9
    activation_bytes = MAX_TOKENS_PER_STEP * (4.0 * model.hidden_size + 2.0 * _widest_mlp(model) / tp) * 2.0
    kv_budget = (memory_bytes - weights_per_gpu - RUNTIME_RESERVE_BYTES - activation_bytes) * KV_CACHE_MEMORY_FRACTION
    if kv_budget <= 0:
        need = (weights_per_gpu + RUNTIME_RESERVE_BYTES + activation_bytes) / 1e9
        return not_runnable(
            f"weights need {weights_per_gpu / 1e9:.1f} GB per GPU ({need:.1f} GB with runtime buffers); "
            f"the {gpu.name} has {gpu.memory_gb:g} GB - use more GPUs or a smaller precision", config, weights_per_gpu / 1e9, kv_whole)
    kv_per_gpu_per_token = _kv_bytes_per_token_per_gpu(model, kv_whole, tp, pp)
    max_fits = int(kv_budget // (kv_per_gpu_per_token * seq_tokens)) if kv_per_gpu_per_token > 0 else 10**6
    if max_fits < 1:
        return not_runnable(
            f"one sequence of {seq_tokens:,} tokens needs {kv_per_gpu_per_token * seq_tokens / 1e9:.1f} GB of KV cache per GPU; "
            f"only {kv_budget / 1e9:.1f} GB are left after the weights", config, weights_per_gpu / 1e9, kv_whole)
    d = _deployment(model, gpu, config, tp, pp, dp, precision, kv_precision, kv_whole, kv_per_gpu_per_token)
    if isinstance(d, str):
        return not_runnable(d, config, weights_per_gpu / 1e9, kv_whole)
    engine_cap = ENGINE_MAX_BATCH.get(config.engine, 1024)
    ceiling = min(max_fits, engine_cap)
    point, limited_by = _choose(d, config, ceiling, max_fits, engine_cap)
    if point is None:
        first = _evaluate(d, 1)
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
        tp=tp, pp=pp, data_parallel_replicas=dp, precision=precision, kv_precision=kv_precision, engine=config.engine)


def _choose(d: _Deployment, config: ServingConfig, ceiling: int, max_fits: int, engine_cap: int) -> tuple[_Point | None, str]:
    """The concurrency to report: the one asked for, or the largest that meets the targets.

    Why the largest: every term of the step time is a constant plus a part that grows at most
    linearly with the batch, so output per second never falls as concurrency rises, while TTFT
    and TPOT never fall either. The best point under latency targets is therefore the largest
    concurrency that meets them (found by bisection), and a tighter target can only lower it.
    """
    def meets(p: _Point) -> str | None:
        if config.ttft_ms is not None and p.ttft_s * 1e3 > config.ttft_ms:
            return "latency target (ttft)"
        if config.tpot_ms is not None and p.tpot_s * 1e3 > config.tpot_ms:
            return "latency target (tpot)"
        return None

    def regime(p: _Point) -> str:
        return "memory bandwidth" if p.memory_s >= p.compute_s else "compute"

    dp = max(d.dp, 1)
    if config.concurrency is not None:
        per_replica = max(config.concurrency // dp, 1)
        top = min(per_replica, max_fits)
    else:
        top = ceiling
    p = _evaluate(d, top)
    failed = meets(p)
    if failed is None:
        if config.concurrency is not None:
            return p, ("kv cache capacity" if per_replica > max_fits else regime(p))
        return p, ("kv cache capacity" if top >= max_fits and max_fits < engine_cap else regime(p))
    lo, hi = 0, top  # lo meets the targets (0 = none found yet), hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(_evaluate(d, mid)) is None:
            lo = mid
        else:
            hi = mid
    return (_evaluate(d, lo) if lo else None), failed


def _widest_mlp(model: OpenModel) -> int:
    return max(model.ffn_intermediate_size or 0, (model.moe_expert_intermediate_size or 0) * (model.experts_per_token or 1), model.hidden_size)


def _kv_bytes_per_token_per_gpu(model: OpenModel, kv_whole: float, tp: int, pp: int) -> float:
    """GQA heads are split over TP ranks (replicated when kv_heads < tp). The MLA latent cannot be
    split by head, so engines run its attention data-parallel: each GPU caches its own sequences,
    which for capacity is the same as dividing by tp."""
    if model.attention == "mla":
        return kv_whole / (tp * pp)
    kv_heads = model.num_kv_heads or model.num_attention_heads
    heads_per_gpu = math.ceil(kv_heads / tp)
    return kv_whole * heads_per_gpu / kv_heads / pp


def _deployment(model, gpu, config, tp, pp, dp, precision, kv_precision, kv_whole, kv_per_gpu) -> _Deployment | str:
    peak = peak_tflops(gpu, precision)
    if not peak:
        return f"no published {('BF16' if precision not in ('fp8', 'fp4') else precision.upper())} TFLOPS for {gpu.name}: the model cannot estimate its compute"
    if not gpu.memory_bandwidth_tb_per_s:
        return f"no published memory bandwidth for {gpu.name}: the model cannot estimate decode speed"
    matmul = peak * 1e12 * MATMUL_EFFICIENCY * (FP4_MATMUL_EFFICIENCY if precision == "fp4" else 1.0)
    attn_peak = gpu.dense_fp8_tflops if kv_precision == "fp8" and gpu.dense_fp8_tflops else gpu.dense_bf16_tflops
    attention = (attn_peak or peak) * 1e12 * MATMUL_EFFICIENCY
    if model.attention == "mla":
        latent = float((model.mla_kv_lora_rank or 0) + (model.mla_qk_rope_head_dim or 0))
        decode_pair = model.num_attention_heads * (2.0 * latent + 2.0 * (model.mla_kv_lora_rank or 0))
        head = model.head_dim or MLA_HEAD_DIM
        prefill_pair = model.num_attention_heads * (2.0 * (head + (model.mla_qk_rope_head_dim or 0)) + 2.0 * head)
    else:
        head = model.head_dim or model.hidden_size // model.num_attention_heads
        decode_pair = prefill_pair = model.num_attention_heads * 4.0 * head
    layers = model.num_layers
    link = _link_bytes_per_s(gpu)
    context = config.input_tokens + config.output_tokens / 2.0
    exploit = ENGINE_EXPLOITS_SLIDING_WINDOW.get(config.engine, False)
    kv_avg = _kv_bytes_per_token_per_gpu(model, kv_cache_bytes_per_token(model, kv_precision, context, exploit), tp, pp)
    return _Deployment(
        model=model, split=param_split(model), tp=tp, pp=pp, dp=dp,
        input_tokens=config.input_tokens, output_tokens=config.output_tokens,
        weight_bytes_per_param=BYTES_PER_WEIGHT[precision], kv_bytes_per_token_per_gpu=kv_avg,
        bandwidth_bytes_per_s=gpu.memory_bandwidth_tb_per_s * 1e12 * MEMORY_BANDWIDTH_EFFICIENCY,
        matmul_flops_per_s=matmul, attention_flops_per_s=attention, link_bytes_per_s=link,
        attention_flops_per_pair_decode=decode_pair * layers, attention_flops_per_pair_prefill=prefill_pair * layers)


def _link_bytes_per_s(gpu: GpuType) -> float:
    """Achieved all-reduce bandwidth: the catalog's interconnect figure (bidirectional, so halved)
    when it has one; PCIe 4.0 x16 for PCIe cards; else the fitted NVLink-class figure."""
    if gpu.interconnect_gb_per_s:
        return gpu.interconnect_gb_per_s * 1e9 / 2.0 * LINK_EFFICIENCY
    if (gpu.form_factor or "").lower().startswith("pcie"):
        return PCIE_GB_PER_S_PER_DIRECTION * 1e9 * LINK_EFFICIENCY
    return NVLINK_ALLREDUCE_BYTES_PER_S


def _config_problem(model: OpenModel, gpu: GpuType, config: ServingConfig) -> str | None:
    if config.engine not in ENGINES:
        return f"unknown engine `{config.engine}` (choose one of {', '.join(ENGINES)})"
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
        if config.ep > (model.num_routed_experts or 1) or (config.gpus % config.ep):
            return f"ep {config.ep} must divide the {config.gpus} GPUs and be at most the {model.num_routed_experts} experts"
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
