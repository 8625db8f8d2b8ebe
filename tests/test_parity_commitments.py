"""One source of truth for commitments: engine, CLI, UI and the evaluated workbook agree on purchased
GPUs (running book value), reserved terms, a reserved base with bursts and committed API capacity.

The same checks as tests/test_parity.py, on tests/data/commitments_small.yaml: the workbook sums the
running totals with SUM(first month:this month) and must agree within 1e-9 relative.
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
SCENARIO = HERE / "data" / "commitments_small.yaml"
TODAY = dt.date(2026, 11, 27)
RESULTS = ("total_cost_usd", "npv_usd", "cost_per_million_tokens_usd", "cost_per_request_usd")


@pytest.fixture(scope="module")
def engine():
    run = run_scenarios([SCENARIO], today=TODAY)
    return run, {rec["option"]: rec for rec in run.results.options.iter_rows(named=True)}


def test_the_cli_json_carries_the_engine_numbers_exactly(engine, capsys):
    _, by_option = engine
    assert main(["run", str(SCENARIO), "--format", "json", "--as-of", TODAY.isoformat()]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["option"] for r in records} == set(by_option)
    for r in records:
        rec = by_option[r["option"]]
        for name in RESULTS:
            assert r[name] == rec[name], (r["option"], name)
        assert r["monthly_cost_usd"] == list(rec["monthly_cost_usd_list"])
        assert r["breakeven_requests_per_day"] == rec["breakeven_requests_per_day"]


@pytest.mark.slow  # the purchase and term formulas make a large workbook: about 2 minutes to evaluate with `formulas`
def test_the_workbook_recomputes_the_engine_numbers_with_its_own_formulas(engine, tmp_path):
    sys.path.insert(0, str(HERE / "export"))
    from workbook_reader import calc_layout, evaluate

    from tco.export.excel import export_workbook

    run, by_option = engine
    path = export_workbook(run, tmp_path / "parity.xlsx")
    values = evaluate(path)
    layout = calc_layout(path, "Calc commit")
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

    _, by_option = engine
    app = TcoApp([SCENARIO], today=TODAY, deterministic=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_app(pilot, "commit")
        shown = app.screen.evaluations["commit"].results.options
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
