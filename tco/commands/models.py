"""`tco models list`: the open-weight model architectures the calculator can size."""

from __future__ import annotations

import argparse

from tco.commands._common import add_format, print_rows
from tco.commands.hardware import add_hardware_dir, load_catalog, main_source

COLUMNS = ("id", "name", "arch_type", "total_params_b", "active_params_b", "num_layers", "attention", "num_kv_heads",
           "head_dim", "context_length_tokens", "native_precision", "source", "as_of")


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="list the open-weight models in the hardware catalog",
                                   description="Open-weight model architectures, with their sources and dates.")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="one row per model")
    add_format(listing)
    add_hardware_dir(listing)
    listing.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args)
    rows = []
    for model in catalog.models.values():
        source, as_of = main_source(model, "num_layers")
        row = {column: getattr(model, column, None) for column in COLUMNS[:-2]}
        rows.append({**row, "source": source, "as_of": as_of})
    print_rows(rows, args.format, COLUMNS)
    return 0
