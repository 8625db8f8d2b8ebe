"""`tco hardware list`: the GPU types the calculator knows, with their main figures and sources."""

from __future__ import annotations

import argparse

from tco.report.table import print_rows
from tco.commands._common import add_format

COLUMNS = ("id", "name", "memory_gb", "memory_reported_mib", "memory_bandwidth_tb_per_s", "dense_bf16_tflops",
           "dense_fp8_tflops", "dense_fp4_tflops", "tdp_w", "source", "as_of")


def add_hardware_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hardware-dir", metavar="DIR", action="append", default=[],
                        help="extra folder of hardware YAML files; its records replace bundled ones with the same id (repeatable)")


def load_catalog(args: argparse.Namespace):
    from pathlib import Path

    from tco.load.hardware import load_hardware

    return load_hardware(extra_dirs=[Path(d) for d in args.hardware_dir])


def main_source(record, first_field: str | None = None) -> tuple[str, str]:
    """The source of a record's headline figure (or its first source): what a one-line listing can show."""
    chosen = next((s for s in record.sources if first_field in s.covers), record.sources[0])
    return chosen.source, chosen.as_of


def add_listing(subparsers, name: str, help_text: str, description: str, row_help: str, run) -> argparse.ArgumentParser:
    """`tco NAME list` with --format and --hardware-dir; returns the `list` parser for extra flags."""
    parser = subparsers.add_parser(name, help=help_text, description=description)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help=row_help)
    add_format(listing)
    add_hardware_dir(listing)
    listing.set_defaults(func=run)
    return listing


PRIORITY = ("id", "memory_gb", "dense_bf16_tflops", "dense_fp8_tflops", "memory_bandwidth_tb_per_s", "as_of", "tdp_w",
            "dense_fp4_tflops", "memory_reported_mib", "name", "source")
"""What a narrow terminal keeps first (--wide shows every column)."""


def print_records(records, columns: tuple[str, ...], fmt: str, main_field: str | None = None, priority=None,
                  extra_fields: tuple[str, ...] = ()) -> None:
    """One row per catalog record: its listed fields, then the source and date of its main figure; csv and json
    also carry `extra_fields` (columns too long for a table) and `sources`, every source of the record with the
    fields it covers, after the table's columns (a csv column's position stays put).

    Why: a row shows figures from several sources (a GPU's memory from one page, its TDP from another, its
    driver-reported memory from a package), and `source` / `as_of` name only the main figure's."""
    rows = []
    for record in records:
        source, as_of = main_source(record, main_field)
        row = {column: getattr(record, column, None) for column in columns[:-2]}
        every = [{"covers": list(s.covers), "source": s.source, "as_of": s.as_of} for s in record.sources]
        rows.append({**row, "source": source, "as_of": as_of, **{f: getattr(record, f, None) for f in extra_fields},
                     "sources": every if fmt == "json" else " | ".join(
                         f"{', '.join(s['covers'])}: {s['source']} ({s['as_of']})" for s in every)})
    if fmt == "table":
        rows = [{c: r[c] for c in columns} for r in rows]
    print_rows(rows, fmt, columns if fmt == "table" else (*columns, *extra_fields, "sources"), priority=priority)


def register(subparsers) -> None:
    add_listing(subparsers, "hardware", "list the GPU types in the hardware catalog",
                "GPU types in the hardware catalog, with their sources and dates.", "one row per GPU type", run)


def run(args: argparse.Namespace) -> int:
    print_records(load_catalog(args).gpus.values(), COLUMNS, args.format, "memory_gb", PRIORITY)
    return 0
