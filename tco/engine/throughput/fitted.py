"""The fitted efficiency constants: one frozen value, passed to the model.

Why a value and not module globals: the fitter (`python -m tco.bench.fit_throughput`) tries
thousands of candidate sets; with globals it had to rewrite the module under the model's feet
(`setattr`), and a test or a second caller could never hold two sets at once. Now the fitter
builds `FittedConstants` values and returns one; `predict(..., constants=...)` takes it, and
`FITTED` is the set shipped with the tool. docs/throughput.md's table of constants is generated
from `FITTED` (`python -m tco.report.throughput_doc`).

Fitted by `python -m tco.bench.fit_throughput` on the bundled calibration measurements (TensorRT-LLM
v0.17 and v1.0 perf overviews, 631 rows), model only, from round starting values: minimise the
median + 0.5 x P90 of the absolute log error. Each is a physical quantity; some are per GPU
generation (Ampere, Ada, Hopper, Blackwell), two tell platforms apart (a Grace host CPU, an AMD GPU's
kernels), none is per model, per GPU type or per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from tco.model.hardware import GpuType

GENERATION_FALLBACK = "shared"
"""The value of a `PerGeneration` constant fitted on every GPU together (one value for all
generations, fitted first; a generation's own value then starts from it). A generation without its
own entry (CDNA3 and Gaudi have no calibration rows) uses it: see `PerGeneration.for_gpu`."""


@dataclass(frozen=True)
class PerGeneration:
    """A constant that may have its own value per GPU generation, and a shared one for the rest."""

    shared: float
    ampere: float | None = None
    ada: float | None = None
    hopper: float | None = None
    blackwell: float | None = None

    def get(self, generation: str) -> float:
        """The generation's own value, else the shared one."""
        own = getattr(self, generation, None) if generation in GENERATIONS else None
        return self.shared if own is None else own

    def for_gpu(self, gpu: GpuType) -> float:
        return self.get(efficiency_generation(gpu))

    def entries(self) -> dict[str, float]:
        """The values set, by generation (and `shared`), in declaration order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


GENERATIONS: tuple[str, ...] = tuple(f.name for f in fields(PerGeneration) if f.name != GENERATION_FALLBACK)
"""GPU generations that can have their own fitted efficiencies (each has calibration rows)."""


def efficiency_generation(gpu: GpuType) -> str:
    """The generation whose fitted efficiencies a GPU may use (its own, or GENERATION_FALLBACK's)."""
    return gpu.architecture if gpu.architecture in GENERATIONS else GENERATION_FALLBACK


def _doc(meaning: str, unit: str = "share") -> dict:
    """Field metadata: the short meaning and the display unit docs/throughput.md's table shows."""
    return {"meaning": meaning, "unit": unit}


@dataclass(frozen=True)
class FittedConstants:
    """The throughput model's fitted efficiencies (every field a physical quantity; docstrings say
    which, metadata gives the one-line meaning and the unit of the generated docs table)."""

    memory_bandwidth_efficiency: PerGeneration = field(metadata=_doc(
        "achieved share of peak memory bandwidth streaming weights and KV cache"))
    """Achieved fraction of peak memory bandwidth for streaming weights and KV cache. Per generation
    it can have its own entry (`fit_throughput --per-generation all`); fitted per generation, the
    entries did not predict held-out GPUs better (docs/throughput.md), so only the shared one is kept."""
    matmul_efficiency: PerGeneration = field(metadata=_doc(
        "achieved share of the dense BF16/FP8 tensor peak (large GEMMs, attention)"))
    """Achieved fraction of the dense BF16/FP8 tensor-core peak for large GEMMs and attention; shared by
    every generation, for the same reason."""
    fp4_matmul_efficiency: float = field(metadata=_doc(
        "achieved share of the dense FP4 peak (Blackwell NVFP4 GEMMs)"))
    """Achieved fraction of the dense FP4 peak for large NVFP4 GEMMs (Blackwell): lower than the BF16/FP8
    share, because block-scale handling and activation quantization do not speed up with the doubled
    FP4 tensor rate."""
    nvlink_allreduce_bytes_per_s: PerGeneration = field(metadata=_doc(
        "achieved all-reduce bus bandwidth of GPUs with no measured one (AMD Infinity Fabric, Intel Gaudi)", "bytes/s"))
    """Achieved all-reduce bus bandwidth of the GPUs that have neither a measured all-reduce figure, nor an
    interconnect figure, nor an NVIDIA NVLink generation (`gpu.link_bytes_per_s`): AMD Infinity Fabric and Intel
    Gaudi, one `shared` value. Until 2026-12-04 NVLink had fitted per-generation values here (Ampere 143, Hopper 288,
    Blackwell 444 GB/s), 1.23-1.25x what the engines' all-reduce kernels are measured to reach; NVIDIA GPUs now use
    the measured figures (`measured_allreduce_bus_gb_per_s` in hardware/gpus.yaml)."""
    roofline_sharpness: float = field(metadata=_doc(
        "p of the soft roofline `(mem^p + compute^p)^(1/p)`", "number"))
    """How sharply a kernel's time switches between its memory and its compute time: the time is
    (mem^p + compute^p)^(1/p). Infinite would be the ideal roofline (the longer of the two); 1 would be
    no overlap at all. Kernels near the ridge point overlap loads and math imperfectly (pipeline
    stages, tile-level waits), which the fitted value says is the case for the engines measured."""
    expert_gemm_half_efficiency_tokens: float = field(metadata=_doc(
        "tokens per expert at which a grouped GEMM runs at half efficiency (bounded 16-64: a tile)", "tokens"))
    """Tokens per expert at which a grouped expert GEMM reaches half its large-GEMM efficiency: the rows of math a
    touched expert costs beyond its tokens'. Fitted on native kernels; the dequantizing ones (weights the GPU has no
    math for) pad to their own, smaller tile (`config.DEQUANTIZING_MOE_TILE_ROWS`)."""
    activation_passes_per_layer: float = field(metadata=_doc(
        "hidden-vector passes through memory per layer per token", "number"))
    """Times each token's hidden vector crosses memory per layer outside the GEMMs (norms, residuals,
    RoPE, activation quantization; MoE dispatch and combine repeat it for each of the k experts)."""
    layer_overhead_s: float = field(metadata=_doc(
        "fixed time per layer per step (launches, synchronisation, routing)", "s"))
    """Fixed time per layer per engine step (kernel launches, synchronisation, norms, routing)."""
    allreduce_latency_s: float = field(metadata=_doc(
        "fixed latency of one all-reduce (and of an all-gather or all-to-all over 8 GPUs)", "s"))
    """Fixed latency of one tensor-parallel all-reduce, and of an all-gather or all-to-all over 8 GPUs; those
    grow with log2 of their group (`collectives.exchange_latency_s`: a barrier over the group)."""
    link_efficiency: float = field(metadata=_doc(
        "achieved share of a PCIe link (or of a catalog interconnect figure) in an all-reduce"))
    """Achieved all-reduce bus bandwidth as a fraction of the per-direction link bandwidth."""
    host_s_per_sequence: float = field(metadata=_doc(
        "CPU time of a Python executor loop per running sequence per step (runtime `python`)", "s"))
    """CPU time of a Python executor loop (runtime `python`) per running sequence per step
    (bookkeeping, sampling, detokenization). It only shows for small-active-parameter models at large
    batch, where the GPU step is short."""
    cpp_host_s_per_sequence: float = field(metadata=_doc(
        "the same for TensorRT-LLM's C++ executor (runtime `cpp`, the v0.17 rows)", "s"))
    """The same for TensorRT-LLM's C++ executor (runtime `cpp`). Fitted apart so that the calibration
    rows of the older TensorRT engine flow do not pull the figure of today's Python runtimes down."""
    host_exposed_share: float = field(metadata=_doc(
        "share of the shorter of GPU and host time a step still waits for"))
    """Share of the shorter of GPU and host time a step still waits for. The engines overlap the
    scheduler's CPU work with the GPU (TensorRT-LLM's overlap scheduler, vLLM V1 async scheduling,
    SGLang's overlap scheduler), but not all of it: a step's results must reach the host before the
    sequences it finished can be replaced. The step takes max(GPU, host) + share x min(GPU, host):
    0 would be a perfect overlap, 1 none."""

    gemm_activation_bytes: float = field(default=0.0, metadata=_doc(
        "bytes a GEMM moves per activation value (inputs read, outputs written), which sets its shape efficiency", "bytes"))
    """GEMM efficiency depends on the matrix shape: a GEMM whose narrower weight dimension (per GPU) is n runs at
    n / (n + a R / 2) of the large-GEMM share, a this value and R the GPU's matmul rate over its memory bandwidth
    in the GEMM's precision (both at the fitted shares): each activation value moved serves only 2 n FLOPs
    (`step.gemm_half_efficiency_width`). Small hidden sizes, small experts and experts split by tensor parallelism
    reach less of the peak, and the more so the faster the math against the memory. Between the 1 byte of an FP8
    input and the 2 of a 16-bit output. 0 = no shape effect."""
    scale_out_bytes_per_s: float = field(default=40e9, metadata=_doc(
        "achieved per-GPU bandwidth between nodes (InfiniBand / RoCE) for groups larger than a node", "bytes/s"))
    """Achieved per-GPU bandwidth of the scale-out network (one 400 Gb/s NIC per GPU on current clusters) when a
    tensor- or expert-parallel group spans more GPUs than one NVLink / Infinity Fabric domain joins."""
    scale_out_latency_s: float = field(default=2e-05, metadata=_doc(
        "latency a collective adds when its group spans nodes (NIC, PCIe and switch hops)", "s"))
    """A tensor- or expert-parallel group wider than one NVLink / Infinity Fabric domain synchronises over the
    scale-out network (InfiniBand / RoCE): each of its collectives waits for the NICs, the PCIe hops to them and
    the switches, on top of the latency inside a node. Fitted on the InferenceX rows (the only groups wider than
    a node in the calibration data: H100 SXM TP16 over two nodes)."""
    request_latency_s: float = field(default=0.02, metadata=_doc(
        "fixed time from a request's arrival to its first token outside the GPU steps (HTTP, tokenizer, scheduler)", "s"))
    """What a client-measured TTFT adds to the engine's steps: the HTTP server, tokenization, admission into
    the next step and streaming the first token back. Fitted on the InferenceX TTFTs only."""
    fused_allreduce_saving_s: float = field(default=0.0, metadata=_doc(
        "time an all-reduce fused with the next residual add + RMSNorm saves (one kernel fewer; SGLang, TensorRT-LLM on Blackwell)", "s"))
    """What fusing a tensor-parallel all-reduce with the residual add and RMSNorm after it saves per all-reduce at
    decode batch sizes: the norm kernel's launch and its own pass, now done inside the all-reduce kernel
    (`config.ENGINE_FUSES_ALLREDUCE_NORM`). At most the all-reduce's latency. Fitted on the InferenceX rows alone,
    when the only rows with the fusion were Dynamo + SGLang on GB200 / GB300 (tensor-parallel workers of 2-4 GPUs);
    the Dynamo + TensorRT-LLM rows that fuse since 2026-12-03 use it as fitted (not refitted)."""
    arm_host_slowdown: float = field(default=1.0, metadata=_doc(
        "times longer a Python executor's CPU work per sequence takes on a Grace (Arm) host than on x86", "number"))
    """How many times `host_s_per_sequence` a Python executor loop takes per running sequence on a Grace-hosted GPU
    (`gpu.ARM_HOSTED_GPUS`: GB200, GB300, GH200) against the x86 hosts of the other rows. Why: in the TensorRT-LLM
    v1.0 tables the same runs on GB200 and B200 (one GPU, FP4) give GB200 1.03-1.18x B200's tokens/s for dense models
    (its datasheet peaks are 1.11x), but 0.61-0.92x for the small-active-parameter MoEs (Qwen3-30B-A3B, Llama-4
    Scout) at short and medium lengths, where the step is short and the host's per-sequence work sets the pace: a
    slower host, not a slower GPU. Fitted (no source gives the two CPUs' speed on this loop); 1 = no difference. The
    C++ executor (runtime `cpp`, the GH200 v0.17 rows) is not scaled: its rows fit worse with it."""
    kv_handoff_s: float = field(default=0.05, metadata=_doc(
        "fixed time to hand a prefilled request to a decode worker (disaggregated serving)", "s"))
    """Disaggregated prefill/decode: the router, the KV transfer set-up (NIXL, Mooncake, MoRI) and the decode
    worker's admission, on top of the bytes sent. Fitted on the InferenceX TTFTs at 1-8 requests in flight only:
    fitted on every row it grew to stand in for the queueing of the saturated rows (0.22 s, where MI355X's
    measured TTFT at one request disaggregated, SGLang + MoRI P8/D8, exceeds SGLang aggregated TP8 at four by 50-70 ms)."""


FITTED = FittedConstants(
    memory_bandwidth_efficiency=PerGeneration(shared=0.8284),
    matmul_efficiency=PerGeneration(shared=0.6096),
    fp4_matmul_efficiency=0.4917,
    nvlink_allreduce_bytes_per_s=PerGeneration(shared=3.068e+11),
    roofline_sharpness=1.456,
    expert_gemm_half_efficiency_tokens=59.73,
    activation_passes_per_layer=9.412,
    layer_overhead_s=3.369e-05,
    allreduce_latency_s=3.817e-05,
    link_efficiency=0.4768,
    host_s_per_sequence=3.126e-05,
    cpp_host_s_per_sequence=7.121e-06,
    host_exposed_share=0.4346,
    gemm_activation_bytes=1.498,
    scale_out_bytes_per_s=1.185e+10,
    scale_out_latency_s=7.858e-05,
    request_latency_s=0.06836,
    fused_allreduce_saving_s=1.164e-05,
    arm_host_slowdown=1.5,
    kv_handoff_s=0.1083,
)
"""The constants shipped with the tool (`python -m tco.bench.fit_throughput`, 2026-11-28, per
generation: the NVLink bandwidths only; 2026-12-02, `--serving`: the GEMM shape, the scale-out network,
the request and KV handoff latencies, the all-reduce and per-layer latencies refitted on both sources;
2026-12-02, `--serving --parameters scale_out_latency_s --rounds 4`: the scale-out latency alone, the others
as they were; 2026-12-02, `--serving --parameters kv_handoff_s request_latency_s --ttft-max-concurrency 8 --rounds 4`:
the two fixed latencies on the TTFTs of 1-8 requests in flight, where no queue hides them; only the handoff
moved, 0.2202 -> 0.1083 s; 2026-12-02, `--serving --parameters gemm_activation_bytes --ttft-max-concurrency 8 --rounds 4`:
the GEMM shape re-expressed from a width to activation bytes over the ridge point, 1.163 (the old 252.8 columns at an
H100's FP8 ridge) -> 1.498; 2026-12-02, `--serving --parameters fused_allreduce_saving_s --ttft-max-concurrency 8
--rounds 4`: the new saving of SGLang's fused all-reduce + RMSNorm alone, from 10 us to 11.64 us; 2026-12-03,
`--serving --parameters arm_host_slowdown --ttft-max-concurrency 8 --rounds 4`: the Grace host's slowdown alone, from 1
(none) to 1.5; then `--serving --parameters amd_compute_share --ttft-max-concurrency 8 --rounds 4`: AMD's compute share
alone, from 1 (as NVIDIA) to 0.7761, replaced on 2026-12-04 by the share the measured matmul ceilings give,
`gpu.vendor_compute_share`, 0.7793 on the MI355X, fitted on no row); 2026-12-04, NVIDIA's NVLink all-reduce bandwidths
measured instead of fitted (`gpu.link_bytes_per_s`), then `--serving --parameters allreduce_latency_s layer_overhead_s
activation_passes_per_layer roofline_sharpness host_exposed_share "nvlink_allreduce_bytes_per_s.*" --ttft-max-concurrency
8 --rounds 4`: the constants fitted with the old links, refitted with the measured ones (activation passes 18.19 ->
9.412, roofline sharpness 1.384 -> 1.456, per-layer time 35.44 -> 33.69 us, exposed host share 0.481 -> 0.4346, the
other vendors' link 322.7 -> 306.8 GB/s; the all-reduce latency stayed); 2026-12-04, the LM head's GEMM moved to the
16-bit rate with no constant refitted (a refit of the compute shares around it, `--serving --parameters
"matmul_efficiency.*" fp4_matmul_efficiency gemm_activation_bytes roofline_sharpness "memory_bandwidth_efficiency.*"
host_s_per_sequence --ttft-max-concurrency 8 --rounds 4`, improved the objective only 1.0286 -> 1.0263 and made the
serving hold-outs worse: docs/throughput.md, "The LM head computes in 16 bits"). Every prediction uses them unless
given others."""
