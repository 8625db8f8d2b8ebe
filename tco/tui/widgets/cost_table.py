"""The options of one scenario ranked by total cost; every number cell can be explained."""

from __future__ import annotations

from textual.widgets import DataTable

from tco.report.results import (breakeven_month_status, breakeven_month_text, breakeven_status, breakeven_volume_text,
                                fleet_count_text, mark_ties, rank_text)

COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "#"),
    ("option", "option"),
    ("total_cost_usd", "total $"),
    ("kind", "kind"),
    ("cost_per_million_tokens_usd", "$/M tok"),
    ("cost_per_request_usd", "$/request"),
    ("gpus_peak", "GPUs"),
    ("utilization_average", "util"),
    ("breakeven_requests_per_day", "BE req/day"),
    ("breakeven_month", "BE month"),
    ("breakeven_month_cash", "cash BE month"),
    ("npv_usd", "NPV $"),
    ("capability_verdict", "capability"),
)
"""(result name, header): keys equal the engine's column names. The option and its total come first,
so that both stay visible on an 80-column terminal (the other columns scroll)."""
OPTION_NAME_WIDTH = 20
"""Longer option ids are cut with `…` in the table (the explain screen and the files keep them whole)."""


def short_option_name(option_id: str, width: int = OPTION_NAME_WIDTH) -> str:
    """An option id cut to `width` in the middle: `llama-3.3…ambda-copy`. Why the middle: ids differ at their end
    (a copy's `-copy`, the offer or region last), and cut at the end an option and its copy read the same."""
    if len(option_id) <= width:
        return option_id
    tail = (width - 1) // 2
    return option_id[:width - 1 - tail] + "…" + option_id[-tail:]


def format_cell(name: str, rec: dict, breakeven_pending: bool = False, records: list[dict] | None = None) -> str:
    """One cell as `tco run`'s table shows it. `records`: the scenario's options with `rank_tied` marked
    (`mark_ties`), so that a tie shows its shared rank (`=1`); without them the rank is the record's own."""
    value = rec.get(name)
    if name == "rank":
        return rank_text(records or [rec], rec)
    if name == "option":
        return short_option_name(str(value))
    if name == "kind":
        return str(value)
    if name in ("breakeven_requests_per_day", "breakeven_month", "breakeven_month_cash") and rec.get("kind") != "api" and breakeven_pending:
        return "…"
    if name == "breakeven_requests_per_day":
        return breakeven_volume_text({**rec, "breakeven_status": breakeven_status(rec)})
    if name in ("breakeven_month", "breakeven_month_cash"):
        return breakeven_month_text({**rec, f"{name}_status": breakeven_month_status(rec, name)}, name)
    if value is None:
        return ""
    if name in ("total_cost_usd", "npv_usd"):
        from tco.engine.ranking import whole_dollars

        return whole_dollars(value)
    if name == "cost_per_million_tokens_usd":
        return f"{value:,.3f}"
    if name == "cost_per_request_usd":
        return f"{value:.5f}"
    if name == "gpus_peak":
        return fleet_count_text(rec, "gpus_peak")
    if name == "utilization_average":
        return f"{value:.0%}"
    if name == "capability_verdict":
        score = rec.get("capability_score")
        text = value if score is None else f"{score:.1f} {value}"
        return text + (" ◆" if rec.get("on_capability_frontier") else "")
    return str(value)


class CostTable(DataTable):
    """Rows keyed by option id, columns keyed by result name (for the explain screen)."""

    def on_mount(self) -> None:
        self.cursor_type = "cell"
        self.zebra_stripes = True
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def show(self, options, breakeven_pending: bool = False) -> None:
        """`options`: the engine's options frame for one scenario.

        The cursor stays on the option it was on (found by id, not by row: a new ranking moves the rows,
        and `i`, `d`, Delete and `e` must act on the option the user highlighted); on the same row when
        that option is gone.
        """
        row, column = self.cursor_coordinate
        highlighted = self.cell_keys()
        self.clear()
        records = list(options.sort(["rank", "total_cost_usd"], nulls_last=True).iter_rows(named=True))
        mark_ties(records)
        for rec in records:
            self.add_row(*[format_cell(k, rec, breakeven_pending, records) for k, _ in COLUMNS], key=rec["option"])
        if self.row_count:
            ids = [rec["option"] for rec in records]
            if highlighted is not None and highlighted[0] in ids:
                row = ids.index(highlighted[0])
            self.cursor_coordinate = (min(row, self.row_count - 1), column)

    def cell_keys(self) -> tuple[str, str] | None:
        """(option id, result name) under the cursor."""
        if not self.row_count:
            return None
        keys = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(keys.row_key.value), str(keys.column_key.value)
