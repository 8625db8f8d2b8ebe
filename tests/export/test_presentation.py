"""The workbook reads as a finance model should (issue 17 item 6), checked by reading the exported file back.

Number formats on every figure, panes, widths and print setup on every sheet, clickable source links
that are never formulas, a live fiscal-year column, and charts with visible, titled, formatted axes
anchored clear of the tables and of each other. openpyxl does not load charts, so their XML is read
from the package directly.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from tco.export.calc_sheet import fiscal_year_label
from tco.export.excel import workbook_bytes
from tco.export.grid import PERCENT, USD, USD_WHOLE, WHOLE, Grid, _header_text
from tco.export.names import safe_url, urls_in
from tco.run import run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from workbook_reader import HAS_LIBREOFFICE, LIBREOFFICE_MISSING, recalculated_by_libreoffice  # noqa: E402

pytestmark = pytest.mark.xdist_group("presentation-workbook")
"""One worker runs this module, so the fiscal-year workbook (`book`), a module fixture, is computed once, not on each worker."""
DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)
EXPORTED = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.timezone.utc)
FISCAL = ["finance.start_date=2027-01-01", "finance.fiscal_year_start_month=4"]
CALC = "Calc small"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


def export(tmp_path_factory, overrides: list[str], name: str) -> Path:
    run = run_scenarios([DATA / "small.yaml"], today=TODAY, overrides=overrides)
    path = tmp_path_factory.mktemp("pres") / name
    path.write_bytes(workbook_bytes(run, generated=EXPORTED, month_rows=12))
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The small scenario from January 2027 with a fiscal year starting in April: (path, formulas, cached values)."""
    path = export(tmp_path_factory, FISCAL, "fiscal.xlsx")
    return path, openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def is_figure(cell, cached) -> bool:
    """A number, or a formula whose result is a number (openpyxl reads an empty text result as None)."""
    value = cell.value
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.startswith("=") and isinstance(cached, (int, float, dt.datetime))


def test_every_number_and_formula_cell_has_a_number_format(book):
    _, wb, values = book
    general, checked = [], 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if is_figure(cell, values[ws.title][cell.coordinate].value):
                    checked += 1
                    if cell.number_format == "General":
                        general.append((ws.title, cell.coordinate, cell.value))
    assert checked > 1000
    assert general == []


def test_money_shares_and_counts_carry_their_formats_on_the_calculations_sheet(book):
    _, wb, _ = book
    ws = wb[CALC]
    assert ws["A7"].number_format == WHOLE  # the month counter
    seen = set()
    for c in range(4, ws.max_column + 1):
        unit = ws.cell(6, c).value
        expected = {"USD": USD, "fraction": PERCENT, "requests": WHOLE, "flag": "0"}.get(unit)
        if expected and isinstance(ws.cell(7, c).value, str):
            assert ws.cell(7, c).number_format == expected, (ws.cell(5, c).value, unit)
            seen.add(unit)
    assert seen == {"USD", "fraction", "requests", "flag"}


def test_money_shows_whole_dollars_beyond_1000_on_every_sheet_that_has_cents(book):
    """A plain `$#,##0.00;-$#,##0.00` and a conditional-formatting rule that switches to whole dollars
    outside -1,000..1,000 (a conditional number format would lose the minus sign in LibreOffice)."""
    _, wb, _ = book
    for ws in wb.worksheets:
        money = [cell.coordinate for row in ws.iter_rows() for cell in row if cell.number_format == USD and cell.value is not None]
        if not money:
            continue
        rules = [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules
                 if rule.dxf is not None and rule.dxf.numFmt is not None and rule.dxf.numFmt.formatCode == USD_WHOLE]
        assert len(rules) == 1, ws.title
        ranges, rule = rules[0]
        assert (rule.type, rule.operator, rule.formula) == ("cellIs", "notBetween", ["-1000", "1000"])
        covered = openpyxl.worksheet.cell_range.MultiCellRange(ranges)
        assert all(coordinate in covered for coordinate in money), ws.title


def test_every_sheet_has_frozen_headers_widths_and_a_print_setup(book):
    _, wb, _ = book
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.column_dimensions["A"].width, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.oddHeader.center.text == "Small support bot", ws.title
        assert ws.oddHeader.right.text == "exported 2026-12-02", ws.title
        assert ws.oddFooter.left.text == "&A" and "&P" in ws.oddFooter.right.text, ws.title
    assert wb["Summary"].page_setup.fitToWidth == 1


def test_a_wide_calculations_sheet_prints_across_pages_with_its_month_columns_on_each(book):
    _, wb, _ = book
    ws = wb[CALC]
    assert ws.freeze_panes == "D7"  # month, date and fiscal year stay in view
    assert ws.print_title_cols == "$A:$C" and ws.print_title_rows == "$3:$6"
    assert ws.page_setup.fitToWidth >= 2  # ~100 columns on one page width would be unreadable


def test_a_header_doubles_ampersands_and_cuts_a_long_title():
    assert _header_text("R&D  bot") == "R&&D bot"
    long = _header_text("x" * 300)
    assert len(long) == 100 and long.endswith("…")


def test_sources_link_their_web_addresses_as_cell_hyperlinks_not_formulas(book):
    _, wb, _ = book
    ws = wb["Sources"]
    links = [(cell.coordinate, cell.value, cell.hyperlink.target) for row in ws.iter_rows() for cell in row if cell.hyperlink]
    assert len(links) >= 5
    for coordinate, text, target in links:
        assert target.startswith(("https://", "http://")), coordinate
        assert target in text or text.startswith("github.com/"), coordinate
    texts = [cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not any(t.startswith("=") for t in texts)
    assert all(cell.hyperlink for row in ws.iter_rows(min_row=4, min_col=4, max_col=4) for cell in row
               if isinstance(cell.value, str) and cell.value.startswith("https://"))
    inputs = wb["Inputs"]
    assert any(cell.hyperlink for row in inputs.iter_rows(min_row=4, min_col=8, max_col=8) for cell in row)


@pytest.mark.parametrize("text", ["javascript:alert(1)", "file:///etc/passwd", "http:///no-host", "mailto:a@b.com",
                                  "ftp://example.com/x", "scenario file"])
def test_only_plain_web_addresses_become_links(text):
    assert urls_in(text) == []
    assert safe_url(text) is None


def test_a_link_is_one_whole_web_address():
    assert safe_url("https://a b.com") is None and safe_url('https://a.com/"x') is None
    assert safe_url("https://example.com/p?q=1#f") == "https://example.com/p?q=1#f"
    assert urls_in("see https://a.com/x; https://b.org/y.") == ["https://a.com/x", "https://b.org/y"]


def test_a_github_citation_links_to_the_file_at_its_commit():
    text = "github.com/stas00/ml-engineering compute/accelerator/README.md @744d01e18b79512572f64a6bbd8b5f4a725203a7 (memory table)"
    assert urls_in(text) == ["https://github.com/stas00/ml-engineering/blob/744d01e18b79512572f64a6bbd8b5f4a725203a7/"
                             "compute/accelerator/README.md"]


def test_source_text_that_looks_like_a_formula_stays_inert_text(tmp_path):
    grid = Grid()
    grid.link(1, 1, '=HYPERLINK("javascript:alert(1)","click")')
    grid.link(2, 1, '=HYPERLINK("https://example.com/x","click")')
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("S")
    rows = grid.write_to(ws)
    buffer = tmp_path / "s.xlsx"
    wb.save(buffer)
    from tco.export.sheet_xml import fill_rows

    buffer.write_bytes(fill_rows(buffer.read_bytes(), {"S": rows}))
    back = openpyxl.load_workbook(buffer)["S"]
    assert back["A1"].data_type == "s" and back["A1"].quotePrefix and back["A1"].hyperlink is None
    assert back["A2"].data_type == "s" and back["A2"].hyperlink.target == "https://example.com/x"


def test_fiscal_years_are_named_by_the_calendar_year_they_end_in():
    """Convention: FY2028 runs April 2027 to March 2028 when the year starts in April; 1 = the calendar year."""
    assert [fiscal_year_label(dt.date(2027, m, 1), 4) for m in (1, 3, 4, 12)] == ["FY2027", "FY2027", "FY2028", "FY2028"]
    assert fiscal_year_label(dt.date(2028, 3, 1), 4) == "FY2028"
    assert fiscal_year_label(dt.date(2027, 5, 1), 1) == "FY2027"
    assert fiscal_year_label(dt.date(2027, 12, 1), 12) == "FY2028"


def test_the_calculations_sheet_labels_each_month_with_a_live_fiscal_year(book):
    """Start 2027-01, fiscal year from April: January to March 2027 are FY2027, April 2027 on FY2028."""
    _, wb, values = book
    ws, cached = wb[CALC], values[CALC]
    assert (ws["C4"].value, ws["C5"].value) == ("fiscal year", "fiscal_year")
    labels = [cached.cell(r, 3).value for r in range(7, 19)]
    assert labels == ["FY2027"] * 3 + ["FY2028"] * 9
    assert [cached.cell(r, 2).value.date() for r in (7, 10)] == [dt.date(2027, 1, 1), dt.date(2027, 4, 1)]
    formula = ws["C10"].value
    assert "fiscal_year_start_month__small" in formula and "$B10" in formula
    assert re.findall(r"(?<![A-Z$_])\d+(?:\.\d+)?", formula.replace("$B10", "")) in (["1", "1", "0"], ["1", "0", "1"])
    name = wb.defined_names["fiscal_year_start_month__small"]
    sheet, cell = next(iter(name.destinations))
    assert (sheet, wb[sheet][cell.replace("$", "")].value) == ("Inputs", 4)
    validation = next(v for v in wb["Inputs"].data_validations.dataValidation if cell.replace("$", "") in str(v.sqref))
    assert (validation.type, validation.formula1, validation.formula2) == ("whole", "1.0", "12.0")


def test_no_fiscal_year_column_unless_the_scenario_sets_one(tmp_path_factory):
    wb = openpyxl.load_workbook(export(tmp_path_factory, [], "plain.xlsx"))
    assert wb[CALC]["C4"].value != "fiscal year"
    assert "fiscal_year_start_month__small" not in wb.defined_names


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_computes_the_fiscal_years_after_the_start_month_changes(book, tmp_path):
    """July instead of April: LibreOffice recalculates the labels from the input cell (Jan-Jun FY2027, Jul on FY2028)."""
    path, wb, _ = book
    sheet, cell = next(iter(wb.defined_names["fiscal_year_start_month__small"].destinations))
    edited = openpyxl.load_workbook(path)
    edited[sheet][cell.replace("$", "")] = 7
    source = tmp_path / "in.xlsx"
    edited.save(source)
    ws = openpyxl.load_workbook(recalculated_by_libreoffice(source, tmp_path), data_only=True)[CALC]
    assert [ws.cell(r, 3).value for r in range(7, 19)] == ["FY2027"] * 6 + ["FY2028"] * 6


@pytest.fixture(scope="module")
def month_end_book(tmp_path_factory):
    """The small scenario starting on 31 January 2027, fiscal year from March: (path, cached values)."""
    path = export(tmp_path_factory, ["finance.start_date=2027-01-31", "finance.fiscal_year_start_month=3"], "month-end.xlsx")
    return path, openpyxl.load_workbook(path, data_only=True)


# A month starting on the 31st: the engine's month k starts on the same day k-1 months later, or on the month's last
# day when it is shorter (tco.engine.api_price.add_months, which also dates the API price changes); Excel's
# EDATE does the same. Month 2 of a 31 January start is 28 February 2027 (2027 is no leap year), not 3 March
# (DATE(2027, 2, 31) rolls over): February was missing from the sheet and March came twice.
MONTH_END_DATES = [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30), dt.date(2027, 5, 31)]
# Fiscal year from March, named by the calendar year it ends in: January and February 2027 are FY2027, March on FY2028.
MONTH_END_YEARS = ["FY2027", "FY2027", "FY2028", "FY2028", "FY2028"]


def test_months_from_a_31st_are_dated_as_the_engine_dates_them(month_end_book):
    _, values = month_end_book
    ws = values[CALC]
    assert [ws.cell(r, 2).value.date() for r in range(7, 12)] == MONTH_END_DATES
    assert [ws.cell(r, 3).value for r in range(7, 12)] == MONTH_END_YEARS


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason=LIBREOFFICE_MISSING)
def test_libreoffice_dates_months_from_a_31st_as_the_engine(month_end_book, tmp_path):
    path, _ = month_end_book
    ws = openpyxl.load_workbook(recalculated_by_libreoffice(path, tmp_path), data_only=True)[CALC]
    assert [ws.cell(r, 2).value.date() for r in range(7, 12)] == MONTH_END_DATES
    assert [ws.cell(r, 3).value for r in range(7, 12)] == MONTH_END_YEARS


def test_the_summary_shows_each_scenarios_horizon(book):
    _, wb, values = book
    ws = wb["Summary"]
    assert ws["G5"].value == "horizon (months)"
    assert ws["G6"].value == "=horizon_months__small" and values["Summary"]["G6"].value == 6


def chart_parts(path: Path) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(path) as z:
        return {n: ElementTree.fromstring(z.read(n)) for n in z.namelist() if n.startswith("xl/charts/chart")}


def test_charts_have_short_titles_and_visible_titled_formatted_axes(book):
    path, _, _ = book
    charts = chart_parts(path)
    assert len(charts) == 3
    for name, chart in charts.items():
        title = "".join(t.text for t in chart.find(f"{C}chart/{C}title").iter(f"{A}t"))
        assert 0 < len(title) <= 60, (name, title)
        assert chart.find(f"{C}chart/{C}legend/{C}legendPos").get("val") == "b", name
        axes = [a for tag in ("valAx", "catAx") for a in chart.iter(f"{C}{tag}")]
        assert len(axes) == 2, name
        for axis in axes:
            assert axis.find(f"{C}delete").get("val") == "0", name
            assert "".join(t.text for t in axis.find(f"{C}title").iter(f"{A}t")), name
        for axis in chart.iter(f"{C}valAx"):
            code = axis.find(f"{C}numFmt").get("formatCode")
            assert code in (USD_WHOLE, WHOLE), (name, code)  # no cents on a currency axis, thousands separators
    scatter = next(c for c in charts.values() if c.find(f".//{C}scatterChart") is not None)
    assert [a.find(f"{C}scaling/{C}logBase").get("val") for a in scatter.iter(f"{C}valAx")] == ["10", "10"]


def test_charts_are_anchored_clear_of_the_tables_and_of_each_other(book):
    path, wb, _ = book
    with zipfile.ZipFile(path) as z:
        drawing = ElementTree.fromstring(z.read("xl/drawings/drawing1.xml"))
    boxes = []
    for anchor in drawing.iter(f"{XDR}twoCellAnchor"):
        start, end = anchor.find(f"{XDR}from"), anchor.find(f"{XDR}to")
        boxes.append(tuple(int(m.find(f"{XDR}{k}").text) for m in (start, end) for k in ("col", "row")))
    assert len(boxes) == 3
    for i, (c0, r0, c1, r1) in enumerate(boxes):
        for (d0, s0, d1, s1) in boxes[i + 1:]:
            assert c1 < d0 or d1 < c0 or r1 < s0 or s1 < r0, "two charts overlap"
    ws = wb["Summary"]
    used = [(cell.column - 1, cell.row - 1) for row in ws.iter_rows() for cell in row if cell.value not in (None, "")]
    for c0, r0, c1, r1 in boxes:
        assert not any(c0 <= c <= c1 and r0 <= r <= r1 for c, r in used), "a chart covers a table"


def test_the_checks_pass_fail_colours_cover_only_cells_that_hold_a_status(book):
    """A pass/fail rule on an empty cell would show red (an empty cell equals 0 to a conditional format)."""
    _, wb, _ = book
    ws = wb["Checks"]
    ranges = [cf.sqref for cf in ws.conditional_formatting for rule in cf.rules if rule.type == "cellIs" and rule.formula == ["0"]]
    assert ranges
    for sqref in ranges:
        for cell_range in sqref.ranges:
            for row in ws.iter_rows(min_row=cell_range.min_row, max_row=cell_range.max_row,
                                    min_col=cell_range.min_col, max_col=cell_range.max_col):
                for cell in row:
                    assert isinstance(cell.value, str) and cell.value.startswith("="), cell.coordinate


def test_inputs_that_llm_tco_looks_up_again_say_the_sheet_keeps_the_looked_up_figures(book):
    """`--set options.ID.gpus_per_replica=4` (or workload.input_tokens) re-resolves the option: the throughput model is
    asked again. The sheet cannot: in the audit, customer-support's fleet edited from 2 to 4 GPUs per replica in the file
    recomputed to 5.4 % utilization where `tco run --set` says 2.7 %. The Inputs sheet says so on those rows only."""
    _, wb, _ = book
    ws = wb["Inputs"]
    notes = {(row[1].value, row[2].value): row[9].value or "" for row in ws.iter_rows(min_row=4) if len(row) >= 10}
    for key in (("llama-8b", "gpus_per_replica"), ("(all options)", "input_tokens"), ("(all options)", "output_tokens")):
        assert "export again" in notes[key] and "tco run --set" in notes[key], key
    for key in (("(all options)", "requests_per_day"), ("llama-8b", "gpu_usd_per_hour"), ("(all options)", "monthly_growth")):
        assert "tco run --set" not in notes[key], key


def test_a_price_change_inside_a_month_shows_its_fraction_on_the_inputs_sheet():
    """A change on the 17th of a 31-day month 1 takes effect at month 1.52 (tco.engine.api_price._price_changes); a
    whole-number format showed it as 2, the month after."""
    from tco.engine import formulas as F
    from tco.export.grid import WHOLE, number_format_for

    assert all(number_format_for(when.unit) != WHOLE for when in F.price_change_month)


def test_a_checks_bound_or_tolerance_reads_in_the_format_of_the_value_it_limits(book):
    """A 200 % bound beside a value of 2.00 % read "2", a 1 % tolerance beside a relative difference read "0.01"."""
    _, wb, _ = book
    ws = wb["Checks"]
    percent_rows = 0
    for r in range(6, ws.max_row + 1):
        value_format = ws.cell(r, 3).number_format
        if "%" not in value_format:
            continue
        percent_rows += 1
        for c in (4, 5):
            if isinstance(ws.cell(r, c).value, (int, float)):
                assert ws.cell(r, c).number_format == value_format, (ws.cell(r, 2).value, ws.cell(r, c).coordinate)
    labels = [ws.cell(r, 2).value or "" for r in range(6, ws.max_row + 1)]
    assert percent_rows and any("live break-even equals" in label for label in labels)


def test_summary_money_has_cents_below_1000_as_the_workbook_readme_says(book):
    """Totals, NPVs and the saving are in the money format (whole dollars only beyond $1,000, by the sheet's rule)."""
    _, wb, _ = book
    ws = wb["Summary"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "rank")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    for name in ("total cost", "NPV"):
        assert ws.cell(header + 1, columns[name]).number_format == USD, name
    assert ws["D6"].number_format == USD  # the cheapest option's total in the scenarios table


def test_the_reference_total_per_daily_request_is_money(book):
    _, wb, _ = book
    ws = wb[CALC]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "reference_usd_per_daily_request")
    assert ws.cell(row, 3).value == "USD per request/day"
    cells = [ws.cell(row, c) for c in range(4, ws.max_column + 1) if ws.cell(row, c).value is not None]
    assert cells and all(cell.number_format == USD for cell in cells)
