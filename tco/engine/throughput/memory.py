"""What sits in GPU memory: weights, the KV cache, and how many sequences fit.

Pure arithmetic on the architecture; no fitted constant. Units are in the names; bytes are plain floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tco.model.hardware import GpuType, OpenModel

BYTES_PER_WEIGHT = {
    "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0,
    "fp4": 0.5 + 1.0 / 16,    # NVFP4: 4-bit values plus one FP8 scale per block of 16
    "int4": 0.5 + 4.0 / 128,  # AWQ/GPTQ: 4-bit values plus an FP16 scale and zero point per group of 128
}
"""Stored bytes per parameter of the quantized linear layers (embeddings and LM head stay 16-bit)."""

BYTES_PER_KV_ELEMENT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5 + 1.0 / 16, "int4": 0.5 + 4.0 / 128}

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
GDDR boards' marketed figure is decimal (an L40S has 48 x 10^9 bytes). So `GpuType.memory_gb` is
read as GiB for HBM parts (see `memory_bytes_of`); off only to measure what that changes in the fit."""


def memory_bytes_of(gpu: GpuType) -> float:
    """Memory in bytes: what the driver reports (`memory_reported_mib`) where the catalog has it, else from the
    marketed figure `memory_gb`: GiB for HBM (stacks of 2^n-byte dies: an "80 GB" H100 has 80 GiB), decimal GB for
    GDDR boards (an L40S has 48 x 10^9 bytes)."""
    if gpu.memory_reported_mib:
        return gpu.memory_reported_mib * 2.0**20
    binary = HBM_CAPACITY_IN_GIB and (gpu.memory_type or "").upper().startswith("HBM")
    return gpu.memory_gb * (2.0**30 if binary else 1e9)


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


def dense_precision(model: OpenModel, precision: str) -> str:
    """The format of the dense linear layers (attention, dense MLPs, shared experts) when the routed experts are in
    `precision`: the same, except in a checkpoint that quantizes only its experts (`OpenModel.experts_only_precision`),
    whose dense layers stay 16-bit."""
    return "bf16" if model.experts_only_precision is not None and precision == model.experts_only_precision else precision


def released_precision(model: OpenModel) -> str | None:
    """The precision the published checkpoint is served at: the one it quantizes its experts to where it quantizes only
    those (gpt-oss: fp4, its MXFP4 experts), else its native precision where that is a weight precision of the catalog;
    None where the catalog names neither."""
    if model.experts_only_precision in BYTES_PER_WEIGHT:
        return model.experts_only_precision
    return model.native_precision if model.native_precision in BYTES_PER_WEIGHT else None


def weight_bytes(model: OpenModel, precision: str) -> float:
    """Whole-model weights in memory: quantized linear layers, 16-bit embedding and LM head.

    MoE: every expert is resident, whatever the number active per token.
    """
    split = param_split(model)
    dense = split.dense_linear * BYTES_PER_WEIGHT[dense_precision(model, precision)]
    return split.routed_total * BYTES_PER_WEIGHT[precision] + dense + (split.embedding + split.lm_head) * 2.0


def weights_bytes_per_gpu(model: OpenModel, precision: str, tp: int, pp: int, attention_dp: int = 1) -> float:
    """Weights on one GPU: routed experts over all tp x pp GPUs; the rest over the attention TP
    group (replicated across attention data-parallel groups)."""
    split = param_split(model)
    attn_tp = tp // attention_dp
    other = split.dense_linear * BYTES_PER_WEIGHT[dense_precision(model, precision)] + (split.embedding + split.lm_head) * 2.0
    return split.routed_total * BYTES_PER_WEIGHT[precision] / (tp * pp) + other / (attn_tp * pp)


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


def kv_bytes_per_token_per_gpu(model: OpenModel, kv_whole: float, tp: int, pp: int, attention_dp: int = 1) -> float:
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


def widest_mlp(model: OpenModel) -> int:
    return max(model.ffn_intermediate_size or 0, (model.moe_expert_intermediate_size or 0) * (model.experts_per_token or 1), model.hidden_size)


def activation_buffer_bytes(model: OpenModel, attn_tp: int, step_tokens: int) -> float:
    """Activation buffers an engine keeps for a full step of `step_tokens` tokens (16-bit):
    subtracted from the KV cache budget."""
    return step_tokens * (4.0 * model.hidden_size + 2.0 * widest_mlp(model) / attn_tp) * 2.0


def kv_cache_budget_bytes(memory_bytes: float, weights_per_gpu: float, activation_bytes: float) -> float:
    """Memory per GPU that becomes KV cache: what weights, the runtime reserve and the activation
    buffers leave, times the engine's KV_CACHE_MEMORY_FRACTION (<= 0: the weights do not fit)."""
    return (memory_bytes - weights_per_gpu - RUNTIME_RESERVE_BYTES - activation_bytes) * KV_CACHE_MEMORY_FRACTION


def gemm_input_bytes(precision: str) -> float:
    """Bytes per activation element fed to the GEMMs: FP8 and FP4 checkpoints quantize activations
    too (W8A8, NVFP4 W4A4); weight-only int4/int8 and 16-bit ones multiply 16-bit activations."""
    return 2.0 if precision in ("bf16", "fp16", "int8", "int4") else BYTES_PER_WEIGHT[precision]


def moe_dispatch_bytes_per_routed_copy(hidden: int, intermediate: float, precision: str) -> float:
    """Memory traffic of one token's visit to one routed expert, outside the weight reads (fused
    MoE kernels as in TensorRT-LLM's CUTLASS MoE, vLLM's fused_moe, SGLang's): the permuted copy of
    the hidden vector written and read in the GEMM input precision, the intermediate written after
    the fused SwiGLU and read by the down GEMM, the 16-bit down output written and read by the
    weighted combine. Counted from the architecture, not fitted.

    Only 16-bit experts have SwiGLU fused into the gate/up GEMM; quantized ones write its 2 x intermediate outputs in
    16 bits for a separate kernel (8 x intermediate bytes more). Counted, that made the hold-outs worse, so it is not:
    docs/throughput.md, "The quantized MoE kernels do not fuse SwiGLU"."""
    activation_bytes = gemm_input_bytes(precision)
    return 2.0 * hidden * activation_bytes + 2.0 * intermediate * activation_bytes + 4.0 * hidden
