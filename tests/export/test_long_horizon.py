"""A horizon of 50 months or more (a Calculations sheet of 100 or more month rows) in LibreOffice.

LibreOffice (7.4) computes 100 or more adjacent identical formulas as one group on several threads; in such a sheet
the break-even search's later points read #VALUE! and so did the live break-even, the Summary's recommendation and
the Checks (audit of 2026-12-06). The exporter now writes each month column as runs of at most 99 rows
(`tco.export.grid.LIBREOFFICE_GROUP_ROWS`).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.translate import Translator

from tco.export.excel import export_workbook
from tco.run import run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, calc_layout, recalculated_by_libreoffice  # noqa: E402
from small_workbook_settings import TODAY  # noqa: E402

FIVE_YEARS = Path(__file__).parent / "data" / "five_years.yaml"
SHEET = "Calc five-years"
ERRORS = ("#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!")
LIBREOFFICE_THREADED_GROUP_ROWS = 100
"""LibreOffice computes a run of this many identical formulas (or more) as a threaded group (7.4: 98 month rows
computed right, 100 read #VALUE!, checked by hand in the audit)."""


@pytest.fixture(scope="module")
def five_years(tmp_path_factory):
    run = run_scenarios([FIVE_YEARS], today=TODAY)
    return run, export_workbook(run, tmp_path_factory.mktemp("five-years") / "five_years.xlsx")


def _longest_run_of_one_formula(ws, column: int, rows: list[int]) -> int:
    """The most adjacent month rows of `column` whose formulas are the same once moved to one row (what a
    spreadsheet groups)."""
    longest = run = 0
    previous = None
    for r in rows:
        text = ws.cell(r, column).value
        here = Translator(text, origin=f"A{r}").translate_formula(f"A{rows[0]}") if isinstance(text, str) and text.startswith("=") else None
        run = run + 1 if here is not None and here == previous else 1
        previous = here
        longest = max(longest, run)
    return longest


@pytest.mark.slow  # about 3 s; everyday, test_the_split_runs_give_the_same_cached_and_engine_values reads the same five-year workbook
def test_no_month_column_repeats_one_formula_over_100_rows(five_years):
    _, path = five_years
    layout = calc_layout(path, SHEET)
    assert len(layout.month_rows) >= LIBREOFFICE_THREADED_GROUP_ROWS  # the sheet is long enough to matter
    ws = openpyxl.load_workbook(path)[SHEET]  # openpyxl writes each cell of a shared formula out in full
    columns = [c for c in range(2, ws.max_column + 1) if isinstance(ws.cell(layout.month_rows[0], c).value, str)]
    assert len(columns) > 100
    longest = {c: _longest_run_of_one_formula(ws, c, layout.month_rows) for c in columns}
    assert max(longest.values()) < LIBREOFFICE_THREADED_GROUP_ROWS, max(longest.items(), key=lambda kv: kv[1])


def test_the_split_runs_give_the_same_cached_and_engine_values(five_years):
    """Rows past the 99th carry `+0`: their cached values are still the engine's monthly costs."""
    from tco.report.results import result_records

    run, path = five_years
    layout = calc_layout(path, SHEET)
    ws = openpyxl.load_workbook(path, data_only=True)[SHEET]
    for row in result_records(run.results):
        column = layout.blocks[row["option"]]["monthly_cost_usd"]
        got = [ws[f"{column}{r}"].value for r in layout.month_rows[:len(row["monthly_cost_usd"])]]
        assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(got, row["monthly_cost_usd"])), row["option"]


@pytest.mark.slow  # 4-5 s; everyday, LibreOffice recomputes the small workbook (tests/export/test_live_model.py)
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_computes_a_five_year_workbook_without_errors_and_to_the_engine_figures(five_years, tmp_path):
    from tco.report.results import result_records
    from tco.report.run_table import summary

    run, path = five_years
    records = result_records(run.results)
    book = openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)
    errors = [(ws.title, c.coordinate, c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and (c.value in ERRORS or c.value.startswith("Err:"))]
    assert not errors, (len(errors), errors[:5])
    layout = calc_layout(path, SHEET)
    calc = book[SHEET]
    option = next(r for r in records if r["option"] == "llama-70b")
    assert option["breakeven_requests_per_day"] is not None  # a break-even to search for (else this proves little)
    live = calc[layout.results[("llama-70b", "breakeven_requests_per_day")]].value
    assert math.isclose(live, option["breakeven_requests_per_day"], rel_tol=0.01)
    for r in records:
        assert math.isclose(calc[layout.results[(r["option"], "total_cost_usd")]].value, r["total_cost_usd"], rel_tol=1e-9)
    assert book["Summary"]["H6"].value == summary(records, "five-years")
