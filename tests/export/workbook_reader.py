"""Read an exported workbook back the way a person would: by its headers, not by the exporter's layout code.

`evaluate(path)` computes every formula with the `formulas` package (an independent evaluator);
`CalcLayout` finds, on a Calculations sheet, the month rows of each option block (by the block
title in row 3 and the names in row 5) and the results table below (by the names in column B
and the option ids in its header row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

_KEY = re.compile(r"^'?\[[^\]]*\](.*?)'?!([A-Z]+[0-9]+)$")


def evaluate(path: Path, inputs: dict[tuple[str, str], float] | None = None) -> dict[tuple[str, str], object]:
    """(SHEET NAME IN UPPER CASE, cell) -> computed value; `inputs` replaces input cells first."""
    import formulas

    model = formulas.ExcelModel().loads(str(path)).finish()
    given = None
    if inputs:
        given = {f"'[{Path(path).name}]{sheet.upper()}'!{cell}": value for (sheet, cell), value in inputs.items()}
    solution = model.calculate(inputs=given) if given else model.calculate()
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
        if row and row[0]:
            out[(row[0], row[1], row[2])] = f"F{i}"
    return out
