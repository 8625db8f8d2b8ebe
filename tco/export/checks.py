"""The Checks sheet: one line per check, 1 = passes, 0 = fails (red), with the overall result on top.

Why: the ICAEW code asks for checks a reviewer can see at a glance. What is checked: every horizon
fits the month rows of its Calculations sheet; every input is within the scenario schema's bounds;
each live break-even volume is certified (a crossing within +/-0.5 %) and agrees with the exported
one within 1 %; and each total still equals the figure
llm-tco exported (this one turns red, as it should, once you change an input: it tells you the file
no longer shows the exported run). Limits and expected figures are cells beside each check, so no
formula holds a number.
"""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill

from tco.export.breakeven_search import AGREEMENT_SHARE
from tco.export.sheets import input_low_excluded
from tco.export.grid import PERCENT, USD, Grid, format_for_value
from tco.export.names import quote_sheet

CHECKS_SHEET = "Checks"
TOTALS_TOLERANCE = 1e-9
"""Relative: the workbook recomputes the engine's figures with its own formulas (float noise only)."""
BREAKEVEN_AGREEMENT = AGREEMENT_SHARE
"""Relative: the live break-even is certified within +/-0.5 %, so it agrees with the exported one within 1 %."""
PASS_FILL = PatternFill("solid", fgColor="C6EFCE")
FAIL_FILL = PatternFill("solid", fgColor="FFC7CE")
STATUS_COLUMN = "F"


def build_checks(results, plans, calcs, input_rows, summary_checks=()) -> Grid:
    g = Grid()
    g.text(1, 1, "Checks", "title")
    g.text(2, 1, "1 = passes, 0 = fails (red). Limits and expected figures are the cells beside each check.", "note")
    headers = ("area", "check", "value", "lowest / expected", "highest / tolerance", "passes (1/0)", "note")
    g.header_row(5, headers, (16, 60, 18, 18, 18, 12, 70))
    r = 6
    first = r
    statuses: list[int] = []

    def check(area: str, label: str, value_formula: str, status: str, low=None, high=None, note: str = "",
              number_format: str | None = None, cached_value=None, cached_status=1, high_format: str | None = None) -> None:
        """One check row. `high_format`: the highest's / tolerance's own number format; None: the figure's own
        format, which a bound shares with the value it bounds (a 200 % bound beside 2.00 % must not read "2")."""
        nonlocal r
        g.text(r, 1, area); g.text(r, 2, label)
        g.formula(r, 3, value_formula, "link", number_format or "General", cached=cached_value)
        if low is not None:
            g.put(r, 4, low, "", number_format or "General")
        if high is not None:
            g.put(r, 5, high, "", high_format or number_format or "General")
        g.formula(r, 6, status.replace("{r}", str(r)), "", "0", cached=cached_status)
        statuses.append(cached_status)
        g.text(r, 7, note)
        r += 1

    for plan in plans:
        sid = plan.scenario.id
        calc = calcs[sid]
        horizon = plan.names[(None, "horizon_months")] if (None, "horizon_months") in plan.names else None
        if horizon:
            check(sid, "horizon fits the month rows of the Calculations sheet", horizon,
                  "IF(AND(C{r}>=D{r},C{r}<=E{r}),1,0)", 1, calc.month_rows,
                  f"{quote_sheet(calc.name)} has {calc.month_rows} month rows; a longer horizon needs a new export.",
                  "0", plan.horizon_months, 1)
        for o in plan.options:
            cell = calc.result_cells.get((o.option_id, "total_cost_usd"))
            rec_value = calc.values.get((o.option_id, "total_cost_usd"))
            if cell is not None and rec_value is not None:
                check(sid, f"{o.option_id}: total cost equals the exported figure", cell,
                      "IF(ABS(C{r}-D{r})<=E{r}*MAX(ABS(D{r}),1),1,0)", rec_value, TOTALS_TOLERANCE,
                      "Turns 0 once you change an input: the file then no longer shows the exported run.", USD, rec_value, 1,
                      high_format=format_for_value(TOTALS_TOLERANCE))  # a share of the total, not dollars
            certified = calc.result_cells.get((o.option_id, "breakeven_search_certified"))
            live = calc.result_cells.get((o.option_id, "breakeven_requests_per_day"))
            exported = calc.result_cells.get((o.option_id, "breakeven_requests_per_day_exported"))
            if certified is not None and live is not None and exported is not None:
                live_v = calc.values.get((o.option_id, "breakeven_requests_per_day"))
                exported_v = calc.values.get((o.option_id, "breakeven_requests_per_day_exported"))
                found = calc.values.get((o.option_id, "breakeven_search_certified"))
                # red when no crossing is certified, unless llm-tco found none either (the option never pays)
                check(sid, f"{o.option_id}: live break-even found in the sheet (a crossing within +/-0.5 % of it)",
                      certified, f"IF(OR(C{{r}}=1,NOT(ISNUMBER({exported}))),1,0)", None, None,
                      "0 when the search's steps cannot certify a crossing: the cell then says 'not found'. "
                      "Export again (tco export) to re-solve from 0.01 to 10^10 requests/day.",
                      "0", found, 1 if (found == 1 or not isinstance(exported_v, float)) else 0)
                agree = 0.0 if isinstance(live_v, float) == isinstance(exported_v, float) else 1.0
                if isinstance(live_v, float) and isinstance(exported_v, float):
                    agree = abs(live_v / exported_v - 1)
                check(sid, f"{o.option_id}: live break-even equals the exported one (relative difference)",
                      f"IF(AND(ISNUMBER({live}),ISNUMBER({exported})),ABS({live}/{exported}-1),"
                      f"IF(ISNUMBER({live})=ISNUMBER({exported}),0,1))",
                      "IF(C{r}<=E{r},1,0)", None, BREAKEVEN_AGREEMENT,
                      "Both found within 1 % (the stated tolerance), or both never. Turns 0 once you change an input "
                      "that moves the break-even: the file then no longer shows the exported run.",
                      PERCENT, agree, 1 if agree <= BREAKEVEN_AGREEMENT else 0)
    for area, label, value_formula, status, low, high, note, cached in summary_checks:
        check(area, label, value_formula, status, low, high, note, None, cached, 1)
    for row in input_rows:
        if row.low is None and row.high is None:
            continue
        low_ok = ("C{r}>D{r}" if input_low_excluded(row.name) else "C{r}>=D{r}") if row.low is not None else "1=1"
        high_ok = "C{r}<=E{r}" if row.high is not None else "1=1"
        meaning = f" [{row.kind_label}]" if row.kind_label else ""
        check(row.scenario_id, f"{row.option_id} / {row.name}{meaning} within the schema's bounds", row.cell,
              f"IF(AND({low_ok},{high_ok}),1,0)", row.low, row.high, "", row.number_format, row.value, 1)
    last = max(r - 1, first)
    g.text(3, 1, "all checks", "bold")
    g.formula(3, 6, f"MIN({STATUS_COLUMN}{first}:{STATUS_COLUMN}{last})", "bold", "0", cached=min(statuses, default=1))
    g.text(3, 7, "1 when every check below passes")
    # the "all checks" cell and the checks' own cells; not the empty row and the header between them
    # (an empty cell equals 0 to a conditional format, and would show red)
    for status_range in (f"{STATUS_COLUMN}3", f"{STATUS_COLUMN}{first}:{STATUS_COLUMN}{last}"):
        g.conditional.append((status_range, CellIsRule(operator="equal", formula=["0"], fill=FAIL_FILL, font=Font(color="9C0006"))))
        g.conditional.append((status_range, CellIsRule(operator="equal", formula=["1"], fill=PASS_FILL)))
    return g
