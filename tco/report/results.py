"""Engine results as plain records: the JSON contract of `tco run` and what every view shows."""

from __future__ import annotations

import math
from typing import Any

from tco.engine import formulas as F

RESULT_FIELDS = (
    "scenario", "option", "kind", "rank", "description", "total_cost_usd", "npv_usd", "total_cash_usd", "cost_per_million_tokens_usd",
    "cost_per_request_usd", "cost_per_llm_call_usd", "gpus_average", "gpus_peak", "utilization_average",
    "energy_kwh", "energy_kwh_per_million_tokens", "breakeven_reference_option", "breakeven_requests_per_day", "breakeven_at_step", "breakeven_month",
    "excluded_reason", "notes",
    "capability_model", "capability_score", "capability_verdict", "cost_per_capability_point_usd",
    "on_capability_frontier", "capability_note", "rank_below_requirement",
)

TABLE_COLUMNS = (
    "scenario", "rank", "option", "kind", "total_cost_usd", "npv_usd", "cost_per_million_tokens_usd",
    "cost_per_request_usd", "gpus_peak", "utilization_average", "breakeven_requests_per_day", "breakeven_month",
)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def result_records(results) -> list[dict[str, Any]]:
    """One dict per scenario x option, ranked within each scenario (excluded options last)."""
    frame = results.options.sort(["row"])
    records = []
    for rec in frame.iter_rows(named=True):
        out = {name: _clean(rec.get(name)) for name in RESULT_FIELDS}
        out["monthly_cost_usd"] = [float(x) for x in rec["monthly_cost_usd_list"]]
        out["breakdown_usd"] = {line.name: float(rec[line.name]) for line in F.COST_LINES}
        out["excluded"] = rec["excluded_reason"] is not None
        records.append(out)
    order = {}
    for r in records:
        order.setdefault(r["scenario"], len(order))
    records.sort(key=lambda r: (order[r["scenario"]], r["rank"] is None, r["rank"] or 0))
    return records
