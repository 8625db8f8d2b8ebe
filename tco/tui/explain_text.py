"""How one number of the results table was computed, in words, from the engine's formula definitions.

Why here and not in a screen: the same text is testable without a terminal. The parts and inputs
(values, sources, dates) come from `tco.engine.explanation`, the builder `tco explain` renders too,
so the two views cannot disagree on what a number used.
"""

from __future__ import annotations

import math

from tco.engine import formulas as F
from tco.engine.explanation import describe_inputs, describe_parts, flags_of, row_values, specialized
from tco.engine.expr import Named, Term, explain, named_parts
from tco.engine.fields import PROVISIONED_KIND, label_for_kind, labels_for_kind
from tco.report.results import fleet_unit

COLUMN_FORMULAS = {
    "total_cost_usd": F.total_cost_usd,
    "npv_usd": F.npv_usd,
    "cost_per_million_tokens_usd": F.cost_per_million_tokens_usd,
    "cost_per_request_usd": F.cost_per_request_usd,
    "gpus_peak": F.gpus_busiest_hour,
    "utilization_average": F.utilization,
}


MONEY_SIGNIFICANT_DIGITS = 6
"""Amounts under a dollar (a request costs $0.000608538) keep six significant digits, as `tco explain` prints them."""


def _money(v: float) -> str:
    """$1,234 above $100, cents from $1, six significant digits below (never $0.00 for a real cost)."""
    if abs(v) >= 100:
        return f"${v:,.0f}"
    if abs(v) >= 1 or v == 0:
        return f"${v:,.2f}"
    decimals = MONEY_SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(v)))
    whole, fraction = f"{v:.{decimals}f}".split(".")
    return f"${whole}.{fraction.rstrip('0').ljust(2, '0')}"  # $0.000405, $0.50: no trailing zeros, never an exponent


def _cost_lines(rec: dict, lines: list[str]) -> list[Term]:
    """The cost lines that are not zero for this option, listed with their totals."""
    out = []
    for line in F.COST_LINES:
        amount = float(rec.get(line.name) or 0.0)
        if amount:
            lines.append(f"  {label_for_kind(rec.get('kind'), line.name, line.label)[0]}: {_money(amount)}")
            out.append(line)
    return out


def explain_cell(results, option_id: str, column: str) -> str:
    """The formula behind `column` for `option_id`, its parts, and every input with value, source and date."""
    import polars as pl

    row = next(r for r in results.rows if r.option_id == option_id)
    rec = results.options.filter(pl.col("option") == option_id).row(0, named=True)
    flags = flags_of(row)
    values = row_values(results, row)
    lines = [f"{option_id} — {row.description}", ""]
    notes = list(dict.fromkeys(row.notes))
    if notes:  # the `notes` of `tco run --format json`: how the figures were reached (whole instances, error of the throughput model, …)
        lines += ["Notes:", *(f"  - {note}" for note in notes), ""]
    terms: list[Term] = []
    if column == "capability_verdict":
        return "\n".join(lines + _capability_lines(results, row, rec))

    if column in ("breakeven_requests_per_day", "breakeven_month", "breakeven_month_cash"):
        ref = rec.get("breakeven_reference_option")
        if ref is None:
            lines.append("No break-even: this option is an API, or the scenario has no API option to compare with.")
        elif column == "breakeven_month":
            month = rec.get("breakeven_month")
            lines.append(f"The month from which the cumulative cost of {option_id} stays at or below that of {ref} to the horizon's end "
                         f"(the cheapest API option that meets the capability requirement), in the accounting view (a purchase as its depreciation and cost of "
                         f"capital): {'never (not within the horizon)' if month is None else f'month {month}'}.")
        elif column == "breakeven_month_cash":
            month = rec.get("breakeven_month_cash")
            lines.append(f"The month from which the cash paid for {option_id} so far stays at or below that paid for {ref} "
                         f"(the cheapest API option that meets the capability requirement): the payback month. Purchases and upfront commitments count in the "
                         f"month they are paid; resale and the fleet's book value come back in the last month: "
                         f"{'never (not within the horizon)' if month is None else f'month {month}'}.")
            lines += ["", f"{F.cash_cost_usd.label} = {explain(F.cash_cost_usd.term)}"]
            terms.append(F.cash_cost_usd)
        else:
            volume = rec.get("breakeven_requests_per_day")
            fleet = ("the committed capacity's cost is a staircase of whole units" if row.kind == PROVISIONED_KIND
                     else "the self-hosted cost is a staircase of whole replicas")
            lines.append(f"The lowest daily volume from which {option_id} costs no more than {ref} over the horizon, "
                         f"found numerically on the same formulas ({fleet}): "
                         + ("never (none between 0.01 and 10 billion requests a day)." if volume is None else f"{volume:,.0f} requests/day."))
            if rec.get("breakeven_at_step"):
                lines.append("The costs never meet exactly there: one more unit makes the committed capacity jump above the API line."
                             if row.kind == PROVISIONED_KIND else
                             "The costs never meet exactly there: one more replica makes self-hosting jump above the API line.")
            stays = rec.get("breakeven_stays_requests_per_day")
            if volume is not None and stays != volume:
                unit = "unit" if row.kind == PROVISIONED_KIND else "replica"
                lines.append(f"Above it one more {unit} puts {option_id} above {ref} again; "
                             + (f"it costs no more at every volume from {stays:,.0f} requests/day (to 10 billion)."
                                if stays is not None else "it ends above the API line (up to 10 billion requests a day)."))
            lines.append("")
        lines += ["", "This option's cost lines over the horizon:"]
        terms += _cost_lines(rec, lines)
    else:
        target = COLUMN_FORMULAS[column]
        shown = rec.get(column)
        target_label = label_for_kind(row.kind, target.name, target.label)[0]
        head = f"{target_label} = {explain(specialized(target.term, flags), values, labels=labels_for_kind(row.kind))}"
        if column == "total_cost_usd":
            head = f"{target_label} = the sum over the months of the cost this month"
        elif column == "npv_usd":
            head = f"{target_label} = the sum over the months of the discounted cost this month"
        elif column == "gpus_peak":
            head = f"{fleet_unit(row.kind)} (peak) = the largest over the months of: {head}"
            if row.kind == PROVISIONED_KIND:
                head += " (provisioned throughput units, counted where GPUs are for self-hosted options)"
        elif column == "utilization_average":
            head = f"utilization (average) = {'unit' if row.kind == PROVISIONED_KIND else 'GPU'}-weighted average over the months of: {head}"
        lines.append(head)
        if shown is not None:
            lines.append(f"  = {_money(shown) if column.endswith('_usd') else f'{shown:,.4g}'}")
        terms.append(target)
        if column in ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd"):
            lines += ["", f"Over {int(row.values['horizon_months'])} months; cost this month = the sum of its cost lines."]
            if column == "npv_usd":
                lines.append(f"discounted: {F.discounted_cost_usd.label} = {explain(F.discounted_cost_usd.term)}")
                terms.append(F.discounted_cost_usd)
            lines += ["", "Cost lines over the horizon:"]
            terms += _cost_lines(rec, lines)

    parts: dict[str, Named] = {}
    for term in terms:
        for part in named_parts(specialized(term, flags)):
            if part.name not in (COLUMN_FORMULAS.get(column, F.monthly_cost_usd).name, F.monthly_cost_usd.name):
                parts.setdefault(part.name, part)
    if parts:
        lines += ["", "Where (month-dependent parts are shown as formulas):"]
        for part in describe_parts(list(parts.values()), values, row.kind):
            lines.append(f"  {part.label} = {part.formula_with_values}")

    lines += ["", "Inputs (value, unit, source, date):"]
    for inp in describe_inputs(row, terms, values):
        if inp.from_engine:
            continue  # the month index and sums over months: the lines above say how they are used
        extra = "".join(f"; {x}" for x in (inp.as_of, inp.note) if x)
        unit = f" {inp.unit}" if inp.unit else ""  # label and unit as the option's kind says them (the workbook's Inputs sheet too)
        lines.append(f"  {inp.name} = {inp.value:,.6g}{unit} — {inp.label}. Source: {inp.source or 'scenario file'}{extra}")
    return "\n".join(lines)


def _capability_lines(results, row, rec: dict) -> list[str]:
    """Capability is data, not a formula: say which scores were used and how sure they are."""
    scenario = next(s for s in results.scenarios if s.id == row.scenario_id)
    req = scenario.capability
    if req is None or rec.get("capability_verdict") is None:
        return ["This scenario sets no capability requirement (add a `capability:` block to compare like for like)."]
    bar = (f"a {req.category} score of at least {req.min_score:g}" if req.min_score is not None
           else f"{req.category} within {req.margin_points:g} points of {req.comparable_to}, on the benchmarks both have")
    score = rec.get("capability_score")
    out = [f"Requirement: {bar}.",
           f"Scores used: {rec.get('capability_model') or 'none found'}"
           + ("" if score is None else f", {req.category} score {score:.1f} (mean of its benchmarks in percent)") + ".",
           f"Verdict: {rec['capability_verdict']}."]
    if rec.get("capability_note"):
        out.append(f"Note: {rec['capability_note']}.")
    if rec.get("cost_per_capability_point_usd") is not None:
        out.append(f"Cost per request per capability point: ${rec['cost_per_capability_point_usd']:.6f}"
                   + (" (on the capability-cost frontier)." if rec.get("on_capability_frontier") else "."))
    out += ["", "Public benchmarks only say which models are worth testing: your own evaluation beats them",
            "(`user_scores_file` in the capability block). Scores, settings and sources: tco match."]
    return out
