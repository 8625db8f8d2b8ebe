"""How a number was computed: the engine's formula, its parts, and every input with its source."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class ExplainScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,e", "dismiss", "Close", id="close-explain")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="explain-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "esc: close"
            yield Static(Text(self.text), id="explain-text")
