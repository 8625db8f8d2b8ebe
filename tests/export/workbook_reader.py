"""Read an exported workbook back the way a person would: by its headers, not by the exporter's layout code.

`evaluate(path)` computes every formula with the `formulas` package (an independent evaluator);
`CalcLayout` finds, on a Calculations sheet, the month rows of each option block (by the block
title in row 3 and the names in row 5) and the results table below (by the names in column B
and the option ids in its header row).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

_INPUT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_KEY = re.compile(r"^'?\[[^\]]*\](.*?)'?!([A-Z]+[0-9]+)$")


NOT_COMPUTED = "(data table row not computed by the test evaluator)"


def rows_past_the_longest_horizon(run) -> int:
    """Month rows for a parity workbook: one past the longest horizon (every sheet then has a month past
    its own), not the default twice the horizon. Why: the `formulas` evaluator's memory and time grow with the
    rows (it held ~10 GB per worker on the bundled examples' default workbook), and no total, NPV or break-even
    reads a month past the horizon."""
    return 1 + max(int(s.finance.horizon_months) for s in run.results.scenarios)


LIBREOFFICE_MISSING = "LibreOffice not installed (apt-get install -y --no-install-recommends libreoffice-calc-nogui)"
"""The reason a LibreOffice test is skipped on a machine without it (.ci/run installs it)."""

HAS_LIBREOFFICE = shutil.which("soffice") is not None

LIBREOFFICE_ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
"""Tools > Options > LibreOffice Calc > Formula > Recalculation on file load, Excel 2007 and newer: Always."""


def always_recalculate(home: Path) -> None:
    """A LibreOffice user profile under `home` that recalculates every formula of an .xlsx it opens."""
    profile = home / ".config" / "libreoffice" / "4" / "user"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "registrymodifications.xcu").write_text(LIBREOFFICE_ALWAYS_RECALCULATE)


def recalculated_by_libreoffice(source: Path, workdir: Path, timeout_s: int = 180) -> Path:
    """`source` opened, recomputed in full and saved again by headless LibreOffice Calc (what finance may open the file
    in), under `workdir`/lo; the copy's path. Read it with openpyxl's `data_only=True`. A profile under `workdir`
    recalculates every formula on load: else LibreOffice leaves the data tables of a file without cached values empty."""
    out = workdir / "lo"
    always_recalculate(workdir)
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=timeout_s, env={"HOME": str(workdir), "PATH": "/usr/bin:/bin"})
    return out / Path(source).name


def values_by_libreoffice(path: Path, workdir: Path, timeout_s: int = 300) -> dict[tuple[str, str], object]:
    """(SHEET NAME IN UPPER CASE, cell) -> the value LibreOffice computes, keyed as `evaluate` keys its result.

    The workbook is first saved by openpyxl, which writes formulas without the exporter's cached values (checked
    here at every formula cell): every figure read back is then LibreOffice's own, not the engine's echoed."""
    uncached = workdir / "uncached" / Path(path).name
    uncached.parent.mkdir(parents=True, exist_ok=True)
    formulas = openpyxl.load_workbook(path)
    formulas.save(uncached)
    echoed = openpyxl.load_workbook(uncached, data_only=True)
    cached = [(ws.title, cell.coordinate) for ws in formulas.worksheets for row in ws.iter_rows() for cell in row
              if _is_formula(cell.value) and echoed[ws.title][cell.coordinate].value is not None]
    assert not cached, f"the copy for LibreOffice still holds cached values: {cached[:5]}"
    book = openpyxl.load_workbook(recalculated_by_libreoffice(uncached, workdir, timeout_s), data_only=True)
    return {(ws.title.upper(), cell.coordinate): cell.value for ws in book.worksheets for row in ws.iter_rows() for cell in row}


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or isinstance(value, (ArrayFormula, DataTableFormula))


def evaluate(path: Path, inputs: dict[tuple[str, str], float] | None = None,
             table_rows: int | None = 0) -> dict[tuple[str, str], object]:
    """(SHEET NAME IN UPPER CASE, cell) -> computed value; `inputs` replaces input cells first.

    Data tables ({=TABLE(,input)}) are computed as a spreadsheet computes them, which the `formulas`
    package cannot: the workbook once per value of the table's left column, with the input cell
    replaced, reading the formula above the table; then once more with the tables' results in place.
    Each such pass costs about a second, so only `table_rows` evenly spaced rows of each table are
    computed (None: all); the others read NOT_COMPUTED, and so does whatever links to them."""
    try:
        return LoadedWorkbook(path).evaluate(inputs, table_rows)
    finally:
        _give_memory_back()


def _give_memory_back() -> None:
    """Hand the evaluator's freed memory back to the system. Why: the `formulas` model of a whole-example
    workbook takes ~10 GB, and glibc keeps what Python frees, so a test worker that had evaluated one
    went on holding it while the other worker evaluated the next (20 of 24 GiB in use, CI stalled)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        pass


class LoadedWorkbook:
    """A workbook read and compiled by the `formulas` package once (about 20 s for the small test workbook), then
    computed as often as a test asks: with other inputs, other data-table rows. See `evaluate`."""

    def __init__(self, path: Path):
        import formulas

        self.path = Path(path)
        self.tables = data_tables(self.path)
        with tempfile.TemporaryDirectory() as folder:
            source = _without_data_tables(self.path, Path(folder) / self.path.name) if self.tables else self.path
            self.model = formulas.ExcelModel().loads(str(source)).finish()

    def evaluate(self, inputs: dict[tuple[str, str], float] | None = None,
                 table_rows: int | None = 0) -> dict[tuple[str, str], object]:
        path, model, tables = self.path, self.model, self.tables

        def key(sheet: str, cell: str) -> str:
            return f"'[{path.name}]{sheet.upper()}'!{cell}"

        given = {key(sheet, cell): value for (sheet, cell), value in (inputs or {}).items()}
        solution = _values(model.calculate(inputs=given) if given else model.calculate())
        if tables:
            results: dict[str, object] = {}
            for (sheet, input_cell), group in _by_input(tables).items():
                rows = _spread(len(group[0].body_cells), table_rows)
                volumes = sorted({solution[(sheet.upper(), t.volume_cells[n])] for t in group for n in rows})
                wanted = [key(sheet, t.formula_cell) for t in group]
                at = {v: _values(model.calculate(inputs={**given, key(sheet, input_cell): v}, outputs=wanted)) for v in volumes}
                for t in group:
                    above = (sheet.upper(), t.formula_cell)
                    for n, (cell, volume_cell) in enumerate(zip(t.body_cells, t.volume_cells)):
                        results[key(sheet, cell)] = at[solution[(sheet.upper(), volume_cell)]][above] if n in rows else NOT_COMPUTED
            solution = _values(model.calculate(inputs={**given, **results}))
        return solution


def _spread(count: int, wanted: int | None) -> set[int]:
    """`wanted` of range(count), evenly spaced and including both ends (all when None)."""
    if wanted is None or wanted >= count:
        return set(range(count))
    if wanted <= 1:
        return {count // 2} if wanted == 1 else set()
    return {round(i * (count - 1) / (wanted - 1)) for i in range(wanted)}


def _values(solution) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    for key, value in solution.items():
        m = _KEY.match(key)
        if not m:
            continue
        raw = value.value if hasattr(value, "value") else value
        try:
            cell_value = raw[0][0]
        except (TypeError, IndexError):
            continue
        out[(m.group(1).upper(), m.group(2))] = cell_value
    return out


@dataclass
class DataTable:
    """A one-variable, column-oriented data table: body cells, the values to their left, the formula above."""

    sheet: str
    input_cell: str
    body_cells: list[str]
    volume_cells: list[str]
    formula_cell: str


def data_tables(path: Path) -> list[DataTable]:
    """Every data table of the workbook (openpyxl reads each as a DataTableFormula in its first body cell)."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, DataTableFormula):
                    (first_col, first_row), (_, last_row) = (coordinate_from_string(c) for c in cell.value.ref.split(":"))
                    left = get_column_letter(column_index_from_string(first_col) - 1)
                    rows = range(first_row, last_row + 1)
                    out.append(DataTable(ws.title, cell.value.r1, [f"{first_col}{r}" for r in rows],
                                         [f"{left}{r}" for r in rows], f"{first_col}{first_row - 1}"))
    return out


def _by_input(tables: list[DataTable]) -> dict[tuple[str, str], list[DataTable]]:
    out: dict[tuple[str, str], list[DataTable]] = {}
    for t in tables:
        out.setdefault((t.sheet, t.input_cell), []).append(t)
    return out


_DATA_TABLE_FORMULA = re.compile(rb'<f t="dataTable"[^>]*?(?:/>|>[^<]*</f>)')


def _without_data_tables(path: Path, target: Path) -> Path:
    """A copy whose data-table cells hold only their values (the `formulas` package cannot read them)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _DATA_TABLE_FORMULA.sub(b"", data)
            out.writestr(info, data)
    return target


@dataclass
class CalcLayout:
    sheet: str
    month_rows: list[int]
    blocks: dict[str, dict[str, str]] = field(default_factory=dict)
    """Block title -> {column name: column letter}."""
    results: dict[tuple[str, str], str] = field(default_factory=dict)
    """(option id, result name) -> cell."""


def calc_layout(path: Path, sheet: str) -> CalcLayout:
    wb = openpyxl.load_workbook(path, read_only=False)
    ws = wb[sheet]
    months = [r for r in range(7, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    layout = CalcLayout(sheet, months)
    title = None
    for c in range(2, ws.max_column + 1):
        if ws.cell(3, c).value:
            title = ws.cell(3, c).value
            layout.blocks[title] = {}
        name = ws.cell(5, c).value
        if title and name:
            layout.blocks[title][name] = get_column_letter(c)
    header = next(r for r in range(months[-1] + 1, ws.max_row + 1) if ws.cell(r, 2).value == "name")
    options = {c: ws.cell(header, c).value for c in range(4, ws.max_column + 1) if ws.cell(header, c).value}
    for r in range(header + 1, ws.max_row + 1):
        name = ws.cell(r, 2).value
        if not name:
            continue
        for c, option in options.items():
            layout.results[(option, name)] = f"{get_column_letter(c)}{r}"
    return layout


def input_cells(path: Path) -> dict[tuple[str, str, str], str]:
    """(scenario id, option id or '(all options)', input name) -> value cell on the Inputs sheet."""
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["Inputs"]
    out = {}
    for i, row in enumerate(ws.iter_rows(min_row=4, values_only=True), start=4):
        if len(row) >= 6 and row[0] and isinstance(row[2], str) and _INPUT_NAME.match(row[2]):  # not the data tables below
            out[(row[0], row[1], row[2])] = f"F{i}"
    return out
