"""Helpers shared by command modules (kept import-light: no polars here)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any, Iterable, Sequence


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "csv", "json"), default: str = "table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default: {default})")


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


def write_parquet(frame, output: str | None) -> None:
    """Parquet is binary: it needs --output, and is written atomically (the old file kept as a backup)."""
    import io
    from pathlib import Path

    from tco.errors import DataProblem, TcoUserError
    from tco.files import write_atomic

    if not output:
        raise TcoUserError(DataProblem("--format", None, "", "parquet is binary: give --output PATH"))
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    write_atomic(Path(output), buffer.getvalue())
