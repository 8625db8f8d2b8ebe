"""`tco.evaluate` for notebooks gives the CLI's numbers."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

import tco
from tco.cli import main
from tco.run import example_files


def test_evaluate_returns_one_row_per_scenario_and_option_with_the_cli_totals(capsys):
    frame = tco.evaluate(example_files()[:2], today=dt.date(2026, 11, 27))
    assert isinstance(frame, pl.DataFrame)
    assert main(["run", *map(str, example_files()[:2]), "--format", "json", "--as-of", "2026-11-27"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert frame.height == len(records)
    by_key = {(r["scenario"], r["option"]): r["total_cost_usd"] for r in records}
    for rec in frame.iter_rows(named=True):
        assert rec["total_cost_usd"] == by_key[(rec["scenario"], rec["option"])]


def test_importing_tco_does_not_import_polars_until_evaluate_is_used():
    import subprocess
    import sys

    code = "import sys, tco; print('polars' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_overrides_apply_to_scenario_objects_as_to_files_and_an_empty_list_is_refused():
    """Output hunt: with Scenario objects `overrides` were dropped without a word (the totals of the file as it is),
    and an invalid override raised nothing; `tco.evaluate([])` raised a polars SchemaError."""
    import pytest

    today = dt.date(2026, 11, 27)
    path = next(p for p in example_files() if p.stem == "customer-support")
    objects = tco.evaluate_run(path, today=today, with_breakeven=False).loaded.scenarios
    override = ["workload.requests_per_day=5000"]
    from_objects = tco.evaluate(objects, today=today, overrides=override, with_breakeven=False)
    from_file = tco.evaluate(path, today=today, overrides=override, with_breakeven=False)
    assert from_objects["total_cost_usd"].to_list() == from_file["total_cost_usd"].to_list()
    assert from_objects["total_cost_usd"].to_list() != tco.evaluate(objects, today=today, with_breakeven=False)["total_cost_usd"].to_list()
    with pytest.raises(tco.TcoUserError, match="no scenario has this path"):
        tco.evaluate(objects, today=today, overrides=["no.such.field=1"], with_breakeven=False)
    with pytest.raises(tco.TcoUserError, match="no scenarios given"):
        tco.evaluate([], today=today)
