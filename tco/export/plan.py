"""What each option of a scenario shows in the workbook: its formulas and its input cells.

Why specialize: an option's structure (API or GPUs, rented or bought, static or autoscaled,
hybrid by share or by overflow) is fixed by its kind, so those flags are folded into the formulas
and an API option carries no GPU columns. Every other figure stays an input cell the user can
change. Workload and finance figures are one input per scenario (all its options read the same
cell); a hybrid reads the price and GPU cells of the two options it combines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tco.engine import fields
from tco.engine import formulas as F
from functools import lru_cache

from tco.engine.expr import Named, depends_on, inputs_of, named_parts, specialize_all, total
from tco.engine.rows import Row
from tco.export.names import Slugs, option_input_name, scenario_input_name
from tco.model.scenario import HybridOption, Scenario

SCENARIO_INPUTS = fields.SCENARIO_INPUTS
"""Inputs that come from the scenario's workload and finance: the same for all its options."""

STRUCTURE_FLAGS = ("has_self_hosted", "is_overflow", "is_purchased", "is_autoscaled", "is_reserved", "is_mixed", "has_api_price_history")
API_PRICE_INPUTS = fields.API_INPUTS
HYBRID_OWN_INPUTS = fields.HYBRID_INPUTS
SUMS = {f"sum_{t.name}": t.name for t in (F.monthly_cost_usd, F.discounted_cost_usd, F.cash_cost_usd, F.requests_in_month, F.tokens_in_month,
                                              F.energy_kwh_in_month, F.self_hosted_tokens_in_month,
                                              F.carbon_kg_co2e_in_month, F.self_hosted_requests_in_month)}
INPUT_BY_NAME = {i.name: i for i in inputs_of(total((*F.COST_LINES, *F.MONTHLY_RESULTS, *F.HORIZON_RESULTS)))}
GRID_INTENSITY = F.grid_gco2e_per_kwh.name


def is_emission_figure(term) -> bool:
    """Emissions (monthly or over the horizon): what `tco run` reports as null where no grid intensity is known."""
    return depends_on(term, GRID_INTENSITY) or depends_on(term, F.sum_carbon_kg_co2e_in_month.name)


@dataclass
class OptionPlan:
    row: Row
    slug: str
    terms: list[Named]
    """The option's monthly cost lines and results, specialized (lines that are always 0 dropped)."""
    monthly_parts: list[Named]
    constant_parts: list[Named]
    input_names: list[str]
    """Inputs this option has its own cells for (scenario inputs and linked ones excluded)."""
    linked: dict[str, str] = field(default_factory=dict)
    """Input name -> defined name of another option's cell (hybrids)."""

    @property
    def option_id(self) -> str:
        return self.row.option_id

    def input_value(self, name: str) -> float | None:
        """The value of the option's input cell; None (an empty cell) for a grid intensity nobody gave. Why: the engine
        computes with 0 there but reports the emissions as not known; an empty cell reads as "not given", not as 0."""
        if name == GRID_INTENSITY and not self.row.carbon_known:
            return None
        return self.row.values[name]

    def has(self, name: str) -> bool:
        return any(p.name == name for p in self.monthly_parts) or any(p.name == name for p in self.constant_parts)


@dataclass
class ScenarioPlan:
    scenario: Scenario
    slug: str
    options: list[OptionPlan]
    scenario_inputs: list[str]
    scenario_values: dict[str, float]
    horizon_months: int
    names: dict[tuple[str | None, str], str] = field(default_factory=dict)
    """(option id or None for the scenario, input name) -> defined name."""
    start_date: "dt.date | None" = None
    """First day of month 1 (the scenario's start date, else the day prices are in force)."""

    @property
    def start_date_name(self) -> str:
        return scenario_input_name("start_date", self.slug)

    @property
    def fiscal_year_start_month(self) -> int | None:
        """First month of the fiscal year, when the scenario sets one (the workbook then shows fiscal years)."""
        return self.scenario.finance.fiscal_year_start_month

    @property
    def fiscal_year_name(self) -> str:
        return scenario_input_name("fiscal_year_start_month", self.slug)

    def defined_name(self, option: OptionPlan, input_name: str) -> str:
        if input_name in self.scenario_inputs:
            return self.names[(None, input_name)]
        if input_name in option.linked:
            return option.linked[input_name]
        return self.names[(option.option_id, input_name)]

    def emissions_unknown(self, option: OptionPlan, body: str) -> str:
        """An emission formula of an option whose emissions the engine does not know: empty ("") until a grid intensity
        is typed into its empty cell (then `body`); always empty for an option with no cell for it (an API: no
        published figure), as `tco run` reports them as null."""
        if GRID_INTENSITY in option.linked or (option.option_id, GRID_INTENSITY) in self.names:
            return f'IF(ISNUMBER({self.defined_name(option, GRID_INTENSITY)}),{body},"")'
        return '""'

    def option(self, option_id: str) -> OptionPlan:
        return next(o for o in self.options if o.option_id == option_id)


def flags_of(row: Row) -> dict[str, float]:
    flags = {name: row.values[name] for name in STRUCTURE_FLAGS}
    if row.kind != "hybrid":
        flags["api_share_fixed"] = row.values["api_share_fixed"]
    return flags


@lru_cache(maxsize=64)
def specialized_terms(flags: tuple[tuple[str, float], ...]) -> tuple[list[Named], list[Named], list[Named], list[str]]:
    """(terms, monthly parts, constant parts, inputs used) for one combination of structure flags.

    Cached: a hundred scenarios share a handful of combinations.
    """
    folded = specialize_all((*F.COST_LINES, *F.MONTHLY_RESULTS), dict(flags))
    terms = [t for t in folded if isinstance(t, Named)]
    monthly, constant = _split_parts(terms)
    used = [i.name for i in inputs_of(total(terms)) if i.name != "month"]
    return terms, monthly, constant, used


def _split_parts(terms: list[Named]) -> tuple[list[Named], list[Named]]:
    monthly: dict[str, bool] = {}
    for part in named_parts(total(terms)):
        inner = [c for c in named_parts(part.term) if c.name != part.name]
        monthly[part.name] = depends_on(part.term, "month") or any(monthly[c.name] for c in inner)
    parts = named_parts(total(terms))
    return [p for p in parts if monthly[p.name]], [p for p in parts if not monthly[p.name]]


def plan_scenarios(scenarios: list[Scenario], rows: list[Row], today: dt.date | None = None) -> list[ScenarioPlan]:
    scenario_slugs = Slugs()
    plans = []
    for scenario in scenarios:
        srows = [r for r in rows if r.scenario_id == scenario.id]
        if not srows:
            continue
        plan = _plan_scenario(scenario, srows, scenario_slugs(scenario.id))
        plan.start_date = scenario.finance.start_date or today or dt.date.today()
        plans.append(plan)
    return plans


def _plan_scenario(scenario: Scenario, rows: list[Row], s_slug: str) -> ScenarioPlan:
    option_slugs = Slugs()
    shared = [n for n in SCENARIO_INPUTS if len({r.values[n] for r in rows}) == 1]
    options = []
    for row in rows:
        terms, monthly, constant, used = specialized_terms(tuple(sorted(flags_of(row).items())))
        options.append(OptionPlan(row, option_slugs(row.option_id), terms, monthly, constant,
                                  [n for n in used if n not in shared]))
    plan = ScenarioPlan(scenario, s_slug, options, shared, {n: rows[0].values[n] for n in shared},
                        int(rows[0].values["horizon_months"]))
    _link_hybrids(plan)
    for name in shared:
        plan.names[(None, name)] = scenario_input_name(name, s_slug)
    for o in plan.options:
        for name in o.input_names:
            plan.names[(o.option_id, name)] = option_input_name(name, s_slug, o.slug)
    return plan


def _link_hybrids(plan: ScenarioPlan) -> None:
    """A hybrid reads its parts' cells, so changing a GPU price changes the hybrid too (as in the engine)."""
    by_id = {o.option_id: o for o in plan.options}
    for spec in plan.scenario.options:
        if not isinstance(spec, HybridOption) or spec.id not in by_id:
            continue
        hybrid = by_id[spec.id]
        keep = []
        for name in hybrid.input_names:
            part = by_id.get(spec.api if name in API_PRICE_INPUTS else spec.self_hosted)
            if name in HYBRID_OWN_INPUTS or part is None or part.row.values[name] != hybrid.row.values[name]:
                keep.append(name)
                continue
            if name not in part.input_names:
                part.input_names.append(name)
            hybrid.linked[name] = option_input_name(name, plan.slug, part.slug)
        hybrid.input_names = keep


def volume_dependent(parts: list[Named]) -> list[Named]:
    """The monthly parts that change with requests_per_day (recomputed at the break-even volume)."""
    return [p for p in parts if depends_on(p.term, "requests_per_day")]
