"""The plan as FOCUS 1.2 rows (FinOps Open Cost and Usage Specification), so it sits next to the bills.

Why FOCUS: FinOps teams load cloud and AI bills in this format; a plan in the same columns can be
compared with what was actually billed, in the same tools. This is plan data, not a bill: every
row says so (`ChargeDescription`, `x_PlanData`), and invoice-only columns (InvoiceId, billing
account) stay null. One row per option x month x non-zero cost line of the engine's monthly
results; nothing is recomputed except the quantities (tokens, GPU-hours), which are evaluated
from the same formula terms the costs come from (tco/engine/formulas.py).
Column list and allowed values: /work/shared/data/focus/README.md and the validator's rule model.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tco.engine import formulas as F
from tco.engine.expr import to_python

FOCUS_VERSION = "1.2"

COLUMNS = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory",
    "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus", "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit",
    "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit", "ProviderName",
    "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory",
    "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId",
    "SubAccountName", "SubAccountType", "Tags",
    "x_PlanData", "x_Scenario", "x_Option", "x_OptionKind", "x_CostLine", "x_Month", "x_PaymentMode", "x_ModelId",
)
"""The 57 FOCUS 1.2 columns in the spec's alphabetical order, then our `x_` columns."""

_TOKEN_LINES = {
    # cost line -> (SkuMeter, million-token quantity as a formula term and the share of it the line covers)
    "api_input_usd": ("Input tokens", F.api_million_input_tokens, lambda v: 1 - v["cacheable_prefix_share"] - v["cache_write_share"]),
    "api_cache_read_usd": ("Cached input tokens (cache read)", F.api_million_input_tokens, lambda v: v["cacheable_prefix_share"]),
    "api_cache_write_usd": ("Cache write tokens", F.api_million_input_tokens, lambda v: v["cache_write_share"]),
    "api_output_usd": ("Output tokens", F.api_million_output_tokens, lambda v: 1.0),
    "api_reasoning_usd": ("Reasoning tokens (billed as output)", F.api_million_reasoning_tokens, lambda v: 1.0),
}
_RECURRING = {"depreciation_usd", "cost_of_capital_usd", "hosting_usd", "staff_usd", "software_usd"}
_PURCHASE: set[str] = set()
"""No line is a Purchase: FOCUS 1.2 wants a purchase at EffectiveCost 0 with its amortised amounts as
usage (the validator's EffectiveCost-C-005-C), and the plan only has amortised amounts (monthly
depreciation and cost of capital of owned GPUs) and a one-time set-up charge (Usage, One-Time)."""


def _month_start(start: dt.date, month: int) -> dt.date:
    index = start.year * 12 + (start.month - 1) + (month - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _option(scenario, option_id: str):
    return next((o for o in scenario.options if o.id == option_id), None)


def _payment_mode(option) -> str | None:
    payment = getattr(option, "payment", None)
    return payment.mode if payment is not None else None


def _pricing_category(line: str, mode: str | None) -> str | None:
    if line in _PURCHASE:
        return None  # a purchase has no pricing category of a usage charge
    if line in _TOKEN_LINES or mode in (None, "on-demand", "purchased"):
        return "Standard"
    return {"spot": "Dynamic", "reserved": "Committed"}.get(mode, "Other")


def _provider(option, line: str) -> str:
    if line in _TOKEN_LINES:
        return str(getattr(option, "provider", None) or "API provider")
    payment = getattr(option, "payment", None)
    if payment is not None and payment.offer:
        return payment.offer.split(":", 1)[0]
    return "Self-hosted (own hardware)" if payment is not None and payment.mode == "purchased" else "Self-hosted"


def focus_rows(results) -> list[dict[str, Any]]:
    """Each non-zero monthly cost line of each option as a FOCUS row; their BilledCost sums to total_cost_usd."""
    by_row = {r.row: r for r in results.rows}
    scenarios = {s.id: s for s in results.scenarios}
    line_names = [line.name for line in F.COST_LINES]
    rows: list[dict[str, Any]] = []
    monthly = results.monthly.sort("row", "month")
    for rec in monthly.iter_rows(named=True):
        row = by_row[rec["row"]]
        scenario = scenarios[row.scenario_id]
        option = _option(scenario, row.option_id)
        start = getattr(scenario, "start_date", None) or results.today
        month = int(rec["month"])
        period_start, period_end = _month_start(start, month), _month_start(start, month + 1)
        values = {**row.values, "month": float(month)}
        mode = _payment_mode(option)
        for name in line_names:
            cost = float(rec[name])
            if cost == 0.0:
                continue
            quantity = unit = pricing_quantity = pricing_unit = sku_id = sku_meter = None
            if name in _TOKEN_LINES:
                meter, term, share = _TOKEN_LINES[name]
                millions = to_python(term, values) * share(values)
                quantity, unit = millions * 1e6, "Tokens"
                pricing_quantity, pricing_unit = millions, "1000000 Tokens"
                sku_meter = meter
                price = row.api_price
                sku_id = f"{price.provider}/{price.model}" if price is not None else row.model_id
            elif name == "gpu_rental_usd":
                hours = to_python(F.gpu_hours, values) * (1 + values.get("gpu_hours_overhead", 0.0))
                quantity = pricing_quantity = hours
                unit = pricing_unit = "GPU-Hours"
                sku_meter = "GPU-hours"
                sku_id = (getattr(getattr(option, "payment", None), "offer", None) or "gpu-hour")
            label = F.LINE_LABELS[name]
            rows.append({
                "BilledCost": cost, "EffectiveCost": cost, "ListCost": cost, "ContractedCost": cost,
                "BillingCurrency": "USD",
                "BillingAccountId": f"plan:{row.scenario_id}", "BillingAccountName": f"Plan: {scenario.title or row.scenario_id}",
                "BillingPeriodStart": _stamp(period_start), "BillingPeriodEnd": _stamp(period_end),
                "ChargePeriodStart": _stamp(period_start), "ChargePeriodEnd": _stamp(period_end),
                "ChargeCategory": "Purchase" if name in _PURCHASE else "Usage",
                "ChargeClass": None,
                "ChargeDescription": f"{label} - plan, not a bill ({row.scenario_id} / {row.option_id}, month {month})",
                "ChargeFrequency": "One-Time" if name == "setup_cost_usd" else ("Recurring" if name in _RECURRING else "Usage-Based"),
                "ConsumedQuantity": quantity, "ConsumedUnit": unit,
                "PricingQuantity": pricing_quantity, "PricingUnit": pricing_unit,
                "PricingCategory": _pricing_category(name, mode) if pricing_quantity is not None else None,
                "ProviderName": _provider(option, name), "PublisherName": _provider(option, name),
                "InvoiceIssuerName": _provider(option, name),
                "ServiceCategory": "AI and Machine Learning",
                "ServiceSubcategory": "Generative AI",
                "ServiceName": "LLM API" if name in _TOKEN_LINES else "Self-hosted LLM inference",
                "SkuId": sku_id, "SkuMeter": sku_meter,
                "Tags": json.dumps({"scenario": row.scenario_id, "option": row.option_id}, sort_keys=True),
                "x_PlanData": "plan",
                "x_Scenario": row.scenario_id, "x_Option": row.option_id, "x_OptionKind": row.kind,
                "x_CostLine": name, "x_Month": month, "x_PaymentMode": mode, "x_ModelId": row.model_id,
            })
    return [{column: r.get(column) for column in COLUMNS} for r in rows]


def focus_frame(results):
    """The rows as a polars frame with FOCUS types (decimals as Float64, date-times as text in UTC)."""
    import polars as pl

    schema = {c: pl.String for c in COLUMNS}
    for c in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ConsumedQuantity", "PricingQuantity",
              "ListUnitPrice", "ContractedUnitPrice", "CommitmentDiscountQuantity", "PricingCurrencyContractedUnitPrice",
              "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice"):
        schema[c] = pl.Float64
    schema["x_Month"] = pl.Int64
    return pl.DataFrame(focus_rows(results), schema=schema, orient="row")
