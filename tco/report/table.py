"""Rows as a plain aligned table, CSV or JSON: the shape every listing and figure of the CLI prints.

Why in tco.report: the commands, the benchmarks and the explain renderer all print tables; the report
layer sits below all of them, so none has to import a command module to print.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any, Sequence


def print_rows(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None, out=None) -> None:
    """Rows as a plain table, CSV or JSON on stdout (stdout is data)."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump(rows, out, indent=2, default=str)
        out.write("\n")
        return
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})
        return
    table = [[str(c) for c in columns]] + [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    for j, r in enumerate(table):
        out.write("  ".join(v.ljust(widths[i]) if i == 0 or not _numeric(v) else v.rjust(widths[i]) for i, v in enumerate(r)).rstrip() + "\n")
        if j == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ";".join(_cell(v) for v in value)
    return str(value)


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False
