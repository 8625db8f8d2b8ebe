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
