"""Every bundled example's workbook names and describes each constant its formulas use (slow step: an export each).

Why: a number the engine's formulas write with no entry in tco.export.constants still gets a defined name, with a
placeholder label and note (`constant_10`, "No entry in tco.export.constants yet"); one shipped (1/12, the exponent of
the monthly discount factor). The everyday run checks the commitments example (tests/export/test_commitments_workbook.py).
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tco.export.excel import workbook_bytes
from tco.paths import examples_dir
from tco.run import run_scenarios


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(p.name for p in examples_dir().glob("*.yaml")))
def test_no_constant_of_a_bundled_example_keeps_the_placeholder(example):
    # which constants a workbook names depends on its formulas, not on its months: 3 of them keep the export short
    run = run_scenarios([examples_dir() / example], today=dt.date(2026, 12, 1), overrides=["finance.horizon_months=3"],
                        with_breakeven=False)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(run, month_rows=3)), read_only=True)
    constants = [row for row in book["Inputs"].iter_rows(min_row=4, values_only=True) if row and row[0] == "(constants)"]
    assert constants
    assert [row[2] for row in constants if row[2].startswith("constant_")] == []
    from tco.export.constants import UNNAMED_CONSTANT_NOTE

    assert [row[2] for row in constants if row[9] == UNNAMED_CONSTANT_NOTE] == []
