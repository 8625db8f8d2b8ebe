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
    from tco.report.results import mark_ties, rank_text

    ranked = [_ranked(o) for o in outcomes]
    if args.format == "json":
        # JSON keeps the engine's option order (a contract) and adds each option's rank_p50 / rank_p50_tied
        print_rows([{**dataclasses.asdict(o), "options": [next(x for x in options if x["option_id"] == s.option_id) for s in o.options],
                     "spreads": [_spread_record(s) for s in DEFAULT_SPREADS]} for o, options in zip(outcomes, ranked)], "json")
        return 0
    for i, (o, options) in enumerate(zip(outcomes, ranked)):
        sys.stdout.write(("\n" if i else "") + f"== {o.scenario_id} ({o.draws:,} draws, seed {o.seed}; ranked by P50)\n")
        print_rows([{
            "#": "below" if s["below_capability_requirement"] else rank_text(options, s, total="p50_usd", rank="rank_p50", tied="rank_p50_tied"),
            "option": s["option_id"], "kind": s["kind"],
            "P10 $": f"{s['p10_usd']:,.0f}", "P50 $": f"{s['p50_usd']:,.0f}", "P90 $": f"{s['p90_usd']:,.0f}", "mean $": f"{s['mean_usd']:,.0f}",
        } for s in options], "table", priority=("option", "#", "P50 $", "P10 $", "P90 $", "kind", "mean $"))
        tied = [s["option_id"] for s in options if s["rank_p50_tied"] and s["rank_p50"] is not None and
                rank_text(options, s, "p50_usd", "rank_p50", "rank_p50_tied") == "=1"]
        if tied:
            sys.stdout.write(f"A tie at the median: {', '.join(tied)}.\n")
        same: dict[tuple, list[str]] = {}
        for s in o.options:
            if s.throughput_factor_low is not None:
                key = (s.throughput_factor_low, s.throughput_factor_mode, s.throughput_factor_high, s.throughput_factor_source)
                same.setdefault(key, []).append(s.option_id)
        if same:
            _paragraph("replica throughput, as a factor of each option's own (low / most likely / high): " + "; ".join(
                f"{', '.join(ids)} {low:g}/{mode:g}/{high:g} ({source})" for (low, mode, high, source), ids in same.items()))
        if o.self_hosting_wins_share is not None:
            sys.stdout.write(f"self-hosting is cheaper than the best API in {o.self_hosting_wins_share:.1%} of draws\n")
        auto = [r.option_id for r in results.rows if r.scenario_id == o.scenario_id and r.base_auto]
        if auto:
            sys.stdout.write(f"reserved base chosen again in every draw (`replicas: auto`, the cheapest base for that draw): {', '.join(auto)}\n")
    sys.stdout.write("\n")
    _paragraph("uncertain inputs (low / most likely / high): " + "; ".join(
        f"{s.label} {s.low:g}/{s.mode:g}/{s.high:g} ({s.how}{', unless the option has its own' if s.per_option else ''}"
        f"{'; ' + ', '.join(s.kinds) + ' options only' if s.kinds else ''})"
        for s in DEFAULT_SPREADS))
    return 0


def _paragraph(text: str) -> None:
    import textwrap

    from tco.report.table import WIDE, terminal_columns

    sys.stdout.write((text if WIDE else textwrap.fill(text, terminal_columns())) + "\n")


def _ranked(outcome) -> list[dict]:
    """The outcome's options as dicts, ranked by P50 total (those below the capability requirement, then the excluded,
    last, with no rank), ties marked.

    Why P50: the median total is the figure least moved by the tails of the draws; JSON adds
    `rank_p50` and `rank_p50_tied` to each option (its other fields are kept).
    """
    import dataclasses

    from tco.report.results import mark_ties

    options = [{**dataclasses.asdict(s), "scenario": outcome.scenario_id} for s in outcome.options]
    allowed = sorted((s for s in options if not s["excluded"] and not s["below_capability_requirement"]), key=lambda s: s["p50_usd"])
    for rank, s in enumerate(allowed, start=1):
        s["rank_p50"] = rank
    for s in options:
        s.setdefault("rank_p50", None)
        s["rank_p50_tied"] = False
    mark_ties(options, total="p50_usd", rank="rank_p50", tied="rank_p50_tied")
    out = allowed + [s for s in options if s["below_capability_requirement"]] + [s for s in options if s["excluded"]]
    for s in out:
        s.pop("scenario")
    return out


def _spread_record(spread) -> dict:
    """A spread as JSON, its `kinds` spelled out: the engine's empty tuple means every kind, which `[]` would not say."""
    import dataclasses
    import typing

    from tco.model.scenario import Option

    every_kind = [typing.get_args(typing.get_type_hints(option)["kind"])[0]
                  for option in typing.get_args(typing.get_args(Option)[0])]
    return {**dataclasses.asdict(spread), "kinds": list(spread.kinds) or every_kind}
