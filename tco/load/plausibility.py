"""Warnings for values that are valid but probably mistyped (a unit slip, a factor of 1000).

Why warnings and not errors: each of these can be true (a 3-month pilot, a GPU at $0.005 an hour
on a promotion), so the run goes on, but the person should look twice. They are printed on
stderr as `file:line: warning: field: message` and never change the exit code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tco.engine.api_price import add_months
from tco.errors import DataProblem
from tco.load.yaml_source import dotted
from tco.load.scenarios import LoadedScenarios
from tco.model.scenario import ApiOption, HybridOption, Scenario, SelfHostedOption
from tco.units import DAYS_PER_MONTH

MAX_PLAUSIBLE_REQUESTS_PER_DAY = 1e10
"""More than the largest public LLM services report serving (order of 1e9 requests a day)."""
MIN_PLAUSIBLE_USD_PER_MILLION_TOKENS = 0.001
"""Below a tenth of a cent per million tokens: no sheet we bundle lists a paid price this low,
so the figure is most likely a price per thousand tokens (1000x too small)."""
SHORTEST_PLAUSIBLE_HORIZON_MONTHS = 5
"""`horizon_months: 3` is far more often "3 years" than a three-month comparison."""

# (field, lowest plausible, highest plausible, what a slip looks like) for figures in USD.
_USD_RANGES: tuple[tuple[str, float, float, str], ...] = (
    ("gpu_usd_per_hour", 0.01, 500.0, "GPU-hours cost between about $0.10 and $100"),
    ("purchase_usd_per_gpu", 500.0, 2_000_000.0, "a data-centre GPU costs thousands to tens of thousands of dollars"),
)
_OPERATIONS_RANGES: tuple[tuple[str, float, float, str], ...] = (
    ("usd_per_kwh", 0.005, 5.0, "electricity costs about $0.05 to $0.50 per kWh (is it per MWh or in cents?)"),
    ("staff_usd_per_fte_year", 1000.0, 5_000_000.0, "an engineer costs tens to hundreds of thousands of dollars a year (written in thousands?)"),
    ("hosting_usd_per_kw_month", 1.0, 10_000.0, "colocation costs about $100 to $300 per kW per month"),
)


def plausibility_warnings(loaded: LoadedScenarios, catalog: Any = None) -> list[DataProblem]:
    """Every suspicious value of every loaded scenario; with a catalog, also GPU counts and API prices.

    The loader's own notices (older key spellings) come first."""
    out: list[DataProblem] = list(loaded.warnings) + list(getattr(catalog, "notices", None) or [])
    for index, scenario in enumerate(loaded.scenarios):
        def warn(path: tuple, message: str, hint: str | None = None) -> None:
            file, line, field = loaded.locate(index, path)
            out.append(DataProblem(file, line, field, message, hint=hint, severity="warning"))

        _scenario_warnings(scenario, warn)
        for o_index, option in enumerate(scenario.options):
            path = ("options", o_index)
            if isinstance(option, SelfHostedOption):
                _self_hosted_warnings(option, path, warn, catalog)
            elif isinstance(option, HybridOption):
                _hybrid_warnings(option, path, warn, scenario)
            elif isinstance(option, ApiOption) and catalog is not None:
                _api_price_warnings(option, path, warn, catalog)
                _price_date_warnings(option, path, warn, catalog, scenario.finance.start_date or dt.date.today(),
                                     scenario.finance.horizon_months)
    return sorted(out)


def _scenario_warnings(scenario: Scenario, warn) -> None:
    finance, workload = scenario.finance, scenario.workload
    if finance.horizon_months <= SHORTEST_PLAUSIBLE_HORIZON_MONTHS:
        warn(("finance", "horizon_months"), f"a horizon of {finance.horizon_months} month(s) is very short",
             hint=f"for {finance.horizon_months} year{'s' if finance.horizon_months != 1 else ''} write "
                  f"horizon_months: {finance.horizon_months * 12}")
    per_day = workload.requests_per_day
    field = "requests_per_day"
    if per_day is None and workload.requests_per_month is not None:
        per_day, field = workload.requests_per_month / DAYS_PER_MONTH, "requests_per_month"
    if per_day is not None and per_day > MAX_PLAUSIBLE_REQUESTS_PER_DAY:
        warn(("workload", field), f"{per_day:,.0f} requests a day is more than any known LLM service handles",
             hint="check the unit (per day vs per month) and the number of zeros")
    growth = workload.monthly_growth
    if growth > 0 and per_day is not None:
        last_month_per_day = per_day * (1 + growth) ** (finance.horizon_months - 1)
        if last_month_per_day > MAX_PLAUSIBLE_REQUESTS_PER_DAY:
            warn(("workload", "monthly_growth"),
                 f"growing {growth:.0%} a month for {finance.horizon_months} months takes {per_day:,.0f} requests a day "
                 f"to {last_month_per_day:,.3g} in the last month, more than any known LLM service handles",
                 hint="monthly_growth is a fraction a month (0.05 = 5 % a month, about 80 % a year)")


def _self_hosted_warnings(option: SelfHostedOption, path: tuple, warn, catalog: Any) -> None:
    for field, low, high, why in _USD_RANGES:
        _check_range(option.payment, field, low, high, why, (*path, "payment", field), warn)
    for field, low, high, why in _OPERATIONS_RANGES:
        _check_range(option.operations, field, low, high, why, (*path, "operations", field), warn)
    _owned_running_cost_warnings(option, path, warn)
    if catalog is None:
        return
    _offer_caution_warnings(option, path, warn, catalog)
    counts = [offer.gpu_count for offer in catalog.offers.values() if offer.gpu == option.gpu]
    if counts and option.gpus_per_replica > max(counts):
        warn((*path, "gpus_per_replica"),
             f"{option.gpus_per_replica} GPUs per replica, but no offer has more than {max(counts):g} `{option.gpu}` GPUs in one machine",
             hint="a replica spanning machines needs a fast interconnect; was the count per machine meant?")


def _owned_running_cost_warnings(option: SelfHostedOption, path: tuple, warn) -> None:
    """Owned GPUs draw power and take rack space: a price of 0 for either (the fields' defaults, right only where someone
    else pays them) leaves a cost out without a word. A cloud price includes both, so only a purchase is warned about."""
    if option.payment.mode != "purchased":
        return
    unpriced = [field for field in ("usd_per_kwh", "hosting_usd_per_kw_month") if getattr(option.operations, field) == 0]
    if unpriced:
        warn((*path, "operations", unpriced[0]),
             f"purchased GPUs draw power and take rack space, but {' and '.join(f'operations.{f}' for f in unpriced)} "
             f"{'is' if len(unpriced) == 1 else 'are'} 0: {'that cost is' if len(unpriced) == 1 else 'those costs are'} left out",
             hint="hardware/cost_figures.yaml has sourced figures (US industrial electricity, wholesale colocation), as the "
                  "commitments and regulated examples use; give 0 only where someone else pays")


def _hybrid_warnings(option: HybridOption, path: tuple, warn, scenario: Scenario) -> None:
    """A share of 0 sends every request to the API while the self-hosted fleet's minimum and spare replicas are still paid:
    valid (a what-if), but far more often a slip for a share such as 0.3."""
    if option.mode != "share" or option.self_hosted_share != 0:
        return
    self_hosted = next((o for o in scenario.options if isinstance(o, SelfHostedOption) and o.id == option.self_hosted), None)
    kept = self_hosted.min_replicas + self_hosted.spare_replicas if self_hosted is not None else 0
    if kept:
        warn((*path, "self_hosted_share"),
             f"a self-hosted share of 0 sends every request to `{option.api}`, yet {kept} replica(s) of "
             f"`{option.self_hosted}` (its min_replicas + spare_replicas) are still paid",
             hint="give the share of requests to self-host (0.3 for 30 %), or compare the API option alone")


def _offer_caution_warnings(option: SelfHostedOption, path: tuple, warn, catalog: Any) -> None:
    """The on-demand offer an option takes its GPU-hour price from carries a caution (other shared data contradicts
    that price, e.g. Google's own on-demand SKU sums against the SkyPilot catalog's GCP rows): say so, with it."""
    pay = option.payment
    uses = []
    if pay.mode in ("on-demand", "reserved") and pay.offer and pay.gpu_usd_per_hour is None:
        uses.append((("payment", "offer"), pay.offer))
    burst = pay.burst
    if pay.mode == "mixed" and burst is not None and burst.offer and burst.mode == "on-demand" and burst.gpu_usd_per_hour is None:
        uses.append((("payment", "burst", "offer"), burst.offer))
    _gpu_only_price_warnings(option, path, warn, catalog)
    for sub_path, offer_id in uses:
        offer = getattr(catalog, "offers", {}).get(offer_id)
        caution = getattr(offer, "caution", None)
        if caution:
            warn((*path, *sub_path), f"the on-demand price of `{offer_id}` is in doubt: {caution}",
                 hint="check the provider's price page for your region and give payment.gpu_usd_per_hour")


GPU_ONLY_SUFFIX, HOST_PLUS_GPU_SUFFIX = ":gpu-only", ":host-plus-gpu"


def _gpu_only_price_warnings(option: SelfHostedOption, path: tuple, warn, catalog: Any) -> None:
    """An offer priced for its GPUs alone (GCP's accelerator SKUs) leaves out the machine's vCPUs and memory, which
    the same invoice bills: the total is short by the host's price. Say so, and name the offer that prices both."""
    pay = option.payment
    uses = [(("payment", "offer"), pay.offer, pay.gpu_usd_per_hour)]
    if pay.mode == "mixed" and pay.burst is not None:
        uses.append((("payment", "burst", "offer"), pay.burst.offer, pay.burst.gpu_usd_per_hour))
    offers = getattr(catalog, "offers", {})
    for sub_path, offer_id, own_price in uses:
        offer = offers.get(offer_id) if offer_id and own_price is None else None
        if getattr(offer, "price_scope", None) != "gpu_only":
            continue
        whole = offer_id.removesuffix(GPU_ONLY_SUFFIX) + HOST_PLUS_GPU_SUFFIX
        warn((*path, *sub_path), f"`{offer_id}` prices the GPUs alone: the {offer.instance_type} machine's vCPUs and memory "
             "are billed on top and are not counted",
             hint=f"use `{whole}`, which prices both" if whole in offers else
             "give payment.gpu_usd_per_hour with the host's share added")


def _check_range(record: Any, field: str, low: float, high: float, why: str, path: tuple, warn) -> None:
    value = getattr(record, field, None)
    if value is None or value == 0:
        return
    if value < low:
        warn(path, f"{value:g} looks too small, perhaps off by a factor of 1000", hint=why)
    elif value > high:
        warn(path, f"{value:g} looks too large, perhaps off by a factor of 1000", hint=why)


def _sheet_model(option: ApiOption, catalog: Any) -> Any:
    """The price sheet's model an API option names (its id or an alias, any case), or None."""
    sheet = catalog.providers.get(option.provider)
    wanted = option.model.lower()
    for model in getattr(sheet, "models", None) or []:
        if wanted == model.id.lower() or wanted in (a.lower() for a in model.aliases):
            return model
    return None


def _api_price_warnings(option: ApiOption, path: tuple, warn, catalog: Any) -> None:
    model = _sheet_model(option, catalog)
    if model is None:
        return
    latest = model.prices[-1]
    for field in ("input_usd_per_million_tokens", "output_usd_per_million_tokens"):
        price = getattr(latest, field, None)
        if price is not None and 0 < float(price) < MIN_PLAUSIBLE_USD_PER_MILLION_TOKENS:
            warn((*path, "model"),
                 f"the price sheet of `{option.provider}` lists {field} = {price} for `{model.id}`: that looks like a price per thousand tokens",
                 hint="sheet prices are per million tokens: multiply a per-thousand price by 1000")
    problem = _cache_read_above_input({field: float(getattr(latest, field)) for field in ("cache_read_usd_per_million_tokens",
                                       "input_usd_per_million_tokens") if getattr(latest, field, None) is not None})
    if problem and getattr(option, "cache_read_usd_per_million_tokens", None) is None:
        warn((*path, "model"), f"the price sheet of `{option.provider}` says of `{model.id}`: {problem}; cache reads are billed at it",
             hint="check the provider's price page, or give the option a cache_read_usd_per_million_tokens of its own")


def _price_date_warnings(option: ApiOption, path: tuple, warn, catalog: Any, start: dt.date, horizon_months: int) -> None:
    """No price is in force on the scenario's start (the earliest one is used anyway), or the model is retired within
    the horizon (its last price is used for months no one can buy it in): say so."""
    model = _sheet_model(option, catalog)
    if model is None:
        return
    first = getattr(model.prices[0], "effective_from", None)
    if first is not None and first > start:
        warn((*path, "model"),
             f"the earliest price of `{model.id}` ({option.provider}) is in force from {first.isoformat()}, after the "
             f"scenario's start {start.isoformat()}; it is used for the months before it too",
             hint="set finance.start_date on or after that date, or add the older price to the sheet")
    retired = getattr(model, "retired_on", None)
    if retired is None and getattr(model, "deprecated", False):
        note = (getattr(model, "note", None) or "").split(". ")[0].strip()
        warn((*path, "model"),
             f"`{model.id}` ({option.provider}) is marked deprecated in the price sheet (genai-prices): the provider may no "
             f"longer sell it, and its prices are its last known ones" + (f" (sheet note: {note})" if note else ""),
             hint="check the provider's model list; compare a model it still serves")
    if retired is not None and retired < add_months(start, horizon_months):
        when = (f"before the scenario's start {start.isoformat()}" if retired <= start
                else f"within the scenario's {horizon_months} months from {start.isoformat()}")
        warn((*path, "model"),
             f"`{model.id}` ({option.provider}) was retired on {retired.isoformat()}, {when}: the months from then are "
             f"priced at its last price, which the provider no longer sells ({model.retirement_source})",
             hint="compare its successor instead (the provider's announcement names it)")


def price_sheet_warnings(data: Any, lines: dict, name: str) -> list[DataProblem]:
    """Per-token prices in a price sheet file that look like prices per thousand tokens."""
    out: list[DataProblem] = []
    models = data.get("models") if isinstance(data, dict) else None
    for m_index, model in enumerate(models if isinstance(models, list) else []):
        if not isinstance(model, dict):
            continue
        histories = [(("prices",), model.get("prices"))]
        variants = model.get("variants")
        if isinstance(variants, dict):
            histories += [(("variants", key), entries) for key, entries in variants.items()]
        for prefix, entries in histories:
            for e_index, entry in enumerate(entries if isinstance(entries, list) else []):
                for field in ("input_usd_per_million_tokens", "output_usd_per_million_tokens"):
                    price = entry.get(field) if isinstance(entry, dict) else None
                    if isinstance(price, (int, float)) and not isinstance(price, bool) and 0 < price < MIN_PLAUSIBLE_USD_PER_MILLION_TOKENS:
                        path = ("models", m_index, *prefix, e_index, field)
                        out.append(DataProblem(name, lines.get(path), dotted(path),
                                               f"{price} USD per million tokens looks like a price per thousand tokens",
                                               hint="sheet prices are per million tokens: multiply a per-thousand price by 1000",
                                               severity="warning"))
                problem = _cache_read_above_input(entry)
                if problem:
                    path = ("models", m_index, *prefix, e_index, "cache_read_usd_per_million_tokens")
                    out.append(DataProblem(name, lines.get(path), dotted(path), problem,
                                           hint="check the provider's price page: a cached token is billed at a fraction of the input price "
                                                "(BILLING.md 1.3)", severity="warning"))
    return out


def _cache_read_above_input(entry: Any) -> str | None:
    """Why a price entry's cache read price is implausible, or None: every provider in BILLING.md 1.3 bills a cache hit
    below an uncached input token (a tenth to a half of it), so a higher one is a slip in the sheet."""
    if not isinstance(entry, dict):
        return None
    read, uncached = entry.get("cache_read_usd_per_million_tokens"), entry.get("input_usd_per_million_tokens")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (read, uncached))
    if numbers and read > uncached > 0:
        return f"a cache read ({read} USD per million tokens) costs more than an uncached input token ({uncached})"
    return None
