"""One Calculations sheet per scenario: month rows x each option's cost lines, all live formulas.

Every formula is rendered from the engine's single definitions (`tco.engine.formulas`) by
`to_excel`; each named intermediate is its own column and later formulas refer to it. Inputs
are the defined names of the Inputs sheet. Below the months: results over the horizon (sums
over the month columns), break-even month (INDEX/MATCH over a helper column) and the
break-even volume check (the months recomputed at the solved volume, for both sides).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from tco.engine import formulas as F
from tco.engine.expr import Named, to_excel
from tco.export.grid import NUMBER, PREVIOUS_ROW, ROW, USD, Grid, RepeatedColumn, RepeatedRows, number_format_for
from tco.export.names import quote_sheet
from tco.export.plan import SUMS, OptionPlan, ScenarioPlan, volume_dependent

FIRST_MONTH_ROW = 7
HELPER = "at_or_below_reference"
CUMULATIVE = "cumulative_cost_usd"
BREAKEVEN_COMMENT = (
    "Solved by llm-tco (bracketing on the same formulas over daily volumes): a spreadsheet cannot solve "
    "for a volume live. The two totals below recompute every month at this volume; if you change inputs "
    "they will no longer be equal - export again to re-solve.")


@dataclass
class Block:
    """Columns of one option's months: the option itself, or it recomputed at a break-even volume."""

    option: OptionPlan
    title: str
    parts: list[Named]
    columns: dict[str, int] = field(default_factory=dict)
    volume_cell: str | None = None
    base: "Block | None" = None


@dataclass
class CalcSheet:
    """Where things landed, for the Summary sheet and the charts."""

    name: str
    grid: Grid
    result_cells: dict[tuple[str, str], str]
    month_range: tuple[int, int]
    cumulative_column: dict[str, int]


def build_calc_sheet(plan: ScenarioPlan, sheet_name: str, options_info: dict[str, dict]) -> CalcSheet:
    """`options_info[option_id]` carries the engine's break-even reference and solved volume."""
    g = Grid()
    H = plan.horizon_months
    first, last = FIRST_MONTH_ROW, FIRST_MONTH_ROW + H - 1
    qs = quote_sheet(sheet_name)

    # ---- columns
    blocks: list[Block] = []
    main: dict[str, Block] = {}
    col = 2
    for o in plan.options:
        b = Block(o, o.option_id, list(o.monthly_parts))
        for p in b.parts:
            b.columns[p.name] = col; col += 1
        b.columns[CUMULATIVE] = col; col += 1
        if options_info[o.option_id].get("reference"):
            b.columns[HELPER] = col; col += 1
        blocks.append(b); main[o.option_id] = b

    # ---- results table rows (needed before the months: constants are referenced)
    results_top = last + 2
    row = results_top + 2
    constant_rows: dict[str, int] = {}
    constant_parts: dict[str, Named] = {}
    for o in plan.options:
        for p in o.constant_parts:
            if p.name not in constant_rows:
                constant_rows[p.name] = row; constant_parts[p.name] = p; row += 1
    result_rows: dict[str, int] = {}
    names = [t.name for t in F.HORIZON_RESULTS] + [f"total_{line.name}" for line in F.COST_LINES] + [
        "gpus_average", "gpus_peak", "utilization_average",
        "breakeven_reference_option", "breakeven_month", "breakeven_requests_per_day",
        "total_at_breakeven_usd", "reference_total_at_breakeven_usd", "difference_at_breakeven_usd"]
    for n in names:
        result_rows[n] = row; row += 1
    opt_col = {o.option_id: 4 + i for i, o in enumerate(plan.options)}

    def const_cell(option_id: str, name: str) -> str:
        return f"${get_column_letter(opt_col[option_id])}${constant_rows[name]}"

    # check blocks at the break-even volume
    for o in plan.options:
        info = options_info[o.option_id]
        if info.get("reference") and info.get("breakeven_requests_per_day") is not None:
            vol = f"${get_column_letter(opt_col[o.option_id])}${result_rows['breakeven_requests_per_day']}"
            ref = plan.option(info["reference"])
            for who, title in ((o, f"{o.option_id} at its break-even volume"),
                               (ref, f"{ref.option_id} at the break-even volume of {o.option_id}")):
                b = Block(who, title, volume_dependent(who.monthly_parts), volume_cell=vol, base=main[who.option_id])
                for p in b.parts:
                    b.columns[p.name] = col; col += 1
                blocks.append(b)
                info.setdefault("check_blocks", []).append(b)

    # ---- header
    g.text(1, 1, f"Calculations: {plan.scenario.title}", "title")
    g.text(2, 1, f"Live formulas over the Inputs sheet, one row per month. Results over the horizon from row {results_top}.", "note")
    g.text(4, 1, "month", "header"); g.text(5, 1, "month", "note"); g.width(1, 34)
    for b in blocks:
        first_col = min(b.columns.values())
        g.text(3, first_col, b.title, "header")
        for p in b.parts:
            c = b.columns[p.name]
            g.text(4, c, p.label, "header", wrap=True); g.text(5, c, p.name, "note"); g.text(6, c, p.unit, "note")
            g.width(c, 16)
        if CUMULATIVE in b.columns and b.base is None:
            c = b.columns[CUMULATIVE]
            g.text(4, c, "cumulative cost", "header", wrap=True); g.text(5, c, CUMULATIVE, "note"); g.text(6, c, "USD", "note"); g.width(c, 16)
        if HELPER in b.columns:
            c = b.columns[HELPER]
            g.text(4, c, f"cumulative at or below {options_info[b.option.option_id]['reference']} (1 = yes)", "header", wrap=True)
            g.text(5, c, HELPER, "note"); g.text(6, c, "flag", "note"); g.width(c, 16)
    g.freeze = f"B{FIRST_MONTH_ROW}"

    # ---- months: each formula is rendered once with a row marker, written per month by the Grid
    templates: list[RepeatedColumn] = []
    for b in blocks:
        o = b.option

        def cell_of(n: str, _o=o, _b=b) -> str:
            if n == "month":
                return f"$A{ROW}"
            if n == "requests_per_day" and _b.volume_cell:
                return _b.volume_cell
            return plan.defined_name(_o, n)

        def named_cell(n: str, _o=o, _b=b) -> str | None:
            if n in _b.columns:
                return f"{get_column_letter(_b.columns[n])}{ROW}"
            if _b.base is not None and n in _b.base.columns:
                return f"{get_column_letter(_b.base.columns[n])}{ROW}"
            if n in constant_rows and _o.has(n):
                return const_cell(_o.option_id, n)
            return None

        def running_cell(n: str, _named_cell=named_cell) -> str | None:
            # a running total (tco.engine.expr.running) sums the result's column from the first month to this one
            ref = _named_cell(n)
            if ref is None or not ref.endswith(ROW):
                return None
            letter = ref[:-len(ROW)]
            return f"SUM({letter}${first}:{letter}{ROW})"

        for p in b.parts:
            templates.append(RepeatedColumn(b.columns[p.name], to_excel(p.term, cell_of, named_cell, running_cell),
                                            number_format_for(p.unit)))
        if b.base is None:
            cost = get_column_letter(b.columns["monthly_cost_usd"])
            cum = get_column_letter(b.columns[CUMULATIVE])
            templates.append(RepeatedColumn(b.columns[CUMULATIVE], f"{cum}{PREVIOUS_ROW}+{cost}{ROW}", USD,
                                            first_row_template=f"{cost}{ROW}"))
            if HELPER in b.columns:
                ref_cum = get_column_letter(main[options_info[o.option_id]["reference"]].columns[CUMULATIVE])
                templates.append(RepeatedColumn(b.columns[HELPER], f"IF({cum}{ROW}<={ref_cum}{ROW},1,0)"))
    g.repeat(RepeatedRows(first, last, templates, counter_column=1))

    # ---- results over the horizon
    g.text(results_top, 1, "Results over the horizon", "title")
    g.text(results_top + 1, 1, "figure", "header"); g.text(results_top + 1, 2, "name", "header"); g.text(results_top + 1, 3, "unit", "header")
    for o in plan.options:
        g.text(results_top + 1, opt_col[o.option_id], o.option_id, "header")
    for name, r in constant_rows.items():
        p = constant_parts[name]
        g.text(r, 1, p.label); g.text(r, 2, name, "note"); g.text(r, 3, p.unit, "note")
    labels = {t.name: (t.label, t.unit) for t in F.HORIZON_RESULTS}
    labels.update({f"total_{line.name}": (f"total: {line.label}", "USD") for line in F.COST_LINES})
    labels.update({
        "gpus_average": ("GPUs, average over the months", "GPUs"), "gpus_peak": ("GPUs, highest month", "GPUs"),
        "utilization_average": ("utilization, GPU-weighted average", "fraction"),
        "breakeven_reference_option": ("break-even against (cheapest API of the scenario)", ""),
        "breakeven_month": ("break-even month (first month cumulative cost <= reference)", "month"),
        "breakeven_requests_per_day": ("break-even volume (solved by llm-tco)", "requests/day"),
        "total_at_breakeven_usd": ("this option's total at the break-even volume", "USD"),
        "reference_total_at_breakeven_usd": ("reference's total at the break-even volume", "USD"),
        "difference_at_breakeven_usd": ("difference (0 = the costs meet)", "USD"),
    })
    for name, r in result_rows.items():
        label, unit = labels[name]
        g.text(r, 1, label); g.text(r, 2, name, "note"); g.text(r, 3, unit, "note")
    for c in (2, 3):
        g.width(c, max(g.widths.get(c, 0), 16))

    result_cells: dict[tuple[str, str], str] = {}
    for o in plan.options:
        b = main[o.option_id]
        c = opt_col[o.option_id]
        L = get_column_letter(c)

        def rng(name: str, block: Block = b) -> str:
            if name not in block.columns and block.base is not None:
                block = block.base
            letter = get_column_letter(block.columns[name])
            return f"{letter}{first}:{letter}{last}"

        def cell_of(n: str, _o=o) -> str:
            if n in SUMS:
                if SUMS[n] not in b.columns and (b.base is None or SUMS[n] not in b.base.columns):
                    return "0"  # folded away for this option (an API option draws no energy)
                return f"SUM({rng(SUMS[n])})"
            return plan.defined_name(_o, n)

        def named_cell(n: str, _o=o) -> str | None:
            return const_cell(_o.option_id, n) if (n in constant_rows and _o.has(n)) else None

        for p in o.constant_parts:
            g.formula(constant_rows[p.name], c, to_excel(p.term, cell_of, named_cell), number_format=number_format_for(p.unit))
        for t in F.HORIZON_RESULTS:
            g.formula(result_rows[t.name], c, to_excel(t.term, cell_of, named_cell), number_format=number_format_for(t.unit))
        for line in F.COST_LINES:
            r = result_rows[f"total_{line.name}"]
            if line.name in b.columns:
                g.formula(r, c, f"SUM({rng(line.name)})", number_format=USD)
            else:
                g.put(r, c, 0, number_format=USD)
        if "gpus_in_month" in b.columns:
            g.formula(result_rows["gpus_average"], c, f"AVERAGE({rng('gpus_in_month')})", number_format=NUMBER)
            peak_column = "gpus_busiest_hour" if "gpus_busiest_hour" in b.columns else "gpus_in_month"
            g.formula(result_rows["gpus_peak"], c, f"MAX({rng(peak_column)})", number_format=NUMBER)
            util = rng("utilization") if "utilization" in b.columns else None
            if util:
                g.formula(result_rows["utilization_average"], c,
                          f'IF(SUM({rng("gpus_in_month")})>0,SUMPRODUCT({util},{rng("gpus_in_month")})/SUM({rng("gpus_in_month")}),"")',
                          number_format="0.00%")
        info = options_info[o.option_id]
        if info.get("reference"):
            g.text(result_rows["breakeven_reference_option"], c, info["reference"])
            g.formula(result_rows["breakeven_month"], c,
                      f'IFERROR(INDEX($A${first}:$A${last},MATCH(1,{rng(HELPER)},0)),"none")')
            volume = info.get("breakeven_requests_per_day")
            vr = result_rows["breakeven_requests_per_day"]
            if volume is None:
                g.text(vr, c, "none", comment="llm-tco found no daily volume (0.01 to 10^10) at which this option costs no more than the reference.")
            else:
                note = BREAKEVEN_COMMENT
                if info.get("at_step"):
                    note += " Here the costs never meet exactly: one more replica makes self-hosting jump above the API line."
                g.put(vr, c, float(volume), number_format=NUMBER, comment=note)
                own, ref = info["check_blocks"]
                g.formula(result_rows["total_at_breakeven_usd"], c, f"SUM({rng('monthly_cost_usd', own)})", number_format=USD)
                g.formula(result_rows["reference_total_at_breakeven_usd"], c, f"SUM({rng('monthly_cost_usd', ref)})", number_format=USD)
                g.formula(result_rows["difference_at_breakeven_usd"], c,
                          f"{L}{result_rows['total_at_breakeven_usd']}-{L}{result_rows['reference_total_at_breakeven_usd']}", number_format=USD)
        for name, r in result_rows.items():
            if (r, c) in g.cells:
                result_cells[(o.option_id, name)] = f"{qs}!${L}${r}"
        g.width(c, max(g.widths.get(c, 0), 18))
    return CalcSheet(sheet_name, g, result_cells, (first, last), {o.option_id: main[o.option_id].columns[CUMULATIVE] for o in plan.options})
