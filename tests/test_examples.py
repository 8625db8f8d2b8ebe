"""The bundled examples: what `tco run --format json` promises scripts that read it."""

from __future__ import annotations

import json
import math

import pytest


pytestmark = pytest.mark.xdist_group("examples-run")
"""One worker runs this module and tests/report/test_output_schema.py, so the bundled examples' run (`records`, from the
session fixture `bundled_examples_json`) is computed once for both, not on each worker."""
CONTRACT = ("scenario", "option", "kind", "total_cost_usd", "npv_usd", "monthly_cost_usd",
            "cost_per_million_tokens_usd", "cost_per_request_usd", "breakdown_usd")


@pytest.fixture(scope="module")
def records(bundled_examples_json):
    """`tco run --format json --as-of 2026-11-27 --output ...` with no file: the bundled examples (tests/conftest.py)."""
    return json.loads(bundled_examples_json)


def test_run_json_has_the_contract_fields_for_every_option(records):
    for r in records:
        for key in CONTRACT:
            assert key in r, key
        assert r["kind"] in ("api", "self-hosted", "hybrid", "api-provisioned")


def test_at_least_four_examples_and_three_compare_an_api_with_self_hosting(records):
    kinds: dict[str, set[str]] = {}
    for r in records:
        kinds.setdefault(r["scenario"], set()).add(r["kind"])
    assert len(kinds) >= 4
    assert sum(1 for k in kinds.values() if {"api", "self-hosted"} <= k) >= 3


def test_monthly_costs_and_cost_lines_each_sum_to_the_total(records):
    for r in records:
        assert math.isclose(sum(r["monthly_cost_usd"]), r["total_cost_usd"], rel_tol=1e-9)
        assert math.isclose(sum(r["breakdown_usd"].values()), r["total_cost_usd"], rel_tol=1e-9)


def test_the_regulated_example_excludes_every_api_and_ranks_only_self_hosting(records):
    regulated = [r for r in records if r["scenario"] == "regulated"]
    assert regulated
    for r in regulated:
        assert (r["kind"] == "api") == r["excluded"]
        assert (r["rank"] is None) == r["excluded"]


def test_the_growing_product_example_crosses_over_inside_its_horizon(records):
    growing = [r for r in records if r["scenario"] == "growing-product" and r["kind"] != "api"]
    months = [r["breakeven_month"] for r in growing if r["breakeven_month"] is not None]
    assert months and all(1 < m <= len(growing[0]["monthly_cost_usd"]) for m in months)


def test_reasoning_tokens_of_the_coding_agent_are_billed_as_output(records):
    agent = [r for r in records if r["scenario"] == "coding-agent" and r["kind"] == "api"]
    assert agent and all(r["breakdown_usd"]["api_reasoning_usd"] > r["breakdown_usd"]["api_output_usd"] for r in agent)
