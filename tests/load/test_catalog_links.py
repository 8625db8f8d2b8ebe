"""The catalogs point at each other: every link must resolve, or a comparison silently loses an option."""

from __future__ import annotations


def test_every_open_weight_link_of_a_price_sheet_names_a_catalog_architecture(bundled_hardware, bundled_price_sheets):
    models = bundled_hardware.models
    sheets = bundled_price_sheets
    links = [(p.id, m.id, m.open_weight_model) for p in sheets.values() for m in p.models if m.open_weight_model]
    assert len(links) > 100
    assert [link for link in links if link[2] not in models] == []


def test_every_capability_model_links_to_an_architecture_and_to_price_sheets_that_exist(bundled_hardware, bundled_quality,
                                                                                       bundled_price_sheets):
    models = bundled_hardware.models
    quality = bundled_quality
    sheets = bundled_price_sheets
    sold = {(p.id, m.id) for p in sheets.values() for m in p.models} | {
        (p.id, alias) for p in sheets.values() for m in p.models for alias in (getattr(m, "aliases", None) or [])}
    for q in quality.models.values():
        assert q.open_weight_model is None or q.open_weight_model in models, q.id
        for ref in q.api_models:
            assert (ref.provider, ref.model) in sold, f"{q.id}: {ref.provider}/{ref.model}"
