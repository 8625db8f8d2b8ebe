"""The one path from files (or Scenario objects) to engine results: load -> catalog -> rows -> engine.

Why one place: the CLI, the terminal UI (its session, its compare screen and its export), the
workbook and `tco.evaluate()` used to carry their own copies of this pipeline and drifted (UI
errors lost file and line; UI export reported only the first problem). Every front end now gets a
`Run`, and every problem it can meet is located as `file:line: field` by the same code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from tco.errors import DataProblem, TcoUserError
from tco.model.scenario import Scenario

if TYPE_CHECKING:  # the types only: importing them would pull polars onto `tco --help`
    from tco.engine.compare import Results
    from tco.load.scenarios import LoadedScenarios
    from tco.model.catalog import Catalog

IN_MEMORY = "<python>"
"""The file name of scenarios given as objects (`tco.evaluate([...])`): they have no lines."""


@dataclass(frozen=True)
class Run:
    """One evaluation and everything it came from: what every front end shows, exports or explains."""

    results: Results
    """The engine's answer (one row per scenario x option)."""
    loaded: LoadedScenarios
    """The scenarios evaluated, their files, sha256 hashes and line index (to locate problems)."""
    catalog: Catalog
    """Hardware, offers, open models and API prices the rows were built from (sources for the workbook)."""
    today: dt.date
    """The date that picked the prices in force."""
    problems: tuple[DataProblem, ...] = ()
    """Warnings that did not stop the evaluation (implausible values), located `file:line: field`.
    Errors never reach a Run: they raise `TcoUserError` with every problem located."""


def example_files() -> list[Path]:
    from tco.paths import examples_dir

    return sorted(examples_dir().glob("*.yaml"))


def resolve_files(files: Iterable[str | Path] | None) -> list[Path]:
    files = [Path(f) for f in (files or [])]
    return files or example_files()


def run_scenarios(scenarios=None, *, today: dt.date | None = None, overrides: list[str] | None = None,
                  hardware_dirs=None, pricing_dirs=None, with_breakeven: bool = True, loaded=None,
                  skip_unrunnable: bool = False) -> Run:
    """Evaluate scenario files (or Scenario objects, or an already-loaded set); raises TcoUserError with located problems.

    `skip_unrunnable`: an option that cannot run (weights larger than its GPUs, a latency target it cannot meet) is
    left out with a warning instead of stopping the whole evaluation (`tco run --skip-unrunnable`)."""
    loaded, catalog = load_inputs(scenarios, overrides=overrides, hardware_dirs=hardware_dirs,
                                  pricing_dirs=pricing_dirs, loaded=loaded)
    return evaluate_loaded(loaded, catalog, today or dt.date.today(), with_breakeven=with_breakeven,
                           skip_unrunnable=skip_unrunnable)


def load_inputs(scenarios=None, *, overrides: list[str] | None = None, hardware_dirs=None, pricing_dirs=None,
                loaded=None) -> tuple[LoadedScenarios, Catalog]:
    """The load half: scenario files (or objects) and the catalog their options name."""
    from tco.load.catalog import load_catalog, providers_of
    from tco.load.scenarios import load_scenario_files

    if loaded is None:
        if scenarios is None or isinstance(scenarios, (str, Path)) or (
                isinstance(scenarios, (list, tuple)) and scenarios and not isinstance(scenarios[0], Scenario)):
            paths = resolve_files([scenarios] if isinstance(scenarios, (str, Path)) else scenarios)
            loaded = load_scenario_files(paths, overrides)
        else:
            loaded = in_memory(list(scenarios))
    catalog = load_catalog(providers_of(loaded.scenarios), hardware_dirs, pricing_dirs)
    if any(s.capability is not None for s in loaded.scenarios):
        _load_capability(catalog, loaded)
    return loaded, catalog


def in_memory(scenarios: list[Scenario]) -> LoadedScenarios:
    """Scenario objects with no file: problems name `<python>` and the scenario's position."""
    from tco.load.scenarios import LoadedScenarios

    return LoadedScenarios(scenarios, [], {}, [(IN_MEMORY, {}, ("scenarios", i), False) for i in range(len(scenarios))])


def located(loaded: LoadedScenarios, indices: Sequence[int], scenarios: Sequence[Scenario] | None = None) -> LoadedScenarios:
    """Some of the loaded scenarios (optionally edited versions of them), keeping their files and line index.

    Why: the UI evaluates one scenario at a time, and edited; its problems must still name the
    file and line the scenario came from.
    """
    from tco.load.scenarios import LoadedScenarios

    chosen = list(scenarios) if scenarios is not None else [loaded.scenarios[i] for i in indices]
    return LoadedScenarios(chosen, list(loaded.files), dict(loaded.hashes), [loaded.locations[i] for i in indices],
                           overridden=dict(loaded.overridden),
                           option_places={k: loaded.option_places[i] for k, i in enumerate(indices) if i in loaded.option_places})


def check_rows(loaded: LoadedScenarios, catalog: Catalog, today: dt.date) -> None:
    """Every option can be built from the catalog; raises TcoUserError with every problem located."""
    from tco.engine.rows import build_rows

    _, problems = build_rows(loaded.scenarios, catalog, today)
    if problems:
        raise TcoUserError(_located_problems(loaded, problems))


def evaluate_loaded(loaded: LoadedScenarios, catalog: Catalog, today: dt.date, *, with_breakeven: bool = True,
                    with_warnings: bool = True, skip_unrunnable: bool = False) -> Run:
    """The evaluate half: rows from the catalog, then the engine; problems located in the files."""
    from tco.engine.compare import compare
    from tco.load.plausibility import plausibility_warnings

    results, problems = compare(loaded.scenarios, catalog, today, with_breakeven=with_breakeven)
    skipped: list[DataProblem] = []
    if problems and skip_unrunnable and all(p.cannot_run and p.path[:1] == ("options",) for p in problems):
        remaining, skipped = _without_unrunnable(loaded, problems)
        if not remaining.scenarios:  # nothing left to evaluate: the problems stay what they are (exit 4)
            raise TcoUserError(_located_problems(loaded, problems))
        loaded = remaining
        results, problems = compare(loaded.scenarios, catalog, today, with_breakeven=with_breakeven)
    if problems:
        raise TcoUserError(_located_problems(loaded, problems))
    warnings = tuple(plausibility_warnings(loaded, catalog)) if with_warnings else ()
    return Run(results, loaded, catalog, today, (*skipped, *warnings))


SKIPPED = "left out (--skip-unrunnable): "


def _without_unrunnable(loaded: LoadedScenarios, problems) -> tuple[LoadedScenarios, list[DataProblem]]:
    """The scenarios without the options that cannot run (and the hybrids built on them), and a warning for each,
    located where the option was; a scenario left with no option is left out too. Each kept option's place in its
    file is kept (`option_places`), so later problems still name the right line and field."""
    from dataclasses import replace

    from tco.load.scenarios import LoadedScenarios
    from tco.model.scenario import HybridOption

    warnings = [replace(p, severity="warning", message=SKIPPED + p.message)
                for p in _located_problems(loaded, problems)]
    dropped: dict[int, set[int]] = {}
    for p in problems:
        dropped.setdefault(p.scenario_index, set()).add(p.path[1])
    kept_scenarios, kept_locations, option_places = [], [], {}
    for index, scenario in enumerate(loaded.scenarios):
        gone = dropped.get(index, set())
        ids = {scenario.options[k].id for k in gone}
        for k, option in enumerate(scenario.options):  # a hybrid whose self-hosted or API part is left out
            if isinstance(option, HybridOption) and {option.self_hosted, option.api} & ids and k not in gone:
                gone.add(k)
                name, line, field = loaded.locate(index, ("options", k))
                warnings.append(DataProblem(name, line, field, f"{SKIPPED}`{option.id}` is built on an option that "
                                            "cannot run", severity="warning"))
        if not gone:
            if index in loaded.option_places:
                option_places[len(kept_scenarios)] = loaded.option_places[index]
            kept_scenarios.append(scenario)
            kept_locations.append(loaded.locations[index])
            continue
        options = [o for k, o in enumerate(scenario.options) if k not in gone]
        if not options:
            file, line, _ = loaded.locate(index, ())
            warnings.append(DataProblem(file, line, "", f"{SKIPPED}scenario `{scenario.id}`: none of its options can run",
                                        severity="warning"))
            continue
        # problems found later name each option where its file has it (not its place among those kept)
        option_places[len(kept_scenarios)] = tuple(loaded.in_file(index, ("options", k))[1]
                                                   for k in range(len(scenario.options)) if k not in gone)
        kept_scenarios.append(scenario.model_copy(update={"options": options}))
        kept_locations.append(loaded.locations[index])
    return LoadedScenarios(kept_scenarios, list(loaded.files), dict(loaded.hashes), kept_locations,
                           list(loaded.warnings), overridden=dict(loaded.overridden), option_places=option_places), warnings


def _located_problems(loaded: LoadedScenarios, row_problems) -> list[DataProblem]:
    from tco.load.scenarios import problems_from_rows

    return problems_from_rows(loaded, row_problems)


def _load_capability(catalog, loaded) -> None:
    """Capability data, and each scenario's own evaluation file (relative to its scenario file)."""
    from tco.load.quality import load_quality, load_user_scores

    from tco.load.yaml_source import did_you_mean

    catalog.quality = load_quality()
    problems: list[DataProblem] = []
    for index, scenario in enumerate(loaded.scenarios):
        req = scenario.capability
        if req is None:
            continue
        if req.comparable_to is not None and req.comparable_to not in catalog.quality.models:
            file, line, field = loaded.locate(index, ("capability", "comparable_to"))
            problems.append(DataProblem(file, line, field, f"unknown model id `{req.comparable_to}` (not in pricing/quality/models.yaml)",
                                        did_you_mean(req.comparable_to, catalog.quality.models)))
        if not req.user_scores_file:
            continue
        name = loaded.locations[index][0] if loaded.locations else "."
        base = Path(name).parent if name != IN_MEMORY else Path.cwd()
        try:
            catalog.user_scores[scenario.id] = load_user_scores(base / req.user_scores_file, catalog.quality.models)
        except TcoUserError as e:
            # A problem with the file itself (missing, a folder, not a CSV) is named at the scenario's key
            # that points to it; a problem inside the CSV keeps the CSV's own line.
            file, line, field = loaded.locate(index, ("capability", "user_scores_file"))
            problems.extend(DataProblem(file, line, field, f"`{req.user_scores_file}`: {p.message}", p.hint)
                            if p.line is None and not p.field else p for p in e.problems)
    if problems:
        raise TcoUserError(problems)
