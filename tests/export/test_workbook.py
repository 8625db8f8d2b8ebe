"""The exported workbook computes what the engine computes, with live formulas.

Each workbook is evaluated by the `formulas` package (an evaluator independent of the exporter)
and every figure is compared with the engine's results. Evaluating costs ~3 ms a formula, so the
default run uses a 6-month scenario; the bundled examples are checked under `-m slow`.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import polars as pl
import pytest

from tco.engine import formulas as F
from tco.engine.ranking import NEVER
from tco.export.excel import export_workbook
from tco.run import run_scenarios
sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, calc_layout, evaluate, input_cells, recalculated_by_libreoffice  # noqa: E402
import small_workbook_settings  # noqa: E402

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)
pytestmark = pytest.mark.xdist_group(small_workbook_settings.GROUP)
"""One worker runs this module's tests (those marked with a group of their own keep it): the small workbook, read by
the evaluator (conftest.py), is then read once, not once on each worker, and test_live_model.py's tests of it join."""
REL = 1e-9


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-9)


def sheet_of(scenario_id: str) -> str:
    return f"Calc {scenario_id}"[:31]


def check_against_engine(results, path: Path, values=None) -> int:
    """Every horizon result, monthly cost and break-even cell of every scenario; returns cells compared."""
    values = values or evaluate(path)
    compared = 0
    for scenario in results.scenarios:
        layout = calc_layout(path, sheet_of(scenario.id))
        sheet = layout.sheet.upper()
        opts = results.options.filter(pl.col("scenario") == scenario.id)
        for rec in opts.iter_rows(named=True):
            option = rec["option"]

            def got(name: str):
                return values[(sheet, layout.results[(option, name)])]

            for name in ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd", "cost_per_llm_call_usd"):
                assert close(got(name), rec[name]), (scenario.id, option, name, got(name), rec[name])
                compared += 1
            for line in F.COST_LINES:
                assert close(got(f"total_{line.name}"), rec[line.name]), (scenario.id, option, line.name)
                compared += 1
            if rec["kind"] != "api":
                assert close(got("gpus_peak"), rec["gpus_peak"])
                compared += 1
            monthly = results.monthly.filter(pl.col("row") == rec["row"]).sort("month")["monthly_cost_usd"].to_list()
            column = layout.blocks[option]["monthly_cost_usd"]
            assert len(layout.month_rows) >= len(monthly)  # month rows up to the workbook's maximum horizon
            for r, expected in zip(layout.month_rows, monthly):
                assert close(values[(sheet, f"{column}{r}")], expected), (scenario.id, option, r)
                compared += 1
            for r in layout.month_rows[len(monthly):]:  # months beyond the horizon cost nothing
                assert values[(sheet, f"{column}{r}")] == 0, (scenario.id, option, r)
            if rec["breakeven_reference_option"] is not None:
                for name in ("breakeven_month", "breakeven_month_cash"):
                    month = got(name)
                    assert (month == NEVER) if rec[name] is None else (month == rec[name]), (option, name, month)
                    compared += 1
                if rec["breakeven_requests_per_day"] is not None:
                    be = results.breakevens[rec["row"]]
                    # unchanged inputs: the live search stays at the exported volume and certifies it
                    assert close(got("breakeven_requests_per_day"), be.requests_per_day)
                    assert got("breakeven_search_certified") == 1
                    assert close(got("reference_total_at_breakeven_usd"), be.api_total_usd)
                    if not be.at_step:
                        assert abs(got("search_1_difference_usd")) <= 1e-6 * be.api_total_usd
                    compared += 4
    return compared


@pytest.fixture(scope="module")
def small_run(small_export):
    return small_export[0]


@pytest.fixture(scope="module")
def small(small_workbook):
    run, path, book = small_workbook
    return run.results, path, book.evaluate()


@pytest.mark.slow  # the `formulas` evaluator takes a minute on it; everyday, LibreOffice recomputes a changed copy (test_live_model.py)
def test_small_workbook_matches_engine(small):
    results, path, values = small
    assert check_against_engine(results, path, values) > 60
    errors = [k for k, v in values.items() if isinstance(v, str) and v.startswith("#")]
    assert errors == []


def test_formulas_are_live_and_reference_named_inputs(small_export):
    _, path = small_export
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet_of("small")]
    layout = calc_layout(path, sheet_of("small"))
    cell = ws[f"{layout.blocks['gpt4o']['requests_in_month']}{layout.month_rows[0]}"].value
    assert cell.startswith("=") and "requests_per_day__small" in cell
    rental = ws[f"{layout.blocks['llama-8b']['gpu_rental_usd']}{layout.month_rows[0]}"].value
    assert "gpu_usd_per_hour__small__llama_8b" in rental
    assert "gpu_rental_usd" not in layout.blocks["gpt4o"]  # an API option carries no GPU columns
    assert ws[layout.results[("gpt4o", "total_cost_usd")]].value.startswith("=SUMPRODUCT(")  # masked by the in-horizon flag
    # the month after the last one the cumulative is above the reference's (tco.engine.breakeven.breakeven_month)
    assert "SUMPRODUCT(MAX((" in ws[layout.results[("mix", "breakeven_month")]].value
    assert set(wb.defined_names) >= {"monthly_growth__small", "gpu_usd_per_hour__small__llama_8b", "input_usd_per_million_tokens__small__gpt4o"}
    inputs = wb["Inputs"]
    row = next(r for r in inputs.iter_rows(min_row=4) if r[6].value == "gpu_usd_per_hour__small__llama_8b")
    assert row[5].font.color.rgb.endswith("0000FF") and row[5].fill.fgColor.rgb.endswith("FFFFCC")
    assert row[7].value and row[8].value  # the offer's source and date
    assert {"Summary", "Inputs", "Sources", "About", "Chart data"} <= set(wb.sheetnames)


def test_an_excluded_bound_is_checked_as_excluded(small_export):
    """requests_per_day must be more than 0 (the scenario schema's gt=0): the Checks sheet and the cell's validation
    tested `>= 0`, so a 0 typed into the workbook passed them while every llm-tco command refuses it."""
    _, path = small_export
    wb = openpyxl.load_workbook(path)
    checks = next(r for r in wb["Checks"].iter_rows() if r[1].value and str(r[1].value).endswith("/ requests_per_day within the schema's bounds"))
    status = next(c.value for c in checks if isinstance(c.value, str) and c.value.startswith("=IF(AND("))
    assert ">D" in status and ">=D" not in status
    inputs = wb["Inputs"]
    row = next(r[0].row for r in inputs.iter_rows(min_row=4) if r[2].value == "requests_per_day" and r[6].value)
    [rule] = [dv for dv in inputs.data_validations.dataValidation if f"F{row}" in str(dv.sqref)]
    assert (rule.type, rule.formula1) == ("custom", f"F{row}>0.0")


@pytest.mark.slow  # tests/export/test_live_model.py checks a changed file against --set in the everyday run
def test_changed_inputs_give_the_engine_totals_with_the_same_overrides(small, small_workbook):
    results, path, _ = small
    cells = input_cells(path)
    gpu_price = results.row("small", "llama-8b").values["gpu_usd_per_hour"]
    changed = {
        ("Inputs", cells[("small", "llama-8b", "gpu_usd_per_hour")]): gpu_price * 1.5,
        ("Inputs", cells[("small", "(all options)", "monthly_growth")]): 0.12,
    }
    values = small_workbook[2].evaluate(changed)
    expected = run_scenarios([DATA / "small.yaml"], today=TODAY, with_breakeven=False, overrides=[
        f"options.llama-8b.payment.gpu_usd_per_hour={gpu_price * 1.5!r}", "workload.monthly_growth=0.12"]).results
    layout = calc_layout(path, sheet_of("small"))
    for rec in expected.options.iter_rows(named=True):
        got = values[(layout.sheet.upper(), layout.results[(rec["option"], "total_cost_usd")])]
        assert close(got, rec["total_cost_usd"]), (rec["option"], got, rec["total_cost_usd"])
    before = results.options.filter(pl.col("option") == "mix")["total_cost_usd"][0]
    assert not close(expected.options.filter(pl.col("option") == "mix")["total_cost_usd"][0], before)  # the hybrid follows its part


def test_user_text_that_looks_like_a_formula_stays_text(tmp_path):
    text = (DATA / "small.yaml").read_text().replace("name: Small support bot", "name: '=HYPERLINK(\"http://x.invalid\",\"click\")'")
    scenario_file = tmp_path / "evil.yaml"
    scenario_file.write_text(text)
    run = run_scenarios([scenario_file], today=TODAY, with_breakeven=False)
    path = export_workbook(run, tmp_path / "evil.xlsx")
    wb = openpyxl.load_workbook(path)
    title = wb[sheet_of("small")]["A1"]
    assert title.value == 'Calculations: =HYPERLINK("http://x.invalid","click")'
    summary = [c for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert summary and all(c.data_type == "s" for c in summary)
    leading = [c for c in summary if c.value.startswith("=")]
    assert leading and all(c.quotePrefix for c in leading)
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>HYPERLINK" not in xml


def test_an_existing_file_is_backed_up_not_lost(small_run, tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the previous workbook")
    export_workbook(small_run, target)
    assert (tmp_path / "book.xlsx.bak").read_bytes() == b"the previous workbook"
    assert zipfile.is_zipfile(target)


def test_many_scenarios_in_one_workbook(tmp_path):
    run = run_scenarios([DATA / "two_scenarios.yaml"], today=TODAY)
    path = export_workbook(run, tmp_path / "two.xlsx")
    # read-only: a full load of these two Calc sheets (1,300 columns) is 6-10 s; the charts are read from the file
    wb = openpyxl.load_workbook(path, read_only=True)
    assert {"Calc support-chat", "Calc agent-owned"} <= set(wb.sheetnames)
    assert [row[0] for row in wb["Summary"].iter_rows(min_row=6, max_row=7, max_col=1, values_only=True)] == [
        "support-chat", "agent-owned"]
    wb.close()
    assert charts_on(path, "Summary") >= 4  # cumulative and volume charts per scenario (tornado when available)
    assert charts_on(path, "Checks") == 0  # a sheet with no relationships part at all


def charts_on(path: Path, sheet: str) -> int:
    """Charts drawn on `sheet`, followed through the package's relationships (workbook -> sheet -> drawing)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

    def targets(z: zipfile.ZipFile, part: str, kind: str) -> list[str]:
        folder, name = posixpath.split(part)
        rels_part = f"{folder}/_rels/{name}.rels"
        if rels_part not in z.namelist():  # a part with no relationships points at nothing
            return []
        rels = ElementTree.fromstring(z.read(rels_part))
        return [posixpath.normpath(posixpath.join(folder, r.get("Target"))) if not r.get("Target").startswith("/")
                else r.get("Target")[1:] for r in rels if r.get("Type").endswith(f"/{kind}")]

    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        wanted = next(s.get(rel_id) for s in book.iter(f"{main}sheet") if s.get("name") == sheet)
        target = next(r.get("Target") for r in rels if r.get("Id") == wanted)
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        return sum(len(targets(z, drawing, "chart")) for drawing in targets(z, part, "drawing"))


@pytest.mark.slow  # 3 s; everyday, LibreOffice recomputes a changed copy of the same file (tests/export/test_live_model.py)
@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_recomputes_without_error_cells(small_export, tmp_path):
    run, path = small_export
    results = run.results
    wb = openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)
    errors = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("#") and c.value.rstrip("!?0/").upper() in
              {"#NAME", "#VALUE", "#REF", "#DIV", "#N/A", "#NUM", "#NULL"}]
    assert errors == []
    layout = calc_layout(path, sheet_of("small"))
    ws = wb[layout.sheet]
    for rec in results.options.iter_rows(named=True):
        got = ws[layout.results[(rec["option"], "total_cost_usd")]].value
        assert close(got, rec["total_cost_usd"]), (rec["option"], got)
