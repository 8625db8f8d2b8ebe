"""Helpers shared by command modules (kept import-light: no polars here). Table printing lives in tco.report.table."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "csv", "json"), default: str = "table") -> None:
    parser.add_argument("--format", choices=choices, default=default, help=f"output format (default: {default})")


def write_parquet(frame, output: str | None) -> None:
    """Parquet is binary: it needs --output, and is written atomically (the old file kept as a backup)."""
    import io

    refuse_parquet_without_output(output)
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    write_output(output, buffer.getvalue())


def refuse_parquet_without_output(output: str | None) -> None:
    from tco.errors import DataProblem, TcoUserError

    if not output:
        raise TcoUserError(DataProblem("--format", None, "", "parquet is binary: give --output PATH"))


def write_output(output: str, data: bytes | str) -> None:
    """`data` written atomically to `output` (never onto an input), the backup of the file it replaces named on stderr."""
    from pathlib import Path

    from tco.files import files_read, write_atomic

    say_backup(Path(output), write_atomic(Path(output), data, inputs=files_read()))


def say_backup(path, kept) -> None:
    """Name the backup that now holds the file `path` replaced. Why: a file moved away without a word looks lost
    (the TUI says it too)."""
    if kept is not None:
        print(f"{path}: the previous file is kept as {kept}", file=sys.stderr)


FORMAT_OF_SUFFIX = {".csv": "csv", ".json": "json", ".parquet": "parquet"}
"""Output names whose extension says which format the file holds."""
_WRITES = {"table": "a text table", "csv": "CSV", "json": "JSON", "parquet": "parquet", "focus": "FOCUS CSV"}


def refuse_bad_output_names(output: str | None, fmt: str, xlsx: str | None = None) -> None:
    """An empty `--output`/`--xlsx`, or an --output extension that contradicts `--format`: refused (exit 2) before any work.

    Why: `-o ''` printed to stdout as if no name had been given, and `--format parquet -o x.csv` wrote parquet bytes
    into a file every tool then opens as CSV. `--format focus` writes parquet for a .parquet name and CSV otherwise."""
    from pathlib import Path

    from tco.errors import DataProblem, TcoUserError

    for flag, name in (("--output", output), ("--xlsx", xlsx)):
        if name is not None and not name.strip():
            raise TcoUserError(DataProblem(flag, None, "", "the file name is empty", hint=f"give a file name, or leave {flag} out"))
    if not output:
        return
    suffix = Path(output).suffix.lower()
    named = FORMAT_OF_SUFFIX.get(suffix)
    allowed = ("csv", "parquet") if fmt == "focus" else (fmt,)
    if named is not None and named not in allowed:
        raise TcoUserError(DataProblem("--output", None, "", f"{output} is named {suffix} but --format {fmt} writes "
                                       f"{_WRITES.get(fmt, fmt)}",
                                       hint=f"give --format {named}, or a name that ends in the format's extension"
                                            + (" (.txt for a table)" if fmt == "table" else "")))
    if fmt == "parquet" and suffix != ".parquet" and suffix in (".txt", ".tsv", ".xlsx", ".yaml", ".yml", ".md"):
        raise TcoUserError(DataProblem("--output", None, "", f"{output} is named {suffix} but --format parquet writes parquet",
                                       hint="name the file .parquet"))
