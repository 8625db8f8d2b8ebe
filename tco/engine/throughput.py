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
from typing import Sequence, get_args

from tco.model.hardware import GpuType, OpenModel, Runtime, ThroughputMeasurement

ENGINES = ("trtllm", "vllm", "sglang")
RUNTIMES: tuple[str, ...] = get_args(Runtime)
"""How the engine drives the GPU. `python`: an executor loop in Python (TensorRT-LLM's PyTorch
backend, its default since 1.0; vLLM; SGLang). `cpp`: TensorRT-LLM's C++ executor over compiled
TensorRT engines (the TensorRT engine flow, its default before 1.0). They differ in the CPU time the
scheduler spends per running sequence (`HOST_S_PER_SEQUENCE`, `CPP_HOST_S_PER_SEQUENCE`)."""
PRECISIONS = ("bf16", "fp16", "fp8", "int8", "int4", "fp4")

BYTES_PER_WEIGHT = {
    "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0,
    "fp4": 0.5 + 1.0 / 16,    # NVFP4: 4-bit values plus one FP8 scale per block of 16
    "int4": 0.5 + 4.0 / 128,  # AWQ/GPTQ: 4-bit values plus an FP16 scale and zero point per group of 128
}
"""Stored bytes per parameter of the quantized linear layers (embeddings and LM head stay 16-bit)."""

BYTES_PER_KV_ELEMENT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5 + 1.0 / 16, "int4": 0.5 + 4.0 / 128}

FP8_ARCHITECTURES = frozenset({"ada", "hopper", "blackwell", "cdna3", "cdna4", "gaudi"})
"""FP8 tensor cores: NVIDIA Ada/Hopper/Blackwell, AMD CDNA3/CDNA4, Intel Gaudi 3 (gpus.csv lists its FP8 TFLOPS)."""
FP4_ARCHITECTURES = frozenset({"blackwell", "cdna4"})
"""FP4 (NVFP4/MXFP4) tensor cores: NVIDIA Blackwell, AMD CDNA4 (MI350 series, MXFP4)."""

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
RUNTIME_RESERVE_BYTES = 2.0e9
"""CUDA context (about 0.5 GB), cuBLAS and NCCL workspaces, CUDA-graph pools and the engine's own
buffers, per GPU (order of magnitude, not fitted). With 1 GB, DeepSeek-V3 FP8 would start on 8 x
H100 with room for three sequences; SGLang's DeepSeek guide runs it on 8 x H200 or two 8 x H100 nodes."""
HBM_CAPACITY_IN_GIB = True
"""HBM capacities are binary: an "80 GB" H100 or A100 has 80 GiB (HBM stacks are 2^n-byte dies);
GDDR boards' marketed figure is decimal (an L40S has 48 x 10^9 bytes)."""
STEP_TOKEN_BUDGET = True
"""Whether a step's tokens are capped at MAX_TOKENS_PER_STEP (as the engines do); off only to
measure what the cap changes in the fit."""
MAX_TOKENS_PER_STEP = 8192
"""Tokens one engine step processes at most (TensorRT-LLM max_num_tokens default 8192); sizes the
activation buffers that are subtracted from the KV cache budget."""
PCIE_GB_PER_S_PER_DIRECTION = {4: 31.5, 5: 63.0}
"""PCIe x16 per direction, by PCIe generation (4.0: 16 GT/s, 5.0: 32 GT/s, x 16 lanes, 128b/130b):
used for PCIe cards when the catalog gives no interconnect figure."""
NO_NVLINK_ARCHITECTURES = frozenset({"ada"})
"""No Ada part has NVLink (L4, L40, L40S are PCIe cards): their GPUs talk over PCIe."""
PCIE_GENERATION = {"ampere": 4, "ada": 4, "hopper": 5, "blackwell": 5}
"""PCIe generation of each GPU generation's PCIe cards (A100 PCIe and L40S are Gen4 cards; H100
PCIe and RTX PRO 6000 Blackwell are Gen5, as the catalog notes of the RTX PRO 6000 say)."""
MLA_HEAD_DIM = 128
"""qk_nope_head_dim and v_head_dim of DeepSeek-V3 and Kimi-K2 (models.csv attention_notes): the MLA
prefill attention width when the catalog gives no head_dim."""

# --- Fitted efficiency constants ------------------------------------------------------------------
# Fitted by `python -m tco.bench.fit_throughput` on the bundled calibration measurements (TensorRT-LLM
# v0.17 and v1.0 perf overviews, 631 rows), model only, from round starting values: minimise the
# median + 0.5 x P90 of the absolute log error. Each is a physical quantity; some are per GPU
# generation (Ampere, Ada, Hopper, Blackwell), none per model, per GPU type or per row.
GENERATIONS = ("ampere", "ada", "hopper", "blackwell")
"""GPU generations that can have their own fitted efficiencies (each has calibration rows)."""
GENERATION_FALLBACK = "shared"
"""The entry of each per-generation dict fitted on every GPU together (one value for all
generations, fitted first; a generation's own value then starts from it). A generation without its
own entry (CDNA3 and Gaudi have no calibration rows) uses it: see `generation_value`."""

MEMORY_BANDWIDTH_EFFICIENCY = {"shared": 0.8284}
"""Achieved fraction of peak memory bandwidth for streaming weights and KV cache. A dict so that a
generation can have its own entry (`fit_throughput --per-generation all`); fitted per generation,
the entries did not predict held-out GPUs better (docs/throughput.md), so only the shared one is kept."""
MATMUL_EFFICIENCY = {"shared": 0.6096}
"""Achieved fraction of the dense BF16/FP8 tensor-core peak for large GEMMs and attention; shared by
every generation, for the same reason."""
FP4_MATMUL_EFFICIENCY = 0.4917
"""Achieved fraction of the dense FP4 peak for large NVFP4 GEMMs (Blackwell): lower than the BF16/FP8
share, because block-scale handling and activation quantization do not speed up with the doubled
FP4 tensor rate."""
EXPERT_GEMM_HALF_EFFICIENCY_TOKENS = 59.73
"""Tokens per expert at which a grouped expert GEMM reaches half its large-GEMM efficiency."""
LAYER_OVERHEAD_S = 2.135e-05
"""Fixed time per layer per engine step (kernel launches, synchronisation, norms, routing)."""
ACTIVATION_PASSES_PER_LAYER = 18.19
"""Times each token's hidden vector crosses memory per layer outside the GEMMs (norms, residuals,
RoPE, activation quantization; MoE dispatch and combine repeat it for each of the k experts)."""
ALLREDUCE_LATENCY_S = 5.725e-05
"""Fixed latency of one tensor-parallel all-reduce."""
LINK_EFFICIENCY = 0.4768
"""Achieved all-reduce bus bandwidth as a fraction of the per-direction link bandwidth."""
NVLINK_ALLREDUCE_BYTES_PER_S = {"ampere": 1.43e+11, "hopper": 2.879e+11, "blackwell": 4.443e+11, "shared": 3.227e+11}
"""Achieved all-reduce bus bandwidth of NVLink-class GPUs whose catalog entry has no interconnect
figure, per generation (NVLink 3, 4 and 5; fitted, since the catalog does not yet carry NVLink
figures). Generations without an NVLink figure here use GENERATION_FALLBACK's."""
ROOFLINE_SHARPNESS = 1.384
"""How sharply a kernel's time switches between its memory and its compute time: the time is
(mem^p + compute^p)^(1/p). Infinite would be the ideal roofline (the longer of the two); 1 would be
no overlap at all. Kernels near the ridge point overlap loads and math imperfectly (pipeline
stages, tile-level waits), which the fitted value says is the case for the engines measured."""
HOST_S_PER_SEQUENCE = 3.126e-05
"""CPU time of a Python executor loop (runtime `python`) per running sequence per step
(bookkeeping, sampling, detokenization). It only shows for small-active-parameter models at large
batch, where the GPU step is short."""
CPP_HOST_S_PER_SEQUENCE = 7.121e-06
"""The same for TensorRT-LLM's C++ executor (runtime `cpp`). Fitted apart so that the calibration
rows of the older TensorRT engine flow do not pull the figure of today's Python runtimes down."""
HOST_EXPOSED_SHARE = 0.481
"""Share of the shorter of GPU and host time a step still waits for. The engines overlap the
scheduler's CPU work with the GPU (TensorRT-LLM's overlap scheduler, vLLM V1 async scheduling,
SGLang's overlap scheduler), but not all of it: a step's results must reach the host before the
sequences it finished can be replaced. The step takes max(GPU, host) + share x min(GPU, host):
0 would be a perfect overlap, 1 none."""

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
    """Expert-parallel degree (MoE): the routed experts are spread over `ep` GPUs of each stage
    (each expert whole on one GPU when ep = tp); None = chosen (see `attention_dp`)."""
    attention_dp: bool | None = None
    """MoE only: attention data-parallel over the tp GPUs (each GPU keeps its own sequences and a
    full copy of the attention weights; tokens reach the experts by all-to-all over NVLink, by
    all-gather and reduce-scatter otherwise), as SGLang's --enable-dp-attention, vLLM's
    --data-parallel-size with expert parallelism and TensorRT-LLM's enable_attention_dp. None: the
    fastest of the splits left open (see `_candidate_splits`)."""
    precision: str = "fp8"
    kv_precision: str | None = None
    """None: FP8 and FP4 weights use an FP8 cache, others a 16-bit one (`default_kv_precision`)."""
    engine: str = "trtllm"
    concurrency: int | None = None
    """Sequences in flight; None = the best that fits in memory (and meets the latency targets)."""
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    runtime: str = "python"
    """`python` (TensorRT-LLM 1.0+, vLLM, SGLang) or `cpp` (TensorRT-LLM's TensorRT engine flow): see RUNTIMES."""


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
    runtime: str = ""
    measurement_ids: tuple[str, ...] = ()
    """The measurements the figure comes from when basis is not `model`."""
    parallelism: str = ""
    """How the GPUs of a replica share the work, e.g. `TP8` or `DP8 attention, EP8`."""


def not_runnable(reason: str, config: ServingConfig, weights_gb_per_gpu: float = 0.0, kv_bytes: float = 0.0) -> ThroughputResult:
    return ThroughputResult(
        runnable=False, reason=reason, output_tokens_per_s=0.0, output_tokens_per_s_per_gpu=0.0,
        requests_per_s=0.0, ttft_ms=math.inf, tpot_ms=math.inf, concurrency=0, max_concurrency_fits=0,
        limited_by="", basis="model", weights_gb_per_gpu=weights_gb_per_gpu, kv_cache_bytes_per_token=kv_bytes,
        tp=config.tp or 0, pp=config.pp, precision=config.precision, kv_precision=config.kv_precision or "", engine=config.engine,
        runtime=config.runtime)


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


def moe_dispatch_bytes_per_routed_copy(hidden: int, intermediate: float, precision: str) -> float:
    """Memory traffic of one token's visit to one routed expert, outside the weight reads (fused
    MoE kernels as in TensorRT-LLM's CUTLASS MoE, vLLM's fused_moe, SGLang's): the permuted copy of
    the hidden vector written and read in the GEMM input precision, the intermediate written after
    the fused SwiGLU and read by the down GEMM, the 16-bit down output written and read by the
    weighted combine. Counted from the architecture, not fitted."""
    activation_bytes = gemm_input_bytes(precision)
    return 2.0 * hidden * activation_bytes + 2.0 * intermediate * activation_bytes + 4.0 * hidden


def gemm_input_bytes(precision: str) -> float:
    """Bytes per activation element fed to the GEMMs: FP8 and FP4 checkpoints quantize activations
    too (W8A8, NVFP4 W4A4); weight-only int4/int8 and 16-bit ones multiply 16-bit activations."""
    return 2.0 if precision in ("bf16", "fp16", "int8", "int4") else BYTES_PER_WEIGHT[precision]


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


ARCHITECTURE_NAMES = {"ampere": "Ampere", "ada": "Ada", "hopper": "Hopper", "blackwell": "Blackwell", "cdna3": "CDNA3", "cdna4": "CDNA4", "gaudi": "Gaudi"}


def precision_problem(gpu: GpuType, precision: str, what: str = "weights") -> str | None:
    if precision not in BYTES_PER_WEIGHT:
        return f"unknown precision `{precision}` (choose one of {', '.join(PRECISIONS)})"
    if precision == "fp8" and gpu.architecture not in FP8_ARCHITECTURES:
        return f"FP8 {what} need an Ada, Hopper, Blackwell, CDNA3 or CDNA4 GPU; {gpu.name} is {ARCHITECTURE_NAMES.get(gpu.architecture, gpu.architecture)}"
    if precision == "fp4" and gpu.architecture not in FP4_ARCHITECTURES:
        return (f"FP4 {what} need a Blackwell or CDNA4 GPU; {gpu.name} is {ARCHITECTURE_NAMES.get(gpu.architecture, gpu.architecture)}"
                + (" (MXFP4 checkpoints such as gpt-oss run weight-only there: use int4, the same 4.25 bits per weight)" if what == "weights" else ""))
    return None


# --- The step model -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Split:
    """How the tp GPUs of one pipeline stage share the work (MoE models may split attention and
    experts differently)."""

    attention_dp: int
    """Attention data-parallel groups within the stage (1 = attention tensor-parallel over all tp GPUs)."""
    ep: int
    """Expert-parallel degree: routed experts spread over ep GPUs, each expert split moe_tp = tp / ep ways."""

    def describe(self, tp: int) -> str:
        if self.ep == 1 and self.attention_dp == 1:
            return f"TP{tp}"
        attention = f"DP{self.attention_dp}" if self.attention_dp > 1 else f"TP{tp}"
        experts = f"EP{self.ep}" + (f" x TP{tp // self.ep}" if tp // self.ep > 1 else "") if self.ep > 1 else f"TP{tp}"
        return f"{attention} attention, experts {experts}"


@dataclass(frozen=True)
class _Deployment:
    """Everything about a (model, GPU, config) that does not depend on the concurrency."""

    model: OpenModel
    split: ParamSplit
    tp: int
    pp: int
    dp: int
    attention_dp: int
    ep: int
    precision: str
    input_tokens: int
    output_tokens: int
    weight_bytes_per_param: float
    kv_bytes_per_token_per_gpu: float
    """Per sequence-token, for the layers one GPU holds, at the average decode context, averaged
    over the attention data-parallel groups (a GPU holds 1 / attention_dp of the sequences)."""
    bandwidth_bytes_per_s: float
    matmul_flops_per_s: float
    attention_flops_per_s: float
    link_bytes_per_s: float | None
    all_to_all: bool
    """The GPUs share an NVLink fabric, over which MoE tokens travel by all-to-all (see `_moe_exchange_s`)."""
    attention_flops_per_pair_decode: float
    """FLOPs per (query token, cached token) pair, summed over heads and layers, whole model."""
    attention_flops_per_pair_prefill: float
    host_s_per_sequence: float
    """The runtime's scheduler CPU time per running sequence per step."""


def _allreduce_s(d: _Deployment, ranks: int, tokens: float) -> float:
    """Ring all-reduce of `tokens` hidden vectors (16-bit) over `ranks` GPUs."""
    if ranks <= 1:
        return 0.0
    seconds = ALLREDUCE_LATENCY_S
    if d.link_bytes_per_s:
        seconds += 2.0 * (ranks - 1) / ranks * tokens * d.model.hidden_size * 2.0 / d.link_bytes_per_s
    return seconds


def other_ranks_per_token(experts: int, experts_per_token: int, ranks: int) -> float:
    """Expected number of other GPUs holding at least one of a token's k experts, with the experts
    spread evenly over `ranks` GPUs. The engines' all-to-alls (DeepEP, TensorRT-LLM's, vLLM's and
    SGLang's) send a token once to each GPU it needs, however many of its experts sit there.
    Each other GPU holds none of the k with probability C(E - E/ranks, k) / C(E, k)."""
    if ranks <= 1 or experts <= 0:
        return 0.0
    per_rank = experts / ranks
    none_there = 1.0
    for i in range(min(experts_per_token, experts)):
        none_there *= max(experts - per_rank - i, 0.0) / (experts - i)
    return (ranks - 1) * (1.0 - none_there)


def _alltoall_s(d: _Deployment, ranks: int, tokens: float, bytes_per_value: float) -> float:
    """One all-to-all over `ranks` GPUs sending each of `tokens` hidden vectors once to every other
    GPU that holds one of its experts, `bytes_per_value` per element."""
    if ranks <= 1:
        return 0.0
    copies = other_ranks_per_token(d.split.experts, d.split.experts_per_token, ranks)
    return _send_s(d, tokens * copies, bytes_per_value)


def _send_s(d: _Deployment, vectors: float, bytes_per_value: float) -> float:
    """One collective in which each GPU sends `vectors` hidden vectors over its link, plus its latency."""
    seconds = ALLREDUCE_LATENCY_S
    if d.link_bytes_per_s:
        seconds += vectors * d.model.hidden_size * bytes_per_value / d.link_bytes_per_s
    return seconds


def _allgather_s(d: _Deployment, ranks: int, tokens: float, bytes_per_value: float) -> float:
    """Ring all-gather (or reduce-scatter, the same traffic) of `tokens` hidden vectors per GPU over
    `ranks` GPUs: each GPU receives the other ranks' tokens."""
    if ranks <= 1:
        return 0.0
    return _send_s(d, (ranks - 1) * tokens, bytes_per_value)


def _moe_exchange_s(d: _Deployment, tokens: float) -> float:
    """Attention data parallelism: moving each group's `tokens` to the experts and their outputs
    back, one MoE layer. Dispatch travels in the expert GEMMs' input precision (quantized before it
    is sent), the combine in 16-bit. Over NVLink, with each expert whole on one GPU, the engines'
    all-to-all kernels (DeepEP, TensorRT-LLM's NVLink all-to-all) send a token only to the GPUs that
    hold its experts. Without such a fabric, or with experts split over GPUs, every token is
    all-gathered to every GPU and the outputs reduce-scattered (vLLM's and SGLang's default,
    TensorRT-LLM's fallback)."""
    dispatch = gemm_input_bytes(d.precision)
    if d.all_to_all and d.ep == d.attention_dp:
        return _alltoall_s(d, d.ep, tokens, dispatch) + _alltoall_s(d, d.ep, tokens, 2.0)
    return _allgather_s(d, d.attention_dp, tokens, dispatch) + _allgather_s(d, d.attention_dp, tokens, 2.0)


def busiest_group_prefill_tokens(prefill_tokens: float, prompt_tokens: int, groups: int) -> float:
    """Prompt tokens of the busiest of `groups` attention data-parallel groups in one step.

    Each group prefills whole prompts (chunks of at most the step budget), which land unevenly;
    every MoE layer waits for the slowest group. Same expected-maximum rule as the experts' load."""
    if groups <= 1 or prefill_tokens <= 0:
        return prefill_tokens
    prompts = prefill_tokens / min(prompt_tokens, MAX_TOKENS_PER_STEP)
    return prefill_tokens / groups * load_imbalance(prompts, groups)


def load_imbalance(assignments: float, ranks: int) -> float:
    """Expected busiest-rank load over mean load when `assignments` units of work (token-to-expert
    routes, prompts) fall at random on `ranks` GPUs or groups: the busiest one sets the pace.
    Binomial loads, expected maximum about mean + sqrt(2 x variance x ln ranks)."""
    if ranks <= 1 or assignments <= 0:
        return 1.0
    mean = assignments / ranks
    return 1.0 + math.sqrt(2.0 * (1.0 - 1.0 / ranks) * math.log(ranks) / mean)


def _kernel(total: list[float], mem_s: float, cmp_s: float) -> None:
    """Add one kernel to [total, memory, compute]: about the longer of its memory and compute time,
    a little more where the two are close (a kernel near the ridge point overlaps its loads and its
    math imperfectly)."""
    p = ROOFLINE_SHARPNESS
    hi = max(mem_s, cmp_s)
    total[0] += hi * ((mem_s / hi) ** p + (cmp_s / hi) ** p) ** (1.0 / p) if hi > 0 else 0.0
    if mem_s >= cmp_s:
        total[1] += mem_s
    else:
        total[2] += cmp_s


def _step_seconds(d: _Deployment, decode_seqs: float, prefill_tokens: float) -> tuple[float, float, float, float]:
    """One engine step on one GPU of one pipeline stage: (seconds, memory-bound s, compute-bound s, host s).

    The step carries `decode_seqs` sequences generating one token each and `prefill_tokens` prompt
    tokens (chunked prefill rides along with decode), over the whole replica. Kernels run one after
    another, so their times add; each kernel takes the longer of its memory and its compute time.
    The scheduler's CPU work overlaps the GPU, all but HOST_EXPOSED_SHARE of the shorter of the two.
    """
    pp, tp, adp, ep = d.pp, d.tp, d.attention_dp, d.ep
    attn_tp = tp // adp
    split = d.split
    bw, mm = d.bandwidth_bytes_per_s, d.matmul_flops_per_s
    stage_tokens = (decode_seqs + prefill_tokens) / pp  # one microbatch of one stage
    # With attention data parallelism the group with the most prompt tokens sets the pace.
    rank_prefill = busiest_group_prefill_tokens(prefill_tokens / pp, d.input_tokens, adp)
    rank_tokens = decode_seqs / pp / adp + rank_prefill  # the tokens the busiest attention group works on
    acc = [0.0, 0.0, 0.0]
    # Dense linear layers (attention projections, dense MLPs, shared experts) and the LM head:
    # split over the attention TP group, replicated over attention data-parallel groups.
    # With pipeline parallelism the whole LM head sits on the last stage, which sets the pace; it
    # multiplies only that stage's microbatch of decode_seqs / pp tokens.
    dense_bytes = split.dense_linear * d.weight_bytes_per_param / (attn_tp * pp) + split.lm_head * 2.0 / attn_tp
    dense_flops = (2.0 * split.dense_linear * rank_tokens + 2.0 * split.lm_head * decode_seqs / adp) / (attn_tp * pp)
    _kernel(acc, dense_bytes / bw, dense_flops / mm)
    moe_layers_per_stage = split.moe_layers / pp
    if split.moe_layers:
        # Routed experts: every token of the stage meets the experts. Only the experts the batch
        # touches are read; small per-expert GEMMs run less efficiently; with expert parallelism the
        # busiest GPU sets the pace.
        k = split.experts_per_token
        touched = expected_experts_touched(split.experts, k, stage_tokens)
        exp_bytes = touched * split.routed_expert * moe_layers_per_stage * d.weight_bytes_per_param / tp
        imbalance = load_imbalance(stage_tokens * k, ep)
        # The busiest GPU multiplies imbalance x its share of the routed tokens, plus the padding of
        # each touched expert's rows to a tile (m rows per expert run at m / (m + half) efficiency): the
        # padding does not grow with the imbalance, so the time never falls as tokens rise.
        padded_rows = stage_tokens * k * imbalance + EXPERT_GEMM_HALF_EFFICIENCY_TOKENS * touched
        exp_flops = 2.0 * split.routed_expert * moe_layers_per_stage * padded_rows / tp
        _kernel(acc, exp_bytes / bw, exp_flops / mm)
        # Dispatch and combine: each routed copy of a token moves its hidden vector and the
        # expert's intermediate activations through memory (on the GPU that holds the expert).
        moe_tp = tp // ep
        inter = (d.model.moe_expert_intermediate_size or 0) / moe_tp
        per_copy = moe_dispatch_bytes_per_routed_copy(d.model.hidden_size, inter, d.precision)
        moe_act_s = moe_layers_per_stage * stage_tokens * k / ep * imbalance * per_copy / bw
        acc[0] += moe_act_s
        acc[1] += moe_act_s
    # Attention: decode reads each sequence's cache; prefill is quadratic in the prompt.
    context = d.input_tokens + d.output_tokens / 2.0
    kv_bytes = decode_seqs / pp * context * d.kv_bytes_per_token_per_gpu
    attn_flops = (decode_seqs * context * d.attention_flops_per_pair_decode
                  + rank_prefill * pp * adp * d.input_tokens / 2.0 * d.attention_flops_per_pair_prefill) / (tp * pp * pp)
    _kernel(acc, kv_bytes / bw, attn_flops / d.attention_flops_per_s)
    # Elementwise kernels (norms, residuals, RoPE, quantization): memory traffic of the activations.
    act_s = ACTIVATION_PASSES_PER_LAYER * stage_tokens * d.model.hidden_size * 2.0 * d.model.num_layers / (tp * pp) / bw
    acc[0] += act_s
    acc[1] += act_s
    # Communication. Attention TP: an all-reduce after attention and one after every MLP. MoE
    # layers with attention data parallelism: all-to-all dispatch and combine instead.
    layers_per_stage = d.model.num_layers / pp
    dense_layers_per_stage = layers_per_stage - moe_layers_per_stage
    comm = layers_per_stage * _allreduce_s(d, attn_tp, rank_tokens)
    comm += dense_layers_per_stage * _allreduce_s(d, attn_tp, rank_tokens)
    if split.moe_layers:
        if adp > 1:
            comm += moe_layers_per_stage * _moe_exchange_s(d, stage_tokens / adp)
        else:
            comm += moe_layers_per_stage * _allreduce_s(d, tp, rank_tokens)
    acc[0] += comm + layers_per_stage * LAYER_OVERHEAD_S
    host = d.host_s_per_sequence * decode_seqs / pp / adp
    return max(acc[0], host) + HOST_EXPOSED_SHARE * min(acc[0], host), acc[1], acc[2], host


@dataclass(frozen=True)
class _Point:
    concurrency: int
    output_tokens_per_s: float
    tpot_s: float
    ttft_s: float
    memory_s: float
    compute_s: float
    host_s: float
    gpu_s: float


def _evaluate(d: _Deployment, concurrency: int) -> _Point:
    """Steady state at `concurrency` sequences per replica (in-flight batching).

    On average each step carries `B x input/output` prompt tokens besides the B decode tokens,
    so output per second is B / step time (a pipeline of pp stages finishes B/pp sequences'
    tokens per stage step). TPOT is what a decoding sequence waits between tokens: the step with
    the others' prefill. TTFT: a step that also carries this request's whole prompt.
    """
    b = float(concurrency)
    ratio = d.input_tokens / d.output_tokens
    step_avg, mem_s, cmp_s, host_s = _step_seconds(d, b, b * ratio)
    stage_tokens_per_s = (b / d.pp) / step_avg
    out_per_s = stage_tokens_per_s * d.dp
    step_others = _step_seconds(d, b, (b - 1.0) * ratio)[0]
    step_first = _step_seconds(d, b, (b - 1.0) * ratio + d.input_tokens * d.pp)[0]
    gpu_s = mem_s + cmp_s
    return _Point(concurrency, out_per_s, step_others * d.pp, step_first * d.pp, mem_s, cmp_s, host_s, gpu_s)


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


def _candidate_splits(model: OpenModel, config: ServingConfig, tp: int) -> list[_Split]:
    """The ways to share a stage's tp GPUs that the engines offer, for the configuration asked.

    Dense models, or tp = 1: tensor parallel. MoE with an explicit tp and no ep (what a `TPn`
    benchmark header says): TP, or attention data-parallel with experts EP over the same n GPUs,
    which TensorRT-LLM counts in its tp size (`enable_attention_dp`); attention data-parallel for
    MLA, whose latent cannot be split by head. Otherwise the fastest of the choices left open is
    taken, as a throughput benchmark (or an operator) would. Attention data parallelism is a
    feature of the Python runtimes only (not of TensorRT-LLM's TensorRT engine flow).
    """
    if model.arch_type != "moe" or tp == 1 or not param_split(model).moe_layers:
        return [_Split(1, 1)]
    mla = model.attention == "mla"
    if config.ep is None and config.attention_dp is None:
        if config.tp is not None and mla:
            return [_Split(tp, tp)]
        data_parallel = [_Split(tp, tp)] if config.runtime == "python" else []
        if config.tp is not None:
            return [_Split(1, 1)] + data_parallel
        return [_Split(1, 1), _Split(1, tp)] + data_parallel
    eps = [config.ep] if config.ep is not None else [tp]
    adps = [tp if config.attention_dp else 1] if config.attention_dp is not None else [1, tp]
    return [_Split(a, e) for a in adps for e in eps]


def predict_model(model: OpenModel, gpu: GpuType, config: ServingConfig) -> ThroughputResult:
    """The physical model only (measurements ignored): what `tco bench accuracy` evaluates."""
    precision = config.precision
    kv_precision = config.kv_precision or default_kv_precision(precision)
    config = replace(config, kv_precision=kv_precision)
    problem = _config_problem(model, gpu, config)
    if problem:
        return not_runnable(problem, config)
    tp = config.tp or max(config.gpus // config.pp, 1)
    splits = _candidate_splits(model, config, tp)
    if len(splits) == 1:
        return _predict_split(model, gpu, config, tp, splits[0])
    # Several ways to split: the one with the best offline throughput, chosen once, whatever the
    # concurrency and latency targets (so that neither can switch the split and break the rule
    # that a tighter target never raises throughput, nor more concurrency lowers latency).
    offline = replace(config, concurrency=None, ttft_ms=None, tpot_ms=None)
    best, best_tps = splits[0], -1.0
    for split in splits:
        r = _predict_split(model, gpu, offline, tp, split)
        if r.runnable and r.output_tokens_per_s > best_tps * (1 + 1e-12):
            best, best_tps = split, r.output_tokens_per_s
    return _predict_split(model, gpu, config, tp, best)


def weights_bytes_per_gpu(model: OpenModel, precision: str, tp: int, pp: int, attention_dp: int = 1) -> float:
    """Weights on one GPU: routed experts over all tp x pp GPUs; the rest over the attention TP
    group (replicated across attention data-parallel groups)."""
    split = param_split(model)
    attn_tp = tp // attention_dp
    other = split.dense_linear * BYTES_PER_WEIGHT[precision] + (split.embedding + split.lm_head) * 2.0
    return split.routed_total * BYTES_PER_WEIGHT[precision] / (tp * pp) + other / (attn_tp * pp)


def _predict_split(model: OpenModel, gpu: GpuType, config: ServingConfig, tp: int, split: _Split) -> ThroughputResult:
    precision, kv_precision, pp = config.precision, config.kv_precision, config.pp
    dp = config.gpus // (tp * pp)
    config = replace(config, tp=tp)
    exploit = ENGINE_EXPLOITS_SLIDING_WINDOW.get(config.engine, False)
    seq_tokens = config.input_tokens + config.output_tokens
    kv_whole = kv_cache_bytes_per_token(model, kv_precision, seq_tokens, exploit)
    weights_per_gpu = weights_bytes_per_gpu(model, precision, tp, pp, split.attention_dp)
    memory_bytes = memory_bytes_of(gpu)
    attn_tp = tp // split.attention_dp
    activation_bytes = MAX_TOKENS_PER_STEP * (4.0 * model.hidden_size + 2.0 * _widest_mlp(model) / attn_tp) * 2.0
    kv_budget = (memory_bytes - weights_per_gpu - RUNTIME_RESERVE_BYTES - activation_bytes) * KV_CACHE_MEMORY_FRACTION
    if kv_budget <= 0:
        need = (weights_per_gpu + RUNTIME_RESERVE_BYTES + activation_bytes) / 1e9
        return not_runnable(
            f"weights need {weights_per_gpu / 1e9:.1f} GB per GPU ({need:.1f} GB with runtime buffers); "
            f"the {gpu.name} has {gpu.memory_gb:g} GB"
            + (f" ({memory_bytes / 1e9:.1f} x 10^9 bytes)" if memory_bytes != gpu.memory_gb * 1e9 else "")
            + " - use more GPUs or a smaller precision", config, weights_per_gpu / 1e9, kv_whole)
    kv_per_gpu_per_token = _kv_bytes_per_token_per_gpu(model, kv_whole, tp, pp, split.attention_dp)
    max_fits = int(kv_budget // (kv_per_gpu_per_token * seq_tokens)) if kv_per_gpu_per_token > 0 else 10**6
    if max_fits < 1:
        return not_runnable(
            f"one sequence of {seq_tokens:,} tokens needs {kv_per_gpu_per_token * seq_tokens * split.attention_dp / 1e9:.1f} GB of KV cache per GPU; "
            f"only {kv_budget / 1e9:.1f} GB are left after the weights", config, weights_per_gpu / 1e9, kv_whole)
    d = _deployment(model, gpu, config, tp, pp, dp, split, precision, kv_precision)
    if isinstance(d, str):
        return not_runnable(d, config, weights_per_gpu / 1e9, kv_whole)
    engine_cap = ENGINE_MAX_BATCH.get(config.engine, 1024) * split.attention_dp
    if STEP_TOKEN_BUDGET:
        # A step carries at most MAX_TOKENS_PER_STEP tokens (per attention group, per pipeline
        # microbatch): B decode tokens plus, in steady state, B x input/output prompt tokens.
        engine_cap = min(engine_cap, max(1, int(MAX_TOKENS_PER_STEP * split.attention_dp * pp
                                                 / (1.0 + config.input_tokens / config.output_tokens))))
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
        tp=tp, pp=pp, data_parallel_replicas=dp, precision=precision, kv_precision=kv_precision, engine=config.engine,
        runtime=config.runtime, parallelism=split.describe(tp) + (f" x PP{pp}" if pp > 1 else ""))


def _choose(d: _Deployment, config: ServingConfig, ceiling: int, max_fits: int, engine_cap: int) -> tuple[_Point | None, str]:
    """The concurrency to report: the one asked for, or the largest that meets the targets.

    Why the largest: every term of the step time is a constant plus a part that grows at most
    linearly with the batch (and the host time is linear too), so output per second never falls
    as concurrency rises, while TTFT and TPOT never fall either. The best point under latency
    targets is therefore the largest concurrency that meets them (found by bisection), and a
    tighter target can only lower it.
    """
    def meets(p: _Point) -> str | None:
        if config.ttft_ms is not None and p.ttft_s * 1e3 > config.ttft_ms:
            return "latency target (ttft)"
        if config.tpot_ms is not None and p.tpot_s * 1e3 > config.tpot_ms:
            return "latency target (tpot)"
        return None

    def regime(p: _Point) -> str:
        if p.host_s > p.gpu_s:
            return "host overhead"
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


def _kv_bytes_per_token_per_gpu(model: OpenModel, kv_whole: float, tp: int, pp: int, attention_dp: int = 1) -> float:
    """KV bytes per token of one sequence on the GPUs that hold it, averaged over the replica's
    sequences. GQA heads are split over the attention TP group (replicated when kv_heads < its
    size); the MLA latent cannot be split by head, so under attention TP every GPU keeps a copy.
    Attention data parallelism: each group keeps only its own sequences (1 / attention_dp)."""
    attn_tp = tp // attention_dp
    if model.attention == "mla":
        return kv_whole / pp / attention_dp
    kv_heads = model.num_kv_heads or model.num_attention_heads
    heads_per_gpu = math.ceil(kv_heads / attn_tp)
    return kv_whole * heads_per_gpu / kv_heads / pp / attention_dp


def _deployment(model, gpu, config, tp, pp, dp, split: _Split, precision, kv_precision) -> _Deployment | str:
    peak = peak_tflops(gpu, precision)
    if not peak:
        return f"no published {('BF16' if precision not in ('fp8', 'fp4') else precision.upper())} TFLOPS for {gpu.name}: the model cannot estimate its compute"
    if not gpu.memory_bandwidth_tb_per_s:
        return f"no published memory bandwidth for {gpu.name}: the model cannot estimate decode speed"
    matmul_share = generation_value(MATMUL_EFFICIENCY, gpu)
    matmul = peak * 1e12 * (FP4_MATMUL_EFFICIENCY if precision == "fp4" else matmul_share)
    attn_peak = gpu.dense_fp8_tflops if kv_precision == "fp8" and gpu.dense_fp8_tflops else gpu.dense_bf16_tflops
    attention = (attn_peak or peak) * 1e12 * matmul_share
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
    kv_avg = _kv_bytes_per_token_per_gpu(model, kv_cache_bytes_per_token(model, kv_precision, context, exploit), tp, pp, split.attention_dp)
    return _Deployment(
        model=model, split=param_split(model), tp=tp, pp=pp, dp=dp, attention_dp=split.attention_dp, ep=split.ep, precision=precision,
        input_tokens=config.input_tokens, output_tokens=config.output_tokens,
        weight_bytes_per_param=BYTES_PER_WEIGHT[precision], kv_bytes_per_token_per_gpu=kv_avg,
        bandwidth_bytes_per_s=gpu.memory_bandwidth_tb_per_s * 1e12 * generation_value(MEMORY_BANDWIDTH_EFFICIENCY, gpu),
        matmul_flops_per_s=matmul, attention_flops_per_s=attention, link_bytes_per_s=link, all_to_all=not _pcie_only(gpu),
        attention_flops_per_pair_decode=decode_pair * layers, attention_flops_per_pair_prefill=prefill_pair * layers,
        host_s_per_sequence=CPP_HOST_S_PER_SEQUENCE if config.runtime == "cpp" else HOST_S_PER_SEQUENCE)


def _link_bytes_per_s(gpu: GpuType) -> float:
    """Achieved all-reduce bandwidth: the catalog's interconnect figure (bidirectional, so halved)
    when it has one; PCIe x16 of the card's generation for PCIe cards; else the fitted NVLink
    figure of its generation."""
    if gpu.interconnect_gb_per_s:
        return gpu.interconnect_gb_per_s * 1e9 / 2.0 * LINK_EFFICIENCY
    if _pcie_only(gpu):
        pcie = PCIE_GENERATION.get(gpu.architecture, 4)
        return PCIE_GB_PER_S_PER_DIRECTION[pcie] * 1e9 * LINK_EFFICIENCY
    return generation_value(NVLINK_ALLREDUCE_BYTES_PER_S, gpu)


def _pcie_only(gpu: GpuType) -> bool:
    """PCIe cards (at most NVLink-bridged in pairs) and architectures without NVLink: no fabric that
    joins every GPU of a server."""
    return (gpu.form_factor or "").lower().startswith("pcie") or gpu.architecture in NO_NVLINK_ARCHITECTURES


def memory_bytes_of(gpu: GpuType) -> float:
    """Memory in bytes. HBM capacities are binary (stacks of 2^n-byte dies: an "80 GB" H100 has
    80 GiB), GDDR boards' marketed figure is decimal (an L40S has 48 x 10^9 bytes)."""
    binary = HBM_CAPACITY_IN_GIB and (gpu.memory_type or "").upper().startswith("HBM")
    return gpu.memory_gb * (2.0**30 if binary else 1e9)


def efficiency_generation(gpu: GpuType) -> str:
    """The generation whose fitted efficiencies a GPU may use (its own, or GENERATION_FALLBACK's)."""
    return gpu.architecture if gpu.architecture in GENERATIONS else GENERATION_FALLBACK


def generation_value(table: dict[str, float], gpu: GpuType) -> float:
    """A per-generation constant for a GPU: its generation's entry, else the shared one."""
    return table.get(efficiency_generation(gpu), table[GENERATION_FALLBACK])


def _config_problem(model: OpenModel, gpu: GpuType, config: ServingConfig) -> str | None:
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
