"""How one number was computed, as data: the formula, its named parts, its inputs with values and sources.

Why one builder: `tco explain` and the UI's "how was this computed" screen used to walk the formulas
each in their own way. Both now render what these functions return, so the two cannot disagree on
which inputs a number used or where those inputs came from.
"""

from __future__ import annotations

import functools

from dataclasses import asdict, dataclass
from typing import Mapping, Sequence

from tco.engine import formulas as F
from tco.engine.expr import (Func, Named, Term, depends_on, direct_parts, explain, inputs_of, named_parts, specialize, to_python,
                             total, walk)
from tco.engine.fields import label_for_kind, labels_for_kind
from tco.engine.rows import Row
from tco.errors import DataProblem, TcoUserError

STRUCTURE_FLAGS = ("input_paid_per_sample", "is_overflow", "has_self_hosted", "is_autoscaled", "is_purchased", "has_api_price_history",
                   "is_reserved", "is_mixed", "has_gpu_price_history")
"""Inputs that switch whole branches on or off: fixed for the option before explaining, so an API
option's explanation shows no GPU formulas multiplied by zero."""

ENGINE_INPUTS = ("month",)
"""Inputs the engine sets itself (not from a file): the month index; sums over months start with `sum_`."""


@dataclass(frozen=True)
class ExplainedInput:
    """One input a number used: its value, and where that value came from."""

    name: str
    label: str
    unit: str
    value: float | None
    """None for an engine input with no single value here (the month index when no month was chosen)."""
    source: str
    """A URL or file for catalog figures; "engine" for the month index and sums over months; "" for
    values written in the scenario file."""
    as_of: str
    note: str

    @property
    def from_engine(self) -> bool:
        return self.source == "engine"


@dataclass(frozen=True)
class ExplainedPart:
    """A named intermediate result: its formula, with the option's values put in, and its value."""

    name: str
    label: str
    unit: str
    formula: str
    formula_with_values: str
    value: float | None
    """None when the part changes month by month and no month was chosen."""


@dataclass(frozen=True)
class Explanation:
    """One quantity of one option: what `tco explain` prints and `--format json` writes."""

    quantity: str
    label: str
    unit: str
    scenario: str
    option: str
    month: int | None
    horizon_months: int
    formula: str
    formula_with_values: str
    parts: tuple[ExplainedPart, ...]
    inputs: tuple[ExplainedInput, ...]
    value: float
    horizon_total: float | None = None
    """For a cost line explained in one month: its total over the horizon, the figure `tco run` reports under the
    same name (explained as `sum_<name>`)."""

    def as_dict(self) -> dict:
        """The JSON shape of `tco explain --format json` (a contract: field names kept, new ones after)."""
        out = asdict(self)
        out["parts"] = [{"name": p.name, "label": p.label, "unit": p.unit, "value": p.value} for p in self.parts]
        out["inputs"] = [{k: v for k, v in asdict(i).items()} for i in self.inputs]
        order = ("quantity", "label", "unit", "scenario", "option", "month", "horizon_months", "formula",
                 "formula_with_values", "parts", "inputs", "value", "horizon_total")
        return {k: out[k] for k in order}


@functools.cache
def quantities() -> dict[str, Named]:
    """Every named term of the formulas, by name."""
    found = {t.name: t for t in named_parts(total((*F.COST_LINES, *F.MONTHLY_RESULTS, *F.HORIZON_RESULTS)))}
    return dict(sorted(found.items()))


SUM_PREFIX = "sum_"
"""`sum_<monthly quantity>`: the engine's sum of a monthly quantity over the horizon (an input of the horizon results)."""
COST_LINE_TOTALS = {SUM_PREFIX + line.name: line.name for line in F.COST_LINES}
"""`sum_gpu_rental_usd` -> `gpu_rental_usd`: each cost line's total over the horizon, which `tco run` reports under the
line's own name (while `--quantity gpu_rental_usd` explains the line in one month)."""


@functools.cache
def all_inputs() -> dict[str, "Input"]:
    """Every input of the formulas, by name (scenario, catalog and engine inputs). Cached as `quantities` is: the
    formulas are fixed, and the walk over all of them took a twentieth of a second per input explained."""
    from tco.engine.expr import inputs_of as _inputs

    found = {i.name: i for i in _inputs(total((*F.COST_LINES, *F.MONTHLY_RESULTS, *F.HORIZON_RESULTS)))}
    return dict(sorted(found.items()))


def explainable() -> list[str]:
    """Every name `tco explain --quantity` accepts: named quantities, sums over months, and inputs.

    Why all three: an explanation names its parts and inputs and offers to go one level deeper on
    any of them; each of those names must then be accepted, down to an input and its source.
    """
    return sorted({*quantities(), *all_inputs(), *COST_LINE_TOTALS} - set(ENGINE_INPUTS))


def summed_quantity(name: str) -> Named | None:
    """The monthly quantity a `sum_<name>` input adds up over the horizon, if `name` is one."""
    if not name.startswith(SUM_PREFIX):
        return None
    return quantities().get(name[len(SUM_PREFIX):])


def row_values(results, row: Row) -> dict[str, float]:
    """The row's inputs, plus the sums over months the horizon results divide by."""
    record = results.options.filter(results.options["row"] == row.row).row(0, named=True)
    return {**row.values, **{k: float(record[k] or 0.0) for k in record if k.startswith("sum_")},
            **{total: float(record[line] or 0.0) for total, line in COST_LINE_TOTALS.items() if line in record}}


def flags_of(row: Row) -> dict[str, float]:
    return {name: row.values[name] for name in STRUCTURE_FLAGS}


def specialized(term: Term, flags: Mapping[str, float]) -> Term:
    """`specialize(term, flags)`, folded once per formula and structure. Why: the fold walks the whole formula tree
    (about a sixth of a second for a monthly cost), and an explanation, each drill-down step after it and the
    terminal UI's explain view ask it again for the same formulas and flags. Terms are immutable, so one fold serves."""
    return _specialized(term, tuple(flags.items()))


@functools.lru_cache(maxsize=256)
def _specialized(term: Term, flags: tuple[tuple[str, float], ...]) -> Term:
    return specialize(term, dict(flags))


def describe_parts(parts: Sequence[Named], values: Mapping[str, float], kind: str | None = None) -> tuple[ExplainedPart, ...]:
    """Each part's formula with and without values, and its value where it can be computed; labels as an option of
    `kind` says them (committed API capacity: units, not GPUs)."""
    labels = labels_for_kind(kind)
    out = []
    for p in parts:
        has_running = any(isinstance(t, Func) and t.name == "running" for t in walk(p))
        computable = ("month" in values and (not has_running or any(k.startswith("running:") for k in values))) \
            or not (depends_on(p, "month") or has_running)
        label, unit = label_for_kind(kind, p.name, p.label, p.unit)
        out.append(ExplainedPart(p.name, label, unit, explain(p.term, labels=labels), explain(p.term, values, labels=labels),
                                 to_python(p, values) if computable else None))
    return tuple(out)


def describe_inputs(row: Row, terms: Sequence[Term], values: Mapping[str, float]) -> tuple[ExplainedInput, ...]:
    """Every distinct input of the terms (branches fixed by the row's flags), with value and provenance; labels and
    units as the row's kind says them."""
    flags = flags_of(row)
    used: dict[str, ExplainedInput] = {}
    for term in terms:
        for i in inputs_of(specialized(term, flags)):
            if i.name in used:
                continue
            prov = row.provenance.get(i.name)
            engine = i.name in ENGINE_INPUTS or i.name.startswith("sum_")
            label, unit = label_for_kind(row.kind, i.name, i.label, i.unit)
            used[i.name] = ExplainedInput(i.name, label, unit, values.get(i.name),
                                          prov.source if prov else "engine" if engine else "",
                                          prov.as_of if prov else "", prov.note if prov else "")
    return tuple(used.values())


def with_running_totals(term: Term, values: Mapping[str, float]) -> dict[str, float]:
    """`values` plus the running totals the term uses (`running:<name>`), added up over months 1..month.

    Why here: one month's inputs cannot give a running total (book value, terms running); the months
    before it are evaluated with the same formulas, innermost running total first.
    """
    runs = [t for t in walk(term, post_order=True) if isinstance(t, Func) and t.name == "running"]
    if not runs or "month" not in values:
        return dict(values)
    totals = {f"running:{r.args[0].name}": 0.0 for r in runs}
    for month in range(1, int(values["month"]) + 1):
        for r in runs:
            totals[f"running:{r.args[0].name}"] += to_python(r.args[0], {**values, **totals, "month": float(month)})
    return {**values, **totals}


def explain_quantity(results, scenario_id: str, option_id: str, name: str, month: int | None = None) -> Explanation:
    """The explanation of one name of `explainable()` for one option, as data.

    A named quantity: its formula, parts and inputs. A `sum_` input: the sum over the months of
    the horizon of its monthly quantity (the one part to go deeper on). Any other input: its value,
    where it came from (source and date) and, when a scenario key sets it, that key.
    """
    row = results.row(scenario_id, option_id)
    values = row_values(results, row)
    horizon = int(values["horizon_months"])
    if month is not None and not 1 <= month <= horizon:  # even where the quantity is not monthly: a month 40 of 36 is a slip
        raise TcoUserError(DataProblem("--month", None, str(month), f"must be between 1 and the horizon, {horizon}"))
    if name not in quantities():
        return _explain_input(row, values, name, horizon, scenario_id, option_id)
    term = quantities()[name]
    if depends_on(term, "month"):
        month = 1 if month is None else month
        values["month"] = float(month)
    else:
        month = None
    folded = specialized(term, flags_of(row))
    body = folded.term if isinstance(folded, Named) else folded
    values = with_running_totals(folded, values)
    labels = labels_for_kind(row.kind)
    label, unit = label_for_kind(row.kind, name, term.label, term.unit)
    return Explanation(
        quantity=name, label=label, unit=unit, scenario=scenario_id, option=option_id, month=month,
        horizon_months=horizon, formula=explain(body, labels=labels), formula_with_values=explain(body, values, labels=labels),
        parts=describe_parts(direct_parts(body), values, row.kind), inputs=describe_inputs(row, [term], values),
        value=to_python(folded, values),  # the option's own branch: the running totals were added up for it
        horizon_total=values.get(SUM_PREFIX + name) if SUM_PREFIX + name in COST_LINE_TOTALS else None,
    )


def _explain_input(row: Row, values: dict[str, float], name: str, horizon: int, scenario_id: str, option_id: str) -> Explanation:
    known = all_inputs()
    summed = summed_quantity(name)
    if name in COST_LINE_TOTALS and summed is not None:
        label, unit = label_for_kind(row.kind, summed.name, summed.label, summed.unit)
        label = f"{label} over the horizon"
    elif name not in known or name in ENGINE_INPUTS:
        raise TcoUserError(DataProblem("--quantity", None, name, "not a named quantity or input of tco/engine/formulas.py"))
    else:
        label, unit = label_for_kind(row.kind, name, known[name].label, known[name].unit)
    if summed is not None:
        formula = f"sum over months 1..{horizon} of {summed.name}"
        return Explanation(
            quantity=name, label=label, unit=unit, scenario=scenario_id, option=option_id, month=None,
            horizon_months=horizon, formula=formula, formula_with_values=formula,
            parts=describe_parts([summed], values, row.kind), inputs=describe_inputs(row, [summed], values),
            value=float(values.get(name, 0.0)),
        )
    explained = describe_inputs(row, [known[name]], values)[0]
    setter = _field_setting(name)
    formula = "input" + (f" (scenario key {setter})" if setter else "")
    value = explained.value if explained.value is not None else float("nan")
    return Explanation(
        quantity=name, label=label, unit=unit, scenario=scenario_id, option=option_id, month=None,
        horizon_months=horizon, formula=formula, formula_with_values=f"{formula} = {value:g}",
        parts=(), inputs=(explained,), value=value,
    )


def _field_setting(name: str) -> str:
    """The scenario keys that set a formula input (from the field map), e.g. `workload.requests_per_day`."""
    from tco.engine.fields import FIELDS

    return ", ".join(dict.fromkeys(f.yaml_path for f in FIELDS if f.input == name))
