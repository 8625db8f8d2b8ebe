"""API price sheets: one provider per file, every price dated, figures kept exact (Decimal).

A price change is a new dated entry, never an edit of an old one: a scenario for 2025 must keep
the 2025 price. A figure the source does not give is None (never 0 unless the source says 0).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictStr, StringConstraints, model_validator

from tco.model.base import Date, Id, PartialDate, SourceText, StrictModel, json_schema_text, located_error

MAX_USD_PER_MILLION_TOKENS = 100_000
"""No sheet lists more than a few hundred USD per million tokens; a figure like 1e308 is a typing
mistake that overflows every cost computed from it."""

UsdPerMillionTokens = Annotated[Decimal, Field(ge=0, le=MAX_USD_PER_MILLION_TOKENS, allow_inf_nan=False)]
"""An exact price in USD per million tokens (YAML `0.15` is read as Decimal('0.15'), not a float)."""

ApiModelId = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$")]
"""An API model id as the provider spells it: `@cf/meta/...` and `~anthropic/...` exist, so wider than `Id`."""

PRICE_FIELDS = (
    "input_usd_per_million_tokens",
    "output_usd_per_million_tokens",
    "cache_read_usd_per_million_tokens",
    "cache_write_usd_per_million_tokens",
    "cache_write_1h_usd_per_million_tokens",
)
"""The per-token price fields shared by a dated price and its long-context tiers."""


class _TokenPrices(StrictModel):
    input_usd_per_million_tokens: UsdPerMillionTokens | None = None
    """Uncached input (prompt) tokens."""
    output_usd_per_million_tokens: UsdPerMillionTokens | None = None
    """Output tokens (reasoning tokens are usually billed as output)."""
    cache_read_usd_per_million_tokens: UsdPerMillionTokens | None = None
    """Input tokens read from the provider's prompt cache."""
    cache_write_usd_per_million_tokens: UsdPerMillionTokens | None = None
    """Input tokens written to the prompt cache (the default, usually 5-minute, cache)."""
    cache_write_1h_usd_per_million_tokens: UsdPerMillionTokens | None = None
    """Input tokens written to a 1-hour prompt cache, where the provider sells one."""


class PriceTier(_TokenPrices):
    """Long-context prices: a request whose input exceeds `above_input_tokens` pays these for ALL its tokens.

    Why "all": providers bill the whole request at the tier rate (a cliff, not a marginal rate).
    A field left out means the base price applies to that kind of token.
    """

    above_input_tokens: int = Field(ge=0)
    """The tier applies when a request's total input tokens are strictly greater than this."""


class DatedPrice(_TokenPrices):
    """The prices in force from `effective_from` until the next entry's date."""

    effective_from: dt.date | None = None
    """First day (UTC) these prices apply; None on the first entry means "since the model was listed"."""
    tiers: list[PriceTier] = Field(default_factory=list)
    """Long-context tiers, by increasing `above_input_tokens`."""
    usd_per_thousand_requests: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] | None = None
    """A fee per 1,000 API requests on top of the tokens (genai-prices `requests_kcount`)."""
    source: SourceText | None = None
    """Where this entry was read, when it differs from the provider's `source`."""
    as_of: PartialDate | None = None
    """When this entry was read, when it differs from the provider's `as_of`."""
    note: str | None = None
    weekdays_only: bool = False
    """In a time-of-day variant: its window holds Monday to Friday only, in the provider's calendar; Saturdays and Sundays
    pay the standard price all day (DeepSeek's peak from 2026-08-23, BILLING.md 1.4)."""

    @model_validator(mode="after")
    def _tiers_increase(self):
        starts = [t.above_input_tokens for t in self.tiers]
        if starts != sorted(set(starts)):
            raise ValueError("tiers must have strictly increasing above_input_tokens")
        return self


def _dates_increase(prices: list[DatedPrice], what: str) -> None:
    dates = [p.effective_from for p in prices]
    if any(d is None for d in dates[1:]):
        raise ValueError(f"{what}: only the first entry may omit effective_from")
    known = [d for d in dates if d is not None]
    if known != sorted(set(known)):
        raise ValueError(f"{what}: effective_from dates must be strictly increasing")


TIME_OF_DAY_PREFIX = "utc-"
"""A variant whose name starts so is a time-of-day price (tco.engine.api_price reads its windows from the name)."""

_HHMM_SPAN = re.compile(r"^(\d{2})(\d{2})-(\d{2})(\d{2})$")


def time_of_day_name_problem(name: str) -> str | None:
    """Why a `utc-HHMM-HHMM[+HHMM-HHMM...]` variant name is not a set of UTC windows, or None when it is.

    Why here: the engine reads the windows from the name; `utc-2500-0100` indexed past the end of the day (a
    traceback), `utc-0190-0200` was read as 02:30, and `utc-2300-2400` never ended its window (the engine loops
    until the end minute comes round, and minute 1440 never does). Hours are 00-23, minutes 00-59, midnight is
    0000 (a window over midnight, `utc-2200-0200`, is fine), and a window must not be empty.
    """
    spans = name[len(TIME_OF_DAY_PREFIX):].split("+")
    for span in spans:
        match = _HHMM_SPAN.match(span)
        if match is None:
            return f"`{span}` is not a UTC window HHMM-HHMM (as in utc-0100-0400 or utc-0100-0400+0600-1000)"
        start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
        for what, hours, minutes in (("start", start_h, start_m), ("end", end_h, end_m)):
            if hours > 23 or minutes > 59:
                midnight = " (midnight is 0000)" if hours == 24 and minutes == 0 else ""
                return f"the {what} of `{span}` is no time of day: hours are 00-23, minutes 00-59{midnight}"
        if (start_h, start_m) == (end_h, end_m):
            return f"`{span}` starts and ends at the same minute: the window is empty"
    return None


class ApiModel(StrictModel):
    """One model a provider sells per token, with its price history."""

    id: ApiModelId
    """The id used in API requests and in scenario files (matched case-insensitively)."""
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    """Other exact ids the provider accepts for this model (dated snapshots, `-latest` names)."""
    context_window_tokens: int | None = Field(default=None, gt=0)
    deprecated: bool = False
    """The provider lists the model as deprecated (still callable)."""
    retired_on: Date | None = None
    """The day the provider stopped serving the model (its calls fail from then on). A scenario whose months reach it
    is warned: those months are priced at the last price, which no one can pay any more."""
    retirement_source: SourceText | None = None
    """Where the retirement was announced (required with `retired_on`)."""
    open_weight_model: Id | None = None
    """Id in hardware/models.yaml when this API serves that open-weight model (same weights, not a fine-tune)."""
    prices: list[DatedPrice] = Field(min_length=1)
    """Standard prices, oldest first; the entry in force on a date is the last one that started by then."""
    variants: dict[str, list[DatedPrice]] = Field(default_factory=dict)
    """Other ways to buy the same tokens (`batch`, `flex`, `priority`, ...): a field left out keeps the standard price."""
    note: str | None = None

    @model_validator(mode="after")
    def _a_retirement_has_a_source(self):
        if (self.retired_on is None) != (self.retirement_source is None):
            raise ValueError("retired_on and retirement_source go together: a retirement date needs its announcement")
        return self

    @model_validator(mode="after")
    def _time_of_day_names_are_times(self):
        for name in self.variants:
            if name.startswith(TIME_OF_DAY_PREFIX) and (problem := time_of_day_name_problem(name)):
                raise located_error(f"time-of-day variant `{name}`: {problem}", ("variants", name),
                                    hint="name a time-of-day variant utc-HHMM-HHMM (UTC, end exclusive), e.g. utc-2300-0000")
        return self

    @model_validator(mode="after")
    def _histories_are_dated(self):
        _dates_increase(self.prices, "prices")
        for name, entries in self.variants.items():
            if not entries:
                raise ValueError(f"variants.{name}: needs at least one entry")
            _dates_increase(entries, f"variants.{name}")
        return self


class ApiProvider(StrictModel):
    """A price sheet: `pricing/<id>.yaml`."""

    schema_version: Literal[1]
    id: Id
    """Provider id used in scenario files (e.g. `openai`, `together`); equals the file name."""
    name: str
    pricing_urls: list[str] = Field(default_factory=list)
    source: SourceText
    """Where the prices were read (URLs, or a package and version)."""
    as_of: PartialDate
    """When they were read or imported."""
    note: str | None = None
    models: list[ApiModel] = Field(default_factory=list)
    """Sorted by id (case-insensitively), ids unique."""

    @model_validator(mode="after")
    def _models_sorted_unique(self):
        keys = [m.id.lower() for m in self.models]
        first_of: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key in first_of:  # named at the second one, the line a user looks at
                raise located_error(f"model id `{self.models[i].id}` is also models[{first_of[key]}]'s (ids are unique, any case)",
                                    ("models", i, "id"), hint="keep one entry per model; a price change is a dated entry")
            first_of[key] = i
        for i, m in enumerate(self.models):
            for j, alias in enumerate(m.aliases):
                other = first_of.get(alias.lower())
                if other is not None and other != i:
                    # a scenario naming it would get whichever model the lookup met first
                    raise located_error(f"alias `{alias}` is the id of models[{other}] (`{self.models[other].id}`)",
                                        ("models", i, "aliases", j), hint="an alias names this model only: remove it")
        if keys != sorted(keys):
            raise ValueError("models must be sorted by id (case-insensitively)")
        return self


def provider_schema_text() -> str:
    """The JSON schema of a price sheet, as committed in pricing/schema/provider.schema.json."""
    return json_schema_text(ApiProvider, "llm-tco API price sheet")
