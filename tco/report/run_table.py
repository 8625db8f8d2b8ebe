"""The ranked comparison table of `tco run`: one block per scenario, ties said as ties, `never` for a
break-even that never happens, fitted to the terminal (narrow by default, every column with --wide).

Why here and not in the command: the rank, tie and break-even texts are what the UI shows too; both
take them from tco.report.results, so the CLI and the UI cannot say different things.
"""

from __future__ import annotations

from typing import Any

from tco.engine.ranking import recommendation_text
from tco.report.results import NEVER, breakeven_month_text, breakeven_volume_text, column, fleet_count_text, rank_text

NARROW = (
    ("rank", "#"), ("option", "option"), ("kind", "kind"), ("total_cost_usd", "total $"), ("npv_usd", "NPV $"),
    ("cost_per_million_tokens_usd", "$/M tok"), ("cost_per_request_usd", "$/req"), ("gpus_peak", "GPUs"),
    ("utilization_average", "util"), ("breakeven_requests_per_day", "BE req/day"), ("breakeven_month", "BE month"),
)
"""Narrow table: (output column, short header); the legend under the table names the columns."""

NARROW_PRIORITY = ("option", "rank", "total_cost_usd", "kind", "breakeven_requests_per_day", "cost_per_million_tokens_usd",
                   "gpus_peak", "npv_usd", "breakeven_month", "utilization_average", "cost_per_request_usd")
"""What a narrow terminal keeps first; the last ones are left out first."""

WIDE = ("rank", "option", "kind", "total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd",
        "cost_per_llm_call_usd", "gpus_peak", "gpus_average", "utilization_average", "energy_kwh",
        "breakeven_reference_option", "breakeven_requests_per_day", "breakeven_month", "breakeven_month_cash")
"""--wide: the output schema's own names as headers, nothing cut."""


CELL_TEXTS = {
    "rank": lambda records, r: rank_text(records, r),
    "option": lambda records, r: r["option"], "kind": lambda records, r: r["kind"],
    "total_cost_usd": lambda records, r: _money(r["total_cost_usd"]), "npv_usd": lambda records, r: _money(r["npv_usd"]),
    "cost_per_million_tokens_usd": lambda records, r: _fixed(r["cost_per_million_tokens_usd"], 3),
    "cost_per_request_usd": lambda records, r: _fixed(r["cost_per_request_usd"], 5),
    "cost_per_llm_call_usd": lambda records, r: _fixed(r["cost_per_llm_call_usd"], 5),
    "gpus_peak": lambda records, r: fleet_count_text(r, "gpus_peak"),
    "gpus_average": lambda records, r: fleet_count_text(r, "gpus_average", 2),
    "utilization_average": lambda records, r: "" if r["utilization_average"] is None else f"{r['utilization_average']:.0%}",
    "energy_kwh": lambda records, r: "" if not r.get("energy_kwh") else f"{r['energy_kwh']:,.0f}",
    "carbon_kg_co2e": lambda records, r: "" if r.get("carbon_kg_co2e") is None else f"{r['carbon_kg_co2e']:,.0f}",
    "breakeven_reference_option": lambda records, r: r["breakeven_reference_option"] or "",
    "breakeven_requests_per_day": lambda records, r: breakeven_volume_text(r),
    "breakeven_month": lambda records, r: breakeven_month_text(r),
    "breakeven_month_cash": lambda records, r: breakeven_month_text(r, "breakeven_month_cash"),
    "capability": lambda records, r: _capability(r),
}
"""How every table shows each result column (`tco run`, `tco sweep`): one place, so they cannot format a figure two ways."""


def cells(records: list[dict[str, Any]], record: dict[str, Any], columns=None) -> dict[str, str]:
    """The shown columns of one record as text (`columns`: only those; default: every column of CELL_TEXTS).
    `records`: the record's peers, among which a tie shares its rank."""
    return {c: text(records, record) for c, text in CELL_TEXTS.items() if columns is None or c in columns}


def write_run_table(records: list[dict[str, Any]], out, results=None, *, wide: bool | None = None, width: int | None = None) -> None:
    """One ranked block per scenario, a sentence naming the winner (or the tie), and a legend."""
    from tco.report import table

    wide = table.WIDE if wide is None else wide
    scenarios = list(dict.fromkeys(r["scenario"] for r in records))
    shown_columns = list(WIDE) if wide else [c for c, _ in NARROW]
    headers = dict(NARROW) if not wide else {c: c for c in WIDE}
    for i, sid in enumerate(scenarios):
        rows = [r for r in records if r["scenario"] == sid]
        if i:
            out.write("\n")
        out.write(f"== {sid}\n")
        columns = shown_columns + (["capability"] if any(x.get("capability_verdict") for x in rows) else [])
        texts = [cells(records, r) for r in rows]
        table.write_table(out, [headers.get(c, c) for c in columns], [[t[c] for c in columns] for t in texts],
                          priority=[columns.index(c) for c in NARROW_PRIORITY if c in columns], width=width, wide=wide)
        out.write(_wrap(summary(records, sid, results), None if wide else (width or table.terminal_columns())) + "\n")
        for r in rows:
            if r["excluded_reason"]:
                out.write(f"  {r['option']}: excluded: {r['excluded_reason']}\n")
    if any(r.get("breakeven_at_step") for r in records):
        out.write("\n* the costs never meet exactly there: one more replica makes self-hosting jump above the API line.\n")
    if not wide and records:
        import textwrap

        out.write("\n" + textwrap.fill(legend(), width or table.terminal_columns()) + "\n")


def _wrap(text: str, width: int | None) -> str:
    import textwrap

    return text if width is None else textwrap.fill(text, width)


def legend() -> str:
    """What the short headers of the narrow table stand for (the names of JSON, CSV and tco.evaluate())."""
    parts = [f"{short} = {name} ({column(name).unit})" if column(name).unit else f"{short} = {name}"
             for name, short in NARROW if short != name]
    return ("columns: " + "; ".join(parts) + f"; `{NEVER}`: the costs never meet. --wide shows them in full, by their names.")


def summary(records: list[dict[str, Any]], scenario_id: str, results=None) -> str:
    """The scenario's sentence: the winner (or the options tied for first), by how much, and the break-even.

    The engine's sentence (`tco.engine.ranking.recommendation_text`), which the UI and the workbook show too.
    `results` is not needed (kept for callers that pass it)."""
    return recommendation_text([r for r in records if r["scenario"] == scenario_id])


def _capability(r) -> str:
    verdict = r.get("capability_verdict")
    if not verdict:
        return ""
    score = r.get("capability_score")
    text = verdict if score is None else f"{score:.1f} {verdict}"
    if r.get("on_capability_frontier"):
        text += " (frontier)"
    if r.get("rank_below_requirement"):
        text += f" #{r['rank_below_requirement']} below"
    return text


def _money(value) -> str:
    from tco.engine.ranking import whole_dollars

    return "" if value is None else whole_dollars(value)


def _fixed(value, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


SWEEP_PRIORITY = ("option", "rank", "total_cost_usd")
"""What a narrow terminal keeps first in a sweep: then the grid point and its varied values, then the rest in order."""


def write_sweep_table(rows: list[dict[str, Any]], varied: list[str], out, *, wide: bool | None = None, width: int | None = None) -> None:
    """`tco sweep`'s rows (one per grid point x option) as a table whose figures read as `tco run`'s do (CELL_TEXTS):
    totals in whole dollars with separators, per-unit costs to fixed digits, utilization in percent, a tie as `=1`
    among the options of its scenario at its grid point. `varied`: the columns of the varied paths."""
    from tco.engine.ranking import mark_ties
    from tco.report import table

    wide = table.WIDE if wide is None else wide
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["point"], r["scenario"]), []).append(dict(r))
    for group in groups.values():
        mark_ties(group)
    columns = ["point", *varied, "scenario", *[c for c in rows[0] if c in CELL_TEXTS]] if rows else []
    lines = []
    for group in groups.values():
        for r in group:
            texts = cells(group, r, columns)
            texts.update({"point": str(r["point"]), "scenario": r["scenario"], **{c: _grid_value(r[c]) for c in varied}})
            lines.append([texts[c] for c in columns])
    order = [*SWEEP_PRIORITY, "point", *varied, "kind", "scenario"]
    table.write_table(out, columns, lines, priority=[columns.index(c) for c in order if c in columns], width=width, wide=wide)


def _grid_value(value) -> str:
    """A varied value as given: a whole number with separators (300,000), a share or price as written (0.25)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:g}" if isinstance(value, float) else str(value)
