"""`tco sensitivity FILE`: the inputs that move the answer most (a tornado), per option."""

from __future__ import annotations

import sys


def register(sub) -> None:
    from tco.commands.run import add_scenario_arguments

    p = sub.add_parser("sensitivity", help="tornado: which inputs move an option's total (and its gap to the API) most",
                       description="Each uncertain input at the low and high end of a stated range, the rest at base; "
                                   "bars sorted by how much they move the option's total.")
    add_scenario_arguments(p)
    p.add_argument("--scenario", metavar="ID", help="only this scenario (default: all)")
    p.add_argument("--option", metavar="ID", help="only this option (default: every option)")
    p.add_argument("--sort-by", choices=("swing", "difference"), default="swing",
                   help="swing of the option's total, or of its difference to the reference API option")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def run(args) -> int:
    import dataclasses

    from tco.report.table import print_rows
    from tco.commands.run import evaluate_args
    from tco.engine.sensitivity import tornadoes

    results = evaluate_args(args, with_breakeven=False).results
    pairs = _pairs(results, args.scenario, args.option)
    rows = []
    for (sid, oid), drivers in zip(pairs, tornadoes(results, pairs, sort_by=args.sort_by)):
        for d in drivers:
            rows.append({"scenario": sid, "option": oid, **dataclasses.asdict(d)})
    if args.format == "json":
        print_rows(rows, "json")
        return 0
    for i, (sid, oid) in enumerate(pairs):
        shown = [{
            "input": r["label"], "low": r["low"], "high": r["high"],
            "total at low $": f"{r['total_low_usd']:,.0f}", "total at high $": f"{r['total_high_usd']:,.0f}",
            "swing $": f"{r['swing_usd']:,.0f}",
            "gap to API swing $": "" if r["difference_swing_usd"] is None else f"{r['difference_swing_usd']:,.0f}",
        } for r in rows if (r["scenario"], r["option"]) == (sid, oid)]
        sys.stdout.write(("\n" if i else "") + f"== {sid} / {oid}\n")
        print_rows(shown, "table")
    return 0


def _pairs(results, scenario: str | None, option: str | None) -> list[tuple[str, str]]:
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    pairs = [(r.scenario_id, r.option_id) for r in results.rows]
    if scenario is not None:
        known = sorted({s for s, _ in pairs})
        if scenario not in known:
            raise TcoUserError(DataProblem("--scenario", None, "", f"unknown scenario `{scenario}`", did_you_mean(scenario, known)))
        pairs = [p for p in pairs if p[0] == scenario]
    if option is not None:
        known = sorted({o for _, o in pairs})
        if option not in known:
            raise TcoUserError(DataProblem("--option", None, "", f"unknown option `{option}`", did_you_mean(option, known)))
        pairs = [p for p in pairs if p[1] == option]
    return pairs
