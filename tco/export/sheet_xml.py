"""Cell XML written directly, then put into the package openpyxl wrote.

Why: openpyxl's per-cell cost (a Cell object, value checks, an lxml element per cell) was most of
the export time of a large workbook (16 s for 100 scenarios). openpyxl still writes the package:
workbook, styles, defined names, column widths, panes, page setup, comments and charts. Each grid
row that holds no comment is left empty by openpyxl (`<row r="7"></row>`) and its cells are
written here in the markup openpyxl itself uses (inline strings, `<f>` with the engine's value
as its cached result, so readers that do not calculate still see numbers), with style ids registered in openpyxl's own style table, so styles.xml covers them.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from posixpath import dirname, join, normpath
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot carry (openpyxl refuses them); dropped from user text."""
_EMPTY_ROW = re.compile(r'<row r="(\d+)"\s*(?:/>|></row>)')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
COMPRESS_LEVEL = 6


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def column_letters(count: int) -> list[str]:
    """Index c -> column letter (index 0 unused), for the columns a sheet uses."""
    return [""] + [get_column_letter(c) for c in range(1, count + 1)]


def style_attr(style_id: int) -> str:
    return f' s="{style_id}"' if style_id else ""


def text_cell(ref: str, text: str, style_id: int) -> str:
    rest = text_cell_rest(text, style_id)
    return f'<c r="{ref}"{rest}' if rest else ""


def text_cell_rest(text: str, style_id: int) -> str:
    """A text cell's markup after its reference (`<c r="A1"` + this), or "" for no cell at all: the same
    for every cell with this text and style, so a sheet that repeats a label can reuse it."""
    text = ILLEGAL_XML_CHARS.sub("", text)
    if not text:
        return f"{style_attr(style_id)}/>" if style_id else ""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'{style_attr(style_id)} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def number_cell(ref: str, value, style_id: int) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}"{style_attr(style_id)} t="b"><v>{int(value)}</v></c>'
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<c r="{ref}"{style_attr(style_id)}/>' if style_id else ""
    # repr: the shortest text that reads back as the same float (openpyxl's %.16g can lose the last bit)
    return f'<c r="{ref}"{style_attr(style_id)} t="n"><v>{value!r}</v></c>'


def cached_value(value) -> tuple[str, str]:
    """(type attribute, <v> text) of a formula's cached result: what readers show before a recalculation."""
    if type(value) is float and value - value == 0.0:  # the common case first: a finite float
        return "", repr(value)
    if value is None:
        return "", ""
    if isinstance(value, str):
        return ' t="str"', escape(ILLEGAL_XML_CHARS.sub("", value))
    if isinstance(value, bool):
        return ' t="b"', str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return "", ""
    return "", repr(value)


def cached_values(values: list) -> tuple[list[str] | None, list[str]]:
    """`cached_value` of each of a column's values: (type attributes, or None when all are empty; <v> texts).

    A column of finite floats (nearly all of them) is done in one pass of `repr`, not a call per value."""
    if values and set(map(type, values)) == {float} and math.isfinite(sum(values)):  # an overflowing sum takes the long way
        return None, list(map(repr, values))
    pairs = [cached_value(v) for v in values]
    kinds = [kind for kind, _ in pairs]
    return (kinds if any(kinds) else None), [text for _, text in pairs]


def formula_cell(ref: str, body: str, style_id: int, cached=None) -> str:
    kind, text = cached_value(cached)
    return f'<c r="{ref}"{style_attr(style_id)}{kind}><f>{escape(body)}</f><v>{text}</v></c>'


def data_table_cell(ref: str, body_range: str, input_cell: str, style_id: int, cached=None) -> str:
    """The first cell of a one-variable, column-oriented data table, as Excel writes it; the table's
    other cells hold only their (cached) values."""
    kind, text = cached_value(cached)
    return (f'<c r="{ref}"{style_attr(style_id)}{kind}><f t="dataTable" ref="{body_range}" dt2D="0" dtr="0" '
            f'r1="{input_cell}"/><v>{text}</v></c>')


def fill_rows(package: bytes, rows_by_sheet: dict[str, dict[int, str]]) -> bytes:
    """The package with each named sheet's empty placeholder rows replaced by the given row XML."""
    source = zipfile.ZipFile(io.BytesIO(package))
    paths = _sheet_paths(source)
    wanted = {paths[name]: rows for name, rows in rows_by_sheet.items() if rows}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in wanted:
                data = _fill(data.decode("utf-8"), wanted[info.filename], info.filename).encode("utf-8")
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=COMPRESS_LEVEL)
    return out.getvalue()


def _fill(xml: str, rows: dict[int, str], where: str) -> str:
    used = 0

    def replace(match: re.Match) -> str:
        nonlocal used
        row = rows.get(int(match.group(1)))
        if row is None:
            return match.group(0)
        used += 1
        return row

    filled = _EMPTY_ROW.sub(replace, xml)
    if used != len(rows):
        raise RuntimeError(f"{where}: {len(rows) - used} rows had no placeholder to fill")
    return filled


def _sheet_paths(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> member path, read from the workbook part and its relationships."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG_REL_NS}Relationship")}
    out = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets[sheet.get(f"{_REL_NS}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else normpath(join(dirname("xl/workbook.xml"), target))
    return out
