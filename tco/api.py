"""The Python API: `tco.evaluate(...)` and `tco.explain(...)`, with the numbers and names of the CLI.

Why a thin layer over `tco.run`: a notebook wants one call that takes what it has at hand (a file,
a dict it built, a YAML string) and returns the same columns `tco run --format csv` writes, so a
result moves between the shell and Python without renaming anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

DICT_NAME = "<dict>"
"""The file name problems name for scenarios given as a dict (no lines)."""
TEXT_NAME = "<yaml text>"
"""The file name problems name for scenarios given as a string of YAML (lines are the string's)."""


def load(scenarios: Any = None, overrides: list[str] | None = None):
    """Scenario files, Scenario objects, a dict or a YAML string -> what the pipeline evaluates.

    Returns (scenarios or paths, already-loaded scenarios or None) for `tco.run.run_scenarios`.
    A string with a line break (or starting with `{`) is YAML text; any other string is a path.
    """
    import copy

    from tco.errors import DataProblem, TcoUserError
    from tco.load.scenarios import LoadedScenarios, _add, parse_scenarios_text
    from tco.model.scenario import Scenario

    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    if isinstance(scenarios, (list, tuple)) and not scenarios:
        # not the bundled examples (None is): a glob that matched nothing must not evaluate something else
        raise TcoUserError(DataProblem("<python>", None, "scenarios", "no scenarios given (an empty list)",
                                       "pass files, a dict, YAML text or Scenario objects; None evaluates the bundled examples"))
    if isinstance(scenarios, (list, tuple)) and all(isinstance(s, Scenario) for s in scenarios) and overrides:
        # `overrides` apply to data, as `--set` does to a file's: the objects as the data they were made from
        scenarios = {"scenarios": [s.model_dump(mode="json", exclude_unset=True) for s in scenarios]}
    if isinstance(scenarios, Mapping):
        loaded = LoadedScenarios([], [])
        _add(loaded, copy.deepcopy(dict(scenarios)), {}, DICT_NAME, overrides or [])
        return None, loaded
    if isinstance(scenarios, str) and ("\n" in scenarios or scenarios.lstrip().startswith("{")):
        return None, parse_scenarios_text(scenarios, TEXT_NAME, overrides)
    return scenarios, None


def evaluate_run(scenarios: Any = None, *, today: dt.date | None = None, overrides: list[str] | None = None,
        with_breakeven: bool = True):
    """The whole evaluation as a `tco.run.Run`: results, the scenarios and catalog they came from, warnings.

    `scenarios`: as for `evaluate`. Raises `tco.TcoUserError` naming file, line and field of every problem.
    """
    from tco.run import run_scenarios

    given, loaded = load(scenarios, overrides)
    return run_scenarios(given, today=today, overrides=None if loaded is not None else overrides,
                         with_breakeven=with_breakeven, loaded=loaded)


def evaluate(scenarios: Any = None, *, today: dt.date | None = None, overrides: list[str] | None = None,
             with_breakeven: bool = True):
    """One row per scenario x option, ranked: a polars DataFrame with the columns of `tco run --format csv`.

    `scenarios` may be a path (str or Path) or a list of paths, a dict (one scenario, or
    `{"scenarios": [...]}`), a string of YAML (it has a line break), Scenario objects, or None for the
    bundled examples. `today` picks the prices in force (default: today); `overrides` are `--set`
    texts such as "workload.requests_per_day=5000". Column names, types and units:
    `tco.OUTPUT_COLUMNS` (docs/output.md); `monthly_cost_usd` is a list per row.
    Raises `tco.TcoUserError` (its `.problems` name file, line and field) on bad input.
    """
    from tco.report.results import result_records, results_frame

    done = evaluate_run(scenarios, today=today, overrides=overrides, with_breakeven=with_breakeven)
    return results_frame(result_records(done.results, breakeven_solved=with_breakeven))


def explain(scenarios: Any, option: str, quantity: str = "total_cost_usd", *, scenario: str | None = None,
            month: int | None = None, today: dt.date | None = None, overrides: list[str] | None = None) -> dict:
    """How one number of one option was computed: the dict `tco explain --format json` prints.

    `quantity`: any name `tco explain` offers (a formula's named quantity, a sum over months, or an
    input); `scenario` is needed when several scenarios have the option.
    """
    results = evaluate_run(scenarios, today=today, overrides=overrides, with_breakeven=False).results
    return explanation(results, pick_scenario(results, option, scenario), option, quantity, month).as_dict()


def explanation(results, scenario_id: str, option_id: str, name: str, month: int | None = None):
    """The engine's explanation (tco.engine.explanation), after naming a close match for an unknown quantity."""
    from tco.engine.explanation import explain_quantity, explainable
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    known = explainable()
    if name not in known:
        hint = "; ".join(filter(None, [did_you_mean(name, known), "known quantities: " + ", ".join(known)]))
        raise TcoUserError(DataProblem("--quantity", None, name, "not a named quantity or input of tco/engine/formulas.py", hint))
    return explain_quantity(results, scenario_id, option_id, name, month)


def pick_scenario(results, option_id: str, scenario_id: str | None) -> str:
    from tco.errors import DataProblem, TcoUserError
    from tco.load.yaml_source import did_you_mean

    scenario_ids = list(dict.fromkeys(r.scenario_id for r in results.rows))
    if scenario_id is not None and scenario_id not in scenario_ids:
        raise TcoUserError(DataProblem("--scenario", None, "", f"unknown scenario `{scenario_id}`",
                                       did_you_mean(scenario_id, scenario_ids) or "scenarios: " + ", ".join(scenario_ids)))
    have = [r.scenario_id for r in results.rows if r.option_id == option_id and (scenario_id is None or r.scenario_id == scenario_id)]
    if len(have) == 1:
        return have[0]
    if not have:
        options = [r.option_id for r in results.rows if scenario_id is None or r.scenario_id == scenario_id]
        where = f"scenario `{scenario_id}`" if scenario_id else "any scenario"
        raise TcoUserError(DataProblem("--option", None, option_id, f"no option with this id in {where}",
                                       did_you_mean(option_id, options) or "options: " + ", ".join(dict.fromkeys(options))))
    raise TcoUserError(DataProblem("--scenario", None, "", f"several scenarios have option `{option_id}`: give --scenario",
                                   "one of: " + ", ".join(have)))
