"""Every key of the UI, read from the bindings themselves so the list cannot go stale."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

MOUSE = "Mouse: click a scenario, a field, a table cell, a tab or a column header (sorts a catalog); scroll with the wheel."


def key_lines(groups: list[tuple[str, list]], keymap: dict[str, str] | None = None) -> list[str]:
    """One line per binding: its keys (as remapped by the user's keymap), what it does, its id."""
    keymap = keymap or {}
    lines = []
    for title, bindings in groups:
        lines.append(title)
        for b in bindings:
            if isinstance(b, Binding):
                keys = ", ".join(k.strip() for k in keymap.get(b.id, b.key).split(","))
                lines.append(f"  {keys:<22} {b.description or b.action}" + (f"  [{b.id}]" if b.id else ""))
        lines.append("")
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="close-help")]

    def __init__(self, groups: list[tuple[str, list]], notes: str = "", keymap: dict[str, str] | None = None,
                 keymap_note: str = "") -> None:
        super().__init__()
        self.groups, self.notes = groups, notes
        self.keymap, self.keymap_note = keymap or {}, keymap_note

    def compose(self) -> ComposeResult:
        text = "\n".join([*key_lines(self.groups, self.keymap), "Command palette: ctrl+p (every action by name)", MOUSE, "",
                          "Keys can be remapped by binding id (shown in brackets). " + self.keymap_note, "", self.notes])
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc: close"
            yield Static(Text(text), id="help-text")
