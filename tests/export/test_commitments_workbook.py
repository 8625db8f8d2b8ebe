"""The bundled commitments example's workbook: formulas well under Excel's limit, commitments as named
inputs and their cash flows as columns, committed API capacity counted in units.

Why a formula-length test: a formula over 8,192 characters is refused by Excel (the file opens
"repaired", the cell empty). The mixed fleet's burst formulas once spelled all 24 hours inline and
reached 8,236 characters on this example; its 24 hours are now named columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tco.export.excel import export_workbook
from tco.run import run_scenarios

pytestmark = pytest.mark.xdist_group("commitments-workbook")
"""One worker runs this module, so the commitments example's workbook (`book`), a module fixture, is computed once, not on each worker."""
EXCEL_FORMULA_LIMIT = 8_192
HEADROOM_LIMIT = 4_000
"""Half of Excel's limit: longer scenario and option ids lengthen every defined name a formula uses."""
COMMITMENTS = Path(__file__).parents[2] / "tco" / "examples" / "commitments.yaml"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    # a formula's length does not depend on the number of months (one row each): 3 months keep the test fast
    run = run_scenarios([COMMITMENTS], today=dt.date(2026, 12, 1), overrides=["finance.horizon_months=3"],
                        with_breakeven=False)
    return openpyxl.load_workbook(export_workbook(run, tmp_path_factory.mktemp("wb") / "commitments.xlsx", month_rows=3))


def test_the_commitments_example_has_no_formula_near_excels_limit(book):
    longest = max(((len(c.value), ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row
                   if isinstance(c.value, str) and c.value.startswith("=")), default=(0, "", ""))
    assert longest[0] < HEADROOM_LIMIT < EXCEL_FORMULA_LIMIT, longest


def test_a_commitment_is_named_inputs_and_its_cash_flows_are_columns(book):
    names = set(book.defined_names.keys())
    for name in ("term_months", "upfront_share", "base_replicas", "gpu_usd_per_hour", "burst_gpu_usd_per_hour",
                 "count_beyond_horizon"):
        assert f"{name}__commitments__reserved_base_bursts" in names, name
    calc = book["Calc commitments"]
    columns: dict[str, set[str]] = {}
    option = None
    for c in range(1, calc.max_column + 1):
        option = calc.cell(3, c).value or option
        columns.setdefault(option, set()).add(calc.cell(5, c).value)
    # upfront parts in the month paid (cash), the term spread (accounting), the rest of a term past the horizon
    assert {"reserved_cash_usd", "reserved_usd", "reserved_beyond_horizon_usd", "reserved_signed_usd", "cash_cost_usd",
            "base_gpu_hours", "burst_gpu_hours", "burst_usd"} <= columns["reserved-base-bursts"]


def test_committed_api_capacity_inputs_say_units(book):
    labels = {row[2]: (row[3], row[4]) for row in book["Inputs"].iter_rows(values_only=True) if row[1] == "gpt-4.1-ptu"}
    assert labels["gpu_usd_per_hour"] == ("price per unit-hour", "USD per unit-hour")
    assert labels["min_replicas"] == ("minimum units", "units")
