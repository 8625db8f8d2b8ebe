"""Everything the engine knows about the world, as plain loaded data (no I/O here)."""

from __future__ import annotations

import re
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

    def gpu_id_for(self, name: str) -> str | None:
        """The id of the GPU a name means (`H100 SXM`, `h100_sxm`, an alias), or None when none or two GPUs go by it."""
        return id_for_name(name, self.gpus)

    def model_id_for(self, name: str) -> str | None:
        """The id of the model a name means (`Llama-3.1-70B`, `meta-llama/Llama-3.1-70B-Instruct`, an alias), or None
        when none or two models go by it."""
        return id_for_name(name, self.models)


_NAME_SEPARATORS = re.compile(r"[\s_\-]+")
_CHECKPOINT_SUFFIX = re.compile(r"[\s_\-](instruct|chat|it|base|pt|fp8)$", re.IGNORECASE)


def name_key(text: str) -> str:
    """A name as compared: case, spaces, hyphens and underscores aside (`H100 SXM` = `h100-sxm` = `H100_SXM`)."""
    return _NAME_SEPARATORS.sub("", text.lower())


def id_for_name(name: str, records: dict[str, Any]) -> str | None:
    """The id of the one record whose id, name or alias a name spells (`ids_named`), or None when none or several do:
    a guess between two is not made."""
    ids = ids_named(name, records)
    return ids[0] if len(ids) == 1 else None


def ids_named(name: str, records: dict[str, Any]) -> list[str]:
    """The ids of the records whose id, name or alias a name spells, sorted; tried as written, then without a
    repository's organisation (`meta-llama/`), then without checkpoint suffixes (`-Instruct`, `-it`, `-FP8`: the same
    architecture, so the same throughput; the precision is its own input). The first form that matches decides.

    Why: users paste names from benchmark tables, spec sheets and Hugging Face repositories; the catalog's ids are
    only one spelling of them.
    """
    if name in records:
        return [name]
    spellings: dict[str, set[str]] = {}
    for record_id, record in records.items():
        for spelling in (record_id, getattr(record, "name", None) or "", *getattr(record, "aliases", ())):
            for form in (spelling, spelling.rsplit("/", 1)[-1]):
                spellings.setdefault(name_key(form), set()).add(record_id)
    candidates = [name, name.rsplit("/", 1)[-1]]
    while (shorter := _CHECKPOINT_SUFFIX.sub("", candidates[-1])) != candidates[-1]:
        candidates.append(shorter)
    for candidate in candidates:
        ids = spellings.get(name_key(candidate))
        if ids:
            return sorted(ids)
    return []
