"""Ask for a file name (the workbook to export), prefilled with a sensible one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Input, Static


class AskPathScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="cancel-path")]

    def __init__(self, prompt: str, default: str, cursor_blink: bool = True) -> None:
        super().__init__()
        self.prompt, self.default, self.cursor_blink = prompt, default, cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-box"):
            yield Static(self.prompt)
            entry = Input(self.default, id="path", validators=[Function(lambda t: bool(t.strip()), failure_description="Please enter a file name.")])
            entry.cursor_blink = self.cursor_blink
            yield entry
            yield Static("enter: confirm   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
