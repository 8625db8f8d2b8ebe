"""docs/formulas.md: every cost formula in words, generated from tco/engine/formulas.py."""

from __future__ import annotations

from tco.engine import formulas as F
from tco.engine.expr import explain, named_parts, total


def formulas_markdown() -> str:
    lines = [
        "# What llm-tco computes",
        "",
        "Generated from `tco/engine/formulas.py` by `python -m tco.report.formulas_doc` (a test keeps it",
        "current). Each named quantity is one formula; the polars evaluation, the workbook's live formulas",
        "and `tco explain` are all rendered from these same definitions. On the right, each quantity is",
        "named by its label: another line of this list, or an input of the scenario (see `tco schema`).",
        "",
        "Totals over the horizon are sums of the monthly figures. `tco run`, the UI and the workbook add",
        "the months up; large evaluations (sweeps, Monte Carlo) take the same sums in closed form where",
        "the month enters only through growth, price decline, discounting, the first month and the end",
        "of the horizon (`c x r^(month-1)` sums to `c x (r^H - 1) / (r - 1)`), and month by month only for",
        "what rounds (a fleet of whole replicas under growing volume). The closed forms are derived from",
        "these same formulas by `tco/engine/month_sums.py` and agree with the added-up months to about",
        "1e-15 relative (tests/engine/test_month_sums.py). Purchased and reserved fleets carry running totals",
        "(book value, terms running): what depends on one is added up month by month, the running total",
        "carried from one block of months to the next (`evaluate._HorizonPlan.block`).",
        "",
        "Two views of the same costs. The **accounting basis** (`monthly_cost_usd`, `total_cost_usd`) spreads",
        "a purchase as straight-line depreciation from its month plus the cost of capital on the book value,",
        "and a reserved term's price evenly over its months. The **cash basis** (`cash_cost_usd`,",
        "`total_cash_usd`) books a purchase and a term's upfront part in the month they are paid and sales",
        "as inflows, with no depreciation and no cost of capital. **NPV (`npv_usd`) discounts the cash flows**,",
        "monthly payments at month ends (Excel's NPV convention, BILLING.md 4); the cost of capital is then in",
        "the discount rate, not in a line. GPU purchases and the upfront parts of terms are paid when the GPUs",
        "arrive or the term is signed, on the first day of their month (`outlays_at_month_start_usd`): month 1's",
        "are the t = 0 outlay that BILLING.md 4 keeps outside NPV(), undiscounted, as the accounting view's cost",
        "of capital charges them from that day. (Until 2026-12-07 they were discounted as month-end flows, one",
        "month too many: 0.64 % of them at r = 8 %.)",
        "",
    ]
    terms = (*F.COST_LINES, *F.MONTHLY_RESULTS, *F.HORIZON_RESULTS)
    for part in named_parts(total(terms)):
        lines.append(f"- **{part.name}** ({part.unit or 'value'}): {part.label} = {explain(part.term)}")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(formulas_markdown())
