"""The catalog browsers keep the prices on an 80-column screen.

Bug hunt: the offers browser put the cloud (up to 30 characters with "(placeholder?)") before the prices, which an
80 x 24 terminal then cut off. The prices now come right after the id, GPU and count, and ids are cut at 28 characters.
A small app holding only the browser, on the bundled offers (the whole UI is not needed to lay out one table).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable

import tco.tui
from tco.load.hardware import load_hardware
from tco.tui.catalog_rows import VIEWS, offer_rows
from tco.tui.screens.catalog import CatalogScreen

pytestmark = pytest.mark.anyio


class _BrowserApp(App):
    CSS_PATH = str(Path(tco.tui.__file__).parent / "app.tcss")  # the UI's own style sheet: its widths and borders

    def __init__(self, rows):
        super().__init__()
        self.rows = rows

    def on_mount(self) -> None:
        self.push_screen(CatalogScreen(VIEWS["offer"], lambda: self.rows, cursor_blink=False))


async def test_the_offer_prices_stay_on_an_80_column_screen():
    rows = offer_rows(load_hardware())
    app = _BrowserApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, CatalogScreen) and app.screen.rows:
                break
        await pilot.pause()
        table = app.screen.query_one("#catalog-table", DataTable)
        assert table.row_count == len(rows) > 100
        widths = [column.get_render_width(table) for column in table.columns.values()]
        headers = [str(column.label) for column in table.columns.values()]
        through_spot = sum(widths[:headers.index("spot") + 1])
        assert through_spot <= table.scrollable_content_region.width, (headers, widths, table.scrollable_content_region.width)
