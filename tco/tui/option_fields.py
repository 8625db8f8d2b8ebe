"""What the option editor shows for each option kind, read from the field map (tco.engine.fields).

No Textual here: the editor screen asks these functions for rows, validators' rules and the
option data an edit produces, and tests can call them directly. Why the field map: it is the one
list of user-facing inputs (the sweep, `--set` and the workbook read it too), so an input added
there appears in the editor without a change here.
"""

from __future__ import annotations

import copy
import math
import typing
from dataclasses import dataclass
from typing import Any

from tco.engine.fields import SCOPE_OF_KIND, Field, bounds, description, fields_of


@dataclass(frozen=True)
class EditorRow:
    path: tuple[str, ...]
    label: str
    unit: str
    ui: str
    """number, whole, date, choice, text or flag."""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    required: bool = False

    @property
    def widget_id(self) -> str:
        return "opt-" + "-".join(self.path)


PROVISIONED_TEXT_ROWS = (
    EditorRow(("provider",), "provider", "name", "text", help="Who sells the capacity (free text, e.g. azure-openai).", required=True),
    EditorRow(("model",), "model", "name", "text", help="The model served (free text, for the results).", required=True),
    EditorRow(("source",), "source", "text", "text", required=True,
              help="Where the unit price and throughput come from (few providers publish them: BILLING.md 1.8)."),
)
"""Required text fields of committed API capacity that are not formula inputs: without rows, a new
`api-provisioned` option could never be completed in the editor."""


def _extra(kind: str) -> tuple[EditorRow, ...]:
    """Schema fields that are not formula inputs (so not in the field map) but that a file may hold."""
    return (EditorRow(("quality_model",), "quality model", "id", "text",
                      help="Model id in pricing/quality/models.yaml whose scores apply (empty: found from the model id)."),
            EditorRow(("note",), "note", "text", "text", help="A free note shown with the option."))


def choices_of(f: Field) -> tuple[str, ...]:
    """The allowed words of a `choice` field, from its Literal type in the schema."""
    stack = [f.model().model_fields[f.key].annotation]
    found: list[str] = []
    while stack:
        annotation = stack.pop()
        if typing.get_origin(annotation) is typing.Literal:
            found.extend(str(a) for a in typing.get_args(annotation))
        else:
            stack.extend(typing.get_args(annotation))
    return tuple(sorted(dict.fromkeys(found)))


def _required(f: Field) -> bool:
    info = f.model().model_fields.get(f.key)
    return bool(info and info.is_required())


def rows_for(kind: str) -> tuple[EditorRow, ...]:
    """Every field an option of `kind` can hold: id, the field map's fields (in its order), then the rest of the schema."""
    scope = SCOPE_OF_KIND[kind]
    rows = [EditorRow(("id",), "id", "id", "text", help="Name of this option in results (unique within the scenario).", required=True)]
    if kind == "api-provisioned":
        rows += PROVISIONED_TEXT_ROWS  # who sells it and for which model come first, as in the file
    for f in fields_of(scope):
        low, high = bounds(f) if f.ui in ("number", "whole") else (None, None)
        rows.append(EditorRow(f.path, f.label, f.unit, f.ui, low, high, choices_of(f) if f.ui == "choice" else (),
                              description(f), _required(f)))
    return (*rows, *_extra(kind))


def value_at(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def check_text(row: EditorRow, text: str) -> str | None:
    """Why `text` cannot go in this row (None when it can; the scenario model has the last word)."""
    text = text.strip()
    if text == "":
        return f"{row.label} is required." if row.required else None
    if row.ui in ("number", "whole"):
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            return f"{row.label}: please enter a number" + (" (whole)" if row.ui == "whole" else "") + f", in {row.unit}."
        if not math.isfinite(value):  # `nan`, `inf`, `1e400`: Python reads them, the schema does not
            return f"{row.label}: must be a finite number."
        if row.ui == "whole" and not value.is_integer():
            return f"{row.label}: please enter a whole number."
        if row.low is not None and value < row.low:
            return f"{row.label}: must be at least {text_of(row.low)}."
        if row.high is not None and value > row.high:
            return f"{row.label}: must be at most {text_of(row.high)}."
    if row.ui == "choice" and row.choices and text not in row.choices:
        return f"{row.label}: one of {', '.join(row.choices)}."
    if row.ui == "flag" and text.lower() not in ("true", "false"):
        return f"{row.label}: true or false."
    return None


def parse_text(row: EditorRow, text: str) -> Any:
    text = text.strip()
    if row.ui in ("number", "whole"):
        value = float(text.replace("_", ""))
        if not math.isfinite(value):
            raise ValueError(f"{row.label}: must be a finite number")  # check_text refuses it first
        return int(value) if row.ui == "whole" or (value.is_integer() and "." not in text and "e" not in text.lower()) else value
    if row.ui == "flag":
        return text.lower() == "true"
    return text  # ids, names and notes stay text (`no` is not a boolean here)


def edited_option(original: dict[str, Any], texts: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """`original` with each row's text applied: an unchanged text keeps the value as written, an empty one removes it."""
    kind = original.get("kind")
    option = copy.deepcopy(original)
    for row in rows_for(kind):
        if row.path not in texts:
            continue
        text = texts[row.path]
        if text.strip() == text_of(value_at(original, row.path)).strip():
            continue
        parent = option
        for key in row.path[:-1]:
            if not isinstance(parent.get(key), dict):
                parent[key] = {}
            parent = parent[key]
        if text.strip() == "":
            parent.pop(row.path[-1], None)
        else:
            parent[row.path[-1]] = parse_text(row, text)
    for block in ("payment", "operations"):
        if option.get(block) == {}:
            del option[block]  # a block left empty is the schema's default: no `operations: {}` in the file
    return option


def new_option(kind: str, scenario_data: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    """A starting point for a new option: a copy of the scenario's first option of that kind, else the bare minimum."""
    from tco.tui.new_option import option_id

    first = next((o for o in scenario_data.get("options") or [] if o.get("kind") == kind), None)
    option = copy.deepcopy(first) if first else {"kind": kind}
    option["id"] = option_id(f"new-{kind}", taken)
    option.pop("note", None)
    return {"kind": kind, "id": option["id"], **{k: v for k, v in option.items() if k not in ("kind", "id")}}
