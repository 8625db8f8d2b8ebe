"""The workbook is a live model: change an input in the file, recalculate, and it agrees with `tco run --set`.

Each test changes input cells of the exported file, evaluates it with the `formulas` package (an
evaluator independent of the exporter) and compares with the engine run on the same change
(`run_scenarios(..., overrides=[...])`, what `tco run --set` does). Also: no formula holds a number
other than 0 and 1, and every formula cell carries the engine's value as its cached result.
"""

from __future__ import annotations

import math
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import polars as pl
from openpyxl.utils import get_column_letter
import pytest

from tco.engine.compare import recommendation
from tco.engine.ranking import NEVER, shared_rank
from tco.export.breakeven_search import AGREEMENT_SHARE as BREAKEVEN_AGREEMENT
from tco.export.breakeven_search import NOT_FOUND
from tco.export.excel import export_workbook
from tco.engine.base_size import totals_at_volumes_choosing_base
from tco.export.summary import EXPORTED_SERIES
from tco.run import example_files, run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, NOT_COMPUTED, calc_layout, input_cells, recalculated_by_libreoffice  # noqa: E402
from small_workbook_settings import GROUP, MONTH_ROWS, SMALL, TODAY  # noqa: E402

DATA = Path(__file__).parent / "data"
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEET = "CALC SMALL"
SUMMARY = "SUMMARY"
RESULTS = ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd")
TABLE_ROWS = 4
"""Rows of each data table the `formulas` evaluator computes in a test (about a second each), evenly spaced from
the first (the settling row at the exported volume, not on the chart) to the last: three chart points per curve."""


def close(a, b, rel=1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


@pytest.fixture(scope="module")
def small(small_export):
    """(results, path) of the small workbook (conftest.py); tests that use it join `GROUP`, so one worker exports it."""
    run, path = small_export
    return run.results, path


@pytest.fixture(scope="module")
def small_book(small_workbook):
    """The small workbook as the `formulas` evaluator read it (once per worker)."""
    return small_workbook[2]


def summary_rows(path: Path) -> dict[str, int]:
    """Option id -> row of its line in the scenario's section of the Summary (found by its header)."""
    ws = openpyxl.load_workbook(path)["Summary"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "rank")
    out = {}
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 2).value is None:
            break
        out[ws.cell(r, 2).value] = r
    return out


def shown_rank(options: pl.DataFrame, rec: dict) -> int | None:
    """The rank `tco run`'s table shows: totals equal to the cent share the better one (the small file ties llama-8b
    and mix at =2)."""
    return shared_rank(list(options.iter_rows(named=True)), rec)


def assert_workbook_follows(path: Path, values: dict, expected) -> None:
    """Totals, NPV, per-unit figures, cumulative (chart) series, ranks, the cheapest option and the sentence."""
    layout = calc_layout(path, "Calc small")
    rows = summary_rows(path)
    for rec in expected.options.iter_rows(named=True):
        option = rec["option"]
        for name in RESULTS:
            got = values[(SHEET, layout.results[(option, name)])]
            assert close(got, rec[name]), (option, name, got, rec[name])
        assert values[(SUMMARY, f"A{rows[option]}")] == shown_rank(expected.options, rec), option
        if rec["breakeven_reference_option"] is not None:  # the live break-even, within the stated tolerance
            live = values[(SHEET, layout.results[(option, "breakeven_requests_per_day")])]
            engine = rec["breakeven_requests_per_day"]
            exported = values[(SHEET, layout.results[(option, "breakeven_requests_per_day_exported")])]
            unfound = NOT_FOUND if isinstance(exported, float) else NEVER  # never: llm-tco found none at the exported inputs
            assert (live == unfound) if engine is None else math.isclose(live, engine, rel_tol=BREAKEVEN_AGREEMENT), (option, live, engine)
            assert values[(SUMMARY, f"H{rows[option]}")] == live
        monthly = expected.monthly.filter(pl.col("row") == rec["row"]).sort("month")["monthly_cost_usd"].to_list()
        cumulative = layout.blocks[option]["cumulative_cost_usd"]
        running = 0.0
        for r, cost in zip(layout.month_rows, monthly):
            running += cost
            assert close(values[(SHEET, f"{cumulative}{r}")], running), (option, r)
    # the chart series of total cost by daily volume: every curve, live (API: a formula; others: a data table)
    series = chart_series(path, "small")
    chart_data = openpyxl.load_workbook(path, data_only=True)["Chart data"]
    volumes = [chart_data[cell].value for cell in series["(volumes)"]]
    totals = engine_curves(expected, "small", volumes)
    assert sorted(series) == sorted([*totals, "(volumes)"])
    for option, cells in series.items():
        if option == "(volumes)":
            continue
        assert EXPORTED_SERIES not in cells.header, option
        computed = [(values[("CHART DATA", cell)], volume, total) for cell, volume, total in zip(cells, volumes, totals[option])
                    if values[("CHART DATA", cell)] != NOT_COMPUTED]
        assert len(computed) >= TABLE_ROWS - 1, option
        for got, volume, total in computed:
            assert close(got, total), (option, volume, got, total)
    best = expected.options.filter(pl.col("rank") == 1).row(0, named=True)
    assert values[(SUMMARY, "B6")] == best["option"]
    assert close(values[(SUMMARY, "D6")], best["total_cost_usd"])
    assert values[(SUMMARY, "H6")] == recommendation(expected, "small")


class Series(list):
    """The cells of one curve on Chart data, and its column header."""

    header: str = ""


def chart_series(path: Path, scenario_id: str) -> dict[str, Series]:
    """Option id -> cells of the scenario's total-by-volume curve on Chart data; "(volumes)" -> its volume cells."""
    ws = openpyxl.load_workbook(path)["Chart data"]
    title = next(r for r in range(1, ws.max_row + 1)
                 if ws.cell(r, 1).value == f"{scenario_id}: total cost over the horizon by daily volume")
    last = next(r for r in range(title + 2, ws.max_row + 2) if not isinstance(ws.cell(r, 1).value, (int, float)))
    out = {"(volumes)": Series(f"A{r}" for r in range(title + 2, last))}
    for c in range(2, ws.max_column + 1):
        header = ws.cell(title + 1, c).value
        if not header:
            break
        out[header.split(" (")[0]] = Series(f"{get_column_letter(c)}{r}" for r in range(title + 2, last))
        out[header.split(" (")[0]].header = header
    return out


def engine_curves(expected, scenario_id: str, volumes: list[float]) -> dict[str, list[float]]:
    """Option id -> the engine's totals at `volumes` (an `auto` base picked again at each, as `tco breakeven` does)."""
    rows = [r for r in expected.rows if r.scenario_id == scenario_id]
    totals = totals_at_volumes_choosing_base([(r.values, [float(v) for v in volumes], r.base_auto) for r in rows])
    return {r.option_id: t for r, t in zip(rows, totals)}


@pytest.mark.xdist_group(GROUP)
def test_the_exported_file_shows_the_engine_figures_before_any_recalculation(small):
    results, path = small
    layout = calc_layout(path, "Calc small")
    book = openpyxl.load_workbook(path, data_only=True)
    calc, summary = book["Calc small"], book["Summary"]
    rows = summary_rows(path)
    for rec in results.options.iter_rows(named=True):
        for name in RESULTS:
            assert close(calc[layout.results[(rec["option"], name)]].value, rec[name]), (rec["option"], name)
        assert summary[f"A{rows[rec['option']]}"].value == shown_rank(results.options, rec)
    assert summary["H6"].value == recommendation(results, "small")
    with zipfile.ZipFile(path) as z:
        for name in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
            for cell in ElementTree.fromstring(z.read(name)).iter(f"{NS}c"):
                if cell.find(f"{NS}f") is not None:
                    v = cell.find(f"{NS}v")
                    assert cell.get("t") == "str" or (v is not None and v.text), (name, cell.get("r"))


@pytest.mark.slow
@pytest.mark.xdist_group(GROUP)
def test_the_recalculated_file_equals_its_cached_values(small, small_book):
    """What a reader sees before recalculating is what a spreadsheet computes."""
    _, path = small
    values = small_book.evaluate(table_rows=None)
    book = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path)
    compared = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cached = book[ws.title][cell.coordinate].value
                    got = values.get((ws.title.upper(), cell.coordinate))
                    if isinstance(cached, (int, float)) and not isinstance(cached, bool):
                        assert isinstance(got, (int, float)) and close(float(got), float(cached), 1e-9), (ws.title, cell.coordinate, got, cached)
                    elif isinstance(cached, str):
                        assert got == cached or (cached == "" and got in ("", None)) or str(got) == "empty", (ws.title, cell.coordinate, got, cached)
                    compared += 1
    assert compared > 500


TOKEN = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'!?|\$?[A-Za-z_][A-Za-z0-9_.]*(?:\$?\d+)?|\d+(?:\.\d*)?(?:[Ee][+-]?\d+)?|.')


def numeric_literals(formula: str) -> list[str]:
    """Numbers written in a formula, outside strings, sheet names, cell references and defined names."""
    return [t for t in TOKEN.findall(formula) if t[0].isdigit()]


def test_the_literal_finder_sees_numbers_and_nothing_else():
    assert numeric_literals("SUMPRODUCT($D$7:$D$18,E7:E18)*730/1e-12+'Calc 2024'!$A$1+x__a_2") == ["730", "1e-12"]
    assert numeric_literals('IF(A1>0.5,"30.4 days",1)+0') == ["0.5", "1", "0"]


@pytest.mark.parametrize("scenario_files", [[SMALL], [DATA / "two_scenarios.yaml"],
                                            pytest.param("examples", marks=pytest.mark.slow)])  # whole-example workbooks
def test_no_formula_holds_a_number_other_than_0_and_1(scenario_files, tmp_path):
    files = example_files() if scenario_files == "examples" else scenario_files
    results = run_scenarios(files, today=TODAY)
    path = export_workbook(results, tmp_path / "book.xlsx", month_rows=MONTH_ROWS)
    found = {}
    with zipfile.ZipFile(path) as z:
        for name in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
            for f in ElementTree.fromstring(z.read(name)).iter(f"{NS}f"):
                bad = [n for n in numeric_literals(f.text or "") if float(n) not in (0.0, 1.0)]
                if bad:
                    found.setdefault(name, (f.text, bad))
        # the workbook's defined names, read from its XML (openpyxl would parse every sheet: 4 s for the examples)
        names = {d.get("name") for d in ElementTree.fromstring(z.read("xl/workbook.xml")).iter(f"{NS}definedName")}
    assert found == {}
    assert {"hours_per_month", "days_per_month", "tokens_per_million", "months_per_year"} <= names


def changed(path: Path, **by_input) -> dict:
    cells = input_cells(path)
    out = {}
    for (option, name), value in by_input.items():
        out[("Inputs", cells[("small", option, name)])] = value
    return out


CHANGES = {
    "gpu price": ({("llama-8b", "gpu_usd_per_hour"): 3.1}, ["options.llama-8b.payment.gpu_usd_per_hour=3.1"]),
    "lower gpu price": ({("llama-8b", "gpu_usd_per_hour"): 1.9}, ["options.llama-8b.payment.gpu_usd_per_hour=1.9"]),
    "volume": ({("(all options)", "requests_per_day"): 240000.0}, ["workload.requests_per_day=240000"]),
    "shorter horizon": ({("(all options)", "horizon_months"): 3.0}, ["finance.horizon_months=3"]),
    "longer horizon": ({("(all options)", "horizon_months"): 11.0}, ["finance.horizon_months=11"]),
    "price decline": ({("(all options)", "api_price_decline_per_year"): 0.6}, ["finance.api_price_decline_per_year=0.6"]),
}


@pytest.mark.slow  # the `formulas` evaluator takes about a minute to read and compute the small workbook; the everyday
# run has LibreOffice recompute a changed copy of it instead (test_libreoffice_recalculates_a_changed_file_..., 5 s)
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.xdist_group(GROUP)
def test_a_changed_input_in_the_file_gives_what_tco_run_set_gives(small, small_book, change):
    _, path = small
    cells, overrides = CHANGES[change]
    values = small_book.evaluate({("Inputs", input_cells(path)[("small", o, n)]): v for (o, n), v in cells.items()}, TABLE_ROWS)
    expected = run_scenarios([SMALL], today=TODAY, overrides=overrides).results
    # the break-even volumes are live too (found in the sheet): the sentence names the engine's figure
    assert_workbook_follows(path, values, expected)
    assert [k for k, v in values.items() if isinstance(v, str) and v.startswith("#")] == []  # no error cell anywhere
    ws = openpyxl.load_workbook(path)["Checks"]
    found = [r for r in range(1, ws.max_row + 1) if "live break-even found" in str(ws.cell(r, 2).value)]
    assert len(found) == 2 and all(values[("CHECKS", f"F{r}")] == 1 for r in found)  # certified: green


@pytest.mark.slow
@pytest.mark.xdist_group(GROUP)
def test_a_horizon_beyond_the_month_rows_is_flagged_on_the_checks_sheet(small, small_book):
    _, path = small
    ws = openpyxl.load_workbook(path)["Checks"]
    row = next(r for r in range(1, ws.max_row + 1) if "horizon fits" in str(ws.cell(r, 2).value))
    cell = input_cells(path)[("small", "(all options)", "horizon_months")]
    assert small_book.evaluate({("Inputs", cell): float(MONTH_ROWS)})[("CHECKS", f"F{row}")] == 1
    beyond = small_book.evaluate({("Inputs", cell): float(MONTH_ROWS + 1)})
    assert beyond[("CHECKS", f"F{row}")] == 0
    assert beyond[("CHECKS", "F3")] == 0  # "all checks" turns red too


@pytest.mark.xdist_group(GROUP)
def test_inputs_carry_data_validation_with_the_schema_bounds(small):
    _, path = small
    ws = openpyxl.load_workbook(path)["Inputs"]
    cells = input_cells(path)
    by_cell = {str(r): dv for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    # scenario schema: monthly_growth in [-0.5, 2]; horizon 1..(month rows); discount in [0, 1]
    growth = by_cell[cells[("small", "(all options)", "monthly_growth")]]
    assert (float(growth.formula1), float(growth.formula2)) == (-0.5, 2.0)
    horizon = by_cell[cells[("small", "(all options)", "horizon_months")]]
    assert horizon.type == "whole" and (float(horizon.formula1), float(horizon.formula2)) == (1.0, float(MONTH_ROWS))
    price = cells[("small", "llama-8b", "gpu_usd_per_hour")]  # more than 0 (the schema's gt=0): a custom rule, `>`
    assert (by_cell[price].type, by_cell[price].formula1) == ("custom", f"{price}>0.0")


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
@pytest.mark.xdist_group(GROUP)
def test_libreoffice_recalculates_a_changed_file_to_the_engine_figures(small, tmp_path):
    """The everyday proof that the workbook is live: a changed GPU price and horizon, recomputed by the spreadsheet
    finance opens it in, give `tco run --set`'s totals, ranks and every point of every cost curve. (The `formulas`
    evaluator checks the same and more with -m slow; .ci/run installs LibreOffice for this test.)"""
    _, path = small
    book = openpyxl.load_workbook(path)  # openpyxl drops cached values on save: LibreOffice must recompute
    cells = input_cells(path)
    book["Inputs"][cells[("small", "llama-8b", "gpu_usd_per_hour")]] = 3.1
    book["Inputs"][cells[("small", "(all options)", "horizon_months")]] = 9
    source = tmp_path / "changed.xlsx"
    book.save(source)
    got = openpyxl.load_workbook(recalculated_by_libreoffice(source, tmp_path), data_only=True)
    expected = run_scenarios([SMALL], today=TODAY, with_breakeven=False,
                             overrides=["options.llama-8b.payment.gpu_usd_per_hour=3.1", "finance.horizon_months=9"]).results
    # every point of every cost-by-volume curve: LibreOffice computes the data tables (MULTIPLE.OPERATIONS)
    series = chart_series(path, "small")
    volumes = [got["Chart data"][cell].value for cell in series.pop("(volumes)")]
    totals = engine_curves(expected, "small", volumes)
    for option, cells in series.items():
        for cell, volume, total in zip(cells, volumes, totals[option], strict=True):
            assert close(got["Chart data"][cell].value, total), (option, volume, got["Chart data"][cell].value, total)
    layout = calc_layout(path, "Calc small")
    rows = summary_rows(path)
    for rec in expected.options.iter_rows(named=True):
        for name in RESULTS:
            assert close(got["Calc small"][layout.results[(rec["option"], name)]].value, rec[name]), (rec["option"], name)
        assert got["Summary"][f"A{rows[rec['option']]}"].value == shown_rank(expected.options, rec)
    best = expected.options.filter(pl.col("rank") == 1)["option"][0]
    assert got["Summary"]["B6"].value == best


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
@pytest.mark.slow
@pytest.mark.parametrize("example", [p.stem for p in example_files()])
def test_libreoffice_computes_every_cost_curve_of_a_changed_example(example, tmp_path):
    """Every point of every total-by-volume curve, after the volume (x1.7) and every rented GPU price (x1.3)
    change in the file, equals the engine's total at that volume with the same change (`tco run --set`).

    Covers the data tables LibreOffice 7.4 gets wrong without the settling row (purchased GPUs and
    Azure PTUs in the commitments example; tco.export.whatif.SETTLING_NOTE)."""
    source = next(p for p in example_files() if p.stem == example)
    run = run_scenarios([source], today=TODAY, with_breakeven=False)
    scenario_id = run.results.scenarios[0].id
    path = export_workbook(run, tmp_path / f"{example}.xlsx")
    book = openpyxl.load_workbook(path)
    overrides = []
    for (sid, option, name), cell in input_cells(path).items():
        value = book["Inputs"][cell].value
        if name == "requests_per_day":
            book["Inputs"][cell] = value * 1.7
            overrides.append(f"workload.requests_per_day={value * 1.7!r}")
        elif name == "gpu_usd_per_hour" and isinstance(value, float) and _rents_by_the_hour(run, option):
            book["Inputs"][cell] = value * 1.3
            overrides.append(f"options.{option}.payment.gpu_usd_per_hour={value * 1.3!r}")
    assert any(o.startswith("workload.") for o in overrides)
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    got = openpyxl.load_workbook(recalculated_by_libreoffice(changed, tmp_path, timeout_s=300), data_only=True)["Chart data"]
    expected = run_scenarios([source], today=TODAY, overrides=overrides, with_breakeven=False).results
    series = chart_series(path, scenario_id)
    volumes = [got[cell].value for cell in series.pop("(volumes)")]
    totals = engine_curves(expected, scenario_id, volumes)
    live = 0
    for option, cells in series.items():
        for cell, volume, total in zip(cells, volumes, totals[option], strict=True):
            assert close(got[cell].value, total), (option, volume, got[cell].value, total)
        live += EXPORTED_SERIES not in cells.header
    assert live >= len(series) - 1  # at most one curve (an `auto` base) holds exported values


def _rents_by_the_hour(run, option_id: str) -> bool:
    """A self-hosted option with one hourly GPU price (`--set options.ID.payment.gpu_usd_per_hour` reaches it)."""
    spec = next(o for s in run.results.scenarios for o in s.options if o.id == option_id)
    payment = getattr(spec, "payment", None)
    return payment is not None and getattr(payment, "mode", None) not in ("mixed", "purchased")


@pytest.mark.xdist_group(GROUP)
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_a_break_even_that_never_happens_reads_never_in_the_file_as_in_tco_run(small, tmp_path):
    """`never` in the exported cells and after LibreOffice recomputes them: the break-even month, the exported volume and
    the live volume of an option that never breaks even, on its Calculations sheet and on the Summary."""
    from tco.report.results import result_records
    from tco.report.run_table import cells

    results, path = small
    records = {r["option"]: r for r in result_records(results)}
    layout = calc_layout(path, "Calc small")
    rows = summary_rows(path)
    said = 0
    for book in (openpyxl.load_workbook(path, data_only=True), openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)):
        calc, summary = book["Calc small"], book["Summary"]
        for option, rec in records.items():
            cli = cells(list(records.values()), rec)
            if rec["breakeven_reference_option"] is None:
                continue
            for name, column in (("breakeven_month", "I"), ("breakeven_month_cash", "J"), ("breakeven_requests_per_day", "H")):
                if cli[name] == NEVER:
                    assert calc[layout.results[(option, name)]].value == NEVER, (option, name)
                    assert summary[f"{column}{rows[option]}"].value == NEVER, (option, name)
                    said += 1
            if rec["breakeven_requests_per_day"] is None:
                assert calc[layout.results[(option, "breakeven_requests_per_day_exported")]].value == NEVER, option
    assert said >= 2  # the small file has options whose break-even month never comes (else this test proves nothing)


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_a_tie_for_first_reads_as_a_tie_in_the_file_as_in_tco_run(tmp_path):
    """The batch-extraction example's two batch APIs cost the same to the cent: the Summary's sentence is `tco run`'s,
    in the exported file and after LibreOffice recomputes it."""
    from tco.report.results import result_records
    from tco.report.run_table import summary

    batch = [f for f in example_files() if f.stem == "batch-extraction"]
    run = run_scenarios(batch, today=TODAY)
    records = result_records(run.results)
    expected = summary(records, "batch-extraction")
    assert expected.startswith("A tie: ")  # the example still has its tie (else this test proves nothing)
    path = export_workbook(run, tmp_path / "batch.xlsx")
    for book in (openpyxl.load_workbook(path, data_only=True), openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)):
        assert book["Summary"]["H6"].value == expected


TWINS = """
schema_version: 1
scenarios:
  - id: twins
    workload: {requests_per_day: 20000, input_tokens: 1000, output_tokens: 200}
    finance: {horizon_months: 6, start_date: 2026-12-01}
    options:
      - {kind: api, id: mini-a, provider: openai, model: gpt-4.1-mini}
      - {kind: api, id: mini-b, provider: openai, model: gpt-4.1-mini}
      - {kind: api, id: full, provider: openai, model: gpt-4.1}
"""


@pytest.mark.slow  # LibreOffice recomputes a new file: 2-3 s (the everyday tie test above reads the same ranks)
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_two_identical_options_share_their_rank_in_the_file_as_in_tco_runs_table(tmp_path):
    """Equal totals share a rank (1, 1, 3: what an accountant and Excel's RANK.EQ expect, and `tco run`'s table shows as
    =1, =1, 3); before, the file ranked the twins 1 and 2. The overview's next best is the first option that costs more,
    as the sentence says ("... less than full"), not the twin at a saving of $0."""
    from tco.report.results import rank_text, result_records
    from tco.report.run_table import summary

    scenario = tmp_path / "twins.yaml"
    scenario.write_text(TWINS)
    run = run_scenarios([scenario], today=TODAY)
    records = result_records(run.results)
    assert [rank_text(records, r) for r in records] == ["=1", "=1", "3"]  # tco run's table
    full = records[2]
    saving = full["total_cost_usd"] - records[0]["total_cost_usd"]
    assert saving > 0
    path = export_workbook(run, tmp_path / "twins.xlsx")
    rows = summary_rows(path)
    for book in (openpyxl.load_workbook(path, data_only=True), openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)):
        sheet = book["Summary"]
        assert [sheet[f"A{rows[o]}"].value for o in ("mini-a", "mini-b", "full")] == [1, 1, 3]
        assert sheet["B6"].value == "mini-a" and sheet["E6"].value == "full"
        assert close(sheet["F6"].value, saving)
        assert sheet["H6"].value == summary(records, "twins")


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
@pytest.mark.slow  # a workbook of its own, recomputed by LibreOffice (about 20 s); everyday, tests/engine/test_breakeven_month.py
# checks the formula's text and its cached value against the engine, and the small workbook's `never` cells are recomputed
def test_libreoffice_finds_the_month_from_which_the_costs_stay_below_as_tco_run_does(tmp_path):
    """The growing-product example at 2,000,000 requests a day falling 30 % a month, API prices halving each year:
    hybrid-overflow's cumulative cost is below gpt-4.1's in months 1-20 and above it from month 21 (hunt 2026-12-07),
    so its break-even month is `never` (it was month 1); the rented llama fleet stays below from month 1."""
    overrides = ["workload.requests_per_day=2000000", "workload.monthly_growth=-0.3", "finance.api_price_decline_per_year=0.5"]
    run = run_scenarios([next(p for p in example_files() if p.stem == "growing-product")], today=TODAY, overrides=overrides)
    path = export_workbook(run, tmp_path / "crossing.xlsx")
    options = {r["option"]: r for r in run.results.options.iter_rows(named=True)}
    assert options["hybrid-overflow"]["breakeven_month"] is None and options["llama-3.3-70b-lambda"]["breakeven_month"] == 1
    layout = calc_layout(path, "Calc growing-product")
    calc = openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)["Calc growing-product"]
    for option in ("hybrid-overflow", "llama-3.3-70b-lambda"):
        for name in ("breakeven_month", "breakeven_month_cash"):
            expected = options[option][name]
            assert calc[layout.results[(option, name)]].value == (NEVER if expected is None else expected), (option, name)
