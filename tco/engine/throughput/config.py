"""What a throughput question is (ServingConfig), what it answers (ThroughputResult), the values
it may name, and the engines' documented defaults (not fitted).

Why the allowed values come from `tco.model.hardware`: the measurement schema, the scenario schema
and the engine must agree on them, so they are declared once, as the models' `Literal`s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import get_args

from tco.model.hardware import Engine, Precision, Runtime, SpecMethod

ENGINES: tuple[str, ...] = get_args(Engine)
"""Serving engines the model knows (the `Engine` Literal of tco.model.hardware)."""
RUNTIMES: tuple[str, ...] = get_args(Runtime)
"""How the engine drives the GPU. `python`: an executor loop in Python (TensorRT-LLM's PyTorch
backend, its default since 1.0; vLLM; SGLang). `cpp`: TensorRT-LLM's C++ executor over compiled
TensorRT engines (the TensorRT engine flow, its default before 1.0). They differ in the CPU time the
scheduler spends per running sequence (`FittedConstants.host_s_per_sequence`, `cpp_host_s_per_sequence`; the Python
loop's is `arm_host_slowdown` times longer on a Grace host: `deployment.host_s_per_sequence`)."""
SPEC_METHODS: tuple[str, ...] = get_args(SpecMethod)
"""Speculative decoding methods (the `SpecMethod` Literal of tco.model.hardware)."""
PERCENTILES: tuple[str, ...] = ("p50", "p90", "p99")
"""Which percentile of the requests a TTFT / TPOT target is met for (`ServingConfig.percentile`)."""
DEFAULT_ACCEPTANCE_LENGTH = {"mtp": 1.85}
"""Mean tokens a sequence emits per verification step with one drafted token, where a source gives one:
DeepSeek-V3 Technical Report (arXiv:2412.19437v1, 2024-12-27, section 5.4.3): the MTP module's second
token is accepted 85-90 % of the time (1 + 0.85, the low end). No default for EAGLE or draft models: it
depends on the draft and the data, so give `acceptance_length`."""
DRAFT_TOKENS = {"mtp": 1, "eagle": 1, "draft-model": 1}
"""Tokens drafted per step by default, verified together (1 + draft tokens per sequence in the verifying pass):
one, the draft that DEFAULT_ACCEPTANCE_LENGTH's source measured; more where the acceptance length asked for needs
them (`draft_tokens_of`), or as given (`ServingConfig.draft_tokens`: SGLang's --speculative-num-draft-tokens - 1
with top-k 1, TensorRT-LLM's num_nextn_predict_layers)."""
PRECISIONS: tuple[str, ...] = get_args(Precision)
"""Weight and KV cache precisions (the `Precision` Literal of tco.model.hardware)."""

# --- Engine behaviour (documented defaults of each engine, not fitted) -----------------------------
TRTLLM_MAX_BATCH_SIZE = 2048
"""TensorRT-LLM's BuildConfig max_batch_size default, per attention group (written into the model on 2026-11-27 from
its argument defaults, version not recorded; its wheel is not on this machine's package index)."""
VLLM_LARGE_GPU_BYTES = 70 * 2**30
"""vLLM sizes its defaults by the GPU (vLLM 0.33.0 wheel from PyPI, `vllm/engine/arg_utils.py`,
`EngineArgs.get_batch_defaults`, read 2026-12-05; 0.11.0's `_set_default_args`, read 2026-12-03, had the lower two
tiers only): with at least 160 GiB ("for GPUs like B200/B300 with >= 160GB memory, use the largest defaults") the
OpenAI API server gets max_num_seqs 1024 and max_num_batched_tokens 16384; with at least 70 GiB and not an A100
("Setting large `max_num_batched_tokens` for A100 reduces throughput, see PR #17885") 1024 and 8192; otherwise 256
and 2048 ("TODO(woosuk): Tune the default values for other hardware"). max_num_seqs is also at most
max_num_batched_tokens. Per engine instance (each data-parallel rank is one). Not modelled: the 256-token step of
its batched data-parallel MoE mode (`use_batched_dp_moe`)."""
VLLM_HUGE_GPU_BYTES = 160 * 2**30
VLLM_DEFAULTS_HUGE_GPU = (1024, 16384)
VLLM_DEFAULTS_LARGE_GPU = (1024, 8192)
VLLM_DEFAULTS_OTHER_GPU = (256, 2048)
"""(max_num_seqs, max_num_batched_tokens) of vLLM's API server (VLLM_HUGE_GPU_BYTES, VLLM_LARGE_GPU_BYTES)."""

DEQUANTIZING_MOE_TILE_ROWS = {"NVIDIA": 16.0, "AMD": 32.0}
"""The rows a touched expert's grouped GEMM pads to when its weights are in a format the GPU has no math for
(`gpu.weight_only`: gpt-oss's MXFP4 on Hopper, Ada, Ampere or CDNA3; int4 and int8 too), in place of the fitted
`FittedConstants.expert_gemm_half_efficiency_tokens` (59.7 rows, fitted on the native FP8 / FP4 / 16-bit grouped GEMMs
of the calibration rows: none runs weight-only). The dequantizing kernels size their tile to the tokens per expert.
vLLM 0.33.0 (the wheel from PyPI, read 2026-12-05) serves gpt-oss's MXFP4 experts on Hopper with OpenAI's Triton MoE
kernels (`fused_moe/oracle/mxfp4.py`, `_get_priority_backends_for_gpt_oss`: the first backend that runs on Hopper is
TRITON), whose vendored `third_party/triton_kernels/matmul_ogs_details/opt_flags.py` takes block_m = max(16,
min(next_power_of_2(tokens per expert), 128)) on NVIDIA GPUs and max(32, min(..., 64)) on AMD CDNA3 (where vLLM's
default leaves AITER off, `VLLM_ROCM_USE_AITER`; with it on, AITER's kernels come first and their tile is not read);
its Marlin MoE (the fallback, and the int4 / W8A16 path) picks 8 to 64 rows the same way
(`fused_moe/experts/marlin_moe.py`). So a decode step's one or two tokens per expert cost 16 (AMD 32) rows of math,
not a native kernel's 64-row tile. Other vendors keep the fitted figure."""

SGLANG_REQUEST_POOL = (2048, 4096, 512)
"""SGLang's running limit without --max-running-requests (sglang 0.5.5.post2 and 0.5.12 wheels from PyPI, read
2026-12-03): `model_runner.init_memory_pool` sizes the request pool min(max(KV tokens / context length x 512,
2048), 4096) (floor, ceiling, multiplier), and `tp_worker` runs at most min(KV tokens // 2, that pool) per
scheduler (one per attention data-parallel rank)."""
SGLANG_CHUNKED_PREFILL_BY_MEMORY = ((20 * 2**30, 2048), (35 * 2**30, 4096), (60 * 2**30, 4096), (90 * 2**30, 8192),
                                    (160 * 2**30, 8192), (math.inf, 16384))
"""SGLang's default chunked_prefill_size by GPU memory in bytes (below each bound; sglang 0.5.23 wheel from PyPI,
`srt/arg_groups/memory_hook.py`, `_handle_gpu_memory_settings`, read 2026-12-05: 2k below 20 GiB (T4, 4080), 4k below 60
GiB (A10, 4090, 5090; A100 40GB, L40), 8k below 160 GiB (H100, A100 80GB, H200), 16k above (B200, MI300); 0.5.5.post2
and 0.5.12, read 2026-12-03, gave 2k up to 35 GiB); with DP attention `_handle_data_parallelism` divides it by the DP
size (`srt/arg_groups/parallel_hook.py`), so the ranks share one chunk."""


def vllm_defaults(gpu_name: str, memory_bytes: float) -> tuple[int, int]:
    """vLLM's (max_num_seqs, max_num_batched_tokens) on this GPU (VLLM_HUGE_GPU_BYTES, VLLM_LARGE_GPU_BYTES)."""
    if memory_bytes >= VLLM_HUGE_GPU_BYTES:
        return VLLM_DEFAULTS_HUGE_GPU
    large = memory_bytes >= VLLM_LARGE_GPU_BYTES and "a100" not in gpu_name.lower()
    return VLLM_DEFAULTS_LARGE_GPU if large else VLLM_DEFAULTS_OTHER_GPU


def engine_step_budget(engine: str, gpu_name: str, memory_bytes: float, given: int | None = None) -> int:
    """The engine's step-budget setting, as its flag is written (`ServingConfig.step_tokens` if given): TensorRT-LLM
    max_num_tokens (MAX_TOKENS_PER_STEP), vLLM --max-num-batched-tokens (VLLM_LARGE_GPU_BYTES), SGLang
    --chunked-prefill-size (SGLANG_CHUNKED_PREFILL_BY_MEMORY)."""
    if given is not None:
        return given
    if engine == "vllm":
        return vllm_defaults(gpu_name, memory_bytes)[1]
    if engine == "sglang":
        return next(tokens for bound, tokens in SGLANG_CHUNKED_PREFILL_BY_MEMORY if memory_bytes < bound)
    return MAX_TOKENS_PER_STEP


def engine_step_tokens(engine: str, gpu_name: str, memory_bytes: float, attention_dp: int, given: int | None = None) -> int:
    """Tokens one step of one attention group carries at most (`engine_step_budget`): vLLM's and TensorRT-LLM's
    setting is per engine instance (each data-parallel rank); SGLang divides its chunk by the DP size with DP
    attention."""
    budget = engine_step_budget(engine, gpu_name, memory_bytes, given)
    return max(1, budget // attention_dp) if engine == "sglang" else budget


def engine_max_batch(engine: str, gpu_name: str, memory_bytes: float, attention_dp: int,
                     kv_tokens_per_group: float | None = None, context_tokens: int | None = None,
                     step_tokens: int | None = None) -> int:
    """The most sequences one replica runs at once by the engine's default (`ServingConfig.max_batch` replaces it):
    per attention group TensorRT-LLM 2048, vLLM 1024 or 256 (VLLM_LARGE_GPU_BYTES; at most its step budget,
    `step_tokens` if given), SGLang its request pool (SGLANG_REQUEST_POOL; its ceiling where the KV tokens or the
    context length are not known).

    Not assumed: SGLang's 48 with speculative decoding and no --max-running-requests ("Max running requests is reset
    to 48 for speculative decoding", `server_args.py`, sglang 0.5.5.post2 and 0.5.12). The published SGLang + MTP
    recipes set their own: InferenceX runs 64 requests on one SGLang server with MTP at median TTFTs of 0.15 and 0.42 s
    (H0709, H0714), where 48 would queue the rest for seconds; two MI355X FP4 rows at 64 requests do wait so (TTFT
    4.3 and 5.9 s against 4.5 and 6.0 s for 16 requests queued behind 48). Give `max_batch` 48 for an untuned
    SGLang server that speculates."""
    if engine == "vllm":
        seqs, step = vllm_defaults(gpu_name, memory_bytes)
        return min(seqs, step_tokens or step) * attention_dp
    if engine == "sglang":
        floor, ceiling, per_context = SGLANG_REQUEST_POOL
        if kv_tokens_per_group is None or not context_tokens:
            return ceiling * attention_dp
        pool = min(max(int(kv_tokens_per_group / context_tokens * per_context), floor), ceiling)
        return max(1, min(int(kv_tokens_per_group // 2), pool)) * attention_dp
    return TRTLLM_MAX_BATCH_SIZE * attention_dp


ENGINE_RUNTIMES = {"trtllm": ("python", "cpp"), "vllm": ("python",), "sglang": ("python",)}
"""The runtimes each engine has (RUNTIMES): `cpp` is TensorRT-LLM's C++ executor over compiled TensorRT engines;
vLLM and SGLang drive the GPU from a Python loop only."""


def runtime_problem(engine: str, runtime: str) -> str | None:
    """Why the engine cannot run the runtime (a message that follows the runtime's name), or None. Why refuse: `cpp`
    with vLLM or SGLang was taken, and the C++ executor's shorter host time made the answer up to 4 % faster for a
    runtime those engines do not have."""
    if runtime in RUNTIMES and runtime not in ENGINE_RUNTIMES.get(engine, RUNTIMES):
        return (f"{runtime} is TensorRT-LLM's C++ executor (its TensorRT engine flow), which {engine} does not have: "
                f"give python, or the engine trtllm")
    return None


ENGINE_EXPLOITS_SLIDING_WINDOW = {"trtllm": True, "vllm": True, "sglang": True}
"""All three keep only a window-sized cache for sliding-window layers (TensorRT-LLM variable sliding
window attention, vLLM's hybrid KV cache manager, SGLang's SWA memory pool)."""
ENGINE_OVERLAPS_HOST_WHEN_SPECULATING = {"trtllm": True, "vllm": True, "sglang": False}
"""Whether the engine still overlaps its scheduler's CPU work with the GPU under speculative decoding. SGLang turns its
overlap scheduler off for EAGLE / NEXTN (MTP) speculative decoding unless the beta SGLANG_ENABLE_SPEC_V2 is set
(sglang 0.5.5.post2, `sglang/srt/server_args.py`, `_handle_speculative_decoding`: "Overlap scheduler is disabled because
of using eagle3 or standalone speculative decoding"), so each step waits for all of its host time. From 0.5.11 the variable
defaults to True (`srt/environ.py`), yet the calibration rows that ran 0.5.12 with MTP fit the rule without the overlap
(docs/throughput.md, "The engines' current defaults"), so it is kept for every version. vLLM 0.33.0 (`config/vllm.py`,
read 2026-12-05) turns its asynchronous scheduling on by default, with EAGLE-family (MTP included) and draft-model
speculative decoding too (only the V1 model runner with other methods, or with pipeline parallelism, turns it off; V2
is the default where it supports the model's features). TensorRT-LLM: no source read, taken to overlap as it does
without speculation."""
ENGINE_FUSES_ALLREDUCE_NORM = {"trtllm": True, "vllm": False, "sglang": True}
"""Whether the engine fuses a tensor-parallel all-reduce with the residual add and RMSNorm that follow it (one kernel,
not two) for DeepSeek-V3-architecture models (MLA + MoE: DeepSeek-V3/R1, Kimi-K2) on data-centre Blackwell.
SGLang 0.5.5.post2 (`sglang/srt/server_args.py`): on SM100 (`is_sm100_supported`: compute capability 10.x, B200 /
GB200 / B300 / GB300) for DeepseekV3ForCausalLM it sets `enable_flashinfer_allreduce_fusion` "if not
self.enable_dp_attention and self.nnodes == 1"; `sglang/srt/layers/communicator.py` then fuses every decoder
layer's all-reduces but the last layer's into the next RMSNorm while the step holds at most
FUSE_ALLREDUCE_MAX_BATCH_SIZE = 2048 tokens (`should_fuse_mlp_allreduce_with_next_layer`). TensorRT-LLM: the
kernels SGLang calls are TensorRT-LLM's own, and TensorRT-LLM also has them over multi-node NVLink: FlashInfer
0.7.2.post1 (PyPI, read 2026-12-03) ports `trtllm_allreduce_fusion` with `AllReduceFusionPattern.kARResidualRMSNorm`
("Reference: trtllm, cpp/tensorrt_llm/kernels/communicationKernels/", `flashinfer/comm/trtllm_ar.py`) and
`trtllm_mnnvl_fused_allreduce_add_rmsnorm` ("MNNVL (Multi-Node NVLink) ... Allreduce + Residual + RMSNorm",
NVIDIA copyright, `flashinfer/comm/trtllm_mnnvl_ar.py`). That TensorRT-LLM's DeepSeek-V3 layers call them is read
from those kernels, not from TensorRT-LLM's model code (its wheel is not on this machine's package index); the same
2,048-token bound is kept for want of TensorRT-LLM's. vLLM 0.33.0 (wheel from PyPI, read 2026-12-05) fuses too: its
default optimisation level O2 turns on `fuse_allreduce_rms` (`config/vllm.py`, `enable_allreduce_rms_fusion`: tensor
parallelism over 2, 4 or 8 GPUs, or 16 over multi-node NVLink on 10.x; compute capability 9.0 or 10.x; FlashInfer
installed, a pinned dependency) for any model
(a compile pass that matches an all-reduce followed by an RMSNorm, `compilation/passes/fusion/allreduce_rms_fusion.py`),
up to a message size per GPU and group (H100 / H200: 64 MB over 2 GPUs, 2 MB over 4, 0.5 MB over 8, so 32 tokens of
Llama-3.3-70B at TP8). Not modelled: the saving is fitted on SGLang's and TensorRT-LLM's Blackwell rows, no calibration
row runs vLLM on an NVIDIA GPU to check it on Hopper, so vLLM at TP 2-8 on H100 / H200 / B200 at small batches is
taken slower than it runs (by up to 1.8 ms of a 12 ms step for Llama-3.3-70B FP8 at TP8 on H100, if the fitted saving
held there; `step.fused_allreduces`)."""
ENGINE_FUSION_ARCHITECTURES = {"sglang": ("deepseek-v3", "gpt-oss"), "trtllm": ("deepseek-v3",)}
"""The model architectures whose layers each engine fuses so (`deployment.fusion_architecture`). SGLang 0.5.5.post2
`server_args.py` also sets `enable_flashinfer_allreduce_fusion` for GptOssForCausalLM on Blackwell "if not
self.enable_dp_attention and self.nnodes == 1", and `models/gpt_oss.py` goes through the same `LayerCommunicator`
(`should_fuse_mlp_allreduce_with_next_layer`, the fused all-reduce before the post-attention norm) as DeepSeek's
layers (read 2026-12-03, wheel from PyPI). For TensorRT-LLM only the DeepSeek-V3 case is assumed (see above)."""
ENGINE_FUSION_REACH = {"sglang": "host", "trtllm": "fabric"}
"""How far the fused all-reduce reaches: SGLang's only on one host (`nnodes == 1`: a GB200 / GB300 compute tray of 4
GPUs), TensorRT-LLM's over the whole NVLink fabric (its multi-node NVLink kernel: the 72 GPUs of an NVL72 rack)."""
FUSED_ALLREDUCE_MAX_TOKENS = 2048
"""SGLang's FUSE_ALLREDUCE_MAX_BATCH_SIZE (sglang 0.5.5.post2 `layers/communicator.py`): above it the step
runs the plain all-reduce and the norm apart."""
STEP_TOKEN_BUDGET = True
"""Whether a step's tokens are capped at MAX_TOKENS_PER_STEP (as the engines do); off only to
measure what the cap changes in the fit."""
MAX_TOKENS_PER_STEP = 8192
"""Tokens one engine step processes at most (TensorRT-LLM max_num_tokens default 8192); sizes the
activation buffers that are subtracted from the KV cache budget."""


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
    fastest of the splits left open (see `parallel.candidate_splits`)."""
    precision: str = "fp8"
    kv_precision: str | None = None
    """None: FP8 and FP4 weights use an FP8 cache, others (and FP4 run weight-only) a 16-bit one (`default_kv_precision`)."""
    engine: str = "trtllm"
    concurrency: int | None = None
    """Sequences in flight; None = the best that fits in memory (and meets the latency targets)."""
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    step_tokens: int | None = None
    """The engine's step budget as its flag is written: vLLM --max-num-batched-tokens, SGLang --chunked-prefill-size
    (server-wide: divided over DP-attention ranks), TensorRT-LLM max_num_tokens. A prompt longer than it is prefilled
    in chunks of it. None = the engine's default for the GPU (`engine_step_budget`)."""
    max_batch: int | None = None
    """Sequences one replica (one engine instance, all its attention data-parallel ranks) runs at once: vLLM
    --max-num-seqs (times --data-parallel-size), SGLang --max-running-requests, TensorRT-LLM max_batch_size (times the
    attention data-parallel ranks). Requests beyond it wait for a slot before their prefill. Disaggregated: per decode
    worker. None = the engine's default (`running_limit`)."""
    request_latency_ms: float | None = None
    """What a request spends outside the engine's steps before its first token (the client, the HTTP frontend or
    router, tokenizing, admission, streaming the token back), as measured for the deployment's own stack. None = the
    fitted `FittedConstants.request_latency_s`, InferenceX's harness and frontends (68 ms); a plain vLLM server measured
    0-35 ms more than its prefill (docs/throughput.md, "The request latency on runs outside InferenceX")."""
    runtime: str = "python"
    """`python` (TensorRT-LLM 1.0+, vLLM, SGLang) or `cpp` (TensorRT-LLM's TensorRT engine flow): see RUNTIMES."""
    prefix_hit_rate: float = 0.0
    """Share of each prompt's tokens whose KV cache is found cached (automatic prefix caching, RadixAttention,
    KV reuse) and not computed again. 0 = no prefix caching."""
    prefix_shared: bool = True
    """True: the cached prefix is one prompt common to all sequences (its KV held once per attention group);
    False: each sequence's own history (an agent's resent context), held with the sequence."""
    spec_method: str = "none"
    """Speculative decoding: none, mtp, eagle, draft-model (SPEC_METHODS)."""
    acceptance_length: float | None = None
    """Mean tokens a sequence emits per verification step (1 < a <= 1 + drafted tokens); None = the
    method's sourced default (DEFAULT_ACCEPTANCE_LENGTH)."""
    draft_tokens: int | None = None
    """Tokens drafted per step (a chain, each by one layer-sized head run on one token per sequence), all verified in
    one pass; None = the fewest that give the acceptance length, at least DRAFT_TOKENS (`draft_tokens_of`)."""
    disaggregated: bool | None = False
    """Separate prefill and decode GPUs with the KV cache sent between them; None = whichever is cheaper
    (more output tokens/s per GPU at the targets)."""
    prefill_gpus: int | None = None
    """Disaggregated: GPUs of the prefill side (None = chosen); `gpus` - prefill_gpus decode."""
    prefill_tp: int | None = None
    """Disaggregated: GPUs of one prefill worker (tensor-parallel group); None = the decode side's tp."""
    prefill_ep: int | None = None
    prefill_attention_dp: bool | None = None
    percentile: str = "p50"
    """Percentile of the requests the TTFT / TPOT targets must hold for (p50, p90, p99)."""
    decode_only: bool = False
    """Internal: the decode side of a disaggregated replica (prompts are prefilled elsewhere)."""
    queued_at_once: bool = False
    """Internal (`predict_offline_run`): the `concurrency` requests were all queued at once, so every one is in the
    engine's steps from the start and none spends time outside them (no closed loop)."""


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
    """memory bandwidth | compute | host overhead | kv cache capacity | max batch | latency target (ttft) | latency
    target (tpot) | prefill capacity | offered load ..."""
    basis: str
    """measurement | interpolation | model."""
    weights_gb_per_gpu: float
    """Weights on each GPU, decimal GB (10^9 bytes)."""
    kv_cache_bytes_per_token: float
    """KV cache of one token of one sequence, whole model (all layers, all GPUs)."""
    kv_cache_gb_per_gpu: float = 0.0
    """Memory left for the KV cache on each GPU, decimal GB (10^9 bytes)."""
    tp: int = 1
    pp: int = 1
    data_parallel_replicas: int = 1
    precision: str = ""
    kv_precision: str = ""
    engine: str = ""
    runtime: str = ""
    measurement_ids: tuple[str, ...] = ()
    model_output_tokens_per_s: float | None = None
    """The physical model's own figure when measurements replaced or scaled it (model vs measured)."""
    calibration_scale: float | None = None
    """With --calibrate: measured / model at the deployment's measurements, applied to the model here."""
    """The measurements the figure comes from when basis is not `model`."""
    parallelism: str = ""
    """How the GPUs of a replica share the work, e.g. `TP8` or `DP8 attention, EP8`."""
    ttft_p90_ms: float = 0.0
    ttft_p99_ms: float = 0.0
    tpot_p90_ms: float = 0.0
    prefix_hit_rate: float = 0.0
    spec_method: str = "none"
    acceptance_length: float = 1.0
    draft_tokens: int = 0
    disaggregated: bool = False
    prefill_gpus: int = 0
    decode_gpus: int = 0
    attention_dp: bool = False
    ep: int = 1
    """Expert-parallel degree of the split answered (1: experts not spread; dense models). With `attention_dp` it names
    the split, so that one group of a multi-replica answer can be asked again as the same split (`predict`)."""
    max_batch: int | None = None
    """The most sequences a replica (disaggregated: a decode worker) could run at once: as given or the engine's default
    limit (`running_limit`); None where the model could not run it."""
    step_tokens: int | None = None
    """The step budget it ran with, as the engine's flag is written: as given or the engine's default
    (`engine_step_budget`)."""
    request_latency_ms: float | None = None
    """The time outside the engine's steps in every TTFT: as given (`ServingConfig.request_latency_ms`) or fitted."""


def not_runnable(reason: str, config: ServingConfig, weights_gb_per_gpu: float = 0.0, kv_bytes: float = 0.0) -> ThroughputResult:
    return ThroughputResult(
        runnable=False, reason=reason, output_tokens_per_s=0.0, output_tokens_per_s_per_gpu=0.0,
        requests_per_s=0.0, ttft_ms=math.inf, tpot_ms=math.inf, concurrency=0, max_concurrency_fits=0,
        limited_by="", basis="model", weights_gb_per_gpu=weights_gb_per_gpu, kv_cache_bytes_per_token=kv_bytes,
        tp=config.tp or 0, pp=config.pp, precision=config.precision, kv_precision=config.kv_precision or "", engine=config.engine,
        runtime=config.runtime, ttft_p90_ms=math.inf, ttft_p99_ms=math.inf, tpot_p90_ms=math.inf, spec_method=config.spec_method, prefix_hit_rate=config.prefix_hit_rate,
        disaggregated=bool(config.disaggregated))


def default_kv_precision(precision: str, weight_only: bool = False) -> str:
    """FP8 and FP4 checkpoints come with an FP8 cache (TensorRT-LLM sets it for FP8 builds; the
    ModelOpt FP4 checkpoints quantize the cache to FP8); weight-only int4/int8 keep a 16-bit cache, and so
    does FP4 run weight-only on a GPU without FP4 math (`gpu.weight_only`: gpt-oss's MXFP4 checkpoint on Hopper,
    whose cache vLLM keeps in the model's 16 bits, `--kv-cache-dtype auto`)."""
    if weight_only:
        return "bf16"
    return "fp8" if precision in ("fp8", "fp4") else ("fp16" if precision == "fp16" else "bf16")


MAX_DRAFT_TOKENS = 15
"""At most this many tokens drafted per step (an acceptance length of at most 16, the scenario's bound)."""
MAX_ACCEPTANCE_LENGTH = 1.0 + MAX_DRAFT_TOKENS
"""The largest acceptance length asked (tokens per verification step): every drafted token accepted."""
MAX_GPUS = 1_000_000
"""The most GPUs a replica may name: several times the largest clusters built (a few hundred thousand GPUs), and few
enough that the splits of a replica can be listed (`parallel.tensor_parallel_options` tries every group that divides it)."""
MAX_CONCURRENCY = 10_000_000
"""The most requests in flight a question may name: far beyond what a replica's memory holds (the rest queue), and
small enough that the queue's arithmetic stays in floating point (a 400-digit concurrency overflowed it)."""


def draft_tokens_of(config: ServingConfig) -> int:
    """Tokens drafted per step: 0 without speculative decoding; as given; else the method's default, or more where the
    acceptance length asked for needs them (a mean of a accepted tokens needs at least a - 1 drafted: EAGLE-3 at
    3.5 drafts 3)."""
    if config.spec_method == "none":
        return 0
    if config.draft_tokens is not None:
        return config.draft_tokens
    default = DRAFT_TOKENS.get(config.spec_method, 1)
    accepted = config.acceptance_length or DEFAULT_ACCEPTANCE_LENGTH.get(config.spec_method) or 1.0
    return max(default, math.ceil(accepted - 1.0 - 1e-9))


def running_limit(config: ServingConfig, attention_dp: int, gpu_name: str, memory_bytes: float,
                  kv_tokens_per_group: float | None = None, context_tokens: int | None = None) -> int:
    """The most sequences one replica runs at once: as given (`ServingConfig.max_batch`), else the engine's default
    (`engine_max_batch`)."""
    if config.max_batch is not None:
        return config.max_batch
    return engine_max_batch(config.engine, gpu_name, memory_bytes, attention_dp, kv_tokens_per_group, context_tokens,
                            config.step_tokens)
