"""Browse a catalog: filter as you type, sort by any column, add the highlighted item as an option."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from tco.tui.key_hints import key_for
from tco.tui.catalog_rows import CatalogView, Row, matches, sort_key


@dataclass
class RowsLoaded(Message):
    rows: list
    error: str | None = None


MAX_TEXT_WIDTH = 28
"""Long ids (cloud instance names) are cut so that the prices stay on screen at 80 columns."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    text = str(value)
    return text if len(text) <= MAX_TEXT_WIDTH else text[:MAX_TEXT_WIDTH - 1] + "…"


class CatalogScreen(ModalScreen[tuple | None]):
    """Dismisses with the picked row's key (or None)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="close-catalog"),
        Binding("enter", "pick", "Add as option", id="add-option", priority=True),
        Binding("ctrl+s", "sort_next", "Sort by next column", id="sort-next-column", priority=True),
        Binding("ctrl+r", "reverse", "Reverse order", id="reverse-sort", priority=True),
        Binding("slash", "focus_filter", "Filter", id="focus-filter"),
        Binding("down", "move(1)", "Next row", show=False, id="catalog-next-row"),
        Binding("up", "move(-1)", "Previous row", show=False, id="catalog-previous-row"),
    ]

    def __init__(self, view: CatalogView, load: Callable[[], list[Row]], cursor_blink: bool = True) -> None:
        super().__init__()
        self.view, self.load = view, load
        self.cursor_blink = cursor_blink
        self.rows: list[Row] = []
        self.shown: list[Row] = []
        self.sort_column: int | None = None
        self.reverse = False

    def compose(self) -> ComposeResult:
        with Vertical(id="catalog-box") as box:
            box.border_title = self.view.title
            box.border_subtitle = (f"type to filter · click a header or {key_for(self.app, 'sort-next-column')} to sort · enter: add · "
                                  f"{key_for(self.app, 'close-catalog')}: close")
            entry = Input(placeholder="filter (all words must match)", id="catalog-filter", compact=True)
            entry.cursor_blink = self.cursor_blink
            yield entry
            table = DataTable(id="catalog-table", cursor_type="row", zebra_stripes=True)
            for i, header in enumerate(self.view.headers):
                table.add_column(header, key=str(i))
            yield table
            yield Static("loading…", id="catalog-status")

    def on_mount(self) -> None:
        self.query_one("#catalog-filter", Input).focus()
        # the API prices take ~3 s to read: show that something is happening, not an empty list
        self.query_one("#catalog-table", DataTable).loading = True
        self.query_one("#catalog-status", Static).update(f"loading {self.view.title.split(' (')[0]}…")
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _load(self) -> None:
        from tco.errors import TcoUserError

        try:
            self.post_message(RowsLoaded(self.load()))
        except TcoUserError as e:
            self.post_message(RowsLoaded([], "; ".join(p.render() for p in e.problems[:3])))

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        self.rows = message.rows
        self.query_one("#catalog-table", DataTable).loading = False
        if message.error:
            self.query_one("#catalog-status", Static).update(f"cannot load: {message.error}")
            return
        self._refill()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_pick()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = int(str(event.column_key.value))
        self.reverse = (not self.reverse) if self.sort_column == column else False
        self.sort_column = column
        self._refill()

    def action_sort_next(self) -> None:
        self.sort_column = 0 if self.sort_column is None else (self.sort_column + 1) % len(self.view.columns)
        self.reverse = False
        self._refill()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self._refill()

    def action_move(self, step: int) -> None:
        table = self.query_one("#catalog-table", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_focus_filter(self) -> None:
        self.query_one("#catalog-filter", Input).focus()

    def set_filter(self, text: str) -> None:
        self.query_one("#catalog-filter", Input).value = text

    def _refill(self) -> None:
        words = self.query_one("#catalog-filter", Input).value.lower().split()
        shown = [r for r in self.rows if matches(r[1], words)]
        if self.sort_column is not None:
            present = [r for r in shown if r[1][self.sort_column] not in (None, "")]
            blank = [r for r in shown if r[1][self.sort_column] in (None, "")]
            shown = sorted(present, key=sort_key(self.sort_column), reverse=self.reverse) + blank
        self.shown = shown
        table = self.query_one("#catalog-table", DataTable)
        table.clear()
        table.add_rows([[_cell(c) for c in cells] for _, cells in shown])
        order = "" if self.sort_column is None else f", sorted by {self.view.columns[self.sort_column]}{' (descending)' if self.reverse else ''}"
        self.query_one("#catalog-status", Static).update(f"{len(shown)} of {len(self.rows)}{order}")

    def action_pick(self) -> None:
        table = self.query_one("#catalog-table", DataTable)
        if not self.shown:
            return
        self.dismiss(self.shown[min(table.cursor_row, len(self.shown) - 1)][0])
