"""`tco offers list`: cloud instances with GPUs and their list prices per GPU-hour."""

from __future__ import annotations

import argparse

from tco.commands.hardware import add_listing, load_catalog, print_records

COLUMNS = ("id", "cloud", "instance_type", "gpu", "gpu_count", "on_demand_usd_per_gpu_hour",
           "median_on_demand_usd_per_gpu_hour", "spot_usd_per_gpu_hour", "price_scope", "source", "as_of")


def register(subparsers) -> None:
    listing = add_listing(subparsers, "offers", "list cloud GPU instance offers and prices",
                          "Cloud GPU instances with list prices (USD per GPU-hour), sources and dates.",
                          "one row per offer, cheapest on-demand GPU-hour first", run)
    listing.add_argument("--gpu", metavar="ID", help="only offers with this GPU id (see `tco hardware list`)")
    listing.add_argument("--cloud", metavar="NAME", help="only offers from this cloud (e.g. aws, gcp, lambda)")


def run(args: argparse.Namespace) -> int:
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    catalog = load_catalog(args)
    offers = list(catalog.offers.values())
    if args.gpu is not None:
        if args.gpu not in catalog.gpus:
            starting = [g for g in catalog.gpus if g.startswith(args.gpu)]
            hint = f"did you mean one of {', '.join(f'`{g}`' for g in starting)}?" if starting else did_you_mean(args.gpu, catalog.gpus)
            raise TcoUserError(DataProblem("--gpu", None, "", f"unknown GPU id `{args.gpu}`",
                                           hint=hint or "see `tco hardware list` for the ids"))
        offers = [o for o in offers if o.gpu == args.gpu]
    if args.cloud is not None:
        clouds = sorted({o.cloud for o in catalog.offers.values()})
        if args.cloud not in clouds:
            raise TcoUserError(DataProblem("--cloud", None, "", f"unknown cloud `{args.cloud}`",
                                           hint=did_you_mean(args.cloud, clouds) or f"known clouds: {', '.join(clouds)}"))
        offers = [o for o in offers if o.cloud == args.cloud]
    offers.sort(key=lambda o: (o.on_demand_usd_per_gpu_hour is None, o.on_demand_usd_per_gpu_hour or 0, o.id))
    print_records(offers, COLUMNS, args.format)
    return 0
