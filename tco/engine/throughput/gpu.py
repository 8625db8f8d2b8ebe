"""What a GPU type offers the model: which precisions run natively, its tensor peak, its links."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tco.engine.throughput.config import PRECISIONS
from tco.engine.throughput.fitted import FittedConstants
from tco.engine.throughput.memory import BYTES_PER_WEIGHT, kv_cache_bytes_per_token, memory_bytes_of
from tco.model.hardware import GpuType, OpenModel

FP8_ARCHITECTURES = frozenset({"ada", "hopper", "blackwell", "cdna3", "cdna4", "gaudi"})
"""FP8 tensor cores: NVIDIA Ada/Hopper/Blackwell, AMD CDNA3/CDNA4, Intel Gaudi 3 (gpus.csv lists its FP8 TFLOPS)."""
FP4_ARCHITECTURES = frozenset({"blackwell", "cdna4"})
"""FP4 (NVFP4/MXFP4) tensor cores: NVIDIA Blackwell, AMD CDNA4 (MI350 series, MXFP4)."""
ARCHITECTURE_NAMES = {"ampere": "Ampere", "ada": "Ada", "hopper": "Hopper", "blackwell": "Blackwell", "cdna3": "CDNA3", "cdna4": "CDNA4", "gaudi": "Gaudi"}
"""How messages name each `Architecture` of tco.model.hardware."""

PCIE_GB_PER_S_PER_DIRECTION = {4: 31.5, 5: 63.0}
"""PCIe x16 per direction, by PCIe generation (4.0: 16 GT/s, 5.0: 32 GT/s, x 16 lanes, 128b/130b):
used for PCIe cards when the catalog gives no interconnect figure."""
NO_NVLINK_ARCHITECTURES = frozenset({"ada"})
"""No Ada part has NVLink (L4, L40, L40S are PCIe cards): their GPUs talk over PCIe."""
PCIE_GENERATION = {"ampere": 4, "ada": 4, "hopper": 5, "blackwell": 5}
"""PCIe generation of each GPU generation's PCIe cards (A100 PCIe and L40S are Gen4 cards; H100
PCIe and RTX PRO 6000 Blackwell are Gen5, as the catalog notes of the RTX PRO 6000 say)."""

NVIDIA_MATMUL_SHARE_OF_PEAK = 0.8033
"""The share of the BF16 datasheet peak that NVIDIA GPUs' matmuls reach, measured: the median of the catalog's seven
NVIDIA GPUs with a measured matmul ceiling (stas00's MAMF sweeps, `measured_matmul_bf16_tflops` in hardware/gpus.yaml,
from ../shared/data/specs/gpus.csv; read 2026-12-04): GB200 0.729, B200 0.776, B300 0.786, H100 SXM 0.803 (794.5 of 989), A100 PCIe
0.811, GH200 0.838, A100 SXM 0.869. The compute shares of FITTED were fitted on NVIDIA GPUs; this is the share their
kernels reach, against which another vendor's is measured (`vendor_compute_share`)."""


def vendor_compute_share(gpu: GpuType) -> float:
    """How much of the compute rate the fitted shares give an NVIDIA GPU this GPU's kernels reach, from measured matmul
    ceilings: its own (BF16 measured / BF16 peak) over NVIDIA's (NVIDIA_MATMUL_SHARE_OF_PEAK); 1 for NVIDIA GPUs.

    Why: the TensorRT-LLM tables the shares were fitted on are all NVIDIA, and AMD's matmuls reach less of their
    peak (MI355X 1,565 of 2,500 BF16 TFLOPS, 0.626: 0.779 of NVIDIA's share; MI300X 0.640, MI325X 0.752; Intel Gaudi
    3 0.843). A published measurement, not a fit: fitted alone on the 176 InferenceX MI355X rows (2026-12-03) the same
    factor came out at 0.776. It multiplies every GEMM and attention rate (FP8 and FP4 too: no AMD ceiling is
    published for them). A non-NVIDIA GPU without a measured ceiling keeps 1 (MI350X has one derived from MI355X's by the
    clock ratio, as are its peaks: the same silicon reaches the same share of peak)."""
    measured, peak = gpu.measured_matmul_bf16_tflops, gpu.dense_bf16_tflops
    if gpu.vendor == "NVIDIA" or not measured or not peak:
        return 1.0
    return measured / peak / NVIDIA_MATMUL_SHARE_OF_PEAK


def weight_only(gpu: GpuType, precision: str) -> bool:
    """Weights in a format the GPU has no tensor-core math for, FP4 before Blackwell / CDNA4 or FP8 before Ada /
    Hopper / CDNA3: dequantized to 16 bits inside the GEMM kernels and multiplied with 16-bit activations, as int4 is
    (vLLM serves gpt-oss's MXFP4 checkpoint on Hopper so, with Marlin / Triton MXFP4 kernels, W4A16, and FP8
    checkpoints on Ampere with Marlin's W8A16). The weights keep their bytes in memory; the math is 16-bit."""
    return ((precision == "fp4" and gpu.architecture not in FP4_ARCHITECTURES)
            or (precision == "fp8" and gpu.architecture not in FP8_ARCHITECTURES))


def math_precision(gpu: GpuType, precision: str) -> str:
    """The precision a GEMM of `precision` weights computes in on this GPU."""
    return "bf16" if weight_only(gpu, precision) else precision


def peak_tflops(gpu: GpuType, precision: str) -> float | None:
    """The tensor-core peak a precision's GEMMs run at (weight-only int4/int8, and weights the GPU has no math for,
    `weight_only`, compute in 16-bit)."""
    precision = math_precision(gpu, precision)
    if precision == "fp4":
        return gpu.dense_fp4_tflops
    if precision == "fp8":
        return gpu.dense_fp8_tflops
    return gpu.dense_bf16_tflops


def precision_problem(gpu: GpuType, precision: str, what: str = "weights") -> str | None:
    if precision not in BYTES_PER_WEIGHT:
        return f"unknown precision `{precision}` (choose one of {', '.join(PRECISIONS)})"
    if what == "weights":
        return None  # a format without native math runs weight-only (`weight_only`)
    # a cache is read by attention kernels, which have no dequantizing path for it (`what` is then "KV cache": "needs")
    if precision == "fp8" and gpu.architecture not in FP8_ARCHITECTURES:
        return f"FP8 {what} needs an Ada, Hopper, Blackwell, CDNA3 or CDNA4 GPU; {gpu.name} is {ARCHITECTURE_NAMES.get(gpu.architecture, gpu.architecture)}"
    if precision == "fp4" and gpu.architecture not in FP4_ARCHITECTURES:
        return f"FP4 {what} needs a Blackwell or CDNA4 GPU; {gpu.name} is {ARCHITECTURE_NAMES.get(gpu.architecture, gpu.architecture)}"
    return None


def pcie_only(gpu: GpuType) -> bool:
    """PCIe cards (at most NVLink-bridged in pairs) and architectures without NVLink: no fabric that
    joins every GPU of a server."""
    return (gpu.form_factor or "").lower().startswith("pcie") or gpu.architecture in NO_NVLINK_ARCHITECTURES


NVLINK_GENERATION_ALLREDUCE_GB_PER_S = {"ampere": 113.8, "hopper": 234.2, "blackwell": 361.4}
"""The measured all-reduce bus bandwidth of each NVLink generation's 8-GPU HGX part (`measured_allreduce_bus_gb_per_s`
of A100 SXM 80GB, H100 SXM and B200 in hardware/gpus.yaml; aiconfigurator-core 0.12.0's tables, read 2026-12-04): the
figure an NVLink GPU of that generation without its own measurement gets (A100 40GB, H800, GH200). An estimate for
those: H800's NVLink is cut to 400 GB/s, so it runs slower than this."""


def link_bytes_per_s(gpu: GpuType, constants: FittedConstants) -> float:
    """Achieved all-reduce bandwidth: the measured all-reduce bus bandwidth where the catalog has one; the
    catalog's interconnect figure (bidirectional, so halved) when it has one; PCIe x16 of the card's generation
    for PCIe cards; the measured figure of its NVLink generation's HGX part (NVLINK_GENERATION_ALLREDUCE_GB_PER_S);
    else (AMD Infinity Fabric, Intel Gaudi) the fitted figure.

    Why measured: fitted, the NVLink figures came out at 1.23-1.25x what the engines' all-reduce kernels reach on
    A100, H100 and B200 at any message size: the fit was making the links faster to make up for other terms."""
    if gpu.measured_allreduce_bus_gb_per_s:
        return gpu.measured_allreduce_bus_gb_per_s * 1e9
    if gpu.interconnect_gb_per_s:
        return gpu.interconnect_gb_per_s * 1e9 / 2.0 * constants.link_efficiency
    if pcie_only(gpu):
        pcie = PCIE_GENERATION.get(gpu.architecture, 4)
        return PCIE_GB_PER_S_PER_DIRECTION[pcie] * 1e9 * constants.link_efficiency
    if gpu.architecture in NVLINK_GENERATION_ALLREDUCE_GB_PER_S:
        return NVLINK_GENERATION_ALLREDUCE_GB_PER_S[gpu.architecture] * 1e9
    return constants.nvlink_allreduce_bytes_per_s.shared


RACK_SCALE_GPUS = {"gb200": 72, "gb300": 72}
"""GPUs joined by one NVLink fabric in rack-scale systems: GB200 NVL72 and GB300 NVL72 (72 GPUs per rack;
catalog notes of both records). Other SXM / OAM parts sit on 8-GPU baseboards (HGX, AMD Instinct
platforms), PCIe cards in servers of up to 8."""
NODE_GPUS = 8


def scale_up_gpus(gpu: GpuType) -> int:
    """GPUs one fast fabric joins; a parallel group larger than this talks over the scale-out network."""
    return RACK_SCALE_GPUS.get(gpu.id, NODE_GPUS)


HOST_GPUS = {"gb200": 4, "gb300": 4}
"""GPUs one host (one operating system, one engine process group's node) drives where it is fewer than the
fabric joins: a GB200 / GB300 NVL72 compute tray holds 2 Grace CPUs x 2 GPUs (aiconfigurator-core 0.12.0,
PyPI, `aiconfigurator_core/systems/gb200.yaml` and `gb300.yaml`: `num_gpus_per_node: 4  # 4 GPUs per physical
node (2 Grace CPUs x 2 GPUs each)`, read 2026-12-02). A tensor-parallel group of 8 spans two hosts there."""


ARM_HOSTED_GPUS = frozenset({"gb200", "gb300", "gh200"})
"""GPUs whose host CPU is an Arm Grace, not the x86 CPU of HGX / Instinct servers: GB200 and GB300 NVL72 trays hold 2
Grace CPUs x 2 GPUs (HOST_GPUS' source), and GH200 is the Grace Hopper Superchip (catalog record; MLCommons inference
v4.1 system `GH200-GraceHopper-Superchip_GH200-144GB_aarch64x1_TRT`). The engine's scheduler loop runs there
(`FittedConstants.arm_host_slowdown`)."""


def arm_hosted(gpu: GpuType) -> bool:
    """True where a Grace (Arm) CPU, not an x86 one, runs the engine's host loop."""
    return gpu.id in ARM_HOSTED_GPUS


def host_gpus(gpu: GpuType) -> int:
    """GPUs one host drives (an engine with `--nnodes 1` runs on at most this many)."""
    return HOST_GPUS.get(gpu.id, min(scale_up_gpus(gpu), NODE_GPUS))


FLOPS_PER_ACTIVE_PARAM_PER_TOKEN = 2.0
"""A generated token multiplies every active weight once (a multiply and an add). Speculative decoding does not lower
it: each accepted token still went through the target model's weights (the drafts add FLOPs, never remove them)."""


@dataclass(frozen=True)
class OutputCeiling:
    """The most output tokens per second `gpus` GPUs' tensor cores can generate, and how it was found."""

    output_tokens_per_s: float
    peak_tflops: float
    """Dense tensor peak of one GPU the ceiling was computed with."""
    peak_name: str
    """Which catalog figure that peak is (e.g. `dense_fp8_tflops`)."""


def output_tokens_per_s_ceiling(gpu: GpuType, model: OpenModel, precision: str, gpus: int) -> OutputCeiling | None:
    """gpus x dense peak / (2 x active parameters): no engine generates faster, whatever its batch or drafts.

    Why a hard bound: a benchmark figure above it is a unit slip or a typo (tokens counted per batch, a total
    in place of a rate), and a record keeping it would answer `tco throughput` with an impossible figure. The
    peak is the precision's math (`peak_tflops`); for int8/int4 (the catalog lists no integer peak, and W8A8 int8 runs
    faster than BF16) and where the catalog lists none, the GPU's highest listed dense peak: a looser bound, never a
    tighter one. None where the catalog lists no peak for the GPU."""
    name = {"fp4": "dense_fp4_tflops", "fp8": "dense_fp8_tflops"}.get(math_precision(gpu, precision), "dense_bf16_tflops")
    peak = getattr(gpu, name) if precision not in ("int8", "int4") else None  # else the figure `peak_tflops` reads
    if peak is None:
        listed = [(value, field) for field in ("dense_bf16_tflops", "dense_fp8_tflops", "dense_fp4_tflops")
                  if (value := getattr(gpu, field)) is not None]
        if not listed:
            return None
        peak, name = max(listed)
    flops_per_token = FLOPS_PER_ACTIVE_PARAM_PER_TOKEN * model.active_params_b * 1e9
    return OutputCeiling(gpus * peak * 1e12 / flops_per_token, peak, name)


def request_tokens_ceiling(gpu: GpuType, model: OpenModel, gpus: int) -> float | None:
    """The most tokens one request can hold: the KV cache of its full-attention layers, in the smallest format any
    engine caches it in (FP4), filling all the `gpus` GPUs' memory with nothing else in it. An attention step reads
    the whole cache of its sequence, so a longer request cannot have run (a running sequence's cache stays on the GPUs).

    None where no layer's cache grows with the length (sliding-window layers only) or the catalog cannot size it."""
    per_token = kv_cache_bytes_per_token(model, "fp4", context_tokens=math.inf)  # sliding-window layers cost nothing
    if not per_token > 0:
        return None
    return gpus * memory_bytes_of(gpu) / per_token
