"""What the terminal UI is editing: the scenario files as data, their validated scenarios, the catalog.

Why no Textual here: edits, validation, evaluation and saving are plain functions that the app
calls from worker threads, and that tests can call directly. Edits go through the same path as
`tco run --set`: change the scenario's data, validate it with the scenario model, then evaluate it
through `tco.run` (the one pipeline) with the already-loaded catalog, so every problem keeps its
`file:line: field`.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tco.errors import TcoUserError
from tco.model.scenario import Scenario

if TYPE_CHECKING:
    from tco.load.scenarios import LoadedScenarios
    from tco.model.catalog import Catalog
    from tco.run import Run

VOLUME_SWEEP_POINTS = 41
"""Points of the cost-against-volume chart, spread evenly in log scale."""
VOLUME_SWEEP_DECADES = 2.0
"""The chart spans the scenario's volume divided and multiplied by 10 ** this."""


class EditRejected(Exception):
    """A value the scenario model refuses; the message is written for the user."""


@dataclass
class ScenarioEntry:
    """One scenario and where it lives: which file, and its position in the file's list."""

    file_index: int
    position: int
    data: dict[str, Any]
    """The scenario as plain data (what is written back on save)."""
    scenario: Scenario


@dataclass
class SavedFile:
    path: Path
    backup: Path | None
    redirected_from: Path | None = None
    """Set when the scenario came from the bundled examples: those are never overwritten."""


@dataclass
class Session:
    files: list[Path]
    documents: list[Any]
    """Each file's parsed YAML document (the top-level mapping)."""
    entries: list[ScenarioEntry]
    catalog: Catalog
    today: dt.date
    loaded: LoadedScenarios
    """The scenarios as first loaded: their files, hashes and line index (edits keep their locations)."""
    dirty_files: set[int] = field(default_factory=set)

    @property
    def scenarios(self) -> list[Scenario]:
        return [e.scenario for e in self.entries]

    @property
    def dirty(self) -> bool:
        return bool(self.dirty_files)

    def located(self, indices: list[int] | None = None) -> LoadedScenarios:
        """The current (edited) scenarios, still located in the files they came from."""
        from tco.run import located

        indices = list(range(len(self.entries))) if indices is None else indices
        return located(self.loaded, indices, [self.entries[i].scenario for i in indices])

    def run(self, with_breakeven: bool = True) -> Run:
        """Every scenario as it stands, through the one pipeline (the UI's workbook export)."""
        from tco.run import evaluate_loaded

        return evaluate_loaded(self.located(), self.catalog, self.today, with_breakeven=with_breakeven)

    def index_of(self, scenario_id: str) -> int:
        for i, e in enumerate(self.entries):
            if e.scenario.id == scenario_id:
                return i
        raise KeyError(scenario_id)

    # -------------------------------------------------------------- editing
    def propose_value(self, scenario_index: int, path: tuple[str, ...], text: str) -> dict[str, Any]:
        """The scenario's data with `path` set from `text` (YAML scalar; empty removes the key)."""
        data = copy.deepcopy(self.entries[scenario_index].data)
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        text = text.strip()
        if text == "":
            node.pop(path[-1], None)
        else:
            node[path[-1]] = parse_scalar(text)
        return data

    def validate(self, data: dict[str, Any]) -> Scenario:
        """The scenario model's verdict, as a one-line message for the form when it refuses."""
        from pydantic import ValidationError

        from tco.load.yaml_source import problems_from_validation

        try:
            return Scenario.model_validate(data)
        except ValidationError as e:
            problems = problems_from_validation("", e, {}, Scenario, data=data)
            raise EditRejected("; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)) from None

    def commit(self, scenario_index: int, data: dict[str, Any], scenario: Scenario) -> None:
        entry = self.entries[scenario_index]
        entry.data, entry.scenario = data, scenario
        self.dirty_files.add(entry.file_index)

    def add_option(self, scenario_index: int, option: dict[str, Any]) -> tuple[dict[str, Any], Scenario]:
        """The scenario with one more option (validated, not yet committed)."""
        data = copy.deepcopy(self.entries[scenario_index].data)
        data.setdefault("options", []).append(option)
        return data, self.validate(data)

    # -------------------------------------------------------------- saving
    def save(self, file_index: int) -> SavedFile:
        """Write one file back atomically, keeping the previous version as a backup.

        Bundled examples live inside the package: they are saved to a file of the same name in the
        current folder instead, so an upgrade never loses the user's edits (and never hits a
        read-only install).
        """
        import yaml

        from tco.files import write_atomic
        from tco.paths import examples_dir

        path = self.files[file_index]
        target, redirected = path, None
        if _inside(path, examples_dir()):
            target, redirected = Path.cwd() / path.name, path
        document = self.documents[file_index]
        entries = [e for e in self.entries if e.file_index == file_index]
        if isinstance(document, dict) and "scenarios" in document:
            out = {k: v for k, v in document.items() if k != "scenarios"}
            out["scenarios"] = [e.data for e in sorted(entries, key=lambda e: e.position)]
        else:
            version = document.get("schema_version") if isinstance(document, dict) else None
            out = ({"schema_version": version} if version is not None else {}) | {
                k: v for k, v in entries[0].data.items() if k != "schema_version"}
        text = yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)
        backup = write_atomic(target, text)
        self.documents[file_index] = out
        self.dirty_files.discard(file_index)
        return SavedFile(target, backup, redirected)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def parse_scalar(text: str) -> Any:
    """`5000` -> 5000, `0.05` -> 0.05, `2026-12-01` -> a date, `true` -> True: as YAML reads it, like `--set`."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def open_session(files: list[Path] | None, today: dt.date | None = None, hardware_dirs=None, pricing_dirs=None) -> Session:
    """Validate the files, load the catalog once, and keep each file's data for editing and saving.

    Raises TcoUserError with every located problem (the app shows them in the problems screen).
    """
    from tco.load.yaml_source import load_yaml
    from tco.run import check_rows, load_inputs, resolve_files

    today = today or dt.date.today()
    # the one pipeline, minus the evaluation: the screen evaluates the scenario it shows
    loaded, catalog = load_inputs(resolve_files(files), hardware_dirs=hardware_dirs, pricing_dirs=pricing_dirs)
    check_rows(loaded, catalog, today)
    documents, entries = [], []
    scenarios = iter(loaded.scenarios)
    for file_index, path in enumerate(loaded.files):
        document, _ = load_yaml(path)
        documents.append(document)
        items = document["scenarios"] if isinstance(document, dict) and "scenarios" in document else [document]
        for position, item in enumerate(items):
            data = {k: v for k, v in item.items() if k != "schema_version"} if isinstance(item, dict) else item
            entries.append(ScenarioEntry(file_index, position, data, next(scenarios)))
    return Session(list(loaded.files), documents, entries, catalog, today, loaded)


# ------------------------------------------------------------------ evaluation

@dataclass
class Evaluation:
    """One scenario's results and the curves its charts draw."""

    scenario_id: str
    run: Run
    """This scenario alone through the one pipeline (results, its file and line index, the catalog)."""
    volume_curves: dict[str, tuple[list[float], list[float]]]
    """Option id -> (requests per day, total cost in USD) for the cost-against-volume chart."""
    requests_per_day: float
    elapsed_ms: float = 0.0
    with_breakeven: bool = True
    """False for the quick first pass: the break-even search (up to ~0.15 s) follows in a second pass."""

    @property
    def results(self):
        """tco.engine.compare.Results for this scenario alone."""
        return self.run.results


def evaluate_scenario(scenario: LoadedScenarios | Scenario, catalog: Catalog, today: dt.date,
                      with_breakeven: bool = True, curves: dict | None = None) -> Evaluation:
    """One scenario through the one pipeline; raises TcoUserError with its problems located in its file.

    `scenario` is a one-scenario `LoadedScenarios` (from `Session.located([i])`: problems name the
    file and line), or a bare Scenario (problems name `<python>`).
    """
    import time

    from tco.run import evaluate_loaded, in_memory

    started = time.perf_counter()
    loaded = in_memory([scenario]) if isinstance(scenario, Scenario) else scenario
    run = evaluate_loaded(loaded, catalog, today, with_breakeven=with_breakeven, with_warnings=False)
    rows = run.results.rows
    base = rows[0].values["requests_per_day"] if rows else 0.0
    if curves is None:
        curves = volume_curves(rows, base)
    return Evaluation(loaded.scenarios[0].id, run, curves, base, (time.perf_counter() - started) * 1000, with_breakeven)


def volume_curves(rows, requests_per_day: float) -> dict[str, tuple[list[float], list[float]]]:
    """Total cost at volumes around today's, every option in one vectorized evaluation."""
    from tco.engine.evaluate import totals_at_volumes

    if not rows or requests_per_day <= 0:
        return {}
    n = VOLUME_SWEEP_POINTS
    volumes = [requests_per_day * 10 ** (VOLUME_SWEEP_DECADES * (2 * i / (n - 1) - 1)) for i in range(n)]
    totals = totals_at_volumes([(r.values, volumes) for r in rows])
    return {r.option_id: (volumes, t) for r, t in zip(rows, totals) if r.excluded_reason is None}

