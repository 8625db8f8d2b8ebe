"""Engine results as plain records: the one output schema of `tco run` (table, JSON, CSV, parquet) and `tco.evaluate()`.

Why one schema: JSON, CSV, the table and `tco.evaluate()` used to name the same number differently
(`monthly_cost_usd` vs `monthly_cost_usd_list`, a horizon total called `sum_requests_in_month`).
Every output now takes its names, order and units from OUTPUT_COLUMNS below; docs/output.md is
generated from it (`python -m tco.report.output_doc`).

The JSON field names are a contract: fields are added, never renamed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tco.engine import formulas as F
from tco.engine.fields import PROVISIONED_KIND  # defined with the field map: the exporter may not import tco.report
# the tie rule and the word for a break-even that never happens, defined once for every view (tco.engine.ranking);
# the number fields themselves (`breakeven_requests_per_day`, `breakeven_month`) stay null in JSON, empty in CSV
from tco.engine.ranking import NEVER, TIE_RESOLUTION_USD, mark_ties, shared_rank  # noqa: F401


@dataclass(frozen=True)
class OutputColumn:
    """One column of every output: its name (the same everywhere), type, unit and meaning."""

    name: str
    kind: str
    """"text", "integer", "number", "boolean", "list of numbers" or "mapping of numbers"."""
    unit: str
    description: str
    header: str = ""
    """The short header of the narrow table ("" = not in the narrow table); `--wide` shows `name`."""

    @property
    def flat(self) -> bool:
        """A single value per row: in CSV. Lists and mappings are in JSON, parquet and `tco.evaluate()` only."""
        return self.kind in ("text", "integer", "number", "boolean")


def _col(name, kind, unit, description, header=""):
    return OutputColumn(name, kind, unit, description, header)


RESULT_COLUMNS: tuple[OutputColumn, ...] = (
    _col("scenario", "text", "", "scenario id (from the file)", "scenario"),
    _col("option", "text", "", "option id (from the file)", "option"),
    _col("kind", "text", "", "api, self-hosted, hybrid or api-provisioned", "kind"),
    _col("rank", "integer", "", "1 = cheapest total over the horizon among the allowed options of the scenario; "
         "null for an excluded option (excluded_reason says why) and for one below the capability requirement "
         "(rank_below_requirement ranks those). Options with equal totals keep distinct ranks: see rank_tied", "#"),
    _col("description", "text", "", "what the option is (provider / model, or GPU and offer)"),
    _col("total_cost_usd", "number", "USD", "total cost over the horizon (undiscounted sum of the monthly costs)", "total $"),
    _col("npv_usd", "number", "USD", "net present cost: the monthly cash flows discounted at the scenario's rate", "NPV $"),
    _col("cost_per_million_tokens_usd", "number", "USD per million tokens", "total cost / tokens over the horizon", "$/M tok"),
    _col("cost_per_request_usd", "number", "USD per request", "total cost / requests over the horizon", "$/req"),
    _col("cost_per_llm_call_usd", "number", "USD per LLM call", "total cost / LLM calls over the horizon"),
    _col("gpus_average", "number", "GPUs", "GPUs paid for, averaged over the months (0 for an API; for an api-provisioned "
         "option: provisioned throughput units, not GPUs)"),
    _col("gpus_peak", "number", "GPUs", "GPUs paid for in the busiest hour of the busiest month (for an api-provisioned "
         "option: provisioned throughput units, not GPUs)", "GPUs"),
    _col("utilization_average", "number", "fraction 0-1", "busy share of the GPU hours paid for (null for an API)", "util"),
    _col("energy_kwh", "number", "kWh", "energy of the own GPUs over the horizon"),
    _col("energy_kwh_per_million_tokens", "number", "kWh per million tokens", "energy / tokens served by the own GPUs"),
    _col("breakeven_reference_option", "text", "", "the cheapest API option the self-hosted option is compared with, among those not excluded and not below the scenario's capability requirement; null when there is none"),
    _col("breakeven_requests_per_day", "number", "requests per day",
         "the volume at which this option costs the same as the reference API option; null when it never does "
         "(breakeven_status says never) or was not computed", "break-even req/day"),
    _col("breakeven_at_step", "boolean", "", "true when the costs never meet exactly: one more replica jumps above the API line"),
    _col("breakeven_month", "integer", "month", "month from which the cumulative cost stays at or below the reference's to the "
         "horizon's end, in the accounting view (a purchase as its depreciation and cost of capital; not a cash payback month, which "
         "comes later where hardware or a term is paid upfront); null when that never happens in the horizon "
         "(breakeven_month_status says never)", "BE month"),
    _col("excluded_reason", "text", "", "why the option is not allowed (null when it is)"),
    _col("notes", "text", "", "remarks of the engine about the option"),
    _col("capability_model", "text", "", "model the capability score is for (capability scenarios)"),
    _col("capability_score", "number", "points", "the model's score on the scenario's benchmark"),
    _col("capability_verdict", "text", "", "`qualifies`, `below` or `unknown` (no comparable score) against the scenario's "
         "capability requirement; null without one"),
    _col("cost_per_capability_point_usd", "number", "USD per request per point", "cost per request / capability score"),
    _col("on_capability_frontier", "boolean", "", "no other option is both cheaper and at least as capable"),
    _col("capability_note", "text", "", "where the capability score came from"),
    _col("rank_below_requirement", "integer", "", "rank among the options below the capability requirement"),
    _col("monthly_cost_usd", "list of numbers", "USD", "the cost of each month of the horizon, month 1 first"),
    _col("breakdown_usd", "mapping of numbers", "USD", "the horizon total of each cost line (keys: the cost-line columns below)"),
    _col("excluded", "boolean", "", "true when the option is not allowed (excluded_reason says why)"),
    # added by issue 18 (after the fields above: the JSON order of old fields is kept)
    _col("rank_tied", "boolean", "", "true when another allowed option of the scenario has the same total to the cent: a tie"),
    _col("breakeven_status", "text", "", f"`{NEVER}` when the option never costs the same as the reference API option at any "
         "volume searched, `reached` when it does (see breakeven_requests_per_day), null when there is nothing to compare "
         "(an API option, no allowed API option) or the break-even was not computed (--no-breakeven)"),
    _col("breakeven_month_status", "text", "", f"`{NEVER}` when the cumulative cost ends the horizon above the reference's "
         "(it may dip below on the way), `reached` when it does not (see breakeven_month), null when there is nothing to compare"),
    # added by issue 20 (carbon)
    _col("carbon_kg_co2e", "number", "kgCO2e", "location-based emissions of the own GPUs over the horizon (energy x grid "
         "intensity); null when no grid intensity is given, and for an API option (not published)"),
    _col("carbon_kg_co2e_per_request", "number", "kgCO2e per request", "emissions / requests served by the own GPUs"),
    _col("carbon_kg_co2e_per_million_tokens", "number", "kgCO2e per million tokens", "emissions / tokens served by the own GPUs"),
    _col("carbon_note", "text", "", "what the emission figures cover (or why they are null)"),
    # added by issues 15 and 21 (commitments: the cash view beside the accounting one)
    _col("total_cash_usd", "number", "USD", "cash paid over the horizon: purchases and upfront commitments in the month "
         "they are paid, resale and the fleet's book value at the end as inflows (total_cost_usd is the accounting view; "
         "npv_usd discounts the cash flows)"),
    # added by issue 21 item 5 (a reserved base with bursts: null for options that are not mixed)
    _col("base_replicas", "integer", "replicas", "replicas of the reserved base of a mixed fleet (the size `auto` chose, or "
         "the one given); null for other options"),
    _col("base_gpu_hours", "number", "GPU-hours", "GPU-hours of the reserved base over the horizon (paid whether busy or not)"),
    _col("burst_gpu_hours", "number", "GPU-hours", "GPU-hours rented above the base over the horizon (whole burst instances, "
         "hour by hour over the 24-hour profile)"),
    _col("base_utilization", "number", "fraction 0-1", "busy share of the base replicas over the horizon (the months "
         "weighted by their base GPU-hours)"),
    _col("burst_utilization", "number", "fraction 0-1", "busy share of the burst replicas over the horizon (the months "
         "weighted by their burst GPU-hours); null when nothing bursts"),
    # added at stop 60 (the cash payback month beside the accounting break-even month)
    _col("breakeven_month_cash", "integer", "month", "month from which the cumulative cash paid stays at or below the "
         "reference's to the horizon's end: the payback month (purchases and upfront commitments in the month they are paid; resale and the "
         "fleet's book value come back in the last month, so a payback in the last month may be that inflow); null when "
         "that never happens in the horizon (breakeven_month_cash_status says never)"),
    _col("breakeven_month_cash_status", "text", "", f"`{NEVER}` when the cumulative cash paid ends the horizon above the "
         "reference's, `reached` when it does not (see breakeven_month_cash), null when there is nothing to "
         "compare"),
    # added at stop 62 (above the break-even, the staircase of replicas can cross the API line again)
    _col("breakeven_stays_requests_per_day", "number", "requests per day",
         "the volume from which this option costs no more than the reference at every higher volume (scanned to 1e10 a "
         "day): the self-hosted cost is a staircase of whole replicas, so above breakeven_requests_per_day one more replica "
         "can put it above the API line again; equal to it where that never happens; null where it ends above, or there is "
         "no break-even"),
)
"""The fields of one `tco run --format json` record, in order (a contract: names kept, new ones appended)."""

COST_LINE_COLUMNS: tuple[OutputColumn, ...] = tuple(
    _col(line.name, "number", "USD", f"{line.label}: horizon total of this cost line (= breakdown_usd[\"{line.name}\"])")
    for line in F.COST_LINES)
"""CSV, parquet and `tco.evaluate()` flatten `breakdown_usd` into one column per cost line, with the same names."""

OUTPUT_COLUMNS: tuple[OutputColumn, ...] = RESULT_COLUMNS + COST_LINE_COLUMNS
"""Every column of every output, in order. JSON has RESULT_COLUMNS (the cost lines nested in breakdown_usd);
CSV has every flat column (no lists or mappings); parquet and `tco.evaluate()` have every column
except the nested breakdown_usd (its lines are columns)."""

MIXED_FIELDS = ("base_replicas", "base_gpu_hours", "burst_gpu_hours", "base_utilization", "burst_utilization")
"""A mixed fleet's base and burst figures (`mixed_fleet_summary`), null for other options."""

RESULT_FIELDS = tuple(c.name for c in RESULT_COLUMNS if c.name not in ("monthly_cost_usd", "breakdown_usd", "excluded",
                                                                        "rank_tied", "breakeven_status", "breakeven_month_status",
                                                                        "breakeven_month_cash_status", *MIXED_FIELDS))
"""The fields read from the engine's frame as they are (kept for callers of the old name)."""

CSV_COLUMNS = tuple(c.name for c in OUTPUT_COLUMNS if c.flat)
"""`tco run --format csv`: every flat column, raw numbers at full precision."""

FRAME_COLUMNS = tuple(c.name for c in OUTPUT_COLUMNS if c.name != "breakdown_usd")
"""`tco.evaluate()` and `tco run --format parquet`: every column, the cost lines flat."""

TABLE_COLUMNS = (
    "scenario", "rank", "option", "kind", "total_cost_usd", "npv_usd", "cost_per_million_tokens_usd",
    "cost_per_request_usd", "gpus_peak", "utilization_average", "breakeven_requests_per_day", "breakeven_month",
)
"""The columns the narrow table shows (their short headers are in RESULT_COLUMNS)."""


def column(name: str) -> OutputColumn:
    return next(c for c in OUTPUT_COLUMNS if c.name == name)


def fleet_unit(kind: str | None) -> str:
    """What an option's `gpus_*` figures count: GPUs, or provisioned throughput units for committed API capacity."""
    return "units" if kind == PROVISIONED_KIND else "GPUs"


def fleet_count_text(record: dict[str, Any], name: str, digits: int | None = None) -> str:
    """`gpus_peak` / `gpus_average` as every table shows them: empty for an API, `15 units` for committed API capacity."""
    value = record.get(name)
    if record.get("kind") == "api" or value is None:
        return ""
    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return f"{text} units" if record.get("kind") == PROVISIONED_KIND else text


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


CARBON_FIELDS = ("carbon_kg_co2e", "carbon_kg_co2e_per_request", "carbon_kg_co2e_per_million_tokens")
API_CARBON_NOTE = "API emissions: not published by the provider (no per-token figure)"


def _carbon(out: dict, row) -> None:
    """Emissions only where a grid intensity is known; an API part says its figure is not published."""
    kind = out.get("kind")
    if row is None or kind == "api" or not getattr(row, "carbon_known", False):
        for name in CARBON_FIELDS:
            out[name] = None
    if kind == "api":
        out["carbon_note"] = API_CARBON_NOTE
    elif not getattr(row, "carbon_known", False):
        out["carbon_note"] = "no grid intensity given: set operations.grid_gco2e_per_kwh or grid_carbon_figure"
    else:
        out["carbon_note"] = "location-based (scope 2) emissions of the own fleet" + _defaulted_draw(row) + (
            "; " + API_CARBON_NOTE if kind == "hybrid" else "")


def _defaulted_draw(row) -> str:
    """Emissions on a PUE or idle draw nobody chose are a lower bound: the defaults (PUE 1, idle 0) leave out the
    facility's overhead (published PUEs: 1.04 at AWS's best site to 1.54 on average in Uptime's 2025 survey, BILLING.md 3) and idle GPUs."""
    from tco.engine.rows import DEFAULT_SOURCE

    left = [name for name in ("pue", "idle_power_share")
            if getattr(row.provenance.get(name), "source", None) == DEFAULT_SOURCE]
    if not left:
        return ""
    return (f"; a lower bound: {' and '.join(f'{n} {row.values[n]:g}' for n in left)} left at the default "
            "(no facility overhead / no idle draw; published PUEs run from about 1.1 at hyperscalers to 1.54 on average, Uptime 2025)")


def mixed_fleet_summary(results) -> dict[int, dict[str, Any]]:
    """Row -> the base and burst figures of each mixed fleet over its horizon (the monthly results summed).

    Utilizations are averages of the monthly ones weighted by the GPU-hours of their part, as
    `utilization_average` weighs months by the GPUs paid.
    """
    import polars as pl

    rows = [r.row for r in results.rows if r.values.get("is_mixed", 0.0) == 1.0]
    if not rows:
        return {}
    base_replicas = {r.row: r.values["base_replicas"] for r in results.rows if r.row in rows}
    sums = (results.monthly.filter(pl.col("row").is_in(rows)).group_by("row").agg(
        pl.col("base_gpu_hours").sum(), pl.col("burst_gpu_hours").sum(),
        (pl.col("base_utilization") * pl.col("base_gpu_hours")).sum().alias("_base_busy"),
        (pl.col("burst_utilization") * pl.col("burst_gpu_hours")).sum().alias("_burst_busy")))
    out = {}
    for rec in sums.iter_rows(named=True):
        out[rec["row"]] = {
            "base_replicas": max(math.floor(base_replicas[rec["row"]] + 0.5), 0),  # as base_replicas_whole
            "base_gpu_hours": rec["base_gpu_hours"],
            "burst_gpu_hours": rec["burst_gpu_hours"],
            "base_utilization": rec["_base_busy"] / rec["base_gpu_hours"] if rec["base_gpu_hours"] > 0 else None,
            "burst_utilization": rec["_burst_busy"] / rec["burst_gpu_hours"] if rec["burst_gpu_hours"] > 0 else None,
        }
    return out


def result_records(results, breakeven_solved: bool = True) -> list[dict[str, Any]]:
    """One dict per scenario x option, ranked within each scenario (excluded options last).

    `breakeven_solved`: False when the run skipped the break-even volume (--no-breakeven), so a
    missing volume is "not computed", not "never".
    """
    frame = results.options.sort(["row"])
    rows_by_id = {r.row: r for r in results.rows}
    mixed = mixed_fleet_summary(results)
    records = []
    for rec in frame.iter_rows(named=True):
        out = {name: _clean(rec.get(name)) for name in RESULT_FIELDS}
        out["monthly_cost_usd"] = [float(x) for x in rec["monthly_cost_usd_list"]]
        out["breakdown_usd"] = {line.name: float(rec[line.name]) for line in F.COST_LINES}
        out["excluded"] = rec["excluded_reason"] is not None
        _carbon(out, rows_by_id.get(rec["row"]))
        out.update(mixed.get(rec["row"], dict.fromkeys(MIXED_FIELDS)))
        out["rank_tied"] = False
        out["breakeven_status"] = breakeven_status(out, breakeven_solved)
        out["breakeven_month_status"] = breakeven_month_status(out)
        out["breakeven_month_cash_status"] = breakeven_month_status(out, "breakeven_month_cash")
        ordered = {c.name: out[c.name] for c in RESULT_COLUMNS if c.name in out}  # the schema's order, every view
        records.append({**ordered, **{k: v for k, v in out.items() if k not in ordered}})
    mark_ties(records)
    order = {}
    for r in records:
        order.setdefault(r["scenario"], len(order))
    records.sort(key=lambda r: (order[r["scenario"]], r["rank"] is None, r["rank"] or 0))
    return records


def rank_text(records: list[dict[str, Any]], record: dict[str, Any], total: str = "total_cost_usd", rank: str = "rank",
              tied: str = "rank_tied") -> str:
    """`1`, `=2` for a tie (every tied option shows the rank they share), `excl.` for an excluded option."""
    if record.get(rank) is None:
        return "excl."
    if record.get(tied):
        return f"={shared_rank(records, record, total, rank)}"
    return str(record[rank])


def breakeven_status(record: dict[str, Any], solved: bool = True) -> str | None:
    """`never`, `reached`, or None when there is nothing to compare or nothing was computed."""
    if record["kind"] == "api" or record["breakeven_reference_option"] is None or not solved:
        return None
    return "reached" if record["breakeven_requests_per_day"] is not None else NEVER


def breakeven_month_status(record: dict[str, Any], month: str = "breakeven_month") -> str | None:
    """`never`, `reached`, or None when there is nothing to compare; `month`: `breakeven_month` or `breakeven_month_cash`."""
    if record["kind"] == "api" or record["breakeven_reference_option"] is None:
        return None
    return "reached" if record[month] is not None else NEVER


def breakeven_volume_text(record: dict[str, Any]) -> str:
    """The break-even volume as every table shows it: `12,345`, `12,345*` (at a replica step), `never`, or empty."""
    status = record.get("breakeven_status")
    if status == NEVER:
        return NEVER
    if status is None or record["breakeven_requests_per_day"] is None:
        return ""
    return f"{record['breakeven_requests_per_day']:,.0f}" + ("*" if record.get("breakeven_at_step") else "")


def breakeven_month_text(record: dict[str, Any], month: str = "breakeven_month") -> str:
    """`7`, `never`, or empty when there is nothing to compare; `month`: `breakeven_month` or `breakeven_month_cash`."""
    status = record.get(f"{month}_status")
    if status == NEVER:
        return NEVER
    return "" if record.get(month) is None else str(record[month])


def frame_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records with `breakdown_usd` flattened into one field per cost line (CSV, parquet, `tco.evaluate()`)."""
    return [{**{k: v for k, v in r.items() if k != "breakdown_usd"}, **r["breakdown_usd"]} for r in records]


def polars_schema() -> dict:
    """Column -> polars dtype of FRAME_COLUMNS: give it to `pl.read_csv(..., schema_overrides=...)` so a
    column that is empty in every row (no break-even anywhere) still reads as numbers."""
    import polars as pl

    kinds = {"text": pl.String, "integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean,
             "list of numbers": pl.List(pl.Float64)}
    return {c.name: kinds[c.kind] for c in OUTPUT_COLUMNS if c.name in FRAME_COLUMNS}


def results_frame(records: list[dict[str, Any]]):
    """The records as a polars frame with FRAME_COLUMNS and their documented types."""
    import polars as pl

    schema = polars_schema()
    return pl.DataFrame([{k: r.get(k) for k in FRAME_COLUMNS} for r in frame_records(records)], schema=schema)
