"""Everything about a (model, GPU, configuration, split) that does not depend on the concurrency:
the rates and sizes the step model reads, with the fitted constants already applied."""

from __future__ import annotations

from dataclasses import dataclass

from tco.engine.throughput.config import (DEFAULT_ACCEPTANCE_LENGTH, DEQUANTIZING_MOE_TILE_ROWS, ENGINE_EXPLOITS_SLIDING_WINDOW,
                                          ENGINE_FUSES_ALLREDUCE_NORM, ENGINE_FUSION_ARCHITECTURES, ENGINE_FUSION_REACH, ENGINE_OVERLAPS_HOST_WHEN_SPECULATING, MAX_TOKENS_PER_STEP,
                                          ServingConfig, draft_tokens_of, engine_step_tokens)
from tco.engine.throughput.fitted import FittedConstants
from tco.engine.throughput.gpu import (arm_hosted, host_gpus, link_bytes_per_s, math_precision, pcie_only, peak_tflops,
                                      scale_up_gpus, vendor_compute_share)
from tco.engine.throughput.memory import (BYTES_PER_WEIGHT, ParamSplit, dense_precision, kv_bytes_per_token_per_gpu,
                                          kv_cache_bytes_per_token, memory_bytes_of, param_split)
from tco.engine.throughput.parallel import Split
from tco.model.hardware import GpuType, OpenModel

MLA_HEAD_DIM = 128
"""qk_nope_head_dim and v_head_dim of DeepSeek-V3 and Kimi-K2 (models.csv attention_notes): the MLA
prefill attention width when the catalog gives no head_dim."""


@dataclass(frozen=True)
class Deployment:
    """Everything about a (model, GPU, config) that does not depend on the concurrency."""

    model: OpenModel
    split: ParamSplit
    tp: int
    pp: int
    dp: int
    attention_dp: int
    ep: int
    precision: str
    """The weights' format (their bytes per parameter)."""
    input_tokens: int
    output_tokens: int
    weight_bytes_per_param: float
    """Of the routed experts, and of every linear layer but where the checkpoint quantizes only its experts."""
    dense_weight_bytes_per_param: float
    """Of the dense linear layers (attention, dense MLPs, shared experts): `memory.dense_precision`."""
    kv_bytes_per_token_per_gpu: float
    """Per sequence-token, for the layers one GPU holds, at the average decode context, averaged
    over the attention data-parallel groups (a GPU holds 1 / attention_dp of the sequences)."""
    bandwidth_bytes_per_s: float
    matmul_flops_per_s: float
    dense_matmul_flops_per_s: float
    """The dense linear layers' GEMM rate: `matmul_flops_per_s`, or the 16-bit rate where they stay 16-bit."""
    lm_head_flops_per_s: float
    """The LM head's GEMM rate: 16-bit math whatever the weights' format, as the quantized checkpoints keep the LM head
    in 16 bits (NVIDIA ModelOpt leaves it out by default; docs/throughput.md, "The LM head computes in 16 bits")."""
    attention_flops_per_s: float
    """Decode attention's rate: the cache's precision (FP8 math on an FP8 cache where the GPU has it)."""
    prefill_attention_flops_per_s: float
    """Prompt attention's rate: as decode, except MLA, whose prompt attention runs in 16 bits on keys and values
    up-projected from the latent (see `build_deployment`)."""
    link_bytes_per_s: float | None
    all_to_all: bool
    """The GPUs share an NVLink fabric, over which MoE tokens travel by all-to-all (see `collectives.moe_exchange_s`)."""
    attention_flops_per_pair_decode: float
    """FLOPs per (query token, cached token) pair, summed over heads and layers, whole model."""
    attention_flops_per_pair_prefill: float
    host_s_per_sequence: float
    """The runtime's scheduler CPU time per running sequence per step."""
    constants: FittedConstants
    """The fitted constants the step model reads (latencies, overheads, the roofline's sharpness)."""
    step_tokens: int = MAX_TOKENS_PER_STEP
    """Tokens one step of one attention group carries at most (the engine's default for this GPU:
    `config.engine_step_tokens`); a prompt longer than it is prefilled in chunks of it."""
    prefill_tokens_per_request: float = 0.0
    """Prompt tokens a request computes: the input minus its cached prefix (0 on a decode-only side)."""
    prefill_context_per_token: float = 0.0
    """Cached tokens each computed prompt token attends to on average: the cached prefix plus half the rest."""
    tokens_per_decode_seq: float = 1.0
    """Tokens each decoding sequence puts through the model per step: 1, or 1 + drafted tokens when verifying."""
    acceptance_length: float = 1.0
    """Output tokens a sequence gains per step (speculative decoding: the mean accepted, bonus included)."""
    first_token_here: bool = True
    """The replica's steps give a request its first token, in the step that carries its prompt (False: a decode-only
    side, whose requests come with it)."""
    draft_layer_equivalents: float = 0.0
    """Drafting cost per step, in layers of the target run on one token per sequence (MTP / EAGLE: one
    layer-sized head per drafted token)."""
    spans_nodes: bool = False
    """The tensor/expert-parallel group is wider than one NVLink / Infinity Fabric domain: its collectives
    cross the scale-out network (and pay `FittedConstants.scale_out_latency_s` more each)."""
    node_link_bytes_per_s: float | None = None
    """When the group spans nodes: the link inside a node (NVLink / Infinity Fabric), over which a hierarchical
    all-reduce reduces and gathers before and after the scale-out step (`collectives.allreduce_s`)."""
    node_gpus: int = 8
    """GPUs one fast fabric joins (`gpu.scale_up_gpus`)."""
    host_overlapped: bool = True
    """The scheduler's CPU work overlaps the GPU's (all but `FittedConstants.host_exposed_share` of the shorter); False:
    the step waits for all of it (SGLang under speculative decoding: `config.ENGINE_OVERLAPS_HOST_WHEN_SPECULATING`)."""
    gemm_precision: str = ""
    """The precision the GEMMs compute in and take their activations in: the weights' own, or 16-bit where they run
    weight-only (`gpu.weight_only`); "" = the weights'."""
    expert_tile_rows: float | None = None
    """The rows each touched expert's grouped GEMM pads to where the kernels dequantize the weights
    (`config.DEQUANTIZING_MOE_TILE_ROWS`); None: the fitted `expert_gemm_half_efficiency_tokens` (native kernels)."""
    fuses_allreduce_norm: bool = False
    """The engine fuses each tensor-parallel all-reduce with the residual add and RMSNorm after it (SGLang on one host,
    TensorRT-LLM over the NVLink fabric; DeepSeek-V3 architecture, data-centre Blackwell, no attention data parallelism:
    `fuses_allreduce_norm`, `config.ENGINE_FUSES_ALLREDUCE_NORM`)."""

    @property
    def computes_in(self) -> str:
        """The precision of the GEMMs' math and of the activations fed to them (`gemm_precision`)."""
        return self.gemm_precision or self.precision

    @property
    def steps_per_request(self) -> float:
        """Steps a request spends in the batch: where the replica prefills, its prompt's step, which gives one token
        (the first), then (output - 1) / acceptance_length; on a decode-only side output / acceptance_length, as
        before. Without speculative decoding both are the output. Why not output / acceptance_length everywhere: a
        prompt's step gives one token, not an accepted run, so short outputs finished in under a step (gpt-oss-120b
        with MTP, one output token: 1.85 completions per sequence per step, and Little's law read 342 requests in
        flight for 247)."""
        if self.first_token_here:
            return 1.0 + (self.output_tokens - 1.0) / self.acceptance_length
        return self.output_tokens / self.acceptance_length

    @property
    def expert_padding_rows(self) -> float:
        """Rows of math a touched expert costs beyond its tokens' (`expert_tile_rows`, else the fitted figure)."""
        return self.constants.expert_gemm_half_efficiency_tokens if self.expert_tile_rows is None else self.expert_tile_rows


def build_deployment(model: OpenModel, gpu: GpuType, config: ServingConfig, tp: int, pp: int, dp: int, split: Split,
                     precision: str, kv_precision: str, constants: FittedConstants) -> Deployment | str:
    """The deployment, or why the model cannot estimate it (a missing catalog figure)."""
    peak = peak_tflops(gpu, precision)
    if not peak:
        shown = math_precision(gpu, precision)
        return f"no published {('BF16' if shown not in ('fp8', 'fp4') else shown.upper())} TFLOPS for {gpu.name}: the model cannot estimate its compute"
    if not gpu.memory_bandwidth_tb_per_s:
        return f"no published memory bandwidth for {gpu.name}: the model cannot estimate decode speed"
    # Other vendors' kernels reach another share of the peak than the NVIDIA ones the shares were fitted on
    vendor_share = vendor_compute_share(gpu)
    matmul_share = constants.matmul_efficiency.for_gpu(gpu) * vendor_share
    computes_in = math_precision(gpu, precision)
    matmul = peak * 1e12 * (constants.fp4_matmul_efficiency * vendor_share if computes_in == "fp4" else matmul_share)
    sixteen_bit_matmul = (gpu.dense_bf16_tflops or peak) * 1e12 * matmul_share
    dense_format = dense_precision(model, precision)
    dense_matmul = matmul if dense_format == precision else sixteen_bit_matmul
    # An FP4 (NVFP4) cache is dequantized to FP8 for attention (TensorRT-LLM on Blackwell): its math runs at the FP8
    # rate, as an FP8 cache's does, while it reads its own 4-bit bytes (`kv_avg` below)
    attn_peak = gpu.dense_fp8_tflops if kv_precision in ("fp8", "fp4") and gpu.dense_fp8_tflops else gpu.dense_bf16_tflops
    attention = (attn_peak or peak) * 1e12 * matmul_share
    # MLA prompts attend in 16 bits whatever the cache's precision: the cache holds the compressed latent, and a
    # prompt's per-head keys and values are made from it by a GEMM (kv_b_proj) whose output is 16-bit.
    prefill_attention = (gpu.dense_bf16_tflops or peak) * 1e12 * matmul_share if model.attention == "mla" else attention
    if model.attention == "mla":
        latent = float((model.mla_kv_lora_rank or 0) + (model.mla_qk_rope_head_dim or 0))
        decode_pair = model.num_attention_heads * (2.0 * latent + 2.0 * (model.mla_kv_lora_rank or 0))
        head = model.head_dim or MLA_HEAD_DIM
        prefill_pair = model.num_attention_heads * (2.0 * (head + (model.mla_qk_rope_head_dim or 0)) + 2.0 * head)
    else:
        head = model.head_dim or model.hidden_size // model.num_attention_heads
        decode_pair = prefill_pair = model.num_attention_heads * 4.0 * head
    layers = model.num_layers
    link = node_link = link_bytes_per_s(gpu, constants)
    if tp > scale_up_gpus(gpu):
        # The group spans nodes: its collectives run at the scale-out network's pace.
        link = min(link, constants.scale_out_bytes_per_s) if link else constants.scale_out_bytes_per_s
    context = config.input_tokens + config.output_tokens / 2.0
    exploit = ENGINE_EXPLOITS_SLIDING_WINDOW.get(config.engine, False)
    kv_avg = kv_bytes_per_token_per_gpu(model, kv_cache_bytes_per_token(model, kv_precision, context, exploit), tp, pp, split.attention_dp)
    return Deployment(
        model=model, split=param_split(model), tp=tp, pp=pp, dp=dp, attention_dp=split.attention_dp, ep=split.ep, precision=precision,
        gemm_precision=computes_in, expert_tile_rows=dequantizing_tile_rows(gpu, precision, computes_in),
        input_tokens=config.input_tokens, output_tokens=config.output_tokens,
        weight_bytes_per_param=BYTES_PER_WEIGHT[precision], dense_weight_bytes_per_param=BYTES_PER_WEIGHT[dense_format],
        kv_bytes_per_token_per_gpu=kv_avg,
        bandwidth_bytes_per_s=gpu.memory_bandwidth_tb_per_s * 1e12 * constants.memory_bandwidth_efficiency.for_gpu(gpu),
        matmul_flops_per_s=matmul, dense_matmul_flops_per_s=dense_matmul, lm_head_flops_per_s=sixteen_bit_matmul, attention_flops_per_s=attention, prefill_attention_flops_per_s=prefill_attention, link_bytes_per_s=link, all_to_all=not pcie_only(gpu),
        attention_flops_per_pair_decode=decode_pair * layers, attention_flops_per_pair_prefill=prefill_pair * layers,
        host_s_per_sequence=host_s_per_sequence(gpu, config, constants),
        constants=constants,
        step_tokens=engine_step_tokens(config.engine, gpu.name, memory_bytes_of(gpu), split.attention_dp, config.step_tokens),
        prefill_tokens_per_request=0.0 if config.decode_only else config.input_tokens * (1.0 - config.prefix_hit_rate),
        prefill_context_per_token=config.input_tokens * (config.prefix_hit_rate + (1.0 - config.prefix_hit_rate) / 2.0),
        tokens_per_decode_seq=1.0 + draft_tokens_of(config), first_token_here=not config.decode_only,
        acceptance_length=acceptance_length_of(config),
        draft_layer_equivalents=float(draft_tokens_of(config)),
        spans_nodes=tp > scale_up_gpus(gpu), node_link_bytes_per_s=node_link, node_gpus=scale_up_gpus(gpu),
        host_overlapped=config.spec_method == "none" or ENGINE_OVERLAPS_HOST_WHEN_SPECULATING.get(config.engine, True),
        fuses_allreduce_norm=fuses_allreduce_norm(model, gpu, config.engine, tp, split.attention_dp))


def dequantizing_tile_rows(gpu: GpuType, precision: str, computes_in: str) -> float | None:
    """The expert tile of kernels that dequantize stored-small weights to 16-bit math (`config.DEQUANTIZING_MOE_TILE_ROWS`),
    None where the GEMMs run natively (16-bit weights, FP8 / FP4 on GPUs with that math) or the vendor's kernels are not read."""
    if BYTES_PER_WEIGHT[precision] >= 2 or computes_in in ("fp8", "fp4"):
        return None
    return DEQUANTIZING_MOE_TILE_ROWS.get(gpu.vendor)


def fusion_architecture(model: OpenModel) -> str | None:
    """The architecture an engine's all-reduce fusion is written for (`config.ENGINE_FUSION_ARCHITECTURES`), or None:
    `deepseek-v3` for MLA attention with routed experts (DeepSeek-V3/R1, Kimi-K2: DeepseekV3ForCausalLM), `gpt-oss` for
    OpenAI's gpt-oss checkpoints (GptOssForCausalLM, known by their Hugging Face repository)."""
    if model.attention == "mla" and model.arch_type == "moe":
        return "deepseek-v3"
    if (model.hf_repo or "").startswith("openai/gpt-oss"):
        return "gpt-oss"
    return None


def fuses_allreduce_norm(model: OpenModel, gpu: GpuType, engine: str, tp: int, attention_dp: int) -> bool:
    """The engine's all-reduce + RMSNorm fusion applies (`config.ENGINE_FUSES_ALLREDUCE_NORM`): a model of an
    architecture the engine fuses (`fusion_architecture`: DeepSeek-V3 on both, gpt-oss on SGLang), a data-centre Blackwell GPU (compute capability 10.x: the catalog's
    Blackwell parts but the PCIe RTX PRO cards, 12.0), tensor-parallel attention (no attention data parallelism) over
    more than one GPU, all within the fusion's reach (`config.ENGINE_FUSION_REACH`: SGLang one host, `gpu.host_gpus`;
    TensorRT-LLM the NVLink fabric, `gpu.scale_up_gpus`)."""
    reach = scale_up_gpus(gpu) if ENGINE_FUSION_REACH.get(engine) == "fabric" else host_gpus(gpu)
    return (ENGINE_FUSES_ALLREDUCE_NORM.get(engine, False) and fusion_architecture(model) in ENGINE_FUSION_ARCHITECTURES.get(engine, ())
            and gpu.architecture == "blackwell" and not pcie_only(gpu) and attention_dp == 1 and 1 < tp <= reach)


def host_s_per_sequence(gpu: GpuType, config: ServingConfig, constants: FittedConstants) -> float:
    """CPU time of the engine's scheduler loop per running sequence per step: the C++ executor's, or the Python
    loop's, longer on a Grace (Arm) host (`FittedConstants.arm_host_slowdown`)."""
    if config.runtime == "cpp":
        return constants.cpp_host_s_per_sequence
    return constants.host_s_per_sequence * (constants.arm_host_slowdown if arm_hosted(gpu) else 1.0)


def acceptance_length_of(config: ServingConfig) -> float:
    """Output tokens per sequence per step: 1 without speculative decoding, else the given or sourced mean."""
    if config.spec_method == "none":
        return 1.0
    return config.acceptance_length or DEFAULT_ACCEPTANCE_LENGTH[config.spec_method]
