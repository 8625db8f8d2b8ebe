"""The workload and finance inputs of one scenario, as a compact form.

Why ids equal to the scenario fields: one vocabulary from the YAML key to the widget id
(`#requests_per_day`), so a newcomer can grep a name through the whole stack.

Why a value is applied only on enter or when the field loses focus: typing `40k` passes through
`4` and `40`, and evaluating those would show results for numbers nobody meant. While a field
holds text that is not applied yet, it is marked (`-pending`) and the results stay those of the
last applied value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.validation import Function, Regex
from textual.widgets import Input, Label, Sparkline, Static

from tco.engine.fields import fields_of
from tco.tui.messages import InputEdited

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Field:
    path: tuple[str, str]
    label: str
    kind: str = "number"
    """number, whole, date or profile: picks the input validator (the scenario model has the last word)."""

    @property
    def name(self) -> str:
        return self.path[-1]


FIELDS: tuple[Field, ...] = tuple(
    Field((f.scope, f.key), f.label, f.ui)
    for f in (*fields_of("workload"), *fields_of("finance")) if f.ui in ("number", "whole", "date", "profile"))
"""Every workload and finance input the form shows, in the field map's order (tco.engine.fields):
labels and paths come from that one declaration. Options are edited in the option editor (i)."""


def profile_weights(text: str) -> list[float] | None:
    """`2 1 1 …` or `2, 1, 1, …` (24 finite weights, >= 0) -> the numbers; None when it is not that.

    Why finite: `inf` (or `1e400`) passed as a weight >= 0 and then crashed the app writing it back."""
    parts = [p for p in re.split(r"[\s,;\[\]]+", text.strip()) if p]
    if len(parts) != HOURS_PER_DAY:
        return None
    try:
        weights = [float(p.replace("_", "")) for p in parts]
    except ValueError:
        return None
    return weights if all(math.isfinite(w) and w >= 0 for w in weights) else None


def profile_text(weights: list) -> str:
    return ", ".join(_text(w) for w in weights)


def _validators(kind: str) -> list:
    if kind == "whole":
        return [Function(lambda t: t.strip() == "" or t.strip().lstrip("-").isdigit(),
                         failure_description="Please enter a whole number (e.g. 1500).")]
    if kind == "date":
        return [Regex(r"^\s*(\d{4}-\d{2}-\d{2})?\s*$", failure_description="Please enter a date as YYYY-MM-DD.")]
    if kind == "profile":
        return [Function(lambda t: t.strip() == "" or profile_weights(t) is not None,
                         failure_description="Please enter 24 hourly weights (finite numbers >= 0), e.g. 2, 1, 1, …; empty uses peak / average.")]
    return [Function(lambda t: t.strip() == "" or _is_number(t), failure_description="Please enter a number (e.g. 40000 or 0.05).")]


def _is_number(text: str) -> bool:
    try:
        float(text.replace("_", ""))
        return True
    except ValueError:
        return False


def _description(field: Field) -> str:
    from tco.model.scenario import Finance, Workload

    model = Workload if field.path[0] == "workload" else Finance
    info = model.model_fields.get(field.name)
    text = f"{'.'.join(field.path)}: {info.description or ''}" if info else ".".join(field.path)
    return text + "\nenter or leaving the field applies the value."


def _default(field: Field) -> str:
    """The model's default, shown greyed in an empty field (what the engine uses when it is left out)."""
    from pydantic_core import PydanticUndefined

    from tco.model.scenario import Finance, Workload

    if field.kind == "profile":
        return "flat (uses peak / average)"
    info = (Workload if field.path[0] == "workload" else Finance).model_fields.get(field.name)
    if info is None or info.default is PydanticUndefined or info.default is None:
        return "none" if info is not None and info.default is None and field.name in ("ttft_ms", "tpot_ms") else ""
    return _text(info.default)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return profile_text(value)
    if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e15 and value == int(value):
        return str(int(value))
    return str(value)


def yaml_text(field: Field, text: str) -> str:
    """What is posted: the text as `--set` would read it (a profile becomes a YAML list)."""
    if field.kind == "profile" and text.strip():
        return "[" + ", ".join(_text(w) for w in profile_weights(text)) + "]"
    return text


class AssumptionsForm(VerticalScroll):
    """Posts `InputEdited` when a valid value is applied (enter, or leaving the field); shows inline why a value is refused."""

    BINDINGS = [
        Binding("down", "move(1)", "Next field", show=False, id="form-next-field"),
        Binding("up", "move(-1)", "Previous field", show=False, id="form-previous-field"),
    ]

    def __init__(self, cursor_blink: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cursor_blink = cursor_blink
        self.scenario_id: str | None = None
        """The scenario the form shows; edits are addressed to it."""
        self.committed: dict[str, str] = {}
        """Field name -> the text of the value the results on screen were computed with."""

    def compose(self) -> ComposeResult:
        section = None
        for field in FIELDS:
            if field.path[0] != section:
                section = field.path[0]
                yield Static(section, classes="form-section")
            wide = field.kind == "profile"
            with Horizontal(classes="form-row" + (" -wide-row" if wide else ""), id=f"row-{field.name}"):
                yield Label(field.label + (" (24 weights)" if wide else ""), classes="form-label")
                if not wide:
                    yield self._input(field)
            if wide:
                yield self._input(field, classes="profile-input")
                yield Sparkline([], id="profile-bars", summary_function=max)
            yield Static("", classes="form-error", id=f"error-{field.name}")

    def _input(self, field: Field, classes: str = "") -> Input:
        entry = Input(id=field.name, validators=_validators(field.kind), validate_on=["changed", "submitted", "blur"],
                      select_on_focus=False, compact=True, tooltip=_description(field), placeholder=_default(field),
                      classes=classes)
        entry.cursor_blink = self.cursor_blink
        return entry

    def show_scenario(self, scenario_id: str, data: dict[str, Any]) -> None:
        """Fill the inputs from the scenario's data without posting edits."""
        self.scenario_id = scenario_id
        if not self.query(Input):  # not composed yet: fill after the next refresh
            self.call_after_refresh(self.show_scenario, scenario_id, data)
            return
        for field in FIELDS:
            section = data.get(field.path[0]) or {}
            value = section.get(field.name) if isinstance(section, dict) else None
            entry = self.query_one(f"#{field.name}", Input)
            with entry.prevent(Input.Changed):
                entry.value = _text(value)
            self.committed[field.name] = entry.value
            entry.remove_class("-pending")
            self.set_error(field.name, None)
        self.show_dependent(data)

    def show_dependent(self, data: dict[str, Any]) -> None:
        """Fields whose state follows another field: peak / average (ignored with a profile), the profile's bars."""
        workload = data.get("workload") or {}
        profile = workload.get("hourly_profile")
        profiled = profile is not None
        peak = self.query_one("#peak_to_average", Input)
        peak.disabled = profiled  # the engine ignores it when the file gives 24 hourly weights
        peak.placeholder = "profile" if profiled else _default(next(f for f in FIELDS if f.name == "peak_to_average"))
        bars = self.query_one("#profile-bars", Sparkline)
        bars.data = [float(w) for w in profile] if profiled else []
        bars.display = profiled
        uses_month = "requests_per_month" in workload
        self.query_one("#row-requests_per_month").display = uses_month
        self.query_one("#row-requests_per_day").display = not uses_month

    def mark_applied(self, name: str, text: str) -> None:
        """The value in field `name` is now the one the results use."""
        self.committed[name] = text
        entry = self.query_one(f"#{name}", Input)
        entry.set_class(entry.value != text, "-pending")

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in FIELDS)

    def set_error(self, name: str, message: str | None) -> None:
        """Show (or clear) the inline message of field `name`; a name that is not a form field is ignored."""
        if not any(f.name == name for f in FIELDS):
            return
        error = self.query_one(f"#error-{name}", Static)
        error.update(message or "")
        error.display = bool(message)
        self.query_one(f"#{name}", Input).set_class(bool(message), "-refused")

    def clear_errors(self) -> None:
        for field in FIELDS:
            self.set_error(field.name, None)

    def _field(self, entry: Input) -> Field | None:
        return next((f for f in FIELDS if f.name == entry.id), None)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing only checks the text and marks the field pending: nothing is evaluated yet."""
        event.stop()
        field = self._field(event.input)
        if self.scenario_id is None or field is None:
            return
        event.input.set_class(event.value != self.committed.get(field.name), "-pending")
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.set_error(field.name, " ".join(event.validation_result.failure_descriptions))
        else:
            self.set_error(field.name, None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply(event.input)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        self._apply(event.input)

    def _apply(self, entry: Input) -> None:
        field = self._field(entry)
        if self.scenario_id is None or field is None or entry.value == self.committed.get(field.name):
            return
        result = entry.validate(entry.value)
        if result is not None and not result.is_valid:
            self.set_error(field.name, " ".join(result.failure_descriptions) + " Not applied: the results are those of "
                           + (f"`{self.committed.get(field.name)}`." if self.committed.get(field.name) else "the default."))
            return
        self.post_message(InputEdited(self.scenario_id, field.path, yaml_text(field, entry.value), shown_text=entry.value))

    def action_move(self, step: int) -> None:
        """Up and down walk the fields (tab jumps between panes)."""
        entries = [e for e in self.query(Input) if e.display and not e.disabled and e.parent.display]
        if not entries:
            return
        current = self.screen.focused
        index = entries.index(current) if current in entries else (-1 if step > 0 else 0)
        target = entries[(index + step) % len(entries)]
        target.focus()
        target.scroll_visible()
