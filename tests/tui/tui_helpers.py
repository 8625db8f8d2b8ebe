"""Waiting helpers and constants shared by the TUI tests."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 27)
"""Prices in force on this date; no test reads the clock."""
SID = "tui-support"
"""The scenario of tests/tui/data/support.yaml."""


def totals_on_screen(app) -> dict[str, float]:
    """Option id -> total as the comparison screen holds it."""
    ev = app.screen.evaluations[SID]
    return dict(zip(ev.results.options["option"].to_list(), ev.results.options["total_cost_usd"].to_list()))


def engine_totals(path, overrides=()) -> dict[str, float]:
    """Option id -> total as `tco run --set ...` computes it for the same file."""
    import polars as pl

    from tco.run import run_scenarios

    results = run_scenarios([path], today=TODAY, overrides=list(overrides)).results
    frame = results.options.filter(pl.col("scenario") == SID)
    return dict(zip(frame["option"].to_list(), frame["total_cost_usd"].to_list()))


async def wait_for(pilot, condition, timeout_s: float = 60.0, what: str = "condition") -> None:
    """Let the app's workers run until `condition()` holds (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.005)


def settled(app, scenario_id: str) -> bool:
    """The scenario's newest evaluation, break-even included, is on screen."""
    from tco.tui.screens.compare import CompareScreen

    screen = app.screen
    if not isinstance(screen, CompareScreen):
        return False
    ev = screen.evaluations.get(scenario_id)
    return ev is not None and ev.with_breakeven and scenario_id not in screen.stale and not any(
        w.is_running for w in app.workers if w.group == "evaluate")


async def open_app(pilot, scenario_id: str) -> None:
    await wait_for(pilot, lambda: settled(pilot.app, scenario_id), what=f"{scenario_id} evaluated")
