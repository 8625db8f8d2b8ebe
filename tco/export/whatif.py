"""Each option's total at other daily volumes, live: Excel data tables on the Inputs sheet.

Why a data table. The cost of a self-hosted or hybrid option is a staircase of whole replicas, month by
month, so its total at another volume needs all its months recomputed at that volume. Written out as
formulas that is a block of month columns per grid point and option: a 30-scenario workbook would grow
several times. A data table ({=TABLE(,input)}, Excel's What-If Analysis > Data Table; LibreOffice's
MULTIPLE.OPERATIONS) asks the spreadsheet itself to recompute the workbook once per volume with the
scenario's volume cell replaced, so the curve is the live model at every point, at the cost of one
cell per point.

Excel requires the input cell and the table on the same sheet, so the tables sit on the Inputs sheet,
below the inputs, one two-column table (volume, total) per option; the Chart data sheet links to them.
API options are tabled too (their total is proportional to the volume, but one mechanism for every
curve keeps the sheet simple to audit). Not tabled: options whose base llm-tco picks again at every
volume (`replicas: auto`; the sheet keeps the base chosen at the scenario's volume, so its table would
not be llm-tco's curve), every option of a scenario whose options have different volumes (no single
volume cell to vary), and a workbook that would hold only one table: LibreOffice 7.4 computes a
document's only data table as a constant (its formula's value at the scenario's volume, at every
volume; checked, while two or more tables compute right). Those curves stay the engine's values
(API ones a formula proportional to the volume), labelled on Chart data.

Readers that do not calculate see each cell's cached value: the engine's total at that volume.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from tco.export.grid import NUMBER, USD, Grid
from tco.export.plan import OptionPlan, ScenarioPlan

VOLUME_INPUT = "requests_per_day"
HIDDEN = ";;;"
"""Number format that shows nothing: the settling row's figures."""
SETTLING_NOTE = ("First row: the exported volume, figures hidden. LibreOffice computes the first row of some tables "
                 "before it tracks every cell the volume changes; this row takes that, so the rows below are right.")
"""Why each table starts with a settling row at the exported volume whose figure is hidden. Checked with
LibreOffice 7.4 on the bundled examples after a volume change: the first row of the purchased-GPU and
Azure PTU tables (term commitments) came out partly unsubstituted (e.g. 1,036,657 where the engine says
844,793), every other row exact; with this row first, all 25 grid rows of every table are exact
(tests/export/test_live_model.py). At the exported volume the row is a no-op in Excel and in
LibreOffice, and its cached value is the engine's total there. (Linked to the volume cell instead of
holding its value, the row reads #VALUE! in LibreOffice: a table op whose value refers to its input.)"""
MINIMUM_TABLES = 2
"""A workbook gets data tables only when it holds at least this many (LibreOffice 7.4 and a lone table)."""
NOTE = ("Data tables (What-If Analysis > Data Table, column input cell: the scenario's requests_per_day): each "
        "option's total over the horizon, recomputed by the spreadsheet at every volume of the left column with "
        "all other inputs as they stand. The Chart data sheet reads them. In Excel, calculation must include "
        "data tables (Formulas > Calculation Options > Automatic, the default).")


@dataclass
class VolumeTable:
    """Where one option's live totals by volume are: cells on the Inputs sheet, first to last grid volume."""

    total_cells: list[str]


def has_table(plan: ScenarioPlan, option: OptionPlan) -> bool:
    """True when `option`'s totals by volume are a data table (see the module's docstring for the others)."""
    return VOLUME_INPUT in plan.scenario_inputs and not option.row.base_auto


def add_volume_tables(g: Grid, sheet: str, plans: list[ScenarioPlan], calcs: dict, grids: dict,
                      input_cells: dict[str, str]) -> dict[tuple[str, str], VolumeTable]:
    """Write the tables below the Inputs grid `g`; (scenario id, option id) -> its table.

    `input_cells[scenario id]` is the scenario's requests_per_day cell on this sheet (e.g. "F23");
    `grids[scenario id]` = (volumes, {option id: engine totals}).
    """
    tables: dict[tuple[str, str], VolumeTable] = {}
    row = g.max_row + 3
    tabled_by_plan = []
    for plan in plans:
        tabled = [o for o in plan.options if has_table(plan, o)]
        total_cells = {o.option_id: calcs[plan.scenario.id].result_cells.get((o.option_id, "total_cost_usd")) for o in tabled}
        tabled_by_plan.append((plan, [o for o in tabled if total_cells[o.option_id]], total_cells))
    if sum(len(tabled) for _, tabled, _ in tabled_by_plan) < MINIMUM_TABLES:
        return tables
    for plan, tabled, total_cells in tabled_by_plan:
        if not tabled:
            continue
        volumes, totals = grids[plan.scenario.id]
        input_cell = input_cells[plan.scenario.id]
        g.text(row, 1, f"{plan.scenario.id}: total cost over the horizon at other daily volumes (live data tables)", "bold")
        g.text(row + 1, 1, NOTE, "note")
        g.text(row + 4, 2 * len(tabled) + 1, SETTLING_NOTE, "note")
        header, formula_row, settle = row + 2, row + 3, row + 4
        first = settle + 1
        last = first + len(volumes) - 1
        for k, o in enumerate(tabled):
            volume_col, total_col = 2 * k + 1, 2 * k + 2
            own_total = float(totals[o.option_id][_own(volumes, plan)])
            g.text(header, volume_col, "requests/day", "header")
            g.text(header, total_col, o.option_id, "header")
            g.text(formula_row, volume_col, "at the scenario's inputs:", "note")
            g.formula(formula_row, total_col, total_cells[o.option_id], "link", USD, cached=own_total)
            g.put(settle, volume_col, float(plan.scenario_values[VOLUME_INPUT]), "", NUMBER)  # the settling row (SETTLING_NOTE)
            for n, volume in enumerate(volumes):
                r = first + n
                if k == 0:
                    g.put(r, volume_col, volume, "", NUMBER)
                else:
                    g.formula(r, volume_col, f"$A{r}", "link", NUMBER, cached=volume)
            letter = get_column_letter(total_col)
            g.data_table(settle, last, total_col, input_cell, [own_total, *totals[o.option_id]], USD)
            g.cells[(settle, total_col)].number_format = HIDDEN
            tables[(plan.scenario.id, o.option_id)] = VolumeTable(
                [f"{sheet}!${letter}${r}" for r in range(first, last + 1)])
        row = last + 3
    return tables


def _own(volumes: list[float], plan: ScenarioPlan) -> int:
    """Index of the grid volume closest to the scenario's own (the grid is centred on it)."""
    own = float(plan.scenario_values[VOLUME_INPUT])
    return min(range(len(volumes)), key=lambda n: abs(volumes[n] - own))
