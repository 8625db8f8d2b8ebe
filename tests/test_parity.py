"""One source of truth: the engine, the CLI, the terminal UI and the workbook show the same numbers.

The same scenario file goes through all four. The CLI and the UI must carry the engine's numbers
bit for bit (they call it); the workbook recomputes them with its own live formulas, evaluated by an
independent formula engine, so it must agree within 1e-9 relative. Two files: a small comparison
(API, rented GPUs, a hybrid) and the commitments one (purchased GPUs with running book value, reserved
terms, a reserved base with bursts, committed API capacity; its workbook takes minutes to evaluate). The workbook
cases run in the slow step (`.ci/run` runs it); in the everyday run LibreOffice recomputes a changed copy of the small
workbook against the engine (tests/export/test_live_model.py).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import polars as pl
import pytest

from tco.cli import main
from tco.run import run_scenarios

HERE = Path(__file__).parent
SCENARIOS = {"small": HERE / "export" / "data" / "small.yaml", "commit": HERE / "data" / "commitments_small.yaml"}
"""Scenario id -> the file that holds it."""
TODAY = dt.date(2026, 11, 27)
RESULTS = ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd")


@pytest.fixture(scope="module", params=list(SCENARIOS))
def engine(request):
    """(scenario id, its file, the Run, option -> engine record)."""
    sid = request.param
    run = run_scenarios([SCENARIOS[sid]], today=TODAY)
    return sid, SCENARIOS[sid], run, {rec["option"]: rec for rec in run.results.options.iter_rows(named=True)}


def test_the_cli_json_carries_the_engine_numbers_exactly(engine, capsys):
    _, scenario, _, by_option = engine
    assert main(["run", str(scenario), "--format", "json", "--as-of", TODAY.isoformat()]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["option"] for r in records} == set(by_option)
    for r in records:
        rec = by_option[r["option"]]
        for name in RESULTS:
            assert r[name] == rec[name], (r["option"], name)
        assert r["monthly_cost_usd"] == list(rec["monthly_cost_usd_list"])
        assert r["breakeven_requests_per_day"] == rec["breakeven_requests_per_day"]


@pytest.mark.slow  # a `formulas` evaluation of a workbook takes a minute; everyday, LibreOffice recomputes the small one
# (tests/export/test_live_model.py), and tests/export/test_workbook.py::test_small_workbook_matches_engine checks more cells
@pytest.mark.parametrize("engine", ["small", pytest.param("commit", marks=pytest.mark.xdist_group("whole-example-workbooks"))], indirect=True)
def test_the_workbook_recomputes_the_engine_numbers_with_its_own_formulas(engine, tmp_path):
    sys.path.insert(0, str(HERE / "export"))
    from workbook_reader import calc_layout, evaluate, rows_past_the_longest_horizon

    from tco.export.excel import export_workbook

    sid, _, run, by_option = engine
    path = export_workbook(run, tmp_path / "parity.xlsx", month_rows=rows_past_the_longest_horizon(run))
    values = evaluate(path)
    layout = calc_layout(path, f"Calc {sid}")
    sheet = layout.sheet.upper()
    for option, rec in by_option.items():
        for name in RESULTS:
            got = values[(sheet, layout.results[(option, name)])]
            assert math.isclose(got, rec[name], rel_tol=1e-9), (option, name, got, rec[name])


@pytest.mark.anyio
async def test_the_terminal_ui_shows_the_engine_numbers(engine):
    sys.path.insert(0, str(HERE / "tui"))
    from textual.widgets import DataTable
    from tui_helpers import open_app

    from tco.tui.app import TcoApp
    from tco.tui.widgets.cost_table import COLUMNS, format_cell

    sid, scenario, _, by_option = engine
    app = TcoApp([scenario], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, sid)
        shown = app.screen.evaluations[sid].results.options
        for rec in shown.iter_rows(named=True):
            for name in RESULTS:
                assert rec[name] == by_option[rec["option"]][name], (rec["option"], name)
        table = app.screen.query_one("#costs", DataTable)
        for option, rec in by_option.items():
            cells = table.get_row(option)
            for (name, _), cell in zip(COLUMNS, cells):
                if name in ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd"):
                    assert str(cell) == format_cell(name, rec), (option, name)


@pytest.fixture
def anyio_backend():
    return "asyncio"
