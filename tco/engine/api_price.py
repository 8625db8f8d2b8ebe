"""Which per-token prices an API option pays: the entry in force on a date, the long-context tier, batch.

Pure: works on loaded `ApiProvider` objects. Figures stay Decimal in the sheets and become float
only here, at the boundary to the cost formulas.
"""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal

from tco.model.catalog import ResolvedApiPrice
from tco.model.pricing import ApiModel, ApiProvider, DatedPrice, PriceTier

BATCH_VARIANT = "batch"


def find_api_model(provider: ApiProvider, model_id: str) -> ApiModel | None:
    """The model whose id (or else one of whose aliases) equals `model_id`, ignoring case."""
    wanted = model_id.strip().lower()
    for model in provider.models:
        if model.id.lower() == wanted:
            return model
    for model in provider.models:
        if any(alias.lower() == wanted for alias in model.aliases):
            return model
    return None


def price_in_force(entries: list[DatedPrice], on: dt.date) -> DatedPrice | None:
    """The last entry that started on or before `on`; the first entry when `on` precedes all of them.

    Why the first for early dates: a sheet only knows prices since the model was listed; an earlier
    scenario start is priced at the earliest known price (genai-prices does the same).
    """
    active = active_entries(entries, on)
    return active[0] if active else (entries[0] if entries else None)


def active_entries(entries: list[DatedPrice], on: dt.date) -> list[DatedPrice]:
    """Entries already started on `on`, newest first."""
    return [e for e in reversed(entries) if e.effective_from is None or e.effective_from <= on]


def tier_for(entry: DatedPrice, input_tokens: int) -> PriceTier | None:
    """The highest tier whose threshold the call's input exceeds (the cliff rule), or None."""
    chosen = None
    for tier in entry.tiers:
        if input_tokens > tier.above_input_tokens:
            chosen = tier
    return chosen


def field_price(entry: DatedPrice, field: str, input_tokens: int) -> Decimal | None:
    """One price of an entry for a call of `input_tokens`; a tier that omits the field keeps the base price."""
    base = getattr(entry, field)
    if base is None:
        return None
    tier = tier_for(entry, input_tokens)
    tiered = getattr(tier, field) if tier is not None else None
    return tiered if tiered is not None else base


def resolve_api_price(provider: ApiProvider, model_id: str, on: dt.date, largest_call_input_tokens: int,
                      service_tier: str | None = None) -> ResolvedApiPrice:
    """Prices in USD per million tokens for `model_id` on `on`; ValueError (with a did-you-mean) if unknown.

    The long-context tier is chosen by the largest call and applied to every call: providers bill a
    whole request at the tier rate once its input crosses the threshold, so this errs on the high side
    when only some calls are long.
    """
    model = find_api_model(provider, model_id)
    if model is None:
        raise ValueError(_unknown_model_message(provider, model_id))
    standard = price_in_force(model.prices, on)
    assert standard is not None  # a model has at least one price entry (validated)
    tokens = max(0, int(largest_call_input_tokens))

    if service_tier is None:
        layers = [standard]
    else:
        variant = _variant(model, service_tier, provider.id)
        layers = [*active_entries(variant, on), standard]

    def price(field: str, stack: list[DatedPrice]) -> Decimal | None:
        for entry in stack:
            if getattr(entry, field) is not None:
                return field_price(entry, field, tokens)
        return None

    input_price = price("input_usd_per_million_tokens", layers)
    output_price = price("output_usd_per_million_tokens", layers)
    where = f"`{model.id}` of provider `{provider.id}`"
    if input_price is None or output_price is None:
        missing = "input" if input_price is None else "output"
        raise ValueError(f"{where} has no per-token {missing} price on {on.isoformat()} (it may be priced per image, second or request)")

    batch_input = batch_output = None
    batch = model.variants.get(BATCH_VARIANT)
    if batch and service_tier != BATCH_VARIANT:
        batch_layers = active_entries(batch, on)
        if batch_layers:
            batch_input = price("input_usd_per_million_tokens", [*batch_layers, *layers])
            batch_output = price("output_usd_per_million_tokens", [*batch_layers, *layers])

    first_priced = next(e for e in layers if e.input_usd_per_million_tokens is not None)
    return ResolvedApiPrice(
        provider=provider.id,
        model=model.id,
        input_usd_per_million_tokens=float(input_price),
        output_usd_per_million_tokens=float(output_price),
        cache_read_usd_per_million_tokens=_float(price("cache_read_usd_per_million_tokens", layers)),
        cache_write_usd_per_million_tokens=_float(price("cache_write_usd_per_million_tokens", layers)),
        batch_input_usd_per_million_tokens=_float(batch_input),
        batch_output_usd_per_million_tokens=_float(batch_output),
        tier_note=_tier_note(layers, tokens),
        effective_from=standard.effective_from.isoformat() if standard.effective_from else None,
        source=first_priced.source or standard.source or provider.source,
        as_of=str(first_priced.as_of or standard.as_of or provider.as_of),
        open_weight_model=model.open_weight_model,
    )


def _variant(model: ApiModel, service_tier: str, provider_id: str) -> list[DatedPrice]:
    if service_tier in model.variants:
        return model.variants[service_tier]
    for name, entries in model.variants.items():
        if name.lower() == service_tier.lower():
            return entries
    known = sorted(model.variants)
    close = difflib.get_close_matches(service_tier, known, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    listed = ", ".join(known) if known else "none"
    raise ValueError(f"`{model.id}` of provider `{provider_id}` has no service tier `{service_tier}` (it has: {listed}){hint}")


def _tier_note(layers: list[DatedPrice], tokens: int) -> str | None:
    for entry in layers:
        tier = tier_for(entry, tokens)
        if tier is not None:
            return (f"long-context tier: the largest call has {tokens:,} input tokens, above {tier.above_input_tokens:,}, "
                    "so the whole request pays the tier rate (cliff rule); applied to every call, which overstates "
                    "the cost when only some calls are that long")
    return None


def _unknown_model_message(provider: ApiProvider, model_id: str) -> str:
    ids = [m.id for m in provider.models]
    lowered = {i.lower(): i for i in ids}
    close = difflib.get_close_matches(model_id.lower(), list(lowered), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(f'`{lowered[c]}`' for c in close)}?" if close else ""
    return f"provider `{provider.id}` has no model `{model_id}`{hint}"


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
