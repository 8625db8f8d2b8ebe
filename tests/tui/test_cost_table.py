"""The costs table keeps the cursor on the option the user highlighted when a recomputation re-ranks the rows.

Bug hunt: the cursor was restored by row index, so after an edit that changed the ranking, `i`, `d`, Delete
and `e` acted on another option than the one highlighted.
"""

from __future__ import annotations

import polars as pl
import pytest
from textual.app import App, ComposeResult

from tco.tui.widgets.cost_table import CostTable

pytestmark = pytest.mark.anyio


def _ranked(*totals: tuple[str, float]) -> pl.DataFrame:
    """An options frame as the engine gives it (only the columns the table needs), ranked by total."""
    ordered = sorted(totals, key=lambda t: t[1])
    return pl.DataFrame({"option": [o for o, _ in ordered], "kind": ["api"] * len(ordered),
                         "rank": list(range(1, len(ordered) + 1)), "total_cost_usd": [t for _, t in ordered]})


class _TableApp(App):
    def compose(self) -> ComposeResult:
        yield CostTable(id="costs")


async def test_the_cursor_follows_the_highlighted_option_when_the_ranking_changes():
    app = _TableApp()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(CostTable)
        table.show(_ranked(("api-a", 100.0), ("self-b", 200.0), ("self-c", 300.0)))
        table.cursor_coordinate = (table.get_row_index("self-b"), 2)
        await pilot.pause()
        table.show(_ranked(("api-a", 100.0), ("self-b", 50.0), ("self-c", 300.0)))  # b is now first
        assert table.cell_keys() == ("self-b", "total_cost_usd")
        table.show(_ranked(("api-a", 100.0), ("self-c", 300.0)))  # b deleted: its row (the first) stays highlighted
        assert table.cell_keys() == ("api-a", "total_cost_usd")


def test_an_option_and_its_copy_read_differently_in_the_table_and_the_legends():
    """Bug hunt: both rows read `llama-3.3-70b-h100-…`: the id was cut at its end, where the copy's `-copy` is."""
    from tco.tui.widgets.cost_charts import LEGEND_NAME_WIDTH
    from tco.tui.widgets.cost_table import OPTION_NAME_WIDTH, short_option_name

    for width in (OPTION_NAME_WIDTH, LEGEND_NAME_WIDTH):
        ids = ["llama-3.3-70b-h100-lambda-on-demand", "llama-3.3-70b-h100-lambda-on-demand-copy",
               "llama-3.3-70b-h100-lambda-on-demand-copy-2"]
        shown = [short_option_name(i, width) for i in ids]
        assert len(set(shown)) == 3 and all(len(s) == width and "…" in s for s in shown), shown
    assert short_option_name("gpt-4o-mini") == "gpt-4o-mini"
