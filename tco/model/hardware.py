"""GPU types, open-weight model architectures, cloud offers, cost figures and measured throughput.

Units are in the field names. A figure nobody published is absent (None), never zero.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from tco.model.base import Id, PartialDate, PositiveFloat, Source, SourcedRecord, SourceText, StrictModel, located_error

# The allowed values of the serving vocabulary, declared once: the throughput engine derives its
# tuples from these (`typing.get_args`, tco/engine/throughput/config.py), and a test keeps the CLI's
# own copies (kept free of pydantic for a fast `tco --help`) equal to them.
Precision = Literal["bf16", "fp16", "fp8", "fp4", "int4", "int8"]
"""Weight (and KV cache) precisions the throughput model knows."""
Architecture = Literal["ampere", "ada", "hopper", "blackwell", "cdna3", "cdna4", "gaudi"]
Engine = Literal["trtllm", "vllm", "sglang"]
"""Serving engines: TensorRT-LLM, vLLM, SGLang."""
Runtime = Literal["python", "cpp"]
"""How an engine drives the GPU (see tco.engine.throughput.config.RUNTIMES)."""
SpecMethod = Literal["none", "mtp", "eagle", "draft-model"]
"""Speculative decoding: none; DeepSeek's multi-token-prediction head(s) as the draft (`mtp`); an EAGLE
draft head (`eagle`); a separate small draft model (`draft-model`)."""


MAX_USD_PER_GPU_HOUR = 1_000
"""No cloud lists a GPU-hour above a few tens of USD (the bundled maximum is under 20); a figure like 8e307 is a
typing mistake that overflows every monthly cost computed from it (and crashed `tco run`)."""
MAX_USD_PER_INSTANCE_HOUR = 100_000
"""An instance (up to a 72-GPU rack or a 256-GPU cluster tier) at the per-GPU ceiling stays below this; the bundled
maximum is a few thousand USD."""

MAX_GPUS_PER_OFFER = 100_000
"""No instance, rack or cluster tier sold by the hour has this many GPUs (the largest listed is 256); a figure like
1e300 is a typing mistake, refused at its own line (it was reported at a price line, as a price that did not add up)."""

UsdPerGpuHour = Annotated[float, Field(gt=0, le=MAX_USD_PER_GPU_HOUR, allow_inf_nan=False)]
"""A price in USD per GPU-hour, above 0 and at most MAX_USD_PER_GPU_HOUR."""
UsdPerInstanceHour = Annotated[float, Field(gt=0, le=MAX_USD_PER_INSTANCE_HOUR, allow_inf_nan=False)]
"""A price in USD per instance-hour, above 0 and at most MAX_USD_PER_INSTANCE_HOUR."""


class GpuType(SourcedRecord):
    """One accelerator chip (per GPU, not per node or superchip)."""

    id: Id
    name: str
    vendor: Literal["NVIDIA", "AMD", "Intel"]
    architecture: Architecture
    """Decides which precisions run natively: FP8 needs Ada/Hopper/CDNA3 or newer, FP4 needs Blackwell or CDNA4."""
    memory_gb: PositiveFloat
    """Memory as marketed ("80 GB"). The unit depends on the memory type, as the vendors use it: HBM
    capacities are binary, so the figure is GiB (an "80 GB" H100 has 80 x 2^30 bytes); GDDR boards'
    figure is decimal GB (an L40S has 48 x 10^9 bytes). The throughput model reads it that way
    (`tco.engine.throughput.memory.memory_bytes_of`). Usable capacity is a little lower."""
    memory_type: str | None = None
    memory_reported_mib: PositiveFloat | None = None
    """Device memory as the driver reports it (nvidia-smi's total, MiB), where a source gives it: what an engine
    allocates from. The marketed figure misleads both ways: a Blackwell Ultra "288 GB" reports 268-278 GiB, an RTX
    PRO 6000's "96 GB" 97,887 MiB (more than 96 x 10^9 bytes). The throughput model takes it in place of
    `memory_gb` where it is known."""
    memory_bandwidth_tb_per_s: PositiveFloat | None = None
    """Peak device-memory bandwidth, decimal TB/s."""
    dense_bf16_tflops: PositiveFloat | None = None
    """Peak BF16 tensor TFLOPS without sparsity."""
    dense_fp8_tflops: PositiveFloat | None = None
    dense_fp4_tflops: PositiveFloat | None = None
    measured_matmul_bf16_tflops: PositiveFloat | None = None
    """Maximum achievable matmul TFLOPS measured by a sweep: a realistic compute ceiling."""
    measured_matmul_fp8_tflops: PositiveFloat | None = None
    measured_allreduce_bus_gb_per_s: PositiveFloat | None = None
    """Bus bandwidth an engine's all-reduce reaches over `measured_allreduce_gpus` GPUs of one NVLink domain
    (message size / time x 2 (n - 1) / n, decimal GB/s) on a large message: the link speed the GPUs really
    get, which the link's datasheet figure overstates."""
    measured_allreduce_gpus: int | None = Field(default=None, gt=1)
    """How many GPUs the measured all-reduce spanned (8 where measured, else the largest group that was)."""
    tdp_w: PositiveFloat | None = None
    """Vendor maximum power per GPU; average draw is lower and follows utilization."""
    interconnect_gb_per_s: PositiveFloat | None = None
    """GPU-to-GPU bandwidth per GPU (NVLink / Infinity Fabric), decimal GB/s, where known."""
    form_factor: str | None = None
    aliases: list[str] = []
    """Other names the GPU goes by in sources (benchmark tables, cloud catalogs), for matching."""
    notes: str | None = None


class OpenModel(SourcedRecord):
    """Architecture facts of an open-weight model, enough to size memory and compute."""

    id: Id
    name: str
    hf_repo: str | None = None
    arch_type: Literal["dense", "moe"]
    total_params_b: PositiveFloat
    """Total parameters (billions): what must sit in memory."""
    active_params_b: PositiveFloat
    """Parameters used per token (billions); equals total for dense models."""
    num_layers: int = Field(gt=0)
    hidden_size: int = Field(gt=0)
    ffn_intermediate_size: int | None = Field(default=None, gt=0)
    moe_expert_intermediate_size: int | None = Field(default=None, gt=0)
    num_routed_experts: int | None = Field(default=None, gt=0)
    experts_per_token: int | None = Field(default=None, gt=0)
    num_shared_experts: int | None = Field(default=None, ge=0)
    num_moe_layers: int | None = Field(default=None, ge=0)
    """Layers with routed experts (the others are dense), where it differs from num_layers."""
    num_attention_heads: int = Field(gt=0)
    num_kv_heads: int | None = Field(default=None, gt=0)
    """Key/value heads (GQA); None for MLA models, whose cache is a compressed latent."""
    head_dim: int | None = Field(default=None, gt=0)
    attention: Literal["mha", "gqa", "mla"]
    mla_kv_lora_rank: int | None = Field(default=None, gt=0)
    mla_qk_rope_head_dim: int | None = Field(default=None, gt=0)
    sliding_window_tokens: int | None = Field(default=None, gt=0)
    """Window of the local-attention layers, when the model has them."""
    num_sliding_window_layers: int | None = Field(default=None, ge=0)
    """Layers that only attend within the window (need a window-sized KV cache, if the engine exploits it)."""
    context_length_tokens: int | None = Field(default=None, gt=0)
    vocab_size: int | None = Field(default=None, gt=0)
    native_precision: str | None = None
    mtp_modules: int | None = Field(default=None, ge=0)
    """Multi-token-prediction modules the checkpoint ships (DeepSeek-V3 / R1: 1), the draft `spec_method: mtp` runs;
    None = none recorded, so `mtp` is refused (give `eagle` or `draft-model` with an acceptance length instead)."""
    experts_only_precision: str | None = None
    """A precision whose published checkpoint quantizes only the routed experts (gpt-oss: `fp4`, MXFP4 MoE weights and
    BF16 for the rest): served at it, attention and the other dense layers stay 16-bit, in memory and in their math."""
    aliases: list[str] = []
    """Other names the model goes by in sources (e.g. `Llama-3.1-8B` in benchmark tables), for matching."""
    notes: str | None = None

    @classmethod
    def unsourced_fields(cls) -> set[str]:
        return set()

    @model_validator(mode="after")
    def _active_within_total(self):
        """A token cannot use more parameters than the model has: active > total is a swapped pair."""
        if self.active_params_b > self.total_params_b:
            raise located_error(f"active parameters ({self.active_params_b:g} B) exceed the total ({self.total_params_b:g} B)",
                                ("active_params_b",), hint="active_params_b equals total_params_b for a dense model and is smaller for a MoE")
        return self


PER_GPU_PRICE_RELATIVE_TOLERANCE = 1e-3
"""Sources print prices rounded (AWS: 3 decimals per GPU-hour), so per-GPU x GPUs matches the instance
price to about 0.05 %, never exactly; a typo moves it by far more."""


def check_per_gpu_prices(record, pairs: tuple[tuple[str, str], ...]) -> None:
    """Refuse a record whose per-GPU price times its gpu_count is not its per-instance price (within
    PER_GPU_PRICE_RELATIVE_TOLERANCE), for each (per-instance field, per-GPU field) pair where both are given.

    Why one rule for every offer: the engine reads one of the two figures and a listing the other, so a pair
    that contradicts itself (8 GPUs at 10 USD an instance-hour but 200 a GPU-hour) priced a run silently
    from whichever it read. The error names the per-GPU field, the one derived in most sources.
    """
    for per_instance_field, per_gpu_field in pairs:
        per_instance, per_gpu = getattr(record, per_instance_field), getattr(record, per_gpu_field)
        if per_instance is None or per_gpu is None:
            continue
        if abs(per_gpu * record.gpu_count - per_instance) > PER_GPU_PRICE_RELATIVE_TOLERANCE * per_instance:
            raise located_error(f"{per_gpu:g} x {record.gpu_count:g} GPUs = {per_gpu * record.gpu_count:.6g}, not "
                                f"{per_instance_field} {per_instance:g} (the two must agree within "
                                f"{PER_GPU_PRICE_RELATIVE_TOLERANCE * 100:g} %)", (per_gpu_field,),
                                hint="one of the two prices is wrong; give only the one the source prints")


class InstanceOffer(SourcedRecord):
    """A cloud instance type with GPUs, priced per hour (list prices; no reserved discounts)."""

    id: Id
    """`cloud:instance_type` (plus `:N` when one instance type is listed with several GPU counts)."""
    cloud: str
    instance_type: str
    gpu: Id
    """GPU id from gpus.yaml."""
    gpu_count: float = Field(gt=0, le=MAX_GPUS_PER_OFFER, allow_inf_nan=False)
    on_demand_usd_per_hour: UsdPerInstanceHour | None = None
    """Lowest on-demand price across regions for the whole instance."""
    median_on_demand_usd_per_hour: UsdPerInstanceHour | None = None
    spot_usd_per_hour: UsdPerInstanceHour | None = None
    """Lowest spot/preemptible price seen."""
    on_demand_usd_per_gpu_hour: UsdPerGpuHour | None = None
    median_on_demand_usd_per_gpu_hour: UsdPerGpuHour | None = None
    spot_usd_per_gpu_hour: UsdPerGpuHour | None = None
    regions: int | None = Field(default=None, ge=0)
    regions_with_on_demand: int | None = Field(default=None, ge=0)
    price_scope: Literal["instance", "host_plus_gpu", "gpu_only"] = "instance"
    caution: str | None = None
    """Why other shared data contradicts this offer's price (which regions, which figures); None when nothing does.
    `tco offers list` counts these rows and a scenario that prices GPUs from the offer is warned."""
    notes: str | None = None

    @model_validator(mode="after")
    def _per_gpu_price_is_the_instance_price_shared(self):
        check_per_gpu_prices(self, (("on_demand_usd_per_hour", "on_demand_usd_per_gpu_hour"),
                                    ("median_on_demand_usd_per_hour", "median_on_demand_usd_per_gpu_hour"),
                                    ("spot_usd_per_hour", "spot_usd_per_gpu_hour")))
        return self

    @classmethod
    def unsourced_fields(cls) -> set[str]:
        return {"gpu_count", "regions", "regions_with_on_demand"}


CommitmentTerm = Literal["block", "1y", "3y", "contract"]
"""How long a committed offer binds: `block` an EC2 Capacity Block (days to weeks, booked ahead),
`1y` / `3y` a one- or three-year reservation or commitment (12 months counts as `1y`), `contract`
a reservation whose length the seller does not print as 1 or 3 years (`term_as_published` says what it does print)."""

PaymentOption = Literal["no-upfront", "partial-upfront", "all-upfront", "not-stated", "other"]
"""How a commitment is paid: nothing, part or all of it at purchase (Google CUDs are billed monthly
over the term: `no-upfront`); `not-stated` when the seller prints nothing; `other` (see `payment_as_published`)."""

class CommittedOffer(SourcedRecord):
    """A published committed price: a GPU instance reserved for a term, paid per instance-hour whether used or not.

    Why a record of its own (not a discount on an InstanceOffer): a commitment has a term, a payment
    option and a minimum, and its price comes from a different page on a different date than the
    on-demand list price. Not yet used by the engine; listed by `tco offers list --term`.
    """

    id: Id
    """`cloud:instance_type:region:term[:class][:payment][:price date]`, e.g. `aws:p5.48xlarge:us-east-1:1y:standard:no-upfront`."""
    cloud: str
    """Seller, named as in the on-demand offers (`aws`, `gcp`, `lambda`, `do`, `hyperstack`)."""
    offering: str
    """The commitment product as the seller names it (e.g. `EC2 Capacity Blocks for ML`)."""
    instance_type: str
    """As the seller names it; per-GPU offers say `(per GPU)` and have gpu_count 1."""
    gpu: Id
    """GPU id from gpus.yaml."""
    gpu_count: int = Field(gt=0, le=MAX_GPUS_PER_OFFER)
    """GPUs in one instance (UltraServers 36 or 72; Lambda cluster tiers 16 / 64 / 256)."""
    region: str | None = None
    """Region code; None where the seller prints none."""
    term: CommitmentTerm
    term_as_published: str
    payment_option: PaymentOption
    payment_as_published: str
    committed_usd_per_instance_hour: UsdPerInstanceHour
    """Effective price of the whole instance per hour of the term (upfront fees spread over the term as the source does)."""
    committed_usd_per_gpu_hour: UsdPerGpuHour
    """The instance price divided by gpu_count (the host's CPU, RAM and disk included)."""
    price_basis: Literal["instance", "gpu", "instance-and-gpu", "instance-month"]
    """Which price the source prints (`instance-month`: per 730-hour month, hourly = month / 730); the other is derived."""
    price_as_printed: str
    on_demand_usd_per_instance_hour: UsdPerInstanceHour | None = None
    """On-demand price from the same source and date only (None where that source prints none)."""
    on_demand_usd_per_gpu_hour: UsdPerGpuHour | None = None
    minimum_commitment: str
    """The smallest size and term the seller publishes for this offering, as text."""
    source_quality: str
    """How directly the figure was read (e.g. `primary page scraped into public repo`, `third-party transcription ...`)."""
    caution: str | None = None
    """Why the shared data's README says to check this price before use; None when it raises no doubt."""
    superseded_by: Id | None = None
    """A later capture of the same offer (same instance, region, term and payment) whose price replaces this one."""
    notes: str | None = None

    @model_validator(mode="after")
    def _per_gpu_price_is_the_instance_price_shared(self):
        check_per_gpu_prices(self, (("committed_usd_per_instance_hour", "committed_usd_per_gpu_hour"),
                                    ("on_demand_usd_per_instance_hour", "on_demand_usd_per_gpu_hour")))
        return self

    @classmethod
    def unsourced_fields(cls) -> set[str]:
        return {"gpu_count"}


class CostFigure(SourcedRecord):
    """A purchase or operating-cost figure (server price, power price, PUE, colocation)."""

    id: Id
    item: str
    value: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    """A published range is kept as a range, never averaged."""
    unit: str


class WorkerPool(StrictModel):
    """One side (prefill or decode) of a disaggregated deployment, as the benchmark published it."""

    gpus: int = Field(gt=0)
    """GPUs of this side, all its workers together."""
    workers: int = Field(ge=0)
    """Engine instances on this side (0 where the source lists 0: kept as published)."""
    tp: int = Field(gt=0)
    ep: int = Field(gt=0)
    attention_dp: bool


class ThroughputMeasurement(StrictModel):
    """A published serving measurement: the model is checked against these, and they override it."""

    id: Id
    model: Id
    gpu: Id
    num_gpus: int = Field(gt=0)
    tp: int = Field(default=1, gt=0)
    pp: int = Field(default=1, gt=0)
    ep: int | None = Field(default=None, gt=0)
    precision: Precision
    kv_cache_precision: Precision | None = None
    engine: Engine
    engine_version: str | None = None
    runtime: Runtime = "python"
    """How the engine drove the GPU: `cpp` for TensorRT-LLM's TensorRT engine flow (C++ executor, the
    default before 1.0), `python` for an executor loop in Python (TensorRT-LLM's PyTorch backend, vLLM,
    SGLang). The throughput model evaluates a measurement with its own runtime."""
    scenario: str
    """`offline_max_throughput`: all requests queued at once, no latency limit; `fixed_concurrency`: a
    constant number of requests in flight (`concurrency`); `fixed_request_rate`: requests sent at
    `request_rate_per_s` (an imported benchmark run)."""
    input_tokens: int = Field(gt=0)
    output_tokens: int = Field(gt=0)
    concurrency: int | None = Field(default=None, gt=0)
    """None: the engine chose the batch (offline maximum throughput)."""
    output_tokens_per_s: PositiveFloat
    """Generated tokens per second, summed over all `num_gpus`."""
    ttft_ms: PositiveFloat | None = None
    """Mean time to first token (ms)."""
    tpot_ms: PositiveFloat | None = None
    """Mean decode time per output token excluding the first, (E2E - TTFT) / (output tokens - 1), in ms."""
    request_rate_per_s: PositiveFloat | None = None
    """Requests sent per second when the run fixed the arrival rate (scenario `fixed_request_rate`)."""
    requests_per_s: PositiveFloat | None = None
    """Completed requests per second measured over the run."""
    ttft_p50_ms: PositiveFloat | None = None
    ttft_p99_ms: PositiveFloat | None = None
    tpot_p50_ms: PositiveFloat | None = None
    tpot_p99_ms: PositiveFloat | None = None
    ttft_p90_ms: PositiveFloat | None = None
    tpot_p90_ms: PositiveFloat | None = None
    length_min_ratio: float | None = Field(default=None, gt=0, le=1)
    """Each request's input and output lengths were drawn uniformly from the integers in
    [int(ratio x L), L] for the stated L (`input_tokens`, `output_tokens`); None = fixed lengths. The
    model is evaluated at the mean, (int(ratio x L) + L) / 2."""
    attention_dp: bool | None = None
    """Attention data parallelism as published (aggregated rows; the decode side's for disaggregated ones)."""
    max_batch: int | None = Field(default=None, gt=0)
    """Sequences the engine was allowed to run at once, where the run set it (vLLM --max-num-seqs, SGLang
    --max-running-requests, TensorRT-LLM max_batch_size); per replica. None = the engine's default."""
    step_tokens: int | None = Field(default=None, gt=0)
    """The engine's step budget, where the run set it (vLLM --max-num-batched-tokens, SGLang --chunked-prefill-size,
    TensorRT-LLM max_num_tokens), as the flag is written. None = the engine's default for the GPU."""
    request_latency_ms: float | None = Field(default=None, ge=0, le=60_000, allow_inf_nan=False)
    """What a request spent outside the engine's steps before its first token on the run's stack (client, HTTP frontend
    or router, tokenizer, streaming), where it is known; the run is scored with it. None = not stated (scored with the
    fitted figure)."""
    spec_method: SpecMethod = "none"
    """Speculative decoding used in the run; tokens/s and TPOT include its accepted drafts."""
    disaggregated: bool = False
    """Separate prefill and decode workers with the KV cache moved between them (`prefill`, `decode`);
    `num_gpus` is then both sides together and `output_tokens_per_s` the whole deployment's."""
    prefill: WorkerPool | None = None
    decode: WorkerPool | None = None
    engine_label: str | None = None
    """The serving stack as the source names it, where `engine` is only the closest known engine
    (e.g. `NVIDIA Dynamo + SGLang (disaggregated)`, `AMD ATOM`)."""
    successful_requests: int | None = Field(default=None, ge=0)
    """Requests the figures describe (benchmark tools count successful requests only; a published table's
    `num_requests`). `tco bench accuracy --finite-runs` scores an offline run as that many requests queued at once,
    which a replica serves in waves of its batch (`predict_offline_run`)."""
    failed_requests: int | None = Field(default=None, ge=0)
    whole_run: bool | None = None
    """True: the figures cover one whole run of `successful_requests` requests, from the first sent to the last completed
    (vLLM's and SGLang's bench_serving: output tokens over the run's duration), so the run's end, fewer and fewer
    requests left in flight, is in them: `tco bench accuracy` scores a run at a fixed concurrency or request rate as
    that run (`predict_closed_loop_run`, `predict_rate_run`). None or False: not stated (a tool that stops at a time, a
    steady state), scored at the steady state; InferenceX's records are known runs without it
    (`tco.bench.accuracy.closed_loop_requests`)."""
    source: SourceText
    as_of: PartialDate
    """When the run was measured: YYYY-MM-DD, or YYYY-MM / YYYY where the source says no more."""
    note: str | None = None

    @model_validator(mode="after")
    def _layout(self) -> "ThroughputMeasurement":
        if self.disaggregated != (self.prefill is not None and self.decode is not None):
            raise ValueError("a disaggregated measurement names both `prefill` and `decode`; others name neither")
        if self.disaggregated and self.prefill.gpus + self.decode.gpus != self.num_gpus:
            raise ValueError(f"prefill GPUs ({self.prefill.gpus}) + decode GPUs ({self.decode.gpus}) must equal num_gpus ({self.num_gpus})")
        if self.num_gpus % (self.tp * self.pp):
            raise located_error(f"tp {self.tp} x pp {self.pp} = {self.tp * self.pp} GPUs per replica does not divide the "
                                f"{self.num_gpus} GPUs of num_gpus", ("tp",),
                                hint="num_gpus is all replicas' GPUs together: a whole number of replicas of tp x pp GPUs each")
        return self


class HardwareFile(StrictModel):
    """Any file in hardware/: a schema version and one or more lists."""

    schema_version: Literal[1] = 1
    gpus: list[GpuType] = []
    models: list[OpenModel] = []
    offers: list[InstanceOffer] = []
    committed_offers: list[CommittedOffer] = []
    """Reserved / committed-use prices (hardware/offers/committed/); listed by `tco offers list --term`."""
    cost_figures: list[CostFigure] = []
    measurements: list[ThroughputMeasurement] = []
    source: Source | None = None
    """Default provenance for the file (each record still carries its own)."""
