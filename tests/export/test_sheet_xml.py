"""The rows written as XML by the exporter read back as the cells that were laid out.

Read back with openpyxl (a reader independent of the writer); the package is also checked for
what Excel insists on and openpyxl does not: rows in ascending order, cells in column order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import polars as pl
import pytest
from openpyxl import Workbook
from openpyxl.utils import coordinate_to_tuple

from tco.engine.sensitivity import tornado, tornadoes
from tco.export.excel import workbook_bytes
from tco.export.grid import PREVIOUS_ROW, ROW, USD, Grid, RepeatedColumn, RepeatedRows
from tco.export.sheet_xml import fill_rows
from tco.run import run_scenarios

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def saved(grids: dict[str, Grid]) -> openpyxl.Workbook:
    wb = Workbook(write_only=True)
    rows = {name: grid.write_to(wb.create_sheet(name)) for name, grid in grids.items()}
    buffer = io.BytesIO()
    wb.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(fill_rows(buffer.getvalue(), rows)))


def test_text_numbers_and_formulas_read_back_as_laid_out():
    g = Grid()
    g.text(1, 1, "a<b & c>d", "title")
    g.text(1, 3, "  padded  ")
    g.text(2, 2, "bell\x07ring")  # a control character XML cannot carry is dropped, not a crash
    g.text(2, 1, "=1+1")
    g.put(3, 1, 0.1 + 0.2, "input", USD)
    g.put(3, 2, 7)
    g.put(3, 3, True)
    g.formula(4, 2, 'IF(A3<1,"x&y",B3)')
    g.put(5, 1, 2.5, comment="a note kept by openpyxl")
    g.text(5, 2, "same row as a comment")
    ws = saved({"S": g})["S"]
    assert ws["A1"].value == "a<b & c>d" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["C1"].value == "  padded  "
    assert ws["B2"].value == "bellring"
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["A3"].value == 0.30000000000000004  # the exact float, not 0.3 from 16 digits
    assert ws["A3"].number_format == USD and ws["A3"].font.color.rgb.endswith("0000FF")
    assert ws["B3"].value == 7 and ws["C3"].value is True
    assert ws["B4"].value == '=IF(A3<1,"x&y",B3)'
    assert ws["A5"].value == 2.5 and ws["A5"].comment.text == "a note kept by openpyxl"
    assert ws["B5"].value == "same row as a comment"


def test_repeated_rows_fill_in_their_row_numbers():
    g = Grid()
    g.text(1, 2, "cost")
    g.repeat(RepeatedRows(2, 4, [
        RepeatedColumn(3, f"C{PREVIOUS_ROW}+B{ROW}", USD, first_row_template=f"B{ROW}"),
        RepeatedColumn(2, f"$A{ROW}*10"),
    ], counter_column=1))
    g.formula(5, 3, "SUM(C2:C4)")
    ws = saved({"S": g})["S"]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=5)]
    assert got == [[1, "=$A2*10", "=B2"], [2, "=$A3*10", "=C2+B3"], [3, "=$A4*10", "=C3+B4"], [None, None, "=SUM(C2:C4)"]]
    assert ws["C3"].number_format == USD


def test_a_filled_down_column_is_one_shared_formula_from_its_first_repeated_row():
    """As Excel writes a filled-down column: the run's first cell holds the text and the range, the
    others only the group's index (a third of a big workbook's XML otherwise)."""
    g = Grid()
    g.repeat(RepeatedRows(2, 5, [
        RepeatedColumn(3, f"C{PREVIOUS_ROW}+B{ROW}", USD, first_row_template=f"B{ROW}"),
        RepeatedColumn(2, f"$A{ROW}*10"),
    ], counter_column=1))
    g.repeat(RepeatedRows(7, 7, [RepeatedColumn(2, f"A{ROW}+1")]))  # a run of one row: its own formula
    wb = Workbook(write_only=True)
    rows = g.write_to(wb.create_sheet("S"))
    buffer = io.BytesIO()
    wb.save(buffer)
    package = zipfile.ZipFile(io.BytesIO(fill_rows(buffer.getvalue(), {"S": rows})))
    sheet = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml")).find(f"{NS}sheetData")
    formula = {c.get("r"): c.find(f"{NS}f") for row in sheet for c in row if c.find(f"{NS}f") is not None}
    shape = {ref: (f.get("t"), f.get("ref"), f.get("si"), f.text) for ref, f in formula.items()}
    assert shape == {
        "B2": ("shared", "B2:B5", "0", "$A2*10"), "B3": ("shared", None, "0", None), "B4": ("shared", None, "0", None),
        "B5": ("shared", None, "0", None),
        "C2": (None, None, None, "B2"), "C3": ("shared", "C3:C5", "1", "C2+B3"), "C4": ("shared", None, "1", None),
        "C5": ("shared", None, "1", None),
        "B7": (None, None, None, "A7+1"),
    }


def test_a_row_cannot_be_both_repeated_and_laid_out():
    g = Grid()
    g.repeat(RepeatedRows(2, 3, [RepeatedColumn(2, f"A{ROW}")], counter_column=1))
    g.text(3, 5, "clash")
    with pytest.raises(ValueError, match="row 3"):
        g.write_to(Workbook(write_only=True).create_sheet("S"))


@pytest.mark.slow  # a whole two-scenario export (about 3.5 s); everyday, the tests above check the writer's row and cell order on its own grids
def test_exported_sheets_have_rows_and_cells_in_order():
    run = run_scenarios([DATA / "two_scenarios.yaml"], today=TODAY)
    results = run.results
    package = zipfile.ZipFile(io.BytesIO(workbook_bytes(run)))
    sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 8  # Summary, Inputs, Checks, two Calculations, Sources, About, Chart data
    formulas = 0
    for name in sheets:
        data = ElementTree.fromstring(package.read(name)).find(f"{NS}sheetData")
        rows = [int(r.get("r")) for r in data]
        assert rows == sorted(set(rows)), name
        for row in data:
            cells = [coordinate_to_tuple(c.get("r")) for c in row]
            assert all(r == int(row.get("r")) for r, _ in cells), name
            columns = [c for _, c in cells]
            assert columns == sorted(set(columns)), (name, row.get("r"))
            formulas += sum(1 for c in row if c.find(f"{NS}f") is not None)
    assert formulas > 1000


def test_tornadoes_at_once_equal_one_at_a_time():
    results = run_scenarios([DATA / "two_scenarios.yaml"], today=TODAY).results
    pairs = [(r["scenario"], r["option"]) for r in results.options.iter_rows(named=True)]
    assert len(pairs) >= 4
    assert tornadoes(results, pairs) == [tornado(results, s, o) for s, o in pairs]
    assert tornadoes(results, pairs, sort_by="difference") == [tornado(results, s, o, sort_by="difference") for s, o in pairs]


def test_a_shorter_horizon_stops_counting_requests_when_evaluated_next_to_a_longer_one():
    """The workbook divides by the requests of its own month rows; the engine must count the same months."""
    results = run_scenarios([DATA / "two_scenarios.yaml"], today=TODAY).results
    short = results.options.filter((pl.col("scenario") == "support-chat") & (pl.col("option") == "gpt-4o")).row(0, named=True)
    requests = 40000 * 365 / 12 * sum(1.04 ** k for k in range(24))  # 24 months, 4 % monthly growth
    assert math.isclose(short["cost_per_request_usd"], short["total_cost_usd"] / requests, rel_tol=1e-12)


def test_a_column_s_cached_values_are_each_value_s_cached_result():
    """The short way for a column of finite floats gives what `cached_value` gives value by value; any other
    column (text, flags, empty or infinite results, a sum that overflows) takes the long way, to the same result."""
    from tco.export.sheet_xml import cached_value, cached_values

    for values in ([0.1, 2.0, -3.5e-12, 1e300], [1e308, 1e308], [1.0, math.inf], [math.nan], [1.0, None, "a<b", True, 2],
                   [None, None], []):
        pairs = [cached_value(v) for v in values]
        kinds, texts = cached_values(values)
        assert texts == [text for _, text in pairs]
        assert (kinds or [""] * len(values)) == [kind for kind, _ in pairs]
        assert kinds is None or any(kinds)


def test_repeated_rows_carry_each_cell_s_own_cached_value_and_type():
    """Columns of floats, of mixed results and with no values side by side: each cell keeps its own cached value."""
    g = Grid()
    g.repeat(RepeatedRows(2, 4, [
        RepeatedColumn(2, f"$A{ROW}*10", values=[10.0, 20.0, 30.0]),
        RepeatedColumn(3, f'IF($A{ROW}=2,"two",$A{ROW})', values=[1.0, "t<wo", None]),
        RepeatedColumn(4, f"B{ROW}+1"),
        RepeatedColumn(5, f"$A{ROW}=1", values=[True, False, math.inf]),
    ], counter_column=1))
    wb = Workbook(write_only=True)
    rows = g.write_to(wb.create_sheet("S"))
    wb.save(io.BytesIO())  # closes the sheet's stream
    cells = {r: re.findall(r'<c r="([A-Z]+)\d+"[^>]*?( t="\w+")?>(?:<f[^>]*>[^<]*</f>|<f[^>]*/>)<v>([^<]*)</v>', xml) for r, xml in rows.items()}
    assert cells == {
        2: [("B", "", "10.0"), ("C", "", "1.0"), ("D", "", ""), ("E", ' t="b"', "1")],
        3: [("B", "", "20.0"), ("C", ' t="str"', "t&lt;wo"), ("D", "", ""), ("E", ' t="b"', "0")],
        4: [("B", "", "30.0"), ("C", "", ""), ("D", "", ""), ("E", "", "")],
    }


def test_a_label_repeated_across_columns_is_wrapped_once(monkeypatch):
    """A Calculations sheet repeats each header label in every search block: the row height is worked
    out from the label once per column width, not once per cell (26,261 wraps for the 30-scenario bench)."""
    import textwrap

    from tco.export import grid as grid_module

    wraps = []
    monkeypatch.setattr(grid_module.textwrap, "wrap", lambda *a, **k: wraps.append(a) or textwrap.TextWrapper(*a[1:], **k).wrap(a[0]))
    grid_module._lines_needed.cache_clear()
    g = Grid()
    label = "cumulative cost of the self-hosted replicas over the months"
    for c in range(1, 41):
        g.text(4, c, label, "header", wrap=True)
        g.width(c, 16)
    g.text(5, 1, "short", wrap=True)
    assert g._wrapped_text_heights() == {4: 4 * 15.0}  # 16 characters a line: 4 lines of 15 points
    assert len(wraps) == 2  # the label, and "short"


def test_column_widths_are_written_as_openpyxl_writes_its_column_dimensions():
    """The grid writes its widths itself (no ColumnDimension per column: 22,459 of them for the 30-scenario
    bench), in the markup openpyxl writes for the same widths set through `column_dimensions`."""
    widths = {3: 8.43, 1: 34, 2: 16.0, 5: 0, 30: 12.5}

    def cols_of(wb) -> bytes:
        buffer = io.BytesIO()
        wb.save(buffer)
        sheet = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml")
        return sheet[sheet.index(b"<cols>"):sheet.index(b"</cols>")]

    reference = Workbook(write_only=True)
    ws = reference.create_sheet("S")
    for col, chars in widths.items():
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = chars
    g = Grid()
    g.text(1, 1, "x")
    for col, chars in widths.items():
        g.width(col, chars)
    wb = Workbook(write_only=True)
    ours = wb.create_sheet("S")
    g.write_to(ours)
    assert len(ours.column_dimensions) == 0
    assert cols_of(wb) == cols_of(reference)


def test_a_repeated_label_s_cell_markup_is_made_once_per_text_and_look(monkeypatch):
    """Each search block of a Calculations sheet repeats the option's labels: a text cell's markup after its
    reference is made once per text and look, and each cell keeps its own reference (and the quote prefix
    of text a spreadsheet could take for a formula)."""
    from tco.export import grid as grid_module

    made = []
    original = grid_module.text_cell_rest
    monkeypatch.setattr(grid_module, "text_cell_rest", lambda text, style_id: made.append(text) or original(text, style_id))
    g = Grid()
    for c in range(1, 6):
        g.text(1, c, "requests this month", "header")
        g.text(2, c, "=1+1")
        g.text(3, c, " padded")
        g.text(4, c, "")
    wb = Workbook(write_only=True)
    rows = g.write_to(wb.create_sheet("S"))
    wb.save(io.BytesIO())
    assert sorted(made) == sorted(["requests this month", "=1+1", " padded", ""])
    assert rows[3] == "<row r=\"3\">" + "".join(
        f'<c r="{c}3" t="inlineStr"><is><t xml:space="preserve"> padded</t></is></c>' for c in "ABCDE") + "</row>"
    assert rows[4] == '<row r="4"></row>'  # an empty text with no style writes no cell
    assert all(f'<c r="{c}2" s="' in rows[2] for c in "ABCDE") and rows[1].count("requests this month") == 5


def test_a_repeated_column_with_its_unit_s_format_keeps_it_without_reading_its_values():
    """Only a column with no format gets one from its values: the others' values (a million cached results in
    the 30-scenario bench) are not scanned for it."""
    class Watched(list):
        read = 0

        def __iter__(self):
            Watched.read += 1
            return super().__iter__()

    g = Grid()
    g.repeat(RepeatedRows(2, 3, [RepeatedColumn(2, f"$A{ROW}*10", USD, values=Watched([10.0, 20.0])),
                                 RepeatedColumn(3, f"$A{ROW}/4", values=[0.0, 0.25]),
                                 RepeatedColumn(4, f'"FY"&$A{ROW}', values=["FY1", "FY2"])]))
    g._fill_number_formats()
    assert [c.number_format for c in g.repeated[0].columns] == [USD, "#,##0.00", None]
    assert Watched.read == 0
