"""Rows as a plain aligned table, CSV or JSON: the shape every listing and figure of the CLI prints.

Why in tco.report: the commands, the benchmarks and the explain renderer all print tables; the report
layer sits below all of them, so none has to import a command module to print.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from typing import Any, Sequence


WIDE = False
"""`--wide` on the command line: tables show every column in full, whatever the terminal width."""

MIN_TEXT_WIDTH = 12
"""A text column is never cut below this many characters (an id stays recognisable)."""


FIRST_COLUMN_SHARE = 0.3
"""The most important column (a row's id) takes at most this share of a narrow table's width."""


def set_wide(wide: bool) -> None:
    """Set by `tco.cli.main` from `--wide`, before a command runs."""
    global WIDE
    WIDE = bool(wide)


def terminal_columns(default: int = 80) -> int:
    """The width tables fit by default: $COLUMNS when set, else the terminal's, else `default`."""
    import os
    import shutil

    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return shutil.get_terminal_size((default, 24)).columns


def json_safe(value: Any) -> Any:
    """`value` with every infinite or NaN float as None (JSON null).

    Why: Python writes them as `Infinity` / `NaN`, which is not JSON: jq and JavaScript's JSON.parse refuse the whole
    document (an unbounded spread's floor and ceiling in `tco uncertainty --format json` were written so)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def print_rows(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None, out=None, *,
               priority: Sequence[str] | None = None, width: int | None = None, wide: bool | None = None,
               cut_first: bool = True) -> None:
    """Rows as a plain table, CSV or JSON on stdout (stdout is data).

    A table fits the terminal (`width`, default: terminal_columns()) unless `wide` (default: the
    command line's --wide): long text cells are cut with `…` first, then the columns least
    important by `priority` (most important first; default: the order given) are left out, with a
    last line naming them. CSV and JSON always carry every column in full.
    """
    out = out or sys.stdout
    if fmt == "json":
        json.dump(json_safe(rows), out, indent=2, default=str, allow_nan=False)
        out.write("\n")
        return
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: raw_cell(row.get(k)) for k in columns})
        return
    write_table(out, [str(c) for c in columns], [[_cell(row.get(c)) for c in columns] for row in rows],
                priority=[columns.index(c) for c in priority if c in columns] if priority else None,
                width=width, wide=WIDE if wide is None else wide, cut_first=cut_first)


def write_table(out, headers: list[str], cells: list[list[str]], *, priority: Sequence[int] | None = None,
                width: int | None = None, wide: bool = False, cut_first: bool = True) -> None:
    """An aligned table of text cells (numbers right-aligned), fitted to `width` unless `wide`.

    `cut_first=False`: the most important column is never cut (names a user copies into a command)."""
    keep = list(range(len(headers)))
    limits = [max([len(headers[i])] + [len(r[i]) for r in cells]) for i in keep]
    hidden: list[str] = []
    if not wide and headers:
        width = width or terminal_columns()
        order = list(priority or []) + [i for i in keep if i not in (priority or [])]
        numeric = [all(_numeric(r[i]) or not r[i] for r in cells) for i in keep]

        def total(shown):
            return sum(limits[i] for i in shown) + 2 * (len(shown) - 1)

        first = order[0] if order else None

        def cut(candidates) -> None:
            """Cut the widest text columns among `candidates` down to MIN_TEXT_WIDTH (or their header)."""
            while total(keep) > width:
                cuttable = [i for i in candidates if i in keep and not numeric[i] and limits[i] > max(MIN_TEXT_WIDTH, len(headers[i]))]
                if not cuttable:
                    return
                i = max(cuttable, key=lambda k: limits[k])
                limits[i] = max(max(MIN_TEXT_WIDTH, len(headers[i])), limits[i] - (total(keep) - width))

        # 1. cut long text columns, the most important one (the row's name) only to FIRST_COLUMN_SHARE of the width
        cut([i for i in keep if i != first])
        if cut_first and first is not None and not numeric[first] and limits[first] > max(MIN_TEXT_WIDTH, int(width * FIRST_COLUMN_SHARE)):
            limits[first] = max(MIN_TEXT_WIDTH, len(headers[first]), int(width * FIRST_COLUMN_SHARE))
        # 2. leave out the least important columns (never the most important one)
        while total(keep) > width and len(keep) > 1:
            drop = next(i for i in reversed(order) if i in keep)
            keep.remove(drop)
            hidden.append(headers[drop])
        # 3. only then cut the most important column
        if cut_first:
            cut([first])
    table = [[_fit(headers[i], limits[i]) for i in keep]] + [[_fit(r[i], limits[i]) for i in keep] for r in cells]
    widths = [max(len(r[j]) for r in table) for j in range(len(keep))]
    for j, r in enumerate(table):
        out.write("  ".join(v.ljust(widths[i]) if i == 0 or not _numeric(v) else v.rjust(widths[i]) for i, v in enumerate(r)).rstrip() + "\n")
        if j == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    if hidden:
        note = f"({len(hidden)} column{'s' if len(hidden) > 1 else ''} not shown: {', '.join(reversed(hidden))}; --wide shows all)"
        import textwrap

        out.write(textwrap.fill(note, width or terminal_columns()) + "\n")


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def raw_cell(value: Any) -> str:
    """A CSV cell: numbers at full precision (shortest text that reads back to the same float), no
    thousands separators or quotes, so a spreadsheet or polars reads them as numbers; booleans as
    true/false; empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if value != value else repr(value)
    if isinstance(value, (list, tuple)):
        return ";".join(raw_cell(v) for v in value)
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ";".join(_cell(v) for v in value)
    return str(value)


def _numeric(text: str) -> bool:
    """A number as a table shows it (right-aligned, never cut): 1,234.5, a shared rank =2, a share 69%, a factor x0.7."""
    text = text.replace(",", "").removeprefix("=").removeprefix("x").removesuffix("%")
    try:
        float(text)
        return True
    except ValueError:
        return False
