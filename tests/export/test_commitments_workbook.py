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


def rows_of(book, sheet: str, first: int) -> list[tuple]:
    return [row for row in book[sheet].iter_rows(min_row=first, values_only=True) if any(v is not None for v in row)]


def ptu_inputs(book) -> dict[str, tuple]:
    """input name -> the Inputs row of the committed-API option."""
    return {row[2]: row for row in rows_of(book, "Inputs", 4) if len(row) >= 10 and row[1] == "gpt-4.1-ptu"}


def test_committed_api_capacity_credits_each_figure_to_where_it_comes_from(book):
    """The option's `source:` text states where the price and the throughput come from; it no longer stands behind the
    term (typed in the scenario file), a default upfront share, or the zeros the kind fixes (staff, power, storage)."""
    from tco.engine.rows import DEFAULT_SOURCE

    inputs = ptu_inputs(book)
    source = inputs["gpu_usd_per_hour"][7]
    assert source.startswith("Azure PTU onboarding page")
    assert inputs["gpu_usd_per_hour"][8] in (None, "")  # the scenario file holds no date for the price (only a comment)
    assert inputs["replica_generations_per_s"][7] == source
    assert inputs["term_months"][7] == "scenario file" and inputs["min_replicas"][7] == "scenario file"
    assert inputs["upfront_share"][7] == DEFAULT_SOURCE
    for name in ("staff_share", "staff_inflation_per_year", "software_usd_per_gpu_month", "setup_usd", "storage_gb",
                 "egress_usd_per_gb", "server_power_per_gpu_kw", "grid_gco2e_per_kwh"):
        assert inputs[name][7] == DEFAULT_SOURCE, name
    sources = {(row[1], row[3]): row[0] for row in rows_of(book, "Sources", 4) if "gpt-4.1-ptu" in (row[6] or "")}
    assert sources[("term_months", "scenario file")] == "assumption"
    assert sources[("upfront_share", DEFAULT_SOURCE)] == "default"
    assert sources[("gpu_usd_per_hour", source)] == "input figure"
    assert {record for record, where in sources if where == source} == {"gpu_usd_per_hour", "replica_generations_per_s"}


def significant_digits_shown(number_format: str, value: float) -> bool:
    """Whether `number_format` shows `value` to 3 significant digits (its decimals, scaled by 100 for a percent)."""
    import re

    match = re.search(r"0\.(0+)", number_format)
    decimals = len(match.group(1)) if match else 0
    shown = value * (100 if "%" in number_format else 1)
    return abs(round(shown, decimals) - shown) <= abs(shown) * 5e-3


def test_small_inputs_show_their_leading_digits_on_inputs_and_checks(book):
    """$0.3027 per unit-hour read $0.30, 0.015625 completions/s read 0.02 (+28 %), 1/12 read 0.08."""
    inputs = ptu_inputs(book)
    ws = book["Inputs"]
    cells = {(ws.cell(r, 2).value, ws.cell(r, 3).value): ws.cell(r, 6) for r in range(4, ws.max_row + 1)}
    for key in (("gpt-4.1-ptu", "gpu_usd_per_hour"), ("gpt-4.1-ptu", "replica_generations_per_s"), ("(all)", "one_month_in_years")):
        cell = cells[key]
        assert significant_digits_shown(cell.number_format, cell.value), (key, cell.number_format)
    assert inputs["gpu_usd_per_hour"][5] == 0.3027
    checks = book["Checks"]
    price = next(r for r in range(6, checks.max_row + 1) if "gpt-4.1-ptu / gpu_usd_per_hour" in (checks.cell(r, 2).value or ""))
    assert checks.cell(price, 3).number_format == cells[("gpt-4.1-ptu", "gpu_usd_per_hour")].number_format


def test_every_share_on_the_inputs_sheet_reads_in_percent(book):
    """Constants in `fraction` read 5.00E-03 or 0.03; an input share reads 2.00 %."""
    fractions = [(row[2], row[5]) for row in rows_of(book, "Inputs", 4) if len(row) >= 6 and row[4] == "fraction"]
    ws = book["Inputs"]
    formats = {ws.cell(r, 3).value: ws.cell(r, 6).number_format for r in range(4, ws.max_row + 1) if ws.cell(r, 5).value == "fraction"}
    assert fractions and all("%" in formats[name] for name, _ in fractions), formats
    assert significant_digits_shown(formats["breakeven_converged_share"], 1e-9)


def test_every_constant_is_named_and_described(book):
    """A constant with no entry in tco.export.constants gets a placeholder (`constant_10`, "No entry ... yet"): 1/12,
    the exponent of the monthly discount factor, had one."""
    constants = {row[2]: row for row in rows_of(book, "Inputs", 4) if row[0] == "(constants)"}
    assert [name for name in constants if name.startswith("constant_")] == []
    assert constants["one_month_in_years"][5] == pytest.approx(1 / 12)
    from tco.export.constants import UNNAMED_CONSTANT_NOTE

    assert [name for name, row in constants.items() if row[9] == UNNAMED_CONSTANT_NOTE] == []


def test_checks_bounds_are_the_schemas_and_say_what_a_unit_field_means(book):
    """The horizon's bounds row showed the sheet's month rows as the schema's highest (checked on a line of its own); a
    committed option's min_replicas bounds row now says it counts units."""
    from tco.engine import fields

    highest = fields.bounds(next(f for f in fields.FIELDS if f.input == "horizon_months"))[1]
    checks = {row[1]: row for row in rows_of(book, "Checks", 6) if row[1]}
    assert checks["(all options) / horizon_months within the schema's bounds"][4] == highest
    assert checks["horizon fits the month rows of the Calculations sheet"][4] == 3  # the sheet's month rows
    assert "gpt-4.1-ptu / min_replicas [minimum units] within the schema's bounds" in checks

