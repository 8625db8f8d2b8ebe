"""`tco uncertainty FILE`: Monte Carlo over uncertain inputs; P10/P50/P90 and how often self-hosting wins."""

from __future__ import annotations

import sys


def register(sub) -> None:
    from tco.commands.run import add_scenario_arguments

    p = sub.add_parser("uncertainty", help="Monte Carlo: P10/P50/P90 totals and the probability that self-hosting wins",
                       description="Draws the uncertain inputs (throughput error, utilization cap, growth, API prices and "
                                   "their decline, GPU prices) from triangular distributions, the same draws for every option; "
                                   "seeded, so results repeat.")
    add_scenario_arguments(p)
    p.add_argument("--scenario", metavar="ID", help="only this scenario (default: all)")
    p.add_argument("--draws", type=int, default=10_000, help="number of draws (default 10,000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def run(args) -> int:
    import dataclasses

    from tco.report.table import print_rows
    from tco.commands.run import evaluate_args
    from tco.commands.sensitivity import _pairs
    from tco.engine.uncertainty import DEFAULT_SPREADS, monte_carlo
    from tco.errors import DataProblem, TcoUserError

    if not 1 <= args.draws <= 1_000_000:
        raise TcoUserError(DataProblem("--draws", None, "", f"must be between 1 and 1,000,000 (got {args.draws})"))
    results = evaluate_args(args, with_breakeven=False).results
    scenarios = list(dict.fromkeys(s for s, _ in _pairs(results, args.scenario, None)))
    outcomes = [monte_carlo(results, sid, draws=args.draws, seed=args.seed) for sid in scenarios]
    if args.format == "json":
        print_rows([{**dataclasses.asdict(o), "spreads": [dataclasses.asdict(s) for s in DEFAULT_SPREADS]} for o in outcomes], "json")
        return 0
    for i, o in enumerate(outcomes):
        sys.stdout.write(("\n" if i else "") + f"== {o.scenario_id} ({o.draws:,} draws, seed {o.seed})\n")
        print_rows([{
            "option": s.option_id + (" (excluded)" if s.excluded else ""), "kind": s.kind,
            "P10 $": f"{s.p10_usd:,.0f}", "P50 $": f"{s.p50_usd:,.0f}", "P90 $": f"{s.p90_usd:,.0f}", "mean $": f"{s.mean_usd:,.0f}",
        } for s in o.options], "table")
        if o.self_hosting_wins_share is not None:
            sys.stdout.write(f"self-hosting is cheaper than the best API in {o.self_hosting_wins_share:.1%} of draws\n")
    sys.stdout.write("\nuncertain inputs (low / most likely / high): " + "; ".join(
        f"{s.label} {s.low:g}/{s.mode:g}/{s.high:g} ({s.how})" for s in DEFAULT_SPREADS) + "\n")
    return 0
