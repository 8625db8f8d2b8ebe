"""A sheet laid out in memory, then written as a write-only openpyxl worksheet plus row XML.

Why: laying a sheet out first lets each builder fill cells in whatever order is natural, while the
workbook is written row by row. Rows are turned into XML by `tco.export.sheet_xml` (openpyxl
writes only rows with a comment, and the package around them). Rows that repeat the same
formulas (a Calculations sheet's months) are kept as one `RepeatedRows` with a row marker
instead of a cell each. User text goes through `text()`: it is always stored as a string with the
quote prefix, so a name such as `=HYPERLINK(...)` stays inert.
"""

from __future__ import annotations

import functools
import itertools
import re
import textwrap
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.compat import safe_string
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import DimensionHolder
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.xml.functions import Element, SubElement

from tco.export.names import is_dangerous_text, safe_url, urls_in
from tco.export.sheet_xml import cached_values, column_letters, data_table_cell, escape, formula_cell, number_cell, style_attr, text_cell, text_cell_rest

ROW = "\x00"
"""In a `RepeatedRows` template: the row being written."""
PREVIOUS_ROW = "\x01"
"""In a `RepeatedRows` template: the row above."""

USD = '"$"#,##0.00;-"$"#,##0.00'
"""Money with cents; cells in this format show whole dollars beyond $1,000 (see `WHOLE_DOLLARS_ABOVE_USD`)."""
USD_WHOLE = '"$"#,##0;-"$"#,##0'
USD_PRECISE = '"$"#,##0.000000'
USD_UNIT_PRICE = '"$"#,##0.0000'
PERCENT = "0.00%"
RATIO = '0.00"x"'
"""A multiplier (PUE 1.30x, busiest hour 2.50x the average): not a share, so not a percent."""
NUMBER = "#,##0.00"
WHOLE = "#,##0"
SMALL = "#,##0.000000"
SCIENTIFIC = "0.00E+00"
FLAG = "0"
DATE = "yyyy-mm-dd"
WHOLE_DOLLARS_ABOVE_USD = 1000
"""Cells in the `USD` format drop the cents beyond this magnitude, by conditional formatting.

Why not a conditional number format (`[>=1000]"$"#,##0;[<=-1000]-"$"#,##0;"$"#,##0.00`): LibreOffice
(7.4, checked) drops the minus sign of a negative value in every section of a format with conditions,
so -5.5 read "$5.50". A plain two-section format plus a conditional-formatting rule that swaps the
number format is shown the same way by Excel (2007 and later) and LibreOffice."""

_COUNT_UNITS = frozenset({"tokens", "requests", "calls", "call", "samples", "replicas", "GPUs", "instances", "months", "month",
                          "requests/day", "GPU-hours", "replica-hours", "instance-hours", "gCO2e per kWh", "hours", "days",
                          "seconds", "digits", "units"})
_CENT_PRICES = frozenset({"USD per kWh", "USD per GB", "USD per GB-month", "USD per 1,000 requests", "USD per million tokens"})


INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", fgColor="FFFFCC")
LINK_FONT = Font(color="008000")
URL_FONT = Font(color="0563C1", underline="single")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

_STYLES = {
    "input": {"font": INPUT_FONT, "fill": INPUT_FILL},
    "link": {"font": LINK_FONT},
    "url": {"font": URL_FONT},
    "header": {"font": HEADER_FONT, "fill": HEADER_FILL},
    "title": {"font": TITLE_FONT},
    "note": {"font": NOTE_FONT},
    "bold": {"font": HEADER_FONT},
    "": {},
}


@dataclass
class Spec:
    value: Any
    style: str = ""
    number_format: str | None = None
    comment: str | None = None
    is_text: bool = False
    wrap: bool = False
    is_formula: bool = False
    cached: Any = None
    """A formula's cached result (the engine's value), shown by readers that do not calculate."""
    url: str | None = None
    """A web address the cell links to (an http(s) URL checked by `names.safe_url`)."""
    data_table: tuple[str, str] | None = None
    """(body range, input cell): this cell is the first of a one-variable data table's body."""


@dataclass
class RepeatedColumn:
    column: int
    template: str
    """Formula body with `ROW` / `PREVIOUS_ROW` markers."""
    number_format: str | None = None
    first_row_template: str | None = None
    """Used on the first row instead (a running sum has no row above)."""
    values: list | None = None
    """Cached result of each row, first to last (the engine's values)."""


@dataclass
class RepeatedRows:
    """Rows first..last with the same formulas, and their position (1, 2, ...) in `counter_column`."""

    first: int
    last: int
    columns: list[RepeatedColumn]
    counter_column: int | None = None


def number_format_for(unit: str) -> str:
    """The number format of a figure in `unit`: currency (whole dollars beyond $1,000), ratios of a
    whole as percent, counts as whole numbers, multipliers as 1.30x, anything else with two decimals."""
    if unit in _CENT_PRICES:
        return USD_UNIT_PRICE
    if unit in ("USD per request", "USD per call") or unit.startswith("USD per million"):
        return USD_PRECISE
    if unit.startswith("USD"):
        return USD
    if unit == "fraction":
        return PERCENT
    if unit == "ratio":
        return RATIO
    if unit == "flag":
        return FLAG
    if unit in _COUNT_UNITS:
        return WHOLE
    if unit.startswith(("kgCO2e per", "kWh per")):
        return SMALL
    return NUMBER


SIGNIFICANT_DIGITS = 4
"""Leading digits a value below 1 keeps on screen (0.3027 USD/unit-hour, not $0.30; 0.015625/s, not 0.02: +28 %)."""
MOST_DECIMALS = 10
_DECIMALS = re.compile(r"0\.(0+)")


def showing_digits(number_format: str, value) -> str:
    """`number_format` with as many more decimals as a value below 1 needs to show its leading digits.

    Why: a unit's format has the decimals its usual figures need; a small input in it (a price per unit-hour, a
    throughput per second, a tiny share) would read rounded, unlike the stored value. Whole-number, date and
    scientific formats are left as they are."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value or "E+" in number_format:
        return number_format
    match = _DECIMALS.search(number_format)
    if match is None:
        return number_format
    shown = abs(float(value)) * (100 if "%" in number_format else 1)
    if shown >= 1:
        return number_format
    decimals = len(match.group(1))
    while decimals < MOST_DECIMALS and abs(round(shown, decimals) - shown) > shown * 0.5 * 10 ** (1 - SIGNIFICANT_DIGITS):
        decimals += 1
    return _DECIMALS.sub("0." + "0" * decimals, number_format)


def format_for_value(value) -> str:
    """A format for a number with no unit (a constant, a limit): whole, two decimals, or scientific."""
    if isinstance(value, bool):
        return FLAG
    if not isinstance(value, (int, float)) or value == 0 or float(value).is_integer():
        return WHOLE
    return NUMBER if 0.01 <= abs(value) < 1e15 else SCIENTIFIC


class Grid:
    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Spec] = {}
        self.widths: dict[int, float] = {}
        self.freeze: str | None = None
        self.charts: list[tuple[Any, Any]] = []
        """(chart, anchor): a cell such as "M3", or an openpyxl anchor object."""
        self.repeated: list[RepeatedRows] = []
        self.print_title_rows: str | None = None
        """Rows repeated at the top of every printed page, e.g. "3:6"."""
        self.print_title_columns: str | None = None
        """Columns repeated at the left of every printed page, e.g. "A:B" (for sheets wider than a page)."""
        self.pages_wide = 1
        """Printed pages across: 1 fits the sheet to the page width; a very wide sheet gets more, at a readable scale."""
        self.align_top = False
        """Every cell aligned to the top: a sheet whose rows grow with wrapped text reads line by line."""
        self.heights: dict[int, float] = {}
        """Row heights in points; rows with wrapped text get one from their text when not given."""
        self.validations: list[Any] = []
        """openpyxl DataValidation objects (ranges already added)."""
        self.conditional: list[tuple[str, Any]] = []
        """(cell range, openpyxl conditional-formatting rule)."""
        self.header_text: str | None = None
        """Printed page header (centre): the scenario or workbook title."""
        self.header_date: str | None = None
        """Printed page header (right): the export date."""

    def put(self, row: int, col: int, value: Any, style: str = "", number_format: str | None = None,
            comment: str | None = None, wrap: bool = False) -> None:
        self.cells[(row, col)] = Spec(value, style, number_format, comment, wrap=wrap)

    def text(self, row: int, col: int, value: Any, style: str = "", comment: str | None = None, wrap: bool = False) -> None:
        """User (or any non-formula) text: never read as a formula."""
        self.cells[(row, col)] = Spec("" if value is None else str(value), style, None, comment, is_text=True, wrap=wrap)

    def link(self, row: int, col: int, text: Any, url: str | None = None) -> None:
        """Text (inert, as `text()` writes it) that links to `url`, by default the first web address in it.

        The link is the cell's hyperlink (the sheet's <hyperlinks> part), never a HYPERLINK() formula
        built from the text, and only a plain http(s) address (`names.safe_url`) becomes one."""
        text = "" if text is None else str(text)
        url = safe_url(url) if url is not None else next(iter(urls_in(text)), None)
        self.cells[(row, col)] = Spec(text, "url" if url else "", None, is_text=True, url=url)

    def formula(self, row: int, col: int, body: str, style: str = "", number_format: str | None = None,
                comment: str | None = None, cached: Any = None) -> None:
        """A live formula; `cached` is its value as the engine computed it (written as the cached result)."""
        self.cells[(row, col)] = Spec("=" + body, style, number_format, comment, is_formula=True, cached=cached)

    def data_table(self, first_row: int, last_row: int, col: int, input_cell: str, cached: list, number_format: str) -> None:
        """Rows first_row..last_row of column `col`: a column-oriented data table ({=TABLE(,input_cell)}).

        The spreadsheet recomputes the formula in the row above with `input_cell` (same sheet) replaced
        by each value in the column to the left; `cached` are the engine's values, shown before that."""
        letter = get_column_letter(col)
        for n, r in enumerate(range(first_row, last_row + 1)):
            self.cells[(r, col)] = Spec(cached[n], "", number_format)
        self.cells[(first_row, col)].data_table = (f"{letter}{first_row}:{letter}{last_row}", input_cell)

    def repeat(self, rows: RepeatedRows) -> None:
        self.repeated.append(rows)

    def width(self, col: int, chars: float) -> None:
        self.widths[col] = chars

    def header_row(self, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
        """A table's header row, its columns' widths, and the header frozen on screen and printed on every page."""
        for col, header in enumerate(headers, start=1):
            self.text(row, col, header, "header")
        for col, chars in enumerate(widths, start=1):
            self.width(col, chars)
        self.freeze = f"A{row + 1}"
        self.print_title_rows = f"{row}:{row}"

    @property
    def max_row(self) -> int:
        return max([*(r for r, _ in self.cells), *(b.last for b in self.repeated)], default=0)

    @property
    def max_column(self) -> int:
        return max([*(c for _, c in self.cells), *(c.column for b in self.repeated for c in b.columns),
                    *(b.counter_column or 0 for b in self.repeated)], default=0)

    def write_to(self, ws) -> dict[int, str]:
        """Write the sheet's frame to a write-only worksheet; return the XML of the rows it left empty.

        openpyxl writes the rows that hold a comment (it owns the comment parts); every other row
        is an empty placeholder, filled by `sheet_xml.fill_rows` after the workbook is saved.
        Widths and panes must come before the rows.
        """
        repeated_rows = {r for b in self.repeated for r in range(b.first, b.last + 1)}
        clash = sorted(r for r, _ in self.cells if r in repeated_rows)
        if clash:
            raise ValueError(f"row {clash[0]} is both repeated and laid out cell by cell")
        ws.column_dimensions = _ColumnWidths(ws, self.widths)
        if self.freeze:
            ws.freeze_panes = self.freeze
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = self.pages_wide
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if self.print_title_rows:
            ws.print_title_rows = self.print_title_rows
        if self.print_title_columns:
            ws.print_title_cols = self.print_title_columns
        if self.header_text:
            ws.oddHeader.center.text = _header_text(self.header_text)
        if self.header_date:
            ws.oddHeader.right.text = _header_text(f"exported {self.header_date}")
        ws.oddFooter.left.text = "&A"  # the sheet's name
        ws.oddFooter.right.text = "page &P of &N"
        self._fill_number_formats()
        heights = {**self._wrapped_text_heights(), **self.heights}
        whole_dollars = self._cells_in_format(USD)
        if whole_dollars:
            ws.conditional_formatting.add(" ".join(whole_dollars), _whole_dollars_rule(ws.parent))
        for validation in self.validations:
            ws.data_validations.append(validation)
        for cells, rule in self.conditional:
            ws.conditional_formatting.add(cells, rule)
        styles = _Styles(ws, self.align_top)
        letters = column_letters(self.max_column)
        by_row: dict[int, list[tuple[int, Spec]]] = {}
        for (r, c), spec in self.cells.items():
            by_row.setdefault(r, []).append((c, spec))
        shared_ids = itertools.count()  # shared formulas are numbered per sheet
        writers = [_repeated_row_writer(b, letters, styles, shared_ids) for b in self.repeated]
        repeated_at = {r: w for b, w in zip(self.repeated, writers) for r in range(b.first, b.last + 1)}
        xml: dict[int, str] = {}
        for r in range(1, self.max_row + 1):
            items = by_row.get(r)
            block = repeated_at.get(r)
            if block is not None:
                xml[r] = block(r)
                ws.append([])
                continue
            if not items:
                ws.append([])
                continue
            items.sort()
            if any(spec.comment for _, spec in items):
                if any(spec.is_formula for _, spec in items):
                    raise ValueError(f"row {r}: openpyxl writes a row with a comment, and it drops formulas' cached values")
                out: list[Any] = [None] * items[-1][0]
                for c, spec in items:
                    out[c - 1] = styles.openpyxl_cell(spec)
                ws.append(out)
                continue
            xml[r] = _row_tag(r, heights.get(r)) + "".join(_cell_xml(f"{letters[c]}{r}", spec, styles) for c, spec in items) + "</row>"
            ws.append([])
        for chart, anchor in self.charts:
            ws.add_chart(chart, anchor)
        for (r, c), spec in self.cells.items():
            if spec.url:
                # the writer collects a sheet's links here and writes them, with their relationships, on close
                ws._hyperlinks.append(Hyperlink(ref=f"{get_column_letter(c)}{r}", target=spec.url, tooltip=spec.url[:255]))
        return xml

    def _wrapped_text_heights(self) -> dict[int, float]:
        """Heights for rows with wrapped text, from the longest cell (spreadsheets do not fit rows on opening)."""
        lines: dict[int, int] = {}
        for (r, c), spec in self.cells.items():
            if spec.wrap and isinstance(spec.value, str) and spec.value:
                per_line = max(1, int(self.widths.get(c, DEFAULT_WIDTH_CHARS) * TEXT_CHARS_PER_WIDTH))
                needed = _lines_needed(spec.value, per_line)
                lines[r] = max(lines.get(r, 1), needed)
        return {r: min(n, MAX_LINES) * LINE_POINTS for r, n in lines.items() if n > 1}

    def _fill_number_formats(self) -> None:
        """Every number and formula cell gets a number format: a figure with no unit gets one from its value."""
        for spec in self.cells.values():
            if spec.number_format not in (None, "General") or spec.is_text:
                continue
            value = spec.cached if spec.is_formula else spec.value
            if isinstance(value, (int, float)):
                spec.number_format = format_for_value(value)
        for block in self.repeated:
            for c in block.columns:
                if c.number_format not in (None, "General"):
                    continue  # its unit's format: its values (a million in a big workbook) are not looked at
                numbers = [v for v in (c.values or []) if isinstance(v, (int, float))]
                if numbers or c.values is None:
                    c.number_format = format_for_value(next((v for v in numbers if v), 0)) if numbers else NUMBER

    def _cells_in_format(self, number_format: str) -> list[str]:
        """The cells in `number_format` as ranges (one per run of rows in a column)."""
        rows_of: dict[int, list[int]] = {}
        for (r, c), spec in self.cells.items():
            if spec.number_format == number_format:
                rows_of.setdefault(c, []).append(r)
        for block in self.repeated:
            for col in block.columns:
                if col.number_format == number_format:
                    rows_of.setdefault(col.column, []).extend(range(block.first, block.last + 1))
        ranges = []
        for c, rows in sorted(rows_of.items()):
            rows.sort()
            start = prev = rows[0]
            for r in [*rows[1:], None]:
                if r is not None and r == prev + 1:
                    prev = r
                    continue
                letter = get_column_letter(c)
                ranges.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
                if r is not None:
                    start = prev = r
        return ranges


@functools.lru_cache(maxsize=4096)
def _lines_needed(text: str, chars_per_line: int) -> int:
    """Lines `text` wraps to. Cached: a Calculations sheet repeats each header label in every search block."""
    return sum(max(1, len(textwrap.wrap(part, chars_per_line))) for part in text.split("\n"))


class _ColumnWidths(DimensionHolder):
    """A sheet's column widths, written as openpyxl writes one ColumnDimension per column with a width
    (`<col width=".." customWidth="1" min="n" max="n"/>`, in column order).

    Why: openpyxl builds a ColumnDimension per column (a dozen checked attributes) and serialises it
    attribute by attribute; the Calculations sheets of the 30-scenario bench have 22,459 columns with a width.
    """

    def __init__(self, ws, widths: dict[int, float]) -> None:
        super().__init__(worksheet=ws, default_factory=ws._add_column)
        self.widths = {col: float(chars) for col, chars in widths.items()}

    def to_tree(self):
        if len(self):
            raise ValueError("column widths are set through Grid.width, not the sheet's column_dimensions")
        cols = Element("cols")
        for col, width in sorted(self.widths.items()):
            if width:  # as ColumnDimension: a zero width writes no <col>
                SubElement(cols, "col", width=safe_string(width), customWidth="1", min=str(col), max=str(col))
        if len(cols):
            self.max_outline = 0
            return cols
        return None


DEFAULT_WIDTH_CHARS = 8.43
TEXT_CHARS_PER_WIDTH = 1.0
"""Characters of ordinary text per unit of column width (a width counts digits; text fits about as many letters)."""
LINE_POINTS = 15.0
MAX_LINES = 8


def _row_tag(r: int, height: float | None) -> str:
    return f'<row r="{r}" ht="{height:g}" customHeight="1">' if height else f'<row r="{r}">'


HEADER_CHARS = 100
"""Header text kept per section (Excel allows 255 characters for the whole header)."""


def _header_text(text: str) -> str:
    """Header text for the page setup: `&` starts a code there, so it is doubled; long titles are cut."""
    text = " ".join(text.split())
    if len(text) > HEADER_CHARS:
        text = text[:HEADER_CHARS - 1].rstrip() + "…"
    return text.replace("&", "&&")


def _whole_dollars_rule(workbook) -> Rule:
    """Beyond $1,000 either way, the `USD` cells show whole dollars (the format registered with the workbook's own id)."""
    format_id = workbook._number_formats.add(USD_WHOLE) + 164  # custom formats are numbered from 164
    style = DifferentialStyle(numFmt=NumberFormat(numFmtId=format_id, formatCode=USD_WHOLE))
    limit = str(WHOLE_DOLLARS_ABOVE_USD)
    return Rule(type="cellIs", operator="notBetween", formula=[f"-{limit}", limit], dxf=style)


def _style_key(spec: Spec) -> tuple:
    quote = spec.is_text and is_dangerous_text(spec.value)
    return (spec.style, spec.number_format, spec.wrap, quote)


def _cell_xml(ref: str, spec: Spec, styles: "_Styles") -> str:
    if spec.is_text and not spec.is_formula and not spec.data_table:
        rest = styles.text_cell_rest(spec)
        return f'<c r="{ref}"{rest}' if rest else ""
    style_id = styles.id_of(_style_key(spec))
    if spec.is_formula:
        return formula_cell(ref, spec.value[1:], style_id, spec.cached)
    if spec.data_table:
        return data_table_cell(ref, *spec.data_table, style_id, spec.value)
    if spec.is_text or isinstance(spec.value, str):
        return text_cell(ref, spec.value, style_id)
    return number_cell(ref, spec.value, style_id)


LIBREOFFICE_GROUP_ROWS = 99
"""The most rows one run of a month column's formula covers; the next run's formula differs by a `+0` (`&""` for
text) so that a spreadsheet keeps the runs apart.

Why: LibreOffice (7.4, checked) computes 100 or more adjacent identical formulas as one formula group on several
threads, and in a Calculations sheet of 100 or more month rows (a horizon of 50 months or more) the groups of the
break-even search's later points then read #VALUE! (LibreOffice's own circular-reference error, though the sheet has
no cycle), and so did the live break-even, the Summary's recommendation and the Checks. Runs of at most 99 rows
compute to the engine's figures, as they did with threading turned off."""


def _formula_runs(start: int, last: int) -> list[tuple[int, int]]:
    """Rows start..last cut into runs of at most LIBREOFFICE_GROUP_ROWS: (first row, last row) of each."""
    return [(a, min(a + LIBREOFFICE_GROUP_ROWS - 1, last)) for a in range(start, last + 1, LIBREOFFICE_GROUP_ROWS)]


def _run_template(template: str, run: int, text: bool) -> str:
    """The formula of the `run`-th run (0, 1, ...): every other run adds `+0` (or `&""` to a text), which changes
    no value but makes two neighbouring runs different formulas (see LIBREOFFICE_GROUP_ROWS)."""
    if run % 2 == 0:
        return template
    return f'({template})&""' if text else f"({template})+0"


def _repeated_row_writer(block: RepeatedRows, letters: list[str], styles: "_Styles", shared_ids: Iterator[int]):
    """A function row -> row XML; templates are escaped and split once per block, not per cell.

    Each column's formula is a shared formula (as Excel writes a filled-down column): the first row
    of the run holds the text and the range, the others only the group's index, and a spreadsheet
    shifts its relative rows. A third of the file's XML otherwise, and of the time to compress it.
    A column longer than LIBREOFFICE_GROUP_ROWS rows is written as several runs.
    Each cell is its template cut at the cached value's type and text: head + type + middle + value + tail.
    """
    columns = sorted(block.columns, key=lambda c: c.column)  # a row's cells must be in column order
    if block.counter_column and columns and columns[0].column <= block.counter_column:
        raise ValueError("the counter column must come before the repeated formulas")
    rows = block.last - block.first + 1
    for c in columns:
        if c.values is not None and len(c.values) != rows:
            raise ValueError(f"column {letters[c.column]}: {len(c.values)} cached values for {rows} rows")

    def shared_run(c: RepeatedColumn) -> int:
        """The first row of the column's shared formula: the block's first, or its second when the first differs."""
        return block.first + 1 if c.first_row_template is not None and c.first_row_template != c.template else block.first

    runs = {c.column: _formula_runs(shared_run(c), block.last) for c in columns}
    ids = {(c.column, k): next(shared_ids) for c in columns for k, (a, b) in enumerate(runs[c.column]) if a < b}

    def cut(c: RepeatedColumn, r: int) -> tuple[str, str, str]:
        style = style_attr(styles.id_of(("", c.number_format, False, False)))
        head, tail = f'<c r="{letters[c.column]}{ROW}"{style}', "</v></c>"
        start = shared_run(c)
        if r < start:  # its own formula
            template = c.first_row_template if c.first_row_template is not None else c.template
            return head, f"><f>{escape(template)}</f><v>", tail
        k = (r - start) // LIBREOFFICE_GROUP_ROWS
        a, b = runs[c.column][k]
        template = _run_template(c.template, k, c.column in text_columns)
        if a == b:  # a run of one row: its own formula
            return head, f"><f>{escape(template)}</f><v>", tail
        if r == a:
            column = letters[c.column]
            return head, f'><f t="shared" ref="{column}{a}:{column}{b}" si="{ids[(c.column, k)]}">{escape(template)}</f><v>', tail
        return head, f'><f t="shared" si="{ids[(c.column, k)]}"/><v>', tail

    def layout_key(r: int) -> tuple:
        """Rows with the same key have the same cell layout in every column (a column's run starts at the block's
        first row or the one after it)."""
        return tuple((o < 0, o // LIBREOFFICE_GROUP_ROWS, o % LIBREOFFICE_GROUP_ROWS == 0)
                     for o in (r - block.first, r - block.first - 1)) + (r == block.last,)

    cached = [cached_values(c.values) if c.values is not None else (None, None) for c in columns]
    # the cells' changing parts (cached type and text), in row order: one tuple per row, interleaved with a
    # layout's fixed markup by a slice assignment instead of concatenated cell by cell
    # a column of floats only (cached_values' short way: no type attributes) holds no text
    text_columns = {c.column for c, (kinds, _) in zip(columns, cached) if kinds is not None and any(isinstance(v, str) for v in c.values)}
    changing = [part for kinds, texts in cached for part in (kinds, texts) if part is not None]
    changing_by_row = list(zip(*changing)) if changing else [()] * rows
    layouts: dict[tuple, list[str]] = {}
    counter = letters[block.counter_column] if block.counter_column else None
    counter_style = style_attr(styles.id_of(("", WHOLE, False, False)))

    def layout(r: int) -> list[str]:
        """The row's markup as fixed pieces with a slot (every other item) for each changing part."""
        pieces, fixed = [], ""
        for c, (kinds, texts) in zip(columns, cached):
            head, middle, tail = cut(c, r)
            fixed += head
            if kinds is not None:
                pieces += [fixed, ""]
                fixed = ""
            fixed += middle
            if texts is not None:
                pieces += [fixed, ""]
                fixed = ""
            fixed += tail
        return pieces + [fixed]

    def write(r: int) -> str:
        k = r - block.first
        key = layout_key(r)
        pieces = layouts.get(key)
        if pieces is None:
            pieces = layouts[key] = layout(r)
        pieces[1::2] = changing_by_row[k]
        cells = "".join(pieces).replace(ROW, str(r)).replace(PREVIOUS_ROW, str(r - 1))
        if counter:
            cells = f'<c r="{counter}{r}"{counter_style} t="n"><v>{k + 1}</v></c>' + cells
        return f'<row r="{r}">{cells}</row>'

    return write


class _Styles:
    """One openpyxl style per distinct look, registered in the workbook's style table."""

    def __init__(self, ws, align_top: bool = False) -> None:
        self.ws = ws
        self.align_top = align_top
        self.arrays: dict[tuple, Any] = {}
        self.ids: dict[tuple, int] = {}
        self.text_cells: dict[tuple, str] = {}

    def _array(self, key: tuple):
        if key not in self.arrays:
            # Setting fonts and formats through openpyxl's descriptors costs more than writing the
            # cell; do it once per distinct look and share the resulting style array.
            style, number_format, wrap, quote = key
            cell = WriteOnlyCell(self.ws)
            for attr, obj in _STYLES[style].items():
                setattr(cell, attr, obj)
            if number_format:
                cell.number_format = number_format
            if wrap:
                cell.alignment = WRAP
            elif self.align_top:
                cell.alignment = TOP
            if quote:
                cell.quotePrefix = True
            self.arrays[key] = cell
        return self.arrays[key]

    def id_of(self, key: tuple) -> int:
        if key not in self.ids:
            cell = self._array(key)
            self.ids[key] = cell.style_id if cell.has_style else 0
        return self.ids[key]

    def text_cell_rest(self, spec: Spec) -> str:
        """`sheet_xml.text_cell_rest` of a text cell, worked out once per text and look (header labels repeat)."""
        key = (spec.value, spec.style, spec.number_format, spec.wrap)
        rest = self.text_cells.get(key)
        if rest is None:
            rest = self.text_cells[key] = text_cell_rest(spec.value, self.id_of(_style_key(spec)))
        return rest

    def openpyxl_cell(self, spec: Spec):
        if spec.value is None and not spec.style and not spec.comment:
            return None
        cell = WriteOnlyCell(self.ws, value=spec.value)
        if spec.is_text:
            cell.data_type = "s"
        cell._style = self._array(_style_key(spec))._style
        if spec.comment:
            cell.comment = Comment(spec.comment, "llm-tco")
        return cell
