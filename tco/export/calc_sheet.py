"""One Calculations sheet per scenario: month rows x each option's cost lines, all live formulas.

Every formula is rendered from the engine's single definitions (`tco.engine.formulas`) by
`to_excel`; each named intermediate is its own column and later formulas refer to it. Inputs
are the defined names of the Inputs sheet. Below the months: results over the horizon (sums
over the month columns), break-even month (INDEX/MATCH over a helper column) and the live
break-even volume: a short search whose points recompute the option's volume-dependent months
(`tco.export.breakeven_search` says how and how precise), beside the volume llm-tco exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from tco.engine import formulas as F
from tco.engine.api_price import add_months
from tco.engine.expr import Named, depends_on, named_parts, to_python
from tco.engine.fields import label_for_kind
from tco.engine.ranking import NEVER
from tco.export import breakeven_search as BS
from tco.export.constants import BY_NAME, ConstantTable, to_excel_named
from tco.export.grid import DATE, FLAG, NUMBER, PREVIOUS_ROW, ROW, USD, WHOLE, Grid, RepeatedColumn, RepeatedRows, number_format_for
from tco.export.names import quote_sheet
from tco.export.plan import SUMS, OptionPlan, ScenarioPlan, is_emission_figure, volume_dependent
from tco.export.values import MonthValues

FIRST_MONTH_ROW = 7
MONTH_ROWS_PER_HORIZON = 2
"""By default a Calculations sheet has twice the exported horizon in month rows (never more than the
scenario schema's longest horizon): the longest horizon the workbook computes after an edit, stated on
the Inputs sheet and checked on the Checks sheet. Every sum is masked by the in-horizon flag, so a
shorter horizon is exact too. Why not always 120: evaluation time and file size grow with the rows."""
LONGEST_HORIZON_MONTHS = 120
"""The scenario schema's limit (`Finance.horizon_months`)."""
DATE_COLUMN = 2
FISCAL_YEAR_COLUMN = 3
"""When the scenario sets `finance.fiscal_year_start_month`; the options' columns start after it."""
IN_HORIZON = "in_horizon"
HELPER = "at_or_below_reference"
CUMULATIVE = "cumulative_cost_usd"
CASH = "cash_cost_usd"
CUMULATIVE_CASH = "cumulative_cash_usd"
CASH_HELPER = "cash_at_or_below_reference"
"""The cash payback month: the same search as the break-even month's, over the cash paid instead of the cost booked."""
BREAKEVEN_COMMENT = (
    "Found in the sheet: from the exported break-even volume, a Newton step, then bracketing steps (regula falsi between "
    "the latest costlier and cheaper points, Illinois variant), a look-back 0.5, 3 and 10 % below the last step and two safe "
    "steps up from the 3 % point (they pass no crossing, so they find a lower one there), each recomputing this "
    "option's months at its volume (the blocks titled 'break-even search' to the right), then certified: the option costs "
    "more than its reference 0.5 % below this volume and no more 0.5 % above it (or at it, when a safe step up found it). "
    "Within 1 % of `tco breakeven` when the crossing is unique; 'not found' (and a red check) when the steps cannot "
    "certify a crossing llm-tco found; 'never' when llm-tco found none either (as `tco run` says).")
EXPORTED_BREAKEVEN_COMMENT = "Solved by llm-tco at the exported inputs (bracketing from 0.01 to 10^10 requests/day); it does not change with the inputs."
STAYS_COMMENT = ("Solved by llm-tco at the exported inputs: the self-hosted cost is a staircase of whole replicas, so above "
                 "the break-even one more replica can put it above the reference again; from this volume on it never "
                 "does (scanned to 10^10 requests/day). It does not change with the inputs.")
SEARCH_ROWS = ["breakeven_search_certified", "reference_usd_per_daily_request", "reference_total_at_breakeven_usd"] + [
    row for k in BS.SEARCH_POINTS for row in (
        *(f"search_{k}_{what}" for what in ("requests_per_day", "total_usd", "difference_usd")),
        *(f"search_{k}_{end}_{what}" for end in BS.BRACKET_ENDS for what in ("requests_per_day", "difference_usd")))] + [
    "search_last_step_requests_per_day"] + [
    f"search_{k}_{what}" for k in BS.LOOK_BACK_POINTS for what in ("requests_per_day", "total_usd", "difference_usd")] + [
    "search_look_back_result_requests_per_day"] + [
    f"search_{k}_{what}" for k in BS.ASCENT_POINTS for what in ("requests_per_day", "total_usd", "difference_usd")] + [
    "search_result_requests_per_day"] + [
    f"search_{k}_{what}" for k in BS.CERTIFICATE_POINTS for what in ("requests_per_day", "total_usd", "difference_usd")]


@dataclass
class Block:
    """Columns of one option's months: the option itself, or it recomputed at a break-even volume."""

    option: OptionPlan
    title: str
    parts: list[Named]
    columns: dict[str, int] = field(default_factory=dict)
    volume_cell: str | None = None
    base: "Block | None" = None
    base_owner: str | None = None
    """For a check block: the option whose break-even volume it is computed at."""
    values: dict[str, list[float]] = field(default_factory=dict)
    """Column name -> the engine's value in each month row (cached results)."""
    base_cell: str | None = None
    """For a check block of a mixed fleet with `replicas: auto`: the cell of the base break-even chose at its volume."""
    volume: float | None = None
    """For a search block: the daily volume its months are computed at (the engine's value of volume_cell)."""


@dataclass
class CalcSheet:
    """Where things landed, for the Summary sheet and the charts."""

    name: str
    grid: Grid
    result_cells: dict[tuple[str, str], str]
    month_range: tuple[int, int]
    cumulative_column: dict[str, int]
    values: dict[tuple[str, str], object] = field(default_factory=dict)
    """(option id, result name) -> the engine's value of that result cell (its cached value)."""
    month_rows: int = 0


def build_calc_sheet(plan: ScenarioPlan, sheet_name: str, options_info: dict[str, dict],
                     constants: ConstantTable | None = None, month_rows: int | None = None) -> CalcSheet:
    """`options_info[option_id]` carries the engine's break-even reference and solved volume.

    `month_rows` (default: MONTH_ROWS_PER_HORIZON x the exported horizon, at most
    LONGEST_HORIZON_MONTHS) is the longest horizon the sheet can compute after an edit.
    """
    g = Grid()
    constants = constants or ConstantTable()
    H = plan.horizon_months
    N = max(H, month_rows or min(MONTH_ROWS_PER_HORIZON * H, LONGEST_HORIZON_MONTHS))
    first, last = FIRST_MONTH_ROW, FIRST_MONTH_ROW + N - 1
    qs = quote_sheet(sheet_name)

    def xl(term, cell_of, named_cell=None, context="", running_cell=None):
        return to_excel_named(term, cell_of, named_cell, constants, context, running_cell)

    # ---- the engine's values of every month (cached results), per option and per search block: one
    # evaluator per option, its volume (and a re-chosen base) a column the search varies
    evaluators = {o.option_id: MonthValues(o.monthly_parts, o.constant_parts, o.row.values, N, _searched_inputs(options_info[o.option_id]))
                  for o in plan.options}
    computed: dict[str, tuple[dict[str, list[float]], dict[str, float]]] = {
        option_id: evaluate() for option_id, evaluate in evaluators.items()}
    in_months = [1.0 if m <= H else 0.0 for m in range(1, N + 1)]

    # ---- columns
    blocks: list[Block] = []
    main: dict[str, Block] = {}
    fiscal = plan.fiscal_year_start_month is not None
    col = DATE_COLUMN + 1 + (1 if fiscal else 0)
    first_value_column = col
    for o in plan.options:
        b = Block(o, o.option_id, list(o.monthly_parts))
        for p in b.parts:
            b.columns[p.name] = col; col += 1
        b.columns[CUMULATIVE] = col; col += 1
        if CASH in b.columns:
            b.columns[CUMULATIVE_CASH] = col; col += 1
        if options_info[o.option_id].get("reference"):
            b.columns[HELPER] = col; col += 1
            b.columns[CASH_HELPER] = col; col += 1
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
        "breakeven_reference_option", "breakeven_month", "breakeven_month_cash", "breakeven_requests_per_day",
        "breakeven_requests_per_day_exported", "breakeven_stays_requests_per_day",
        "breakeven_stays_requests_per_day_exported", *SEARCH_ROWS]
    if any(i.get("breakeven_base_replicas") is not None for i in options_info.values()):
        names.append("breakeven_base_replicas")
    for n in names:
        result_rows[n] = row; row += 1
    opt_col = {o.option_id: 4 + i for i, o in enumerate(plan.options)}

    def const_cell(option_id: str, name: str) -> str:
        return f"${get_column_letter(opt_col[option_id])}${constant_rows[name]}"

    # the live break-even search: one block per search point, the option's volume-dependent months at its volume
    searches: dict[str, BS.Search] = {}
    search_blocks: dict[str, dict[str, Block]] = {}
    for o in plan.options:
        info = options_info[o.option_id]
        if not info.get("reference"):
            continue
        ref = plan.option(info["reference"])
        exported = info.get("breakeven_requests_per_day")
        start = float(exported) if exported is not None else float(o.row.values["requests_per_day"])
        ref_total = sum(v * m for v, m in zip(computed[ref.option_id][0]["monthly_cost_usd"], in_months))
        b_value = ref_total / float(ref.row.values["requests_per_day"])
        # `replicas: auto`: the base llm-tco chose at the exported break-even volume (a cell), and what depends on it
        rechosen = info.get("breakeven_base_replicas") is not None
        base_cell = f"${get_column_letter(opt_col[o.option_id])}${result_rows['breakeven_base_replicas']}" if rechosen else None
        at_base = {"base_replicas": float(info["breakeven_base_replicas"])} if rechosen else {}
        parts = cost_parts(o.monthly_parts, with_base=rechosen)
        made: dict[str, Block] = {}

        def totals_at(asked: list[tuple[str, float]], _months_at=evaluators[o.option_id], _made=made, _at_base=at_base) -> list[float]:
            volumes = list(dict.fromkeys(volume for _, volume in asked))  # a volume asked twice is computed once
            computed_at = dict(zip(volumes, _months_at.many([{"requests_per_day": v, **_at_base} for v in volumes])))
            totals = []
            for point, volume in asked:
                vals = computed_at[volume][0]
                _made[point].values, _made[point].volume = vals, volume
                totals.append(sum(v * m for v, m in zip(vals["monthly_cost_usd"], in_months)))
            return totals

        for k in BS.POINTS:
            vol = f"${get_column_letter(opt_col[o.option_id])}${result_rows[f'search_{k}_requests_per_day']}"
            b = Block(o, f"{o.option_id}: break-even search point {k} ({BS.POINT_TITLES[k]})", parts, volume_cell=vol,
                      base=main[o.option_id], base_owner=o.option_id, base_cell=base_cell)
            for p in b.parts:
                b.columns[p.name] = col; col += 1
            blocks.append(b)
            made[k] = b
        searches[o.option_id] = BS.run_search(start, b_value, totals_at)
        search_blocks[o.option_id] = made

    # ---- header
    g.text(1, 1, f"Calculations: {plan.scenario.title}", "title")
    g.text(2, 1, f"Live formulas over the Inputs sheet, one row per month. Results over the horizon from row {results_top}.", "note")
    g.text(4, 1, "month", "header"); g.text(5, 1, "month", "note"); g.text(6, 1, "index", "note"); g.width(1, 34)
    g.text(4, DATE_COLUMN, "month starting", "header"); g.text(6, DATE_COLUMN, "date", "note"); g.width(DATE_COLUMN, 12)
    for b in blocks:
        first_col = min(b.columns.values())
        g.text(3, first_col, b.title, "header")
        for p in b.parts:
            c = b.columns[p.name]
            label, unit = label_for_kind(b.option.row.kind, p.name, p.label, p.unit)  # committed API capacity: units, not GPUs
            g.text(4, c, label, "header", wrap=True); g.text(5, c, p.name, "note"); g.text(6, c, unit, "note")
            g.width(c, 16)
        if CUMULATIVE in b.columns and b.base is None:
            c = b.columns[CUMULATIVE]
            g.text(4, c, "cumulative cost", "header", wrap=True); g.text(5, c, CUMULATIVE, "note"); g.text(6, c, "USD", "note"); g.width(c, 16)
        if CUMULATIVE_CASH in b.columns and b.base is None:
            c = b.columns[CUMULATIVE_CASH]
            g.text(4, c, "cumulative cash paid", "header", wrap=True); g.text(5, c, CUMULATIVE_CASH, "note")
            g.text(6, c, "USD", "note"); g.width(c, 16)
        if HELPER in b.columns:
            c = b.columns[HELPER]
            g.text(4, c, f"cumulative at or below {options_info[b.option.option_id]['reference']} (1 = yes)", "header", wrap=True)
            g.text(5, c, HELPER, "note"); g.text(6, c, "flag", "note"); g.width(c, 16)
            c = b.columns[CASH_HELPER]
            g.text(4, c, f"cash paid at or below {options_info[b.option.option_id]['reference']}'s (1 = yes)", "header", wrap=True)
            g.text(5, c, CASH_HELPER, "note"); g.text(6, c, "flag", "note"); g.width(c, 16)
    if fiscal:
        g.text(4, FISCAL_YEAR_COLUMN, "fiscal year", "header"); g.text(5, FISCAL_YEAR_COLUMN, "fiscal_year", "note")
        g.text(6, FISCAL_YEAR_COLUMN, "label", "note"); g.width(FISCAL_YEAR_COLUMN, 10)
    g.freeze = f"{get_column_letter(first_value_column)}{FIRST_MONTH_ROW}"
    g.print_title_rows = f"3:{FIRST_MONTH_ROW - 1}"
    g.print_title_columns = f"A:{get_column_letter(first_value_column - 1)}"
    g.pages_wide = pages_across(g, first_value_column, col)

    # ---- months: each formula is rendered once with a row marker, written per month by the Grid
    start = plan.start_date_name
    templates: list[RepeatedColumn] = [RepeatedColumn(
        DATE_COLUMN, f"EDATE({start},$A{ROW}-1)", DATE,
        values=[_excel_date(add_months(plan.start_date, m)) for m in range(N)])]
    if fiscal:
        # FY named by the calendar year it ends in: a month on or after the start month (when the year does
        # not start in January) belongs to the fiscal year ending next calendar year
        fy, day = plan.fiscal_year_name, f"${get_column_letter(DATE_COLUMN)}{ROW}"
        templates.append(RepeatedColumn(
            FISCAL_YEAR_COLUMN, f'"FY"&(YEAR({day})+IF(AND({fy}>1,MONTH({day})>={fy}),1,0))', None,
            values=[fiscal_year_label(add_months(plan.start_date, m), plan.fiscal_year_start_month) for m in range(N)]))
    for b in blocks:
        o = b.option
        if b.base is None:
            month_vals = computed[o.option_id][0]
            b.values = month_vals
        else:
            month_vals = b.values  # computed by the search at this block's volume

        def cell_of(n: str, _o=o, _b=b) -> str:
            if n == "month":
                return f"$A{ROW}"
            if n == "requests_per_day" and _b.volume_cell:
                return _b.volume_cell
            if n == "base_replicas" and _b.base_cell:
                return _b.base_cell
            return plan.defined_name(_o, n)

        def named_cell(n: str, _o=o, _b=b) -> str | None:
            if n in _b.columns:
                return f"{get_column_letter(_b.columns[n])}{ROW}"
            if _b.base is not None and n in _b.base.columns:
                return f"{get_column_letter(_b.base.columns[n])}{ROW}"
            if n in constant_rows and _o.has(n) and not (_b.base_cell and depends_on(constant_parts[n].term, "base_replicas")):
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
            body, cached = xl(p.term, cell_of, named_cell, p.name, running_cell), month_vals[p.name]
            if not o.row.carbon_known and is_emission_figure(p.term):
                body, cached = plan.emissions_unknown(o, body), [""] * N
            templates.append(RepeatedColumn(b.columns[p.name], body, number_format_for(p.unit), values=cached))
        if b.base is None:
            cost = get_column_letter(b.columns["monthly_cost_usd"])
            cum = get_column_letter(b.columns[CUMULATIVE])
            running = _cumulative(month_vals["monthly_cost_usd"])
            b.values[CUMULATIVE] = running
            templates.append(RepeatedColumn(b.columns[CUMULATIVE], f"{cum}{PREVIOUS_ROW}+{cost}{ROW}", USD,
                                            first_row_template=f"{cost}{ROW}", values=running))
            if CUMULATIVE_CASH in b.columns:
                cash = get_column_letter(b.columns[CASH])
                cum_cash = get_column_letter(b.columns[CUMULATIVE_CASH])
                running = _cumulative(month_vals[CASH])
                b.values[CUMULATIVE_CASH] = running
                templates.append(RepeatedColumn(b.columns[CUMULATIVE_CASH], f"{cum_cash}{PREVIOUS_ROW}+{cash}{ROW}", USD,
                                                first_row_template=f"{cash}{ROW}", values=running))
    for b in blocks:
        if HELPER in b.columns:
            o = b.option
            ref_block = main[options_info[o.option_id]["reference"]]
            mask = get_column_letter(b.columns[IN_HORIZON]) if IN_HORIZON in b.columns else None
            for helper, cumulative in ((HELPER, CUMULATIVE), (CASH_HELPER, CUMULATIVE_CASH)):
                cum = get_column_letter(b.columns[cumulative])
                ref_cum = get_column_letter(ref_block.columns[cumulative])
                flags = [1.0 if (inside and mine <= theirs) else 0.0
                         for inside, mine, theirs in zip(in_months, b.values[cumulative], ref_block.values[cumulative])]
                b.values[helper] = flags
                body = f"IF({cum}{ROW}<={ref_cum}{ROW},1,0)"
                templates.append(RepeatedColumn(b.columns[helper], f"{mask}{ROW}*{body}" if mask else body, FLAG, values=flags))
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
        **({"gpus_average": ("GPUs (units for committed API capacity), average over the months", "GPUs / units"),
            "gpus_peak": ("GPUs (units for committed API capacity), highest month", "GPUs / units")}
           if any(o.row.kind == "api-provisioned" for o in plan.options) else {}),
        "utilization_average": ("utilization, GPU-weighted average", "fraction"),
        "breakeven_reference_option": ("break-even against (cheapest API of the scenario that meets its capability requirement)", ""),
        "breakeven_month": ("break-even month (from it on, cumulative cost <= reference)", "month"),
        "breakeven_month_cash": ("cash payback month (from it on, cumulative cash paid <= reference's)", "month"),
        "breakeven_base_replicas": ("reserved base at the break-even volume (auto: chosen again there by llm-tco)", "replicas"),
        "breakeven_requests_per_day": ("break-even volume (live: found in this sheet)", "requests/day"),
        "breakeven_requests_per_day_exported": ("break-even volume exported by llm-tco (exact at the exported inputs)", "requests/day"),
        "breakeven_stays_requests_per_day": ("volume from which it stays no costlier (the exported figure while the live "
                                             "break-even is the exported one; empty once an input moves it: export again)",
                                             "requests/day"),
        "breakeven_stays_requests_per_day_exported": ("volume from which it stays no costlier at every higher volume, exported "
                                                      "by llm-tco (above the break-even one more replica can put it above the "
                                                      "reference again)", "requests/day"),
        "breakeven_search_certified": ("live break-even certified (1 = a crossing within +/-0.5 %)", "flag"),
        "reference_usd_per_daily_request": ("reference's total per request/day of volume (its total is proportional to volume)",
                                            REFERENCE_PER_DAILY_REQUEST_UNIT),
        "reference_total_at_breakeven_usd": ("reference's total at the live break-even volume", "USD"),
        "search_last_step_requests_per_day": (BS.LAST_STEP_TITLE, "requests/day"),
        "search_look_back_result_requests_per_day": (BS.LOOK_BACK_RESULT_TITLE, "requests/day"),
        "search_result_requests_per_day": (BS.RESULT_TITLE, "requests/day"),
    })
    for k in BS.SEARCH_POINTS:
        for end, where in (("costlier", "costs more"), ("cheaper", "costs no more")):
            labels[f"search_{k}_{end}_requests_per_day"] = (f"after point {k}: latest point where this option {where}", "requests/day")
            labels[f"search_{k}_{end}_difference_usd"] = (
                f"after point {k}: its difference (halved each time the other end is kept twice in a row)", "USD")
    for k in BS.POINTS:
        labels[f"search_{k}_requests_per_day"] = (f"search point {k}: {BS.POINT_TITLES[k]}", "requests/day")
        labels[f"search_{k}_total_usd"] = (f"search point {k}: this option's total there", "USD")
        labels[f"search_{k}_difference_usd"] = (f"search point {k}: total minus the reference's there", "USD")
    for name, r in result_rows.items():
        label, unit = labels[name]
        g.text(r, 1, label); g.text(r, 2, name, "note"); g.text(r, 3, unit, "note")
    if any(options_info[o.option_id].get("reference") for o in plan.options):
        g.text(max(result_rows.values()) + 2, 1, "Live break-even: " + BREAKEVEN_COMMENT, "note")
    for c in (2, 3):
        g.width(c, max(g.widths.get(c, 0), 16))

    result_cells: dict[tuple[str, str], str] = {}
    result_values: dict[tuple[str, str], object] = {}
    for o in plan.options:
        b = main[o.option_id]
        c = opt_col[o.option_id]
        L = get_column_letter(c)
        if IN_HORIZON not in b.columns:
            raise ValueError(f"{o.option_id}: no in-horizon column to mask the sums with")
        mask_range = f"${get_column_letter(b.columns[IN_HORIZON])}${first}:${get_column_letter(b.columns[IN_HORIZON])}${last}"
        vals, const_vals = computed[o.option_id]

        def rng(name: str, block: Block = b) -> str:
            if name not in block.columns and block.base is not None:
                block = block.base
            letter = get_column_letter(block.columns[name])
            return f"{letter}{first}:{letter}{last}"

        def masked_sum(name: str, block: Block = b) -> str:
            """Only months inside the horizon count, however many month rows the sheet has."""
            return f"SUMPRODUCT({rng(name, block)},{mask_range})"

        def has_column(name: str, block: Block = b) -> bool:
            return name in block.columns or (block.base is not None and name in block.base.columns)

        def masked_value(name: str, block: Block = b) -> float:
            if not has_column(name, block):
                return 0.0  # folded away for this option
            series = block.values.get(name) if name in block.values else block.base.values[name]
            return sum(v * m for v, m in zip(series, in_months))

        sums = {n: masked_value(SUMS[n]) for n in SUMS}
        given = {**o.row.values, **const_vals, **sums}

        def cell_of(n: str, _o=o) -> str:
            if n in SUMS:
                if not has_column(SUMS[n]):
                    return "0"  # folded away for this option (an API option draws no energy)
                return masked_sum(SUMS[n])
            return plan.defined_name(_o, n)

        def named_cell(n: str, _o=o) -> str | None:
            return const_cell(_o.option_id, n) if (n in constant_rows and _o.has(n)) else None

        def put(name: str, body: str, value, number_format=None) -> None:
            g.formula(result_rows[name], c, body, number_format=number_format, cached=value)
            result_values[(o.option_id, name)] = value

        for p in o.constant_parts:
            g.formula(constant_rows[p.name], c, xl(p.term, cell_of, named_cell, p.name), number_format=number_format_for(p.unit),
                      cached=const_vals[p.name])
        for t in F.HORIZON_RESULTS:
            body, cached = xl(t.term, cell_of, named_cell, t.name), to_python(t.term, given)
            if not o.row.carbon_known and is_emission_figure(t.term):
                body, cached = plan.emissions_unknown(o, body), ""
            put(t.name, body, cached, number_format_for(t.unit))
        for line in F.COST_LINES:
            r = result_rows[f"total_{line.name}"]
            if line.name in b.columns:
                put(f"total_{line.name}", masked_sum(line.name), masked_value(line.name), USD)
            else:
                g.put(r, c, 0, number_format=USD)
                result_values[(o.option_id, f"total_{line.name}")] = 0.0
        if "gpus_in_month" in b.columns:
            gpus = [v * m for v, m in zip(vals["gpus_in_month"], in_months)]
            put("gpus_average", f"{masked_sum('gpus_in_month')}/SUM({mask_range})", sum(gpus) / H, NUMBER)
            peak_column = "gpus_busiest_hour" if "gpus_busiest_hour" in b.columns else "gpus_in_month"
            peaks = [v * m for v, m in zip(vals[peak_column], in_months)]
            put("gpus_peak", f"MAX({rng(peak_column)})", max(peaks), NUMBER)
            if "utilization" in b.columns:
                weighted = sum(u * g_ for u, g_ in zip(vals["utilization"], gpus))
                put("utilization_average",
                    f'IF({masked_sum("gpus_in_month")}>0,SUMPRODUCT({rng("utilization")},{rng("gpus_in_month")},{mask_range})/{masked_sum("gpus_in_month")},"")',
                    weighted / sum(gpus) if sum(gpus) > 0 else "", "0.00%")
        info = options_info[o.option_id]
        if info.get("reference"):
            g.text(result_rows["breakeven_reference_option"], c, info["reference"])
            for name, helper in (("breakeven_month", HELPER), ("breakeven_month_cash", CASH_HELPER)):
                put(name, _month_it_stays_at_or_below(rng(helper), f"$A${first}:$A${last}", mask_range),
                    _month_it_stays_at_or_below_value(b.values[helper], in_months), WHOLE)
            _search_cells(g, plan, o, c, result_rows, info, searches[o.option_id], search_blocks[o.option_id], main,
                          masked_sum, put, result_values)
            if info.get("breakeven_base_replicas") is not None:
                g.put(result_rows["breakeven_base_replicas"], c, float(info["breakeven_base_replicas"]), number_format=WHOLE,
                      comment="`replicas: auto` is chosen again at each volume: the base with the lowest total at the exported "
                              "break-even volume (solved by llm-tco; a spreadsheet cannot search it live). The live search "
                              "keeps this base: change it here to try another.")
        for name, r in result_rows.items():
            if (r, c) in g.cells:
                result_cells[(o.option_id, name)] = f"{qs}!${L}${r}"
        g.width(c, max(g.widths.get(c, 0), 18))
    return CalcSheet(sheet_name, g, result_cells, (first, last), {o.option_id: main[o.option_id].columns[CUMULATIVE] for o in plan.options},
                     result_values, N)


REFERENCE_PER_DAILY_REQUEST_UNIT = "USD per request/day"
"""Unit of the reference's total per request/day of volume: its label and its number format (money) both follow it."""

PRINTED_COLUMNS_PER_PAGE = 10
"""A printed page of a Calculations sheet shows about this many 16-character columns besides the month
columns: fitting 100 columns on one page width would print them unreadably small."""


def pages_across(g: Grid, first: int, end: int) -> int:
    """Printed pages across for the columns first..end-1 (the month columns repeat on each page)."""
    chars = sum(g.widths.get(c, 8.43) for c in range(first, end))
    return max(1, -(-int(chars) // (16 * PRINTED_COLUMNS_PER_PAGE)))


def fiscal_year_label(day, start_month: int) -> str:
    """`FY2028` for a day in the fiscal year that ends in 2028 (the year starts in `start_month`; 1 = calendar year)."""
    return f"FY{day.year + (1 if start_month > 1 and day.month >= start_month else 0)}"


def _search_cells(g: Grid, plan: ScenarioPlan, o: OptionPlan, c: int, result_rows: dict[str, int], info: dict,
                  search: "BS.Search", blocks: dict[str, Block], main: dict[str, Block], masked_sum, put, result_values) -> None:
    """The live break-even of one option: the search's cells in its results column (see tco.export.breakeven_search)."""
    L = get_column_letter(c)

    def at(name: str) -> str:
        return f"{L}{result_rows[name]}"

    def exported_volume(name: str, value, never_comment: str, comment: str) -> int:
        """A volume llm-tco solved at the exported inputs, as a constant cell (`never` where there is none); its row."""
        row = result_rows[name]
        if value is None:
            g.text(row, c, NEVER, comment=never_comment)
        else:
            g.put(row, c, float(value), number_format=NUMBER, comment=comment)
        result_values[(o.option_id, name)] = float(value) if value is not None else NEVER
        return row

    exported = info.get("breakeven_requests_per_day")
    er = exported_volume(
        "breakeven_requests_per_day_exported", exported,
        "llm-tco found no daily volume (0.01 to 10^10) at which this option costs no more than the reference, at the "
        "exported inputs. The live search then starts at the scenario's volume.",
        EXPORTED_BREAKEVEN_COMMENT + (" Here the costs never meet exactly: one more replica makes self-hosting jump above "
                                      "the API line." if info.get("at_step") else ""))
    stays = info.get("breakeven_stays_requests_per_day")
    sr = exported_volume(
        "breakeven_stays_requests_per_day_exported", stays,
        "llm-tco found no volume (to 10^10 requests/day) from which this option costs no more than the reference at "
        "every higher volume, at the exported inputs.", STAYS_COMMENT)
    ref = plan.option(info["reference"])
    ref_block = main[ref.option_id]
    b = at("reference_usd_per_daily_request")
    put("reference_usd_per_daily_request",
        f"{masked_sum('monthly_cost_usd', ref_block)}/{plan.defined_name(ref, 'requests_per_day')}",
        search.reference_usd_per_daily_request, number_format_for(REFERENCE_PER_DAILY_REQUEST_UNIT))
    own = plan.defined_name(o, "requests_per_day")
    put("search_1_requests_per_day", f"IF(ISNUMBER({L}{er}),{L}{er},{own})", search.points["1"].volume, NUMBER)
    vol = {k: at(f"search_{k}_requests_per_day") for k in BS.POINTS}
    diff = {k: at(f"search_{k}_difference_usd") for k in BS.POINTS}
    put("search_2_requests_per_day", BS.newton_formula(vol["1"], diff["1"], b), search.points["2"].volume, NUMBER)
    points = BS.SEARCH_POINTS

    def ends(k: str) -> dict[str, str]:
        """The cells of the bracket's ends after point k as the step terms' inputs; before point 1, none (0)."""
        return BS.bracket_inputs({(end, what): at(f"search_{k}_{end}_{what}") if k in points else "0"
                                  for end, what in BS.BRACKET_TERMS})

    for before, k in zip(("",) + points, points):
        formulas = BS.bracket_formulas(d0=diff[before] if before else "0", x1=vol[k], d1=diff[k], **ends(before))
        for (end, what), formula in formulas.items():
            put(f"search_{k}_{end}_{what}", formula, search.brackets[k][(end, what)], NUMBER if what == "requests_per_day" else USD)

    def next_step(before: str, last: str) -> str:
        return BS.step_formula(x0=vol[before], d0=diff[before], x1=vol[last], d1=diff[last], b=b, **ends(last))

    for before, last, k in zip(points, points[1:], points[2:]):
        put(f"search_{k}_requests_per_day", next_step(before, last), search.points[k].volume, NUMBER)
    put("search_last_step_requests_per_day", next_step(points[-2], points[-1]), search.last_step, NUMBER)
    last_step = at("search_last_step_requests_per_day")
    for k, share in zip(BS.LOOK_BACK_POINTS, BS.LOOK_BACK_CONSTANTS):
        put(f"search_{k}_requests_per_day", BS.below_formula(last_step, share), search.points[k].volume, NUMBER)
    put("search_look_back_result_requests_per_day",
        BS.look_back_formula(last_step, [(vol[k], diff[k]) for k in BS.LOOK_BACK_POINTS], b), search.look_back_result, NUMBER)
    looked_back = at("search_look_back_result_requests_per_day")
    for before, k in zip((BS.ASCENT_START,) + BS.ASCENT_POINTS, BS.ASCENT_POINTS):
        put(f"search_{k}_requests_per_day", BS.ascent_step_formula(vol[before], diff[before], b), search.points[k].volume, NUMBER)
    put("search_result_requests_per_day", BS.ascent_formula(looked_back, [(vol[k], diff[k]) for k in BS.ASCENT_POINTS]),
        search.result, NUMBER)
    result = at("search_result_requests_per_day")
    put("search_low_requests_per_day", BS.below_formula(result, "breakeven_certificate_share"), search.points["low"].volume, NUMBER)
    put("search_high_requests_per_day", BS.high_certificate_formula(looked_back, result), search.points["high"].volume, NUMBER)
    for k in BS.POINTS:
        point = search.points[k]
        put(f"search_{k}_total_usd", masked_sum("monthly_cost_usd", blocks[k]), point.total_usd, USD)
        put(f"search_{k}_difference_usd", f"{at(f'search_{k}_total_usd')}-{b}*{vol[k]}", point.difference_usd, USD)
    put("breakeven_search_certified", f"IF(AND({diff['low']}>0,{diff['high']}<=0),1,0)", 1 if search.certified else 0, WHOLE)
    # not certified: `never` where llm-tco found no break-even at the exported inputs either (as `tco run` says, and the
    # Checks sheet passes), "not found" where it found one the sheet's steps cannot follow (the Checks sheet turns red)
    put("breakeven_requests_per_day",
        f'IF({at("breakeven_search_certified")}=1,{result},IF(ISNUMBER({L}{er}),"{BS.NOT_FOUND}","{NEVER}"))',
        search.live if search.certified or exported is not None else NEVER, NUMBER)
    live = at("breakeven_requests_per_day")
    # not searched live (it needs the staircase scanned up to 10^10 a day): the exported figure, while the live break-even
    # is still the exported one
    unchanged = (exported is not None and isinstance(search.live, float)
                 and abs(search.live - float(exported)) <= BY_NAME["breakeven_unchanged_share"].value * float(exported))
    put("breakeven_stays_requests_per_day",
        f'IF(AND(ISNUMBER({live}),ISNUMBER({L}{er})),IF(ABS({live}-{L}{er})<=breakeven_unchanged_share*{L}{er},{L}{sr},""),"")',
        ((float(stays) if stays is not None else NEVER) if unchanged else ""), NUMBER)
    put("reference_total_at_breakeven_usd", f'IF(ISNUMBER({live}),{b}*{live},"")',
        search.reference_usd_per_daily_request * search.result if search.certified else "", USD)


def _searched_inputs(info: dict) -> tuple[str, ...]:
    """The inputs an option's break-even search varies: its volume, and the `auto` base chosen at it."""
    if not info.get("reference"):
        return ()
    return ("requests_per_day", "base_replicas") if info.get("breakeven_base_replicas") is not None else ("requests_per_day",)


def cost_parts(parts: list[Named], with_base: bool = False) -> list[Named]:
    """The volume-dependent monthly parts the monthly cost is built from: all a search block needs
    (tokens, energy, carbon and cash lines are left out to keep the workbook small); `with_base`: also
    those that depend on the reserved base (a mixed fleet's `auto` base, set at the break-even)."""
    cost = next(p for p in parts if p.name == "monthly_cost_usd")
    needed = {n.name for n in named_parts(cost)}
    moving = {p.name for p in volume_dependent(parts)}
    return [p for p in parts if p.name in needed and (p.name in moving or (with_base and depends_on(p.term, "base_replicas")))]


def _cumulative(values: list[float]) -> list[float]:
    out, running = [], 0.0
    for v in values:
        running += v
        out.append(running)
    return out


def _excel_date(day) -> float:
    """A date as Excel's serial number (1900 date system)."""
    import datetime as dt

    return float((day - dt.date(1899, 12, 30)).days)


def _month_it_stays_at_or_below(flags: str, months: str, in_horizon: str) -> str:
    """The break-even month as tco.engine.breakeven.breakeven_month gives it: the month after the last one of the
    horizon whose cumulative is above the reference's (flag 0), `never` when that is the horizon's last month.
    SUMPRODUCT(MAX(...)) takes the maximum of an array in Excel and LibreOffice alike, without an array formula."""
    last_above = f"SUMPRODUCT(MAX(({flags}=0)*{in_horizon}*{months}))"
    horizon_end = f"SUMPRODUCT(MAX({in_horizon}*{months}))"
    return f'IF({last_above}>={horizon_end},"{NEVER}",{last_above}+1)'


def _month_it_stays_at_or_below_value(flags: list[float], in_months: list[float]) -> int | str:
    """The cached value of `_month_it_stays_at_or_below`."""
    inside = [m for m, within in enumerate(in_months, start=1) if within]
    last_above = max((m for m in inside if flags[m - 1] == 0.0), default=0)
    return NEVER if last_above >= max(inside, default=0) else last_above + 1
