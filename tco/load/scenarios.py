"""Scenario files -> validated `Scenario` objects, with every problem located in the file.

A file holds either `scenarios: [...]` or a single scenario at the top level. `--set path=value`
overrides are applied to the parsed data before validation, so a bad override is reported like a
bad file value (naming the override).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tco.errors import DataProblem, TcoUserError
from tco.load.yaml_source import KeyPath, dotted, implausible_numbers, load_yaml, parse_yaml, problems_from_validation
from tco.model.scenario import Scenario, ScenarioFile


@dataclass
class LoadedScenarios:
    scenarios: list[Scenario]
    files: list[Path]
    hashes: dict[str, str] = field(default_factory=dict)
    """File name -> sha256 of its bytes (for the workbook's About sheet)."""
    locations: list[tuple[str, dict[KeyPath, int], KeyPath, bool]] = field(default_factory=list)
    """Per scenario: (file name, line index, key path of the scenario, single-scenario file)."""
    warnings: list[DataProblem] = field(default_factory=list)
    """Legal but worth saying while loading: an older spelling of a key, read as its new name."""
    overridden: dict[tuple[str, str], str] = field(default_factory=dict)
    """(file name, dotted place in the file) -> the `--set` text that wrote the value there."""
    option_places: dict[int, tuple[int | None, ...]] = field(default_factory=dict)
    """Scenario index -> the place in its file of each option, where it is not its place in the list: some were left
    out (--skip-unrunnable), or the UI deleted, copied or added one (None: an option the file does not have yet)."""

    def in_file(self, scenario_index: int, path: tuple) -> tuple:
        """`path` within the scenario as its file has it: ("options", 3, ...) is the file's options[4] when the
        file's options[3] was left out; ("options", None, ...) for an option the file does not have."""
        places = self.option_places.get(scenario_index)
        if places and len(path) > 1 and path[0] == "options" and isinstance(path[1], int) and path[1] < len(places):
            return ("options", places[path[1]], *path[2:])
        return tuple(path)

    def locate(self, scenario_index: int, path: tuple) -> tuple[str, int | None, str]:
        name, lines, prefix, single = self.locations[scenario_index]
        in_file = self.in_file(scenario_index, path)
        if len(in_file) > 1 and in_file[0] == "options" and in_file[1] is None:  # no line to name: the option's id
            option = f"options[`{self.scenarios[scenario_index].options[path[1]].id}`, not in the file yet]"
            rest = dotted(path[2:])
            shown = dotted(() if single else prefix)
            return name, None, (shown + "." if shown else "") + option + ("." + rest if rest[:1] not in ("", "[") else rest)
        path = in_file
        full = (*prefix, *path)
        probe = full
        while probe and probe not in lines:
            probe = probe[:-1]
        return name, lines.get(probe), dotted(path if single else full)


def _same_file_key(path: Path) -> Any:
    try:
        status = path.stat()
        return (status.st_dev, status.st_ino)
    except (OSError, ValueError):
        return str(path)


def line_index(data: dict, lines: dict[KeyPath, int]) -> tuple[dict[KeyPath, int], bool]:
    """The file's line index as the loader reads it (a single-scenario file as `scenarios[0]`), and whether the file
    holds a single scenario."""
    if "scenarios" in data:
        return lines, False
    return {("scenarios", 0, *k): v for k, v in lines.items()} | {(): 1, ("scenarios",): 1}, True


def display_name(path: Path) -> str:
    """How messages name a file: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13); read_text names it
        return str(path)


def load_scenario_files(paths: list[Path], overrides: list[str] | None = None) -> LoadedScenarios:
    """Every scenario of every file; all problems of all files at once.

    A `--set` path applies to every scenario of every file that has it, and is refused only when no file has it:
    checked file by file, an option or scenario id of one file was refused because the other file lacked it.
    """
    problems: list[DataProblem] = []
    loaded = LoadedScenarios([], [])
    read: list[tuple[Path, str, Any, dict[KeyPath, int]]] = []
    # a file named twice (overlapping globs: `tco run *.yaml ./*.yaml`) is read once, not refused as holding its own
    # scenario ids twice
    firsts: dict[Any, Path] = {}
    for path in paths:
        firsts.setdefault(_same_file_key(path), path)
    paths = list(firsts.values())
    for path in paths:
        name = display_name(path)
        try:
            data, lines = load_yaml(path, name)
            loaded.hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except TcoUserError as e:
            problems.extend(e.problems)
            continue
        read.append((path, name, data, lines))
    all_read = len(read) == len(paths)
    scenario_ids = [i for _, _, data, _ in read for i in _scenario_ids(data)]
    applied: set[str] = set()
    for path, name, data, lines in read:
        try:
            _add(loaded, data, lines, name, overrides or [], scenario_ids=scenario_ids, applied=applied)
        except TcoUserError as e:
            problems.extend(e.problems)
        loaded.files.append(path)
    if all_read:  # a file that could not be read may hold the path: its own problem says why first
        said = {p.field for p in problems if p.file == "--set"}  # a --set already refused for its syntax
        problems.extend(not_applied(text, scenario_ids) for text in dict.fromkeys(overrides or [])
                        if text not in applied and text not in said and text.split("=", 1)[0] not in said)
    loaded.warnings = _command_line_once(loaded.warnings)
    if problems:
        raise TcoUserError(_command_line_once(problems))
    dup = duplicate_scenario_ids(loaded)
    if dup:
        raise TcoUserError(dup)
    return loaded


def _command_line_once(problems: list[DataProblem]) -> list[DataProblem]:
    """Each problem of a `--set` said once: the overrides are read again for every file, the command line is one."""
    seen: set[DataProblem] = set()
    out = []
    for p in problems:
        if p.file == "--set":
            if p in seen:
                continue
            seen.add(p)
        out.append(p)
    return out


def duplicate_scenario_ids(loaded: LoadedScenarios) -> list[DataProblem]:
    """The second (and later) use of a scenario id across files, naming where it was first used.

    Why: results, `--set` and the workbook address scenarios by id; two files with the same id
    would silently mix or hide one of them.
    """
    first: dict[str, int] = {}
    out: list[DataProblem] = []
    for index, scenario in enumerate(loaded.scenarios):
        if scenario.id not in first:
            first[scenario.id] = index
            continue
        file, line, field = loaded.locate(index, ("id",))
        file0, line0, _ = loaded.locate(first[scenario.id], ("id",))
        out.append(DataProblem(file, line, field, f"scenario id `{scenario.id}` is already used in {file0}" + (f":{line0}" if line0 else "")
                               + "; ids must be unique across files", "give each scenario its own id"))
    return out


def parse_scenarios_text(text: str, name: str, overrides: list[str] | None = None) -> LoadedScenarios:
    """The same, from text already in memory (the TUI's editor)."""
    data, lines = parse_yaml(text, name)
    loaded = LoadedScenarios([], [])
    _add(loaded, data, lines, name, overrides or [])
    return loaded


_KIND_NAMES = {list: "a list", str: "a line of text", int: "a number", float: "a number", bool: "true/false"}


def _scenario_ids(data: Any) -> list[Any]:
    """The ids of a parsed file's scenarios (a single-scenario file's own id), as far as its shape allows."""
    if not isinstance(data, dict):
        return []
    scenarios = data.get("scenarios", [data])
    return [s.get("id") for s in scenarios if isinstance(s, dict)] if isinstance(scenarios, list) else []


def _add(loaded: LoadedScenarios, data: Any, lines: dict[KeyPath, int], name: str, overrides: list[str],
         scenario_ids: list[Any] | None = None, applied: set[str] | None = None) -> None:
    """One parsed file's scenarios, validated, appended to `loaded`.

    `scenario_ids` and `applied`: when several files are loaded together (see `_apply_overrides`).
    """
    if data is None:
        raise TcoUserError(DataProblem(name, None, "", "the file is empty; a scenario file needs `scenarios:` or a single scenario"))
    if not isinstance(data, dict):
        raise TcoUserError(DataProblem(name, lines.get((), 1), "", f"expected a mapping with `scenarios:` at the top, got {_KIND_NAMES.get(type(data), type(data).__name__)}"))
    lines, single = line_index(data, lines)
    if single:
        version = data.pop("schema_version", 1) if isinstance(data, dict) else 1
        data = {"schema_version": version, "scenarios": [data]}
    overridden = _apply_overrides(data, overrides, loaded.warnings, scenario_ids, applied) if overrides else {}
    loaded.overridden.update({(name, where): text for where, text in overridden.items()})
    migration_problems = migrate_old_names(data, lines, name, loaded.warnings, single)
    if migration_problems:
        raise TcoUserError(migration_problems)
    try:
        parsed = ScenarioFile.model_validate(data)
        problems = implausible_numbers(parsed.model_dump(exclude_defaults=True), name, lines,
                                       MAX_SCENARIO_NUMBER, MIN_SCENARIO_NUMBER)
    except Exception as e:  # pydantic.ValidationError
        from pydantic import ValidationError

        if not isinstance(e, ValidationError):
            raise
        problems = problems_from_validation(name, e, lines, ScenarioFile, data=data)
    if problems:
        problems = [_with_override_hint(p, overridden) for p in problems]
        if single:
            problems = [DataProblem(p.file, p.line, p.field.removeprefix("scenarios[0].").removeprefix("scenarios[0]"), p.message, p.hint)
                        for p in problems]
        raise TcoUserError(problems) from None
    for i, scenario in enumerate(parsed.scenarios):
        loaded.scenarios.append(scenario)
        loaded.locations.append((name, lines, ("scenarios", i), single))


def migrate_old_names(data: dict, lines: dict[KeyPath, int], name: str, warnings: list[DataProblem],
                      single: bool = False) -> list[DataProblem]:
    """Older spellings of keys (tco.engine.fields `old_names`) renamed in place, each with a warning.

    Why in place and before validation: the scenario model knows only today's names, and a file
    written for an older version keeps working until its author renames the key. Both spellings at
    once is an error (which one was meant?).
    """
    from tco.engine.fields import FIELDS, SCOPE_OF_KIND

    problems: list[DataProblem] = []
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(scenarios, list):
        return problems
    renamed = [f for f in FIELDS if f.old_names]
    for s_index, scenario in enumerate(scenarios):
        if not isinstance(scenario, dict):
            continue
        owners: list[tuple[str, KeyPath, Any]] = [(k, (k,), scenario.get(k)) for k in ("workload", "finance")]
        options = scenario.get("options")
        if isinstance(options, list):
            owners += [(SCOPE_OF_KIND.get(o.get("kind"), "") if isinstance(o.get("kind"), str) else "", ("options", i), o)
                       for i, o in enumerate(options) if isinstance(o, dict)]  # a `kind` that is a list is the model's to refuse
        for scope, owner_path, owner in owners:
            for f in renamed:
                if f.scope != scope:
                    continue
                parent = owner
                for key in f.path[:-1]:
                    parent = parent.get(key) if isinstance(parent, dict) else None
                if not isinstance(parent, dict):
                    continue
                for old in f.old_names:
                    if old not in parent:
                        continue
                    where = ("scenarios", s_index, *owner_path, *f.path[:-1])
                    shown = dotted(where[2:] if single else where)
                    line = lines.get((*where, old))
                    if f.key in parent:
                        problems.append(DataProblem(name, line, f"{shown}.{old}",
                                                    f"both `{f.key}` and its older spelling `{old}` are given", "keep only `" + f.key + "`"))
                        continue
                    parent[f.key] = parent.pop(old)
                    if line is not None:
                        lines[(*where, f.key)] = line
                    warnings.append(DataProblem(name, line, f"{shown}.{old}",
                                                f"`{old}` is now called `{f.key}`; read as `{f.key}`",
                                                f"rename the key to `{f.key}`", severity="warning"))
    return problems


MAX_SCENARIO_NUMBER = 1e15
"""No real input is larger (a quadrillion requests a day, dollars, tokens); beyond it costs overflow."""
MIN_SCENARIO_NUMBER = 1e-9
"""No real input other than 0 is smaller (a billionth of a dollar, of a share); a value like 1e-300 or a
subnormal is a typing mistake that divides to infinity or prints hundreds of digits."""


def _with_override_hint(problem: DataProblem, overridden: dict[str, str]) -> DataProblem:
    """Point at the `--set` that wrote the value: the file's line alone would mislead."""
    import re

    for where, text in overridden.items():
        if problem.message == "unknown field" and (problem.field == where or where.startswith(problem.field + ".")):
            # The misspelt key is in the --set path, not in the file (the field set, or one on the way to it): say
            # so once, for the command line, and correct the --set itself.
            path, _, value = text.partition("=")
            parts = path.strip().split(".")
            unknown = re.split(r"[.\[]", problem.field)[-1]
            said = re.fullmatch(r"did you mean `(.+)`\?", problem.hint or "")
            hint = None
            if said and unknown in parts:
                fixed = list(parts)
                fixed[parts.index(unknown)] = said.group(1)
                hint = f"did you mean `--set {'.'.join(fixed)}={value}`?"
            message = "unknown field" if problem.field == where else f"unknown field `{unknown}`"
            return DataProblem("--set", None, path.strip(), message, hint)
        if problem.field == where or problem.field.startswith((where + ".", where + "[")):
            return with_set_hint(problem, text)
    return problem


def with_set_hint(problem: DataProblem, text: str) -> DataProblem:
    """`problem`, its hint saying which `--set` gave the value (the file's line still holds the value it replaced)."""
    shown = text if len(text) <= 80 else text[:77] + "..."
    hint = f"the value comes from --set {shown}" + (f"; {problem.hint}" if problem.hint else "")
    return DataProblem(problem.file, problem.line, problem.field, problem.message, hint, problem.severity,
                       cannot_run=getattr(problem, "cannot_run", False))


def scalar_value(text: str) -> Any:
    """A value typed on the command line or in the terminal UI, read as a file's value is (`012` is 12, `1:30` stays
    text); None for YAML's null (`null`, `~`, nothing). `1e-3` (no dot, text to YAML 1.1) is the number it means."""
    if not text.strip():
        return None
    try:
        value, _ = parse_yaml(text, "--set")
    except TcoUserError:
        return text
    if isinstance(value, str) and value.strip().lower() not in ("nan", "inf", "-inf", "+inf", "infinity"):
        try:
            return float(value.replace("_", "")) if any(c.isdigit() for c in value) else value
        except ValueError:
            pass
    return value


def override_value(raw: str) -> Any:
    """The YAML value of `--set PATH=VALUE` (and of each `--vary` value); text where YAML reads null (a field cannot be
    unset from the command line: the model refuses the text with its usual message)."""
    value = scalar_value(raw)
    return raw if value is None else value


def _new_spelling(parts: list[str], warnings: list[DataProblem] | None, text: str) -> list[str]:
    """A `--set` path written with an older key (tco.engine.fields `old_names`) is read with the new one."""
    from tco.engine.fields import FIELDS

    # The key before the field's path is the option's id (or `workload` / `finance`), never a nested
    # mapping: `payment.base.replicas` (a mixed fleet's base) is not a hybrid's older `replicas`.
    nested = {key for f in FIELDS for key in f.path[:-1]}
    for f in FIELDS:
        n = len(f.path)
        if (parts and parts[-1] in f.old_names and tuple(parts[-n:-1]) == f.path[:-1] and len(parts) > n
                and parts[-n - 1] not in nested):
            if warnings is not None:
                warnings.append(DataProblem("--set", None, ".".join(parts), f"`{parts[-1]}` is now called `{f.key}`; read as `{f.key}`",
                                            f"write --set {'.'.join([*parts[:-1], f.key])}={text.split('=', 1)[1]}", severity="warning"))
            return [*parts[:-1], f.key]
    return parts


VOLUME_KEYS = ("requests_per_day", "requests_per_month")
"""A workload gives exactly one of them; `--set` of one drops the other (a batch may mix files of both kinds)."""

NO_SUCH_PATH = "no scenario has this path (options are addressed by id: options.<id>.<field>)"


def not_applied(text: str, scenario_ids: list[Any] = ()) -> DataProblem:
    """A `--set` whose path no scenario has (a mistyped option or scenario id, a field of no option); a path led by
    a near miss of a scenario id gets the corrected `--set` as its hint."""
    import difflib

    path, _, value = text.partition("=")
    parts = path.strip().split(".")
    close = difflib.get_close_matches(parts[0], [str(i) for i in scenario_ids], n=1)
    hint = f"did you mean `--set {'.'.join([close[0], *parts[1:]])}={value}`?" if close and parts[0] not in close else None
    return DataProblem("--set", None, path.strip(), NO_SUCH_PATH, hint)


def _apply_overrides(data: dict, overrides: list[str], warnings: list[DataProblem] | None = None,
                     scenario_ids: list[Any] | None = None, applied: set[str] | None = None) -> dict[str, str]:
    """`workload.requests_per_day=5000`, `options.llama.payment.gpu_usd_per_hour=2.5` (options by id),
    or with a scenario id first when a file has several: `support.workload.monthly_growth=0.1`.

    Returns the dotted key path of every value set, with the `--set` text that set it.

    One of several files: `scenario_ids` are the ids of all of them, so a path led by another file's scenario id
    leaves this file alone (rather than being read as an unknown field of it), and the `--set` texts that set a value
    are added to `applied` rather than refused here, as the path may belong to another file. Alone (both None),
    a path this data lacks is refused at once.
    """
    overridden: dict[str, str] = {}
    for text in overrides:
        if "=" not in text:
            raise TcoUserError(DataProblem("--set", None, text, "expected PATH=VALUE, e.g. workload.requests_per_day=5000"))
        path, raw = text.split("=", 1)
        value = override_value(raw)
        # `options[3].gpu`, as the error messages write a place, means `options.3.gpu` (ids hold no brackets); it was
        # read as a key named `options[3]` and refused as an unknown field of the file, at a line that had none
        dotted_path = re.sub(r"\[(\d+)\]", r".\1", path.strip())
        parts = _new_spelling([p for p in dotted_path.split(".") if p], warnings, text)
        if not parts:
            raise TcoUserError(DataProblem("--set", None, text, "empty path"))
        scenarios = data.get("scenarios")
        if not isinstance(scenarios, list):
            return overridden  # the file itself is wrong; validation says where
        targets = list(enumerate(scenarios))
        ids = scenario_ids if scenario_ids is not None else [s.get("id") for s in scenarios if isinstance(s, dict)]
        prefix = next((k for k in range(len(parts), 0, -1) if ".".join(parts[:k]) in ids), 0)
        if prefix and parts[0] not in ("workload", "finance", "options"):
            sid = ".".join(parts[:prefix])
            targets = [(i, s) for i, s in targets if isinstance(s, dict) and s.get("id") == sid]
            parts = parts[prefix:]
            if not parts and targets:
                raise TcoUserError(DataProblem("--set", None, path, "give a field after the scenario id, e.g. "
                                               f"{path.strip()}.workload.requests_per_day=5000"))
        if not prefix and parts[0] not in Scenario.model_fields:
            targets = []  # neither a scenario id nor a field of a scenario (a mistyped id): no scenario has this path
        set_here = False
        for index, scenario in targets:
            where = _set_path(scenario, parts, value) if parts else None
            if where is not None and where[0] == "workload" and where[-1] in VOLUME_KEYS and len(where) == 2:
                # the volume given on the command line replaces the file's, whichever way the file wrote it
                other = next(k for k in VOLUME_KEYS if k != where[-1])
                scenario["workload"].pop(other, None)
            if where is not None:
                overridden[dotted(("scenarios", index, *where))] = text
                set_here = True
        if set_here and applied is not None:
            applied.add(text)
        elif not set_here and applied is None:
            raise TcoUserError(not_applied(text, ids))
    # both volumes given on the command line for the same scenarios: the later one silently replaced the other (a
    # sweep's rows then showed a value that had no effect); a file with both is refused, so is this. One for every
    # scenario and the other for one scenario by id is the more specific one winning, as for any other field.
    def scope(text: str) -> str:
        return text.split("=", 1)[0].strip().rsplit("workload.", 1)[0]

    for where, text in overridden.items():
        other = re.sub(r"workload\.requests_per_day$", "workload.requests_per_month", where)
        if other != where and other in overridden and scope(text) == scope(overridden[other]):
            raise TcoUserError(DataProblem("--set", None, f"{text} and {overridden[other]}",
                                           "give one of requests_per_day or requests_per_month, not both"))
    return overridden


def _set_path(node: Any, parts: list[str], value: Any) -> list[Any] | None:
    """Set `value` at `parts`; the concrete key path it was written to (list indices resolved), or None."""
    where: list[Any] = []
    i = 0
    while i < len(parts) - 1:
        part = parts[i]
        if isinstance(node, list):
            # ids may contain dots (`gpt-4.1`): take the longest run of parts that names an element
            index = None
            for k in range(len(parts) - 1 - i, 0, -1):
                candidate = ".".join(parts[i:i + k])
                match = [j for j, o in enumerate(node) if isinstance(o, dict) and o.get("id") == candidate]
                if match:
                    index, i = match[0], i + k
                    break
            if index is None:
                if not (part.isdigit() and int(part) < len(node)):
                    return None
                index, i = int(part), i + 1
            where.append(index)
            node = node[index]
        elif isinstance(node, dict):
            if part not in node:
                node[part] = {}
            where.append(part)
            node = node[part]
            i += 1
        else:
            return None
    parts = parts[i:]
    if not isinstance(node, dict):
        return None
    node[parts[-1]] = value
    return [*where, parts[-1]]


def problems_from_rows(loaded: LoadedScenarios, row_problems) -> list[DataProblem]:
    """Problems found resolving the rows (an unknown GPU, offer or model id...), at their file, line and field; one
    whose value a `--set` wrote says so (the file's line still holds the value it replaced)."""
    out = []
    for p in row_problems:
        file, line, field = loaded.locate(p.scenario_index, p.path)
        problem = DataProblem(file, line, field, p.message, p.hint, cannot_run=getattr(p, "cannot_run", False))
        _, _, prefix, _ = loaded.locations[p.scenario_index]
        full = dotted((*prefix, *loaded.in_file(p.scenario_index, p.path)))
        text = next((t for (name, where), t in loaded.overridden.items()
                     if name == file and (full == where or full.startswith((where + ".", where + "[")))), None)
        out.append(with_set_hint(problem, text) if text else problem)
    return out
