"""Edit one option: every field its kind allows (from the field map), applied together on enter.

Why apply-all rather than per keystroke: an option's fields depend on each other (a purchased
payment needs a purchase price), so the scenario model judges the whole option; a refusal names
the field and the option stays as it was. Dismisses with the new option data, or None.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tco.tui.option_fields import EditorRow, check_text, edited_option, rows_for, text_of, value_at


class OptionEditorScreen(ModalScreen[dict | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="cancel-option-edit", tooltip="Close without changing the option"),
        Binding("down", "move(1)", "Next field", show=False, id="editor-next-field"),
        Binding("up", "move(-1)", "Previous field", show=False, id="editor-previous-field"),
    ]

    def __init__(self, option: dict[str, Any], check: Callable[[dict[str, Any]], str | None], title: str,
                 cursor_blink: bool = True) -> None:
        """`check(option)` returns why the scenario model refuses the edited option, or None."""
        super().__init__()
        self.option, self.check, self.title_text = option, check, title
        self.cursor_blink = cursor_blink
        self.rows: tuple[EditorRow, ...] = rows_for(option["kind"])

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "enter: apply · esc: cancel · ↑↓: fields"
            with VerticalScroll(id="editor-fields"):
                section = None
                for row in self.rows:
                    if len(row.path) > 1 and row.path[0] != section:
                        section = row.path[0]
                        yield Static(section, classes="form-section")
                    with Horizontal(classes="editor-row", id=f"row-{row.widget_id}"):
                        yield Label(row.label + (" *" if row.required else ""), classes="editor-label")
                        yield Label(_unit(row), classes="editor-unit")
                        entry = Input(text_of(value_at(self.option, row.path)), id=row.widget_id, compact=True,
                                      placeholder=_placeholder(row), tooltip=_tooltip(row), select_on_focus=False)
                        entry.cursor_blink = self.cursor_blink
                        yield entry
            yield Static("", id="editor-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def texts(self) -> dict[tuple[str, ...], str]:
        return {row.path: self.query_one(f"#{row.widget_id}", Input).value for row in self.rows}

    def on_input_changed(self, event: Input.Changed) -> None:
        row = next((r for r in self.rows if r.widget_id == event.input.id), None)
        if row is not None:
            event.input.set_class(check_text(row, event.value) is not None, "-refused")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        error = self.query_one("#editor-error", Static)
        for row in self.rows:
            problem = check_text(row, self.query_one(f"#{row.widget_id}", Input).value)
            if problem:
                error.update(problem)
                self.query_one(f"#{row.widget_id}", Input).focus()
                return
        option = edited_option(self.option, self.texts())
        problem = self.check(option)
        if problem:
            error.update(f"Not applied: {problem}")
            return
        self.dismiss(option)

    def action_move(self, step: int) -> None:
        entries = list(self.query(Input))
        current = self.focused
        index = entries.index(current) if current in entries else 0
        target = entries[(index + step) % len(entries)]
        target.focus()
        target.scroll_visible()


def _unit(row: EditorRow) -> str:
    return "" if row.unit in ("id", "name", "text", "flag") else row.unit


def _placeholder(row: EditorRow) -> str:
    if row.choices:
        return "|".join(row.choices)
    if row.ui == "flag":
        return "true|false"
    return "required" if row.required else ""


def _tooltip(row: EditorRow) -> str:
    limits = ""
    if row.low is not None or row.high is not None:
        limits = f"\nallowed: {text_of(row.low) if row.low is not None else ''} .. {text_of(row.high) if row.high is not None else ''}"
    return f"{'.'.join(row.path)} ({row.unit}): {row.help}{limits}\nempty: the schema's default."
