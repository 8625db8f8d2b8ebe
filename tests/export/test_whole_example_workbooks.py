"""The bundled examples' workbooks and a two-scenario workbook compute what the engine computes (slow step).

Why a module of their own: test_workbook.py puts its tests in the small workbook's xdist group, and a second
group mark would join the first into a third group, which xdist may run next to "whole-example-workbooks" on
the other worker. Here they carry that one group only, so one worker evaluates every whole workbook in turn
(each holds ~10 GB: pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tco.export.excel import export_workbook
from tco.run import example_files, run_scenarios

sys.path.insert(0, str(Path(__file__).parent))
from test_workbook import DATA, TODAY, check_against_engine  # noqa: E402
from workbook_reader import rows_past_the_longest_horizon  # noqa: E402


@pytest.mark.xdist_group("whole-example-workbooks")  # one worker at a time: ~10 GB each (pyproject.toml)
@pytest.mark.slow
def test_bundled_examples_match_engine(tmp_path):
    """One workbook per bundled example: the `formulas` evaluator's memory grows with the workbook (all six in
    one, with the eleven-block break-even search of 2026-12-02, held 11-13 GB; one worker runs these tests, next
    to the other's, in 24 GiB)."""
    checked = 0
    for example in example_files():
        run = run_scenarios([example], today=TODAY)
        path = export_workbook(run, tmp_path / f"{example.stem}.xlsx", month_rows=rows_past_the_longest_horizon(run))
        checked += check_against_engine(run.results, path)
    assert checked > 500


@pytest.mark.xdist_group("whole-example-workbooks")  # one worker at a time: ~10 GB each (pyproject.toml)
@pytest.mark.slow
def test_two_scenarios_match_engine(tmp_path):
    run = run_scenarios([DATA / "two_scenarios.yaml"], today=TODAY)
    results = run.results
    path = export_workbook(run, tmp_path / "two.xlsx", month_rows=rows_past_the_longest_horizon(run))
    assert check_against_engine(results, path) > 200
