"""`tco pricing list` and `tco pricing import`: the API price sheets in pricing/."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from tco.report.table import print_rows
from tco.commands._common import add_format

LIST_COLUMNS = (
    "provider", "model", "input_usd_per_million_tokens", "output_usd_per_million_tokens",
    "cache_read_usd_per_million_tokens", "cache_write_usd_per_million_tokens", "open_weight_model",
    "source", "as_of", "effective_from", "retired_on",
)
"""`retired_on`: the day the provider stopped serving the model (pricing/README.md, "Retired models"), empty while
it is served; a retired model's prices are its last ones, which no one can buy any more."""
_TABLE_COLUMNS = LIST_COLUMNS[:7] + ("as_of", "effective_from", "retired_on", "source")
"""`source` (long URLs) comes last and is the first column a narrow terminal leaves out; --wide, csv and json show it."""


def register(subparsers) -> None:
    parser = subparsers.add_parser("pricing", help="list or re-import the API price sheets",
                                   description="API prices per million tokens, by provider (pricing/*.yaml).")
    sub = parser.add_subparsers(dest="pricing_command", metavar="ACTION", parser_class=type(parser))

    listing = sub.add_parser("list", help="prices in force today, one row per model")
    listing.add_argument("--provider", action="append", help="only this provider (repeatable)")
    listing.add_argument("--model", help="only models whose id contains this text (any case)")
    listing.add_argument("--open-weight", action="store_true", help="only models that serve an open-weight model")
    listing.add_argument("--on", type=_date, help="the date whose prices to show (default: today)")
    listing.add_argument("--pricing-dir", action="append", default=[], metavar="DIR",
                         help="your own sheets, overriding the bundled ones (repeatable; first wins)")
    add_format(listing)
    listing.set_defaults(func=run_list)

    imp = sub.add_parser("import", help="rewrite the bundled sheets from the installed genai-prices package (offline)")
    imp.add_argument("--force", action="store_true", help="write even if a price moved more than 10x, or an old sheet is unreadable")
    imp.add_argument("--pricing-dir", metavar="DIR", help="folder to write (default: the bundled pricing/ folder)")
    imp.add_argument("--as-of", type=_date, help="import date recorded in the sheets (default: today)")
    imp.set_defaults(func=run_import)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date written as YYYY-MM-DD: {text!r}") from None


def run_list(args: argparse.Namespace) -> int:
    from tco.engine.api_price import price_in_force
    from tco.load.pricing import load_providers, pricing_dirs

    on = args.on or dt.date.today()
    dirs = pricing_dirs(args.pricing_dir)
    providers = load_providers(args.provider, dirs)
    needle = (args.model or "").lower()
    rows = []
    for provider in providers.values():
        for model in provider.models:
            if needle and needle not in model.id.lower():
                continue
            if args.open_weight and not model.open_weight_model:
                continue
            entry = price_in_force(model.prices, on)
            rows.append({
                "provider": provider.id,
                "model": model.id,
                "input_usd_per_million_tokens": _f(entry.input_usd_per_million_tokens),
                "output_usd_per_million_tokens": _f(entry.output_usd_per_million_tokens),
                "cache_read_usd_per_million_tokens": _f(entry.cache_read_usd_per_million_tokens),
                "cache_write_usd_per_million_tokens": _f(entry.cache_write_usd_per_million_tokens),
                "open_weight_model": model.open_weight_model,
                "source": entry.source or provider.source,
                "as_of": str(entry.as_of or provider.as_of),
                "effective_from": entry.effective_from.isoformat() if entry.effective_from else None,
                "retired_on": model.retired_on.isoformat() if model.retired_on else None,
            })
    columns = _TABLE_COLUMNS if args.format == "table" else LIST_COLUMNS
    print_rows(rows, args.format, columns, priority=("model", "input_usd_per_million_tokens", "output_usd_per_million_tokens",
                                                    "provider", "as_of", "retired_on", "cache_read_usd_per_million_tokens"))
    if not rows:
        print("no models match", file=sys.stderr)
    return 0


def _f(value):
    return None if value is None else float(value)


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tco.load.pricing_import import run_import as do_import
    from tco.paths import bundled_dir

    target = Path(args.pricing_dir) if args.pricing_dir else bundled_dir("pricing")
    today = dt.date.today()
    report = do_import(target, force=args.force, as_of=args.as_of or today, today=today)
    print(f"{len(report.written)} sheet(s) written, {len(report.unchanged)} unchanged, "
          f"{report.models} models ({report.skipped_models} without per-token prices skipped) in {target}", file=sys.stderr)
    if report.written:  # name them: an entry added by hand to one of them is in the backup now, not in the sheet
        print(f"rewritten: {', '.join(f'{pid}.yaml' for pid in report.written)}", file=sys.stderr)
    if report.backup_dir:
        print(f"previous sheets kept in {report.backup_dir} (your own prices belong in a sheet of your own, --pricing-dir: "
              "a re-import rewrites these)", file=sys.stderr)
    if report.leftover:
        print(f"not from genai-prices, left as they are: {', '.join(report.leftover)}", file=sys.stderr)
    return 0
