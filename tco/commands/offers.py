"""`tco offers list`: cloud instances with GPUs and their list prices per GPU-hour; `--term` lists committed prices.

`--term` values (CommitmentTerm in tco/model/hardware.py): `1y` and `3y` (one- or three-year reservations
and committed-use discounts; 12 months counts as 1y), `block` (EC2 Capacity Blocks: days to weeks,
paid at purchase), `contract` (reservations whose length the seller does not print as 1 or 3 years),
`all` (every committed offer). Without `--term` the on-demand listing is unchanged.
"""

from __future__ import annotations

import argparse
import sys

from tco.report.table import print_rows
from tco.commands.hardware import add_listing, load_catalog, main_source, print_records

COLUMNS = ("id", "cloud", "instance_type", "gpu", "gpu_count", "on_demand_usd_per_gpu_hour",
           "median_on_demand_usd_per_gpu_hour", "spot_usd_per_gpu_hour", "price_scope", "source", "as_of")
EXTRA_FIELDS = ("caution",)
"""csv and json only, after COLUMNS: the table leaves out `caution` (a paragraph) and counts the rows that carry one."""

PRIORITY = ("id", "on_demand_usd_per_gpu_hour", "gpu", "gpu_count", "spot_usd_per_gpu_hour", "as_of",
            "median_on_demand_usd_per_gpu_hour", "price_scope", "cloud", "instance_type", "source")
"""What a narrow terminal keeps first (--wide shows every column)."""

TERMS = ("1y", "3y", "block", "contract", "all")
"""Accepted `--term` values: a CommitmentTerm, or `all`."""

COMMITTED_COLUMNS = ("id", "cloud", "offering", "instance_type", "gpu", "gpu_count", "region", "term", "payment_option",
                     "committed_usd_per_instance_hour", "committed_usd_per_gpu_hour", "on_demand_usd_per_gpu_hour",
                     "minimum_commitment", "caution", "superseded_by", "source", "as_of")
_COMMITTED_TABLE_COLUMNS = ("id", "gpu", "gpu_count", "payment_option", "committed_usd_per_instance_hour",
                            "committed_usd_per_gpu_hour", "on_demand_usd_per_gpu_hour", "as_of", "source")
"""The table keeps to what fits a terminal (`source` last: the first column a narrow terminal leaves out, --wide
shows it); csv and json carry every column (terms, minimums, cautions, sources)."""


def register(subparsers) -> None:
    listing = add_listing(subparsers, "offers", "list cloud GPU instance offers and prices",
                          "Cloud GPU instances with list prices (USD per GPU-hour), sources and dates.",
                          "one row per offer, cheapest on-demand GPU-hour first", run)
    listing.add_argument("--gpu", metavar="ID", help="only offers with this GPU id (see `tco hardware list`)")
    listing.add_argument("--cloud", metavar="NAME", help="only offers from this cloud (e.g. aws, gcp, lambda)")
    listing.add_argument("--term", choices=TERMS, metavar="TERM",
                         help="list committed (reserved) prices instead: 1y, 3y, block (EC2 Capacity Blocks), "
                              "contract (other reservation lengths) or all")


def run(args: argparse.Namespace) -> int:
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    catalog = load_catalog(args)
    committed = args.term is not None
    everything = list((catalog.committed_offers if committed else catalog.offers).values())
    offers = everything
    if args.gpu is not None:
        gpu = catalog.gpu_id_for(args.gpu)  # an id, or a name or alias it means (`H100 SXM`)
        if gpu is None:
            starting = [g for g in catalog.gpus if g.startswith(args.gpu)]
            hint = f"did you mean one of {', '.join(f'`{g}`' for g in starting)}?" if starting else did_you_mean(args.gpu, catalog.gpus)
            raise TcoUserError(DataProblem("--gpu", None, "", f"unknown GPU id `{args.gpu}`",
                                           hint=hint or "see `tco hardware list` for the ids"))
        offers = [o for o in offers if o.gpu == gpu]
    if args.cloud is not None:
        clouds = sorted({o.cloud for o in everything})
        if args.cloud not in clouds:
            raise TcoUserError(DataProblem("--cloud", None, "", f"unknown cloud `{args.cloud}`",
                                           hint=did_you_mean(args.cloud, clouds) or f"known clouds: {', '.join(clouds)}"))
        offers = [o for o in offers if o.cloud == args.cloud]
    if committed:
        return _print_committed(offers, args)
    offers.sort(key=lambda o: (o.on_demand_usd_per_gpu_hour is None, o.on_demand_usd_per_gpu_hour or 0, o.id))
    print_records(offers, COLUMNS, args.format, priority=PRIORITY, extra_fields=EXTRA_FIELDS)
    flagged = sum(1 for o in offers if o.caution)
    if flagged and args.format == "table":
        print(f"note: {flagged} of these row(s) carry a caution (other shared data contradicts their price): "
              "see --format json or csv", file=sys.stderr)
    return 0


def _print_committed(offers, args: argparse.Namespace) -> int:
    """Committed offers of the chosen term, cheapest GPU-hour first; the source and date are the committed price's."""
    if args.term != "all":
        offers = [o for o in offers if o.term == args.term]
    offers.sort(key=lambda o: (o.committed_usd_per_gpu_hour, o.id))
    if args.format == "table":
        rows = [{c: getattr(o, c, None) for c in _COMMITTED_TABLE_COLUMNS}
                | dict(zip(("source", "as_of"), main_source(o, "committed_usd_per_instance_hour"))) for o in offers]
        print_rows(rows, "table", _COMMITTED_TABLE_COLUMNS)
        flagged = sum(1 for o in offers if o.caution or o.superseded_by)
        if flagged:
            print(f"note: {flagged} of these row(s) carry a caution or a newer capture (`caution`, `superseded_by`): "
                  "see --format json or csv", file=sys.stderr)
        return 0
    print_records(offers, COMMITTED_COLUMNS, args.format, "committed_usd_per_instance_hour")
    return 0
