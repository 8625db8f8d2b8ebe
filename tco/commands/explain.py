"""`tco explain FILE --option ID --quantity NAME`: how one number was computed, from which inputs and sources."""

from __future__ import annotations

from tco.commands.run import add_scenario_arguments

STRUCTURE_FLAGS = ("has_self_hosted", "is_overflow", "is_autoscaled", "is_purchased", "has_api_price_history")
"""Inputs that switch whole branches on or off: fixed for the option, so the explanation shows
only the branch that applies (an API option's cost has no GPU formulas multiplied by zero)."""


def register(sub) -> None:
    p = sub.add_parser("explain", help="the formula, inputs, sources and value of one quantity of one option",
                       description="Print the formula of a named quantity (any name in tco/engine/formulas.py), the "
                                   "intermediate results and inputs it uses with their values, sources and dates, and its value.")
    add_scenario_arguments(p)
    p.add_argument("--option", required=True, metavar="ID", help="option id")
    p.add_argument("--quantity", required=True, metavar="NAME", help="e.g. gpu_rental_usd, api_input_usd, replicas_static, total_cost_usd")
    p.add_argument("--scenario", metavar="ID", help="scenario id (needed when several scenarios have the option)")
    p.add_argument("--month", type=int, metavar="N", help="month of the horizon for monthly quantities (default 1)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def quantities() -> dict[str, object]:
    """Every named term of the formulas, by name."""
    from tco.engine import formulas as F
    from tco.engine.expr import named_parts, total

    found = {t.name: t for t in named_parts(total((*F.COST_LINES, *F.MONTHLY_RESULTS, *F.HORIZON_RESULTS)))}
    return dict(sorted(found.items()))


def _direct_parts(term) -> list:
    from tco.engine.expr import Cmp, Func, Named, Op, Where

    out: dict[str, object] = {}

    def walk(t) -> None:
        if isinstance(t, Named):
            out.setdefault(t.name, t)
        elif isinstance(t, (Op, Cmp)):
            walk(t.left); walk(t.right)
        elif isinstance(t, Where):
            walk(t.cond); walk(t.then); walk(t.otherwise)
        elif isinstance(t, Func):
            for a in t.args:
                walk(a)
    walk(term)
    return list(out.values())


def explanation(results, scenario_id: str, option_id: str, name: str, month: int | None = None) -> dict:
    """The explanation as data: formula text, parts, inputs with provenance, and the value."""
    from tco.engine.expr import Named, depends_on, explain, inputs_of, specialize, to_python
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    known = quantities()
    if name not in known:
        hint = "; ".join(filter(None, [did_you_mean(name, known), "known quantities: " + ", ".join(known)]))
        raise TcoUserError(DataProblem("--quantity", None, name, "not a named quantity of tco/engine/formulas.py", hint))
    row = results.row(scenario_id, option_id)
    record = results.options.filter(results.options["row"] == row.row).row(0, named=True)
    values = dict(row.values)
    values.update({k: record[k] for k in record if k.startswith("sum_")})
    horizon = int(values["horizon_months"])
    term = known[name]
    monthly = depends_on(term, "month")
    if monthly:
        month = month or 1
        if not 1 <= month <= horizon:
            raise TcoUserError(DataProblem("--month", None, str(month), f"must be between 1 and the horizon, {horizon}"))
        values["month"] = float(month)
    else:
        month = None
    flags = {f: values[f] for f in STRUCTURE_FLAGS}
    folded = specialize(term, flags)
    body = folded.term if isinstance(folded, Named) else folded
    parts = [{"name": p.name, "label": p.label, "unit": p.unit, "value": to_python(p, values)} for p in _direct_parts(body)]
    inputs = []
    for i in inputs_of(folded):
        prov = row.provenance.get(i.name)
        inputs.append({"name": i.name, "label": i.label, "unit": i.unit, "value": values[i.name],
                       "source": (prov.source if prov else "engine" if i.name == "month" or i.name.startswith("sum_") else ""),
                       "as_of": prov.as_of if prov else "", "note": prov.note if prov else ""})
    return {
        "quantity": name, "label": term.label, "unit": term.unit, "scenario": scenario_id, "option": option_id,
        "month": month, "horizon_months": horizon, "formula": explain(body),
        "formula_with_values": explain(body, values), "parts": parts, "inputs": inputs,
        "value": to_python(term, values),
    }


def _pick_scenario(results, option_id: str, scenario_id: str | None) -> str:
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    have = [r.scenario_id for r in results.rows if r.option_id == option_id and (scenario_id is None or r.scenario_id == scenario_id)]
    if len(have) == 1:
        return have[0]
    if not have:
        options = [r.option_id for r in results.rows if scenario_id is None or r.scenario_id == scenario_id]
        where = f"scenario `{scenario_id}`" if scenario_id else "any scenario"
        raise TcoUserError(DataProblem("--option", None, option_id, f"no option with this id in {where}",
                                       did_you_mean(option_id, options) or "options: " + ", ".join(dict.fromkeys(options))))
    raise TcoUserError(DataProblem("--scenario", None, "", f"several scenarios have option `{option_id}`: give --scenario",
                                   "one of: " + ", ".join(have)))


def run(args) -> int:
    import json
    import sys

    from tco.commands._common import print_rows
    from tco.commands.run import evaluate_args

    results = evaluate_args(args, with_breakeven=False)
    scenario_id = _pick_scenario(results, args.option, args.scenario)
    e = explanation(results, scenario_id, args.option, args.quantity, args.month)
    if args.format == "json":
        json.dump(e, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    when = f", month {e['month']} of {e['horizon_months']}" if e["month"] else f", over the {e['horizon_months']}-month horizon"
    out.write(f"{e['quantity']}: {e['label']}" + (f" ({e['unit']})" if e["unit"] else "") + "\n")
    out.write(f"scenario {e['scenario']}, option {e['option']}{when}\n\n")
    out.write(f"= {e['formula']}\n\n")
    if e["parts"]:
        out.write("where\n")
        print_rows([{"name": p["name"], "label": p["label"], "value": _number(p["value"]), "unit": p["unit"]} for p in e["parts"]], "table")
        out.write("\n")
    shown = [i for i in e["inputs"] if not i["name"].startswith("profile_h")]
    profile = [i for i in e["inputs"] if i["name"].startswith("profile_h")]
    if profile:
        shown.append({"name": "profile_h00..h23", "label": "hourly traffic / average hour", "unit": "ratio",
                      "value": "; ".join(_number(p["value"]) for p in profile), "source": profile[0]["source"],
                      "as_of": profile[0]["as_of"], "note": profile[0]["note"]})
    out.write("inputs\n")
    print_rows([{"name": i["name"], "value": i["value"] if isinstance(i["value"], str) else _number(i["value"]), "unit": i["unit"],
                 "source": i["source"], "as of": i["as_of"], "note": i["note"]} for i in shown], "table")
    out.write(f"\nvalue: {_number(e['value'])}" + (f" {e['unit']}" if e["unit"] else "") + "\n")
    out.write(f"(run `tco explain ... --quantity NAME` on any name above to go one level deeper)\n")
    return 0


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
