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
