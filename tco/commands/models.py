"""`tco models list`: the open-weight model architectures the calculator can size."""

from __future__ import annotations

import argparse

from tco.commands.hardware import add_listing, load_catalog, print_records

COLUMNS = ("id", "name", "arch_type", "total_params_b", "active_params_b", "num_layers", "attention", "num_kv_heads",
           "head_dim", "context_length_tokens", "native_precision", "source", "as_of")

PRIORITY = ("id", "total_params_b", "active_params_b", "context_length_tokens", "native_precision", "as_of", "arch_type",
            "num_layers", "attention", "num_kv_heads", "head_dim", "name", "source")
"""What a narrow terminal keeps first (--wide shows every column)."""


def register(subparsers) -> None:
    add_listing(subparsers, "models", "list the open-weight models in the hardware catalog",
                "Open-weight model architectures, with their sources and dates.", "one row per model", run)


def run(args: argparse.Namespace) -> int:
    print_records(load_catalog(args).models.values(), COLUMNS, args.format, "num_layers", PRIORITY)
    return 0
