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
from tco.export.names import SheetNames
from tco.export.plan import plan_scenarios
from tco.export.sheet_xml import fill_rows
from tco.export.sheets import INPUTS_SHEET, build_about, build_inputs, build_sources
from tco.export.summary import CHART_DATA_SHEET, build_summary

SUMMARY_SHEET = "Summary"
SOURCES_SHEET = "Sources"
ABOUT_SHEET = "About"


def workbook_bytes(run, generated: dt.datetime | None = None) -> bytes:
    """The workbook of a `tco.run.Run`: its results, the catalog's sources, the scenario files' hashes."""
    from tco.version import __version__

    results = run.results
    generated = generated or dt.datetime.now(dt.timezone.utc)
    plans = plan_scenarios(results.scenarios, results.rows)
    sheet_names = SheetNames((SUMMARY_SHEET, INPUTS_SHEET, SOURCES_SHEET, ABOUT_SHEET, CHART_DATA_SHEET))
    calcs = {}
    for plan in plans:
        info = _options_info(results, plan.scenario.id)
        calcs[plan.scenario.id] = build_calc_sheet(plan, sheet_names(f"Calc {plan.scenario.id}"), info)

    wb = Workbook(write_only=True)
    summary, chart_data, notes = build_summary(results, plans, calcs)
    inputs = build_inputs(plans, wb)
    order = [(SUMMARY_SHEET, summary), (INPUTS_SHEET, inputs),
             *[(c.name, c.grid) for c in calcs.values()],
             (SOURCES_SHEET, build_sources(plans, run.catalog)),
             (ABOUT_SHEET, build_about(run, __version__, generated, notes)),
             (CHART_DATA_SHEET, chart_data)]
    rows_by_sheet = {name: grid.write_to(wb.create_sheet(name)) for name, grid in order}
    buffer = io.BytesIO()
    wb.save(buffer)
    return fill_rows(buffer.getvalue(), rows_by_sheet)


def export_workbook(run, path: Path) -> Path:
    """Write the workbook of a `tco.run.Run` atomically; an existing file at `path` is kept as a backup."""
    from tco.files import write_atomic

    path = Path(path)
    write_atomic(path, workbook_bytes(run))
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
