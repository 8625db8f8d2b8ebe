"""Rows of the catalog browsers (GPUs, cloud offers, open models, API prices), from the loaded catalogs.

No Textual here: each function returns (key, cells) pairs; a figure the catalog does not have is
None and shows as blank, never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

Row = tuple[tuple, list[Any]]


@dataclass(frozen=True)
class CatalogView:
    kind: str
    """gpu, offer, model or api: what a picked row becomes."""
    title: str
    columns: tuple[str, ...]
    """The catalog's field names (what the status line says the list is sorted by)."""
    headers: tuple[str, ...]
    """Short headers, so the figures fit on an 80-column screen."""


VIEWS = {
    "gpu": CatalogView("gpu", "GPUs", ("id", "name", "vendor", "memory_gb", "memory_bandwidth_tb_per_s", "tdp_w"),
                       ("id", "name", "vendor", "GB", "TB/s", "TDP W")),
    # the prices before the cloud (up to 30 characters with its placeholder mark), so they stay on an 80-column screen
    "offer": CatalogView("offer", "Cloud offers (USD per GPU-hour)",
                         ("id", "gpu", "gpu_count", "on_demand_usd_per_gpu_hour", "spot_usd_per_gpu_hour", "cloud"),
                         ("id", "gpu", "GPUs", "on-demand", "spot", "cloud")),
    "model": CatalogView("model", "Open-weight models",
                         ("id", "name", "arch_type", "total_params_b", "active_params_b", "context_length_tokens"),
                         ("id", "name", "arch", "params B", "active B", "context")),
    # the prices before the provider (up to 24 characters: huggingface_fireworks-ai), so they stay on 80 columns
    "api": CatalogView("api", "API prices (USD per million tokens, in force on the scenario date)",
                       ("model", "input_usd_per_million_tokens", "output_usd_per_million_tokens",
                        "cache_read_usd_per_million_tokens", "provider", "effective_from"),
                       ("model", "input", "output", "cache read", "provider", "since")),
}


def gpu_rows(catalog) -> list[Row]:
    return [((g.id,), [g.id, g.name, g.vendor, g.memory_gb, g.memory_bandwidth_tb_per_s, g.tdp_w]) for g in catalog.gpus.values()]


PLACEHOLDER_MARK = " (placeholder?)"
"""Added to the cloud of an offer whose catalog notes say its price looks like a placeholder."""


def offer_rows(catalog) -> list[Row]:
    from tco.tui.new_option import placeholder_warning

    return [((o.id,), [o.id, o.gpu, o.gpu_count, o.on_demand_usd_per_gpu_hour, o.spot_usd_per_gpu_hour,
                       o.cloud + (PLACEHOLDER_MARK if placeholder_warning(o) else "")])
            for o in catalog.offers.values()]


def model_rows(catalog) -> list[Row]:
    return [((m.id,), [m.id, m.name, m.arch_type, m.total_params_b, m.active_params_b, m.context_length_tokens])
            for m in catalog.models.values()]


def api_rows(providers: dict[str, Any], today: dt.date) -> list[Row]:
    """One row per provider x model: the standard price entry in force on `today`."""
    out = []
    for pid, sheet in sorted(providers.items()):
        for m in sheet.models:
            entry = None
            for e in m.prices:
                if e.effective_from is None or e.effective_from <= today:
                    entry = e
            if entry is None:
                continue
            out.append(((pid, m.id), [m.id, _num(entry.input_usd_per_million_tokens), _num(entry.output_usd_per_million_tokens),
                                      _num(entry.cache_read_usd_per_million_tokens), pid,
                                      entry.effective_from.isoformat() if entry.effective_from else ""]))
    return out


def _num(value) -> float | None:
    return None if value is None else float(value)


def load_all_providers(pricing_dirs=None) -> dict[str, Any]:
    """Every price sheet (slow-ish: run it in a worker, once)."""
    from tco.load.pricing import load_providers, pricing_dirs as with_bundled

    return load_providers(None, with_bundled(pricing_dirs or []))


def matches(cells: list[Any], words: list[str]) -> bool:
    text = " ".join("" if c is None else str(c) for c in cells).lower()
    return all(w in text for w in words)


def sort_key(index: int) -> Callable[[Row], tuple]:
    """Numbers by value, text alphabetically, blanks last whatever the direction."""
    def key(row: Row) -> tuple:
        value = row[1][index]
        if value is None or value == "":
            return (1, 0, "")
        if isinstance(value, (int, float)):
            return (0, value, "")
        return (0, 0, str(value).lower())
    return key
