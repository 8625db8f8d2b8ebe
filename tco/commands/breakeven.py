"""`tco breakeven FILE`: from which daily volume, and from which month, each option that is not pay-per-token pays."""

from __future__ import annotations

from tco.commands._common import add_format
from tco.commands.run import add_scenario_arguments

COLUMNS = ("scenario", "option", "kind", "reference_option", "requests_per_day_now", "breakeven_requests_per_day",
           "at_step", "breakeven_month", "self_hosted_total_usd_at_breakeven", "api_total_usd_at_breakeven",
           "base_replicas_at_breakeven", "breakeven_month_cash", "stays_requests_per_day")
"""`base_replicas_at_breakeven`: the reserved base a mixed fleet with `replicas: auto` has at the break-even
volume (chosen again there); null for other options. `stays_requests_per_day`: the volume from which the option costs
no more at every higher volume (to 1e10 a day); above the break-even one more replica can put it above the API line
again, tooth after tooth of the replica staircase. Null where it ends above, or there is no break-even."""


def register(sub) -> None:
    p = sub.add_parser("breakeven", help="break-even volume and month of each self-hosted, hybrid or provisioned-API option",
                       description="For each scenario and each self-hosted, hybrid or provisioned-API option: the daily volume from which it "
                                   "costs no more than the cheapest allowed API option over the horizon, whether the costs "
                                   "meet on a step of the replica staircase, the volume from which it stays no costlier "
                                   "(one more replica can put it above the API again above the break-even), the month "
                                   "from which cumulative costs stay at or below, and both totals at the break-even volume.")
    add_scenario_arguments(p)
    add_format(p, ("table", "csv", "json"))
    p.set_defaults(func=run)


def breakeven_records(results) -> list[dict]:
    records = []
    for rec in results.options.sort("row").iter_rows(named=True):
        if rec["kind"] == "api":
            continue
        be = results.breakevens.get(rec["row"])
        records.append({
            "scenario": rec["scenario"], "option": rec["option"], "kind": rec["kind"],
            "reference_option": rec["breakeven_reference_option"],
            "requests_per_day_now": results.rows[rec["row"]].values["requests_per_day"],
            "breakeven_requests_per_day": be.requests_per_day if be else None,
            "at_step": be.at_step if be else None,
            "breakeven_month": rec["breakeven_month"],
            "self_hosted_total_usd_at_breakeven": be.self_hosted_total_usd if be else None,
            "api_total_usd_at_breakeven": be.api_total_usd if be else None,
            "base_replicas_at_breakeven": be.base_replicas if be else None,
            "breakeven_month_cash": rec["breakeven_month_cash"],
            "stays_requests_per_day": be.stays_requests_per_day if be else None,
        })
    return records


def run(args) -> int:
    import sys

    from tco.commands.run import evaluate_args
    from tco.report.results import NEVER
    from tco.report.table import print_rows

    results = evaluate_args(args, with_breakeven=True).results
    records = breakeven_records(results)
    if args.format != "table":
        print_rows(records, args.format, COLUMNS)
        return 0
    if not records:
        print("No self-hosted, hybrid or provisioned-API option to compare with an API option.")
        return 0
    shown = []
    for r in records:
        if r["reference_option"] is None:
            volume = "no API"  # no allowed API option in the scenario to compare with
        elif r["breakeven_requests_per_day"] is None:
            volume = NEVER
        else:
            volume = f"{r['breakeven_requests_per_day']:,.0f}" + (" (on a step)" if r["at_step"] else "")
        shown.append({
            "scenario": r["scenario"], "option": r["option"], "vs API": r["reference_option"] or "",
            "req/day now": f"{r['requests_per_day_now']:,.0f}", "break-even req/day": volume,
            "stays from": _stays(r),
            "month": _month(r, "breakeven_month"),
            "cash month": _month(r, "breakeven_month_cash"),
            "option $ there": _money(r["self_hosted_total_usd_at_breakeven"]),
            "API $ there": _money(r["api_total_usd_at_breakeven"]),
        })
    print_rows(shown, "table", priority=("option", "break-even req/day", "stays from", "vs API", "month", "cash month", "req/day now",
                                        "scenario", "option $ there", "API $ there"))
    if any(r["breakeven_requests_per_day"] is None and r["reference_option"] for r in records):
        sys.stdout.write(f"{NEVER}: the costs do not meet at any volume up to 1e10 requests/day.\n")
    if any(r["at_step"] for r in records):
        sys.stdout.write("\n(on a step): the costs never meet exactly; at that volume one more replica makes "
                         "self-hosting jump back above the API, so the first volume at or below the API line is given.\n")
    if any(r["breakeven_requests_per_day"] is not None and r["stays_requests_per_day"] != r["breakeven_requests_per_day"]
           for r in records):
        sys.stdout.write("stays from: above the break-even one more replica puts self-hosting above the API again, tooth "
                         "after tooth of the replica staircase; from this volume on it costs no more at every volume "
                         f"(`{NEVER}`: it ends above, up to 1e10 requests/day).\n")
    several = len({r["scenario"] for r in records}) > 1
    for r in records:
        if r["base_replicas_at_breakeven"] is not None:
            now = results.row(r["scenario"], r["option"])
            named = f"{r['scenario']} / {r['option']}" if several else r["option"]  # the same option id in several scenarios
            sys.stdout.write(f"{named}: base `auto` is chosen again at each volume: {r['base_replicas_at_breakeven']} "
                             f"replicas at the break-even volume ({now.values['base_replicas']:g} at today's).\n")
    sys.stdout.write("month: the month from which the option's cumulative cost stays at or below the API's, at today's volume, "
                     "in the accounting view (a purchase counts as its depreciation and cost of capital). cash month: the same "
                     "with the cash paid (purchases and upfront terms when paid, resale and book value back in the last "
                     "month): the payback month, later where hardware or a term is paid upfront.\n")
    return 0


def _month(record: dict, name: str) -> str:
    from tco.report.results import NEVER

    if record[name] is None:
        return NEVER if record["reference_option"] else ""
    return str(record[name])


def _money(value) -> str:
    return "" if value is None else f"{value:,.0f}"


def _stays(record: dict) -> str:
    """`same` where the option stays no costlier from its break-even on, else the volume it stays from, or `never`."""
    if record["breakeven_requests_per_day"] is None:
        return ""
    if record["stays_requests_per_day"] == record["breakeven_requests_per_day"]:
        return "same"
    return NEVER if record["stays_requests_per_day"] is None else f"{record['stays_requests_per_day']:,.0f}"
