"""`tco.evaluate(...)`: the engine for notebooks, with the same numbers as the CLI, TUI and workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

import polars as pl

from tco.model.scenario import Scenario


def evaluate(scenarios: Iterable[Scenario] | str | Path | Iterable[str | Path] | None = None, *,
             today: dt.date | None = None, overrides: list[str] | None = None) -> pl.DataFrame:
    """One row per scenario x option; `None` evaluates the bundled examples.

    Accepts Scenario objects, or paths of scenario files.
    """
    from tco.run import run_scenarios

    return run_scenarios(scenarios, today=today, overrides=overrides).results.options
