"""Helpers shared by command modules (kept import-light: no polars here). Table printing lives in tco.report.table."""

from __future__ import annotations

import argparse
from typing import Sequence


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "csv", "json"), default: str = "table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default: {default})")


def write_parquet(frame, output: str | None) -> None:
    """Parquet is binary: it needs --output, and is written atomically (the old file kept as a backup)."""
    import io
    from pathlib import Path

    from tco.errors import DataProblem, TcoUserError
    from tco.files import files_read, write_atomic

    if not output:
        raise TcoUserError(DataProblem("--format", None, "", "parquet is binary: give --output PATH"))
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    write_atomic(Path(output), buffer.getvalue(), inputs=files_read())
