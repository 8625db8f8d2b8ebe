"""A sheet laid out in memory, then streamed to a write-only openpyxl worksheet.

Why: write-only mode is what makes a 100-scenario workbook take seconds, but it needs rows in
order; laying a sheet out first lets each builder fill cells in whatever order is natural.
User text goes through `text()`: it is always stored as a string with the quote prefix, so a
name such as `=HYPERLINK(...)` stays inert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tco.export.names import is_dangerous_text

USD = '"$"#,##0.00'
USD_WHOLE = '"$"#,##0'
USD_PRECISE = '"$"#,##0.000000'
PERCENT = "0.00%"
NUMBER = "#,##0.00"
WHOLE = "#,##0"

INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", fgColor="FFFFCC")
LINK_FONT = Font(color="008000")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")

_STYLES = {
    "input": {"font": INPUT_FONT, "fill": INPUT_FILL},
    "link": {"font": LINK_FONT},
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


def number_format_for(unit: str) -> str | None:
    """Currency for money, percent for fractions; None keeps Excel's General."""
    if unit.startswith("USD per million") or unit in ("USD per request", "USD per call"):
        return USD_PRECISE if unit != "USD per million tokens" else '"$"#,##0.0000'
    if unit.startswith("USD"):
        return USD
    if unit == "fraction":
        return PERCENT
    return None


class Grid:
    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Spec] = {}
        self.widths: dict[int, float] = {}
        self.freeze: str | None = None
        self.charts: list[tuple[Any, str]] = []

    def put(self, row: int, col: int, value: Any, style: str = "", number_format: str | None = None,
            comment: str | None = None, wrap: bool = False) -> None:
        self.cells[(row, col)] = Spec(value, style, number_format, comment, wrap=wrap)

    def text(self, row: int, col: int, value: Any, style: str = "", comment: str | None = None, wrap: bool = False) -> None:
        """User (or any non-formula) text: never read as a formula."""
        self.cells[(row, col)] = Spec("" if value is None else str(value), style, None, comment, is_text=True, wrap=wrap)

    def formula(self, row: int, col: int, body: str, style: str = "", number_format: str | None = None,
                comment: str | None = None) -> None:
        self.cells[(row, col)] = Spec("=" + body, style, number_format, comment)

    def width(self, col: int, chars: float) -> None:
        self.widths[col] = chars

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    def write_to(self, ws) -> None:
        """Stream into a write-only worksheet (widths and panes must come before the rows)."""
        for col, chars in self.widths.items():
            ws.column_dimensions[get_column_letter(col)].width = chars
        if self.freeze:
            ws.freeze_panes = self.freeze
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        styles: dict[tuple, Any] = {}
        by_row: dict[int, list[tuple[int, Spec]]] = {}
        for (r, c), spec in self.cells.items():
            by_row.setdefault(r, []).append((c, spec))
        for r in range(1, self.max_row + 1):
            items = by_row.get(r)
            if not items:
                ws.append([])
                continue
            items.sort()
            out: list[Any] = [None] * items[-1][0]
            for c, spec in items:
                out[c - 1] = _cell(ws, spec, styles)
            ws.append(out)
        for chart, anchor in self.charts:
            ws.add_chart(chart, anchor)


def _cell(ws, spec: Spec, styles: dict[tuple, Any]):
    if spec.value is None and not spec.style and not spec.comment:
        return None
    cell = WriteOnlyCell(ws, value=spec.value)
    quote = False
    if spec.is_text:
        cell.data_type = "s"
        quote = is_dangerous_text(spec.value)
    key = (spec.style, spec.number_format, spec.wrap, quote)
    if key not in styles:
        # Setting fonts and formats through openpyxl's descriptors costs more than writing the
        # cell; do it once per distinct look and share the resulting style array.
        for attr, obj in _STYLES[spec.style].items():
            setattr(cell, attr, obj)
        if spec.number_format:
            cell.number_format = spec.number_format
        if spec.wrap:
            cell.alignment = WRAP
        if quote:
            cell.quotePrefix = True
        styles[key] = cell._style
    else:
        cell._style = styles[key]
    if spec.comment:
        cell.comment = Comment(spec.comment, "llm-tco")
    return cell
