"""The Summary sheet (live links to each scenario's results) and its native Excel charts.

Charts per scenario: cumulative cost by month (live, from the Calculations sheet), total cost
against daily volume with the break-even points (on the Chart data sheet: API curves, break-even points and,
through the Inputs sheet's data tables, self-hosted and hybrid curves are live; the few curves that cannot
be are the engine's values, labelled so), and a tornado of the biggest drivers (from `tco.engine.sensitivity`).
"""

from __future__ import annotations

import polars as pl
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter

from tco.engine.compare import recommendation
from tco.engine.ranking import NEVER, cents, shared_rank
from tco.engine.base_size import totals_at_volumes_choosing_base
from tco.export.calc_sheet import CalcSheet
from tco.export.grid import NUMBER, USD, USD_WHOLE, WHOLE, Grid
from tco.export.names import quote_sheet
from tco.export.plan import ScenarioPlan

CHART_DATA_SHEET = "Chart data"
GRID_STEPS_PER_DECADE = 6
GRID_DECADES_EACH_SIDE = 2
CHART_ROWS = 20
"""Rows a scenario's charts span, side by side below its options table (never over a table or each other)."""
CHART_GAP_PX = 10
TITLE_SCENARIO_CHARS = 28
"""A chart title names the scenario in at most this many characters (the section title above has it in full)."""
CHART_TITLE_POINTS = 10
MONTH_LABELS = 12
"""At most this many month numbers under the cumulative cost chart (every k-th month is labelled)."""

COLUMNS = (
    ("rank", None, 12), ("option", None, 26), ("kind", None, 12), ("total cost", "total_cost_usd", 15),
    ("NPV", "npv_usd", 15), ("$ per million tokens", "cost_per_million_tokens_usd", 14),
    ("$ per request", "cost_per_request_usd", 13), ("break-even requests/day", "breakeven_requests_per_day", 16),
    ("break-even month", "breakeven_month", 12), ("cash payback month", "breakeven_month_cash", 12),
    ("stays no costlier from (requests/day)", "breakeven_stays_requests_per_day", 16),
    ("excluded because", None, 30), ("notes", None, 40),
)
EXCLUDED_COLUMN = next(c for c, (header, _, _) in enumerate(COLUMNS, start=1) if header == "excluded because")
EXCLUDED = get_column_letter(EXCLUDED_COLUMN)
"""An option row with text here is excluded: the live rank skips it."""
FORMATS = {"total_cost_usd": USD, "npv_usd": USD, "cost_per_million_tokens_usd": '"$"#,##0.0000',
           "cost_per_request_usd": '"$"#,##0.000000', "breakeven_requests_per_day": WHOLE,
           "breakeven_month": WHOLE, "breakeven_month_cash": WHOLE, "breakeven_stays_requests_per_day": WHOLE}
STAYS = get_column_letter(next(c for c, (_, key, _) in enumerate(COLUMNS, start=1) if key == "breakeven_stays_requests_per_day"))


def volume_grid(plans: list[ScenarioPlan]) -> dict[str, tuple[list[float], dict[str, list[float]]]]:
    """Totals of every option at volumes from 1/100 to 100 x the scenario's, with the engine's formulas."""
    steps = range(-GRID_DECADES_EACH_SIDE * GRID_STEPS_PER_DECADE, GRID_DECADES_EACH_SIDE * GRID_STEPS_PER_DECADE + 1)
    out: dict[str, tuple[list[float], dict[str, list[float]]]] = {}
    requests, keys = [], []
    for plan in plans:
        base = plan.scenario_values.get("requests_per_day", plan.options[0].row.values["requests_per_day"])
        grid = [base * 10 ** (k / GRID_STEPS_PER_DECADE) for k in steps]
        out[plan.scenario.id] = (grid, {})
        for o in plan.options:
            requests.append((o.row.values, grid, o.row.base_auto))
            keys.append((plan.scenario.id, o.option_id))
    for (scenario_id, option_id), totals in zip(keys, totals_at_volumes_choosing_base(requests)):
        out[scenario_id][1][option_id] = totals
    return out


def tornado_drivers(results, plans: list[ScenarioPlan]) -> dict[str, tuple[str, list]] | None:
    """Scenario id -> (option, drivers) for each scenario's tornado, all evaluated at once.

    The option is the cheapest that runs its own GPUs (against its API reference), else the cheapest.
    None when this installation has no sensitivity module.
    """
    try:
        from tco.engine.rows import OWN_GPU_KINDS
        from tco.engine.sensitivity import tornadoes
    except ImportError:
        return None
    picks = {}
    for plan in plans:
        ranked = results.options.filter((pl.col("scenario") == plan.scenario.id) & pl.col("rank").is_not_null()).sort("rank")
        if ranked.is_empty():
            continue
        own = ranked.filter(pl.col("kind").is_in(OWN_GPU_KINDS))  # committed API capacity runs no GPUs of its own
        picks[plan.scenario.id] = (own if not own.is_empty() else ranked).row(0, named=True)["option"]
    drivers = tornadoes(results, list(picks.items()))
    return {sid: (option, d) for (sid, option), d in zip(picks.items(), drivers)}


def build_summary(results, plans: list[ScenarioPlan], calcs: dict[str, CalcSheet], grids: dict | None = None,
                  tables: dict | None = None) -> tuple[Grid, Grid, list[str]]:
    """The Summary grid, the Chart data grid, and notes for the About sheet.

    Every figure on the Summary is a formula: the option rows link to the Calculations sheets, the
    rank counts the cheaper allowed options, the overview looks up rank 1 and 2, and the
    recommendation sentence is built from those cells (the engine's sentence is its cached value).
    """
    g, data = Grid(), Grid()
    notes: list[str] = []
    g.text(1, 1, "Self-host or API? Summary", "title")
    g.text(2, 1, "Every figure is a live formula over the Calculations sheets: change an input and the ranks, "
                 "cheapest option, saving and recommendation follow. Break-even volumes are found live on the Calculations sheets "
                 "(within 1 % of tco breakeven; see the Checks sheet).", "note")
    for c, (_, _, w) in enumerate(COLUMNS, start=1):
        g.width(c, w)
    g.width(7, 16)  # the overview's recommendation (column H) reads on over the empty cells to its right
    g.freeze = "A3"
    g.align_top = True
    g.print_title_rows = "1:2"
    g.text(4, 1, "Scenarios", "title")
    for c, h in enumerate(OVERVIEW, start=1):
        g.text(5, c, h, "header", wrap=True)
    grids = grids if grids is not None else volume_grid(plans)
    tables = tables or {}
    tornados = tornado_drivers(results, plans)
    if tornados is None:
        notes.append("No tornado chart: tco.engine.sensitivity is not available in this installation.")
    data.text(1, 1, "Chart data: totals over the horizon at other daily volumes, live: the curves link to the data tables "
                    "below the inputs on the Inputs sheet, break-even points to the Calculations sheets.", "note")
    data.text(2, 1, f"A curve or table headed {EXPORTED_SERIES} holds the engine's values (export again after a change).", "note")
    data_row = 3
    section = 6 + len(plans) + 2
    options = results.options
    for i, plan in enumerate(plans):
        sid = plan.scenario.id
        calc = calcs[sid]
        ranked = options.filter(pl.col("scenario") == sid).sort([pl.col("rank").is_null(), "rank"])
        recs = list(ranked.iter_rows(named=True))
        allowed = [r for r in recs if r["rank"] is not None]
        capability = plan.scenario.capability is not None
        sentence = recommendation(results, sid)

        # section: one row per option, in the exported rank order (the rank column itself is live)
        top = section
        g.text(top, 1, plan.scenario.title, "title")
        for c, (h, _, _) in enumerate(COLUMNS, start=1):
            g.text(top + 2, c, h, "header", wrap=True)
        a, b = top + 3, top + 2 + len(recs)

        def col(letter: str) -> str:
            return f"${letter}${a}:${letter}${b}"

        verdicts = get_column_letter(CAPABILITY_FIRST_COLUMN + 2)
        counted = f'({col(EXCLUDED)}="")' + (f'*({col(verdicts)}<>"below")' if capability else "")
        for j, rec in enumerate(recs):
            r = a + j
            is_counted = f'${EXCLUDED}{r}=""' + (f',${verdicts}{r}<>"below"' if capability else "")
            totals, mine = f'ROUND({col("D")},cent_decimals)', f"ROUND($D{r},cent_decimals)"
            # totals equal to the cent share the better rank (1, 1, 3), as `tco run`'s table shows them (=1) and
            # Excel's RANK.EQ would: the engine's own rank keeps them apart (the earlier row first) only to order them
            g.formula(r, 1, f'IF(AND({is_counted}),SUMPRODUCT({counted}*({totals}<{mine}))+1,"excl.")',
                      "", WHOLE, cached=shared_rank(allowed, rec) if rec["rank"] is not None else "excl.")
            g.text(r, 2, rec["option"]); g.text(r, 3, rec["kind"])
            for c, (_, key, _) in enumerate(COLUMNS, start=1):
                if key is None:
                    continue
                ref = calc.result_cells.get((rec["option"], key))
                if ref:
                    g.formula(r, c, ref, "link", FORMATS.get(key), cached=calc.values.get((rec["option"], key), rec.get(key)))
            g.text(r, EXCLUDED_COLUMN, rec["excluded_reason"] or "", wrap=True)
            g.text(r, EXCLUDED_COLUMN + 1, rec["notes"] or "", wrap=True)
            if capability:
                _capability_cells(g, r, rec, col)
        if capability:
            _capability_header(g, top + 2, plan.scenario.capability)

        # overview line: looked up from the section by rank
        r0 = 6 + i
        g.text(r0, 1, sid)
        ranks, names, kinds, totals, volumes, stays = col("A"), col("B"), col("C"), col("D"), col("H"), col(STAYS)
        best = allowed[0] if allowed else None
        # next best: the first option that costs more than the cheapest (after a tie for first, the rank the tie leaves)
        nxt = next((r for r in allowed if cents(r["total_cost_usd"]) != cents(best["total_cost_usd"])), None) if best else None
        first_match, second_match = f"MATCH(1,{ranks},0)", f"MATCH(COUNTIF({ranks},1)+1,{ranks},0)"
        g.formula(r0, 2, f'IFERROR(INDEX({names},{first_match}),"")', "", None, cached=best["option"] if best else "")
        g.formula(r0, 3, f'IFERROR(INDEX({kinds},{first_match}),"")', "", None, cached=best["kind"] if best else "")
        g.formula(r0, 4, f'IFERROR(INDEX({totals},{first_match}),"")', "link", USD, cached=best["total_cost_usd"] if best else "")
        g.formula(r0, 5, f'IFERROR(INDEX({names},{second_match}),"")', "", None, cached=nxt["option"] if nxt else "")
        g.formula(r0, 6, f'IFERROR(INDEX({totals},{second_match})-D{r0},"")', "", USD,
                  cached=(nxt["total_cost_usd"] - best["total_cost_usd"]) if nxt else "")
        if (None, "horizon_months") in plan.names:
            g.formula(r0, 7, plan.names[(None, "horizon_months")], "link", WHOLE, cached=plan.horizon_months)
        excluded = [r for r in recs if r["excluded_reason"] is not None]
        tail = f' ({len(excluded)} option(s) excluded: {excluded[0]["excluded_reason"]})' if excluded else ""
        # a tie (tco.engine.ranking: equal to the cent): the tied options in rank order, then the first one after them
        same_cent = f'ROUND({totals},cent_decimals)=ROUND(D{r0},cent_decimals)'
        tied = f'SUMPRODUCT({counted}*({same_cent}))'
        def counted_at(r: int) -> str:
            return f'${EXCLUDED}{r}=""' + (f',${verdicts}{r}<>"below"' if capability else "")

        others = "".join(f'&IF(AND({counted_at(r)},ROUND($D{r},cent_decimals)=ROUND(D{r0},cent_decimals),$B{r}<>B{r0}),'
                         f'", "&$B{r}&" ("&$C{r}&")","")' for r in range(a, b + 1))
        after = f"MATCH({tied}+1,{ranks},0)"
        tie = (f'"A tie: "&B{r0}&" ("&C{r0}&")"{others}&" cost the same, "&TEXT(ROUND(D{r0},cent_decimals),"$#,##0")&" over the horizon"'
               f'&IF(COUNT({ranks})>{tied},", "&TEXT(ROUND(INDEX({totals},{after})-D{r0},cent_decimals),"$#,##0")&" less than "&INDEX({names},{after}),"")')
        single = (f'B{r0}&" ("&C{r0}&") is cheapest at "&TEXT(ROUND(D{r0},cent_decimals),"$#,##0")&" over the horizon"'
                  f'&IF(COUNT({ranks})>1,", "&TEXT(ROUND(F{r0},cent_decimals),"$#,##0")&" less than "&E{r0},"")')
        body = (f'IF(COUNT({ranks})=0,"No option is allowed for this scenario",'
                f'IF({tied}>1,{tie},{single})'
                f'&IF(C{r0}<>"api",IF(ISNUMBER(INDEX({volumes},{first_match})),IF(C{r0}="api-provisioned","; committed API capacity ","; self-hosting ")&{_pays_from(f"INDEX({volumes},{first_match})", f"INDEX({stays},{first_match})")},""),'
                f'IF(COUNT({volumes})>0,"; "&INDEX({names},MATCH(MIN({volumes}),{volumes},0))&" would "&{_pays_from(f"MIN({volumes})", f"INDEX({stays},MATCH(MIN({volumes}),{volumes},0))", would=True)},""))'
                f'&{_excel_text(tail)})&"."')
        g.formula(r0, 8, body, "", None, cached=sentence)
        g.formula(top + 1, 1, f"H{r0}", "", None, cached=sentence)

        charts_before = len(g.charts)
        data_row = _charts(g, data, data_row, plan, calc, grids[sid], recs, top, results, (tornados or {}).get(sid), tables)
        table_columns = len(COLUMNS) + (len(CAPABILITY_COLUMNS) if capability else 0)
        made = [chart for chart, _ in g.charts[charts_before:]]
        del g.charts[charts_before:]
        _place_charts(g, made, b + 2, table_columns)
        section = b + 2 + CHART_ROWS + 2
    return g, data, notes


OVERVIEW = ("scenario", "cheapest option", "kind", "total cost", "next best", "saving", "horizon (months)", "recommendation")


def _excel_text(text: str) -> str:
    """A string literal for a formula (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


CAPABILITY_COLUMNS = (("capability model", 26), ("capability score", 12), ("meets the bar?", 13),
                      ("$ per request per capability point", 16), ("on capability-cost frontier", 14))
"""Capability next to cost (issue "Like for like"): scores and verdicts as assessed; the cost per
point and the frontier are formulas over the live cost per request."""
CAPABILITY_FIRST_COLUMN = len(COLUMNS) + 1


def _capability_header(g: Grid, row: int, requirement) -> None:
    for k, (header, width) in enumerate(CAPABILITY_COLUMNS):
        g.text(row, CAPABILITY_FIRST_COLUMN + k, header, "header", wrap=True)
        g.width(CAPABILITY_FIRST_COLUMN + k, width)
    bar = (f"min score {requirement.min_score:g}" if requirement.min_score is not None
           else f"comparable to {requirement.comparable_to} within {requirement.margin_points:g} points")
    g.text(row - 1, CAPABILITY_FIRST_COLUMN, f"Capability ({requirement.category}): {bar}. Public benchmarks only; your own evaluation beats them.", "note")


def _pays_from(volume: str, stays: str, would: bool = False) -> str:
    """tco.engine.ranking's break-even clause as a formula: `pays from` the volume, or, where one more replica puts the
    option above the API again above it, from the volume it stays no costlier (a number in the stays column only while
    the live break-even is the exported one: it is not searched live)."""
    pay, be = ("pay", "be") if would else ("pays", "is")
    return (f'IF(AND(ISNUMBER({stays}),{stays}<>{volume}),"{pay} from "&TEXT({stays},"#,##0")&" requests/day (first at "'
            f'&TEXT({volume},"#,##0")&")",'
            f'IF({stays}="{NEVER}","{be} no costlier at "&TEXT({volume},"#,##0")&" requests/day, but not at every volume above it",'
            f'"{pay} from "&TEXT({volume},"#,##0")&" requests/day"))')


def _capability_cells(g: Grid, row: int, rec: dict, col) -> None:
    c0 = CAPABILITY_FIRST_COLUMN
    score, verdict, per_point, frontier = (get_column_letter(c0 + k) for k in (1, 2, 3, 4))
    g.text(row, c0, rec.get("capability_model") or "unknown")
    if rec.get("capability_score") is not None:
        g.put(row, c0 + 1, rec["capability_score"], "", "0.0")
    g.text(row, c0 + 2, rec.get("capability_verdict") or "unknown")
    g.formula(row, c0 + 3, f'IF(ISNUMBER({score}{row}),IF({score}{row}>0,G{row}/{score}{row},""),"")', "", '"$"#,##0.00000000',
              cached=rec["cost_per_capability_point_usd"] if rec.get("cost_per_capability_point_usd") is not None else "")
    scores, costs = col(score), col("G")
    dominated = (f"SUMPRODUCT(ISNUMBER({scores})*({scores}>={score}{row})*({costs}<=G{row})"
                 f"*((({scores}>{score}{row})+({costs}<G{row}))>0))")
    g.formula(row, c0 + 4, f'IF(ISNUMBER({score}{row}),IF({dominated}=0,"yes",""),"")', "", None,
              cached="yes" if rec.get("on_capability_frontier") else "")


def _charts(g: Grid, data: Grid, data_row: int, plan: ScenarioPlan, calc: CalcSheet, grid, recs, top: int, results, tornado,
            tables: dict) -> int:
    sid = plan.scenario.id
    qs, qd = quote_sheet(calc.name), quote_sheet(CHART_DATA_SHEET)
    first, last = calc.month_range

    cumulative = LineChart()
    _title(cumulative, "Cumulative cost", plan.scenario.title)
    cumulative.y_axis.title = "cumulative cost (USD)"; cumulative.x_axis.title = "month of the horizon"
    cumulative.y_axis.number_format = USD_WHOLE; cumulative.x_axis.number_format = "0"
    for o in plan.options:
        col = get_column_letter(calc.cumulative_column[o.option_id])
        cumulative.series.append(Series(Reference(range_string=f"{qs}!${col}${first}:${col}${last}"), title=o.option_id))
    for s in cumulative.series:
        s.smooth = False  # a smoothed line overshoots where the costs stop at the horizon
    cumulative.x_axis.tickLblSkip = cumulative.x_axis.tickMarkSkip = max(1, -(-(last - first + 1) // MONTH_LABELS))
    cumulative.set_categories(Reference(range_string=f"{qs}!$A${first}:$A${last}"))
    _axes(cumulative)
    g.charts.append((cumulative, None))

    volumes, totals = grid
    data.text(data_row, 1, f"{sid}: total cost over the horizon by daily volume", "bold")
    data.text(data_row + 1, 1, "requests/day", "header")
    for k, o in enumerate(plan.options, start=2):
        live = _is_proportional(o) or (sid, o.option_id) in tables
        data.text(data_row + 1, k, o.option_id if live else f"{o.option_id} {EXPORTED_SERIES}", "header")
    for n, v in enumerate(volumes):
        r = data_row + 2 + n
        data.put(r, 1, v, number_format=NUMBER)
        for k, o in enumerate(plan.options, start=2):
            total = calc.result_cells.get((o.option_id, "total_cost_usd"))
            table = tables.get((sid, o.option_id))
            if table:
                # the live model at this volume: the Inputs sheet's data table (tco.export.whatif)
                data.formula(r, k, table.total_cells[n], "link", USD, cached=totals[o.option_id][n])
            elif _is_proportional(o) and total:
                # an API option's total is proportional to the daily volume: live from its total at the scenario's volume
                data.formula(r, k, f"{total}/{plan.defined_name(o, 'requests_per_day')}*$A{r}", "", USD, cached=totals[o.option_id][n])
            else:
                data.put(r, k, totals[o.option_id][n], number_format=USD)
    v0, v1 = data_row + 2, data_row + 1 + len(volumes)
    scatter = ScatterChart()
    _title(scatter, "Total cost by daily volume", plan.scenario.title)
    scatter.x_axis.title = "requests per day (log scale)"; scatter.y_axis.title = "total over the horizon (USD, log scale)"
    scatter.x_axis.number_format = WHOLE; scatter.y_axis.number_format = USD_WHOLE
    scatter.x_axis.scaling.logBase = 10
    scatter.y_axis.scaling.logBase = 10
    xs = Reference(range_string=f"{qd}!$A${v0}:$A${v1}")
    for k, o in enumerate(plan.options, start=2):
        letter = get_column_letter(k)
        s = Series(Reference(range_string=f"{qd}!${letter}${v0}:${letter}${v1}"), xs, title=o.option_id)
        s.marker.symbol = "none"
        s.smooth = False
        scatter.series.append(s)
    row = v1 + 1
    points = [(r["option"], r["breakeven_requests_per_day"], results.breakevens.get(r["row"])) for r in recs
              if r["breakeven_requests_per_day"] is not None]
    if points:
        data.text(row, 1, "break-even requests/day", "header"); data.text(row, 2, "total at break-even", "header"); data.text(row, 3, "option", "header")
        for n, (option, volume, be) in enumerate(points):
            live = calc.result_cells.get((option, "breakeven_requests_per_day"))
            at = calc.result_cells.get((option, "reference_total_at_breakeven_usd"))
            if live and at:
                # the live break-even found on the Calculations sheet, and the reference's total there
                data.formula(row + 1 + n, 1, live, "link", NUMBER, cached=calc.values.get((option, "breakeven_requests_per_day"), volume))
                data.formula(row + 1 + n, 2, at, "link", USD, cached=calc.values.get((option, "reference_total_at_breakeven_usd"), ""))
            else:
                data.put(row + 1 + n, 1, volume, number_format=NUMBER)
                data.put(row + 1 + n, 2, be.api_total_usd if be else None, number_format=USD)
            data.text(row + 1 + n, 3, option)
        p0, p1 = row + 1, row + len(points)
        s = Series(Reference(range_string=f"{qd}!$B${p0}:$B${p1}"), Reference(range_string=f"{qd}!$A${p0}:$A${p1}"), title="break-even")
        s.marker.symbol = "diamond"; s.marker.size = 9
        s.marker.graphicalProperties = GraphicalProperties(solidFill="000000")
        s.smooth = False
        s.graphicalProperties.line.noFill = True
        scatter.series.append(s)
        row = p1 + 1
    _axes(scatter)
    g.charts.append((scatter, None))

    if tornado is None:
        return row + 1
    option_id, drivers = tornado
    drivers = [d for d in drivers if d.applies][:8]  # a GPU range says nothing of an API option's total (Range.kinds)
    # engine values: a driver moves several inputs at once (all API prices, both ends of a term), which a
    # one-variable data table cannot; labelled like the other curves that are not live
    data.text(row, 1, f"{sid}: drivers of {option_id}'s total (change from base) {EXPORTED_SERIES}", "bold")
    data.text(row + 1, 1, "driver", "header"); data.text(row + 1, 2, "low end", "header"); data.text(row + 1, 3, "high end", "header")
    for n, d in enumerate(drivers):
        data.text(row + 2 + n, 1, f"{d.label} ({d.low} / {d.high})")
        data.put(row + 2 + n, 2, d.total_low_usd - d.base_total_usd, number_format=USD)
        data.put(row + 2 + n, 3, d.total_high_usd - d.base_total_usd, number_format=USD)
    t0, t1 = row + 2, row + 1 + len(drivers)
    bars = BarChart()
    bars.type = "bar"; bars.grouping = "clustered"; bars.overlap = 100
    _title(bars, f"What moves {_shorten(option_id, 20)}", plan.scenario.title)
    bars.y_axis.title = "change of the total (USD)"; bars.x_axis.title = "driver (low / high)"
    bars.y_axis.number_format = USD_WHOLE
    bars.x_axis.tickLblPos = "low"  # driver names left of the plot, not over the bars
    bars.y_axis.crosses = "max"  # the USD scale below the bars (the drivers run top to bottom)
    bars.x_axis.scaling.orientation = "maxMin"
    for letter, title in (("B", "low end"), ("C", "high end")):
        bars.series.append(Series(Reference(range_string=f"{qd}!${letter}${t0}:${letter}${t1}"), title=title))
    bars.set_categories(Reference(range_string=f"{qd}!$A${t0}:$A${t1}"))
    _axes(bars)
    g.charts.append((bars, None))
    return t1 + 2


EXPORTED_SERIES = "(exported by llm-tco at the scenario's inputs)"
"""Label of a curve on Chart data that holds engine values, not formulas: an option whose `auto` base llm-tco
picks again at every volume, a scenario whose options have different volumes, or a workbook that would
hold a single data table (tco.export.whatif says why)."""


def _is_proportional(option) -> bool:
    """An API option's total is exactly proportional to the daily volume (tests/export/test_live_breakeven.py)."""
    return option.row.kind == "api"


def _axes(chart) -> None:
    """openpyxl 3.1 marks axes deleted by default; Excel then draws a chart without scales. The legend
    goes below the plot, where long option ids do not squeeze it."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"


def _shorten(text: str, chars: int) -> str:
    """`text` cut at a word boundary to at most `chars` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    cut = text[:chars - 1]
    if " " in cut[chars // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _title(chart, what: str, scenario_title: str) -> None:
    """A short chart title (what it shows, then the scenario's title shortened) in a smaller bold font."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun

    font = CharacterProperties(sz=CHART_TITLE_POINTS * 100, b=True)
    text = f"{what}: {_shorten(scenario_title, TITLE_SCENARIO_CHARS)}"
    chart.title = text
    chart.title.tx.rich = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=font), r=[RegularTextRun(t=text, rPr=font)])])


def _place_charts(g: Grid, charts: list, first_row: int, columns: int) -> None:
    """Charts side by side over rows first_row.. first_row + CHART_ROWS, each spanning its own share of the
    table's columns (two-cell anchors: a chart covers exactly its cells, so it never overlaps a table or
    another chart, whatever the column widths)."""
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
    from openpyxl.utils.units import pixels_to_EMU

    if not charts:
        return
    pixels = [int(g.widths.get(c, 8.43) * 7 + 5) for c in range(1, columns + 1)]
    total, starts, run = sum(pixels), [0], 0
    for c, px in enumerate(pixels):
        if len(starts) < len(charts) and run + px / 2 >= total * len(starts) / len(charts):
            starts.append(c)
        run += px
    ends = [*starts[1:], columns]
    for chart, start, end in zip(charts, starts, ends):
        anchor = TwoCellAnchor(editAs="oneCell")
        anchor._from = AnchorMarker(col=start, colOff=pixels_to_EMU(CHART_GAP_PX // 2), row=first_row - 1, rowOff=0)
        anchor.to = AnchorMarker(col=end - 1, colOff=pixels_to_EMU(max(0, pixels[end - 1] - CHART_GAP_PX // 2)),
                                 row=first_row - 1 + CHART_ROWS, rowOff=0)
        g.charts.append((chart, anchor))
