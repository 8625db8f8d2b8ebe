"""One declaration per user-facing input: where it is written, which formula input it sets, and how.

Why one table: the rows builder (scenario -> formula inputs), the sweep (path -> inputs to vary),
sensitivity and Monte Carlo (which inputs a range moves), `--set` (did-you-mean, older spellings),
the UI form and the workbook's input names all read it. A new input is one `Field` here plus its
`Input` and formula in `tco.engine.formulas`; nothing else translates names.

The naming rule: where a value passes through unchanged, the YAML key and the formula input are the
same word (`gpu_usd_per_hour`, `peak_to_average`), or its last two keys joined (`payment.base.replicas`
-> `base_replicas`). Where it does not (`requests_per_month` ->
`requests_per_day`, `self_hosted_share` -> `api_share_fixed`), the field says how: `input = offset +
scale x value`, with the scale possibly depending on the scenario (`replica_output_tokens_per_s` /
tokens per call). A field with `rebuild=True` feeds a lookup (the throughput model, a price tier, the
hourly profile): changing it re-resolves the option instead of editing one input column.

Bounds are not repeated here: they are read from the scenario schema (`bounds`), the one place
that validates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, get_args

from tco.model.scenario import (ApiOption, ApiProvisionedOption, Finance, HybridOption, MixedBase, MixedBurst, Payment, Operations, Scenario,
                                SelfHostedOption, Workload)

Scope = Literal["workload", "finance", "api", "self-hosted", "hybrid", "api-provisioned"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
OPTION_SCOPES: tuple[Scope, ...] = ("api", "self-hosted", "hybrid", "api-provisioned")


def _always(option: Any) -> bool:
    return True


@dataclass(frozen=True)
class Field:
    """One user-facing input of a scenario."""

    scope: Scope
    """Where it is written: the workload, the finance block, or an option of this kind."""
    path: tuple[str, ...]
    """Keys inside the scope: ("requests_per_day",), ("payment", "gpu_usd_per_hour")."""
    input: str | None
    """Formula input it sets (tco.engine.formulas); None when it only feeds a lookup."""
    label: str
    """Short label for the UI form and tables."""
    unit: str
    scale: float | Callable[[Scenario], float] = 1.0
    """input = offset + scale x value; a callable scale depends on the scenario."""
    offset: float = 0.0
    applies: Callable[[Any], bool] = _always
    """Whether the field has any effect on its owner (the option for option fields, the scenario for
    workload and finance fields): a spot overhead counts on a spot option only."""
    rebuild: bool = False
    """Feeds a lookup (throughput model, price in force, the profile): a change re-resolves the option."""
    old_names: tuple[str, ...] = ()
    """Earlier spellings of the last key, still read with a warning naming this one."""
    ui: Literal["number", "whole", "date", "choice", "text", "profile", "flag"] = "number"
    """How the UI form edits it."""

    @property
    def key(self) -> str:
        return self.path[-1]

    @property
    def yaml_path(self) -> str:
        """The path as `--set` writes it (`options.<id>.` in front of option fields)."""
        head = "options.<id>." if self.scope in OPTION_SCOPES else f"{self.scope}."
        return head + ".".join(self.path)

    def value_in(self, owner: Any) -> Any:
        """The field's value in its scope object (None when a parent block is absent)."""
        node = owner
        for key in self.path:
            if node is None:
                return None
            node = getattr(node, key, None)
        return node

    def scale_for(self, scenario: Scenario) -> float:
        return float(self.scale(scenario)) if callable(self.scale) else float(self.scale)

    def input_value(self, value: Any, scenario: Scenario) -> float:
        return self.offset + self.scale_for(scenario) * float(value)

    def model(self) -> type:
        """The pydantic model that declares the last key (for bounds and descriptions)."""
        return _MODEL_OF[(self.scope, self.path[:-1])]


def _per_call_output(scenario: Scenario) -> float:
    """1 / (output + reasoning tokens per call)"""
    w = scenario.workload
    per_call = w.output_tokens + w.reasoning_tokens
    return 1.0 / per_call if per_call > 0 else 0.0


def _mode_is(*modes: str) -> Callable[[Any], bool]:
    return lambda option: option.payment.mode in modes


def _mode_is_not(*modes: str) -> Callable[[Any], bool]:
    return lambda option: option.payment.mode not in modes


def _hybrid_mode(mode: str) -> Callable[[Any], bool]:
    return lambda option: option.mode == mode


DAYS_PER_MONTH_SCALE = 1.0 / (365.0 / 12.0)
"""requests_per_month -> requests_per_day: the same 30.4167-day month as units.DAYS_PER_MONTH."""

_W, _FIN, _API, _SH, _HY, _AP = "workload", "finance", "api", "self-hosted", "hybrid", "api-provisioned"

FIELDS: tuple[Field, ...] = (
    # ------------------------------------------------------------------ workload
    Field(_W, ("requests_per_day",), "requests_per_day", "requests/day", "requests per day"),
    Field(_W, ("requests_per_month",), "requests_per_day", "requests/month", "requests per month", scale=DAYS_PER_MONTH_SCALE),
    Field(_W, ("input_tokens",), "input_tokens", "input tokens", "tokens", rebuild=True, ui="whole"),
    Field(_W, ("output_tokens",), "output_tokens", "output tokens", "tokens", rebuild=True, ui="whole"),
    Field(_W, ("reasoning_tokens",), "reasoning_tokens", "reasoning tokens", "tokens", rebuild=True, ui="whole"),
    Field(_W, ("llm_calls_per_request",), "llm_calls_per_request", "LLM calls/request", "calls", rebuild=True, ui="whole"),
    Field(_W, ("context_growth_per_call_tokens",), "context_growth_per_call_tokens", "context add/call", "tokens",
          rebuild=True, ui="whole"),
    Field(_W, ("samples_per_call",), "samples_per_call", "samples/call", "samples", rebuild=True, ui="whole"),
    Field(_W, ("cacheable_prefix_share",), "cacheable_prefix_share", "cached input share", "fraction", rebuild=True),
    Field(_W, ("cache_write_share",), "cache_write_share", "cache write share", "fraction", rebuild=True),
    Field(_W, ("batch_eligible_share",), "batch_eligible_share", "batch share", "fraction"),
    Field(_W, ("peak_to_average",), "peak_to_average", "peak / average", "ratio",
          applies=lambda scenario: scenario.workload.hourly_profile is None),
    Field(_W, ("monthly_growth",), "monthly_growth", "monthly growth", "fraction"),
    Field(_W, ("ttft_ms",), None, "TTFT target (ms)", "ms", rebuild=True),
    Field(_W, ("tpot_ms",), None, "TPOT target (ms)", "ms", rebuild=True),
    Field(_W, ("latency_percentile",), None, "latency percentile", "name", rebuild=True, ui="choice"),
    Field(_W, ("hourly_profile",), None, "hourly profile", "24 weights", rebuild=True, ui="profile"),
    Field(_W, ("timezone",), None, "profile time zone", "IANA name", rebuild=True, ui="text"),
    Field(_W, ("samples_share_input",), "input_paid_per_sample", "samples share input", "flag", scale=-1.0, offset=1.0,
          rebuild=True, ui="flag"),
    Field(_W, ("data_must_stay_on_own_infrastructure",), None, "data stays in-house", "flag", rebuild=True, ui="flag"),
    # ------------------------------------------------------------------ finance
    Field(_FIN, ("horizon_months",), "horizon_months", "horizon (months)", "months", ui="whole"),
    Field(_FIN, ("start_date",), None, "start date", "date", rebuild=True, ui="date"),
    Field(_FIN, ("fiscal_year_start_month",), None, "fiscal year starts (month)", "month", ui="choice"),
    Field(_FIN, ("discount_rate_per_year",), "discount_rate_per_year", "discount rate/year", "fraction"),
    Field(_FIN, ("api_price_decline_per_year",), "api_price_decline_per_year", "API price fall/year", "fraction"),
    Field(_FIN, ("gpu_price_change_per_year",), "gpu_price_change_per_year", "GPU price change/year", "fraction"),
    # ------------------------------------------------------------------ API options
    Field(_API, ("provider",), None, "provider", "id", rebuild=True, ui="text"),
    Field(_API, ("model",), None, "model", "id", rebuild=True, ui="text"),
    Field(_API, ("service_tier",), None, "service tier", "name", rebuild=True, ui="text"),
    Field(_API, ("negotiated_discount",), "negotiated_discount", "negotiated discount", "fraction"),
    Field(_API, ("input_usd_per_million_tokens",), "input_usd_per_million_tokens", "input price", "USD per million tokens"),
    Field(_API, ("output_usd_per_million_tokens",), "output_usd_per_million_tokens", "output price", "USD per million tokens"),
    Field(_API, ("cache_read_usd_per_million_tokens",), "cache_read_usd_per_million_tokens", "cache read price",
          "USD per million tokens"),
    Field(_API, ("cache_write_usd_per_million_tokens",), "cache_write_usd_per_million_tokens", "cache write price",
          "USD per million tokens"),
    Field(_API, ("batch_input_usd_per_million_tokens",), "batch_input_usd_per_million_tokens", "batch input price",
          "USD per million tokens"),
    Field(_API, ("batch_output_usd_per_million_tokens",), "batch_output_usd_per_million_tokens", "batch output price",
          "USD per million tokens"),
    Field(_API, ("batch_cache_read_usd_per_million_tokens",), "batch_cache_read_usd_per_million_tokens",
          "batch cache read price", "USD per million tokens"),
    Field(_API, ("batch_cache_write_usd_per_million_tokens",), "batch_cache_write_usd_per_million_tokens",
          "batch cache write price", "USD per million tokens"),
    Field(_API, ("tool_fee_usd_per_request",), "tool_fee_usd_per_request", "tool fees per request", "USD per request"),
    Field(_API, ("usd_per_thousand_requests",), "usd_per_thousand_requests", "fee per 1,000 API requests",
          "USD per 1,000 requests"),
    # ------------------------------------------------------------------ self-hosted options
    Field(_SH, ("model",), None, "model", "id", rebuild=True, ui="text"),
    Field(_SH, ("gpu",), None, "GPU", "id", rebuild=True, ui="text"),
    Field(_SH, ("gpus_per_replica",), "gpus_per_replica", "GPUs per replica", "GPUs", rebuild=True, ui="whole"),
    Field(_SH, ("precision",), None, "precision", "name", rebuild=True, ui="choice"),
    Field(_SH, ("engine",), None, "engine", "name", rebuild=True, ui="choice"),
    Field(_SH, ("fleet",), None, "fleet", "name", rebuild=True, ui="choice"),
    Field(_SH, ("prefix_caching",), None, "prefix caching", "flag", rebuild=True, ui="flag"),
    Field(_SH, ("spec_method",), None, "speculative decoding", "name", rebuild=True, ui="choice"),
    Field(_SH, ("acceptance_length",), None, "accepted tokens/step", "tokens", rebuild=True),
    Field(_SH, ("draft_tokens",), None, "drafted tokens/step", "tokens", rebuild=True, ui="whole"),
    Field(_SH, ("max_batch",), None, "max batch", "sequences", rebuild=True, ui="whole"),
    Field(_SH, ("step_tokens",), None, "step budget", "tokens", rebuild=True, ui="whole"),
    Field(_SH, ("request_latency_ms",), None, "request latency", "ms", rebuild=True),
    Field(_SH, ("disaggregated",), None, "disaggregated", "name", rebuild=True, ui="choice"),
    Field(_SH, ("prefill_gpus",), None, "prefill GPUs", "GPUs", rebuild=True, ui="whole"),
    Field(_SH, ("attention_dp",), None, "attention DP", "name", rebuild=True, ui="choice"),
    Field(_SH, ("spare_replicas",), "spare_replicas", "spare replicas", "replicas", ui="whole"),
    Field(_SH, ("min_replicas",), "min_replicas", "minimum replicas", "replicas", ui="whole"),
    Field(_SH, ("max_utilization",), "max_utilization", "utilization cap", "fraction"),
    Field(_SH, ("calibrate",), None, "calibrate to measurements", "flag", rebuild=True, ui="flag"),
    Field(_SH, ("replica_output_tokens_per_s",), "replica_generations_per_s", "replica output tokens/s", "tokens/s",
          scale=_per_call_output),
    Field(_SH, ("payment", "mode"), None, "payment mode", "name", rebuild=True, ui="choice"),
    Field(_SH, ("payment", "offer"), None, "offer", "id", rebuild=True, ui="text"),
    Field(_SH, ("payment", "gpu_usd_per_hour"), "gpu_usd_per_hour", "price per GPU-hour", "USD per GPU-hour",
          applies=_mode_is_not("purchased"), old_names=("usd_per_gpu_hour",)),
    Field(_SH, ("payment", "reserved_discount"), None, "reserved discount", "fraction", rebuild=True),
    Field(_SH, ("payment", "billing"), None, "billing", "name", rebuild=True, ui="choice"),
    Field(_SH, ("payment", "term_months"), "term_months", "reservation term", "months",
          applies=_mode_is("reserved"), rebuild=True, ui="whole"),
    Field(_SH, ("payment", "upfront_share"), "upfront_share", "upfront share", "fraction", applies=_mode_is("reserved")),
    Field(_SH, ("payment", "base", "offer"), None, "base offer", "id", applies=_mode_is("mixed"), rebuild=True, ui="text"),
    Field(_SH, ("payment", "base", "replicas"), "base_replicas", "base replicas", "replicas | auto", applies=_mode_is("mixed"),
          rebuild=True, ui="text"),
    Field(_SH, ("payment", "base", "gpu_usd_per_hour"), None, "base price per GPU-hour", "USD per GPU-hour",
          applies=_mode_is("mixed"), rebuild=True),
    Field(_SH, ("payment", "base", "term_months"), None, "base term", "months", applies=_mode_is("mixed"), rebuild=True, ui="whole"),
    Field(_SH, ("payment", "base", "upfront_share"), None, "base upfront share", "fraction", applies=_mode_is("mixed"), rebuild=True),
    Field(_SH, ("payment", "burst", "offer"), None, "burst offer", "id", applies=_mode_is("mixed"), rebuild=True, ui="text"),
    Field(_SH, ("payment", "burst", "mode"), None, "burst mode", "name", applies=_mode_is("mixed"), rebuild=True, ui="choice"),
    Field(_SH, ("payment", "burst", "gpu_usd_per_hour"), "burst_gpu_usd_per_hour", "burst price per GPU-hour", "USD per GPU-hour",
          applies=_mode_is("mixed"), rebuild=True),
    Field(_SH, ("payment", "beyond_horizon"), None, "term past the horizon", "name", applies=_mode_is("reserved"),
          rebuild=True, ui="choice"),
    Field(_SH, ("payment", "spot_interruption_overhead"), "spot_interruption_overhead", "spot overhead", "fraction",
          applies=_mode_is("spot")),
    Field(_SH, ("payment", "purchase_usd_per_gpu"), "purchase_usd_per_gpu", "purchase price per GPU", "USD per GPU",
          applies=_mode_is("purchased")),
    Field(_SH, ("payment", "gpus_per_server"), None, "GPUs per server bought", "GPUs", applies=_mode_is("purchased"),
          rebuild=True, ui="whole"),
    Field(_SH, ("payment", "depreciation_years"), "depreciation_years", "depreciation", "years",
          applies=_mode_is("purchased")),
    Field(_SH, ("payment", "residual_value_share"), "residual_value_share", "residual value", "fraction",
          applies=_mode_is("purchased")),
    Field(_SH, ("payment", "cost_of_capital_per_year"), "cost_of_capital_per_year", "cost of capital/year", "fraction",
          applies=_mode_is("purchased")),
    Field(_SH, ("operations", "usd_per_kwh"), "usd_per_kwh", "electricity", "USD per kWh"),
    Field(_SH, ("operations", "pue"), "pue", "PUE", "ratio"),
    Field(_SH, ("operations", "idle_power_share"), "idle_power_share", "idle power share", "fraction"),
    Field(_SH, ("operations", "server_power_per_gpu_kw"), "server_power_per_gpu_kw", "server power per GPU", "kW"),
    Field(_SH, ("operations", "hosting_usd_per_kw_month"), "hosting_usd_per_kw_month", "colocation", "USD per kW-month"),
    Field(_SH, ("operations", "staff_fte"), "staff_fte", "staff", "FTE"),
    Field(_SH, ("operations", "staff_usd_per_fte_year"), "staff_usd_per_fte_year", "cost per FTE-year", "USD"),
    Field(_SH, ("operations", "staff_share"), "staff_share", "staff share", "fraction"),
    Field(_SH, ("operations", "software_usd_per_gpu_month"), "software_usd_per_gpu_month", "software per GPU-month", "USD"),
    Field(_SH, ("operations", "setup_usd"), "setup_usd", "one-time setup", "USD"),
    Field(_SH, ("operations", "storage_gb"), "storage_gb", "storage", "GB"),
    Field(_SH, ("operations", "storage_usd_per_gb_month"), "storage_usd_per_gb_month", "storage price", "USD per GB-month"),
    Field(_SH, ("operations", "egress_gb_per_request"), "egress_gb_per_request", "egress/request", "GB"),
    Field(_SH, ("operations", "egress_usd_per_gb"), "egress_usd_per_gb", "egress price", "USD per GB"),
    Field(_SH, ("operations", "maintenance_share_of_capex_per_year"), "maintenance_share_of_capex_per_year",
          "maintenance/year (share of capex)", "fraction", applies=_mode_is("purchased")),
    Field(_SH, ("operations", "staff_inflation_per_year"), "staff_inflation_per_year", "staff cost rise/year", "fraction"),
    Field(_SH, ("operations", "power_inflation_per_year"), "power_inflation_per_year", "power price rise/year", "fraction"),
    Field(_SH, ("operations", "grid_gco2e_per_kwh"), "grid_gco2e_per_kwh", "grid carbon intensity", "gCO2e per kWh"),
    Field(_SH, ("operations", "grid_carbon_figure"), None, "grid intensity figure", "id", rebuild=True, ui="text"),
    # ------------------------------------------------------------------ hybrid options
    Field(_HY, ("self_hosted",), None, "self-hosted part", "id", rebuild=True, ui="text"),
    Field(_HY, ("api",), None, "API part", "id", rebuild=True, ui="text"),
    Field(_HY, ("mode",), None, "hybrid mode", "name", rebuild=True, ui="choice"),
    Field(_HY, ("self_hosted_share",), "api_share_fixed", "self-hosted share", "fraction", scale=-1.0, offset=1.0,
          applies=_hybrid_mode("share")),
    Field(_HY, ("overflow_replicas",), "overflow_replicas", "fixed replicas", "replicas",
          applies=_hybrid_mode("overflow"), old_names=("replicas",), ui="whole"),
)

_AP_FIELDS = (
    # committed API capacity: each value feeds the sizing (units for the busiest hour), so a change re-resolves it
    Field(_AP, ("usd_per_unit_hour",), None, "price per unit-hour", "USD per unit-hour", rebuild=True),
    Field(_AP, ("tokens_per_minute_per_unit",), None, "tokens/minute per unit", "tokens per minute", rebuild=True),
    Field(_AP, ("output_token_weight",), None, "output token weight", "ratio", rebuild=True),
    Field(_AP, ("minimum_units",), None, "minimum units", "units", rebuild=True, ui="whole"),
    Field(_AP, ("units",), None, "units", "units | auto", rebuild=True, ui="text"),
    Field(_AP, ("term_months",), "term_months", "term", "months", rebuild=True, ui="whole"),
    Field(_AP, ("upfront_share",), "upfront_share", "upfront share", "fraction"),
    Field(_AP, ("beyond_horizon",), None, "term past the horizon", "name", rebuild=True, ui="choice"),
    Field(_AP, ("overflow_api",), None, "overflow API", "id", rebuild=True, ui="text"),
)
FIELDS = (*FIELDS, *_AP_FIELDS)

_MODEL_OF: dict[tuple[str, tuple[str, ...]], type] = {
    (_W, ()): Workload, (_FIN, ()): Finance, (_API, ()): ApiOption, (_SH, ()): SelfHostedOption,
    (_SH, ("payment",)): Payment, (_SH, ("operations",)): Operations,
    (_SH, ("payment", "base")): MixedBase, (_SH, ("payment", "burst")): MixedBurst, (_HY, ()): HybridOption,
    (_AP, ()): ApiProvisionedOption,
}
SCOPE_OF_KIND: dict[str, Scope] = {"api": _API, "self-hosted": _SH, "hybrid": _HY, "api-provisioned": _AP}


def fields_of(scope: Scope) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.scope == scope)


def find(scope: Scope, path: tuple[str, ...] | list[str]) -> Field | None:
    """The field at `path` in `scope` (an older spelling of its last key finds it too)."""
    path = tuple(path)
    for f in FIELDS:
        if f.scope == scope and (f.path == path or (f.path[:-1] == path[:-1] and path and path[-1] in f.old_names)):
            return f
    return None


def direct_inputs(scope: Scope) -> tuple[Field, ...]:
    """Fields whose value sets one formula input by a linear rule (no lookup)."""
    return tuple(f for f in fields_of(scope) if f.input is not None)


def inputs_set_by_fields() -> frozenset[str]:
    return frozenset(f.input for f in FIELDS if f.input is not None)


def bounds(f: Field) -> tuple[float | None, float | None]:
    """(lowest, highest) allowed value from the scenario schema; None where the schema sets none.

    Read from the field's constraints, including those inside `Share | None`-style annotations.
    """
    import annotated_types as at

    low = high = None
    for m in (m for group in typing_args_deep(f.model().model_fields[f.key]) for m in group):
        if isinstance(m, at.Ge):
            low = float(m.ge)
        elif isinstance(m, at.Gt):
            low = float(m.gt)
        elif isinstance(m, at.Le):
            high = float(m.le)
        elif isinstance(m, at.Lt):
            high = float(m.lt)
    return low, high


def open_ends(f: Field) -> tuple[bool, bool]:
    """(low end excluded, high end excluded) by the schema: `gt` / `lt` rather than `ge` / `le` (requests_per_day > 0)."""
    import annotated_types as at

    metadata = [m for group in typing_args_deep(f.model().model_fields[f.key]) for m in group]
    return any(isinstance(m, at.Gt) for m in metadata), any(isinstance(m, at.Lt) for m in metadata)


def bounds_text(f: Field) -> str:
    """The bounds as a reader needs them: `> 0 ..` where the schema excludes the end (requests_per_day: 0 is refused)."""
    low, high = bounds(f)
    low_open, high_open = open_ends(f)
    left = "" if low is None else f"{'> ' if low_open else ''}{low:g}"
    right = "" if high is None else f"{'< ' if high_open else ''}{high:g}"
    return f"{left} .. {right}"


def typing_args_deep(info) -> list[list]:
    """Every constraint list of a pydantic field: its own metadata and that of the `Annotated` types inside it."""
    import typing

    found = [list(info.metadata)]
    stack = [info.annotation]
    while stack:
        annotation = stack.pop()
        if typing.get_origin(annotation) is typing.Annotated:
            found.append([x for m in typing.get_args(annotation)[1:] for x in (getattr(m, "metadata", None) or [m])])
        else:
            stack.extend(typing.get_args(annotation))
    return found


def description(f: Field) -> str:
    info = f.model().model_fields.get(f.key)
    return (info.description or "") if info else ""


def option_scope(option: Any) -> Scope:
    return SCOPE_OF_KIND[option.kind]


def with_value(owner: Any, f: Field, value: Any) -> Any:
    """A copy of `owner` (the scope's model object) with `value` at the field, validated by the schema.

    Why: a sweep checks each grid value as `--set` would, without re-reading the file; a value the
    schema refuses raises pydantic's ValidationError, which the caller reports at the file's line.
    """
    data = owner.model_dump()
    node = data
    for key in f.path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[f.key] = value
    return type(owner).model_validate(data)


def _unique(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


SCENARIO_INPUTS: tuple[str, ...] = _unique([
    *(f.input for f in (*direct_inputs("workload"), *direct_inputs("finance"))),
    *(f"profile_h{h:02d}" for h in range(24)),
])
"""Formula inputs that come from the scenario's workload and finance: the same for all its options
(the 24 profile weights are the normalised `hourly_profile`)."""
API_INPUTS: tuple[str, ...] = _unique(f.input for f in direct_inputs("api"))
"""Inputs an API option sets (a hybrid takes them from its API part)."""
API_PRICE_INPUTS: tuple[str, ...] = tuple(name for name in API_INPUTS
                                          if name.endswith("_usd_per_million_tokens") or name == "usd_per_thousand_requests")
"""The list prices the API price ranges of sensitivity and Monte Carlo scale: per token and the sheet's per-request fee
(a search-grounded model bills both, and a price change moves both). The user's own tool fee is not a list price: left
alone."""
HYBRID_INPUTS: tuple[str, ...] = _unique(f.input for f in direct_inputs("hybrid"))
"""Inputs a hybrid option sets itself (the rest come from its two parts)."""


PROVISIONED_KIND = "api-provisioned"
"""Committed API capacity: costed by the reserved-fleet formulas, one provisioned unit per replica."""

PROVISIONED_LABELS = {
    "gpu_usd_per_hour": ("price per unit-hour", "USD per unit-hour"),
    "min_replicas": ("minimum units", "units"),
    "overflow_replicas": ("units bought (overflow to the API above them)", "units"),
    "spare_replicas": ("spare units", "units"),
    "replica_generations_per_s": ("completions per second one unit serves", "per s"),
    "gpus_per_replica": ("units per replica (a replica is one unit)", "units"),
    "gpus_per_instance": ("units per billed block (1)", "units"),
    "gpu_price_change_per_year": ("expected unit price change per year (signed; finance.gpu_price_change_per_year)", "fraction"),
    "software_usd_per_gpu_month": ("software and support per unit-month (none: the provider's)", "USD"),
    "server_power_per_gpu_kw": ("IT power per unit (none: the provider runs them)", "kW"),
}
"""Committed API capacity (`kind: api-provisioned`) is costed as a reserved fleet whose replica is one unit:
its inputs say units where the self-hosted ones say GPUs. The workbook's Inputs sheet and the explanations use them."""


def _provisioned_part_labels() -> dict[str, tuple[str, str]]:
    """Written per part, not by swapping words: most read "units" for "GPUs", but some (resale, power) have no unit
    counterpart and say so."""
    from tco.engine.formulas import MAX_REPLACEMENTS

    parts = {
        "reserved_usd": ("provisioned units: reserved terms (spread over each term)", "USD"),
        "reserved_beyond_horizon_usd": ("provisioned units: reserved terms owed past the horizon", "USD"),
        "reserved_signed_usd": ("unit terms signed this month (new and renewed), whole term", "USD"),
        "outlays_at_month_start_usd": ("paid on the month's first day: the upfront parts of unit terms", "USD"),
        "gpus_busiest_hour": ("units paid in the busiest hour", "units"),
        "gpus_committed_needed": ("units to commit (the busiest hour's)", "units"),
        "gpus_committed": ("units paid for whether needed or not (reserved for a term)", "units"),
        "gpus_in_month": ("units paid for (average over the month)", "units"),
        "idle_gpus_in_month": ("units paid for but serving nothing (average)", "units"),
        "gpu_hours": ("unit-hours this month", "unit-hours"),
        "held_gpu_hours": ("unit-hours held this month", "unit-hours"),
        "paid_gpu_hours": ("unit-hours paid for this month (reserved)", "unit-hours"),
        "busy_gpu_hours": ("unit-hours of serving units", "unit-hours"),
        "powered_gpu_hours": ("unit-hours (the provider powers them)", "unit-hours"),
        "utilization": ("average busy share of the units paid for", "fraction"),
        "gpu_resale_usd": ("units sold (none: reserved, not bought)", "USD"),
        "replica_capacity_per_s": ("completions per second one unit may serve", "per s"),
        "replicas_static": ("units sized for the busiest hour", "units"),
    }
    for lag in range(MAX_REPLACEMENTS + 1):
        parts[f"reserved_first_signed_usd_lag{lag}"] = (
            f"unit terms first signed {lag} term(s) ago, at their price (a backtest: the offer's)", "USD")
    return parts


PROVISIONED_PART_LABELS = _provisioned_part_labels()
"""The named parts of tco/engine/formulas.py a committed-capacity explanation reaches whose label speaks of GPUs
(or of replicas counted as GPUs): the same figures, counted in provisioned units."""
_PROVISIONED_ALL = {**PROVISIONED_PART_LABELS, **PROVISIONED_LABELS}


def labels_for_kind(kind: str | None) -> dict[str, tuple[str, str]]:
    """Formula name -> (label, unit) an explanation of an option of `kind` shows instead of the formula's own.

    Why one place: the UI's explanation, `tco explain` and the workbook must say the same. Committed API capacity
    runs no GPUs, so its inputs and parts speak of units; every other kind keeps the formulas' labels (empty map).
    """
    return _PROVISIONED_ALL if kind == PROVISIONED_KIND else {}


def label_for_kind(kind: str | None, name: str, label: str, unit: str = "") -> tuple[str, str]:
    """The (label, unit) of one input or named part for an option of `kind` (see `labels_for_kind`)."""
    return labels_for_kind(kind).get(name, (label, unit))
