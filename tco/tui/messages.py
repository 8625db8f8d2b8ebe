"""Messages between the workers, the widgets and the app: past-tense events, as in Textual's guide.

Workers compute and post these; widgets post the user's intent (an edited input, a picked item);
the app and its screens handle them. Widgets never call the loader, the engine or the exporter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class SessionOpened(Message):
    """The scenario files validated and the catalog loaded (start-up worker)."""

    session: Any


@dataclass
class SessionFailed(Message):
    """The files had problems: `problems` are located DataProblems for the problems screen."""

    problems: list


@dataclass
class InputEdited(Message):
    """The user changed a field of the form: `path` inside the scenario, the text as typed."""

    scenario_id: str
    path: tuple[str, ...]
    text: str
    edited_at: float = field(default_factory=time.perf_counter)
    """When the keystroke was handled (perf_counter): the UI reports how long the new totals took."""
    shown_text: str | None = None
    """The text as the field shows it (a profile is posted as a YAML list but shown as `2, 1, …`)."""

    def can_replace(self, message: Message) -> bool:
        """A burst of keystrokes in the same field collapses into the latest one (toolong)."""
        return isinstance(message, InputEdited) and message.scenario_id == self.scenario_id and message.path == self.path


@dataclass
class ResultsComputed(Message):
    """A scenario was evaluated: `evaluation` is a tco.tui.session.Evaluation."""

    evaluation: Any
    generation: int


@dataclass
class EvaluationFailed(Message):
    """The scenario data is valid but the engine cannot build an option (e.g. the model does not fit)."""

    scenario_id: str
    message: str
    generation: int
    fields: tuple[str, ...] = ()
    """The problems' field paths (`scenarios[0].workload.output_tokens`): the form shows the message under those."""


@dataclass
class CatalogItemPicked(Message):
    """The user chose a catalog item to add as an option: kind is gpu, offer, model or api."""

    kind: str
    key: tuple


@dataclass
class ExportWritten(Message):
    path: Any
    backup: Any = None
