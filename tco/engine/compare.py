"""The product's answer: for each scenario, what each option costs, which wins, and from when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from tco.engine import formulas as F
from tco.engine.capability_results import comparable
from tco.engine.breakeven import BreakEven, breakeven_month, solve_breakevens
from tco.engine.evaluate import INPUT_NAMES, evaluate_monthly, inputs_table, totals_from_monthly
from tco.engine.ranking import recommendation_text
from tco.engine.rows import Row, RowProblem, build_rows
from tco.model.catalog import Catalog
from tco.model.scenario import Scenario

BREAKDOWN = tuple(line.name for line in F.COST_LINES)


@dataclass(frozen=True)
class Results:
    """Everything a front end shows. `options` has one row per scenario x option.

    Frozen: built once by `evaluate_rows`; where the scenarios came from (files, line index) is
    the business of `tco.run.Run`, which holds these results beside them.
    """

    options: pl.DataFrame
    monthly: pl.DataFrame
    rows: list[Row]
    scenarios: list[Scenario]
    today: dt.date
    breakevens: dict[int, BreakEven | None] = field(default_factory=dict)
    catalog: Catalog | None = None

    def inputs_frame(self) -> pl.DataFrame:
        return inputs_frame(self.rows)

    def row(self, scenario_id: str, option_id: str) -> Row:
        for r in self.rows:
            if r.scenario_id == scenario_id and r.option_id == option_id:
                return r
        raise KeyError(f"{scenario_id}/{option_id}")


def inputs_frame(rows: list[Row]) -> pl.DataFrame:
    return inputs_table([r.values for r in rows], [r.row for r in rows]).select("row", *INPUT_NAMES)


def compare(scenarios: list[Scenario], catalog: Catalog, today: dt.date, *, with_breakeven: bool = True,
            predict=None, resolve_price=None) -> tuple[Results | None, list[RowProblem]]:
    rows, problems = build_rows(scenarios, catalog, today, predict=predict, resolve_price=resolve_price)
    if problems:
        return None, problems
    return evaluate_rows(rows, scenarios, today, with_breakeven=with_breakeven, catalog=catalog), []


def evaluate_rows(rows: list[Row], scenarios: list[Scenario], today: dt.date, with_breakeven: bool = True,
                  catalog: Catalog | None = None) -> Results:
    inputs = inputs_frame(rows)
    monthly_lf = evaluate_monthly(inputs)
    monthly = monthly_lf.collect()
    totals = totals_from_monthly(monthly, inputs)  # the monthly figures are shown: their sums are the totals
    meta = pl.DataFrame({
        "row": [r.row for r in rows],
        "scenario": [r.scenario_id for r in rows],
        "scenario_title": [r.scenario_title for r in rows],
        "option": [r.option_id for r in rows],
        "kind": [r.kind for r in rows],
        "description": [r.description for r in rows],
        "excluded_reason": [r.excluded_reason for r in rows],
        "model_id": [r.model_id for r in rows],
        "notes": ["; ".join(dict.fromkeys(r.notes)) for r in rows],
    }, schema_overrides={"excluded_reason": pl.String, "model_id": pl.String})
    monthly_lists = monthly.group_by("row").agg(pl.col("monthly_cost_usd").sort_by("month").alias("monthly_cost_usd_list"),
                                                pl.col("cash_cost_usd").sort_by("month").alias("cash_cost_usd_list"))
    options = meta.join(totals, on="row").join(monthly_lists, on="row").sort("row")
    options = options.with_columns(  # ranked to the cent: equal to the cent is a tie, the earlier row first
        pl.when(pl.col("excluded_reason").is_null())
        .then(pl.col("total_cost_usd").round(2).rank("ordinal").over(["scenario", pl.col("excluded_reason").is_null()]))
        .otherwise(None).cast(pl.Int32).alias("rank"),
    )
    if any(s.capability is not None for s in scenarios):
        from tco.engine.capability_results import add_capability

        options = add_capability(options, scenarios, catalog.quality if catalog else None,
                                 catalog.user_scores if catalog else {})
    options, breakevens = _with_breakeven(options, rows, with_breakeven)
    return Results(options, monthly, rows, scenarios, today, breakevens, catalog=catalog)


def _with_breakeven(options: pl.DataFrame, rows: list[Row], solve: bool) -> tuple[pl.DataFrame, dict[int, BreakEven | None]]:
    """Against the cheapest API option of the same scenario that is not excluded and does not fall below the
    scenario's capability requirement: an API that cannot do the job is no alternative to compare with (the run
    table ranks it apart too). With no such API there is nothing to compare with."""
    breakevens: dict[int, BreakEven | None] = {}
    reference: dict[str, int] = {}
    for rec in options.filter((pl.col("kind") == "api") & comparable(options)).sort("total_cost_usd").iter_rows(named=True):
        reference.setdefault(rec["scenario"], rec["row"])
    unmatched = set(options.filter((pl.col("kind") == "api") & pl.col("excluded_reason").is_null())["scenario"]) - set(reference)
    monthly = {rec["row"]: rec["monthly_cost_usd_list"] for rec in options.select("row", "monthly_cost_usd_list").iter_rows(named=True)}
    cash = {rec["row"]: rec["cash_cost_usd_list"] for rec in options.select("row", "cash_cost_usd_list").iter_rows(named=True)}
    ref_col, month_col, cash_month_col = [], [], []
    pairs, pair_rows = [], []
    for rec in options.iter_rows(named=True):
        ref = reference.get(rec["scenario"])
        if rec["kind"] == "api" or ref is None:
            ref_col.append(None)
            month_col.append(None)
            cash_month_col.append(None)
            continue
        ref_row = rows[ref]
        ref_col.append(ref_row.option_id)
        month_col.append(breakeven_month(monthly[rec["row"]], monthly[ref]))
        cash_month_col.append(breakeven_month(cash[rec["row"]], cash[ref]))
        pairs.append((rows[rec["row"]].values, ref_row.values))
        pair_rows.append(rec["row"])
    auto = [rows[r].base_auto for r in pair_rows]
    solved = solve_breakevens(pairs, auto_base=auto) if solve and pairs else [None] * len(pairs)
    breakevens.update(zip(pair_rows, solved))
    notes = dict(zip(options["row"].to_list(), options["notes"].to_list()))
    for rec in options.filter(pl.col("scenario").is_in(list(unmatched)) & (pl.col("kind") != "api")).iter_rows(named=True):
        said = "no break-even: every API option falls below the scenario's capability requirement, so none is compared with"
        notes[rec["row"]] = f"{notes[rec['row']]}; {said}" if notes[rec["row"]] else said
    for r, be in zip(pair_rows, solved):
        if be is not None and be.base_replicas is not None:
            said = f"break-even chooses the base again at each volume (auto): {be.base_replicas} replicas at {be.requests_per_day:,.0f} requests/day"
            notes[r] = f"{notes[r]}; {said}" if notes[r] else said
    volume_col = [breakevens[r].requests_per_day if breakevens.get(r) else None for r in options["row"]]
    step_col = [breakevens[r].at_step if breakevens.get(r) else None for r in options["row"]]
    stays_col = [breakevens[r].stays_requests_per_day if breakevens.get(r) else None for r in options["row"]]
    return options.with_columns(
        pl.Series("notes", [notes[r] for r in options["row"].to_list()], dtype=pl.String) if pairs or unmatched else pl.col("notes"),
        pl.Series("breakeven_reference_option", ref_col, dtype=pl.String),
        pl.Series("breakeven_month", month_col, dtype=pl.Int32),
        pl.Series("breakeven_month_cash", cash_month_col, dtype=pl.Int32),
        pl.Series("breakeven_requests_per_day", volume_col, dtype=pl.Float64),
        pl.Series("breakeven_at_step", step_col, dtype=pl.Boolean),
        pl.Series("breakeven_stays_requests_per_day", stays_col, dtype=pl.Float64),
    ), breakevens


def recommendation(results: Results, scenario_id: str) -> str:
    """One sentence: which option wins the scenario (or which tie for first), by how much, and the break-even.

    The wording is `tco.engine.ranking.recommendation_text`'s, the one `tco run` prints too."""
    return recommendation_text(list(results.options.filter(pl.col("scenario") == scenario_id).iter_rows(named=True)))
