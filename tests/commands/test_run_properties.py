"""Over generated valid scenarios: every result is finite and non-negative, and `tco run --format json`
prints exactly what the engine computed (the workbook is checked by the exporter's own tests)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tco.cli import main
from tco.run import run_scenarios

TODAY = dt.date(2026, 11, 27)
EXAMPLES = int(os.environ.get("TCO_PROPERTY_EXAMPLES", "3"))
"""Each example runs the engine and the CLI (about 0.6 s); raise it for a longer hunt (the slow step draws 25)."""
MONEY_COLUMNS = ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd", "gpus_peak", "gpus_average")


def _share(high: float = 1.0):
    # the loader refuses non-zero numbers below 1e-9 (tco.load.scenarios.MIN_SCENARIO_NUMBER): 0 instead
    return st.floats(min_value=0.0, max_value=high, allow_nan=False).map(lambda v: 0.0 if v < 1e-9 else v)


@st.composite
def scenarios(draw):
    cache_read = draw(_share(0.9))
    requests_per_day = draw(st.floats(min_value=1.0, max_value=5e7, allow_nan=False))
    input_tokens = draw(st.integers(0, 100_000))
    output_tokens = draw(st.integers(1, 20_000))  # self-hosting needs some output (a user error otherwise)
    reasoning_tokens = draw(st.integers(0, 5_000))
    calls = draw(st.integers(1, 30))
    # the largest call must fit gpt-4o-mini's 128,000-token context window (a user error otherwise, issue 15)
    room = 128_000 - input_tokens - output_tokens - reasoning_tokens
    workload = {
        "requests_per_day": requests_per_day,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": reasoning_tokens,
        "llm_calls_per_request": calls,
        "context_growth_per_call_tokens": draw(st.integers(0, min(5_000, room // max(calls - 1, 1)))),
        "samples_per_call": draw(st.integers(1, 4)),
        "monthly_growth": draw(st.floats(min_value=-0.5, max_value=0.5, allow_nan=False).map(lambda v: 0.0 if abs(v) < 1e-9 else v)),
        "peak_to_average": draw(st.floats(min_value=1.0, max_value=10.0, allow_nan=False)),
        "cacheable_prefix_share": cache_read,
        "batch_eligible_share": draw(_share()),
    }
    finance = {
        "horizon_months": draw(st.integers(1, 120)),
        "discount_rate_per_year": draw(_share(0.3)),
        "api_price_decline_per_year": draw(_share(0.9)),
        "start_date": "2026-11-01",
    }
    payment = draw(st.sampled_from([
        {"mode": "on-demand", "gpu_usd_per_hour": draw(st.floats(min_value=0.1, max_value=50, allow_nan=False))},
        {"mode": "spot", "gpu_usd_per_hour": 1.5, "spot_interruption_overhead": draw(_share(0.5))},
        {"mode": "purchased", "purchase_usd_per_gpu": draw(st.floats(min_value=1000, max_value=60_000, allow_nan=False)),
         "residual_value_share": draw(_share(0.5)), "cost_of_capital_per_year": draw(_share(0.2))},
    ]))
    self_hosted = {
        "kind": "self-hosted", "id": "own", "model": "llama-3.1-70b", "gpu": "h100-sxm",
        "gpus_per_replica": draw(st.sampled_from([2, 4, 8])), "payment": payment,
        "fleet": "static" if payment["mode"] == "purchased" else draw(st.sampled_from(["static", "autoscaled"])),
        "spare_replicas": draw(st.integers(0, 2)),
        "max_utilization": draw(st.floats(min_value=0.3, max_value=1.0, allow_nan=False)),
        "operations": {"staff_fte": draw(_share(3)), "staff_usd_per_fte_year": 200_000,
                       "usd_per_kwh": 0.12, "setup_usd": draw(_share(1e5))},
    }
    if self_hosted["fleet"] == "autoscaled":  # it follows the hourly profile, so it needs one
        workload["hourly_profile"] = draw(st.lists(st.floats(0.1, 10, allow_nan=False), min_size=24, max_size=24))
    if draw(st.booleans()):
        self_hosted["replica_output_tokens_per_s"] = draw(st.floats(min_value=10, max_value=1e5, allow_nan=False))
    options = [
        {"kind": "api", "id": "api", "provider": "openai", "model": "gpt-4o-mini",
         "negotiated_discount": draw(_share(0.5))},
        self_hosted,
        {"kind": "hybrid", "id": "mix", "self_hosted": "own", "api": "api", "mode": "share",
         "self_hosted_share": draw(_share())},
    ]
    return {"scenarios": [{"id": "generated", "workload": workload, "finance": finance, "options": options}]}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_results_are_finite_non_negative_and_the_same_in_json(data):
    check_finite_non_negative_and_the_same_in_json(data)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_many_more_results_are_finite_non_negative_and_the_same_in_json(data):
    check_finite_non_negative_and_the_same_in_json(data)


def check_finite_non_negative_and_the_same_in_json(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        results = run_scenarios([path], today=TODAY).results
        frame = results.options
        for column in MONEY_COLUMNS:
            values = frame[column].to_list()
            assert all(v is not None and math.isfinite(v) and v >= 0 for v in values), (column, values)
        assert frame["rank"].drop_nulls().sort().to_list() == list(range(1, frame["rank"].drop_nulls().len() + 1))
        for monthly in frame["monthly_cost_usd_list"].to_list():
            assert all(math.isfinite(x) and x >= 0 for x in monthly)
        totals = frame.select(pl.col("monthly_cost_usd_list").list.sum()).to_series().to_list()
        assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6) for a, b in zip(totals, frame["total_cost_usd"].to_list()))

        out_path = Path(folder) / "out.json"
        assert main(["run", str(path), "--as-of", TODAY.isoformat(), "--format", "json", "--output", str(out_path)]) == 0
        printed = {(r["scenario"], r["option"]): r for r in json.loads(out_path.read_text())}
        for rec in frame.iter_rows(named=True):
            shown = printed[(rec["scenario"], rec["option"])]
            for column in MONEY_COLUMNS:
                assert shown[column] == rec[column], column
            assert shown["rank"] == rec["rank"]
            assert shown["monthly_cost_usd"] == list(rec["monthly_cost_usd_list"])
