"""Everything the engine knows about the world, as plain loaded data (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tco.model.hardware import CommittedOffer, CostFigure, GpuType, InstanceOffer, OpenModel, ThroughputMeasurement


@dataclass(frozen=True)
class ResolvedApiPrice:
    """The prices one API option pays, resolved from a price sheet for a date and a request size.

    All in USD per million tokens. A price the sheet does not list is None (never 0): the engine
    then falls back as documented (cache read -> input price, batch -> standard price).
    """

    provider: str
    model: str
    input_usd_per_million_tokens: float
    output_usd_per_million_tokens: float
    cache_read_usd_per_million_tokens: float | None = None
    cache_write_usd_per_million_tokens: float | None = None
    batch_input_usd_per_million_tokens: float | None = None
    batch_output_usd_per_million_tokens: float | None = None
    tier_note: str | None = None
    """Which long-context tier was applied, if any."""
    effective_from: str | None = None
    source: str = ""
    as_of: str = ""
    open_weight_model: str | None = None
    batch_cache_read_usd_per_million_tokens: float | None = None
    """The batch variant's own cache read price; None: the fallback rule (standard cache price) applies."""
    batch_cache_write_usd_per_million_tokens: float | None = None
    """The batch variant's own cache write price; None: the standard cache write price applies, or with no write
    price on the sheet at all, the batch input price (a written token is billed as input)."""
    long_context_above_input_tokens: int | None = None
    """Threshold of the long-context tier the largest call crosses (None: no call reaches a tier)."""
    long_context_input_ratio: float = 1.0
    long_context_output_ratio: float = 1.0
    context_window_tokens: int | None = None
    usd_per_thousand_requests: float | None = None
    time_of_day_windows_utc: tuple[tuple[int, int], ...] = ()
    """Minutes of the UTC day [start, end) billed at the time-of-day variant's prices."""
    time_of_day_variant: str | None = None
    time_of_day_input_ratio: float = 1.0
    time_of_day_output_ratio: float = 1.0
    time_of_day_cache_read_ratio: float = 1.0
    price_changes: tuple = ()
    """Recorded changes after the start date: (month, date, input, output, cache read ratio to the start price,
    time-of-day input, output, cache read ratio to that month's standard price)."""
    as_of_date: str | None = None
    """The sheet's as_of (ISO date) for the decline rule."""
    notes: tuple[str, ...] = ()
    """Billing rules that applied, for the result's notes."""


@dataclass
class Catalog:
    gpus: dict[str, GpuType] = field(default_factory=dict)
    models: dict[str, OpenModel] = field(default_factory=dict)
    offers: dict[str, InstanceOffer] = field(default_factory=dict)
    committed_offers: dict[str, CommittedOffer] = field(default_factory=dict)
    """Reserved / committed-use prices, by id (not yet used by the engine)."""
    cost_figures: dict[str, CostFigure] = field(default_factory=dict)
    measurements: list[ThroughputMeasurement] = field(default_factory=list)
    providers: dict[str, Any] = field(default_factory=dict)
    """Loaded API provider sheets (`tco.model.pricing.ApiProvider`), by provider id."""
    provider_ids: list[str] = field(default_factory=list)
    """Every provider id that exists (including sheets not loaded)."""
    quality: Any = None
    """Capability data (`models`: quality model id -> QualityModel, `scores`: ScoreRow list), when loaded."""
    user_scores: dict[str, list] = field(default_factory=dict)
    """Scenario id -> the user's own evaluation scores (tco.model.quality.UserScore) for it."""
    files: dict[str, str] = field(default_factory=dict)
    """Record kind/id -> the file it came from (for messages and the Sources sheet)."""
    notices: list = field(default_factory=list)
    """Warnings about the user's catalog files (tco.errors.DataProblem): a bundled record replaced, a
    price 10x or more away from the bundled figure for the same id. Printed by run, validate and export."""
