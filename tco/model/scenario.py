"""What users write: a workload, a horizon with its finance assumptions, and the options to compare.

Every field has a docstring: it becomes the JSON Schema description editors show on hover.
Fractions are written as fractions (0.85, not 85).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Union

from pydantic import Field, StrictStr, field_validator, model_validator

from tco.model.base import Date, Discount, Id, NonNegativeFloat, PositiveFloat, Share, StrictModel, located_error
from tco.model.hardware import Engine, SpecMethod
from tco.model.quality import CapabilityRequirement

ServingPrecision = Literal["bf16", "fp16", "fp8", "fp4", "int4"]
"""Weight precisions a self-hosted option may name (a subset of tco.model.hardware.Precision: no
weight-only int8)."""


MIN_PROFILE_PEAK = 1e-6
"""The busiest hour of an hourly profile must weigh at least this; any real profile is far above."""


class Workload(StrictModel):
    """The traffic and the shape of one request. A request is one user-facing unit of work (a task);
    it may make several LLM calls (an agent loop), each possibly sampled several times."""

    requests_per_day: PositiveFloat | None = None
    """Average user requests (tasks) per day in the first month. Give this or requests_per_month."""
    requests_per_month: PositiveFloat | None = None
    """Average user requests per month in the first month (alternative to requests_per_day)."""
    monthly_growth: float = Field(default=0.0, ge=-0.5, le=2.0, allow_inf_nan=False)
    """Compound growth of the volume per month: 0.05 = +5 % a month."""
    peak_to_average: float = Field(default=1.0, ge=1.0, le=1000, allow_inf_nan=False)
    """Busiest hour's traffic over the daily average; ignored when hourly_profile is given."""
    hourly_profile: list[NonNegativeFloat] | None = Field(default=None, min_length=24, max_length=24)
    """24 relative weights, hour 0 to 23 (any scale; normalised to average 1), in `timezone`'s local time."""
    timezone: StrictStr = "UTC"
    """IANA time zone of the hourly profile (e.g. `Europe/Paris`): time-of-day API prices are set in UTC,
    so the profile's hours are shifted by the zone's offset on the start date before they are priced."""
    input_tokens: int = Field(ge=0, le=10_000_000)
    """Prompt tokens of the first LLM call of a request (system prompt, user input, documents)."""
    cacheable_prefix_share: Share = 0.0
    """Share of input tokens served from the provider's prompt cache (cache reads)."""
    cache_write_share: Share = 0.0
    """Share of input tokens billed as cache writes (providers that charge for writing the cache)."""
    output_tokens: int = Field(ge=0, le=10_000_000)
    """Visible output tokens per LLM call (per sample)."""
    reasoning_tokens: int = Field(default=0, ge=0, le=10_000_000)
    """Hidden reasoning ("thinking") tokens per LLM call (per sample), billed as output."""
    llm_calls_per_request: int = Field(default=1, ge=1, le=10_000)
    """LLM calls one request makes: 1 for chat, 20+ for an agent that loops Think-Plan-Act."""
    context_growth_per_call_tokens: int = Field(default=0, ge=0, le=10_000_000)
    """Tokens added to the context at every further call (agents resend the growing history)."""
    samples_per_call: int = Field(default=1, ge=1, le=1000)
    """Completions sampled per call (best-of-n, self-consistency); each one pays its output."""
    samples_share_input: bool = True
    """True: the samples come from one call (API `n` parameter; input paid once, and prefilled once by a
    self-hosted engine with prefix caching). False: separate calls."""
    batch_eligible_share: Share = 0.0
    """Share of requests that can wait for a batch API (typically a 50 % discount, 24 h turnaround)."""
    ttft_ms: PositiveFloat | None = None
    """Latency target: time to first token (ms). Sizes the self-hosted fleet; None = no target."""
    tpot_ms: PositiveFloat | None = None
    """Latency target: time per output token (ms) once streaming."""
    latency_percentile: Literal["p50", "p90", "p99"] = "p50"
    """Share of requests the TTFT / TPOT targets must hold for: p50 (the median, default), p90, p99.
    Why it matters: a target met by the median request is missed by one in two."""
    data_must_stay_on_own_infrastructure: bool = False
    """Regulated data: API options are excluded (kept in the output, flagged, never ranked)."""

    @model_validator(mode="after")
    def _one_volume(self):
        if (self.requests_per_day is None) == (self.requests_per_month is None):
            raise ValueError("give exactly one of requests_per_day or requests_per_month")
        if self.cacheable_prefix_share + self.cache_write_share > 1:
            raise ValueError("cacheable_prefix_share + cache_write_share cannot exceed 1")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        """A field validator, not a model one: the error then names `workload.timezone` and its line, not `workload`."""
        if timezone != "UTC":
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("not an IANA time zone name (e.g. `UTC`, `Europe/Paris`, `America/New_York`)") from None
        return timezone

    @field_validator("hourly_profile")
    @classmethod
    def _some_traffic(cls, profile: list[float] | None) -> list[float] | None:
        """The profile is divided by its average: all zeros (or only specks of traffic) would divide by ~0."""
        if profile is not None and max(profile) < MIN_PROFILE_PEAK:
            raise ValueError(f"needs at least one hour with a weight of {MIN_PROFILE_PEAK:g} or more "
                             f"(weights are relative: 1 for an average hour)")
        return profile


class Finance(StrictModel):
    """Horizon and money."""

    horizon_months: int = Field(default=36, ge=1, le=120)
    """Months to compare over (36 = three years)."""
    start_date: Date | None = None
    """First month of the horizon; picks the API price in force. Default: today."""
    fiscal_year_start_month: int | None = Field(default=None, ge=1, le=12)
    """First calendar month of your fiscal year (4 = April). When set, the workbook's Calculations sheets label
    each month with its fiscal year, named by the calendar year the fiscal year ends in (April 2027 to March 2028
    is FY2028; with 1 it is the calendar year). Default: not set, no fiscal-year column. Costs do not change."""
    discount_rate_per_year: float = Field(default=0.0, ge=0, le=1, allow_inf_nan=False)
    """Cost of capital for the NPV, e.g. 0.08; monthly cash flows are discounted at (1+r)^(month/12), at month ends;
    GPU purchases and the upfront parts of terms are paid on the first day of their month, so month 1's are the
    undiscounted t = 0 outlay (BILLING.md 4)."""
    api_price_decline_per_year: float = Field(default=0.0, ge=0, lt=1, allow_inf_nan=False)
    """Expected yearly fall of API list prices, e.g. 0.3 = prices fall 30 % a year (applied monthly)."""
    gpu_price_change_per_year: float = Field(default=0.0, ge=-0.9, le=1.0, allow_inf_nan=False)
    """Expected yearly change of GPU prices: rental prices every month, purchase prices of later purchases
    (growth and replacements). Signed: -0.15 = GPU prices fall 15 % a year. Why separate from the API
    decline: the two markets move on their own; the same smooth monthly rule applies to both."""
    currency: Literal["USD"] = "USD"


class ApiOption(StrictModel):
    """Pay a hosted API per token."""

    kind: Literal["api"]
    id: Id
    """Name of this option in results (unique within the scenario)."""
    provider: Id
    """Provider id from pricing/ (e.g. `openai`, `anthropic`, `together`)."""
    model: StrictStr
    """Model id as in the provider's price sheet."""
    negotiated_discount: Discount = 0.0
    """Discount off list prices you have negotiated (0.2 = 20 % off; below 1)."""
    service_tier: StrictStr | None = None
    """A price variant of the sheet other than standard (e.g. `flex`, `priority`)."""
    input_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's input price, replacing the sheet's (None: the price sheet's, in force on the start date)."""
    output_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's output price, replacing the sheet's."""
    cache_read_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's cache read price, replacing the sheet's."""
    cache_write_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's cache write price, replacing the sheet's."""
    batch_input_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's batch input price, replacing the sheet's."""
    batch_output_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's batch output price, replacing the sheet's."""
    batch_cache_read_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's cache read price for batch requests, replacing the sheet's (or its fallback rule)."""
    batch_cache_write_usd_per_million_tokens: NonNegativeFloat | None = None
    """Your contract's cache write price for batch requests, replacing the sheet's (or its fallback rule)."""
    usd_per_thousand_requests: NonNegativeFloat | None = None
    """Your contract's fee per 1,000 API requests (LLM calls), replacing the sheet's (e.g. a search-grounded model's)."""
    tool_fee_usd_per_request: NonNegativeFloat = 0.0
    """Tool and search fees per user request on top of the tokens (e.g. 2 web searches at $10 per 1,000 = 0.02)."""
    quality_model: Id | None = None
    """Model id in pricing/quality/models.yaml whose scores apply (default: found from the price sheet id)."""
    note: str | None = None


class MixedBase(StrictModel):
    """The reserved base of a `mixed` fleet: a fixed number of replicas on a committed term."""

    offer: Id | None = None
    """Committed offer id from hardware/offers/committed (price, term, payment option, instance size)."""
    gpu_usd_per_hour: PositiveFloat | None = None
    """Your contract's price per GPU-hour (instead of an offer's)."""
    replicas: int | Literal["auto"] = "auto"
    """Replicas reserved (0 or more); `auto` picks the number that minimises the total cost over the horizon
    (24-hour profile and growth), trying every size from none to the busiest hour's fleet."""
    term_months: int | None = Field(default=None, ge=1, le=60)
    """The term in months (default: the committed offer's, 1y = 12, 3y = 36)."""
    upfront_share: Share | None = None
    """Share of a term paid when it starts (default: from the offer's payment option)."""

    @field_validator("replicas")
    @classmethod
    def _not_negative(cls, replicas):
        if replicas != "auto" and replicas < 0:  # -2 was read as none: the whole fleet on bursts, without a word
            raise ValueError("must be 0 or more replicas, or auto")
        return replicas

    @model_validator(mode="after")
    def _needs_a_price(self):
        if self.offer is None and self.gpu_usd_per_hour is None:
            raise ValueError("the base needs an offer or gpu_usd_per_hour")
        return self


class MixedBurst(StrictModel):
    """The bursts of a `mixed` fleet: replicas above the base, rented by the hour when the profile needs them."""

    offer: Id | None = None
    """On-demand offer id from hardware/offers."""
    mode: Literal["on-demand", "spot"] = "on-demand"
    gpu_usd_per_hour: PositiveFloat | None = None
    """Your price per GPU-hour (instead of the offer's)."""

    @model_validator(mode="after")
    def _needs_a_price(self):
        if self.offer is None and self.gpu_usd_per_hour is None:
            raise ValueError("the burst needs an offer or gpu_usd_per_hour")
        return self


class Payment(StrictModel):
    """How the GPUs are paid for."""

    mode: Literal["on-demand", "reserved", "spot", "purchased", "mixed"]
    base: MixedBase | None = None
    """For `mixed`: the reserved base (`{offer: <committed offer id>, replicas: N | auto}`)."""
    burst: MixedBurst | None = None
    """For `mixed`: what serves the hours above the base (`{offer: <on-demand offer id>}`)."""
    offer: Id | None = None
    """Cloud offer id from hardware/offers (e.g. `aws:p5.48xlarge`); gives the hourly price per GPU. For `reserved`,
    a committed offer id from hardware/offers/committed (`tco offers list --term 1y`) gives the committed price,
    the term, the payment option and the instance size."""
    gpu_usd_per_hour: PositiveFloat | None = None
    """Explicit price per GPU-hour (overrides the offer's); required for `reserved` without an offer.
    Formerly `usd_per_gpu_hour` (still read, with a warning)."""
    reserved_discount: Discount | None = None
    """For `reserved`: discount off the offer's on-demand price (your contract's figure; below 1)."""
    spot_interruption_overhead: float = Field(default=0.0, ge=0, le=5, allow_inf_nan=False)
    """For `spot`: extra GPU-hours lost to preemptions and restarts (0.1 = 10 % more hours)."""
    purchase_usd_per_gpu: PositiveFloat | None = None
    """For `purchased`: capex per GPU including its share of the server and network."""
    gpus_per_server: int | None = Field(default=None, ge=1, le=1024)
    """For `purchased`: GPUs in the server you buy (8 in a DGX / HGX H100). The fleet is bought in whole servers:
    replicas are packed onto them, and a server's spare GPUs are owned, depreciated, powered at idle and hosted.
    None: GPUs are bought one at a time, each a share of a server."""
    depreciation_years: float = Field(default=4.0, ge=1, le=15, allow_inf_nan=False)
    """For `purchased`: straight-line depreciation period (whole months; at least a year, so that the
    10 lives the engine follows cover the longest horizon). A GPU is replaced at the end of it."""
    residual_value_share: Share = 0.0
    """For `purchased`: resale value at the end of depreciation, as a share of the price."""
    cost_of_capital_per_year: float = Field(default=0.0, ge=0, le=1, allow_inf_nan=False)
    """For `purchased`: interest on the capital tied up, charged monthly on the book value (accounting view only;
    the NPV discounts the cash flows instead)."""
    term_months: int | None = Field(default=None, ge=1, le=60)
    """For `reserved`: the commitment's term in months; every GPU reserved is owed for the whole term and
    renewed at the then-current price when the horizon outlasts it. Default: from a committed offer (1y = 12,
    3y = 36); a capacity block or a typed contract price needs it. Without either, 1 (a monthly commitment)."""
    upfront_share: Share | None = None
    """For `reserved`: share of the term's price paid when the term starts (the rest monthly). Default: from a
    committed offer's payment option (all-upfront 1, no-upfront 0); partial-upfront needs your contract's figure."""
    beyond_horizon: Literal["owed", "horizon-share"] = "owed"
    """For `reserved`: `owed` counts the part of a term that runs past the horizon as its own cost line in the
    last month (the contract is owed in full); `horizon-share` counts only the months inside the horizon."""
    billing: Literal["per-instance", "per-gpu"] = "per-instance"
    """`per-instance`: the offer is an instance of N GPUs and the fleet rents whole instances (replicas
    packed onto them; unused GPUs are paid and shown as idle). `per-gpu`: pay each GPU alone (a seller
    who splits instances, or your contract). Offers sold per GPU (gpu_count 1) are per GPU anyway."""

    @model_validator(mode="after")
    def _needs_a_price(self):
        if self.mode == "mixed":
            if self.base is None or self.burst is None:
                raise ValueError("mode `mixed` needs a base ({offer: ..., replicas: N | auto}) and a burst ({offer: ...})")
        elif self.base is not None or self.burst is not None:
            raise ValueError(f"base and burst belong to mode `mixed`, not `{self.mode}`")
        elif self.mode == "purchased":
            if self.purchase_usd_per_gpu is None:
                raise ValueError("mode `purchased` needs purchase_usd_per_gpu")
        elif self.offer is None and self.gpu_usd_per_hour is None:
            raise ValueError(f"mode `{self.mode}` needs an offer or gpu_usd_per_hour")
        if self.gpus_per_server is not None and self.mode != "purchased":
            raise located_error(f"belongs to mode `purchased` (a rented fleet's instance size comes from its offer), not `{self.mode}`",
                                ("gpus_per_server",), hint="remove it, or give an offer whose instances have that many GPUs")
        return self


class Operations(StrictModel):
    """Costs around the GPUs. Each is a separate cost line."""

    usd_per_kwh: NonNegativeFloat = 0.0
    """Electricity price (purchased GPUs only; cloud prices include power)."""
    pue: float = Field(default=1.0, ge=1.0, le=3.0, allow_inf_nan=False)
    """Power usage effectiveness of the facility (total energy / IT energy)."""
    idle_power_share: Share = 0.0
    """Share of TDP drawn by an idle GPU; the draw is idle + (1 - idle) x utilization of TDP."""
    server_power_per_gpu_kw: NonNegativeFloat | None = None
    """IT power provisioned per GPU incl. host share, for colocation; default TDP x 10.2 kW / (8 x 0.7 kW) (DGX H100 ratio)."""
    hosting_usd_per_kw_month: NonNegativeFloat = 0.0
    """Colocation price per kW of provisioned IT power per month (purchased GPUs)."""
    staff_fte: NonNegativeFloat = 0.0
    """Engineers running the deployment, in full-time equivalents."""
    staff_usd_per_fte_year: NonNegativeFloat = 0.0
    """Loaded yearly cost of one engineer."""
    staff_share: Share = 1.0
    """Share of those engineers' time charged to this deployment."""
    software_usd_per_gpu_month: NonNegativeFloat = 0.0
    """Software licences and support per GPU per month."""
    setup_usd: NonNegativeFloat = 0.0
    """One-time cost in the first month (integration, migration, evaluation)."""
    storage_gb: NonNegativeFloat = 0.0
    """Storage kept all month (model weights, logs, caches), in GB; billed as GB-month x price."""
    storage_usd_per_gb_month: NonNegativeFloat = 0.0
    """Storage price per GB-month (e.g. block storage list price)."""
    egress_gb_per_request: NonNegativeFloat = 0.0
    """Network egress per self-hosted request, in GB (responses leaving the cloud)."""
    egress_usd_per_gb: NonNegativeFloat = 0.0
    """Egress price per GB."""
    maintenance_share_of_capex_per_year: float = Field(default=0.0, ge=0, le=1, allow_inf_nan=False)
    """Hardware maintenance/support contract as a yearly share of the purchase price of the GPUs owned (purchased only)."""
    staff_inflation_per_year: float = Field(default=0.0, ge=-0.5, le=1, allow_inf_nan=False)
    """Yearly rise of staff costs (applied monthly, from month 1)."""
    power_inflation_per_year: float = Field(default=0.0, ge=-0.5, le=1, allow_inf_nan=False)
    """Yearly rise of the electricity price (applied monthly, from month 1)."""
    grid_gco2e_per_kwh: NonNegativeFloat | None = None
    """Location-based grid carbon intensity where the GPUs run, gCO2e per kWh; gives the option's emissions.
    None (and no grid_carbon_figure): emissions are not computed."""
    grid_carbon_figure: Id | None = None
    """A sourced grid intensity from hardware/cost_figures.yaml (`grid-carbon-...`), used when
    grid_gco2e_per_kwh is not given: e.g. `grid-carbon-gcp-us-east4`, `grid-carbon-us-egrid2023`."""


class SelfHostedOption(StrictModel):
    """Serve an open-weight model on your own (rented or bought) GPUs."""

    kind: Literal["self-hosted"]
    id: Id
    model: Id
    """Open-weight model id from hardware/models.yaml."""
    gpu: Id
    """GPU id from hardware/gpus.yaml."""
    gpus_per_replica: int = Field(ge=1, le=1024)
    """GPUs that serve one copy of the model (tensor x pipeline parallel)."""
    precision: ServingPrecision = "fp8"
    engine: Engine = "vllm"
    payment: Payment
    operations: Operations = Operations()
    fleet: Literal["static", "autoscaled"] = "static"
    """`static`: sized for the busiest hour, on all month. `autoscaled`: follows the hourly profile."""
    spare_replicas: int = Field(default=0, ge=0, le=1000)
    """Redundancy: replicas kept on top of what the load needs (1 = N+1)."""
    min_replicas: int = Field(default=1, ge=0, le=10_000)
    max_utilization: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    """Cap on how busy a replica may run at peak (0.8 keeps 20 % headroom)."""
    replica_output_tokens_per_s: PositiveFloat | None = None
    """Your own measured throughput per replica; overrides the throughput model."""
    calibrate: bool = False
    """Scale the throughput model to every measurement of this deployment (your imported benchmark runs in a
    --hardware-dir, at any lengths and concurrency), as `tco throughput --calibrate` does."""
    prefix_caching: bool = True
    """The engine reuses the KV cache of a prompt prefix it has seen (vLLM automatic prefix caching, SGLang
    RadixAttention, TensorRT-LLM KV reuse): the workload's cacheable_prefix_share, an agent's resent
    history and the prompt that samples sharing their input (samples_share_input) have in common are not
    prefilled again. False for engines without it."""
    spec_method: SpecMethod = "none"
    """Speculative decoding: none, mtp (DeepSeek multi-token prediction), eagle, draft-model."""
    acceptance_length: float | None = Field(default=None, ge=1.0, le=16.0, allow_inf_nan=False)
    """Mean tokens a sequence gains per verification step; None = the method's sourced default (mtp 1.85)."""
    draft_tokens: int | None = Field(default=None, ge=1, le=15)
    """Tokens drafted per step, all verified in one pass; None = 1, or the fewest the acceptance length needs (3 for 3.5)."""
    max_batch: int | None = Field(default=None, ge=1, le=1_000_000)
    """Sequences a replica runs at once (vLLM --max-num-seqs, SGLang --max-running-requests, TensorRT-LLM
    max_batch_size; disaggregated: per decode worker); None = the engine's own limit."""
    step_tokens: int | None = Field(default=None, ge=1, le=10_000_000)
    """Tokens one engine step carries at most, as the engine's flag is written (vLLM --max-num-batched-tokens, SGLang
    --chunked-prefill-size, TensorRT-LLM max_num_tokens); None = the engine's default for the GPU."""
    request_latency_ms: float | None = Field(default=None, ge=0, le=60_000, allow_inf_nan=False)
    """What a request spends outside the engine's steps before its first token (client, HTTP frontend or router,
    tokenizer, streaming), as measured for your stack; None = the fitted figure (InferenceX's harness, 68 ms)."""
    disaggregated: bool | Literal["auto"] = False
    """Separate prefill and decode GPUs within a replica; `auto` = whichever serves more per GPU."""
    prefill_gpus: int | None = Field(default=None, ge=1, le=1023)
    """Disaggregated: GPUs of a replica on the prefill side (None = chosen); fewer than gpus_per_replica. Given without
    `disaggregated`, the replica is disaggregated (the count describes nothing else)."""
    attention_dp: bool | Literal["auto"] = "auto"
    """MoE: attention data-parallel with experts expert-parallel (true), tensor-parallel (false), or the fastest (auto)."""
    quality_model: Id | None = None
    """Model id in pricing/quality/models.yaml whose scores apply (needed when several releases share the architecture)."""
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _prefill_gpus_mean_disaggregated(cls, data):
        if isinstance(data, dict) and data.get("prefill_gpus") is not None and "disaggregated" not in data:
            return {**data, "disaggregated": True}
        return data

    @model_validator(mode="after")
    def _drafting_needs_a_method(self):
        """An acceptance length or a draft count with no speculative decoding was dropped without a word, and the result
        answered another question than the one asked (the batch CSV and `tco throughput` refuse it too)."""
        if self.spec_method == "none":
            for name in ("acceptance_length", "draft_tokens"):
                if getattr(self, name) is not None:
                    raise located_error("needs a speculative decoding method, and spec_method is none", (name,),
                                        value=getattr(self, name), hint="set spec_method (mtp, eagle or draft-model) or remove it")
        return self

    @model_validator(mode="after")
    def _prefill_side_fits(self):
        if self.prefill_gpus is None:
            return self
        if self.disaggregated is False:
            raise located_error("describes a disaggregated replica, but disaggregated is false", ("prefill_gpus",),
                                hint="set disaggregated to true or auto, or remove prefill_gpus")
        if self.prefill_gpus >= self.gpus_per_replica:
            raise located_error(f"must be fewer than gpus_per_replica ({self.gpus_per_replica}): the decode side needs at least one GPU",
                                ("prefill_gpus",), value=self.prefill_gpus)
        return self


class ApiProvisionedOption(StrictModel):
    """Committed API capacity (Azure provisioned throughput units, Bedrock model units, Vertex GSUs, OpenAI
    Scale Tier): units paid per hour for a term whether used or not, each serving a stated throughput.

    Every figure is the user's, with its source: few providers publish these prices (BILLING.md 1.8).
    """

    kind: Literal["api-provisioned"]
    id: Id
    provider: StrictStr
    """Who sells the capacity (e.g. `azure-openai`); free text, not looked up."""
    model: StrictStr
    """The model served (free text, for the results)."""
    usd_per_unit_hour: PositiveFloat
    """Price of one unit per hour of the term (a monthly or daily price / its hours)."""
    tokens_per_minute_per_unit: PositiveFloat
    """Throughput of one unit in tokens per minute, as the provider states it."""
    output_token_weight: float = Field(default=1.0, ge=0, le=100, allow_inf_nan=False)
    """How many counted tokens one output (and reasoning) token is (Azure: the model's output:input weight)."""
    minimum_units: int = Field(default=1, ge=1)
    """Smallest deployment the provider sells (Azure gpt-4.1: 15 global PTUs)."""
    units: int | Literal["auto"] = "auto"
    """Units bought; `auto` sizes them for the busiest hour (like replicas). A fixed number with
    `overflow_api` sends what they cannot serve to pay-per-token."""
    term_months: int = Field(default=1, ge=1, le=60)
    """Term of the commitment; owed in full and renewed at the end of a term when the horizon outlasts it."""
    upfront_share: Share = 0.0
    """Share of a term paid when it starts."""
    beyond_horizon: Literal["owed", "horizon-share"] = "owed"
    """As for reserved GPUs: count the part of a term past the horizon as its own line, or only the horizon's share."""
    overflow_api: Id | None = None
    """An API option of this scenario that takes the traffic above the units' capacity (pay per token), hour by hour
    along workload.hourly_profile (needed unless peak_to_average is 1, a flat day)."""
    source: str
    """Where the price and throughput come from (page and date); `ASSUMPTION` where no public price exists."""
    quality_model: Id | None = None
    """Model id in pricing/quality/models.yaml whose scores apply (default: found from the provider and model ids, as
    for a per-token API option)."""
    note: str | None = None

    @model_validator(mode="after")
    def _overflow_needs_fixed_units(self):
        if self.overflow_api is not None and self.units == "auto":
            raise ValueError("overflow_api needs a fixed number of units: `auto` sizes for the busiest hour, leaving nothing to overflow")
        if self.units != "auto" and self.units < self.minimum_units:
            raise ValueError(f"units {self.units} is below minimum_units {self.minimum_units}")
        return self


class HybridOption(StrictModel):
    """Part of the traffic self-hosted, the rest on an API."""

    kind: Literal["hybrid"]
    id: Id
    self_hosted: Id
    """Id of a self-hosted option of this scenario."""
    api: Id
    """Id of an API option of this scenario."""
    mode: Literal["share", "overflow"]
    """`share`: a fixed share self-hosted. `overflow`: a fixed fleet, traffic above its capacity goes to the API, hour by
    hour along workload.hourly_profile (needed unless peak_to_average is 1, a flat day)."""
    self_hosted_share: Share | None = None
    """For `share`: the share of requests served self-hosted."""
    overflow_replicas: int | None = Field(default=None, ge=1, le=10_000)
    """For `overflow`: replicas in the fixed fleet. Formerly `replicas` (still read, with a warning)."""
    note: str | None = None

    @model_validator(mode="after")
    def _mode_fields(self):
        if self.mode == "share" and self.self_hosted_share is None:
            raise ValueError("mode `share` needs self_hosted_share")
        if self.mode == "overflow" and self.overflow_replicas is None:
            raise ValueError("mode `overflow` needs overflow_replicas")
        return self


Option = Annotated[Union[ApiOption, SelfHostedOption, HybridOption, ApiProvisionedOption], Field(discriminator="kind")]


COMMITMENT_TERMS_FOLLOWED = 11
"""Terms (a first one and 10 renewals) the engine follows over a horizon (tco.engine.formulas.MAX_REPLACEMENTS + 1); a
1-month term is followed over any horizon (tco.engine.formulas.monthly_term)."""


def _typed_term_months(option) -> tuple[int | None, tuple[str, ...]]:
    """The commitment term typed in an option (reserved, a mixed base, committed API capacity), if any, and
    its key path inside the option: an error about the term points at that line, not at the scenario."""
    if isinstance(option, ApiProvisionedOption):
        return option.term_months, ("term_months",)
    if isinstance(option, SelfHostedOption):
        pay = option.payment
        if pay.mode == "reserved":
            return pay.term_months, ("payment", "term_months")
        if pay.mode == "mixed" and pay.base is not None:
            return pay.base.term_months, ("payment", "base", "term_months")
    return None, ()


class Scenario(StrictModel):
    id: Id
    name: str | None = None
    description: str | None = None
    workload: Workload
    finance: Finance = Finance()
    capability: CapabilityRequirement | None = None
    """Optional: the capability a task category needs; options below it are flagged and ranked apart."""
    options: list[Option] = Field(min_length=1)

    @model_validator(mode="after")
    def _option_refs(self):
        """Option ids are unique (the second one is named) and a hybrid names options of the right kind."""
        import difflib

        seen: dict[str, int] = {}
        for index, o in enumerate(self.options):
            if o.id in seen:
                raise located_error(f"option id `{o.id}` is already used by options[{seen[o.id]}]; ids must be unique",
                                    ("options", index, "id"), hint="give each option its own id")
            seen[o.id] = index
        kinds = {o.id: o.kind for o in self.options}
        horizon = self.finance.horizon_months
        for index, o in enumerate(self.options):
            term, term_path = _typed_term_months(o)
            if term is not None and term > 1 and horizon > COMMITMENT_TERMS_FOLLOWED * term:
                raise located_error(f"`{o.id}`: a {term}-month term renews more than {COMMITMENT_TERMS_FOLLOWED - 1} times in "
                                    f"{horizon} months; use a 1-month term, or one of at least "
                                    f"{-(-horizon // COMMITMENT_TERMS_FOLLOWED)} months", ("options", index, *term_path))
            if isinstance(o, ApiProvisionedOption) and o.overflow_api is not None and kinds.get(o.overflow_api) != "api":
                raise located_error(f"api-provisioned `{o.id}`: overflow_api `{o.overflow_api}` is not an API option of this scenario",
                                    ("options", index, "overflow_api"))
        for index, o in enumerate(self.options):
            if not isinstance(o, HybridOption):
                continue
            for key, kind, label in (("self_hosted", "self-hosted", "a self-hosted"), ("api", "api", "an API")):
                ref = getattr(o, key)
                if ref == o.id:
                    raise located_error(f"hybrid `{o.id}` names itself; it must name {label} option of this scenario",
                                        ("options", index, key))
                if kinds.get(ref) != kind:
                    choices = [i for i, k in kinds.items() if k == kind]
                    close = difflib.get_close_matches(ref, choices, n=1, cutoff=0.6)
                    what = f"is {'a ' + kinds[ref] if ref in kinds else 'not an option'} of this scenario"
                    hint = f"did you mean `{close[0]}`?" if close else (
                        f"{label[0].upper() + label[1:]} option id: {', '.join(f'`{c}`' for c in choices)}" if choices
                        else f"add {label} option first")
                    raise located_error(f"hybrid `{o.id}`: `{ref}` {what}; {key} must name {label} option", ("options", index, key), hint=hint)
        return self

    @property
    def title(self) -> str:
        return self.name or self.id


class ScenarioFile(StrictModel):
    """A scenario file: one or many scenarios."""

    schema_version: Literal[1] = 1
    scenarios: list[Scenario] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        seen: dict[str, int] = {}
        for index, s in enumerate(self.scenarios):
            if s.id in seen:
                raise located_error(f"scenario id `{s.id}` is already used by scenarios[{seen[s.id]}]; ids must be unique",
                                    ("scenarios", index, "id"), hint="give each scenario its own id")
            seen[s.id] = index
        return self
