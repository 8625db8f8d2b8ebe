"""Scenario files -> validated `Scenario` objects, with every problem located in the file.

A file holds either `scenarios: [...]` or a single scenario at the top level. `--set path=value`
overrides are applied to the parsed data before validation, so a bad override is reported like a
bad file value (naming the override).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tco.errors import DataProblem, TcoUserError
from tco.load.yaml_source import KeyPath, dotted, load_yaml, parse_yaml, problems_from_validation
from tco.model.scenario import Scenario, ScenarioFile


@dataclass
class LoadedScenarios:
    scenarios: list[Scenario]
    files: list[Path]
    hashes: dict[str, str] = field(default_factory=dict)
    """File name -> sha256 of its bytes (for the workbook's About sheet)."""
    locations: list[tuple[str, dict[KeyPath, int], KeyPath, bool]] = field(default_factory=list)
    """Per scenario: (file name, line index, key path of the scenario, single-scenario file)."""

    def locate(self, scenario_index: int, path: tuple) -> tuple[str, int | None, str]:
        name, lines, prefix, single = self.locations[scenario_index]
        full = (*prefix, *path)
        probe = full
        while probe and probe not in lines:
            probe = probe[:-1]
        return name, lines.get(probe), dotted(path if single else full)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_scenario_files(paths: list[Path], overrides: list[str] | None = None) -> LoadedScenarios:
    """Every scenario of every file; all problems of all files at once."""
    problems: list[DataProblem] = []
    loaded = LoadedScenarios([], [])
    for path in paths:
        name = _display(path)
        try:
            data, lines = load_yaml(path, name)
            loaded.hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except TcoUserError as e:
            problems.extend(e.problems)
            continue
        try:
            _add(loaded, data, lines, name, overrides or [])
        except TcoUserError as e:
            problems.extend(e.problems)
        loaded.files.append(path)
    if problems:
        raise TcoUserError(problems)
    ids = [s.id for s in loaded.scenarios]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise TcoUserError([DataProblem(loaded.locate(ids.index(d), ("id",))[0], loaded.locate(ids.index(d), ("id",))[1], "id",
                                        f"scenario id `{d}` is used by more than one scenario; ids must be unique across files") for d in dup])
    return loaded


def parse_scenarios_text(text: str, name: str, overrides: list[str] | None = None) -> LoadedScenarios:
    """The same, from text already in memory (the TUI's editor)."""
    data, lines = parse_yaml(text, name)
    loaded = LoadedScenarios([], [])
    _add(loaded, data, lines, name, overrides or [])
    return loaded


def _add(loaded: LoadedScenarios, data: Any, lines: dict[KeyPath, int], name: str, overrides: list[str]) -> None:
    if data is None:
        raise TcoUserError(DataProblem(name, None, "", "the file is empty; a scenario file needs `scenarios:` or a single scenario"))
    if not isinstance(data, dict):
        raise TcoUserError(DataProblem(name, lines.get((), 1), "", f"expected a mapping with `scenarios:` at the top, got a {type(data).__name__}"))
    single = "scenarios" not in data
    if single:
        version = data.pop("schema_version", 1) if isinstance(data, dict) else 1
        data = {"schema_version": version, "scenarios": [data]}
        lines = {("scenarios", 0, *k): v for k, v in lines.items()} | {(): 1, ("scenarios",): 1}
    if overrides:
        _apply_overrides(data, overrides)
    try:
        parsed = ScenarioFile.model_validate(data)
    except Exception as e:  # pydantic.ValidationError
        from pydantic import ValidationError

        if not isinstance(e, ValidationError):
            raise
        problems = problems_from_validation(name, e, lines, ScenarioFile, data=data)
        if single:
            problems = [DataProblem(p.file, p.line, p.field.removeprefix("scenarios[0].").removeprefix("scenarios[0]"), p.message, p.hint)
                        for p in problems]
        raise TcoUserError(problems) from None
    for i, scenario in enumerate(parsed.scenarios):
        loaded.scenarios.append(scenario)
        loaded.locations.append((name, lines, ("scenarios", i), single))


def _apply_overrides(data: dict, overrides: list[str]) -> None:
    """`workload.requests_per_day=5000`, `options.llama.payment.usd_per_gpu_hour=2.5` (options by id),
    or with a scenario id first when a file has several: `support.workload.monthly_growth=0.1`."""
    import yaml

    for text in overrides:
        if "=" not in text:
            raise TcoUserError(DataProblem("--set", None, text, "expected PATH=VALUE, e.g. workload.requests_per_day=5000"))
        path, raw = text.split("=", 1)
        try:
            value = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError:
            value = raw
        parts = [p for p in path.strip().split(".") if p]
        if not parts:
            raise TcoUserError(DataProblem("--set", None, text, "empty path"))
        targets = data["scenarios"]
        ids = [s.get("id") for s in targets if isinstance(s, dict)]
        if parts[0] in ids and parts[0] not in ("workload", "finance", "options"):
            targets = [s for s in targets if isinstance(s, dict) and s.get("id") == parts[0]]
            parts = parts[1:]
        applied = False
        for scenario in targets:
            if _set_path(scenario, parts, value):
                applied = True
        if not applied:
            raise TcoUserError(DataProblem("--set", None, path, "no scenario has this path (options are addressed by id: options.<id>.<field>)"))


def _set_path(node: Any, parts: list[str], value: Any) -> bool:
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            match = [o for o in node if isinstance(o, dict) and o.get("id") == part]
            if not match:
                if part.isdigit() and int(part) < len(node):
                    node = node[int(part)]
                    continue
                return False
            node = match[0]
        elif isinstance(node, dict):
            if part not in node:
                node[part] = {}
            node = node[part]
        else:
            return False
    if not isinstance(node, dict):
        return False
    node[parts[-1]] = value
    return True


def problems_from_rows(loaded: LoadedScenarios, row_problems) -> list[DataProblem]:
    out = []
    for p in row_problems:
        file, line, field = loaded.locate(p.scenario_index, p.path)
        out.append(DataProblem(file, line, field, p.message, p.hint))
    return out
