"""Defaults of an option added from a catalog browser: documented in tco/tui/new_option.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from tui_helpers import TODAY  # noqa: E402

from tco.tui.new_option import CannotAdd, api_option, option_id, placeholder_warning, self_hosted_option  # noqa: E402
from tco.tui.session import open_session  # noqa: E402


@pytest.fixture(scope="module")
def session():
    return open_session([Path(__file__).parent / "data" / "support.yaml"], TODAY)


def test_option_ids_are_unique_and_valid():
    assert option_id("openai-gpt-4.1 (batch)", set()) == "openai-gpt-4.1-batch"
    assert option_id("a", {"a", "a-2"}) == "a-3"


def test_an_api_row_becomes_an_api_option_at_list_price():
    assert api_option("anthropic", "claude-haiku-4-5", set()) == {
        "kind": "api", "id": "anthropic-claude-haiku-4-5", "provider": "anthropic", "model": "claude-haiku-4-5"}


def test_a_gpu_is_paid_at_its_cheapest_on_demand_offer_whose_price_is_not_a_placeholder(session):
    catalog = session.catalog
    offers = [o for o in catalog.offers.values() if o.gpu == "h200" and o.on_demand_usd_per_gpu_hour is not None]
    # hardware/offers/mithril.yaml: "price equals 1.0 USD per GPU-hour for every shape; likely a placeholder"
    placeholders = [o for o in offers if "placeholder" in (o.notes or "")]
    assert placeholders and min(o.on_demand_usd_per_gpu_hour for o in placeholders) == 1.0
    priced = {o.id: o.on_demand_usd_per_gpu_hour for o in offers if o not in placeholders}
    cheapest = min(priced.values())
    assert cheapest > 1.0  # so the placeholder would have won
    option = self_hosted_option(session.entries[0].scenario, catalog, set(), gpu="h200")
    assert option["payment"] == {"mode": "on-demand", "offer": option["payment"]["offer"]}
    assert priced[option["payment"]["offer"]] == cheapest
    assert option["model"] == "llama-3.3-70b"  # the scenario's self-hosted model
    assert option["operations"] == {"staff_fte": 0.25, "staff_usd_per_fte_year": 200000.0}


def test_a_gpu_with_no_priced_offer_is_refused_rather_than_given_a_made_up_price(session):
    catalog = session.catalog
    unpriced = sorted(g for g in catalog.gpus if not any(
        o.gpu == g and o.on_demand_usd_per_gpu_hour is not None for o in catalog.offers.values()))
    if not unpriced:
        pytest.skip("every GPU in the catalog has an on-demand offer")
    with pytest.raises(CannotAdd, match=unpriced[0]):
        self_hosted_option(session.entries[0].scenario, catalog, set(), gpu=unpriced[0])


def test_the_replica_is_the_fewest_gpus_on_which_the_engine_says_it_runs(session):
    tried = []

    def runs(option):
        tried.append(option["gpus_per_replica"])
        return option["gpus_per_replica"] >= 4

    option = self_hosted_option(session.entries[0].scenario, session.catalog, set(), model="llama-3.1-405b", runs=runs)
    assert option["gpus_per_replica"] == 4 and tried == [1, 2, 4]


def test_an_offer_whose_notes_call_its_price_a_placeholder_gets_a_warning_that_quotes_them(session):
    offer = session.catalog.offers[next(o.id for o in session.catalog.offers.values() if o.cloud == "mithril")]
    warning = placeholder_warning(offer)
    assert warning is not None and offer.id in warning and "likely a placeholder/limit value" in warning
    real = next(o for o in session.catalog.offers.values() if o.cloud == "aws")
    assert placeholder_warning(real) is None


def test_a_model_published_in_a_smaller_format_starts_at_it_and_on_the_gpus_it_fits(session):
    """gpt-oss-120b is published with MXFP4 experts (hardware/models.yaml: native mxfp4, experts_only_precision fp4): added
    from the catalog it starts at fp4 and, with the engine saying where it runs (as the compare screen asks it), on one
    H100 (69.2 GB of weights); at fp8 it would take two (118.2 GB). A model published in 16 bits keeps fp8."""
    from tco.engine.throughput import ServingConfig, predict_model

    catalog = session.catalog
    gpt, h100 = catalog.models["gpt-oss-120b"], catalog.gpus["h100-sxm"]

    def runs(option):
        config = ServingConfig(gpus=option["gpus_per_replica"], precision=option["precision"], engine="vllm",
                               input_tokens=1000, output_tokens=200)
        return predict_model(catalog.models[option["model"]], h100, config).runnable

    option = self_hosted_option(session.entries[0].scenario, catalog, set(), model="gpt-oss-120b", gpu="h100-sxm", runs=runs)
    assert (option["precision"], option["gpus_per_replica"]) == ("fp4", 1)
    at_fp8 = predict_model(gpt, h100, ServingConfig(gpus=1, precision="fp8", engine="vllm", input_tokens=1000, output_tokens=200))
    assert not at_fp8.runnable and "gpt-oss-120b as published is fp4: 69.2 GB per GPU" in at_fp8.reason
    assert self_hosted_option(session.entries[0].scenario, catalog, set(), model="llama-3.3-70b", gpu="h100-sxm")["precision"] == "fp8"
