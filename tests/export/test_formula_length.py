"""Every workbook formula stays well under Excel's limit of 8,192 characters.

Why a test: a formula over the limit is refused by Excel (the file opens "repaired", the cell
empty). The mixed fleet's burst formulas once spelled all 24 hours inline and reached 8,236
characters on the bundled commitments example; its 24 hours are now named columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from tco.export.excel import export_workbook
from tco.run import run_scenarios

EXCEL_FORMULA_LIMIT = 8_192
HEADROOM_LIMIT = 4_000
"""Half of Excel's limit: longer scenario and option ids lengthen every defined name a formula uses."""
COMMITMENTS = Path(__file__).parents[2] / "tco" / "examples" / "commitments.yaml"


def test_the_commitments_example_has_no_formula_near_excels_limit(tmp_path):
    # a formula's length does not depend on the number of months (one row each): 3 months keep the test fast
    run = run_scenarios([COMMITMENTS], today=dt.date(2026, 12, 1), overrides=["finance.horizon_months=3"],
                       with_breakeven=False)
    path = export_workbook(run, tmp_path / "commitments.xlsx", month_rows=3)
    book = openpyxl.load_workbook(path)
    longest = max(((len(c.value), ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row
                   if isinstance(c.value, str) and c.value.startswith("=")), default=(0, "", ""))
    assert longest[0] < HEADROOM_LIMIT < EXCEL_FORMULA_LIMIT, longest
