"""Data problems found at start-up, one per row (`file:line field message`), instead of a crash."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static


class ProblemsScreen(Screen):
    BINDINGS = [Binding("q", "app.quit", "Quit", id="quit-problems", tooltip="Leave: fix the files and start again")]

    def __init__(self, problems: list) -> None:
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{len(self.problems)} problem(s) in the input files. Fix them and run `tco tui` again "
                     "(`tco validate FILE` prints the same list).", id="problems-intro")
        table = DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        table.add_columns("file", "line", "field", "message")
        for p in self.problems:
            message = p.message + (f" (hint: {p.hint})" if p.hint else "")
            table.add_row(p.file, "" if p.line is None else str(p.line), p.field, message)
        yield table
        yield Footer()
