"""The plan as FOCUS 1.2 rows (FinOps Open Cost and Usage Specification), so it sits next to the bills.

Why FOCUS: FinOps teams load cloud and AI bills in this format; a plan in the same columns can be
compared with what was actually billed, in the same tools. This is plan data, not a bill: every
row says so (`ChargeDescription`, `x_PlanData`), and invoice-only columns (InvoiceId, billing
account) stay null. One row per option x month x non-zero cost line of the engine's monthly
results, plus the cash view's purchases and sales: EffectiveCost is the accounting view
(total_cost_usd: depreciation, cost of capital, term prices spread), BilledCost the cash view
(total_cash_usd: GPUs and upfront parts when paid, sales as negative Credit rows). Nothing is
recomputed except the quantities (tokens, GPU-hours, kWh, ...), evaluated from the same formula
terms or monthly results the costs come from (tco/engine/formulas.py); unit prices are cost /
quantity. Plan month m runs from the start date + (m - 1) months to the same day a month later
(tco.engine.api_price.add_months, the engine's month). The mapping: docs/focus.md.
Column list and allowed values: /work/shared/data/focus/README.md and the validator's rule model.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tco import units
from tco.engine import formulas as F
from tco.engine.api_price import add_months
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
    "api_input_usd": ("Input tokens", F.api_million_input_tokens, lambda v: 1 - (v["cacheable_prefix_share"] + v["cache_write_share"]) * v["cached_call_share"]),
    "api_cache_read_usd": ("Cached input tokens (cache read)", F.api_million_input_tokens, lambda v: v["cacheable_prefix_share"] * v["cached_call_share"]),
    "api_cache_write_usd": ("Cache write tokens", F.api_million_input_tokens, lambda v: v["cache_write_share"] * v["cached_call_share"]),
    "api_output_usd": ("Output tokens", F.api_million_output_tokens, lambda v: 1.0),
    "api_reasoning_usd": ("Reasoning tokens (billed as output)", F.api_million_reasoning_tokens, lambda v: 1.0),
}
_API_LINES = {line.name for line in F.API_LINES}
_RECURRING = {"depreciation_usd", "cost_of_capital_usd", "hosting_usd", "staff_usd", "software_usd", "maintenance_usd",
              "reserved_usd", "reserved_beyond_horizon_usd", "storage_usd"}
_NOT_INVOICED = {"depreciation_usd", "cost_of_capital_usd"}
"""Accounting charges of owned GPUs: nobody invoices them (BilledCost 0); the purchase is billed when paid."""
_EXTRA_LABELS = {
    "gpu_capex_usd": "GPUs: purchase",
    "reserved_upfront_usd": "GPUs: reserved terms, upfront payment",
    "gpu_resale_usd": "GPUs: sale",
    "reserved_upfront_refund_usd": "GPUs: reserved terms, upfront for months after the horizon",
    "reserved_fee_usd": "GPUs: reserved terms, monthly payment",
    "reserved_beyond_horizon_fee_usd": "GPUs: reserved terms, monthly payments owed past the horizon",
}
"""Rows of the cash view that are no cost line of their own (the engine's gpu_capex_usd, reserved_signed_usd, gpu_resale_usd)."""
_COMMITTED = {"reserved_usd", "reserved_beyond_horizon_usd"}
"""Term reservations (reserved GPUs, a mixed fleet's base, provisioned API units): PricingCategory Committed."""
_FEES = {"reserved_usd": "reserved_fee_usd", "reserved_beyond_horizon_usd": "reserved_beyond_horizon_fee_usd"}
"""FOCUS 1.2 commitment discounts (DiscountHandling-A-009/-013, EffectiveCost-C-012): the usage a term covers is
billed 0 with the amortised term price as EffectiveCost; what is paid for the term is Purchase rows (the upfront
part One-Time when a term starts, the monthly part Recurring), so per CommitmentDiscountId the Usage rows'
EffectiveCost equals the Purchase rows' BilledCost."""


NOISE_USD = 1e-6
"""Amounts below a millionth of a dollar are the engine's rounding noise (an overflow hybrid's API share of
1 - 1.0 gives +-1e-13 dollars of tokens): no row, rather than a negative unit price."""


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _option(scenario, option_id: str):
    return next((o for o in scenario.options if o.id == option_id), None)


def _self_hosted_option(scenario, option):
    """The option that pays for GPUs: a hybrid's self-hosted part, else the option itself."""
    if getattr(option, "kind", None) == "hybrid":
        return _option(scenario, option.self_hosted)
    return option


def _api_option(scenario, option):
    """The option whose provider bills the token rows: a hybrid's API part, a provisioned option's overflow API, else itself."""
    if getattr(option, "kind", None) == "hybrid":
        return _option(scenario, option.api) or option
    overflow = getattr(option, "overflow_api", None)
    return (_option(scenario, overflow) or option) if overflow else option


def _payment_mode(option) -> str | None:
    payment = getattr(option, "payment", None)
    return payment.mode if payment is not None else None


def _pricing_category(line: str, option) -> str:
    """Spot is Dynamic, a term reservation Committed (FOCUS 1.2 PricingCategory-C-009/-010), everything else Standard."""
    payment = getattr(option, "payment", None)
    if line in _COMMITTED or (line == "gpu_rental_usd" and payment is not None and payment.mode == "reserved"):
        return "Committed"
    if line == "gpu_rental_usd" and payment is not None and payment.mode == "spot":
        return "Dynamic"
    if line == "burst_usd" and payment is not None and payment.burst is not None and payment.burst.mode == "spot":
        return "Dynamic"
    return "Standard"


def _provider(option, line: str) -> str:
    if line in _API_LINES or getattr(option, "kind", None) == "api-provisioned":
        return str(getattr(option, "provider", None) or "API provider")
    payment = getattr(option, "payment", None)
    if payment is not None and payment.offer:
        return payment.offer.split(":", 1)[0]
    return "Self-hosted (own hardware)" if payment is not None and payment.mode == "purchased" else "Self-hosted"


def _on_demand_usd_per_gpu_hour(option, catalog, burst: bool = False) -> float | None:
    """The offer's published on-demand price per GPU-hour: the list price of rented, reserved and burst GPU-hours."""
    payment = getattr(option, "payment", None)
    if payment is None or catalog is None:
        return None
    if burst:
        offer_id = payment.burst.offer if payment.burst is not None else None
        offer = catalog.offers.get(offer_id) if offer_id else None
    else:
        offer_id = payment.base.offer if payment.mode == "mixed" and payment.base is not None else payment.offer
        offer = (catalog.committed_offers.get(offer_id) or catalog.offers.get(offer_id)) if offer_id else None
    return getattr(offer, "on_demand_usd_per_gpu_hour", None) if offer is not None else None


def _list_over_contracted(row, option, catalog, line: str) -> float:
    """List price / the price paid, for a GPU line: the on-demand price over the contracted (or spot) one; 1 when unknown."""
    values = row.values
    if line == "burst_usd":
        paid, listed = values.get("burst_gpu_usd_per_hour", 0.0), _on_demand_usd_per_gpu_hour(option, catalog, burst=True)
    else:
        paid, listed = values.get("gpu_usd_per_hour", 0.0), _on_demand_usd_per_gpu_hour(option, catalog)
    return listed / paid if listed and paid > 0 else 1.0


def _reserved_list_over_contracted(option, catalog, values: dict, cost: float, gpu_hours: float,
                                   period: tuple[int, int]) -> float | None:
    """List / paid for reserved GPU-hours: the on-demand price of the months they are used in, not of the month the
    term was signed. A term's price is fixed at signing while the on-demand price moves by the GPU price change, so
    the list price of month m is the offer's on-demand price x gpu_price_factor(m), as for rented GPU-hours (averaged
    over the months a row spans: the part of the terms owed after the horizon). None when no on-demand price is known."""
    on_demand = _on_demand_usd_per_gpu_hour(option, catalog)
    if not on_demand or cost <= 0:
        return None
    months = range(period[0], period[1])
    factor = sum(to_python(F.gpu_price_factor, {**values, "month": float(m)}) for m in months) / len(months)
    return gpu_hours * on_demand * factor / cost


def _owed_by_month(signed_usd: dict[int, float], term_months: int, horizon: int, owed_usd: float) -> list[tuple[int, float]]:
    """The part of the running terms owed after the horizon, month by month: a term signed in month s for value v
    runs s .. s + T - 1 and costs v / T a month (formulas.reserved_beyond_horizon_owed_usd sums these). Falls back
    to one piece dated the month after the horizon if the terms do not add up to the engine's amount."""
    by_month = []
    for m in range(horizon + 1, horizon + term_months):
        owed = sum(v / term_months for s, v in signed_usd.items() if horizon - term_months < s <= horizon and s + term_months - 1 >= m)
        if owed > NOISE_USD:
            by_month.append((m, owed))
    if abs(sum(o for _, o in by_month) - owed_usd) > 1e-6 * max(abs(owed_usd), 1.0):
        return [(horizon + 1, owed_usd)]
    return by_month


def _commitment_type(option, catalog) -> str:
    """CommitmentDiscountType: the seller's name for the reservation (a committed offer's offering), else what it is."""
    if getattr(option, "kind", None) == "api-provisioned":
        return "Provisioned throughput reservation"
    payment = getattr(option, "payment", None)
    offer_id = (payment.base.offer if payment is not None and payment.mode == "mixed" and payment.base is not None
                else getattr(payment, "offer", None))
    offer = catalog.committed_offers.get(offer_id) if catalog is not None and offer_id else None
    return getattr(offer, "offering", None) or "Reserved term"


def _quantity(line: str, values: dict, rec: dict) -> tuple[float | None, str]:
    """The line's pricing quantity and unit, from the same formula terms (or monthly results) its cost comes from."""
    owned_gpu_months = rec.get("gpus_owned") or 0.0
    if line in _TOKEN_LINES:
        _, term, share = _TOKEN_LINES[line]
        return to_python(term, values) * share(values), "1000000 Tokens"
    if line == "api_request_fees_usd":
        return rec["requests_in_month"] * to_python(F.api_share, values), "Requests"
    if line == "gpu_rental_usd":
        return to_python(F.gpu_hours, values) * (1 + values.get("spot_interruption_overhead", 0.0)), "GPU-Hours"
    if line == "burst_usd":
        return rec["burst_gpu_hours"] * (1 + values.get("spot_interruption_overhead", 0.0)), "GPU-Hours"
    if line == "reserved_usd":
        return _reserved_gpus(values) * units.HOURS_PER_MONTH, "GPU-Hours"
    if line == "power_usd":
        return rec["energy_kwh_in_month"], "kWh"
    if line == "hosting_usd":
        return owned_gpu_months * values["server_power_per_gpu_kw"], "kW-Months"
    if line in ("depreciation_usd", "cost_of_capital_usd", "maintenance_usd"):
        return owned_gpu_months, "GPU-Months"
    if line == "software_usd":
        return rec["gpus_in_month"], "GPU-Months"
    if line == "staff_usd":
        return values["staff_fte"] * values["staff_share"], "FTE-Months"
    if line == "storage_usd":
        return values["storage_gb"], "GB-Months"
    if line == "egress_usd":
        return rec["self_hosted_requests_in_month"] * values["egress_gb_per_request"], "GB"
    return None, "Units"


def _reserved_gpus(values: dict) -> float:
    """GPUs (or provisioned units) held on term this month: the most needed so far, as formulas._owned_at counts them."""
    needed_now = to_python(F.gpus_committed_needed, values)
    needed_first = to_python(F.gpus_committed_needed, {**values, "month": 1.0})
    return max(needed_now, needed_first)


def focus_rows(results) -> list[dict[str, Any]]:
    """The plan as FOCUS rows: EffectiveCost sums to total_cost_usd (accounting), BilledCost to total_cash_usd (cash)."""
    by_row = {r.row: r for r in results.rows}
    scenarios = {s.id: s for s in results.scenarios}
    line_names = [line.name for line in F.COST_LINES]
    catalog = getattr(results, "catalog", None)
    rows: list[dict[str, Any]] = []
    monthly = results.monthly.sort("row", "month")
    signed_by_row: dict[int, dict[int, float]] = {}
    for rec in monthly.iter_rows(named=True):
        signed_by_row.setdefault(rec["row"], {})[int(rec["month"])] = float(rec.get("reserved_signed_usd") or 0.0)
    for rec in monthly.iter_rows(named=True):
        row = by_row[rec["row"]]
        scenario = scenarios[row.scenario_id]
        option = _option(scenario, row.option_id)
        gpu_option = _self_hosted_option(scenario, option)
        start = scenario.finance.start_date or results.today
        month = int(rec["month"])
        values = {**row.values, "month": float(month)}
        upfront = values.get("upfront_share", 0.0)
        horizon = int(values["horizon_months"])

        commitment_id = f"plan:{row.scenario_id}/{row.option_id}/reserved-terms"

        def add(name: str, billed: float, effective: float, category: str = "Usage", *, quantity=None, unit=None,
                list_ratio: float = 1.0, period: tuple[int, int] = (month, month + 1), note: str = "",
                frequency: str | None = None, commitment: bool = False) -> None:
            """One FOCUS row. ListCost = list/contracted ratio x ContractedCost; unit prices = cost / PricingQuantity."""
            cost = effective if category == "Usage" else billed
            listed = cost * list_ratio
            # FOCUS 1.2 ContractedUnitPrice: the agreed price "inclusive of negotiated discounts ... while excluding
            # negotiated commitment discounts": usage a term covers is contracted at the on-demand price (no other
            # negotiated discount is known), its commitment discount shows only in EffectiveCost
            contracted = listed if commitment and category == "Usage" else cost
            has_price = category in ("Usage", "Purchase")
            if has_price and (quantity is None or quantity <= 0):
                quantity, unit = 1.0, ("Units" if name == "setup_cost_usd" else "Months")
            period_start, period_end = add_months(start, period[0] - 1), add_months(start, period[1] - 1)
            label = F.LINE_LABELS.get(name) or _EXTRA_LABELS[name]
            provider = _provider(gpu_option if name not in _API_LINES else _api_option(scenario, option), name)
            sku_id = f"{row.option_id}/{name}"
            sku_meter = label
            if name in _TOKEN_LINES:
                price = row.api_price
                sku_id = f"{price.provider}/{price.model}" if price is not None else (row.model_id or sku_id)
                sku_meter = _TOKEN_LINES[name][0]
            elif name in ("gpu_rental_usd", "reserved_usd", "burst_usd") and getattr(gpu_option, "payment", None) is not None:
                pay = gpu_option.payment
                offer = (pay.burst.offer if name == "burst_usd" and pay.burst is not None
                         else (pay.base.offer if pay.mode == "mixed" and pay.base is not None else pay.offer))
                sku_id, sku_meter = (offer or sku_id), "GPU-hours"
            rows.append({
                "BilledCost": billed, "EffectiveCost": effective, "ListCost": listed, "ContractedCost": contracted,
                "ListUnitPrice": listed / quantity if has_price else None,
                "ContractedUnitPrice": contracted / quantity if has_price else None,
                "BillingCurrency": "USD", "PricingCurrency": "USD", "PricingCurrencyEffectiveCost": effective,
                "PricingCurrencyListUnitPrice": listed / quantity if has_price else None,
                "PricingCurrencyContractedUnitPrice": contracted / quantity if has_price else None,
                "BillingAccountId": f"plan:{row.scenario_id}", "BillingAccountName": f"Plan: {scenario.title or row.scenario_id}",
                "BillingPeriodStart": _stamp(period_start), "BillingPeriodEnd": _stamp(period_end),
                "ChargePeriodStart": _stamp(period_start), "ChargePeriodEnd": _stamp(period_end),
                "ChargeCategory": category,
                "ChargeClass": None,
                "ChargeDescription": f"{label}{note} - plan, not a bill ({row.scenario_id} / {row.option_id}, month {month})",
                "ChargeFrequency": frequency or ("One-Time" if category != "Usage" or name == "setup_cost_usd"
                                                 else ("Recurring" if name in _RECURRING else "Usage-Based")),
                # one commitment per option: its terms (first signed, added as the fleet grows, renewed) are blended
                # by the engine; the Usage rows it covers are all Used (the engine starts every reserved GPU it needs)
                "CommitmentDiscountId": commitment_id if commitment else None,
                "CommitmentDiscountName": f"Reserved terms of {row.option_id} (plan)" if commitment else None,
                "CommitmentDiscountCategory": "Usage" if commitment else None,
                "CommitmentDiscountType": _commitment_type(gpu_option, catalog) if commitment else None,
                "CommitmentDiscountStatus": "Used" if commitment and category == "Usage" else None,
                "CommitmentDiscountQuantity": quantity if commitment and category in ("Usage", "Purchase") else None,
                "CommitmentDiscountUnit": unit if commitment and category in ("Usage", "Purchase") else None,
                # DiscountHandling-A-012-C: a commitment's own rows (its purchase) name it as the resource; -A-016-C: the
                # usage it covers names the resource that received the discount (the option's reserved fleet)
                "ResourceId": (None if not commitment else commitment_id if category != "Usage"
                               else f"plan:{row.scenario_id}/{row.option_id}/reserved-fleet"),
                "ResourceName": (None if not commitment else f"Reserved terms of {row.option_id} (plan)" if category != "Usage"
                                 else f"Reserved fleet of {row.option_id} (plan)"),
                "ConsumedQuantity": (quantity * units.TOKENS_PER_MILLION if name in _TOKEN_LINES else quantity) if category == "Usage" else None,
                "ConsumedUnit": ("Tokens" if name in _TOKEN_LINES else unit) if category == "Usage" else None,
                "PricingQuantity": quantity if has_price else None, "PricingUnit": unit if has_price else None,
                "PricingCategory": _pricing_category(name, gpu_option) if category == "Usage" else ("Standard" if has_price else None),
                "ProviderName": provider, "PublisherName": provider, "InvoiceIssuerName": provider,
                "ServiceCategory": "AI and Machine Learning",
                "ServiceSubcategory": "Generative AI",
                "ServiceName": ("LLM API" if name in _API_LINES else
                                "LLM API (provisioned units)" if row.kind == "api-provisioned" else "Self-hosted LLM inference"),
                "SkuId": sku_id, "SkuMeter": sku_meter, "SkuPriceId": f"{sku_id}:{sku_meter}" if has_price else None,
                "Tags": json.dumps({"scenario": row.scenario_id, "option": row.option_id}, sort_keys=True),
                "x_PlanData": "plan",
                "x_Scenario": row.scenario_id, "x_Option": row.option_id, "x_OptionKind": row.kind,
                "x_CostLine": name, "x_Month": month, "x_PaymentMode": _payment_mode(gpu_option), "x_ModelId": row.model_id,
            })

        billed_total = 0.0
        reserved_usd_per_gpu_hour, reserved_unit = None, "GPU-Hours"
        for name in line_names:
            cost = float(rec[name])
            if abs(cost) < NOISE_USD:
                continue
            quantity, unit = _quantity(name, values, rec)
            if row.kind == "api-provisioned" and unit == "GPU-Hours":
                unit = "Unit-Hours"  # provisioned throughput units stand where GPUs stand in the formulas
            ratio, note, period = 1.0, "", (month, month + 1)
            billed = cost
            if name in _API_LINES:
                discount = values.get("negotiated_discount", 0.0)
                ratio = 1 / (1 - discount) if discount < 1 else 1.0
            elif name in ("gpu_rental_usd", "burst_usd", "reserved_usd", "reserved_beyond_horizon_usd"):
                ratio = _list_over_contracted(row, gpu_option, catalog, name)
            if name in _NOT_INVOICED:
                billed = 0.0
                note = (" (accounting charge, not invoiced: the purchase is billed when paid)" if name == "depreciation_usd"
                        else " (the capital tied up in owned GPUs, not invoiced)")
            elif name == "reserved_usd":
                billed = (1 - upfront) * cost
                reserved_usd_per_gpu_hour, reserved_unit = (cost / quantity if quantity else None), unit
                note = (" (amortised term price, billed 0: the terms are paid in their Purchase rows"
                        + (", the upfront part when a term starts, the rest monthly)" if upfront > 0 else ", monthly)"))
            elif name == "reserved_beyond_horizon_usd":
                billed = (1 - upfront) * cost
                note = " (owed after the horizon for running terms)"
            billed_total += billed
            if name in _FEES:
                pieces = [(cost, quantity, period, note)]
                if name == "reserved_beyond_horizon_usd":
                    pieces = _owed_by_month(signed_by_row[row.row], int(values["term_months"]), horizon, cost)
                    # GPU-hours at the last month's average term price: terms of different prices and ends are blended
                    pieces = [(owed, owed / reserved_usd_per_gpu_hour if reserved_usd_per_gpu_hour else None, (m, m + 1),
                               f" (owed by the terms still running in plan month {m}, {m - horizon} month(s) after the horizon)") for m, owed in pieces]
                    unit = reserved_unit if reserved_usd_per_gpu_hour else "Months"
                for piece_cost, piece_quantity, piece_period, piece_note in pieces:
                    piece_ratio = ratio
                    if unit == "GPU-Hours" and piece_quantity:
                        piece_ratio = _reserved_list_over_contracted(gpu_option, catalog, values, piece_cost, piece_quantity,
                                                                     piece_period) or ratio
                    add(name, 0.0, piece_cost, quantity=piece_quantity, unit=unit, list_ratio=piece_ratio, period=piece_period,
                        note=piece_note, commitment=True)
                    if (1 - upfront) * piece_cost > NOISE_USD:
                        add(_FEES[name], (1 - upfront) * piece_cost, 0.0, "Purchase", quantity=piece_quantity, unit=unit,
                            list_ratio=piece_ratio, period=piece_period, frequency="Recurring", commitment=True,
                            note=f" ({1 - upfront:.0%} of the amortised term price, paid monthly; the usage rows carry it as EffectiveCost)")
                continue
            add(name, billed, cost, quantity=quantity, unit=unit, list_ratio=ratio, period=period, note=note)

        capex = float(rec.get("gpu_capex_usd") or 0.0)
        if capex > NOISE_USD:
            price = values["purchase_usd_per_gpu"] * to_python(F.gpu_price_factor, values)
            add("gpu_capex_usd", capex, 0.0, "Purchase", quantity=capex / price if price > 0 else None, unit="GPUs",
                note=" (GPUs bought, paid this month; spread as depreciation and cost of capital)")
            billed_total += capex
        signed_upfront = upfront * float(rec.get("reserved_signed_usd") or 0.0)
        if signed_upfront > NOISE_USD:
            price = values["gpu_usd_per_hour"] * to_python(F.gpu_price_factor, values)
            add("reserved_upfront_usd", signed_upfront, 0.0, "Purchase",
                quantity=signed_upfront / (upfront * price) if price > 0 else None,
                unit="Unit-Hours" if row.kind == "api-provisioned" else "GPU-Hours",
                list_ratio=_list_over_contracted(row, gpu_option, catalog, "reserved_usd"),
                note=f" (upfront {upfront:.0%} of the terms signed this month; amortised in the reserved-terms rows)",
                commitment=True)
            billed_total += signed_upfront
        resale = float(rec.get("gpu_resale_usd") or 0.0)
        if resale > NOISE_USD:
            add("gpu_resale_usd", -resale, 0.0, "Credit",
                note=" (GPUs sold at end of life or valued at the horizon's end; already netted in the depreciation)")
            billed_total -= resale
        refund = billed_total - float(rec["cash_cost_usd"])
        if month == horizon and values.get("count_beyond_horizon", 1.0) == 0.0 and upfront > 0 and refund > NOISE_USD:
            add("reserved_upfront_refund_usd", -refund, 0.0, "Credit",
                note=" (upfront paid for term months after the horizon, not counted: beyond_horizon horizon-share)",
                commitment=True)
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
