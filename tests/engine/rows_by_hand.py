"""Rows of formula inputs written by hand (no files, no catalog), shared by the engine tests."""

from __future__ import annotations

import datetime as dt

from tco.engine.compare import evaluate_rows
from tco.engine.evaluate import INPUT_NAMES
from tco.engine.rows import Provenance, Row

TODAY = dt.date(2026, 11, 27)

NEUTRAL = {
    "requests_per_day": 1000.0, "monthly_growth": 0.0, "input_tokens": 1000.0, "context_growth_per_call_tokens": 0.0,
    "llm_calls_per_request": 1.0, "samples_per_call": 1.0, "input_paid_per_sample": 0.0, "output_tokens": 100.0,
    "reasoning_tokens": 0.0, "cacheable_prefix_share": 0.0, "cache_write_share": 0.0, "batch_eligible_share": 0.0,
    "peak_to_average": 1.0, **{f"profile_h{h:02d}": 1.0 for h in range(24)},
    "horizon_months": 1.0, "discount_rate_per_year": 0.0, "api_price_decline_per_year": 0.0,
    "input_usd_per_million_tokens": 0.0, "output_usd_per_million_tokens": 0.0, "cache_read_usd_per_million_tokens": 0.0,
    "cache_write_usd_per_million_tokens": 0.0, "batch_input_usd_per_million_tokens": 0.0,
    "batch_output_usd_per_million_tokens": 0.0, "negotiated_discount": 0.0,
    "batch_cache_read_usd_per_million_tokens": 0.0, "batch_cache_write_usd_per_million_tokens": 0.0,
    # billing rules that do nothing: no long-context tier, no time-of-day window, no recorded price change, no fees
    "long_context_above_input_tokens": 1e15, "long_context_input_ratio": 1.0, "long_context_output_ratio": 1.0,
    **{f"price_window_h{h:02d}": 0.0 for h in range(24)},
    "time_of_day_input_ratio": 1.0, "time_of_day_output_ratio": 1.0, "time_of_day_cache_read_ratio": 1.0,
    "has_api_price_history": 0.0, "api_price_known_months": 0.0,
    **{f"price_change_{k}_month": 10_000.0 for k in (1, 2, 3)},
    **{f"price_change_{k}_{kind}_ratio": 1.0 for k in (1, 2, 3)
       for kind in ("input", "output", "cache_read", "time_of_day_input", "time_of_day_output", "time_of_day_cache_read",
                    "cache_write", "long_context_input", "long_context_output")},
    **{f"price_change_{k}_long_context_above_input_tokens": 1e15 for k in (1, 2, 3)},
    "usd_per_thousand_requests": 0.0, "tool_fee_usd_per_request": 0.0, "cached_call_share": 1.0,
    "api_share_fixed": 1.0, "is_overflow": 0.0, "has_self_hosted": 0.0,
    "replica_generations_per_s": 1.0, "gpus_per_replica": 0.0, "spare_replicas": 0.0, "min_replicas": 0.0,
    "max_utilization": 1.0, "is_autoscaled": 0.0, "overflow_replicas": 0.0,
    "gpu_usd_per_hour": 0.0, "spot_interruption_overhead": 0.0, "is_purchased": 0.0, "purchase_usd_per_gpu": 0.0,
    "depreciation_years": 1.0, "residual_value_share": 0.0, "cost_of_capital_per_year": 0.0,
    "is_reserved": 0.0, "term_months": 1.0, "upfront_share": 0.0, "count_beyond_horizon": 1.0,
    "is_mixed": 0.0, "base_replicas": 0.0, "burst_gpu_usd_per_hour": 0.0, "burst_gpus_per_instance": 1.0,
    "has_gpu_price_history": 0.0, "gpu_price_known_months": 0.0, "burst_gpu_price_known_months": 0.0,
    "idle_power_share": 0.0, "pue": 1.0, "usd_per_kwh": 0.0, "server_power_per_gpu_kw": 0.0,
    "hosting_usd_per_kw_month": 0.0, "staff_fte": 0.0, "staff_usd_per_fte_year": 0.0, "staff_share": 0.0,
    "software_usd_per_gpu_month": 0.0, "setup_usd": 0.0,
    "gpu_price_change_per_year": 0.0, "gpus_per_instance": 1.0, "storage_gb": 0.0, "storage_usd_per_gb_month": 0.0,
    "egress_gb_per_request": 0.0, "egress_usd_per_gb": 0.0, "maintenance_share_of_capex_per_year": 0.0,
    "staff_inflation_per_year": 0.0, "power_inflation_per_year": 0.0, "grid_gco2e_per_kwh": 0.0,
}
assert set(NEUTRAL) == set(INPUT_NAMES), set(INPUT_NAMES) ^ set(NEUTRAL)

AGENT_API = {
    # an agent loop: 3 calls, each resending the context, which grows by 200 tokens a call;
    # 2 samples per call, sent as separate calls (input paid per sample)
    "requests_per_day": 1000.0, "llm_calls_per_request": 3.0, "input_tokens": 1000.0,
    "context_growth_per_call_tokens": 200.0, "samples_per_call": 2.0, "input_paid_per_sample": 1.0,
    "output_tokens": 100.0, "reasoning_tokens": 50.0,
    "cacheable_prefix_share": 0.5, "cache_write_share": 0.1, "batch_eligible_share": 0.2,
    "input_usd_per_million_tokens": 2.0, "output_usd_per_million_tokens": 8.0, "cache_read_usd_per_million_tokens": 0.5,
    "cache_write_usd_per_million_tokens": 2.5, "batch_input_usd_per_million_tokens": 1.0,
    "batch_output_usd_per_million_tokens": 4.0, "negotiated_discount": 0.1,
    # batch requests read and write the cache at the standard cache prices (the fallback rule)
    "batch_cache_read_usd_per_million_tokens": 0.5, "batch_cache_write_usd_per_million_tokens": 2.5,
}

RENTED = {
    # 864,000 requests/day = 10 completions per second on average, 15 at peak
    "requests_per_day": 864_000.0, "peak_to_average": 1.5, "output_tokens": 100.0,
    "api_share_fixed": 0.0, "has_self_hosted": 1.0,
    "replica_generations_per_s": 4.0, "max_utilization": 0.75, "gpus_per_replica": 2.0, "spare_replicas": 1.0, "min_replicas": 1.0,
    "gpu_usd_per_hour": 2.5, "spot_interruption_overhead": 0.1,
    "staff_fte": 0.5, "staff_usd_per_fte_year": 240_000.0, "staff_share": 0.5, "software_usd_per_gpu_month": 100.0, "setup_usd": 30_000.0,
    "horizon_months": 2.0,
}

PURCHASED = {
    **RENTED, "gpu_usd_per_hour": 0.0, "spot_interruption_overhead": 0.0, "is_purchased": 1.0,
    "purchase_usd_per_gpu": 30_000.0, "depreciation_years": 4.0, "residual_value_share": 0.2, "cost_of_capital_per_year": 0.1,
    "gpu_tdp_kw": 0.7, "idle_power_share": 0.3, "pue": 1.2, "usd_per_kwh": 0.1,
    "server_power_per_gpu_kw": 1.2, "hosting_usd_per_kw_month": 150.0,
}


def values(**changes: float) -> dict[str, float]:
    out = dict(NEUTRAL)
    out.update(changes)
    return out


def row(index: int, option_id: str, kind: str, vals: dict[str, float], scenario_id: str = "s", excluded: str | None = None) -> Row:
    return Row(index, scenario_id, scenario_id, option_id, kind, values(**vals),
               {n: Provenance("test") for n in INPUT_NAMES}, excluded_reason=excluded)


def evaluate(*specs: tuple[str, str, dict[str, float]], with_breakeven: bool = False):
    rows = [row(i, oid, kind, vals) for i, (oid, kind, vals) in enumerate(specs)]
    return evaluate_rows(rows, [], TODAY, with_breakeven=with_breakeven)
