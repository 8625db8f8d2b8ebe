"""Pick one of a few words (the kind of a new option)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class ChooseScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="cancel-choice")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        """`choices`: (value, what it means) pairs."""
        super().__init__()
        self.question, self.choices = question, choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-box"):
            yield Static(self.question)
            yield OptionList(*[Option(f"{value}: {meaning}", id=value) for value, meaning in self.choices], id="choices")
            yield Static("enter: choose   esc: cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
