"""`tco bench export --scenarios N` writes a workbook of N scenarios and prints what it measured."""

from __future__ import annotations

import json

from tco.cli import main


def test_bench_export_takes_the_number_of_scenarios(capsys):
    assert main(["bench", "export", "--scenarios", "2", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["scenarios"] == 2
    assert row["formula_cells"] > 0 and row["export_s"] > 0 and row["workbook_mb"] > 0
