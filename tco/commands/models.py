"""`tco models list`: the open-weight model architectures the calculator can size."""

from __future__ import annotations

import argparse

from tco.commands.hardware import add_listing, load_catalog, print_records

COLUMNS = ("id", "name", "arch_type", "total_params_b", "active_params_b", "num_layers", "attention", "num_kv_heads",
           "head_dim", "context_length_tokens", "native_precision", "source", "as_of")


def register(subparsers) -> None:
    add_listing(subparsers, "models", "list the open-weight models in the hardware catalog",
                "Open-weight model architectures, with their sources and dates.", "one row per model", run)


def run(args: argparse.Namespace) -> int:
    print_records(load_catalog(args).models.values(), COLUMNS, args.format, "num_layers")
    return 0
