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
    renamed_options: dict[str, str | None] = field(default_factory=dict)
    """Option id in the file's text as last read or written -> its id now (None: deleted). Saving tells the
    round trip, so a renamed option keeps its comments (matched by id, it was deleted and added bare)."""
    file_option_ids: tuple[str, ...] = ()
    """The option ids in the file's text as last read or written, in its order: problems name an option where the
    file has it, and no line for an option the file does not have yet."""

    def origin(self, option_id: str) -> str | None:
        """The id this option has in the file's text, or None when it is not there (added, or reusing an old id)."""
        for was, now in self.renamed_options.items():
            if now == option_id:
                return was
        if option_id in self.renamed_options:
            return None
        return option_id if option_id in self.file_option_ids else None

    def option_places(self) -> tuple[int | None, ...]:
        """Each current option's place in the file's text (None: not in it yet)."""
        places = {option_id: k for k, option_id in enumerate(self.file_option_ids)}
        return tuple(places.get(self.origin(o.id)) for o in self.scenario.options)


@dataclass
class SavedFile:
    path: Path
    backup: Path | None
    redirected_from: Path | None = None
    """Set when the scenario came from the bundled examples: those are never overwritten."""
    comments_kept: bool = True
    """False when the original text could not be read back by the round-trip parser (plain YAML written)."""
    comments_dropped: tuple[str, ...] = ()
    """Comment lines of the previous text that the saved one no longer has (they went with deleted or rewritten values)."""
    original: Path | None = None
    """The backup holding the file as it was before this session's first save to it (kept all session)."""


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
    texts: list[str | None] = field(default_factory=list)
    """Each file's text as last read or written: comments are merged back from it on save."""
    first_backups: dict[Path, Path] = field(default_factory=dict)
    """Saved file -> the backup made by this session's first save to it: never pruned while the session runs,
    so after any number of saves the file as it was before the session is still in a backup."""
    pricing_dirs: list[Path] = field(default_factory=list)
    """The user's own price sheets (`--pricing-dir`): a provider first named by an edit is read from them too."""
    renamed_keys: list[list[tuple[tuple, str, str]]] = field(default_factory=list)
    """Each file's older key spellings renamed on load: (path of the mapping, old key, today's key), until it is saved."""
    saved_to: list[Path] = field(default_factory=list)
    """Every file this session wrote a scenario file to (Save as targets too): an export never replaces one."""

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
        chosen = located(self.loaded, indices, [self.entries[i].scenario for i in indices])
        # after a delete, a copy or an added option, an option is no longer where its place in the list says
        chosen.option_places = {k: self.entries[i].option_places() for k, i in enumerate(indices)}
        # the workbook's About sheet lists each file's sha256 as the record of what was computed: a file edited
        # here and not saved is not what was computed
        for file_index in self.dirty_files:
            name = self._file_name(file_index)
            if name in chosen.hashes:
                chosen.hashes[name] = f"edited in the terminal UI and not saved: the figures differ from the file's (sha256 of the file read: {chosen.hashes[name]})"
        return chosen

    def _file_name(self, file_index: int) -> str | None:
        """The name problems and the workbook give file `file_index` (that of its scenarios' locations)."""
        return next((self.loaded.locations[i][0] for i, e in enumerate(self.entries) if e.file_index == file_index), None)

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
            value = parse_scalar(text)
            if isinstance(value, float) and value.is_integer() and _whole_field(path):
                value = int(value)  # `1e3` tokens are written 1000, as the schema's integer
            if _same_number(node.get(path[-1]), value):
                value = node[path[-1]]  # `2e4` typed over `20000`: the file keeps the user's `20000`
            node[path[-1]] = value
        return data

    def validate(self, data: dict[str, Any]) -> Scenario:
        """The scenario model's verdict, as a one-line message for the form when it refuses."""
        from pydantic import ValidationError

        from tco.load.yaml_source import problems_from_validation

        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as e:
            problems = problems_from_validation("", e, {}, Scenario, data=data)
            raise EditRejected("; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)) from None
        self.load_providers(scenario)
        return scenario

    def load_providers(self, scenario: Scenario) -> None:
        """Read the price sheet of every API provider the scenario names that the session has not read yet.

        Why: the session starts with the sheets of the providers its files name (as `tco run` does);
        an option edited or added to another bundled provider must be priced from its sheet, as
        `tco run` prices the saved file, not refused as an unknown provider. A provider with no
        sheet stays unread: the evaluation then names it with its file and line.
        """
        from tco.load.catalog import providers_of
        from tco.load.pricing import load_provider, pricing_dirs as with_bundled

        known = set(getattr(self.catalog, "provider_ids", None) or ())
        for provider in sorted(providers_of([scenario]) - set(self.catalog.providers)):
            if provider in known:
                self.catalog.providers[provider] = load_provider(provider, with_bundled(self.pricing_dirs), self.catalog.notices)

    def refuse_unbuildable(self, scenario: Scenario, option_id: str) -> None:
        """EditRejected when option `option_id` cannot be built from the catalog (an unknown model, GPU,
        offer or API model; weights larger than the GPUs): said in the option editor, where the
        user can fix it, rather than in the status line after the editor has closed."""
        from tco.engine.rows import build_rows

        position = next((i for i, o in enumerate(scenario.options) if o.id == option_id), None)
        _, problems = build_rows([scenario], self.catalog, self.today)
        mine = [p for p in problems if p.path[:2] == ("options", position)]
        if mine:
            raise EditRejected("; ".join(".".join(str(k) for k in p.path[2:]) + ": " + p.message
                                         + (f" ({p.hint})" if p.hint else "") for p in mine))

    def commit(self, scenario_index: int, data: dict[str, Any], scenario: Scenario) -> None:
        entry = self.entries[scenario_index]
        _note_renamed_options(entry, data)
        entry.data, entry.scenario = data, scenario
        self.dirty_files.add(entry.file_index)

    def add_option(self, scenario_index: int, option: dict[str, Any]) -> tuple[dict[str, Any], Scenario]:
        """The scenario with one more option (validated, not yet committed)."""
        data = copy.deepcopy(self.entries[scenario_index].data)
        data.setdefault("options", []).append(option)
        scenario = self.validate(data)
        self.refuse_unbuildable(scenario, option.get("id"))
        return data, scenario

    # -------------------------------------------------------------- options
    def option_data(self, scenario_index: int, option_id: str) -> dict[str, Any]:
        """A copy of one option's data as written in the file."""
        for option in self.entries[scenario_index].data.get("options") or []:
            if option.get("id") == option_id:
                return copy.deepcopy(option)
        raise KeyError(option_id)

    def replace_option(self, scenario_index: int, option_id: str, option: dict[str, Any]) -> tuple[dict[str, Any], Scenario]:
        """The scenario with one option replaced by `option` (validated, not yet committed)."""
        data = copy.deepcopy(self.entries[scenario_index].data)
        options = data.get("options") or []
        position = next(i for i, o in enumerate(options) if o.get("id") == option_id)
        options[position] = option
        scenario = self.validate(data)
        self.refuse_unbuildable(scenario, option.get("id"))
        return data, scenario

    def duplicate_option(self, scenario_index: int, option_id: str) -> tuple[dict[str, Any], Scenario, str]:
        """The scenario with a copy of one option right after it, under a new unique id."""
        from tco.tui.new_option import option_id as unique_id

        data = copy.deepcopy(self.entries[scenario_index].data)
        options = data["options"]
        position = next(i for i, o in enumerate(options) if o.get("id") == option_id)
        copied = copy.deepcopy(options[position])
        copied["id"] = unique_id(f"{option_id}-copy", {o.get("id") for o in options})
        options.insert(position + 1, copied)
        return data, self.validate(data), copied["id"]

    def delete_option(self, scenario_index: int, option_id: str) -> tuple[dict[str, Any], Scenario]:
        """The scenario without one option; refused (EditRejected) when another option refers to it or it is the last."""
        data = copy.deepcopy(self.entries[scenario_index].data)
        options = data.get("options") or []
        users = [o.get("id") for o in options if o.get("kind") == "hybrid" and option_id in (o.get("api"), o.get("self_hosted"))]
        if users:
            raise EditRejected(f"hybrid option {', '.join(users)} uses {option_id}: delete or edit it first")
        data["options"] = [o for o in options if o.get("id") != option_id]
        return data, self.validate(data)

    # -------------------------------------------------------------- saving
    def default_target(self, file_index: int) -> Path:
        """Where Save writes: the file itself, or for a bundled example a file of the same name in the current folder.

        Why: bundled examples live inside the package; an upgrade must never lose the user's edits,
        and an install may be read-only.
        """
        from tco.paths import examples_dir

        path = self.files[file_index]
        return Path.cwd() / path.name if _inside(path, examples_dir()) else path

    def open_file_at(self, target: Path, besides: int | None = None) -> tuple[Path, list[str]] | None:
        """(the open scenario file, its scenario ids) when `target` is one of the session's files (other than file `besides`)."""
        for index, path in enumerate(self.files):
            if index != besides and same_file(Path(target), path):
                return path, [e.scenario.id for e in self.entries if e.file_index == index]
        return None

    def save_refusal(self, file_index: int, target: Path) -> str | None:
        """Why `target` may not receive file `file_index`'s scenarios, or None.

        Why refuse another open file: after the write, two scenario sets of this session would point at one
        file, and the next save of either would bury the other's edits in a backup.
        """
        other = self.open_file_at(target, besides=file_index)
        if other is None:
            return None
        path, ids = other
        return (f"{path} is open in this session (scenarios: {', '.join(ids)}); saving {self.files[file_index].name} over it "
                f"would leave two scenario sets writing one file. Choose another name.")

    def files_not_to_export_over(self) -> list[Path]:
        """Scenario files a workbook must never replace: those open now, those first opened, and every Save as target."""
        return [*self.files, *self.loaded.files, *self.saved_to]

    def overwrite_question(self, file_index: int, target: Path) -> str | None:
        """What the user must confirm before `target` is written, or None when nothing would be lost silently.

        Writing over a file other than the one being edited, or over the edited file after someone
        else changed it on disk, asks first (a backup is kept either way).
        """
        target = Path(target)
        if not target.exists():
            return None
        if target.is_dir():
            return None  # write_atomic refuses it with a clear message
        own = self.files[file_index]
        if target.resolve() != own.resolve():
            return f"{target} already exists. Replace it? (the old file is kept as {backup_name(target)})"
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return f"{target} cannot be read back. Replace it?"
        if self.texts[file_index] is not None and current != self.texts[file_index]:
            return f"{target} was changed on disk since it was opened. Replace it with the UI's version? (the old file is kept as {backup_name(target)})"
        return None

    def save(self, file_index: int, target: Path | None = None) -> SavedFile:
        """Write one file atomically (the previous version kept as a backup), keeping its comments and layout.

        `target` defaults to `default_target`; the caller asks `overwrite_question` first. The
        edited values are merged into the file's text with a round-trip YAML library
        (tco.load.roundtrip), so comments and `ASSUMPTION` notes stay where they were.
        """
        from tco.errors import DataProblem
        from tco.files import write_atomic
        from tco.load.roundtrip import RoundTripFailed, dropped_comments, dump_new, updated_text
        from tco.paths import examples_dir

        path = self.files[file_index]
        target = self.default_target(file_index) if target is None else Path(target)
        refusal = self.save_refusal(file_index, target)
        if refusal is not None:
            raise TcoUserError(DataProblem(str(target), None, "", refusal))
        redirected = path if _inside(path, examples_dir()) and target.resolve() != path.resolve() else None
        document = self.documents[file_index]
        entries = [e for e in self.entries if e.file_index == file_index]
        if isinstance(document, dict) and "scenarios" in document:
            out = {k: v for k, v in document.items() if k != "scenarios"}
            out["scenarios"] = [e.data for e in sorted(entries, key=lambda e: e.position)]
        else:
            version = document.get("schema_version") if isinstance(document, dict) else None
            out = ({"schema_version": version} if version is not None else {}) | {
                k: v for k, v in entries[0].data.items() if k != "schema_version"}
        base = self.texts[file_index]
        comments_kept, dropped = base is not None, []
        listed = isinstance(document, dict) and "scenarios" in document
        renamed_ids = [(("scenarios", e.position, "options") if listed else ("options",), old, new)
                       for e in entries for old, new in e.renamed_options.items() if new is not None]
        renamed_keys = self.renamed_keys[file_index] if file_index < len(self.renamed_keys) else []
        try:
            if base is None:
                text = dump_new(out)
            else:
                text = updated_text(base, out, renamed_keys=renamed_keys, renamed_ids=renamed_ids)
                dropped = dropped_comments(base, text)
        except RoundTripFailed:
            text, comments_kept = dump_new(out), False
        key = target.resolve()
        protected = [self.first_backups[key]] if key in self.first_backups else []
        backup = write_atomic(target, text, keep_backups=protected)
        if backup is not None and key not in self.first_backups:
            self.first_backups[key] = backup
        self.documents[file_index] = out
        self.texts[file_index] = text
        self.files[file_index] = target
        self.saved_to.append(target)
        if file_index < len(self.renamed_keys):
            self.renamed_keys[file_index] = []  # the saved text has today's names
        for e in entries:
            e.renamed_options = {}  # ... and today's option ids
            e.file_option_ids = tuple(o.id for o in e.scenario.options)
        self._relocate(file_index, target, text)
        self.dirty_files.discard(file_index)
        return SavedFile(target, backup, redirected, comments_kept, original=self.first_backups.get(key),
                         comments_dropped=tuple(dropped))

    def _relocate(self, file_index: int, target: Path, text: str) -> None:
        """Problems found after a save name the saved file and its lines, and the workbook its sha256, not those of the
        file as first read."""
        import hashlib

        from tco.load.scenarios import display_name, line_index
        from tco.load.yaml_source import parse_yaml

        name = display_name(target)
        try:
            data, lines = parse_yaml(text, name)
        except TcoUserError:
            return  # cannot happen for text this session wrote; the old index is the best left
        self.loaded.hashes.pop(self._file_name(file_index), None)
        self.loaded.hashes[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        lines, single = line_index(data, lines)
        for index, entry in enumerate(self.entries):
            if entry.file_index == file_index:
                self.loaded.locations[index] = (name, lines, ("scenarios", entry.position), single)


def _note_renamed_options(entry: ScenarioEntry, data: dict[str, Any]) -> None:
    """Record in `entry.renamed_options` an option renamed or deleted by the edit that replaces `entry.data` with `data`.

    A rename is an edit that changes one option's id in place (the option editor keeps its position):
    same number of options, one id differs, and neither id is on the other side. An option's origin
    is its id in the file's text; a new option that reuses the id of a deleted or renamed one has none.
    """
    before = [o.get("id") for o in entry.data.get("options") or [] if isinstance(o, dict)]
    after = [o.get("id") for o in data.get("options") or [] if isinstance(o, dict)]
    origin = entry.origin
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    if len(before) == len(after) and len(changed) == 1 and changed[0][0] not in after and changed[0][1] not in before:
        was = origin(changed[0][0])
        if was is not None:
            entry.renamed_options[was] = changed[0][1]
        return
    for gone in set(before) - set(after):
        was = origin(gone)
        if was is not None:
            entry.renamed_options[was] = None


def backup_name(target: Path) -> str:
    """The name the backup of `target` will get, as tco.files chooses it: `NAME.bak`, or `NAME.<date-time>.bak`
    once `NAME.bak` exists (the time is that of the write, so the question shows the pattern)."""
    from tco.files import backup_path_for, output_target

    try:
        real = output_target(Path(target))  # a symlink: its target is the file replaced and backed up
    except TcoUserError:
        real = Path(target)
    folder = "" if real.parent == Path(target).parent else f"{real.parent}/"
    if backup_path_for(real).name == f"{real.name}.bak":
        return f"{folder}{real.name}.bak"
    return f"{folder}{real.name}.<date-time>.bak, beside the older {real.name}.bak"


def same_file(a: Path, b: Path) -> bool:
    """One file on disk under two names (a link, `./x` and `x`); by resolved path when either is missing."""
    import os

    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return a.resolve() == b.resolve()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def parse_scalar(text: str) -> Any:
    """`5000` -> 5000, `0.05` -> 0.05, `2026-12-01` -> a date, `true` -> True: read as `--set` reads it (one reader,
    `scalar_value`), except that an empty field or `null` is None (the field is cleared).

    Text that YAML cannot read as typed (`2026-02-30` looks like a date but is none) stays text:
    the scenario model then refuses it with its usual message. `1e3` becomes the number 1000.0
    (YAML 1.1 would keep the text `1e3`, which the model accepts but the saved file would quote).
    """
    from tco.load.scenarios import scalar_value

    return scalar_value(text)


def _same_number(old: Any, new: Any) -> bool:
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (old, new))
    return numbers and old == new


def _whole_field(path: tuple[str, ...]) -> bool:
    """The field map says this workload or finance input is a whole number (tokens, months)."""
    from tco.engine.fields import fields_of

    if len(path) < 2 or path[0] not in ("workload", "finance"):
        return False
    return any(f.path == tuple(path[1:]) and f.ui == "whole" for f in fields_of(path[0]))


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
    documents, entries, texts, renamed_keys = [], [], [], []
    scenarios = iter(loaded.scenarios)
    for file_index, path in enumerate(loaded.files):
        document, _ = load_yaml(path)
        renamed_keys.append(_rename_old_keys(document, path))
        documents.append(document)
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            texts.append(None)
        items = document["scenarios"] if isinstance(document, dict) and "scenarios" in document else [document]
        for position, item in enumerate(items):
            data = {k: v for k, v in item.items() if k != "schema_version"} if isinstance(item, dict) else item
            scenario = next(scenarios)
            entries.append(ScenarioEntry(file_index, position, data, scenario,
                                         file_option_ids=tuple(o.id for o in scenario.options)))
    return Session(list(loaded.files), documents, entries, catalog, today, loaded, texts=texts,
                   pricing_dirs=[Path(d) for d in pricing_dirs or []], renamed_keys=renamed_keys)


def _rename_old_keys(document: Any, path: Path) -> list[tuple[tuple, str, str]]:
    """Older key spellings (`usd_per_gpu_hour`) renamed to today's in the data the UI edits, as the loader did;
    returns each rename as (path of the mapping from the file's root, old key, today's key).

    Why: the loader read the file with today's names (and `tco run` warns about the old ones), but the
    UI kept the file's own data, so every later edit was validated with the old key and refused as
    an unknown field. Saving then writes today's name, as the loader's warning asks, on the same line
    with the same comment (the renames returned are handed to the round trip): the file changes only
    by the rename the warning asked for, and an `# ASSUMPTION` note on the value stays.
    """
    from tco.engine.fields import FIELDS
    from tco.load.scenarios import migrate_old_names

    if not isinstance(document, dict):
        return []
    keys_before: dict[int, tuple[tuple, dict, list]] = {}

    def visit(node: Any, where: tuple) -> None:
        if isinstance(node, dict) and id(node) not in keys_before:  # an anchored mapping once, at its first place
            keys_before[id(node)] = (where, node, list(node))
            for key, value in node.items():
                visit(value, (*where, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, (*where, i))

    visit(document, ())
    single = "scenarios" not in document
    migrate_old_names({"scenarios": [document]} if single else document, {}, str(path), [], single)
    today_of = {old: f.key for f in FIELDS for old in f.old_names}
    return [(where, old, today_of[old]) for where, node, keys in keys_before.values()
            for old in keys if old not in node and today_of.get(old) in node and today_of[old] not in keys]


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

    @property
    def warnings(self) -> tuple:
        """The warnings `tco run` prints for this scenario as it stands (DataProblem, severity warning); none in the quick pass."""
        return self.run.problems


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
    # the warnings `tco run` prints on stderr (a value off by 1000, a price in doubt) come with the full pass
    run = evaluate_loaded(loaded, catalog, today, with_breakeven=with_breakeven, with_warnings=with_breakeven)
    rows = run.results.rows
    base = rows[0].values["requests_per_day"] if rows else 0.0
    if curves is None:
        curves = volume_curves(rows, base)
    return Evaluation(loaded.scenarios[0].id, run, curves, base, (time.perf_counter() - started) * 1000, with_breakeven)


def volume_curves(rows, requests_per_day: float) -> dict[str, tuple[list[float], list[float]]]:
    """Total cost at volumes around today's, every option in one vectorized evaluation."""
    from tco.engine.base_size import totals_at_volumes_choosing_base

    if not rows or requests_per_day <= 0:
        return {}
    n = VOLUME_SWEEP_POINTS
    volumes = [requests_per_day * 10 ** (VOLUME_SWEEP_DECADES * (2 * i / (n - 1) - 1)) for i in range(n)]
    totals = totals_at_volumes_choosing_base([(r.values, volumes, r.base_auto) for r in rows])  # an auto base as break-even takes it
    return {r.option_id: (volumes, t) for r, t in zip(rows, totals) if r.excluded_reason is None}

