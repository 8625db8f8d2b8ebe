"""The finance workbook: live formulas a finance team can audit and change.

One exporter for `tco run --xlsx`, `tco export` and the TUI. Sheets: Summary (ranked options,
recommendation, charts), Inputs (every input, named, with its source), one Calculations sheet
per scenario (month rows of live formulas rendered from `tco.engine.formulas`), Sources, About,
and Chart data (totals by volume, live from the Inputs sheet's data tables, and the tornado behind two
of the charts).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from tco.export.calc_sheet import build_calc_sheet
from tco.export.checks import CHECKS_SHEET, build_checks
from tco.export.constants import ConstantTable
from tco.export.names import SheetNames, quote_sheet
from tco.export.plan import plan_scenarios
from tco.export.sheet_xml import fill_rows
from tco.export.sheets import INPUTS_SHEET, build_about, build_inputs, build_sources
from tco.export.summary import CHART_DATA_SHEET, build_summary, volume_grid
from tco.export.whatif import VOLUME_INPUT, add_volume_tables

SUMMARY_SHEET = "Summary"
SOURCES_SHEET = "Sources"
ABOUT_SHEET = "About"


def workbook_bytes(run, generated: dt.datetime | None = None, scratch: Path | None = None,
                   month_rows: int | None = None) -> bytes:
    """The workbook of a `tco.run.Run` (its results, the catalog's sources, the scenario files' hashes).

    `month_rows`: month rows per Calculations sheet (default twice the exported horizon, see
    `calc_sheet.MONTH_ROWS_PER_HORIZON`), the longest horizon it computes. openpyxl's per-sheet
    temp files go to `scratch` (a private temp folder when None)."""
    if scratch is None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="llm-tco-") as folder:
            return _workbook_bytes(run, generated, Path(folder), month_rows)
    return _workbook_bytes(run, generated, Path(scratch), month_rows)


def _workbook_bytes(run, generated: dt.datetime | None, scratch: Path, month_rows: int | None) -> bytes:
    from tco.version import __version__

    results = run.results
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
    grids = volume_grid(plans)
    inputs, input_rows = build_inputs(plans, wb, constants, {sid: c.month_rows for sid, c in calcs.items()})
    volume_cells = {i.scenario_id: i.cell.split("!")[-1].replace("$", "") for i in input_rows
                    if i.option_id == "(all options)" and i.name == VOLUME_INPUT}
    tables = add_volume_tables(inputs, quote_sheet(INPUTS_SHEET), plans, calcs, grids, volume_cells)
    summary, chart_data, notes = build_summary(results, plans, calcs, grids, tables)
    _lay_out_chart_data(chart_data)
    checks = build_checks(results, plans, calcs, input_rows, summary_checks=getattr(summary, "checks", []))
    order = [(SUMMARY_SHEET, summary), (INPUTS_SHEET, inputs), (CHECKS_SHEET, checks),
             *[(c.name, c.grid) for c in calcs.values()],
             (SOURCES_SHEET, build_sources(plans, run.catalog)),
             (ABOUT_SHEET, build_about(run, __version__, generated, notes)),
             (CHART_DATA_SHEET, chart_data)]
    book_title = workbook_title(plans)
    titles = {calcs[plan.scenario.id].name: plan.scenario.title for plan in plans}
    for name, grid in order:
        grid.header_text = titles.get(name, book_title)
        grid.header_date = generated.date().isoformat()
    sheets = []
    try:
        rows_by_sheet = {}
        for name, grid in order:
            sheets.append(_spill_into(wb.create_sheet(name), scratch))
            rows_by_sheet[name] = grid.write_to(sheets[-1])
        buffer = io.BytesIO()
        wb.save(buffer)
    except BaseException:
        _discard(sheets)
        raise
    return fill_rows(buffer.getvalue(), rows_by_sheet)


def _lay_out_chart_data(grid) -> None:
    """The Chart data sheet's widths, panes and print titles (its figures are laid out by `build_summary`)."""
    grid.width(1, 44)
    for c in range(2, grid.max_column + 1):
        grid.width(c, max(grid.widths.get(c, 0), 18))
    grid.freeze = "B2"
    grid.print_title_rows = "1:1"


def workbook_title(plans) -> str:
    """The printed header of the sheets that are not one scenario's: its title, or how many scenarios."""
    if len(plans) == 1:
        return plans[0].scenario.title
    return f"Self-host or API: {len(plans)} scenarios"


def _discard(sheets) -> None:
    """Close the half-written sheets' XML streams now, quietly.

    Why: after an interruption (Ctrl-C, SIGTERM) openpyxl's unfinished generators would be closed
    by the garbage collector, each printing an "Exception ignored" lxml traceback.
    """
    import contextlib

    for ws in sheets:
        for stream in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()


def _spill_into(ws, folder: Path):
    """Make a write-only sheet buffer its XML in `folder` instead of a file of its own in /tmp.

    Why: openpyxl gives every write-only sheet a `NamedTemporaryFile(delete=False)` in the system
    temp folder and deletes it only after the save (or at interpreter exit). A workbook of 150
    scenarios holds ~150 such files at once, and a killed export left them all in /tmp. Here they
    live in our scratch folder, which is removed on every exit path (and, after a SIGKILL, by the
    next write into the output's folder). Same writer, same calls as openpyxl's own
    `WriteOnlyWorksheet._get_writer`; only the file's place differs.
    """
    import tempfile

    from openpyxl.worksheet import _writer as sheet_writer

    def get_writer() -> None:
        if ws._writer is None:
            fd, name = tempfile.mkstemp(prefix="sheet-", suffix=".xml", dir=folder)
            os.close(fd)
            sheet_writer.ALL_TEMP_FILES.append(name)  # openpyxl's cleanup() removes it from this list
            ws._writer = sheet_writer.WorksheetWriter(ws, out=name)
            ws._writer.write_top()

    ws._get_writer = get_writer
    return ws


def export_workbook(run, path: Path, *, make_parents: bool = False, inputs=None, month_rows: int | None = None,
                    on_backup=None) -> Path:
    """Write the workbook atomically; an existing file at `path` is kept as a backup (the newest 5 are kept), passed to
    `on_backup` (the CLI names it: a replaced file must not look lost).

    Refused (exit 2, nothing written) when `path` is one of the files this run read (`inputs`, by
    default the scenario files and every data file read so far) or its folder is missing and
    `make_parents` is False. Temp files stay in `path`'s folder and are removed on every exit path.
    """
    from tco.files import make_parent_folders, refuse_unsafe_target, scratch_folder, write_atomic

    path = Path(path)
    if inputs is None:
        inputs = input_files(run)
    refuse_unsafe_target(path, inputs, make_parents)
    if make_parents:
        make_parent_folders(path)
    with scratch_folder(path) as scratch:
        data = workbook_bytes(run, scratch=scratch, month_rows=month_rows)
        kept = write_atomic(path, data, inputs=inputs)
    if kept is not None and on_backup is not None:
        on_backup(kept)
    return path


def input_files(run) -> list[Path]:
    """Every file a `Run` read: its scenario files, and the data files loaded so far."""
    from tco.files import files_read

    loaded = getattr(run, "loaded", None)
    return [*(Path(f) for f in (getattr(loaded, "files", None) or [])), *files_read()]


def _options_info(results, scenario_id: str) -> dict[str, dict]:
    info = {}
    frame = results.options.filter(pl.col("scenario") == scenario_id)
    for rec in frame.iter_rows(named=True):
        be = results.breakevens.get(rec["row"])
        info[rec["option"]] = {
            "reference": rec.get("breakeven_reference_option"),
            "breakeven_requests_per_day": rec.get("breakeven_requests_per_day"),
            "at_step": bool(be.at_step) if be else False,
            "breakeven_stays_requests_per_day": be.stays_requests_per_day if be else None,
            "breakeven_base_replicas": be.base_replicas if be else None,
        }
    return info
