"""User mistakes and our own bugs are different things and are reported differently.

A `TcoUserError` carries every `DataProblem` found (all at once, rendercv style) and ends the
command with exit code 2 and no traceback. Anything else is a bug: it keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Everything worked."""
    INTERNAL_ERROR = 1
    """A bug in llm-tco: the traceback is printed; please report it."""
    BAD_INPUT = 2
    """A file, a flag or a value the user gave is wrong; the messages say where."""
    WRITE_FAILED = 3
    """An output file could not be written; nothing that existed before was lost."""
    CANNOT_RUN = 4
    """The input is valid but the configuration cannot run (e.g. weights larger than memory)."""


@dataclass(frozen=True, order=True)
class DataProblem:
    """One located problem: `file:line: field: message`."""

    file: str
    line: int | None
    field: str
    message: str
    hint: str | None = field(default=None, compare=False)
    severity: str = field(default="error", compare=False)
    cannot_run: bool = field(default=False, compare=False)
    """A valid input describing a configuration that cannot run (exit 4 when every problem is one)."""

    def render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        head = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.severity != "error":
            head = f"{where}: {self.severity}: {self.field}: {self.message}" if self.field else f"{where}: {self.severity}: {self.message}"
        return head + (f"\n    hint: {self.hint}" if self.hint else "")


def exit_code_of(problems: list[DataProblem]) -> ExitCode:
    """4 when every problem is a configuration that cannot run (README: "4 a configuration that cannot run"), else 2."""
    return ExitCode.CANNOT_RUN if problems and all(p.cannot_run for p in problems) else ExitCode.BAD_INPUT


class TcoUserError(Exception):
    """The user's input is wrong; `problems` says where and why."""

    def __init__(self, problems: list[DataProblem] | DataProblem | str, exit_code: ExitCode | None = None):
        if isinstance(problems, str):
            problems = [DataProblem("tco", None, "", problems)]
        elif isinstance(problems, DataProblem):
            problems = [problems]
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.field))
        self.exit_code = exit_code if exit_code is not None else exit_code_of(self.problems)
        super().__init__("\n".join(p.render() for p in self.problems))


class TcoInternalError(Exception):
    """Something that should not happen did: a bug, not a user mistake."""
