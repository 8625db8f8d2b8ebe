"""The one path from files (or Scenario objects) to engine results, shared by CLI, TUI and export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

from tco.errors import ExitCode, TcoUserError
from tco.model.scenario import Scenario


def example_files() -> list[Path]:
    from tco.paths import examples_dir

    return sorted(examples_dir().glob("*.yaml"))


def resolve_files(files: Iterable[str | Path] | None) -> list[Path]:
    files = [Path(f) for f in (files or [])]
    return files or example_files()


def run_scenarios(scenarios=None, *, today: dt.date | None = None, overrides: list[str] | None = None,
                  hardware_dirs=None, pricing_dirs=None, with_breakeven: bool = True, loaded=None):
    """Evaluate scenario files or objects; raises TcoUserError with located problems."""
    from tco.engine.compare import compare
    from tco.load.catalog import load_catalog, providers_of
    from tco.load.scenarios import LoadedScenarios, load_scenario_files, problems_from_rows

    today = today or dt.date.today()
    if loaded is None:
        if scenarios is None or isinstance(scenarios, (str, Path)) or (
                isinstance(scenarios, (list, tuple)) and scenarios and not isinstance(scenarios[0], Scenario)):
            paths = resolve_files([scenarios] if isinstance(scenarios, (str, Path)) else scenarios)
            loaded = load_scenario_files(paths, overrides)
        else:
            items = list(scenarios)
            loaded = LoadedScenarios(items, [], {}, [("<python>", {}, ("scenarios", i), False) for i in range(len(items))])
    catalog = load_catalog(providers_of(loaded.scenarios), hardware_dirs, pricing_dirs)
    if any(s.capability is not None for s in loaded.scenarios):
        _load_capability(catalog, loaded)
    results, problems = compare(loaded.scenarios, catalog, today, with_breakeven=with_breakeven)
    if problems:
        raise TcoUserError(problems_from_rows(loaded, problems))
    results.loaded = loaded
    results.catalog = catalog
    return results


def _load_capability(catalog, loaded) -> None:
    """Capability data, and each scenario's own evaluation file (relative to its scenario file)."""
    from tco.load.quality import load_quality, load_user_scores

    catalog.quality = load_quality()
    for index, scenario in enumerate(loaded.scenarios):
        req = scenario.capability
        if req is None or not req.user_scores_file:
            continue
        name = loaded.locations[index][0] if loaded.locations else "."
        base = Path(name).parent if name != "<python>" else Path.cwd()
        catalog.user_scores[scenario.id] = load_user_scores(base / req.user_scores_file, catalog.quality.models)
