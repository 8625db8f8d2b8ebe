"""`tco explain FILE --option ID --quantity NAME`: how one number was computed, from which inputs and sources."""

from __future__ import annotations

from tco.commands.run import add_scenario_arguments

def register(sub) -> None:
    p = sub.add_parser("explain", help="the formula, inputs, sources and value of one quantity of one option",
                       description="Print the formula of a named quantity (any name in tco/engine/formulas.py), the "
                                   "intermediate results and inputs it uses with their values, sources and dates, and its value.")
    add_scenario_arguments(p)
    p.add_argument("--option", required=True, metavar="ID", help="option id")
    p.add_argument("--quantity", required=True, metavar="NAME", help="any name an explanation shows: a quantity (total_cost_usd, gpu_rental_usd, replicas_static), a sum over "
                        "months (sum_monthly_cost_usd; sum_gpu_rental_usd: a cost line's horizon total, as tco run reports gpu_rental_usd) "
                        "or an input (requests_per_day)")
    p.add_argument("--scenario", metavar="ID", help="scenario id (needed when several scenarios have the option)")
    p.add_argument("--month", type=int, metavar="N", help="month of the horizon for monthly quantities (default 1)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


from tco.api import explanation, pick_scenario  # noqa: E402  (the checks live with the Python API: one place)


def run(args) -> int:
    import json
    import sys

    from tco.commands.run import evaluate_args
    from tco.report.table import json_safe, print_rows

    results = evaluate_args(args, with_breakeven=False).results
    scenario_id = pick_scenario(results, args.option, args.scenario)
    e = explanation(results, scenario_id, args.option, args.quantity, args.month).as_dict()
    if args.format == "json":
        json.dump(json_safe(e), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    when = f", month {e['month']} of {e['horizon_months']}" if e["month"] else f", over the {e['horizon_months']}-month horizon"
    out.write(f"{e['quantity']}: {e['label']}" + (f" ({e['unit']})" if e["unit"] else "") + "\n")
    out.write(f"scenario {e['scenario']}, option {e['option']}{when}\n\n")
    out.write(f"= {e['formula']}\n\n")
    if e["parts"]:
        out.write("where\n")
        print_rows([{"name": p["name"], "label": p["label"], "value": _number(p["value"]), "unit": p["unit"]} for p in e["parts"]], "table",
                   priority=("name", "value", "unit", "label"), cut_first=False)
        out.write("\n")
    shown = [i for i in e["inputs"] if not i["name"].startswith("profile_h")]
    profile = [i for i in e["inputs"] if i["name"].startswith("profile_h")]
    if profile:
        shown.append({"name": "profile_h00..h23", "label": "hourly traffic / average hour", "unit": "ratio",
                      "value": "; ".join(_number(p["value"]) for p in profile), "source": profile[0]["source"],
                      "as_of": profile[0]["as_of"], "note": profile[0]["note"]})
    out.write("inputs\n")
    print_rows([{"name": i["name"], "value": _input_text(i["name"], i["value"]), "unit": i["unit"],
                 "as of": i["as_of"]} for i in shown], "table", priority=("name", "value", "unit", "as of"),
               cut_first=False)
    sourced = [i for i in shown if i["source"] or i["note"]]
    if sourced:
        import textwrap

        from tco.report.table import WIDE, terminal_columns

        out.write("\nsources\n")
        for i in sourced:
            text = f"{i['name']}: {i['source']}" + (f" ({i['as_of']})" if i["as_of"] else "") + (f"; {i['note']}" if i["note"] else "")
            out.write((text if WIDE else textwrap.fill(text, terminal_columns(), subsequent_indent="    ")) + "\n")
    value = _input_text(e["quantity"], e["value"])
    out.write(f"\nvalue: {value}" + (f" {e['unit']}" if e["unit"] and value != "none" else "") + "\n")
    if e["horizon_total"] is not None:
        out.write(f"over the horizon: {_number(e['horizon_total'])} {e['unit']}, the figure `tco run` reports as "
                  f"{e['quantity']} (--quantity sum_{e['quantity']} explains it)\n")
    out.write(f"(run `tco explain ... --quantity NAME` on any name above to go one level deeper)\n")
    return 0


def _input_text(name: str, value) -> str:
    """An input's value as the table shows it; a stand-in meaning "no such rule" (a threshold no call reaches,
    a month after any horizon) reads "none" instead of its huge number."""
    from tco.engine.rows import NO_LONG_CONTEXT_TIER, NO_PRICE_CHANGE_MONTH

    if isinstance(value, str):
        return value
    if name == "long_context_above_input_tokens" and value is not None and value >= NO_LONG_CONTEXT_TIER:
        return "none"
    if name.startswith("price_change_") and name.endswith("_month") and value is not None and value >= NO_PRICE_CHANGE_MONTH:
        return "none"
    return _number(value)


def _number(value: float | None) -> str:
    if value is None:
        return "(changes by month: give --month)"
    if abs(value) < 1e-12:  # a difference of two equal floats (-2.1e-13 USD sent to the API in a month that sends none)
        value = 0.0
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
