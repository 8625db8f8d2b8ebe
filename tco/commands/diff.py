"""`tco diff OLD.yaml NEW.yaml`: how each option's cost changes between two versions of a scenario file.

Why: scenario files live in code review; a reviewer should see "+$41,000 on GPU rental" the way an
infrastructure cost diff shows it, not two tables to compare by eye.
"""

from __future__ import annotations

from tco.commands.run import add_scenario_arguments

CHANGED_USD = 0.005
"""A line moves when it changes by at least half a cent."""


def register(sub) -> None:
    p = sub.add_parser("diff", help="cost change per option and cost line between two versions of a scenario file",
                       description="Evaluate OLD and NEW and print, per scenario and option, the change of total and NPV "
                                   "and of each cost line that moved (+/-), then the change of the cheapest option.")
    p.add_argument("old", metavar="OLD.yaml")
    p.add_argument("new", metavar="NEW.yaml")
    add_scenario_arguments(p, files=False)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def diff_records(old, new) -> list[dict]:
    """Per scenario: the options' changes (matched by scenario and option id) and the winner before and after."""
    from tco.engine import formulas as F

    def by_key(results):
        return {(r["scenario"], r["option"]): r for r in results.options.sort("row").iter_rows(named=True)}

    before, after = by_key(old), by_key(new)
    scenarios = list(dict.fromkeys([k[0] for k in before] + [k[0] for k in after]))
    out = []
    for sid in scenarios:
        keys = list(dict.fromkeys([k for k in before if k[0] == sid] + [k for k in after if k[0] == sid]))
        options = []
        for key in keys:
            a, b = before.get(key), after.get(key)
            status = "added" if a is None else "removed" if b is None else "changed"
            lines = {}
            for line in F.COST_LINES:
                x = a[line.name] if a else 0.0
                y = b[line.name] if b else 0.0
                if abs(y - x) >= CHANGED_USD:
                    lines[line.name] = {"old_usd": x, "new_usd": y, "delta_usd": y - x}
            total_old = a["total_cost_usd"] if a else None
            total_new = b["total_cost_usd"] if b else None
            npv_old = a["npv_usd"] if a else None
            npv_new = b["npv_usd"] if b else None
            excluded_old = a["excluded_reason"] if a else None
            excluded_new = b["excluded_reason"] if b else None
            # an option taken out of the ranking (or let back in) has changed for the reader, whatever its costs did
            if (status == "changed" and not lines and abs(total_new - total_old) < CHANGED_USD and abs(npv_new - npv_old) < CHANGED_USD
                    and excluded_old == excluded_new):
                status = "unchanged"
            options.append({
                "option": key[1], "kind": (b or a)["kind"], "status": status,
                "total_old_usd": total_old, "total_new_usd": total_new,
                "total_delta_usd": (total_new or 0.0) - (total_old or 0.0),
                "npv_old_usd": npv_old, "npv_new_usd": npv_new, "npv_delta_usd": (npv_new or 0.0) - (npv_old or 0.0),
                "lines": lines, "excluded_old_reason": excluded_old, "excluded_new_reason": excluded_new,
            })
        out.append({"scenario": sid, "options": options,
                    "cheapest_old": _cheapest(before, sid), "cheapest_new": _cheapest(after, sid)})
    return out


def _cheapest(records: dict, sid: str) -> dict | None:
    """The cheapest allowed option, and the options tied with it to the cent (tco.engine.ranking: a tie, as tco run says)."""
    from tco.engine.ranking import cents

    ranked = sorted((r for (s, _), r in records.items() if s == sid and r["rank"] is not None), key=lambda r: r["rank"])
    if not ranked:
        return None
    best = ranked[0]
    tied = [r["option"] for r in ranked[1:] if cents(r["total_cost_usd"]) == cents(best["total_cost_usd"])]
    return {"option": best["option"], "total_usd": best["total_cost_usd"], "tied_with": tied}


def run(args) -> int:
    import json
    import sys
    from argparse import Namespace

    from tco.errors import TcoUserError
    from tco.load.scenarios import not_applied
    from tco.report.table import json_safe

    common = {k: v for k, v in vars(args).items() if k not in ("old", "new")}
    old, missing_old = _evaluate_side(common, args.old)
    new, missing_new = _evaluate_side(common, args.new)
    neither = [text for text in missing_old if text in missing_new]
    if neither:
        raise TcoUserError([not_applied(text) for text in neither])
    records = diff_records(old, new)
    if args.format == "json":
        json.dump(json_safe(records), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    sys.stdout.write(render(records))
    return 0


def render(records: list[dict]) -> str:
    from tco.engine import formulas as F
    from tco.engine.fields import label_for_kind

    def label(option: dict, name: str) -> str:
        """A cost line as the option's kind says it: committed API capacity pays for units, not GPUs."""
        return label_for_kind(option["kind"], name, F.LINE_LABELS[name])[0]

    out = []
    for s in records:
        out.append(f"== {s['scenario']}")
        # one label width for the whole scenario: every option's changes and amounts line up in the same columns
        width = max((len(label(o, n)) for o in s["options"] if o["status"] != "unchanged" for n in o["lines"]), default=0)
        for o in s["options"]:
            if o["status"] == "unchanged":
                continue
            mark = {"added": "+", "removed": "-", "changed": "~"}[o["status"]]
            if o["status"] == "changed" and not o["lines"] and abs(o["total_delta_usd"]) < CHANGED_USD and abs(o["npv_delta_usd"]) < CHANGED_USD:
                head = f"{mark} {o['option']} ({o['kind']}): total {_usd(o['total_new_usd'])}, costs unchanged"
            elif o["status"] == "changed":
                head = (f"{mark} {o['option']} ({o['kind']}): total {_usd(o['total_old_usd'])} -> {_usd(o['total_new_usd'])} "
                        f"({_signed(o['total_delta_usd'])}{_percent(o['total_delta_usd'], o['total_old_usd'])}); "
                        f"NPV {_signed(o['npv_delta_usd'])}")
            else:
                value = o["total_new_usd"] if o["status"] == "added" else o["total_old_usd"]
                head = f"{mark} {o['option']} ({o['kind']}): {o['status']}, total {_usd(value)}"
            out.append(head)
            if o["status"] == "changed" and o["excluded_old_reason"] != o["excluded_new_reason"]:
                out.append(f"    now excluded: {o['excluded_new_reason']}" if o["excluded_new_reason"]
                           else f"    no longer excluded (was: {o['excluded_old_reason']})")
            for name, line in o["lines"].items():
                out.append(f"    {label(o, name):<{width}}  {_signed(line['delta_usd']):>14}   "
                           f"({_usd(line['old_usd'])} -> {_usd(line['new_usd'])})")
        unchanged = [o["option"] for o in s["options"] if o["status"] == "unchanged"]
        if unchanged:
            out.append(f"  unchanged: {', '.join(unchanged)}")
        a, b = s["cheapest_old"], s["cheapest_new"]
        if a and b:
            if (a["option"], a["tied_with"]) == (b["option"], b["tied_with"]):
                out.append(f"  cheapest: {_names(b)}, {_usd(a['total_usd'])} -> {_usd(b['total_usd'])} "
                           f"({_signed(b['total_usd'] - a['total_usd'])})")
            else:
                out.append(f"  cheapest: was {_names(a)} at {_usd(a['total_usd'])}, now {_names(b)} at {_usd(b['total_usd'])} "
                           f"({_signed(b['total_usd'] - a['total_usd'])})")
        out.append("")
    return "\n".join(out)


def _names(cheapest: dict) -> str:
    """The cheapest option, or the options tied for cheapest: `a, b (a tie)`."""
    return ", ".join([cheapest["option"], *cheapest["tied_with"]]) + (" (a tie)" if cheapest["tied_with"] else "")


def _usd(value) -> str:
    return "-" if value is None else f"${value:,.0f}"


def _signed(value: float) -> str:
    sign = "+" if value >= 0 else "-"
    return f"{sign}${abs(value):,.0f}"


def _percent(delta: float, base) -> str:
    if not base:
        return ""
    return f", {delta / base:+.1%}"


def _evaluate_side(common: dict, file: str):
    """One version evaluated with the `--set` paths it has, and the `--set` texts it lacks.

    Why: a `--set` on an option that only one version has (NEW removed it, or added it) belongs to that version;
    refused only when neither has the path (run()).
    """
    from argparse import Namespace

    from tco.commands.run import evaluate_args
    from tco.errors import TcoUserError
    from tco.load.scenarios import NO_SUCH_PATH

    overrides = list(common.get("overrides") or [])
    try:
        return evaluate_args(Namespace(**common, files=[file]), with_breakeven=False).results, []
    except TcoUserError as e:
        lacking = {p.field for p in e.problems if p.file == "--set" and p.message == NO_SUCH_PATH}
        if not lacking or len(lacking) != len(e.problems):
            raise
    missing = [text for text in overrides if text.split("=", 1)[0] in lacking]
    kept = {**common, "overrides": [text for text in overrides if text not in missing]}
    return evaluate_args(Namespace(**kept, files=[file]), with_breakeven=False).results, missing
