"""The workload and finance inputs of one scenario, as a compact form.

Why ids equal to the scenario fields: one vocabulary from the YAML key to the widget id
(`#requests_per_day`), so a newcomer can grep a name through the whole stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.validation import Function, Number, Regex
from textual.widgets import Input, Label, Static

from tco.engine.fields import fields_of
from tco.tui.messages import InputEdited


@dataclass(frozen=True)
class Field:
    path: tuple[str, str]
    label: str
    kind: str = "number"
    """number, whole or date: picks the input validator (the scenario model has the last word)."""

    @property
    def name(self) -> str:
        return self.path[-1]


FIELDS: tuple[Field, ...] = tuple(
    Field((f.scope, f.key), f.label, f.ui)
    for f in (*fields_of("workload"), *fields_of("finance")) if f.ui in ("number", "whole", "date"))
"""Every workload and finance input the form shows, in the field map's order (tco.engine.fields):
labels and paths come from that one declaration. Lists (the hourly profile) and options stay in the file."""


def _validators(kind: str) -> list:
    if kind == "whole":
        return [Function(lambda t: t.strip() == "" or t.strip().lstrip("-").isdigit(),
                         failure_description="Please enter a whole number (e.g. 1500).")]
    if kind == "date":
        return [Regex(r"^\s*(\d{4}-\d{2}-\d{2})?\s*$", failure_description="Please enter a date as YYYY-MM-DD.")]
    return [Function(lambda t: t.strip() == "" or _is_number(t), failure_description="Please enter a number (e.g. 5000 or 0.05).")]


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
    return f"{'.'.join(field.path)}: {info.description or ''}" if info else ".".join(field.path)


def _default(field: Field) -> str:
    """The model's default, shown greyed in an empty field (what the engine uses when it is left out)."""
    from pydantic_core import PydanticUndefined

    from tco.model.scenario import Finance, Workload

    info = (Workload if field.path[0] == "workload" else Finance).model_fields.get(field.name)
    if info is None or info.default is PydanticUndefined or info.default is None:
        return "none" if info is not None and info.default is None and field.name in ("ttft_ms", "tpot_ms") else ""
    return _text(info.default)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


class AssumptionsForm(VerticalScroll):
    """Posts `InputEdited` on each valid keystroke; shows inline why a value is refused."""

    def __init__(self, cursor_blink: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cursor_blink = cursor_blink
        self.scenario_id: str | None = None
        """The scenario the form shows; edits are addressed to it."""

    def compose(self) -> ComposeResult:
        section = None
        for field in FIELDS:
            if field.path[0] != section:
                section = field.path[0]
                yield Static(section, classes="form-section")
            with Horizontal(classes="form-row", id=f"row-{field.name}"):
                yield Label(field.label, classes="form-label")
                entry = Input(id=field.name, validators=_validators(field.kind), validate_on=["changed"],
                              select_on_focus=False, compact=True, tooltip=_description(field), placeholder=_default(field))
                entry.cursor_blink = self.cursor_blink
                yield entry
            yield Static("", classes="form-error", id=f"error-{field.name}")

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
            self.set_error(field.name, None)
        profiled = "hourly_profile" in (data.get("workload") or {})
        peak = self.query_one("#peak_to_average", Input)
        peak.disabled = profiled  # the engine ignores it when the file gives 24 hourly weights
        peak.placeholder = "profile" if profiled else _default(next(f for f in FIELDS if f.name == "peak_to_average"))
        uses_month = "requests_per_month" in (data.get("workload") or {})
        self.query_one("#row-requests_per_month").display = uses_month
        self.query_one("#row-requests_per_day").display = not uses_month

    def set_error(self, name: str, message: str | None) -> None:
        error = self.query_one(f"#error-{name}", Static)
        error.update(message or "")
        error.display = bool(message)
        self.query_one(f"#{name}", Input).set_class(bool(message), "-refused")

    def clear_errors(self) -> None:
        for field in FIELDS:
            self.set_error(field.name, None)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.scenario_id is None or event.input.id is None:
            return
        field = next(f for f in FIELDS if f.name == event.input.id)
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.set_error(field.name, " ".join(event.validation_result.failure_descriptions))
            return
        self.post_message(InputEdited(self.scenario_id, field.path, event.value))
