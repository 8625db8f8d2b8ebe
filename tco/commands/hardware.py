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


def print_records(records, columns: tuple[str, ...], fmt: str, main_field: str | None = None, priority=None) -> None:
    """One row per catalog record: its listed fields, then the source and date of its main figure."""
    rows = []
    for record in records:
        source, as_of = main_source(record, main_field)
        row = {column: getattr(record, column, None) for column in columns[:-2]}
        rows.append({**row, "source": source, "as_of": as_of})
    print_rows(rows, fmt, columns, priority=priority)


def register(subparsers) -> None:
    add_listing(subparsers, "hardware", "list the GPU types in the hardware catalog",
                "GPU types in the hardware catalog, with their sources and dates.", "one row per GPU type", run)


def run(args: argparse.Namespace) -> int:
    print_records(load_catalog(args).gpus.values(), COLUMNS, args.format, "memory_gb", PRIORITY)
    return 0
