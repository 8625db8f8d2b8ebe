"""From scenarios and catalogs to rows of formula inputs, each value with its provenance.

Why a separate step: the formulas only see numbers. Everything that needs a lookup (the price in
force, the offer's hourly price, the throughput of a replica) is resolved here once, and the
value keeps where it came from, for the workbook's Sources sheet and for `tco explain`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from tco.engine import formulas as F
from tco.engine.fields import API_INPUTS, direct_inputs, fields_of
from tco.model.catalog import Catalog, ResolvedApiPrice
from tco.model.scenario import ApiOption, ApiProvisionedOption, HybridOption, Scenario, SelfHostedOption

SERVER_POWER_FIGURE = "dgx-h100-power-draw"
"""Cost figure (hardware/cost_figures.yaml) for the power of a whole 8 x H100 SXM server; divided by
8 GPUs x their TDP it gives the ratio of server power to GPU power used when the user gives none."""


@dataclass(frozen=True)
class Provenance:
    source: str
    as_of: str = ""
    note: str = ""


@dataclass
class Row:
    """One option of one scenario: its inputs, their provenance, and what to say about it."""

    row: int
    scenario_id: str
    scenario_title: str
    option_id: str
    kind: str
    values: dict[str, float]
    provenance: dict[str, Provenance] = field(default_factory=dict)
    description: str = ""
    excluded_reason: str | None = None
    notes: list[str] = field(default_factory=list)
    throughput: Any = None
    api_price: ResolvedApiPrice | None = None
    model_id: str | None = None
    """Open-weight model id (self-hosted) or the API model id, for capability matching."""
    carbon_known: bool = False
    """A grid intensity was given or looked up: the emission results mean something (else they are not shown)."""
    base_auto: bool = False
    """A mixed fleet whose base is `replicas: auto`: analyses at another volume or draw choose the base again."""
    term_choices: tuple[dict[str, float], dict[str, float]] | None = None
    """A committed option's inputs under a shorter and a longer term (the sensitivity's `term` range), or None."""
    own_ranges: dict[str, OwnRange] = field(default_factory=dict)
    """This option's own ranges, by the name of the sensitivity range and Monte Carlo spread they replace (those marked
    `per_option`): the throughput's, from the model's record on published runs like this answer."""


@dataclass(frozen=True)
class OwnRange:
    """One option's own range of an uncertain factor (low, most likely, high), and where it comes from.

    Why per option: the throughput model errs by 4 % on one kind of answer and by 20 % and more on another
    (tco.engine.throughput.regimes); one width for every option would hide which totals rest on firm ground.
    """

    low: float
    mode: float
    high: float
    why: str


NO_OWN_THROUGHPUT_RANGE = ("no published run like this answer to judge its throughput by (a dense model at a fixed load, "
                           "a published measurement, a calibrated model, a stated figure)")
"""Why an option's throughput moves by the default range of the tornado and the Monte Carlo."""

OWN_GPU_KINDS = ("self-hosted", "hybrid")
"""The kinds that run GPUs of their own: the only ones the GPU ranges of the tornado and the Monte Carlo describe."""

NO_OWN_GPUS = {
    "api": "an API option runs no GPUs of its own",
    "api-provisioned": "committed API capacity runs no GPUs of its own: a unit costs the provider's price per unit-hour "
                       "and serves the tokens per minute the provider states, not a GPU rental or our throughput model's figure",
}
"""Why a range of own GPUs (their price, the throughput model's error, the utilization cap, staff) leaves an option of
this kind at its base."""


@dataclass(frozen=True)
class RowProblem:
    """A problem found while resolving a scenario: `path` is the key path inside the scenario."""

    scenario_index: int
    path: tuple
    message: str
    hint: str | None = None
    cannot_run: bool = False
    """The input is valid but this configuration cannot run (exit 4, not 2): e.g. weights larger than GPU memory."""


Predictor = Callable[..., Any]
PriceResolver = Callable[..., ResolvedApiPrice]

_USER = Provenance("scenario file")
DEFAULT_SOURCE = "default"
"""Source of an input the scenario left at its field's default (tco.model.scenario; docs/fields.md)."""


def build_rows(scenarios: list[Scenario], catalog: Catalog, today: dt.date,
               predict: Predictor | None = None, resolve_price: PriceResolver | None = None) -> tuple[list[Row], list[RowProblem]]:
    if predict is None:
        def predict(*args, **kwargs):
            from tco.engine.throughput import predict as model_predict

            return model_predict(*args, **kwargs)
    if resolve_price is None:
        from tco.engine.api_price import resolve_api_price as resolve_price
    rows: list[Row] = []
    problems: list[RowProblem] = []
    for s_index, scenario in enumerate(scenarios):
        base = _workload_values(scenario)
        resolved: dict[str, tuple[dict[str, float], dict[str, Provenance], Row]] = {}
        for o_index, option in enumerate(scenario.options):
            if isinstance(option, (HybridOption, ApiProvisionedOption)):
                continue
            path = ("options", o_index)
            row = Row(len(rows), scenario.id, scenario.title, option.id, option.kind, dict(base[0]), dict(base[1]))
            before = len(problems)
            if isinstance(option, ApiOption):
                _api_values(row, option, scenario, catalog, today, resolve_price, problems, s_index, path)
            else:
                _self_hosted_values(row, option, scenario, catalog, predict, problems, s_index, path, today)
            if len(problems) == before:
                resolved[option.id] = (row.values, row.provenance, row)
                rows.append(row)
        for o_index, option in enumerate(scenario.options):
            if isinstance(option, ApiProvisionedOption):
                row = Row(len(rows), scenario.id, scenario.title, option.id, option.kind, dict(base[0]), dict(base[1]))
                if _provisioned_values(row, option, scenario, resolved, problems, s_index, ("options", o_index)):
                    rows.append(row)
                continue
            if not isinstance(option, HybridOption):
                continue
            if option.self_hosted not in resolved or option.api not in resolved:
                continue  # the parts already reported their problems
            if option.mode == "overflow" and (problem := _overflow_without_hours(scenario, s_index, ("options", o_index, "mode"))):
                problems.append(problem)
                continue
            sh_values, sh_prov, sh_row = resolved[option.self_hosted]
            api_values, api_prov, api_row = resolved[option.api]
            values = dict(sh_values)
            provenance = dict(sh_prov)
            for name in _API_INPUTS:
                values[name] = api_values[name]
                provenance[name] = api_prov.get(name, _USER)
            values["has_self_hosted"] = 1.0
            values["api_share_fixed"] = 0.0
            values["is_overflow"] = 1.0 if option.mode == "overflow" else 0.0
            set_fields(values, provenance, "hybrid", option, scenario, option)
            if option.mode == "share":
                desc = f"{option.self_hosted_share:.0%} on {option.self_hosted}, the rest on {option.api}"
            else:
                desc = f"{option.overflow_replicas} replica(s) of {option.self_hosted}; overflow to {option.api}"
            row = Row(len(rows), scenario.id, scenario.title, option.id, "hybrid", values, provenance, desc,
                      notes=[*sh_row.notes, *api_row.notes], throughput=sh_row.throughput, api_price=api_row.api_price,
                      model_id=sh_row.model_id, carbon_known=sh_row.carbon_known, own_ranges=dict(sh_row.own_ranges))
            if option.mode == "overflow" and sh_values.get("spare_replicas", 0.0) > 0:
                # the formula keeps exactly overflow_replicas (gpus_busiest_hour): say where the redundancy went
                row.notes.append(f"overflow mode runs exactly {option.overflow_replicas} replica(s): the "
                                 f"{sh_values['spare_replicas']:g} spare replica(s) of {option.self_hosted} are not added, "
                                 f"as {option.api} takes the traffic a failed replica would have served")
            if scenario.workload.data_must_stay_on_own_infrastructure:
                row.excluded_reason = "data must stay on own infrastructure; this option sends part of it to an API"
            rows.append(row)
    return rows, problems


NO_LONG_CONTEXT_TIER = 1e15
"""Threshold standing for "no long-context tier": no call has that many input tokens (the schema caps a call far lower)."""
NO_PRICE_CHANGE_MONTH = 10_000.0
"""Month of an unused price-change slot: after any horizon (the schema caps it at 120 months)."""

API_LOOKUP_NEUTRAL: dict[str, float] = {
    "long_context_above_input_tokens": NO_LONG_CONTEXT_TIER, "long_context_input_ratio": 1.0, "long_context_output_ratio": 1.0,
    **{w.name: 0.0 for w in F.price_window},
    "time_of_day_input_ratio": 1.0, "time_of_day_output_ratio": 1.0, "time_of_day_cache_read_ratio": 1.0,
    "has_api_price_history": 0.0, "api_price_known_months": 0.0,
    **{m.name: NO_PRICE_CHANGE_MONTH for m in F.price_change_month},
    **{r.name: 1.0 for per_change in F.PRICE_CHANGE_INPUTS for r in per_change if r.unit == "ratio"},
    **{t.name: NO_LONG_CONTEXT_TIER for t in F.price_change_long_context_above_input_tokens},
    "usd_per_thousand_requests": 0.0, "cached_call_share": 1.0,
}
"""Inputs of the API billing rules that come from the price sheet (no field sets them), at values that change nothing."""

_API_INPUTS = (*API_INPUTS, *API_LOOKUP_NEUTRAL)
"""What a hybrid takes from its API part."""


def _overflow_without_hours(scenario: Scenario, s_index: int, path: tuple) -> RowProblem | None:
    """Overflow is worked out hour by hour along the day's profile; without one the day is flat, which contradicts a
    busiest hour above the average (`peak_to_average` > 1): the fixed fleet would seem to serve a peak it cannot.
    A flat day stated as such (no profile, peak_to_average 1) is consistent and runs."""
    w = scenario.workload
    if w.hourly_profile is not None or w.peak_to_average <= 1.0:
        return None
    return RowProblem(s_index, path, f"overflow is worked out hour by hour, and peak_to_average {w.peak_to_average:g} says the "
                      "busiest hour is above the average, but without workload.hourly_profile the day is flat: the fixed "
                      "fleet would seem to serve a peak it cannot",
                      "add 24 hourly weights (workload.hourly_profile), or set peak_to_average: 1 for a flat day")


def _provisioned_values(row: Row, option: ApiProvisionedOption, scenario: Scenario, resolved: dict, problems: list,
                        s_index: int, path: tuple) -> bool:
    """Committed API capacity as a reserved fleet whose replica is one unit.

    Why the same formulas: a unit is paid per hour for a term whether used or not and serves a stated
    throughput, exactly what a reserved replica is; sizing for the busiest hour, renewals, the part of a
    term past the horizon and overflow to pay-per-token then follow from the formulas already written.
    """
    w = scenario.workload
    v, prov = row.values, row.provenance
    counted_per_call = counted_tokens_per_generation(scenario, option.output_token_weight)
    if counted_per_call <= 0:
        problems.append(RowProblem(s_index, ("workload", "input_tokens"), "api-provisioned needs tokens per call > 0"))
        return False
    horizon = scenario.finance.horizon_months
    if problem := _too_many_renewals(option.term_months, horizon, s_index, (*path, "term_months")):
        problems.append(problem)
        return False
    src = Provenance(option.source, "", f"{option.provider} {option.model}")
    # the kind's fixed figures (no field of api-provisioned sets them) are llm-tco's, not the scenario file's;
    # set_fields below then credits the fields this option has (term_months, upfront_share) as written or default
    scenario_level = {f.input for scope in ("workload", "finance") for f in direct_inputs(scope)}
    for name in (*NEUTRAL_INPUTS, *PROVISIONED_FIXED):
        if name not in scenario_level:
            prov[name] = PROVISIONED_FIXED_PROVENANCE
    set_fields(v, prov, "api-provisioned", option, scenario, option)
    v.update({"has_self_hosted": 1.0, "api_share_fixed": 0.0, "is_reserved": 1.0, "gpus_per_replica": 1.0, "gpus_per_instance": 1.0,
              "max_utilization": 1.0, "spare_replicas": 0.0, "min_replicas": float(option.minimum_units), "is_autoscaled": 0.0,
              "gpu_usd_per_hour": option.usd_per_unit_hour, "term_months": float(option.term_months),
              "upfront_share": float(option.upfront_share), "count_beyond_horizon": 1.0 if option.beyond_horizon == "owed" else 0.0,
              "replica_generations_per_s": option.tokens_per_minute_per_unit / 60.0 / counted_per_call,
              "server_power_per_gpu_kw": 0.0})
    # the option's `source` states where the price and the throughput come from (ApiProvisionedOption.source): credited to those
    # two only; the scenario file holds no date for them (a date in a YAML comment is not read), so "as of" stays empty
    prov["gpu_usd_per_hour"] = src
    prov["min_replicas"] = _written_or_default(option, "minimum_units")
    prov["count_beyond_horizon"] = _written_or_default(option, "beyond_horizon")
    _term_choices(row, None, None, scenario)
    prov["replica_generations_per_s"] = Provenance(
        option.source, "", f"{option.tokens_per_minute_per_unit:,.0f} tokens/minute per unit / 60 / "
                           f"{counted_per_call:,.0f} counted tokens per completion (uncached input + "
                           f"{option.output_token_weight:g} x output)")
    notes = [f"api-provisioned: {option.provider} {option.model}, units paid per hour for {option.term_months}-month terms whether "
             "used or not, sized for the busiest hour; figures from: " + option.source,
             "gpus_peak and gpus_average count units here (a unit is one replica of the reserved formulas)"]
    desc = f"{option.provider} {option.model}, provisioned"
    api_row = None
    if option.overflow_api is not None:
        if option.overflow_api not in resolved:
            return False  # the API option already reported its problem
        if problem := _overflow_without_hours(scenario, s_index, (*path, "overflow_api")):
            problems.append(problem)
            return False
        api_values, api_prov, api_row = resolved[option.overflow_api]
        for name in _API_INPUTS:
            v[name] = api_values[name]
            prov[name] = api_prov.get(name, _USER)
        v["is_overflow"] = 1.0
        v["overflow_replicas"] = float(option.units)
        prov["overflow_replicas"] = Provenance("scenario file", note="units")
        notes.append(f"{option.units} unit(s); the traffic above their capacity, hour by hour, is paid per token on {option.overflow_api}")
        desc += f", {option.units} unit(s), overflow to {option.overflow_api}"
    elif option.units != "auto":
        v["min_replicas"] = float(option.units)
        prov["min_replicas"] = Provenance("scenario file", note="units")
        notes.append(f"{option.units} unit(s) bought (at least; more when the busiest hour needs them)")
    row.description = desc
    row.model_id = option.model
    row.notes.extend(notes)
    if api_row is not None:
        row.api_price = api_row.api_price
    if w.data_must_stay_on_own_infrastructure:
        row.excluded_reason = "data must stay on own infrastructure; committed API capacity still sends it to the provider"
    return True


PROVISIONED_FIXED = ("has_self_hosted", "api_share_fixed", "is_reserved", "gpus_per_replica", "gpus_per_instance",
                     "max_utilization", "spare_replicas", "is_autoscaled", "server_power_per_gpu_kw")
"""Inputs committed API capacity fixes whatever the scenario says: one unit per replica, no spares, no power of its own."""
PROVISIONED_FIXED_PROVENANCE = Provenance(
    DEFAULT_SOURCE, note="fixed for kind api-provisioned (no field sets it): a unit is one replica and the provider runs it")
"""Where such a figure comes from: a default of the kind, as a field left out of the scenario is its field's default."""


def _written_or_default(option: Any, key: str) -> Provenance:
    """`key` of an api-provisioned option: the scenario file's when written, else its field's default."""
    if _written(option, (key,)):
        return Provenance("scenario file", note=key)
    f = next(f for f in fields_of("api-provisioned") if f.path == (key,))
    return _default(f)


def _too_many_renewals(term: int, horizon: int, s_index: int, path: tuple) -> RowProblem | None:
    """A term renewed more often than the formulas follow (F.MAX_REPLACEMENTS term lags); a 1-month term needs no lag
    (F.monthly_term: all of it is signed again each month), so any horizon is followed."""
    if term <= 1 or horizon <= (F.MAX_REPLACEMENTS + 1) * term:
        return None
    return RowProblem(s_index, path, f"a {term}-month term renews more than {F.MAX_REPLACEMENTS} times in {horizon} months",
                      f"use a 1-month term, or one of at least {-(-horizon // (F.MAX_REPLACEMENTS + 1))} months")


def counted_tokens_per_generation(scenario: Scenario, output_token_weight: float) -> float:
    """Tokens one completion counts against provisioned capacity: uncached input + weight x (output + reasoning).

    Why uncached: "Cached tokens are 100 % deducted from utilisation" (BILLING.md 1.8, Azure PTU), and the
    cached share is the one the API bill charges as cache reads. Why per completion: samples that share
    their call's input send it once, as the API bill counts it; separate sample calls each send it.
    """
    w = scenario.workload
    samples = w.samples_per_call
    input_sends = 1 if w.samples_share_input else samples
    uncached_input_per_call = average_input_tokens_per_call(scenario) * (1 - w.cacheable_prefix_share)
    return uncached_input_per_call * input_sends / samples + output_token_weight * (w.output_tokens + w.reasoning_tokens)


NEUTRAL_INPUTS: dict[str, float] = {
    **{name: 0.0 for name in API_INPUTS},
    **API_LOOKUP_NEUTRAL,
    "api_share_fixed": 1.0, "is_overflow": 0.0, "has_self_hosted": 0.0,
    "replica_generations_per_s": 1.0, "gpus_per_replica": 0.0, "spare_replicas": 0.0, "min_replicas": 0.0,
    "max_utilization": 1.0, "is_autoscaled": 0.0, "overflow_replicas": 0.0,
    "gpu_usd_per_hour": 0.0, "spot_interruption_overhead": 0.0, "is_purchased": 0.0, "purchase_usd_per_gpu": 0.0,
    "is_reserved": 0.0, "term_months": 1.0, "upfront_share": 0.0, "count_beyond_horizon": 1.0,
    "is_mixed": 0.0, "base_replicas": 0.0, "burst_gpu_usd_per_hour": 0.0, "burst_gpus_per_instance": 1.0,
    "has_gpu_price_history": 0.0, "gpu_price_known_months": 0.0, "burst_gpu_price_known_months": 0.0,
    "depreciation_years": 1.0, "residual_value_share": 0.0, "cost_of_capital_per_year": 0.0,
    "idle_power_share": 0.0, "pue": 1.0, "usd_per_kwh": 0.0, "server_power_per_gpu_kw": 0.0,
    "hosting_usd_per_kw_month": 0.0, "staff_fte": 0.0, "staff_usd_per_fte_year": 0.0, "staff_share": 0.0,
    "software_usd_per_gpu_month": 0.0, "setup_usd": 0.0,
    "gpus_per_instance": 1.0, "storage_gb": 0.0, "storage_usd_per_gb_month": 0.0, "egress_gb_per_request": 0.0,
    "egress_usd_per_gb": 0.0, "maintenance_share_of_capex_per_year": 0.0, "staff_inflation_per_year": 0.0,
    "power_inflation_per_year": 0.0, "grid_gco2e_per_kwh": 0.0,
}
"""Values for the side an option does not use (an API option has no GPUs), chosen so that side costs nothing."""


def set_fields(values: dict[str, float], provenance: dict[str, Provenance], scope: str, owner: Any,
               scenario: Scenario, applies_to: Any) -> None:
    """Every field of `scope` (tco.engine.fields) that is written and has an effect sets its input.

    The same declaration drives the sweep's reverse mapping, so a value set here and a value swept
    there land on the same input by the same rule.
    """
    for f in direct_inputs(scope):
        value = f.value_in(owner)
        if value is None or isinstance(value, str) or not f.applies(applies_to):
            continue  # a word (`replicas: auto`) is resolved by the rows builder
        values[f.input] = f.input_value(value, scenario)
        if not _written(owner, f.path):
            provenance[f.input] = _default(f)
        elif f.scale != 1.0 or f.offset != 0.0:
            provenance[f.input] = Provenance("scenario file", note=f"from {f.yaml_path}")
        else:
            provenance[f.input] = _USER


def _written(owner: Any, path: tuple[str, ...]) -> bool:
    """Whether the scenario file (or a --set) wrote this key, not just left it at its default."""
    node = owner
    for key in path:
        if node is None or key not in getattr(node, "model_fields_set", ()):
            return False
        node = getattr(node, key)
    return True


def _default(f) -> Provenance:
    """A field left at its default says so (an input the reader never chose is not the scenario file's),
    with the default's reason when the field's documentation states one."""
    doc = (f.model().model_fields[f.key].description or "").strip()
    reason = next((part.strip() for part in doc.replace("\n", " ").split(". ") if "default" in part.lower()), "")
    return Provenance(DEFAULT_SOURCE, note=f"{f.yaml_path} not in the scenario: the field's default" + (f" ({reason.rstrip('.')})" if reason else ""))


def _workload_values(scenario: Scenario) -> tuple[dict[str, float], dict[str, Provenance]]:
    w, fin = scenario.workload, scenario.finance
    values: dict[str, float] = {"peak_to_average": float(w.peak_to_average), **NEUTRAL_INPUTS}
    provenance: dict[str, Provenance] = {}
    set_fields(values, provenance, "workload", w, scenario, scenario)
    set_fields(values, provenance, "finance", fin, scenario, scenario)
    if w.hourly_profile is not None:
        mean = sum(w.hourly_profile) / len(w.hourly_profile)
        weights = [x / mean for x in w.hourly_profile]
        values["peak_to_average"] = max(weights)
        provenance["peak_to_average"] = Provenance("scenario file", note="largest hour of hourly_profile / its mean")
    else:
        weights = [1.0] * F.PROFILE_HOURS
    values.update({f"profile_h{h:02d}": weights[h] for h in range(F.PROFILE_HOURS)})
    if w.requests_per_day is None:
        provenance["requests_per_day"] = Provenance("scenario file", note="requests_per_month / 30.4167 days")
    for name in values:
        provenance.setdefault(name, _USER)
    return {k: float(v) for k, v in values.items()}, provenance


def average_input_tokens_per_call(scenario: Scenario) -> float:
    w = scenario.workload
    return w.input_tokens + w.context_growth_per_call_tokens * (w.llm_calls_per_request - 1) / 2


def self_hosted_prefix_hit_rate(scenario: Scenario) -> tuple[float, bool]:
    """(share of an average call's input found in a self-hosted prefix cache, whether that prefix is one
    shared prompt). Why: the engine skips the prefill of what it has cached, as the API bills it as cache reads.

    Call k of n (k = 0 .. n-1) sends input_tokens + k x growth. The first call finds its cacheable
    prefix (cacheable_prefix_share x input_tokens, a prompt common to all requests); every later call
    resends the previous call's whole input (the session's history), which is still cached. So the hit
    tokens average (s I + (n - 1) I + g (n - 1)(n - 2) / 2) / n over the calls, divided by the average
    input per call. With an agent loop the hits are mostly per session (held with the sequence), else shared.

    Samples that share their call's input (samples_share_input, the API's `n`) are s completions of one
    prompt: the engine prefills it once and the other s - 1 find all of it cached (SGLang caches the common
    prompt of a parallel-sampling request before it runs the copies; vLLM V1 fans `n` out into requests that
    share the prompt's cached blocks). Each completion is one generation of the throughput model, so the hit
    share per generation is (h + s - 1) / s, h the call's own; as the API bills that input once per call.
    Per sequence the KV then holds input x (1 - h) / s of its own, the prompt's share of its siblings: the
    same shared-prefix accounting. Kept below 0.99: a prompt always computes at least its newest token.
    """
    w = scenario.workload
    n, g, inp = w.llm_calls_per_request, w.context_growth_per_call_tokens, w.input_tokens
    average = average_input_tokens_per_call(scenario)
    if average <= 0:
        return 0.0, True
    hits = (w.cacheable_prefix_share * inp + (n - 1) * inp + g * (n - 1) * (n - 2) / 2.0) / n
    per_call = hits / average
    samples = w.samples_per_call if w.samples_share_input else 1
    per_generation = (per_call + samples - 1) / samples
    return min(per_generation, 0.99), n == 1


def largest_call_input_tokens(scenario: Scenario) -> int:
    w = scenario.workload
    return w.input_tokens + w.context_growth_per_call_tokens * (w.llm_calls_per_request - 1)


def largest_call_tokens(scenario: Scenario) -> int:
    """Input + output + reasoning tokens of the last (largest) call: what must fit in the context window."""
    w = scenario.workload
    return largest_call_input_tokens(scenario) + w.output_tokens + w.reasoning_tokens


def _api_values(row: Row, option: ApiOption, scenario: Scenario, catalog: Catalog, today: dt.date,
                resolve_price: PriceResolver, problems: list[RowProblem], s_index: int, path: tuple) -> None:
    import difflib

    sheet = catalog.providers.get(option.provider)
    if sheet is None:
        close = difflib.get_close_matches(option.provider, catalog.provider_ids or list(catalog.providers), n=1)
        problems.append(RowProblem(s_index, (*path, "provider"), f"unknown API provider `{option.provider}`",
                                   f"did you mean `{close[0]}`?" if close else "see `tco pricing list`"))
        return
    on = scenario.finance.start_date or today
    try:
        price = resolve_price(sheet, option.model, on, largest_call_input_tokens(scenario), option.service_tier,
                              horizon_months=scenario.finance.horizon_months)
    except (ValueError, KeyError) as e:
        message = str(e.args[0]) if e.args else str(e)
        problems.append(RowProblem(s_index, (*path, "model"), message))
        return
    if (window := price.context_window_tokens) is not None and (needed := largest_call_tokens(scenario)) > window:
        w = scenario.workload
        problems.append(RowProblem(
            s_index, (*path, "model"),
            f"option `{option.id}`: the largest call needs {needed:,} tokens (input {largest_call_input_tokens(scenario):,} + output "
            f"{w.output_tokens:,} + reasoning {w.reasoning_tokens:,}), more than the {window:,}-token context window of "
            f"`{price.model}` ({price.provider}'s price sheet)",
            "shorten the loop (llm_calls_per_request, context_growth_per_call_tokens) or pick a model with a longer context"))
        return
    prov = Provenance(price.source, price.as_of, f"price in force on {on.isoformat()}")
    v = row.values
    # Your contract's prices (set below by set_fields) replace the sheet's. A fallback is a copy of a
    # sheet price made here, so it does not follow a contract price (a sweep edits one input column):
    # the notes say so, and a price the contract sets gets no note about the sheet's.
    contract = {name for name in _CONTRACT_PRICES if getattr(option, name) is not None}
    input_price, output_price = price.input_usd_per_million_tokens, price.output_usd_per_million_tokens
    v["input_usd_per_million_tokens"], v["output_usd_per_million_tokens"] = input_price, output_price
    cache_read = price.cache_read_usd_per_million_tokens
    cache_write = price.cache_write_usd_per_million_tokens
    batch_input = price.batch_input_usd_per_million_tokens
    batch_output = price.batch_output_usd_per_million_tokens
    batch_cache_read = price.batch_cache_read_usd_per_million_tokens
    batch_cache_write = price.batch_cache_write_usd_per_million_tokens
    # With no write price on the sheet there is no write fee: a written token is an input token at the
    # price its request pays (BILLING.md 1.3: OpenAI before GPT-5.6, DeepSeek; Gemini's implicit caching).
    # A listed standard write price with no batch one is kept for batch requests too (the fallback rule).
    IN, OUT, READ, WRITE, BATCH_IN = (f"{k}_usd_per_million_tokens" for k in ("input", "output", "cache_read", "cache_write",
                                                                              "batch_input"))
    batch_write_source, batch_write_why = (
        (WRITE, "batch + cache: the batch variant lists no cache write price, so batch requests write the cache at the "
                "standard cache write price (fallback rule)")
        if cache_write is not None else
        (BATCH_IN if batch_input is not None else IN,
         "batch + cache: the sheet lists no cache write price, so a token a batch request writes to the cache is billed as "
         "batch input, at the batch input price"))
    sheet = {IN: input_price, OUT: output_price, READ: cache_read, WRITE: cache_write, BATCH_IN: batch_input}
    for name, value, source, why in (
        (READ, cache_read, IN, "the sheet lists no cache read price: cache reads are charged at the input price"),
        (WRITE, cache_write, IN,
         "the sheet lists no cache write price: a token written to the cache is billed as input (no write fee), "
         "at the input price"),
        (BATCH_IN, batch_input, IN, "no batch price listed: batch requests pay the standard price"),
        ("batch_output_usd_per_million_tokens", batch_output, OUT, "no batch price listed: batch requests pay the standard price"),
        ("batch_cache_read_usd_per_million_tokens", batch_cache_read, READ if cache_read is not None else IN,
         "batch + cache: the batch variant lists no cache read price, so batch requests read the cache at the standard "
         "cache read price (fallback rule: no batch discount on cache reads, as OpenAI bills its older models and Google "
         "Gemini 2.5 Pro)"),
        ("batch_cache_write_usd_per_million_tokens", batch_cache_write, batch_write_source, batch_write_why),
    ):
        fallback = sheet[source]
        v[name] = value if value is not None else fallback
        row.provenance[name] = prov if value is not None else Provenance(price.source, price.as_of, why)
        if value is None and name not in contract and _matters(name, scenario) and (
                not name.startswith("batch_cache") or batch_input is not None):
            row.notes.append(why + (f" (the sheet's list price, ${fallback:g} per million tokens, not your contract's)"
                                    if source in contract else ""))
    w = scenario.workload
    discounted = [what for what, listed, share in (
        ("read", price.batch_cache_read_usd_per_million_tokens, w.cacheable_prefix_share),
        ("write", price.batch_cache_write_usd_per_million_tokens, w.cache_write_share))
        if listed is not None and f"batch_cache_{what}_usd_per_million_tokens" not in contract and share > 0]
    if w.samples_per_call > 1 and w.samples_share_input:
        # which APIs return several samples from one call is not recorded in the price sheets: say what is assumed
        row.notes.append(f"samples: the prompt is billed once for the {w.samples_per_call} samples of a call "
                         f"(samples_share_input): right where {price.provider}'s API returns several samples from one "
                         f"call (as OpenAI Chat Completions' `n` does); where it has no such parameter each sample is a "
                         f"call of its own that pays the prompt: set samples_share_input: false")
    if w.batch_eligible_share > 0 and discounted:
        prices = "cache prices" if len(discounted) == 2 else f"cache {discounted[0]} price"
        row.notes.append(f"batch + cache: batch requests pay the batch variant's {prices} (the provider applies its batch "
                         f"discount to cache {' and '.join(d + 's' for d in discounted)})")
    list_batch = [kind for kind, batch_name, standard_name in _BATCH_PAIRS
                  if standard_name in contract and batch_name not in contract
                  and getattr(price, batch_name) is not None and _matters(batch_name, scenario)]
    if list_batch:
        row.notes.append(f"contract + batch: your contract sets the standard {', '.join(list_batch)} price but not the batch one; "
                         "batch requests pay the sheet's list batch price (set the batch_..._usd_per_million_tokens "
                         "fields if your contract prices batch too)")
    for name in ("input_usd_per_million_tokens", "output_usd_per_million_tokens"):
        row.provenance[name] = prov
    _billing_rule_values(row, price, scenario, on, option.service_tier)
    set_fields(v, row.provenance, "api", option, scenario, option)
    _cache_minimum(row, price, scenario)  # after your contract's prices: a short prompt is not cached at any price
    if option.usd_per_thousand_requests is not None:
        row.notes[:] = [n for n in row.notes if not n.startswith("request fee:")]
        row.notes.append(f"request fee: your contract's ${option.usd_per_thousand_requests:g} per 1,000 API requests "
                         f"replaces the sheet's (${price.usd_per_thousand_requests or 0:g})")
    if any(getattr(option, f"{k}_usd_per_million_tokens") is not None for k in ("input", "output", "cache_read")) \
            and v["has_api_price_history"] > 0:
        for name, neutral in API_LOOKUP_NEUTRAL.items():
            if name.startswith("price_change_") or name in ("has_api_price_history", "api_price_known_months"):
                v[name] = neutral
        # the sheet's history no longer applies: its notes would say months and changes the figures do not follow
        row.notes[:] = [n for n in row.notes if not n.startswith(("price history:", "time of day + price history:"))]
        row.notes.append("your contract prices replace the sheet's: its recorded price changes are not applied, and the "
                         "expected decline counts from month 2")
    v["api_share_fixed"] = 1.0
    row.api_price = price
    row.model_id = price.open_weight_model or option.model
    row.description = f"{option.provider} / {option.model}"
    if scenario.workload.data_must_stay_on_own_infrastructure:
        row.excluded_reason = "data must stay on own infrastructure; APIs are excluded"


_CONTRACT_PRICES = tuple(f"{k}_usd_per_million_tokens" for k in (
    "input", "output", "cache_read", "cache_write", "batch_input", "batch_output", "batch_cache_read", "batch_cache_write"))
"""Prices an API option may set from its contract, replacing the sheet's."""
_BATCH_PAIRS = (("input", "batch_input_usd_per_million_tokens", "input_usd_per_million_tokens"),
                ("output", "batch_output_usd_per_million_tokens", "output_usd_per_million_tokens"),
                ("cache read", "batch_cache_read_usd_per_million_tokens", "cache_read_usd_per_million_tokens"),
                ("cache write", "batch_cache_write_usd_per_million_tokens", "cache_write_usd_per_million_tokens"))
"""(what, batch price, standard price) of the resolved sheet price."""


def _billing_rule_values(row: Row, price: ResolvedApiPrice, scenario: Scenario, on: dt.date,
                         service_tier: str | None = None) -> None:
    """The inputs of the long-context, time-of-day, price-history and request-fee rules, and their notes."""
    v, w = row.values, scenario.workload
    sheet = Provenance(price.source, price.as_of, f"{price.provider} price sheet")
    if price.long_context_above_input_tokens is not None:
        v["long_context_above_input_tokens"] = float(price.long_context_above_input_tokens)
        v["long_context_input_ratio"] = price.long_context_input_ratio
        v["long_context_output_ratio"] = price.long_context_output_ratio
        for name in ("long_context_above_input_tokens", "long_context_input_ratio", "long_context_output_ratio"):
            row.provenance[name] = sheet
        row.notes.extend(price.notes[:1] if price.tier_note else ())
        # the tier's cache read ratio matters only when the workload reads the cache
        row.notes.extend(n for n in price.notes if n.startswith(("calls above", f"service tier `{service_tier}` lists"))
                         or (n.startswith("the tier's") and w.cacheable_prefix_share > 0))
    else:
        for name in ("long_context_above_input_tokens", "long_context_input_ratio", "long_context_output_ratio"):
            row.provenance[name] = Provenance(price.source, price.as_of, "no long-context tier that the largest call crosses")
    row.notes.extend(n for n in price.notes if n.startswith("price history: from")
                     or ("first recorded price is dated" in n and (w.batch_eligible_share > 0 or not n.startswith("batch"))))
    if price.time_of_day_windows_utc:
        shares = window_share_by_local_hour(price.time_of_day_windows_utc, w.timezone, on)
        for h, share in enumerate(shares):
            v[F.price_window[h].name] = share
            row.provenance[F.price_window[h].name] = Provenance(
                price.source, price.as_of, f"variant `{price.time_of_day_variant}` in {w.timezone} time on {on.isoformat()}")
        v["time_of_day_input_ratio"] = price.time_of_day_input_ratio
        v["time_of_day_output_ratio"] = price.time_of_day_output_ratio
        v["time_of_day_cache_read_ratio"] = price.time_of_day_cache_read_ratio
        for name in ("time_of_day_input_ratio", "time_of_day_output_ratio", "time_of_day_cache_read_ratio"):
            row.provenance[name] = sheet
        profile = "the hourly profile" if w.hourly_profile is not None else "a flat day (no hourly_profile)"
        row.notes.append(f"time of day: {price.time_of_day_variant} (UTC) billed at {price.time_of_day_input_ratio:g}x input, "
                         f"{price.time_of_day_output_ratio:g}x output, hour by hour along {profile} in {w.timezone}")
    horizon = scenario.finance.horizon_months
    # Not capped by the horizon: the figure depends on the dates only, so a workbook whose horizon is
    # lengthened by hand still knows which months pay recorded prices (the schema's longest horizon: 120).
    known = _months_known(price.as_of_date, on, 120)
    changes = list(price.price_changes)
    if changes or known:
        v["has_api_price_history"] = 1.0
        v["api_price_known_months"] = float(known)
        row.provenance["api_price_known_months"] = Provenance(
            price.source, price.as_of, f"months starting on or before the sheet's as_of {price.as_of_date}")
    if known:
        row.notes.append(f"price history: {_first_months(known, horizon)} on or before the sheet's as_of ({price.as_of_date}) and pay "
                         "the recorded prices; the expected decline counts from the month after")
    tier_before = (price.long_context_above_input_tokens, price.long_context_input_ratio, price.long_context_output_ratio)
    for k, change in enumerate(changes[:F.PRICE_CHANGE_SLOTS]):
        when, day, input_ratio, output_ratio, cache_ratio, *window_ratios = change[:8]
        cache_write_ratio, tier = change[8], change[9:12]
        since = f"{day} (month {int(when)}" + (f", pro rata: {1 - when % 1:.0%} of it)" if when % 1 else ")")
        terms = [per_change[k] for per_change in F.PRICE_CHANGE_INPUTS]
        threshold = NO_LONG_CONTEXT_TIER if tier[0] is None else float(tier[0])
        for term, value in zip(terms, (float(when), input_ratio, output_ratio, cache_ratio, *window_ratios,
                                       cache_write_ratio, threshold, tier[1], tier[2])):
            v[term.name] = value
            row.provenance[term.name] = Provenance(price.source, price.as_of, f"price in force on {day}")
        row.notes.append(f"price history: from {since} the recorded price is "
                         f"{input_ratio:g}x input, {output_ratio:g}x output of the start price")
        if tuple(tier) != tier_before:
            row.notes.append(f"price history: from {since} " + (
                "no long-context tier applies to the largest call" if tier[0] is None else
                f"calls with more than {tier[0]:,} input tokens pay {tier[1]:g}x input and cache, {tier[2]:g}x output "
                "(the long-context tier in force then)"))
            tier_before = tuple(tier)
        if price.time_of_day_windows_utc:
            row.notes.append(f"time of day + price history: from {since} the window `{price.time_of_day_variant}` "
                             f"pays {window_ratios[0]:g}x input, {window_ratios[1]:g}x output of that month's standard price")
    if len(changes) > F.PRICE_CHANGE_SLOTS:
        row.notes.append(f"price history: {len(changes) - F.PRICE_CHANGE_SLOTS} later recorded change(s) not followed "
                         f"(the formulas follow the first {F.PRICE_CHANGE_SLOTS})")
    if price.usd_per_thousand_requests:
        v["usd_per_thousand_requests"] = price.usd_per_thousand_requests
        row.provenance["usd_per_thousand_requests"] = sheet
        separate = "; each sample is a separate call, so a request" if w.samples_per_call > 1 and not w.samples_share_input else ""
        row.notes.append(f"request fee: ${price.usd_per_thousand_requests:g} per 1,000 API requests (each LLM call is one "
                         f"request{separate})")


def _first_months(known: int, horizon: int) -> str:
    """The first `known` months of the horizon, as a note says them: `months 1-5 start`, `month 1 starts`."""
    last = min(known, horizon)
    return f"months 1-{last} start" if last > 1 else "month 1 starts"


def _months_known(as_of: str | None, start: dt.date, horizon: int) -> int:
    """Months of the horizon whose first day is on or before `as_of` (a date, `YYYY-MM` or `YYYY`: its first day)."""
    from tco.engine.api_price import add_months

    if not as_of:
        return 0
    parts = [int(p) for p in str(as_of).split("-")]
    known_until = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return sum(1 for m in range(horizon) if add_months(start, m) <= known_until)


def window_share_by_local_hour(windows_utc, timezone: str, on: dt.date) -> list[float]:
    """Share of each local hour (0-23 in `timezone`) inside the UTC windows, using the zone's offset on `on`.

    Why the offset of one day: a profile is one typical day; a daylight-saving change moves the
    windows by an hour for part of the year, which is stated in the README, not modelled.
    """
    from zoneinfo import ZoneInfo

    offset = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo(timezone)).utcoffset()
    offset_minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    inside = [False] * 1440
    for start, end in windows_utc:
        m = start
        while m != end:
            inside[m] = True
            m = (m + 1) % 1440
    return [sum(inside[(h * 60 - offset_minutes + i) % 1440] for i in range(60)) / 60 for h in range(24)]


def _cache_minimum(row: Row, price: ResolvedApiPrice, scenario: Scenario) -> None:
    """The calls too short for the provider to cache pay their cache reads and writes as input (BILLING.md 1.3).

    Call k of an agent loop sends input_tokens + k x growth, of which cacheable_prefix_share is read from the cache and
    cache_write_share written to it; a call whose cached prefix (read + written, up to the breakpoint: Anthropic) or whole
    prompt (OpenAI) is below the model's minimum is cached by nobody. The formulas
    count the cache reads and writes of the share of input in calls long enough (`cached_call_share`); the rest is
    uncached input, on the input line and its meter, as the provider's invoice has it."""
    from tco.engine.api_price import minimum_cacheable

    w = scenario.workload
    rule = minimum_cacheable(price.provider, price.model)
    row.provenance["cached_call_share"] = Provenance(
        "llm-tco", note="every call is long enough for the provider to cache" if rule else
        f"no minimum cacheable length recorded for {price.provider} `{price.model}` (BILLING.md 1.3): every call counts")
    if rule is None or (w.cacheable_prefix_share <= 0 and w.cache_write_share <= 0):
        return
    minimum, what, source = rule
    calls = [w.input_tokens + k * w.context_growth_per_call_tokens for k in range(w.llm_calls_per_request)]
    prefix_share = w.cacheable_prefix_share + w.cache_write_share  # the prefix up to the cache breakpoint: read + written
    reach = [tokens for tokens in calls if (prefix_share * tokens if what == "prefix" else tokens) >= minimum]
    cached = sum(reach) / sum(calls) if sum(calls) else 1.0
    if cached >= 1.0:
        return
    row.values["cached_call_share"] = cached
    row.provenance["cached_call_share"] = Provenance(
        "llm-tco", note=f"{price.provider}'s minimum cacheable {'prefix' if what == 'prefix' else 'prompt'} for "
                        f"`{price.model}`: {minimum:,} tokens ({source})")
    shortest = prefix_share * calls[0] if what == "prefix" else calls[0]
    part = "no call reaches it" if not reach else f"calls holding {1 - cached:.0%} of the input do not reach it"
    row.notes.append(f"prompt cache: {price.provider} caches a {'prefix' if what == 'prefix' else 'prompt'} of at least "
                     f"{minimum:,} tokens for `{price.model}` ({source}); {part} (the first call's "
                     f"{'cacheable prefix' if what == 'prefix' else 'prompt'} is {shortest:,.0f} tokens), so the cache "
                     f"reads and writes of {'those calls' if reach else 'every call'} are billed as input")


def _matters(name: str, scenario: Scenario) -> bool:
    w = scenario.workload
    if name.startswith("cache_read"):
        return w.cacheable_prefix_share > 0
    if name.startswith("cache_write"):
        return w.cache_write_share > 0
    if name.startswith("batch_cache_read"):
        return w.batch_eligible_share > 0 and w.cacheable_prefix_share > 0
    if name.startswith("batch_cache_write"):
        return w.batch_eligible_share > 0 and w.cache_write_share > 0
    return w.batch_eligible_share > 0


def _self_hosted_values(row: Row, option: SelfHostedOption, scenario: Scenario, catalog: Catalog,
                        predict: Predictor, problems: list[RowProblem], s_index: int, path: tuple, today: dt.date) -> None:
    import difflib

    def unknown(field_name: str, value: str, choices, where: tuple = ()) -> None:
        close = difflib.get_close_matches(value, list(choices), n=1)
        problems.append(RowProblem(s_index, (*path, *(where or (field_name,))), f"unknown {field_name} id `{value}`",
                                   f"did you mean `{close[0]}`?" if close else None))

    model = catalog.models.get(option.model)
    gpu = catalog.gpus.get(option.gpu)
    if model is None:
        unknown("model", option.model, catalog.models)
    if gpu is None:
        unknown("gpu", option.gpu, catalog.gpus)
    if model is None or gpu is None:
        return
    w = scenario.workload
    if model.context_length_tokens is not None and (needed := largest_call_tokens(scenario)) > model.context_length_tokens:
        problems.append(RowProblem(
            s_index, (*path, "model"),
            f"option `{option.id}`: the largest call needs {needed:,} tokens (input {largest_call_input_tokens(scenario):,} + output "
            f"{w.output_tokens:,} + reasoning {w.reasoning_tokens:,}), more than `{model.id}`'s "
            f"{model.context_length_tokens:,}-token context (its maximum position embeddings)",
            "shorten the loop (llm_calls_per_request, context_growth_per_call_tokens) or pick a model with a longer context"))
        return
    v, prov = row.values, row.provenance
    v["has_self_hosted"] = 1.0
    v["api_share_fixed"] = 0.0
    set_fields(v, prov, "self-hosted", option, scenario, option)
    if option.fleet == "autoscaled" and w.hourly_profile is None:
        problems.append(RowProblem(s_index, (*path, "fleet"), "an autoscaled fleet needs workload.hourly_profile to follow",
                                   "add 24 hourly weights, or use fleet: static"))
        return
    if option.fleet == "autoscaled" and option.payment.mode in ("reserved", "purchased"):
        problems.append(RowProblem(s_index, (*path, "fleet"), f"GPUs paid as `{option.payment.mode}` are paid for every hour; autoscaling saves nothing",
                                   "use fleet: static"))
        return
    v["is_autoscaled"] = 1.0 if option.fleet == "autoscaled" else 0.0

    output_per_call = w.output_tokens + w.reasoning_tokens
    if output_per_call <= 0:
        problems.append(RowProblem(s_index, ("workload", "output_tokens"), "a self-hosted option needs output_tokens + reasoning_tokens > 0"))
        return
    if option.replica_output_tokens_per_s is not None:
        prov["replica_generations_per_s"] = Provenance("scenario file", note="replica_output_tokens_per_s / (output + reasoning tokens per call)")
    else:
        from tco.engine.throughput import ServingConfig
        from tco.engine.throughput.regimes import regime_of_result, spread_of_result, unseen_by_the_fit

        hit_rate, shared = self_hosted_prefix_hit_rate(scenario) if option.prefix_caching else (0.0, True)
        tri = {"auto": None, True: True, False: False}
        config = ServingConfig(
            gpus=option.gpus_per_replica, input_tokens=max(1, round(average_input_tokens_per_call(scenario))),
            output_tokens=output_per_call, precision=option.precision, engine=option.engine,
            ttft_ms=w.ttft_ms, tpot_ms=w.tpot_ms, percentile=w.latency_percentile,
            prefix_hit_rate=hit_rate, prefix_shared=shared, spec_method=option.spec_method,
            acceptance_length=option.acceptance_length, draft_tokens=option.draft_tokens, max_batch=option.max_batch,
            step_tokens=option.step_tokens, request_latency_ms=option.request_latency_ms,
            disaggregated=tri[option.disaggregated],
            prefill_gpus=option.prefill_gpus, attention_dp=tri[option.attention_dp],
        )
        result = predict(model, gpu, config, catalog.measurements, **({"calibrate": True} if option.calibrate else {}))
        row.throughput = result
        if not result.runnable:
            problems.append(RowProblem(s_index, path, f"`{option.model}` cannot run on {option.gpus_per_replica} x {option.gpu} at {option.precision}: {result.reason}",
                                       cannot_run=True))
            return
        v["replica_generations_per_s"] = result.requests_per_s
        prov["replica_generations_per_s"] = Provenance(
            "throughput model" if result.basis == "model" else "hardware/measurements",
            note=f"{result.output_tokens_per_s:,.0f} output tokens/s per replica ({result.basis}; limited by {result.limited_by}) / {output_per_call} tokens per call")
        if result.basis == "calibrated":
            row.notes.append(f"throughput calibrated to measurements {', '.join(result.measurement_ids)}: the model x "
                             f"{result.calibration_scale:.3g} (measured / model at those points)")
        elif result.basis in ("measurement", "interpolation"):
            row.notes.append(f"throughput from measurements ({result.basis}): {', '.join(result.measurement_ids)}")
        if result.basis == "model":
            row.notes.append(_typical_model_error(*regime_of_result(result, config, model), unseen_by_the_fit(gpu.id, model.id)))
        spread = spread_of_result(result, config, model, gpu)
        if spread is not None:
            regime, error = spread
            row.own_ranges["throughput"] = OwnRange(
                error.measured_to_model_p10, error.measured_to_model_median, error.measured_to_model_p90,
                f"throughput measured / modelled on {error.rows} published runs ({regime}): P10, median, P90 (tco bench accuracy)")

    pay = option.payment
    if pay.mode == "mixed":
        if not _mixed(row, option, catalog, scenario, problems, s_index, path, unknown):
            return
        _gpu_price_history(row, scenario, scenario.finance.start_date or today)
        _finish_self_hosted(row, option, catalog, scenario, problems, s_index, path, gpu)
        if pay.base.replicas == "auto" and row.model_id is not None:
            _auto_base(row)
        return
    committed = catalog.committed_offers.get(pay.offer) if pay.offer and pay.mode == "reserved" else None
    offer = committed or (catalog.offers.get(pay.offer) if pay.offer else None)
    if pay.offer and offer is None:
        unknown("offer", pay.offer, catalog.offers, ("payment", "offer"))
        return
    if offer is not None and offer.gpu != option.gpu:
        problems.append(RowProblem(s_index, (*path, "payment", "offer"), f"offer `{offer.id}` has {offer.gpu} GPUs, but the option runs on {option.gpu}"))
        return
    offer_prov = Provenance(_first_source(offer), _first_as_of(offer), f"offer {offer.id}") if offer else _USER
    if pay.mode == "purchased":
        v["is_purchased"] = 1.0
    elif pay.gpu_usd_per_hour is not None:
        pass  # set from the field map above
    elif pay.mode in ("on-demand", "spot"):
        price = offer.on_demand_usd_per_gpu_hour if pay.mode == "on-demand" else offer.spot_usd_per_gpu_hour
        if price is None:
            problems.append(RowProblem(s_index, (*path, "payment", "offer"), f"offer `{offer.id}` has no {pay.mode} price",
                                       "give gpu_usd_per_hour or another offer"))
            return
        v["gpu_usd_per_hour"] = price
        prov["gpu_usd_per_hour"] = offer_prov
    elif committed is not None:
        v["gpu_usd_per_hour"] = committed.committed_usd_per_gpu_hour
        prov["gpu_usd_per_hour"] = Provenance(offer_prov.source, offer_prov.as_of,
                                              f"committed offer {committed.id} ({committed.term_as_published}, {committed.payment_as_published})")
    elif pay.mode == "reserved":
        if pay.reserved_discount is None or offer.on_demand_usd_per_gpu_hour is None:
            problems.append(RowProblem(s_index, (*path, "payment"), "reserved prices are your contract's: give reserved_discount (with an offer that has an on-demand price) or gpu_usd_per_hour"))
            return
        v["gpu_usd_per_hour"] = offer.on_demand_usd_per_gpu_hour * (1 - pay.reserved_discount)
        prov["gpu_usd_per_hour"] = Provenance(offer_prov.source, offer_prov.as_of, f"offer {offer.id} on-demand x (1 - reserved_discount {pay.reserved_discount})")

    _whole_instances(row, option, offer, offer_prov, scenario)
    if pay.mode == "reserved" and not _reserved_contract(row, option, committed, offer_prov, scenario, problems, s_index, path):
        return
    if pay.mode == "reserved" and v["is_reserved"] == 1.0:
        _term_choices(row, catalog, committed if pay.term_months is None and pay.gpu_usd_per_hour is None else None, scenario)
    _gpu_price_history(row, scenario, scenario.finance.start_date or today)
    _finish_self_hosted(row, option, catalog, scenario, problems, s_index, path, gpu)


def _gpu_price_history(row: Row, scenario: Scenario, on: dt.date) -> None:
    """The months of the horizon each GPU price is known for: those that start on or before its offer's as_of date.

    Why: the API's rule (`_billing_rule_values`, formulas.api_price_decline_factor). A backtest's months up to the
    offer's date pay the offer's price, not a guessed change; gpu_price_change_per_year counts from the month after.
    Each price keeps its own offer's date (a mixed fleet's base and bursts); a price you typed (and a purchase
    price, always typed) has no date and changes from month 1, as does every price of a scenario starting after it.
    """
    v, prov = row.values, row.provenance
    horizon = scenario.finance.horizon_months
    dated = [("purchase_usd_per_gpu" if v["is_purchased"] else "gpu_usd_per_hour", "gpu_price_known_months", "offer")]
    if v["is_mixed"]:
        dated.append(("burst_gpu_usd_per_hour", "burst_gpu_price_known_months", "burst offer"))
    # worked out here, not written in the scenario file (the workbook's Sources said so)
    prov["has_gpu_price_history"] = Provenance("llm-tco", note="1 when a GPU price comes with its offer's date: the months "
                                                                "up to that date pay it")
    for price, known_name, what in dated:
        source = prov.get(price, _USER)
        # not capped by the horizon, as api_price_known_months: a workbook whose horizon is lengthened by hand still knows
        known = _months_known(source.as_of, on, 120)
        if not known:
            prov[known_name] = Provenance("llm-tco", note=f"the {what}'s price has no date on or before the start (typed, "
                                                          "a purchase price, or dated later): it changes from month 1")
            continue
        v["has_gpu_price_history"] = 1.0
        v[known_name] = float(known)
        prov[known_name] = Provenance(source.source, source.as_of, f"months starting on or before the {what}'s as_of {source.as_of}")
        row.notes.append(f"GPU price history: {_first_months(known, horizon)} on or before the {what}'s as_of ({source.as_of}) "
                         "and pay its price; the expected GPU price change counts from the month after")


def _finish_self_hosted(row: Row, option: SelfHostedOption, catalog, scenario: Scenario, problems: list, s_index: int,
                        path: tuple, gpu) -> None:
    """Power and colocation from the server, the description and the notes (every payment mode)."""
    v, prov, pay = row.values, row.provenance, option.payment
    ops = option.operations
    if gpu.tdp_w is not None:
        pass  # sizes server_power_per_gpu_kw below (power and colocation both come from the server)
    elif pay.mode == "purchased" and (ops.usd_per_kwh > 0 or (ops.hosting_usd_per_kw_month > 0 and ops.server_power_per_gpu_kw is None)):
        problems.append(RowProblem(s_index, (*path, "gpu"), f"no published power figure for `{gpu.id}`: power cost cannot be computed",
                                   "set operations.server_power_per_gpu_kw, or usd_per_kwh: 0"))
        return
    if ops.server_power_per_gpu_kw is not None:
        pass  # set from the field map above
    elif gpu.tdp_w is not None and (figure := catalog.cost_figures.get(SERVER_POWER_FIGURE)) is not None and \
            (h100 := catalog.gpus.get("h100-sxm")) is not None and h100.tdp_w and figure.value:
        v["server_power_per_gpu_kw"] = gpu.tdp_w / 1000 * figure.value / (8 * h100.tdp_w / 1000)
        prov["server_power_per_gpu_kw"] = Provenance(
            figure.sources[0].source, figure.sources[0].as_of,
            f"GPU TDP x {figure.value:g} kW / (8 x {h100.tdp_w:g} W): the DGX H100 ratio of server power to GPU power")
    elif pay.mode == "purchased" and ops.hosting_usd_per_kw_month > 0:
        problems.append(RowProblem(s_index, (*path, "operations"), "no power figure to size colocation: set server_power_per_gpu_kw"))
        return
    if not _grid_intensity(row, option, catalog, problems, s_index, path):
        return
    row.model_id = option.model
    row.description = f"{option.model} on {option.gpus_per_replica} x {option.gpu} ({option.precision}, {option.engine}), {pay.mode}"
    if pay.mode == "reserved" or pay.mode == "purchased":
        row.notes.append(f"{pay.mode} GPUs are committed: the fleet is paid whether busy or idle")
    if pay.mode == "purchased":
        life_months = round(pay.depreciation_years * 12)
        horizon = scenario.finance.horizon_months
        row.notes.append(
            f"purchased GPUs are bought when first needed and kept; straight-line depreciation over {life_months} months "
            "from each purchase; at the horizon's end the fleet is valued at book value"
            + (f"; the horizon ({horizon} months) outlasts the hardware: GPUs are replaced at end of life at that month's price"
               if horizon > life_months else ""))


TERM_MONTHS = {"1y": 12, "3y": 36}
"""Months of the committed offers' terms (`block` and `contract` print their length as text: give term_months)."""
UPFRONT_SHARE = {"all-upfront": 1.0, "no-upfront": 0.0}
"""Share of the term paid at its start by payment option; partial-upfront splits are the contract's (give upfront_share)."""


def _typical_model_error(name: str, error, unseen: str | None) -> str:
    """Why a note: a self-hosted total rests on the model's throughput; the reader should see how far the model has been
    from published runs like this one (`tco.engine.throughput.regimes`), as `tco throughput` shows it, and whether
    the fit has seen this GPU and model family at all."""
    caveat = (f"; in-sample figures, and {unseen}: the hold-outs of docs/throughput.md say how much more the model errs "
              f"on a GPU or family it has not seen" if unseen else "")
    if error is None:
        return f"throughput model: no published run to judge it by ({name}){caveat}"
    def latency(label: str, error_pct: float | None, ratio: float | None) -> str:
        if error_pct is None:
            return ""
        # a bias worth a reader's attention: a latency target met on paper may not be met by runs like this one
        biased = ratio is not None and not 0.8 <= ratio <= 1.25
        return f", {label} {error_pct:g} %" + (f" (such runs measured {ratio:.2g}x the model's {label})" if biased else "")

    latencies = (latency("TPOT", error.tpot_median_pct, error.tpot_measured_to_model_median)
                 + latency("TTFT", error.ttft_median_pct, error.ttft_measured_to_model_median))
    return (f"throughput model judged on {error.rows} published runs ({name}): typical error {error.throughput_median_pct:g} % "
            f"(P90 {error.throughput_p90_pct:g} %){latencies} (tco bench accuracy){caveat}")


def _mixed(row: Row, option: SelfHostedOption, catalog, scenario: Scenario, problems: list, s_index: int, path: tuple,
           unknown: Callable[[str, str, Any], None]) -> bool:
    """A reserved base (a committed offer or your price, on a term) with bursts rented by the hour above it."""
    pay, v, prov = option.payment, row.values, row.provenance
    base, burst = pay.base, pay.burst
    if scenario.workload.hourly_profile is None:
        problems.append(RowProblem(s_index, (*path, "payment", "mode"), "a reserved base with bursts is sized hour by hour: it needs "
                                   "workload.hourly_profile", "add 24 hourly weights"))
        return False
    committed = None
    if base.offer is not None:
        committed = catalog.committed_offers.get(base.offer)
        if committed is None:
            problems.append(RowProblem(s_index, (*path, "payment", "base", "offer"), f"unknown committed offer id `{base.offer}`",
                                       "list them with `tco offers list --term 1y`"))
            return False
        if committed.gpu != option.gpu:
            problems.append(RowProblem(s_index, (*path, "payment", "base", "offer"),
                                       f"committed offer `{committed.id}` has {committed.gpu} GPUs, but the option runs on {option.gpu}"))
            return False
    burst_offer = catalog.offers.get(burst.offer) if burst.offer else None
    if burst.offer and burst_offer is None:
        problems.append(RowProblem(s_index, (*path, "payment", "burst", "offer"), f"unknown offer id `{burst.offer}`"))
        return False
    if burst_offer is not None and burst_offer.gpu != option.gpu:
        problems.append(RowProblem(s_index, (*path, "payment", "burst", "offer"),
                                   f"offer `{burst_offer.id}` has {burst_offer.gpu} GPUs, but the option runs on {option.gpu}"))
        return False
    base_prov = Provenance(_first_source(committed), _first_as_of(committed), f"committed offer {committed.id}") if committed else _USER
    if base.gpu_usd_per_hour is not None:
        v["gpu_usd_per_hour"], prov["gpu_usd_per_hour"] = base.gpu_usd_per_hour, _USER
    else:
        v["gpu_usd_per_hour"], prov["gpu_usd_per_hour"] = committed.committed_usd_per_gpu_hour, base_prov
    _whole_instances(row, option, committed, base_prov, scenario)
    burst_prov = Provenance(_first_source(burst_offer), _first_as_of(burst_offer), f"offer {burst_offer.id}") if burst_offer else _USER
    if burst.gpu_usd_per_hour is not None:
        v["burst_gpu_usd_per_hour"], prov["burst_gpu_usd_per_hour"] = burst.gpu_usd_per_hour, _USER
    else:
        price = burst_offer.on_demand_usd_per_gpu_hour if burst.mode == "on-demand" else burst_offer.spot_usd_per_gpu_hour
        if price is None:
            problems.append(RowProblem(s_index, (*path, "payment", "burst", "offer"), f"offer `{burst_offer.id}` has no {burst.mode} price",
                                       "give burst.gpu_usd_per_hour or another offer"))
            return False
        v["burst_gpu_usd_per_hour"], prov["burst_gpu_usd_per_hour"] = price, burst_prov
    whole = burst_offer is not None and pay.billing != "per-gpu" and burst_offer.gpu_count > 1
    v["burst_gpus_per_instance"] = float(burst_offer.gpu_count) if whole else 1.0
    prov["burst_gpus_per_instance"] = burst_prov if whole else Provenance("scenario file", note="bursts billed per GPU")
    if burst.mode == "on-demand":
        v["spot_interruption_overhead"] = 0.0
    v["is_mixed"] = 1.0
    v["base_replicas"] = 0.0 if base.replicas == "auto" else float(base.replicas)
    prov["base_replicas"] = _USER
    if not _reserved_contract(row, option, committed, base_prov, scenario, problems, s_index, path):
        return False
    _term_choices(row, catalog, committed if base.term_months is None and base.gpu_usd_per_hour is None else None, scenario)
    row.notes.append("mixed fleet: the reserved base serves up to its capacity hour by hour over the 24-hour profile; "
                     "replicas above it are rented by the hour as whole burst instances")
    return True


def _auto_base(row: Row) -> None:
    """The base size with the lowest total cost over the horizon (tco.engine.base_size says which sizes are tried).

    Why exhaustive: the cost of a base size is a staircase (whole replicas, whole instances, hour by
    hour), so a local search could stop on a step; the candidates are few and evaluated together.
    """
    from tco.engine.base_size import AUTO_BASE_LIMIT, best_base

    chosen, _ = best_base(row.values)
    row.values["base_replicas"] = float(chosen)
    row.base_auto = True
    row.provenance["base_replicas"] = Provenance(
        "llm-tco", note=f"base: auto, {chosen} replicas: the lowest total cost of the base sizes from none to the busiest "
                        f"hour's fleet (at most {AUTO_BASE_LIMIT})")
    row.notes.append(f"base replicas: auto chose {chosen} (lowest total cost of every base size up to the busiest hour's fleet; "
                     "break-even and Monte Carlo choose it again at each volume and draw)")


@dataclass(frozen=True)
class _TermFields:
    term_months: int | None
    upfront_share: float | None
    beyond_horizon: str


def _reserved_contract(row: Row, option: SelfHostedOption, committed, offer_prov: Provenance, scenario: Scenario,
                       problems: list, s_index: int, path: tuple) -> bool:
    """A reservation with a known term is a contract: the whole term owed, renewed when the horizon outlasts it.

    Without a term (no committed offer, no term_months) the reserved price is paid month by month as before.
    """
    pay, v, prov = option.payment, row.values, row.provenance
    if pay.mode == "mixed":
        pay = _TermFields(pay.base.term_months, pay.base.upfront_share, pay.beyond_horizon)
    term = pay.term_months if pay.term_months is not None else (TERM_MONTHS.get(committed.term) if committed else None)
    if term is None:
        if committed is not None:
            problems.append(RowProblem(s_index, (*path, "payment", "term_months"),
                                       f"committed offer `{committed.id}` is a {committed.term_as_published}: give term_months"))
            return False
        if option.payment.mode == "mixed":
            problems.append(RowProblem(s_index, (*path, "payment", "base", "term_months"),
                                       "a reserved base with a typed price needs its term", "give base.term_months (e.g. 12)"))
            return False
        row.notes.append("reserved without a term: the reserved price is paid month by month (give term_months, or a "
                         "committed offer, to owe whole terms)")
        return True
    upfront = pay.upfront_share if pay.upfront_share is not None else (UPFRONT_SHARE.get(committed.payment_option) if committed else 0.0)
    if upfront is None:
        problems.append(RowProblem(s_index, (*path, "payment", "upfront_share"),
                                   f"committed offer `{committed.id}` is paid `{committed.payment_as_published}`: give upfront_share"))
        return False
    horizon = scenario.finance.horizon_months
    if problem := _too_many_renewals(term, horizon, s_index, (*path, "payment", "term_months")):
        problems.append(problem)
        return False
    source = "scenario file" if pay.term_months is not None else offer_prov.source
    v["is_reserved"] = 1.0
    v["term_months"] = float(term)
    prov["term_months"] = Provenance(source, offer_prov.as_of if pay.term_months is None else "",
                                                "term_months" if pay.term_months is not None else f"offer term {committed.term}")
    v["upfront_share"] = float(upfront)
    if pay.upfront_share is not None or committed is None:
        prov["upfront_share"] = Provenance("scenario file", "", "upfront_share" if pay.upfront_share is not None
                                           else "no upfront_share given: paid monthly")
    else:
        prov["upfront_share"] = Provenance(offer_prov.source, offer_prov.as_of, f"payment option {committed.payment_option}")
    v["count_beyond_horizon"] = 1.0 if pay.beyond_horizon == "owed" else 0.0
    row.notes.append(f"reserved for {term}-month terms ({upfront:.0%} upfront): GPUs are reserved when first needed and "
                     "kept, each term owed in full and renewed at the then-current price when the horizon outlasts it; "
                     + ("the part of a term past the horizon is its own line (beyond_horizon: owed)" if pay.beyond_horizon == "owed"
                        else "only the horizon's share of a term is counted (beyond_horizon: horizon-share)"))
    return True


def _term_choices(row: Row, catalog, committed, scenario: Scenario) -> None:
    """The shorter and the longer term the sensitivity tries (`Row.term_choices`).

    A committed offer's price belongs to its term: the other published terms of the same offer
    (seller, product, instance, region, payment option) are tried at their own prices. A term you
    typed is tried at half and twice its length at your price (no other price is known); the
    shorter one stays long enough to cover the horizon in the terms the formulas follow.
    """
    import math

    from tco.engine.formulas import MAX_REPLACEMENTS

    term = row.values["term_months"]
    if committed is not None:
        siblings = [o for o in catalog.committed_offers.values()
                    if (o.cloud, o.offering, o.instance_type, o.region, o.payment_option)
                    == (committed.cloud, committed.offering, committed.instance_type, committed.region, committed.payment_option)
                    and o.term in TERM_MONTHS and o.superseded_by is None]
        choices = sorted({(float(TERM_MONTHS[o.term]), o.committed_usd_per_gpu_hour) for o in siblings} | {(term, row.values["gpu_usd_per_hour"])})
        short, long_ = choices[0], choices[-1]
        row.term_choices = ({"term_months": short[0], "gpu_usd_per_hour": short[1]}, {"term_months": long_[0], "gpu_usd_per_hour": long_[1]})
        return
    shortest = math.ceil(scenario.finance.horizon_months / (MAX_REPLACEMENTS + 1))
    row.term_choices = ({"term_months": float(max(math.ceil(term / 2), shortest, 1))}, {"term_months": term * 2})


def _whole_instances(row: Row, option: SelfHostedOption, offer, offer_prov: Provenance, scenario: Scenario) -> None:
    """GPUs per billed instance: the offer's GPU count, unless it is sold per GPU or the option bills per GPU.

    Why: a cloud invoices whole instances; replicas are packed onto them and unused GPUs are paid. A GPU-only price
    (GCP's accelerator SKUs of a machine type) is no exception: the machine type comes with all its GPUs (BILLING.md 2:
    "Instances are rented whole").
    """
    pay = option.payment
    if pay.mode == "purchased" and (pay.gpus_per_server or 1) > 1:
        n = float(pay.gpus_per_server)
        row.values["gpus_per_instance"] = n
        row.provenance["gpus_per_instance"] = Provenance("scenario file", note=f"payment.gpus_per_server: {n:g} GPUs per server bought")
        row.notes.append(f"whole servers of {n:g} GPUs are bought; GPUs without a replica are owned, depreciated, powered at idle "
                         "and hosted, and shown as idle")
        return
    if offer is None or pay.billing == "per-gpu" or offer.gpu_count <= 1:
        row.values["gpus_per_instance"] = 1.0
        row.provenance["gpus_per_instance"] = Provenance(
            "scenario file" if pay.billing == "per-gpu" else (offer_prov.source if offer else "scenario file"),
            offer_prov.as_of if offer else "",
            "billing: per-gpu" if pay.billing == "per-gpu" else ("offer sold per GPU" if offer else "no offer: billed per GPU"))
        return
    n = float(offer.gpu_count)
    row.values["gpus_per_instance"] = n
    row.provenance["gpus_per_instance"] = Provenance(offer_prov.source, offer_prov.as_of, f"offer {offer.id}: {n:g} GPUs per instance")
    gpus = option.gpus_per_replica
    # GPUs are packed across instances (ceil(replicas x GPUs per replica / GPUs per instance)): a replica of two
    # whole instances fills them as evenly as four replicas of two GPUs fill one
    if (gpus % n if gpus > n else n % gpus) != 0:
        row.notes.append(f"whole instances: a replica of {option.gpus_per_replica} GPUs does not fill {n:g}-GPU instances evenly; "
                         "replicas are packed onto instances, spare GPUs are paid and shown as idle")
    else:
        row.notes.append(f"whole instances of {n:g} GPUs are rented; GPUs without a replica are paid and shown as idle "
                         "(billing: per-gpu to pay GPUs alone)")


def _grid_intensity(row: Row, option: SelfHostedOption, catalog: Catalog, problems: list[RowProblem],
                    s_index: int, path: tuple) -> bool:
    """The grid's carbon intensity: the option's own figure, else a sourced one from hardware/cost_figures.yaml."""
    import difflib

    ops = option.operations
    if ops.grid_gco2e_per_kwh is not None:
        row.carbon_known = True  # the field map already set the input
        return True
    if ops.grid_carbon_figure is None:
        # Not given: the input stays 0 so the formulas run, and the results say the emissions are not known (null);
        # explain says where the 0 comes from, not "scenario file"; the workbook leaves the cell and the emissions empty.
        row.provenance["grid_gco2e_per_kwh"] = Provenance(
            DEFAULT_SOURCE, note="not given: emissions are not known (tco run reports them as null; the workbook leaves "
                                 "this cell and the emissions empty) until operations.grid_gco2e_per_kwh or "
                                 "grid_carbon_figure is set; the engine computes with 0 so the formulas run")
        return True
    figure = catalog.cost_figures.get(ops.grid_carbon_figure)
    if figure is None or not figure.unit.startswith("gCO2") or figure.value is None:
        grids = [k for k, f in catalog.cost_figures.items() if f.unit.startswith("gCO2")]
        close = difflib.get_close_matches(ops.grid_carbon_figure, grids, n=1)
        problems.append(RowProblem(s_index, (*path, "operations", "grid_carbon_figure"),
                                   f"`{ops.grid_carbon_figure}` is not a grid carbon intensity figure",
                                   f"did you mean `{close[0]}`?" if close else "see the grid-carbon-* ids in hardware/cost_figures.yaml"))
        return False
    row.values["grid_gco2e_per_kwh"] = float(figure.value)
    row.provenance["grid_gco2e_per_kwh"] = Provenance(figure.sources[0].source, figure.sources[0].as_of,
                                                      f"{figure.item}: {figure.value:g} {figure.unit}")
    row.carbon_known = True
    return True


def _first_source(record) -> str:
    return record.sources[0].source if record is not None and record.sources else ""


def _first_as_of(record) -> str:
    return record.sources[0].as_of if record is not None and record.sources else ""


def _source_of(record, field_name: str) -> str:
    for s in record.sources:
        if field_name in s.covers:
            return s.source
    return _first_source(record)


def _as_of_of(record, field_name: str) -> str:
    for s in record.sources:
        if field_name in s.covers:
            return s.as_of
    return _first_as_of(record)
