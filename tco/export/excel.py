"""The finance workbook: live formulas a finance team can audit and change.

One exporter for `tco run --xlsx`, `tco export` and the TUI. Sheets: Summary (ranked options,
recommendation, charts), Inputs (every input, named, with its source), one Calculations sheet
per scenario (month rows of live formulas rendered from `tco.engine.formulas`), Sources, About,
and Chart data (the engine's volume grid and tornado behind two of the charts).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from tco.export.calc_sheet import build_calc_sheet
from tco.export.checks import CHECKS_SHEET, build_checks
from tco.export.constants import ConstantTable
from tco.export.names import SheetNames
from tco.export.plan import plan_scenarios
from tco.export.sheet_xml import fill_rows
from tco.export.sheets import INPUTS_SHEET, build_about, build_inputs, build_sources
from tco.export.summary import CHART_DATA_SHEET, build_summary

SUMMARY_SHEET = "Summary"
SOURCES_SHEET = "Sources"
ABOUT_SHEET = "About"


def workbook_bytes(results, generated: dt.datetime | None = None, month_rows: int | None = None) -> bytes:
    """The workbook as bytes. `month_rows`: month rows per Calculations sheet (default twice
    the exported horizon, see `calc_sheet.MONTH_ROWS_PER_HORIZON`), the longest horizon it computes."""
    from tco import __version__

    generated = generated or dt.datetime.now(dt.timezone.utc)
    plans = plan_scenarios(results.scenarios, results.rows, results.today)
    sheet_names = SheetNames((SUMMARY_SHEET, INPUTS_SHEET, SOURCES_SHEET, ABOUT_SHEET, CHART_DATA_SHEET, CHECKS_SHEET))
    constants = ConstantTable()
    calcs = {}
    for plan in plans:
        info = _options_info(results, plan.scenario.id)
        calcs[plan.scenario.id] = build_calc_sheet(plan, sheet_names(f"Calc {plan.scenario.id}"), info, constants, month_rows)

    wb = Workbook(write_only=True)
    wb.calculation.fullCalcOnLoad = True  # cached values are the engine's; a spreadsheet recomputes them on opening
    summary, chart_data, notes = build_summary(results, plans, calcs)
    inputs, input_rows = build_inputs(plans, wb, constants, {sid: c.month_rows for sid, c in calcs.items()})
    checks = build_checks(results, plans, calcs, input_rows, summary_checks=getattr(summary, "checks", []))
    order = [(SUMMARY_SHEET, summary), (INPUTS_SHEET, inputs), (CHECKS_SHEET, checks),
             *[(c.name, c.grid) for c in calcs.values()],
             (SOURCES_SHEET, build_sources(plans, results.catalog)),
             (ABOUT_SHEET, build_about(results, __version__, generated, notes)),
             (CHART_DATA_SHEET, chart_data)]
    rows_by_sheet = {name: grid.write_to(wb.create_sheet(name)) for name, grid in order}
    buffer = io.BytesIO()
    wb.save(buffer)
    return fill_rows(buffer.getvalue(), rows_by_sheet)


def export_workbook(results, path: Path, month_rows: int | None = None) -> Path:
    """Write the workbook atomically; an existing file at `path` is kept as a backup."""
    from tco.load.atomic import write_atomic

    path = Path(path)
    write_atomic(path, workbook_bytes(results, month_rows=month_rows))
    return path


def _options_info(results, scenario_id: str) -> dict[str, dict]:
    info = {}
    frame = results.options.filter(pl.col("scenario") == scenario_id)
    for rec in frame.iter_rows(named=True):
        be = results.breakevens.get(rec["row"])
        info[rec["option"]] = {
            "reference": rec.get("breakeven_reference_option"),
            "breakeven_requests_per_day": rec.get("breakeven_requests_per_day"),
            "at_step": bool(be.at_step) if be else False,
        }
    return info
