"""Which per-token prices an API option pays: the entry in force on a date, the long-context tier, batch.

Pure: works on loaded `ApiProvider` objects. Figures stay Decimal in the sheets and become float
only here, at the boundary to the cost formulas.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
from decimal import Decimal

from tco.model.catalog import ResolvedApiPrice
from tco.model.pricing import PRICE_FIELDS, ApiModel, ApiProvider, DatedPrice, PriceTier

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


def variant_in_force(entries: list[DatedPrice], on: dt.date, standard_prices: list[DatedPrice]) -> list[DatedPrice]:
    """A variant's entries in force on `on`, newest first; before all of them, the earliest entry.

    Why the same fallback as `price_in_force`: a variant's recorded date is the day its price was
    checked, not the day it was launched (e.g. OpenAI batch "verified on 2026-10-14"), so an earlier
    month pays the earliest known variant price, not the standard one. Where the standard price
    changed between `on` and that date, the earliest entry moves with it, each price by its standard
    price's ratio: the variant keeps its recorded relation to standard (OpenAI cut gpt-5.6-luna 80 % on
    2026-07-30; its flex price, checked 2026-10-12 at half the standard, is half the standard before too).
    """
    active = active_entries(entries, on)
    if active or not entries:
        return active
    first = entries[0]
    then, at_first = price_in_force(standard_prices, on), price_in_force(standard_prices, first.effective_from)
    if then is None or at_first is None or then is at_first:
        return [first]
    ratios = {f: getattr(then, f) / getattr(at_first, f) for f in PRICE_FIELDS
              if getattr(then, f) is not None and getattr(at_first, f)}

    def moved(prices):
        return {f: getattr(prices, f) * r for f, r in ratios.items() if getattr(prices, f) is not None}

    return [first.model_copy(update={**moved(first), "tiers": [t.model_copy(update=moved(t)) for t in first.tiers]})]


def _fallback_note(what: str, entries: list[DatedPrice], on: dt.date) -> str | None:
    """The note for a variant whose first recorded date is after `on` (its earliest price is used)."""
    first = entries[0].effective_from if entries else None
    if first is None or first <= on:
        return None
    return (f"{what}: its first recorded price is dated {first.isoformat()} (the day the sheet checked it, not its launch); "
            "months before that pay this earliest recorded price, moved by any recorded change of the standard price "
            "in between (the variant keeps its ratio to standard)")


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
                      service_tier: str | None = None, horizon_months: int | None = None) -> ResolvedApiPrice:
    """Prices in USD per million tokens for `model_id` on `on`, and the billing rules around them.

    ValueError (with a did-you-mean) if the model is unknown. The prices are the base (untiered)
    ones; the long-context tier is returned as a threshold and ratios, because each call of an
    agent loop is its own request and only the calls that cross the threshold pay the tier
    (tco.engine.formulas.long_context_calls). Time-of-day variants (`utc-HHMM-HHMM`) come back as
    UTC windows and price ratios; with `horizon_months`, the recorded price changes after `on`
    come back as ratios to the start price.
    """
    model = find_api_model(provider, model_id)
    if model is None:
        raise ValueError(_unknown_model_message(provider, model_id))
    tokens = max(0, int(largest_call_input_tokens))
    where = f"`{model.id}` of provider `{provider.id}`"
    variant = _variant(model, service_tier, provider.id) if service_tier is not None else None

    def layers_on(day: dt.date) -> list[DatedPrice]:
        standard = price_in_force(model.prices, day)
        assert standard is not None  # a model has at least one price entry (validated)
        return [standard] if variant is None else [*variant_in_force(variant, day, model.prices), standard]

    batch = model.variants.get(BATCH_VARIANT) if service_tier != BATCH_VARIANT else None

    def batch_on(day: dt.date) -> tuple[Decimal | None, ...]:
        """Batch input, output, cache read and cache write prices in force on `day` (None: no batch price)."""
        if not batch:
            return (None, None, None, None)
        batch_layers, layers = variant_in_force(batch, day, model.prices), layers_on(day)
        return (_price("input_usd_per_million_tokens", [*batch_layers, *layers]),
                _price("output_usd_per_million_tokens", [*batch_layers, *layers]),
                _price("cache_read_usd_per_million_tokens", batch_layers),
                _price("cache_write_usd_per_million_tokens", batch_layers))

    layers = layers_on(on)
    standard = layers[-1]
    input_price = _price("input_usd_per_million_tokens", layers)
    output_price = _price("output_usd_per_million_tokens", layers)
    if input_price is None or output_price is None:
        missing = "input" if input_price is None else "output"
        raise ValueError(f"{where} has no per-token {missing} price on {on.isoformat()} (it may be priced per image, second or request)")
    cache_read = _price("cache_read_usd_per_million_tokens", layers)
    notes: list[str] = []

    batch_input, batch_output, batch_cache_read, batch_cache_write = batch_on(on)
    threshold, input_ratio, output_ratio = _long_context(layers, tokens, notes, service_tier)
    windows, tod_variant, tod_ratios = _time_of_day(model, service_tier, on, input_price, output_price, cache_read, notes)
    for what, entries in ((f"service tier `{service_tier}`", variant), ("batch", batch)):
        if entries and (note := _fallback_note(what, entries, on)) is not None:
            notes.append(note)
    changes = _price_changes(layers_on, lambda day: _time_of_day_prices(model, service_tier, day), batch_on,
                             lambda day: _long_context(layers_on(day), tokens, [], service_tier), on,
                             horizon_months, notes, _dated_days(model)) if horizon_months else ()

    first_priced = next(e for e in layers if e.input_usd_per_million_tokens is not None)
    return ResolvedApiPrice(
        provider=provider.id,
        model=model.id,
        input_usd_per_million_tokens=float(input_price),
        output_usd_per_million_tokens=float(output_price),
        cache_read_usd_per_million_tokens=_float(cache_read),
        cache_write_usd_per_million_tokens=_float(_price("cache_write_usd_per_million_tokens", layers)),
        batch_input_usd_per_million_tokens=_float(batch_input),
        batch_output_usd_per_million_tokens=_float(batch_output),
        tier_note=notes[0] if threshold is not None and notes else None,
        effective_from=standard.effective_from.isoformat() if standard.effective_from else None,
        source=first_priced.source or standard.source or provider.source,
        as_of=str(first_priced.as_of or standard.as_of or provider.as_of),
        open_weight_model=model.open_weight_model,
        batch_cache_read_usd_per_million_tokens=_float(batch_cache_read),
        batch_cache_write_usd_per_million_tokens=_float(batch_cache_write),
        long_context_above_input_tokens=threshold,
        long_context_input_ratio=input_ratio,
        long_context_output_ratio=output_ratio,
        context_window_tokens=model.context_window_tokens,
        usd_per_thousand_requests=_float(_price("usd_per_thousand_requests", layers)),
        time_of_day_windows_utc=windows,
        time_of_day_variant=tod_variant,
        time_of_day_input_ratio=tod_ratios[0],
        time_of_day_output_ratio=tod_ratios[1],
        time_of_day_cache_read_ratio=tod_ratios[2],
        price_changes=changes,
        as_of_date=str(provider.as_of),
        notes=tuple(notes),
    )


def _price(field: str, stack: list[DatedPrice], input_tokens: int = 0) -> Decimal | None:
    """The first entry of `stack` that lists `field`, at the tier a call of `input_tokens` pays."""
    for entry in stack:
        if getattr(entry, field, None) is not None:
            return field_price(entry, field, input_tokens) if field in PRICE_FIELDS else getattr(entry, field)
    return None


def _ratio(new: Decimal | None, old: Decimal | None) -> float:
    return float(new / old) if new is not None and old is not None and old > 0 else 1.0


ANTHROPIC_CACHE_MINIMUM_SOURCE = ("platform.claude.com/docs/en/build-with-claude/prompt-caching (as quoted in "
                                  "anthropic-sdk-python issue #1194; BILLING.md 1.3)")
OPENAI_CACHE_MINIMUM_SOURCE = "developers.openai.com/api/docs/guides/prompt-caching, seen 2026-12 (BILLING.md 1.3)"
MINIMUM_CACHEABLE_TOKENS: tuple[tuple[str, tuple[str, ...], int, str, str], ...] = (
    ("anthropic", ("claude-opus-4-5", "claude-opus-4-6", "claude-haiku-4-5"), 4096, "prefix", ANTHROPIC_CACHE_MINIMUM_SOURCE),
    ("anthropic", ("claude-sonnet-4-", "claude-opus-4-0", "claude-opus-4-1"), 1024, "prefix", ANTHROPIC_CACHE_MINIMUM_SOURCE),
    ("anthropic", ("claude-3-haiku", "claude-3-5-haiku"), 2048, "prefix", ANTHROPIC_CACHE_MINIMUM_SOURCE),
    ("openai", ("",), 1024, "prompt", OPENAI_CACHE_MINIMUM_SOURCE),
)
"""(provider, model id prefixes, tokens, what must reach them, source): the shortest prompt a provider caches. Anthropic
caches a prefix (up to its cache breakpoint) of at least the model's minimum; OpenAI caches automatically only prompts of
at least 1,024 tokens. A shorter one is billed as plain input, reads and writes alike. Models BILLING.md names no minimum
for (other Claude models, Gemini: its sheet mixes the Gemini API's and Vertex's, whose minimums differ) have no rule."""


def minimum_cacheable(provider: str, model: str) -> tuple[int, str, str] | None:
    """(tokens, `prefix` or `prompt`, source) of the provider's minimum cacheable length for the model, or None."""
    for rule_provider, prefixes, tokens, what, source in MINIMUM_CACHEABLE_TOKENS:
        if provider == rule_provider and any(model.startswith(p) for p in prefixes):
            return tokens, what, source
    return None


LONG_CONTEXT_EXCLUDED_TIERS = frozenset({"priority", "fast"})
"""Service tiers that serve no long context (BILLING.md 1.1: OpenAI priority "excludes long context", OpenAI's `fast`
is priority processing at the same prices; Azure downgrades long priority requests to standard, billed standard)."""


def _long_context(layers: list[DatedPrice], tokens: int, notes: list[str],
                  service_tier: str | None = None) -> tuple[int | None, float, float]:
    """(threshold, input ratio, output ratio) of the lowest tier the largest call crosses.

    A service tier that lists no long-context rates while the standard price does:
    - priority (LONG_CONTEXT_EXCLUDED_TIERS) serves no long context, so its long calls are billed at the standard
      long-context rates;
    - any other tier (batch, flex) keeps its own base and pays the standard tier's ratios on it (BILLING.md 1.1:
      OpenAI's 2x / 1.5x apply "in standard, batch and flex"; the gpt-5.5-pro Batch and Flex tables list base
      rates only).
    """
    entry = next(e for e in layers if e.input_usd_per_million_tokens is not None)
    tier_layers, standard = layers, layers[-1]
    untiered_tier = service_tier is not None and entry is not standard and not entry.tiers and bool(standard.tiers)
    # priority serves no long context, whether or not its sheet lists long-context rates (genai-prices lists 2x the
    # priority price for GPT-5.6 and later; OpenAI's priority page: "excludes long context")
    downgraded = (service_tier in LONG_CONTEXT_EXCLUDED_TIERS and entry is not standard and bool(standard.tiers))
    own_tiers_ignored = downgraded and bool(entry.tiers)
    base_layers = layers
    if untiered_tier or downgraded:
        entry, tier_layers = standard, [standard]
        if not downgraded:
            base_layers = [standard]
    crossed = [t for t in entry.tiers if tokens > t.above_input_tokens]
    if not crossed:
        return None, 1.0, 1.0
    tier = crossed[0]
    at = tier.above_input_tokens + 1
    input_ratio = _ratio(_price("input_usd_per_million_tokens", tier_layers, at), _price("input_usd_per_million_tokens", base_layers))
    output_ratio = _ratio(_price("output_usd_per_million_tokens", tier_layers, at), _price("output_usd_per_million_tokens", base_layers))
    notes.append(f"long-context tier per call: calls with more than {tier.above_input_tokens:,} input tokens pay "
                 f"{input_ratio:g}x input and cache, {output_ratio:g}x output for the whole call (cliff rule); "
                 "the other calls of the loop pay the base rates")
    if own_tiers_ignored:
        notes.append(f"service tier `{service_tier}` lists long-context rates of its own in the price sheet, but it excludes "
                     f"long context (BILLING.md 1.1, openai.com/api-priority-processing): calls with more than "
                     f"{tier.above_input_tokens:,} input tokens are served and billed at the standard long-context rates")
    elif downgraded:
        notes.append(f"service tier `{service_tier}` lists no long-context rates (it excludes long context, BILLING.md 1.1): "
                     f"calls with more than {tier.above_input_tokens:,} input tokens are billed at the standard long-context rates")
    elif untiered_tier:
        notes.append(f"service tier `{service_tier}` lists no long-context rates: its long calls pay the standard tier's "
                     f"{input_ratio:g}x input, {output_ratio:g}x output on the `{service_tier}` price (BILLING.md 1.1)")
    cache_ratio = _ratio(_price("cache_read_usd_per_million_tokens", tier_layers, at),
                         _price("cache_read_usd_per_million_tokens", base_layers))
    if abs(cache_ratio - 1.0) > 1e-9 and abs(cache_ratio - input_ratio) > 1e-6 * input_ratio:
        notes.append(f"the tier's cache read ratio ({cache_ratio:g}x) differs from its input ratio; cache reads are charged at the input ratio")
    if len(crossed) > 1:
        notes.append(f"calls above {crossed[-1].above_input_tokens:,} input tokens reach a higher tier that is not applied "
                     "(only the first tier crossed is modelled): those calls are under-charged")
    return tier.above_input_tokens, input_ratio, output_ratio


TIME_OF_DAY_PREFIX = "utc-"


def parse_utc_windows(name: str) -> tuple[tuple[int, int], ...]:
    """`utc-0100-0400+0600-1000` -> ((60, 240), (360, 600)): minutes of the UTC day, end exclusive."""
    spans = []
    for part in name[len(TIME_OF_DAY_PREFIX):].split("+"):
        start, end = part.split("-")
        spans.append((int(start[:2]) * 60 + int(start[2:]), int(end[:2]) * 60 + int(end[2:])))
    return tuple(spans)


def _time_of_day(model: ApiModel, service_tier: str | None, on: dt.date, input_price: Decimal, output_price: Decimal,
                 cache_read: Decimal | None, notes: list[str]) -> tuple[tuple[tuple[int, int], ...], str | None, tuple[float, float, float]]:
    """The model's time-of-day variant (if any, and not chosen as the option's service tier)."""
    found = _time_of_day_prices(model, service_tier, on)
    if found is not None:
        name, active = found
        days = window_days_share(active)
        ratios = tuple(on_days(_ratio(price, standard), days) for price, standard in (
            (_price("input_usd_per_million_tokens", active) or input_price, input_price),
            (_price("output_usd_per_million_tokens", active) or output_price, output_price),
            (_price("cache_read_usd_per_million_tokens", active), cache_read)))
        weekdays = (f"; Monday to Friday only, so averaged over the week as {WEEKDAYS_PER_WEEK} of 7 days at the window's "
                    "price (the same traffic every day assumed)") if days < 1 else ""
        notes.append(f"time of day: UTC {name[len(TIME_OF_DAY_PREFIX):]} billed at variant `{name}` "
                     f"({ratios[0]:g}x input, {ratios[1]:g}x output), hour by hour along the workload's profile{weekdays}")
        return parse_utc_windows(name), name, ratios
    return (), None, (1.0, 1.0, 1.0)


WEEKDAYS_PER_WEEK = 5


def window_days_share(active: list[DatedPrice]) -> float:
    """Share of the week's days a time-of-day window holds: 5 / 7 when its entry in force says weekdays only."""
    return WEEKDAYS_PER_WEEK / 7 if active and active[0].weekdays_only else 1.0


def on_days(ratio: float, days_share: float) -> float:
    """The window's price ratio averaged over the week: the window's ratio on its days, 1 (the standard price) on the
    others. Why fold the days into the ratio: the window's hours of the day are the same on every day it holds, so
    the profile's hour-by-hour share stays as it is and only the price paid in those hours is averaged."""
    return 1 + days_share * (ratio - 1)


def _time_of_day_prices(model: ApiModel, service_tier: str | None, on: dt.date) -> tuple[str, list[DatedPrice]] | None:
    """(name, entries in force on `on`) of the model's time-of-day variant, or None."""
    for name, entries in model.variants.items():
        if name.startswith(TIME_OF_DAY_PREFIX) and name != service_tier and (active := active_entries(entries, on)):
            return name, active
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _price_changes(layers_on, time_of_day_on, batch_on, long_context_on, on: dt.date, horizon_months: int,
                   notes: list[str], dated_days: frozenset = frozenset()) -> tuple:
    """(when, date in force, input, output, cache read ratio to the start price, time-of-day input, output, cache read
    ratio to that day's standard price, cache write ratio to the start price, long-context threshold (None: no tier
    the largest call crosses), input and output ratio) for each day of the horizon whose prices differ from the day
    before.

    `when` is the month the change falls in plus the share of that month already past on its day (a change on the
    17th of a 31-day month 3: 3 + 16 / 31), so that month pays each price for its days: a request is billed at the
    price in force when it is made (BILLING.md 1.4: DeepSeek's prices changed on 2026-08-16, its peak window on
    2026-08-23). The days looked at are the sheet's dated entries (`dated_days`) and each month's first day. Why the
    time-of-day ratios per change: each window keeps its own price (BILLING.md 1.4: DeepSeek's peak and off-peak
    prices changed by different ratios on 2026-09-10). Why the cache write and the long-context tier too: a sheet
    records them changing on their own (a tier dropped, a write price cut while the input price stays).
    """
    fields = ("input_usd_per_million_tokens", "output_usd_per_million_tokens", "cache_read_usd_per_million_tokens")
    write = "cache_write_usd_per_million_tokens"

    def prices(day: dt.date) -> tuple:
        layers = layers_on(day)
        standard = tuple(_price(f, layers) for f in fields)
        found = time_of_day_on(day)
        windowed = tuple(_price(f, found[1]) or s for f, s in zip(fields, standard)) if found else standard
        days = window_days_share(found[1]) if found else 1.0
        return standard, windowed, batch_on(day), _price(write, layers), long_context_on(day), days

    month_starts = [add_months(on, m) for m in range(horizon_months + 1)]
    end = month_starts[-1]
    start_standard, _, start_batch, start_write, _, _ = before = prices(on)
    out = []
    for day in sorted({*month_starts[1:-1], *(d for d in dated_days if on < d < end)}):
        now = prices(day)
        if now == before:
            continue
        month = bisect.bisect_right(month_starts, day)
        month_start, next_start = month_starts[month - 1], month_starts[month]
        when = month + (day - month_start).days / (next_start - month_start).days
        standard, windowed, batch, cache_write, tier, days = now
        # no write price recorded at the start or now: writes follow the input price, as they are billed from it
        write_ratio = (_ratio(cache_write, start_write) if cache_write is not None and start_write is not None
                       else _ratio(standard[0], start_standard[0]))
        out.append((when, day.isoformat(), *(_ratio(n, s) for n, s in zip(standard, start_standard)),
                    *(on_days(_ratio(w, s), days) for w, s in zip(windowed, standard)), write_ratio, *tier))
        if any(b is not None and b0 is not None and abs(_ratio(b, b0) - _ratio(n, n0)) > 1e-9
               for b, b0, n, n0 in zip(batch[:2], start_batch[:2], standard[:2], start_standard[:2])):
            notes.append(f"price history: from {day.isoformat()} the batch prices change by another ratio than the "
                         "standard ones; batch requests follow the standard ratio")
        before = now
    return tuple(out)


def _dated_days(model: ApiModel) -> frozenset:
    """Every day on which one of the model's prices (standard or any variant) takes effect."""
    entries = [*model.prices, *(entry for variant in model.variants.values() for entry in variant)]
    return frozenset(e.effective_from for e in entries if e.effective_from is not None)


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


def _unknown_model_message(provider: ApiProvider, model_id: str) -> str:
    ids = [m.id for m in provider.models]
    lowered = {i.lower(): i for i in ids}
    close = difflib.get_close_matches(model_id.lower(), list(lowered), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(f'`{lowered[c]}`' for c in close)}?" if close else ""
    return f"provider `{provider.id}` has no model `{model_id}`{hint}"


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
