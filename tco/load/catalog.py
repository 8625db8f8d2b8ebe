"""Hardware and pricing catalogs, bundled and user-supplied, loaded only as far as a command needs."""

from __future__ import annotations

from pathlib import Path

from tco.model.catalog import Catalog
from tco.model.scenario import ApiOption, Scenario


def load_catalog(providers: set[str] | None = None, hardware_dirs: list[Path] | None = None,
                 pricing_dirs: list[Path] | None = None) -> Catalog:
    """The hardware catalog plus the price sheets of `providers` (all when None)."""
    from tco.load.hardware import load_hardware
    from tco.load.pricing import load_provider, pricing_dirs as with_bundled, provider_ids

    catalog = load_hardware(None, extra_dirs=list(hardware_dirs or []))
    dirs = with_bundled(pricing_dirs or [])
    catalog.provider_ids = provider_ids(dirs)
    wanted = set(catalog.provider_ids) if providers is None else providers & set(catalog.provider_ids)
    for pid in sorted(wanted):
        catalog.providers[pid] = load_provider(pid, dirs, catalog.notices)
    return catalog


def providers_of(scenarios: list[Scenario]) -> set[str]:
    return {o.provider for s in scenarios for o in s.options if isinstance(o, ApiOption)}
